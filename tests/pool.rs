//! The r2d2 pool against the real server: 8 threads × 2,000 queries with every reply
//! checked against its request, and dead connections replaced.
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
