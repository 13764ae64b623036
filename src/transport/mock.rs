//! [`MockTransport`]: an in-memory transport for users' own unit tests, in the spirit of
//! clickhouse-rs's mock: scripted replies out, recorded requests in. No socket, no server.

use super::Transport;
use crate::wire::{self, Frame, FrameHeader, Limits, MsgType};
use crate::{Error, Result, ServerErrorCode, Value};
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

#[derive(Default)]
struct State {
    replies: VecDeque<Result<Value>>,
    requests: Vec<(MsgType, Value)>,
    closed: bool,
}

/// A scripted transport. Clone it (or keep a [`MockTransport::handle`]) to add replies and
/// inspect requests after the client owns it.
///
/// ```
/// use rayforce_client::transport::MockTransport;
/// use rayforce_client::wire::{Limits, MsgType};
/// use rayforce_client::{Client, ServerErrorCode, Value};
///
/// let mock = MockTransport::new();
/// mock.reply(Value::I64(3));
/// mock.reply_error(ServerErrorCode::Type);
/// let mut client = Client::with_transport(Box::new(mock.handle()), Limits::default());
/// assert_eq!(client.execute("(+ 1 2)").unwrap(), Value::I64(3));
/// assert_eq!(client.execute("(+ 1 'a)").unwrap_err().server_code(), Some(&ServerErrorCode::Type));
/// assert_eq!(mock.requests()[0], (MsgType::Sync, Value::from("(+ 1 2)")));
/// ```
#[derive(Clone, Default)]
pub struct MockTransport {
    state: Arc<Mutex<State>>,
}

impl MockTransport {
    /// A mock with no scripted replies.
    pub fn new() -> MockTransport {
        MockTransport::default()
    }

    /// Another handle on the same script and recordings.
    pub fn handle(&self) -> MockTransport {
        self.clone()
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Queues a reply value.
    pub fn reply(&self, value: impl Into<Value>) {
        self.state().replies.push_back(Ok(value.into()));
    }

    /// Queues a server ERROR reply.
    pub fn reply_error(&self, code: ServerErrorCode) {
        self.state().replies.push_back(Ok(Value::Error(code)));
    }

    /// Queues a transport failure (e.g. `Error::Timeout`) for the next receive.
    pub fn fail(&self, error: Error) {
        self.state().replies.push_back(Err(error));
    }

    /// Every request sent so far, decoded, with its message type.
    pub fn requests(&self) -> Vec<(MsgType, Value)> {
        self.state().requests.clone()
    }

    /// Whether the client closed the transport.
    pub fn is_closed(&self) -> bool {
        self.state().closed
    }
}

impl Transport for MockTransport {
    fn send(&mut self, header: &FrameHeader, payload: &[u8]) -> Result<()> {
        let frame = Frame {
            header: *header,
            payload: payload.to_vec(),
        };
        let value = frame.value(&Limits::default())?;
        let mut state = self.state();
        if state.closed {
            return Err(Error::Closed);
        }
        state.requests.push((header.msg_type, value));
        Ok(())
    }

    fn flush(&mut self) -> Result<()> {
        Ok(())
    }

    fn recv(&mut self) -> Result<Frame> {
        let next = self.state().replies.pop_front();
        match next {
            Some(Ok(value)) => Ok(Frame::new(MsgType::Response, wire::encode(&value)?)),
            Some(Err(e)) => Err(e),
            None => Err(Error::ConnectionLost {
                addr: "mock".into(),
                reason: "no scripted reply left".into(),
            }),
        }
    }

    fn close(&mut self) -> Result<()> {
        self.state().closed = true;
        Ok(())
    }

    fn peer(&self) -> &str {
        "mock"
    }

    fn is_open(&mut self) -> bool {
        !self.state().closed
    }
}
