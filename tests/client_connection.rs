//! Connection behaviour against the real server and against misbehaving listeners
//! written here: auth, restricted mode, async, pipelining, timeouts, dead servers.

mod common;

use rayforce_client::{Client, Error, LocalServer, ServerErrorCode, Value};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::thread;
use std::time::{Duration, Instant};

#[test]
fn password_accepted_wrong_rejected_missing_reported() {
    let server = LocalServer::builder().password("s3cret").start().unwrap();
    let mut ok = Client::builder("127.0.0.1", server.port())
        .user("bob")
        .password("s3cret")
        .connect()
        .unwrap();
    assert_eq!(ok.execute("(+ 1 2)").unwrap(), Value::I64(3));

    let wrong = Client::builder("127.0.0.1", server.port())
        .password("nope")
        .connect()
        .unwrap_err();
    assert!(matches!(wrong, Error::AuthFailed { .. }), "{wrong:?}");
    assert!(wrong.to_string().contains(&server.addr()), "{wrong}");

    let missing = Client::connect("127.0.0.1", server.port()).unwrap_err();
    assert!(
        matches!(missing, Error::PasswordRequired { .. }),
        "{missing:?}"
    );
    // The good connection is unaffected.
    assert_eq!(ok.execute("(+ 2 2)").unwrap(), Value::I64(4));
}

/// Connection URLs reach the real server with their credentials and options, also from
/// `RAYFORCE_URL`; a wrong password in a URL is the same typed error.
#[test]
fn connection_urls_connect_with_credentials_and_options() {
    let server = LocalServer::builder()
        .password("p@ss:word")
        .start()
        .unwrap();
    let url = format!(
        "rayforce://bob:p%40ss%3Aword@127.0.0.1:{}?read_timeout=5s&connect_timeout=2s",
        server.port()
    );
    let mut c = rayforce_client::ClientBuilder::from_url(&url)
        .unwrap()
        .connect()
        .unwrap();
    assert_eq!(c.execute("(+ 1 2)").unwrap(), Value::I64(3));
    std::env::set_var("RAYFORCE_URL", &url);
    let mut c = rayforce_client::ClientBuilder::from_env()
        .unwrap()
        .connect()
        .unwrap();
    assert_eq!(c.execute("(+ 2 2)").unwrap(), Value::I64(4));
    let wrong = format!("rayforce://bob:nope@127.0.0.1:{}", server.port());
    let err = rayforce_client::ClientBuilder::from_url(&wrong)
        .unwrap()
        .connect()
        .unwrap_err();
    assert!(matches!(err, Error::AuthFailed { .. }), "{err:?}");
}

#[test]
fn restricted_mode_returns_access_for_set() {
    let server = LocalServer::builder()
        .restricted_password("pw")
        .start()
        .unwrap();
    let mut client = server.client().unwrap();
    let err = client.execute("(set q 1)").unwrap_err();
    assert_eq!(err.server_code(), Some(&ServerErrorCode::Access));
    let tree = Value::call("set", [Value::symbol("q"), Value::I64(1)]);
    assert_eq!(
        client.execute(&tree).unwrap_err().server_code(),
        Some(&ServerErrorCode::Access)
    );
    // Queries are still allowed and the connection stays open.
    assert_eq!(client.execute("(+ 1 2)").unwrap(), Value::I64(3));
}

#[test]
fn async_then_sync_sees_the_effect() {
    let (_server, mut client) = common::connected();
    client.send_async("(set a 1)").unwrap();
    client
        .send_async(&Value::call("set", [Value::symbol("b"), Value::I64(41)]))
        .unwrap();
    // Errors in async requests are never reported and do not break the connection.
    client.send_async("(+ 1 'oops)").unwrap();
    assert_eq!(client.execute("(+ a b)").unwrap(), Value::I64(42));
}

#[test]
fn pipelined_requests_come_back_in_order() {
    let (_server, mut client) = common::connected();
    let mut batch = rayforce_client::client::Pipeline::new();
    for i in 0..1000i64 {
        if i == 500 {
            batch.push("(+ 1 'a)").unwrap();
        } else {
            batch
                .push(&Value::call("+", [Value::I64(i), Value::I64(1)]))
                .unwrap();
        }
    }
    assert_eq!(batch.len(), 1000);
    let replies = client.run(&batch).unwrap();
    assert_eq!(replies.len(), 1000);
    for (i, reply) in replies.iter().enumerate() {
        if i == 500 {
            assert_eq!(
                reply.as_ref().unwrap_err().server_code(),
                Some(&ServerErrorCode::Type)
            );
        } else {
            assert_eq!(
                reply.as_ref().unwrap(),
                &Value::I64(i as i64 + 1),
                "reply {i}"
            );
        }
    }
    assert_eq!(client.execute("(+ 1 2)").unwrap(), Value::I64(3));
}

#[test]
fn connection_refused_names_the_address() {
    let closed = common::closed_port();
    let port = closed.port;
    let err = Client::connect("127.0.0.1", port).unwrap_err();
    assert!(matches!(err, Error::ConnectionRefused { .. }), "{err:?}");
    assert!(
        err.to_string().contains(&format!("127.0.0.1:{port}")),
        "{err}"
    );
}

/// A listener that runs `behave` on its first connection.
fn fake_server(behave: impl FnOnce(TcpStream) + Send + 'static) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    thread::spawn(move || {
        if let Ok((stream, _)) = listener.accept() {
            behave(stream);
        }
    });
    port
}

fn handshake(stream: &mut TcpStream) {
    let mut hello = [0u8; 2];
    stream.read_exact(&mut hello).unwrap();
    stream.write_all(&[3, 0]).unwrap();
}

#[test]
fn silent_listener_hits_the_connect_timeout() {
    let port = fake_server(|s| {
        thread::sleep(Duration::from_secs(5));
        drop(s);
    });
    let start = Instant::now();
    let err = Client::builder("127.0.0.1", port)
        .connect_timeout(Duration::from_millis(300))
        .connect()
        .unwrap_err();
    let took = start.elapsed();
    assert!(
        matches!(
            err,
            Error::Timeout {
                op: "handshake",
                ..
            }
        ),
        "{err:?}"
    );
    assert!(took < Duration::from_secs(2), "took {took:?}");
}

#[test]
fn listener_that_never_answers_hits_the_read_timeout() {
    let port = fake_server(|mut s| {
        handshake(&mut s);
        thread::sleep(Duration::from_secs(5));
    });
    // The deadline cancels the request; a server that ignores the cancel for the whole
    // grace period costs the connection.
    let mut client = Client::builder("127.0.0.1", port)
        .read_timeout(Some(Duration::from_millis(300)))
        .cancel_grace(Duration::from_millis(300))
        .connect()
        .unwrap();
    let start = Instant::now();
    let err = client.execute("(+ 1 2)").unwrap_err();
    let took = start.elapsed();
    assert!(matches!(err, Error::Timeout { op: "read", .. }), "{err:?}");
    assert!(took < Duration::from_secs(2), "took {took:?}");
    // The client is dead: no later call can read a stale reply, and each says why.
    assert!(!client.is_alive());
    match client.execute("(+ 1 2)") {
        Err(Error::Dead { cause, .. }) => {
            assert!(
                matches!(*cause, Error::Timeout { op: "read", .. }),
                "{cause:?}"
            )
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn partial_header_then_stall_times_out() {
    let port = fake_server(|mut s| {
        handshake(&mut s);
        let mut req = [0u8; 64];
        let _ = s.read(&mut req);
        s.write_all(&[0xfa, 0xde, 0xfa]).unwrap();
        thread::sleep(Duration::from_secs(5));
    });
    let mut client = Client::builder("127.0.0.1", port)
        .read_timeout(Some(Duration::from_millis(300)))
        .connect()
        .unwrap();
    let err = client.execute("1").unwrap_err();
    assert!(matches!(err, Error::Timeout { .. }), "{err:?}");
}

#[test]
fn huge_size_header_is_refused_before_allocating() {
    let port = fake_server(|mut s| {
        handshake(&mut s);
        let mut req = [0u8; 64];
        let _ = s.read(&mut req);
        let mut header = vec![0xfa, 0xde, 0xfa, 0xce, 3, 0, 0, 2];
        header.extend_from_slice(&(i64::MAX).to_le_bytes());
        let _ = s.write_all(&header);
        thread::sleep(Duration::from_secs(2));
    });
    let mut client = Client::builder("127.0.0.1", port)
        .max_frame_size(1 << 20)
        .connect()
        .unwrap();
    let err = client.execute("1").unwrap_err();
    assert!(
        matches!(
            err,
            Error::Protocol {
                source: rayforce_client::DecodeError::FrameTooLarge { .. },
                ..
            }
        ),
        "{err:?}"
    );
    assert!(matches!(client.execute("1"), Err(Error::Dead { .. })));
}

#[test]
fn garbage_reply_is_a_protocol_error() {
    let port = fake_server(|mut s| {
        handshake(&mut s);
        let mut req = [0u8; 64];
        let _ = s.read(&mut req);
        let _ = s.write_all(b"HTTP/1.1 400 Bad Request\r\n\r\n");
        thread::sleep(Duration::from_secs(1));
    });
    let mut client = Client::connect("127.0.0.1", port).unwrap();
    let err = client.execute("1").unwrap_err();
    assert!(matches!(err, Error::Protocol { .. }), "{err:?}");
}

#[test]
fn version_mismatch_is_its_own_error() {
    let port = fake_server(|mut s| {
        let mut hello = [0u8; 2];
        let _ = s.read_exact(&mut hello);
        let _ = s.write_all(&[2, 0]);
        thread::sleep(Duration::from_secs(1));
    });
    let err = Client::connect("127.0.0.1", port).unwrap_err();
    assert!(
        matches!(err, Error::VersionMismatch { got: 2, .. }),
        "{err:?}"
    );
}

#[test]
fn killed_server_gives_an_error_not_a_hang() {
    let mut server = common::server();
    let mut client = server.client().unwrap();
    assert_eq!(client.execute("(+ 1 2)").unwrap(), Value::I64(3));
    server.stop();
    let start = Instant::now();
    let err = client.execute("(+ 1 2)").unwrap_err();
    assert!(err.is_fatal(), "{err:?}");
    assert!(start.elapsed() < Duration::from_secs(5));
    assert!(!client.is_alive());
    assert!(matches!(client.execute("1"), Err(Error::Dead { .. })));
}

#[test]
fn killed_mid_reply_gives_an_error() {
    let server = common::server();
    let mut client = server.client().unwrap();
    let pid = server.pid();
    // A reply of ~320 MB takes long enough to kill the server while it is being sent.
    let killer = thread::spawn(move || {
        thread::sleep(Duration::from_millis(300));
        let _ = std::process::Command::new("kill")
            .args(["-9", &pid.to_string()])
            .status();
    });
    let result = client.execute("(til 40000000)");
    killer.join().unwrap();
    match result {
        Err(e) => assert!(e.is_fatal(), "{e:?}"),
        // The reply may have been complete before the kill; the next call must fail.
        Ok(v) => {
            assert_eq!(v.count(), Some(40_000_000));
            assert!(client.execute("1").is_err());
        }
    }
    drop(server);
}

#[test]
fn closed_client_says_closed_and_displays_its_address() {
    let (server, mut client) = common::connected();
    assert!(client.is_alive());
    assert_eq!(
        client.to_string(),
        format!("rayforce://{} (alive)", server.addr())
    );
    client.close().unwrap();
    assert!(!client.is_alive());
    assert!(matches!(client.execute("1"), Err(Error::Closed)));
    assert!(matches!(client.send_async("1"), Err(Error::Closed)));
    assert!(client.to_string().ends_with("(closed)"));
    assert!(format!("{client:?}").contains(&server.addr()));
}

#[test]
fn compressed_requests_are_understood_by_the_server() {
    let server = common::server();
    let mut client = Client::builder("127.0.0.1", server.port())
        .compress_above(Some(100))
        .connect()
        .unwrap();
    let big = Value::call("sum", [Value::from(vec![1i64; 100_000])]);
    assert_eq!(client.execute(&big).unwrap(), Value::I64(100_000));
    let text = format!("(count \"{}\")", "a".repeat(3000));
    assert_eq!(client.execute(&text).unwrap(), Value::I64(3000));
}
