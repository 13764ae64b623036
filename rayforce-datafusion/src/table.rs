//! [`RayforceTable`]: one logical table over one or more shards, as a DataFusion
//! `TableProvider`. The schema is read from every shard when the table is opened (they must
//! agree); a scan compiles its projection, filters and limit into one Rayforce `select`.

use crate::error::Error;
use crate::filter::Compiler;
use crate::scan::{RayforceScanExec, ScanStats};
use crate::shard::Shard;
use async_trait::async_trait;
use datafusion::arrow::datatypes::{Field, Schema, SchemaRef};
use datafusion::catalog::Session;
use datafusion::datasource::{source_as_provider, TableProvider, TableType};
use datafusion::error::Result;
use datafusion::logical_expr::{Expr, TableProviderFilterPushDown, TableScan};
use datafusion::physical_plan::ExecutionPlan;
use rayforce_client::arrow::{to_record_batch, ArrowOptions};
use rayforce_client::query::{table as server_table, SelectQuery};
use rayforce_client::{Type, Value};
use std::collections::HashMap;
use std::sync::Arc;

/// Rows per page when a shard's result is read (one request per page).
pub const DEFAULT_PAGE_ROWS: u64 = 1 << 18;

/// A Rayforce table, on one server or split over several, as a DataFusion table.
///
/// Register it with `SessionContext::register_table`; create the context with
/// [`session_context`](crate::session_context) so aggregations are pushed down too.
#[derive(Debug, Clone)]
pub struct RayforceTable {
    pub(crate) inner: Arc<TableInfo>,
}

#[derive(Debug)]
pub(crate) struct TableInfo {
    pub name: String,
    pub shards: Vec<Shard>,
    pub schema: SchemaRef,
    pub types: HashMap<String, Type>,
    pub page_rows: u64,
    pub stats: Arc<ScanStats>,
}

impl RayforceTable {
    /// Opens the server table `name` on one shard or several (read concurrently): each
    /// shard's columns are read, and must be the same on all.
    pub async fn open(name: &str, shards: Vec<Shard>) -> std::result::Result<RayforceTable, Error> {
        let first = shards.first().ok_or(Error::NoShards)?.clone();
        let schemas = futures::future::join_all(shards.iter().map(|s| columns_of(s, name))).await;
        let mut reference: Option<(SchemaRef, HashMap<String, Type>)> = None;
        for (shard, schema) in shards.iter().zip(schemas) {
            let (schema, types) = schema?;
            match &reference {
                None => reference = Some((schema, types)),
                Some((expected, _)) => {
                    if let Some(detail) = difference(expected, &schema) {
                        return Err(Error::SchemaMismatch {
                            shard: shard.name().to_string(),
                            first: first.name().to_string(),
                            detail,
                        });
                    }
                }
            }
        }
        let (schema, types) = reference.ok_or(Error::NoShards)?;
        Ok(RayforceTable {
            inner: Arc::new(TableInfo {
                name: name.to_string(),
                shards,
                schema,
                types,
                page_rows: DEFAULT_PAGE_ROWS,
                stats: Arc::default(),
            }),
        })
    }

    /// The same table read in pages of `rows` rows (default [`DEFAULT_PAGE_ROWS`]).
    pub fn with_page_rows(self, rows: u64) -> RayforceTable {
        let info = &self.inner;
        RayforceTable {
            inner: Arc::new(TableInfo {
                name: info.name.clone(),
                shards: info.shards.clone(),
                schema: info.schema.clone(),
                types: info.types.clone(),
                page_rows: rows.max(1),
                stats: info.stats.clone(),
            }),
        }
    }

    /// The server table's name.
    pub fn name(&self) -> &str {
        &self.inner.name
    }

    /// The shards.
    pub fn shards(&self) -> &[Shard] {
        &self.inner.shards
    }

    /// What the scans of this table moved over the wire.
    pub fn stats(&self) -> &ScanStats {
        &self.inner.stats
    }

    /// The Rayforce table a logical scan reads, when every filter in it was pushed down
    /// (the plan shape the pushdown rules start from).
    pub(crate) fn of_scan(scan: &TableScan) -> Option<RayforceTable> {
        let provider = source_as_provider(&scan.source).ok()?;
        let table = provider.downcast_ref::<RayforceTable>()?.clone();
        scan.filters
            .iter()
            .all(|f| table.can_push_down(f))
            .then_some(table)
    }

    /// Whether DataFusion can leave `filter` entirely to the servers.
    pub fn can_push_down(&self, filter: &Expr) -> bool {
        self.compiler().compile(filter).is_some()
    }

    pub(crate) fn compiler(&self) -> Compiler<'_> {
        Compiler {
            columns: &self.inner.types,
        }
    }

    /// The query a scan sends: projection, filters and limit in one `select`.
    pub(crate) fn select(
        &self,
        columns: &[String],
        filters: &[Expr],
        limit: Option<usize>,
    ) -> SelectQuery {
        let names: Vec<&str> = if columns.is_empty() {
            // Only the row count is needed: any one column carries it.
            self.inner
                .schema
                .fields()
                .iter()
                .take(1)
                .map(|f| f.name().as_str())
                .collect()
        } else {
            columns.iter().map(String::as_str).collect()
        };
        let mut query = server_table(&self.inner.name).select(names);
        if let Some(predicate) = self.compiler().compile_all(filters) {
            query = query.filter(predicate);
        }
        if let Some(n) = limit {
            query = query.limit(i64::try_from(n).unwrap_or(i64::MAX));
        }
        query
    }

    /// The shards whose partition the filters do not exclude.
    pub(crate) fn shards_for(&self, filters: &[Expr]) -> Vec<Shard> {
        self.inner
            .shards
            .iter()
            .filter(|s| s.may_match(filters))
            .cloned()
            .collect()
    }

    pub(crate) fn exec(
        &self,
        schema: SchemaRef,
        queries: Vec<SelectQuery>,
        filters: &[Expr],
    ) -> RayforceScanExec {
        RayforceScanExec::new(
            schema,
            queries,
            self.shards_for(filters),
            self.inner.shards.len(),
            self.inner.page_rows,
            self.inner.stats.clone(),
        )
    }
}

#[async_trait]
impl TableProvider for RayforceTable {
    fn schema(&self) -> SchemaRef {
        self.inner.schema.clone()
    }

    fn table_type(&self) -> TableType {
        TableType::Base
    }

    fn supports_filters_pushdown(
        &self,
        filters: &[&Expr],
    ) -> Result<Vec<TableProviderFilterPushDown>> {
        Ok(filters
            .iter()
            .map(|f| {
                if self.can_push_down(f) {
                    TableProviderFilterPushDown::Exact
                } else {
                    TableProviderFilterPushDown::Unsupported
                }
            })
            .collect())
    }

    async fn scan(
        &self,
        _state: &dyn Session,
        projection: Option<&Vec<usize>>,
        filters: &[Expr],
        limit: Option<usize>,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        let schema = projected(&self.inner.schema, projection)?;
        let columns: Vec<String> = schema.fields().iter().map(|f| f.name().clone()).collect();
        let query = self.select(&columns, filters, limit);
        Ok(Arc::new(self.exec(schema, vec![query], filters)))
    }
}

/// The columns of `schema` a scan reads.
pub(crate) fn projected(schema: &SchemaRef, projection: Option<&Vec<usize>>) -> Result<SchemaRef> {
    Ok(match projection {
        Some(indices) => Arc::new(schema.project(indices)?),
        None => schema.clone(),
    })
}

/// A shard's columns: `select` of no rows, turned into an Arrow schema (all nullable: a
/// Rayforce column may hold its type's null) and the Rayforce type of each column.
async fn columns_of(
    shard: &Shard,
    table: &str,
) -> std::result::Result<(SchemaRef, HashMap<String, Type>), Error> {
    let fail = |source| shard.error(source);
    let client = shard
        .builder()
        .clone()
        .connect_async()
        .await
        .map_err(fail)?;
    let reply = client
        .execute(&server_table(table).select_all().limit(0))
        .await
        .map_err(fail)?;
    let Value::Table(empty) = reply else {
        return Err(fail(rayforce_client::Error::TypeMismatch {
            expected: format!("the table {table:?}"),
            actual: reply.kind_name(),
        }));
    };
    let types = empty
        .names()
        .iter_lossy()
        .zip(empty.columns())
        .filter_map(|(name, column)| Some((name.into_owned(), column.elem_type()?)))
        .collect();
    let batch = to_record_batch(empty, ArrowOptions::default()).map_err(fail)?;
    let fields: Vec<Field> = batch
        .schema()
        .fields()
        .iter()
        .map(|f| Field::new(f.name(), f.data_type().clone(), true))
        .collect();
    let _ = client.close().await;
    Ok((Arc::new(Schema::new(fields)), types))
}

/// The first difference between two schemas, if any.
fn difference(expected: &Schema, actual: &Schema) -> Option<String> {
    if expected.fields().len() != actual.fields().len() {
        return Some(format!(
            "{} columns instead of {}",
            actual.fields().len(),
            expected.fields().len()
        ));
    }
    expected
        .fields()
        .iter()
        .zip(actual.fields())
        .find(|(a, b)| a.name() != b.name() || a.data_type() != b.data_type())
        .map(|(a, b)| {
            format!(
                "column {} {} instead of {} {}",
                b.name(),
                b.data_type(),
                a.name(),
                a.data_type()
            )
        })
}
