//! Messages the server pushes: ASYNC frames that are not replies (`.ipc.post` on the
//! client's handle), and SYNC requests the server sends a client (`.ipc.send`).
//!
//! Pushed values wait in a bounded [`PushBuffer`] until the application takes them. When it
//! is full the oldest message is dropped, and the next take reports [`Error::Lagged`] with
//! the number dropped (a slow subscriber never stops the connection or grows memory
//! without bound). Both clients use this one buffer.

use crate::{Error, Result, ServerErrorCode, Value};
use std::collections::VecDeque;

/// How many pushed messages a client keeps by default before dropping the oldest.
pub const DEFAULT_PUSH_BUFFER: usize = 1024;

/// Answers the SYNC requests a server sends this client (`.ipc.send` on its handle): the
/// value becomes the server's result, an error code its ERROR. Set with
/// [`Client::on_request`](crate::Client::on_request); without one every such request is
/// answered with the error `nyi`.
pub type RequestHandler = Box<dyn FnMut(Value) -> Result<Value, ServerErrorCode> + Send>;

/// The pushed messages not yet taken, oldest first.
#[derive(Debug)]
pub(crate) struct PushBuffer {
    items: VecDeque<Value>,
    capacity: usize,
    missed: u64,
}

impl PushBuffer {
    pub(crate) fn new(capacity: usize) -> PushBuffer {
        PushBuffer {
            items: VecDeque::new(),
            capacity: capacity.max(1),
            missed: 0,
        }
    }

    /// Keeps `value`, dropping the oldest message when full.
    pub(crate) fn push(&mut self, value: Value) {
        if self.items.len() >= self.capacity {
            self.items.pop_front();
            self.missed += 1;
        }
        self.items.push_back(value);
    }

    /// The next message, or [`Error::Lagged`] once after messages were dropped.
    pub(crate) fn take(&mut self, peer: &str) -> Option<Result<Value>> {
        if self.missed > 0 {
            let missed = std::mem::take(&mut self.missed);
            return Some(Err(Error::Lagged {
                addr: peer.to_string(),
                missed,
            }));
        }
        self.items.pop_front().map(Ok)
    }
}

/// The answer to a server's SYNC request: the handler's, or `nyi` without one.
pub(crate) fn answer(handler: Option<&mut RequestHandler>, request: Value) -> Value {
    match handler {
        Some(handle) => handle(request).unwrap_or_else(Value::Error),
        None => Value::Error(ServerErrorCode::Nyi),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_buffer_drops_the_oldest_and_says_how_many() {
        let mut b = PushBuffer::new(2);
        for i in 0..5i64 {
            b.push(Value::I64(i));
        }
        assert!(matches!(
            b.take("p"),
            Some(Err(Error::Lagged { missed: 3, .. }))
        ));
        assert_eq!(b.take("p").unwrap().unwrap(), Value::I64(3));
        assert_eq!(b.take("p").unwrap().unwrap(), Value::I64(4));
        assert!(b.take("p").is_none());
    }
}
