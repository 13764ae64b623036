//! Rayforce tables as an [Apache DataFusion](https://datafusion.apache.org) data source, on
//! one server or sharded over several.
//!
//! - [`RayforceTable`] is a `TableProvider`: its schema is read from the server; projection,
//!   filters and limit are compiled by `rayforce-client`'s query builder into one Rayforce
//!   `select` per shard (values travel as typed data, never as text). Filters keep SQL's
//!   null semantics on the server, so they are reported `Exact`; what cannot be compiled is
//!   `Unsupported` and DataFusion evaluates it.
//! - A table over several [`Shard`]s scans them concurrently (one DataFusion partition per
//!   shard, each on its own async connection) and skips the shards whose [`Partition`] the
//!   filters exclude. A shard that fails fails the query with an [`Error::Shard`] naming it.
//! - [`AggregatePushdown`] (in [`session_context`]) runs `sum`/`count`/`min`/`max`/`avg`
//!   with `GROUP BY` columns as partial aggregates on the shards: only grouped rows move.
//!   [`TopKPushdown`] lets each shard sort and cut `ORDER BY … LIMIT k` itself.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use rayforce_client::Client;
//! use rayforce_datafusion::{session_context, Partition, RayforceTable, Shard};
//! use std::sync::Arc;
//!
//! let shards = vec![
//!     Shard::new("a", Client::builder("10.0.0.1", 5100)).partition(Partition::values("sym", ["AAPL"])),
//!     Shard::new("b", Client::builder("10.0.0.2", 5100)).partition(Partition::values("sym", ["MSFT"])),
//! ];
//! let trades = RayforceTable::open("trades", shards).await?;
//! let ctx = session_context();
//! ctx.register_table("trades", Arc::new(trades))?;
//! let df = ctx.sql("SELECT sym, sum(qty) FROM trades WHERE px > 100 GROUP BY sym").await?;
//! df.show().await?;
//! # Ok(()) }
//! ```

mod aggregate;
mod error;
mod filter;
mod pushed;
mod scan;
mod shard;
mod table;
mod topk;

pub use aggregate::AggregatePushdown;
pub use error::Error;
pub use scan::{RayforceScanExec, ScanStats};
pub use shard::{Partition, Shard};
pub use table::{RayforceTable, DEFAULT_PAGE_ROWS};
pub use topk::TopKPushdown;

use datafusion::prelude::SessionContext;
use std::sync::Arc;

/// A DataFusion `SessionContext` with [`AggregatePushdown`] and [`TopKPushdown`] added to
/// its optimizer (see [`add_pushdown_rules`] for a context of your own).
pub fn session_context() -> SessionContext {
    let ctx = SessionContext::new();
    add_pushdown_rules(&ctx);
    ctx
}

/// Adds [`AggregatePushdown`] and [`TopKPushdown`] to a context's optimizer. Without them
/// projection, filters and limits are still pushed down (by the `TableProvider`).
pub fn add_pushdown_rules(ctx: &SessionContext) {
    ctx.add_optimizer_rule(Arc::new(AggregatePushdown));
    ctx.add_optimizer_rule(Arc::new(TopKPushdown));
}
