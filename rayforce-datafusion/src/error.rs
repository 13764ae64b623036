//! The crate's errors, turned into `DataFusionError::External` at DataFusion's boundary so a
//! caller can downcast them and learn which shard failed.

use datafusion::error::DataFusionError;

/// What went wrong while planning or reading a Rayforce table.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A shard could not be reached or answered with an error: never a silently partial
    /// result.
    #[error("shard {shard} ({address}): {source}")]
    Shard {
        /// The shard's name.
        shard: String,
        /// `host:port`.
        address: String,
        /// The client's error.
        #[source]
        source: rayforce_client::Error,
    },
    /// Two shards disagree about the table's columns.
    #[error("shard {shard}: the table's columns differ from shard {first}'s ({detail})")]
    SchemaMismatch {
        /// The shard whose columns differ.
        shard: String,
        /// The shard the schema was taken from.
        first: String,
        /// The first difference.
        detail: String,
    },
    /// A table needs at least one shard.
    #[error("a table needs at least one shard")]
    NoShards,
    /// A reply could not be turned into Arrow data of the table's schema.
    #[error("shard {shard}: {detail}")]
    Conversion {
        /// The shard's name.
        shard: String,
        /// What did not fit.
        detail: String,
    },
}

impl From<Error> for DataFusionError {
    fn from(error: Error) -> DataFusionError {
        DataFusionError::External(Box::new(error))
    }
}
