//! [`Pages`]: walk a large server table (or a query's result) in slices, so a result
//! larger than memory or than one frame can be processed piece by piece. Each page is one
//! request, `(take source [offset rows])`, which the server clips at the end.

use super::{Client, Request};
use crate::value::Table;
use crate::{Error, Result, Value};
use std::sync::atomic::{AtomicU64, Ordering};

/// Source names for query results kept on the server during a walk.
static NEXT_TEMP: AtomicU64 = AtomicU64::new(0);

/// The slices of a server table, as an iterator of tables (see [`Client::pages`]).
///
/// Convert each page as usual: `T::from_table(&page)` or `typed::rows::<T>(&page)` for
/// typed rows, `arrow::to_record_batch(page, …)` (feature `arrow`) for Arrow.
pub struct Pages<'c> {
    client: &'c mut Client,
    source: Value,
    /// The server global holding a query's result, released (set to 0) when the walk ends.
    temp: Option<String>,
    total: u64,
    offset: u64,
    rows: u64,
    failed: bool,
}

impl Client {
    /// Walks the server table `table` in pages of `rows` rows.
    ///
    /// ```no_run
    /// use rayforce_client::Client;
    /// let mut client = Client::connect("127.0.0.1", 5000)?;
    /// let mut total = 0;
    /// for page in client.pages("trades", 100_000)? {
    ///     total += page?.num_rows();
    /// }
    /// # Ok::<(), rayforce_client::Error>(())
    /// ```
    pub fn pages(&mut self, table: &str, rows: u64) -> Result<Pages<'_>> {
        self.walk(Value::name(table), None, rows)
    }

    /// Walks a query's result in pages of `rows` rows: the query runs once, its result is
    /// kept in a server global for the walk and released afterwards (the global is set to 0).
    pub fn query_pages<Q: Request + ?Sized>(&mut self, query: &Q, rows: u64) -> Result<Pages<'_>> {
        let name = format!(
            "__rayforce_client_page_{}_{}",
            std::process::id(),
            NEXT_TEMP.fetch_add(1, Ordering::Relaxed)
        );
        let mut payload = Vec::new();
        query.write_payload(&mut payload)?;
        let result = crate::wire::decode(&payload, &crate::wire::Limits::default())?;
        // A text query is parsed and evaluated by the server.
        let expression = match result {
            Value::Str(text) => Value::call("eval", [Value::call("parse", [Value::Str(text)])]),
            tree => tree,
        };
        self.execute(&Value::call(
            "set",
            [Value::name(name.as_str()), expression],
        ))?;
        self.walk(Value::name(name.as_str()), Some(name), rows)
    }

    fn walk(&mut self, source: Value, temp: Option<String>, rows: u64) -> Result<Pages<'_>> {
        if rows == 0 {
            return Err(Error::InvalidQuery("a page needs at least one row".into()));
        }
        let total = match self.execute(&Value::call("count", [source.clone()]))? {
            Value::I64(n) if n >= 0 => n as u64,
            other => {
                return Err(Error::TypeMismatch {
                    expected: "a table to page through".into(),
                    actual: other.kind_name(),
                })
            }
        };
        Ok(Pages {
            client: self,
            source,
            temp,
            total,
            offset: 0,
            rows,
            failed: false,
        })
    }
}

impl Pages<'_> {
    /// Rows in the whole source (counted when the walk began).
    pub fn total_rows(&self) -> u64 {
        self.total
    }
}

impl Iterator for Pages<'_> {
    type Item = Result<Table>;

    fn next(&mut self) -> Option<Result<Table>> {
        if self.failed || self.offset >= self.total {
            return None;
        }
        let slice = Value::from(vec![self.offset as i64, self.rows as i64]);
        let page = self
            .client
            .execute(&Value::call("take", [self.source.clone(), slice]));
        self.offset += self.rows;
        Some(match page {
            Ok(Value::Table(t)) => Ok(t),
            Ok(other) => {
                self.failed = true;
                Err(Error::TypeMismatch {
                    expected: "a table page".into(),
                    actual: other.kind_name(),
                })
            }
            Err(e) => {
                self.failed = true;
                Err(e)
            }
        })
    }
}

impl Drop for Pages<'_> {
    fn drop(&mut self) {
        if let Some(name) = self.temp.take() {
            let _ = self.client.execute(&Value::call(
                "set",
                [Value::name(name.as_str()), Value::I64(0)],
            ));
        }
    }
}
