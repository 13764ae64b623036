//! [`Inserter`]: bulk writes of typed rows, like clickhouse-rs's `Inserter`. Rows are
//! buffered and flushed by row count or age; each flush converts them to typed columns (by
//! the table's schema, read once), splits them into requests below a byte limit (the
//! server refuses requests over 256 MiB) and sends those as one pipeline.
//!
//! The chunking is a pure function ([`insert_requests`]); the inserter only buffers and
//! runs pipelines.

use super::typed::{ops, Schema};
use super::{Client, Pipeline, Request};
use crate::query::InsertQuery;
use crate::typed::RayTable;
use crate::Result;
use serde::Serialize;
use std::time::{Duration, Instant};

/// Requests are kept at most this large by default (the server's own cap is 256 MiB).
pub const DEFAULT_MAX_REQUEST_BYTES: usize = 64 << 20;

/// How a chunk of rows becomes an insert: through serde (any `Serialize` type, typed by the
/// table's schema) or through the derive (`RayTable`, column by column, faster).
pub type Encode<T> = fn(&str, &[T], &Schema) -> Result<InsertQuery>;

/// The serde encoding of rows (see [`Encode`]).
pub fn serde_rows<T: Serialize>(table: &str, rows: &[T], schema: &Schema) -> Result<InsertQuery> {
    ops::insert(table, rows, schema)
}

/// The derive's column-wise encoding of rows (see [`Encode`]).
pub fn table_rows<T: RayTable>(table: &str, rows: &[T], _: &Schema) -> Result<InsertQuery> {
    Ok(crate::query::TableRef::named(table)
        .insert()
        .values(T::to_columns(rows)?))
}

/// The insert requests for `rows`: as few as possible, each encoded below `max_bytes` (a
/// chunk that encodes larger is split in halves). A single row over the limit is sent as it
/// is (the server then decides).
pub fn insert_requests<T>(
    table: &str,
    rows: &[T],
    schema: &Schema,
    max_bytes: usize,
    encode: Encode<T>,
) -> Result<Pipeline> {
    let mut pipeline = Pipeline::new();
    let mut pending = vec![rows];
    while let Some(chunk) = pending.pop() {
        if chunk.is_empty() {
            continue;
        }
        let mut payload = Vec::new();
        encode(table, chunk, schema)?.write_payload(&mut payload)?;
        if payload.len() > max_bytes && chunk.len() > 1 {
            let (first, second) = chunk.split_at(chunk.len() / 2);
            pending.push(second);
            pending.push(first);
            continue;
        }
        pipeline.push_encoded(payload);
    }
    Ok(pipeline)
}

/// What an [`Inserter`] has sent.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Quantities {
    /// Rows written.
    pub rows: u64,
    /// Insert requests sent.
    pub requests: u64,
}

/// The buffering and flushing rules of both inserters, with no I/O: rows wait here until
/// a threshold makes them due, then become one pipeline of insert requests.
struct Batch<T> {
    encode: Encode<T>,
    table: String,
    schema: Schema,
    rows: Vec<T>,
    max_rows: usize,
    max_bytes: usize,
    period: Option<Duration>,
    last_flush: Instant,
    sent: Quantities,
}

impl<T> Batch<T> {
    fn new(table: &str, schema: Schema, encode: Encode<T>) -> Batch<T> {
        Batch {
            encode,
            table: table.to_string(),
            schema,
            rows: Vec::new(),
            max_rows: 100_000,
            max_bytes: DEFAULT_MAX_REQUEST_BYTES,
            period: None,
            last_flush: Instant::now(),
            sent: Quantities::default(),
        }
    }

    /// Whether a threshold (rows or age) makes the buffered rows due.
    fn due(&self) -> bool {
        let aged = self.period.is_some_and(|p| self.last_flush.elapsed() >= p);
        self.rows.len() >= self.max_rows || (aged && !self.rows.is_empty())
    }

    /// The requests for every buffered row (`None`: nothing buffered).
    fn requests(&self) -> Result<Option<Pipeline>> {
        if self.rows.is_empty() {
            return Ok(None);
        }
        insert_requests(
            &self.table,
            &self.rows,
            &self.schema,
            self.max_bytes,
            self.encode,
        )
        .map(Some)
    }

    /// The pipeline's replies arrived: rows are counted as sent once every reply is.
    fn sent(&mut self, requests: usize, replies: Vec<Result<crate::Value>>) -> Result<Quantities> {
        for reply in replies {
            reply?;
        }
        self.sent.rows += self.rows.len() as u64;
        self.sent.requests += requests as u64;
        self.rows.clear();
        self.last_flush = Instant::now();
        Ok(self.sent)
    }
}

macro_rules! inserter_settings {
    () => {
        /// Flush once this many rows are buffered (default 100,000).
        pub fn with_max_rows(mut self, rows: usize) -> Self {
            self.batch.max_rows = rows.max(1);
            self
        }

        /// Keep each request below this many bytes (default
        /// [`DEFAULT_MAX_REQUEST_BYTES`]).
        pub fn with_max_request_bytes(mut self, bytes: usize) -> Self {
            self.batch.max_bytes = bytes.max(1);
            self
        }

        /// Also flush when the last flush is this old (checked on `write` and `commit`).
        pub fn with_period(mut self, period: Option<Duration>) -> Self {
            self.batch.period = period;
            self
        }

        /// Rows buffered and not yet sent.
        pub fn pending(&self) -> usize {
            self.batch.rows.len()
        }
    };
}

/// Buffers rows and writes them in bulk (see the [module](self)).
///
/// ```no_run
/// use rayforce_client::Client;
/// use std::time::Duration;
/// #[derive(serde::Serialize)]
/// struct Tick { sym: String, price: f64 }
/// let mut client = Client::connect("127.0.0.1", 5000)?;
/// let mut inserter = client.inserter::<Tick>("ticks")?
///     .with_max_rows(100_000)
///     .with_period(Some(Duration::from_secs(1)));
/// for i in 0..1_000_000 {
///     inserter.write(Tick { sym: "a".into(), price: i as f64 })?; // flushes when due
/// }
/// let sent = inserter.end()?; // flushes the rest
/// assert_eq!(sent.rows, 1_000_000);
/// # Ok::<(), rayforce_client::Error>(())
/// ```
pub struct Inserter<'c, T> {
    client: &'c mut Client,
    batch: Batch<T>,
}

impl Client {
    /// An [`Inserter`] of serde rows into `table` (its schema is read now, once).
    pub fn inserter<T: Serialize>(&mut self, table: &str) -> Result<Inserter<'_, T>> {
        self.inserter_with(table, serde_rows::<T>)
    }

    /// An [`Inserter`] of `#[derive(RayTable)]` rows into their table, converted column by
    /// column (faster than [`inserter`](Self::inserter)).
    pub fn table_inserter<T: RayTable>(&mut self) -> Result<Inserter<'_, T>> {
        self.inserter_with(T::TABLE, table_rows::<T>)
    }

    /// An [`Inserter`] into `table` with the row encoding `encode` ([`serde_rows`] or
    /// [`table_rows`]), e.g. derived rows into a table of the same shape under another name.
    pub fn inserter_with<T>(&mut self, table: &str, encode: Encode<T>) -> Result<Inserter<'_, T>> {
        let schema = self.table_schema(table)?;
        Ok(Inserter {
            client: self,
            batch: Batch::new(table, schema, encode),
        })
    }
}

impl<T> Inserter<'_, T> {
    inserter_settings!();

    /// Buffers a row; flushes when a threshold is reached.
    pub fn write(&mut self, row: T) -> Result<()> {
        self.batch.rows.push(row);
        self.commit().map(drop)
    }

    /// Flushes if a threshold is reached; returns what was sent so far.
    pub fn commit(&mut self) -> Result<Quantities> {
        if self.batch.due() {
            self.flush()?;
        }
        Ok(self.batch.sent)
    }

    /// Sends every buffered row now (one pipeline of requests below the byte limit). On
    /// an error the rows stay buffered and nothing is reported as sent.
    pub fn flush(&mut self) -> Result<Quantities> {
        let Some(pipeline) = self.batch.requests()? else {
            return Ok(self.batch.sent);
        };
        let replies = self.client.run(&pipeline)?;
        self.batch.sent(pipeline.len(), replies)
    }

    /// Flushes the rest and returns the totals.
    pub fn end(mut self) -> Result<Quantities> {
        self.flush()
    }
}

#[cfg(feature = "tokio")]
pub use self::tokio_inserter::AsyncInserter;

#[cfg(feature = "tokio")]
mod tokio_inserter {
    use super::*;
    use crate::client::AsyncClient;

    /// [`Inserter`] on the async client (same rules, same requests).
    pub struct AsyncInserter<T> {
        client: AsyncClient,
        batch: Batch<T>,
    }

    impl AsyncClient {
        /// As [`Client::inserter`].
        pub async fn inserter<T: Serialize>(&self, table: &str) -> Result<AsyncInserter<T>> {
            self.inserter_with(table, serde_rows::<T>).await
        }

        /// As [`Client::table_inserter`].
        pub async fn table_inserter<T: RayTable>(&self) -> Result<AsyncInserter<T>> {
            self.inserter_with(T::TABLE, table_rows::<T>).await
        }

        /// As [`Client::inserter_with`].
        pub async fn inserter_with<T>(
            &self,
            table: &str,
            encode: Encode<T>,
        ) -> Result<AsyncInserter<T>> {
            let schema = self.table_schema(table).await?;
            Ok(AsyncInserter {
                client: self.clone(),
                batch: Batch::new(table, schema, encode),
            })
        }
    }

    impl<T> AsyncInserter<T> {
        inserter_settings!();

        /// As [`Inserter::write`].
        pub async fn write(&mut self, row: T) -> Result<()> {
            self.batch.rows.push(row);
            self.commit().await.map(drop)
        }

        /// As [`Inserter::commit`].
        pub async fn commit(&mut self) -> Result<Quantities> {
            if self.batch.due() {
                self.flush().await?;
            }
            Ok(self.batch.sent)
        }

        /// As [`Inserter::flush`].
        pub async fn flush(&mut self) -> Result<Quantities> {
            let Some(pipeline) = self.batch.requests()? else {
                return Ok(self.batch.sent);
            };
            let replies = self.client.run(&pipeline).await?;
            self.batch.sent(pipeline.len(), replies)
        }

        /// As [`Inserter::end`].
        pub async fn end(mut self) -> Result<Quantities> {
            self.flush().await
        }
    }
}
