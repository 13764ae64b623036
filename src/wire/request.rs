//! [`Request`]: anything a client can send to be evaluated. Rayfall text travels as a
//! STR atom (the server parses it); a [`Value`] travels as itself (a LIST whose head is a
//! name reference is evaluated as a call); query builders implement it by compiling to a
//! `Value` expression.

use crate::{wire, Result, Value};

// Rayfall text is a STR atom; everything else is an encoded value.

/// Something that can be sent to a server for evaluation.
///
/// ```
/// use rayforce_client::{Request, Value};
/// let mut text = Vec::new();
/// "(+ 1 2)".write_payload(&mut text).unwrap();
/// let mut tree = Vec::new();
/// Value::call("+", [1i64.into(), 2i64.into()]).write_payload(&mut tree).unwrap();
/// assert_eq!(text[0], 0xf3); // a STR atom
/// assert_eq!(tree[0], 0x00); // a LIST
/// ```
pub trait Request {
    /// Appends this request's payload (one serialized value) to `out`.
    fn write_payload(&self, out: &mut Vec<u8>) -> Result<()>;

    /// Writes the payload into `out`, leaving large column bodies borrowed from the
    /// request where it can (bulk inserts), so they are sent without a copy. The default
    /// writes [`write_payload`](Self::write_payload)'s bytes.
    fn write_parts<'a>(&'a self, out: &mut wire::Parts<'a>) -> Result<()> {
        use wire::Sink;
        self.write_payload(out.buf())
    }
}

impl Request for str {
    fn write_payload(&self, out: &mut Vec<u8>) -> Result<()> {
        wire::encode_str_into(self.as_bytes(), out);
        Ok(())
    }
}

impl Request for String {
    fn write_payload(&self, out: &mut Vec<u8>) -> Result<()> {
        self.as_str().write_payload(out)
    }
}

impl Request for Value {
    fn write_payload(&self, out: &mut Vec<u8>) -> Result<()> {
        wire::encode_into(self, out)
    }
    fn write_parts<'a>(&'a self, out: &mut wire::Parts<'a>) -> Result<()> {
        wire::encode_to(self, out)
    }
}

impl<T: Request + ?Sized> Request for &T {
    fn write_payload(&self, out: &mut Vec<u8>) -> Result<()> {
        (**self).write_payload(out)
    }
    fn write_parts<'a>(&'a self, out: &mut wire::Parts<'a>) -> Result<()> {
        (**self).write_parts(out)
    }
}
