//! An async pool of clients through the `deadpool` crate (feature `deadpool`): a
//! [`deadpool::managed::Manager`] that opens [`AsyncClient`]s from a [`ClientBuilder`] and
//! replaces dead ones.
//!
//! deadpool rather than bb8: it has native `async fn` managers (no boxed futures), a much
//! smaller dependency tree (no `futures-util`, `parking_lot`), and a recycle hook that fits
//! a liveness check. One `AsyncClient` already pipelines many requests from many tasks; a
//! pool is for spreading work over several connections, since the server evaluates one
//! connection's requests one after another.

use super::{AsyncClient, ClientBuilder};
use crate::Error;
use deadpool::managed::{self, Metrics, RecycleError, RecycleResult};

/// Opens pooled async clients; a connection that died is not handed out again.
///
/// ```no_run
/// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
/// use rayforce_client::client::{AsyncClientManager, AsyncPool};
/// use rayforce_client::Client;
/// let manager = AsyncClientManager::new(Client::builder("127.0.0.1", 5000));
/// let pool = AsyncPool::builder(manager).max_size(8).build()?;
/// let client = pool.get().await.map_err(|e| e.to_string())?;
/// let three = client.execute("(+ 1 2)").await?;
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct AsyncClientManager {
    builder: ClientBuilder,
}

/// A deadpool pool of [`AsyncClient`]s.
pub type AsyncPool = managed::Pool<AsyncClientManager>;

impl AsyncClientManager {
    /// A manager that opens clients with `builder`'s settings.
    pub fn new(builder: ClientBuilder) -> AsyncClientManager {
        AsyncClientManager { builder }
    }
}

impl managed::Manager for AsyncClientManager {
    type Type = AsyncClient;
    type Error = Error;

    async fn create(&self) -> Result<AsyncClient, Error> {
        self.builder.clone().connect_async().await
    }

    async fn recycle(&self, client: &mut AsyncClient, _: &Metrics) -> RecycleResult<Error> {
        if client.is_alive() {
            Ok(())
        } else {
            Err(RecycleError::message("the connection is dead"))
        }
    }
}
