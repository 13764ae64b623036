//! Rust rows → insert columns through serde.
//!
//! Each struct field becomes a column; values are converted to the column's type (from
//! the server's schema or a `RayTable`'s declaration when known, else inferred: text
//! becomes symbols). `None` becomes the column type's null. Anything that does not fit is
//! an error naming the column, never a silent conversion.

use crate::value::{Date, Guid, Text, TextColumn, Time, Timestamp, Type, Value, Vector};
use crate::{Error, Result};
use serde::ser::{self, Impossible, Serialize};
use std::fmt;

/// A serde error while converting rows to columns.
#[derive(Debug)]
pub struct SerError(String);

impl fmt::Display for SerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for SerError {}

impl ser::Error for SerError {
    fn custom<T: fmt::Display>(msg: T) -> SerError {
        SerError(msg.to_string())
    }
}

impl From<SerError> for Error {
    fn from(e: SerError) -> Error {
        Error::Row(e.0)
    }
}

/// The target type of a column: an element type, or `None` for a LIST column.
pub type ColumnType = Option<Type>;

/// Converts rows into `(name, column)` pairs, in field order.
///
/// `schema` gives each column's type by name (a field the schema lacks is an error); with
/// `None`, types are inferred from the values (text becomes a symbol column).
///
/// ```
/// use rayforce_client::{typed, Type};
/// #[derive(serde::Serialize)]
/// struct Row { id: i64, name: String, px: Option<f64> }
/// let rows = [Row { id: 1, name: "a".into(), px: None }, Row { id: 2, name: "b".into(), px: Some(1.5) }];
/// let cols = typed::columns(&rows, None).unwrap();
/// assert_eq!(cols[1].1.to_rayfall().unwrap(), "['a 'b]");
/// assert_eq!(cols[2].1.to_rayfall().unwrap(), "[0Nf 1.5]");
/// let cols = typed::columns(&rows, Some(&[("name".into(), Some(Type::Str))])).unwrap_err();
/// ```
pub fn columns<T: Serialize>(
    rows: &[T],
    schema: Option<&[(String, ColumnType)]>,
) -> Result<Vec<(String, Value)>> {
    let mut names: Vec<FieldName> = Vec::new();
    let mut cells: Vec<Vec<Value>> = Vec::new();
    for (r, row) in rows.iter().enumerate() {
        let fields = row.serialize(RowSer)?;
        if r == 0 {
            names = fields.iter().map(|(n, _)| n.clone()).collect();
            cells = vec![Vec::with_capacity(rows.len()); names.len()];
        }
        if fields.len() != names.len() {
            return Err(Error::Row(format!(
                "row {r} has {} fields, row 0 has {}",
                fields.len(),
                names.len()
            )));
        }
        for (c, (name, value)) in fields.into_iter().enumerate() {
            if name != names[c] {
                return Err(Error::Row(format!(
                    "row {r}: field `{name}` where row 0 has `{}`",
                    names[c]
                )));
            }
            cells[c].push(value);
        }
    }
    let mut mismatches = Vec::new();
    let mut out = Vec::with_capacity(names.len());
    for (name, values) in names.into_iter().zip(cells) {
        let target = match schema {
            Some(schema) => match schema.iter().find(|(n, _)| *n == name) {
                Some((_, t)) => *t,
                None => {
                    mismatches.push(crate::ColumnMismatch {
                        column: name.to_string(),
                        expected: "a column of the table".into(),
                        actual: "missing".into(),
                    });
                    continue;
                }
            },
            None => infer(&values).ok_or_else(|| {
                Error::Row(format!(
                    "column `{name}` has only nulls; its type cannot be inferred"
                ))
            })?,
        };
        match build(&values, target) {
            Ok(column) => out.push((name.into_owned(), column)),
            Err(actual) => mismatches.push(crate::ColumnMismatch {
                column: name.to_string(),
                expected: target
                    .map(|t| t.name().to_string())
                    .unwrap_or_else(|| "LIST".into()),
                actual,
            }),
        }
    }
    if !mismatches.is_empty() {
        return Err(Error::Schema { mismatches });
    }
    Ok(out)
}

fn infer(values: &[Value]) -> Option<ColumnType> {
    values
        .iter()
        .find(|v| !matches!(v, Value::Null))
        .map(|v| match v {
            Value::Str(_) => Some(Type::Symbol),
            Value::Vector(_) | Value::List(_) => None,
            other => other.elem_type(),
        })
}

/// A column of `target` type from cell values; `Err` names the offending value's type.
fn build(values: &[Value], target: ColumnType) -> std::result::Result<Value, String> {
    let Some(t) = target else {
        return Ok(Value::List(values.to_vec()));
    };
    let bad = |v: &Value| Err::<Value, String>(v.kind_name());
    macro_rules! ints {
        ($variant:ident, $ty:ty, $null:expr, $sentinel:expr) => {{
            let mut out = Vec::with_capacity(values.len());
            for v in values {
                out.push(match v {
                    Value::Null => $null,
                    other => match other.as_i64().map(<$ty>::try_from) {
                        Some(Ok(n)) if Some(n) == $sentinel => {
                            return Err(format!("{other} (the column's null sentinel; store None)"))
                        }
                        Some(Ok(n)) if other.elem_type() != Some(Type::Bool) => n,
                        Some(Err(_)) => return Err(format!("{} out of range", other)),
                        _ => return bad(other),
                    },
                });
            }
            Vector::$variant(out)
        }};
    }
    macro_rules! simple {
        ($variant:ident, $null:expr, $($pat:pat => $val:expr),*) => {{
            let mut out = Vec::with_capacity(values.len());
            for v in values {
                out.push(match v {
                    Value::Null => $null,
                    $($pat => $val,)*
                    other => return bad(other),
                });
            }
            Vector::$variant(out)
        }};
    }
    let text = |v: &Value| -> Option<String> {
        match v {
            Value::Str(t) => t.as_str().map(str::to_string),
            _ => None,
        }
    };
    let vector = match t {
        Type::I64 => ints!(I64, i64, i64::MIN, Some(i64::MIN)),
        Type::I32 => ints!(I32, i32, i32::MIN, Some(i32::MIN)),
        Type::I16 => ints!(I16, i16, i16::MIN, Some(i16::MIN)),
        Type::U8 => ints!(U8, u8, return Err("null (U8 has no null)".into()), None),
        Type::Bool => {
            simple!(Bool, return Err("null (B8 has no null)".into()), Value::Bool(b) => *b)
        }
        Type::F64 => simple!(F64, f64::NAN, Value::F64(x) => *x, Value::F32(x) => *x as f64),
        Type::F32 => simple!(F32, f32::NAN, Value::F32(x) => *x),
        Type::Date => simple!(Date, Date::NULL, Value::Date(d) => *d,
            v @ Value::Str(_) => text(v).and_then(|s| Date::parse_iso(&s)).ok_or_else(|| v.to_string())?),
        Type::Time => simple!(Time, Time::NULL, Value::Time(d) => *d,
            v @ Value::Str(_) => text(v).and_then(|s| Time::parse_iso(&s)).ok_or_else(|| v.to_string())?),
        Type::Timestamp => simple!(Timestamp, Timestamp::NULL, Value::Timestamp(d) => *d,
            v @ Value::Str(_) => text(v).and_then(|s| Timestamp::parse_iso(&s)).ok_or_else(|| v.to_string())?),
        Type::Guid => simple!(Guid, Guid([0; 16]), Value::Guid(g) => *g,
            v @ Value::Str(_) => text(v).and_then(|s| s.parse().ok()).ok_or_else(|| v.to_string())?),
        Type::Symbol | Type::Str => {
            let mut col = TextColumn::with_capacity(values.len(), values.len() * 8);
            for v in values {
                match v {
                    Value::Null => col.push(b""),
                    Value::Str(s) => col.push(s.as_bytes()),
                    Value::Symbol(s) => col.push(s.text.as_bytes()),
                    other => return bad(other),
                }
            }
            if t == Type::Symbol {
                Vector::Symbol(col)
            } else {
                Vector::Str(col)
            }
        }
    };
    Ok(Value::Vector(vector))
}

/// One Rust value as a cell value (atom, typed vector or list).
pub(crate) fn cell_value<T: Serialize + ?Sized>(v: &T) -> Result<Value> {
    Ok(v.serialize(CellSer)?)
}

/// Serializes one row (a struct or map) into `(field, value)` pairs.
struct RowSer;

/// A field name: borrowed for struct fields, owned for map keys.
type FieldName = std::borrow::Cow<'static, str>;

struct RowFields {
    fields: Vec<(FieldName, Value)>,
    pending_key: Option<String>,
}

impl ser::SerializeStruct for RowFields {
    type Ok = Vec<(FieldName, Value)>;
    type Error = SerError;
    fn serialize_field<V: ?Sized + Serialize>(
        &mut self,
        key: &'static str,
        value: &V,
    ) -> Result<(), SerError> {
        let cell = value
            .serialize(CellSer)
            .map_err(|e| SerError(format!("field `{key}`: {e}")))?;
        self.fields.push((key.into(), cell));
        Ok(())
    }
    fn end(self) -> Result<Self::Ok, SerError> {
        Ok(self.fields)
    }
}

impl ser::SerializeMap for RowFields {
    type Ok = Vec<(FieldName, Value)>;
    type Error = SerError;
    fn serialize_key<K: ?Sized + Serialize>(&mut self, key: &K) -> Result<(), SerError> {
        match key.serialize(CellSer)? {
            Value::Str(t) => self.pending_key = Some(t.to_string()),
            other => {
                return Err(SerError(format!(
                    "map keys must be strings, got {}",
                    other.kind_name()
                )))
            }
        }
        Ok(())
    }
    fn serialize_value<V: ?Sized + Serialize>(&mut self, value: &V) -> Result<(), SerError> {
        let key = self
            .pending_key
            .take()
            .ok_or_else(|| SerError("value without key".into()))?;
        let cell = value
            .serialize(CellSer)
            .map_err(|e| SerError(format!("field `{key}`: {e}")))?;
        self.fields.push((key.into(), cell));
        Ok(())
    }
    fn end(self) -> Result<Self::Ok, SerError> {
        Ok(self.fields)
    }
}

fn not_a_row<T>(what: &str) -> Result<T, SerError> {
    Err(SerError(format!(
        "a row must be a struct or a map, not {what}"
    )))
}

macro_rules! reject {
    ($($method:ident($($arg:ty),*)),* $(,)?) => {$(
        fn $method(self, $(_: $arg),*) -> Result<Self::Ok, SerError> {
            not_a_row(stringify!($method))
        }
    )*};
}

impl ser::Serializer for RowSer {
    type Ok = Vec<(FieldName, Value)>;
    type Error = SerError;
    type SerializeSeq = Impossible<Self::Ok, SerError>;
    type SerializeTuple = Impossible<Self::Ok, SerError>;
    type SerializeTupleStruct = Impossible<Self::Ok, SerError>;
    type SerializeTupleVariant = Impossible<Self::Ok, SerError>;
    type SerializeMap = RowFields;
    type SerializeStruct = RowFields;
    type SerializeStructVariant = Impossible<Self::Ok, SerError>;

    fn serialize_struct(self, _: &'static str, len: usize) -> Result<RowFields, SerError> {
        Ok(RowFields {
            fields: Vec::with_capacity(len),
            pending_key: None,
        })
    }
    fn serialize_map(self, len: Option<usize>) -> Result<RowFields, SerError> {
        Ok(RowFields {
            fields: Vec::with_capacity(len.unwrap_or(0)),
            pending_key: None,
        })
    }
    fn serialize_newtype_struct<V: ?Sized + Serialize>(
        self,
        _: &'static str,
        v: &V,
    ) -> Result<Self::Ok, SerError> {
        v.serialize(self)
    }
    reject! {
        serialize_bool(bool), serialize_i8(i8), serialize_i16(i16), serialize_i32(i32),
        serialize_i64(i64), serialize_u8(u8), serialize_u16(u16), serialize_u32(u32),
        serialize_u64(u64), serialize_f32(f32), serialize_f64(f64), serialize_char(char),
        serialize_str(&str), serialize_bytes(&[u8]), serialize_unit(),
        serialize_unit_struct(&'static str), serialize_none(),
        serialize_unit_variant(&'static str, u32, &'static str),
    }
    fn serialize_some<V: ?Sized + Serialize>(self, v: &V) -> Result<Self::Ok, SerError> {
        v.serialize(self)
    }
    fn serialize_newtype_variant<V: ?Sized + Serialize>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &V,
    ) -> Result<Self::Ok, SerError> {
        not_a_row("an enum")
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, SerError> {
        not_a_row("a sequence")
    }
    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, SerError> {
        not_a_row("a tuple")
    }
    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleStruct, SerError> {
        not_a_row("a tuple struct")
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, SerError> {
        not_a_row("an enum")
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, SerError> {
        not_a_row("an enum")
    }
}

/// Serializes one field value into a `Value` (atom, typed null, or list for sequences).
struct CellSer;

struct SeqCells(Vec<Value>);

impl ser::SerializeSeq for SeqCells {
    type Ok = Value;
    type Error = SerError;
    fn serialize_element<V: ?Sized + Serialize>(&mut self, v: &V) -> Result<(), SerError> {
        self.0.push(v.serialize(CellSer)?);
        Ok(())
    }
    fn end(self) -> Result<Value, SerError> {
        Ok(match Vector::from_atoms(&self.0) {
            Some(v) => Value::Vector(v),
            None => Value::List(self.0),
        })
    }
}

impl ser::SerializeTuple for SeqCells {
    type Ok = Value;
    type Error = SerError;
    fn serialize_element<V: ?Sized + Serialize>(&mut self, v: &V) -> Result<(), SerError> {
        ser::SerializeSeq::serialize_element(self, v)
    }
    fn end(self) -> Result<Value, SerError> {
        ser::SerializeSeq::end(self)
    }
}

/// `SystemTime` serializes as a struct of seconds and nanoseconds since 1970.
struct SystemTimeFields {
    secs: u64,
    nanos: u64,
}

impl ser::SerializeStruct for SystemTimeFields {
    type Ok = Value;
    type Error = SerError;
    fn serialize_field<V: ?Sized + Serialize>(
        &mut self,
        key: &'static str,
        v: &V,
    ) -> Result<(), SerError> {
        let n = match v.serialize(CellSer)? {
            Value::I64(n) if n >= 0 => n as u64,
            other => return Err(SerError(format!("bad SystemTime field {key}: {other:?}"))),
        };
        match key {
            "secs_since_epoch" => self.secs = n,
            "nanos_since_epoch" => self.nanos = n,
            other => {
                return Err(SerError(format!(
                    "struct SystemTime with a field `{other}` is not std's SystemTime and cannot be a cell"
                )))
            }
        }
        Ok(())
    }
    fn end(self) -> Result<Value, SerError> {
        let st = std::time::UNIX_EPOCH + std::time::Duration::new(self.secs, self.nanos as u32);
        Timestamp::try_from(st)
            .map(Value::Timestamp)
            .map_err(|e| SerError(e.to_string()))
    }
}

impl ser::Serializer for CellSer {
    type Ok = Value;
    type Error = SerError;
    type SerializeSeq = SeqCells;
    type SerializeTuple = SeqCells;
    type SerializeTupleStruct = Impossible<Value, SerError>;
    type SerializeTupleVariant = Impossible<Value, SerError>;
    type SerializeMap = Impossible<Value, SerError>;
    type SerializeStruct = SystemTimeFields;
    type SerializeStructVariant = Impossible<Value, SerError>;

    fn serialize_bool(self, v: bool) -> Result<Value, SerError> {
        Ok(Value::Bool(v))
    }
    fn serialize_i8(self, v: i8) -> Result<Value, SerError> {
        Ok(Value::I16(v as i16))
    }
    fn serialize_i16(self, v: i16) -> Result<Value, SerError> {
        Ok(Value::I16(v))
    }
    fn serialize_i32(self, v: i32) -> Result<Value, SerError> {
        Ok(Value::I32(v))
    }
    fn serialize_i64(self, v: i64) -> Result<Value, SerError> {
        Ok(Value::I64(v))
    }
    fn serialize_u8(self, v: u8) -> Result<Value, SerError> {
        Ok(Value::U8(v))
    }
    fn serialize_u16(self, v: u16) -> Result<Value, SerError> {
        Ok(Value::I32(v as i32))
    }
    fn serialize_u32(self, v: u32) -> Result<Value, SerError> {
        Ok(Value::I64(v as i64))
    }
    fn serialize_u64(self, v: u64) -> Result<Value, SerError> {
        i64::try_from(v)
            .map(Value::I64)
            .map_err(|_| SerError(format!("{v} does not fit in i64")))
    }
    fn serialize_f32(self, v: f32) -> Result<Value, SerError> {
        Ok(Value::F32(v))
    }
    fn serialize_f64(self, v: f64) -> Result<Value, SerError> {
        Ok(Value::F64(v))
    }
    fn serialize_char(self, v: char) -> Result<Value, SerError> {
        Ok(Value::Str(Text::from(v.to_string())))
    }
    fn serialize_str(self, v: &str) -> Result<Value, SerError> {
        Ok(Value::Str(Text::from(v)))
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<Value, SerError> {
        Ok(Value::Vector(Vector::U8(v.to_vec())))
    }
    fn serialize_none(self) -> Result<Value, SerError> {
        Ok(Value::Null)
    }
    fn serialize_some<V: ?Sized + Serialize>(self, v: &V) -> Result<Value, SerError> {
        let value = v.serialize(self)?;
        if value.is_null_sentinel() {
            return Err(SerError(format!(
                "Some({value}) is the column's null sentinel and would read back as None; \
                 store None, or another value"
            )));
        }
        Ok(value)
    }
    fn serialize_unit(self) -> Result<Value, SerError> {
        Ok(Value::Null)
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<Value, SerError> {
        Ok(Value::Null)
    }
    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
    ) -> Result<Value, SerError> {
        Ok(Value::Str(Text::from(variant)))
    }
    fn serialize_newtype_struct<V: ?Sized + Serialize>(
        self,
        name: &'static str,
        v: &V,
    ) -> Result<Value, SerError> {
        let inner = v.serialize(CellSer)?;
        Ok(
            match (
                crate::value::temporal::marker::kind(name).unwrap_or(""),
                inner,
            ) {
                ("Date", Value::I32(n)) => Value::Date(Date(n)),
                ("Time", Value::I32(n)) => Value::Time(Time(n)),
                ("Timestamp", Value::I64(n)) => Value::Timestamp(Timestamp(n)),
                ("Guid", Value::Vector(Vector::U8(b))) if b.len() == 16 => {
                    Value::Guid(Guid(b.try_into().expect("16 bytes")))
                }
                (_, other) => other,
            },
        )
    }
    fn serialize_newtype_variant<V: ?Sized + Serialize>(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: &V,
    ) -> Result<Value, SerError> {
        Err(SerError(format!(
            "enum variant {variant} with data cannot be a cell"
        )))
    }
    fn serialize_seq(self, len: Option<usize>) -> Result<SeqCells, SerError> {
        Ok(SeqCells(Vec::with_capacity(len.unwrap_or(0))))
    }
    fn serialize_tuple(self, len: usize) -> Result<SeqCells, SerError> {
        Ok(SeqCells(Vec::with_capacity(len)))
    }
    fn serialize_tuple_struct(
        self,
        name: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleStruct, SerError> {
        Err(SerError(format!("tuple struct {name} cannot be a cell")))
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, SerError> {
        Err(SerError(format!("enum variant {variant} cannot be a cell")))
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, SerError> {
        Err(SerError("a map cannot be a cell".into()))
    }
    fn serialize_struct(
        self,
        name: &'static str,
        len: usize,
    ) -> Result<SystemTimeFields, SerError> {
        // std's `SystemTime` serializes as this struct of two fields (serde's documented
        // format); the field names are checked as they come.
        if name == "SystemTime" && len == 2 {
            Ok(SystemTimeFields { secs: 0, nanos: 0 })
        } else {
            Err(SerError(format!("struct {name} cannot be a cell")))
        }
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, SerError> {
        Err(SerError(format!("enum variant {variant} cannot be a cell")))
    }
}
