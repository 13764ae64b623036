//! [`TableRef`]: where every query starts — a server-side table by name, or inline data
//! (named apart from [`crate::Table`], the table *value* a query returns). [`table`] is the
//! short way to name one.

use super::{
    Compile, Expr, InsertQuery, IntoExpr, JoinKind, JoinQuery, Query, SelectQuery, UpdateQuery,
    UpsertQuery, WindowJoinQuery,
};
use crate::{value, Result, Value};

/// A table a query reads from or writes to.
///
/// A named table is referenced, never shipped: reads use the bare name (`employees`),
/// in-place writes the quoted name (`'employees`). An inline table travels as data.
///
/// ```
/// use rayforce_client::query::{col, TableRef};
/// let t = TableRef::named("employees");
/// assert_eq!(t.clone().select(["id"]).to_rayfall().unwrap(), "(select {id: id from: employees})");
/// assert_eq!(
///     t.update().set("age", col("age") + 1).to_rayfall().unwrap(),
///     "(update {age: (+ age 1) from: 'employees})"
/// );
/// ```
#[derive(Clone, Debug, PartialEq)]
pub enum TableRef {
    /// A global table on the server.
    Named(String),
    /// Data carried in the query.
    Inline(value::Table),
}

/// A server-side table by name: `table("employees")` is `TableRef::named("employees")`.
///
/// ```
/// use rayforce_client::query::{col, table};
/// let q = table("employees").select(["name"]).filter(col("age").gt(30));
/// assert_eq!(q.to_rayfall().unwrap(), "(select {name: name from: employees where: (> age 30)})");
/// ```
pub fn table(name: &str) -> TableRef {
    TableRef::named(name)
}

impl TableRef {
    /// A server-side table by name.
    pub fn named(name: &str) -> TableRef {
        TableRef::Named(name.to_string())
    }

    /// A table whose data travels with the query.
    pub fn inline(data: value::Table) -> TableRef {
        TableRef::Inline(data)
    }

    /// The read form: the bare name, or the data.
    pub(crate) fn compile_read(&self) -> Value {
        match self {
            TableRef::Named(n) => Value::name(n.as_str()),
            TableRef::Inline(t) => Value::Table(t.clone()),
        }
    }

    /// The write form: the quoted name (changes the global in place), or the data
    /// (returns a changed copy).
    /// The table's name, when it is a named server table.
    pub(crate) fn name(&self) -> Option<&str> {
        match self {
            TableRef::Named(n) if !n.is_empty() => Some(n),
            _ => None,
        }
    }

    pub(crate) fn compile_target(&self) -> Result<Value> {
        match self {
            TableRef::Named(n) if n.is_empty() => {
                Err(crate::Error::InvalidQuery("table name is empty".into()))
            }
            TableRef::Named(n) => Ok(Value::symbol(n.as_str())),
            TableRef::Inline(t) => Ok(Value::Table(t.clone())),
        }
    }

    /// `select`: the listed columns (see [`Columns`](super::Columns): names, expressions,
    /// `"*"` for all).
    pub fn select(self, columns: impl super::Columns) -> SelectQuery {
        SelectQuery::from(Query::Table(self)).select(columns)
    }

    /// Every column: `(select {from: t})`.
    pub fn select_all(self) -> SelectQuery {
        SelectQuery::from(Query::Table(self))
    }

    /// All columns of the rows matching `predicate`.
    pub fn filter(self, predicate: Expr) -> SelectQuery {
        SelectQuery::from(Query::Table(self)).filter(predicate)
    }

    /// An update of this table (in place for a named table).
    pub fn update(self) -> UpdateQuery {
        UpdateQuery::new(self)
    }

    /// An insert into this table (in place for a named table).
    pub fn insert(self) -> InsertQuery {
        InsertQuery::new(self)
    }

    /// An upsert keyed on the first `key_columns` columns.
    pub fn upsert(self, key_columns: i64) -> UpsertQuery {
        UpsertQuery::new(self, key_columns)
    }

    /// `(inner-join [on] self other)`.
    pub fn inner_join<S: AsRef<str>>(
        self,
        other: impl Into<Query>,
        on: impl IntoIterator<Item = S>,
    ) -> JoinQuery {
        JoinQuery::new(JoinKind::Inner, self, other, on)
    }

    /// `(left-join [on] self other)`: every row of `self`, nulls where `other` has no match.
    pub fn left_join<S: AsRef<str>>(
        self,
        other: impl Into<Query>,
        on: impl IntoIterator<Item = S>,
    ) -> JoinQuery {
        JoinQuery::new(JoinKind::Left, self, other, on)
    }

    /// `(asof-join [on] self other)`: the last key is the time column.
    pub fn asof_join<S: AsRef<str>>(
        self,
        other: impl Into<Query>,
        on: impl IntoIterator<Item = S>,
    ) -> JoinQuery {
        JoinQuery::new(JoinKind::Asof, self, other, on)
    }

    /// A window join: for each row of `self`, aggregates over the rows of `other` whose time
    /// (the last `on` key) lies within `[time + lower, time + upper]`, plus the row
    /// prevailing at the window's start (as kdb's `wj`; see [`window_join1`](Self::window_join1)).
    pub fn window_join<S: AsRef<str>>(
        self,
        other: impl Into<Query>,
        on: impl IntoIterator<Item = S>,
        lower: impl IntoExpr,
        upper: impl IntoExpr,
    ) -> WindowJoinQuery {
        WindowJoinQuery::new(false, self, other, on, lower.into_expr(), upper.into_expr())
    }

    /// Like [`window_join`](Self::window_join), with `window-join1`: only the rows inside
    /// the window (`window-join` also counts the row prevailing at the window's start).
    pub fn window_join1<S: AsRef<str>>(
        self,
        other: impl Into<Query>,
        on: impl IntoIterator<Item = S>,
        lower: impl IntoExpr,
        upper: impl IntoExpr,
    ) -> WindowJoinQuery {
        WindowJoinQuery::new(true, self, other, on, lower.into_expr(), upper.into_expr())
    }

    /// Stores this table on the server under `name`: `(set 'name t)`.
    pub fn ipcsave(self, name: &str) -> Query {
        Query::Table(self).ipcsave(name)
    }
}

impl Compile for TableRef {
    /// A table on its own evaluates to its contents.
    fn compile(&self) -> Result<Value> {
        Ok(self.compile_read())
    }
}

impl From<value::Table> for TableRef {
    fn from(t: value::Table) -> TableRef {
        TableRef::Inline(t)
    }
}
