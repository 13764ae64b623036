//! [`SelectQuery`]: projections, filters, grouping, ordering, limit and distinct.
//!
//! Compiles to `(select {<out>: <expr> … by: {…} from: <src> where: <pred> asc: … desc: …
//! take: n})`. Ordering and the limit are done by the server's `select` itself (its
//! `asc:`/`desc:`/`take:` keys), so they are never dropped; orderings the keys cannot
//! express fall back to stable `xasc`/`xdesc` sorts.

use super::{Compile, Expr, Query};
use crate::value::{Dict, TextColumn, Value, Vector};
use crate::{Error, Result};

/// One sort key: a column and a direction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SortKey {
    /// The column.
    pub column: String,
    /// `true` for descending.
    pub descending: bool,
}

/// Ascending by `column`.
pub fn asc(column: &str) -> SortKey {
    SortKey {
        column: column.to_string(),
        descending: false,
    }
}

/// Descending by `column`.
pub fn desc(column: &str) -> SortKey {
    SortKey {
        column: column.to_string(),
        descending: true,
    }
}

impl From<&str> for SortKey {
    fn from(column: &str) -> SortKey {
        asc(column)
    }
}

impl From<&str> for Expr {
    /// A plain string in a projection or `by` list is a column name.
    fn from(name: &str) -> Expr {
        Expr::Column(name.to_string())
    }
}

impl From<String> for Expr {
    fn from(name: String) -> Expr {
        Expr::Column(name)
    }
}

/// Output columns or grouping keys for `select` and `by`: one name (`"id"`, or `"*"` for
/// every column), one expression, a list of either (an array, a `Vec`, a slice), or a
/// tuple that mixes names and expressions.
///
/// ```
/// use rayforce_client::query::{col, TableRef};
/// let t = || TableRef::named("employees");
/// assert_eq!(t().select("*").to_rayfall().unwrap(), "(select {from: employees})");
/// assert_eq!(
///     t().select(("dept", col("salary").sum())).by("dept").to_rayfall().unwrap(),
///     "(select {dept: dept sum_salary: (sum salary) by: {dept: dept} from: employees})"
/// );
/// ```
pub trait Columns {
    /// The columns as expressions (a name is a column reference).
    fn into_columns(self) -> Vec<Expr>;
}

impl Columns for &str {
    fn into_columns(self) -> Vec<Expr> {
        vec![self.into()]
    }
}

impl Columns for String {
    fn into_columns(self) -> Vec<Expr> {
        vec![self.into()]
    }
}

impl Columns for Expr {
    fn into_columns(self) -> Vec<Expr> {
        vec![self]
    }
}

impl<T: Into<Expr>, const N: usize> Columns for [T; N] {
    fn into_columns(self) -> Vec<Expr> {
        self.into_iter().map(Into::into).collect()
    }
}

impl<T: Into<Expr>> Columns for Vec<T> {
    fn into_columns(self) -> Vec<Expr> {
        self.into_iter().map(Into::into).collect()
    }
}

impl<T: Into<Expr> + Clone> Columns for &[T] {
    fn into_columns(self) -> Vec<Expr> {
        self.iter().cloned().map(Into::into).collect()
    }
}

macro_rules! tuple_columns {
    ($($t:ident $v:ident),+) => {
        impl<$($t: Into<Expr>),+> Columns for ($($t,)+) {
            fn into_columns(self) -> Vec<Expr> {
                let ($($v,)+) = self;
                vec![$($v.into()),+]
            }
        }
    };
}

tuple_columns!(A a, B b);
tuple_columns!(A a, B b, C c);
tuple_columns!(A a, B b, C c, D d);
tuple_columns!(A a, B b, C c, D d, E e);
tuple_columns!(A a, B b, C c, D d, E e, F f);
tuple_columns!(A a, B b, C c, D d, E e, F f, G g);
tuple_columns!(A a, B b, C c, D d, E e, F f, G g, H h);

/// Whether `e` is `*` (every column).
fn is_star(e: &Expr) -> bool {
    matches!(e, Expr::Column(name) if name == "*")
}

/// A select query. Immutable: every method returns a new query.
///
/// ```
/// use rayforce_client::query::{col, TableRef};
/// let q = TableRef::named("employees")
///     .select([col("salary").sum().alias("total"), col("id").count().alias("n")])
///     .by(["dept"]);
/// assert_eq!(
///     q.to_rayfall().unwrap(),
///     "(select {total: (sum salary) n: (count id) by: {dept: dept} from: employees})"
/// );
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct SelectQuery {
    source: Box<Query>,
    columns: Vec<Expr>,
    /// `*` was selected: every column (no other column may be listed).
    star: bool,
    by: Vec<Expr>,
    filters: Vec<Expr>,
    order: Vec<SortKey>,
    limit: Option<i64>,
    /// Rows skipped before the limit (`offset`).
    offset: Option<i64>,
    /// Only the last `n` rows (`tail`).
    tail: Option<i64>,
    distinct: bool,
}

impl From<Query> for SelectQuery {
    /// Selects all columns of `source`'s result.
    fn from(source: Query) -> SelectQuery {
        SelectQuery {
            source: Box::new(source),
            columns: Vec::new(),
            star: false,
            by: Vec::new(),
            filters: Vec::new(),
            order: Vec::new(),
            limit: None,
            offset: None,
            tail: None,
            distinct: false,
        }
    }
}

impl SelectQuery {
    /// Adds output columns: names (`"id"`), expressions (`col("a").sum().alias("t")`), a
    /// list, or a tuple mixing both ([`Columns`]). Unaliased expressions are named like SQL
    /// does (`avg_age`). No columns, or `"*"`, means all.
    pub fn select(mut self, columns: impl Columns) -> SelectQuery {
        for c in columns.into_columns() {
            if is_star(&c) {
                self.star = true;
            } else {
                self.columns.push(c);
            }
        }
        self
    }

    /// Keeps the rows matching `predicate`; several filters are AND-ed.
    pub fn filter(mut self, predicate: Expr) -> SelectQuery {
        self.filters.push(predicate);
        self
    }

    /// Same as [`filter`](Self::filter).
    pub fn where_(self, predicate: Expr) -> SelectQuery {
        self.filter(predicate)
    }

    /// Groups by columns or computed keys (`col("age").gt(30).alias("older")`).
    pub fn by(mut self, keys: impl Columns) -> SelectQuery {
        self.by.extend(keys.into_columns());
        self
    }

    /// Sorts the result by these keys, the first the most significant
    /// (`"age"` or `asc("age")`, `desc("age")`).
    pub fn order_by<I>(mut self, keys: I) -> SelectQuery
    where
        I: IntoIterator,
        I::Item: Into<SortKey>,
    {
        self.order.extend(keys.into_iter().map(Into::into));
        self
    }

    /// Keeps at most the first `n` rows (after ordering).
    pub fn limit(mut self, n: i64) -> SelectQuery {
        self.limit = Some(n);
        self
    }

    /// Same as [`limit`](Self::limit).
    pub fn take(self, n: i64) -> SelectQuery {
        self.limit(n)
    }

    /// The first `n` rows: the same as [`limit`](Self::limit).
    pub fn head(self, n: i64) -> SelectQuery {
        self.limit(n)
    }

    /// Skips the first `n` rows (after ordering), then applies the limit if any: for
    /// paging, `.order_by(["id"]).offset(200).limit(100)` is rows 200–299. Written
    /// `(take q [offset limit])`, or `(drop q offset)` without a limit.
    pub fn offset(mut self, n: i64) -> SelectQuery {
        self.offset = Some(n);
        self
    }

    /// Only the last `n` rows (after ordering): `(take q -n)`.
    pub fn tail(mut self, n: i64) -> SelectQuery {
        self.tail = Some(n);
        self
    }

    /// Keeps distinct rows only.
    pub fn distinct(mut self) -> SelectQuery {
        self.distinct = true;
        self
    }

    /// Flattens the list cells of a grouped select: `(ungroup (select …))`.
    pub fn ungroup(self) -> Query {
        Query::from(self).ungroup()
    }

    fn named(exprs: &[Expr], what: &str) -> Result<(TextColumn, Vec<Value>)> {
        let mut names = TextColumn::new();
        let mut values = Vec::with_capacity(exprs.len());
        let mut seen = std::collections::HashSet::new();
        for e in exprs {
            let name = e.output_name().ok_or_else(|| {
                Error::InvalidQuery(format!(
                    "{what} expression {} needs a name: add .alias(\"…\")",
                    e.to_rayfall().unwrap_or_default()
                ))
            })?;
            if !seen.insert(name.clone()) {
                return Err(Error::InvalidQuery(format!(
                    "{what} column `{name}` appears twice"
                )));
            }
            super::check_output_name(&name, what)?;
            names.push(&name);
            values.push(e.compile()?);
        }
        Ok((names, values))
    }

    /// The `asc:`/`desc:` entries when the ordering fits them: at most one run of each
    /// direction, in order. `None` when it needs the fallback sorts.
    fn order_keys(&self) -> Option<Vec<(&'static str, Value)>> {
        let mut runs: Vec<(bool, Vec<&str>)> = Vec::new();
        for key in &self.order {
            match runs.last_mut() {
                Some((d, cols)) if *d == key.descending => cols.push(&key.column),
                _ => runs.push((key.descending, vec![&key.column])),
            }
        }
        if runs.len() > 2 {
            return None;
        }
        Some(
            runs.into_iter()
                .map(|(descending, cols)| {
                    let key = if descending { "desc" } else { "asc" };
                    let value = if cols.len() == 1 {
                        Value::name(cols[0])
                    } else {
                        Value::Vector(Vector::Symbol(cols.into_iter().collect()))
                    };
                    (key, value)
                })
                .collect(),
        )
    }
}

/// Stable `xasc`/`xdesc` sorts, least significant key first.
fn stable_sorts(mut table: Value, keys: &[SortKey]) -> Value {
    for key in keys.iter().rev() {
        let f = if key.descending { "xdesc" } else { "xasc" };
        let cols = Value::Vector(Vector::Symbol([key.column.as_str()].into_iter().collect()));
        table = Value::call(f, [table, cols]);
    }
    table
}

fn dict(names: TextColumn, values: Vec<Value>) -> Value {
    Value::Dict(Dict::new(
        Value::Vector(Vector::Symbol(names)),
        Value::List(values),
    ))
}

impl Compile for SelectQuery {
    fn compile(&self) -> Result<Value> {
        if self.order.iter().any(|k| k.column.is_empty()) {
            return Err(Error::InvalidQuery(
                "order_by with an empty column name".into(),
            ));
        }
        if matches!(self.limit, Some(n) if n < 0) {
            return Err(Error::InvalidQuery("limit must not be negative".into()));
        }
        if [self.offset, self.tail]
            .iter()
            .any(|v| matches!(v, Some(n) if *n < 0))
        {
            return Err(Error::InvalidQuery(
                "offset and tail must not be negative".into(),
            ));
        }
        if self.tail.is_some() && (self.limit.is_some() || self.offset.is_some()) {
            return Err(Error::InvalidQuery(
                "tail cannot be combined with limit or offset".into(),
            ));
        }
        // With an offset, the limit is applied after it, outside the select.
        let limit = if self.offset.is_some() {
            None
        } else {
            self.limit
        };
        if self.star && !self.columns.is_empty() {
            return Err(Error::InvalidQuery(
                "`*` selects every column; list the columns instead to add computed ones, or use update".into(),
            ));
        }
        if self.by.iter().any(is_star) {
            return Err(Error::InvalidQuery("`*` cannot be a grouping key".into()));
        }
        let (mut names, mut values) = Self::named(&self.columns, "select")?;
        if !self.by.is_empty() {
            let (by_names, by_values) = Self::named(&self.by, "by")?;
            names.push("by");
            values.push(dict(by_names, by_values));
        }
        let order_keys = self.order_keys();
        // Orderings the asc:/desc: keys cannot express use stable sorts: after the select
        // when every sort column is in its output, else on the source (without grouping).
        let outputs: Vec<String> = self
            .columns
            .iter()
            .chain(&self.by)
            .filter_map(Expr::output_name)
            .collect();
        let sort_after = order_keys.is_none()
            && (self.columns.is_empty() || self.order.iter().all(|k| outputs.contains(&k.column)));
        let sort_before = order_keys.is_none() && !sort_after;
        if sort_before && !self.by.is_empty() {
            return Err(Error::InvalidQuery(
                "this mix of ascending and descending keys needs every sort column in the output of a grouped select".into(),
            ));
        }
        let mut source = self.source.compile_source()?;
        if sort_before {
            source = stable_sorts(source, &self.order);
        }
        names.push("from");
        values.push(source);
        if let Some(pred) = super::expr::all_of(&self.filters)? {
            names.push("where");
            values.push(pred);
        }
        if let Some(keys) = &order_keys {
            for (k, v) in keys {
                names.push(k);
                values.push(v.clone());
            }
        }
        let inline_take = (order_keys.is_some() || sort_before) && !self.distinct;
        if let (true, Some(n)) = (inline_take, limit) {
            names.push("take");
            values.push(Value::I64(n));
        }
        let mut query = Value::call("select", [dict(names, values)]);
        if sort_after {
            query = stable_sorts(query, &self.order);
        }
        if self.distinct {
            query = Value::call("distinct", [query]);
        }
        if let (false, Some(n)) = (inline_take, limit) {
            let names: TextColumn = ["from", "take"].into_iter().collect();
            query = Value::call("select", [dict(names, vec![query, Value::I64(n)])]);
        }
        match (self.offset, self.limit) {
            (Some(offset), Some(n)) => {
                query = Value::call("take", [query, Value::from(vec![offset, n])]);
            }
            (Some(offset), None) => query = Value::call("drop", [query, Value::I64(offset)]),
            (None, _) => {}
        }
        if let Some(n) = self.tail {
            query = Value::call("take", [query, Value::I64(-n)]);
        }
        Ok(query)
    }
}

#[cfg(test)]
mod tests {
    use super::super::{col, TableRef};
    use super::*;

    fn text(q: SelectQuery) -> String {
        q.to_rayfall().unwrap()
    }

    #[test]
    fn select_rows_of_the_spec() {
        let t = || TableRef::named("employees");
        assert_eq!(
            text(t().select(["id", "name"]).filter(col("age").gt(30))),
            "(select {id: id name: name from: employees where: (> age 30)})"
        );
        assert_eq!(
            text(t().select(Vec::<Expr>::new())),
            "(select {from: employees})"
        );
        assert_eq!(
            text(
                t().select(["name"])
                    .select([(col("salary") * 2).alias("double")])
                    .filter(col("dept").eq("eng") | col("age").lt(30))
            ),
            "(select {name: name double: (* salary 2) from: employees where: (or (== dept \"eng\") (< age 30))})"
        );
        assert_eq!(
            text(t().select([col("name").alias("who")])),
            "(select {who: name from: employees})"
        );
        assert_eq!(
            text(
                t().select(["id"])
                    .filter(col("a").gt(1))
                    .filter(col("b").lt(2))
            ),
            "(select {id: id from: employees where: (and (> a 1) (< b 2))})"
        );
        assert_eq!(
            text(
                t().select([col("id").count().alias("n")])
                    .by([col("age").gt(30).alias("older")])
            ),
            "(select {n: (count id) by: {older: (> age 30)} from: employees})"
        );
        assert_eq!(
            text(
                t().select([col("q").sum().alias("q")])
                    .by([col("sym"), col("price").gt(100.5).alias("big")])
            ),
            "(select {q: (sum q) by: {sym: sym big: (> price 100.5)} from: employees})"
        );
        assert_eq!(
            text(t().select([col("dept").distinct().alias("d")])),
            "(select {d: (distinct dept) from: employees})"
        );
    }

    #[test]
    fn ordering_limit_and_distinct() {
        let t = || TableRef::named("employees").select(["id", "age"]);
        assert_eq!(
            text(t().order_by([desc("age")])),
            "(select {id: id age: age from: employees desc: age})"
        );
        assert_eq!(
            text(t().order_by(["dept", "age"]).limit(2)),
            "(select {id: id age: age from: employees asc: ['dept 'age] take: 2})"
        );
        assert_eq!(
            text(t().order_by([asc("id"), desc("age"), asc("id")])),
            "(xasc (xdesc (xasc (select {id: id age: age from: employees}) ['id]) ['age]) ['id])"
        );
        assert_eq!(
            text(t().order_by([asc("a"), desc("b"), asc("c")]).limit(1)),
            "(select {id: id age: age from: (xasc (xdesc (xasc employees ['c]) ['b]) ['a]) take: 1})"
        );
        assert_eq!(
            text(t().distinct().limit(3)),
            "(select {from: (distinct (select {id: id age: age from: employees})) take: 3})"
        );
        assert!(t().limit(-1).compile().is_err());
    }

    #[test]
    fn unnamed_or_duplicate_columns_are_errors() {
        let t = TableRef::named("t");
        assert!(t.clone().select([super::super::lit(1)]).compile().is_err());
        assert!(t.select(["a", "a"]).compile().is_err());
    }
}
