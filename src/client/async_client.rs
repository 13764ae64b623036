//! [`AsyncClient`] (feature `tokio`): the same operations as [`Client`](super::Client) on a
//! tokio runtime, configured by the same [`ClientBuilder`](super::ClientBuilder)
//! (`connect_async`).
//!
//! Two tasks own the socket — a writer and a reader — and replies are matched to requests
//! by order through one queue of reply slots. The queue and the connection's fate live
//! under one lock: a slot is queued only while the connection is alive, and the first
//! fatal error drains every slot, so no caller is ever left waiting on a dead connection.
//! Requests go through a bounded channel (backpressure); `read_timeout` is each request's
//! default deadline, `write_timeout` bounds every write. A request abandoned at its deadline
//! or by dropping its future has its reply read and discarded; when it is the only request
//! the server is running, it is also cancelled there (one urgent byte: with requests queued
//! behind it, a cancel could reach the next one instead, so none is sent).
//! Frames the server pushes (ASYNC) go to the shared push buffer; its SYNC requests are
//! answered by the [`RequestHandler`]. Replies of 1 MiB and more are decoded while they arrive by
//! the same streaming decoder as the sync client (on tokio's blocking pool), so a large
//! result is never held twice; closing or dropping the client shuts the socket down, which
//! also ends such a decode.

use super::cancel::{self, Cancel, CancelHandle};
use super::push::{self, PushBuffer, RequestHandler};
use super::trace::RequestSpan;
use super::{ClientBuilder, Pipeline, Request, Settings};
use crate::transport::{CancelSignal, ConnectOptions, UrgentByte};
use crate::wire::{self, handshake, Frame, FrameHeader, Limits, MsgType, StreamError, HEADER_LEN};
use crate::{DecodeError, Error, Result, Value};
use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::OwnedReadHalf;
use tokio::net::TcpStream;
use tokio::sync::{mpsc, oneshot, Notify};
use tokio::task::JoinHandle;

/// Requests waiting for the writer; more make `execute` wait (backpressure).
const QUEUE: usize = 1024;

type Reply = oneshot::Sender<Result<Value>>;

struct Command {
    bytes: Vec<u8>,
    /// The request's id and where its reply goes (`None`: no reply expected).
    reply: Option<(u64, Reply)>,
    span: Option<RequestSpan>,
}

/// A request written and waiting for its reply, in the order sent.
struct Slot {
    id: u64,
    reply: Reply,
    span: Option<RequestSpan>,
    /// A cancel was sent for it: whatever the server answers is `Error::Cancelled`.
    cancelled: bool,
}

/// The connection's fate, its reply slots and pushed messages, under one lock.
struct Shared {
    pending: VecDeque<Slot>,
    /// The first fatal error; no slot is queued after it is set.
    dead: Option<Arc<Error>>,
    closed: bool,
    pushes: PushBuffer,
}

struct Inner {
    tx: mpsc::Sender<Command>,
    shared: Arc<Mutex<Shared>>,
    /// Wakes `next_push` waiters: a message was pushed, or the connection ended.
    pushed: Arc<Notify>,
    handler: Arc<Mutex<Option<RequestHandler>>>,
    canceller: Arc<Canceller>,
    next_id: AtomicU64,
    peer: String,
    read_timeout: Option<Duration>,
    limits: Limits,
    compress_above: Option<usize>,
    tasks: [JoinHandle<()>; 2],
    /// Another handle on the socket, to shut it down on close or drop: that also ends a
    /// streaming decode blocked on the socket.
    socket: std::net::TcpStream,
}

impl Inner {
    fn stop(&self) {
        let _ = self.socket.shutdown(std::net::Shutdown::Both);
        for t in &self.tasks {
            t.abort();
        }
    }
}

impl Drop for Inner {
    fn drop(&mut self) {
        self.stop();
    }
}

/// An async connection to a Rayforce server; cheap to clone (clones share the connection).
///
/// ```no_run
/// # async fn demo() -> rayforce_client::Result<()> {
/// use rayforce_client::Client;
/// let client = Client::builder("127.0.0.1", 5000).connect_async().await?;
/// let three = client.execute("(+ 1 2)").await?;
/// // Many requests in flight on one connection; replies come back in order.
/// let (a, b) = tokio::join!(client.execute("(+ 1 1)"), client.execute("(+ 2 2)"));
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct AsyncClient {
    inner: Arc<Inner>,
}

fn lock(shared: &Mutex<Shared>) -> std::sync::MutexGuard<'_, Shared> {
    shared.lock().unwrap_or_else(|p| p.into_inner())
}

fn io_err(e: std::io::Error, op: &'static str, peer: &str, timeout: Option<Duration>) -> Error {
    crate::transport::tcp::io_error(e, op, peer, timeout)
}

/// Marks the connection dead with `error` (the first one wins) and answers every queued
/// slot with it.
fn fail_all(shared: &Mutex<Shared>, error: Error) {
    let mut s = lock(shared);
    let cause = s.dead.get_or_insert_with(|| Arc::new(error)).clone();
    for slot in s.pending.drain(..) {
        let _ = slot.reply.send(Err(cause.duplicate()));
    }
}

/// Cancels requests on the server: the async side of [`CancelHandle`].
struct Canceller {
    shared: Arc<Mutex<Shared>>,
    signal: Arc<dyn CancelSignal>,
    peer: String,
}

impl Canceller {
    /// The request `id` was abandoned (deadline or dropped future): cancel it on the
    /// server if it is the only request there, so the signal cannot reach another one.
    fn abandon(&self, id: u64) {
        let mut s = lock(&self.shared);
        if let [slot] = s.pending.make_contiguous() {
            if slot.id == id && !slot.cancelled {
                slot.cancelled = cancel::send_signal(Some(&self.signal), &self.peer).is_ok();
            }
        }
    }
}

impl Cancel for Canceller {
    /// Cancels the request the server is running: the oldest one waiting for its reply.
    fn cancel(&self) -> Result<bool> {
        let mut s = lock(&self.shared);
        match s.pending.front_mut() {
            Some(slot) if !slot.cancelled => {
                cancel::send_signal(Some(&self.signal), &self.peer)?;
                slot.cancelled = true;
                Ok(true)
            }
            Some(_) => Ok(true),
            None => Ok(false),
        }
    }
}

/// Abandons its request when dropped before the reply came (a deadline or a dropped
/// future).
struct Waiting<'a> {
    id: u64,
    canceller: &'a Canceller,
    done: bool,
}

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        if !self.done {
            self.canceller.abandon(self.id);
        }
    }
}

impl AsyncClient {
    /// Connects with default settings (see [`ClientBuilder::connect_async`]).
    pub async fn connect(host: &str, port: u16) -> Result<AsyncClient> {
        ClientBuilder::new(host, port).connect_async().await
    }

    pub(super) async fn open(
        host: &str,
        port: u16,
        options: &ConnectOptions,
        settings: &Settings,
    ) -> Result<AsyncClient> {
        let peer = format!("{host}:{port}");
        let limit = Some(options.connect_timeout);
        let setup = async {
            let mut stream = TcpStream::connect((host, port))
                .await
                .map_err(|e| io_err(e, "connect", &peer, limit))?;
            stream
                .set_nodelay(true)
                .map_err(|e| io_err(e, "connect", &peer, None))?;
            // The shared client handshake, driven over the async socket.
            let mut hs = handshake::ClientHandshake::new(options.credentials.clone());
            let mut buf = [0u8; 2];
            loop {
                match hs.step() {
                    handshake::Step::Write(bytes) => stream
                        .write_all(&bytes)
                        .await
                        .map_err(|e| io_err(e, "handshake", &peer, limit))?,
                    handshake::Step::Read(n) => match stream.read_exact(&mut buf[..n]).await {
                        Ok(_) => hs.receive(&buf[..n]).map_err(|e| e.into_error(&peer))?,
                        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
                            return Err(hs.eof_error().into_error(&peer))
                        }
                        Err(e) => return Err(io_err(e, "handshake", &peer, limit)),
                    },
                    handshake::Step::Done => break,
                }
            }
            Ok(stream)
        };
        let stream = tokio::time::timeout(options.connect_timeout, setup)
            .await
            .map_err(|_| Error::Timeout {
                op: "handshake",
                addr: peer.clone(),
                timeout: options.connect_timeout,
            })??;
        let setup_err = |e| io_err(e, "connect", &peer, None);
        let std_stream = stream.into_std().map_err(setup_err)?;
        let socket = std_stream.try_clone().map_err(setup_err)?;
        let signal: Arc<dyn CancelSignal> =
            Arc::new(UrgentByte(std_stream.try_clone().map_err(setup_err)?));
        let stream = TcpStream::from_std(std_stream).map_err(setup_err)?;
        let (reader, writer) = stream.into_split();
        let shared = Arc::new(Mutex::new(Shared {
            pending: VecDeque::new(),
            dead: None,
            closed: false,
            pushes: PushBuffer::new(settings.push_buffer),
        }));
        let pushed = Arc::new(Notify::new());
        let handler: Arc<Mutex<Option<RequestHandler>>> = Arc::default();
        let (tx, rx) = mpsc::channel::<Command>(QUEUE);
        let writer = tokio::spawn(write_loop(
            writer,
            rx,
            Arc::clone(&shared),
            peer.clone(),
            options.write_timeout,
        ));
        let reader = tokio::spawn(read_loop(
            reader,
            Reading {
                shared: Arc::clone(&shared),
                pushed: Arc::clone(&pushed),
                handler: Arc::clone(&handler),
                answers: tx.downgrade(),
                peer: peer.clone(),
                limits: options.limits,
                compress_above: settings.compress_above,
            },
        ));
        Ok(AsyncClient {
            inner: Arc::new(Inner {
                tx,
                canceller: Arc::new(Canceller {
                    shared: Arc::clone(&shared),
                    signal,
                    peer: peer.clone(),
                }),
                shared,
                pushed,
                handler,
                next_id: AtomicU64::new(0),
                peer,
                read_timeout: options.read_timeout,
                limits: options.limits,
                compress_above: settings.compress_above,
                tasks: [writer, reader],
                socket,
            }),
        })
    }

    /// The server's address, `host:port`.
    pub fn peer(&self) -> &str {
        &self.inner.peer
    }

    /// The limits this client decodes replies with.
    pub fn limits(&self) -> &Limits {
        &self.inner.limits
    }

    /// Whether the connection is usable: not closed and not broken by an earlier error.
    pub fn is_alive(&self) -> bool {
        let s = lock(&self.inner.shared);
        s.dead.is_none() && !s.closed
    }

    /// Closes the connection for every clone: queued and later requests get
    /// [`Error::Closed`].
    pub async fn close(&self) -> Result<()> {
        {
            let mut s = lock(&self.inner.shared);
            s.closed = true;
            for slot in s.pending.drain(..) {
                let _ = slot.reply.send(Err(Error::Closed));
            }
        }
        self.inner.pushed.notify_waiters();
        self.inner.stop();
        Ok(())
    }

    /// A handle that cancels the request the server is running for this connection (the
    /// oldest one waiting for its reply) from any thread or task (see [`CancelHandle`]).
    pub fn cancel_handle(&self) -> CancelHandle {
        CancelHandle::new(self.inner.canceller.clone())
    }

    /// Answers the SYNC requests the server sends this client (see
    /// [`Client::on_request`](super::Client::on_request)); the handler runs on the reader
    /// task, so it should be quick.
    pub fn on_request(
        &self,
        handler: impl FnMut(Value) -> Result<Value, crate::ServerErrorCode> + Send + 'static,
    ) {
        *self.inner.handler.lock().unwrap_or_else(|p| p.into_inner()) = Some(Box::new(handler));
    }

    /// The next message the server pushed to this connection (`.ipc.post` on its handle),
    /// waiting until one comes. After an overflow of the push buffer it returns
    /// [`Error::Lagged`] once; once the connection has ended, its error.
    ///
    /// ```no_run
    /// # async fn demo() -> rayforce_client::Result<()> {
    /// let client = rayforce_client::AsyncClient::connect("127.0.0.1", 5000).await?;
    /// client.execute("(.ipc.post (.ipc.handle) 42)").await?;
    /// assert_eq!(client.next_push().await?, 42i64.into());
    /// # Ok(()) }
    /// ```
    pub async fn next_push(&self) -> Result<Value> {
        loop {
            let notified = self.inner.pushed.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            {
                let mut s = lock(&self.inner.shared);
                if let Some(pushed) = s.pushes.take(&self.inner.peer) {
                    return pushed;
                }
            }
            if let Some(e) = self.unusable() {
                return Err(e);
            }
            notified.await;
        }
    }

    /// The pushed messages as a [`Stream`](futures_core::Stream) (see
    /// [`next_push`](Self::next_push)); it ends after the connection has ended.
    pub fn pushes(&self) -> PushStream {
        PushStream {
            client: self.clone(),
            next: None,
            done: false,
        }
    }

    /// The error a request gets on a connection that cannot take it.
    fn unusable(&self) -> Option<Error> {
        let s = lock(&self.inner.shared);
        if s.closed {
            return Some(Error::Closed);
        }
        s.dead.as_ref().map(|cause| Error::Dead {
            addr: self.inner.peer.clone(),
            cause: Arc::clone(cause),
        })
    }

    fn frame(&self, msg_type: MsgType, request: &(impl Request + ?Sized)) -> Result<Vec<u8>> {
        self.frame_with_size(msg_type, request)
            .map(|(bytes, _)| bytes)
    }

    /// The frame's bytes and its payload size.
    fn frame_with_size(
        &self,
        msg_type: MsgType,
        request: &(impl Request + ?Sized),
    ) -> Result<(Vec<u8>, usize)> {
        let mut payload = Vec::new();
        request.write_payload(&mut payload)?;
        let size = payload.len();
        Ok((
            frame_bytes(msg_type, payload, self.inner.compress_above),
            size,
        ))
    }

    /// Queues framed bytes (waiting while the queue is full).
    async fn submit(
        &self,
        bytes: Vec<u8>,
        reply: Option<(u64, Reply)>,
        span: Option<RequestSpan>,
    ) -> Result<()> {
        if let Some(e) = self.unusable() {
            return Err(e);
        }
        self.inner
            .tx
            .send(Command { bytes, reply, span })
            .await
            .map_err(|_| self.unusable().unwrap_or(Error::Closed))
    }

    /// Sends framed bytes and waits for the reply until `timeout`.
    async fn round_trip(
        &self,
        (bytes, size): (Vec<u8>, usize),
        timeout: Option<Duration>,
    ) -> Result<Value> {
        let span = RequestSpan::start(&self.inner.peer, "sync");
        span.request_bytes(size);
        let (tx, rx) = oneshot::channel();
        let id = self.inner.next_id.fetch_add(1, Ordering::Relaxed);
        let mut waiting = Waiting {
            id,
            canceller: &self.inner.canceller,
            done: false,
        };
        let exchange = async {
            self.submit(bytes, Some((id, tx)), Some(span.clone()))
                .await?;
            rx.await
                .unwrap_or_else(|_| Err(self.unusable().unwrap_or(Error::Closed)))
        };
        let result = match timeout {
            Some(t) => tokio::time::timeout(t, exchange).await.unwrap_or_else(|_| {
                Err(Error::Timeout {
                    op: "request",
                    addr: self.inner.peer.clone(),
                    timeout: t,
                })
            }),
            None => exchange.await,
        };
        waiting.done = !matches!(result, Err(Error::Timeout { .. }));
        span.finish(&result);
        result
    }

    /// Sends a request and waits for its result (see [`Client::execute`](super::Client::execute)).
    /// `read_timeout` is its deadline (see [`execute_with_timeout`](Self::execute_with_timeout)).
    /// Dropping the future abandons the request (and cancels it on the server when it is
    /// the only one running there).
    pub async fn execute<R: Request + ?Sized>(&self, request: &R) -> Result<Value> {
        let frame = self.frame_with_size(MsgType::Sync, request)?;
        self.round_trip(frame, self.inner.read_timeout).await
    }

    /// Like [`execute`](Self::execute) with a deadline: when it passes, the result is
    /// [`Error::Timeout`] `op: "request"`, the reply will be discarded, the request is
    /// cancelled on the server if it is the only one running there, and the connection
    /// stays usable.
    pub async fn execute_with_timeout<R: Request + ?Sized>(
        &self,
        request: &R,
        timeout: Duration,
    ) -> Result<Value> {
        let frame = self.frame_with_size(MsgType::Sync, request)?;
        self.round_trip(frame, Some(timeout)).await
    }

    /// Sends a request to be evaluated without a reply (fire and forget).
    pub async fn send_async<R: Request + ?Sized>(&self, request: &R) -> Result<()> {
        let bytes = self.frame(MsgType::Async, request)?;
        self.within_read_timeout(self.submit(bytes, None, None))
            .await?
    }

    /// Runs a [`Pipeline`]: every request is queued at once and the replies come back in
    /// order; `read_timeout` bounds the wait for each reply.
    pub async fn run(&self, pipeline: &Pipeline) -> Result<Vec<Result<Value>>> {
        let mut waits = Vec::with_capacity(pipeline.len());
        for payload in pipeline.payloads() {
            let (tx, rx) = oneshot::channel();
            let bytes = frame_bytes(MsgType::Sync, payload.clone(), self.inner.compress_above);
            let id = self.inner.next_id.fetch_add(1, Ordering::Relaxed);
            let span = RequestSpan::start(&self.inner.peer, "sync");
            span.request_bytes(payload.len());
            self.within_read_timeout(self.submit(bytes, Some((id, tx)), Some(span.clone())))
                .await??;
            waits.push((rx, span));
        }
        let mut out = Vec::with_capacity(waits.len());
        for (w, span) in waits {
            let reply = async {
                w.await
                    .unwrap_or_else(|_| Err(self.unusable().unwrap_or(Error::Closed)))
            };
            let reply = self.within_read_timeout(reply).await?;
            span.finish(&reply);
            if let Err(e) = &reply {
                if e.is_fatal() {
                    return Err(reply.unwrap_err());
                }
            }
            out.push(reply);
        }
        Ok(out)
    }

    /// Awaits `wait`, bounded by `read_timeout`.
    async fn within_read_timeout<T>(
        &self,
        wait: impl std::future::Future<Output = T>,
    ) -> Result<T> {
        match self.inner.read_timeout {
            Some(t) => tokio::time::timeout(t, wait)
                .await
                .map_err(|_| Error::Timeout {
                    op: "read",
                    addr: self.inner.peer.clone(),
                    timeout: t,
                }),
            None => Ok(wait.await),
        }
    }
}

/// A frame's bytes: header and payload, compressed when that is asked for and pays.
pub(super) fn frame_bytes(
    msg_type: MsgType,
    payload: Vec<u8>,
    compress_above: Option<usize>,
) -> Vec<u8> {
    let frame = match compress_above {
        Some(threshold) if payload.len() > threshold => Frame::compressed(msg_type, payload),
        _ => Frame::new(msg_type, payload),
    };
    frame.to_bytes()
}

/// The writer: queues each request's reply slot, then writes it. A slot is queued only
/// while the connection is alive (under the lock that `fail_all` drains with), so no
/// caller can wait on a connection that has already failed.
async fn write_loop(
    mut writer: tokio::net::tcp::OwnedWriteHalf,
    mut rx: mpsc::Receiver<Command>,
    shared: Arc<Mutex<Shared>>,
    peer: String,
    write_timeout: Option<Duration>,
) {
    while let Some(cmd) = rx.recv().await {
        {
            let mut s = lock(&shared);
            let refusal = if s.closed {
                Some(Error::Closed)
            } else {
                s.dead.as_ref().map(|cause| Error::Dead {
                    addr: peer.clone(),
                    cause: Arc::clone(cause),
                })
            };
            if let Some(e) = refusal {
                if let Some((_, reply)) = cmd.reply {
                    let _ = reply.send(Err(e));
                }
                continue;
            }
            if let Some((id, reply)) = cmd.reply {
                if reply.is_closed() {
                    continue; // abandoned before it was sent: nobody wants it run
                }
                s.pending.push_back(Slot {
                    id,
                    reply,
                    span: cmd.span,
                    cancelled: false,
                });
            }
        }
        let write = writer.write_all(&cmd.bytes);
        let result = match write_timeout {
            Some(t) => tokio::time::timeout(t, write).await.unwrap_or_else(|_| {
                Err(std::io::Error::new(
                    std::io::ErrorKind::TimedOut,
                    "the server stopped reading",
                ))
            }),
            None => write.await,
        };
        if let Err(e) = result {
            fail_all(&shared, io_err(e, "write", &peer, write_timeout));
        }
    }
    let _ = writer.shutdown().await;
}

/// What the reader task needs besides the socket.
struct Reading {
    shared: Arc<Mutex<Shared>>,
    pushed: Arc<Notify>,
    handler: Arc<Mutex<Option<RequestHandler>>>,
    /// Where answers to the server's own requests are queued for the writer.
    answers: mpsc::WeakSender<Command>,
    peer: String,
    limits: Limits,
    compress_above: Option<usize>,
}

/// The reader: one reply per queued slot, in order; a dropped slot discards its reply, a
/// cancelled one gets `Error::Cancelled`. A reply with no slot waiting was never asked
/// for: a protocol error. Pushed messages are kept; the server's requests answered.
async fn read_loop(mut reader: OwnedReadHalf, r: Reading) {
    loop {
        let (result, back) = read_reply(reader, &r.limits, &r.peer).await;
        let (msg_type, reply_bytes, value) = match result {
            Ok(v) => v,
            Err(e) => {
                fail_all(&r.shared, e);
                r.pushed.notify_waiters();
                return;
            }
        };
        reader = match back {
            Some(reader) => reader,
            None => return,
        };
        match msg_type {
            MsgType::Async => {
                lock(&r.shared).pushes.push(value);
                r.pushed.notify_waiters();
                continue;
            }
            MsgType::Sync => {
                let answer = {
                    let mut handler = r.handler.lock().unwrap_or_else(|p| p.into_inner());
                    push::answer(handler.as_mut(), value)
                };
                let mut payload = Vec::new();
                if wire::encode_into(&answer, &mut payload).is_err() {
                    payload.clear();
                    let fallback = Value::Error(crate::ServerErrorCode::Type);
                    let _ = wire::encode_into(&fallback, &mut payload);
                }
                let bytes = frame_bytes(MsgType::Response, payload, r.compress_above);
                if let Some(tx) = r.answers.upgrade() {
                    let command = Command {
                        bytes,
                        reply: None,
                        span: None,
                    };
                    let _ = tx.send(command).await;
                }
                continue;
            }
            MsgType::Response => {}
            other => {
                let source = DecodeError::UnexpectedMessageType(other.code());
                fail_all(
                    &r.shared,
                    Error::Protocol {
                        addr: r.peer.clone(),
                        source,
                    },
                );
                r.pushed.notify_waiters();
                return;
            }
        }
        let slot = lock(&r.shared).pending.pop_front();
        let Some(slot) = slot else {
            fail_all(
                &r.shared,
                Error::Protocol {
                    addr: r.peer.clone(),
                    source: DecodeError::UnsolicitedReply,
                },
            );
            r.pushed.notify_waiters();
            return;
        };
        let reply = match value {
            _ if slot.cancelled => Err(Error::Cancelled {
                addr: r.peer.clone(),
            }),
            Value::Error(crate::ServerErrorCode::Cancel) => Err(Error::Cancelled {
                addr: r.peer.clone(),
            }),
            Value::Error(code) => Err(Error::Server {
                code,
                addr: r.peer.clone(),
            }),
            v => Ok(v),
        };
        if let Some(span) = &slot.span {
            span.reply_bytes(reply_bytes);
        }
        let _ = slot.reply.send(reply);
    }
}

/// Replies at least this large are decoded while they arrive (as by the sync client), on
/// the blocking pool; smaller ones are read whole, then decoded.
const STREAM_ABOVE: u64 = 1 << 20;

/// The read half as a blocking reader, for the streaming decoder on the blocking pool.
struct BlockOn<'a> {
    half: &'a mut OwnedReadHalf,
    rt: &'a tokio::runtime::Handle,
}

impl std::io::Read for BlockOn<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.rt.block_on(self.half.read(buf))
    }
}

/// Reads one frame and decodes it: a large uncompressed payload straight from the
/// socket into its final buffers (the same streaming decoder as the sync client), others
/// from a buffer that grows only as bytes arrive. Gives the read half back unless it was
/// lost with its blocking task.
async fn read_reply(
    mut reader: OwnedReadHalf,
    limits: &Limits,
    peer: &str,
) -> (Result<(MsgType, u64, Value)>, Option<OwnedReadHalf>) {
    let protocol = |source| Error::Protocol {
        addr: peer.to_string(),
        source,
    };
    let lost = |reason: String| Error::ConnectionLost {
        addr: peer.to_string(),
        reason,
    };
    let mut head = [0u8; HEADER_LEN];
    if let Err(e) = reader.read_exact(&mut head).await {
        let e = match e.kind() {
            std::io::ErrorKind::UnexpectedEof => lost("the server closed the connection".into()),
            _ => io_err(e, "read", peer, None),
        };
        return (Err(e), Some(reader));
    }
    let header = match FrameHeader::decode(&head, limits.max_frame_size) {
        Ok(h) => h,
        Err(e) => return (Err(protocol(e)), Some(reader)),
    };
    let msg_type = header.msg_type;
    if header.size >= STREAM_ABOVE && !header.is_compressed() {
        let rt = tokio::runtime::Handle::current();
        let limits = *limits;
        let decoded = tokio::task::spawn_blocking(move || {
            let result = {
                let source = BlockOn {
                    half: &mut reader,
                    rt: &rt,
                };
                let mut source = std::io::BufReader::with_capacity(
                    64 << 10,
                    std::io::Read::take(source, header.size),
                );
                wire::decode_stream(&mut source, header.size, &limits)
            };
            (result, reader)
        })
        .await;
        return match decoded {
            Ok((Ok(value), reader)) => (Ok((msg_type, header.size, value)), Some(reader)),
            Ok((Err(StreamError::Io(e)), reader)) => {
                (Err(io_err(e, "read", peer, None)), Some(reader))
            }
            Ok((Err(StreamError::Decode(DecodeError::Truncated { .. })), reader)) => (
                Err(lost(
                    "the server closed the connection in the middle of a reply".into(),
                )),
                Some(reader),
            ),
            Ok((Err(StreamError::Decode(e)), reader)) => (Err(protocol(e)), Some(reader)),
            Err(join) => (
                Err(lost(format!("the reply decoder stopped: {join}"))),
                None,
            ),
        };
    }
    let mut payload = Vec::new();
    let got = match (&mut reader)
        .take(header.size)
        .read_to_end(&mut payload)
        .await
    {
        Ok(n) => n,
        Err(e) => return (Err(io_err(e, "read", peer, None)), Some(reader)),
    };
    if got as u64 != header.size {
        let e = lost(format!(
            "the server closed the connection after {got} of {} payload bytes",
            header.size
        ));
        return (Err(e), Some(reader));
    }
    let value = Frame { header, payload }.value(limits).map_err(protocol);
    (value.map(|v| (msg_type, header.size, v)), Some(reader))
}

/// The messages the server pushes to an [`AsyncClient`], as a
/// [`Stream`](futures_core::Stream) of results (see [`AsyncClient::pushes`]).
pub struct PushStream {
    client: AsyncClient,
    next: Option<Pin<Box<dyn Future<Output = Result<Value>> + Send>>>,
    done: bool,
}

impl futures_core::Stream for PushStream {
    type Item = Result<Value>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Value>>> {
        if self.done {
            return Poll::Ready(None);
        }
        let client = self.client.clone();
        let next = self
            .next
            .get_or_insert_with(|| Box::pin(async move { client.next_push().await }));
        match next.as_mut().poll(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(result) => {
                self.next = None;
                if let Err(e) = &result {
                    self.done = e.is_fatal();
                }
                Poll::Ready(Some(result))
            }
        }
    }
}

impl std::fmt::Debug for PushStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PushStream")
            .field("client", &self.client)
            .finish_non_exhaustive()
    }
}

impl std::fmt::Debug for AsyncClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AsyncClient")
            .field("peer", &self.inner.peer)
            .field("alive", &self.is_alive())
            .finish()
    }
}
