//! Payload encoding: [`Value`] → bytes (wire spec §5), byte-exact with the server.
//!
//! The exact size is computed first so the output is allocated once; fixed-width vectors
//! are written with one bulk copy. The only failures are values the wire cannot carry
//! (a NUL inside a symbol or builtin name, an error code over 8 bytes, nesting deeper than
//! [`MAX_ENCODE_DEPTH`], which the server would refuse and which could exhaust the stack).

use crate::value::{Symbol, Text, TextColumn, Type, Value, Vector};
use crate::{Error, Result};

/// Vector attribute: at least one element is null.
pub const ATTR_HAS_NULLS: u8 = 0x40;
/// Vector attribute the server puts on a table's column-name vector.
pub const ATTR_TABLE_NAMES: u8 = 0x03;

/// The deepest nesting the encoder writes: the server's own decode limit (wire spec
/// §3.4), which is also [`Limits::default`](super::Limits)'s `max_depth`. Deeper values
/// are an [`Error::Encode`], never a stack overflow.
pub const MAX_ENCODE_DEPTH: usize = 512;

/// Where an encoding goes: a byte buffer (`Vec<u8>`), or [`Parts`], which keeps large
/// fixed-width column bodies borrowed from the values so a large request is sent without
/// copying them.
pub trait Sink<'a> {
    /// The owned bytes written so far.
    fn buf(&mut self) -> &mut Vec<u8>;
    /// The body of a fixed-width column, borrowed for as long as the value lives.
    fn column(&mut self, bytes: &'a [u8]) {
        self.buf().extend_from_slice(bytes);
    }
}

impl Sink<'_> for Vec<u8> {
    fn buf(&mut self) -> &mut Vec<u8> {
        self
    }
}

/// Column bodies at least this large are borrowed by [`Parts`] rather than copied.
pub const BORROW_ABOVE: usize = 64 << 10;

/// An encoded payload in pieces: owned bytes with large column bodies borrowed from the
/// values at the offsets where they belong.
#[derive(Debug, Default)]
pub struct Parts<'a> {
    buf: Vec<u8>,
    /// `(offset in buf, bytes)`: `bytes` go before `buf[offset..]`.
    borrowed: Vec<(usize, &'a [u8])>,
}

impl<'a> Parts<'a> {
    /// Empty parts writing into `buf` (cleared; its capacity is reused).
    pub fn new(mut buf: Vec<u8>) -> Parts<'a> {
        buf.clear();
        Parts {
            buf,
            borrowed: Vec::new(),
        }
    }

    /// The payload's length in bytes.
    pub fn len(&self) -> usize {
        self.buf.len() + self.borrowed.iter().map(|(_, b)| b.len()).sum::<usize>()
    }

    /// Whether the payload is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether every byte is in the owned buffer (nothing borrowed).
    pub fn is_contiguous(&self) -> bool {
        self.borrowed.is_empty()
    }

    /// The payload's pieces in order.
    pub fn slices(&self) -> Vec<&[u8]> {
        let mut out = Vec::with_capacity(self.borrowed.len() * 2 + 1);
        let mut at = 0;
        for (offset, bytes) in &self.borrowed {
            out.push(&self.buf[at..*offset]);
            out.push(*bytes);
            at = *offset;
        }
        out.push(&self.buf[at..]);
        out.retain(|s| !s.is_empty());
        out
    }

    /// The owned buffer back (for reuse), and the payload as one contiguous copy if it
    /// was in pieces.
    pub fn into_buf(self) -> Vec<u8> {
        if self.borrowed.is_empty() {
            return self.buf;
        }
        let mut whole = Vec::with_capacity(self.len());
        for slice in self.slices() {
            whole.extend_from_slice(slice);
        }
        whole
    }

    /// The owned buffer, for reuse once the parts have been sent.
    pub fn take_buf(self) -> Vec<u8> {
        self.buf
    }
}

impl<'a> Sink<'a> for Parts<'a> {
    fn buf(&mut self) -> &mut Vec<u8> {
        &mut self.buf
    }
    fn column(&mut self, bytes: &'a [u8]) {
        if bytes.len() >= BORROW_ABOVE {
            self.borrowed.push((self.buf.len(), bytes));
        } else {
            self.buf.extend_from_slice(bytes);
        }
    }
}

/// Appends the encoding of `value` to any [`Sink`] (large column bodies may stay borrowed).
pub fn encode_to<'a, S: Sink<'a>>(value: &'a Value, out: &mut S) -> Result<()> {
    write_value(out, value, 0)
}

/// Encodes one value into a new buffer.
///
/// ```
/// use rayforce_client::{wire, Value};
/// assert_eq!(wire::encode(&Value::I64(3)).unwrap(), [0xfb, 0, 3, 0, 0, 0, 0, 0, 0, 0]);
/// assert!(wire::encode(&Value::symbol("a\0b")).is_err());
/// ```
pub fn encode(value: &Value) -> Result<Vec<u8>> {
    let mut out = Vec::with_capacity(encoded_len(value));
    super::hugepages::advise(&out);
    encode_into(value, &mut out)?;
    Ok(out)
}

/// Appends the encoding of `value` to `out`. On error `out` may hold a partial value.
pub fn encode_into(value: &Value, out: &mut Vec<u8>) -> Result<()> {
    out.reserve(encoded_len(value));
    write_value(out, value, 0)
}

/// The exact number of bytes [`encode`] produces for `value` (for a value nested deeper
/// than [`MAX_ENCODE_DEPTH`], which does not encode, a lower bound).
pub fn encoded_len(value: &Value) -> usize {
    len_at(value, 0)
}

fn len_at(value: &Value, depth: usize) -> usize {
    if depth > MAX_ENCODE_DEPTH {
        return 0;
    }
    let encoded_len = |v: &Value| len_at(v, depth + 1);
    match value {
        Value::Bool(_) | Value::U8(_) => 3,
        Value::I16(_) => 4,
        Value::I32(_) | Value::F32(_) | Value::Date(_) | Value::Time(_) => 6,
        Value::I64(_) | Value::F64(_) | Value::Timestamp(_) => 10,
        Value::Guid(_) => 18,
        Value::Symbol(s) => 3 + s.text.len(),
        Value::Str(t) => 10 + t.len(),
        Value::TypedNull(t) => match t {
            Type::Symbol => 3,
            Type::Str => 10,
            t => 2 + t.width().unwrap_or(0),
        },
        Value::Vector(v) => 10 + vector_body_len(v),
        Value::List(items) => 10 + items.iter().map(encoded_len).sum::<usize>(),
        Value::Dict(d) => 2 + encoded_len(&d.keys) + encoded_len(&d.values),
        Value::Table(t) => {
            2 + 10
                + text_column_len(t.names(), false)
                + 10
                + t.columns().iter().map(encoded_len).sum::<usize>()
        }
        Value::Lambda(l) => {
            2 + 10
                + text_column_len(&l.params, false)
                + 10
                + l.body.iter().map(encoded_len).sum::<usize>()
                + l.closure.as_deref().map(encoded_len).unwrap_or(0)
        }
        Value::Builtin(b) => 2 + b.name.len(),
        Value::Null => 1,
        Value::Error(_) => 9,
    }
}

fn text_column_len(col: &TextColumn, with_lengths: bool) -> usize {
    if with_lengths {
        col.bytes().len() + 8 * col.len()
    } else {
        col.bytes().len() + col.len()
    }
}

fn vector_body_len(v: &Vector) -> usize {
    match v {
        Vector::Symbol(c) => text_column_len(c, false),
        Vector::Str(c) => text_column_len(c, true),
        other => other.len() * other.elem_type().width().unwrap_or(0),
    }
}

fn no_nul(bytes: &[u8], what: &str) -> Result<()> {
    if memchr::memchr(0, bytes).is_some() {
        return Err(Error::Encode(format!(
            "{what} {:?} contains a NUL byte, which the wire format cannot carry",
            String::from_utf8_lossy(bytes)
        )));
    }
    Ok(())
}

fn write_cstr(out: &mut Vec<u8>, text: &Text, what: &str) -> Result<()> {
    no_nul(text.as_bytes(), what)?;
    out.extend_from_slice(text.as_bytes());
    out.push(0);
    Ok(())
}

/// One value at nesting `depth`. The recursive path (this function and the compound
/// writers) keeps small stack frames; leaves are written by [`write_leaf`].
fn write_value<'a, S: Sink<'a>>(out: &mut S, value: &'a Value, depth: usize) -> Result<()> {
    if depth > MAX_ENCODE_DEPTH {
        return Err(Error::Encode(format!(
            "value nested deeper than {MAX_ENCODE_DEPTH} levels (the server's limit)"
        )));
    }
    match value {
        Value::List(items) => write_list(out, items, depth),
        Value::Dict(d) => {
            encode_dict_header(out.buf());
            write_value(out, &d.keys, depth + 1)?;
            write_value(out, &d.values, depth + 1)
        }
        Value::Table(t) => write_table(out, t, depth),
        Value::Lambda(l) => {
            out.buf().extend_from_slice(&[100, l.attrs]);
            write_vector_of_names(out.buf(), &l.params, 0)?;
            write_list(out, &l.body, depth + 1)?;
            match &l.closure {
                Some(closure) => write_value(out, closure, depth + 1),
                None => Ok(()),
            }
        }
        leaf => write_leaf(out, leaf),
    }
}

/// A value that holds no other value.
#[inline(never)]
fn write_leaf<'a, S: Sink<'a>>(sink: &mut S, value: &'a Value) -> Result<()> {
    if let Value::Vector(v) = value {
        return write_vector(sink, v, if v.has_nulls() { ATTR_HAS_NULLS } else { 0 });
    }
    let out = sink.buf();
    let atom = |out: &mut Vec<u8>, t: Type, flags: u8, bytes: &[u8]| {
        out.push((t.code() as i8).wrapping_neg() as u8);
        out.push(flags);
        out.extend_from_slice(bytes);
    };
    match value {
        Value::Bool(b) => atom(out, Type::Bool, 0, &[*b as u8]),
        Value::U8(x) => atom(out, Type::U8, 0, &[*x]),
        Value::I16(x) => atom(out, Type::I16, 0, &x.to_le_bytes()),
        Value::I32(x) => atom(out, Type::I32, 0, &x.to_le_bytes()),
        Value::I64(x) => atom(out, Type::I64, 0, &x.to_le_bytes()),
        Value::F32(x) => atom(out, Type::F32, 0, &x.to_le_bytes()),
        Value::F64(x) => atom(out, Type::F64, 0, &x.to_le_bytes()),
        Value::Date(x) => atom(out, Type::Date, 0, &x.0.to_le_bytes()),
        Value::Time(x) => atom(out, Type::Time, 0, &x.0.to_le_bytes()),
        Value::Timestamp(x) => atom(out, Type::Timestamp, 0, &x.0.to_le_bytes()),
        Value::Guid(g) => atom(out, Type::Guid, 0, &g.0),
        Value::Symbol(Symbol { text, quoted }) => {
            atom(out, Type::Symbol, if *quoted { 0x20 } else { 0 }, &[]);
            write_cstr(out, text, "symbol")?;
        }
        Value::Str(t) => encode_str_into(t.as_bytes(), out),
        Value::TypedNull(t) => write_typed_null(out, *t),
        Value::Vector(_) => unreachable!("vectors are written above"),
        Value::List(_) | Value::Dict(_) | Value::Table(_) | Value::Lambda(_) => {
            return Err(Error::Encode(
                "internal: a compound value reached write_leaf".into(),
            ))
        }
        Value::Builtin(b) => {
            out.push(match b.kind {
                crate::value::BuiltinKind::Unary => 101,
                crate::value::BuiltinKind::Binary => 102,
                crate::value::BuiltinKind::Variadic => 103,
            });
            write_cstr(out, &b.name, "builtin name")?;
        }
        Value::Null => out.push(126),
        Value::Error(code) => {
            let text = code.as_str().as_bytes();
            if text.len() > 8 {
                return Err(Error::Encode(format!(
                    "error code {:?} is longer than 8 bytes",
                    code.as_str()
                )));
            }
            no_nul(text, "error code")?;
            out.push(127);
            let mut padded = [0u8; 8];
            padded[..text.len()].copy_from_slice(text);
            out.extend_from_slice(&padded);
        }
    }
    Ok(())
}

fn write_table<'a, S: Sink<'a>>(
    out: &mut S,
    t: &'a crate::value::Table,
    depth: usize,
) -> Result<()> {
    out.buf().extend_from_slice(&[98, 0]);
    write_vector_of_names(out.buf(), t.names(), ATTR_TABLE_NAMES)?;
    write_list(out, t.columns(), depth + 1)
}

/// Appends the encoding of a table without wrapping (and cloning) it into a [`Value`].
pub fn encode_table_into(t: &crate::value::Table, out: &mut Vec<u8>) -> Result<()> {
    write_table(out, t, 0)
}

/// [`encode_table_into`] for any [`Sink`].
pub fn encode_table_to<'a, S: Sink<'a>>(t: &'a crate::value::Table, out: &mut S) -> Result<()> {
    write_table(out, t, 0)
}

/// Appends the header of a DICT; its keys and then its values must follow.
pub fn encode_dict_header(out: &mut Vec<u8>) {
    out.extend_from_slice(&[99, 0]);
}

/// Appends a STR atom holding `text` (how Rayfall source travels in a request).
pub fn encode_str_into(text: &[u8], out: &mut Vec<u8>) {
    out.reserve(10 + text.len());
    out.extend_from_slice(&[(Type::Str.code() as i8).wrapping_neg() as u8, 0]);
    out.extend_from_slice(&(text.len() as i64).to_le_bytes());
    out.extend_from_slice(text);
}

/// Appends the header of a LIST of `len` items; the items must follow.
pub fn encode_list_header(len: usize, out: &mut Vec<u8>) {
    out.extend_from_slice(&[0, 0]);
    out.extend_from_slice(&(len as i64).to_le_bytes());
}

fn write_typed_null(out: &mut Vec<u8>, t: Type) {
    out.push((t.code() as i8).wrapping_neg() as u8);
    // The null symbol is sent as the empty *quoted* symbol (`'`), flags 0x20: with the
    // null flag, or without the quote flag, the server evaluates a lookup of the empty
    // name. It decodes back as `Symbol { text: "", quoted: true }`.
    out.push(if t == Type::Symbol { 0x20 } else { 1 });
    match t {
        Type::Bool | Type::U8 => out.push(0),
        Type::I16 => out.extend_from_slice(&i16::MIN.to_le_bytes()),
        Type::I32 | Type::Date | Type::Time => out.extend_from_slice(&i32::MIN.to_le_bytes()),
        Type::I64 | Type::Timestamp => out.extend_from_slice(&i64::MIN.to_le_bytes()),
        Type::F32 => out.extend_from_slice(&0x7fc0_0000u32.to_le_bytes()),
        Type::F64 => out.extend_from_slice(&0x7ff8_0000_0000_0000u64.to_le_bytes()),
        Type::Guid => out.extend_from_slice(&[0; 16]),
        Type::Symbol => out.push(0),
        Type::Str => out.extend_from_slice(&0i64.to_le_bytes()),
    }
}

fn write_list<'a, S: Sink<'a>>(out: &mut S, items: &'a [Value], depth: usize) -> Result<()> {
    out.buf().extend_from_slice(&[0, 0]);
    out.buf()
        .extend_from_slice(&(items.len() as i64).to_le_bytes());
    for item in items {
        write_value(out, item, depth + 1)?;
    }
    Ok(())
}

fn write_vector_of_names(out: &mut Vec<u8>, names: &TextColumn, attrs: u8) -> Result<()> {
    out.extend_from_slice(&[Type::Symbol.code(), attrs]);
    out.extend_from_slice(&(names.len() as i64).to_le_bytes());
    write_symbols(out, names)
}

fn write_symbols(out: &mut Vec<u8>, col: &TextColumn) -> Result<()> {
    no_nul(col.bytes(), "symbol")?;
    for s in col.iter() {
        out.extend_from_slice(s);
        out.push(0);
    }
    Ok(())
}

fn write_vector<'a, S: Sink<'a>>(sink: &mut S, v: &'a Vector, attrs: u8) -> Result<()> {
    let out = sink.buf();
    out.extend_from_slice(&[v.elem_type().code(), attrs]);
    out.extend_from_slice(&(v.len() as i64).to_le_bytes());
    let body: &'a [u8] = match v {
        Vector::Bool(x) => {
            out.extend(x.iter().map(|b| *b as u8));
            return Ok(());
        }
        Vector::Symbol(c) => return write_symbols(out, c),
        Vector::Str(c) => {
            for s in c.iter() {
                out.extend_from_slice(&(s.len() as i64).to_le_bytes());
                out.extend_from_slice(s);
            }
            return Ok(());
        }
        Vector::U8(x) => x,
        Vector::I16(x) => bytemuck::cast_slice(x),
        Vector::I32(x) => bytemuck::cast_slice(x),
        Vector::I64(x) => bytemuck::cast_slice(x),
        Vector::F32(x) => bytemuck::cast_slice(x),
        Vector::F64(x) => bytemuck::cast_slice(x),
        Vector::Date(x) => bytemuck::cast_slice(x),
        Vector::Time(x) => bytemuck::cast_slice(x),
        Vector::Timestamp(x) => bytemuck::cast_slice(x),
        Vector::Guid(x) => bytemuck::cast_slice(x),
    };
    sink.column(body);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::{Dict, Table};

    #[test]
    fn encoded_len_is_exact() {
        let values = vec![
            Value::TypedNull(Type::Guid),
            Value::TypedNull(Type::Str),
            Value::from(vec!["ab", ""]),
            Value::Dict(Dict::from_pairs([("k", Value::I64(1))])),
            Value::Table(
                Table::new(
                    ["a"],
                    vec![Value::Vector(Vector::Symbol(["x"].into_iter().collect()))],
                )
                .unwrap(),
            ),
            Value::Error(crate::ServerErrorCode::Type),
        ];
        for v in values {
            assert_eq!(encode(&v).unwrap().len(), encoded_len(&v), "{v:?}");
        }
    }

    #[test]
    fn too_deep_values_are_an_error_not_a_stack_overflow() {
        std::thread::Builder::new()
            .stack_size(2 << 20)
            .spawn(|| {
                let mut v = Value::Null;
                for _ in 0..2000 {
                    v = Value::List(vec![v]);
                }
                let err = encode(&v).unwrap_err();
                assert!(err.to_string().contains("deeper than 512"), "{err}");
            })
            .unwrap()
            .join()
            .expect("no stack overflow");
    }

    #[test]
    fn nul_in_symbol_vector_is_rejected() {
        let v = Value::Vector(Vector::Symbol(["ok", "bad\0"].into_iter().collect()));
        let err = encode(&v).unwrap_err();
        assert!(err.to_string().contains("NUL"), "{err}");
    }
}
