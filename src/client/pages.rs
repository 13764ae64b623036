//! [`Pages`] (and [`AsyncPages`] with feature `tokio`): walk a large server table (or a
//! query's result) in slices, so a result larger than memory or than one frame can be
//! processed piece by piece. Each page is one request, `(take source [offset rows])`, which
//! the server clips at the end. The requests and the reading of their answers are written
//! once ([`walk`]); the two clients only run them.

use super::{Client, Request};
use crate::value::Table;
use crate::{Error, Result, Value};
use std::sync::atomic::{AtomicU64, Ordering};

/// The pure steps of a walk, shared by both clients.
mod walk {
    use super::*;

    /// Source names for query results kept on the server during a walk.
    static NEXT_TEMP: AtomicU64 = AtomicU64::new(0);

    /// Where a walk reads from, and the server global to release afterwards.
    pub struct Plan {
        pub source: Value,
        pub temp: Option<String>,
        /// Runs first when the source is a query's result: `(set name <query>)`.
        pub setup: Option<Value>,
    }

    pub fn table(name: &str) -> Plan {
        Plan {
            source: Value::name(name),
            temp: None,
            setup: None,
        }
    }

    /// A query's result kept in a server global for the walk.
    pub fn query<Q: Request + ?Sized>(query: &Q) -> Result<Plan> {
        let name = format!(
            "__rayforce_client_page_{}_{}",
            std::process::id(),
            NEXT_TEMP.fetch_add(1, Ordering::Relaxed)
        );
        let mut payload = Vec::new();
        query.write_payload(&mut payload)?;
        let tree = crate::wire::decode(&payload, &crate::wire::Limits::default())?;
        // A text query is parsed and evaluated by the server.
        let expression = match tree {
            Value::Str(text) => Value::call("eval", [Value::call("parse", [Value::Str(text)])]),
            tree => tree,
        };
        Ok(Plan {
            source: Value::name(name.as_str()),
            setup: Some(Value::call("set", [Value::name(name.as_str()), expression])),
            temp: Some(name),
        })
    }

    pub fn check_rows(rows: u64) -> Result<()> {
        if rows == 0 {
            return Err(Error::InvalidQuery("a page needs at least one row".into()));
        }
        Ok(())
    }

    pub fn count(source: &Value) -> Value {
        Value::call("count", [source.clone()])
    }

    pub fn total(answer: Value) -> Result<u64> {
        match answer {
            Value::I64(n) if n >= 0 => Ok(n as u64),
            other => Err(Error::TypeMismatch {
                expected: "a table to page through".into(),
                actual: other.kind_name(),
            }),
        }
    }

    pub fn page(source: &Value, offset: u64, rows: u64) -> Value {
        let slice = Value::from(vec![offset as i64, rows as i64]);
        Value::call("take", [source.clone(), slice])
    }

    pub fn table_of(answer: Value) -> Result<Table> {
        match answer {
            Value::Table(t) => Ok(t),
            other => Err(Error::TypeMismatch {
                expected: "a table page".into(),
                actual: other.kind_name(),
            }),
        }
    }

    pub fn release(name: &str) -> Value {
        Value::call("set", [Value::name(name), Value::I64(0)])
    }
}

/// Where a walk stands: the next page to ask for, or the end.
struct Cursor {
    plan: walk::Plan,
    total: u64,
    offset: u64,
    rows: u64,
    failed: bool,
}

impl Cursor {
    fn new(plan: walk::Plan, total: u64, rows: u64) -> Cursor {
        Cursor {
            plan,
            total,
            offset: 0,
            rows,
            failed: false,
        }
    }

    /// The next page's request, advancing; `None` at the end.
    fn next_request(&mut self) -> Option<Value> {
        if self.failed || self.offset >= self.total {
            return None;
        }
        let request = walk::page(&self.plan.source, self.offset, self.rows);
        self.offset += self.rows;
        Some(request)
    }

    /// The page from its request's answer (an error ends the walk).
    fn take(&mut self, answer: Result<Value>) -> Result<Table> {
        let page = answer.and_then(walk::table_of);
        self.failed = page.is_err();
        page
    }
}

/// The slices of a server table, as an iterator of tables (see [`Client::pages`]).
///
/// Convert each page as usual: `T::from_table(&page)` or `typed::rows::<T>(&page)` for
/// typed rows, `arrow::to_record_batch(page, …)` (feature `arrow`) for Arrow.
pub struct Pages<'c> {
    client: &'c mut Client,
    cursor: Cursor,
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
        self.walk(walk::table(table), rows)
    }

    /// Walks a query's result in pages of `rows` rows: the query runs once, its result is
    /// kept in a server global for the walk and released afterwards (the global is set to 0).
    pub fn query_pages<Q: Request + ?Sized>(&mut self, query: &Q, rows: u64) -> Result<Pages<'_>> {
        self.walk(walk::query(query)?, rows)
    }

    fn walk(&mut self, plan: walk::Plan, rows: u64) -> Result<Pages<'_>> {
        walk::check_rows(rows)?;
        if let Some(setup) = &plan.setup {
            self.execute(setup)?;
        }
        let total = walk::total(self.execute(&walk::count(&plan.source))?)?;
        Ok(Pages {
            client: self,
            cursor: Cursor::new(plan, total, rows),
        })
    }
}

impl Pages<'_> {
    /// Rows in the whole source (counted when the walk began).
    pub fn total_rows(&self) -> u64 {
        self.cursor.total
    }
}

impl Iterator for Pages<'_> {
    type Item = Result<Table>;

    fn next(&mut self) -> Option<Result<Table>> {
        let request = self.cursor.next_request()?;
        let answer = self.client.execute(&request);
        Some(self.cursor.take(answer))
    }
}

impl Drop for Pages<'_> {
    fn drop(&mut self) {
        if let Some(name) = self.cursor.plan.temp.take() {
            let _ = self.client.execute(&walk::release(&name));
        }
    }
}

#[cfg(feature = "tokio")]
pub use self::tokio_pages::AsyncPages;

#[cfg(feature = "tokio")]
mod tokio_pages {
    use super::{walk, Cursor};
    use crate::client::{AsyncClient, Request};
    use crate::value::Table;
    use crate::Result;

    /// The slices of a server table on the async client (see [`AsyncClient::pages`]):
    /// `while let Some(page) = pages.next_page().await { … }`. Call
    /// [`finish`](Self::finish) to release a query's temporary result when done early.
    pub struct AsyncPages {
        client: AsyncClient,
        cursor: Cursor,
    }

    impl AsyncClient {
        /// As [`Client::pages`](crate::Client::pages).
        pub async fn pages(&self, table: &str, rows: u64) -> Result<AsyncPages> {
            self.walk(walk::table(table), rows).await
        }

        /// As [`Client::query_pages`](crate::Client::query_pages); the temporary is
        /// released when the last page has been read (or by [`AsyncPages::finish`]).
        pub async fn query_pages<Q: Request + ?Sized>(
            &self,
            query: &Q,
            rows: u64,
        ) -> Result<AsyncPages> {
            self.walk(walk::query(query)?, rows).await
        }

        async fn walk(&self, plan: walk::Plan, rows: u64) -> Result<AsyncPages> {
            walk::check_rows(rows)?;
            if let Some(setup) = &plan.setup {
                self.execute(setup).await?;
            }
            let total = walk::total(self.execute(&walk::count(&plan.source)).await?)?;
            Ok(AsyncPages {
                client: self.clone(),
                cursor: Cursor::new(plan, total, rows),
            })
        }
    }

    impl AsyncPages {
        /// Rows in the whole source (counted when the walk began).
        pub fn total_rows(&self) -> u64 {
            self.cursor.total
        }

        /// The next page, or `None` after the last (the temporary is then released).
        pub async fn next_page(&mut self) -> Option<Result<Table>> {
            let Some(request) = self.cursor.next_request() else {
                let _ = self.finish().await;
                return None;
            };
            let answer = self.client.execute(&request).await;
            Some(self.cursor.take(answer))
        }

        /// Releases a query's temporary result on the server now.
        pub async fn finish(&mut self) -> Result<()> {
            if let Some(name) = self.cursor.plan.temp.take() {
                self.client.execute(&walk::release(&name)).await?;
            }
            Ok(())
        }
    }
}
