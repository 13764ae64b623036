//! [`InsertQuery`] and [`UpsertQuery`]: `(insert 'name <data>)` and
//! `(upsert 'name <key_columns> <data>)`, with data as one row, several rows, column
//! vectors, a name→value map, or a table. Values are typed data.
//!
//! Strings follow one rule, as in updates: a Rust string (a STR value) is text for the
//! column it goes into. Into a named table, each text value is sent as
//! `(as (type (at t 'col)) value)`, so the server makes it a symbol in a SYMBOL column and a
//! string in a STR column (rayforce-py's `insert(name="ivan")` works the same way). Symbol
//! values ([`Value::symbol`], [`sym`](super::sym)) are sent as they are.

use super::expr::compile_literal;
use super::{Compile, TableRef};
use crate::value::{self, TextColumn, Value, Vector};
use crate::{wire, Error, Result};

/// The data of an insert or upsert.
#[derive(Clone, Debug, PartialEq)]
pub enum InsertData {
    /// One row, positional: one atom per column.
    Row(Vec<Value>),
    /// Column vectors, positional.
    Columns(Vec<Value>),
    /// Column name → atom or vector.
    Map(Vec<(String, Value)>),
    /// A whole table.
    Table(value::Table),
}

fn transpose(rows: Vec<Vec<Value>>) -> Result<Vec<Value>> {
    let width = rows.first().map(Vec::len).unwrap_or(0);
    if rows.is_empty() || width == 0 {
        return Err(Error::InvalidQuery("no rows to insert".into()));
    }
    let mut columns: Vec<Vec<Value>> = vec![Vec::with_capacity(rows.len()); width];
    for (i, row) in rows.into_iter().enumerate() {
        if row.len() != width {
            return Err(Error::InvalidQuery(format!(
                "row {i} has {} values, the first row has {width}",
                row.len()
            )));
        }
        for (c, v) in row.into_iter().enumerate() {
            columns[c].push(v);
        }
    }
    Ok(columns
        .into_iter()
        .map(|items| match Vector::from_atoms(&items) {
            Some(v) => Value::Vector(v),
            None => Value::List(items),
        })
        .collect())
}

/// Whether `v` is text that takes its column's type (STR atoms and vectors).
fn is_text(v: &Value) -> bool {
    matches!(v, Value::Str(_) | Value::Vector(Vector::Str(_)))
}

/// An atom as a one-element vector; vectors and lists unchanged.
fn as_column(v: &Value) -> Value {
    if v.is_atom() {
        if let Some(vec) = Vector::from_atoms(std::slice::from_ref(v)) {
            return Value::Vector(vec);
        }
    }
    v.clone()
}

impl InsertData {
    /// Writes the data as the server reads it, straight from the caller's buffers (no
    /// copy into a value tree: inserts of millions of rows). This is the one encoding of
    /// insert data; [`Compile`] decodes these bytes to show the tree.
    fn write<'a, S: wire::Sink<'a>>(
        &'a self,
        out: &mut S,
        columns_only: bool,
        table: Option<&str>,
    ) -> Result<()> {
        // `column`: the target column as an expression, for text values (see the module).
        // The caller's column vectors are written from their own buffers (a `Parts` sink
        // borrows the large ones: no copy at all).
        // Text goes as (as (type (at t <column>)) v): this writes the head of that call.
        let text_head = |buf: &mut Vec<u8>, t: &str, column: &dyn Fn() -> Value| -> Result<()> {
            wire::encode_list_header(3, buf);
            wire::encode_into(&Value::name("as"), buf)?;
            let at = Value::call("at", [Value::name(t), column()]);
            wire::encode_into(&Value::call("type", [at]), buf)
        };
        let item = |out: &mut S, v: &'a Value, column: &dyn Fn() -> Value| -> Result<()> {
            if columns_only && v.is_atom() {
                // An atom becomes a one-element column (owned, small: copied).
                let owned = as_column(v);
                if let (true, Some(t)) = (is_text(&owned), table) {
                    text_head(out.buf(), t, column)?;
                }
                return wire::encode_into(&owned, out.buf());
            }
            if let (true, Some(t)) = (is_text(v), table) {
                text_head(out.buf(), t, column)?;
                return wire::encode_to(v, out);
            }
            match v {
                Value::List(_) => wire::encode_into(&compile_literal(v), out.buf()),
                other => wire::encode_to(other, out),
            }
        };
        match self {
            InsertData::Row(values) | InsertData::Columns(values) => {
                if values.is_empty() {
                    return Err(Error::InvalidQuery("no values to insert".into()));
                }
                wire::encode_list_header(values.len() + 1, out.buf());
                wire::encode_into(&Value::name("list"), out.buf())?;
                for (i, v) in values.iter().enumerate() {
                    let by_position = || {
                        let names = Value::call("cols", [Value::name(table.unwrap_or(""))]);
                        Value::call("at", [names, Value::I64(i as i64)])
                    };
                    item(out, v, &by_position)?;
                }
            }
            InsertData::Map(pairs) => {
                if pairs.is_empty() {
                    return Err(Error::InvalidQuery("no values to insert".into()));
                }
                let names: TextColumn = pairs.iter().map(|(k, _)| k.as_str()).collect();
                let names = Value::Vector(Vector::Symbol(names));
                let buf = out.buf();
                if table.is_some() && pairs.iter().any(|(_, v)| is_text(v)) {
                    // Text to convert: `(dict [names] (list …))`, whose items are evaluated
                    // (a dict literal's are not).
                    wire::encode_list_header(3, buf);
                    wire::encode_into(&Value::name("dict"), buf)?;
                    wire::encode_into(&names, buf)?;
                    wire::encode_list_header(pairs.len() + 1, buf);
                    wire::encode_into(&Value::name("list"), buf)?;
                } else {
                    wire::encode_dict_header(buf);
                    wire::encode_into(&names, buf)?;
                    wire::encode_list_header(pairs.len(), buf);
                }
                for (name, v) in pairs {
                    item(out, v, &|| Value::symbol(name.as_str()))?;
                }
            }
            InsertData::Table(t) => wire::encode_table_to(t, out)?,
        }
        Ok(())
    }

    fn width(&self) -> usize {
        match self {
            InsertData::Row(v) | InsertData::Columns(v) => v.len(),
            InsertData::Map(p) => p.len(),
            InsertData::Table(t) => t.num_columns(),
        }
    }
}

macro_rules! data_setters {
    () => {
        /// One row: a value per column, in the table's column order.
        pub fn row<V: Into<Value>>(mut self, values: impl IntoIterator<Item = V>) -> Self {
            self.data = Some(Ok(InsertData::Row(
                values.into_iter().map(Into::into).collect(),
            )));
            self
        }

        /// Several rows, sent as column vectors.
        pub fn rows<R, V>(mut self, rows: impl IntoIterator<Item = R>) -> Self
        where
            R: IntoIterator<Item = V>,
            V: Into<Value>,
        {
            let rows: Vec<Vec<Value>> = rows
                .into_iter()
                .map(|r| r.into_iter().map(Into::into).collect())
                .collect();
            self.data = Some(
                transpose(rows)
                    .map(InsertData::Columns)
                    .map_err(|e| e.to_string()),
            );
            self
        }

        /// Column vectors, in the table's column order.
        pub fn columns<V: Into<Value>>(mut self, columns: impl IntoIterator<Item = V>) -> Self {
            self.data = Some(Ok(InsertData::Columns(
                columns.into_iter().map(Into::into).collect(),
            )));
            self
        }

        /// Values by column name (atoms or vectors).
        pub fn values<K: AsRef<str>, V: Into<Value>>(
            mut self,
            pairs: impl IntoIterator<Item = (K, V)>,
        ) -> Self {
            self.data = Some(Ok(InsertData::Map(
                pairs
                    .into_iter()
                    .map(|(k, v)| (k.as_ref().to_string(), v.into()))
                    .collect(),
            )));
            self
        }

        /// The rows of a table value.
        pub fn table(mut self, data: value::Table) -> Self {
            self.data = Some(Ok(InsertData::Table(data)));
            self
        }

        /// Any prepared data.
        pub fn data(mut self, data: InsertData) -> Self {
            self.data = Some(Ok(data));
            self
        }

        fn checked_data(&self) -> Result<&InsertData> {
            match &self.data {
                Some(Ok(data)) => Ok(data),
                Some(Err(msg)) => Err(Error::InvalidQuery(msg.clone())),
                None => Err(Error::InvalidQuery(
                    "no data to insert: call row, rows, columns, values or table".into(),
                )),
            }
        }
    };
}

/// An insert. On a named table the server appends in place and returns the name.
///
/// ```
/// use rayforce_client::query::TableRef;
/// use rayforce_client::Value;
/// let q = TableRef::named("employees").insert().row([
///     Value::I64(6), Value::symbol("frank"), Value::symbol("eng"), Value::F64(80.0), Value::I64(22),
/// ]);
/// assert_eq!(q.to_rayfall().unwrap(), "(insert 'employees (list 6 'frank 'eng 80.0 22))");
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct InsertQuery {
    table: TableRef,
    data: Option<std::result::Result<InsertData, String>>,
}

impl InsertQuery {
    pub(crate) fn new(table: TableRef) -> InsertQuery {
        InsertQuery { table, data: None }
    }

    data_setters!();
}

impl InsertQuery {
    /// `(insert 'name <data>)`, encoded: the one implementation behind both
    /// [`Request`](crate::Request) and [`Compile`].
    fn write<'a, S: wire::Sink<'a>>(&'a self, out: &mut S) -> Result<()> {
        let data = self.checked_data()?;
        let buf = out.buf();
        wire::encode_list_header(3, buf);
        wire::encode_into(&Value::name("insert"), buf)?;
        wire::encode_into(&self.table.compile_target()?, buf)?;
        data.write(out, false, self.table.name())
    }
}

impl Compile for InsertQuery {
    fn compile(&self) -> Result<Value> {
        tree_of(|out| self.write(out))
    }
}

/// The value tree of what `write` encodes (for `compile`, text and tests; requests are
/// written directly).
fn tree_of(write: impl FnOnce(&mut Vec<u8>) -> Result<()>) -> Result<Value> {
    let mut bytes = Vec::new();
    write(&mut bytes)?;
    let limits = wire::Limits {
        max_decompressed_size: usize::MAX,
        max_frame_size: u64::MAX,
        ..wire::Limits::default()
    };
    Ok(wire::decode(&bytes, &limits)?)
}

/// An upsert keyed on the first `key_columns` columns: rows whose key exists are replaced,
/// others appended. Data always travels as column vectors.
///
/// ```
/// use rayforce_client::query::TableRef;
/// use rayforce_client::Value;
/// let q = TableRef::named("pos").upsert(2).values([
///     ("acct", Value::symbols(["a", "c"])),
///     ("sym", Value::symbols(["Y", "Z"])),
///     ("qty", Value::from(vec![20i64, 30])),
/// ]);
/// assert_eq!(q.to_rayfall().unwrap(), "(upsert 'pos 2 {acct: ['a 'c] sym: ['Y 'Z] qty: [20 30]})");
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct UpsertQuery {
    table: TableRef,
    key_columns: i64,
    data: Option<std::result::Result<InsertData, String>>,
}

impl UpsertQuery {
    pub(crate) fn new(table: TableRef, key_columns: i64) -> UpsertQuery {
        UpsertQuery {
            table,
            key_columns,
            data: None,
        }
    }

    data_setters!();
}

impl UpsertQuery {
    /// `(upsert 'name <keys> <data>)`, encoded: the one implementation behind both
    /// [`Request`](crate::Request) and [`Compile`]. Data always travels as columns.
    fn write<'a, S: wire::Sink<'a>>(&'a self, out: &mut S) -> Result<()> {
        let data = self.checked_data()?;
        if self.key_columns < 1 {
            return Err(Error::InvalidQuery(format!(
                "an upsert needs at least one key column, got {}",
                self.key_columns
            )));
        }
        if self.key_columns as usize > data.width() {
            return Err(Error::InvalidQuery(format!(
                "an upsert keyed on {} columns needs at least that many columns of data, got {}",
                self.key_columns,
                data.width()
            )));
        }
        let buf = out.buf();
        wire::encode_list_header(4, buf);
        wire::encode_into(&Value::name("upsert"), buf)?;
        wire::encode_into(&self.table.compile_target()?, buf)?;
        wire::encode_into(&Value::I64(self.key_columns), buf)?;
        data.write(out, true, self.table.name())
    }
}

impl Compile for UpsertQuery {
    fn compile(&self) -> Result<Value> {
        tree_of(|out| self.write(out))
    }
}

impl crate::Request for InsertQuery {
    fn write_payload(&self, out: &mut Vec<u8>) -> Result<()> {
        self.write(out)
    }
    fn write_parts<'a>(&'a self, out: &mut wire::Parts<'a>) -> Result<()> {
        self.write(out)
    }
}

impl crate::Request for UpsertQuery {
    fn write_payload(&self, out: &mut Vec<u8>) -> Result<()> {
        self.write(out)
    }
    fn write_parts<'a>(&'a self, out: &mut wire::Parts<'a>) -> Result<()> {
        self.write(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Request;

    #[test]
    fn direct_writes_equal_the_compiled_trees() {
        let t = || TableRef::named("t");
        let s = Value::symbol;
        let table = crate::table! { "a" => vec![1i64], "b" => Value::symbols(["x"]) };
        let inserts = [
            t().insert().row([
                Value::I64(1),
                s("x"),
                Value::List(vec![Value::I64(1), s("y")]),
            ]),
            t().insert()
                .columns([Value::from(vec![1i64, 2]), Value::symbols(["a", "b"])]),
            t().insert()
                .values([("a", Value::I64(1)), ("b", Value::from(vec![1.5]))]),
            t().insert().table(table.clone()),
            TableRef::inline(table.clone())
                .insert()
                .row([Value::I64(2), s("y")]),
        ];
        for q in inserts {
            let mut direct = Vec::new();
            q.write_payload(&mut direct).unwrap();
            assert_eq!(direct, wire::encode(&q.compile().unwrap()).unwrap(), "{q}");
        }
        let upserts = [
            t().upsert(1).row([Value::I64(1), s("x")]),
            t().upsert(2).values([("a", Value::I64(1)), ("b", s("q"))]),
        ];
        for q in upserts {
            let mut direct = Vec::new();
            q.write_payload(&mut direct).unwrap();
            assert_eq!(direct, wire::encode(&q.compile().unwrap()).unwrap(), "{q}");
        }
        let mut out = Vec::new();
        assert!(t()
            .upsert(0)
            .row([Value::I64(1)])
            .write_payload(&mut out)
            .is_err());
        assert!(t().insert().write_payload(&mut out).is_err());
    }
}
