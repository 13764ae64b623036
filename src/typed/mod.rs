//! Typed rows: result tables decoded into Rust structs through serde (by column name, with
//! a schema check first), Rust structs encoded into insert columns, and the [`RayTable`]
//! trait that `#[derive(RayTable)]` implements for compile-time-checked queries.
//!
//! This layer depends on `value` and `query` only; it never touches a transport.

pub(crate) mod columnar;
mod de;
mod join;
mod ser;
mod sym;
mod table;

pub use columnar::{CellReader, CellValue};
pub use de::{check, rows, rows_into, value, DeError};
pub use join::{on, JoinKeys, TimeKey, TimedKeys, TypedJoin, TypedWindowJoin};
pub use rayforce_client_derive::{FromTable, RayTable};
pub use ser::{columns, ColumnType, SerError};
pub use sym::Sym;
pub use table::{
    Column, ColumnDef, ColumnValue, FromTable, Literal, Predicate, RayTable, TypedExpr,
    TypedSelect, TypedTable, TypedUpdate,
};
