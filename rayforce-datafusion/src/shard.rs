//! [`Shard`]: one server holding part of a table, with an optional [`Partition`] that says
//! which rows it can hold, so a scan skips the shards a filter excludes. Pruning is pure:
//! it reads the query's filters and the partition, never the server.

use datafusion::arrow::array::{ArrayRef, BooleanArray, RecordBatch};
use datafusion::arrow::datatypes::{Field, Schema};
use datafusion::common::tree_node::{Transformed, TreeNode};
use datafusion::common::{Column, DFSchema, ScalarValue};
use datafusion::logical_expr::physical_planning_context::PhysicalPlanningContext;
use datafusion::logical_expr::utils::split_conjunction;
use datafusion::logical_expr::{BinaryExpr, Expr, Operator};
use datafusion::physical_expr::create_physical_expr;
use datafusion::physical_expr::execution_props::ExecutionProps;
use rayforce_client::ClientBuilder;
use std::cmp::Ordering;
use std::sync::Arc;

/// One server of a sharded table: a name for errors and plans, how to connect, and
/// optionally which rows it holds.
///
/// ```
/// use rayforce_client::Client;
/// use rayforce_datafusion::{Partition, Shard};
///
/// let shard = Shard::new("s1", Client::builder("127.0.0.1", 5101))
///     .partition(Partition::values("sym", ["AAPL", "MSFT"]));
/// assert_eq!(shard.name(), "s1");
/// assert_eq!(shard.address(), "127.0.0.1:5101");
/// ```
#[derive(Clone, Debug)]
pub struct Shard {
    name: String,
    builder: ClientBuilder,
    partition: Option<Partition>,
}

impl Shard {
    /// A shard reached through `builder` (address, password, timeouts).
    pub fn new(name: impl Into<String>, builder: ClientBuilder) -> Shard {
        Shard {
            name: name.into(),
            builder,
            partition: None,
        }
    }

    /// Declares which rows this shard holds. A scan whose filters exclude every row of the
    /// partition does not contact the shard. The declaration is trusted: rows outside it
    /// may be missed by pruned queries.
    pub fn partition(mut self, partition: Partition) -> Shard {
        self.partition = Some(partition);
        self
    }

    /// The shard's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// `host:port`.
    pub fn address(&self) -> String {
        let (host, port) = self.builder.address();
        format!("{host}:{port}")
    }

    /// How to connect.
    pub fn builder(&self) -> &ClientBuilder {
        &self.builder
    }

    /// The declared partition, if any.
    pub fn partition_of(&self) -> Option<&Partition> {
        self.partition.as_ref()
    }

    /// `source` as an error naming this shard and its address.
    pub(crate) fn error(&self, source: rayforce_client::Error) -> crate::Error {
        crate::Error::Shard {
            shard: self.name.clone(),
            address: self.address(),
            source,
        }
    }

    /// Whether rows of this shard can satisfy all of `filters` (false only when a filter
    /// provably excludes the whole partition).
    pub fn may_match(&self, filters: &[Expr]) -> bool {
        match &self.partition {
            None => true,
            Some(p) => p.may_match(filters),
        }
    }
}

/// The rows a shard holds, by the value of one column.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum Partition {
    /// The column takes only these values (e.g. a set of symbols).
    Values {
        /// The partition column.
        column: String,
        /// Its possible values.
        values: Vec<ScalarValue>,
    },
    /// The column lies in `[low, high)` (either bound may be open: `None`).
    Range {
        /// The partition column.
        column: String,
        /// Inclusive lower bound.
        low: Option<ScalarValue>,
        /// Exclusive upper bound.
        high: Option<ScalarValue>,
    },
}

impl Partition {
    /// The column takes only these values.
    pub fn values<V: Into<ScalarValue>>(
        column: &str,
        values: impl IntoIterator<Item = V>,
    ) -> Partition {
        Partition::Values {
            column: column.to_string(),
            values: values.into_iter().map(Into::into).collect(),
        }
    }

    /// The column lies in `[low, high)`.
    pub fn range(
        column: &str,
        low: Option<impl Into<ScalarValue>>,
        high: Option<impl Into<ScalarValue>>,
    ) -> Partition {
        Partition::Range {
            column: column.to_string(),
            low: low.map(Into::into),
            high: high.map(Into::into),
        }
    }

    fn column(&self) -> &str {
        match self {
            Partition::Values { column, .. } | Partition::Range { column, .. } => column,
        }
    }

    /// False when some conjunct of some filter, over the partition column alone, holds for
    /// no row of the partition.
    fn may_match(&self, filters: &[Expr]) -> bool {
        filters
            .iter()
            .flat_map(split_conjunction)
            .filter(|e| only_references(e, self.column()))
            .all(|conjunct| match self {
                Partition::Values { column, values } => {
                    any_value_matches(column, values, conjunct).unwrap_or(true)
                }
                Partition::Range { low, high, .. } => {
                    range_may_match(low.as_ref(), high.as_ref(), conjunct)
                }
            })
    }
}

/// Whether `e` references columns and all of them are named `column`.
fn only_references(e: &Expr, column: &str) -> bool {
    let names = e.column_refs();
    !names.is_empty() && names.iter().all(|c| c.name == column)
}

fn unqualified(e: &Expr) -> Option<Expr> {
    e.clone()
        .transform_up(|e| match e {
            Expr::Column(c) => Ok(Transformed::yes(Expr::Column(Column::new_unqualified(
                c.name,
            )))),
            other => Ok(Transformed::no(other)),
        })
        .ok()
        .map(|t| t.data)
}

/// Evaluates `conjunct` over the partition's values (DataFusion's own evaluation, so every
/// expression it can run counts); `None` when it cannot be evaluated.
fn any_value_matches(column: &str, values: &[ScalarValue], conjunct: &Expr) -> Option<bool> {
    let first = values.first()?;
    let array: ArrayRef = ScalarValue::iter_to_array(values.iter().cloned()).ok()?;
    let schema = Arc::new(Schema::new(vec![Field::new(
        column,
        first.data_type(),
        true,
    )]));
    let batch = RecordBatch::try_new(schema.clone(), vec![array]).ok()?;
    let df_schema = DFSchema::try_from(schema.as_ref().clone()).ok()?;
    let expr = unqualified(conjunct)?;
    let context = PhysicalPlanningContext::default();
    let physical =
        create_physical_expr(&expr, &df_schema, &ExecutionProps::new(), &context).ok()?;
    let result = physical
        .evaluate(&batch)
        .ok()?
        .into_array(values.len())
        .ok()?;
    let mask = result.as_any().downcast_ref::<BooleanArray>()?;
    Some(mask.iter().any(|v| v == Some(true)))
}

/// One end of an interval of allowed values: the value and whether it is included.
type Bound<'a> = Option<(&'a ScalarValue, bool)>;

/// Whether `[low, high)` meets the values `conjunct` allows, for the shapes
/// `col op literal`, `col BETWEEN a AND b` and `col IN (…)`; anything else may match.
fn range_may_match(low: Option<&ScalarValue>, high: Option<&ScalarValue>, conjunct: &Expr) -> bool {
    // The allowed values as an interval [from, to] with inclusive flags.
    let (from, to): (Bound<'_>, Bound<'_>) = match conjunct {
        Expr::BinaryExpr(BinaryExpr { left, op, right }) => {
            let (op, value) = match (left.as_ref(), right.as_ref()) {
                (Expr::Column(_), Expr::Literal(v, _)) => (*op, v),
                (Expr::Literal(v, _), Expr::Column(_)) => match op.swap() {
                    Some(op) => (op, v),
                    None => return true,
                },
                _ => return true,
            };
            match op {
                Operator::Eq => (Some((value, true)), Some((value, true))),
                Operator::Lt => (None, Some((value, false))),
                Operator::LtEq => (None, Some((value, true))),
                Operator::Gt => (Some((value, false)), None),
                Operator::GtEq => (Some((value, true)), None),
                _ => return true,
            }
        }
        Expr::Between(b) if !b.negated => match (b.low.as_ref(), b.high.as_ref()) {
            (Expr::Literal(lo, _), Expr::Literal(hi, _)) => (Some((lo, true)), Some((hi, true))),
            _ => return true,
        },
        Expr::InList(list) if !list.negated => {
            return list.list.iter().any(|item| match item {
                Expr::Literal(v, _) => range_may_match(
                    low,
                    high,
                    &Expr::Column(Column::from_name("_")).eq(Expr::Literal(v.clone(), None)),
                ),
                _ => true,
            });
        }
        _ => return true,
    };
    let below = |a: &ScalarValue, b: &ScalarValue| a.partial_cmp(b);
    // The partition starts at or after the allowed interval's end?
    if let (Some(low), Some((to, inclusive))) = (low, to) {
        match below(low, to) {
            Some(Ordering::Greater) => return false,
            Some(Ordering::Equal) if !inclusive => return false,
            _ => {}
        }
    }
    // The partition ends (exclusively) at or before the allowed interval's start?
    if let (Some(high), Some((from, _))) = (high, from) {
        if matches!(below(high, from), Some(Ordering::Less | Ordering::Equal)) {
            return false;
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::prelude::{col, lit};

    #[test]
    fn a_value_partition_is_pruned_only_when_no_value_can_match() {
        let p = Partition::values("sym", ["a", "b"]);
        assert!(p.may_match(&[col("sym").eq(lit("a"))]));
        assert!(!p.may_match(&[col("sym").eq(lit("c"))]));
        assert!(!p.may_match(&[col("sym").in_list(vec![lit("c"), lit("d")], false)]));
        assert!(p.may_match(&[col("sym").in_list(vec![lit("c"), lit("b")], false)]));
        // Conjuncts on other columns never prune; an OR with another column neither.
        assert!(p.may_match(&[col("px").gt(lit(1))]));
        assert!(p.may_match(&[col("sym").eq(lit("c")).or(col("px").gt(lit(1)))]));
        assert!(!p.may_match(&[col("px").gt(lit(1)).and(col("sym").eq(lit("z")))]));
    }

    #[test]
    fn a_range_partition_is_pruned_by_comparisons_between_and_in() {
        let p = Partition::range("day", Some(10i64), Some(20i64));
        assert!(p.may_match(&[col("day").eq(lit(10i64))]));
        assert!(!p.may_match(&[col("day").eq(lit(20i64))]));
        assert!(!p.may_match(&[col("day").lt(lit(10i64))]));
        assert!(p.may_match(&[col("day").lt_eq(lit(10i64))]));
        assert!(!p.may_match(&[col("day").gt_eq(lit(20i64))]));
        assert!(p.may_match(&[col("day").gt(lit(19i64))]));
        assert!(!p.may_match(&[lit(25i64).lt(col("day"))]));
        assert!(!p.may_match(&[col("day").between(lit(0i64), lit(9i64))]));
        assert!(p.may_match(&[col("day").between(lit(0i64), lit(10i64))]));
        assert!(!p.may_match(&[col("day").in_list(vec![lit(1i64), lit(30i64)], false)]));
        assert!(p.may_match(&[col("day").in_list(vec![lit(1i64), lit(15i64)], false)]));
        let open = Partition::range("day", None::<i64>, Some(5i64));
        assert!(open.may_match(&[col("day").lt(lit(-100i64))]));
        assert!(!open.may_match(&[col("day").gt_eq(lit(5i64))]));
    }
}
