//! [`PushedScan`]: the table a pushdown rule puts in place of a Rayforce scan when the shards
//! compute more than a selection (partial aggregates, a top k). One provider for every rule:
//! the rule supplies the shards' queries ([`ShardQueries`]); the scan, pruning and paging are
//! the table's own.

use crate::table::{projected, RayforceTable};
use async_trait::async_trait;
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::catalog::Session;
use datafusion::datasource::{TableProvider, TableType};
use datafusion::error::Result;
use datafusion::logical_expr::{Expr, TableProviderFilterPushDown};
use datafusion::physical_plan::ExecutionPlan;
use rayforce_client::query::SelectQuery;
use std::fmt::Debug;
use std::sync::Arc;

/// The queries each shard runs, in order, for the output columns DataFusion reads.
pub(crate) trait ShardQueries: Debug + Send + Sync {
    fn queries(&self, columns: &[String]) -> Vec<SelectQuery>;
}

/// A scan whose shard queries a pushdown rule decided.
#[derive(Debug)]
pub(crate) struct PushedScan {
    pub table: RayforceTable,
    /// What the shards' queries return.
    pub schema: SchemaRef,
    pub queries: Arc<dyn ShardQueries>,
    /// The filters already inside the queries (they also prune shards).
    pub filters: Vec<Expr>,
}

#[async_trait]
impl TableProvider for PushedScan {
    fn schema(&self) -> SchemaRef {
        self.schema.clone()
    }

    fn table_type(&self) -> TableType {
        TableType::Temporary
    }

    /// Filters written above the rewritten plan stay in DataFusion.
    fn supports_filters_pushdown(
        &self,
        filters: &[&Expr],
    ) -> Result<Vec<TableProviderFilterPushDown>> {
        Ok(vec![
            TableProviderFilterPushDown::Unsupported;
            filters.len()
        ])
    }

    async fn scan(
        &self,
        _state: &dyn Session,
        projection: Option<&Vec<usize>>,
        _filters: &[Expr],
        _limit: Option<usize>,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        let schema = projected(&self.schema, projection)?;
        let columns: Vec<String> = schema.fields().iter().map(|f| f.name().clone()).collect();
        let queries = self.queries.queries(&columns);
        Ok(Arc::new(self.table.exec(schema, queries, &self.filters)))
    }
}
