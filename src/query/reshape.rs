//! Whole-table operations on any query's result, each one server-side request: `concat`,
//! `drop_columns`, `rename`, `cast`, `pivot`, and tables on disk (CSV and splayed tables).
//!
//! Operations that need the result's own column list run as a small lambda applied to the
//! result (`((fn [t c] (xcols t (except (cols t) c))) <query> ['b])`), so the query is
//! evaluated once and every name travels as data.

use super::Query;
use crate::value::{Lambda, Type, Value};
use crate::{Error, Result};

/// `((fn [params…] body) args…)`: a lambda applied on the server.
fn apply(params: &[&str], body: Value, args: Vec<Value>) -> Value {
    let lambda = Value::Lambda(Lambda {
        attrs: 0,
        params: params.iter().copied().collect(),
        body: vec![body],
        closure: None,
    });
    Value::List(std::iter::once(lambda).chain(args).collect())
}

fn name(n: &str) -> Value {
    Value::name(n)
}

fn symbols(items: &[&str]) -> Value {
    Value::symbols(items.iter().copied())
}

fn check_names(what: &str, names: &[&str]) -> Result<()> {
    if names.is_empty() || names.iter().any(|n| n.is_empty()) {
        return Err(Error::InvalidQuery(format!(
            "{what} needs non-empty column names"
        )));
    }
    Ok(())
}

/// A query's result read as a value (a named table by name, not quoted).
fn source(q: &Query) -> Result<Value> {
    q.compile_source()
}

/// Reads a CSV file on the server into a table: `(.csv.read [types] "path")`, one type per
/// column in file order (the first line holds the names).
///
/// ```
/// use rayforce_client::query::read_csv;
/// use rayforce_client::Type;
/// let q = read_csv(&[Type::Symbol, Type::I64], "/data/trades.csv");
/// assert_eq!(q.to_rayfall().unwrap(), r#"(.csv.read ['SYMBOL 'I64] "/data/trades.csv")"#);
/// ```
pub fn read_csv(types: &[Type], path: &str) -> Query {
    let types = Value::symbols(types.iter().map(|t| t.name()));
    Query::Value(Value::call(".csv.read", [types, Value::from(path)]))
}

/// Reads a splayed table (a folder of column files) on the server: `(.db.splayed.get "dir")`.
pub fn read_splayed(dir: &str) -> Query {
    Query::Value(Value::call(".db.splayed.get", [Value::from(dir)]))
}

/// Reads a partitioned table on the server: every `dir/<partition>/<name>/` splayed table,
/// with the partition (e.g. a `date`) as the first column: `(.db.parted.get "dir/" 'name)`.
/// Write the partitions with [`Query::write_splayed`] into `dir/2024.01.01/name/` etc.
pub fn read_parted(dir: &str, name: &str) -> Query {
    Query::Value(Value::call(
        ".db.parted.get",
        [Value::from(dir), Value::symbol(name)],
    ))
}

/// The tables of a partitioned database on the server: `(.db.parted.tables "dir/")`.
pub fn parted_tables(dir: &str) -> Query {
    Query::Value(Value::call(".db.parted.tables", [Value::from(dir)]))
}

impl Query {
    /// The rows of `self` followed by those of `other` (same columns): `(concat a b)`.
    pub fn concat(self, other: impl Into<Query>) -> Query {
        Query::Fn("concat".into(), vec![self, other.into()])
    }

    /// Every column but `columns`.
    pub fn drop_columns(self, columns: &[&str]) -> Result<Query> {
        check_names("drop_columns", columns)?;
        let body = Value::call(
            "xcols",
            [
                name("t"),
                Value::call("except", [Value::call("cols", [name("t")]), name("c")]),
            ],
        );
        Ok(Query::Value(apply(
            &["t", "c"],
            body,
            vec![source(&self)?, symbols(columns)],
        )))
    }

    /// The same columns under new names (`(old, new)` pairs; other columns keep theirs).
    pub fn rename(self, mapping: &[(&str, &str)]) -> Result<Query> {
        let old: Vec<&str> = mapping.iter().map(|(o, _)| *o).collect();
        let new: Vec<&str> = mapping.iter().map(|(_, n)| *n).collect();
        check_names("rename", &old)?;
        check_names("rename", &new)?;
        // (table (map (fn [c] (if (in c old) (at new (find old c)) c)) (cols t)) (value t))
        let pick = Value::call(
            "if",
            [
                Value::call("in", [name("c"), name("old")]),
                Value::call(
                    "at",
                    [name("new"), Value::call("find", [name("old"), name("c")])],
                ),
                name("c"),
            ],
        );
        let per_column = Value::call("fn", [symbols(&["c"]), pick]);
        let names = Value::call("map", [per_column, Value::call("cols", [name("t")])]);
        let body = Value::call("table", [names, Value::call("value", [name("t")])]);
        Ok(Query::Value(apply(
            &["t", "old", "new"],
            body,
            vec![source(&self)?, symbols(&old), symbols(&new)],
        )))
    }

    /// `column` converted to `to` (a copy; the source is unchanged):
    /// `(update {column: (as 'TYPE column) from: <result>})`.
    pub fn cast(self, column: &str, to: Type) -> Result<Query> {
        check_names("cast", &[column])?;
        let convert = Value::call("as", [Value::symbol(to.name()), name(column)]);
        let keys = Value::symbols([column, "from"]);
        let dict = Value::Dict(crate::value::Dict::new(
            keys,
            Value::List(vec![convert, source(&self)?]),
        ));
        Ok(Query::Value(Value::call("update", [dict])))
    }

    /// A pivot table: one row per `index` key, one column per distinct value of `columns`,
    /// cells `aggregate` (`"sum"`, `"count"`, `"avg"`, `"min"`, `"max"`, `"first"`,
    /// `"last"`) of `values`: `(pivot t [index] 'columns 'values aggregate)`.
    pub fn pivot(
        self,
        index: &[&str],
        columns: &str,
        values: &str,
        aggregate: &str,
    ) -> Result<Query> {
        check_names("pivot", index)?;
        check_names("pivot", &[columns, values])?;
        if !matches!(
            aggregate,
            "sum" | "count" | "avg" | "min" | "max" | "first" | "last"
        ) {
            return Err(Error::InvalidQuery(format!(
                "pivot aggregates with sum, count, avg, min, max, first or last, not `{aggregate}`"
            )));
        }
        Ok(Query::Value(Value::call(
            "pivot",
            [
                source(&self)?,
                symbols(index),
                Value::symbol(columns),
                Value::symbol(values),
                name(aggregate),
            ],
        )))
    }

    /// Writes the result to a CSV file on the server: `(.csv.write <result> "path")`.
    pub fn write_csv(self, path: &str) -> Result<Query> {
        Ok(Query::Value(Value::call(
            ".csv.write",
            [source(&self)?, Value::from(path)],
        )))
    }

    /// Writes the result as a splayed table (a folder of column files) on the server:
    /// `(.db.splayed.set "dir/" <result>)`; the folder name should end with `/`.
    pub fn write_splayed(self, dir: &str) -> Result<Query> {
        Ok(Query::Value(Value::call(
            ".db.splayed.set",
            [Value::from(dir), source(&self)?],
        )))
    }
}

/// The same operations on a table by name or inline, for convenience.
impl super::TableRef {
    /// See [`Query::concat`].
    pub fn concat(self, other: impl Into<Query>) -> Query {
        Query::from(self).concat(other)
    }
    /// See [`Query::drop_columns`].
    pub fn drop_columns(self, columns: &[&str]) -> Result<Query> {
        Query::from(self).drop_columns(columns)
    }
    /// See [`Query::rename`].
    pub fn rename(self, mapping: &[(&str, &str)]) -> Result<Query> {
        Query::from(self).rename(mapping)
    }
    /// See [`Query::cast`].
    pub fn cast(self, column: &str, to: Type) -> Result<Query> {
        Query::from(self).cast(column, to)
    }
    /// See [`Query::pivot`].
    pub fn pivot(
        self,
        index: &[&str],
        columns: &str,
        values: &str,
        aggregate: &str,
    ) -> Result<Query> {
        Query::from(self).pivot(index, columns, values, aggregate)
    }
    /// See [`Query::write_csv`].
    pub fn write_csv(self, path: &str) -> Result<Query> {
        Query::from(self).write_csv(path)
    }
    /// See [`Query::write_splayed`].
    pub fn write_splayed(self, dir: &str) -> Result<Query> {
        Query::from(self).write_splayed(dir)
    }
}
