//! [`UpdateQuery`]: `(update {<col>: <expr> … from: 'name where: <pred> by: <col>})`.
//!
//! On a named table the server changes the global in place and returns its name; on an
//! inline table it returns the changed copy. A plain string value adapts to the column's
//! type on the server (`(as (type dept) "mgmt")`), so it works for symbol and string
//! columns alike — unlike rayforce-py, whose `(quote "mgmt")` the server rejects.

use super::{Compile, Expr, IntoExpr, TableRef};
use crate::value::{Dict, TextColumn, Value, Vector};
use crate::{Error, Result};

/// An update query. Immutable: every method returns a new query.
///
/// ```
/// use rayforce_client::query::{col, TableRef};
/// let q = TableRef::named("employees")
///     .update()
///     .set("salary", col("salary") * 2.0)
///     .filter(col("dept").eq("eng"));
/// assert_eq!(
///     q.to_rayfall().unwrap(),
///     "(update {salary: (* salary 2.0) from: 'employees where: (== dept \"eng\")})"
/// );
/// let q = TableRef::named("employees").update().set("dept", "mgmt").filter(col("id").eq(1));
/// assert_eq!(
///     q.to_rayfall().unwrap(),
///     "(update {dept: (as (type dept) \"mgmt\") from: 'employees where: (== id 1)})"
/// );
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct UpdateQuery {
    table: TableRef,
    sets: Vec<(String, Expr)>,
    filters: Vec<Expr>,
    by: Option<String>,
    /// Return a changed copy of a named table instead of changing it in place.
    copy: bool,
}

impl UpdateQuery {
    pub(crate) fn new(table: TableRef) -> UpdateQuery {
        UpdateQuery {
            table,
            sets: Vec::new(),
            filters: Vec::new(),
            by: None,
            copy: false,
        }
    }

    /// Returns the changed table and leaves a named table as it is (`from: t` instead of
    /// `from: 't`): an update of a copy.
    ///
    /// ```
    /// use rayforce_client::query::{col, TableRef};
    /// let q = TableRef::named("t").update().set("a", col("a") + 1).copy();
    /// assert_eq!(q.to_rayfall().unwrap(), "(update {a: (+ a 1) from: t})");
    /// ```
    pub fn copy(mut self) -> UpdateQuery {
        self.copy = true;
        self
    }

    /// Sets an existing or new column to an expression or a literal. A plain string sets a
    /// symbol or string column to that text (use `lit(...)` of a symbol or typed vector to
    /// create a new column of text).
    pub fn set(mut self, column: &str, value: impl IntoExpr) -> UpdateQuery {
        let expr = match value.into_expr() {
            Expr::Literal(text @ Value::Str(_)) => Expr::Call(
                "as".into(),
                vec![
                    Expr::Call("type".into(), vec![Expr::Column(column.to_string())]),
                    Expr::Literal(text),
                ],
            ),
            other => other,
        };
        self.sets.push((column.to_string(), expr));
        self
    }

    /// Only rows matching `predicate` change; several filters are AND-ed.
    pub fn filter(mut self, predicate: Expr) -> UpdateQuery {
        self.filters.push(predicate);
        self
    }

    /// Same as [`filter`](Self::filter).
    pub fn where_(self, predicate: Expr) -> UpdateQuery {
        self.filter(predicate)
    }

    /// Grouped update: aggregates in the values are computed per group of `column`
    /// (the server supports one key column and no filter here).
    pub fn by(mut self, column: &str) -> UpdateQuery {
        self.by = Some(column.to_string());
        self
    }
}

impl Compile for UpdateQuery {
    fn compile(&self) -> Result<Value> {
        if self.sets.is_empty() {
            return Err(Error::InvalidQuery("update sets no column".into()));
        }
        if self.by.is_some() && !self.filters.is_empty() {
            return Err(Error::InvalidQuery(
                "the server does not support a grouped update with a filter (nyi)".into(),
            ));
        }
        let mut names = TextColumn::new();
        let mut values = Vec::new();
        for (column, expr) in &self.sets {
            super::check_output_name(column, "update")?;
            names.push(column);
            values.push(expr.compile()?);
        }
        names.push("from");
        values.push(if self.copy {
            self.table.compile_read()
        } else {
            self.table.compile_target()?
        });
        if let Some(pred) = super::expr::all_of(&self.filters)? {
            names.push("where");
            values.push(pred);
        }
        if let Some(by) = &self.by {
            names.push("by");
            values.push(Value::name(by.as_str()));
        }
        let dict = Dict::new(Value::Vector(Vector::Symbol(names)), Value::List(values));
        Ok(Value::call("update", [Value::Dict(dict)]))
    }
}
