//! Result tables → Rust values through serde, by column name.
//!
//! [`rows`] first *probes* the target type against the table's columns (names and types),
//! collecting every mismatch into one [`Error::Schema`], then decodes each row straight
//! from the column buffers (no intermediate `Value` per cell, no allocation per symbol).

use crate::error::ColumnMismatch;
use crate::value::{Table, Type, Value, Vector};
use crate::{Error, Result};
use serde::de::{self, DeserializeOwned, IntoDeserializer, Visitor};
use std::cell::RefCell;
use std::fmt;

/// A serde error while converting rows.
#[derive(Debug)]
pub struct DeError(String);

thread_local! {
    /// The field serde last reported missing on this thread (read by [`check`]).
    static MISSING: std::cell::Cell<Option<&'static str>> = const { std::cell::Cell::new(None) };
}

impl fmt::Display for DeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for DeError {}

impl de::Error for DeError {
    fn custom<T: fmt::Display>(msg: T) -> DeError {
        DeError(msg.to_string())
    }
    fn missing_field(field: &'static str) -> DeError {
        MISSING.with(|m| m.set(Some(field)));
        DeError(format!("missing field `{field}`"))
    }
}

impl From<DeError> for Error {
    fn from(e: DeError) -> Error {
        Error::Row(e.0)
    }
}

/// Decodes every row of `table` into `T`, matching struct fields to columns by name.
///
/// ```
/// use rayforce_client::{table, typed, Value};
/// #[derive(serde::Deserialize, Debug, PartialEq)]
/// struct Row { name: String, px: f64, qty: Option<i64> }
/// let t = table! {
///     "qty" => vec![Some(1i64), None],
///     "name" => Value::symbols(["a", "b"]),
///     "px" => vec![1.5, 2.5],
/// };
/// let rows: Vec<Row> = typed::rows(&t).unwrap();
/// assert_eq!(rows[1], Row { name: "b".into(), px: 2.5, qty: None });
/// ```
pub fn rows<T: DeserializeOwned>(table: &Table) -> Result<Vec<T>> {
    let mut out = crate::wire::hugepages::vec_with_capacity(table.num_rows());
    rows_into(table, &mut out)?;
    Ok(out)
}

/// As [`rows`], appending to `out` (its memory reused).
pub fn rows_into<T: DeserializeOwned>(table: &Table, out: &mut Vec<T>) -> Result<()> {
    check::<T>(table)?;
    out.reserve(table.num_rows());
    let cache = FieldCache::new();
    for row in 0..table.num_rows() {
        out.push(T::deserialize(RowDe {
            table,
            row: Some(row),
            probe: None,
            cache: Some(&cache),
        })?);
    }
    Ok(())
}

/// Checks that `T` fits `table`'s columns (names and types) without decoding any row;
/// every mismatch is reported in one [`Error::Schema`].
pub fn check<T: DeserializeOwned>(table: &Table) -> Result<()> {
    let probe = Probe::default();
    // serde reports a required field whose column (and every alias) is absent, one at a
    // time: each such field is then visited as absent, so it is recorded with the type it
    // wants, until serde finds no more.
    let result = loop {
        MISSING.with(|m| m.set(None));
        let result = T::deserialize(RowDe {
            table,
            row: None,
            probe: Some(&probe),
            cache: None,
        });
        match (&result, MISSING.with(|m| m.take())) {
            (Err(_), Some(field)) if !probe.absent.borrow().contains(&field) => {
                probe.absent.borrow_mut().push(field);
            }
            _ => break result,
        }
    };
    let mismatches = probe.mismatches.into_inner();
    if !mismatches.is_empty() {
        return Err(Error::Schema { mismatches });
    }
    // With no mismatch, an error can only come from a user type refusing a stand-in value
    // for a column with no rows (e.g. NonZeroI64 given 0): the columns fit.
    let _ = result;
    Ok(())
}

/// Decodes any value into `T`: atoms into scalars, vectors and lists into sequences, a
/// one-row table into a struct (or a scalar when it has one column), a table into a
/// sequence of rows.
pub fn value<T: DeserializeOwned>(v: &Value) -> Result<T> {
    Ok(T::deserialize(ValueDe(v))?)
}

#[derive(Default)]
struct Probe {
    mismatches: RefCell<Vec<ColumnMismatch>>,
    /// Fields serde reported missing: visited as absent columns on the next pass.
    absent: RefCell<Vec<&'static str>>,
}

impl Probe {
    fn record(&self, column: &str, expected: &str, actual: &str) {
        let mut list = self.mismatches.borrow_mut();
        if !list.iter().any(|m| m.column == column) {
            list.push(ColumnMismatch {
                column: column.to_string(),
                expected: expected.to_string(),
                actual: actual.to_string(),
            });
        }
    }
}

/// What a field asks for.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Want {
    Bool,
    Int,
    Float,
    Text,
    Newtype(&'static str),
    SystemTime,
    Seq,
}

impl Want {
    fn describe(self) -> &'static str {
        match self {
            Want::Bool => "a B8 column",
            Want::Int => "an integer column (U8/I16/I32/I64)",
            Want::Float => "a float column (F32/F64)",
            Want::Text => "a SYMBOL or STR column",
            Want::Newtype("Date") => "a DATE column",
            Want::Newtype("Time") => "a TIME column",
            Want::Newtype("Timestamp") | Want::SystemTime => "a TIMESTAMP column",
            Want::Newtype("Guid") => "a GUID column",
            Want::Newtype(_) => "a column",
            Want::Seq => "a list column",
        }
    }

    fn accepts(self, column: Col<'_>) -> bool {
        let t = match column {
            Col::Vector(v) => v.elem_type(),
            Col::List(_) => return matches!(self, Want::Seq),
        };
        match self {
            Want::Bool => t == Type::Bool,
            Want::Int => matches!(t, Type::U8 | Type::I16 | Type::I32 | Type::I64),
            Want::Float => matches!(t, Type::F32 | Type::F64),
            Want::Text => matches!(
                t,
                Type::Symbol | Type::Str | Type::Date | Type::Time | Type::Timestamp | Type::Guid
            ),
            Want::Newtype("Date") => t == Type::Date,
            Want::Newtype("Time") => t == Type::Time,
            Want::Newtype("Timestamp") | Want::SystemTime => t == Type::Timestamp,
            Want::Newtype("Guid") => t == Type::Guid,
            Want::Newtype(_) => true,
            Want::Seq => false,
        }
    }
}

/// One cell, read straight from its column.
#[derive(Clone, Copy)]
enum Cell<'a> {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Text(&'a [u8]),
    Date(crate::Date),
    Time(crate::Time),
    Timestamp(crate::Timestamp),
    Guid(&'a [u8; 16]),
    Nested(&'a Value),
}

/// A column: a typed vector or a LIST.
#[derive(Clone, Copy)]
enum Col<'a> {
    Vector(&'a Vector),
    List(&'a [Value]),
}

impl<'a> Col<'a> {
    fn of(v: &'a Value) -> Option<Col<'a>> {
        match v {
            Value::Vector(x) => Some(Col::Vector(x)),
            Value::List(items) => Some(Col::List(items)),
            _ => None,
        }
    }

    fn type_name(self) -> String {
        match self {
            Col::Vector(v) => v.elem_type().name().to_string(),
            Col::List(_) => "LIST".into(),
        }
    }

    fn is_text(self) -> bool {
        matches!(self, Col::Vector(Vector::Symbol(_) | Vector::Str(_)))
    }
}

/// Whether the cell at `row` is null: the type's sentinel, a null list item, or an empty
/// symbol or string (the server's text null). Shared with the derive's column-wise decoder.
pub(super) fn is_null_at(column: &Value, row: usize) -> bool {
    let Some(col) = Col::of(column) else {
        return false;
    };
    match cell(col, row) {
        Some(Cell::Null) => true,
        Some(Cell::Text(b"")) => col.is_text(),
        _ => false,
    }
}

fn cell(column: Col<'_>, row: usize) -> Option<Cell<'_>> {
    Some(match column {
        Col::Vector(v) => match v {
            Vector::Bool(x) => Cell::Bool(*x.get(row)?),
            Vector::U8(x) => Cell::Int(*x.get(row)? as i64),
            Vector::I16(x) => match *x.get(row)? {
                i16::MIN => Cell::Null,
                n => Cell::Int(n as i64),
            },
            Vector::I32(x) => match *x.get(row)? {
                i32::MIN => Cell::Null,
                n => Cell::Int(n as i64),
            },
            Vector::I64(x) => match *x.get(row)? {
                i64::MIN => Cell::Null,
                n => Cell::Int(n),
            },
            Vector::F32(x) => match *x.get(row)? {
                n if n.is_nan() => Cell::Null,
                n => Cell::Float(n as f64),
            },
            Vector::F64(x) => match *x.get(row)? {
                n if n.is_nan() => Cell::Null,
                n => Cell::Float(n),
            },
            Vector::Date(x) => match *x.get(row)? {
                d if d.is_null() => Cell::Null,
                d => Cell::Date(d),
            },
            Vector::Time(x) => match *x.get(row)? {
                d if d.is_null() => Cell::Null,
                d => Cell::Time(d),
            },
            Vector::Timestamp(x) => match *x.get(row)? {
                d if d.is_null() => Cell::Null,
                d => Cell::Timestamp(d),
            },
            Vector::Guid(x) => match x.get(row)? {
                g if g.0 == [0; 16] => Cell::Null,
                g => Cell::Guid(&g.0),
            },
            Vector::Symbol(c) | Vector::Str(c) => Cell::Text(c.get(row)?),
        },
        Col::List(items) => match items.get(row)? {
            Value::Null | Value::TypedNull(_) => Cell::Null,
            v => Cell::Nested(v),
        },
    })
}

fn atom_cell(v: &Value) -> Option<Cell<'_>> {
    Some(match v {
        Value::Null | Value::TypedNull(_) => Cell::Null,
        Value::Bool(b) => Cell::Bool(*b),
        Value::U8(n) => Cell::Int(*n as i64),
        Value::I16(n) => Cell::Int(*n as i64),
        Value::I32(n) => Cell::Int(*n as i64),
        Value::I64(n) => Cell::Int(*n),
        Value::F32(x) => Cell::Float(*x as f64),
        Value::F64(x) => Cell::Float(*x),
        Value::Date(d) => Cell::Date(*d),
        Value::Time(t) => Cell::Time(*t),
        Value::Timestamp(t) => Cell::Timestamp(*t),
        Value::Guid(g) => Cell::Guid(&g.0),
        Value::Symbol(s) => Cell::Text(s.text.as_bytes()),
        Value::Str(s) => Cell::Text(s.as_bytes()),
        _ => return None,
    })
}

fn text_of(cell: Cell<'_>) -> Option<String> {
    Some(match cell {
        Cell::Date(d) => {
            let (y, m, dd) = d.to_ymd();
            format!("{y:04}-{m:02}-{dd:02}")
        }
        Cell::Time(t) => {
            let ms = t.0;
            format!(
                "{:02}:{:02}:{:02}.{:03}",
                ms / 3_600_000,
                ms / 60_000 % 60,
                ms / 1000 % 60,
                ms % 1000
            )
        }
        Cell::Timestamp(t) => iso_timestamp(t),
        Cell::Guid(g) => crate::Guid(*g).to_string(),
        _ => return None,
    })
}

/// ISO 8601 text of a timestamp (`2024-01-02T09:30:00.123456789`).
fn iso_timestamp(t: crate::Timestamp) -> String {
    let text = t.to_string(); // 2024.01.02D09:30:00.123456789
    let (date, time) = text.split_once('D').unwrap_or((&text, ""));
    format!("{}T{time}", date.replace('.', "-"))
}

/// Feeds one cell to a visitor that asked for `want`.
fn visit_cell<'de, V: Visitor<'de>>(
    cell: Cell<'de>,
    want: Want,
    visitor: V,
    place: &dyn Fn() -> String,
) -> Result<V::Value, DeError> {
    let mismatch = || {
        DeError(format!(
            "{}: cannot convert to {}",
            place(),
            want.describe()
        ))
    };
    match (cell, want) {
        (Cell::Null, _) => Err(DeError(format!(
            "{} is null; use Option<…> for nullable columns",
            place()
        ))),
        (Cell::Bool(b), _) => visitor.visit_bool(b),
        (Cell::Int(n), _) => visitor.visit_i64(n),
        (Cell::Float(x), _) => visitor.visit_f64(x),
        (Cell::Text(bytes), _) => match std::str::from_utf8(bytes) {
            Ok(s) => visitor.visit_borrowed_str(s),
            Err(_) => visitor.visit_borrowed_bytes(bytes),
        },
        (c @ (Cell::Date(_) | Cell::Time(_) | Cell::Timestamp(_) | Cell::Guid(_)), Want::Text) => {
            visitor.visit_string(text_of(c).ok_or_else(mismatch)?)
        }
        (Cell::Date(d), _) => visitor.visit_newtype_struct(d.0.into_deserializer()),
        (Cell::Time(t), _) => visitor.visit_newtype_struct(t.0.into_deserializer()),
        (Cell::Timestamp(t), Want::SystemTime) => {
            let st = t.to_system_time();
            let d = st
                .duration_since(std::time::UNIX_EPOCH)
                .map_err(|_| DeError(format!("{}: timestamp before 1970", place())))?;
            visitor.visit_map(de::value::MapDeserializer::new(
                [
                    ("secs_since_epoch", d.as_secs()),
                    ("nanos_since_epoch", d.subsec_nanos() as u64),
                ]
                .into_iter(),
            ))
        }
        (Cell::Timestamp(t), _) => visitor.visit_newtype_struct(t.0.into_deserializer()),
        (Cell::Guid(g), _) => visitor.visit_newtype_struct(de::value::BytesDeserializer::new(g)),
        (Cell::Nested(v), _) => ValueDe(v).deserialize_any_inner(visitor),
    }
}

/// A placeholder value of the kind a visitor asked for (used while probing).
fn visit_zero<'de, V: Visitor<'de>>(want: Want, visitor: V) -> Result<V::Value, DeError> {
    match want {
        Want::Bool => visitor.visit_bool(false),
        Want::Int => visitor.visit_i64(0),
        Want::Float => visitor.visit_f64(0.0),
        Want::Text => visitor.visit_borrowed_str(""),
        Want::Newtype("Guid") => {
            visitor.visit_newtype_struct(de::value::BytesDeserializer::new(&[0u8; 16]))
        }
        Want::Newtype("Timestamp") => visitor.visit_newtype_struct(0i64.into_deserializer()),
        Want::Newtype("Date") | Want::Newtype("Time") => {
            visitor.visit_newtype_struct(0i32.into_deserializer())
        }
        Want::Newtype(_) => visitor.visit_newtype_struct(0i64.into_deserializer()),
        Want::SystemTime => visitor.visit_map(de::value::MapDeserializer::new(
            [("secs_since_epoch", 0u64), ("nanos_since_epoch", 0u64)].into_iter(),
        )),
        Want::Seq => visitor.visit_seq(de::value::SeqDeserializer::new(std::iter::empty::<i64>())),
    }
}

/// One row of a table, as a struct (fields by column name), map, tuple or sequence.
struct RowDe<'a> {
    table: &'a Table,
    /// `None` while probing.
    row: Option<usize>,
    probe: Option<&'a Probe>,
    /// Field → column indices, computed on the first row and reused for the others.
    cache: Option<&'a FieldCache>,
}

/// The column index of each struct field, for one `fields` list.
type FieldCache = std::cell::OnceCell<(usize, Vec<Option<usize>>)>;

fn column_indices(table: &Table, fields: &[&str]) -> Vec<Option<usize>> {
    fields
        .iter()
        .map(|f| table.names().iter().position(|n| n == f.as_bytes()))
        .collect()
}

impl<'de> de::Deserializer<'de> for RowDe<'de> {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_map(AllColumns { de: self, next: 0 })
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        let key = fields.as_ptr() as usize;
        let indices: std::borrow::Cow<'de, [Option<usize>]> = match self.cache {
            Some(cache) => {
                let (k, v) = cache.get_or_init(|| (key, column_indices(self.table, fields)));
                if *k == key {
                    std::borrow::Cow::Borrowed(v.as_slice())
                } else {
                    std::borrow::Cow::Owned(column_indices(self.table, fields))
                }
            }
            None => std::borrow::Cow::Owned(column_indices(self.table, fields)),
        };
        visitor.visit_map(RowMap {
            de: self,
            fields,
            indices,
            next: 0,
            current: None,
        })
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        let row = self.row;
        let probe = self.probe;
        let cells = self
            .table
            .names()
            .iter_lossy()
            .zip(self.table.columns())
            .map(move |(n, c)| CellDe {
                column: Col::of(c),
                row,
                name: n,
                probe,
            });
        visitor.visit_seq(de::value::SeqDeserializer::new(cells))
    }

    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        self.deserialize_seq(visitor)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option unit unit_struct newtype_struct map enum identifier ignored_any
    }
}

/// Every column of a row, as a map.
struct AllColumns<'a> {
    de: RowDe<'a>,
    next: usize,
}

impl<'de> de::MapAccess<'de> for AllColumns<'de> {
    type Error = DeError;

    fn next_key_seed<K: de::DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, DeError> {
        match self.de.table.names().get(self.next) {
            Some(name) => seed
                .deserialize(
                    String::from_utf8_lossy(name)
                        .into_owned()
                        .into_deserializer(),
                )
                .map(Some),
            None => Ok(None),
        }
    }

    fn next_value_seed<V: de::DeserializeSeed<'de>>(
        &mut self,
        seed: V,
    ) -> Result<V::Value, DeError> {
        let i = self.next;
        self.next += 1;
        seed.deserialize(CellDe {
            column: self.de.table.columns().get(i).and_then(Col::of),
            row: self.de.row,
            name: std::borrow::Cow::Borrowed(self.de.table.names().get_str(i).unwrap_or_default()),
            probe: self.de.probe,
        })
    }
}

struct RowMap<'a> {
    de: RowDe<'a>,
    fields: &'static [&'static str],
    indices: std::borrow::Cow<'a, [Option<usize>]>,
    next: usize,
    /// (field name, column index) of the key just returned.
    current: Option<(&'static str, Option<usize>)>,
}

impl<'de> de::MapAccess<'de> for RowMap<'de> {
    type Error = DeError;

    fn next_key_seed<K: de::DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, DeError> {
        while self.next < self.fields.len() {
            let i = self.next;
            self.next += 1;
            let column = self.indices[i];
            // Absent columns are left out (serde then makes Option fields None and reports
            // the others missing). The key is the column's name, so serde's own matching
            // (renames, aliases: `fields` lists aliases too) picks the field.
            let visit_absent = self
                .de
                .probe
                .is_some_and(|p| p.absent.borrow().contains(&self.fields[i]));
            if column.is_some() || visit_absent {
                self.current = Some((self.fields[i], column));
                return seed
                    .deserialize(de::value::BorrowedStrDeserializer::new(self.fields[i]))
                    .map(Some);
            }
        }
        Ok(None)
    }

    fn next_value_seed<V: de::DeserializeSeed<'de>>(
        &mut self,
        seed: V,
    ) -> Result<V::Value, DeError> {
        let (name, column) = self.current.take().unwrap_or_default();
        seed.deserialize(CellDe {
            column: column
                .and_then(|c| self.de.table.columns().get(c))
                .and_then(Col::of),
            row: self.de.row,
            name: std::borrow::Cow::Borrowed(name),
            probe: self.de.probe,
        })
    }
}

/// One cell of a named column (or a missing column while probing).
struct CellDe<'a> {
    column: Option<Col<'a>>,
    row: Option<usize>,
    name: std::borrow::Cow<'a, str>,
    probe: Option<&'a Probe>,
}

impl<'de> CellDe<'de> {
    fn go<V: Visitor<'de>>(self, want: Want, visitor: V) -> Result<V::Value, DeError> {
        let Some(column) = self.column else {
            if let Some(p) = self.probe {
                p.record(&self.name, want.describe(), "missing");
                return visit_zero(want, visitor);
            }
            return Err(DeError(format!("no column `{}`", self.name)));
        };
        match (self.row, self.probe) {
            (None, Some(p)) => {
                if !want.accepts(column) {
                    p.record(&self.name, want.describe(), &column.type_name());
                    return visit_zero(want, visitor);
                }
                // The first row's real value when there is one, so a type that validates
                // (NonZeroI64, a parsed newtype) is checked on data, never on invented zeros.
                if let Some(first) = cell(column, 0) {
                    return visit_cell(first, want, visitor, &|| self.name.to_string());
                }
                // Text read from a temporal column must parse: probe with a real sample.
                let sample = match column {
                    Col::Vector(Vector::Date(_)) => Some(Cell::Date(crate::Date(0))),
                    Col::Vector(Vector::Time(_)) => Some(Cell::Time(crate::Time(0))),
                    Col::Vector(Vector::Timestamp(_)) => Some(Cell::Timestamp(crate::Timestamp(0))),
                    Col::Vector(Vector::Guid(_)) => Some(Cell::Guid(&[0; 16])),
                    _ => None,
                };
                match sample {
                    Some(cell) if want == Want::Text => {
                        visit_cell(cell, want, visitor, &|| self.name.to_string())
                    }
                    _ => visit_zero(want, visitor),
                }
            }
            (Some(row), _) => {
                let name = &self.name;
                let place = || format!("column `{name}` row {row}");
                let c = cell(column, row)
                    .ok_or_else(|| DeError(format!("{}: no such cell", place())))?;
                visit_cell(c, want, visitor, &place)
            }
            (None, None) => Err(DeError("internal: no row".into())),
        }
    }
}

macro_rules! want {
    ($($method:ident => $want:expr),* $(,)?) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
            self.go($want, visitor)
        }
    )*};
}

impl<'de> de::Deserializer<'de> for CellDe<'de> {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        let want = match self.column {
            Some(Col::Vector(v)) => match v.elem_type() {
                Type::Bool => Want::Bool,
                Type::F32 | Type::F64 => Want::Float,
                Type::Symbol | Type::Str => Want::Text,
                Type::Date => Want::Newtype("Date"),
                Type::Time => Want::Newtype("Time"),
                Type::Timestamp => Want::Newtype("Timestamp"),
                Type::Guid => Want::Newtype("Guid"),
                _ => Want::Int,
            },
            Some(Col::List(_)) => Want::Seq,
            None => Want::Int,
        };
        self.go(want, visitor)
    }

    want! {
        deserialize_bool => Want::Bool,
        deserialize_i8 => Want::Int, deserialize_i16 => Want::Int, deserialize_i32 => Want::Int,
        deserialize_i64 => Want::Int, deserialize_i128 => Want::Int,
        deserialize_u8 => Want::Int, deserialize_u16 => Want::Int, deserialize_u32 => Want::Int,
        deserialize_u64 => Want::Int, deserialize_u128 => Want::Int,
        deserialize_f32 => Want::Float, deserialize_f64 => Want::Float,
        deserialize_char => Want::Text, deserialize_str => Want::Text, deserialize_string => Want::Text,
        deserialize_bytes => Want::Text, deserialize_byte_buf => Want::Text,
        deserialize_seq => Want::Seq,
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match (self.column, self.row) {
            (None, _) => visitor.visit_none(),
            (Some(_), None) => visitor.visit_some(self),
            (Some(column), Some(row)) => match cell(column, row) {
                Some(Cell::Null) => visitor.visit_none(),
                Some(Cell::Text(b"")) if column.is_text() => visitor.visit_none(),
                _ => visitor.visit_some(self),
            },
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        match crate::value::temporal::marker::kind(name) {
            Some(kind) => self.go(Want::Newtype(kind), visitor),
            None => visitor.visit_newtype_struct(self),
        }
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        // std's `SystemTime` as serde (de)serializes it: this name with exactly these two
        // fields; a user's struct of the same name with other fields is not taken for it.
        if name == "SystemTime" && fields == ["secs_since_epoch", "nanos_since_epoch"] {
            return self.go(Want::SystemTime, visitor);
        }
        match (self.column, self.row) {
            (Some(column), Some(row)) => match cell(column, row) {
                Some(Cell::Nested(v)) => {
                    de::Deserializer::deserialize_struct(ValueDe(v), name, fields, visitor)
                }
                _ => Err(DeError(format!(
                    "column `{}`: a struct needs a nested table or dict",
                    self.name
                ))),
            },
            _ => self.go(Want::Seq, visitor),
        }
    }

    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        self.go(Want::Seq, visitor)
    }

    serde::forward_to_deserialize_any! {
        unit unit_struct tuple_struct map enum identifier ignored_any
    }
}

/// Any value.
struct ValueDe<'a>(&'a Value);

macro_rules! value_scalars {
    ($($method:ident => $want:expr),* $(,)?) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
            self.scalar($want, visitor)
        }
    )*};
}

impl<'de> ValueDe<'de> {
    /// A scalar: an atom, or the one cell of a 1×1 table.
    fn scalar<V: Visitor<'de>>(self, want: Want, visitor: V) -> Result<V::Value, DeError> {
        match self.0 {
            Value::Table(t) if t.num_rows() == 1 && t.num_columns() == 1 => CellDe {
                column: t.columns().first().and_then(Col::of),
                row: Some(0),
                name: std::borrow::Cow::Borrowed(t.names().get_str(0).unwrap_or_default()),
                probe: None,
            }
            .go(want, visitor),
            atom if atom.is_atom() => match atom_cell(atom) {
                Some(c) => visit_cell(c, want, visitor, &|| atom.kind_name()),
                None => Err(DeError(format!("cannot convert a {}", atom.kind_name()))),
            },
            _ => de::Deserializer::deserialize_any(self, visitor),
        }
    }

    fn deserialize_any_inner<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        de::Deserializer::deserialize_any(self, visitor)
    }

    fn elements(v: &'de Vector) -> impl Iterator<Item = CellDe<'de>> + 'de {
        (0..v.len()).map(move |row| CellDe {
            column: Some(Col::Vector(v)),
            row: Some(row),
            name: std::borrow::Cow::Borrowed("vector element"),
            probe: None,
        })
    }
}

impl<'de> de::Deserializer<'de> for ValueDe<'de> {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self.0 {
            Value::Vector(v) => {
                visitor.visit_seq(de::value::SeqDeserializer::new(Self::elements(v)))
            }
            Value::List(items) => {
                visitor.visit_seq(de::value::SeqDeserializer::new(items.iter().map(ValueDe)))
            }
            Value::Table(t) => visitor.visit_seq(de::value::SeqDeserializer::new(
                (0..t.num_rows()).map(move |row| RowDe {
                    table: t,
                    row: Some(row),
                    probe: None,
                    cache: None,
                }),
            )),
            Value::Dict(d) => match (&*d.keys, Col::of(&d.values)) {
                (Value::Vector(Vector::Symbol(keys)), Some(values)) => visitor.visit_map(DictMap {
                    keys,
                    values,
                    next: 0,
                }),
                _ => Err(DeError(
                    "only dicts with symbol keys convert to maps".into(),
                )),
            },
            Value::Null => visitor.visit_unit(),
            Value::Error(code) => Err(DeError(format!("server error `{code}`"))),
            atom => match atom_cell(atom) {
                Some(Cell::Null) => visitor.visit_none(),
                Some(c) => visit_cell(c, Want::Int, visitor, &|| atom.kind_name()),
                None => Err(DeError(format!("cannot convert a {}", atom.kind_name()))),
            },
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self.0 {
            Value::Null | Value::TypedNull(_) => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        match self.0 {
            Value::Table(t) if t.num_rows() == 1 => RowDe {
                table: t,
                row: Some(0),
                probe: None,
                cache: None,
            }
            .deserialize_struct(name, fields, visitor),
            Value::Table(t) => Err(DeError(format!(
                "a struct needs a one-row table, this one has {} rows",
                t.num_rows()
            ))),
            _ => self.deserialize_any(visitor),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        match (
            self.0,
            crate::value::temporal::marker::kind(name).unwrap_or(""),
        ) {
            (Value::Date(d), "Date") => visitor.visit_newtype_struct(d.0.into_deserializer()),
            (Value::Time(t), "Time") => visitor.visit_newtype_struct(t.0.into_deserializer()),
            (Value::Timestamp(t), "Timestamp") => {
                visitor.visit_newtype_struct(t.0.into_deserializer())
            }
            (Value::Guid(g), "Guid") => {
                visitor.visit_newtype_struct(de::value::BytesDeserializer::new(&g.0))
            }
            _ => visitor.visit_newtype_struct(self),
        }
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.scalar(Want::Bool, visitor)
    }

    value_scalars! {
        deserialize_i8 => Want::Int, deserialize_i16 => Want::Int, deserialize_i32 => Want::Int,
        deserialize_i64 => Want::Int, deserialize_i128 => Want::Int,
        deserialize_u8 => Want::Int, deserialize_u16 => Want::Int, deserialize_u32 => Want::Int,
        deserialize_u64 => Want::Int, deserialize_u128 => Want::Int,
        deserialize_f32 => Want::Float, deserialize_f64 => Want::Float,
        deserialize_char => Want::Text, deserialize_str => Want::Text, deserialize_string => Want::Text,
    }

    serde::forward_to_deserialize_any! {
        bytes byte_buf unit unit_struct seq tuple tuple_struct map enum identifier ignored_any
    }
}

/// A dict with symbol keys, as a map.
struct DictMap<'a> {
    keys: &'a crate::TextColumn,
    values: Col<'a>,
    next: usize,
}

impl<'de> de::MapAccess<'de> for DictMap<'de> {
    type Error = DeError;

    fn next_key_seed<K: de::DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, DeError> {
        match self.keys.get(self.next) {
            Some(k) => seed
                .deserialize(String::from_utf8_lossy(k).into_owned().into_deserializer())
                .map(Some),
            None => Ok(None),
        }
    }

    fn next_value_seed<V: de::DeserializeSeed<'de>>(
        &mut self,
        seed: V,
    ) -> Result<V::Value, DeError> {
        let i = self.next;
        self.next += 1;
        match self.values {
            Col::List(items) => match items.get(i) {
                Some(v) => seed.deserialize(ValueDe(v)),
                None => Err(DeError(format!("dict has no value {i}"))),
            },
            col @ Col::Vector(_) => seed.deserialize(CellDe {
                column: Some(col),
                row: Some(i),
                name: std::borrow::Cow::Borrowed("dict value"),
                probe: None,
            }),
        }
    }
}

macro_rules! into_self {
    ($($t:ident),*) => {$(
        impl<'de> IntoDeserializer<'de, DeError> for $t<'de> {
            type Deserializer = $t<'de>;
            fn into_deserializer(self) -> $t<'de> {
                self
            }
        }
    )*};
}
into_self!(CellDe, ValueDe, RowDe);
