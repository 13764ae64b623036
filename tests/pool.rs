//! The r2d2 pool (threads) and the deadpool one (tasks) against the real server: every
//! reply checked against its request, and dead connections replaced.
#![cfg(feature = "r2d2")]

mod common;

use rayforce_client::client::ClientManager;
use rayforce_client::{Client, Value};

#[test]
fn eight_threads_share_a_pool() {
    let server = common::server();
    let manager = ClientManager::new(Client::builder("127.0.0.1", server.port()));
    let pool = r2d2::Pool::builder().max_size(4).build(manager).unwrap();
    std::thread::scope(|s| {
        for t in 0..8i64 {
            let pool = pool.clone();
            s.spawn(move || {
                for i in 0..2000i64 {
                    let mut c = pool.get().unwrap();
                    let want = t * 1_000_000 + i;
                    let got = c
                        .execute(&Value::call("+", [Value::I64(want), Value::I64(0)]))
                        .unwrap();
                    assert_eq!(got, Value::I64(want));
                }
            });
        }
    });
    // A connection that dies is detected and replaced.
    {
        let mut c = pool.get().unwrap();
        c.close().unwrap();
    }
    for _ in 0..8 {
        let mut c = pool.get().unwrap();
        assert_eq!(c.execute("(+ 1 2)").unwrap(), Value::I64(3));
    }
}

/// The deadpool adapter: 32 tasks share 4 async connections, every reply checked against
/// its request; a closed connection is replaced, never handed out.
#[cfg(feature = "deadpool")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tasks_share_an_async_pool() {
    use rayforce_client::client::{AsyncClientManager, AsyncPool};
    let server = common::server();
    let manager = AsyncClientManager::new(Client::builder("127.0.0.1", server.port()));
    let pool = AsyncPool::builder(manager).max_size(4).build().unwrap();
    let tasks: Vec<_> = (0..32i64)
        .map(|t| {
            let pool = pool.clone();
            tokio::spawn(async move {
                for i in 0..200i64 {
                    let c = pool.get().await.unwrap();
                    let want = t * 1_000_000 + i;
                    let got = c
                        .execute(&Value::call("+", [Value::I64(want), Value::I64(0)]))
                        .await
                        .unwrap();
                    assert_eq!(got, Value::I64(want));
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    assert!(pool.status().size <= 4);
    {
        let c = pool.get().await.unwrap();
        c.close().await.unwrap();
    }
    for _ in 0..8 {
        let c = pool.get().await.unwrap();
        assert!(c.is_alive());
        assert_eq!(c.execute("(+ 1 2)").await.unwrap(), Value::I64(3));
    }
}
