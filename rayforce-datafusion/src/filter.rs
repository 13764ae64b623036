//! DataFusion filter expressions compiled into Rayforce predicates with SQL's meaning.
//!
//! SQL filters keep the rows where a predicate is TRUE under three-valued logic; Rayforce
//! compares nulls as ordinary values (a null is below every number: `(< 0Nl 5)` is true).
//! So each expression is compiled twice — the rows where it is TRUE and the rows where it is
//! FALSE — and every comparison is guarded by `(not (nil? col))`. `NOT p` is then the FALSE
//! side of `p`, and the pushed predicate selects exactly SQL's rows: DataFusion can drop its
//! own filter (`TableProviderFilterPushDown::Exact`). What cannot be compiled is reported
//! `Unsupported` and stays in DataFusion.

use datafusion::common::ScalarValue;
use datafusion::logical_expr::{BinaryExpr, Expr, Operator};
use rayforce_client::arrow::{EPOCH_DAYS, EPOCH_NANOS};
use rayforce_client::query::{self, call, lit};
use rayforce_client::{Date, Time, Timestamp, Type, Value};
use std::collections::HashMap;

/// The table's columns and their Rayforce types: literals are sent in the column's own type.
pub(crate) struct Compiler<'a> {
    pub columns: &'a HashMap<String, Type>,
}

/// Both sides of a predicate.
struct Sides {
    truth: query::Expr,
    falsity: query::Expr,
}

impl Compiler<'_> {
    /// The Rayforce predicate selecting the rows where `e` is TRUE, or `None` when `e` is
    /// not expressible (it is then left to DataFusion).
    pub fn compile(&self, e: &Expr) -> Option<query::Expr> {
        self.sides(e).map(|s| s.truth)
    }

    /// All filters joined with `and`; `None` for no filter.
    pub fn compile_all(&self, filters: &[Expr]) -> Option<query::Expr> {
        filters
            .iter()
            .filter_map(|f| self.compile(f))
            .reduce(|a, b| a.and(b))
    }

    fn sides(&self, e: &Expr) -> Option<Sides> {
        match e {
            Expr::BinaryExpr(BinaryExpr { left, op, right }) => match op {
                Operator::And => {
                    let (a, b) = (self.sides(left)?, self.sides(right)?);
                    Some(Sides {
                        truth: a.truth.and(b.truth),
                        falsity: a.falsity.or(b.falsity),
                    })
                }
                Operator::Or => {
                    let (a, b) = (self.sides(left)?, self.sides(right)?);
                    Some(Sides {
                        truth: a.truth.or(b.truth),
                        falsity: a.falsity.and(b.falsity),
                    })
                }
                _ => self.comparison(left, *op, right),
            },
            Expr::Not(inner) => {
                let s = self.sides(inner)?;
                Some(Sides {
                    truth: s.falsity,
                    falsity: s.truth,
                })
            }
            Expr::IsNull(inner) => {
                let (name, _) = self.column(inner)?;
                Some(Sides {
                    truth: is_null(name),
                    falsity: is_null(name).not(),
                })
            }
            Expr::IsNotNull(inner) => {
                let (name, _) = self.column(inner)?;
                Some(Sides {
                    truth: is_null(name).not(),
                    falsity: is_null(name),
                })
            }
            Expr::Between(b) => {
                let (name, ty) = self.column(&b.expr)?;
                let low = literal(&b.low, ty)?;
                let high = literal(&b.high, ty)?;
                let inside = query::col(name)
                    .ge(low.clone())
                    .and(query::col(name).le(high.clone()));
                let outside = query::col(name).lt(low).or(query::col(name).gt(high));
                let (truth, falsity) = (guarded(name, inside), guarded(name, outside));
                Some(if b.negated {
                    Sides {
                        truth: falsity,
                        falsity: truth,
                    }
                } else {
                    Sides { truth, falsity }
                })
            }
            Expr::InList(list) => {
                let (name, ty) = self.column(&list.expr)?;
                let values = list
                    .list
                    .iter()
                    .map(|v| literal(v, ty))
                    .collect::<Option<Vec<_>>>()?;
                if values.is_empty() {
                    return None;
                }
                let member = guarded(name, query::col(name).is_in(values.clone()));
                let non_member = guarded(name, query::col(name).is_in(values).not());
                Some(if list.negated {
                    Sides {
                        truth: non_member,
                        falsity: member,
                    }
                } else {
                    Sides {
                        truth: member,
                        falsity: non_member,
                    }
                })
            }
            Expr::Like(like) if !like.case_insensitive && like.escape_char.is_none() => {
                let (name, ty) = self.column(&like.expr)?;
                if !matches!(ty, Type::Symbol | Type::Str) {
                    return None;
                }
                let Expr::Literal(ScalarValue::Utf8(Some(p)), _) = like.pattern.as_ref() else {
                    return None;
                };
                let pattern = glob_of_like(p)?;
                let matched = guarded(name, query::col(name).like(&pattern));
                let unmatched = guarded(name, query::col(name).like(&pattern).not());
                Some(if like.negated {
                    Sides {
                        truth: unmatched,
                        falsity: matched,
                    }
                } else {
                    Sides {
                        truth: matched,
                        falsity: unmatched,
                    }
                })
            }
            Expr::Column(_) => {
                // A boolean column (BOOL has no null in Rayforce).
                let (name, ty) = self.column(e)?;
                (ty == Type::Bool).then(|| Sides {
                    truth: query::col(name),
                    falsity: query::col(name).not(),
                })
            }
            _ => None,
        }
    }

    /// `column op literal` (either order) or `column op column`.
    fn comparison(&self, left: &Expr, op: Operator, right: &Expr) -> Option<Sides> {
        let negated = op.negate()?;
        let build = |op: Operator, a: query::Expr, b: query::Expr| -> Option<query::Expr> {
            Some(match op {
                Operator::Eq => a.eq(b),
                Operator::NotEq => a.ne(b),
                Operator::Lt => a.lt(b),
                Operator::LtEq => a.le(b),
                Operator::Gt => a.gt(b),
                Operator::GtEq => a.ge(b),
                _ => return None,
            })
        };
        if let (Some((a, ta)), Some((b, tb))) = (self.column(left), self.column(right)) {
            if !comparable(ta, tb) {
                return None;
            }
            let guard = |p: query::Expr| guarded(a, guarded(b, p));
            return Some(Sides {
                truth: guard(build(op, query::col(a), query::col(b))?),
                falsity: guard(build(negated, query::col(a), query::col(b))?),
            });
        }
        let (name, ty, value, op, negated) = match (self.column(left), self.column(right)) {
            (Some((name, ty)), None) => (name, ty, right, op, negated),
            (None, Some((name, ty))) => (name, ty, left, op.swap()?, negated.swap()?),
            _ => return None,
        };
        let value = literal(value, ty)?;
        Some(Sides {
            truth: guarded(name, build(op, query::col(name), value.clone())?),
            falsity: guarded(name, build(negated, query::col(name), value)?),
        })
    }

    /// A column of this table (through a widening numeric cast DataFusion may add), with
    /// its Rayforce type.
    fn column<'e>(&self, e: &'e Expr) -> Option<(&'e str, Type)> {
        match e {
            Expr::Column(c) => Some((c.name.as_str(), *self.columns.get(&c.name)?)),
            Expr::Cast(cast) => {
                let (name, ty) = self.column(&cast.expr)?;
                (is_numeric(ty) && cast.field.data_type().is_numeric()).then_some((name, ty))
            }
            _ => None,
        }
    }
}

/// A SQL LIKE pattern as Rayforce's whole-text glob (`%` → `*`, `_` → `?`); `None` when
/// the pattern holds a character the glob would read differently (`* ? [ ] \\ ^`).
fn glob_of_like(pattern: &str) -> Option<String> {
    if pattern.contains(['*', '?', '[', ']', '\\', '^']) {
        return None;
    }
    Some(pattern.replace('%', "*").replace('_', "?"))
}

fn is_null(name: &str) -> query::Expr {
    call("nil?", [query::col(name)])
}

/// `p` where the column is not null.
fn guarded(name: &str, p: query::Expr) -> query::Expr {
    is_null(name).not().and(p)
}

pub(crate) fn is_numeric(t: Type) -> bool {
    matches!(
        t,
        Type::U8 | Type::I16 | Type::I32 | Type::I64 | Type::F32 | Type::F64
    )
}

fn comparable(a: Type, b: Type) -> bool {
    a == b || (is_numeric(a) && is_numeric(b))
}

/// A non-null DataFusion literal as a Rayforce value of the column's type; `None` when it
/// does not fit (left to DataFusion).
pub(crate) fn literal(e: &Expr, column: Type) -> Option<query::Expr> {
    let Expr::Literal(value, _) = e else {
        return None;
    };
    scalar(value, column).map(lit)
}

/// `value` converted to the Rayforce type `column`.
pub(crate) fn scalar(value: &ScalarValue, column: Type) -> Option<Value> {
    use ScalarValue as S;
    if value.is_null() {
        return None;
    }
    let integer = match value {
        S::Int8(Some(v)) => Some(i128::from(*v)),
        S::Int16(Some(v)) => Some(i128::from(*v)),
        S::Int32(Some(v)) => Some(i128::from(*v)),
        S::Int64(Some(v)) => Some(i128::from(*v)),
        S::UInt8(Some(v)) => Some(i128::from(*v)),
        S::UInt16(Some(v)) => Some(i128::from(*v)),
        S::UInt32(Some(v)) => Some(i128::from(*v)),
        S::UInt64(Some(v)) => Some(i128::from(*v)),
        _ => None,
    };
    let float = match value {
        S::Float32(Some(v)) => Some(f64::from(*v)),
        S::Float64(Some(v)) => Some(*v),
        _ => None,
    };
    let text = match value {
        S::Utf8(Some(s)) | S::LargeUtf8(Some(s)) | S::Utf8View(Some(s)) => Some(s.as_str()),
        _ => None,
    };
    Some(match column {
        Type::Bool => match value {
            S::Boolean(Some(b)) => Value::Bool(*b),
            _ => return None,
        },
        // Integer literals must fit the column's type; its null sentinel (the minimum) is
        // not a value a SQL literal may take.
        Type::U8 => Value::U8(u8::try_from(integer?).ok()?),
        Type::I16 => Value::I16(i16::try_from(integer?).ok().filter(|v| *v != i16::MIN)?),
        Type::I32 => Value::I32(i32::try_from(integer?).ok().filter(|v| *v != i32::MIN)?),
        Type::I64 => Value::I64(i64::try_from(integer?).ok().filter(|v| *v != i64::MIN)?),
        Type::F64 => Value::F64(float.or_else(|| integer.map(|i| i as f64))?),
        // Only literals an F32 holds exactly: Rayforce compares in F32, DataFusion in F64.
        Type::F32 => {
            let v = float.or_else(|| integer.map(|i| i as f64))?;
            Value::F32(((v as f32) as f64 == v).then_some(v as f32)?)
        }
        Type::Symbol => Value::symbol(text?),
        Type::Str => Value::from(text?),
        Type::Date => match value {
            S::Date32(Some(days)) => Value::Date(Date(days.checked_sub(EPOCH_DAYS)?)),
            _ => return None,
        },
        Type::Timestamp => {
            let nanos = match value {
                S::TimestampNanosecond(Some(v), _) => Some(*v),
                S::TimestampMicrosecond(Some(v), _) => v.checked_mul(1_000),
                S::TimestampMillisecond(Some(v), _) => v.checked_mul(1_000_000),
                S::TimestampSecond(Some(v), _) => v.checked_mul(1_000_000_000),
                _ => None,
            }?;
            Value::Timestamp(Timestamp(nanos.checked_sub(EPOCH_NANOS)?))
        }
        Type::Time => match value {
            S::Time32Millisecond(Some(ms)) => Value::Time(Time(*ms)),
            _ => return None,
        },
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::prelude::{col, lit};
    use std::ops::Not;

    fn compiled(e: Expr) -> Option<String> {
        let columns: HashMap<String, Type> = [
            ("x", Type::I64),
            ("f", Type::F32),
            ("s", Type::Symbol),
            ("t", Type::Str),
            ("d", Type::Date),
        ]
        .into_iter()
        .map(|(n, t)| (n.to_string(), t))
        .collect();
        let compiler = Compiler { columns: &columns };
        compiler.compile(&e).map(|q| q.to_rayfall().unwrap())
    }

    #[test]
    fn comparisons_are_guarded_and_not_takes_the_false_side() {
        assert_eq!(
            compiled(col("x").lt(lit(5i64))).unwrap(),
            "(and (not (nil? x)) (< x 5))"
        );
        assert_eq!(
            compiled(col("x").gt(lit(5i64)).not()).unwrap(),
            "(and (not (nil? x)) (<= x 5))"
        );
        // A literal on the left turns the operator round.
        assert_eq!(
            compiled(lit(5i64).lt(col("x"))).unwrap(),
            "(and (not (nil? x)) (> x 5))"
        );
        assert_eq!(
            compiled(col("x").is_null().not()).unwrap(),
            "(not (nil? x))"
        );
    }

    #[test]
    fn literals_take_the_column_type() {
        assert_eq!(
            compiled(col("s").eq(lit("IBM"))).unwrap(),
            "(and (not (nil? s)) (== s 'IBM))"
        );
        assert_eq!(
            compiled(col("t").eq(lit("IBM"))).unwrap(),
            "(and (not (nil? t)) (== t \"IBM\"))"
        );
        // 2024-01-19 is day 19741 since 1970, 8784 since 2000.
        assert_eq!(
            compiled(col("d").gt_eq(lit(ScalarValue::Date32(Some(19741))))).unwrap(),
            "(and (not (nil? d)) (>= d 2024.01.19))"
        );
    }

    #[test]
    fn what_the_server_would_compute_otherwise_is_left_to_datafusion() {
        // A fractional literal against an integer column, an F32 the column cannot hold,
        // an integer literal beyond the column's type, arithmetic, ILIKE.
        assert_eq!(compiled(col("x").gt(lit(2.5f64))), None);
        assert_eq!(compiled(col("f").gt(lit(0.1f64))), None);
        assert!(compiled(col("f").gt(lit(0.5f64))).is_some());
        assert_eq!(
            compiled(col("x").eq(lit(ScalarValue::UInt64(Some(u64::MAX))))),
            None
        );
        assert_eq!(compiled((col("x") + lit(1i64)).gt(lit(2i64))), None);
        assert_eq!(compiled(col("s").ilike(lit("a%"))), None);
        assert_eq!(compiled(col("unknown").eq(lit(1i64))), None);
    }

    #[test]
    fn like_patterns_become_globs_unless_a_character_would_change_meaning() {
        assert_eq!(glob_of_like("A%").as_deref(), Some("A*"));
        assert_eq!(glob_of_like("a_c%").as_deref(), Some("a?c*"));
        assert_eq!(glob_of_like("a.c").as_deref(), Some("a.c"));
        for p in ["a*", "a?", "[ab]", "a\\%", "^a"] {
            assert_eq!(glob_of_like(p), None, "{p}");
        }
    }
}
