//! Payload decoding: bytes → [`Value`] (wire spec §5).
//!
//! Untrusted input is the rule here: every count is checked against the bytes that remain
//! before anything is allocated, nesting is bounded by [`Limits::max_depth`], and every
//! problem is a [`DecodeError`]. Fixed-width vectors are decoded with one bulk copy.

use super::Limits;
use crate::value::{
    Builtin, BuiltinKind, Date, Dict, Guid, Lambda, Symbol, Table, Text, TextColumn, Time,
    Timestamp, Type, Value, Vector,
};
use crate::{DecodeError, ServerErrorCode};

/// Decodes exactly one value that fills `bytes` entirely.
///
/// ```
/// use rayforce::{wire, Value};
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
    let mut reader = Reader {
        buf: bytes,
        pos: 0,
        max_depth: limits.max_depth,
    };
    let value = reader.value(0)?;
    Ok((value, reader.pos))
}

struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
    max_depth: usize,
}

impl<'a> Reader<'a> {
    fn remaining(&self) -> usize {
        self.buf.len() - self.pos
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], DecodeError> {
        if n > self.remaining() {
            return Err(DecodeError::Truncated {
                offset: self.pos,
                needed: n - self.remaining(),
            });
        }
        let out = &self.buf[self.pos..self.pos + n];
        self.pos += n;
        Ok(out)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], DecodeError> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.take(N)?);
        Ok(out)
    }

    fn u8(&mut self) -> Result<u8, DecodeError> {
        Ok(self.take(1)?[0])
    }

    fn i64(&mut self) -> Result<i64, DecodeError> {
        Ok(i64::from_le_bytes(self.array()?))
    }

    /// A count: non-negative, and `count * min_elem_bytes` must fit in what remains,
    /// so nothing is ever allocated for bytes that are not there.
    fn count(&mut self, min_elem_bytes: usize) -> Result<usize, DecodeError> {
        let offset = self.pos;
        let count = self.i64()?;
        if count < 0 {
            return Err(DecodeError::InvalidCount { count, offset });
        }
        let needed = count as u128 * min_elem_bytes as u128;
        let remaining = self.remaining() as u128;
        if needed > remaining {
            return Err(DecodeError::Truncated {
                offset: self.pos,
                needed: (needed - remaining).min(usize::MAX as u128) as usize,
            });
        }
        Ok(count as usize)
    }

    /// A NUL-terminated byte string (without the NUL).
    fn cstr(&mut self) -> Result<&'a [u8], DecodeError> {
        let rest = &self.buf[self.pos..];
        match memchr::memchr(0, rest) {
            Some(n) => {
                self.pos += n + 1;
                Ok(&rest[..n])
            }
            None => Err(DecodeError::Truncated {
                offset: self.buf.len(),
                needed: 1,
            }),
        }
    }

    fn pod_vec<T: bytemuck::Pod>(&mut self, count: usize) -> Result<Vec<T>, DecodeError> {
        let bytes = self.take(count * std::mem::size_of::<T>())?;
        let mut out = vec![T::zeroed(); count];
        bytemuck::cast_slice_mut::<T, u8>(&mut out).copy_from_slice(bytes);
        Ok(out)
    }

    fn value(&mut self, depth: usize) -> Result<Value, DecodeError> {
        if depth > self.max_depth {
            return Err(DecodeError::TooDeep {
                max: self.max_depth,
            });
        }
        let offset = self.pos;
        let code = self.u8()? as i8;
        match code {
            -13..=-1 => self.atom(-code as u8),
            0 => {
                self.u8()?;
                let n = self.count(1)?;
                let mut items = Vec::with_capacity(n.min(4096));
                for _ in 0..n {
                    items.push(self.value(depth + 1)?);
                }
                Ok(Value::List(items))
            }
            1..=13 => {
                self.u8()?;
                Ok(Value::Vector(self.vector_body(code as u8)?))
            }
            98 => {
                self.u8()?;
                let names = match self.value(depth + 1)? {
                    Value::Vector(Vector::Symbol(names)) => names,
                    Value::Vector(Vector::I64(ids)) => {
                        ids.iter().map(|i| i.to_string()).collect::<TextColumn>()
                    }
                    other => {
                        return Err(DecodeError::Malformed(format!(
                            "table column names must be symbols, got {}",
                            other.kind_name()
                        )))
                    }
                };
                let columns = match self.value(depth + 1)? {
                    Value::List(cols) => cols,
                    other => {
                        return Err(DecodeError::Malformed(format!(
                            "table columns must be a list, got {}",
                            other.kind_name()
                        )))
                    }
                };
                Table::from_parts(names, columns)
                    .map(Value::Table)
                    .map_err(|e| DecodeError::Malformed(e.to_string()))
            }
            99 => {
                self.u8()?;
                let keys = self.value(depth + 1)?;
                let values = self.value(depth + 1)?;
                Ok(Value::Dict(Dict::new(keys, values)))
            }
            100 => {
                let attrs = self.u8()?;
                let params = match self.value(depth + 1)? {
                    Value::Vector(Vector::Symbol(p)) => p,
                    other => {
                        return Err(DecodeError::Malformed(format!(
                            "lambda parameters must be symbols, got {}",
                            other.kind_name()
                        )))
                    }
                };
                let body = match self.value(depth + 1)? {
                    Value::List(b) => b,
                    other => {
                        return Err(DecodeError::Malformed(format!(
                            "lambda body must be a list, got {}",
                            other.kind_name()
                        )))
                    }
                };
                let closure = if attrs & 1 != 0 {
                    Some(Box::new(self.value(depth + 1)?))
                } else {
                    None
                };
                Ok(Value::Lambda(Lambda {
                    attrs,
                    params,
                    body,
                    closure,
                }))
            }
            101..=103 => {
                let kind = match code {
                    101 => BuiltinKind::Unary,
                    102 => BuiltinKind::Binary,
                    _ => BuiltinKind::Variadic,
                };
                let name = Text::from(self.cstr()?);
                Ok(Value::Builtin(Builtin { kind, name }))
            }
            126 => Ok(Value::Null),
            127 => {
                let raw = self.take(8)?;
                let end = raw.iter().position(|b| *b == 0).unwrap_or(8);
                let text = String::from_utf8_lossy(&raw[..end]);
                Ok(Value::Error(ServerErrorCode::from_code(&text)))
            }
            _ => Err(DecodeError::UnknownType { code, offset }),
        }
    }

    fn atom(&mut self, code: u8) -> Result<Value, DecodeError> {
        let t = Type::from_code(code).ok_or(DecodeError::UnknownType {
            code: -(code as i8),
            offset: self.pos - 1,
        })?;
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
            Type::Symbol => Value::Symbol(Symbol {
                text: Text::from(self.cstr()?),
                quoted: flags & 0x20 != 0,
            }),
            Type::Str => {
                let n = self.count(1)?;
                Value::Str(Text::from(self.take(n)?))
            }
        };
        if flags & 1 != 0 {
            return Ok(Value::TypedNull(t));
        }
        Ok(value)
    }

    fn vector_body(&mut self, code: u8) -> Result<Vector, DecodeError> {
        let t = Type::from_code(code).ok_or(DecodeError::UnknownType {
            code: code as i8,
            offset: self.pos,
        })?;
        let count = self.count(match t {
            Type::Str => 8,
            other => other.width().unwrap_or(1),
        })?;
        Ok(match t {
            Type::Bool => Vector::Bool(self.take(count)?.iter().map(|b| *b != 0).collect()),
            Type::U8 => Vector::U8(self.take(count)?.to_vec()),
            Type::I16 => Vector::I16(self.pod_vec(count)?),
            Type::I32 => Vector::I32(self.pod_vec(count)?),
            Type::I64 => Vector::I64(self.pod_vec(count)?),
            Type::F32 => Vector::F32(self.pod_vec(count)?),
            Type::F64 => Vector::F64(self.pod_vec(count)?),
            Type::Date => Vector::Date(self.pod_vec(count)?),
            Type::Time => Vector::Time(self.pod_vec(count)?),
            Type::Timestamp => Vector::Timestamp(self.pod_vec(count)?),
            Type::Guid => Vector::Guid(self.pod_vec(count)?),
            Type::Symbol => Vector::Symbol(self.symbols(count)?),
            Type::Str => Vector::Str(self.strings(count)?),
        })
    }

    /// `count` NUL-terminated symbols into one buffer: two allocations in all.
    fn symbols(&mut self, count: usize) -> Result<TextColumn, DecodeError> {
        let start = self.pos;
        let rest = &self.buf[start..];
        let mut ends = Vec::with_capacity(count);
        let mut bytes = Vec::with_capacity(rest.len().min(count * 16));
        let mut nuls = memchr::memchr_iter(0, rest);
        let mut from = 0;
        for _ in 0..count {
            let nul = nuls.next().ok_or(DecodeError::Truncated {
                offset: self.buf.len(),
                needed: 1,
            })?;
            bytes.extend_from_slice(&rest[from..nul]);
            ends.push(bytes.len());
            from = nul + 1;
        }
        self.pos = start + from;
        Ok(TextColumn::from_parts(bytes, ends).expect("offsets are ascending by construction"))
    }

    fn strings(&mut self, count: usize) -> Result<TextColumn, DecodeError> {
        let mut ends = Vec::with_capacity(count);
        let mut bytes = Vec::new();
        for _ in 0..count {
            let n = self.count(1)?;
            bytes.extend_from_slice(self.take(n)?);
            ends.push(bytes.len());
        }
        Ok(TextColumn::from_parts(bytes, ends).expect("offsets are ascending by construction"))
    }
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
}
