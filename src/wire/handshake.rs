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
/// use rayforce::wire::handshake::{parse_hello_reply, HelloReply, HandshakeError};
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
/// use rayforce::wire::handshake::credentials;
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
/// use rayforce::wire::handshake::split_credentials;
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
/// use rayforce::wire::handshake::password_matches;
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
