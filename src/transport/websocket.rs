//! [`WebSocketTransport`] (feature `websocket`): frames over WebSocket binary messages, in
//! the framing of rayforce-py's `WSServer`: the client sends `[1, 0]`, the server answers
//! `[1]`; then each message is one serialized value with its 16-byte header (what the
//! server's `ser` produces), and every message gets exactly one reply message.
//!
//! Unlike the TCP server, `WSServer` reports evaluation errors as a STR message with the
//! error text (its Python side catches the exception), so they arrive as strings, not as
//! [`Error::Server`].

use super::Transport;
use crate::wire::{Frame, FrameHeader, Limits, MsgType};
use crate::{DecodeError, Error, Result};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;
use tungstenite::{Message, WebSocket};

/// The WebSocket handshake version byte of rayforce-py's `WSServer`.
const WS_VERSION: u8 = 1;

/// A Rayforce connection over WebSocket.
///
/// ```no_run
/// use rayforce_client::transport::WebSocketTransport;
/// use rayforce_client::{wire::Limits, Client};
/// use std::time::Duration;
/// let t = WebSocketTransport::connect("ws://127.0.0.1:8765", Duration::from_secs(5))?;
/// let mut client = Client::with_transport(Box::new(t), Limits::default());
/// println!("{}", client.execute("(+ 1 2)")?);
/// # Ok::<(), rayforce_client::Error>(())
/// ```
pub struct WebSocketTransport {
    ws: WebSocket<TcpStream>,
    peer: String,
    limits: Limits,
    /// Replies still owed for async sends (the WS server answers every message).
    skip_replies: usize,
    timeout: Duration,
}

fn ws_error(peer: &str, e: tungstenite::Error, timeout: Duration) -> Error {
    match e {
        tungstenite::Error::Io(io) => super::tcp::io_error(io, "websocket", peer, Some(timeout)),
        tungstenite::Error::ConnectionClosed | tungstenite::Error::AlreadyClosed => {
            Error::ConnectionLost {
                addr: peer.to_string(),
                reason: "websocket closed".into(),
            }
        }
        other => Error::ConnectionLost {
            addr: peer.to_string(),
            reason: format!("websocket: {other}"),
        },
    }
}

impl WebSocketTransport {
    /// Connects to `url` (`ws://host:port/…`), with `timeout` for connecting, the
    /// handshakes and each later read or write.
    pub fn connect(url: &str, timeout: Duration) -> Result<WebSocketTransport> {
        let peer = url
            .trim_start_matches("ws://")
            .split('/')
            .next()
            .unwrap_or(url)
            .to_string();
        let addr = peer
            .to_socket_addrs()
            .map_err(|e| Error::Io {
                addr: peer.clone(),
                source: e,
            })?
            .next()
            .ok_or_else(|| Error::ConnectionRefused { addr: peer.clone() })?;
        let stream = TcpStream::connect_timeout(&addr, timeout)
            .map_err(|e| super::tcp::io_error(e, "connect", &peer, Some(timeout)))?;
        stream
            .set_read_timeout(Some(timeout))
            .and_then(|_| stream.set_write_timeout(Some(timeout)))
            .and_then(|_| stream.set_nodelay(true))
            .map_err(|e| super::tcp::io_error(e, "connect", &peer, None))?;
        let (mut ws, _) =
            tungstenite::client::client(url, stream).map_err(|e| Error::ConnectionLost {
                addr: peer.clone(),
                reason: format!("websocket handshake: {e}"),
            })?;
        ws.send(Message::Binary(vec![WS_VERSION, 0].into()))
            .map_err(|e| ws_error(&peer, e, timeout))?;
        match ws.read().map_err(|e| ws_error(&peer, e, timeout))? {
            Message::Binary(b) if b.first() == Some(&WS_VERSION) => {}
            Message::Binary(b) => {
                return Err(Error::VersionMismatch {
                    addr: peer,
                    got: b.first().copied().unwrap_or(0),
                })
            }
            other => {
                return Err(Error::ConnectionLost {
                    addr: peer,
                    reason: format!("unexpected handshake reply {other:?}"),
                })
            }
        }
        Ok(WebSocketTransport {
            ws,
            peer,
            limits: Limits::default(),
            skip_replies: 0,
            timeout,
        })
    }

    fn read_binary(&mut self) -> Result<Vec<u8>> {
        loop {
            match self
                .ws
                .read()
                .map_err(|e| ws_error(&self.peer, e, self.timeout))?
            {
                Message::Binary(b) => return Ok(b.to_vec()),
                Message::Ping(_) | Message::Pong(_) | Message::Frame(_) => continue,
                Message::Text(t) => {
                    return Err(Error::Protocol {
                        addr: self.peer.clone(),
                        source: DecodeError::Malformed(format!("text message {t:?}")),
                    })
                }
                Message::Close(_) => {
                    return Err(Error::ConnectionLost {
                        addr: self.peer.clone(),
                        reason: "the server closed the websocket".into(),
                    })
                }
            }
        }
    }
}

impl Transport for WebSocketTransport {
    fn send(&mut self, header: &FrameHeader, payload: &[u8]) -> Result<()> {
        // The WS server deserializes `ser` output: header (message type 0) + payload.
        let mut h = *header;
        if h.msg_type == MsgType::Async {
            self.skip_replies += 1;
        }
        h.msg_type = MsgType::Async;
        let mut message = h.encode().to_vec();
        message.extend_from_slice(payload);
        self.ws
            .send(Message::Binary(message.into()))
            .map_err(|e| ws_error(&self.peer, e, self.timeout))
    }

    fn flush(&mut self) -> Result<()> {
        self.ws
            .flush()
            .map_err(|e| ws_error(&self.peer, e, self.timeout))
    }

    fn recv(&mut self) -> Result<Frame> {
        while self.skip_replies > 0 {
            self.read_binary()?;
            self.skip_replies -= 1;
        }
        let bytes = self.read_binary()?;
        let mut frame = Frame::parse(&bytes, &self.limits).map_err(|source| Error::Protocol {
            addr: self.peer.clone(),
            source,
        })?;
        frame.header.msg_type = MsgType::Response;
        Ok(frame)
    }

    fn close(&mut self) -> Result<()> {
        let _ = self.ws.close(None);
        let _ = self.ws.flush();
        Ok(())
    }

    fn peer(&self) -> &str {
        &self.peer
    }
}
