//! Column expressions in the polars style: [`col`], [`lit`], [`call`], [`raw`] and consuming
//! method chains (`col("price").gt(10).and(col("qty").lt(5))`).
//!
//! An [`Expr`] is a tree; [`Expr::compile`] turns it into the [`Value`] the server
//! evaluates (calls are LISTs headed by a name reference, columns are name references,
//! literals travel as typed data).

use crate::value::{Symbol, TextColumn, Value, Vector};
use crate::{Error, Result};
use std::ops;

/// A column expression.
#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    /// A column (or global) by name: a name reference.
    Column(String),
    /// A literal value, sent as typed data.
    Literal(Value),
    /// A call of a server function by name: `(f a b …)`.
    Call(String, Vec<Expr>),
    /// Raw Rayfall text, evaluated by the server with `(eval (parse "…"))`.
    Raw(String),
    /// An expression with an output name (used by projections and `by`).
    Alias(Box<Expr>, String),
}

/// The deepest expression [`Expr::compile`] accepts (the whole query must also fit the
/// wire's 512 levels).
pub const MAX_EXPR_DEPTH: usize = 256;

/// A column by name.
///
/// ```
/// use rayforce_client::query::col;
/// assert_eq!(col("age").gt(30).to_rayfall().unwrap(), "(> age 30)");
/// ```
pub fn col(name: &str) -> Expr {
    Expr::Column(name.to_string())
}

/// A literal. Rust integers become i64, Rayforce's default integer (`lit(5)` is `5`); pass a
/// [`Value`] to keep another type exactly (`lit(Value::I32(5))` is `5i`).
///
/// ```
/// use rayforce_client::query::lit;
/// use rayforce_client::Value;
/// assert_eq!(lit(5).to_rayfall().unwrap(), "5");
/// assert_eq!(lit(Value::I32(5)).to_rayfall().unwrap(), "5i");
/// assert_eq!(lit(None::<f64>).to_rayfall().unwrap(), "0Nf");
/// assert_eq!(lit("it's \"quoted\"").to_rayfall().unwrap(), r#""it's \"quoted\"""#);
/// ```
pub fn lit(value: impl IntoExpr) -> Expr {
    value.into_expr()
}

/// A literal symbol (`'abc`), e.g. to compare a symbol column or to store a symbol.
pub fn sym(text: &str) -> Expr {
    Expr::Literal(Value::symbol(text))
}

/// A call of any server function by name: the escape hatch for functions without a method.
///
/// ```
/// use rayforce_client::query::{call, col, lit};
/// assert_eq!(call("xbar", [lit(10), col("age")]).to_rayfall().unwrap(), "(xbar 10 age)");
/// ```
pub fn call<I: IntoIterator<Item = Expr>>(function: &str, args: I) -> Expr {
    Expr::Call(function.to_string(), args.into_iter().collect())
}

/// Raw Rayfall source, parsed and evaluated by the server. Never put user input here:
/// values belong in [`lit`].
pub fn raw(text: &str) -> Expr {
    Expr::Raw(text.to_string())
}

/// Conversion of operands into expressions: expressions stay as they are, Rust values
/// become literals. Plain integers become i64 (Rayforce's default integer) whatever
/// their Rust type; use [`lit`] to keep an exact type.
pub trait IntoExpr {
    /// The expression.
    fn into_expr(self) -> Expr;
}

impl IntoExpr for Expr {
    fn into_expr(self) -> Expr {
        self
    }
}

/// A Rust value as a Rayforce value, for places that take values only (such as
/// [`SqlQuery::bind`](super::SqlQuery::bind)): the same conversions as [`IntoExpr`] makes
/// for literals (plain integers become i64), and no expressions.
pub trait IntoValue {
    /// The value.
    fn into_value(self) -> Value;
}

impl IntoValue for Value {
    fn into_value(self) -> Value {
        self
    }
}

impl IntoExpr for Value {
    fn into_expr(self) -> Expr {
        Expr::Literal(self)
    }
}

/// Literal types: one conversion rule ([`IntoValue`]) used by [`IntoExpr`] too.
macro_rules! literal_types {
    ($($t:ty => |$v:ident| $value:expr),* $(,)?) => {$(
        impl IntoValue for $t {
            fn into_value(self) -> Value {
                let $v = self;
                $value
            }
        }
        impl IntoExpr for $t {
            fn into_expr(self) -> Expr {
                Expr::Literal(self.into_value())
            }
        }
    )*};
}
literal_types!(
    i64 => |v| Value::from(v),
    f64 => |v| Value::from(v),
    f32 => |v| Value::from(v),
    bool => |v| Value::from(v),
    &str => |v| Value::from(v),
    String => |v| Value::from(v),
    crate::Date => |v| Value::from(v),
    crate::Time => |v| Value::from(v),
    crate::Timestamp => |v| Value::from(v),
    crate::Guid => |v| Value::from(v),
    Symbol => |v| Value::from(v),
    Vector => |v| Value::from(v),
    Option<i64> => |v| Value::from(v),
    Option<f64> => |v| Value::from(v),
    i32 => |v| Value::I64(v as i64),
    i16 => |v| Value::I64(v as i64),
    u8 => |v| Value::I64(v as i64),
    u16 => |v| Value::I64(v as i64),
    u32 => |v| Value::I64(v as i64),
);

impl<T: IntoExpr + Clone> IntoExpr for &T {
    fn into_expr(self) -> Expr {
        self.clone().into_expr()
    }
}

impl<T: IntoValue + Clone> IntoValue for &T {
    fn into_value(self) -> Value {
        self.clone().into_value()
    }
}

fn unary(f: &str, x: Expr) -> Expr {
    Expr::Call(f.to_string(), vec![x])
}

fn binary(f: &str, a: Expr, b: impl IntoExpr) -> Expr {
    Expr::Call(f.to_string(), vec![a, b.into_expr()])
}

/// A list of values for `is_in`/`within`: a typed vector when all items have one type
/// (all-string lists become a symbol vector, as names are symbols), else a LIST.
fn value_list(items: Vec<Value>) -> Value {
    if !items.is_empty() && items.iter().all(|v| matches!(v, Value::Str(_))) {
        let texts: TextColumn = items
            .iter()
            .map(|v| match v {
                Value::Str(t) => t.as_bytes(),
                _ => &[],
            })
            .collect();
        return Value::Vector(Vector::Symbol(texts));
    }
    match Vector::from_atoms(&items) {
        Some(v) => Value::Vector(v),
        None => Value::List(items),
    }
}

/// A list operand: a literal vector/list when every item is a literal, else `(list …)`.
fn literal_list(items: Vec<Expr>) -> Expr {
    let literals: Option<Vec<Value>> = items
        .iter()
        .map(|e| match e {
            Expr::Literal(v) => Some(v.clone()),
            _ => None,
        })
        .collect();
    match literals {
        Some(values) => Expr::Literal(value_list(values)),
        None => Expr::Call("list".into(), items),
    }
}

impl Expr {
    /// Gives the expression an output name (for `select` and `by`).
    pub fn alias(self, name: &str) -> Expr {
        Expr::Alias(Box::new(self.unaliased()), name.to_string())
    }

    fn unaliased(self) -> Expr {
        match self {
            Expr::Alias(inner, _) => *inner,
            other => other,
        }
    }

    /// `(== a b)`.
    pub fn eq(self, other: impl IntoExpr) -> Expr {
        binary("==", self, other)
    }
    /// `(!= a b)`.
    pub fn ne(self, other: impl IntoExpr) -> Expr {
        binary("!=", self, other)
    }
    /// `(< a b)`.
    pub fn lt(self, other: impl IntoExpr) -> Expr {
        binary("<", self, other)
    }
    /// `(<= a b)`.
    pub fn le(self, other: impl IntoExpr) -> Expr {
        binary("<=", self, other)
    }
    /// `(> a b)`.
    pub fn gt(self, other: impl IntoExpr) -> Expr {
        binary(">", self, other)
    }
    /// `(>= a b)`.
    pub fn ge(self, other: impl IntoExpr) -> Expr {
        binary(">=", self, other)
    }
    /// `(and a b)`.
    pub fn and(self, other: impl IntoExpr) -> Expr {
        binary("and", self, other)
    }
    /// `(or a b)`.
    pub fn or(self, other: impl IntoExpr) -> Expr {
        binary("or", self, other)
    }
    /// `(not a)`.
    #[allow(clippy::should_implement_trait)]
    pub fn not(self) -> Expr {
        unary("not", self)
    }
    /// `(neg a)`.
    #[allow(clippy::should_implement_trait)]
    pub fn neg(self) -> Expr {
        unary("neg", self)
    }
    /// Integer division `(div a b)`.
    pub fn div_int(self, other: impl IntoExpr) -> Expr {
        binary("div", self, other)
    }
    /// Modulo `(% a b)`.
    pub fn modulo(self, other: impl IntoExpr) -> Expr {
        binary("%", self, other)
    }
    /// Membership `(in a [v1 v2 …])`.
    ///
    /// Plain strings match a SYMBOL and a STR column alike: they are sent as a STR vector
    /// cast to the column's own type, since the server never converts between the two in
    /// `in` (a mismatch silently matches nothing). Symbols (`sym("x")`) stay symbols.
    ///
    /// ```
    /// use rayforce_client::query::{col, sym};
    /// assert_eq!(
    ///     col("name").is_in(["bob", "eve"]).to_rayfall().unwrap(),
    ///     "(in name (as (type name) [\"bob\" \"eve\"]))"
    /// );
    /// assert_eq!(col("name").is_in([sym("bob")]).to_rayfall().unwrap(), "(in name ['bob])");
    /// assert_eq!(col("id").is_in([1, 3, 5]).to_rayfall().unwrap(), "(in id [1 3 5])");
    /// ```
    pub fn is_in<V: IntoExpr>(self, values: impl IntoIterator<Item = V>) -> Expr {
        let items: Vec<Expr> = values.into_iter().map(IntoExpr::into_expr).collect();
        let texts: Option<TextColumn> = items
            .iter()
            .map(|e| match e {
                Expr::Literal(Value::Str(t)) => Some(t.as_bytes()),
                _ => None,
            })
            .collect();
        match texts {
            Some(texts) if !texts.is_empty() => {
                let as_column_type = Expr::Call(
                    "as".into(),
                    vec![
                        unary("type", self.clone()),
                        Expr::Literal(Value::Vector(Vector::Str(texts))),
                    ],
                );
                binary("in", self, as_column_type)
            }
            _ => binary("in", self, literal_list(items)),
        }
    }
    /// Range check `(within a [lo hi])`, inclusive.
    pub fn within(self, lo: impl IntoExpr, hi: impl IntoExpr) -> Expr {
        binary(
            "within",
            self,
            literal_list(vec![lo.into_expr(), hi.into_expr()]),
        )
    }
    /// Pattern match `(like a "pat")` (`*` and `?` wildcards).
    pub fn like(self, pattern: &str) -> Expr {
        binary("like", self, Expr::Literal(Value::from(pattern)))
    }
    /// Elements where `mask` is true: `(filter a mask)`.
    pub fn filter(self, mask: impl IntoExpr) -> Expr {
        binary("filter", self, mask)
    }
    /// An aggregate that skips nulls. Over a masked column (`col.filter(mask)`) it is
    /// written `(f (if mask col 0Nl))` — and a masked count `(sum mask)` — which is right
    /// both in a grouped select and outside one: `(f (filter col mask))` is a `type` error
    /// in an ungrouped select and, in a grouped one, applies the mask to the whole column
    /// before grouping, silently giving wrong numbers (query-semantics §7.11, §7.14).
    fn null_skipping_aggregate(self, f: &str) -> Expr {
        match self {
            Expr::Call(name, mut args) if name == "filter" && args.len() == 2 => {
                let mask = args.pop().expect("two arguments");
                let column = args.pop().expect("two arguments");
                if f == "count" {
                    return unary("sum", mask);
                }
                let masked = Expr::Call(
                    "if".into(),
                    vec![
                        mask,
                        column,
                        Expr::Literal(Value::TypedNull(crate::Type::I64)),
                    ],
                );
                unary(f, masked)
            }
            other => unary(f, other),
        }
    }

    /// `(count a)`; over `a.filter(mask)`, the number of rows where `mask` holds.
    pub fn count(self) -> Expr {
        self.null_skipping_aggregate("count")
    }
    /// `(sum a)` (masked columns: see `count`'s note on `filter`).
    pub fn sum(self) -> Expr {
        self.null_skipping_aggregate("sum")
    }
    /// `(avg a)`.
    pub fn avg(self) -> Expr {
        self.null_skipping_aggregate("avg")
    }
    /// `(avg a)`, under its other name.
    pub fn mean(self) -> Expr {
        self.avg()
    }
    /// `(min a)`.
    pub fn min(self) -> Expr {
        self.null_skipping_aggregate("min")
    }
    /// `(max a)`.
    pub fn max(self) -> Expr {
        self.null_skipping_aggregate("max")
    }
    /// `(first a)`: the first non-null value (the server's `first` skips nulls, so a masked
    /// column is written as for `sum`).
    pub fn first(self) -> Expr {
        self.null_skipping_aggregate("first")
    }
    /// `(last a)`: the last non-null value (masked columns as for `first`).
    pub fn last(self) -> Expr {
        self.null_skipping_aggregate("last")
    }
    /// `(med a)`.
    pub fn median(self) -> Expr {
        self.null_skipping_aggregate("med")
    }
    /// Population standard deviation `(dev a)`.
    pub fn dev(self) -> Expr {
        unary("dev", self)
    }
    /// Sample standard deviation `(stddev a)`.
    pub fn stddev(self) -> Expr {
        unary("stddev", self)
    }
    /// `(distinct a)`.
    pub fn distinct(self) -> Expr {
        unary("distinct", self)
    }
    /// The `k` largest: `(top a k)`.
    pub fn top(self, k: i64) -> Expr {
        binary("top", self, k)
    }
    /// The `k` smallest: `(bot a k)`.
    pub fn bot(self, k: i64) -> Expr {
        binary("bot", self, k)
    }
    /// Buckets of width `bucket`: `(xbar a bucket)`, each value rounded down to a multiple
    /// of `bucket` (numbers, or timestamps with a bucket in nanoseconds). Rayforce takes the
    /// column first, unlike kdb+'s `bucket xbar a`.
    pub fn xbar(self, bucket: impl IntoExpr) -> Expr {
        binary("xbar", self, bucket)
    }
    /// Timestamps moved by a time-zone offset of `offset_seconds` east of UTC (UTC+1 is
    /// `3600`): `(+ a offset_nanos)`, which stays a TIMESTAMP on the 2.4.0 server.
    /// (rayforce-py's `shift_tz(tz)` takes a `tzinfo`; pass its fixed offset here.)
    pub fn shift_tz(self, offset_seconds: i32) -> Expr {
        binary("+", self, i64::from(offset_seconds) * 1_000_000_000)
    }
    /// Moving sum over windows of `n` rows: `(msum n a)`.
    pub fn msum(self, n: i64) -> Expr {
        binary("msum", n.into_expr(), self)
    }
    /// Moving average over windows of `n` rows: `(mavg n a)`.
    pub fn mavg(self, n: i64) -> Expr {
        binary("mavg", n.into_expr(), self)
    }
    /// Moving minimum over windows of `n` rows: `(mmin n a)`.
    pub fn mmin(self, n: i64) -> Expr {
        binary("mmin", n.into_expr(), self)
    }
    /// Moving maximum over windows of `n` rows: `(mmax n a)`.
    pub fn mmax(self, n: i64) -> Expr {
        binary("mmax", n.into_expr(), self)
    }
    /// Moving count of non-nulls over windows of `n` rows: `(mcount n a)`.
    pub fn mcount(self, n: i64) -> Expr {
        binary("mcount", n.into_expr(), self)
    }

    /// Pearson correlation `(pearson_corr a b)`.
    pub fn pearson_corr(self, other: impl IntoExpr) -> Expr {
        binary("pearson_corr", self, other)
    }

    /// The name a projection of this expression gets without an alias: the column's
    /// name, or `<function>_<column>` for a function of a column (`sum_salary`).
    pub fn output_name(&self) -> Option<String> {
        match self {
            Expr::Alias(_, name) | Expr::Column(name) => Some(name.clone()),
            Expr::Call(f, args) => {
                let inner = args.iter().find_map(Expr::output_name)?;
                if f.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                    Some(format!("{f}_{inner}"))
                } else {
                    Some(inner)
                }
            }
            Expr::Literal(_) | Expr::Raw(_) => None,
        }
    }

    /// The expression tree the server evaluates. An expression nested deeper than
    /// [`MAX_EXPR_DEPTH`] is an [`Error::InvalidQuery`] (never a stack overflow).
    pub fn compile(&self) -> Result<Value> {
        self.compile_at(0)
    }

    fn compile_at(&self, depth: usize) -> Result<Value> {
        if depth > MAX_EXPR_DEPTH {
            return Err(Error::InvalidQuery(format!(
                "expression nested deeper than {MAX_EXPR_DEPTH} levels"
            )));
        }
        Ok(match self {
            Expr::Column(name) => {
                if name.is_empty() {
                    return Err(Error::InvalidQuery("empty column name".into()));
                }
                Value::name(name.as_str())
            }
            Expr::Literal(v) => compile_literal(v),
            Expr::Call(f, args) => {
                let mut items = Vec::with_capacity(args.len() + 1);
                items.push(Value::name(f.as_str()));
                for a in args {
                    items.push(a.compile_at(depth + 1)?);
                }
                Value::List(items)
            }
            Expr::Raw(text) => {
                Value::call("eval", [Value::call("parse", [Value::from(text.as_str())])])
            }
            Expr::Alias(inner, _) => inner.compile_at(depth + 1)?,
        })
    }

    /// Rayfall text of the compiled expression.
    pub fn to_rayfall(&self) -> Result<String> {
        self.compile()?.to_rayfall()
    }
}

/// Several predicates AND-ed, left-nested (`(and (and a b) c)`); `None` for none.
pub(crate) fn all_of(predicates: &[Expr]) -> Result<Option<Value>> {
    let mut compiled = predicates.iter().map(Expr::compile);
    let Some(first) = compiled.next() else {
        return Ok(None);
    };
    let mut pred = first?;
    for next in compiled {
        pred = Value::call("and", [pred, next?]);
    }
    Ok(Some(pred))
}

/// A literal as the server must see it: a LIST literal becomes `(list …)` so that it is
/// built as data instead of being called.
pub(crate) fn compile_literal(v: &Value) -> Value {
    match v {
        Value::List(items) => {
            let mut out = Vec::with_capacity(items.len() + 1);
            out.push(Value::name("list"));
            out.extend(items.iter().map(compile_literal));
            Value::List(out)
        }
        other => other.clone(),
    }
}

macro_rules! operator {
    ($trait:ident, $method:ident, $f:literal) => {
        impl<T: IntoExpr> ops::$trait<T> for Expr {
            type Output = Expr;
            fn $method(self, rhs: T) -> Expr {
                binary($f, self, rhs)
            }
        }
        impl ops::$trait<Expr> for i64 {
            type Output = Expr;
            fn $method(self, rhs: Expr) -> Expr {
                binary($f, self.into_expr(), rhs)
            }
        }
        impl ops::$trait<Expr> for f64 {
            type Output = Expr;
            fn $method(self, rhs: Expr) -> Expr {
                binary($f, self.into_expr(), rhs)
            }
        }
    };
}
operator!(Add, add, "+");
operator!(Sub, sub, "-");
operator!(Mul, mul, "*");
operator!(Div, div, "/");
operator!(Rem, rem, "%");

impl<T: IntoExpr> ops::BitAnd<T> for Expr {
    type Output = Expr;
    fn bitand(self, rhs: T) -> Expr {
        self.and(rhs)
    }
}

impl<T: IntoExpr> ops::BitOr<T> for Expr {
    type Output = Expr;
    fn bitor(self, rhs: T) -> Expr {
        self.or(rhs)
    }
}

impl ops::Not for Expr {
    type Output = Expr;
    fn not(self) -> Expr {
        unary("not", self)
    }
}

impl ops::Neg for Expr {
    type Output = Expr;
    fn neg(self) -> Expr {
        unary("neg", self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(e: Expr) -> String {
        e.to_rayfall().unwrap()
    }

    #[test]
    fn operators_render_like_the_spec() {
        assert_eq!(text(col("salary") * 2), "(* salary 2)");
        assert_eq!(text(100 - col("c")), "(- 100 c)");
        assert_eq!(text(col("a").div_int(2)), "(div a 2)");
        assert_eq!(text(col("a") % 2), "(% a 2)");
        assert_eq!(
            text((col("dept").eq("eng")) | col("age").lt(30)),
            "(or (== dept \"eng\") (< age 30))"
        );
        assert_eq!(text(!col("ok")), "(not ok)");
        assert_eq!(text(col("salary").median()), "(med salary)");
        assert_eq!(text(col("salary").top(2)), "(top salary 2)");
        assert_eq!(text(col("a").within(1, 5)), "(within a [1 5])");
        assert_eq!(text(col("s").like("a*")), "(like s \"a*\")");
        assert_eq!(
            text(col("c").is_in([Value::I64(1), Value::from("x")])),
            "(in c (list 1 \"x\"))"
        );
        assert_eq!(text(raw("(+ 1 2)")), "(eval (parse \"(+ 1 2)\"))");
    }

    #[test]
    fn output_names_follow_the_sql_rule() {
        assert_eq!(col("age").avg().output_name().as_deref(), Some("avg_age"));
        assert_eq!((col("s") * 2).output_name().as_deref(), Some("s"));
        assert_eq!(lit(1).output_name(), None);
        assert_eq!(
            col("x").sum().alias("t").output_name().as_deref(),
            Some("t")
        );
    }
}

macro_rules! unary_verbs {
    ($($method:ident => $name:literal: $doc:literal),* $(,)?) => {
        /// Element-wise and running verbs, each one server function of one column.
        impl Expr {$(
            #[doc = concat!($doc, ": `(", $name, " a)`.")]
            pub fn $method(self) -> Expr {
                unary($name, self)
            }
        )*}
    };
}

unary_verbs!(
    abs => "abs": "Absolute value",
    floor => "floor": "Rounded down",
    ceil => "ceil": "Rounded up",
    round => "round": "Rounded to the nearest integer, halves away from zero",
    sqrt => "sqrt": "Square root",
    log => "log": "Natural logarithm",
    exp => "exp": "Exponential",
    signum => "signum": "Sign (-1, 0 or 1)",
    reciprocal => "reciprocal": "1 / a",
    fills => "fills": "Nulls filled with the last non-null value before them",
    deltas => "deltas": "Differences from the previous row (the first is null)",
    ratios => "ratios": "Ratios to the previous row (the first is null)",
    sums => "sums": "Running sum",
    avgs => "avgs": "Running average",
    mins => "mins": "Running minimum",
    maxs => "maxs": "Running maximum",
    prds => "prds": "Running product",
    rank => "rank": "Each value's rank, 0 for the smallest (the 2.4.0 server refuses it inside a `select`)",
    reverse => "reverse": "The column reversed",
    lag => "lag": "The previous row's value (the first is null)",
    lead => "lead": "The next row's value (the last is null)",
    differ => "differ": "Whether each value differs from the previous row's",
);
