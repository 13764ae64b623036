//! The tokio client against the real server: round trips, concurrent requests on one
//! connection, pipelining, cancellation in the middle of a request followed by correct
//! later requests, timeouts and a killed server.
#![cfg(feature = "tokio")]

mod common;

use rayforce_client::client::AsyncClient;
use rayforce_client::{Error, ServerErrorCode, Value};
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn round_trips_concurrency_and_pipelining() {
    let server = common::server();
    let c = AsyncClient::connect("127.0.0.1", server.port())
        .await
        .unwrap();
    assert_eq!(c.execute("(+ 1 2)").await.unwrap(), Value::I64(3));
    let err = c.execute("(+ 1 'a)").await.unwrap_err();
    assert_eq!(err.server_code(), Some(&ServerErrorCode::Type));
    // Many requests in flight from many tasks on one connection.
    let mut tasks = Vec::new();
    for i in 0..200i64 {
        let c = c.clone();
        tasks.push(tokio::spawn(async move {
            let v = c
                .execute(&Value::call("+", [Value::I64(i), Value::I64(1)]))
                .await
                .unwrap();
            assert_eq!(v, Value::I64(i + 1));
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let requests: Vec<String> = (0..1000).map(|i| format!("(+ {i} 0)")).collect();
    let mut p = rayforce_client::client::Pipeline::new();
    for r in &requests {
        p.push(r).unwrap();
    }
    let replies = c.run(&p).await.unwrap();
    for (i, r) in replies.iter().enumerate() {
        assert_eq!(r.as_ref().unwrap(), &Value::I64(i as i64));
    }
    c.send_async("(set z 7)").await.unwrap();
    assert_eq!(c.execute("z").await.unwrap(), Value::I64(7));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancellation_in_the_middle_never_desynchronizes() {
    let server = common::server();
    let c = AsyncClient::connect("127.0.0.1", server.port())
        .await
        .unwrap();
    for i in 0..20i64 {
        // A slow request, abandoned before its reply arrives…
        let slow = c.execute("(sum (til 30000000))");
        let abandoned = tokio::time::timeout(Duration::from_millis(1), slow).await;
        assert!(abandoned.is_err(), "the slow query finished within 1 ms?");
        // …and the next request still gets its own reply, not the abandoned one's.
        let v = c
            .execute(&Value::call("+", [Value::I64(i), Value::I64(1000)]))
            .await
            .unwrap();
        assert_eq!(v, Value::I64(i + 1000));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn timeouts_passwords_and_dead_servers() {
    let server = rayforce_client::LocalServer::builder()
        .password("pw")
        .start()
        .unwrap();
    let builder = rayforce_client::Client::builder("127.0.0.1", server.port())
        .read_timeout(Some(Duration::from_millis(50)));
    let c = builder
        .clone()
        .password("pw")
        .connect_async()
        .await
        .unwrap();
    let err = c.execute("(sum (til 100000000))").await.unwrap_err();
    assert!(
        matches!(err, Error::Timeout { op: "request", .. }),
        "{err:?}"
    );
    // The timed-out reply is discarded; the connection stays in sync: the first reply we
    // get is our own (3), never the abandoned sum.
    let mut answered = false;
    for _ in 0..100 {
        match c.execute("(+ 1 2)").await {
            Ok(v) => {
                assert_eq!(v, Value::I64(3));
                answered = true;
                break;
            }
            Err(Error::Timeout { .. }) => tokio::time::sleep(Duration::from_millis(100)).await,
            Err(e) => panic!("{e:?}"),
        }
    }
    assert!(answered);

    let err = builder.password("wrong").connect_async().await.unwrap_err();
    assert!(matches!(err, Error::AuthFailed { .. }), "{err:?}");

    let mut server = server;
    server.stop();
    // The reader task sees the EOF promptly; from then on requests fail at once.
    for _ in 0..100 {
        if !c.is_alive() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(!c.is_alive());
    // Later requests carry the first error.
    match c.execute("(+ 1 2)").await.unwrap_err() {
        Error::Dead { cause, .. } => {
            assert!(matches!(*cause, Error::ConnectionLost { .. }), "{cause:?}")
        }
        other => panic!("{other:?}"),
    }
}
