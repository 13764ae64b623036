//! SQL expressions and literals → DSL [`Expr`]s and [`Value`]s.

use super::{unsupported, Lowering};
use crate::query::{call, col, Expr};
use crate::value::{Date, Time, Timestamp};
use crate::{Result, Value};
use sqlparser::ast::{
    self, BinaryOperator, DataType, Function, FunctionArg, FunctionArgExpr, FunctionArguments,
    InTarget, UnaryOperator,
};

/// Where a string literal appears: SQL strings are STR atoms in comparisons and symbols in
/// IN-lists and inserted values (as the spec's SQL mapping says).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum StringsAs {
    Strings,
    Symbols,
}

impl Lowering<'_> {
    /// A column name from an identifier (`a`, `t.a`, `excluded.a`).
    pub(super) fn column_name(&self, e: &ast::Expr) -> Option<String> {
        match e {
            ast::Expr::Identifier(i) => Some(i.value.clone()),
            ast::Expr::CompoundIdentifier(parts) => parts.last().map(|i| i.value.clone()),
            _ => None,
        }
    }

    /// A literal value (numbers, strings, booleans, NULL, DATE/TIME/TIMESTAMP '…',
    /// parameters, negated numbers), or `None` when `e` is not a literal.
    pub(super) fn literal(&mut self, e: &ast::Expr, strings: StringsAs) -> Result<Option<Value>> {
        Ok(Some(match e {
            ast::Expr::Value(v) => match &v.value {
                ast::Value::Number(n, _) => {
                    number(n).ok_or_else(|| unsupported("bad number", e))?
                }
                ast::Value::SingleQuotedString(s) | ast::Value::DoubleQuotedString(s) => {
                    match strings {
                        StringsAs::Strings => Value::from(s.as_str()),
                        StringsAs::Symbols => Value::symbol(s.as_str()),
                    }
                }
                ast::Value::Boolean(b) => Value::Bool(*b),
                ast::Value::Null => Value::Null,
                // Parameters keep their exact type: bind `Value::symbol(..)` for symbols.
                ast::Value::Placeholder(p) => self.param(p)?,
                _ => return Err(unsupported("unsupported literal", e)),
            },
            ast::Expr::TypedString(ts) => {
                let text = match &ts.value.value {
                    ast::Value::SingleQuotedString(s) => s.clone(),
                    _ => return Err(unsupported("typed literal needs a quoted string", e)),
                };
                temporal(&ts.data_type, &text)
                    .ok_or_else(|| unsupported("bad date/time literal", e))?
            }
            ast::Expr::UnaryOp {
                op: UnaryOperator::Minus,
                expr,
            } => match self.literal(expr, strings)? {
                // i64::MIN is the server's i64 null: negating into or out of it is refused.
                Some(Value::I64(n)) if n == i64::MIN => {
                    return Err(unsupported(
                        "negating i64::MIN (the server's null) has no i64 result",
                        e,
                    ))
                }
                Some(Value::I64(n)) => Value::I64(-n),
                Some(Value::F64(x)) => Value::F64(-x),
                _ => return Ok(None),
            },
            ast::Expr::Nested(inner) => return self.literal(inner, strings),
            _ => return Ok(None),
        }))
    }

    /// A SQL expression as a DSL expression. Nesting deeper than [`MAX_SQL_DEPTH`] (e.g.
    /// a WHERE of thousands of `OR` terms, which the parser builds as a deep tree) is an
    /// `Error::Sql`, never a stack overflow.
    pub(super) fn expr(&mut self, e: &ast::Expr) -> Result<Expr> {
        if self.depth >= MAX_SQL_DEPTH {
            return Err(unsupported(
                &format!("expression nested deeper than {MAX_SQL_DEPTH} levels"),
                &"…",
            ));
        }
        self.depth += 1;
        let lowered = self.expr_inner(e);
        self.depth -= 1;
        lowered
    }

    fn expr_inner(&mut self, e: &ast::Expr) -> Result<Expr> {
        if let Some(v) = self.literal(e, StringsAs::Strings)? {
            return Ok(Expr::Literal(v));
        }
        Ok(match e {
            ast::Expr::Identifier(_) | ast::Expr::CompoundIdentifier(_) => {
                col(&self.column_name(e).expect("identifier"))
            }
            ast::Expr::Nested(inner) => self.expr(inner)?,
            ast::Expr::BinaryOp { left, op, right } => {
                let f = match op {
                    BinaryOperator::Plus => "+",
                    BinaryOperator::Minus => "-",
                    BinaryOperator::Multiply => "*",
                    BinaryOperator::Divide => "/",
                    BinaryOperator::Modulo => "%",
                    BinaryOperator::Eq => "==",
                    BinaryOperator::NotEq => "!=",
                    BinaryOperator::Lt => "<",
                    BinaryOperator::LtEq => "<=",
                    BinaryOperator::Gt => ">",
                    BinaryOperator::GtEq => ">=",
                    BinaryOperator::And => "and",
                    BinaryOperator::Or => "or",
                    _ => return Err(unsupported("unsupported operator", e)),
                };
                call(f, [self.expr(left)?, self.expr(right)?])
            }
            ast::Expr::UnaryOp { op, expr } => match op {
                UnaryOperator::Not => self.expr(expr)?.not(),
                UnaryOperator::Minus => self.expr(expr)?.neg(),
                UnaryOperator::Plus => self.expr(expr)?,
                _ => return Err(unsupported("unsupported operator", e)),
            },
            ast::Expr::In {
                expr,
                target: InTarget::List(items),
                negated,
                ..
            } => {
                let mut values = Vec::with_capacity(items.len());
                for item in items {
                    values.push(
                        self.literal(item, StringsAs::Strings)?
                            .ok_or_else(|| unsupported("IN lists take literals only", item))?,
                    );
                }
                let test = self.expr(expr)?.is_in(values);
                if *negated {
                    test.not()
                } else {
                    test
                }
            }
            ast::Expr::Between {
                expr,
                negated,
                low,
                high,
            } => {
                let lo = self.expr(low)?;
                let hi = self.expr(high)?;
                let test = self.expr(expr)?.within(lo, hi);
                if *negated {
                    test.not()
                } else {
                    test
                }
            }
            ast::Expr::Like {
                negated,
                expr,
                pattern,
                escape_char: None,
                any: false,
            } => {
                let pattern = match self.literal(pattern, StringsAs::Strings)? {
                    Some(Value::Str(t)) => like_to_glob(&t.to_string_lossy()),
                    _ => return Err(unsupported("LIKE takes a string pattern", e)),
                };
                let test = self.expr(expr)?.like(&pattern);
                if *negated {
                    test.not()
                } else {
                    test
                }
            }
            ast::Expr::IsNull(inner) => call("nil?", [self.expr(inner)?]),
            ast::Expr::IsNotNull(inner) => call("nil?", [self.expr(inner)?]).not(),
            ast::Expr::Function(f) => self.function(f, e)?,
            _ => return Err(unsupported("unsupported expression", e)),
        })
    }

    /// Aggregates: COUNT(*), COUNT(x), COUNT(DISTINCT x), SUM, AVG, MIN, MAX, FIRST, LAST,
    /// MEDIAN.
    fn function(&mut self, f: &Function, whole: &ast::Expr) -> Result<Expr> {
        let name = f.name.to_string().to_ascii_uppercase();
        let list = match &f.args {
            FunctionArguments::List(list) if f.over.is_none() && f.filter.is_none() => list,
            _ => return Err(unsupported("unsupported function call", whole)),
        };
        let distinct = matches!(
            list.duplicate_treatment,
            Some(ast::DuplicateTreatment::Distinct)
        );
        if !list.clauses.is_empty() || list.args.len() != 1 {
            return Err(unsupported("aggregates take exactly one argument", whole));
        }
        let arg = match &list.args[0] {
            FunctionArg::Unnamed(FunctionArgExpr::Wildcard) if name == "COUNT" && !distinct => {
                if !self.in_projection {
                    return Err(unsupported(
                        "COUNT(*) is supported in the select list only",
                        whole,
                    ));
                }
                return Ok(
                    Expr::Call("count".into(), vec![Expr::Raw(COUNT_STAR.into())]).alias("count"),
                );
            }
            FunctionArg::Unnamed(FunctionArgExpr::Expr(a)) => self.expr(a)?,
            _ => return Err(unsupported("unsupported function argument", whole)),
        };
        // Unaliased aggregates are named `<function>_<column>` (`avg_age`, `median_salary`).
        let name_of_arg = arg.output_name();
        let arg = if distinct {
            if name != "COUNT" {
                return Err(unsupported("DISTINCT only inside COUNT", whole));
            }
            arg.distinct()
        } else {
            arg
        };
        let lowered = match name.as_str() {
            "COUNT" => arg.count(),
            "SUM" => arg.sum(),
            "AVG" => arg.avg(),
            "MIN" => arg.min(),
            "MAX" => arg.max(),
            "FIRST" => arg.first(),
            "LAST" => arg.last(),
            "MEDIAN" => arg.median(),
            _ => return Err(unsupported(&format!("unsupported function: {name}"), whole)),
        };
        Ok(match name_of_arg {
            Some(column) => lowered.alias(&format!("{}_{column}", name.to_ascii_lowercase())),
            None => lowered,
        })
    }
}

/// A SQL LIKE pattern as the server's glob: `%` → `*`, `_` → `?`, and the glob's own
/// special characters (`*`, `?`, `[`) matched literally as one-character classes.
fn like_to_glob(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len());
    for c in pattern.chars() {
        match c {
            '%' => out.push('*'),
            '_' => out.push('?'),
            '*' => out.push_str("[*]"),
            '?' => out.push_str("[?]"),
            '[' => out.push_str("[[]"),
            c => out.push(c),
        }
    }
    out
}

/// The deepest SQL expression lowered.
pub(super) const MAX_SQL_DEPTH: usize = 128;

/// Marks the argument of COUNT(*) until the statement knows which column to count.
pub(super) const COUNT_STAR: &str = "\u{0}count-star";

/// A numeric literal: i64 when it has no `.` or exponent (and fits), else f64. Integers
/// out of the i64 range (including 9223372036854775808, whose negation would be the
/// server's null) are `None`: an error, never a silent float or null.
fn number(text: &str) -> Option<Value> {
    if text.contains(['.', 'e', 'E']) {
        text.parse::<f64>()
            .ok()
            .filter(|x| x.is_finite())
            .map(Value::F64)
    } else {
        text.parse::<i64>().ok().map(Value::I64)
    }
}

/// DATE 'YYYY-MM-DD', TIME 'HH:MM:SS[.fff]', TIMESTAMP 'YYYY-MM-DD[ T]HH:MM:SS[.fffffffff]'.
fn temporal(data_type: &DataType, text: &str) -> Option<Value> {
    match data_type {
        DataType::Date => Date::parse_iso(text).map(Value::Date),
        DataType::Time(..) => Time::parse_iso(text).map(Value::Time),
        DataType::Timestamp(..) | DataType::Datetime(..) => {
            Timestamp::parse_iso(text).map(Value::Timestamp)
        }
        _ => None,
    }
}
