//! Arrow on both clients (feature `arrow`): results as record batches, record batches as
//! inserts and upserts. The conversions are [`crate::arrow`]'s and the request is built
//! once ([`batch_query`]); the clients only run it.

use super::typed::{ops, Schema};
use super::{Client, Request};
use crate::arrow::{columns_from_record_batch, to_record_batch, ArrowOptions};
use crate::query::{Query, TableRef};
use crate::Result;
use arrow_array::RecordBatch;

/// The insert of `batch` into `table` (an upsert on `keys` key columns), text typed by the
/// table's `schema`.
fn batch_query(
    table: &str,
    keys: Option<i64>,
    batch: &RecordBatch,
    schema: &Schema,
) -> Result<Query> {
    let columns = columns_from_record_batch(batch, Some(schema))?;
    Ok(match keys {
        None => TableRef::named(table).insert().values(columns).into(),
        Some(keys) => TableRef::named(table).upsert(keys).values(columns).into(),
    })
}

impl Client {
    /// Runs a query and returns its result table as a record batch (symbols as `Utf8`).
    ///
    /// ```no_run
    /// use rayforce_client::Client;
    /// let mut client = Client::connect("127.0.0.1", 5000)?;
    /// let batch = client.fetch_arrow("(select {from: trades})")?;
    /// println!("{} rows, schema {:?}", batch.num_rows(), batch.schema());
    /// # Ok::<(), rayforce_client::Error>(())
    /// ```
    pub fn fetch_arrow<Q: Request + ?Sized>(&mut self, query: &Q) -> Result<RecordBatch> {
        self.fetch_arrow_with(query, ArrowOptions::default())
    }

    /// As [`fetch_arrow`](Self::fetch_arrow), with options (e.g. dictionary-encoded symbols).
    pub fn fetch_arrow_with<Q: Request + ?Sized>(
        &mut self,
        query: &Q,
        options: ArrowOptions,
    ) -> Result<RecordBatch> {
        to_record_batch(ops::table(self.execute(query)?)?, options)
    }

    /// Appends a record batch to a server table; text columns become SYMBOL or STR as the
    /// table's schema says (read first). An empty batch does nothing.
    pub fn insert_batch(&mut self, table: &str, batch: &RecordBatch) -> Result<()> {
        self.write_batch(table, None, batch)
    }

    /// Upserts a record batch keyed on the table's first `key_columns` columns.
    pub fn upsert_batch(
        &mut self,
        table: &str,
        key_columns: i64,
        batch: &RecordBatch,
    ) -> Result<()> {
        self.write_batch(table, Some(key_columns), batch)
    }

    fn write_batch(&mut self, table: &str, keys: Option<i64>, batch: &RecordBatch) -> Result<()> {
        if batch.num_rows() == 0 {
            return Ok(());
        }
        let schema = self.table_schema(table)?;
        self.execute(&batch_query(table, keys, batch, &schema)?)?;
        Ok(())
    }
}

#[cfg(feature = "tokio")]
impl super::AsyncClient {
    /// As [`Client::fetch_arrow`].
    pub async fn fetch_arrow<Q: Request + ?Sized>(&self, query: &Q) -> Result<RecordBatch> {
        self.fetch_arrow_with(query, ArrowOptions::default()).await
    }

    /// As [`Client::fetch_arrow_with`].
    pub async fn fetch_arrow_with<Q: Request + ?Sized>(
        &self,
        query: &Q,
        options: ArrowOptions,
    ) -> Result<RecordBatch> {
        to_record_batch(ops::table(self.execute(query).await?)?, options)
    }

    /// As [`Client::insert_batch`].
    pub async fn insert_batch(&self, table: &str, batch: &RecordBatch) -> Result<()> {
        self.write_batch(table, None, batch).await
    }

    /// As [`Client::upsert_batch`].
    pub async fn upsert_batch(
        &self,
        table: &str,
        key_columns: i64,
        batch: &RecordBatch,
    ) -> Result<()> {
        self.write_batch(table, Some(key_columns), batch).await
    }

    async fn write_batch(&self, table: &str, keys: Option<i64>, batch: &RecordBatch) -> Result<()> {
        if batch.num_rows() == 0 {
            return Ok(());
        }
        let schema = self.table_schema(table).await?;
        self.execute(&batch_query(table, keys, batch, &schema)?)
            .await?;
        Ok(())
    }
}

#[cfg(feature = "polars")]
impl Client {
    /// Runs a query and returns its result table as a polars `DataFrame` (through
    /// [`fetch_arrow`](Self::fetch_arrow); column buffers are shared, not copied).
    pub fn fetch_polars<Q: Request + ?Sized>(
        &mut self,
        query: &Q,
    ) -> Result<::polars::prelude::DataFrame> {
        crate::polars::to_dataframe(&self.fetch_arrow(query)?)
    }

    /// Appends a `DataFrame` to a server table (as [`insert_batch`](Self::insert_batch)).
    pub fn insert_dataframe(
        &mut self,
        table: &str,
        df: &::polars::prelude::DataFrame,
    ) -> Result<()> {
        self.insert_batch(table, &crate::polars::from_dataframe(df)?)
    }

    /// Upserts a `DataFrame` keyed on the table's first `key_columns` columns.
    pub fn upsert_dataframe(
        &mut self,
        table: &str,
        key_columns: i64,
        df: &::polars::prelude::DataFrame,
    ) -> Result<()> {
        self.upsert_batch(table, key_columns, &crate::polars::from_dataframe(df)?)
    }
}

#[cfg(all(feature = "polars", feature = "tokio"))]
impl super::AsyncClient {
    /// As [`Client::fetch_polars`].
    pub async fn fetch_polars<Q: Request + ?Sized>(
        &self,
        query: &Q,
    ) -> Result<::polars::prelude::DataFrame> {
        crate::polars::to_dataframe(&self.fetch_arrow(query).await?)
    }

    /// As [`Client::insert_dataframe`].
    pub async fn insert_dataframe(
        &self,
        table: &str,
        df: &::polars::prelude::DataFrame,
    ) -> Result<()> {
        self.insert_batch(table, &crate::polars::from_dataframe(df)?)
            .await
    }

    /// As [`Client::upsert_dataframe`].
    pub async fn upsert_dataframe(
        &self,
        table: &str,
        key_columns: i64,
        df: &::polars::prelude::DataFrame,
    ) -> Result<()> {
        self.upsert_batch(table, key_columns, &crate::polars::from_dataframe(df)?)
            .await
    }
}
