//! The client: one connection to a Rayforce server through a [`Transport`].
//!
//! It owns the request/response discipline (replies matched to requests by order),
//! mapping ERROR replies to [`Error::Server`], and marking the connection dead on any
//! fault that could leave it out of sync. It contains no codec or query logic.

#[cfg(feature = "tokio")]
mod async_client;
mod builder;
mod pipeline;
#[cfg(feature = "r2d2")]
mod pool;
mod typed;

pub use crate::wire::Request;
#[cfg(feature = "tokio")]
pub use async_client::AsyncClient;
pub use builder::ClientBuilder;
pub use pipeline::Pipeline;
#[cfg(feature = "r2d2")]
pub use pool::ClientManager;

use crate::transport::Transport;
use crate::wire::{Frame, FrameHeader, Limits, MsgType};
use crate::{DecodeError, Error, Result, Value};
use std::fmt;

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
    compress_above: Option<usize>,
    scratch: Vec<u8>,
}

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

    /// A client over any transport that has already completed its handshake.
    pub fn with_transport(transport: Box<dyn Transport>, limits: Limits) -> Client {
        Client {
            transport,
            state: State::Alive,
            limits,
            compress_above: None,
            scratch: Vec::new(),
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
    /// leaves the connection usable; transport and protocol faults mark it dead.
    pub fn execute<R: Request + ?Sized>(&mut self, request: &R) -> Result<Value> {
        self.ensure_ready()?;
        self.send_request(MsgType::Sync, request)?;
        self.flush()?;
        self.recv_reply()
    }

    /// Sends a request to be evaluated without a reply (fire and forget). The server
    /// evaluates requests on one connection in order, so a later `execute` sees its effect;
    /// errors it raises are never reported.
    pub fn send_async<R: Request + ?Sized>(&mut self, request: &R) -> Result<()> {
        self.ensure_ready()?;
        self.send_request(MsgType::Async, request)?;
        self.flush()
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

    /// Checks that a request may be sent: the client is alive and the server has sent
    /// nothing since the last reply (bytes nobody asked for mean the connection is out of
    /// step; they are a protocol error, never handed out as the next request's reply).
    fn ensure_ready(&mut self) -> Result<()> {
        match &self.state {
            State::Alive => {}
            State::Dead(cause) => {
                return Err(Error::Dead {
                    addr: self.peer().to_string(),
                    cause: cause.clone(),
                })
            }
            State::Closed => return Err(Error::Closed),
        }
        if self.transport.has_unread_input() {
            return Err(self.protocol_error(DecodeError::UnsolicitedReply));
        }
        Ok(())
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
        let mut payload = std::mem::take(&mut self.scratch);
        payload.clear();
        let encoded = request.write_payload(&mut payload);
        let result = encoded.and_then(|()| {
            let size = payload.len();
            match self.compress_above {
                Some(threshold) if payload.len() > threshold => {
                    let frame = Frame::compressed(msg_type, payload.clone());
                    self.guard(|t| t.send(&frame.header, &frame.payload))?;
                }
                _ => {
                    let header = FrameHeader::new(msg_type, payload.len() as u64);
                    self.guard(|t| t.send(&header, &payload))?;
                }
            }
            Ok(size)
        });
        self.scratch = payload;
        result
    }

    pub(crate) fn flush(&mut self) -> Result<()> {
        self.guard(|t| t.flush())
    }

    /// Receives and decodes one reply (decoded as it arrives); ERROR values become
    /// `Error::Server`, anything but a RESPONSE is a protocol error.
    pub(crate) fn recv_reply(&mut self) -> Result<Value> {
        let limits = self.limits;
        let (header, value) = self.guard(|t| t.recv_value(&limits))?;
        if header.msg_type != MsgType::Response {
            return Err(
                self.protocol_error(DecodeError::UnexpectedMessageType(header.msg_type.code()))
            );
        }
        match value {
            Value::Error(code) => Err(Error::Server {
                code,
                addr: self.peer().to_string(),
            }),
            value => Ok(value),
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
