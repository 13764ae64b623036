//! Joins between two `#[derive(RayTable)]` tables, checked at compile time: every key is a
//! pair of column handles, one of each table, of the same Rust type ([`on`]); the time key
//! of an asof or window join must be a temporal column ([`JoinKeys::at`]); a window join
//! aggregates typed expressions of the right table. A key whose two columns have different
//! server names is renamed on the right side, so the server always joins on one name.
//!
//! ```
//! use rayforce_client::typed::{on, RayTable, Sym};
//! use rayforce_client::Timestamp;
//!
//! #[derive(RayTable)]
//! struct Trades { sym: Sym, ts: Timestamp, px: f64 }
//! #[derive(RayTable)]
//! struct Quotes { sym: Sym, ts: Timestamp, bid: f64 }
//!
//! let q = Trades::table().asof_join(
//!     Quotes::table(),
//!     on(Trades::sym(), Quotes::sym()).at(Trades::ts(), Quotes::ts()),
//! );
//! assert_eq!(q.to_rayfall().unwrap(), "(asof-join ['sym 'ts] trades quotes)");
//! ```

use super::{Column, RayTable, TypedExpr, TypedTable};
use crate::query::{self, Expr, IntoExpr, JoinQuery, Query, TableRef, WindowJoinQuery};
use crate::value::{Date, Time, Timestamp};
use crate::Result;
use std::marker::PhantomData;

/// Column types that can be the time key of an asof or window join.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be the time key of an asof or window join",
    label = "not a temporal column",
    note = "the time key must be a Timestamp, Time or Date column (or SystemTime / chrono types)"
)]
pub trait TimeKey {}

impl TimeKey for Timestamp {}
impl TimeKey for Time {}
impl TimeKey for Date {}
impl TimeKey for std::time::SystemTime {}
#[cfg(feature = "chrono")]
impl TimeKey for chrono::NaiveDateTime {}
#[cfg(feature = "chrono")]
impl TimeKey for chrono::NaiveTime {}
#[cfg(feature = "chrono")]
impl TimeKey for chrono::NaiveDate {}

/// One key: the left and right columns' server names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Key {
    left: &'static str,
    right: &'static str,
}

/// The key columns of a join between tables `L` and `R` (built with [`on`]).
#[derive(Debug)]
pub struct JoinKeys<L, R> {
    keys: Vec<Key>,
    _tables: PhantomData<fn() -> (L, R)>,
}

/// Key columns ending with the time key, for asof and window joins ([`JoinKeys::at`]).
#[derive(Debug)]
pub struct TimedKeys<L, R> {
    keys: Vec<Key>,
    _tables: PhantomData<fn() -> (L, R)>,
}

/// The first key of a join: a column of the left table and a column of the right table
/// holding the same Rust type. A column missing from either table, or of another type, does
/// not compile.
pub fn on<L: RayTable, R: RayTable, V>(left: Column<L, V>, right: Column<R, V>) -> JoinKeys<L, R> {
    JoinKeys {
        keys: vec![Key {
            left: left.name(),
            right: right.name(),
        }],
        _tables: PhantomData,
    }
}

impl<L: RayTable, R: RayTable> JoinKeys<L, R> {
    /// Another key pair, of one type.
    pub fn and<V>(mut self, left: Column<L, V>, right: Column<R, V>) -> JoinKeys<L, R> {
        self.keys.push(Key {
            left: left.name(),
            right: right.name(),
        });
        self
    }

    /// The time key (last), for asof and window joins: both columns of one temporal type.
    pub fn at<V: TimeKey>(mut self, left: Column<L, V>, right: Column<R, V>) -> TimedKeys<L, R> {
        self.keys.push(Key {
            left: left.name(),
            right: right.name(),
        });
        TimedKeys {
            keys: self.keys,
            _tables: PhantomData,
        }
    }
}

/// The key names the server joins on (the left table's), and the right table as a source:
/// the table itself when every key has one name on both sides, else a select of all its
/// columns with the keys renamed to the left's names.
fn sides<R: RayTable>(keys: &[Key]) -> (Vec<&'static str>, Query) {
    let names = keys.iter().map(|k| k.left).collect();
    if keys.iter().all(|k| k.left == k.right) {
        return (names, TableRef::named(R::TABLE).into());
    }
    let columns: Vec<Expr> = R::COLUMNS
        .iter()
        .map(|c| match keys.iter().find(|k| k.right == c.name) {
            Some(k) => query::col(c.name).alias(k.left),
            None => query::col(c.name),
        })
        .collect();
    (names, TableRef::named(R::TABLE).select(columns).into())
}

/// An inner, left or asof join of two typed tables; a request whose rows decode into any
/// struct with the joined columns (`client.fetch_all::<Row>(&join)`).
#[derive(Clone, Debug, PartialEq)]
pub struct TypedJoin<L, R> {
    inner: JoinQuery,
    _tables: PhantomData<fn() -> (L, R)>,
}

/// The untyped query, its text, and the request, for both typed join kinds.
macro_rules! typed_join_plumbing {
    ($($typed:ident => $untyped:ident),*) => {$(
        impl<L, R> $typed<L, R> {
            /// The untyped query.
            pub fn into_query(self) -> $untyped {
                self.inner
            }

            /// The Rayfall text of the query.
            pub fn to_rayfall(&self) -> Result<String> {
                self.inner.to_rayfall()
            }
        }

        impl<L, R> crate::Request for $typed<L, R> {
            fn write_payload(&self, out: &mut Vec<u8>) -> Result<()> {
                self.inner.write_payload(out)
            }
        }
    )*};
}

typed_join_plumbing!(TypedJoin => JoinQuery, TypedWindowJoin => WindowJoinQuery);

/// A window join of two typed tables: per left row, aggregations of the right table's typed
/// columns over a time window ([`agg`](Self::agg)).
#[derive(Clone, Debug, PartialEq)]
pub struct TypedWindowJoin<L, R> {
    inner: WindowJoinQuery,
    _tables: PhantomData<fn() -> (L, R)>,
}

impl<L, R: RayTable> TypedWindowJoin<L, R> {
    /// Aggregations over the right table's rows in each window, named with `.alias`:
    /// `[Quotes::bid().max().alias("max_bid")]`. Expressions of another table do not
    /// compile.
    pub fn agg(self, aggs: impl IntoIterator<Item = TypedExpr<R>>) -> TypedWindowJoin<L, R> {
        TypedWindowJoin {
            inner: self.inner.agg(aggs.into_iter().map(Expr::from)),
            _tables: PhantomData,
        }
    }
}

impl<L: RayTable> TypedTable<L> {
    fn join<R: RayTable>(
        &self,
        keys: &[Key],
        join: fn(TableRef, Query, Vec<&'static str>) -> JoinQuery,
    ) -> TypedJoin<L, R> {
        let (names, right) = sides::<R>(keys);
        TypedJoin {
            inner: join(self.untyped(), right, names),
            _tables: PhantomData,
        }
    }

    /// Rows with a match on both sides: `(inner-join [keys] l r)`.
    pub fn inner_join<R: RayTable>(
        &self,
        _right: TypedTable<R>,
        keys: JoinKeys<L, R>,
    ) -> TypedJoin<L, R> {
        self.join::<R>(&keys.keys, |l, r, on| l.inner_join(r, on))
    }

    /// Every left row, nulls where the right has no match: `(left-join [keys] l r)`.
    pub fn left_join<R: RayTable>(
        &self,
        _right: TypedTable<R>,
        keys: JoinKeys<L, R>,
    ) -> TypedJoin<L, R> {
        self.join::<R>(&keys.keys, |l, r, on| l.left_join(r, on))
    }

    /// For each left row, the right row prevailing at its time (the last right row with the
    /// same other keys and a time at or before it): `(asof-join [keys time] l r)`.
    pub fn asof_join<R: RayTable>(
        &self,
        _right: TypedTable<R>,
        keys: TimedKeys<L, R>,
    ) -> TypedJoin<L, R> {
        self.join::<R>(&keys.keys, |l, r, on| l.asof_join(r, on))
    }

    /// For each left row, aggregations over the right rows whose time lies within
    /// `[time + lower, time + upper]` (in the time column's units), plus the row prevailing
    /// at the window's start; add them with [`TypedWindowJoin::agg`].
    pub fn window_join<R: RayTable>(
        &self,
        _right: TypedTable<R>,
        keys: TimedKeys<L, R>,
        lower: impl IntoExpr,
        upper: impl IntoExpr,
    ) -> TypedWindowJoin<L, R> {
        self.window(keys, lower, upper, false)
    }

    /// As [`window_join`](Self::window_join), only the rows inside each window
    /// (`window-join1`).
    pub fn window_join1<R: RayTable>(
        &self,
        _right: TypedTable<R>,
        keys: TimedKeys<L, R>,
        lower: impl IntoExpr,
        upper: impl IntoExpr,
    ) -> TypedWindowJoin<L, R> {
        self.window(keys, lower, upper, true)
    }

    fn window<R: RayTable>(
        &self,
        keys: TimedKeys<L, R>,
        lower: impl IntoExpr,
        upper: impl IntoExpr,
        inside_only: bool,
    ) -> TypedWindowJoin<L, R> {
        let (names, right) = sides::<R>(&keys.keys);
        let left = self.untyped();
        let inner = if inside_only {
            left.window_join1(right, names, lower, upper)
        } else {
            left.window_join(right, names, lower, upper)
        };
        TypedWindowJoin {
            inner,
            _tables: PhantomData,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::on;
    use crate::typed::{RayTable, Sym};
    use crate::Timestamp;

    #[derive(RayTable)]
    #[rayforce(table = "trades")]
    #[allow(dead_code)]
    struct Trade {
        sym: Sym,
        ts: Timestamp,
        px: f64,
    }

    #[derive(RayTable)]
    #[rayforce(table = "quotes")]
    #[allow(dead_code)]
    struct Quote {
        #[rayforce(rename = "ticker")]
        sym: Sym,
        ts: Timestamp,
        bid: f64,
    }

    #[test]
    fn keys_with_other_names_on_the_right_are_renamed_there() {
        let q = Trade::table().inner_join(Quote::table(), on(Trade::sym(), Quote::sym()));
        assert_eq!(
            q.to_rayfall().unwrap(),
            "(inner-join ['sym] trades (select {sym: ticker ts: ts bid: bid from: quotes}))"
        );
        let w = Trade::table()
            .window_join(
                Quote::table(),
                on(Trade::sym(), Quote::sym()).at(Trade::ts(), Quote::ts()),
                -1000,
                0,
            )
            .agg([Quote::bid().max().alias("max_bid")]);
        assert_eq!(
            w.to_rayfall().unwrap(),
            "(window-join ['sym 'ts] (map-left + [-1000 0] (at trades 'ts)) trades \
             (select {sym: ticker ts: ts bid: bid from: quotes}) {max_bid: (max bid)})"
        );
    }
}
