//! Errors: one [`Error`] enum for everything the SDK can report, the codec's
//! [`DecodeError`], and the server's error codes as the matchable [`ServerErrorCode`].
//!
//! This module owns error *types* only; it performs no I/O and no formatting of values.

use std::fmt;
use std::time::Duration;

/// Shorthand for `std::result::Result<T, rayforce_client::Error>`.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong when talking to a Rayforce server.
///
/// Each failure mode has its own variant so callers can `match` on it:
///
/// ```
/// use rayforce_client::{Error, ServerErrorCode};
///
/// fn describe(e: &Error) -> &'static str {
///     match e {
///         Error::Server { code: ServerErrorCode::Name, .. } => "unknown name",
///         Error::Server { .. } => "other server error",
///         Error::Timeout { .. } => "too slow",
///         Error::Closed => "client was closed",
///         _ => "something else",
///     }
/// }
/// assert_eq!(describe(&Error::Closed), "client was closed");
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The server evaluated the request and answered with an ERROR value.
    #[error("server error `{code}` from {addr}")]
    Server {
        /// The error code the server sent.
        code: ServerErrorCode,
        /// The server's address (`host:port`).
        addr: String,
    },
    /// Nothing listens at the address (TCP connection refused).
    #[error("connection to {addr} refused: is a Rayforce server listening there?")]
    ConnectionRefused {
        /// The address that refused.
        addr: String,
    },
    /// An operation did not complete within its configured timeout.
    ///
    /// With `op` = `"request"`, a request's deadline passed, the request was cancelled on
    /// the server and its answer discarded: the connection is still usable
    /// ([`is_fatal`](Error::is_fatal) is `false`). Any other `op` leaves it dead.
    #[error("{op} with {addr} timed out after {timeout:?}")]
    Timeout {
        /// What was being done (`connect`, `handshake`, `request`, `read`, `write`).
        op: &'static str,
        /// The peer's address.
        addr: String,
        /// The timeout that expired.
        timeout: Duration,
    },
    /// The request was cancelled (through a [`CancelHandle`](crate::CancelHandle)) before
    /// its answer was handed out; whatever the server answered for it is discarded (a
    /// cancelled query may answer a wrong value). The connection stays usable.
    #[error("the request to {addr} was cancelled")]
    Cancelled {
        /// The server's address.
        addr: String,
    },
    /// Messages the server pushed were dropped because the subscriber did not keep up:
    /// the push buffer was full and its `missed` oldest messages were discarded. Later
    /// messages are delivered normally.
    #[error("{missed} pushed message(s) from {addr} were dropped: the push buffer was full")]
    Lagged {
        /// The server's address.
        addr: String,
        /// How many messages were dropped.
        missed: u64,
    },
    /// The server rejected the credentials.
    #[error("authentication with {addr} failed: wrong password")]
    AuthFailed {
        /// The server's address.
        addr: String,
    },
    /// The server requires a password but none was configured.
    #[error("{addr} requires a password; set one with ClientBuilder::password")]
    PasswordRequired {
        /// The server's address.
        addr: String,
    },
    /// The peer speaks another wire version than 3.
    #[error("wire version mismatch with {addr}: expected 3, got {got}")]
    VersionMismatch {
        /// The peer's address.
        addr: String,
        /// The version byte the peer sent.
        got: u8,
    },
    /// The connection broke (EOF, reset, broken pipe) or the peer broke the protocol;
    /// the client is marked dead.
    #[error("connection to {addr} lost: {reason}")]
    ConnectionLost {
        /// The peer's address.
        addr: String,
        /// What happened.
        reason: String,
    },
    /// The peer sent bytes that are not a valid frame or value; the client is marked dead.
    #[error("protocol error with {addr}: {source}")]
    Protocol {
        /// The peer's address.
        addr: String,
        /// What was wrong with the bytes.
        #[source]
        source: DecodeError,
    },
    /// The client was closed with `close()`; open a new one.
    #[error("the client is closed")]
    Closed,
    /// An earlier error broke the connection (it may be out of step with the server);
    /// `cause` is that first error. Open a new client.
    #[error("the connection to {addr} is dead since an earlier error: {cause}")]
    Dead {
        /// The peer's address.
        addr: String,
        /// The first fatal error on this connection.
        #[source]
        cause: std::sync::Arc<Error>,
    },
    /// Any other I/O failure.
    #[error("I/O error with {addr}: {source}")]
    Io {
        /// The peer's address.
        addr: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// Encoding or decoding a value failed without any connection involved.
    #[error(transparent)]
    Decode(#[from] DecodeError),
    /// A value could not be encoded (for example a symbol containing a NUL byte).
    #[error("cannot encode value: {0}")]
    Encode(String),
    /// A value did not have the type a conversion asked for.
    #[error("type mismatch: expected {expected}, got {actual}")]
    TypeMismatch {
        /// The expected type.
        expected: String,
        /// The actual type.
        actual: String,
    },
    /// A value or query has no Rayfall text form that evaluates exactly like its tree
    /// (see [`Value::to_rayfall`](crate::Value::to_rayfall)); send the tree instead.
    #[error("no exact Rayfall text: {0}")]
    Render(String),
    /// A query was built or compiled with an invalid combination of parts.
    #[error("invalid query: {0}")]
    InvalidQuery(String),
    /// SQL that does not parse, or that uses something the lowering does not support
    /// (nothing is ever half-translated).
    #[error("SQL: {reason}: `{fragment}`")]
    Sql {
        /// What is wrong or unsupported.
        reason: String,
        /// The offending SQL fragment.
        fragment: String,
    },
    /// A Rust type does not match a table's columns; every mismatch is listed.
    #[error("{} column mismatch(es): {}", mismatches.len(), mismatches.iter().map(|m| m.to_string()).collect::<Vec<_>>().join("; "))]
    Schema {
        /// Each column that does not fit.
        mismatches: Vec<ColumnMismatch>,
    },
    /// A row could not be converted to or from a Rust value.
    #[error("row conversion: {0}")]
    Row(String),
    /// A configuration (a connection URL, an environment variable) is invalid.
    #[error("configuration: {0}")]
    Config(String),
    /// A local Rayforce server could not be started.
    #[error("local server: {0}")]
    LocalServer(String),
}

impl Error {
    /// The server's error code, if this is a server error.
    pub fn server_code(&self) -> Option<&ServerErrorCode> {
        match self {
            Error::Server { code, .. } => Some(code),
            _ => None,
        }
    }

    /// An equal error (`Error` holds an `io::Error`, which is not `Clone`: its kind and
    /// message are kept). Used to remember a connection's first fatal error.
    pub fn duplicate(&self) -> Error {
        match self {
            Error::Server { code, addr } => Error::Server {
                code: code.clone(),
                addr: addr.clone(),
            },
            Error::ConnectionRefused { addr } => Error::ConnectionRefused { addr: addr.clone() },
            Error::Timeout { op, addr, timeout } => Error::Timeout {
                op,
                addr: addr.clone(),
                timeout: *timeout,
            },
            Error::Cancelled { addr } => Error::Cancelled { addr: addr.clone() },
            Error::Lagged { addr, missed } => Error::Lagged {
                addr: addr.clone(),
                missed: *missed,
            },
            Error::AuthFailed { addr } => Error::AuthFailed { addr: addr.clone() },
            Error::PasswordRequired { addr } => Error::PasswordRequired { addr: addr.clone() },
            Error::VersionMismatch { addr, got } => Error::VersionMismatch {
                addr: addr.clone(),
                got: *got,
            },
            Error::ConnectionLost { addr, reason } => Error::ConnectionLost {
                addr: addr.clone(),
                reason: reason.clone(),
            },
            Error::Protocol { addr, source } => Error::Protocol {
                addr: addr.clone(),
                source: source.clone(),
            },
            Error::Closed => Error::Closed,
            Error::Dead { addr, cause } => Error::Dead {
                addr: addr.clone(),
                cause: cause.clone(),
            },
            Error::Io { addr, source } => Error::Io {
                addr: addr.clone(),
                source: std::io::Error::new(source.kind(), source.to_string()),
            },
            Error::Decode(e) => Error::Decode(e.clone()),
            Error::Encode(m) => Error::Encode(m.clone()),
            Error::TypeMismatch { expected, actual } => Error::TypeMismatch {
                expected: expected.clone(),
                actual: actual.clone(),
            },
            Error::Render(m) => Error::Render(m.clone()),
            Error::InvalidQuery(m) => Error::InvalidQuery(m.clone()),
            Error::Sql { reason, fragment } => Error::Sql {
                reason: reason.clone(),
                fragment: fragment.clone(),
            },
            Error::Schema { mismatches } => Error::Schema {
                mismatches: mismatches.clone(),
            },
            Error::Row(m) => Error::Row(m.clone()),
            Error::LocalServer(m) => Error::LocalServer(m.clone()),
            Error::Config(m) => Error::Config(m.clone()),
        }
    }

    /// Whether this error leaves the connection unusable.
    ///
    /// ```
    /// use rayforce_client::Error;
    /// use std::time::Duration;
    /// let request = Error::Timeout { op: "request", addr: "h:1".into(), timeout: Duration::ZERO };
    /// let read = Error::Timeout { op: "read", addr: "h:1".into(), timeout: Duration::ZERO };
    /// assert!(!request.is_fatal() && read.is_fatal());
    /// ```
    pub fn is_fatal(&self) -> bool {
        if let Error::Timeout { op, .. } = self {
            return *op != "request";
        }
        matches!(
            self,
            Error::ConnectionLost { .. }
                | Error::Protocol { .. }
                | Error::Closed
                | Error::Dead { .. }
                | Error::Io { .. }
        )
    }
}

/// One column that does not fit a Rust type (see [`Error::Schema`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnMismatch {
    /// The column (or field) name.
    pub column: String,
    /// What the Rust type needs.
    pub expected: String,
    /// What the table has (`missing` when there is no such column).
    pub actual: String,
}

impl fmt::Display for ColumnMismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "column `{}`: expected {}, found {}",
            self.column, self.expected, self.actual
        )
    }
}

/// Why a byte sequence could not be decoded. Produced by the pure codec (`wire`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DecodeError {
    /// The input ended before the value did.
    #[error("truncated input: needed {needed} more byte(s) at offset {offset}")]
    Truncated {
        /// Offset where more bytes were needed.
        offset: usize,
        /// How many more bytes were needed.
        needed: usize,
    },
    /// A type byte that this protocol version does not define.
    #[error("unknown type code {code} at offset {offset}")]
    UnknownType {
        /// The type byte.
        code: i8,
        /// Its offset.
        offset: usize,
    },
    /// A count that is negative or larger than the bytes that could hold it.
    #[error("invalid element count {count} at offset {offset}")]
    InvalidCount {
        /// The count read.
        count: i64,
        /// Its offset.
        offset: usize,
    },
    /// Values nested deeper than the configured maximum.
    #[error("nesting deeper than the limit of {max}")]
    TooDeep {
        /// The limit.
        max: usize,
    },
    /// A frame header's magic number was wrong.
    #[error("bad frame magic {0:#010x}")]
    BadMagic(u32),
    /// A frame header carried another wire version than 3.
    #[error("unsupported wire version {0}")]
    BadVersion(u8),
    /// A frame header declared big-endian data.
    #[error("unsupported endianness byte {0}")]
    BadEndian(u8),
    /// A frame header declared a negative payload size.
    #[error("invalid frame size {0}")]
    BadSize(i64),
    /// A frame is larger than the configured maximum.
    #[error("frame of {size} bytes exceeds the maximum of {max} bytes")]
    FrameTooLarge {
        /// The declared size.
        size: u64,
        /// The configured maximum.
        max: u64,
    },
    /// A compressed payload was malformed or exceeded its limits.
    #[error("bad compressed payload: {0}")]
    Compression(String),
    /// A structural rule was broken (e.g. a table whose names and columns differ in count).
    #[error("malformed value: {0}")]
    Malformed(String),
    /// Bytes followed the value where none were expected.
    #[error("{0} trailing byte(s) after the value")]
    TrailingBytes(usize),
    /// The peer sent a message type that was not expected here.
    #[error("unexpected message type {0}")]
    UnexpectedMessageType(u8),
    /// Bytes arrived while no request was waiting for a reply: the connection is out of
    /// step, so the next reply could belong to another request.
    #[error("the server sent bytes while no request was waiting for a reply")]
    UnsolicitedReply,
}

/// The error codes a Rayforce server sends in an ERROR value (wire spec §5.8).
///
/// The set is open: unknown codes arrive as [`ServerErrorCode::Other`].
///
/// ```
/// use rayforce_client::ServerErrorCode;
/// assert_eq!(ServerErrorCode::from_code("type"), ServerErrorCode::Type);
/// assert_eq!(ServerErrorCode::from_code("weird").as_str(), "weird");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ServerErrorCode {
    /// `type`: an operand had the wrong type.
    Type,
    /// `arity`: wrong number of arguments.
    Arity,
    /// `length`: operands of different lengths.
    Length,
    /// `domain`: a value outside the function's domain (also what `raise` produces).
    Domain,
    /// `index`: an index out of range.
    Index,
    /// `value`: a bad value.
    Value,
    /// `limit`: a limit was exceeded.
    Limit,
    /// `os`: an operating-system call failed.
    Os,
    /// `parse`: the request text did not parse.
    Parse,
    /// `nyi`: not yet implemented.
    Nyi,
    /// `name`: an undefined name.
    Name,
    /// `access`: not allowed for this connection (restricted mode, `-U`).
    Access,
    /// `oom`: out of memory.
    Oom,
    /// `range`: out of range.
    Range,
    /// `rank`: wrong rank.
    Rank,
    /// `io`: an I/O failure on the server.
    Io,
    /// `schema`: e.g. an unknown column.
    Schema,
    /// `corrupt`: corrupt data.
    Corrupt,
    /// `cancel`: the query was cancelled.
    Cancel,
    /// `reserve`: reserved.
    Reserve,
    /// `version`: version mismatch.
    Version,
    /// `fpenv`: floating-point environment.
    Fpenv,
    /// Any other code, verbatim.
    Other(String),
}

const CODES: &[(&str, ServerErrorCode)] = &[
    ("type", ServerErrorCode::Type),
    ("arity", ServerErrorCode::Arity),
    ("length", ServerErrorCode::Length),
    ("domain", ServerErrorCode::Domain),
    ("index", ServerErrorCode::Index),
    ("value", ServerErrorCode::Value),
    ("limit", ServerErrorCode::Limit),
    ("os", ServerErrorCode::Os),
    ("parse", ServerErrorCode::Parse),
    ("nyi", ServerErrorCode::Nyi),
    ("name", ServerErrorCode::Name),
    ("access", ServerErrorCode::Access),
    ("oom", ServerErrorCode::Oom),
    ("range", ServerErrorCode::Range),
    ("rank", ServerErrorCode::Rank),
    ("io", ServerErrorCode::Io),
    ("schema", ServerErrorCode::Schema),
    ("corrupt", ServerErrorCode::Corrupt),
    ("cancel", ServerErrorCode::Cancel),
    ("reserve", ServerErrorCode::Reserve),
    ("version", ServerErrorCode::Version),
    ("fpenv", ServerErrorCode::Fpenv),
];

impl ServerErrorCode {
    /// Maps the code text the server sent to a variant.
    pub fn from_code(code: &str) -> ServerErrorCode {
        CODES
            .iter()
            .find(|(text, _)| *text == code)
            .map(|(_, variant)| variant.clone())
            .unwrap_or_else(|| ServerErrorCode::Other(code.to_string()))
    }

    /// The code as the server writes it.
    pub fn as_str(&self) -> &str {
        match self {
            ServerErrorCode::Other(text) => text,
            known => CODES
                .iter()
                .find(|(_, variant)| variant == known)
                .map(|(text, _)| *text)
                .unwrap_or(""),
        }
    }
}

impl fmt::Display for ServerErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_known_code_round_trips_through_its_text() {
        for (text, variant) in CODES {
            assert_eq!(&ServerErrorCode::from_code(text), variant);
            assert_eq!(variant.as_str(), *text);
        }
        assert_eq!(
            ServerErrorCode::from_code("zzz"),
            ServerErrorCode::Other("zzz".into())
        );
    }
}
