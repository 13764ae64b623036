//! Column-wise conversion for `#[derive(RayTable)]` structs: the derive reads each field
//! straight from its typed column (and builds each column straight from the fields), with
//! no serde round trip per cell. Plain serde types use `typed::rows` / `typed::columns`.

use crate::value::{Date, Guid, Table, TextColumn, Time, Timestamp, Type, Value, Vector};
use crate::{ColumnMismatch, Error, Result};

/// A Rust value that can be read from, and collected into, a Rayforce column.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be read from or written to a Rayforce column",
    label = "unsupported column type"
)]
pub trait CellValue: Sized {
    /// Whether `column` can be read as `Self` (`None`), else the column's type name.
    fn mismatch(column: &Value) -> Option<String>;
    /// The value at `row` (a null in a non-`Option` field is an error).
    fn read(column: &Value, row: usize, name: &str) -> Result<Self>;
    /// A column of `ty` (the declared type) from the values.
    fn collect<'a>(
        items: impl Iterator<Item = &'a Self>,
        len: usize,
        ty: Option<Type>,
    ) -> Result<Value>
    where
        Self: 'a;
    /// The value of a field whose column is absent (only `Option` fields allow it).
    fn missing(name: &str) -> Result<Self> {
        Err(Error::Row(format!("no column `{name}`")))
    }
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

macro_rules! int_cell {
    ($t:ty, $variant:ident, $null:expr) => {
        impl CellValue for $t {
            fn mismatch(column: &Value) -> Option<String> {
                match column {
                    Value::Vector(
                        Vector::U8(_) | Vector::I16(_) | Vector::I32(_) | Vector::I64(_),
                    ) => None,
                    other => Some(type_name(other)),
                }
            }
            fn read(column: &Value, row: usize, name: &str) -> Result<$t> {
                let wide: Option<i64> = match column {
                    Value::Vector(Vector::I64(x)) => x.get(row).copied().filter(|n| *n != i64::MIN),
                    Value::Vector(Vector::I32(x)) => x
                        .get(row)
                        .copied()
                        .filter(|n| *n != i32::MIN)
                        .map(i64::from),
                    Value::Vector(Vector::I16(x)) => x
                        .get(row)
                        .copied()
                        .filter(|n| *n != i16::MIN)
                        .map(i64::from),
                    Value::Vector(Vector::U8(x)) => x.get(row).copied().map(i64::from),
                    _ => None,
                };
                let n = wide.ok_or_else(|| null_error(name, row))?;
                <$t>::try_from(n).map_err(|_| {
                    Error::Row(format!(
                        "column `{name}` row {row}: {n} does not fit in {}",
                        stringify!($t)
                    ))
                })
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

int_cell!(i64, I64, i64::MIN);
int_cell!(i32, I32, i32::MIN as i64);
int_cell!(i16, I16, i16::MIN as i64);
int_cell!(u8, U8, 0);

macro_rules! pod_cell {
    ($t:ty, $variant:ident, $is_null:expr) => {
        impl CellValue for $t {
            fn mismatch(column: &Value) -> Option<String> {
                match column {
                    Value::Vector(Vector::$variant(_)) => None,
                    other => Some(type_name(other)),
                }
            }
            fn read(column: &Value, row: usize, name: &str) -> Result<$t> {
                let is_null: fn(&$t) -> bool = $is_null;
                match column {
                    Value::Vector(Vector::$variant(x)) => x
                        .get(row)
                        .copied()
                        .filter(|v| !is_null(v))
                        .ok_or_else(|| null_error(name, row)),
                    other => Err(Error::Row(format!(
                        "column `{name}` is {}",
                        type_name(other)
                    ))),
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

impl CellValue for String {
    fn mismatch(column: &Value) -> Option<String> {
        match column {
            Value::Vector(Vector::Symbol(_) | Vector::Str(_)) => None,
            other => Some(type_name(other)),
        }
    }
    fn read(column: &Value, row: usize, name: &str) -> Result<String> {
        let bytes = match column {
            Value::Vector(Vector::Symbol(c) | Vector::Str(c)) => c.get(row),
            _ => None,
        }
        .ok_or_else(|| Error::Row(format!("column `{name}` has no row {row}")))?;
        String::from_utf8(bytes.to_vec())
            .map_err(|_| Error::Row(format!("column `{name}` row {row} is not UTF-8")))
    }
    fn collect<'a>(
        items: impl Iterator<Item = &'a String>,
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
}

impl<V: CellValue + Clone> CellValue for Option<V> {
    fn mismatch(column: &Value) -> Option<String> {
        V::mismatch(column)
    }
    fn missing(_name: &str) -> Result<Option<V>> {
        Ok(None)
    }
    fn read(column: &Value, row: usize, name: &str) -> Result<Option<V>> {
        if super::de::is_null_at(column, row) {
            Ok(None)
        } else {
            V::read(column, row, name).map(Some)
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
    expected: Option<Type>,
    nullable: bool,
    mismatches: &mut Vec<ColumnMismatch>,
) {
    let describe = || {
        expected
            .map(|t| t.name().to_string())
            .unwrap_or_else(|| "LIST".into())
    };
    match table.column(name) {
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

impl CellValue for std::time::SystemTime {
    fn mismatch(column: &Value) -> Option<String> {
        Timestamp::mismatch(column)
    }
    fn read(column: &Value, row: usize, name: &str) -> Result<Self> {
        Timestamp::read(column, row, name).map(Timestamp::to_system_time)
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

impl<V: serde::de::DeserializeOwned + serde::Serialize> CellValue for Vec<V> {
    fn mismatch(column: &Value) -> Option<String> {
        match column {
            Value::List(_) => None,
            other => Some(type_name(other)),
        }
    }
    fn read(column: &Value, row: usize, name: &str) -> Result<Self> {
        match column {
            Value::List(items) => match items.get(row) {
                Some(v) => super::value(v),
                None => Err(Error::Row(format!("column `{name}` has no row {row}"))),
            },
            other => Err(Error::Row(format!(
                "column `{name}` is {}",
                type_name(other)
            ))),
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
            fn mismatch(column: &Value) -> Option<String> {
                <$via>::mismatch(column)
            }
            fn read(column: &Value, row: usize, name: &str) -> Result<Self> {
                <$t>::try_from(<$via>::read(column, row, name)?)
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
    fn mismatch(column: &Value) -> Option<String> {
        Timestamp::mismatch(column)
    }
    fn read(column: &Value, row: usize, name: &str) -> Result<Self> {
        Ok(Timestamp::read(column, row, name)?.into())
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
