//! Column-wise conversion for `#[derive(RayTable)]` structs: the derive reads each field
//! straight from its typed column (and builds each column straight from the fields), with
//! no serde round trip per cell. Plain serde types use `typed::rows` / `typed::columns`.

use super::Sym;
use crate::value::{Date, Guid, Table, TextColumn, Time, Timestamp, Type, Value, Vector};
use crate::{ColumnMismatch, Error, Result};
use std::collections::HashMap;

/// A Rust value that can be read from, and collected into, a Rayforce column.
///
/// Reading is column-wise: [`reader`](Self::reader) looks at the column once (its type,
/// its length) and returns a [`CellReader`] that reads cells with no further dispatch on
/// the column's type.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be read from or written to a Rayforce column",
    label = "unsupported column type"
)]
pub trait CellValue: Sized {
    /// Reads this type's cells from one column.
    type Reader<'a>: CellReader<Self>;
    /// Whether `column` can be read as `Self` (`None`), else the column's type name.
    fn mismatch(column: &Value) -> Option<String>;
    /// A reader over `column` (`None`: the table has no such column, which only `Option`
    /// fields allow), which must hold `rows` cells; `name` is for error messages.
    fn reader<'a>(
        column: Option<&'a Value>,
        rows: usize,
        name: &'a str,
    ) -> Result<Self::Reader<'a>>;
    /// The value a non-`Option` field takes for a null cell, if it has one (`String`: the
    /// empty string); `None` makes a null an error.
    fn null_value() -> Option<Self> {
        None
    }
    /// A column of `ty` (the declared type) from the values.
    fn collect<'a>(
        items: impl Iterator<Item = &'a Self>,
        len: usize,
        ty: Option<Type>,
    ) -> Result<Value>
    where
        Self: 'a;
}

/// Reads the cells of one column as `T` (see [`CellValue::reader`]).
pub trait CellReader<T> {
    /// The cell at `row`: `None` when it is null.
    fn get(&mut self, row: usize) -> Result<Option<T>>;
}

/// The value of field `name` at `row` (what the derive calls for each cell).
#[doc(hidden)]
#[inline(always)]
pub fn cell<V: CellValue>(reader: &mut V::Reader<'_>, row: usize, name: &str) -> Result<V> {
    match reader.get(row)? {
        Some(v) => Ok(v),
        None => V::null_value().ok_or_else(|| null_error(name, row)),
    }
}

/// Appends `rows` rows made by `make(row)` to `out`, each written straight into `out`'s
/// spare room (what the derive calls); on an error the rows made so far are kept.
#[doc(hidden)]
#[inline(always)]
pub fn fill_rows<T>(
    out: &mut Vec<T>,
    rows: usize,
    mut make: impl FnMut(usize) -> Result<T>,
) -> Result<()> {
    if out.capacity() - out.len() < rows {
        if out.capacity() == 0 {
            *out = crate::wire::hugepages::vec_with_capacity(rows);
        } else {
            out.reserve(rows);
        }
    }
    let start = out.len();
    let spare = &mut out.spare_capacity_mut()[..rows];
    let mut written = 0;
    let mut result = Ok(());
    for (row, slot) in spare.iter_mut().enumerate() {
        match make(row) {
            Ok(value) => {
                slot.write(value);
                written += 1;
            }
            Err(e) => {
                result = Err(e);
                break;
            }
        }
    }
    // SAFETY: the first `written` slots after `start` were initialised above, and
    // `start + written <= capacity` (they are slots of `spare_capacity_mut`).
    unsafe { out.set_len(start + written) };
    result
}

/// The reader of a field's column (what the derive calls once per field): the column
/// `name`, or else one named like the field (as `select_all` returns renamed columns).
#[doc(hidden)]
pub fn field_reader<'a, V: CellValue>(
    table: &'a Table,
    name: &'a str,
    field: &str,
) -> Result<V::Reader<'a>> {
    V::reader(field_column(table, name, field), table.num_rows(), name)
}

fn field_column<'a>(table: &'a Table, name: &str, field: &str) -> Option<&'a Value> {
    table.column(name).or_else(|| table.column(field))
}

/// `column`, checked to hold `rows` cells (a ragged table from a hostile server is an
/// error, never an out-of-range read).
fn present<'a>(column: Option<&'a Value>, rows: usize, name: &str) -> Result<&'a Value> {
    let column = column.ok_or_else(|| Error::Row(format!("no column `{name}`")))?;
    let len = match column {
        Value::Vector(v) => v.len(),
        Value::List(items) => items.len(),
        _ => rows,
    };
    if len != rows {
        return Err(Error::Row(format!(
            "column `{name}` has {len} rows, the table {rows}"
        )));
    }
    Ok(column)
}

fn wrong_type(column: &Value, name: &str) -> Error {
    Error::Row(format!("column `{name}` is {}", type_name(column)))
}

fn type_name(column: &Value) -> String {
    match column {
        Value::Vector(v) => v.elem_type().name().to_string(),
        Value::List(_) => "LIST".into(),
        other => other.kind_name(),
    }
}

fn null_error(name: &str, row: usize) -> Error {
    Error::Row(format!(
        "column `{name}` row {row} is null; use Option<…> for nullable columns"
    ))
}

/// Reads an integer field from any integer column (widened, then range-checked).
pub enum IntReader<'a> {
    /// An I64 column.
    I64(&'a [i64], &'a str),
    /// An I32 column.
    I32(&'a [i32], &'a str),
    /// An I16 column.
    I16(&'a [i16], &'a str),
    /// A U8 column.
    U8(&'a [u8], &'a str),
}

impl<'a> IntReader<'a> {
    fn new(column: Option<&'a Value>, rows: usize, name: &'a str) -> Result<Self> {
        Ok(match present(column, rows, name)? {
            Value::Vector(Vector::I64(x)) => IntReader::I64(x, name),
            Value::Vector(Vector::I32(x)) => IntReader::I32(x, name),
            Value::Vector(Vector::I16(x)) => IntReader::I16(x, name),
            Value::Vector(Vector::U8(x)) => IntReader::U8(x, name),
            other => return Err(wrong_type(other, name)),
        })
    }

    #[inline(always)]
    fn wide(&self, row: usize) -> Result<Option<i64>> {
        let at = |n: Option<i64>, name: &str| {
            n.ok_or_else(|| Error::Row(format!("column `{name}` has no row {row}")))
        };
        Ok(match *self {
            IntReader::I64(x, name) => {
                Some(at(x.get(row).copied(), name)?).filter(|n| *n != i64::MIN)
            }
            IntReader::I32(x, name) => {
                Some(at(x.get(row).map(|n| i64::from(*n)), name)?).filter(|n| *n != i32::MIN as i64)
            }
            IntReader::I16(x, name) => {
                Some(at(x.get(row).map(|n| i64::from(*n)), name)?).filter(|n| *n != i16::MIN as i64)
            }
            IntReader::U8(x, name) => Some(at(x.get(row).map(|n| i64::from(*n)), name)?),
        })
    }

    fn name(&self) -> &'a str {
        match *self {
            IntReader::I64(_, n)
            | IntReader::I32(_, n)
            | IntReader::I16(_, n)
            | IntReader::U8(_, n) => n,
        }
    }
}

macro_rules! int_cell {
    ($t:ty, $null:expr) => {
        impl<'a> CellReader<$t> for IntReader<'a> {
            #[inline(always)]
            fn get(&mut self, row: usize) -> Result<Option<$t>> {
                match self.wide(row)? {
                    None => Ok(None),
                    Some(n) => <$t>::try_from(n).map(Some).map_err(|_| {
                        Error::Row(format!(
                            "column `{}` row {row}: {n} does not fit in {}",
                            self.name(),
                            stringify!($t)
                        ))
                    }),
                }
            }
        }

        impl CellValue for $t {
            type Reader<'a> = IntReader<'a>;
            fn mismatch(column: &Value) -> Option<String> {
                match column {
                    Value::Vector(
                        Vector::U8(_) | Vector::I16(_) | Vector::I32(_) | Vector::I64(_),
                    ) => None,
                    other => Some(type_name(other)),
                }
            }
            fn reader<'a>(
                column: Option<&'a Value>,
                rows: usize,
                name: &'a str,
            ) -> Result<IntReader<'a>> {
                IntReader::new(column, rows, name)
            }
            fn collect<'a>(
                items: impl Iterator<Item = &'a $t>,
                len: usize,
                ty: Option<Type>,
            ) -> Result<Value> {
                let mut wide = Vec::with_capacity(len);
                wide.extend(items.map(|x| *x as i64));
                narrow(wide, ty, $null)
            }
        }
    };
}

/// i64 values into the declared integer type (range-checked), or as i64. A value equal to
/// the column type's null sentinel (its smallest value) is refused: it would read back as
/// a null.
fn narrow(wide: Vec<i64>, ty: Option<Type>, _null: i64) -> Result<Value> {
    fn conv<T: TryFrom<i64>>(wide: &[i64], what: &str, null: i64) -> Result<Vec<T>> {
        wide.iter()
            .map(|n| {
                if *n == null {
                    return Err(Error::Row(format!(
                        "{n} is the {what} null sentinel and would read back as null"
                    )));
                }
                T::try_from(*n).map_err(|_| Error::Row(format!("{n} does not fit in {what}")))
            })
            .collect()
    }
    Ok(Value::Vector(match ty {
        Some(Type::I32) => Vector::I32(conv(&wide, "I32", i32::MIN as i64)?),
        Some(Type::I16) => Vector::I16(conv(&wide, "I16", i16::MIN as i64)?),
        Some(Type::U8) => Vector::U8(conv(&wide, "U8", i64::MIN)?),
        _ => Vector::I64(conv(&wide, "I64", i64::MIN)?),
    }))
}

int_cell!(i64, i64::MIN);
int_cell!(i32, i32::MIN as i64);
int_cell!(i16, i16::MIN as i64);
int_cell!(u8, 0);

/// Reads a fixed-width field from a column of exactly its type.
pub struct SliceReader<'a, T> {
    cells: &'a [T],
    name: &'a str,
}

macro_rules! pod_cell {
    ($t:ty, $variant:ident, $is_null:expr) => {
        impl<'a> CellReader<$t> for SliceReader<'a, $t> {
            #[inline(always)]
            fn get(&mut self, row: usize) -> Result<Option<$t>> {
                let is_null: fn(&$t) -> bool = $is_null;
                match self.cells.get(row) {
                    Some(v) if is_null(v) => Ok(None),
                    Some(v) => Ok(Some(*v)),
                    None => Err(Error::Row(format!(
                        "column `{}` has no row {row}",
                        self.name
                    ))),
                }
            }
        }

        impl CellValue for $t {
            type Reader<'a> = SliceReader<'a, $t>;
            fn mismatch(column: &Value) -> Option<String> {
                match column {
                    Value::Vector(Vector::$variant(_)) => None,
                    other => Some(type_name(other)),
                }
            }
            fn reader<'a>(
                column: Option<&'a Value>,
                rows: usize,
                name: &'a str,
            ) -> Result<SliceReader<'a, $t>> {
                match present(column, rows, name)? {
                    Value::Vector(Vector::$variant(cells)) => Ok(SliceReader { cells, name }),
                    other => Err(wrong_type(other, name)),
                }
            }
            fn collect<'a>(
                items: impl Iterator<Item = &'a $t>,
                len: usize,
                _ty: Option<Type>,
            ) -> Result<Value> {
                let mut out = Vec::with_capacity(len);
                out.extend(items.copied());
                Ok(Value::Vector(Vector::$variant(out)))
            }
        }
    };
}

pod_cell!(f64, F64, |x| x.is_nan());
pod_cell!(f32, F32, |x| x.is_nan());
pod_cell!(bool, Bool, |_| false);
pod_cell!(Date, Date, |d| d.is_null());
pod_cell!(Time, Time, |d| d.is_null());
pod_cell!(Timestamp, Timestamp, |d| d.is_null());
pod_cell!(Guid, Guid, |g| g.0 == [0; 16]);

/// Reads a text field (SYMBOL or STR column); an empty cell is null. The column's bytes
/// are checked to be UTF-8 once, in one pass; each cell then only checks that it starts and
/// ends on a character boundary.
pub struct TextReader<'a> {
    bytes: &'a [u8],
    /// All of `bytes`, when they are valid UTF-8.
    whole: Option<&'a str>,
    ends: &'a [usize],
    name: &'a str,
}

impl<'a> TextReader<'a> {
    fn new(column: Option<&'a Value>, rows: usize, name: &'a str) -> Result<Self> {
        match present(column, rows, name)? {
            Value::Vector(Vector::Symbol(cells) | Vector::Str(cells)) => Ok(TextReader {
                bytes: cells.bytes(),
                whole: std::str::from_utf8(cells.bytes()).ok(),
                ends: cells.ends(),
                name,
            }),
            other => Err(wrong_type(other, name)),
        }
    }

    /// Where the text at `row` lies in `bytes`.
    #[inline(always)]
    fn span(&self, row: usize) -> Result<(usize, usize)> {
        let end = *self
            .ends
            .get(row)
            .ok_or_else(|| Error::Row(format!("column `{}` has no row {row}", self.name)))?;
        let start = row.checked_sub(1).map_or(0, |p| self.ends[p]);
        Ok((start, end))
    }

    /// The text at `start..end`, checked.
    #[inline(always)]
    fn slice(&self, row: usize, start: usize, end: usize) -> Result<&'a str> {
        if let Some(text) = self.whole.and_then(|w| w.get(start..end)) {
            return Ok(text);
        }
        std::str::from_utf8(&self.bytes[start..end])
            .map_err(|_| Error::Row(format!("column `{}` row {row} is not UTF-8", self.name)))
    }

    /// The text at `row` (`None`: empty, Rayforce's null symbol).
    #[inline(always)]
    fn text(&self, row: usize) -> Result<Option<&'a str>> {
        let (start, end) = self.span(row)?;
        if start == end {
            return Ok(None);
        }
        self.slice(row, start, end).map(Some)
    }
}

impl CellReader<String> for TextReader<'_> {
    #[inline(always)]
    fn get(&mut self, row: usize) -> Result<Option<String>> {
        Ok(self.text(row)?.map(str::to_owned))
    }
}

fn text_column<'a>(
    items: impl Iterator<Item = &'a str>,
    len: usize,
    ty: Option<Type>,
) -> Result<Value> {
    let mut col = TextColumn::with_capacity(len, len * 8);
    for s in items {
        if s.as_bytes().contains(&0) {
            return Err(Error::Encode(format!("{s:?} contains a NUL byte")));
        }
        col.push(s);
    }
    Ok(Value::Vector(if ty == Some(Type::Str) {
        Vector::Str(col)
    } else {
        Vector::Symbol(col)
    }))
}

impl CellValue for String {
    type Reader<'a> = TextReader<'a>;
    fn mismatch(column: &Value) -> Option<String> {
        match column {
            Value::Vector(Vector::Symbol(_) | Vector::Str(_)) => None,
            other => Some(type_name(other)),
        }
    }
    fn reader<'a>(column: Option<&'a Value>, rows: usize, name: &'a str) -> Result<TextReader<'a>> {
        TextReader::new(column, rows, name)
    }
    fn null_value() -> Option<String> {
        Some(String::new())
    }
    fn collect<'a>(
        items: impl Iterator<Item = &'a String>,
        len: usize,
        ty: Option<Type>,
    ) -> Result<Value> {
        text_column(items.map(String::as_str), len, ty)
    }
}

/// Reads a [`Sym`] field: short texts inline; each distinct longer text of the column
/// allocated once and shared.
pub struct SymReader<'a> {
    text: TextReader<'a>,
    long: HashMap<&'a str, Sym, rustc_hash::FxBuildHasher>,
}

impl CellReader<Sym> for SymReader<'_> {
    #[inline(always)]
    fn get(&mut self, row: usize) -> Result<Option<Sym>> {
        let t = &self.text;
        let (start, end) = t.span(row)?;
        if start == end {
            return Ok(None);
        }
        if end - start <= Sym::INLINE {
            // A fixed-size window of the column's bytes: no variable-length copy per cell.
            if let (Some(whole), Some(window)) = (t.whole, t.bytes.get(start..start + Sym::INLINE))
            {
                if whole.is_char_boundary(start) && whole.is_char_boundary(end) {
                    let window: [u8; Sym::INLINE] = window.try_into().expect("window size");
                    // SAFETY: `whole` is valid UTF-8 and `start..end` lies on character
                    // boundaries, so the window's first `end - start` bytes are UTF-8.
                    return Ok(Some(unsafe { Sym::from_window(window, end - start) }));
                }
            }
            return t.slice(row, start, end).map(|s| Some(Sym::new(s)));
        }
        let text = t.slice(row, start, end)?;
        Ok(Some(
            self.long
                .entry(text)
                .or_insert_with(|| Sym::new(text))
                .clone(),
        ))
    }
}

impl CellValue for Sym {
    type Reader<'a> = SymReader<'a>;
    fn mismatch(column: &Value) -> Option<String> {
        String::mismatch(column)
    }
    fn reader<'a>(column: Option<&'a Value>, rows: usize, name: &'a str) -> Result<SymReader<'a>> {
        Ok(SymReader {
            text: TextReader::new(column, rows, name)?,
            long: HashMap::default(),
        })
    }
    fn null_value() -> Option<Sym> {
        Some(Sym::default())
    }
    fn collect<'a>(
        items: impl Iterator<Item = &'a Sym>,
        len: usize,
        ty: Option<Type>,
    ) -> Result<Value> {
        text_column(items.map(Sym::as_str), len, ty)
    }
}

/// Reads an `Option` field: a null cell, or an absent column, is `None`.
pub struct OptionReader<R>(Option<R>);

impl<V, R: CellReader<V>> CellReader<Option<V>> for OptionReader<R> {
    #[inline(always)]
    fn get(&mut self, row: usize) -> Result<Option<Option<V>>> {
        match &mut self.0 {
            Some(r) => Ok(Some(r.get(row)?)),
            None => Ok(Some(None)),
        }
    }
}

impl<V: CellValue + Clone> CellValue for Option<V> {
    type Reader<'a> = OptionReader<V::Reader<'a>>;
    fn mismatch(column: &Value) -> Option<String> {
        V::mismatch(column)
    }
    fn reader<'a>(
        column: Option<&'a Value>,
        rows: usize,
        name: &'a str,
    ) -> Result<Self::Reader<'a>> {
        match column {
            None => Ok(OptionReader(None)),
            Some(c) => Ok(OptionReader(Some(V::reader(Some(c), rows, name)?))),
        }
    }
    fn collect<'a>(
        items: impl Iterator<Item = &'a Option<V>>,
        len: usize,
        ty: Option<Type>,
    ) -> Result<Value>
    where
        V: 'a,
    {
        // Collect the present values, then put the nulls in place.
        let items: Vec<&Option<V>> = items.collect();
        let present: Vec<V> = items.iter().filter_map(|o| (*o).clone()).collect();
        let Some(t) = ty else {
            return Err(Error::Row(
                "Option of a list column is not supported".into(),
            ));
        };
        let dense = V::collect(present.iter(), present.len(), ty)?;
        if let Some(i) = (0..present.len()).find(|i| super::de::is_null_at(&dense, *i)) {
            return Err(Error::Row(format!(
                "Some({}) is the column's null sentinel and would read back as None; store None, or another value",
                dense.item(i).map(|v| v.to_string()).unwrap_or_default()
            )));
        }
        let mut values = Vec::with_capacity(len);
        let mut next = 0;
        for o in &items {
            if o.is_some() {
                values.push(dense.item(next).unwrap_or(Value::TypedNull(t)));
                next += 1;
            } else {
                values.push(Value::TypedNull(t));
            }
        }
        let column = match (Vector::from_atoms(&values), t) {
            (Some(v), _) => Value::Vector(v),
            (None, Type::Symbol | Type::Str) if values.iter().all(|v| v.is_null()) => {
                Value::Vector(Vector::empty(t))
            }
            _ => return Err(Error::Row("cannot build a nullable column".into())),
        };
        // Symbols read back from `item` are literal symbols: keep the declared kind.
        Ok(match (column, t) {
            (Value::Vector(Vector::Symbol(c)), Type::Str) => Value::Vector(Vector::Str(c)),
            (Value::Vector(Vector::Str(c)), Type::Symbol) => Value::Vector(Vector::Symbol(c)),
            (c, _) => c,
        })
    }
}

/// Builds field `name`'s column (what the derive calls): [`CellValue::collect`] with the
/// field named in any error.
#[doc(hidden)]
pub fn collect_field<'a, V: CellValue + 'a>(
    items: impl Iterator<Item = &'a V>,
    len: usize,
    ty: Option<Type>,
    name: &str,
) -> Result<Value> {
    V::collect(items, len, ty).map_err(|e| match e {
        Error::Row(m) => Error::Row(format!("field `{name}`: {m}")),
        Error::Encode(m) => Error::Encode(format!("field `{name}`: {m}")),
        other => other,
    })
}

/// Checks one field against the table, adding a mismatch when it does not fit.
pub fn check_field<V: CellValue>(
    table: &Table,
    name: &str,
    field: &str,
    expected: Option<Type>,
    nullable: bool,
    mismatches: &mut Vec<ColumnMismatch>,
) {
    let describe = || {
        expected
            .map(|t| t.name().to_string())
            .unwrap_or_else(|| "LIST".into())
    };
    match field_column(table, name, field) {
        None if nullable => {}
        None => mismatches.push(ColumnMismatch {
            column: name.to_string(),
            expected: describe(),
            actual: "missing".into(),
        }),
        Some(c) => {
            if let Some(actual) = V::mismatch(c) {
                mismatches.push(ColumnMismatch {
                    column: name.to_string(),
                    expected: describe(),
                    actual,
                });
            }
        }
    }
}

/// Reads a field through another type's reader, converting each present value.
pub struct MapReader<R, V, T> {
    inner: R,
    convert: fn(V) -> Result<T>,
}

impl<V, T, R: CellReader<V>> CellReader<T> for MapReader<R, V, T> {
    #[inline(always)]
    fn get(&mut self, row: usize) -> Result<Option<T>> {
        match self.inner.get(row)? {
            Some(v) => (self.convert)(v).map(Some),
            None => Ok(None),
        }
    }
}

impl CellValue for std::time::SystemTime {
    type Reader<'a> = MapReader<SliceReader<'a, Timestamp>, Timestamp, Self>;
    fn mismatch(column: &Value) -> Option<String> {
        Timestamp::mismatch(column)
    }
    fn reader<'a>(
        column: Option<&'a Value>,
        rows: usize,
        name: &'a str,
    ) -> Result<Self::Reader<'a>> {
        Ok(MapReader {
            inner: Timestamp::reader(column, rows, name)?,
            convert: |t| Ok(t.to_system_time()),
        })
    }
    fn collect<'a>(
        items: impl Iterator<Item = &'a Self>,
        len: usize,
        _ty: Option<Type>,
    ) -> Result<Value> {
        let mut out = Vec::with_capacity(len);
        for t in items {
            out.push(Timestamp::try_from(*t)?);
        }
        Ok(Value::Vector(Vector::Timestamp(out)))
    }
}

/// Reads a `Vec` field from a LIST column (each item decoded by serde).
pub struct ListReader<'a, V> {
    items: &'a [Value],
    name: &'a str,
    _v: std::marker::PhantomData<fn() -> V>,
}

impl<V: serde::de::DeserializeOwned> CellReader<Vec<V>> for ListReader<'_, V> {
    fn get(&mut self, row: usize) -> Result<Option<Vec<V>>> {
        match self.items.get(row) {
            Some(v) => super::value(v).map(Some),
            None => Err(Error::Row(format!(
                "column `{}` has no row {row}",
                self.name
            ))),
        }
    }
}

impl<V: serde::de::DeserializeOwned + serde::Serialize> CellValue for Vec<V> {
    type Reader<'a> = ListReader<'a, V>;
    fn mismatch(column: &Value) -> Option<String> {
        match column {
            Value::List(_) => None,
            other => Some(type_name(other)),
        }
    }
    fn reader<'a>(
        column: Option<&'a Value>,
        rows: usize,
        name: &'a str,
    ) -> Result<Self::Reader<'a>> {
        match present(column, rows, name)? {
            Value::List(items) => Ok(ListReader {
                items,
                name,
                _v: std::marker::PhantomData,
            }),
            other => Err(wrong_type(other, name)),
        }
    }
    fn collect<'a>(
        items: impl Iterator<Item = &'a Self>,
        len: usize,
        _ty: Option<Type>,
    ) -> Result<Value>
    where
        V: 'a,
    {
        let mut out = Vec::with_capacity(len);
        for v in items {
            out.push(super::ser::cell_value(v)?);
        }
        Ok(Value::List(out))
    }
}

#[cfg(feature = "chrono")]
macro_rules! chrono_cell {
    ($t:ty, $via:ty) => {
        impl CellValue for $t {
            type Reader<'a> = MapReader<SliceReader<'a, $via>, $via, Self>;
            fn mismatch(column: &Value) -> Option<String> {
                <$via>::mismatch(column)
            }
            fn reader<'a>(
                column: Option<&'a Value>,
                rows: usize,
                name: &'a str,
            ) -> Result<Self::Reader<'a>> {
                Ok(MapReader {
                    inner: <$via>::reader(column, rows, name)?,
                    convert: <$t>::try_from,
                })
            }
            fn collect<'a>(
                items: impl Iterator<Item = &'a Self>,
                len: usize,
                ty: Option<Type>,
            ) -> Result<Value> {
                let converted: Vec<$via> =
                    items.map(|x| <$via>::try_from(*x)).collect::<Result<_>>()?;
                <$via>::collect(converted.iter(), len, ty)
            }
        }
    };
}
#[cfg(feature = "chrono")]
chrono_cell!(chrono::NaiveDate, Date);
#[cfg(feature = "chrono")]
chrono_cell!(chrono::NaiveTime, Time);

#[cfg(feature = "chrono")]
impl CellValue for chrono::NaiveDateTime {
    type Reader<'a> = MapReader<SliceReader<'a, Timestamp>, Timestamp, Self>;
    fn mismatch(column: &Value) -> Option<String> {
        Timestamp::mismatch(column)
    }
    fn reader<'a>(
        column: Option<&'a Value>,
        rows: usize,
        name: &'a str,
    ) -> Result<Self::Reader<'a>> {
        Ok(MapReader {
            inner: Timestamp::reader(column, rows, name)?,
            convert: |t| Ok(t.into()),
        })
    }
    fn collect<'a>(
        items: impl Iterator<Item = &'a Self>,
        len: usize,
        ty: Option<Type>,
    ) -> Result<Value> {
        let converted: Vec<Timestamp> = items
            .map(|x| Timestamp::try_from(*x))
            .collect::<Result<_>>()?;
        Timestamp::collect(converted.iter(), len, ty)
    }
}

#[cfg(test)]
mod tests {
    use crate::typed::{FromTable, RayTable, Sym};
    use crate::value::{Table, TextColumn, Value, Vector};

    #[derive(RayTable, Debug, PartialEq)]
    #[rayforce(table = "t")]
    struct Row {
        id: i64,
        sym: Sym,
        name: Option<String>,
    }

    fn table(ids: Vec<i64>, syms: TextColumn, names: TextColumn) -> Table {
        let names_col: TextColumn = ["id", "sym", "name"].into_iter().collect();
        Table::from_parts(
            names_col,
            vec![
                Value::Vector(Vector::I64(ids)),
                Value::Vector(Vector::Symbol(syms)),
                Value::Vector(Vector::Str(names)),
            ],
        )
        .unwrap()
    }

    #[test]
    fn short_long_empty_and_unicode_symbols_read_back() {
        let long = "a symbol much longer than the inline room";
        let syms: TextColumn = ["é", long, "", "exactly-22-bytes-long!", long]
            .into_iter()
            .collect();
        let names: TextColumn = ["x", "", "z", "ü", "w"].into_iter().collect();
        let rows = Row::from_table(&table(vec![1, 2, 3, 4, 5], syms, names)).unwrap();
        let got: Vec<(&str, Option<&str>)> = rows
            .iter()
            .map(|r| (r.sym.as_str(), r.name.as_deref()))
            .collect();
        assert_eq!(
            got,
            [
                ("é", Some("x")),
                (long, None),
                ("", Some("z")),
                ("exactly-22-bytes-long!", Some("ü")),
                (long, Some("w"))
            ]
        );
        assert!(rows[0].sym.is_inline() && rows[3].sym.is_inline());
        // One allocation per distinct long text of a column.
        assert!(Sym::ptr_eq(&rows[1].sym, &rows[4].sym));
    }

    #[test]
    fn a_character_split_across_two_symbols_is_an_error_not_a_bad_str() {
        // "é" is C3 A9: valid as a whole column, invalid as each of the two symbols.
        let split = TextColumn::from_parts(vec![0xC3, 0xA9], vec![1, 2]).unwrap();
        let names: TextColumn = ["a", "b"].into_iter().collect();
        let err = Row::from_table(&table(vec![1, 2], split, names)).unwrap_err();
        assert!(err.to_string().contains("not UTF-8"), "{err}");
        let bad = TextColumn::from_parts(vec![b'o', b'k', 0xFF], vec![2, 3]).unwrap();
        let names: TextColumn = ["a", "b"].into_iter().collect();
        let err = Row::from_table(&table(vec![1, 2], bad, names)).unwrap_err();
        assert!(err.to_string().contains("row 1 is not UTF-8"), "{err}");
    }

    #[test]
    fn a_ragged_table_is_an_error_not_an_out_of_range_read() {
        let syms: TextColumn = ["a"].into_iter().collect();
        let names: TextColumn = ["a", "b", "c"].into_iter().collect();
        let err = Row::from_table(&table(vec![1, 2, 3], syms, names)).unwrap_err();
        assert!(
            err.to_string()
                .contains("column `sym` has 1 rows, the table 3"),
            "{err}"
        );
    }

    #[test]
    fn rows_are_appended_into_the_callers_vector() {
        let syms: TextColumn = ["a", "b"].into_iter().collect();
        let names: TextColumn = ["x", "y"].into_iter().collect();
        let t = table(vec![1, 2], syms, names);
        let mut out = Vec::with_capacity(8);
        let at = out.as_ptr();
        Row::extend_from_table(&t, &mut out).unwrap();
        Row::extend_from_table(&t, &mut out).unwrap();
        assert_eq!(out.len(), 4);
        assert_eq!(out.as_ptr(), at);
        assert_eq!(out[3].sym, "b");
    }
}
