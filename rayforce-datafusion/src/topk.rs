//! Top-k pushdown: a logical optimizer rule ([`TopKPushdown`]) for `ORDER BY … LIMIT k`
//! directly over a Rayforce scan. Each shard sorts and keeps its own first k rows
//! (`select … asc:/desc: … take: k`), and DataFusion's sort (kept above) merges the shards'
//! candidates: at most k rows per shard move instead of the whole filtered table.
//!
//! Nulls: Rayforce sorts a null below every value (first ascending, last descending), SQL's
//! default is the other way (`ASC NULLS LAST`, `DESC NULLS FIRST`). When a key's null order
//! differs, each shard sends its first k rows among those with no null key, plus every row
//! that has a null key: a superset of its SQL top k, whatever the nulls' place.

use crate::pushed::{PushedScan, ShardQueries};
use crate::table::RayforceTable;
use datafusion::common::tree_node::Transformed;
use datafusion::datasource::provider_as_source;
use datafusion::error::Result;
use datafusion::logical_expr::{Expr, LogicalPlan, LogicalPlanBuilder, Sort};
use datafusion::optimizer::optimizer::ApplyOrder;
use datafusion::optimizer::{OptimizerConfig, OptimizerRule};
use rayforce_client::query::{self, asc, call, desc, SelectQuery, SortKey};
use rayforce_client::Type;
use std::sync::Arc;

/// The optimizer rule pushing `ORDER BY … LIMIT k` into the shards (see the module docs).
/// Added by [`session_context`](crate::session_context).
#[derive(Debug, Default, Clone, Copy)]
pub struct TopKPushdown;

/// One sort key: column, ascending, nulls first.
#[derive(Debug, Clone)]
struct Key {
    column: String,
    ascending: bool,
    nulls_first: bool,
}

impl Key {
    /// Whether Rayforce's order puts this key's nulls where SQL wants them.
    fn nulls_agree(&self) -> bool {
        self.ascending == self.nulls_first
    }

    fn sort_key(&self) -> SortKey {
        if self.ascending {
            asc(&self.column)
        } else {
            desc(&self.column)
        }
    }

    fn is_null(&self) -> query::Expr {
        call("nil?", [query::col(&self.column)])
    }
}

impl OptimizerRule for TopKPushdown {
    fn name(&self) -> &str {
        "rayforce_topk_pushdown"
    }

    fn apply_order(&self) -> Option<ApplyOrder> {
        Some(ApplyOrder::BottomUp)
    }

    fn rewrite(
        &self,
        plan: LogicalPlan,
        _config: &dyn OptimizerConfig,
    ) -> Result<Transformed<LogicalPlan>> {
        let LogicalPlan::Sort(sort) = &plan else {
            return Ok(Transformed::no(plan));
        };
        match pushed(sort)? {
            Some(rewritten) => Ok(Transformed::yes(rewritten)),
            None => Ok(Transformed::no(plan)),
        }
    }
}

fn pushed(sort: &Sort) -> Result<Option<LogicalPlan>> {
    let Some(k) = sort.fetch else {
        return Ok(None);
    };
    // The scan, possibly under a projection of plain columns (a reordering).
    let (projection, scan) = match sort.input.as_ref() {
        LogicalPlan::TableScan(scan) => (None, scan),
        LogicalPlan::Projection(p) if p.expr.iter().all(|e| matches!(e, Expr::Column(_))) => {
            match p.input.as_ref() {
                LogicalPlan::TableScan(scan) => (Some(p.expr.clone()), scan),
                _ => return Ok(None),
            }
        }
        _ => return Ok(None),
    };
    let Some(table) = RayforceTable::of_scan(scan) else {
        return Ok(None);
    };
    let mut keys = Vec::new();
    for e in &sort.expr {
        let Expr::Column(c) = &e.expr else {
            return Ok(None);
        };
        match table.inner.types.get(&c.name) {
            Some(t) if sortable(*t) => keys.push(Key {
                column: c.name.clone(),
                ascending: e.asc,
                nulls_first: e.nulls_first,
            }),
            _ => return Ok(None),
        }
    }
    let provider = PushedScan {
        schema: table.inner.schema.clone(),
        queries: Arc::new(TopK {
            table: table.clone(),
            keys,
            k,
            filters: scan.filters.clone(),
        }),
        table,
        filters: scan.filters.clone(),
    };
    let mut input = LogicalPlanBuilder::scan(
        scan.table_name.clone(),
        provider_as_source(Arc::new(provider)),
        scan.projection.clone(),
    )?;
    if let Some(columns) = projection {
        input = input.project(columns)?;
    }
    let input = input.build()?;
    Ok(Some(LogicalPlan::Sort(Sort {
        expr: sort.expr.clone(),
        input: Arc::new(input),
        fetch: sort.fetch,
    })))
}

/// Types whose Rayforce order is SQL's order of the Arrow values (text: byte order).
fn sortable(t: Type) -> bool {
    matches!(
        t,
        Type::Bool
            | Type::U8
            | Type::I16
            | Type::I32
            | Type::I64
            | Type::F32
            | Type::F64
            | Type::Date
            | Type::Time
            | Type::Timestamp
            | Type::Symbol
    )
}

/// The shards' top-k candidates, which DataFusion's sort merges.
#[derive(Debug)]
struct TopK {
    table: RayforceTable,
    keys: Vec<Key>,
    k: usize,
    filters: Vec<Expr>,
}

impl ShardQueries for TopK {
    fn queries(&self, columns: &[String]) -> Vec<SelectQuery> {
        let base = self.table.select(columns, &self.filters, None);
        let limit = i64::try_from(self.k).unwrap_or(i64::MAX);
        let order: Vec<SortKey> = self.keys.iter().map(Key::sort_key).collect();
        if self.keys.iter().all(Key::nulls_agree) {
            return vec![base.order_by(order).limit(limit)];
        }
        let no_null = self
            .keys
            .iter()
            .map(|k| k.is_null().not())
            .reduce(|a, b| a.and(b))
            .expect("at least one key");
        let some_null = self
            .keys
            .iter()
            .map(Key::is_null)
            .reduce(|a, b| a.or(b))
            .expect("at least one key");
        vec![
            base.clone().filter(no_null).order_by(order).limit(limit),
            base.filter(some_null),
        ]
    }
}
