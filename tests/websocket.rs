//! The WebSocket transport against a real rayforce-py `WSServer` started here.
#![cfg(feature = "websocket")]

use rayforce_client::transport::WebSocketTransport;
use rayforce_client::wire::Limits;
use rayforce_client::{Client, ServerErrorCode, Value};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

struct PyServer(Child);

impl Drop for PyServer {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start_ws_server() -> (PyServer, u16) {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/fetch-rayforce-py.sh");
    let out = Command::new("bash").arg(script).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let python = String::from_utf8_lossy(&out.stdout).trim().to_string();
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let code = format!(
        "import asyncio\nfrom rayforce.network.websocket import WSServer\n\
         asyncio.run(WSServer({port}).run())\n"
    );
    let mut child = Command::new(python)
        .arg("-u")
        .arg("-c")
        .arg(code)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let server = PyServer(child);
    let mut lines = BufReader::new(stdout).lines();
    loop {
        match lines.next() {
            Some(Ok(line)) if line.contains("served") => break,
            Some(Ok(_)) => continue,
            other => panic!("WSServer did not start: {other:?}"),
        }
    }
    std::thread::spawn(move || for _ in lines {});
    (server, port)
}

#[test]
fn websocket_transport_talks_to_rayforce_py_wsserver() {
    let (_server, port) = start_ws_server();
    let t = WebSocketTransport::connect(&format!("ws://127.0.0.1:{port}"), Duration::from_secs(10))
        .unwrap();
    let mut c = Client::with_transport(Box::new(t), Limits::default());
    assert_eq!(c.execute("(+ 1 2)").unwrap(), Value::I64(3));
    assert_eq!(
        c.execute(&Value::call("+", [Value::I64(40), Value::I64(2)]))
            .unwrap(),
        Value::I64(42)
    );
    c.execute("(set t (table [a s] (list [1 2 3] ['x 'y 'z])))")
        .unwrap();
    let t = c
        .execute(
            &rayforce_client::query::TableRef::named("t")
                .select(["a"])
                .filter(rayforce_client::query::col("a").gt(1)),
        )
        .unwrap();
    assert_eq!(
        t.as_table()
            .unwrap()
            .column("a")
            .unwrap()
            .as_vector()
            .unwrap()
            .as_i64(),
        Some(&[2i64, 3][..])
    );
    // An async send is answered by this server too: the transport discards that reply.
    c.send_async("(set b 5)").unwrap();
    assert_eq!(c.execute("(+ b 1)").unwrap(), Value::I64(6));
    let v: Vec<i64> = c.fetch_value("(til 5)").unwrap();
    assert_eq!(v, [0, 1, 2, 3, 4]);
    // WSServer reports evaluation errors as a string message (its Python side catches
    // the exception), not as an ERROR value: the text is what comes back.
    let reply = c.execute("(+ 1 'a)").unwrap();
    assert!(
        reply.as_str().is_some_and(|s| s.starts_with("type")),
        "{reply:?}"
    );
    let _ = ServerErrorCode::Type;
    assert_eq!(c.execute("(+ 1 2)").unwrap(), Value::I64(3));
}
