//! Transports move whole frames between a client and a server. They own connection
//! setup (including the handshake) and framing, and never interpret payloads.
//!
//! [`Transport`] is the small trait a [`Client`](crate::Client) talks through;
//! [`TcpTransport`] is the default, over `std::net::TcpStream`; [`MockTransport`] scripts
//! replies and records requests for users' own unit tests.

mod mock;
pub(crate) mod tcp;
#[cfg(feature = "websocket")]
mod websocket;

pub use mock::MockTransport;
pub use tcp::{
    read_frame, read_frame_payload, ConnectOptions, FrameReadError, TcpTransport, UrgentByte,
};
#[cfg(feature = "websocket")]
pub use websocket::WebSocketTransport;

use crate::wire::{Frame, FrameHeader, Limits};
use crate::{Error, Result, Value};
use std::sync::Arc;
use std::time::Instant;

/// How far a large frame has come, reported to a progress callback
/// ([`Client::on_progress`](crate::Client::on_progress)). The frame header gives the exact
/// size, so `done / total` is exact.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Progress {
    /// Whether the frame is being sent or received.
    pub direction: Direction,
    /// Payload bytes moved so far.
    pub done: u64,
    /// The payload's size.
    pub total: u64,
}

/// The direction of a frame in [`Progress`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// A request being written.
    Sending,
    /// A reply being read.
    Receiving,
}

/// A payload decoder for [`Transport::recv_with`]: the frame's header, a reader positioned
/// at its uncompressed payload, and the payload's size.
pub type DecodeFn<'a> = dyn FnMut(
        FrameHeader,
        &mut dyn std::io::BufRead,
        u64,
    ) -> std::result::Result<(), crate::wire::StreamError>
    + 'a;

/// A progress callback.
pub type ProgressFn = Box<dyn FnMut(Progress) + Send>;

/// Frames smaller than this are not reported to a progress callback.
pub const PROGRESS_ABOVE: u64 = 1 << 20;

/// Tells a server to stop the request it is running on one connection, from any thread
/// (TCP: [`UrgentByte`]). Sending it while the server is idle does nothing.
pub trait CancelSignal: Send + Sync {
    /// Sends the signal once.
    fn send(&self) -> std::io::Result<()>;
}

/// A bidirectional frame channel to one peer.
///
/// Implementations report failures with the crate's [`Error`] variants:
/// [`Timeout`](crate::Error::Timeout) when the peer is too slow,
/// [`ConnectionLost`](crate::Error::ConnectionLost) on EOF or reset,
/// [`Protocol`](crate::Error::Protocol) when the bytes are not a valid frame.
pub trait Transport: Send {
    /// Queues one frame for sending; it may be buffered until [`flush`](Self::flush).
    fn send(&mut self, header: &FrameHeader, payload: &[u8]) -> Result<()>;

    /// Queues one frame whose payload is in pieces (a large request whose column bodies are
    /// borrowed from the caller's values). The default joins them and calls
    /// [`send`](Self::send); [`TcpTransport`] writes them one after the other, uncopied.
    fn send_parts(&mut self, header: &FrameHeader, parts: &[&[u8]]) -> Result<()> {
        self.send(header, &parts.concat())
    }

    /// Writes out every queued frame.
    fn flush(&mut self) -> Result<()>;

    /// Blocks until one whole frame has arrived (or the read timeout expires).
    fn recv(&mut self) -> Result<Frame>;

    /// Receives one frame and decodes its payload. The default reads the whole frame
    /// first; [`TcpTransport`] decodes while the bytes arrive (no payload buffer).
    /// A payload that does not decode is [`Error::Protocol`].
    fn recv_value(&mut self, limits: &Limits) -> Result<(FrameHeader, Value)> {
        let frame = self.recv()?;
        let value = frame.value(limits).map_err(|source| Error::Protocol {
            addr: self.peer().to_string(),
            source,
        })?;
        Ok((frame.header, value))
    }

    /// Receives one frame and hands its (uncompressed) payload to `decode` as a stream.
    /// The default reads the whole frame first; [`TcpTransport`] passes its socket reader,
    /// so `decode` reads straight from the socket. An error from `decode` is mapped as
    /// [`recv_value`](Self::recv_value) maps it.
    fn recv_with(&mut self, limits: &Limits, decode: &mut DecodeFn<'_>) -> Result<FrameHeader> {
        let frame = self.recv()?;
        let protocol = |peer: &str, source| Error::Protocol {
            addr: peer.to_string(),
            source,
        };
        let payload = frame
            .plain_payload(limits)
            .map_err(|e| protocol(self.peer(), e))?;
        decode(frame.header, &mut &payload[..], payload.len() as u64).map_err(|e| match e {
            crate::wire::StreamError::Decode(e) => protocol(self.peer(), e),
            crate::wire::StreamError::Io(e) => {
                protocol(self.peer(), crate::DecodeError::Malformed(e.to_string()))
            }
        })?;
        Ok(frame.header)
    }

    /// Closes the connection. Further calls may fail.
    fn close(&mut self) -> Result<()>;

    /// The peer's address, for messages (`host:port`).
    fn peer(&self) -> &str;

    /// A cheap check that the peer has not closed the connection (no bytes consumed).
    fn is_open(&mut self) -> bool {
        true
    }

    /// Whether bytes have arrived that no call has read yet (no bytes consumed, never
    /// blocks). A client asks before each request, to handle what the server pushed.
    fn has_unread_input(&mut self) -> bool {
        false
    }

    /// Waits until the next frame starts to arrive (`Ok(true)`) or `deadline` passes
    /// (`Ok(false)`), consuming nothing: a client whose request is still running on the
    /// server can then cancel it and keep the connection. The default says "ready" at once.
    fn wait_readable(&mut self, deadline: Option<Instant>) -> Result<bool> {
        let _ = deadline;
        Ok(true)
    }

    /// A signal that cancels the request the server is running on this connection, if the
    /// transport has one (the default: none).
    fn cancel_signal(&self) -> Option<Arc<dyn CancelSignal>> {
        None
    }

    /// Reports the progress of frames of [`PROGRESS_ABOVE`] bytes and more to `progress`
    /// (`None`: stop). The default reports nothing.
    fn set_progress(&mut self, progress: Option<ProgressFn>) {
        let _ = progress;
    }
}

impl<T: Transport + ?Sized> Transport for Box<T> {
    fn send(&mut self, header: &FrameHeader, payload: &[u8]) -> Result<()> {
        (**self).send(header, payload)
    }
    fn send_parts(&mut self, header: &FrameHeader, parts: &[&[u8]]) -> Result<()> {
        (**self).send_parts(header, parts)
    }
    fn flush(&mut self) -> Result<()> {
        (**self).flush()
    }
    fn recv(&mut self) -> Result<Frame> {
        (**self).recv()
    }
    fn recv_value(&mut self, limits: &Limits) -> Result<(FrameHeader, Value)> {
        (**self).recv_value(limits)
    }
    fn recv_with(&mut self, limits: &Limits, decode: &mut DecodeFn<'_>) -> Result<FrameHeader> {
        (**self).recv_with(limits, decode)
    }
    fn close(&mut self) -> Result<()> {
        (**self).close()
    }
    fn peer(&self) -> &str {
        (**self).peer()
    }
    fn is_open(&mut self) -> bool {
        (**self).is_open()
    }
    fn has_unread_input(&mut self) -> bool {
        (**self).has_unread_input()
    }
    fn wait_readable(&mut self, deadline: Option<Instant>) -> Result<bool> {
        (**self).wait_readable(deadline)
    }
    fn cancel_signal(&self) -> Option<Arc<dyn CancelSignal>> {
        (**self).cancel_signal()
    }
    fn set_progress(&mut self, progress: Option<ProgressFn>) {
        (**self).set_progress(progress)
    }
}
