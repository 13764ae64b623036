//! SQL statements → DSL queries: SELECT (with joins), UPDATE, INSERT and
//! INSERT … ON CONFLICT … DO UPDATE (upsert).

use super::expr::{StringsAs, COUNT_STAR};
use super::{unsupported, Lowering};
use crate::query::{call, col, Expr, Query, SelectQuery, SortKey, TableRef};
use crate::value::Vector;
use crate::{Result, Value};
use sqlparser::ast::{
    self, AssignmentTarget, ConflictTarget, Distinct, GroupByExpr, JoinConstraint, JoinOperator,
    LimitClause, OnConflictAction, OnInsert, OrderByKind, OrderBySort, SelectItem, SetExpr,
    Statement, TableFactor, TableObject, TableWithJoins,
};

impl Lowering<'_> {
    pub(super) fn statement(&mut self, s: &Statement) -> Result<Query> {
        match s {
            Statement::Query(q) => self.query(q).map(Query::from),
            Statement::Update(u) => self.update(u),
            Statement::Insert(i) => self.insert(i),
            other => Err(unsupported(
                "only SELECT, UPDATE and INSERT are supported",
                other,
            )),
        }
    }

    fn query(&mut self, q: &ast::Query) -> Result<SelectQuery> {
        if q.with.is_some()
            || q.fetch.is_some()
            || !q.locks.is_empty()
            || q.for_clause.is_some()
            || q.settings.is_some()
            || q.format_clause.is_some()
            || !q.pipe_operators.is_empty()
        {
            return Err(unsupported("unsupported query clause", q));
        }
        let select = match q.body.as_ref() {
            SetExpr::Select(s) => s,
            other => {
                return Err(unsupported(
                    "only plain SELECT queries are supported",
                    other,
                ))
            }
        };
        let mut query = self.select(select)?;
        if let Some(order) = &q.order_by {
            let exprs = match &order.kind {
                OrderByKind::Expressions(e) if order.interpolate.is_none() => e,
                _ => return Err(unsupported("unsupported ORDER BY", order)),
            };
            let mut keys = Vec::new();
            for o in exprs {
                let column = self.column_name(&o.expr).ok_or_else(|| {
                    unsupported("ORDER BY takes column names or aliases", &o.expr)
                })?;
                if o.options.nulls_first.is_some() || o.with_fill.is_some() {
                    return Err(unsupported("NULLS FIRST/LAST is not supported", o));
                }
                let descending = match o.options.sort {
                    None | Some(OrderBySort::Asc) => false,
                    Some(OrderBySort::Desc) => true,
                    Some(_) => return Err(unsupported("unsupported sort", o)),
                };
                keys.push(SortKey { column, descending });
            }
            query = query.order_by(keys);
        }
        match &q.limit_clause {
            None => {}
            Some(LimitClause::LimitOffset {
                limit,
                offset,
                limit_by,
            }) if limit_by.is_empty() => {
                if let Some(limit) = limit {
                    match self.literal(limit, StringsAs::Strings)? {
                        Some(Value::I64(n)) if n >= 0 => query = query.limit(n),
                        _ => return Err(unsupported("LIMIT takes a non-negative integer", limit)),
                    }
                }
                if let Some(offset) = offset {
                    match self.literal(&offset.value, StringsAs::Strings)? {
                        Some(Value::I64(n)) if n >= 0 => query = query.offset(n),
                        _ => {
                            return Err(unsupported(
                                "OFFSET takes a non-negative integer",
                                &offset.value,
                            ))
                        }
                    }
                }
            }
            Some(other) => return Err(unsupported("only LIMIT n [OFFSET m] is supported", other)),
        }
        Ok(query)
    }

    fn source(&mut self, from: &[TableWithJoins]) -> Result<Query> {
        let twj = match from {
            [one] => one,
            [] => return Err(unsupported("a FROM clause is needed", &"SELECT …")),
            [_, second, ..] => return Err(unsupported("one FROM table (use JOIN)", second)),
        };
        // With a bound table (`SqlQuery::on`), a statement's only table is the bound one,
        // whatever its name; in a join, `self` names it and other names are server tables.
        let mut source: Query = if twj.joins.is_empty() {
            self.only_table(&twj.relation)?.into()
        } else {
            self.factor(&twj.relation)?.into()
        };
        for join in &twj.joins {
            let right = self.factor(&join.relation)?;
            let (left_join, constraint) = match &join.join_operator {
                JoinOperator::Join(c) | JoinOperator::Inner(c) => (false, c),
                JoinOperator::Left(c) | JoinOperator::LeftOuter(c) => (true, c),
                _ => return Err(unsupported("only [INNER] JOIN and LEFT JOIN", join)),
            };
            let keys = self.join_keys(constraint, join)?;
            let joined = crate::query::JoinQuery::new(
                if left_join {
                    crate::query::JoinKind::Left
                } else {
                    crate::query::JoinKind::Inner
                },
                source,
                right,
                keys,
            );
            source = joined.into();
        }
        Ok(source)
    }

    /// The table of a statement that names one table: the bound table when there is one.
    fn only_table(&self, f: &TableFactor) -> Result<TableRef> {
        match (&self.self_table, f) {
            (Some(bound), TableFactor::Table { args: None, .. }) => Ok(bound.clone()),
            _ => self.factor(f),
        }
    }

    fn factor(&self, f: &TableFactor) -> Result<TableRef> {
        match f {
            TableFactor::Table {
                name, args: None, ..
            } => self.table(name),
            other => Err(unsupported("only table names in FROM", other)),
        }
    }

    /// `USING (k, …)` or `ON a.k = b.k [AND …]` with the same column names on both sides.
    fn join_keys(&self, c: &JoinConstraint, join: &ast::Join) -> Result<Vec<String>> {
        match c {
            JoinConstraint::Using(cols) => cols
                .iter()
                .map(|c| {
                    c.0.last()
                        .and_then(|p| p.as_ident())
                        .map(|i| i.value.clone())
                        .ok_or_else(|| unsupported("bad USING column", c))
                })
                .collect(),
            JoinConstraint::On(e) => {
                let mut keys = Vec::new();
                self.on_keys(e, &mut keys)?;
                Ok(keys)
            }
            _ => Err(unsupported("joins need USING (…) or ON a.k = b.k", join)),
        }
    }

    fn on_keys(&self, e: &ast::Expr, keys: &mut Vec<String>) -> Result<()> {
        match e {
            ast::Expr::BinaryOp {
                left,
                op: ast::BinaryOperator::And,
                right,
            } => {
                self.on_keys(left, keys)?;
                self.on_keys(right, keys)
            }
            ast::Expr::BinaryOp {
                left,
                op: ast::BinaryOperator::Eq,
                right,
            } => match (self.column_name(left), self.column_name(right)) {
                (Some(a), Some(b)) if a == b => {
                    keys.push(a);
                    Ok(())
                }
                _ => Err(unsupported(
                    "ON must compare columns of the same name (a.k = b.k)",
                    e,
                )),
            },
            ast::Expr::Nested(inner) => self.on_keys(inner, keys),
            _ => Err(unsupported("ON must be equalities joined by AND", e)),
        }
    }

    fn select(&mut self, s: &ast::Select) -> Result<SelectQuery> {
        if s.having.is_some()
            || s.qualify.is_some()
            || s.top.is_some()
            || s.into.is_some()
            || s.prewhere.is_some()
            || !s.lateral_views.is_empty()
            || !s.cluster_by.is_empty()
            || !s.distribute_by.is_empty()
            || !s.sort_by.is_empty()
            || !s.named_window.is_empty()
            || !s.connect_by.is_empty()
            || s.exclude.is_some()
        {
            return Err(unsupported("unsupported SELECT clause", s));
        }
        let mut columns = Vec::new();
        let mut star = false;
        // COUNT(*) is resolved against the select list only; anywhere else it is refused.
        self.in_projection = true;
        for item in &s.projection {
            let lowered = match item {
                SelectItem::Wildcard(_) => {
                    star = true;
                    continue;
                }
                SelectItem::UnnamedExpr(e) => self.expr(e),
                SelectItem::ExprWithAlias { expr, alias } => {
                    self.expr(expr).map(|e| e.alias(&alias.value))
                }
                other => Err(unsupported("unsupported select item", other)),
            };
            if lowered.is_err() {
                self.in_projection = false;
            }
            columns.push(lowered?);
        }
        self.in_projection = false;
        if star && !columns.is_empty() {
            return Err(unsupported(
                "`*` together with other columns is not supported; list the columns",
                &s.projection
                    .iter()
                    .map(|p| p.to_string())
                    .collect::<Vec<_>>()
                    .join(", "),
            ));
        }
        let source = self.source(&s.from)?;
        let filter = match &s.selection {
            Some(w) => Some(self.expr(w)?),
            None => None,
        };
        let mut by = Vec::new();
        match &s.group_by {
            GroupByExpr::Expressions(exprs, modifiers) if modifiers.is_empty() => {
                for e in exprs {
                    by.push(col(&self
                        .column_name(e)
                        .ok_or_else(|| unsupported("GROUP BY takes column names", e))?));
                }
            }
            other => return Err(unsupported("unsupported GROUP BY", other)),
        }
        let uses_count_star = columns.iter().any(has_count_star);
        let columns = if uses_count_star {
            let count_column = count_star_column(&columns, filter.as_ref(), &by, &source)
                .ok_or_else(|| {
                    unsupported(
                        "COUNT(*) over a join needs a column elsewhere in the query; use COUNT(col)",
                        s,
                    )
                })?;
            columns
                .into_iter()
                .map(|c| replace_count_star(c, &count_column))
                .collect::<Vec<_>>()
        } else {
            columns
        };
        let mut query = SelectQuery::from(source);
        match &s.distinct {
            None => {}
            Some(Distinct::Distinct) => {
                // A single plain column: (select {c: (distinct c) …}), as the spec has it.
                if let [Expr::Column(c)] = columns.as_slice() {
                    let c = c.clone();
                    query = query.select([col(&c).distinct().alias(&c)]);
                } else {
                    query = query.distinct();
                }
            }
            Some(other) => return Err(unsupported("DISTINCT ON is not supported", other)),
        }
        if !matches!(&s.distinct, Some(Distinct::Distinct))
            || !matches!(columns.as_slice(), [Expr::Column(_)])
        {
            query = query.select(columns);
        }
        if let Some(f) = filter {
            query = query.filter(f);
        }
        Ok(query.by(by))
    }

    fn update(&mut self, u: &ast::Update) -> Result<Query> {
        if u.from.is_some()
            || u.returning.is_some()
            || u.output.is_some()
            || u.or.is_some()
            || !u.order_by.is_empty()
            || u.limit.is_some()
            || !u.table.joins.is_empty()
        {
            return Err(unsupported("unsupported UPDATE clause", u));
        }
        let table = self.only_table(&u.table.relation)?;
        let mut query = table.update();
        for a in &u.assignments {
            let column = assignment_column(&a.target)?;
            let value = self.expr(&a.value)?;
            query = query.set(&column, value);
        }
        if let Some(w) = &u.selection {
            query = query.filter(self.expr(w)?);
        }
        Ok(query.into())
    }

    fn insert(&mut self, i: &ast::Insert) -> Result<Query> {
        if i.or.is_some()
            || i.ignore
            || i.overwrite
            || i.partitioned.is_some()
            || !i.after_columns.is_empty()
            || !i.assignments.is_empty()
            || i.returning.is_some()
            || i.output.is_some()
            || i.replace_into
            || i.table_alias.is_some()
        {
            return Err(unsupported("unsupported INSERT clause", i));
        }
        let table = match &i.table {
            TableObject::TableName(name) => match &self.self_table {
                Some(bound) => bound.clone(),
                None => self.table(name)?,
            },
            other => return Err(unsupported("INSERT INTO takes a table name", other)),
        };
        let columns: Vec<String> = i
            .columns
            .iter()
            .map(|c| {
                c.0.last()
                    .and_then(|p| p.as_ident())
                    .map(|id| id.value.clone())
                    .ok_or_else(|| unsupported("bad column", c))
            })
            .collect::<Result<_>>()?;
        let source = i
            .source
            .as_ref()
            .ok_or_else(|| unsupported("INSERT needs VALUES", i))?;
        let rows = match source.body.as_ref() {
            SetExpr::Values(v) => &v.rows,
            other => return Err(unsupported("INSERT takes VALUES rows", other)),
        };
        let mut values: Vec<Vec<Value>> = Vec::with_capacity(rows.len());
        for row in rows {
            let mut out = Vec::with_capacity(row.content.len());
            for e in &row.content {
                out.push(
                    self.literal(e, StringsAs::Symbols)?
                        .ok_or_else(|| unsupported("VALUES take literals or parameters", e))?,
                );
            }
            if !columns.is_empty() && out.len() != columns.len() {
                return Err(unsupported("row and column list differ in length", i));
            }
            values.push(out);
        }
        let conflict = match &i.on {
            None => None,
            Some(OnInsert::OnConflict(c)) => Some(self.conflict_keys(c, &columns, i)?),
            Some(other) => return Err(unsupported("unsupported ON clause", other)),
        };
        let typed = typed_columns(&values, i)?;
        let upsert_keys = match conflict {
            Some(Conflict::Partial { key, set }) => {
                let data: Vec<Value> = typed
                    .into_iter()
                    .map(|c| {
                        c.ok_or_else(|| {
                            unsupported(
                                "a partial upsert needs typed values (no NULL-only column)",
                                i,
                            )
                        })
                    })
                    .collect::<Result<_>>()?;
                return partial_upsert(&table, &columns, data, &key, &set, i);
            }
            Some(Conflict::Whole(keys)) => Some(keys),
            None => None,
        };
        if typed.iter().any(Option::is_none) {
            return null_column_insert(&table, &columns, typed, values.len(), upsert_keys, i);
        }
        let columns_data: Vec<Value> = typed.into_iter().flatten().collect();
        let query: Query = match (upsert_keys, columns.is_empty()) {
            (Some(keys), _) => table
                .upsert(keys as i64)
                .values(columns.iter().cloned().zip(columns_data))
                .into(),
            (None, true) if values.len() == 1 => table.insert().row(values.remove(0)).into(),
            (None, true) => table.insert().columns(columns_data).into(),
            (None, false) => table
                .insert()
                .values(columns.iter().cloned().zip(columns_data))
                .into(),
        };
        Ok(query)
    }

    /// What `ON CONFLICT (keys) DO UPDATE SET …` asks for: whole rows replaced (every
    /// non-key column set from `excluded`: the server's upsert), or only some columns
    /// updated (one key column), checking that the keys lead the column list and that SET
    /// takes its values from `excluded`.
    fn conflict_keys(
        &self,
        c: &ast::OnConflict,
        columns: &[String],
        i: &ast::Insert,
    ) -> Result<Conflict> {
        let keys: Vec<String> = match &c.conflict_target {
            Some(ConflictTarget::Columns {
                columns: keys,
                predicate: None,
            }) => keys.iter().map(|k| k.value.clone()).collect(),
            _ => return Err(unsupported("ON CONFLICT needs a column list", c)),
        };
        if columns.is_empty() {
            return Err(unsupported("an upsert needs an explicit column list", i));
        }
        if keys.is_empty() || columns.get(..keys.len()) != Some(&keys[..]) {
            return Err(unsupported(
                "the conflict columns must be the first columns of the column list",
                c,
            ));
        }
        let update = match &c.action {
            OnConflictAction::DoUpdate(u) if u.selection.is_none() => u,
            OnConflictAction::DoNothing => {
                return Err(unsupported(
                    "DO NOTHING is not supported (the server's upsert replaces rows)",
                    c,
                ))
            }
            _ => return Err(unsupported("unsupported ON CONFLICT action", c)),
        };
        let mut set = std::collections::HashSet::new();
        for a in &update.assignments {
            let column = assignment_column(&a.target)?;
            let from_excluded = matches!(&a.value, ast::Expr::CompoundIdentifier(p)
                if p.len() == 2 && p[0].value.eq_ignore_ascii_case("excluded") && p[1].value == column);
            if !from_excluded {
                return Err(unsupported(
                    "DO UPDATE SET may only set col = excluded.col",
                    a,
                ));
            }
            if keys.contains(&column) {
                return Err(unsupported(
                    "DO UPDATE SET cannot change a conflict column",
                    a,
                ));
            }
            if !columns.contains(&column) {
                return Err(unsupported(
                    "DO UPDATE SET names a column the INSERT does not",
                    a,
                ));
            }
            set.insert(column);
        }
        let whole = columns[keys.len()..].iter().all(|c| set.contains(c));
        if whole {
            return Ok(Conflict::Whole(keys.len()));
        }
        match keys.as_slice() {
            [key] => Ok(Conflict::Partial {
                key: key.clone(),
                set: columns
                    .iter()
                    .filter(|c| set.contains(*c))
                    .cloned()
                    .collect(),
            }),
            _ => Err(unsupported(
                "updating only some columns on conflict needs a single conflict column",
                c,
            )),
        }
    }
}

/// What an `ON CONFLICT … DO UPDATE` asks for (see `conflict_keys`).
enum Conflict {
    /// Every non-key column from `excluded`: the server's upsert on this many key columns.
    Whole(usize),
    /// Only `set` from `excluded`, keyed on one column.
    Partial { key: String, set: Vec<String> },
}

/// `INSERT … ON CONFLICT (key) DO UPDATE SET c = excluded.c` for some columns, in one
/// request: rows whose key exists get only the SET columns (looked up by key in the new
/// data), the other rows are inserted whole:
/// `(do (update {c: (at new_c (find new_keys key)) from: 't where: (in key new_keys)})
///      (insert 't (at <new rows> (where (not-in new_keys (at t 'key))))))`.
fn partial_upsert(
    table: &TableRef,
    columns: &[String],
    data: Vec<Value>,
    key: &str,
    set: &[String],
    whole: &ast::Insert,
) -> Result<Query> {
    let TableRef::Named(name) = table else {
        return Err(unsupported("a partial upsert needs a named table", whole));
    };
    let position = |c: &str| columns.iter().position(|x| x == c).expect("checked column");
    let keys = data[position(key)].clone();
    let mut seen = std::collections::HashSet::new();
    let count = keys.count().unwrap_or(0);
    for r in 0..count {
        let k = keys.item(r).map(|v| format!("{v:?}")).unwrap_or_default();
        if !seen.insert(k) {
            return Err(unsupported(
                "a partial upsert cannot name the same key twice (a row would be updated twice)",
                whole,
            ));
        }
    }
    let rows_for = call("find", [Expr::Literal(keys.clone()), col(key)]);
    let mut update = table.clone().update();
    for c in set {
        update = update.set(
            c,
            call(
                "at",
                [Expr::Literal(data[position(c)].clone()), rows_for.clone()],
            ),
        );
    }
    let update = update.filter(call("in", [col(key), Expr::Literal(keys.clone())]));
    let new_rows = crate::value::Table::new(columns.iter().map(String::as_str), data)
        .map_err(|e| unsupported(&e.to_string(), whole))?;
    let existing = call("at", [col(name), Expr::Literal(Value::symbol(key))]);
    let absent = call("where", [call("not-in", [Expr::Literal(keys), existing])]);
    let insert = call(
        "insert",
        [
            Expr::Literal(Value::symbol(name.as_str())),
            call("at", [Expr::Literal(Value::Table(new_rows)), absent]),
        ],
    );
    Ok(Query::Sequence(vec![update.into(), insert.into()]))
}

fn assignment_column(t: &AssignmentTarget) -> Result<String> {
    match t {
        AssignmentTarget::ColumnName(n) => {
            n.0.last()
                .and_then(|p| p.as_ident())
                .map(|i| i.value.clone())
                .ok_or_else(|| unsupported("bad column", n))
        }
        other => Err(unsupported("tuple assignments are not supported", other)),
    }
}

/// VALUES rows as typed column vectors; NULLs take the type of the column's other values.
/// A column of NULLs only is `None`: its type is the server-side column's (see
/// [`null_column_insert`]).
fn typed_columns(rows: &[Vec<Value>], whole: &ast::Insert) -> Result<Vec<Option<Value>>> {
    let width = rows.first().map(Vec::len).unwrap_or(0);
    let mut out = Vec::with_capacity(width);
    for c in 0..width {
        if rows.iter().any(|r| r.len() != width) {
            return Err(unsupported("VALUES rows differ in length", whole));
        }
        let Some(t) = rows.iter().find_map(|r| match &r[c] {
            Value::Null => None,
            v => v.elem_type(),
        }) else {
            out.push(None);
            continue;
        };
        let items: Vec<Value> = rows
            .iter()
            .map(|r| match &r[c] {
                Value::Null => Value::TypedNull(t),
                v => v.clone(),
            })
            .collect();
        match Vector::from_atoms(&items) {
            Some(v) => out.push(Some(Value::Vector(v))),
            None => {
                return Err(unsupported(
                    &format!("column {} mixes value types", c + 1),
                    whole,
                ))
            }
        }
    }
    Ok(out)
}

/// An insert or upsert in which some column holds only NULLs: that column is sent as
/// `(at (at T 'c) [-1 …])` (or by position, `(at (at (value T) i) [-1 …])`), which the
/// server evaluates to nulls of the table column's own type, inside an evaluated
/// `(list …)` or `(dict …)` (a `{…}` literal would not evaluate it).
fn null_column_insert(
    table: &TableRef,
    columns: &[String],
    typed: Vec<Option<Value>>,
    rows: usize,
    upsert_keys: Option<usize>,
    whole: &ast::Insert,
) -> Result<Query> {
    let TableRef::Named(name) = table else {
        return Err(unsupported(
            "a column of NULLs only needs a named table (its type comes from the server)",
            whole,
        ));
    };
    let missing = Value::Vector(Vector::I64(vec![-1; rows]));
    let data: Vec<Expr> = typed
        .into_iter()
        .enumerate()
        .map(|(i, v)| match v {
            Some(v) => Expr::Literal(v),
            None => {
                let column = match columns.get(i) {
                    Some(c) => call("at", [col(name), Expr::Literal(Value::symbol(c.as_str()))]),
                    None => call(
                        "at",
                        [
                            call("value", [col(name)]),
                            Expr::Literal(Value::I64(i as i64)),
                        ],
                    ),
                };
                call("at", [column, Expr::Literal(missing.clone())])
            }
        })
        .collect();
    let list = Expr::Call("list".into(), data);
    let payload = if columns.is_empty() {
        list
    } else {
        let names: crate::value::TextColumn = columns.iter().map(String::as_str).collect();
        call(
            "dict",
            [Expr::Literal(Value::Vector(Vector::Symbol(names))), list],
        )
    };
    let target = Expr::Literal(Value::symbol(name.as_str()));
    Ok(Query::Expr(match upsert_keys {
        Some(k) => call(
            "upsert",
            [target, Expr::Literal(Value::I64(k as i64)), payload],
        ),
        None => call("insert", [target, payload]),
    }))
}

/// The column COUNT(*) counts: the first column the query names, else the source's first
/// column (looked up by the server).
fn count_star_column(
    columns: &[Expr],
    filter: Option<&Expr>,
    by: &[Expr],
    source: &Query,
) -> Option<Expr> {
    fn first_column(e: &Expr) -> Option<String> {
        match e {
            Expr::Column(c) => Some(c.clone()),
            Expr::Call(_, args) => args.iter().find_map(first_column),
            Expr::Alias(inner, _) => first_column(inner),
            _ => None,
        }
    }
    let named = by
        .iter()
        .chain(filter)
        .chain(columns)
        .find_map(first_column);
    match (named, source) {
        (Some(c), _) => Some(col(&c)),
        (None, Query::Table(TableRef::Named(t))) => Some(crate::query::call(
            "first",
            [crate::query::call("key", [col(t)])],
        )),
        (None, _) => None,
    }
}

fn has_count_star(e: &Expr) -> bool {
    match e {
        Expr::Raw(r) => r == COUNT_STAR,
        Expr::Call(_, args) => args.iter().any(has_count_star),
        Expr::Alias(inner, _) => has_count_star(inner),
        _ => false,
    }
}

fn replace_count_star(e: Expr, with: &Expr) -> Expr {
    match e {
        Expr::Raw(r) if r == COUNT_STAR => with.clone(),
        Expr::Call(f, args) => Expr::Call(
            f,
            args.into_iter()
                .map(|a| replace_count_star(a, with))
                .collect(),
        ),
        Expr::Alias(inner, name) => Expr::Alias(Box::new(replace_count_star(*inner, with)), name),
        other => other,
    }
}
