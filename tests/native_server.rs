//! The native server against real peers no one here wrote: the `rayforce` binary as a
//! client (`.ipc.open`/`.ipc.send`), this SDK's client with and without a password, and
//! misbehaving clients that may only drop their own connection.

mod common;

use rayforce_client::server::{IncomingRequest, TcpServer};
use rayforce_client::{Client, Error, ServerErrorCode, Value};
use std::io::{Read, Write};
use std::net::TcpStream;

/// A handler that evaluates `(+ a b)` trees and a few text commands.
fn handler(req: &IncomingRequest) -> Result<Value, ServerErrorCode> {
    match &req.value {
        Value::Str(t) if t == "(+ 1 2)" => Ok(Value::I64(3)),
        Value::Str(t) if t == "whoami" => Ok(Value::from(req.user.clone().unwrap_or_default())),
        Value::Str(t) if t == "table" => Ok(Value::Table(
            rayforce_client::table! { "a" => vec![1i64, 2], "s" => Value::symbols(["x", "y"]) },
        )),
        Value::List(items) => match items.as_slice() {
            [Value::Symbol(f), Value::I64(a), Value::I64(b)] if f.text == "+" => {
                Ok(Value::I64(a + b))
            }
            _ => Err(ServerErrorCode::Nyi),
        },
        Value::I64(n) => Ok(Value::I64(*n)),
        _ => Err(ServerErrorCode::Type),
    }
}

fn start(password: Option<&str>) -> (rayforce_client::server::ServerHandle, u16) {
    let mut server = TcpServer::bind("127.0.0.1:0").unwrap();
    if let Some(pw) = password {
        server = server.password(pw);
    }
    let handle = server.handle();
    let port = server.local_addr().port();
    std::thread::spawn(move || server.listen(handler));
    (handle, port)
}

#[test]
fn sdk_client_talks_to_the_native_server() {
    let (handle, port) = start(None);
    let mut c = Client::connect("127.0.0.1", port).unwrap();
    assert_eq!(c.execute("(+ 1 2)").unwrap(), Value::I64(3));
    assert_eq!(
        c.execute(&Value::call("+", [Value::I64(40), Value::I64(2)]))
            .unwrap(),
        Value::I64(42)
    );
    let err = c.execute(&Value::F64(1.0)).unwrap_err();
    assert_eq!(err.server_code(), Some(&ServerErrorCode::Type));
    let t = c.execute("table").unwrap();
    assert_eq!(t.as_table().unwrap().num_rows(), 2);
    let mut p = rayforce_client::client::Pipeline::new();
    for i in 0..100i64 {
        p.push(&Value::I64(i)).unwrap();
    }
    let replies = c.run(&p).unwrap();
    assert!(replies
        .iter()
        .enumerate()
        .all(|(i, r)| r.as_ref().unwrap() == &Value::I64(i as i64)));
    handle.stop();
}

#[test]
fn passwords_are_checked_and_users_passed_on() {
    let (handle, port) = start(Some("pw"));
    let mut c = Client::builder("127.0.0.1", port)
        .user("ann")
        .password("pw")
        .connect()
        .unwrap();
    assert_eq!(c.execute("whoami").unwrap(), Value::from("ann"));
    let err = Client::builder("127.0.0.1", port)
        .password("nope")
        .connect()
        .unwrap_err();
    assert!(matches!(err, Error::AuthFailed { .. }), "{err:?}");
    let err = Client::connect("127.0.0.1", port).unwrap_err();
    assert!(matches!(err, Error::PasswordRequired { .. }), "{err:?}");
    handle.stop();
}

#[test]
fn the_real_rayforce_binary_is_a_client_of_ours() {
    let (handle, port) = start(None);
    let dir = std::env::temp_dir().join(format!("rf-interop-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let script = dir.join("client.rfl");
    std::fs::write(
        &script,
        format!(
            "(set h (.ipc.open \"127.0.0.1:{port}\"))\n\
             (println (.ipc.send h \"(+ 1 2)\"))\n\
             (println (.ipc.send h (quote (+ 40 2))))\n\
             (println (count (.ipc.send h \"table\")))\n\
             (println (sum (at (.ipc.send h \"table\") 'a)))\n\
             (.ipc.close h)\n(exit 0)\n"
        ),
    )
    .unwrap();
    let bin = rayforce_client::server::find_binary().unwrap();
    let out = std::process::Command::new(bin)
        .arg("-f")
        .arg(&script)
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.first(), Some(&"3"), "{text}");
    assert_eq!(lines.get(1), Some(&"42"), "{text}");
    assert_eq!(lines.get(2), Some(&"2"), "{text}");
    assert_eq!(lines.get(3), Some(&"3"), "{text}");
    handle.stop();
}

#[test]
fn bad_clients_only_drop_their_own_connection() {
    let (handle, port) = start(None);
    let mut good = Client::connect("127.0.0.1", port).unwrap();
    let hello = |bytes: &[u8]| {
        let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
        s.write_all(bytes).unwrap();
        s
    };
    // Wrong version: closed without a reply.
    let mut s = hello(&[2, 0]);
    let mut buf = [0u8; 4];
    assert_eq!(s.read(&mut buf).unwrap_or(0), 0);
    // Oversize size header.
    let mut s = hello(&[3, 0]);
    s.read_exact(&mut [0u8; 2]).unwrap();
    let mut h = vec![0xfa, 0xde, 0xfa, 0xce, 3, 0, 0, 1];
    h.extend_from_slice(&i64::MAX.to_le_bytes());
    s.write_all(&h).unwrap();
    assert_eq!(s.read(&mut buf).unwrap_or(0), 0);
    // Garbage instead of a frame, and a disconnect mid-frame.
    let mut s = hello(&[3, 0]);
    s.read_exact(&mut [0u8; 2]).unwrap();
    s.write_all(b"GET / HTTP/1.1\r\n\r\n").unwrap();
    assert_eq!(s.read(&mut buf).unwrap_or(0), 0);
    let mut s = hello(&[3, 0]);
    s.read_exact(&mut [0u8; 2]).unwrap();
    s.write_all(&[
        0xfa, 0xde, 0xfa, 0xce, 3, 0, 0, 1, 100, 0, 0, 0, 0, 0, 0, 0, 1, 2,
    ])
    .unwrap();
    drop(s);
    // An undecodable payload gets NULL, and the connection stays usable.
    let mut s = hello(&[3, 0]);
    s.read_exact(&mut [0u8; 2]).unwrap();
    s.write_all(&[
        0xfa, 0xde, 0xfa, 0xce, 3, 0, 0, 1, 2, 0, 0, 0, 0, 0, 0, 0, 0x50, 0,
    ])
    .unwrap();
    let mut reply = [0u8; 17];
    s.read_exact(&mut reply).unwrap();
    assert_eq!(reply[16], 0x7e);
    // The good client never noticed.
    assert_eq!(good.execute("(+ 1 2)").unwrap(), Value::I64(3));
    handle.stop();
}

#[test]
fn rayforce_py_is_a_client_of_ours() {
    let (handle, port) = start(Some("pw"));
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/fetch-rayforce-py.sh");
    let out = std::process::Command::new("bash")
        .arg(script)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let python = String::from_utf8_lossy(&out.stdout).trim().to_string();
    let code = format!(
        "from rayforce.network.tcp.client import TCPClient\n\
         c = TCPClient('127.0.0.1', {port}, user='bob', password='pw')\n\
         print(c.execute('(+ 1 2)'))\n\
         print(c.execute('whoami'))\n\
         t = c.execute('table')\n\
         print(list(t.at_column('a').to_numpy()))\n"
    );
    let out = std::process::Command::new(python)
        .arg("-c")
        .arg(code)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3, "{text}");
    assert!(lines[0].contains('3'), "{text}");
    assert!(lines[1].contains("bob"), "{text}");
    assert!(lines[2].contains('1') && lines[2].contains('2'), "{text}");
    handle.stop();
}
