//! Clients that reconnect after the connection is lost, like redis-rs's
//! `ConnectionManager`: [`ReconnectingClient`] (sync) and [`AsyncReconnectingClient`]
//! (feature `tokio`).
//!
//! The rule is the same for both, and written once ([`ReconnectPolicy`], [`retryable`]):
//! before a request, a lost connection is replaced (connect attempts spaced by exponential
//! backoff with jitter); a request that fails because the connection broke is reported,
//! never sent again — the server may have run it — unless the caller marks it idempotent
//! (`execute_idempotent`), which retries it on a new connection. Server errors are never
//! retried. A [`Pipeline`] given to `on_connect` runs on every new connection (session
//! setup, re-subscribing), before any request.

use super::{Client, ClientBuilder, Pipeline, Request};
use crate::{Error, Result, Value};
use std::hash::{BuildHasher, Hasher};
use std::time::Duration;

/// How to space reconnection attempts: exponential backoff with jitter.
///
/// ```
/// use rayforce_client::client::ReconnectPolicy;
/// use std::time::Duration;
/// let policy = ReconnectPolicy::default();
/// let delays: Vec<Duration> = policy.delays().collect();
/// assert_eq!(delays.len(), policy.max_attempts as usize - 1);
/// assert!(delays.iter().all(|d| *d <= policy.max_delay));
/// ```
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct ReconnectPolicy {
    /// The delay before the second attempt (default 50 ms); each later one doubles.
    pub first_delay: Duration,
    /// No delay grows past this (default 2 s).
    pub max_delay: Duration,
    /// Attempts in all, the first included, before the last error is returned (default 10).
    pub max_attempts: u32,
}

impl Default for ReconnectPolicy {
    fn default() -> ReconnectPolicy {
        ReconnectPolicy {
            first_delay: Duration::from_millis(50),
            max_delay: Duration::from_secs(2),
            max_attempts: 10,
        }
    }
}

impl ReconnectPolicy {
    /// A policy with these bounds.
    pub fn new(first_delay: Duration, max_delay: Duration, max_attempts: u32) -> ReconnectPolicy {
        ReconnectPolicy {
            first_delay,
            max_delay,
            max_attempts: max_attempts.max(1),
        }
    }

    /// The waits between attempts: `max_attempts - 1` of them, each drawn uniformly from
    /// the upper half of its exponential step (jitter spreads clients that lost the same
    /// server).
    pub fn delays(&self) -> impl Iterator<Item = Duration> {
        let mut random = std::collections::hash_map::RandomState::new().build_hasher();
        let (first, max) = (self.first_delay, self.max_delay);
        (0..self.max_attempts.saturating_sub(1)).map(move |step| {
            let ceiling = first
                .saturating_mul(1u32.checked_shl(step.min(31)).unwrap_or(u32::MAX))
                .min(max);
            random.write_u32(step);
            let unit = (random.finish() >> 11) as f64 / (1u64 << 53) as f64;
            ceiling / 2 + ceiling.mul_f64(unit / 2.0)
        })
    }
}

/// Whether `error` means the connection is gone (so another connection may succeed):
/// transport failures, a dead or refused connection. Server errors, timeouts of a request
/// the server cancelled, and bad input are not.
pub fn retryable(error: &Error) -> bool {
    error.is_fatal() && !matches!(error, Error::Closed)
        || matches!(error, Error::ConnectionRefused { .. })
}

/// A sync client that reconnects (see the [module](self)).
///
/// ```no_run
/// use rayforce_client::client::{ReconnectPolicy, ReconnectingClient};
/// use rayforce_client::Client;
/// let mut client = ReconnectingClient::new(Client::builder("127.0.0.1", 5000), ReconnectPolicy::default());
/// client.execute("(set n 0)")?; // sent at most once
/// let n = client.execute_idempotent("n")?; // a read: retried on a new connection if one breaks
/// # Ok::<(), rayforce_client::Error>(())
/// ```
#[derive(Debug)]
pub struct ReconnectingClient {
    builder: ClientBuilder,
    policy: ReconnectPolicy,
    setup: Pipeline,
    client: Option<Client>,
    connects: u64,
}

/// Every reply of a setup pipeline, or the first error.
fn setup_outcome(replies: Vec<Result<Value>>) -> Result<()> {
    replies.into_iter().try_for_each(|r| r.map(drop))
}

impl ReconnectingClient {
    /// A client that connects on first use with `builder`'s settings.
    pub fn new(builder: ClientBuilder, policy: ReconnectPolicy) -> ReconnectingClient {
        ReconnectingClient {
            builder,
            policy,
            setup: Pipeline::new(),
            client: None,
            connects: 0,
        }
    }

    /// Runs `setup` on every new connection before any request (its first error fails
    /// the connection attempt).
    pub fn on_connect(mut self, setup: Pipeline) -> ReconnectingClient {
        self.setup = setup;
        self
    }

    /// How many connections were opened so far.
    pub fn connects(&self) -> u64 {
        self.connects
    }

    /// The live connection, opened (with backoff) if there is none or it was lost.
    pub fn connection(&mut self) -> Result<&mut Client> {
        if !self.client.as_mut().is_some_and(Client::is_alive) {
            self.client = None;
            let mut delays = self.policy.delays();
            let client = loop {
                let attempt = self.builder.clone().connect().and_then(|mut client| {
                    setup_outcome(client.run(&self.setup)?)?;
                    Ok(client)
                });
                match attempt {
                    Ok(client) => break client,
                    Err(e) if retryable(&e) => match delays.next() {
                        Some(delay) => std::thread::sleep(delay),
                        None => return Err(e),
                    },
                    Err(e) => return Err(e),
                }
            };
            self.connects += 1;
            self.client = Some(client);
        }
        Ok(self.client.as_mut().expect("connected above"))
    }

    /// Sends `request` once on a live connection. If the connection breaks during the
    /// request the error is returned (the server may or may not have run it) and the next
    /// call reconnects.
    pub fn execute<R: Request + ?Sized>(&mut self, request: &R) -> Result<Value> {
        let result = self.connection()?.execute(request);
        if matches!(&result, Err(e) if retryable(e)) {
            self.client = None;
        }
        result
    }

    /// Sends a request that is safe to run twice (a read, an upsert of the same rows),
    /// retrying it on a new connection when one breaks, within the policy's attempts.
    pub fn execute_idempotent<R: Request + ?Sized>(&mut self, request: &R) -> Result<Value> {
        let mut delays = self.policy.delays();
        loop {
            match self.execute(request) {
                Err(e) if retryable(&e) => match delays.next() {
                    Some(delay) => std::thread::sleep(delay),
                    None => return Err(e),
                },
                result => return result,
            }
        }
    }
}

#[cfg(feature = "tokio")]
pub use self::tokio_client::AsyncReconnectingClient;

#[cfg(feature = "tokio")]
mod tokio_client {
    use super::{retryable, setup_outcome, ReconnectPolicy};
    use crate::client::{AsyncClient, ClientBuilder, Pipeline, Request};
    use crate::{Result, Value};
    use std::sync::{Arc, Mutex};

    /// An async client that reconnects (see the [module](super)); cheap to clone (clones
    /// share the connection, and one task reconnects for all).
    #[derive(Clone, Debug)]
    pub struct AsyncReconnectingClient {
        inner: Arc<Inner>,
    }

    #[derive(Debug)]
    struct Inner {
        builder: ClientBuilder,
        policy: ReconnectPolicy,
        setup: Pipeline,
        current: Mutex<Option<AsyncClient>>,
        /// Held while connecting, so concurrent callers wait for one new connection.
        connecting: tokio::sync::Mutex<u64>,
    }

    impl AsyncReconnectingClient {
        /// A client that connects on first use with `builder`'s settings.
        pub fn new(builder: ClientBuilder, policy: ReconnectPolicy) -> AsyncReconnectingClient {
            AsyncReconnectingClient::with_setup(builder, policy, Pipeline::new())
        }

        /// Like [`new`](Self::new), running `setup` on every new connection before any
        /// request (see [`ReconnectingClient::on_connect`](super::ReconnectingClient::on_connect)).
        pub fn with_setup(
            builder: ClientBuilder,
            policy: ReconnectPolicy,
            setup: Pipeline,
        ) -> AsyncReconnectingClient {
            AsyncReconnectingClient {
                inner: Arc::new(Inner {
                    builder,
                    policy,
                    setup,
                    current: Mutex::new(None),
                    connecting: tokio::sync::Mutex::new(0),
                }),
            }
        }

        fn live(&self) -> Option<AsyncClient> {
            let current = self.inner.current.lock().unwrap_or_else(|p| p.into_inner());
            current.as_ref().filter(|c| c.is_alive()).cloned()
        }

        /// How many connections were opened so far.
        pub async fn connects(&self) -> u64 {
            *self.inner.connecting.lock().await
        }

        /// The live connection, opened (with backoff) if there is none or it was lost.
        pub async fn connection(&self) -> Result<AsyncClient> {
            if let Some(client) = self.live() {
                return Ok(client);
            }
            let mut connects = self.inner.connecting.lock().await;
            if let Some(client) = self.live() {
                return Ok(client); // another caller reconnected meanwhile
            }
            let mut delays = self.inner.policy.delays();
            let client = loop {
                let attempt = async {
                    let client = self.inner.builder.clone().connect_async().await?;
                    setup_outcome(client.run(&self.inner.setup).await?)?;
                    Ok(client)
                };
                match attempt.await {
                    Ok(client) => break client,
                    Err(e) if retryable(&e) => match delays.next() {
                        Some(delay) => tokio::time::sleep(delay).await,
                        None => return Err(e),
                    },
                    Err(e) => return Err(e),
                }
            };
            *connects += 1;
            *self.inner.current.lock().unwrap_or_else(|p| p.into_inner()) = Some(client.clone());
            Ok(client)
        }

        /// Sends `request` once (see [`ReconnectingClient::execute`](super::ReconnectingClient::execute)).
        pub async fn execute<R: Request + ?Sized>(&self, request: &R) -> Result<Value> {
            self.connection().await?.execute(request).await
        }

        /// Sends a request that is safe to run twice, retrying it on a new connection
        /// (see [`ReconnectingClient::execute_idempotent`](super::ReconnectingClient::execute_idempotent)).
        pub async fn execute_idempotent<R: Request + ?Sized>(&self, request: &R) -> Result<Value> {
            let mut delays = self.inner.policy.delays();
            loop {
                match self.execute(request).await {
                    Err(e) if retryable(&e) => match delays.next() {
                        Some(delay) => tokio::time::sleep(delay).await,
                        None => return Err(e),
                    },
                    result => return result,
                }
            }
        }
    }
}
