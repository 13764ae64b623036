//! Payload decoding: bytes → [`Value`] (wire spec §5), from a slice or straight from any
//! buffered byte stream (so a client can decode a reply while it arrives, with no
//! intermediate payload buffer: a 10M-element column is read into its final `Vec<i64>`).
//!
//! Untrusted input is the rule here: every count is checked against the bytes the frame
//! announces, and no buffer is ever sized by a count alone: each grows with the bytes that
//! have actually arrived (doubling, and reserving the whole column only once a 64th of it
//! has arrived, see [`next_capacity`]),
//! nesting is bounded by [`Limits::max_depth`], and every problem is a [`DecodeError`]
//! (or, for streams, the reader's own I/O error). The decoder never reads past the
//! announced payload size.

use super::Limits;
use crate::value::{
    Builtin, BuiltinKind, Date, Dict, Guid, Lambda, Symbol, Table, Text, TextColumn, Time,
    Timestamp, Type, Value, Vector,
};
use crate::{DecodeError, ServerErrorCode};
use std::io::{self, BufRead, Read};

/// Bytes are read into a growing buffer in steps of at most this size.
const CHUNK: usize = 16 << 20;
/// The first reservation for a column or string, in bytes.
const FIRST_STEP: usize = 64 << 10;
/// Once this fraction (1/N) of a column has arrived, the rest is reserved at once: a
/// lying count costs at most N times the bytes actually sent.
const TRUST_AFTER: usize = 64;

/// The most scratch memory a thread keeps between replies.
const MAX_KEPT_SCRATCH: usize = 4 << 20;

thread_local! {
    /// Where a fixed-width column's first bytes wait until its count can be trusted.
    static PREFIX: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// The capacity (in elements of `width` bytes) a buffer holding `have` of `count` elements
/// may grow to now. Memory follows the bytes received, whatever the counts claim: the
/// buffer doubles from `FIRST_STEP` bytes, and only once a 64th of the column has arrived
/// is the whole column reserved, so a lying count costs at most 64 times the bytes
/// actually sent, while an honest large reply pays a few small copies and one jump.
pub(crate) fn next_capacity(have: usize, count: usize, width: usize) -> usize {
    if have.saturating_mul(TRUST_AFTER) >= count {
        return count;
    }
    let first = (FIRST_STEP / width.max(1)).max(1);
    count.min(have.saturating_mul(2).max(first))
}

/// Why [`decode_stream`] failed.
#[derive(Debug)]
pub enum StreamError {
    /// The bytes are not a valid value.
    Decode(DecodeError),
    /// The reader failed (timeout, reset…).
    Io(io::Error),
}

/// Decodes exactly one value that fills `bytes` entirely.
///
/// ```
/// use rayforce_client::{wire, Value};
/// let v = wire::decode(&[0xfb, 0, 3, 0, 0, 0, 0, 0, 0, 0], &wire::Limits::default()).unwrap();
/// assert_eq!(v, Value::I64(3));
/// assert!(wire::decode(&[0xfb, 0, 3], &wire::Limits::default()).is_err());
/// ```
pub fn decode(bytes: &[u8], limits: &Limits) -> Result<Value, DecodeError> {
    let (value, used) = decode_prefix(bytes, limits)?;
    if used != bytes.len() {
        return Err(DecodeError::TrailingBytes(bytes.len() - used));
    }
    Ok(value)
}

/// Decodes one value from the start of `bytes`; returns it and how many bytes it used.
pub fn decode_prefix(bytes: &[u8], limits: &Limits) -> Result<(Value, usize), DecodeError> {
    let mut source = bytes;
    let mut reader = Reader::new(&mut source, bytes.len() as u64, limits);
    let value = reader.value(0).map_err(|e| match e {
        StreamError::Decode(d) => d,
        // A slice only fails by ending early, which `Reader` reports as `Truncated`.
        StreamError::Io(e) => DecodeError::Malformed(e.to_string()),
    })?;
    let used = bytes.len() - reader.remaining();
    Ok((value, used))
}

/// Decodes one value from a stream holding a payload of `size` bytes, reading exactly
/// `size` bytes (a shorter value is `TrailingBytes`, after the rest is consumed).
pub fn decode_stream(
    reader: &mut impl BufRead,
    size: u64,
    limits: &Limits,
) -> Result<Value, StreamError> {
    let mut r = Reader::new(reader, size, limits);
    let value = r.value(0)?;
    let left = r.remaining();
    if left != 0 {
        io::copy(&mut r.src, &mut io::sink()).map_err(StreamError::Io)?;
        return Err(StreamError::Decode(DecodeError::TrailingBytes(left)));
    }
    Ok(value)
}

/// Decodes one value from a stream holding a payload of `size` bytes into `out`, reusing
/// the memory `out` already holds: a table or list whose columns have the same types as
/// before, and vectors of the same type, are read into their existing buffers (nothing is
/// allocated or zeroed when they have room). Anything else replaces `out`. On error, `out`
/// holds some valid value (partly overwritten).
///
/// ```
/// use rayforce_client::{wire, Value};
/// let mut out = Value::from(vec![0i64; 4]);
/// let bytes = wire::encode(&Value::from(vec![7i64, 8])).unwrap();
/// wire::decode_stream_into(&mut &bytes[..], bytes.len() as u64, &wire::Limits::default(), &mut out)
///     .unwrap();
/// assert_eq!(out, Value::from(vec![7i64, 8]));
/// ```
pub fn decode_stream_into(
    reader: &mut impl BufRead,
    size: u64,
    limits: &Limits,
    out: &mut Value,
) -> Result<(), StreamError> {
    let mut r = Reader::new(reader, size, limits);
    r.value_into(0, out)?;
    let left = r.remaining();
    if left != 0 {
        io::copy(&mut r.src, &mut io::sink()).map_err(StreamError::Io)?;
        return Err(StreamError::Decode(DecodeError::TrailingBytes(left)));
    }
    Ok(())
}

/// Element types a vector reply can be decoded into a caller's buffer
/// ([`decode_column_into`]): the fixed-width Rayforce types, with their wire type.
pub trait ColumnElement: bytemuck::Pod {
    /// The element's Rayforce type.
    const TYPE: Type;
}

macro_rules! column_elements {
    ($($t:ty => $variant:ident),* $(,)?) => {$(
        impl ColumnElement for $t {
            const TYPE: Type = Type::$variant;
        }
    )*};
}

column_elements!(
    i16 => I16, i32 => I32, i64 => I64, f32 => F32, f64 => F64,
    Date => Date, Time => Time, Timestamp => Timestamp, Guid => Guid,
);

/// What [`decode_column_into`] found.
#[derive(Debug)]
pub enum ColumnReply {
    /// The reply was a vector of the element type; it is in the caller's buffer.
    Filled,
    /// The reply was something else, decoded as a value (the stream is in step either way).
    Other(Value),
}

/// Decodes a reply payload of `size` bytes that should be a vector of `T` straight into
/// `out`, reusing its memory: `out` ends up holding exactly the vector's elements. When
/// `out` already has room (a buffer kept across calls), the bytes are read into memory that
/// is already touched: nothing is allocated or zeroed. When it must grow, it grows with
/// the bytes that arrive, as every column does. Any other reply is decoded as a value.
pub fn decode_column_into<T: ColumnElement>(
    reader: &mut impl BufRead,
    size: u64,
    limits: &Limits,
    out: &mut Vec<T>,
) -> Result<ColumnReply, StreamError> {
    let head = reader.fill_buf().map_err(StreamError::Io)?;
    if head.first() != Some(&T::TYPE.code()) {
        return decode_stream(reader, size, limits).map(ColumnReply::Other);
    }
    let mut r = Reader::new(reader, size, limits);
    r.u8()?; // the type
    r.u8()?; // attributes
    let count = r.count(std::mem::size_of::<T>())?;
    r.pod_into(count, out)?;
    let left = r.remaining();
    if left != 0 {
        io::copy(&mut r.src, &mut io::sink()).map_err(StreamError::Io)?;
        return Err(StreamError::Decode(DecodeError::TrailingBytes(left)));
    }
    Ok(ColumnReply::Filled)
}

/// Splits NUL-terminated symbols off the front of `buf` into `bytes` (without the NULs)
/// and `ends`, at most `left` of them (decremented); returns the bytes consumed. Bytes
/// after the last NUL start a symbol that continues in the next buffer fill. One pass over
/// the block: each byte is copied, and a NUL closes a symbol — no per-symbol search or
/// append (symbols are mostly a few bytes long, where those dominate).
fn split_symbols(
    buf: &[u8],
    left: &mut usize,
    bytes: &mut Vec<u8>,
    ends: &mut Vec<usize>,
) -> usize {
    let base = bytes.len();
    bytes.resize(base + buf.len(), 0);
    let out = &mut bytes[base..];
    let (mut written, mut used) = (0, 0);
    for &b in buf {
        // A NUL written here is overwritten by the next byte (`written` does not move).
        out[written] = b;
        used += 1;
        if b == 0 {
            ends.push(base + written);
            *left -= 1;
            if *left == 0 {
                break;
            }
        } else {
            written += 1;
        }
    }
    bytes.truncate(base + written);
    used
}

struct Reader<R: BufRead> {
    src: io::Take<R>,
    size: u64,
    max_depth: usize,
}

type Res<T> = Result<T, StreamError>;

impl<R: BufRead> Reader<R> {
    fn new(src: R, size: u64, limits: &Limits) -> Self {
        Reader {
            src: src.take(size),
            size,
            max_depth: limits.max_depth,
        }
    }

    fn remaining(&self) -> usize {
        self.src.limit() as usize
    }

    fn offset(&self) -> usize {
        (self.size - self.src.limit()) as usize
    }

    fn truncated(&self, needed: usize) -> StreamError {
        StreamError::Decode(DecodeError::Truncated {
            offset: self.offset(),
            needed,
        })
    }

    fn fill(&mut self, out: &mut [u8]) -> Res<()> {
        if out.len() > self.remaining() {
            return Err(self.truncated(out.len() - self.remaining()));
        }
        self.src.read_exact(out).map_err(|e| match e.kind() {
            io::ErrorKind::UnexpectedEof => self.truncated(1),
            _ => StreamError::Io(e),
        })
    }

    fn array<const N: usize>(&mut self) -> Res<[u8; N]> {
        let mut out = [0u8; N];
        self.fill(&mut out)?;
        Ok(out)
    }

    fn u8(&mut self) -> Res<u8> {
        Ok(self.array::<1>()?[0])
    }

    fn i64(&mut self) -> Res<i64> {
        Ok(i64::from_le_bytes(self.array()?))
    }

    /// A count: non-negative, and `count * min_elem_bytes` must fit in what remains,
    /// so nothing is ever allocated for bytes that are not there.
    fn count(&mut self, min_elem_bytes: usize) -> Res<usize> {
        let offset = self.offset();
        let count = self.i64()?;
        if count < 0 {
            return Err(StreamError::Decode(DecodeError::InvalidCount {
                count,
                offset,
            }));
        }
        let needed = count as u128 * min_elem_bytes as u128;
        let remaining = self.remaining() as u128;
        if needed > remaining {
            return Err(self.truncated((needed - remaining).min(usize::MAX as u128) as usize));
        }
        Ok(count as usize)
    }

    /// Appends `n` bytes to `out`, growing it only as bytes arrive.
    fn bytes_into(&mut self, out: &mut Vec<u8>, n: usize) -> Res<()> {
        let base = out.len();
        let mut got = 0;
        while got < n {
            let want = next_capacity(got, n, 1);
            let step = (want - got).min(CHUNK);
            let start = out.len();
            out.resize(start + step, 0);
            self.fill(&mut out[start..])?;
            got = out.len() - base;
        }
        Ok(())
    }

    /// A NUL-terminated byte string, appended to `out` without the NUL.
    fn cstr_into(&mut self, out: &mut Vec<u8>) -> Res<()> {
        let start = out.len();
        self.src.read_until(0, out).map_err(StreamError::Io)?;
        if out.len() == start || out.last() != Some(&0) {
            return Err(self.truncated(1));
        }
        out.pop();
        Ok(())
    }

    /// `count` NUL-terminated symbols, scanned straight in the reader's buffer (one
    /// memchr pass; a symbol split across two buffer fills is joined). Room is reserved
    /// per buffer fill, for what those bytes can hold, never for what `count` claims.
    fn symbols_into(
        &mut self,
        count: usize,
        bytes: &mut Vec<u8>,
        ends: &mut Vec<usize>,
    ) -> Res<()> {
        let mut left = count;
        while left > 0 {
            let remaining = self.remaining();
            let buf = self.src.fill_buf().map_err(StreamError::Io)?;
            if buf.is_empty() {
                return Err(self.truncated(left));
            }
            let done = count - left;
            if done.saturating_mul(TRUST_AFTER) >= count && done > 0 && ends.capacity() < count {
                // A 64th has arrived: room for the rest at the average length so far (and
                // a quarter more), hinted once: a hint on a buffer that still grows would
                // make every later growth a copy.
                ends.reserve_exact(left);
                let average = bytes.len() / done + 1;
                let estimate = average.saturating_mul(left).saturating_mul(5) / 4;
                bytes.reserve(estimate.min(remaining));
                super::hugepages::advise(bytes);
                super::hugepages::advise(ends);
            } else {
                // Every symbol takes at least its NUL: `buf` holds at most `buf.len()` of them.
                ends.reserve(left.min(buf.len()));
                bytes.reserve(buf.len());
            }
            let used = split_symbols(buf, &mut left, bytes, ends);
            self.src.consume(used);
        }
        Ok(())
    }

    /// A fixed-width column of `count` elements. Its buffer grows with the bytes that have
    /// arrived (see [`next_capacity`]): an honest reply costs a few cheap reallocations
    /// (large ones are remapped, not copied), a lying count costs nothing.
    fn pod_vec<T: bytemuck::Pod>(&mut self, count: usize) -> Res<Vec<T>> {
        let width = std::mem::size_of::<T>();
        let no_memory = |n: usize| {
            StreamError::Decode(DecodeError::FrameTooLarge {
                size: (n * width) as u64,
                max: isize::MAX as u64,
            })
        };
        // Until enough of the column has arrived to trust its count, its bytes go to a
        // per-thread scratch buffer that is reused from reply to reply (growing and freeing
        // a prefix buffer per column fragments the heap, so each column would then fault
        // fresh pages).
        let mut prefix = 0;
        let mut out: Vec<T> = Vec::new();
        if next_capacity(0, count, width) < count {
            PREFIX.with(|scratch| -> Res<()> {
                let mut scratch = scratch.borrow_mut();
                scratch.clear();
                loop {
                    let want = next_capacity(prefix, count, width);
                    if want == count {
                        return Ok(());
                    }
                    let bytes = (want - prefix) * width;
                    let at = scratch.len();
                    scratch.try_reserve(bytes).map_err(|_| no_memory(want))?;
                    scratch.resize(at + bytes, 0);
                    self.fill(&mut scratch[at..])?;
                    prefix = want;
                }
            })?;
            out.try_reserve_exact(count).map_err(|_| no_memory(count))?;
            super::hugepages::advise(&out);
            PREFIX.with(|scratch| {
                let mut scratch = scratch.borrow_mut();
                out.resize(prefix, T::zeroed());
                bytemuck::cast_slice_mut::<T, u8>(&mut out).copy_from_slice(&scratch);
                if scratch.capacity() > MAX_KEPT_SCRATCH {
                    *scratch = Vec::new();
                }
            });
        } else {
            out.try_reserve_exact(count).map_err(|_| no_memory(count))?;
            super::hugepages::advise(&out);
        }
        while out.len() < count {
            let start = out.len();
            let step = (count - start).min(CHUNK / width);
            out.resize(start + step, T::zeroed());
            self.fill(bytemuck::cast_slice_mut(&mut out[start..]))?;
        }
        Ok(out)
    }

    /// A fixed-width column of `count` elements into `out`, overwriting it: elements that
    /// fit in `out`'s current length are read in place; beyond it, `out` grows with the
    /// bytes that have arrived (see [`next_capacity`]).
    fn pod_into<T: bytemuck::Pod>(&mut self, count: usize, out: &mut Vec<T>) -> Res<()> {
        let width = std::mem::size_of::<T>();
        out.truncate(count);
        let mut filled = 0;
        while filled < count {
            let target = if out.len() > filled {
                out.len()
            } else {
                let want = next_capacity(filled, count, width).clamp(filled + 1, count);
                out.try_reserve_exact(want - out.len()).map_err(|_| {
                    StreamError::Decode(DecodeError::FrameTooLarge {
                        size: (want * width) as u64,
                        max: isize::MAX as u64,
                    })
                })?;
                out.resize(want, T::zeroed());
                want
            };
            let step = (target - filled).min(CHUNK / width).max(1);
            self.fill(bytemuck::cast_slice_mut(&mut out[filled..filled + step]))?;
            filled += step;
        }
        Ok(())
    }

    /// One value. The recursive path (this dispatcher and the compound readers) keeps
    /// its stack frames small, so the default depth limit fits a 2 MiB thread stack even
    /// in a debug build (`tests/hostile_server.rs`).
    fn value(&mut self, depth: usize) -> Res<Value> {
        if depth > self.max_depth {
            return Err(StreamError::Decode(DecodeError::TooDeep {
                max: self.max_depth,
            }));
        }
        let offset = self.offset();
        let code = self.u8()? as i8;
        match code {
            -13..=-1 => self.atom(-code as u8),
            0 => self.list(depth),
            1..=13 => self.vector(code as u8),
            98 => self.table(depth),
            99 => self.dict(depth),
            100 => self.lambda(depth),
            101..=103 => self.builtin(code),
            126 => Ok(Value::Null),
            127 => self.error_value(),
            _ => Err(StreamError::Decode(DecodeError::UnknownType {
                code,
                offset,
            })),
        }
    }

    /// One value into `slot`, reusing its buffers where the shapes match (see
    /// [`decode_stream_into`]); otherwise a fresh value replaces it.
    fn value_into(&mut self, depth: usize, slot: &mut Value) -> Res<()> {
        if depth > self.max_depth {
            return Err(StreamError::Decode(DecodeError::TooDeep {
                max: self.max_depth,
            }));
        }
        let code = self
            .src
            .fill_buf()
            .map_err(StreamError::Io)?
            .first()
            .copied();
        match (code, &mut *slot) {
            (Some(98), Value::Table(_)) => {
                let Value::Table(old) = std::mem::replace(slot, Value::Null) else {
                    unreachable!("matched a table")
                };
                self.array::<2>()?; // type, attributes
                let (names, columns) = old.into_parts();
                let mut names = Value::Vector(Vector::Symbol(names));
                self.value_into(depth + 1, &mut names)?;
                let mut columns = Value::List(columns);
                self.value_into(depth + 1, &mut columns)?;
                *slot = table_from(names, columns)?;
            }
            (Some(0), Value::List(items)) => {
                self.array::<2>()?;
                let n = self.count(1)?;
                items.truncate(n);
                for item in items.iter_mut() {
                    self.value_into(depth + 1, item)?;
                }
                while items.len() < n {
                    items.push(self.value(depth + 1)?);
                }
            }
            (Some(code), Value::Vector(v)) if v.elem_type().code() == code => {
                self.array::<2>()?;
                self.vector_body_into(code, v)?;
            }
            _ => *slot = self.value(depth)?,
        }
        Ok(())
    }

    /// A vector's count and elements into `v` (of the same type), reusing its buffers.
    fn vector_body_into(&mut self, code: u8, v: &mut Vector) -> Res<()> {
        let width = match v.elem_type() {
            Type::Str => 8,
            other => other.width().unwrap_or(1),
        };
        macro_rules! pod {
            ($($variant:ident),*) => {
                match v {
                    $(Vector::$variant(out) => {
                        let count = self.count(width)?;
                        return self.pod_into(count, out);
                    })*
                    _ => {}
                }
            };
        }
        pod!(I16, I32, I64, F32, F64, Date, Time, Timestamp, Guid);
        match v {
            Vector::Symbol(column) => {
                let count = self.count(1)?;
                let (mut bytes, mut ends) = std::mem::take(column).into_parts();
                bytes.clear();
                ends.clear();
                self.symbols_into(count, &mut bytes, &mut ends)?;
                *column = TextColumn::from_split(bytes, ends);
            }
            Vector::U8(out) => {
                let count = self.count(1)?;
                out.clear();
                self.bytes_into(out, count)?;
            }
            other => *other = self.vector_body(code)?,
        }
        Ok(())
    }

    fn list(&mut self, depth: usize) -> Res<Value> {
        self.u8()?;
        let n = self.count(1)?;
        // Items are at least one byte each; room grows as they are decoded.
        let mut items = Vec::with_capacity(n.min(64));
        for _ in 0..n {
            items.push(self.value(depth + 1)?);
        }
        Ok(Value::List(items))
    }

    #[inline(never)]
    fn vector(&mut self, code: u8) -> Res<Value> {
        self.u8()?;
        Ok(Value::Vector(self.vector_body(code)?))
    }

    fn table(&mut self, depth: usize) -> Res<Value> {
        self.u8()?;
        let names = self.value(depth + 1)?;
        let columns = self.value(depth + 1)?;
        table_from(names, columns)
    }

    fn dict(&mut self, depth: usize) -> Res<Value> {
        self.u8()?;
        let keys = self.value(depth + 1)?;
        let values = self.value(depth + 1)?;
        Ok(Value::Dict(Dict::new(keys, values)))
    }

    fn lambda(&mut self, depth: usize) -> Res<Value> {
        let attrs = self.u8()?;
        let params = self.value(depth + 1)?;
        let body = self.value(depth + 1)?;
        let closure = if attrs & 1 != 0 {
            Some(Box::new(self.value(depth + 1)?))
        } else {
            None
        };
        lambda_from(attrs, params, body, closure)
    }

    #[inline(never)]
    fn builtin(&mut self, code: i8) -> Res<Value> {
        let kind = match code {
            101 => BuiltinKind::Unary,
            102 => BuiltinKind::Binary,
            _ => BuiltinKind::Variadic,
        };
        let mut name = Vec::new();
        self.cstr_into(&mut name)?;
        Ok(Value::Builtin(Builtin {
            kind,
            name: Text::from_bytes(name),
        }))
    }

    #[inline(never)]
    fn error_value(&mut self) -> Res<Value> {
        let raw: [u8; 8] = self.array()?;
        let end = raw.iter().position(|b| *b == 0).unwrap_or(8);
        let text = String::from_utf8_lossy(&raw[..end]);
        Ok(Value::Error(ServerErrorCode::from_code(&text)))
    }

    #[inline(never)]
    fn atom(&mut self, code: u8) -> Res<Value> {
        let t = Type::from_code(code).ok_or(StreamError::Decode(DecodeError::UnknownType {
            code: -(code as i8),
            offset: self.offset().saturating_sub(1),
        }))?;
        let flags = self.u8()?;
        let value = match t {
            Type::Bool => Value::Bool(self.u8()? != 0),
            Type::U8 => Value::U8(self.u8()?),
            Type::I16 => Value::I16(i16::from_le_bytes(self.array()?)),
            Type::I32 => Value::I32(i32::from_le_bytes(self.array()?)),
            Type::I64 => Value::I64(self.i64()?),
            Type::F32 => Value::F32(f32::from_le_bytes(self.array()?)),
            Type::F64 => Value::F64(f64::from_le_bytes(self.array()?)),
            Type::Date => Value::Date(Date(i32::from_le_bytes(self.array()?))),
            Type::Time => Value::Time(Time(i32::from_le_bytes(self.array()?))),
            Type::Timestamp => Value::Timestamp(Timestamp(self.i64()?)),
            Type::Guid => Value::Guid(Guid(self.array()?)),
            Type::Symbol => {
                let mut text = Vec::new();
                self.cstr_into(&mut text)?;
                Value::Symbol(Symbol {
                    text: Text::from_bytes(text),
                    quoted: flags & 0x20 != 0,
                })
            }
            Type::Str => {
                let n = self.count(1)?;
                let mut text = Vec::new();
                self.bytes_into(&mut text, n)?;
                Value::Str(Text::from_bytes(text))
            }
        };
        if flags & 1 != 0 {
            // The null symbol is the empty literal symbol `'`, which is also how
            // `TypedNull(Symbol)` is sent: decoding it that way keeps decode∘encode exact.
            if t == Type::Symbol {
                return Ok(Value::Symbol(Symbol {
                    text: Text::from_bytes(Vec::new()),
                    quoted: true,
                }));
            }
            return Ok(Value::TypedNull(t));
        }
        Ok(value)
    }

    fn vector_body(&mut self, code: u8) -> Res<Vector> {
        let t = Type::from_code(code).ok_or(StreamError::Decode(DecodeError::UnknownType {
            code: code as i8,
            offset: self.offset(),
        }))?;
        let count = self.count(match t {
            Type::Str => 8,
            other => other.width().unwrap_or(1),
        })?;
        Ok(match t {
            Type::Bool => {
                let mut raw = Vec::new();
                self.bytes_into(&mut raw, count)?;
                Vector::Bool(raw.into_iter().map(|b| b != 0).collect())
            }
            Type::U8 => {
                let mut raw = Vec::new();
                self.bytes_into(&mut raw, count)?;
                Vector::U8(raw)
            }
            Type::I16 => Vector::I16(self.pod_vec(count)?),
            Type::I32 => Vector::I32(self.pod_vec(count)?),
            Type::I64 => Vector::I64(self.pod_vec(count)?),
            Type::F32 => Vector::F32(self.pod_vec(count)?),
            Type::F64 => Vector::F64(self.pod_vec(count)?),
            Type::Date => Vector::Date(self.pod_vec(count)?),
            Type::Time => Vector::Time(self.pod_vec(count)?),
            Type::Timestamp => Vector::Timestamp(self.pod_vec(count)?),
            Type::Guid => Vector::Guid(self.pod_vec(count)?),
            Type::Symbol => {
                // One byte buffer and one offsets vector for the whole column.
                let (mut bytes, mut ends) = (Vec::new(), Vec::new());
                self.symbols_into(count, &mut bytes, &mut ends)?;
                Vector::Symbol(TextColumn::from_split(bytes, ends))
            }
            Type::Str => {
                let mut bytes = Vec::new();
                let mut ends = Vec::with_capacity(count.min(FIRST_STEP / 8));
                for _ in 0..count {
                    let n = self.count(1)?;
                    self.bytes_into(&mut bytes, n)?;
                    ends.push(bytes.len());
                }
                Vector::Str(TextColumn::from_split(bytes, ends))
            }
        })
    }
}

fn malformed(msg: String) -> StreamError {
    StreamError::Decode(DecodeError::Malformed(msg))
}

/// A table from its decoded names (symbols, or integers as the server sends for some
/// keyed results) and columns (a list).
#[inline(never)]
fn table_from(names: Value, columns: Value) -> Res<Value> {
    let names = match names {
        Value::Vector(Vector::Symbol(names)) => names,
        Value::Vector(Vector::I64(ids)) => {
            ids.iter().map(|i| i.to_string()).collect::<TextColumn>()
        }
        other => {
            return Err(malformed(format!(
                "table column names must be symbols, got {}",
                other.kind_name()
            )))
        }
    };
    let columns = match columns {
        Value::List(cols) => cols,
        other => {
            return Err(malformed(format!(
                "table columns must be a list, got {}",
                other.kind_name()
            )))
        }
    };
    Table::from_parts(names, columns)
        .map(Value::Table)
        .map_err(|e| malformed(e.to_string()))
}

/// A lambda from its decoded parameters (symbols), body (a list) and closure.
#[inline(never)]
fn lambda_from(attrs: u8, params: Value, body: Value, closure: Option<Box<Value>>) -> Res<Value> {
    let params = match params {
        Value::Vector(Vector::Symbol(p)) => p,
        // `(fn [] …)`: the server sends no parameters as an empty vector of its default
        // type (I64).
        Value::Vector(v) if v.is_empty() => crate::value::TextColumn::new(),
        other => {
            return Err(malformed(format!(
                "lambda parameters must be symbols, got {}",
                other.kind_name()
            )))
        }
    };
    let body = match body {
        Value::List(b) => b,
        other => {
            return Err(malformed(format!(
                "lambda body must be a list, got {}",
                other.kind_name()
            )))
        }
    };
    Ok(Value::Lambda(Lambda {
        attrs,
        params,
        body,
        closure,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn huge_counts_fail_without_allocating() {
        let limits = Limits::default();
        let mut bytes = vec![5u8, 0];
        bytes.extend_from_slice(&(i64::MAX).to_le_bytes());
        assert!(matches!(
            decode(&bytes, &limits),
            Err(DecodeError::Truncated { .. })
        ));
        let mut bytes = vec![0u8, 0];
        bytes.extend_from_slice(&(-1i64).to_le_bytes());
        assert!(matches!(
            decode(&bytes, &limits),
            Err(DecodeError::InvalidCount { count: -1, .. })
        ));
    }

    #[test]
    fn nesting_is_bounded() {
        let limits = Limits {
            max_depth: 10,
            ..Limits::default()
        };
        let mut bytes = Vec::new();
        for _ in 0..20 {
            bytes.extend_from_slice(&[0, 0, 1, 0, 0, 0, 0, 0, 0, 0]);
        }
        bytes.push(0x7e);
        assert_eq!(
            decode(&bytes, &limits),
            Err(DecodeError::TooDeep { max: 10 })
        );
    }

    #[test]
    fn every_prefix_of_a_valid_payload_is_an_error_not_a_panic() {
        let v = Value::List(vec![
            Value::from(vec![1i64, 2]),
            Value::symbol("abc"),
            Value::from("str"),
            Value::Vector(Vector::Symbol(["x", "y"].into_iter().collect())),
        ]);
        let bytes = crate::wire::encode(&v).unwrap();
        for cut in 0..bytes.len() {
            assert!(
                decode(&bytes[..cut], &Limits::default()).is_err(),
                "cut {cut}"
            );
        }
        assert_eq!(decode(&bytes, &Limits::default()).unwrap(), v);
    }

    fn sample_table(n: i64, syms: &[&str]) -> Value {
        let names: TextColumn = ["id", "px", "sym"].into_iter().collect();
        let len = syms.len() as i64;
        Value::Table(
            Table::from_parts(
                names,
                vec![
                    Value::from((0..len).map(|i| i * n).collect::<Vec<i64>>()),
                    Value::from((0..len).map(|i| i as f64 / 2.0).collect::<Vec<f64>>()),
                    Value::Vector(Vector::Symbol(syms.iter().collect())),
                ],
            )
            .unwrap(),
        )
    }

    fn into(bytes: &[u8], slot: &mut Value) -> Result<(), StreamError> {
        decode_stream_into(
            &mut &bytes[..],
            bytes.len() as u64,
            &Limits::default(),
            slot,
        )
    }

    fn column_ptrs(v: &Value) -> Vec<*const u8> {
        v.as_table()
            .unwrap()
            .columns()
            .iter()
            .map(|c| match c {
                Value::Vector(Vector::I64(x)) => x.as_ptr() as *const u8,
                Value::Vector(Vector::F64(x)) => x.as_ptr() as *const u8,
                Value::Vector(Vector::Symbol(x)) => x.bytes().as_ptr(),
                _ => std::ptr::null(),
            })
            .collect()
    }

    #[test]
    fn decoding_into_a_value_reuses_its_buffers_and_matches_a_fresh_decode() {
        let first = sample_table(1, &["aa", "b", "ccc", "d"]);
        let second = sample_table(7, &["x", "yy", "z", "w"]);
        let shorter = sample_table(3, &["q", "r"]);
        let mut slot = Value::Null;
        into(&crate::wire::encode(&first).unwrap(), &mut slot).unwrap();
        assert_eq!(slot, first);
        let ptrs = column_ptrs(&slot);
        for v in [&second, &shorter, &first] {
            into(&crate::wire::encode(v).unwrap(), &mut slot).unwrap();
            assert_eq!(&slot, v);
            assert_eq!(column_ptrs(&slot), ptrs, "the same buffers");
        }
        // Another shape replaces the value; a vector of another type too.
        let other = Value::List(vec![Value::I64(1), Value::from("s")]);
        into(&crate::wire::encode(&other).unwrap(), &mut slot).unwrap();
        assert_eq!(slot, other);
        let mut vec_slot = Value::from(vec![1.5f64, 2.5]);
        let ints = Value::from(vec![4i64, 5, 6]);
        into(&crate::wire::encode(&ints).unwrap(), &mut vec_slot).unwrap();
        assert_eq!(vec_slot, ints);
    }

    #[test]
    fn every_prefix_decoded_into_a_used_value_is_an_error_not_a_panic() {
        let v = sample_table(2, &["aa", "b", "ccc", "d"]);
        let bytes = crate::wire::encode(&v).unwrap();
        for cut in 0..bytes.len() {
            let mut slot = sample_table(5, &["x", "y", "z", "w", "v", "u"]);
            assert!(into(&bytes[..cut], &mut slot).is_err(), "cut {cut}");
            // Whatever is left in the slot is a valid value, usable for the next reply.
            into(&bytes, &mut slot).unwrap();
            assert_eq!(slot, v);
        }
    }

    #[test]
    fn streams_stop_at_the_payload_size() {
        let first = crate::wire::encode(&Value::Vector(Vector::Symbol(
            ["a", "b"].into_iter().collect(),
        )))
        .unwrap();
        let mut both = first.clone();
        both.extend_from_slice(&crate::wire::encode(&Value::I64(7)).unwrap());
        let mut stream = &both[..];
        let v = decode_stream(&mut stream, first.len() as u64, &Limits::default()).unwrap();
        assert_eq!(v.count(), Some(2));
        // The next value is still there, untouched.
        assert_eq!(decode(stream, &Limits::default()).unwrap(), Value::I64(7));
        // A symbol whose NUL lies beyond the payload is truncated, not read past it.
        let mut stream = &both[..];
        assert!(decode_stream(&mut stream, (first.len() - 1) as u64, &Limits::default()).is_err());
    }
}
