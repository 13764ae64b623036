//! Transports move whole frames between a client and a server. They own connection
//! setup (including the handshake) and framing, and never interpret payloads.
//!
//! [`Transport`] is the small trait a [`Client`](crate::Client) talks through;
//! [`TcpTransport`] is the default, over `std::net::TcpStream`.

mod tcp;

pub use tcp::{read_frame, ConnectOptions, FrameReadError, TcpTransport};

use crate::wire::{Frame, FrameHeader};
use crate::Result;

/// A bidirectional frame channel to one peer.
///
/// Implementations report failures with the crate's [`Error`](crate::Error) variants:
/// [`Timeout`](crate::Error::Timeout) when the peer is too slow,
/// [`ConnectionLost`](crate::Error::ConnectionLost) on EOF or reset,
/// [`Protocol`](crate::Error::Protocol) when the bytes are not a valid frame.
pub trait Transport: Send {
    /// Queues one frame for sending; it may be buffered until [`flush`](Self::flush).
    fn send(&mut self, header: &FrameHeader, payload: &[u8]) -> Result<()>;

    /// Writes out every queued frame.
    fn flush(&mut self) -> Result<()>;

    /// Blocks until one whole frame has arrived (or the read timeout expires).
    fn recv(&mut self) -> Result<Frame>;

    /// Closes the connection. Further calls may fail.
    fn close(&mut self) -> Result<()>;

    /// The peer's address, for messages (`host:port`).
    fn peer(&self) -> &str;

    /// A cheap check that the peer has not closed the connection (no bytes consumed).
    fn is_open(&mut self) -> bool {
        true
    }
}

impl<T: Transport + ?Sized> Transport for Box<T> {
    fn send(&mut self, header: &FrameHeader, payload: &[u8]) -> Result<()> {
        (**self).send(header, payload)
    }
    fn flush(&mut self) -> Result<()> {
        (**self).flush()
    }
    fn recv(&mut self) -> Result<Frame> {
        (**self).recv()
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
}
