//! The client: one connection to a Rayforce server through a [`Transport`].
//!
//! It owns the request/response discipline (replies matched to requests by order),
//! mapping ERROR replies to [`Error::Server`], and marking the connection dead on any
//! fault that could leave it out of sync. It contains no codec or query logic.

#[cfg(feature = "arrow")]
mod arrow;
#[cfg(feature = "tokio")]
mod async_client;
#[cfg(feature = "deadpool")]
mod async_pool;
mod builder;
mod cancel;
pub mod inserter;
mod pages;
mod pipeline;
#[cfg(feature = "r2d2")]
mod pool;
mod push;
pub mod reconnect;
mod trace;
mod typed;

pub use crate::wire::Request;
#[cfg(feature = "tokio")]
pub use async_client::{AsyncClient, PushStream};
#[cfg(feature = "deadpool")]
pub use async_pool::{AsyncClientManager, AsyncPool};
pub use builder::ClientBuilder;
pub use cancel::CancelHandle;
#[cfg(feature = "tokio")]
pub use inserter::AsyncInserter;
pub use inserter::{Inserter, Quantities};
#[cfg(feature = "tokio")]
pub use pages::AsyncPages;
pub use pages::Pages;
pub use pipeline::Pipeline;
#[cfg(feature = "r2d2")]
pub use pool::ClientManager;
pub use push::{RequestHandler, DEFAULT_PUSH_BUFFER};
#[cfg(feature = "tokio")]
pub use reconnect::AsyncReconnectingClient;
pub use reconnect::{ReconnectPolicy, ReconnectingClient};

use crate::transport::Transport;
use crate::wire::{Frame, FrameHeader, Limits, MsgType};
use crate::{DecodeError, Error, Result, Value};
use cancel::Flight;
use push::PushBuffer;
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};
use trace::RequestSpan;

/// At most this many waiting frames (pushed messages) are taken in before a request is sent.
const MAX_FRAMES_BEFORE_A_REQUEST: usize = 1024;

/// How long a client waits for the answer to a request it cancelled because its deadline
/// passed, before giving the connection up (default of
/// [`ClientBuilder::cancel_grace`]).
pub const DEFAULT_CANCEL_GRACE: Duration = Duration::from_secs(5);

/// Client-level settings shared by both clients (the transport's are in
/// [`ConnectOptions`](crate::transport::ConnectOptions)).
#[derive(Clone, Debug)]
pub(crate) struct Settings {
    pub(crate) compress_above: Option<usize>,
    pub(crate) cancel_grace: Duration,
    pub(crate) push_buffer: usize,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            compress_above: None,
            cancel_grace: DEFAULT_CANCEL_GRACE,
            push_buffer: DEFAULT_PUSH_BUFFER,
        }
    }
}

#[derive(Clone, Debug)]
enum State {
    Alive,
    /// A fatal error happened (this one, the first); the connection may be out of step.
    Dead(std::sync::Arc<Error>),
    /// `close()` was called.
    Closed,
}

/// A connection to a Rayforce server.
///
/// ```no_run
/// use rayforce_client::{Client, Value};
/// let mut client = Client::connect("127.0.0.1", 5000)?;
/// assert_eq!(client.execute("(+ 1 2)")?, Value::I64(3));
/// // The same call as an expression tree: values travel as data, never as text.
/// let sum = client.execute(&Value::call("+", [1i64.into(), 2i64.into()]))?;
/// assert_eq!(sum, Value::I64(3));
/// # Ok::<(), rayforce_client::Error>(())
/// ```
pub struct Client {
    transport: Box<dyn Transport>,
    state: State,
    limits: Limits,
    settings: Settings,
    /// The default deadline of a request (the builder's read timeout).
    read_timeout: Option<Duration>,
    scratch: Vec<u8>,
    flight: Arc<Flight>,
    pushes: PushBuffer,
    handler: Option<push::RequestHandler>,
    /// The size of the last reply frame's payload (for the request span).
    reply_bytes: u64,
    /// The last reply decoded by `fetch_all_into`, whose buffers the next one reuses.
    rows_scratch: Value,
}

/// Decodes a response's payload into a caller's buffers; returns the reply as a value when
/// it is not what the buffers hold (see `Client::recv_filling`).
type FillFn<'a> = dyn FnMut(
        &mut dyn std::io::BufRead,
        u64,
        &crate::wire::Limits,
    ) -> std::result::Result<Option<Value>, crate::wire::StreamError>
    + 'a;

impl Client {
    /// Connects to `host:port` with default settings (no password, 10 s connect timeout,
    /// 60 s read and write timeouts).
    pub fn connect(host: &str, port: u16) -> Result<Client> {
        ClientBuilder::new(host, port).connect()
    }

    /// A builder for credentials, timeouts and limits.
    pub fn builder(host: &str, port: u16) -> ClientBuilder {
        ClientBuilder::new(host, port)
    }

    /// A client over any transport that has already completed its handshake. Requests
    /// have no deadline of their own (the transport's timeouts apply).
    pub fn with_transport(transport: Box<dyn Transport>, limits: Limits) -> Client {
        Client::with_settings(transport, limits, Settings::default(), None)
    }

    pub(crate) fn with_settings(
        transport: Box<dyn Transport>,
        limits: Limits,
        settings: Settings,
        read_timeout: Option<Duration>,
    ) -> Client {
        let flight = Arc::new(Flight::new(transport.cancel_signal(), transport.peer()));
        Client {
            transport,
            state: State::Alive,
            limits,
            pushes: PushBuffer::new(settings.push_buffer),
            settings,
            read_timeout,
            scratch: Vec::new(),
            flight,
            handler: None,
            reply_bytes: 0,
            rows_scratch: Value::Null,
        }
    }

    /// The server's address, `host:port`.
    pub fn peer(&self) -> &str {
        self.transport.peer()
    }

    /// Sends a request and waits for its result.
    ///
    /// Accepts Rayfall text (`&str`, `String`), a [`Value`] (sent as an expression), or any
    /// query type implementing [`Request`]. An ERROR reply becomes [`Error::Server`] and
    /// leaves the connection usable; transport and protocol faults mark it dead. The read
    /// timeout is the request's deadline (see [`execute_with_timeout`](Self::execute_with_timeout)).
    pub fn execute<R: Request + ?Sized>(&mut self, request: &R) -> Result<Value> {
        self.call(request, self.read_timeout)
    }

    /// Like [`execute`](Self::execute), with a deadline for the server's work: when
    /// `timeout` passes before the answer starts to arrive, the request is cancelled on the
    /// server, its answer discarded, and the result is [`Error::Timeout`] with `op`
    /// `"request"`; the connection stays usable. (If the server does not stop within the
    /// cancel grace — a lambda `map` cannot be interrupted — the connection is given up.)
    ///
    /// ```no_run
    /// use rayforce_client::{Client, Error};
    /// use std::time::Duration;
    /// let mut client = Client::connect("127.0.0.1", 5000)?;
    /// let slow = client.execute_with_timeout("(sum (til 300000000))", Duration::from_millis(200));
    /// assert!(matches!(slow, Err(Error::Timeout { op: "request", .. })));
    /// assert!(client.is_alive());
    /// # Ok::<(), rayforce_client::Error>(())
    /// ```
    pub fn execute_with_timeout<R: Request + ?Sized>(
        &mut self,
        request: &R,
        timeout: Duration,
    ) -> Result<Value> {
        self.call(request, Some(timeout))
    }

    /// A handle that cancels this client's running request from another thread (see
    /// [`CancelHandle`]).
    pub fn cancel_handle(&self) -> CancelHandle {
        CancelHandle::new(self.flight.clone())
    }

    /// Takes the next message the server pushed to this client (`.ipc.post` on its
    /// handle), waiting up to `timeout` (`None`: until one comes). `Ok(None)`: none came in
    /// time. Messages that arrived while a request was running wait in a bounded buffer
    /// ([`ClientBuilder::push_buffer`]); if it overflowed, the oldest were dropped and this
    /// returns [`Error::Lagged`] once.
    pub fn recv_push(&mut self, timeout: Option<Duration>) -> Result<Option<Value>> {
        if let Some(pushed) = self.pushes.take(self.transport.peer()) {
            return pushed.map(Some);
        }
        self.check_state()?;
        let deadline = timeout.map(|t| Instant::now() + t);
        loop {
            let passed = deadline.is_some_and(|d| Instant::now() >= d);
            if passed || !self.guard(|t| t.wait_readable(deadline))? {
                return Ok(None);
            }
            if self.recv_frame()?.is_some() {
                return Err(self.protocol_error(DecodeError::UnsolicitedReply));
            }
            if let Some(pushed) = self.pushes.take(self.transport.peer()) {
                return pushed.map(Some);
            }
        }
    }

    /// The pushed messages as a blocking iterator (see [`recv_push`](Self::recv_push));
    /// it ends after the first error that leaves the connection dead.
    ///
    /// ```no_run
    /// use rayforce_client::Client;
    /// let mut client = Client::connect("127.0.0.1", 5000)?;
    /// client.execute("(.ipc.post (.ipc.handle) 42)")?;
    /// for message in client.pushes().take(1) {
    ///     println!("pushed: {}", message?);
    /// }
    /// # Ok::<(), rayforce_client::Error>(())
    /// ```
    pub fn pushes(&mut self) -> Pushes<'_> {
        Pushes {
            client: self,
            done: false,
        }
    }

    /// Reports the progress of large requests and replies (1 MiB and more) to `report`,
    /// e.g. for a progress bar: the frame header gives the exact size. Over transports that
    /// cannot report, nothing is reported.
    ///
    /// ```no_run
    /// use rayforce_client::Client;
    /// use rayforce_client::transport::Progress;
    /// let mut client = Client::connect("127.0.0.1", 5000)?;
    /// client.on_progress(|p: Progress| eprint!("\r{} / {} bytes", p.done, p.total));
    /// client.execute("(til 10000000)")?;
    /// # Ok::<(), rayforce_client::Error>(())
    /// ```
    pub fn on_progress(&mut self, report: impl FnMut(crate::transport::Progress) + Send + 'static) {
        self.transport.set_progress(Some(Box::new(report)));
    }

    /// Answers the SYNC requests the server sends this client (`.ipc.send` on its handle)
    /// with `handler`: its value becomes the server's result, its error code the server's
    /// error. Without a handler they are answered with the error `nyi`. Requests are
    /// answered whenever the client reads from the connection.
    pub fn on_request(
        &mut self,
        handler: impl FnMut(Value) -> Result<Value, crate::ServerErrorCode> + Send + 'static,
    ) {
        self.handler = Some(Box::new(handler));
    }

    /// Sends a request to be evaluated without a reply (fire and forget). The server
    /// evaluates requests on one connection in order, so a later `execute` sees its effect;
    /// errors it raises are never reported.
    pub fn send_async<R: Request + ?Sized>(&mut self, request: &R) -> Result<()> {
        self.ensure_ready()?;
        let span = RequestSpan::start(self.peer(), "async");
        let result = self.send_request(MsgType::Async, request).and_then(|size| {
            span.request_bytes(size);
            self.flush()
        });
        span.finish(
            &result
                .as_ref()
                .map(|()| Value::Null)
                .map_err(Error::duplicate),
        );
        result
    }

    /// Whether the connection is usable: not closed, not broken by an earlier error, and
    /// not closed by the server.
    pub fn is_alive(&mut self) -> bool {
        if matches!(self.state, State::Alive) && !self.transport.is_open() {
            let cause = Error::ConnectionLost {
                addr: self.peer().to_string(),
                reason: "the server closed the connection".into(),
            };
            self.state = State::Dead(std::sync::Arc::new(cause));
        }
        matches!(self.state, State::Alive)
    }

    /// Closes the connection. Later calls return [`Error::Closed`]. (After a fatal error
    /// they return [`Error::Dead`] carrying that first error.)
    pub fn close(&mut self) -> Result<()> {
        if matches!(self.state, State::Closed) {
            return Ok(());
        }
        self.state = State::Closed;
        self.transport.close()
    }

    /// The error for a client that is closed or dead.
    fn check_state(&self) -> Result<()> {
        match &self.state {
            State::Alive => Ok(()),
            State::Dead(cause) => Err(Error::Dead {
                addr: self.peer().to_string(),
                cause: cause.clone(),
            }),
            State::Closed => Err(Error::Closed),
        }
    }

    /// Checks that a request may be sent: the client is alive, and what the server sent
    /// since the last reply is taken in (pushed messages are kept, server requests
    /// answered; a reply nobody asked for means the connection is out of step: a protocol
    /// error, never handed out as the next request's reply).
    fn ensure_ready(&mut self) -> Result<()> {
        self.check_state()?;
        // Bounded, so a server that never stops pushing cannot keep a request from being
        // sent: what is left is taken in while the reply is awaited.
        for _ in 0..MAX_FRAMES_BEFORE_A_REQUEST {
            if !self.transport.has_unread_input() {
                break;
            }
            if self.recv_frame()?.is_some() {
                return Err(self.protocol_error(DecodeError::UnsolicitedReply));
            }
        }
        Ok(())
    }

    /// One request and its reply, under `timeout`; a cancelled request's answer is
    /// discarded.
    fn call<R: Request + ?Sized>(
        &mut self,
        request: &R,
        timeout: Option<Duration>,
    ) -> Result<Value> {
        self.call_with(request, timeout, &mut Client::recv_frame)
    }

    /// [`call`](Self::call) with the reply received by `receive` (one frame per call;
    /// `None` for a frame that was not the reply).
    fn call_with<R: Request + ?Sized, T>(
        &mut self,
        request: &R,
        timeout: Option<Duration>,
        receive: &mut dyn FnMut(&mut Client) -> Result<Option<Result<T>>>,
    ) -> Result<T> {
        self.ensure_ready()?;
        let span = RequestSpan::start(self.peer(), "sync");
        self.flight.begin();
        let result = self
            .send_request(MsgType::Sync, request)
            .and_then(|size| {
                span.request_bytes(size);
                self.flush()
            })
            .and_then(|()| self.await_reply(timeout, receive));
        let cancelled = self.flight.end();
        let result = match result {
            Err(e) if e.is_fatal() => Err(e),
            _ if cancelled => Err(Error::Cancelled {
                addr: self.peer().to_string(),
            }),
            result => result,
        };
        span.reply_bytes(self.reply_bytes);
        span.finish(&result);
        result
    }

    /// Waits for the reply until `timeout`, taking in pushed frames on the way.
    fn await_reply<T>(
        &mut self,
        timeout: Option<Duration>,
        receive: &mut dyn FnMut(&mut Client) -> Result<Option<Result<T>>>,
    ) -> Result<T> {
        let deadline = timeout.map(|t| Instant::now() + t);
        loop {
            // Checked before every frame: a server that keeps pushing frames other than the
            // reply cannot hold the request past its deadline.
            let passed = deadline.is_some_and(|d| Instant::now() >= d);
            if passed || !self.guard(|t| t.wait_readable(deadline))? {
                return Err(self.expire(timeout.unwrap_or_default()));
            }
            if let Some(reply) = receive(self)? {
                return reply;
            }
        }
    }

    /// Runs a query whose result is a vector of `T` and decodes it straight into `out`,
    /// which is overwritten. Keep `out` across calls: its memory is reused, so a repeated
    /// fetch allocates and zeroes nothing and reads the bytes into pages already touched.
    /// Any other result is an error ([`Error::TypeMismatch`], or the server's error); the
    /// connection stays in step either way.
    ///
    /// ```no_run
    /// use rayforce_client::Client;
    /// let mut client = Client::connect("127.0.0.1", 5000)?;
    /// let mut prices: Vec<f64> = Vec::new();
    /// for _ in 0..10 {
    ///     client.fetch_column_into("(at trades 'price)", &mut prices)?;
    /// }
    /// # Ok::<(), rayforce_client::Error>(())
    /// ```
    pub fn fetch_column_into<T: crate::wire::ColumnElement, R: Request + ?Sized>(
        &mut self,
        request: &R,
        out: &mut Vec<T>,
    ) -> Result<()> {
        let timeout = self.read_timeout;
        self.call_with(request, timeout, &mut |client| client.recv_column(out))
    }

    /// Runs a request and decodes its reply into `out`, reusing the memory `out` holds from
    /// an earlier reply of the same shape (a table's columns, a vector): a query run again
    /// and again decodes into buffers that are already allocated and touched. Anything else
    /// replaces `out`. On an error `out` holds some valid value.
    ///
    /// ```no_run
    /// # use rayforce_client::{Client, Value};
    /// let mut client = Client::connect("127.0.0.1", 5000)?;
    /// let mut last = Value::Null;
    /// for _ in 0..10 {
    ///     client.execute_into("(select {from: trades where: (> px 100.0)})", &mut last)?;
    /// }
    /// # Ok::<(), rayforce_client::Error>(())
    /// ```
    pub fn execute_into<R: Request + ?Sized>(
        &mut self,
        request: &R,
        out: &mut Value,
    ) -> Result<()> {
        let timeout = self.read_timeout;
        self.call_with(request, timeout, &mut |client| client.recv_into(out))
    }

    /// Receives one frame for [`execute_into`](Self::execute_into).
    fn recv_into(&mut self, out: &mut Value) -> Result<Option<Result<()>>> {
        let (header, other) = self.recv_filling(&mut |reader, size, limits| {
            crate::wire::decode_stream_into(&mut { reader }, size, limits, out)?;
            Ok(None)
        })?;
        let value = match other {
            Some(value) => value,
            None if matches!(out, Value::Error(_)) => std::mem::replace(out, Value::Null),
            None => return Ok(Some(Ok(()))),
        };
        Ok(match self.take_frame(header, value)? {
            Some(Ok(v)) => {
                *out = v;
                Some(Ok(()))
            }
            Some(Err(e)) => Some(Err(e)),
            None => None,
        })
    }

    /// Receives one frame for [`fetch_column_into`](Self::fetch_column_into).
    fn recv_column<T: crate::wire::ColumnElement>(
        &mut self,
        out: &mut Vec<T>,
    ) -> Result<Option<Result<()>>> {
        use crate::wire::{decode_column_into, ColumnReply};
        let (header, other) = self.recv_filling(&mut |reader, size, limits| {
            Ok(
                match decode_column_into(&mut { reader }, size, limits, out)? {
                    ColumnReply::Filled => None,
                    ColumnReply::Other(value) => Some(value),
                },
            )
        })?;
        let Some(value) = other else {
            return Ok(Some(Ok(())));
        };
        Ok(match self.take_frame(header, value)? {
            Some(Ok(v)) => Some(Err(Error::TypeMismatch {
                expected: format!("a {} vector", T::TYPE.name()),
                actual: v.kind_name(),
            })),
            Some(Err(e)) => Some(Err(e)),
            None => None,
        })
    }

    /// Receives one frame, a response decoded by `fill` into the caller's buffers (`fill`
    /// returns the reply as a value when it is not what it fills), any other frame as a
    /// value. `None` in the result: the response was filled in.
    fn recv_filling(
        &mut self,
        fill: &mut FillFn<'_>,
    ) -> Result<(crate::wire::FrameHeader, Option<Value>)> {
        let limits = self.limits;
        let mut other: Option<Value> = None;
        let header = self.guard(|t| {
            t.recv_with(&limits, &mut |header, reader, size| {
                other = if header.msg_type == MsgType::Response {
                    fill(reader, size, &limits)?
                } else {
                    Some(crate::wire::decode_stream(&mut { reader }, size, &limits)?)
                };
                Ok(())
            })
        })?;
        if other.is_none() {
            self.reply_bytes = header.size;
        }
        Ok((header, other))
    }

    /// The request's deadline passed before its answer began: cancel it on the server
    /// and discard the answer within the cancel grace (the connection is kept), or give
    /// the connection up.
    fn expire(&mut self, timeout: Duration) -> Error {
        let addr = self.peer().to_string();
        if self.flight.interrupt() {
            let grace = Instant::now() + self.settings.cancel_grace;
            while Instant::now() < grace {
                match self.guard(|t| t.wait_readable(Some(grace))) {
                    Ok(true) => match self.recv_frame() {
                        Ok(Some(_)) => {
                            return Error::Timeout {
                                op: "request",
                                addr,
                                timeout,
                            }
                        }
                        Ok(None) => continue,
                        Err(e) => return e,
                    },
                    Ok(false) => break,
                    Err(e) => return e,
                }
            }
        }
        let e = Error::Timeout {
            op: "read",
            addr,
            timeout,
        };
        self.mark_dead(&e);
        e
    }

    /// Runs `f` on the transport; a fatal error marks the client dead.
    fn guard<T>(&mut self, f: impl FnOnce(&mut dyn Transport) -> Result<T>) -> Result<T> {
        let result = f(&mut *self.transport);
        if let Err(e) = &result {
            if e.is_fatal() {
                self.mark_dead(e);
            }
        }
        result
    }

    pub(crate) fn send_request<R: Request + ?Sized>(
        &mut self,
        msg_type: MsgType,
        request: &R,
    ) -> Result<usize> {
        // Large column bodies stay in the caller's buffers and are written from there.
        let mut parts = crate::wire::Parts::new(std::mem::take(&mut self.scratch));
        if let Err(e) = request.write_parts(&mut parts) {
            self.scratch = parts.take_buf();
            return Err(e);
        }
        let size = parts.len();
        let sent = match self.settings.compress_above {
            Some(threshold) if size > threshold => {
                let payload = parts.into_buf();
                let frame = Frame::compressed(msg_type, payload);
                let sent = self.guard(|t| t.send(&frame.header, &frame.payload));
                self.scratch = frame.payload;
                return sent.map(|()| size);
            }
            _ => {
                let header = FrameHeader::new(msg_type, size as u64);
                let slices = parts.slices();
                self.guard(|t| t.send_parts(&header, &slices))
            }
        };
        self.scratch = parts.take_buf();
        sent.map(|()| size)
    }

    pub(crate) fn flush(&mut self) -> Result<()> {
        self.guard(|t| t.flush())
    }

    /// Receives and decodes one reply (decoded as it arrives), taking in pushed frames
    /// on the way; ERROR values become `Error::Server`.
    pub(crate) fn recv_reply(&mut self) -> Result<Value> {
        loop {
            if let Some(reply) = self.recv_frame()? {
                return reply;
            }
        }
    }

    /// Receives one frame: a RESPONSE is a reply (`Some`); an ASYNC frame is a pushed
    /// message (kept); a SYNC frame is the server's request (answered at once).
    fn recv_frame(&mut self) -> Result<Option<Result<Value>>> {
        let limits = self.limits;
        let (header, value) = self.guard(|t| t.recv_value(&limits))?;
        self.take_frame(header, value)
    }

    /// What a received frame means: a RESPONSE is a reply (`Some`), an ASYNC frame is kept
    /// as a pushed message, a SYNC frame is answered.
    fn take_frame(&mut self, header: FrameHeader, value: Value) -> Result<Option<Result<Value>>> {
        if header.msg_type == MsgType::Response {
            self.reply_bytes = header.size;
        }
        match header.msg_type {
            MsgType::Response => Ok(Some(match value {
                Value::Error(crate::ServerErrorCode::Cancel) => Err(Error::Cancelled {
                    addr: self.peer().to_string(),
                }),
                Value::Error(code) => Err(Error::Server {
                    code,
                    addr: self.peer().to_string(),
                }),
                value => Ok(value),
            })),
            MsgType::Async => {
                self.pushes.push(value);
                Ok(None)
            }
            MsgType::Sync => {
                let answer = push::answer(self.handler.as_mut(), value);
                if self.send_request(MsgType::Response, &answer).is_err() {
                    // The handler's value cannot be encoded: answer with an error instead.
                    self.send_request(
                        MsgType::Response,
                        &Value::Error(crate::ServerErrorCode::Type),
                    )?;
                }
                self.flush()?;
                Ok(None)
            }
            other => Err(self.protocol_error(DecodeError::UnexpectedMessageType(other.code()))),
        }
    }

    fn protocol_error(&mut self, source: DecodeError) -> Error {
        let e = Error::Protocol {
            addr: self.peer().to_string(),
            source,
        };
        self.mark_dead(&e);
        e
    }

    /// Remembers the first fatal error and closes the transport.
    fn mark_dead(&mut self, e: &Error) {
        if matches!(self.state, State::Alive) {
            self.state = State::Dead(std::sync::Arc::new(e.duplicate()));
        }
        let _ = self.transport.close();
    }

    /// Encodes a value exactly as `execute` would send it (useful for logging and tests).
    pub fn encode_request<R: Request + ?Sized>(request: &R) -> Result<Vec<u8>> {
        let mut out = Vec::new();
        request.write_payload(&mut out)?;
        Ok(out)
    }

    /// The limits this client decodes replies with.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }
}

/// The messages the server pushes to a [`Client`], as a blocking iterator (see
/// [`Client::pushes`]).
pub struct Pushes<'a> {
    client: &'a mut Client,
    done: bool,
}

impl Iterator for Pushes<'_> {
    type Item = Result<Value>;

    fn next(&mut self) -> Option<Result<Value>> {
        if self.done {
            return None;
        }
        match self.client.recv_push(None) {
            Ok(Some(value)) => Some(Ok(value)),
            Ok(None) => None,
            Err(e) => {
                self.done = e.is_fatal();
                Some(Err(e))
            }
        }
    }
}

impl fmt::Debug for Pushes<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pushes")
            .field("client", &self.client)
            .finish()
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        let _ = self.close();
    }
}

impl fmt::Display for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = match self.state {
            State::Alive => "alive",
            State::Dead(_) => "dead",
            State::Closed => "closed",
        };
        write!(f, "rayforce://{} ({state})", self.peer())
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("peer", &self.peer())
            .field("state", &self.state)
            .finish()
    }
}
