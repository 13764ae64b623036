//! [`AsyncClient`] (feature `tokio`): the same API shape as [`Client`](super::Client) on a
//! tokio runtime. Two tasks own the socket — a writer and a reader — and replies are matched
//! to requests by order through a queue, so dropping a future in the middle of a request
//! never desynchronizes the connection: its reply is read and discarded.

use super::Request;
use crate::transport::ConnectOptions;
use crate::wire::{self, handshake, FrameHeader, Limits, MsgType, HEADER_LEN};
use crate::{DecodeError, Error, Result, Value};
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::{mpsc, oneshot};

type Reply = oneshot::Sender<Result<Value>>;

struct Command {
    bytes: Vec<u8>,
    reply: Option<Reply>,
}

#[derive(Default)]
struct Shared {
    pending: VecDeque<Reply>,
    /// Set once the connection failed; later requests get this error's text.
    dead: Option<String>,
}

/// An async connection to a Rayforce server.
///
/// ```no_run
/// # async fn demo() -> rayforce::Result<()> {
/// use rayforce::client::AsyncClient;
/// let client = AsyncClient::connect("127.0.0.1", 5000).await?;
/// let three = client.execute("(+ 1 2)").await?;
/// // Many requests in flight on one connection; replies come back in order.
/// let (a, b) = tokio::join!(client.execute("(+ 1 1)"), client.execute("(+ 2 2)"));
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct AsyncClient {
    tx: mpsc::UnboundedSender<Command>,
    shared: Arc<Mutex<Shared>>,
    peer: String,
    read_timeout: Option<Duration>,
}

fn lock(shared: &Mutex<Shared>) -> std::sync::MutexGuard<'_, Shared> {
    shared.lock().unwrap_or_else(|p| p.into_inner())
}

fn io_err(e: std::io::Error, op: &'static str, peer: &str, timeout: Option<Duration>) -> Error {
    crate::transport::tcp::io_error(e, op, peer, timeout)
}

impl AsyncClient {
    /// Connects with default options.
    pub async fn connect(host: &str, port: u16) -> Result<AsyncClient> {
        AsyncClient::connect_with(host, port, &ConnectOptions::default()).await
    }

    /// Connects with options (timeouts, credentials, limits), like `ClientBuilder`.
    pub async fn connect_with(
        host: &str,
        port: u16,
        options: &ConnectOptions,
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
                op: "connect",
                addr: peer.clone(),
                timeout: options.connect_timeout,
            })??;
        let (mut reader, mut writer) = stream.into_split();
        let shared = Arc::new(Mutex::new(Shared::default()));
        let (tx, mut rx) = mpsc::unbounded_channel::<Command>();

        // Writer: queue the reply slot first, then write, so the reader always finds it.
        let w_shared = Arc::clone(&shared);
        let w_peer = peer.clone();
        tokio::spawn(async move {
            while let Some(cmd) = rx.recv().await {
                if let Some(reply) = cmd.reply {
                    lock(&w_shared).pending.push_back(reply);
                }
                if let Err(e) = writer.write_all(&cmd.bytes).await {
                    fail_all(&w_shared, &format!("write to {w_peer} failed: {e}"));
                    break;
                }
            }
            let _ = writer.shutdown().await;
        });

        // Reader: one reply per queued slot, in order; a dropped slot discards its reply.
        let r_shared = Arc::clone(&shared);
        let r_peer = peer.clone();
        let limits: Limits = options.limits;
        tokio::spawn(async move {
            loop {
                let mut head = [0u8; HEADER_LEN];
                if let Err(e) = reader.read_exact(&mut head).await {
                    fail_all(&r_shared, &format!("connection to {r_peer} lost: {e}"));
                    break;
                }
                let result = match FrameHeader::decode(&head, limits.max_frame_size) {
                    Err(e) => Err(e),
                    Ok(h) if h.msg_type != MsgType::Response => {
                        Err(DecodeError::UnexpectedMessageType(h.msg_type.code()))
                    }
                    Ok(h) => {
                        let mut payload = Vec::new();
                        match (&mut reader).take(h.size).read_to_end(&mut payload).await {
                            Ok(n) if n as u64 == h.size => {
                                wire::Frame { header: h, payload }.value(&limits)
                            }
                            _ => {
                                fail_all(
                                    &r_shared,
                                    &format!("connection to {r_peer} lost mid-reply"),
                                );
                                break;
                            }
                        }
                    }
                };
                let value = match result {
                    Ok(v) => v,
                    Err(e) => {
                        fail_all(&r_shared, &format!("protocol error with {r_peer}: {e}"));
                        break;
                    }
                };
                let slot = lock(&r_shared).pending.pop_front();
                let Some(slot) = slot else {
                    // The writer queues a slot before writing, so a reply with no slot
                    // was never asked for: the connection is out of step.
                    fail_all(
                        &r_shared,
                        &format!(
                            "protocol error with {r_peer}: {}",
                            DecodeError::UnsolicitedReply
                        ),
                    );
                    break;
                };
                let reply = match value {
                    Value::Error(code) => Err(Error::Server {
                        code,
                        addr: r_peer.clone(),
                    }),
                    v => Ok(v),
                };
                let _ = slot.send(reply); // the caller may have gone: discard
            }
        });
        Ok(AsyncClient {
            tx,
            shared,
            peer,
            read_timeout: options.read_timeout,
        })
    }

    /// The server's address.
    pub fn peer(&self) -> &str {
        &self.peer
    }

    fn submit(
        &self,
        msg_type: MsgType,
        request: &(impl Request + ?Sized),
        reply: Option<Reply>,
    ) -> Result<()> {
        if let Some(reason) = &lock(&self.shared).dead {
            return Err(Error::ConnectionLost {
                addr: self.peer.clone(),
                reason: reason.clone(),
            });
        }
        let mut payload = Vec::new();
        request.write_payload(&mut payload)?;
        let mut bytes = FrameHeader::new(msg_type, payload.len() as u64)
            .encode()
            .to_vec();
        bytes.extend_from_slice(&payload);
        self.tx
            .send(Command { bytes, reply })
            .map_err(|_| Error::Closed)
    }

    /// Sends a request and waits for its result. Cancelling the future (dropping it, or a
    /// timeout around it) is safe: the reply is read and discarded.
    pub async fn execute<R: Request + ?Sized>(&self, request: &R) -> Result<Value> {
        let (tx, rx) = oneshot::channel();
        self.submit(MsgType::Sync, request, Some(tx))?;
        let wait = async {
            rx.await.unwrap_or_else(|_| {
                Err(Error::ConnectionLost {
                    addr: self.peer.clone(),
                    reason: lock(&self.shared)
                        .dead
                        .clone()
                        .unwrap_or_else(|| "closed".into()),
                })
            })
        };
        self.within_read_timeout(wait).await?
    }

    /// Sends a request without a reply.
    pub async fn send_async<R: Request + ?Sized>(&self, request: &R) -> Result<()> {
        self.submit(MsgType::Async, request, None)
    }

    /// Sends every request at once and collects the replies in order. `read_timeout`
    /// bounds the wait for each reply, measured from when the previous one arrived.
    pub async fn pipeline<R: Request>(&self, requests: &[R]) -> Result<Vec<Result<Value>>> {
        let mut waits = Vec::with_capacity(requests.len());
        for r in requests {
            let (tx, rx) = oneshot::channel();
            self.submit(MsgType::Sync, r, Some(tx))?;
            waits.push(rx);
        }
        let mut out = Vec::with_capacity(waits.len());
        for w in waits {
            let reply = async { w.await.unwrap_or(Err(Error::Closed)) };
            out.push(self.within_read_timeout(reply).await?);
        }
        Ok(out)
    }

    /// Awaits `wait`, bounded by `read_timeout`.
    async fn within_read_timeout<T>(
        &self,
        wait: impl std::future::Future<Output = T>,
    ) -> Result<T> {
        match self.read_timeout {
            Some(t) => tokio::time::timeout(t, wait)
                .await
                .map_err(|_| Error::Timeout {
                    op: "read",
                    addr: self.peer.clone(),
                    timeout: t,
                }),
            None => Ok(wait.await),
        }
    }

    /// Whether the connection still works.
    pub fn is_alive(&self) -> bool {
        lock(&self.shared).dead.is_none() && !self.tx.is_closed()
    }
}

fn fail_all(shared: &Mutex<Shared>, reason: &str) {
    let mut s = lock(shared);
    s.dead.get_or_insert_with(|| reason.to_string());
    for slot in s.pending.drain(..) {
        let _ = slot.send(Err(Error::ConnectionLost {
            addr: String::new(),
            reason: reason.to_string(),
        }));
    }
}

impl std::fmt::Debug for AsyncClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AsyncClient")
            .field("peer", &self.peer)
            .field("alive", &self.is_alive())
            .finish()
    }
}
