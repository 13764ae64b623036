//! The client must survive any server: lying counts, trickled replies, unsolicited
//! replies and deep nesting each give a typed error within the configured time, and nothing
//! is allocated ahead of the bytes received (checked with a tracking allocator).

use rayforce_client::wire::{FrameHeader, MsgType, FLAG_COMPRESSED};
use rayforce_client::{Client, Error, Value};
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::io::{Read, Write};
use std::net::{Shutdown, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;
use std::time::{Duration, Instant};

/// Records the largest single allocation made by threads that opted in.
struct Tracking;

static LARGEST: AtomicUsize = AtomicUsize::new(0);
thread_local! {
    static TRACKED: Cell<bool> = const { Cell::new(false) };
}

fn note(size: usize) {
    if TRACKED.with(|t| t.get()) {
        LARGEST.fetch_max(size, Ordering::Relaxed);
    }
}

// SAFETY: every call is forwarded unchanged to the system allocator.
unsafe impl GlobalAlloc for Tracking {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        note(layout.size());
        System.alloc(layout)
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        note(layout.size());
        System.alloc_zeroed(layout)
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        note(new_size);
        System.realloc(ptr, layout, new_size)
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout)
    }
}

#[global_allocator]
static ALLOC: Tracking = Tracking;

/// Runs `f` and returns its result with the largest single allocation it made.
/// (One measurement at a time: the tests that measure hold this lock.)
fn largest_allocation<T>(f: impl FnOnce() -> T) -> (T, usize) {
    static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _guard = ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    LARGEST.store(0, Ordering::Relaxed);
    TRACKED.with(|t| t.set(true));
    let out = f();
    TRACKED.with(|t| t.set(false));
    (out, LARGEST.load(Ordering::Relaxed))
}

mod common;

use common::{fake_server, write_reply};

fn read_request(stream: &mut TcpStream) {
    let mut head = [0u8; 16];
    stream.read_exact(&mut head).unwrap();
    let size = u64::from_le_bytes(head[8..].try_into().unwrap());
    std::io::copy(&mut (&mut *stream).take(size), &mut std::io::sink()).unwrap();
}

fn response_header(size: u64, flags: u8) -> Vec<u8> {
    let mut header = FrameHeader::new(MsgType::Response, size);
    header.flags = flags;
    header.encode().to_vec()
}

/// A reply whose header announces 4 GiB but which holds only `body`, then EOF.
fn lying_reply(body: Vec<u8>, flags: u8) -> u16 {
    fake_server(move |mut s| {
        read_request(&mut s);
        let mut bytes = response_header(4 << 30, flags);
        bytes.extend_from_slice(&body);
        let _ = s.write_all(&bytes);
        let _ = s.shutdown(Shutdown::Write);
        thread::sleep(Duration::from_secs(2));
    })
}

fn count(n: u64) -> [u8; 8] {
    n.to_le_bytes()
}

#[test]
fn lying_counts_allocate_nothing_ahead_of_the_bytes() {
    for (what, body, flags) in lying_cases() {
        check_lying_reply(what, body, flags);
    }
}

/// The body of the lying case named `what`.
fn lying_body(what: &str) -> Vec<u8> {
    lying_cases().into_iter().find(|c| c.0 == what).unwrap().1
}

fn lying_cases() -> Vec<(&'static str, Vec<u8>, u8)> {
    vec![
        (
            "symbol vector",
            [&[12u8, 0][..], &count(4_000_000_000), b"ab\0cd\0"].concat(),
            0,
        ),
        (
            "string vector",
            [&[13u8, 0][..], &count(400_000_000), &count(2), b"ab"].concat(),
            0,
        ),
        (
            "string atom",
            [&[0xf3u8, 0][..], &count(4_000_000_000), b"abc"].concat(),
            0,
        ),
        (
            "i64 vector",
            [&[5u8, 0][..], &count(500_000_000), &count(7)].concat(),
            0,
        ),
        (
            "guid vector",
            [&[11u8, 0][..], &count(200_000_000), &[1u8; 16]].concat(),
            0,
        ),
        (
            "bool vector",
            [&[1u8, 0][..], &count(4_000_000_000), &[1u8; 4]].concat(),
            0,
        ),
        (
            "list",
            [&[0u8, 0][..], &count(4_000_000_000), &[0x7e]].concat(),
            0,
        ),
        (
            "nested lists",
            [&[0u8, 0][..], &count(4_000_000_000)].concat().repeat(200),
            0,
        ),
        (
            "table of lying symbols",
            [&[98u8, 0, 12, 0][..], &count(4_000_000_000), b"a\0"].concat(),
            0,
        ),
        (
            "compressed, 256 MiB declared",
            (256u32 << 20).to_le_bytes().to_vec(),
            FLAG_COMPRESSED,
        ),
    ]
}

fn check_lying_reply(what: &str, body: Vec<u8>, flags: u8) {
    {
        let port = lying_reply(body, flags);
        let mut client = Client::connect("127.0.0.1", port).unwrap();
        let (result, largest) = largest_allocation(|| client.execute("1"));
        let err = result.expect_err(what);
        assert!(
            matches!(err, Error::ConnectionLost { .. } | Error::Protocol { .. }),
            "{what}: {err:?}"
        );
        assert!(
            largest <= 1 << 20,
            "{what}: one allocation of {largest} bytes for a reply of a few dozen bytes"
        );
        // Later calls carry the first error.
        match client.execute("1") {
            Err(Error::Dead { cause, .. }) => assert_eq!(cause.to_string(), err.to_string()),
            other => panic!("{what}: {other:?}"),
        }
        // The same reply decoded into a caller's buffer (`fetch_column_into`).
        let port = lying_reply(lying_body(what), flags);
        let mut client = Client::connect("127.0.0.1", port).unwrap();
        let mut out: Vec<i64> = Vec::new();
        let (result, largest) = largest_allocation(|| client.fetch_column_into("1", &mut out));
        assert!(result.is_err(), "{what}");
        assert!(
            largest <= 1 << 20,
            "{what} into a buffer: one allocation of {largest} bytes"
        );
        // And into a value reused from an earlier reply (`execute_into`, under
        // `fetch_all_into`).
        let port = lying_reply(lying_body(what), flags);
        let mut client = Client::connect("127.0.0.1", port).unwrap();
        let mut reused = Value::from(vec![1i64, 2, 3]);
        let (result, largest) = largest_allocation(|| client.execute_into("1", &mut reused));
        assert!(result.is_err(), "{what}");
        assert!(
            largest <= 1 << 20,
            "{what} into a reused value: one allocation of {largest} bytes"
        );
    }
}

#[test]
fn honest_large_replies_still_decode_with_bounded_growth() {
    // 3M i64 and 1M symbols sent by a fake server in small pieces: the decoder's buffers
    // grow as bytes arrive and end at the right size.
    let column: Vec<i64> = (0..3_000_000).collect();
    let payload = rayforce_client::wire::encode(&Value::from(column.clone())).unwrap();
    let port = fake_server(move |mut s| {
        read_request(&mut s);
        let mut bytes = response_header(payload.len() as u64, 0);
        bytes.extend_from_slice(&payload);
        for piece in bytes.chunks(100_003) {
            s.write_all(piece).unwrap();
        }
        thread::sleep(Duration::from_secs(1));
    });
    let mut client = Client::connect("127.0.0.1", port).unwrap();
    assert_eq!(client.execute("1").unwrap(), Value::from(column));
}

/// A server that answers the first request one byte every 300 ms.
fn trickling_server() -> u16 {
    fake_server(|mut s| {
        read_request(&mut s);
        let payload = rayforce_client::wire::encode(&Value::from(vec![1i64; 64])).unwrap();
        let mut bytes = response_header(payload.len() as u64, 0);
        bytes.extend_from_slice(&payload);
        for b in bytes {
            if s.write_all(&[b]).is_err() {
                return;
            }
            thread::sleep(Duration::from_millis(300));
        }
    })
}

#[test]
fn read_timeout_is_a_deadline_for_the_whole_reply() {
    let port = trickling_server();
    let mut client = Client::builder("127.0.0.1", port)
        .read_timeout(Some(Duration::from_secs(1)))
        .connect()
        .unwrap();
    let start = Instant::now();
    let err = client.execute("1").unwrap_err();
    let took = start.elapsed();
    assert!(matches!(err, Error::Timeout { op: "read", .. }), "{err:?}");
    assert!(took < Duration::from_millis(1600), "took {took:?}");
}

#[test]
fn a_reply_nobody_asked_for_is_a_protocol_error_at_the_next_call() {
    let port = fake_server(|mut s| {
        // Answer the first request, then send a second, unsolicited reply.
        read_request(&mut s);
        write_reply(&mut s, &Value::I64(1));
        write_reply(&mut s, &Value::I64(2));
        // Would answer the next request with 3.
        let _ = s.set_read_timeout(Some(Duration::from_secs(2)));
        let mut head = [0u8; 16];
        if s.read_exact(&mut head).is_ok() {
            write_reply(&mut s, &Value::I64(3));
        }
        thread::sleep(Duration::from_secs(1));
    });
    let mut client = Client::connect("127.0.0.1", port).unwrap();
    assert_eq!(client.execute("1").unwrap(), Value::I64(1));
    thread::sleep(Duration::from_millis(200));
    let err = client.execute("2").unwrap_err();
    assert!(
        matches!(
            err,
            Error::Protocol {
                source: rayforce_client::DecodeError::UnsolicitedReply,
                ..
            }
        ),
        "the stale reply must not be handed out: {err:?}"
    );
}

/// Nesting at the default depth limit decodes, encodes and drops on a 2 MiB thread (the
/// default for spawned threads and tokio workers) in this debug build.
#[test]
fn default_depth_limit_fits_a_two_mib_stack() {
    let depth = rayforce_client::wire::Limits::default().max_depth;
    let handle = thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(move || {
            let mut bytes = Vec::new();
            for _ in 0..depth {
                bytes.extend_from_slice(&[0, 0, 1, 0, 0, 0, 0, 0, 0, 0]);
            }
            bytes.push(0x7e);
            let limits = rayforce_client::wire::Limits::default();
            let value = rayforce_client::wire::decode(&bytes, &limits).expect("at the limit");
            let again = rayforce_client::wire::encode(&value).unwrap();
            assert_eq!(again, bytes);
            assert_eq!(value.clone(), value);
            let _ = format!("{value}");
            drop(value);
            // One level deeper is a typed error, not a crash.
            let deeper = [&[0u8, 0, 1, 0, 0, 0, 0, 0, 0, 0][..], &bytes].concat();
            assert!(matches!(
                rayforce_client::wire::decode(&deeper, &limits),
                Err(rayforce_client::DecodeError::TooDeep { .. })
            ));
        })
        .unwrap();
    handle.join().expect("no stack overflow");
}

#[test]
fn compressed_replies_shorter_than_their_size_prefix_or_overlong_are_protocol_errors() {
    let packed =
        rayforce_client::wire::compress(&rayforce_client::wire::encode(&Value::I64(7)).unwrap());
    let overlong = [&packed[..], &[2, 9]].concat();
    for body in [vec![1u8, 0], overlong] {
        let port = fake_server(move |mut s| {
            read_request(&mut s);
            let mut bytes = response_header(body.len() as u64, FLAG_COMPRESSED);
            bytes.extend_from_slice(&body);
            let _ = s.write_all(&bytes);
            thread::sleep(Duration::from_secs(1));
        });
        let mut client = Client::connect("127.0.0.1", port).unwrap();
        let err = client.execute("1").unwrap_err();
        assert!(
            matches!(
                err,
                Error::Protocol {
                    source: rayforce_client::DecodeError::Compression(_),
                    ..
                }
            ),
            "{err:?}"
        );
    }
}

#[cfg(feature = "tokio")]
mod async_client {
    use super::*;
    use rayforce_client::client::AsyncClient;

    #[tokio::test]
    async fn pipeline_obeys_the_read_timeout() {
        let port = trickling_server();
        let client = Client::builder("127.0.0.1", port)
            .read_timeout(Some(Duration::from_secs(1)))
            .connect_async()
            .await
            .unwrap();
        let start = Instant::now();
        let mut p = rayforce_client::client::Pipeline::new();
        p.push("1").unwrap().push("2").unwrap();
        let err = client.run(&p).await.unwrap_err();
        assert!(matches!(err, Error::Timeout { op: "read", .. }), "{err:?}");
        assert!(start.elapsed() < Duration::from_millis(1600));
    }

    #[tokio::test]
    async fn a_reply_nobody_asked_for_kills_the_connection_with_a_protocol_error() {
        let port = fake_server(|mut s| {
            read_request(&mut s);
            write_reply(&mut s, &Value::I64(1));
            write_reply(&mut s, &Value::I64(2));
            thread::sleep(Duration::from_secs(2));
        });
        let client = AsyncClient::connect("127.0.0.1", port).await.unwrap();
        assert_eq!(client.execute("1").await.unwrap(), Value::I64(1));
        tokio::time::sleep(Duration::from_millis(200)).await;
        assert!(!client.is_alive());
        let err = client.execute("2").await.unwrap_err();
        assert!(err.to_string().contains("no request was waiting"), "{err}");
    }
}

/// One ASYNC frame carrying `1`, as `.ipc.post` sends it.
fn pushed_frame() -> Vec<u8> {
    let payload = rayforce_client::wire::encode(&Value::I64(1)).unwrap();
    let mut frame = FrameHeader::new(MsgType::Async, payload.len() as u64)
        .encode()
        .to_vec();
    frame.extend_from_slice(&payload);
    frame
}

/// A server that pushes ASYNC frames without end and never answers: the request still
/// ends at its deadline (pushed frames do not extend it), and the push buffer stays
/// bounded.
#[test]
fn endless_pushes_do_not_hold_a_request_past_its_deadline() {
    let port = fake_server(|mut s| {
        read_request(&mut s);
        let frame = pushed_frame();
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(5) {
            // A flood: many frames per write, so the client always has one buffered.
            if s.write_all(&frame.repeat(64)).is_err() {
                return;
            }
        }
    });
    let mut client = Client::builder("127.0.0.1", port)
        .read_timeout(Some(Duration::from_millis(500)))
        .cancel_grace(Duration::from_millis(200))
        .push_buffer(16)
        .connect()
        .unwrap();
    let start = Instant::now();
    let err = client.execute("1").unwrap_err();
    let took = start.elapsed();
    assert!(matches!(err, Error::Timeout { .. }), "{err:?}");
    assert!(took < Duration::from_millis(1500), "took {took:?}");
}

/// A server that floods pushed frames from the moment the connection opens: requests are
/// still sent and time out at their deadline instead of waiting for the flood to end.
#[test]
fn a_flood_before_the_first_request_does_not_keep_it_from_being_sent() {
    let port = fake_server(|mut s| {
        let frame = pushed_frame();
        let flood = frame.repeat(256);
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(5) {
            if s.write_all(&flood).is_err() {
                return;
            }
        }
    });
    let mut client = Client::builder("127.0.0.1", port)
        .read_timeout(Some(Duration::from_millis(500)))
        .cancel_grace(Duration::from_millis(200))
        .push_buffer(16)
        .connect()
        .unwrap();
    thread::sleep(Duration::from_millis(200)); // let the flood fill the socket
    let start = Instant::now();
    let err = client.execute("1").unwrap_err();
    let took = start.elapsed();
    assert!(matches!(err, Error::Timeout { .. }), "{err:?}");
    assert!(took < Duration::from_millis(2000), "took {took:?}");
}
