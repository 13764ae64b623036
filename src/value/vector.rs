//! Typed vectors ([`Vector`]): one contiguous Rust buffer per column, nulls as the
//! server's sentinels, and the [`Type`] codes shared by atoms and vectors.

use super::{Date, Guid, Text, TextColumn, Time, Timestamp, Value};
use std::fmt;

/// The element types of atoms and vectors, with their wire codes (wire spec §5.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u8)]
pub enum Type {
    /// `b8`, code 1.
    Bool = 1,
    /// `u8`, code 2.
    U8 = 2,
    /// `i16`, code 3.
    I16 = 3,
    /// `i32`, code 4.
    I32 = 4,
    /// `i64`, code 5.
    I64 = 5,
    /// `f32`, code 6.
    F32 = 6,
    /// `f64`, code 7.
    F64 = 7,
    /// `date`, code 8.
    Date = 8,
    /// `time`, code 9.
    Time = 9,
    /// `timestamp`, code 10.
    Timestamp = 10,
    /// `guid`, code 11.
    Guid = 11,
    /// `symbol`, code 12.
    Symbol = 12,
    /// `str`, code 13.
    Str = 13,
}

impl Type {
    /// All element types, in code order.
    pub const ALL: [Type; 13] = [
        Type::Bool,
        Type::U8,
        Type::I16,
        Type::I32,
        Type::I64,
        Type::F32,
        Type::F64,
        Type::Date,
        Type::Time,
        Type::Timestamp,
        Type::Guid,
        Type::Symbol,
        Type::Str,
    ];

    /// The wire code (1..=13).
    pub fn code(self) -> u8 {
        self as u8
    }

    /// The type for a wire code.
    pub fn from_code(code: u8) -> Option<Type> {
        Type::ALL.get((code as usize).wrapping_sub(1)).copied()
    }

    /// The server's name for the type, as `(type x)` prints it for vectors (`I64`, `SYMBOL`…).
    pub fn name(self) -> &'static str {
        match self {
            Type::Bool => "B8",
            Type::U8 => "U8",
            Type::I16 => "I16",
            Type::I32 => "I32",
            Type::I64 => "I64",
            Type::F32 => "F32",
            Type::F64 => "F64",
            Type::Date => "DATE",
            Type::Time => "TIME",
            Type::Timestamp => "TIMESTAMP",
            Type::Guid => "GUID",
            Type::Symbol => "SYMBOL",
            Type::Str => "STR",
        }
    }

    /// Width in bytes of one element in a vector, for fixed-width types.
    pub fn width(self) -> Option<usize> {
        match self {
            Type::Bool | Type::U8 => Some(1),
            Type::I16 => Some(2),
            Type::I32 | Type::F32 | Type::Date | Type::Time => Some(4),
            Type::I64 | Type::F64 | Type::Timestamp => Some(8),
            Type::Guid => Some(16),
            Type::Symbol | Type::Str => None,
        }
    }
}

impl fmt::Display for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A typed vector: every element has the same type and lives in one contiguous buffer.
///
/// Nulls are the server's sentinels (`i64::MIN`, NaN, `Date::NULL`, an empty symbol or
/// string…), exactly as on the wire.
///
/// ```
/// use rayforce_client::{Vector, Type};
/// let v = Vector::from(vec![1i64, 2, 3]);
/// assert_eq!(v.len(), 3);
/// assert_eq!(v.elem_type(), Type::I64);
/// assert_eq!(v.as_i64(), Some(&[1, 2, 3][..]));
/// ```
#[derive(Clone, PartialEq, Debug)]
pub enum Vector {
    /// BOOL vector.
    Bool(Vec<bool>),
    /// U8 vector.
    U8(Vec<u8>),
    /// I16 vector.
    I16(Vec<i16>),
    /// I32 vector.
    I32(Vec<i32>),
    /// I64 vector.
    I64(Vec<i64>),
    /// F32 vector.
    F32(Vec<f32>),
    /// F64 vector.
    F64(Vec<f64>),
    /// DATE vector.
    Date(Vec<Date>),
    /// TIME vector.
    Time(Vec<Time>),
    /// TIMESTAMP vector.
    Timestamp(Vec<Timestamp>),
    /// GUID vector.
    Guid(Vec<Guid>),
    /// SYM vector.
    Symbol(TextColumn),
    /// STR vector.
    Str(TextColumn),
}

macro_rules! slice_accessors {
    ($($name:ident => $variant:ident : $t:ty),* $(,)?) => {$(
        #[doc = concat!("The elements, if this is a `", stringify!($variant), "` vector.")]
        pub fn $name(&self) -> Option<&[$t]> {
            match self {
                Vector::$variant(v) => Some(v),
                _ => None,
            }
        }
    )*};
}

impl Vector {
    /// An empty vector of the given type.
    pub fn empty(t: Type) -> Vector {
        match t {
            Type::Bool => Vector::Bool(Vec::new()),
            Type::U8 => Vector::U8(Vec::new()),
            Type::I16 => Vector::I16(Vec::new()),
            Type::I32 => Vector::I32(Vec::new()),
            Type::I64 => Vector::I64(Vec::new()),
            Type::F32 => Vector::F32(Vec::new()),
            Type::F64 => Vector::F64(Vec::new()),
            Type::Date => Vector::Date(Vec::new()),
            Type::Time => Vector::Time(Vec::new()),
            Type::Timestamp => Vector::Timestamp(Vec::new()),
            Type::Guid => Vector::Guid(Vec::new()),
            Type::Symbol => Vector::Symbol(TextColumn::new()),
            Type::Str => Vector::Str(TextColumn::new()),
        }
    }

    /// Builds a typed vector from atoms that all have one type (typed nulls of that type
    /// included; symbols regardless of their quoted flag). `None` for an empty slice, mixed
    /// types or non-atoms.
    ///
    /// ```
    /// use rayforce_client::{Value, Vector, Type};
    /// let v = Vector::from_atoms(&[Value::I64(1), Value::TypedNull(Type::I64)]).unwrap();
    /// assert_eq!(v.as_i64(), Some(&[1, i64::MIN][..]));
    /// assert!(Vector::from_atoms(&[Value::I64(1), Value::F64(1.0)]).is_none());
    /// ```
    pub fn from_atoms(items: &[Value]) -> Option<Vector> {
        let t = items.first()?.elem_type()?;
        if !items
            .iter()
            .all(|v| v.is_atom() && v.elem_type() == Some(t))
        {
            return None;
        }
        macro_rules! collect {
            ($variant:ident, $null:expr) => {
                Vector::$variant(
                    items
                        .iter()
                        .map(|v| match v {
                            Value::$variant(x) => *x,
                            _ => $null,
                        })
                        .collect(),
                )
            };
        }
        Some(match t {
            Type::Bool => collect!(Bool, false),
            Type::U8 => collect!(U8, 0),
            Type::I16 => collect!(I16, i16::MIN),
            Type::I32 => collect!(I32, i32::MIN),
            Type::I64 => collect!(I64, i64::MIN),
            Type::F32 => collect!(F32, f32::NAN),
            Type::F64 => collect!(F64, f64::NAN),
            Type::Date => collect!(Date, Date::NULL),
            Type::Time => collect!(Time, Time::NULL),
            Type::Timestamp => collect!(Timestamp, Timestamp::NULL),
            Type::Guid => collect!(Guid, Guid([0; 16])),
            Type::Symbol => Vector::Symbol(
                items
                    .iter()
                    .map(|v| match v {
                        Value::Symbol(s) => s.text.as_bytes(),
                        _ => &[],
                    })
                    .collect(),
            ),
            Type::Str => Vector::Str(
                items
                    .iter()
                    .map(|v| match v {
                        Value::Str(s) => s.as_bytes(),
                        _ => &[],
                    })
                    .collect(),
            ),
        })
    }

    /// The element type.
    pub fn elem_type(&self) -> Type {
        match self {
            Vector::Bool(_) => Type::Bool,
            Vector::U8(_) => Type::U8,
            Vector::I16(_) => Type::I16,
            Vector::I32(_) => Type::I32,
            Vector::I64(_) => Type::I64,
            Vector::F32(_) => Type::F32,
            Vector::F64(_) => Type::F64,
            Vector::Date(_) => Type::Date,
            Vector::Time(_) => Type::Time,
            Vector::Timestamp(_) => Type::Timestamp,
            Vector::Guid(_) => Type::Guid,
            Vector::Symbol(_) => Type::Symbol,
            Vector::Str(_) => Type::Str,
        }
    }

    /// Number of elements.
    pub fn len(&self) -> usize {
        match self {
            Vector::Bool(v) => v.len(),
            Vector::U8(v) => v.len(),
            Vector::I16(v) => v.len(),
            Vector::I32(v) => v.len(),
            Vector::I64(v) => v.len(),
            Vector::F32(v) => v.len(),
            Vector::F64(v) => v.len(),
            Vector::Date(v) => v.len(),
            Vector::Time(v) => v.len(),
            Vector::Timestamp(v) => v.len(),
            Vector::Guid(v) => v.len(),
            Vector::Symbol(v) | Vector::Str(v) => v.len(),
        }
    }

    /// Whether the vector has no elements.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether any element is the type's null (what the wire's HAS_NULLS attribute says).
    pub fn has_nulls(&self) -> bool {
        match self {
            Vector::Bool(_) | Vector::U8(_) => false,
            Vector::I16(v) => v.contains(&i16::MIN),
            Vector::I32(v) => v.contains(&i32::MIN),
            Vector::I64(v) => v.contains(&i64::MIN),
            Vector::F32(v) => v.iter().any(|x| x.is_nan()),
            Vector::F64(v) => v.iter().any(|x| x.is_nan()),
            Vector::Date(v) => v.iter().any(|x| x.is_null()),
            Vector::Time(v) => v.iter().any(|x| x.is_null()),
            Vector::Timestamp(v) => v.iter().any(|x| x.is_null()),
            Vector::Guid(v) => v.iter().any(|g| g.0 == [0; 16]),
            Vector::Symbol(v) | Vector::Str(v) => v.has_empty(),
        }
    }

    /// Element `i` as an atom value (nulls become [`Value::TypedNull`]; symbols are
    /// literal symbols).
    pub fn get(&self, i: usize) -> Option<Value> {
        fn null_or<T: Copy>(x: T, null: bool, t: Type, f: impl FnOnce(T) -> Value) -> Value {
            if null {
                Value::TypedNull(t)
            } else {
                f(x)
            }
        }
        Some(match self {
            Vector::Bool(v) => Value::Bool(*v.get(i)?),
            Vector::U8(v) => Value::U8(*v.get(i)?),
            Vector::I16(v) => {
                let x = *v.get(i)?;
                null_or(x, x == i16::MIN, Type::I16, Value::I16)
            }
            Vector::I32(v) => {
                let x = *v.get(i)?;
                null_or(x, x == i32::MIN, Type::I32, Value::I32)
            }
            Vector::I64(v) => {
                let x = *v.get(i)?;
                null_or(x, x == i64::MIN, Type::I64, Value::I64)
            }
            Vector::F32(v) => {
                let x = *v.get(i)?;
                null_or(x, x.is_nan(), Type::F32, Value::F32)
            }
            Vector::F64(v) => {
                let x = *v.get(i)?;
                null_or(x, x.is_nan(), Type::F64, Value::F64)
            }
            Vector::Date(v) => {
                let x = *v.get(i)?;
                null_or(x, x.is_null(), Type::Date, Value::Date)
            }
            Vector::Time(v) => {
                let x = *v.get(i)?;
                null_or(x, x.is_null(), Type::Time, Value::Time)
            }
            Vector::Timestamp(v) => {
                let x = *v.get(i)?;
                null_or(x, x.is_null(), Type::Timestamp, Value::Timestamp)
            }
            Vector::Guid(v) => Value::Guid(*v.get(i)?),
            Vector::Symbol(v) => Value::Symbol(super::Symbol::literal(Text::from(v.get(i)?))),
            Vector::Str(v) => Value::Str(Text::from(v.get(i)?)),
        })
    }

    slice_accessors! {
        as_bool => Bool: bool,
        as_u8 => U8: u8,
        as_i16 => I16: i16,
        as_i32 => I32: i32,
        as_i64 => I64: i64,
        as_f32 => F32: f32,
        as_f64 => F64: f64,
        as_date => Date: Date,
        as_time => Time: Time,
        as_timestamp => Timestamp: Timestamp,
        as_guid => Guid: Guid,
    }

    /// The elements, if this is a SYM vector.
    pub fn as_symbols(&self) -> Option<&TextColumn> {
        match self {
            Vector::Symbol(v) => Some(v),
            _ => None,
        }
    }

    /// The elements, if this is a STR vector.
    pub fn as_strings(&self) -> Option<&TextColumn> {
        match self {
            Vector::Str(v) => Some(v),
            _ => None,
        }
    }
}
