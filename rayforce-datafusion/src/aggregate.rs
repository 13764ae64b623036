//! Aggregation pushdown: a logical optimizer rule ([`AggregatePushdown`]) that turns
//!
//! ```text
//! Aggregate(group by g…, sum/count/min/max/avg of columns) ← TableScan(RayforceTable, exact filters)
//! ```
//!
//! into a two-phase plan: each shard runs one grouped Rayforce `select … by: g…` that
//! returns partial results (a sum and a count of non-null values, a min, a max), and
//! DataFusion combines them (sum of sums, sum of counts, min of mins, max of maxes, sum ÷
//! count for averages). Only the grouped rows cross the wire. The combination keeps SQL's
//! null rules: `sum`/`avg` of only nulls is NULL (Rayforce's `sum` gives 0, so the non-null
//! count decides), `count(col)` counts non-null values (Rayforce's `count` counts all).
//! Plans of other shapes (DISTINCT, FILTER, expressions as arguments or keys, a filter that
//! DataFusion keeps, a limit under the aggregate) are left alone.

use crate::filter::is_numeric;
use crate::pushed::{PushedScan, ShardQueries};
use crate::table::RayforceTable;
use datafusion::arrow::datatypes::{DataType, Field, Schema};
use datafusion::common::tree_node::Transformed;
use datafusion::common::{Column, ScalarValue};
use datafusion::datasource::provider_as_source;
use datafusion::error::Result;
use datafusion::functions_aggregate::expr_fn::{max, min, sum};
use datafusion::logical_expr::expr::AggregateFunction;
use datafusion::logical_expr::{cast, lit, when, Aggregate, Expr, LogicalPlan, LogicalPlanBuilder};
use datafusion::optimizer::optimizer::ApplyOrder;
use datafusion::optimizer::{OptimizerConfig, OptimizerRule};
use datafusion::prelude::coalesce;
use rayforce_client::query::{self, call, table as server_table, SelectQuery};
use rayforce_client::Type;
use std::sync::Arc;

/// The optimizer rule pushing aggregations into the shards (see the module docs). Added by
/// [`session_context`](crate::session_context); add it to your own context with
/// `ctx.add_optimizer_rule(Arc::new(AggregatePushdown))`.
#[derive(Debug, Default, Clone, Copy)]
pub struct AggregatePushdown;

/// One partial result column computed by every shard.
struct Partial {
    expr: query::Expr,
    data_type: DataType,
    /// How DataFusion combines the shards' values.
    combine: fn(Expr) -> Expr,
}

/// How an original aggregate is rebuilt from the combined partial columns.
enum Rebuild {
    /// `sum`: NULL where no value was non-null.
    Sum { value: usize, count: usize },
    /// `avg`: sum ÷ count, NULL where the count is 0.
    Avg { value: usize, count: usize },
    /// `count`: 0 where nothing was counted (no group at all).
    Count { count: usize },
    /// `min`, `max`: as combined.
    Same { value: usize },
}

impl OptimizerRule for AggregatePushdown {
    fn name(&self) -> &str {
        "rayforce_aggregate_pushdown"
    }

    fn apply_order(&self) -> Option<ApplyOrder> {
        Some(ApplyOrder::BottomUp)
    }

    fn rewrite(
        &self,
        plan: LogicalPlan,
        _config: &dyn OptimizerConfig,
    ) -> Result<Transformed<LogicalPlan>> {
        let LogicalPlan::Aggregate(aggregate) = &plan else {
            return Ok(Transformed::no(plan));
        };
        match pushed(aggregate)? {
            Some(rewritten) => Ok(Transformed::yes(rewritten)),
            None => Ok(Transformed::no(plan)),
        }
    }
}

/// The two-phase plan for `aggregate`, or `None` when it has another shape.
fn pushed(aggregate: &Aggregate) -> Result<Option<LogicalPlan>> {
    let LogicalPlan::TableScan(scan) = aggregate.input.as_ref() else {
        return Ok(None);
    };
    let Some(table) = RayforceTable::of_scan(scan) else {
        return Ok(None);
    };
    if scan.fetch.is_some() {
        return Ok(None);
    }
    let types = &table.inner.types;
    let schema = &table.inner.schema;
    let mut keys = Vec::new();
    for key in &aggregate.group_expr {
        let Expr::Column(c) = key else {
            return Ok(None);
        };
        if !types.contains_key(&c.name) {
            return Ok(None);
        }
        keys.push(c.name.clone());
    }
    let mut partials: Vec<Partial> = Vec::new();
    let mut rebuilds = Vec::new();
    for expr in &aggregate.aggr_expr {
        let Expr::AggregateFunction(AggregateFunction { func, params }) = expr else {
            return Ok(None);
        };
        if params.distinct || params.filter.is_some() || !params.order_by.is_empty() {
            return Ok(None);
        }
        let [arg] = params.args.as_slice() else {
            return Ok(None);
        };
        let function = func.name().to_ascii_lowercase();
        let column = match arg {
            Expr::Column(c) => match types.get(&c.name) {
                Some(ty) => Some((c.name.clone(), *ty)),
                None => return Ok(None),
            },
            // count(*) is planned as count(1).
            Expr::Literal(v, _) if function == "count" && !v.is_null() => None,
            // avg (and sum) of an integer column is planned over a cast to Float64 or
            // Int64; the partial sum is the same and the final cast restores the type.
            Expr::Cast(cast_expr)
                if matches!(function.as_str(), "sum" | "avg" | "mean")
                    && matches!(
                        cast_expr.field.data_type(),
                        DataType::Float64 | DataType::Int64
                    ) =>
            {
                match cast_expr.expr.as_ref() {
                    Expr::Column(c) => match types.get(&c.name) {
                        Some(ty) if is_numeric(*ty) => Some((c.name.clone(), *ty)),
                        _ => return Ok(None),
                    },
                    _ => return Ok(None),
                }
            }
            _ => return Ok(None),
        };
        let mut slot = |p: Partial| {
            partials.push(p);
            partials.len() - 1
        };
        let non_null = |name: &str| Partial {
            expr: call("sum", [call("nil?", [query::col(name)]).not()]),
            data_type: DataType::Int64,
            combine: sum,
        };
        let rebuild = match (function.as_str(), &column) {
            ("count", None) => {
                let any = keys
                    .first()
                    .cloned()
                    .or_else(|| schema.fields().first().map(|f| f.name().clone()));
                let Some(any) = any else { return Ok(None) };
                let count = slot(Partial {
                    expr: query::col(&any).count(),
                    data_type: DataType::Int64,
                    combine: sum,
                });
                Rebuild::Count { count }
            }
            ("count", Some((name, _))) => {
                let count = slot(non_null(name));
                Rebuild::Count { count }
            }
            ("sum" | "avg" | "mean", Some((name, ty))) if is_numeric(*ty) => {
                let value = slot(Partial {
                    expr: query::col(name).sum(),
                    data_type: if is_float(*ty) {
                        DataType::Float64
                    } else {
                        DataType::Int64
                    },
                    combine: sum,
                });
                let count = slot(non_null(name));
                if function == "sum" {
                    Rebuild::Sum { value, count }
                } else {
                    Rebuild::Avg { value, count }
                }
            }
            ("min" | "max", Some((name, ty))) if is_ordered(*ty) => {
                let Ok(field) = schema.field_with_name(name) else {
                    return Ok(None);
                };
                let is_min = function == "min";
                let value = slot(Partial {
                    expr: if is_min {
                        query::col(name).min()
                    } else {
                        query::col(name).max()
                    },
                    data_type: field.data_type().clone(),
                    combine: if is_min { min } else { max },
                });
                Rebuild::Same { value }
            }
            _ => return Ok(None),
        };
        rebuilds.push(rebuild);
    }

    // Phase one: the shards' grouped select.
    let mut outputs: Vec<query::Expr> = Vec::new();
    for (i, p) in partials.iter().enumerate() {
        outputs.push(p.expr.clone().alias(&partial_name(i)));
    }
    let mut select: SelectQuery = server_table(table.name()).select(outputs);
    if !keys.is_empty() {
        select = select.by(keys.iter().map(String::as_str).collect::<Vec<_>>());
    }
    if let Some(predicate) = table.compiler().compile_all(&scan.filters) {
        select = select.filter(predicate);
    }
    let mut fields: Vec<Field> = keys
        .iter()
        .map(|k| schema.field_with_name(k).cloned())
        .collect::<std::result::Result<_, _>>()?;
    fields.extend(
        partials
            .iter()
            .enumerate()
            .map(|(i, p)| Field::new(partial_name(i), p.data_type.clone(), true)),
    );
    let partial_table = PushedScan {
        table: table.clone(),
        schema: Arc::new(Schema::new(fields)),
        queries: Arc::new(PartialAggregates(select)),
        filters: scan.filters.clone(),
    };

    // Phase two: DataFusion combines them, then rebuilds each original output column.
    let relation = scan.table_name.clone();
    let column = |name: &str| Expr::Column(Column::new(Some(relation.clone()), name));
    let group: Vec<Expr> = keys.iter().map(|k| column(k)).collect();
    let combined: Vec<Expr> = partials
        .iter()
        .enumerate()
        .map(|(i, p)| (p.combine)(column(&partial_name(i))).alias(format!("__rf_c{i}")))
        .collect();
    let c = |i: usize| Expr::Column(Column::new_unqualified(format!("__rf_c{i}")));
    let mut projection = Vec::new();
    for (i, (qualifier, field)) in aggregate.schema.iter().enumerate() {
        let expr = if i < keys.len() {
            Expr::Column(Column::new(qualifier.cloned(), field.name()))
        } else {
            let rebuilt = match rebuilds[i - keys.len()] {
                Rebuild::Sum { value, count } => when(c(count).gt(lit(0i64)), c(value)).end()?,
                Rebuild::Avg { value, count } => when(
                    c(count).gt(lit(0i64)),
                    cast(c(value), DataType::Float64) / cast(c(count), DataType::Float64),
                )
                .end()?,
                Rebuild::Count { count } => {
                    coalesce(vec![c(count), lit(ScalarValue::Int64(Some(0)))])
                }
                Rebuild::Same { value } => c(value),
            };
            cast(rebuilt, field.data_type().clone())
                .alias_qualified(qualifier.cloned(), field.name())
        };
        projection.push(expr);
    }
    let plan = LogicalPlanBuilder::scan(
        relation.clone(),
        provider_as_source(Arc::new(partial_table)),
        None,
    )?
    .aggregate(group, combined)?
    .project(projection)?
    .build()?;
    Ok(Some(plan))
}

/// The name of the `i`th partial column (a name no user column is expected to take).
fn partial_name(i: usize) -> String {
    format!("__rf_p{i}")
}

fn is_float(t: Type) -> bool {
    matches!(t, Type::F32 | Type::F64)
}

fn is_ordered(t: Type) -> bool {
    is_numeric(t) || matches!(t, Type::Date | Type::Time | Type::Timestamp)
}

/// Phase one: the same grouped select for every shard, whatever columns are read (the
/// scan picks them from the reply by name).
#[derive(Debug)]
struct PartialAggregates(SelectQuery);

impl ShardQueries for PartialAggregates {
    fn queries(&self, _columns: &[String]) -> Vec<SelectQuery> {
        vec![self.0.clone()]
    }
}
