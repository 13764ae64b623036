//! Arrow record batches (feature `arrow`): a reply table as a [`RecordBatch`], and a
//! `RecordBatch` as the columns of an insert or upsert. Pure conversions, no I/O; the
//! clients' `fetch_arrow` and `insert_batch` run them.
//!
//! | Rayforce | Arrow | null |
//! |---|---|---|
//! | BOOL | Boolean | none (Arrow nulls are refused) |
//! | U8 | UInt8 | none (Arrow nulls are refused) |
//! | I16 / I32 / I64 | Int16 / Int32 / Int64 | the type's minimum |
//! | F32 / F64 | Float32 / Float64 | NaN |
//! | DATE (days since 2000-01-01) | Date32 (days since 1970-01-01) | `i32::MIN` |
//! | TIME (ms since midnight) | Time32(Millisecond) | `i32::MIN` |
//! | TIMESTAMP (ns since 2000-01-01) | Timestamp(Nanosecond, none) (since 1970) | `i64::MIN` |
//! | GUID | FixedSizeBinary(16) | all zero |
//! | SYMBOL | Utf8, or Dictionary(Int32, Utf8) ([`SymbolEncoding`]) | the empty symbol |
//! | STR | Utf8 | the empty string |
//!
//! Fixed-width columns move into Arrow without a copy (the Rust vector becomes the Arrow
//! buffer); the temporal epoch shift is done in place in the same pass, and the validity
//! bitmap is built only when a column holds a null. Text columns keep their byte buffer
//! (only the offsets are rewritten). Into Rayforce, Arrow's Date64, Time32(Second),
//! Time64 and every Timestamp unit and time zone are accepted too (converted exactly, or an
//! error when precision would be lost), as are LargeUtf8, Utf8View, dictionaries of any key
//! type, and binary arrays of 16-byte values as GUIDs (how polars carries them).

use crate::value::{Date, Guid, Table, TextColumn, Time, Timestamp, Type, Vector};
use crate::{Error, Result, Value};
use arrow_array::cast::AsArray;
use arrow_array::types::{
    Date32Type, Date64Type, Float32Type, Float64Type, Int16Type, Int32Type, Int64Type,
    Time32MillisecondType, Time32SecondType, Time64MicrosecondType, Time64NanosecondType,
    TimestampMicrosecondType, TimestampMillisecondType, TimestampNanosecondType,
    TimestampSecondType, UInt8Type,
};
use arrow_array::{
    Array, ArrayRef, ArrowPrimitiveType, BooleanArray, DictionaryArray, FixedSizeBinaryArray,
    PrimitiveArray, RecordBatch, StringArray,
};
use arrow_buffer::{Buffer, NullBuffer, OffsetBuffer, ScalarBuffer};
use arrow_schema::{DataType, Field, Schema, TimeUnit};
use std::sync::Arc;

/// Days from 1970-01-01 to 2000-01-01 (Rayforce's epoch).
pub const EPOCH_DAYS: i32 = 10_957;
/// Nanoseconds from 1970-01-01 to 2000-01-01.
pub const EPOCH_NANOS: i64 = EPOCH_DAYS as i64 * 86_400 * 1_000_000_000;

/// How SYMBOL columns become Arrow arrays.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SymbolEncoding {
    /// Plain strings (`Utf8`): what most tools expect.
    #[default]
    Utf8,
    /// `Dictionary(Int32, Utf8)`: each distinct symbol stored once.
    Dictionary,
}

/// Options of [`to_record_batch`].
#[derive(Clone, Copy, Debug, Default)]
#[non_exhaustive]
pub struct ArrowOptions {
    /// How SYMBOL columns are encoded.
    pub symbols: SymbolEncoding,
}

impl ArrowOptions {
    /// Options with this symbol encoding.
    pub fn symbols(mut self, encoding: SymbolEncoding) -> Self {
        self.symbols = encoding;
        self
    }
}

fn unsupported(column: &str, what: impl std::fmt::Display) -> Error {
    Error::TypeMismatch {
        expected: format!("column `{column}`: a type with an Arrow mapping"),
        actual: what.to_string(),
    }
}

/// A validity bitmap for `values`, or `None` when nothing is null (no bitmap is built).
fn validity<T>(values: &[T], is_null: impl Fn(&T) -> bool) -> Option<NullBuffer> {
    values
        .iter()
        .any(&is_null)
        .then(|| NullBuffer::from_iter(values.iter().map(|v| !is_null(v))))
}

/// A primitive array owning `values` (no copy), nulls where `is_null`.
fn primitive<T: ArrowPrimitiveType>(
    values: Vec<T::Native>,
    is_null: impl Fn(&T::Native) -> bool,
) -> PrimitiveArray<T> {
    let nulls = validity(&values, is_null);
    PrimitiveArray::new(ScalarBuffer::from(values), nulls)
}

/// A text column as `Utf8` (its bytes buffer is kept; empty items are nulls).
fn utf8(column: &str, text: TextColumn) -> Result<StringArray> {
    let nulls = text
        .has_empty()
        .then(|| NullBuffer::from_iter(text.iter().map(|t| !t.is_empty())));
    let (bytes, ends) = text.into_parts();
    if bytes.len() > i32::MAX as usize {
        return Err(unsupported(column, "more than 2 GiB of text in one column"));
    }
    let offsets: Vec<i32> = std::iter::once(0)
        .chain(ends.iter().map(|&e| e as i32))
        .collect();
    StringArray::try_new(
        OffsetBuffer::new(ScalarBuffer::from(offsets)),
        Buffer::from_vec(bytes),
        nulls,
    )
    .map_err(|e| unsupported(column, e))
}

/// A symbol column as `Dictionary(Int32, Utf8)`.
fn dictionary(column: &str, text: TextColumn) -> Result<ArrayRef> {
    let mut index: std::collections::HashMap<&[u8], i32> = std::collections::HashMap::new();
    let mut distinct = TextColumn::new();
    let mut keys = Vec::with_capacity(text.len());
    let mut nulls = Vec::with_capacity(text.len());
    for item in text.iter() {
        nulls.push(!item.is_empty());
        let next = index.len() as i32;
        let key = *index.entry(item).or_insert_with(|| {
            distinct.push(item);
            next
        });
        keys.push(key);
    }
    let any_null = nulls.iter().any(|valid| !valid);
    let keys = PrimitiveArray::<Int32Type>::new(
        ScalarBuffer::from(keys),
        any_null.then(|| NullBuffer::from(nulls)),
    );
    let values = utf8(column, distinct)?;
    let array = DictionaryArray::<Int32Type>::try_new(keys, Arc::new(values))
        .map_err(|e| unsupported(column, e))?;
    Ok(Arc::new(array))
}

/// One Rayforce column as an Arrow array (moved, not copied, where the layout allows).
fn column_to_arrow(name: &str, column: Value, options: ArrowOptions) -> Result<ArrayRef> {
    let vector = match column {
        Value::Vector(v) => v,
        other => return Err(unsupported(name, other.kind_name())),
    };
    Ok(match vector {
        Vector::Bool(v) => Arc::new(BooleanArray::from(v)),
        Vector::U8(v) => Arc::new(primitive::<UInt8Type>(v, |_| false)),
        Vector::I16(v) => Arc::new(primitive::<Int16Type>(v, |x| *x == i16::MIN)),
        Vector::I32(v) => Arc::new(primitive::<Int32Type>(v, |x| *x == i32::MIN)),
        Vector::I64(v) => Arc::new(primitive::<Int64Type>(v, |x| *x == i64::MIN)),
        Vector::F32(v) => Arc::new(primitive::<Float32Type>(v, |x| x.is_nan())),
        Vector::F64(v) => Arc::new(primitive::<Float64Type>(v, |x| x.is_nan())),
        Vector::Date(v) => {
            let mut days: Vec<i32> = bytemuck::allocation::cast_vec(v);
            let nulls = validity(&days, |d| *d == i32::MIN);
            for d in days.iter_mut().filter(|d| **d != i32::MIN) {
                *d += EPOCH_DAYS;
            }
            Arc::new(PrimitiveArray::<Date32Type>::new(
                ScalarBuffer::from(days),
                nulls,
            ))
        }
        Vector::Time(v) => {
            let ms: Vec<i32> = bytemuck::allocation::cast_vec(v);
            Arc::new(primitive::<Time32MillisecondType>(ms, |x| *x == i32::MIN))
        }
        Vector::Timestamp(v) => {
            let mut ns: Vec<i64> = bytemuck::allocation::cast_vec(v);
            let nulls = validity(&ns, |t| *t == i64::MIN);
            for t in ns.iter_mut().filter(|t| **t != i64::MIN) {
                *t = t.checked_add(EPOCH_NANOS).ok_or_else(|| {
                    unsupported(name, "a timestamp past 2262 (Arrow's nanosecond range)")
                })?;
            }
            Arc::new(PrimitiveArray::<TimestampNanosecondType>::new(
                ScalarBuffer::from(ns),
                nulls,
            ))
        }
        Vector::Guid(v) => {
            let nulls = validity(&v, |g| g.0 == [0; 16]);
            let bytes: Vec<u8> = bytemuck::allocation::cast_vec(v);
            let array = FixedSizeBinaryArray::try_new(16, Buffer::from_vec(bytes), nulls)
                .map_err(|e| unsupported(name, e))?;
            Arc::new(array)
        }
        Vector::Symbol(t) => match options.symbols {
            SymbolEncoding::Utf8 => Arc::new(utf8(name, t)?),
            SymbolEncoding::Dictionary => dictionary(name, t)?,
        },
        Vector::Str(t) => Arc::new(utf8(name, t)?),
    })
}

/// A table as a record batch (consumed: its column buffers move into Arrow).
///
/// ```
/// # #[cfg(feature = "arrow")] {
/// use rayforce_client::arrow::{to_record_batch, ArrowOptions};
/// use rayforce_client::{Table, Value};
/// let t = Table::new(["id", "sym"], vec![Value::from(vec![1i64, i64::MIN]), Value::symbols(["a", "b"])])?;
/// let batch = to_record_batch(t, ArrowOptions::default())?;
/// assert_eq!(batch.num_rows(), 2);
/// assert_eq!(batch.column(0).null_count(), 1);
/// # }
/// # Ok::<(), rayforce_client::Error>(())
/// ```
pub fn to_record_batch(table: Table, options: ArrowOptions) -> Result<RecordBatch> {
    let (names, columns) = table.into_parts();
    let mut fields = Vec::with_capacity(columns.len());
    let mut arrays = Vec::with_capacity(columns.len());
    for (name, column) in names.iter_lossy().zip(columns) {
        let array = column_to_arrow(&name, column, options)?;
        fields.push(Field::new(name.as_ref(), array.data_type().clone(), true));
        arrays.push(array);
    }
    RecordBatch::try_new(Arc::new(Schema::new(fields)), arrays)
        .map_err(|e| Error::InvalidQuery(format!("record batch: {e}")))
}

/// Values of a primitive array, with `null` written where Arrow has a null.
fn with_sentinel<T: ArrowPrimitiveType>(
    array: &PrimitiveArray<T>,
    null: T::Native,
) -> Vec<T::Native> {
    let mut values = array.values().to_vec();
    if let Some(nulls) = array.nulls() {
        for i in nulls
            .iter()
            .enumerate()
            .filter(|(_, valid)| !valid)
            .map(|(i, _)| i)
        {
            values[i] = null;
        }
    }
    values
}

/// A string-like array as a text column (nulls become empty items), each string copied
/// once, straight from the Arrow buffers.
fn text_column(name: &str, array: &dyn Array) -> Result<TextColumn> {
    fn collect<'a>(items: impl ExactSizeIterator<Item = Option<&'a str>>) -> TextColumn {
        let mut column = TextColumn::with_capacity(items.len(), 0);
        for item in items {
            column.push(item.unwrap_or_default());
        }
        column
    }
    Ok(match array.data_type() {
        DataType::Utf8 => collect(array.as_string::<i32>().iter()),
        DataType::LargeUtf8 => collect(array.as_string::<i64>().iter()),
        DataType::Utf8View => collect(array.as_string_view().iter()),
        DataType::Dictionary(_, value)
            if matches!(**value, DataType::Utf8 | DataType::LargeUtf8) =>
        {
            let dict = array.as_any_dictionary();
            let values = text_column(name, dict.values().as_ref())?;
            let keys = dict.normalized_keys();
            let mut column = TextColumn::with_capacity(keys.len(), 0);
            for (i, k) in keys.into_iter().enumerate() {
                let item = match dict.keys().is_null(i) {
                    true => &[][..],
                    false => values.get(k).unwrap_or_default(),
                };
                column.push(item);
            }
            column
        }
        other => return Err(unsupported(name, other)),
    })
}

/// Exact division (an error when precision would be lost).
fn exact(name: &str, value: i64, by: i64) -> Result<i64> {
    if value % by == 0 {
        Ok(value / by)
    } else {
        Err(unsupported(
            name,
            format!("{value} is not a whole number of milliseconds/days"),
        ))
    }
}

/// One Arrow array as a Rayforce column; `target` (the server column's type, when known)
/// chooses between SYMBOL and STR for text.
fn column_from_arrow(name: &str, array: &dyn Array, target: Option<Type>) -> Result<Value> {
    let no_nulls = |what: &str| -> Result<()> {
        if array.null_count() > 0 {
            Err(unsupported(
                name,
                format!("{what} with nulls ({what} has no null)"),
            ))
        } else {
            Ok(())
        }
    };
    let vector = match array.data_type() {
        DataType::Boolean => {
            no_nulls("BOOL")?;
            Vector::Bool(array.as_boolean().values().iter().collect())
        }
        DataType::UInt8 => {
            no_nulls("U8")?;
            Vector::U8(array.as_primitive::<UInt8Type>().values().to_vec())
        }
        DataType::Int16 => Vector::I16(with_sentinel(array.as_primitive::<Int16Type>(), i16::MIN)),
        DataType::Int32 => Vector::I32(with_sentinel(array.as_primitive::<Int32Type>(), i32::MIN)),
        DataType::Int64 => Vector::I64(with_sentinel(array.as_primitive::<Int64Type>(), i64::MIN)),
        DataType::Float32 => {
            Vector::F32(with_sentinel(array.as_primitive::<Float32Type>(), f32::NAN))
        }
        DataType::Float64 => {
            Vector::F64(with_sentinel(array.as_primitive::<Float64Type>(), f64::NAN))
        }
        DataType::Date32 => {
            let days = with_sentinel(array.as_primitive::<Date32Type>(), i32::MIN);
            Vector::Date(
                days.into_iter()
                    .map(|d| Date(if d == i32::MIN { d } else { d - EPOCH_DAYS }))
                    .collect(),
            )
        }
        DataType::Date64 => {
            let ms = with_sentinel(array.as_primitive::<Date64Type>(), i64::MIN);
            let days = ms
                .into_iter()
                .map(|m| {
                    if m == i64::MIN {
                        return Ok(Date::NULL);
                    }
                    let d = exact(name, m, 86_400_000)? - EPOCH_DAYS as i64;
                    i32::try_from(d)
                        .map(Date)
                        .map_err(|_| unsupported(name, "a date out of range"))
                })
                .collect::<Result<Vec<_>>>()?;
            Vector::Date(days)
        }
        DataType::Time32(unit) => {
            let (raw, scale) = match unit {
                TimeUnit::Second => (
                    with_sentinel(array.as_primitive::<Time32SecondType>(), i32::MIN),
                    1000,
                ),
                _ => (
                    with_sentinel(array.as_primitive::<Time32MillisecondType>(), i32::MIN),
                    1,
                ),
            };
            Vector::Time(
                raw.into_iter()
                    .map(|t| Time(if t == i32::MIN { t } else { t * scale }))
                    .collect(),
            )
        }
        DataType::Time64(unit) => {
            let (raw, per_ms) = match unit {
                TimeUnit::Microsecond => (
                    with_sentinel(array.as_primitive::<Time64MicrosecondType>(), i64::MIN),
                    1_000,
                ),
                _ => (
                    with_sentinel(array.as_primitive::<Time64NanosecondType>(), i64::MIN),
                    1_000_000,
                ),
            };
            let ms = raw
                .into_iter()
                .map(|t| {
                    if t == i64::MIN {
                        Ok(Time(i32::MIN))
                    } else {
                        exact(name, t, per_ms).map(|m| Time(m as i32))
                    }
                })
                .collect::<Result<Vec<_>>>()?;
            Vector::Time(ms)
        }
        DataType::Timestamp(unit, _) => {
            let (raw, scale) = match unit {
                TimeUnit::Second => (
                    with_sentinel(array.as_primitive::<TimestampSecondType>(), i64::MIN),
                    1_000_000_000,
                ),
                TimeUnit::Millisecond => (
                    with_sentinel(array.as_primitive::<TimestampMillisecondType>(), i64::MIN),
                    1_000_000,
                ),
                TimeUnit::Microsecond => (
                    with_sentinel(array.as_primitive::<TimestampMicrosecondType>(), i64::MIN),
                    1_000,
                ),
                TimeUnit::Nanosecond => (
                    with_sentinel(array.as_primitive::<TimestampNanosecondType>(), i64::MIN),
                    1,
                ),
            };
            let ns = raw
                .into_iter()
                .map(|t| {
                    if t == i64::MIN {
                        return Ok(Timestamp(i64::MIN));
                    }
                    t.checked_mul(scale)
                        .and_then(|n| n.checked_sub(EPOCH_NANOS))
                        .map(Timestamp)
                        .ok_or_else(|| unsupported(name, "a timestamp out of range"))
                })
                .collect::<Result<Vec<_>>>()?;
            Vector::Timestamp(ns)
        }
        DataType::FixedSizeBinary(16) => {
            let a = array.as_fixed_size_binary();
            Vector::Guid(
                (0..a.len())
                    .map(|i| {
                        let mut g = [0u8; 16];
                        if a.is_valid(i) {
                            g.copy_from_slice(a.value(i));
                        }
                        Guid(g)
                    })
                    .collect(),
            )
        }
        // Variable-length binary holding 16-byte values (how polars, which has no
        // fixed-size binary, carries GUIDs): a GUID column; any other length is an error.
        DataType::Binary | DataType::LargeBinary | DataType::BinaryView => {
            let values: Vec<Option<&[u8]>> = match array.data_type() {
                DataType::Binary => array.as_binary::<i32>().iter().collect(),
                DataType::LargeBinary => array.as_binary::<i64>().iter().collect(),
                _ => array.as_binary_view().iter().collect(),
            };
            let guids = values
                .into_iter()
                .map(|v| match v {
                    None => Ok(Guid([0; 16])),
                    Some(bytes) => <[u8; 16]>::try_from(bytes).map(Guid).map_err(|_| {
                        unsupported(
                            name,
                            format!("a {}-byte binary value (a GUID has 16)", bytes.len()),
                        )
                    }),
                })
                .collect::<Result<Vec<_>>>()?;
            Vector::Guid(guids)
        }
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View | DataType::Dictionary(..) => {
            let items = text_column(name, array)?;
            match target {
                Some(Type::Str) => Vector::Str(items),
                _ => Vector::Symbol(items),
            }
        }
        other => return Err(unsupported(name, other)),
    };
    Ok(Value::Vector(vector))
}

/// A record batch as `(name, column)` pairs for an insert or upsert. `schema`, the server
/// table's column types (as from `table_schema`), decides whether text becomes SYMBOL or
/// STR; without it text becomes SYMBOL.
pub fn columns_from_record_batch(
    batch: &RecordBatch,
    schema: Option<&[(String, Option<Type>)]>,
) -> Result<Vec<(String, Value)>> {
    batch
        .schema()
        .fields()
        .iter()
        .zip(batch.columns())
        .map(|(field, array)| {
            let name = field.name();
            let target = schema
                .and_then(|s| s.iter().find(|(n, _)| n == name))
                .and_then(|(_, t)| *t);
            Ok((
                name.clone(),
                column_from_arrow(name, array.as_ref(), target)?,
            ))
        })
        .collect()
}

/// A record batch as a table (text as SYMBOL; see [`columns_from_record_batch`]).
pub fn from_record_batch(batch: &RecordBatch) -> Result<Table> {
    let (names, columns): (Vec<String>, Vec<Value>) =
        columns_from_record_batch(batch, None)?.into_iter().unzip();
    Table::new(names, columns)
}
