//! The query builder: a fluent, immutable DSL that compiles every query kind into the
//! [`Value`] expression tree the server evaluates, and renders the same tree as Rayfall text.
//!
//! Pure: building and compiling never need a connection. User values are literals inside
//! the tree (typed data), never pasted into text.
//!
//! ```
//! use rayforce_client::query::{col, desc, TableRef};
//! let q = TableRef::named("employees")
//!     .select(["id", "name"])
//!     .filter(col("age").gt(30))
//!     .order_by([desc("age")])
//!     .limit(10);
//! assert_eq!(
//!     q.to_rayfall().unwrap(),
//!     "(select {id: id name: name from: employees where: (> age 30) desc: age take: 10})"
//! );
//! ```

mod expr;
mod insert;
mod join;
mod reshape;
mod select;
#[cfg(feature = "sql")]
mod sql;
mod table;
mod update;

pub use expr::{call, col, lit, raw, sym, Expr, IntoExpr, IntoValue, MAX_EXPR_DEPTH};
pub use insert::{InsertData, InsertQuery, UpsertQuery};
pub use join::{JoinKind, JoinQuery, WindowJoinQuery};
pub use reshape::{parted_tables, read_csv, read_parted, read_splayed};
pub use select::{asc, desc, Columns, SelectQuery, SortKey};
#[cfg(feature = "sql")]
pub use sql::SqlQuery;
pub use table::{table, TableRef};
pub use update::UpdateQuery;

use crate::wire::Request;
use crate::{wire, Error, Result, Value};
use std::fmt;

/// Anything that compiles to a server expression.
pub trait Compile {
    /// The expression tree the client sends.
    fn compile(&self) -> Result<Value>;

    /// The same expression as Rayfall source text.
    fn to_rayfall(&self) -> Result<String> {
        self.compile()?.to_rayfall()
    }
}

/// Any query, for composing queries (a join as a select's source, saving a result…).
#[derive(Clone, Debug, PartialEq)]
pub enum Query {
    /// A table by name or inline.
    Table(TableRef),
    /// A select.
    Select(Box<SelectQuery>),
    /// An update.
    Update(Box<UpdateQuery>),
    /// An insert.
    Insert(Box<InsertQuery>),
    /// An upsert.
    Upsert(Box<UpsertQuery>),
    /// An inner, left or asof join.
    Join(Box<JoinQuery>),
    /// A window join.
    WindowJoin(Box<WindowJoinQuery>),
    /// `(ungroup q)`: flattens the list cells of a grouped select.
    Ungroup(Box<Query>),
    /// `(set 'name q)`: stores the result on the server under a name.
    Save(String, Box<Query>),
    /// Any expression.
    Expr(Expr),
    /// `(do q1 q2 …)`: runs the queries in order in one request; the value is the last one's.
    Sequence(Vec<Query>),
    /// `(f q1 q2 …)`: a server function of query results (tables read by value).
    Fn(String, Vec<Query>),
    /// A compiled expression tree, sent as it is.
    Value(Value),
}

impl Query {
    /// Selects from this query's result.
    pub fn select(self, columns: impl Columns) -> SelectQuery {
        SelectQuery::from(self).select(columns)
    }

    /// Stores this query's result on the server as a global named `name` (`(set 'name q)`).
    pub fn ipcsave(self, name: &str) -> Query {
        Query::Save(name.to_string(), Box::new(self))
    }

    /// Flattens the list cells of a grouped result: `(ungroup q)`.
    pub fn ungroup(self) -> Query {
        Query::Ungroup(Box::new(self))
    }

    /// Compiles as a data source (a read-only table reference).
    pub(crate) fn compile_source(&self) -> Result<Value> {
        match self {
            Query::Table(t) => Ok(t.compile_read()),
            other => other.compile(),
        }
    }
}

impl Compile for Query {
    fn compile(&self) -> Result<Value> {
        match self {
            Query::Table(t) => t.compile(),
            Query::Select(q) => q.compile(),
            Query::Update(q) => q.compile(),
            Query::Insert(q) => q.compile(),
            Query::Upsert(q) => q.compile(),
            Query::Join(q) => q.compile(),
            Query::WindowJoin(q) => q.compile(),
            Query::Ungroup(q) => Ok(Value::call("ungroup", [q.compile_source()?])),
            Query::Save(name, q) => {
                if name.is_empty() {
                    return Err(crate::Error::InvalidQuery(
                        "ipcsave needs a non-empty name".into(),
                    ));
                }
                Ok(Value::call(
                    "set",
                    [Value::symbol(name.as_str()), q.compile_source()?],
                ))
            }
            Query::Expr(e) => e.compile(),
            Query::Fn(f, args) => {
                let args = args
                    .iter()
                    .map(Query::compile_source)
                    .collect::<Result<Vec<_>>>()?;
                Ok(Value::call(f, args))
            }
            Query::Value(v) => Ok(v.clone()),
            Query::Sequence(steps) => {
                if steps.is_empty() {
                    return Err(crate::Error::InvalidQuery("an empty sequence".into()));
                }
                let steps = steps
                    .iter()
                    .map(Compile::compile)
                    .collect::<Result<Vec<_>>>()?;
                Ok(Value::call("do", steps))
            }
        }
    }
}

impl Compile for Expr {
    fn compile(&self) -> Result<Value> {
        Expr::compile(self)
    }
}

macro_rules! query_plumbing {
    ($($t:ident => $variant:ident),*) => {$(
        impl From<$t> for Query {
            fn from(q: $t) -> Query {
                Query::$variant(Box::new(q))
            }
        }
        impl $t {
            /// Stores this query's result on the server as `name` (`(set 'name q)`).
            pub fn ipcsave(self, name: &str) -> Query {
                Query::from(self).ipcsave(name)
            }
        }
    )*};
}
query_plumbing!(
    SelectQuery => Select,
    UpdateQuery => Update,
    InsertQuery => Insert,
    UpsertQuery => Upsert,
    JoinQuery => Join,
    WindowJoinQuery => WindowJoin
);

impl From<TableRef> for Query {
    fn from(t: TableRef) -> Query {
        Query::Table(t)
    }
}

impl From<Expr> for Query {
    fn from(e: Expr) -> Query {
        Query::Expr(e)
    }
}

macro_rules! request_and_display {
    ($($t:ty),*) => {$(
        impl Request for $t {
            fn write_payload(&self, out: &mut Vec<u8>) -> Result<()> {
                wire::encode_into(&self.compile()?, out)
            }
        }
        display!($t);
    )*};
}

macro_rules! display {
    ($($t:ty),*) => {$(
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                match self.to_rayfall() {
                    Ok(text) => f.write_str(&text),
                    Err(e) => write!(f, "<invalid query: {e}>"),
                }
            }
        }
    )*};
}
macro_rules! inherent_compile {
    ($($t:ty),*) => {$(
        impl $t {
            /// The expression tree the client sends (see [`Compile`]).
            pub fn compile(&self) -> Result<Value> {
                Compile::compile(self)
            }

            /// The same query as Rayfall source text.
            pub fn to_rayfall(&self) -> Result<String> {
                Compile::compile(self)?.to_rayfall()
            }
        }
    )*};
}
inherent_compile!(
    Query,
    TableRef,
    SelectQuery,
    UpdateQuery,
    InsertQuery,
    UpsertQuery,
    JoinQuery,
    WindowJoinQuery
);

request_and_display!(
    Query,
    Expr,
    TableRef,
    SelectQuery,
    UpdateQuery,
    JoinQuery,
    WindowJoinQuery
);
// Inserts and upserts write their payload directly (see `insert.rs`).
display!(InsertQuery, UpsertQuery);

/// The keys the server reads in a `select` or `update` dict (query-semantics §7.1, §7.12).
pub const QUERY_KEYS: [&str; 6] = ["from", "where", "by", "take", "asc", "desc"];

/// Refuses an output column name that the server would read as a query key: an alias
/// `from` would make the query read another table, `by` would drop the grouping (a
/// data-exposure bug), and an empty name has no meaning.
pub(crate) fn check_output_name(name: &str, what: &str) -> Result<()> {
    if name.is_empty() {
        return Err(Error::InvalidQuery(format!(
            "{what} column with an empty name"
        )));
    }
    if QUERY_KEYS.contains(&name) {
        return Err(Error::InvalidQuery(format!(
            "{what} column `{name}` would be read as the query's `{name}:` key; alias it differently"
        )));
    }
    Ok(())
}
