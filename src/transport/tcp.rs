//! [`TcpTransport`]: frames over a `std::net::TcpStream`, with the connect/handshake/auth
//! sequence under one deadline and per-read/per-write timeouts afterwards.

use super::{CancelSignal, DecodeFn, Direction, Progress, ProgressFn, Transport, PROGRESS_ABOVE};
use crate::wire::handshake::{ClientHandshake, Step};
use crate::wire::{self, Frame, FrameHeader, Limits, StreamError, HEADER_LEN};
use crate::{Error, Result, Value};
use std::io::BufRead;
use std::io::{self, BufReader, Read, Write};
use std::net::{Shutdown, TcpStream, ToSocketAddrs};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Frames smaller than this are copied into one buffer with their header and sent in one
/// write; larger payloads are written straight from the caller's buffer.
const COALESCE_LIMIT: usize = 64 << 10;

/// How to open a TCP connection: timeouts, credentials and limits. Set them through
/// [`ClientBuilder`](crate::ClientBuilder); this struct is filled from it.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct ConnectOptions {
    /// Bound on connecting plus the handshake and authentication together.
    pub connect_timeout: Duration,
    /// Longest wait for bytes from the server once connected (`None`: wait forever).
    pub read_timeout: Option<Duration>,
    /// Longest wait for the socket to accept bytes (`None`: wait forever).
    pub write_timeout: Option<Duration>,
    /// `(user, password)` for servers started with `-u` or `-U`.
    pub credentials: Option<(String, String)>,
    /// Size and depth limits for incoming frames.
    pub limits: Limits,
}

impl Default for ConnectOptions {
    fn default() -> ConnectOptions {
        ConnectOptions {
            connect_timeout: Duration::from_secs(10),
            read_timeout: Some(Duration::from_secs(60)),
            write_timeout: Some(Duration::from_secs(60)),
            credentials: None,
            limits: Limits::default(),
        }
    }
}

/// Reads from a socket under one deadline for a whole exchange (a reply, a handshake):
/// each read waits at most for the time left, so a peer trickling bytes cannot stretch a
/// timeout.
#[derive(Debug)]
pub(crate) struct DeadlineReader {
    pub(crate) stream: TcpStream,
    /// When the current exchange must be over (`None`: no limit).
    pub(crate) deadline: Option<Instant>,
    /// The socket read timeout last set (so most reads need no extra system call).
    applied: Option<Duration>,
}

impl DeadlineReader {
    pub(crate) fn new(stream: TcpStream, deadline: Option<Instant>) -> DeadlineReader {
        DeadlineReader {
            stream,
            deadline,
            applied: None,
        }
    }
}

impl Read for DeadlineReader {
    /// One read, waiting at most until the deadline. The socket's timeout is lowered only
    /// when the time left has fallen an eighth below the timeout last set, so a read never
    /// waits past the deadline by more than an eighth of the time that was left.
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        // A signal (a Ctrl-C handler, say) interrupts a read with a socket timeout even
        // under SA_RESTART: read again, under the same deadline.
        loop {
            match self.read_once(buf) {
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                result => return result,
            }
        }
    }
}

impl DeadlineReader {
    fn read_once(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if let Some(deadline) = self.deadline {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(io::Error::new(io::ErrorKind::TimedOut, "deadline passed"));
            }
            let stale = match self.applied {
                Some(applied) => left < applied - applied / 8 || left > applied,
                None => true,
            };
            if stale {
                self.stream.set_read_timeout(Some(left))?;
                self.applied = Some(left);
            }
        } else if self.applied.take().is_some() {
            self.stream.set_read_timeout(None)?;
        }
        self.stream.read(buf)
    }
}

/// The default transport: Rayforce frames over TCP.
pub struct TcpTransport {
    stream: TcpStream,
    /// Buffered reads on a clone of `stream`: replies decode straight from the socket.
    reader: BufReader<DeadlineReader>,
    peer: String,
    out: Vec<u8>,
    read_timeout: Option<Duration>,
    write_timeout: Option<Duration>,
    max_frame_size: u64,
    progress: Option<ProgressFn>,
}

impl std::fmt::Debug for TcpTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TcpTransport")
            .field("peer", &self.peer)
            .field("read_timeout", &self.read_timeout)
            .field("write_timeout", &self.write_timeout)
            .field("max_frame_size", &self.max_frame_size)
            .field("progress", &self.progress.is_some())
            .finish_non_exhaustive()
    }
}

/// Progress is reported at most once per this many bytes.
const PROGRESS_STEP: u64 = 256 << 10;

/// A reader that reports how much of a frame it has delivered.
struct Counting<'a, R> {
    inner: &'a mut R,
    report: &'a mut ProgressFn,
    done: u64,
    total: u64,
    reported: u64,
}

impl<R: BufRead> Counting<'_, R> {
    fn advance(&mut self, n: usize) {
        self.done += n as u64;
        if self.done - self.reported >= PROGRESS_STEP || self.done == self.total {
            self.reported = self.done;
            (self.report)(Progress {
                direction: Direction::Receiving,
                done: self.done,
                total: self.total,
            });
        }
    }
}

impl<R: BufRead> Read for Counting<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.advance(n);
        Ok(n)
    }
}

impl<R: BufRead> BufRead for Counting<'_, R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        self.inner.fill_buf()
    }
    fn consume(&mut self, n: usize) {
        self.inner.consume(n);
        self.advance(n);
    }
}

/// Maps an I/O error to the crate's error for operation `op`.
pub(crate) fn io_error(
    e: io::Error,
    op: &'static str,
    peer: &str,
    timeout: Option<Duration>,
) -> Error {
    match e.kind() {
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut => Error::Timeout {
            op,
            addr: peer.to_string(),
            timeout: timeout.unwrap_or_default(),
        },
        io::ErrorKind::ConnectionRefused => Error::ConnectionRefused {
            addr: peer.to_string(),
        },
        io::ErrorKind::UnexpectedEof
        | io::ErrorKind::ConnectionReset
        | io::ErrorKind::ConnectionAborted
        | io::ErrorKind::BrokenPipe
        | io::ErrorKind::NotConnected => Error::ConnectionLost {
            addr: peer.to_string(),
            reason: format!("{op}: {e}"),
        },
        _ => Error::Io {
            addr: peer.to_string(),
            source: e,
        },
    }
}

impl TcpTransport {
    /// Connects, says hello and authenticates, all within `options.connect_timeout`.
    pub fn connect(host: &str, port: u16, options: &ConnectOptions) -> Result<TcpTransport> {
        let peer = format!("{host}:{port}");
        let deadline = Instant::now() + options.connect_timeout;
        let timeout_err = |op| Error::Timeout {
            op,
            addr: peer.clone(),
            timeout: options.connect_timeout,
        };
        let addrs: Vec<_> = (host, port)
            .to_socket_addrs()
            .map_err(|e| Error::Io {
                addr: peer.clone(),
                source: e,
            })?
            .collect();
        let mut last_err = None;
        let mut stream = None;
        for addr in addrs {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(timeout_err("connect"));
            }
            match TcpStream::connect_timeout(&addr, left) {
                Ok(s) => {
                    stream = Some(s);
                    break;
                }
                Err(e) => last_err = Some(e),
            }
        }
        let stream = match (stream, last_err) {
            (Some(s), _) => s,
            (None, Some(e)) => {
                return Err(io_error(e, "connect", &peer, Some(options.connect_timeout)))
            }
            (None, None) => {
                return Err(Error::Io {
                    addr: peer.clone(),
                    source: io::Error::new(io::ErrorKind::NotFound, "host resolved to no address"),
                })
            }
        };
        stream
            .set_nodelay(true)
            .map_err(|e| io_error(e, "connect", &peer, None))?;
        let reader = BufReader::with_capacity(
            64 << 10,
            DeadlineReader::new(
                stream
                    .try_clone()
                    .map_err(|e| io_error(e, "connect", &peer, None))?,
                Some(deadline),
            ),
        );
        let mut transport = TcpTransport {
            reader,
            stream,
            peer,
            out: Vec::new(),
            read_timeout: options.read_timeout,
            write_timeout: options.write_timeout,
            max_frame_size: options.limits.max_frame_size,
            progress: None,
        };
        transport.handshake(options, deadline)?;
        transport.apply_timeouts()?;
        Ok(transport)
    }

    fn set_deadline(&self, deadline: Instant, timeout: Duration) -> Result<()> {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(Error::Timeout {
                op: "handshake",
                addr: self.peer.clone(),
                timeout,
            });
        }
        // Reads follow the reader's own deadline; writes get the time left.
        self.stream
            .set_write_timeout(Some(left))
            .map_err(|e| io_error(e, "handshake", &self.peer, None))
    }

    /// Drives the shared client handshake ([`ClientHandshake`]) over this socket, under
    /// the connect deadline.
    fn handshake(&mut self, options: &ConnectOptions, deadline: Instant) -> Result<()> {
        let limit = Some(options.connect_timeout);
        let mut hs = ClientHandshake::new(options.credentials.clone());
        let mut buf = [0u8; 2];
        loop {
            self.set_deadline(deadline, options.connect_timeout)?;
            match hs.step() {
                Step::Write(bytes) => self
                    .stream
                    .write_all(&bytes)
                    .map_err(|e| io_error(e, "handshake", &self.peer, limit))?,
                Step::Read(n) => match self.reader.read_exact(&mut buf[..n]) {
                    Ok(()) => hs
                        .receive(&buf[..n])
                        .map_err(|e| e.into_error(&self.peer))?,
                    Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => {
                        return Err(hs.eof_error().into_error(&self.peer))
                    }
                    Err(e) => return Err(io_error(e, "handshake", &self.peer, limit)),
                },
                Step::Done => return Ok(()),
            }
        }
    }

    fn apply_timeouts(&mut self) -> Result<()> {
        // From now on each reply starts its own read deadline (`start_reply_deadline`).
        self.reader.get_mut().deadline = None;
        self.stream
            .set_write_timeout(self.write_timeout)
            .map_err(|e| io_error(e, "connect", &self.peer, None))
    }

    /// Starts the deadline for one reply: `read_timeout` from now.
    fn start_reply_deadline(&mut self) {
        self.reader.get_mut().deadline = self.read_timeout.map(|t| Instant::now() + t);
    }

    fn write_err(&self, e: io::Error) -> Error {
        io_error(e, "write", &self.peer, self.write_timeout)
    }
}

/// Why [`read_frame`] failed.
#[derive(Debug)]
pub enum FrameReadError {
    /// The reader failed (timeout, reset, EOF before a whole header…).
    Io(io::Error),
    /// The header is invalid or announces more than the limit.
    Invalid(crate::DecodeError),
    /// The stream ended inside the payload.
    Truncated {
        /// Payload bytes received.
        got: usize,
        /// Payload bytes announced.
        size: u64,
    },
}

/// Reads one frame from any byte stream: the 16-byte header (validated against
/// `max_frame_size` before anything is allocated), then the payload, whose buffer grows
/// only as bytes actually arrive (the codec's growth rule: at most 64 times what has
/// arrived), so a lying size header costs nothing.
///
/// ```
/// use rayforce_client::transport::read_frame;
/// let bytes = [0xfa, 0xde, 0xfa, 0xce, 3, 0, 0, 2, 1, 0, 0, 0, 0, 0, 0, 0, 0x7e];
/// let frame = read_frame(&mut &bytes[..], 1 << 20).unwrap();
/// assert_eq!(frame.payload, [0x7e]);
/// ```
pub fn read_frame(
    reader: &mut impl Read,
    max_frame_size: u64,
) -> std::result::Result<Frame, FrameReadError> {
    let mut head = [0u8; HEADER_LEN];
    reader.read_exact(&mut head).map_err(FrameReadError::Io)?;
    let header = FrameHeader::decode(&head, max_frame_size).map_err(FrameReadError::Invalid)?;
    read_frame_payload(reader, header)
}

/// Reads the payload of a frame whose (validated) header has been read, growing the
/// buffer only as bytes arrive (as [`read_frame`]).
pub fn read_frame_payload(
    reader: &mut impl Read,
    header: FrameHeader,
) -> std::result::Result<Frame, FrameReadError> {
    let size = usize::try_from(header.size).map_err(|_| {
        FrameReadError::Invalid(crate::DecodeError::FrameTooLarge {
            size: header.size,
            max: usize::MAX as u64,
        })
    })?;
    let mut payload = Vec::new();
    while payload.len() < size {
        let want = wire::next_capacity(payload.len(), size, 1) - payload.len();
        payload.try_reserve_exact(want).map_err(|_| {
            FrameReadError::Io(io::Error::new(
                io::ErrorKind::OutOfMemory,
                "no memory for the frame payload",
            ))
        })?;
        let got = reader
            .take(want as u64)
            .read_to_end(&mut payload)
            .map_err(FrameReadError::Io)?;
        if got < want {
            return Err(FrameReadError::Truncated {
                got: payload.len(),
                size: header.size,
            });
        }
    }
    Ok(Frame { header, payload })
}

impl Transport for TcpTransport {
    fn send(&mut self, header: &FrameHeader, payload: &[u8]) -> Result<()> {
        self.send_parts(header, &[payload])
    }

    /// Small parts are gathered with the header in one buffer (written once it fills, or
    /// at `flush`); large ones are written straight from the caller's memory, in steps that
    /// report progress when a callback is set.
    fn send_parts(&mut self, header: &FrameHeader, parts: &[&[u8]]) -> Result<()> {
        self.out.extend_from_slice(&header.encode());
        let total: u64 = parts.iter().map(|p| p.len() as u64).sum();
        let reporting = total >= PROGRESS_ABOVE && self.progress.is_some();
        let report = |this: &mut Self, done: u64| {
            if let Some(report) = this.progress.as_mut().filter(|_| reporting) {
                report(Progress {
                    direction: Direction::Sending,
                    done,
                    total,
                });
            }
        };
        report(self, 0);
        let mut done = 0u64;
        for part in parts {
            if part.len() < COALESCE_LIMIT {
                self.out.extend_from_slice(part);
                if self.out.len() >= COALESCE_LIMIT {
                    self.flush()?;
                }
                done += part.len() as u64;
                continue;
            }
            self.flush()?;
            let step = if reporting {
                PROGRESS_STEP as usize
            } else {
                part.len()
            };
            for chunk in part.chunks(step) {
                self.stream
                    .write_all(chunk)
                    .map_err(|e| io_error(e, "write", &self.peer, self.write_timeout))?;
                done += chunk.len() as u64;
                report(self, done);
            }
        }
        if parts.last().is_some_and(|p| p.len() < COALESCE_LIMIT) {
            report(self, done); // the last bytes are queued
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<()> {
        if !self.out.is_empty() {
            let result = self.stream.write_all(&self.out);
            self.out.clear();
            result.map_err(|e| self.write_err(e))?;
        }
        Ok(())
    }

    fn recv(&mut self) -> Result<Frame> {
        self.start_reply_deadline();
        let (max, timeout) = (self.max_frame_size, self.read_timeout);
        read_frame(&mut self.reader, max).map_err(|e| match e {
            FrameReadError::Io(e) => io_error(e, "read", &self.peer, timeout),
            FrameReadError::Invalid(source) => Error::Protocol {
                addr: self.peer.clone(),
                source,
            },
            FrameReadError::Truncated { got, size } => Error::ConnectionLost {
                addr: self.peer.clone(),
                reason: format!(
                    "the server closed the connection after {got} of {size} payload bytes"
                ),
            },
        })
    }

    fn recv_value(&mut self, limits: &Limits) -> Result<(FrameHeader, Value)> {
        let mut value = None;
        let header = self.recv_with(limits, &mut |_, reader, size| {
            let mut reader = reader;
            value = Some(wire::decode_stream(&mut reader, size, limits)?);
            Ok(())
        })?;
        Ok((
            header,
            value.expect("a frame decoded without error has a value"),
        ))
    }

    /// One frame: the header under the reply deadline, then the payload handed to
    /// `decode` straight from the socket's reader (counting progress when asked for); a
    /// compressed payload is read whole and decompressed first.
    fn recv_with(&mut self, limits: &Limits, decode: &mut DecodeFn<'_>) -> Result<FrameHeader> {
        self.start_reply_deadline();
        let timeout = self.read_timeout;
        let mut head = [0u8; HEADER_LEN];
        self.reader
            .read_exact(&mut head)
            .map_err(|e| io_error(e, "read", &self.peer, timeout))?;
        let protocol = |peer: &str, source| Error::Protocol {
            addr: peer.to_string(),
            source,
        };
        let header =
            FrameHeader::decode(&head, self.max_frame_size).map_err(|e| protocol(&self.peer, e))?;
        let result = if header.is_compressed() {
            let mut payload = Vec::new();
            (&mut self.reader)
                .take(header.size)
                .read_to_end(&mut payload)
                .map_err(|e| io_error(e, "read", &self.peer, timeout))?;
            let frame = Frame { header, payload };
            let plain = frame
                .plain_payload(limits)
                .map_err(|e| protocol(&self.peer, e))?;
            decode(header, &mut &plain[..], plain.len() as u64)
        } else {
            let mut limited = (&mut self.reader).take(header.size);
            match self
                .progress
                .as_mut()
                .filter(|_| header.size >= PROGRESS_ABOVE)
            {
                Some(report) => {
                    report(Progress {
                        direction: Direction::Receiving,
                        done: 0,
                        total: header.size,
                    });
                    let mut counting = Counting {
                        inner: &mut limited,
                        report,
                        done: 0,
                        total: header.size,
                        reported: 0,
                    };
                    decode(header, &mut counting, header.size)
                }
                None => decode(header, &mut limited, header.size),
            }
        };
        match result {
            Ok(()) => Ok(header),
            Err(StreamError::Io(e)) => Err(io_error(e, "read", &self.peer, timeout)),
            Err(StreamError::Decode(crate::DecodeError::Truncated { .. }))
                if self.reader.buffer().is_empty() && !self.is_open() =>
            {
                Err(Error::ConnectionLost {
                    addr: self.peer.clone(),
                    reason: "the server closed the connection in the middle of a reply".into(),
                })
            }
            Err(StreamError::Decode(e)) => Err(protocol(&self.peer, e)),
        }
    }

    fn close(&mut self) -> Result<()> {
        let _ = self.flush();
        match self.stream.shutdown(Shutdown::Both) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == io::ErrorKind::NotConnected => Ok(()),
            Err(e) => Err(io_error(e, "close", &self.peer, None)),
        }
    }

    fn peer(&self) -> &str {
        &self.peer
    }

    fn is_open(&mut self) -> bool {
        if self.stream.set_nonblocking(true).is_err() {
            return false;
        }
        let mut byte = [0u8; 1];
        let open = match self.stream.peek(&mut byte) {
            Ok(0) => false,
            Ok(_) => true,
            Err(e) => e.kind() == io::ErrorKind::WouldBlock,
        };
        open && self.stream.set_nonblocking(false).is_ok()
    }

    fn has_unread_input(&mut self) -> bool {
        !self.reader.buffer().is_empty() || peek_ready(&self.stream)
    }

    fn wait_readable(&mut self, deadline: Option<Instant>) -> Result<bool> {
        if !self.reader.buffer().is_empty() {
            return Ok(true);
        }
        self.reader.get_mut().deadline = deadline;
        let waited = deadline.map(|d| d.saturating_duration_since(Instant::now()));
        match self.reader.fill_buf() {
            Ok([]) => Err(Error::ConnectionLost {
                addr: self.peer.clone(),
                reason: "the server closed the connection".into(),
            }),
            Ok(_) => Ok(true),
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) =>
            {
                Ok(false)
            }
            Err(e) => Err(io_error(e, "read", &self.peer, waited)),
        }
    }

    fn cancel_signal(&self) -> Option<Arc<dyn CancelSignal>> {
        let stream = self.stream.try_clone().ok()?;
        Some(Arc::new(UrgentByte(stream)))
    }

    fn set_progress(&mut self, progress: Option<ProgressFn>) {
        self.progress = progress;
    }
}

/// The TCP cancel signal: one urgent (out-of-band) byte, which makes a Rayforce server
/// stop the request it is running on that connection (an idle server ignores it).
#[derive(Debug)]
pub struct UrgentByte(pub TcpStream);

impl CancelSignal for UrgentByte {
    #[cfg(unix)]
    fn send(&self) -> io::Result<()> {
        use std::os::fd::AsRawFd;
        let byte = b'!';
        // SAFETY: `send` reads 1 byte from `byte`, which outlives the call; the fd is owned
        // by `self.0` and open for the duration of the call.
        let n = unsafe {
            libc::send(
                self.0.as_raw_fd(),
                (&byte as *const u8).cast(),
                1,
                libc::MSG_OOB | libc::MSG_NOSIGNAL,
            )
        };
        if n == 1 {
            Ok(())
        } else {
            Err(io::Error::last_os_error())
        }
    }

    #[cfg(not(unix))]
    fn send(&self) -> io::Result<()> {
        Err(io::Error::new(
            io::ErrorKind::Unsupported,
            "urgent bytes are only sent on unix",
        ))
    }
}

/// Whether at least one byte waits in the socket (one non-blocking `MSG_PEEK`).
#[cfg(unix)]
fn peek_ready(stream: &TcpStream) -> bool {
    use std::os::fd::AsRawFd;
    let mut byte = 0u8;
    // SAFETY: `recv` writes at most 1 byte into `byte`, which outlives the call; the fd
    // is owned by `stream` and open for the duration of the call.
    let n = unsafe {
        libc::recv(
            stream.as_raw_fd(),
            (&mut byte as *mut u8).cast(),
            1,
            libc::MSG_PEEK | libc::MSG_DONTWAIT,
        )
    };
    n > 0
}

/// Whether at least one byte waits in the socket (a non-blocking peek).
#[cfg(not(unix))]
fn peek_ready(stream: &TcpStream) -> bool {
    if stream.set_nonblocking(true).is_err() {
        return false;
    }
    let ready = matches!(stream.peek(&mut [0u8; 1]), Ok(n) if n > 0);
    let _ = stream.set_nonblocking(false);
    ready
}
