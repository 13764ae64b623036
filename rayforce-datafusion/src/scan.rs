//! [`RayforceScanExec`]: the physical scan. One output partition per shard left after
//! pruning; each partition connects with the async client, sends the one compiled Rayforce
//! `select`, walks its result in pages (`AsyncClient::query_pages`) and yields each page as
//! a record batch of the declared schema. A failing shard fails the query with an error
//! naming the shard.

use crate::error::Error;
use crate::shard::Shard;
use datafusion::arrow::array::{RecordBatch, RecordBatchOptions};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::common::tree_node::TreeNodeRecursion;
use datafusion::error::Result;
use datafusion::execution::{SendableRecordBatchStream, TaskContext};
use datafusion::physical_expr::{EquivalenceProperties, PhysicalExpr};
use datafusion::physical_plan::execution_plan::{Boundedness, EmissionType};
use datafusion::physical_plan::stream::RecordBatchStreamAdapter;
use datafusion::physical_plan::{
    DisplayAs, DisplayFormatType, ExecutionPlan, Partitioning, PlanProperties,
};
use rayforce_client::arrow::{to_record_batch, ArrowOptions};
use rayforce_client::client::AsyncPages;
use rayforce_client::query::SelectQuery;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// What the scans of one table moved over the wire, for checking pushdown.
#[derive(Debug, Default)]
pub struct ScanStats {
    rows: AtomicU64,
    batches: AtomicU64,
    shard_scans: AtomicU64,
}

impl ScanStats {
    /// Rows received from all shards since the table was opened (or last [`reset`](Self::reset)).
    pub fn rows_received(&self) -> u64 {
        self.rows.load(Ordering::Relaxed)
    }

    /// Pages (record batches) received.
    pub fn batches_received(&self) -> u64 {
        self.batches.load(Ordering::Relaxed)
    }

    /// Shard queries started (shards pruned by a partition are not counted).
    pub fn shard_scans(&self) -> u64 {
        self.shard_scans.load(Ordering::Relaxed)
    }

    /// Sets the counters to zero.
    pub fn reset(&self) {
        self.rows.store(0, Ordering::Relaxed);
        self.batches.store(0, Ordering::Relaxed);
        self.shard_scans.store(0, Ordering::Relaxed);
    }
}

/// The physical scan of a Rayforce table over its shards.
#[derive(Debug)]
pub struct RayforceScanExec {
    schema: SchemaRef,
    queries: Vec<SelectQuery>,
    shards: Vec<Shard>,
    total_shards: usize,
    page_rows: u64,
    stats: Arc<ScanStats>,
    properties: Arc<PlanProperties>,
}

impl RayforceScanExec {
    pub(crate) fn new(
        schema: SchemaRef,
        queries: Vec<SelectQuery>,
        shards: Vec<Shard>,
        total_shards: usize,
        page_rows: u64,
        stats: Arc<ScanStats>,
    ) -> RayforceScanExec {
        let properties = PlanProperties::new(
            EquivalenceProperties::new(schema.clone()),
            Partitioning::UnknownPartitioning(shards.len().max(1)),
            EmissionType::Incremental,
            Boundedness::Bounded,
        );
        RayforceScanExec {
            schema,
            queries,
            shards,
            total_shards,
            page_rows,
            stats,
            properties: Arc::new(properties),
        }
    }

    /// The Rayforce queries each shard runs (one after the other), as Rayfall text.
    pub fn rayfall(&self) -> Vec<String> {
        self.queries
            .iter()
            .map(|q| {
                q.to_rayfall()
                    .unwrap_or_else(|e| format!("<not renderable: {e}>"))
            })
            .collect()
    }

    /// The shards this scan contacts (after pruning).
    pub fn shards(&self) -> &[Shard] {
        &self.shards
    }
}

impl DisplayAs for RayforceScanExec {
    fn fmt_as(&self, _t: DisplayFormatType, f: &mut fmt::Formatter) -> fmt::Result {
        let names: Vec<&str> = self.shards.iter().map(Shard::name).collect();
        write!(
            f,
            "RayforceScanExec: shards={}/{} [{}], query={}",
            self.shards.len(),
            self.total_shards,
            names.join(", "),
            self.rayfall().join(" then ")
        )
    }
}

/// Where one partition's read stands: the index of the next query to start, or a query's
/// pages being read.
enum Read {
    Start(usize),
    Paging(usize, Box<AsyncPages>),
}

impl ExecutionPlan for RayforceScanExec {
    fn name(&self) -> &str {
        "RayforceScanExec"
    }

    fn properties(&self) -> &Arc<PlanProperties> {
        &self.properties
    }

    fn children(&self) -> Vec<&Arc<dyn ExecutionPlan>> {
        vec![]
    }

    fn apply_expressions(
        &self,
        _f: &mut dyn FnMut(&Arc<dyn PhysicalExpr>) -> Result<TreeNodeRecursion>,
    ) -> Result<TreeNodeRecursion> {
        Ok(TreeNodeRecursion::Continue)
    }

    fn with_new_children(
        self: Arc<Self>,
        _children: Vec<Arc<dyn ExecutionPlan>>,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        Ok(self)
    }

    fn execute(
        &self,
        partition: usize,
        _context: Arc<TaskContext>,
    ) -> Result<SendableRecordBatchStream> {
        let schema = self.schema.clone();
        let Some(shard) = self.shards.get(partition).cloned() else {
            // Every shard pruned: one empty partition.
            let empty = futures::stream::empty();
            return Ok(Box::pin(RecordBatchStreamAdapter::new(schema, empty)));
        };
        let queries = Arc::new(self.queries.clone());
        let page_rows = self.page_rows;
        let stats = self.stats.clone();
        let target = schema.clone();
        let stream = futures::stream::try_unfold(Read::Start(0), move |mut state| {
            let (shard, queries, stats, target) = (
                shard.clone(),
                queries.clone(),
                stats.clone(),
                target.clone(),
            );
            async move {
                let fail = |source| shard.error(source);
                let mut client = None;
                loop {
                    let (index, mut pages) = match state {
                        Read::Paging(index, pages) => (index, pages),
                        Read::Start(index) => {
                            let Some(query) = queries.get(index) else {
                                return Ok(None);
                            };
                            if index == 0 {
                                stats.shard_scans.fetch_add(1, Ordering::Relaxed);
                            }
                            if client.is_none() {
                                let connected = shard
                                    .builder()
                                    .clone()
                                    .connect_async()
                                    .await
                                    .map_err(fail)?;
                                client = Some(connected);
                            }
                            let connection = client.as_ref().expect("connected above");
                            let pages = connection.query_pages(query, page_rows).await;
                            (index, Box::new(pages.map_err(fail)?))
                        }
                    };
                    match pages.next_page().await {
                        None => state = Read::Start(index + 1),
                        Some(Err(e)) => return Err(fail(e).into()),
                        Some(Ok(page)) => {
                            let rows = page.num_rows();
                            let batch = conform(page, &target, shard.name())?;
                            stats.rows.fetch_add(rows as u64, Ordering::Relaxed);
                            stats.batches.fetch_add(1, Ordering::Relaxed);
                            return Ok(Some((batch, Read::Paging(index, pages))));
                        }
                    }
                }
            }
        });
        Ok(Box::pin(RecordBatchStreamAdapter::new(schema, stream)))
    }
}

/// A reply page as a batch of exactly the declared schema (names, order, types).
fn conform(
    page: rayforce_client::Table,
    target: &SchemaRef,
    shard: &str,
) -> std::result::Result<RecordBatch, Error> {
    let rows = page.num_rows();
    let convert = |detail: String| Error::Conversion {
        shard: shard.to_string(),
        detail,
    };
    if target.fields().is_empty() {
        let options = RecordBatchOptions::new().with_row_count(Some(rows));
        return RecordBatch::try_new_with_options(target.clone(), vec![], &options)
            .map_err(|e| convert(e.to_string()));
    }
    let batch =
        to_record_batch(page, ArrowOptions::default()).map_err(|e| convert(e.to_string()))?;
    let columns = target
        .fields()
        .iter()
        .map(|field| {
            let column = batch
                .column_by_name(field.name())
                .ok_or_else(|| convert(format!("no column {:?} in the reply", field.name())))?;
            if column.data_type() == field.data_type() {
                Ok(column.clone())
            } else {
                cast(column, field.data_type())
                    .map_err(|e| convert(format!("{}: {e}", field.name())))
            }
        })
        .collect::<std::result::Result<Vec<_>, Error>>()?;
    RecordBatch::try_new(target.clone(), columns).map_err(|e| convert(e.to_string()))
}
