//! The native `TcpServer` must survive any client: a flood over the connection cap, slow
//! or silent handshakes, idle connections, requests that together would hold too much
//! memory, password guessing, and an OS that refuses threads.

use rayforce_client::server::{IncomingRequest, ServerHandle, TcpServer};
use rayforce_client::wire::{compress, encode, FrameHeader, MsgType, FLAG_COMPRESSED};
use rayforce_client::{Client, Error, ServerErrorCode, Value};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::thread;
use std::time::{Duration, Instant};

fn echo_count(req: &IncomingRequest) -> Result<Value, ServerErrorCode> {
    match &req.value {
        Value::Str(t) if t == "sleep" => {
            thread::sleep(Duration::from_millis(300));
            Ok(Value::Null)
        }
        Value::Vector(v) => Ok(Value::I64(v.len() as i64)),
        other => Ok(other.clone()),
    }
}

fn start(configure: impl FnOnce(TcpServer) -> TcpServer) -> (ServerHandle, u16) {
    let server = configure(TcpServer::bind("127.0.0.1:0").unwrap());
    let handle = server.handle();
    let port = server.local_addr().port();
    thread::spawn(move || server.listen(echo_count));
    (handle, port)
}

fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let start = Instant::now();
    while !done() {
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "timed out waiting: {what}"
        );
        thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn connections_over_the_cap_get_a_clear_refusal() {
    let (handle, port) = start(|s| s.max_connections(2));
    let mut a = Client::connect("127.0.0.1", port).unwrap();
    let mut b = Client::connect("127.0.0.1", port).unwrap();
    assert_eq!(a.execute("1").unwrap(), Value::from("1"));
    let mut over = Client::connect("127.0.0.1", port).unwrap();
    let err = over.execute("1").unwrap_err();
    assert_eq!(err.server_code(), Some(&ServerErrorCode::Limit), "{err:?}");
    assert!(handle.stats().refused_connections >= 1);
    // The served clients never noticed; a freed place is taken again.
    assert_eq!(b.execute("2").unwrap(), Value::from("2"));
    drop(a);
    wait_until("a place frees", || handle.stats().connections < 2);
    let mut c = Client::connect("127.0.0.1", port).unwrap();
    assert_eq!(c.execute("3").unwrap(), Value::from("3"));
    handle.stop();
}

#[test]
fn silent_and_trickling_handshakes_are_cut_at_the_deadline() {
    let (handle, port) = start(|s| s.handshake_timeout(Duration::from_millis(400)));
    // Silent: never says hello.
    let mut silent = TcpStream::connect(("127.0.0.1", port)).unwrap();
    // Trickling: the hello one byte at a time, then a password byte every 150 ms.
    let (h2, _) = (handle.clone(), ());
    let trickler = thread::spawn(move || {
        let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
        let _ = s.write_all(&[3]);
        thread::sleep(Duration::from_millis(150));
        let _ = s.write_all(&[0]);
        for _ in 0..20 {
            thread::sleep(Duration::from_millis(150));
            if s.write_all(&[0]).is_err() {
                break;
            }
        }
        drop(h2);
    });
    let start = Instant::now();
    silent
        .set_read_timeout(Some(Duration::from_secs(3)))
        .unwrap();
    assert_eq!(
        silent.read(&mut [0u8; 4]).unwrap_or(0),
        0,
        "closed by the server"
    );
    assert!(
        start.elapsed() < Duration::from_millis(1500),
        "{:?}",
        start.elapsed()
    );
    wait_until("both handshakes are dropped", || {
        handle.stats().connections == 0
    });
    trickler.join().unwrap();
    handle.stop();
}

#[test]
fn idle_connections_are_closed_and_busy_ones_kept() {
    let (handle, port) = start(|s| s.idle_timeout(Some(Duration::from_millis(300))));
    let mut busy = Client::connect("127.0.0.1", port).unwrap();
    let mut idle = Client::connect("127.0.0.1", port).unwrap();
    for _ in 0..6 {
        assert_eq!(busy.execute("sleep").unwrap(), Value::Null);
    }
    let err = idle.execute("1").unwrap_err();
    assert!(
        matches!(err, Error::ConnectionLost { .. } | Error::Io { .. }),
        "{err:?}"
    );
    handle.stop();
}

#[test]
fn memory_held_by_requests_in_flight_is_bounded() {
    // Six clients each send a compressed frame of ~0.5 MB that declares 32 MiB; the bound
    // holds at most 80 MiB of requests at once, so some are refused with ERROR `limit`.
    const DECLARED: usize = 32 << 20;
    const BOUND: u64 = 80 << 20;
    let (handle, port) = start(|s| s.max_request_memory(BOUND));
    let payload = encode(&Value::from(vec![0u8; DECLARED - 10])).unwrap();
    let packed = compress(&payload);
    assert!(packed.len() < 1 << 20);
    let mut frame = FrameHeader::new(MsgType::Sync, packed.len() as u64);
    frame.flags = FLAG_COMPRESSED;
    let frame = [&frame.encode()[..], &packed].concat();
    let clients: Vec<_> = (0..6)
        .map(|_| {
            let frame = frame.clone();
            thread::spawn(move || {
                let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
                s.write_all(&[3, 0]).unwrap();
                s.read_exact(&mut [0u8; 2]).unwrap();
                s.write_all(&frame).unwrap();
                let mut head = [0u8; 16];
                s.read_exact(&mut head).unwrap();
                let size = u64::from_le_bytes(head[8..].try_into().unwrap());
                let mut body = vec![0u8; size as usize];
                s.read_exact(&mut body).unwrap();
                rayforce_client::wire::decode(&body, &Default::default()).unwrap()
            })
        })
        .collect();
    let replies: Vec<Value> = clients.into_iter().map(|c| c.join().unwrap()).collect();
    let stats = handle.stats();
    assert!(stats.peak_request_bytes <= BOUND, "{stats:?}");
    for r in &replies {
        assert!(
            *r == Value::I64((DECLARED - 10) as i64) || *r == Value::Error(ServerErrorCode::Limit),
            "{r:?}"
        );
    }
    assert_eq!(
        replies
            .iter()
            .filter(|r| matches!(r, Value::Error(_)))
            .count() as u64,
        stats.refused_requests
    );
    // Nothing stays held once the replies are out, and the server still serves.
    wait_until("requests release their memory", || {
        handle.stats().request_bytes == 0
    });
    let mut c = Client::connect("127.0.0.1", port).unwrap();
    assert_eq!(c.execute("ok").unwrap(), Value::from("ok"));
    handle.stop();
}

#[test]
fn failed_logins_are_throttled_and_counted() {
    let (handle, port) = start(|s| {
        s.password("right")
            .auth_failure_delay(Duration::from_millis(400))
    });
    let start = Instant::now();
    let err = Client::builder("127.0.0.1", port)
        .user("u")
        .password("wrong")
        .connect()
        .unwrap_err();
    assert!(matches!(err, Error::AuthFailed { .. }), "{err:?}");
    assert!(start.elapsed() >= Duration::from_millis(400));
    assert_eq!(handle.stats().failed_logins, 1);
    let mut ok = Client::builder("127.0.0.1", port)
        .user("u")
        .password("right")
        .connect()
        .unwrap();
    assert_eq!(ok.execute("1").unwrap(), Value::from("1"));
    handle.stop();
}

/// The server runs in a child process whose address space is too small for many thread
/// stacks: when the OS refuses a connection's thread, that connection is refused and the
/// server keeps listening (it used to panic in `thread::spawn` and stop).
#[test]
fn refused_threads_refuse_connections_and_the_server_keeps_listening() {
    if let Ok(port_file) = std::env::var("RAYFORCE_TEST_CHILD_SERVER") {
        child_server(&port_file);
        return;
    }
    let dir = std::env::temp_dir().join(format!("rf-child-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let port_file = dir.join("port");
    let mut child = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "refused_threads_refuse_connections_and_the_server_keeps_listening",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("RAYFORCE_TEST_CHILD_SERVER", &port_file)
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    wait_until("the child server starts", || port_file.exists());
    let port: u16 = std::fs::read_to_string(&port_file)
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    // Open and hold many connections: far more than the child has room for thread stacks.
    let mut held = Vec::new();
    let (mut answered, mut refused) = (0, 0);
    for _ in 0..120 {
        let Ok(mut c) = Client::connect("127.0.0.1", port) else {
            refused += 1;
            continue;
        };
        match c.execute("1") {
            Ok(v) => {
                assert_eq!(v, Value::from("1"));
                answered += 1;
            }
            Err(e) => {
                assert_eq!(e.server_code(), Some(&ServerErrorCode::Limit), "{e:?}");
                refused += 1;
            }
        }
        held.push(c);
    }
    eprintln!("answered {answered}, refused {refused}");
    assert!(
        answered > 0 && refused > 0,
        "answered {answered}, refused {refused}"
    );
    assert!(
        child.try_wait().unwrap().is_none(),
        "the server process died"
    );
    // Still listening after the flood.
    drop(held);
    wait_until("the flood's connections close", || {
        Client::connect("127.0.0.1", port)
            .and_then(|mut c| c.execute("2"))
            .is_ok()
    });
    child.kill().unwrap();
    child.wait().unwrap();
    let _ = std::fs::remove_dir_all(&dir);
}

fn child_server(port_file: &str) {
    let server = TcpServer::bind("127.0.0.1:0")
        .unwrap()
        .max_connections(10_000);
    let port = server.local_addr().port();
    // Room for the process as it is plus ~40 MiB: a few dozen 2 MiB thread stacks.
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let vm_kib: u64 = status
        .lines()
        .find(|l| l.starts_with("VmSize:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .unwrap()
        .parse()
        .unwrap();
    let limit = (vm_kib << 10) + (40 << 20);
    // SAFETY: setrlimit only reads the struct passed by reference.
    let rc = unsafe {
        libc::setrlimit(
            libc::RLIMIT_AS,
            &libc::rlimit {
                rlim_cur: limit,
                rlim_max: limit,
            },
        )
    };
    assert_eq!(rc, 0);
    std::fs::write(format!("{port_file}.tmp"), port.to_string()).unwrap();
    std::fs::rename(format!("{port_file}.tmp"), port_file).unwrap();
    let _ = server.listen(echo_count);
}
