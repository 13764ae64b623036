//! [`TcpServer`]: a native Rayforce-protocol server, so Rust programs can answer the real
//! `rayforce` binary (`.ipc.open` / `.ipc.send`), rayforce-py's `TCPClient`, or this SDK.
//!
//! Each connection gets its own thread; a bad client (wrong version, malformed or oversize
//! frame, disconnect mid-frame) only ever drops its own connection. The handler receives
//! every request (text or expression value) with its peer and user, and returns a value or
//! an error code that is sent back as a Rayforce ERROR.

use crate::transport::read_frame;
use crate::wire::{self, Frame, FrameHeader, Limits, MsgType};
use crate::{Error, Result, ServerErrorCode, Value};
use std::io::{BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// The largest request frame the server accepts (as the real server: 256 MiB).
const MAX_REQUEST: u64 = 256 << 20;

/// One request as the handler sees it.
#[derive(Debug)]
pub struct IncomingRequest {
    /// The decoded payload: a STR atom for Rayfall text, else an expression or value.
    pub value: Value,
    /// `Sync` (a reply is sent) or `Async` (none is).
    pub msg_type: MsgType,
    /// The client's address.
    pub peer: SocketAddr,
    /// The user name the client sent with its password (`None` without authentication).
    pub user: Option<String>,
}

/// Answers requests. Closures `Fn(&IncomingRequest) -> Result<Value, ServerErrorCode>`
/// implement it.
pub trait Handler: Send + Sync + 'static {
    /// The reply value, or an error code sent back as a Rayforce ERROR.
    fn handle(&self, request: &IncomingRequest) -> std::result::Result<Value, ServerErrorCode>;
}

impl<F> Handler for F
where
    F: Fn(&IncomingRequest) -> std::result::Result<Value, ServerErrorCode> + Send + Sync + 'static,
{
    fn handle(&self, request: &IncomingRequest) -> std::result::Result<Value, ServerErrorCode> {
        self(request)
    }
}

/// Stops a running [`TcpServer`] from another thread.
#[derive(Clone, Debug)]
pub struct ServerHandle {
    stop: Arc<AtomicBool>,
    addr: SocketAddr,
}

impl ServerHandle {
    /// Stops accepting connections; `listen` returns. Open connections finish their
    /// current request and close when their client does.
    pub fn stop(&self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the blocking accept.
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_secs(1));
    }
}

/// A Rayforce-protocol server.
///
/// ```no_run
/// use rayforce::server::TcpServer;
/// use rayforce::{ServerErrorCode, Value};
/// let server = TcpServer::bind("127.0.0.1:5000")?.password("secret");
/// let handle = server.handle();
/// std::thread::spawn(move || {
///     server.listen(|req: &rayforce::server::IncomingRequest| match &req.value {
///         Value::Str(text) if text == "ping" => Ok(Value::symbol("pong")),
///         _ => Err(ServerErrorCode::Nyi),
///     })
/// });
/// // … later:
/// handle.stop();
/// # Ok::<(), rayforce::Error>(())
/// ```
pub struct TcpServer {
    listener: TcpListener,
    password: Option<String>,
    stop: Arc<AtomicBool>,
    limits: Limits,
}

impl TcpServer {
    /// Binds to `addr` (e.g. `127.0.0.1:0` for a free port).
    pub fn bind(addr: &str) -> Result<TcpServer> {
        let listener = TcpListener::bind(addr).map_err(|e| Error::Io {
            addr: addr.to_string(),
            source: e,
        })?;
        Ok(TcpServer {
            listener,
            password: None,
            stop: Arc::new(AtomicBool::new(false)),
            limits: Limits {
                max_frame_size: MAX_REQUEST,
                ..Limits::default()
            },
        })
    }

    /// Requires this password (the handshake of the server's `-u`).
    pub fn password(mut self, password: &str) -> TcpServer {
        self.password = Some(password.to_string());
        self
    }

    /// The bound address.
    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .expect("a bound listener has an address")
    }

    /// A handle that stops the server.
    pub fn handle(&self) -> ServerHandle {
        ServerHandle {
            stop: Arc::clone(&self.stop),
            addr: self.local_addr(),
        }
    }

    /// Serves connections until stopped (blocks).
    pub fn listen(self, handler: impl Handler) -> Result<()> {
        let handler: Arc<dyn Handler> = Arc::new(handler);
        let password = Arc::new(self.password);
        for stream in self.listener.incoming() {
            if self.stop.load(Ordering::SeqCst) {
                break;
            }
            let Ok(stream) = stream else { continue };
            let handler = Arc::clone(&handler);
            let password = Arc::clone(&password);
            let limits = self.limits;
            std::thread::spawn(move || {
                // Any error ends this connection only.
                let _ = serve(stream, &*handler, password.as_deref(), &limits);
            });
        }
        Ok(())
    }
}

fn serve(
    stream: TcpStream,
    handler: &dyn Handler,
    password: Option<&str>,
    limits: &Limits,
) -> std::io::Result<()> {
    let peer = stream.peer_addr()?;
    stream.set_nodelay(true)?;
    // A client gets 30 s to finish its handshake.
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    let mut writer = stream.try_clone()?;
    let mut reader = BufReader::new(stream);
    let mut hello = [0u8; 2];
    reader.read_exact(&mut hello)?;
    if hello[0] != wire::VERSION {
        return Ok(()); // like the real server: close without a reply
    }
    writer.write_all(&[wire::VERSION, password.is_some() as u8])?;
    let mut user = None;
    if let Some(expected) = password {
        let mut n = [0u8; 1];
        reader.read_exact(&mut n)?;
        let mut creds = vec![0u8; n[0] as usize];
        reader.read_exact(&mut creds)?;
        if creds.last() == Some(&0) {
            creds.pop();
        }
        let (name, given) = match creds.iter().position(|b| *b == b':') {
            Some(i) => (&creds[..i], &creds[i + 1..]),
            None => (&creds[..0], &creds[..]),
        };
        if creds.is_empty() || !constant_time_eq(given, expected.as_bytes()) {
            writer.write_all(&[1])?;
            return Ok(());
        }
        writer.write_all(&[0])?;
        user = Some(String::from_utf8_lossy(name).into_owned());
    }
    reader.get_ref().set_read_timeout(None)?;
    loop {
        let frame = match read_frame(&mut reader, limits.max_frame_size) {
            Ok(f) => f,
            Err(_) => return Ok(()), // EOF, reset, bad header: drop this connection
        };
        let msg_type = frame.header.msg_type;
        if msg_type == MsgType::Response {
            continue; // unsolicited responses are dropped
        }
        let reply = match frame.value(limits) {
            // An undecodable request gets NULL, as from the real server.
            Err(_) => Value::Null,
            Ok(value) => {
                let request = IncomingRequest {
                    value,
                    msg_type,
                    peer,
                    user: user.clone(),
                };
                match handler.handle(&request) {
                    Ok(v) => v,
                    Err(code) => Value::Error(code),
                }
            }
        };
        if msg_type == MsgType::Sync {
            let payload = wire::encode(&reply).unwrap_or_else(|_| {
                wire::encode(&Value::Error(ServerErrorCode::Type)).expect("error values encode")
            });
            let frame = Frame {
                header: FrameHeader::new(MsgType::Response, payload.len() as u64),
                payload,
            };
            writer.write_all(&frame.to_bytes())?;
        }
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    let mut diff = (a.len() != b.len()) as u8;
    for i in 0..a.len().max(b.len()) {
        diff |= a.get(i).copied().unwrap_or(0) ^ b.get(i).copied().unwrap_or(0);
    }
    diff == 0
}
