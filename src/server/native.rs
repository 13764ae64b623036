//! [`TcpServer`]: a native Rayforce-protocol server, so Rust programs can answer the real
//! `rayforce` binary (`.ipc.open` / `.ipc.send`), rayforce-py's `TCPClient`, or this SDK.
//!
//! Each connection gets its own thread; a bad client (wrong version, malformed or oversize
//! frame, disconnect mid-frame, trickled bytes) only ever drops its own connection. The
//! server survives any client: a connection cap with a clear refusal, handshake and idle
//! deadlines, a global bound on memory held by requests in flight, throttled failed logins,
//! a password comparison that leaks nothing, and no panic when the OS refuses a thread or
//! memory. The handler receives every request (text or expression value) with its peer and
//! user, and returns a value or an error code that is sent back as a Rayforce ERROR.

use crate::transport::tcp::DeadlineReader;
use crate::wire::handshake::{self, ServerHandshake, ServerOutcome, Step};
use crate::wire::{self, Frame, FrameHeader, Limits, MsgType, FLAG_COMPRESSED, HEADER_LEN};
use crate::{Error, Result, ServerErrorCode, Value};
use std::io::{self, BufReader, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc::{self, SyncSender};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The largest request frame the server accepts (as the real server: 256 MiB).
const MAX_REQUEST: u64 = 256 << 20;
/// Over-cap connections waiting for their refusal; more are closed at once.
const REFUSAL_QUEUE: usize = 32;
/// How long a refused connection may take to send its first request.
const REFUSAL_TIMEOUT: Duration = Duration::from_secs(1);

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

/// Counters a running server keeps (see [`ServerHandle::stats`]).
#[derive(Debug, Default)]
struct Counters {
    connections: AtomicUsize,
    refused_connections: AtomicU64,
    failed_logins: AtomicU64,
    request_bytes: AtomicU64,
    peak_request_bytes: AtomicU64,
    refused_requests: AtomicU64,
}

/// A snapshot of a server's counters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ServerStats {
    /// Connections being served now.
    pub connections: usize,
    /// Connections refused because the cap was reached or no thread could be started.
    pub refused_connections: u64,
    /// Failed authentications.
    pub failed_logins: u64,
    /// Bytes held by requests in flight now.
    pub request_bytes: u64,
    /// The most bytes requests in flight ever held at once.
    pub peak_request_bytes: u64,
    /// Requests answered with ERROR `limit` because the memory bound was reached.
    pub refused_requests: u64,
}

/// Bytes of the shared request budget held by one request; returned on drop.
struct BudgetClaim<'a> {
    counters: &'a Counters,
    bytes: u64,
}

impl Counters {
    /// Claims `bytes` more of a budget of `max`, or `None` when that would exceed it.
    fn claim(&self, bytes: u64, max: u64) -> Option<BudgetClaim<'_>> {
        let mut held = self.request_bytes.load(Ordering::Relaxed);
        loop {
            let next = held.checked_add(bytes).filter(|n| *n <= max)?;
            match self.request_bytes.compare_exchange_weak(
                held,
                next,
                Ordering::AcqRel,
                Ordering::Relaxed,
            ) {
                Ok(_) => {
                    self.peak_request_bytes.fetch_max(next, Ordering::Relaxed);
                    return Some(BudgetClaim {
                        counters: self,
                        bytes,
                    });
                }
                Err(now) => held = now,
            }
        }
    }
}

impl Drop for BudgetClaim<'_> {
    fn drop(&mut self) {
        self.counters
            .request_bytes
            .fetch_sub(self.bytes, Ordering::AcqRel);
    }
}

/// Settings of a [`TcpServer`].
#[derive(Clone, Debug)]
struct ServerOptions {
    password: Option<String>,
    limits: Limits,
    max_connections: usize,
    handshake_timeout: Duration,
    idle_timeout: Option<Duration>,
    max_request_memory: u64,
    auth_failure_delay: Duration,
}

/// Stops a running [`TcpServer`] from another thread and reads its counters.
#[derive(Clone, Debug)]
pub struct ServerHandle {
    stop: Arc<AtomicBool>,
    addr: SocketAddr,
    counters: Arc<Counters>,
}

impl ServerHandle {
    /// Stops accepting connections; `listen` returns. Open connections finish their
    /// current request and close when their client does.
    pub fn stop(&self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the blocking accept.
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_secs(1));
    }

    /// The server's counters now.
    pub fn stats(&self) -> ServerStats {
        let c = &self.counters;
        ServerStats {
            connections: c.connections.load(Ordering::Relaxed),
            refused_connections: c.refused_connections.load(Ordering::Relaxed),
            failed_logins: c.failed_logins.load(Ordering::Relaxed),
            request_bytes: c.request_bytes.load(Ordering::Relaxed),
            peak_request_bytes: c.peak_request_bytes.load(Ordering::Relaxed),
            refused_requests: c.refused_requests.load(Ordering::Relaxed),
        }
    }
}

/// A Rayforce-protocol server.
///
/// ```no_run
/// use rayforce_client::server::TcpServer;
/// use rayforce_client::{ServerErrorCode, Value};
/// let server = TcpServer::bind("127.0.0.1:5000")?.password("secret");
/// let handle = server.handle();
/// std::thread::spawn(move || {
///     server.listen(|req: &rayforce_client::server::IncomingRequest| match &req.value {
///         Value::Str(text) if text == "ping" => Ok(Value::symbol("pong")),
///         _ => Err(ServerErrorCode::Nyi),
///     })
/// });
/// // … later:
/// handle.stop();
/// # Ok::<(), rayforce_client::Error>(())
/// ```
pub struct TcpServer {
    listener: TcpListener,
    stop: Arc<AtomicBool>,
    counters: Arc<Counters>,
    options: ServerOptions,
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
            stop: Arc::new(AtomicBool::new(false)),
            counters: Arc::default(),
            options: TcpServer::default_options(),
        })
    }

    fn default_options() -> ServerOptions {
        ServerOptions {
            password: None,
            limits: Limits {
                max_frame_size: MAX_REQUEST,
                ..Limits::default()
            },
            max_connections: 256,
            handshake_timeout: Duration::from_secs(10),
            idle_timeout: Some(Duration::from_secs(300)),
            max_request_memory: 1 << 30,
            auth_failure_delay: Duration::from_millis(500),
        }
    }

    /// Requires this password (the handshake of the server's `-u`).
    pub fn password(mut self, password: &str) -> TcpServer {
        self.options.password = Some(password.to_string());
        self
    }

    /// At most this many connections are served at once (default 256). A client over the
    /// cap completes the handshake and gets ERROR `limit` for its first request, then the
    /// connection closes.
    pub fn max_connections(mut self, n: usize) -> TcpServer {
        self.options.max_connections = n;
        self
    }

    /// The time a client has for the whole handshake, hello and password (default 10 s).
    pub fn handshake_timeout(mut self, timeout: Duration) -> TcpServer {
        self.options.handshake_timeout = timeout;
        self
    }

    /// The time a client has to send its next whole request before the connection is
    /// closed (default 300 s; `None`: no limit).
    pub fn idle_timeout(mut self, timeout: Option<Duration>) -> TcpServer {
        self.options.idle_timeout = timeout;
        self
    }

    /// A bound on the bytes all requests in flight may hold together: the frame as
    /// received plus, for a compressed frame, twice its declared uncompressed size (the
    /// buffer and the decoded value). A request over the bound gets ERROR `limit` and the
    /// connection stays usable. Default 1 GiB.
    pub fn max_request_memory(mut self, bytes: u64) -> TcpServer {
        self.options.max_request_memory = bytes;
        self
    }

    /// How long a failed authentication waits before it is answered (default 500 ms), so
    /// guessing passwords is slow.
    pub fn auth_failure_delay(mut self, delay: Duration) -> TcpServer {
        self.options.auth_failure_delay = delay;
        self
    }

    /// The bound address.
    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .expect("a bound listener has an address")
    }

    /// A handle that stops the server and reads its counters.
    pub fn handle(&self) -> ServerHandle {
        ServerHandle {
            stop: Arc::clone(&self.stop),
            addr: self.local_addr(),
            counters: Arc::clone(&self.counters),
        }
    }

    /// Serves connections until stopped (blocks). Failures to accept or to start a
    /// connection's thread refuse that connection and never end the loop.
    pub fn listen(self, handler: impl Handler) -> Result<()> {
        let handler: Arc<dyn Handler> = Arc::new(handler);
        let options = Arc::new(self.options);
        let refusals = start_refuser(options.handshake_timeout.min(REFUSAL_TIMEOUT));
        while !self.stop.load(Ordering::SeqCst) {
            let stream = match self.listener.accept() {
                Ok((stream, _)) => stream,
                Err(_) => {
                    // Out of descriptors or memory: back off instead of spinning.
                    std::thread::sleep(Duration::from_millis(10));
                    continue;
                }
            };
            if self.stop.load(Ordering::SeqCst) {
                break;
            }
            let counters = Arc::clone(&self.counters);
            let active = counters.connections.fetch_add(1, Ordering::AcqRel);
            if active >= options.max_connections {
                counters.connections.fetch_sub(1, Ordering::AcqRel);
                refuse(&counters, &refusals, stream);
                continue;
            }
            let (handler, conn_options) = (Arc::clone(&handler), Arc::clone(&options));
            let thread_counters = Arc::clone(&counters);
            // The stream moves into the thread only if it starts; keep a handle to refuse.
            let spare = stream.try_clone();
            let started = std::thread::Builder::new()
                .name("rayforce-conn".into())
                .spawn(move || {
                    let _release = ConnectionSlot(&thread_counters);
                    // Any error ends this connection only.
                    let _ = serve(stream, &*handler, &conn_options, &thread_counters);
                });
            if started.is_err() {
                counters.connections.fetch_sub(1, Ordering::AcqRel);
                match spare {
                    Ok(stream) => refuse(&counters, &refusals, stream),
                    Err(_) => {
                        counters.refused_connections.fetch_add(1, Ordering::Relaxed);
                    }
                }
            }
        }
        Ok(())
    }
}

/// Gives back a connection's place under the cap when its thread ends.
struct ConnectionSlot<'a>(&'a Counters);

impl Drop for ConnectionSlot<'_> {
    fn drop(&mut self) {
        self.0.connections.fetch_sub(1, Ordering::AcqRel);
    }
}

/// Hands a connection over the cap to the refuser, or closes it when the refuser is busy.
fn refuse(counters: &Counters, refusals: &Option<SyncSender<TcpStream>>, stream: TcpStream) {
    counters.refused_connections.fetch_add(1, Ordering::Relaxed);
    if let Some(tx) = refusals {
        if let Err(mpsc::TrySendError::Full(stream) | mpsc::TrySendError::Disconnected(stream)) =
            tx.try_send(stream)
        {
            let _ = stream.shutdown(Shutdown::Both);
        }
    }
}

/// One thread that answers over-cap connections, one at a time, each within `timeout`:
/// the handshake, then ERROR `limit` for the first request. `None` if no thread could be
/// started (over-cap connections are then closed at once).
fn start_refuser(timeout: Duration) -> Option<SyncSender<TcpStream>> {
    let (tx, rx) = mpsc::sync_channel::<TcpStream>(REFUSAL_QUEUE);
    std::thread::Builder::new()
        .name("rayforce-refuser".into())
        .spawn(move || {
            for stream in rx {
                let _ = answer_limit(stream, timeout);
            }
        })
        .ok()
        .map(|_| tx)
}

fn answer_limit(stream: TcpStream, timeout: Duration) -> io::Result<()> {
    let deadline = Instant::now() + timeout;
    stream.set_write_timeout(Some(timeout))?;
    let mut writer = stream.try_clone()?;
    let mut reader = DeadlineReader::new(stream, Some(deadline));
    let mut hello = [0u8; 2];
    reader.read_exact(&mut hello)?;
    if hello[0] != wire::VERSION {
        return Ok(());
    }
    writer.write_all(&[wire::VERSION, 0])?;
    let mut head = [0u8; HEADER_LEN];
    reader.read_exact(&mut head)?;
    if let Ok(header) = FrameHeader::decode(&head, MAX_REQUEST) {
        // Read the request out, so closing does not reset the connection under the reply.
        io::copy(&mut (&mut reader).take(header.size), &mut io::sink())?;
        if header.msg_type == MsgType::Sync {
            write_reply(&mut writer, &Value::Error(ServerErrorCode::Limit))?;
        }
    }
    writer.shutdown(Shutdown::Write)
}

fn write_reply(writer: &mut impl Write, reply: &Value) -> io::Result<()> {
    let payload = wire::encode(reply).unwrap_or_else(|_| {
        wire::encode(&Value::Error(ServerErrorCode::Type)).expect("error values encode")
    });
    let frame = Frame {
        header: FrameHeader::new(MsgType::Response, payload.len() as u64),
        payload,
    };
    writer.write_all(&frame.to_bytes())
}

/// Drives the shared server handshake ([`ServerHandshake`]) under one deadline; the
/// authenticated user on success, `None` when the connection must close. A failed login
/// is counted and answered only after `auth_failure_delay`.
fn server_handshake<R: Read>(
    reader: &mut BufReader<R>,
    writer: &mut impl Write,
    options: &ServerOptions,
    counters: &Counters,
) -> io::Result<Option<Option<String>>> {
    let mut hs = ServerHandshake::new(options.password.clone());
    let mut buf = [0u8; handshake::MAX_CREDENTIALS];
    loop {
        match hs.step() {
            Step::Write(bytes) => writer.write_all(&bytes)?,
            Step::Read(n) => {
                reader.read_exact(&mut buf[..n])?;
                hs.receive(&buf[..n]);
            }
            Step::Done => break,
        }
    }
    match hs.outcome() {
        Some(ServerOutcome::Accepted { user }) => Ok(Some(user.clone())),
        Some(ServerOutcome::Rejected {
            reply,
            failed_login,
        }) => {
            if *failed_login {
                counters.failed_logins.fetch_add(1, Ordering::Relaxed);
                std::thread::sleep(options.auth_failure_delay);
            }
            writer.write_all(reply)?;
            Ok(None)
        }
        None => Ok(None),
    }
}

fn serve(
    stream: TcpStream,
    handler: &dyn Handler,
    options: &ServerOptions,
    counters: &Counters,
) -> io::Result<()> {
    let peer = stream.peer_addr()?;
    stream.set_nodelay(true)?;
    stream.set_write_timeout(Some(options.handshake_timeout))?;
    let mut writer = stream.try_clone()?;
    let mut reader = BufReader::new(DeadlineReader::new(
        stream,
        Some(Instant::now() + options.handshake_timeout),
    ));
    let Some(user) = server_handshake(&mut reader, &mut writer, options, counters)? else {
        return Ok(());
    };
    writer.set_write_timeout(options.idle_timeout)?;
    let idle = options.idle_timeout;
    serve_requests(
        &mut reader,
        &mut writer,
        peer,
        user,
        handler,
        options,
        counters,
        |r| {
            r.get_mut().deadline = idle.map(|t| Instant::now() + t);
        },
    )
}

/// The request loop of one authenticated connection, over any byte streams:
/// `before_each` runs before each request is awaited (the TCP server starts the idle
/// deadline there).
#[allow(clippy::too_many_arguments)]
fn serve_requests<R: Read>(
    reader: &mut BufReader<R>,
    writer: &mut impl Write,
    peer: SocketAddr,
    user: Option<String>,
    handler: &dyn Handler,
    options: &ServerOptions,
    counters: &Counters,
    mut before_each: impl FnMut(&mut BufReader<R>),
) -> io::Result<()> {
    loop {
        before_each(reader);
        let mut head = [0u8; HEADER_LEN];
        reader.read_exact(&mut head)?;
        let Ok(header) = FrameHeader::decode(&head, options.limits.max_frame_size) else {
            return Ok(()); // a bad header: this connection cannot be trusted further
        };
        let reply = match read_request(reader, header, options, counters)? {
            Incoming::Refused => Some(Value::Error(ServerErrorCode::Limit)),
            Incoming::Response => None, // unsolicited responses are dropped
            // An undecodable request gets NULL, as from the real server.
            Incoming::Undecodable => Some(Value::Null),
            Incoming::Request(value) => {
                let request = IncomingRequest {
                    value,
                    msg_type: header.msg_type,
                    peer,
                    user: user.clone(),
                };
                Some(match handler.handle(&request) {
                    Ok(v) => v,
                    Err(code) => Value::Error(code),
                })
            }
        };
        if let (Some(reply), MsgType::Sync) = (reply, header.msg_type) {
            write_reply(writer, &reply)?;
        }
    }
}

/// Runs one whole server-side connection — handshake (with the password `pw` when
/// `data[0]` is odd), then requests — over `data[1..]` as the client's bytes, answering
/// with an echoing handler. For the fuzz target `fuzz/fuzz_targets/server_requests.rs`;
/// not part of the API.
#[doc(hidden)]
pub fn fuzz_connection(data: &[u8]) {
    let Some((&mode, input)) = data.split_first() else {
        return;
    };
    let options = ServerOptions {
        password: (mode & 1 == 1).then(|| "pw".to_string()),
        auth_failure_delay: Duration::ZERO,
        max_request_memory: 1 << 20,
        limits: Limits {
            max_frame_size: 1 << 20,
            max_decompressed_size: 1 << 20,
            ..Limits::default()
        },
        ..TcpServer::default_options()
    };
    let counters = &Counters::default();
    let echo = |r: &IncomingRequest| -> std::result::Result<Value, ServerErrorCode> {
        Ok(r.value.clone())
    };
    let mut reader = BufReader::new(input);
    let mut writer = io::sink();
    if let Ok(Some(user)) = server_handshake(&mut reader, &mut writer, &options, counters) {
        let peer = SocketAddr::from(([127, 0, 0, 1], 1));
        let _ = serve_requests(
            &mut reader,
            &mut writer,
            peer,
            user,
            &echo,
            &options,
            counters,
            |_| {},
        );
    }
    assert_eq!(
        counters.request_bytes.load(Ordering::Relaxed),
        0,
        "budget released"
    );
}

/// What one request frame turned out to be.
enum Incoming {
    Request(Value),
    Undecodable,
    Response,
    /// The memory bound was reached; the payload was read and dropped.
    Refused,
}

/// Reads one request's payload and decodes it, holding its bytes in the shared budget
/// while it does.
fn read_request<R: Read>(
    reader: &mut BufReader<R>,
    header: FrameHeader,
    options: &ServerOptions,
    counters: &Counters,
) -> io::Result<Incoming> {
    let max = options.max_request_memory;
    let Some(_wire_claim) = counters.claim(header.size, max) else {
        io::copy(&mut reader.take(header.size), &mut io::sink())?;
        counters.refused_requests.fetch_add(1, Ordering::Relaxed);
        return Ok(Incoming::Refused);
    };
    let frame = match crate::transport::read_frame_payload(reader, header) {
        Ok(frame) => frame,
        Err(crate::transport::FrameReadError::Io(e)) => return Err(e),
        Err(_) => return Err(io::ErrorKind::UnexpectedEof.into()),
    };
    if header.msg_type == MsgType::Response {
        return Ok(Incoming::Response);
    }
    // A compressed frame also holds its uncompressed buffer and the decoded value.
    let plain = match (header.flags & FLAG_COMPRESSED != 0, frame.payload.get(..4)) {
        (true, Some(size)) => 2 * u32::from_le_bytes(size.try_into().expect("4 bytes")) as u64,
        _ => 0,
    };
    let Some(_plain_claim) = counters.claim(plain, max) else {
        counters.refused_requests.fetch_add(1, Ordering::Relaxed);
        return Ok(Incoming::Refused);
    };
    Ok(match frame.value(&options.limits) {
        Ok(value) => Incoming::Request(value),
        Err(_) => Incoming::Undecodable,
    })
}
