//! Compound values: [`Dict`], [`Table`] (column order preserved), [`Lambda`] and
//! [`Builtin`] functions.

use super::{Symbol, Text, TextColumn, Type, Value, Vector};
use crate::{Error, Result};

/// A dictionary: a keys vector and a values vector or LIST of the same length, in order.
///
/// ```
/// use rayforce_client::{Dict, Value};
/// let d = Dict::from_pairs([("a", Value::I64(1)), ("b", Value::from("x"))]);
/// assert_eq!(d.len(), 2);
/// assert_eq!(d.get("b"), Some(Value::from("x")));
/// ```
#[derive(Clone, PartialEq, Debug)]
pub struct Dict {
    /// The keys (usually a SYM vector).
    pub keys: Box<Value>,
    /// The values (a LIST, or a typed vector).
    pub values: Box<Value>,
}

impl Dict {
    /// A dict from its keys and values.
    pub fn new(keys: Value, values: Value) -> Dict {
        Dict {
            keys: Box::new(keys),
            values: Box::new(values),
        }
    }

    /// A dict with symbol keys and a LIST of values, in the given order.
    pub fn from_pairs<K: AsRef<[u8]>>(pairs: impl IntoIterator<Item = (K, Value)>) -> Dict {
        let mut keys = TextColumn::new();
        let mut values = Vec::new();
        for (k, v) in pairs {
            keys.push(k);
            values.push(v);
        }
        Dict::new(Value::Vector(Vector::Symbol(keys)), Value::List(values))
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.keys.count().unwrap_or(0)
    }

    /// Whether the dict has no entries.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The value under a symbol key.
    pub fn get(&self, key: &str) -> Option<Value> {
        let keys = match &*self.keys {
            Value::Vector(Vector::Symbol(k)) => k,
            _ => return None,
        };
        let i = keys.iter().position(|k| k == key.as_bytes())?;
        self.values.item(i)
    }
}

/// A table: named columns of equal length, in the server's order.
///
/// ```
/// use rayforce_client::{Table, Value, Vector};
/// let t = Table::new(
///     ["id", "px"],
///     vec![Vector::from(vec![1i64, 2]).into(), Vector::from(vec![1.5, 2.5]).into()],
/// ).unwrap();
/// assert_eq!(t.num_rows(), 2);
/// assert_eq!(t.column("px").unwrap().as_vector().unwrap().as_f64(), Some(&[1.5, 2.5][..]));
/// ```
#[derive(Clone, PartialEq, Debug)]
pub struct Table {
    names: TextColumn,
    columns: Vec<Value>,
}

impl Table {
    /// A table from column names and columns (vectors or LISTs) of equal length.
    pub fn new<S: AsRef<[u8]>>(
        names: impl IntoIterator<Item = S>,
        columns: Vec<Value>,
    ) -> Result<Table> {
        let names: TextColumn = names.into_iter().collect();
        let table = Table::from_parts(names, columns)?;
        let rows = table.columns.first().map(|c| c.count().unwrap_or(1));
        for (name, col) in table.names.iter_lossy().zip(&table.columns) {
            match col.count() {
                Some(n) if Some(n) == rows => {}
                _ => {
                    return Err(Error::InvalidQuery(format!(
                        "table column `{name}` is not a vector of {} rows",
                        rows.unwrap_or(0)
                    )))
                }
            }
        }
        Ok(table)
    }

    /// A table from names and columns, checking only that their counts match
    /// (the decoder's constructor: the server is trusted on lengths).
    pub fn from_parts(names: TextColumn, columns: Vec<Value>) -> Result<Table> {
        if names.len() != columns.len() {
            return Err(Error::InvalidQuery(format!(
                "table has {} names but {} columns",
                names.len(),
                columns.len()
            )));
        }
        Ok(Table { names, columns })
    }

    /// The column names.
    pub fn names(&self) -> &TextColumn {
        &self.names
    }

    /// The columns, in order.
    pub fn columns(&self) -> &[Value] {
        &self.columns
    }

    /// Consumes the table into its names and columns.
    pub fn into_parts(self) -> (TextColumn, Vec<Value>) {
        (self.names, self.columns)
    }

    /// The column with this name (the first, if the server sent duplicates).
    pub fn column(&self, name: &str) -> Option<&Value> {
        let i = self.names.iter().position(|n| n == name.as_bytes())?;
        self.columns.get(i)
    }

    /// Number of columns.
    pub fn num_columns(&self) -> usize {
        self.columns.len()
    }

    /// Number of rows (0 for a table without columns).
    pub fn num_rows(&self) -> usize {
        self.columns
            .first()
            .and_then(|c| c.count())
            .unwrap_or_default()
    }

    /// Row `i` as (name, value) pairs.
    pub fn row(&self, i: usize) -> Option<Vec<(String, Value)>> {
        self.names
            .iter_lossy()
            .zip(&self.columns)
            .map(|(n, c)| Some((n.into_owned(), c.item(i)?)))
            .collect()
    }
}

/// A lambda (`fn`) as the server serializes it.
#[derive(Clone, PartialEq, Debug)]
pub struct Lambda {
    /// The attrs byte (bit 0: a closure dict follows).
    pub attrs: u8,
    /// Parameter names.
    pub params: TextColumn,
    /// Body expressions.
    pub body: Vec<Value>,
    /// Captured closure, present when `attrs & 1`.
    pub closure: Option<Box<Value>>,
}

/// The kind of a builtin function object.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash)]
pub enum BuiltinKind {
    /// One argument (wire code 101).
    Unary,
    /// Two arguments (wire code 102).
    Binary,
    /// Any number of arguments (wire code 103).
    Variadic,
}

/// A builtin function, serialized by name (e.g. `+`, `til`).
#[derive(Clone, PartialEq, Eq, Debug, Hash)]
pub struct Builtin {
    /// Unary, binary or variadic.
    pub kind: BuiltinKind,
    /// The builtin's name (at most 15 bytes on the wire).
    pub name: Text,
}

impl Value {
    /// Item `i` of a vector or LIST (vector elements become atoms).
    pub fn item(&self, i: usize) -> Option<Value> {
        match self {
            Value::Vector(v) => v.get(i),
            Value::List(items) => items.get(i).cloned(),
            _ => None,
        }
    }

    /// A literal symbol atom.
    pub fn symbol(text: impl Into<Text>) -> Value {
        Value::Symbol(Symbol::literal(text))
    }

    /// A symbol vector.
    ///
    /// ```
    /// use rayforce_client::Value;
    /// assert_eq!(Value::symbols(["a", "b"]).to_rayfall().unwrap(), "['a 'b]");
    /// ```
    pub fn symbols<S: AsRef<[u8]>>(items: impl IntoIterator<Item = S>) -> Value {
        Value::Vector(Vector::Symbol(items.into_iter().collect()))
    }

    /// A name-reference symbol atom (the server looks it up).
    pub fn name(text: impl Into<Text>) -> Value {
        Value::Symbol(Symbol::name(text))
    }

    /// An expression: a LIST whose head is a name reference, e.g.
    /// `Value::call("+", [1.into(), 2.into()])` is `(+ 1 2)`.
    pub fn call(function: &str, args: impl IntoIterator<Item = Value>) -> Value {
        let mut items = vec![Value::name(function)];
        items.extend(args);
        Value::List(items)
    }

    /// A typed null atom of the given type.
    pub fn null_of(t: Type) -> Value {
        Value::TypedNull(t)
    }
}

/// Builds a [`Table`] value from `name => column` pairs; each column is anything that
/// converts into a [`Value`] vector. Columns of different lengths are a programming error
/// and panic, as an out-of-range index does; [`try_table!`](crate::try_table) returns a
/// `Result` instead.
///
/// ```
/// use rayforce_client::{table, Value};
/// let t = table! { "id" => vec![1i64, 2], "sym" => Value::symbols(["a", "b"]) };
/// assert_eq!(t.num_rows(), 2);
/// assert_eq!(Value::Table(t).to_rayfall().unwrap(), "(table ['id 'sym] (list [1 2] ['a 'b]))");
/// ```
#[macro_export]
macro_rules! table {
    ($($name:expr => $column:expr),* $(,)?) => {
        match $crate::try_table! { $($name => $column),* } {
            ::core::result::Result::Ok(t) => t,
            ::core::result::Result::Err(e) => panic!("table!: {e}"),
        }
    };
}

/// [`table!`](crate::table) returning `Result<Table>`: an error when columns differ in
/// length.
///
/// ```
/// use rayforce_client::try_table;
/// assert!(try_table! { "a" => vec![1i64, 2], "b" => vec![1i64] }.is_err());
/// ```
#[macro_export]
macro_rules! try_table {
    ($($name:expr => $column:expr),* $(,)?) => {
        $crate::value::Table::new([$($name),*], vec![$($crate::Value::from($column)),*])
    };
}
