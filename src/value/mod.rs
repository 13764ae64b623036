//! The value model: [`Value`] holds everything a Rayforce server sends or accepts.
//!
//! Pure data: this layer knows nothing about bytes or sockets (see `wire` for those).
//! Atoms are plain Rust scalars, typed nulls are [`Value::TypedNull`], vectors are typed
//! contiguous buffers ([`Vector`]), and dicts and tables keep their key and column order.

mod compound;
mod convert;
mod display;
pub(crate) mod temporal;
mod text;
mod vector;

pub use compound::{Builtin, BuiltinKind, Dict, Lambda, Table};
pub use temporal::{Date, Guid, Time, Timestamp, EPOCH_OFFSET_SECS};
pub use text::{Symbol, Text, TextColumn};
pub use vector::{Type, Vector};

use crate::ServerErrorCode;

/// Any Rayforce value.
///
/// ```
/// use rayforce_client::{Value, Type};
/// let v = Value::from(42i64);
/// assert_eq!(v.to_string(), "42");
/// assert_eq!(Value::from(None::<f64>), Value::TypedNull(Type::F64));
/// assert_eq!(Value::from(vec![1.5, 2.0]).to_string(), "[1.5 2.0]");
/// assert_eq!(i64::try_from(v).unwrap(), 42);
/// ```
#[derive(Clone, PartialEq, Debug)]
#[non_exhaustive]
pub enum Value {
    /// BOOL atom.
    Bool(bool),
    /// U8 atom.
    U8(u8),
    /// I16 atom.
    I16(i16),
    /// I32 atom.
    I32(i32),
    /// I64 atom.
    I64(i64),
    /// F32 atom.
    F32(f32),
    /// F64 atom.
    F64(f64),
    /// DATE atom.
    Date(Date),
    /// TIME atom.
    Time(Time),
    /// TIMESTAMP atom.
    Timestamp(Timestamp),
    /// GUID atom.
    Guid(Guid),
    /// SYM atom, literal or name reference.
    Symbol(Symbol),
    /// STR atom (a string).
    Str(Text),
    /// A typed null atom (`0Nl`, `0Nf`, `0Nd`, …).
    TypedNull(Type),
    /// A typed vector.
    Vector(Vector),
    /// A generic LIST; as a request, a LIST whose head is a function is evaluated.
    List(Vec<Value>),
    /// A dictionary.
    Dict(Dict),
    /// A table.
    Table(Table),
    /// A lambda.
    Lambda(Lambda),
    /// A builtin function object.
    Builtin(Builtin),
    /// The generic null object (`null`).
    Null,
    /// An ERROR value with its code (only the code travels on the wire).
    Error(ServerErrorCode),
}

impl Value {
    /// The element type for atoms, typed nulls and vectors.
    pub fn elem_type(&self) -> Option<Type> {
        Some(match self {
            Value::Bool(_) => Type::Bool,
            Value::U8(_) => Type::U8,
            Value::I16(_) => Type::I16,
            Value::I32(_) => Type::I32,
            Value::I64(_) => Type::I64,
            Value::F32(_) => Type::F32,
            Value::F64(_) => Type::F64,
            Value::Date(_) => Type::Date,
            Value::Time(_) => Type::Time,
            Value::Timestamp(_) => Type::Timestamp,
            Value::Guid(_) => Type::Guid,
            Value::Symbol(_) => Type::Symbol,
            Value::Str(_) => Type::Str,
            Value::TypedNull(t) => *t,
            Value::Vector(v) => v.elem_type(),
            _ => return None,
        })
    }

    /// A short name of the value's kind, for messages (`i64`, `I64 vector`, `table`…).
    pub fn kind_name(&self) -> String {
        match self {
            Value::TypedNull(t) => format!("null {}", t.name().to_lowercase()),
            Value::Vector(v) => format!("{} vector", v.elem_type().name()),
            Value::List(_) => "list".into(),
            Value::Dict(_) => "dict".into(),
            Value::Table(_) => "table".into(),
            Value::Lambda(_) => "lambda".into(),
            Value::Builtin(_) => "builtin".into(),
            Value::Null => "null".into(),
            Value::Error(_) => "error".into(),
            atom => atom
                .elem_type()
                .map(|t| t.name().to_lowercase())
                .unwrap_or_else(|| "value".into()),
        }
    }

    /// Whether this is an atom (including typed nulls).
    pub fn is_atom(&self) -> bool {
        !matches!(
            self,
            Value::Vector(_)
                | Value::List(_)
                | Value::Dict(_)
                | Value::Table(_)
                | Value::Lambda(_)
                | Value::Builtin(_)
                | Value::Null
                | Value::Error(_)
        )
    }

    /// Whether this atom holds its type's null sentinel, the bits a column stores for a
    /// null: the smallest i16/i32/i64/date/time/timestamp, a NaN float, the zero GUID, the
    /// empty string or symbol (and the nulls themselves). Such a value cannot be stored as
    /// a value: it reads back as null.
    ///
    /// ```
    /// use rayforce_client::{Guid, Value};
    /// assert!(Value::I64(i64::MIN).is_null_sentinel());
    /// assert!(Value::from("").is_null_sentinel());
    /// assert!(Value::Guid(Guid([0; 16])).is_null_sentinel());
    /// assert!(!Value::I64(0).is_null_sentinel());
    /// ```
    pub fn is_null_sentinel(&self) -> bool {
        match self {
            Value::I16(x) => *x == i16::MIN,
            Value::I32(x) => *x == i32::MIN,
            Value::I64(x) => *x == i64::MIN,
            Value::Date(d) => d.is_null(),
            Value::Time(t) => t.0 == i32::MIN,
            Value::Timestamp(t) => t.0 == i64::MIN,
            Value::Guid(g) => g.0 == [0; 16],
            Value::Str(t) => t.is_empty(),
            Value::Symbol(s) => s.text.is_empty(),
            other => other.is_null(),
        }
    }

    /// Whether this is a null: the generic `null`, a typed null atom, or a NaN float atom.
    pub fn is_null(&self) -> bool {
        match self {
            Value::Null | Value::TypedNull(_) => true,
            Value::F32(x) => x.is_nan(),
            Value::F64(x) => x.is_nan(),
            _ => false,
        }
    }

    /// Number of elements of a vector, list, dict (entries) or table (rows); `None` for atoms.
    pub fn count(&self) -> Option<usize> {
        match self {
            Value::Vector(v) => Some(v.len()),
            Value::List(items) => Some(items.len()),
            Value::Dict(d) => Some(d.len()),
            Value::Table(t) => Some(t.num_rows()),
            _ => None,
        }
    }

    /// The vector, if this is one.
    pub fn as_vector(&self) -> Option<&Vector> {
        match self {
            Value::Vector(v) => Some(v),
            _ => None,
        }
    }

    /// The table, if this is one.
    pub fn as_table(&self) -> Option<&Table> {
        match self {
            Value::Table(t) => Some(t),
            _ => None,
        }
    }

    /// The list items, if this is a LIST.
    pub fn as_list(&self) -> Option<&[Value]> {
        match self {
            Value::List(items) => Some(items),
            _ => None,
        }
    }

    /// The dict, if this is one.
    pub fn as_dict(&self) -> Option<&Dict> {
        match self {
            Value::Dict(d) => Some(d),
            _ => None,
        }
    }

    /// The text of a STR atom or of a symbol (either flag), if valid UTF-8.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(t) => t.as_str(),
            Value::Symbol(s) => s.text.as_str(),
            _ => None,
        }
    }

    /// The value of an integer atom (u8, i16, i32 or i64), if not null.
    pub fn as_i64(&self) -> Option<i64> {
        match *self {
            Value::U8(x) => Some(x as i64),
            Value::I16(x) => Some(x as i64),
            Value::I32(x) => Some(x as i64),
            Value::I64(x) => Some(x),
            _ => None,
        }
    }

    /// The value of a numeric atom as f64, if not null.
    pub fn as_f64(&self) -> Option<f64> {
        match *self {
            Value::F32(x) => Some(x as f64),
            Value::F64(x) => Some(x),
            _ => self.as_i64().map(|x| x as f64),
        }
    }
}
