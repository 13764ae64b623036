//! Joins on server-side tables (by name, never shipped through the client) or inline
//! tables: [`JoinQuery`] for `inner-join`, `left-join`, `asof-join`, and
//! [`WindowJoinQuery`] for `window-join` / `window-join1`.

use super::{Compile, Expr, Query, SelectQuery};
use crate::value::{Dict, TextColumn, Value, Vector};
use crate::{Error, Result};

/// Which join.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JoinKind {
    /// Rows with a match on both sides.
    Inner,
    /// Every left row; nulls where the right has no match.
    Left,
    /// For each left row, the last right row at or before its time (the last key).
    Asof,
}

impl JoinKind {
    fn function(self) -> &'static str {
        match self {
            JoinKind::Inner => "inner-join",
            JoinKind::Left => "left-join",
            JoinKind::Asof => "asof-join",
        }
    }
}

fn key_vector(on: &[String], what: &str) -> Result<Value> {
    if on.is_empty() || on.iter().any(String::is_empty) {
        return Err(Error::InvalidQuery(format!(
            "{what} needs at least one non-empty key column"
        )));
    }
    Ok(Value::Vector(Vector::Symbol(
        on.iter().map(String::as_str).collect(),
    )))
}

/// An inner, left or asof join.
///
/// ```
/// use rayforce_client::query::TableRef;
/// let q = TableRef::named("trades").inner_join(TableRef::named("quotes"), ["sym"]);
/// assert_eq!(q.to_rayfall().unwrap(), "(inner-join ['sym] trades quotes)");
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct JoinQuery {
    kind: JoinKind,
    left: Box<Query>,
    right: Box<Query>,
    on: Vec<String>,
}

impl JoinQuery {
    pub(crate) fn new<S: AsRef<str>>(
        kind: JoinKind,
        left: impl Into<Query>,
        right: impl Into<Query>,
        on: impl IntoIterator<Item = S>,
    ) -> JoinQuery {
        JoinQuery {
            kind,
            left: Box::new(left.into()),
            right: Box::new(right.into()),
            on: on.into_iter().map(|s| s.as_ref().to_string()).collect(),
        }
    }

    /// Selects from the joined result.
    pub fn select(self, columns: impl super::Columns) -> SelectQuery {
        Query::from(self).select(columns)
    }
}

impl Compile for JoinQuery {
    fn compile(&self) -> Result<Value> {
        Ok(Value::call(
            self.kind.function(),
            [
                key_vector(&self.on, self.kind.function())?,
                self.left.compile_source()?,
                self.right.compile_source()?,
            ],
        ))
    }
}

/// A window join: per left row, aggregations over the right rows whose time is within
/// `[time + lower, time + upper]` (bounds in the time column's units, e.g. ms for TIME).
///
/// ```
/// use rayforce_client::query::{col, TableRef};
/// let q = TableRef::named("trades")
///     .window_join(TableRef::named("quotes"), ["sym", "time"], -10, 10)
///     .agg([col("bid").count().alias("n")]);
/// assert_eq!(
///     q.to_rayfall().unwrap(),
///     "(window-join ['sym 'time] (map-left + [-10 10] (at trades 'time)) trades quotes {n: (count bid)})"
/// );
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct WindowJoinQuery {
    prevailing: bool,
    left: Box<Query>,
    right: Box<Query>,
    on: Vec<String>,
    lower: Expr,
    upper: Expr,
    aggs: Vec<Expr>,
}

impl WindowJoinQuery {
    pub(crate) fn new<S: AsRef<str>>(
        prevailing: bool,
        left: impl Into<Query>,
        right: impl Into<Query>,
        on: impl IntoIterator<Item = S>,
        lower: Expr,
        upper: Expr,
    ) -> WindowJoinQuery {
        WindowJoinQuery {
            prevailing,
            left: Box::new(left.into()),
            right: Box::new(right.into()),
            on: on.into_iter().map(|s| s.as_ref().to_string()).collect(),
            lower,
            upper,
            aggs: Vec::new(),
        }
    }

    /// Adds aggregations over the right table's window (`col("bid").max().alias("mx")`).
    pub fn agg<I>(mut self, aggs: I) -> WindowJoinQuery
    where
        I: IntoIterator,
        I::Item: Into<Expr>,
    {
        self.aggs.extend(aggs.into_iter().map(Into::into));
        self
    }

    /// Selects from the joined result.
    pub fn select(self, columns: impl super::Columns) -> SelectQuery {
        Query::from(self).select(columns)
    }
}

impl Compile for WindowJoinQuery {
    fn compile(&self) -> Result<Value> {
        let function = if self.prevailing {
            "window-join1"
        } else {
            "window-join"
        };
        let keys = key_vector(&self.on, function)?;
        if self.aggs.is_empty() {
            return Err(Error::InvalidQuery(format!(
                "{function} needs at least one aggregation (call .agg)"
            )));
        }
        let bounds = match (&self.lower, &self.upper) {
            (Expr::Literal(lo), Expr::Literal(hi)) => Vector::from_atoms(&[lo.clone(), hi.clone()]),
            _ => None,
        }
        .ok_or_else(|| {
            Error::InvalidQuery(format!(
                "window bounds must be two literals of one type, got {:?} and {:?}",
                self.lower, self.upper
            ))
        })?;
        let time = self.on.last().expect("checked non-empty").as_str();
        let left = self.left.compile_source()?;
        let interval = Value::call(
            "map-left",
            [
                Value::name("+"),
                Value::Vector(bounds),
                Value::call("at", [left.clone(), Value::symbol(time)]),
            ],
        );
        let mut names = TextColumn::new();
        let mut values = Vec::new();
        for agg in &self.aggs {
            let name = agg.output_name().ok_or_else(|| {
                Error::InvalidQuery(
                    "window join aggregation needs a name: add .alias(\"…\")".into(),
                )
            })?;
            names.push(&name);
            values.push(agg.compile()?);
        }
        let aggs = Value::Dict(Dict::new(
            Value::Vector(Vector::Symbol(names)),
            Value::List(values),
        ));
        Ok(Value::call(
            function,
            [keys, interval, left, self.right.compile_source()?, aggs],
        ))
    }
}
