//! Conversions between Rust types and [`Value`]: `From` for building values and
//! `TryFrom` for reading them back. `Option<T>` maps `None` to the typed null, and
//! `Vec<T>` / `Vec<Option<T>>` to typed vectors with the server's null sentinels.

use super::{
    Date, Dict, Guid, Symbol, Table, Text, TextColumn, Time, Timestamp, Type, Value, Vector,
};
use crate::Error;

/// Rust scalar types that map to one Rayforce atom type.
pub trait AtomType: Sized {
    /// The Rayforce type.
    const TYPE: Type;
}

macro_rules! scalar {
    ($($t:ty => $variant:ident, $null:expr);* $(;)?) => {$(
        impl AtomType for $t {
            const TYPE: Type = Type::$variant;
        }
        impl From<$t> for Value {
            fn from(x: $t) -> Value {
                Value::$variant(x)
            }
        }
        impl From<Vec<$t>> for Vector {
            fn from(v: Vec<$t>) -> Vector {
                Vector::$variant(v)
            }
        }
        impl From<Vec<$t>> for Value {
            fn from(v: Vec<$t>) -> Value {
                Value::Vector(Vector::$variant(v))
            }
        }
        impl From<&[$t]> for Value {
            fn from(v: &[$t]) -> Value {
                Value::Vector(Vector::$variant(v.to_vec()))
            }
        }
        impl From<Vec<Option<$t>>> for Value {
            fn from(v: Vec<Option<$t>>) -> Value {
                let null: fn() -> $t = $null;
                Value::Vector(Vector::$variant(
                    v.into_iter().map(|x| x.unwrap_or_else(null)).collect(),
                ))
            }
        }
        impl TryFrom<Value> for $t {
            type Error = Error;
            fn try_from(v: Value) -> Result<$t, Error> {
                match v {
                    Value::$variant(x) => Ok(x),
                    other => Err(mismatch(stringify!($t), &other)),
                }
            }
        }
        impl TryFrom<Value> for Option<$t> {
            type Error = Error;
            fn try_from(v: Value) -> Result<Option<$t>, Error> {
                match v {
                    Value::$variant(x) => Ok(Some(x)),
                    Value::TypedNull(Type::$variant) | Value::Null => Ok(None),
                    other => Err(mismatch(stringify!(Option<$t>), &other)),
                }
            }
        }
        impl TryFrom<Value> for Vec<$t> {
            type Error = Error;
            fn try_from(v: Value) -> Result<Vec<$t>, Error> {
                match v {
                    Value::Vector(Vector::$variant(x)) => Ok(x),
                    other => Err(mismatch(concat!("Vec<", stringify!($t), ">"), &other)),
                }
            }
        }
    )*};
}

scalar! {
    bool => Bool, || false;
    u8 => U8, || 0;
    i16 => I16, || i16::MIN;
    i32 => I32, || i32::MIN;
    i64 => I64, || i64::MIN;
    f32 => F32, || f32::NAN;
    f64 => F64, || f64::NAN;
    Date => Date, || Date::NULL;
    Time => Time, || Time::NULL;
    Timestamp => Timestamp, || Timestamp::NULL;
    Guid => Guid, || Guid([0; 16]);
}

impl AtomType for String {
    const TYPE: Type = Type::Str;
}

impl AtomType for &str {
    const TYPE: Type = Type::Str;
}

fn mismatch(expected: &str, actual: &Value) -> Error {
    Error::TypeMismatch {
        expected: expected.to_string(),
        actual: actual.kind_name(),
    }
}

impl<T: AtomType + Into<Value>> From<Option<T>> for Value {
    fn from(x: Option<T>) -> Value {
        match x {
            Some(x) => x.into(),
            None => Value::TypedNull(T::TYPE),
        }
    }
}

impl From<&str> for Value {
    /// A string (STR atom). Use [`Value::symbol`] for a symbol.
    fn from(s: &str) -> Value {
        Value::Str(Text::from(s))
    }
}

impl From<String> for Value {
    /// A string (STR atom). Use [`Value::symbol`] for a symbol.
    fn from(s: String) -> Value {
        Value::Str(Text::from(s))
    }
}

impl From<Text> for Value {
    fn from(t: Text) -> Value {
        Value::Str(t)
    }
}

impl From<Symbol> for Value {
    fn from(s: Symbol) -> Value {
        Value::Symbol(s)
    }
}

impl From<Vec<&str>> for Value {
    /// A STR vector.
    fn from(v: Vec<&str>) -> Value {
        Value::Vector(Vector::Str(v.into_iter().collect()))
    }
}

impl From<Vec<String>> for Value {
    /// A STR vector.
    fn from(v: Vec<String>) -> Value {
        Value::Vector(Vector::Str(v.into_iter().collect()))
    }
}

impl From<Vector> for Value {
    fn from(v: Vector) -> Value {
        Value::Vector(v)
    }
}

impl From<Vec<Value>> for Value {
    /// A generic LIST.
    fn from(items: Vec<Value>) -> Value {
        Value::List(items)
    }
}

impl From<Table> for Value {
    fn from(t: Table) -> Value {
        Value::Table(t)
    }
}

impl From<Dict> for Value {
    fn from(d: Dict) -> Value {
        Value::Dict(d)
    }
}

impl From<()> for Value {
    /// The generic null.
    fn from(_: ()) -> Value {
        Value::Null
    }
}

impl TryFrom<Value> for String {
    type Error = Error;
    /// The text of a STR atom or a symbol; fails on invalid UTF-8.
    fn try_from(v: Value) -> Result<String, Error> {
        let text = match v {
            Value::Str(t) => t,
            Value::Symbol(s) => s.text,
            other => return Err(mismatch("String", &other)),
        };
        text.as_str()
            .map(str::to_string)
            .ok_or_else(|| mismatch("UTF-8 text", &Value::Str(text)))
    }
}

impl TryFrom<Value> for Vec<String> {
    type Error = Error;
    /// The elements of a SYM or STR vector, or a LIST of strings/symbols.
    fn try_from(v: Value) -> Result<Vec<String>, Error> {
        let column: TextColumn = match v {
            Value::Vector(Vector::Symbol(c)) | Value::Vector(Vector::Str(c)) => c,
            Value::List(items) => return items.into_iter().map(String::try_from).collect(),
            other => return Err(mismatch("Vec<String>", &other)),
        };
        column
            .iter()
            .map(|b| {
                std::str::from_utf8(b)
                    .map(str::to_string)
                    .map_err(|_| mismatch("UTF-8 text", &Value::Str(Text::from(b))))
            })
            .collect()
    }
}

impl TryFrom<Value> for Table {
    type Error = Error;
    fn try_from(v: Value) -> Result<Table, Error> {
        match v {
            Value::Table(t) => Ok(t),
            other => Err(mismatch("table", &other)),
        }
    }
}

impl TryFrom<Value> for Vector {
    type Error = Error;
    fn try_from(v: Value) -> Result<Vector, Error> {
        match v {
            Value::Vector(x) => Ok(x),
            other => Err(mismatch("vector", &other)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_become_typed_nulls_and_back() {
        assert_eq!(Value::from(None::<i64>), Value::TypedNull(Type::I64));
        assert_eq!(Value::from(Some(3i16)), Value::I16(3));
        let back: Option<i64> = Value::TypedNull(Type::I64).try_into().unwrap();
        assert_eq!(back, None);
        let v = Value::from(vec![Some(1i64), None]);
        assert_eq!(v.as_vector().unwrap().as_i64(), Some(&[1, i64::MIN][..]));
        assert!(v.as_vector().unwrap().has_nulls());
    }

    #[test]
    fn wrong_types_are_errors_not_panics() {
        let err = i64::try_from(Value::from("x")).unwrap_err();
        assert!(err.to_string().contains("expected i64, got str"), "{err}");
        assert!(String::try_from(Value::Str(Text::from_bytes(vec![0xff]))).is_err());
        assert_eq!(
            Vec::<String>::try_from(Value::from(vec!["a", "b"])).unwrap(),
            vec!["a".to_string(), "b".to_string()]
        );
    }
}
