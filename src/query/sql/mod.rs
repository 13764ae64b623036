//! [`SqlQuery`]: SQL text parsed with `sqlparser` and lowered onto the same query builders
//! as the DSL, so SQL and DSL queries compile to identical expressions (feature `sql`).
//!
//! Supported: `SELECT` (columns, `*`, aliases, arithmetic, `WHERE` with comparisons,
//! `AND`/`OR`/`NOT`, `IN`, `BETWEEN`, `LIKE`, `IS [NOT] NULL`, aggregates, `DISTINCT`,
//! `GROUP BY`, `ORDER BY`, `LIMIT`, `JOIN … USING/ON`, `LEFT JOIN`), `UPDATE … SET … WHERE`,
//! `INSERT INTO … VALUES` and `INSERT … ON CONFLICT (keys) DO UPDATE SET` (as upsert).
//! Parameters (`?`, `$1`) are bound from typed values and travel as data. Anything else is
//! an [`Error::Sql`](crate::Error::Sql) quoting the offending fragment.

mod expr;
mod statement;

use super::{Compile, Query, TableRef};
use crate::{Error, Result, Value};
use sqlparser::dialect::GenericDialect;
use sqlparser::parser::Parser;

/// A SQL statement to run on a Rayforce server.
///
/// ```
/// use rayforce_client::query::SqlQuery;
/// let q = SqlQuery::new("SELECT name, age FROM employees WHERE age > ? ORDER BY age DESC").bind(30);
/// assert_eq!(
///     q.to_rayfall().unwrap(),
///     "(select {name: name age: age from: employees where: (> age 30) desc: age})"
/// );
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct SqlQuery {
    sql: String,
    table: Option<TableRef>,
    params: Vec<Value>,
}

impl SqlQuery {
    /// SQL that names its tables (`FROM employees`).
    pub fn new(sql: &str) -> SqlQuery {
        SqlQuery {
            sql: sql.to_string(),
            table: None,
            params: Vec::new(),
        }
    }

    /// SQL run against `table`: the statement's only table is `table`, whatever name the
    /// SQL gives it (`FROM t`, `UPDATE t`, `INSERT INTO t`); in a join, `self` is `table`
    /// and other names are server tables.
    ///
    /// ```
    /// use rayforce_client::query::{SqlQuery, TableRef};
    /// let q = SqlQuery::on(TableRef::named("employees"), "SELECT id FROM t WHERE id > 3");
    /// assert_eq!(q.to_rayfall().unwrap(), "(select {id: id from: employees where: (> id 3)})");
    /// ```
    pub fn on(table: TableRef, sql: &str) -> SqlQuery {
        SqlQuery {
            sql: sql.to_string(),
            table: Some(table),
            params: Vec::new(),
        }
    }

    /// Binds the next parameter (`?` in order, or `$1`, `$2`, … by position).
    /// Parameters keep their type exactly (a Rust string is a STR value; bind
    /// `Value::symbol(..)` for a symbol column); Rust integers bind as i64. Only values
    /// bind: an expression is a compile error.
    ///
    /// ```compile_fail
    /// use rayforce_client::query::{col, SqlQuery};
    /// let q = SqlQuery::new("SELECT id FROM t WHERE id > ?").bind(col("c") + 1);
    /// ```
    pub fn bind(mut self, value: impl super::IntoValue) -> SqlQuery {
        self.params.push(value.into_value());
        self
    }

    /// Binds a [`Value`] exactly as given.
    pub fn bind_value(mut self, value: Value) -> SqlQuery {
        self.params.push(value);
        self
    }

    /// The SQL text.
    pub fn sql(&self) -> &str {
        &self.sql
    }

    /// Parses and lowers the SQL to a DSL query.
    pub fn lower(&self) -> Result<Query> {
        let statements =
            Parser::parse_sql(&GenericDialect {}, &self.sql).map_err(|e| Error::Sql {
                reason: format!("does not parse ({e})"),
                fragment: self.sql.clone(),
            })?;
        let statement = match statements.as_slice() {
            [one] => one,
            [] => {
                return Err(Error::Sql {
                    reason: "no statement".into(),
                    fragment: self.sql.clone(),
                })
            }
            _ => {
                return Err(Error::Sql {
                    reason: "one statement at a time".into(),
                    fragment: self.sql.clone(),
                })
            }
        };
        let mut lowering = Lowering {
            self_table: self.table.clone(),
            params: &self.params,
            next_param: 0,
            depth: 0,
            in_projection: false,
        };
        let query = lowering.statement(statement)?;
        if lowering.next_param != self.params.len() {
            return Err(Error::Sql {
                reason: format!(
                    "{} parameter(s) bound but the statement uses {}",
                    self.params.len(),
                    lowering.next_param
                ),
                fragment: self.sql.clone(),
            });
        }
        Ok(query)
    }
}

impl Compile for SqlQuery {
    fn compile(&self) -> Result<Value> {
        self.lower()?.compile()
    }
}

impl SqlQuery {
    /// The expression tree the client sends.
    pub fn compile(&self) -> Result<Value> {
        Compile::compile(self)
    }

    /// The lowered query as Rayfall text.
    pub fn to_rayfall(&self) -> Result<String> {
        Compile::compile(self)?.to_rayfall()
    }
}

impl crate::Request for SqlQuery {
    fn write_payload(&self, out: &mut Vec<u8>) -> Result<()> {
        crate::wire::encode_into(&Compile::compile(self)?, out)
    }
}

impl std::fmt::Display for SqlQuery {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.to_rayfall() {
            Ok(text) => f.write_str(&text),
            Err(e) => write!(f, "<invalid query: {e}>"),
        }
    }
}

/// State while lowering one statement.
struct Lowering<'a> {
    self_table: Option<TableRef>,
    params: &'a [Value],
    /// How many `?` placeholders were consumed (also the highest `$n` seen).
    next_param: usize,
    /// How deep the expression being lowered is nested.
    depth: usize,
    /// Whether a select list is being lowered (the one place COUNT(*) may appear).
    in_projection: bool,
}

/// An "unsupported" error quoting a fragment of the SQL.
fn unsupported(reason: &str, fragment: &impl std::fmt::Display) -> Error {
    Error::Sql {
        reason: reason.to_string(),
        fragment: fragment.to_string(),
    }
}

impl Lowering<'_> {
    fn table(&self, name: &sqlparser::ast::ObjectName) -> Result<TableRef> {
        let parts: Vec<&str> = name
            .0
            .iter()
            .filter_map(|p| p.as_ident().map(|i| i.value.as_str()))
            .collect();
        match parts.as_slice() {
            [n] if n.eq_ignore_ascii_case("self") => self
                .self_table
                .clone()
                .ok_or_else(|| unsupported("`self` needs SqlQuery::on(table, sql)", name)),
            [n] => Ok(TableRef::named(n)),
            _ => Err(unsupported("qualified table names are not supported", name)),
        }
    }

    fn param(&mut self, placeholder: &str) -> Result<Value> {
        let index = if placeholder == "?" {
            self.next_param += 1;
            self.next_param - 1
        } else if let Some(n) = placeholder
            .strip_prefix('$')
            .and_then(|n| n.parse::<usize>().ok())
            .filter(|n| *n >= 1)
        {
            self.next_param = self.next_param.max(n);
            n - 1
        } else {
            return Err(unsupported("unknown placeholder", &placeholder));
        };
        self.params.get(index).cloned().ok_or_else(|| {
            unsupported(
                &format!("parameter {} is not bound (call .bind)", index + 1),
                &placeholder,
            )
        })
    }
}
