//! The [`RayTable`] trait (implemented by `#[derive(RayTable)]`) and the typed query
//! handles it generates: [`TypedTable`], [`Column`], [`Predicate`], [`TypedExpr`].
//!
//! A `Column<T, V>` belongs to table `T` and holds values of Rust type `V`; queries on
//! `TypedTable<T>` only accept columns and predicates of `T`, and comparisons only accept
//! literals that fit `V` — mistakes are compile errors, not server surprises.

use crate::query::{self, Expr, InsertQuery, SelectQuery, SortKey, UpdateQuery, UpsertQuery};
use crate::value::{Date, Guid, Time, Timestamp, Type, Value};
use crate::Result;
use std::marker::PhantomData;

/// One column of a [`RayTable`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ColumnDef {
    /// The column's name on the server.
    pub name: &'static str,
    /// The Rust field it maps to.
    pub field: &'static str,
    /// Its element type (`None`: a LIST column).
    pub ty: Option<Type>,
    /// Whether the field is an `Option`.
    pub nullable: bool,
}

/// Rows a result table decodes into: what `fetch_all`, `fetch_one`, `fetch_optional` and
/// `fetch_all_into` return on both clients.
///
/// Implemented by `#[derive(RayTable)]` (column-wise: each field read straight from its
/// typed column, no per-cell type dispatch) and by `#[derive(FromTable)]` on any serde
/// `Deserialize` struct (fields matched by name through serde: aliases, `rename_all`,
/// `flatten`, custom types), and for tuples of serde types (columns by position).
pub trait FromTable: Sized {
    /// Appends the rows of `table` to `out` (the caller's vector, its memory reused). The
    /// row type is checked against the columns first, every mismatch reported at once.
    fn extend_from_table(table: &crate::value::Table, out: &mut Vec<Self>) -> Result<()>;

    /// The rows of `table` in a new vector.
    fn from_table(table: &crate::value::Table) -> Result<Vec<Self>> {
        let mut out = Vec::new();
        Self::extend_from_table(table, &mut out)?;
        Ok(out)
    }
}

macro_rules! tuple_rows {
    ($(($($t:ident),+)),* $(,)?) => {$(
        impl<$($t: serde::de::DeserializeOwned),+> FromTable for ($($t,)+) {
            fn extend_from_table(table: &crate::value::Table, out: &mut Vec<Self>) -> Result<()> {
                super::rows_into(table, out)
            }
        }
    )*};
}
tuple_rows!(
    (A),
    (A, B),
    (A, B, C),
    (A, B, C, D),
    (A, B, C, D, E),
    (A, B, C, D, E, F),
    (A, B, C, D, E, F, G),
    (A, B, C, D, E, F, G, H)
);

/// A Rust struct that mirrors a server table. Implement it with `#[derive(RayTable)]`.
pub trait RayTable: FromTable + 'static {
    /// The server-side table name.
    const TABLE: &'static str;
    /// The columns, in field order.
    const COLUMNS: &'static [ColumnDef];

    /// Builds one typed column per field, named by the server column (generated).
    fn to_columns(rows: &[Self]) -> Result<Vec<(String, Value)>>;

    /// The typed entry point for queries on this table.
    fn table() -> TypedTable<Self> {
        TypedTable(PhantomData)
    }

    /// `(column, type)` pairs, for encoding rows.
    fn schema() -> Vec<(String, Option<Type>)> {
        Self::COLUMNS
            .iter()
            .map(|c| (c.field.to_string(), c.ty))
            .collect()
    }
}

/// Rust types that can be a column's values, with their Rayforce type.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a Rayforce column",
    label = "unsupported column type",
    note = "columns may be bool, u8, i16, i32, i64, f32, f64, String, Sym, Date, Time, Timestamp, SystemTime, Guid, Vec<_> or an Option of these"
)]
pub trait ColumnValue {
    /// The element type (`None`: a LIST column).
    const TYPE: Option<Type>;
    /// Whether the values may be null.
    const NULLABLE: bool = false;
}

macro_rules! column_value {
    ($($t:ty => $ty:expr),* $(,)?) => {$(
        impl ColumnValue for $t {
            const TYPE: Option<Type> = $ty;
        }
    )*};
}
column_value! {
    bool => Some(Type::Bool), u8 => Some(Type::U8), i16 => Some(Type::I16),
    i32 => Some(Type::I32), i64 => Some(Type::I64), f32 => Some(Type::F32),
    f64 => Some(Type::F64), String => Some(Type::Symbol), Date => Some(Type::Date),
    Time => Some(Type::Time), Timestamp => Some(Type::Timestamp),
    std::time::SystemTime => Some(Type::Timestamp), Guid => Some(Type::Guid),
    super::Sym => Some(Type::Symbol),
}

#[cfg(feature = "chrono")]
column_value! {
    chrono::NaiveDate => Some(Type::Date),
    chrono::NaiveTime => Some(Type::Time),
    chrono::NaiveDateTime => Some(Type::Timestamp),
}

impl<V: ColumnValue> ColumnValue for Option<V> {
    const TYPE: Option<Type> = V::TYPE;
    const NULLABLE: bool = true;
}

impl<V> ColumnValue for Vec<V> {
    const TYPE: Option<Type> = None;
}

/// A literal that fits a column of values `V`.
#[diagnostic::on_unimplemented(
    message = "a `{Self}` cannot be used as a value of a `{V}` column",
    label = "expected a value of the column's type `{V}`"
)]
pub trait Literal<V> {
    /// The literal as a value.
    fn into_value(self) -> Value;
}

macro_rules! literal {
    ($($col:ty: $($lit:ty => $conv:expr),*);* $(;)?) => {$($(
        impl Literal<$col> for $lit {
            fn into_value(self) -> Value {
                let f: fn($lit) -> Value = $conv;
                f(self)
            }
        }
    )*)*};
}
literal! {
    i64: i64 => Value::I64, i32 => |x| Value::I64(x as i64);
    i32: i32 => Value::I32;
    i16: i16 => Value::I16;
    u8: u8 => Value::U8;
    f64: f64 => Value::F64, i32 => |x| Value::F64(x as f64);
    f32: f32 => Value::F32;
    bool: bool => Value::Bool;
    String: &str => |s| Value::from(s), String => Value::from;
    super::Sym: &str => |s| Value::from(s), String => Value::from, super::Sym => |s| Value::from(s.as_str());
    Date: Date => Value::Date;
    Time: Time => Value::Time;
    Timestamp: Timestamp => Value::Timestamp;
    Guid: Guid => Value::Guid;
}

impl<V, L: Literal<V>> Literal<Option<V>> for L {
    fn into_value(self) -> Value {
        self.into_value()
    }
}

/// A column of table `T` holding values of type `V`.
pub struct Column<T, V> {
    name: &'static str,
    _marker: PhantomData<fn() -> (T, V)>,
}

impl<T, V> Clone for Column<T, V> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T, V> Copy for Column<T, V> {}

impl<T, V> std::fmt::Debug for Column<T, V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Column({})", self.name)
    }
}

/// A boolean condition on rows of table `T`.
#[derive(Clone, Debug, PartialEq)]
pub struct Predicate<T> {
    expr: Expr,
    _marker: PhantomData<fn() -> T>,
}

/// Any expression over table `T` (a projection or an aggregate).
#[derive(Clone, Debug, PartialEq)]
pub struct TypedExpr<T> {
    expr: Expr,
    _marker: PhantomData<fn() -> T>,
}

fn pred<T>(expr: Expr) -> Predicate<T> {
    Predicate {
        expr,
        _marker: PhantomData,
    }
}

fn texpr<T>(expr: Expr) -> TypedExpr<T> {
    TypedExpr {
        expr,
        _marker: PhantomData,
    }
}

impl<T: RayTable, V> Column<T, V> {
    /// A handle on column `name` (the derive generates these).
    pub const fn new(name: &'static str) -> Self {
        Column {
            name,
            _marker: PhantomData,
        }
    }

    /// The column's name.
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// The untyped expression.
    pub fn expr(&self) -> Expr {
        query::col(self.name)
    }

    /// `column == value`.
    pub fn eq(self, value: impl Literal<V>) -> Predicate<T> {
        pred(self.expr().eq(value.into_value()))
    }
    /// `column != value`.
    pub fn ne(self, value: impl Literal<V>) -> Predicate<T> {
        pred(self.expr().ne(value.into_value()))
    }
    /// `column < value`.
    pub fn lt(self, value: impl Literal<V>) -> Predicate<T> {
        pred(self.expr().lt(value.into_value()))
    }
    /// `column <= value`.
    pub fn le(self, value: impl Literal<V>) -> Predicate<T> {
        pred(self.expr().le(value.into_value()))
    }
    /// `column > value`.
    pub fn gt(self, value: impl Literal<V>) -> Predicate<T> {
        pred(self.expr().gt(value.into_value()))
    }
    /// `column >= value`.
    pub fn ge(self, value: impl Literal<V>) -> Predicate<T> {
        pred(self.expr().ge(value.into_value()))
    }
    /// `column == other` for another column of the same table and type.
    pub fn eq_col(self, other: Column<T, V>) -> Predicate<T> {
        pred(self.expr().eq(other.expr()))
    }
    /// Membership in a list of values.
    pub fn is_in<L: Literal<V>>(self, values: impl IntoIterator<Item = L>) -> Predicate<T> {
        let values: Vec<Value> = values.into_iter().map(Literal::into_value).collect();
        pred(self.expr().is_in(values))
    }
    /// `(count column)`.
    pub fn count(self) -> TypedExpr<T> {
        texpr(self.expr().count())
    }
    /// `(sum column)`.
    pub fn sum(self) -> TypedExpr<T> {
        texpr(self.expr().sum())
    }
    /// `(avg column)`.
    pub fn avg(self) -> TypedExpr<T> {
        texpr(self.expr().avg())
    }
    /// `(min column)`.
    pub fn min(self) -> TypedExpr<T> {
        texpr(self.expr().min())
    }
    /// `(max column)`.
    pub fn max(self) -> TypedExpr<T> {
        texpr(self.expr().max())
    }
    /// Ascending sort key.
    pub fn asc(self) -> SortKey {
        query::asc(self.name)
    }
    /// Descending sort key.
    pub fn desc(self) -> SortKey {
        query::desc(self.name)
    }
    /// The column under another output name.
    pub fn alias(self, name: &str) -> TypedExpr<T> {
        texpr(self.expr().alias(name))
    }
}

impl<T, V> From<Column<T, V>> for Expr {
    fn from(c: Column<T, V>) -> Expr {
        query::col(c.name)
    }
}

impl<T: RayTable, V> From<Column<T, V>> for TypedExpr<T> {
    fn from(c: Column<T, V>) -> TypedExpr<T> {
        texpr(c.expr())
    }
}

impl<T> TypedExpr<T> {
    /// The expression under an output name.
    pub fn alias(self, name: &str) -> TypedExpr<T> {
        texpr(self.expr.alias(name))
    }
    /// The untyped expression.
    pub fn into_expr(self) -> Expr {
        self.expr
    }
}

impl<T> From<TypedExpr<T>> for Expr {
    fn from(e: TypedExpr<T>) -> Expr {
        e.expr
    }
}

impl<T> From<Predicate<T>> for Expr {
    fn from(p: Predicate<T>) -> Expr {
        p.expr
    }
}

impl<T> std::ops::BitAnd for Predicate<T> {
    type Output = Predicate<T>;
    fn bitand(self, rhs: Predicate<T>) -> Predicate<T> {
        pred(self.expr.and(rhs.expr))
    }
}

impl<T> std::ops::BitOr for Predicate<T> {
    type Output = Predicate<T>;
    fn bitor(self, rhs: Predicate<T>) -> Predicate<T> {
        pred(self.expr.or(rhs.expr))
    }
}

impl<T> std::ops::Not for Predicate<T> {
    type Output = Predicate<T>;
    fn not(self) -> Predicate<T> {
        pred(self.expr.not())
    }
}

/// The typed entry point for queries on table `T` (`Employee::table()`).
pub struct TypedTable<T>(PhantomData<fn() -> T>);

impl<T> Clone for TypedTable<T> {
    fn clone(&self) -> Self {
        TypedTable(PhantomData)
    }
}

impl<T: RayTable> TypedTable<T> {
    /// The untyped table reference.
    pub fn untyped(&self) -> query::TableRef {
        query::TableRef::named(T::TABLE)
    }

    fn all_columns() -> Vec<Expr> {
        T::COLUMNS
            .iter()
            .map(|c| query::col(c.name).alias(c.field))
            .collect()
    }

    /// Selects every column of `T` (renamed columns come back under their field names).
    pub fn select_all(&self) -> TypedSelect<T> {
        TypedSelect {
            inner: self.untyped().select(Self::all_columns()),
            _marker: PhantomData,
        }
    }

    /// Selects the given columns or expressions of `T` (for a projection struct):
    /// `select([Employee::id().into(), Employee::salary().sum().alias("total")])`.
    pub fn select(&self, columns: impl IntoIterator<Item = TypedExpr<T>>) -> TypedSelect<T> {
        TypedSelect {
            inner: self
                .untyped()
                .select(columns.into_iter().map(|c| c.expr).collect::<Vec<_>>()),
            _marker: PhantomData,
        }
    }

    /// Every column of the rows matching `predicate`.
    pub fn filter(&self, predicate: Predicate<T>) -> TypedSelect<T> {
        self.select_all().filter(predicate)
    }

    /// A typed update.
    pub fn update(&self) -> TypedUpdate<T> {
        TypedUpdate {
            inner: self.untyped().update(),
            _marker: PhantomData,
        }
    }

    /// Inserts rows, typed by `T`'s declared columns.
    pub fn insert(&self, rows: &[T]) -> Result<InsertQuery>
    where
        T: serde::Serialize,
    {
        let schema = T::schema();
        let columns = super::columns(rows, Some(&schema))?;
        Ok(self.untyped().insert().values(renamed::<T>(columns)))
    }

    /// Upserts rows keyed on the first `key_columns` columns.
    pub fn upsert(&self, key_columns: i64, rows: &[T]) -> Result<UpsertQuery>
    where
        T: serde::Serialize,
    {
        let schema = T::schema();
        let columns = super::columns(rows, Some(&schema))?;
        Ok(self
            .untyped()
            .upsert(key_columns)
            .values(renamed::<T>(columns)))
    }
}

/// Field names → column names.
fn renamed<T: RayTable>(columns: Vec<(String, Value)>) -> Vec<(String, Value)> {
    columns
        .into_iter()
        .map(|(field, v)| {
            let name = T::COLUMNS
                .iter()
                .find(|c| c.field == field)
                .map(|c| c.name.to_string())
                .unwrap_or(field);
            (name, v)
        })
        .collect()
}

/// A select on table `T`.
#[derive(Clone, Debug, PartialEq)]
pub struct TypedSelect<T> {
    inner: SelectQuery,
    _marker: PhantomData<fn() -> T>,
}

impl<T: RayTable> TypedSelect<T> {
    /// Keeps rows matching `predicate` (several filters are AND-ed).
    pub fn filter(self, predicate: Predicate<T>) -> TypedSelect<T> {
        TypedSelect {
            inner: self.inner.filter(predicate.expr),
            _marker: PhantomData,
        }
    }
    /// Groups by columns of `T`.
    pub fn by<V>(self, column: Column<T, V>) -> TypedSelect<T> {
        TypedSelect {
            inner: self.inner.by([column.expr()]),
            _marker: PhantomData,
        }
    }
    /// Sorts by keys (`Employee::age().desc()`).
    pub fn order_by(self, keys: impl IntoIterator<Item = SortKey>) -> TypedSelect<T> {
        TypedSelect {
            inner: self.inner.order_by(keys),
            _marker: PhantomData,
        }
    }
    /// At most `n` rows.
    pub fn limit(self, n: i64) -> TypedSelect<T> {
        TypedSelect {
            inner: self.inner.limit(n),
            _marker: PhantomData,
        }
    }
    /// The untyped query.
    pub fn into_query(self) -> SelectQuery {
        self.inner
    }
    /// Rayfall text.
    pub fn to_rayfall(&self) -> Result<String> {
        self.inner.to_rayfall()
    }
}

impl<T> crate::Request for TypedSelect<T> {
    fn write_payload(&self, out: &mut Vec<u8>) -> Result<()> {
        self.inner.write_payload(out)
    }
}

/// An update of table `T`.
#[derive(Clone, Debug, PartialEq)]
pub struct TypedUpdate<T> {
    inner: UpdateQuery,
    _marker: PhantomData<fn() -> T>,
}

impl<T: RayTable> TypedUpdate<T> {
    /// Sets a column to a literal of its type.
    pub fn set<V>(self, column: Column<T, V>, value: impl Literal<V>) -> TypedUpdate<T> {
        TypedUpdate {
            inner: self.inner.set(column.name, value.into_value()),
            _marker: PhantomData,
        }
    }
    /// Sets a column to an expression over `T`.
    pub fn set_expr<V>(
        self,
        column: Column<T, V>,
        value: impl Into<TypedExpr<T>>,
    ) -> TypedUpdate<T> {
        TypedUpdate {
            inner: self.inner.set(column.name, value.into().expr),
            _marker: PhantomData,
        }
    }
    /// Only rows matching `predicate` change.
    pub fn filter(self, predicate: Predicate<T>) -> TypedUpdate<T> {
        TypedUpdate {
            inner: self.inner.filter(predicate.expr),
            _marker: PhantomData,
        }
    }
    /// The untyped query.
    pub fn into_query(self) -> UpdateQuery {
        self.inner
    }
    /// Rayfall text.
    pub fn to_rayfall(&self) -> Result<String> {
        self.inner.to_rayfall()
    }
}

impl<T> crate::Request for TypedUpdate<T> {
    fn write_payload(&self, out: &mut Vec<u8>) -> Result<()> {
        self.inner.write_payload(out)
    }
}
