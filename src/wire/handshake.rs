//! Handshake bytes (wire spec §2): the client hello, the server's reply, the
//! length-prefixed credentials and the one-byte auth result. Pure: no I/O.

use super::VERSION;

/// What the client sends first: wire version 3, then 0.
pub const HELLO: [u8; 2] = [VERSION, 0];

/// What the server's 2-byte hello reply says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HelloReply {
    /// The connection is ready for frames.
    Ready,
    /// The server wants credentials (`-u` or `-U`).
    CredentialsRequired,
}

/// Why a handshake could not go on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HandshakeError {
    /// The peer's wire version is not 3.
    VersionMismatch(u8),
    /// The reply's second byte is neither 0 nor 1.
    UnknownAuthFlag(u8),
    /// The credentials do not fit in the 255-byte frame or contain a NUL.
    BadCredentials(String),
}

/// Parses the server's hello reply.
///
/// ```
/// use rayforce_client::wire::handshake::{parse_hello_reply, HelloReply, HandshakeError};
/// assert_eq!(parse_hello_reply([3, 0]), Ok(HelloReply::Ready));
/// assert_eq!(parse_hello_reply([3, 1]), Ok(HelloReply::CredentialsRequired));
/// assert_eq!(parse_hello_reply([2, 0]), Err(HandshakeError::VersionMismatch(2)));
/// ```
pub fn parse_hello_reply(reply: [u8; 2]) -> Result<HelloReply, HandshakeError> {
    match reply {
        [VERSION, 0] => Ok(HelloReply::Ready),
        [VERSION, 1] => Ok(HelloReply::CredentialsRequired),
        [VERSION, flag] => Err(HandshakeError::UnknownAuthFlag(flag)),
        [version, _] => Err(HandshakeError::VersionMismatch(version)),
    }
}

/// The credentials message: `u8 n` then `user:password\0` (n counts the NUL).
///
/// ```
/// use rayforce_client::wire::handshake::credentials;
/// assert_eq!(credentials("bob", "secret").unwrap(), b"\x0bbob:secret\0");
/// assert!(credentials("", &"x".repeat(300)).is_err());
/// ```
pub fn credentials(user: &str, password: &str) -> Result<Vec<u8>, HandshakeError> {
    if user.contains(['\0', ':']) || password.contains('\0') {
        return Err(HandshakeError::BadCredentials(
            "user may not contain ':' or NUL, password may not contain NUL".into(),
        ));
    }
    let n = user.len() + 1 + password.len() + 1;
    let n = u8::try_from(n).map_err(|_| {
        HandshakeError::BadCredentials(format!("user and password take {n} bytes; at most 255 fit"))
    })?;
    let mut out = Vec::with_capacity(n as usize + 1);
    out.push(n);
    out.extend_from_slice(user.as_bytes());
    out.push(b':');
    out.extend_from_slice(password.as_bytes());
    out.push(0);
    Ok(out)
}

/// Whether the server's one-byte auth result accepts the credentials.
pub fn auth_accepted(result: u8) -> bool {
    result == 0
}

/// The largest credentials message: its length is one byte.
pub const MAX_CREDENTIALS: usize = 255;

/// Splits a credentials message body (the bytes after the length byte) into user and
/// password: `user:password`, an optional trailing NUL; without a `:` all of it is the
/// password (as the real server reads it).
///
/// ```
/// use rayforce_client::wire::handshake::split_credentials;
/// assert_eq!(split_credentials(b"bob:secret\0"), (&b"bob"[..], &b"secret"[..]));
/// assert_eq!(split_credentials(b"secret"), (&b""[..], &b"secret"[..]));
/// ```
pub fn split_credentials(body: &[u8]) -> (&[u8], &[u8]) {
    let body = body.strip_suffix(&[0]).unwrap_or(body);
    match body.iter().position(|b| *b == b':') {
        Some(i) => (&body[..i], &body[i + 1..]),
        None => (&body[..0], body),
    }
}

/// Compares a password a client sent with the expected one in time that depends on
/// neither's contents nor length: both are compared over a fixed 256-byte window
/// (a credentials message cannot hold more), and the lengths are folded into the result.
///
/// ```
/// use rayforce_client::wire::handshake::password_matches;
/// assert!(password_matches(b"secret", b"secret"));
/// assert!(!password_matches(b"secre", b"secret"));
/// assert!(!password_matches(b"", b"secret"));
/// ```
pub fn password_matches(given: &[u8], expected: &[u8]) -> bool {
    const WINDOW: usize = MAX_CREDENTIALS + 1;
    let pad = |bytes: &[u8]| {
        let mut out = [0u8; WINDOW];
        let n = bytes.len().min(WINDOW);
        out[..n].copy_from_slice(&bytes[..n]);
        out
    };
    let (a, b) = (pad(given), pad(expected));
    let mut diff = (given.len() ^ expected.len()) | (expected.len() >= WINDOW) as usize;
    for i in 0..WINDOW {
        diff |= std::hint::black_box(a[i] ^ b[i]) as usize;
    }
    std::hint::black_box(diff) == 0
}

/// What a handshake driver does next: the one place the handshake's sequence is written,
/// for the client side ([`ClientHandshake`]) and the server side ([`ServerHandshake`]);
/// the sync and async clients and the native server only move the bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step {
    /// Write these bytes to the peer.
    Write(Vec<u8>),
    /// Read exactly this many bytes and pass them to `receive`.
    Read(usize),
    /// The handshake is over.
    Done,
}

/// Why a client's handshake failed, as the client reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ClientHandshakeError {
    /// The server speaks another wire version.
    VersionMismatch(u8),
    /// The server wants a password and none was configured.
    PasswordRequired,
    /// The server refused the credentials.
    AuthFailed,
    /// The credentials cannot be sent (too long, or a NUL / `:` in the user).
    BadCredentials(String),
    /// The server's reply is not part of the protocol.
    Unexpected(String),
}

impl ClientHandshakeError {
    /// The crate's error for this failure with the server at `addr` (one mapping for the
    /// sync and async clients).
    pub fn into_error(self, addr: &str) -> crate::Error {
        use crate::Error;
        let addr = addr.to_string();
        match self {
            ClientHandshakeError::VersionMismatch(got) => Error::VersionMismatch { addr, got },
            ClientHandshakeError::PasswordRequired => Error::PasswordRequired { addr },
            ClientHandshakeError::AuthFailed => Error::AuthFailed { addr },
            ClientHandshakeError::BadCredentials(m) => Error::Encode(m),
            ClientHandshakeError::Unexpected(reason) => Error::ConnectionLost { addr, reason },
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ClientState {
    Start,
    AwaitHello,
    AwaitAuth,
    Done,
}

/// The client side of the handshake (wire spec §2) as a state machine.
///
/// ```
/// use rayforce_client::wire::handshake::{ClientHandshake, Step};
/// let mut hs = ClientHandshake::new(Some(("bob".into(), "pw".into())));
/// assert_eq!(hs.step(), Step::Write(vec![3, 0]));
/// assert_eq!(hs.step(), Step::Read(2));
/// hs.receive(&[3, 1]).unwrap(); // the server wants a password
/// assert_eq!(hs.step(), Step::Write(b"\x07bob:pw\0".to_vec()));
/// assert_eq!(hs.step(), Step::Read(1));
/// hs.receive(&[0]).unwrap();
/// assert_eq!(hs.step(), Step::Done);
/// ```
#[derive(Clone, Debug)]
pub struct ClientHandshake {
    credentials: Option<(String, String)>,
    state: ClientState,
    pending: Option<Vec<u8>>,
}

impl ClientHandshake {
    /// A handshake that sends `credentials` if the server asks for them.
    pub fn new(credentials: Option<(String, String)>) -> ClientHandshake {
        ClientHandshake {
            credentials,
            state: ClientState::Start,
            pending: Some(HELLO.to_vec()),
        }
    }

    /// What to do next.
    pub fn step(&mut self) -> Step {
        if let Some(bytes) = self.pending.take() {
            if self.state == ClientState::Start {
                self.state = ClientState::AwaitHello;
            }
            return Step::Write(bytes);
        }
        match self.state {
            ClientState::Start | ClientState::AwaitHello => Step::Read(2),
            ClientState::AwaitAuth => Step::Read(1),
            ClientState::Done => Step::Done,
        }
    }

    /// Takes the bytes a [`Step::Read`] asked for.
    pub fn receive(&mut self, bytes: &[u8]) -> Result<(), ClientHandshakeError> {
        match (self.state, bytes) {
            (ClientState::AwaitHello, &[a, b]) => match parse_hello_reply([a, b]) {
                Ok(HelloReply::Ready) => {
                    self.state = ClientState::Done;
                    Ok(())
                }
                Ok(HelloReply::CredentialsRequired) => {
                    let (user, password) = self
                        .credentials
                        .as_ref()
                        .ok_or(ClientHandshakeError::PasswordRequired)?;
                    let message = credentials(user, password).map_err(|e| match e {
                        HandshakeError::BadCredentials(m) => {
                            ClientHandshakeError::BadCredentials(m)
                        }
                        other => ClientHandshakeError::Unexpected(format!("{other:?}")),
                    })?;
                    self.pending = Some(message);
                    self.state = ClientState::AwaitAuth;
                    Ok(())
                }
                Err(HandshakeError::VersionMismatch(v)) => {
                    Err(ClientHandshakeError::VersionMismatch(v))
                }
                Err(other) => Err(ClientHandshakeError::Unexpected(format!(
                    "hello reply {bytes:02x?}: {other:?}"
                ))),
            },
            (ClientState::AwaitAuth, &[result]) => {
                if auth_accepted(result) {
                    self.state = ClientState::Done;
                    Ok(())
                } else {
                    Err(ClientHandshakeError::AuthFailed)
                }
            }
            (state, bytes) => Err(ClientHandshakeError::Unexpected(format!(
                "{} byte(s) in state {state:?}",
                bytes.len()
            ))),
        }
    }

    /// What the peer closing the connection now means: during authentication the real
    /// server closes on a wrong password.
    pub fn eof_error(&self) -> ClientHandshakeError {
        match self.state {
            ClientState::AwaitAuth => ClientHandshakeError::AuthFailed,
            _ => ClientHandshakeError::Unexpected(
                "the server closed the connection during the handshake (is it a Rayforce v3 server?)"
                    .into(),
            ),
        }
    }
}

/// How a server-side handshake ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ServerOutcome {
    /// The client may send frames; `user` is the name it sent with its password (`None`
    /// when the server has no password).
    Accepted {
        /// The user name.
        user: Option<String>,
    },
    /// Close the connection after writing `reply` (a refused password gets `[1]`, after
    /// the caller's throttling delay; a wrong version gets nothing, like the real server).
    Rejected {
        /// The bytes to write before closing.
        reply: Vec<u8>,
        /// Whether this was a failed password (to be throttled and counted).
        failed_login: bool,
    },
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum ServerState {
    AwaitHello,
    SendHelloReply { auth: bool },
    AwaitCredentialsLength,
    AwaitCredentials,
    Done(ServerOutcome),
}

/// The server side of the handshake (wire spec §2) as a state machine: version check,
/// then, with a password, the credentials and a comparison that leaks nothing
/// ([`password_matches`]).
///
/// ```
/// use rayforce_client::wire::handshake::{ServerHandshake, ServerOutcome, Step};
/// let mut hs = ServerHandshake::new(Some("pw".into()));
/// assert_eq!(hs.step(), Step::Read(2));
/// hs.receive(&[3, 0]);
/// assert_eq!(hs.step(), Step::Write(vec![3, 1]));
/// assert_eq!(hs.step(), Step::Read(1));
/// hs.receive(&[6]);
/// assert_eq!(hs.step(), Step::Read(6));
/// hs.receive(b"ann:pw");
/// assert_eq!(hs.step(), Step::Write(vec![0]));
/// assert_eq!(hs.outcome(), Some(&ServerOutcome::Accepted { user: Some("ann".into()) }));
/// ```
#[derive(Clone, Debug)]
pub struct ServerHandshake {
    password: Option<String>,
    state: ServerState,
    /// Whether the accepting byte has been written.
    written: bool,
    creds_len: usize,
}

impl ServerHandshake {
    /// A handshake requiring `password` (none: every client is accepted).
    pub fn new(password: Option<String>) -> ServerHandshake {
        ServerHandshake {
            password,
            state: ServerState::AwaitHello,
            written: false,
            creds_len: 0,
        }
    }

    /// What to do next. For an accepted client the last step writes the auth byte (when
    /// there is a password); a rejected one ends with [`Step::Done`] and the caller writes
    /// [`ServerOutcome::Rejected`]'s reply itself, after any delay.
    pub fn step(&mut self) -> Step {
        match &self.state {
            ServerState::AwaitHello => Step::Read(2),
            ServerState::SendHelloReply { auth } => {
                let auth = *auth;
                self.state = if auth {
                    ServerState::AwaitCredentialsLength
                } else {
                    ServerState::Done(ServerOutcome::Accepted { user: None })
                };
                self.written = !auth;
                Step::Write(vec![VERSION, auth as u8])
            }
            ServerState::AwaitCredentialsLength => Step::Read(1),
            ServerState::AwaitCredentials => Step::Read(self.creds_len),
            ServerState::Done(ServerOutcome::Accepted { user: Some(_) }) if !self.written => {
                self.written = true;
                Step::Write(vec![0])
            }
            ServerState::Done(_) => Step::Done,
        }
    }

    /// Takes the bytes a [`Step::Read`] asked for.
    pub fn receive(&mut self, bytes: &[u8]) {
        self.state = match (&self.state, bytes) {
            (ServerState::AwaitHello, &[version, _]) if version == VERSION => {
                ServerState::SendHelloReply {
                    auth: self.password.is_some(),
                }
            }
            (ServerState::AwaitHello, _) => ServerState::Done(ServerOutcome::Rejected {
                reply: Vec::new(),
                failed_login: false,
            }),
            (ServerState::AwaitCredentialsLength, &[n]) => {
                self.creds_len = n as usize;
                if n == 0 {
                    self.reject_login()
                } else {
                    ServerState::AwaitCredentials
                }
            }
            (ServerState::AwaitCredentials, creds) => {
                let (user, given) = split_credentials(creds);
                let expected = self.password.as_deref().unwrap_or_default();
                if password_matches(given, expected.as_bytes()) {
                    ServerState::Done(ServerOutcome::Accepted {
                        user: Some(String::from_utf8_lossy(user).into_owned()),
                    })
                } else {
                    self.reject_login()
                }
            }
            (state, _) => state.clone(),
        };
    }

    fn reject_login(&self) -> ServerState {
        ServerState::Done(ServerOutcome::Rejected {
            reply: vec![1],
            failed_login: true,
        })
    }

    /// The outcome, once the handshake is over.
    pub fn outcome(&self) -> Option<&ServerOutcome> {
        match &self.state {
            ServerState::Done(outcome) => Some(outcome),
            _ => None,
        }
    }
}
