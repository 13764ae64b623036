//! [`CancelHandle`]: stops the request a client is running, from another thread or task.
//!
//! The server is told by the transport's [`CancelSignal`] (TCP: one urgent byte), which
//! interrupts most long computations (`sum`, `distinct`, `til` of large vectors; not a
//! lambda `map`). A cancelled request's answer is never handed out: Rayforce 2.4.0 may
//! answer a cancelled query with a wrong value instead of the `cancel` error, so the client
//! reports [`Error::Cancelled`] whatever arrives, and the connection stays usable.

use crate::transport::CancelSignal;
use crate::{Error, Result};
use std::sync::{Arc, Mutex, MutexGuard};

/// Cancels the request running on one connection; cheap to clone, `Send + Sync`.
///
/// Get one from [`Client::cancel_handle`](crate::Client::cancel_handle) or
/// [`AsyncClient::cancel_handle`](crate::AsyncClient::cancel_handle).
///
/// ```no_run
/// use rayforce_client::{Client, Error};
/// use std::time::Duration;
/// let mut client = Client::connect("127.0.0.1", 5000)?;
/// let cancel = client.cancel_handle();
/// std::thread::spawn(move || {
///     std::thread::sleep(Duration::from_millis(300));
///     cancel.cancel().ok();
/// });
/// let slow = client.execute("(count (distinct (til 100000000)))");
/// assert!(matches!(slow, Err(Error::Cancelled { .. })));
/// assert_eq!(client.execute("(+ 1 2)")?, 3i64.into()); // the same connection goes on
/// # Ok::<(), rayforce_client::Error>(())
/// ```
#[derive(Clone)]
pub struct CancelHandle {
    target: Arc<dyn Cancel>,
}

impl CancelHandle {
    pub(crate) fn new(target: Arc<dyn Cancel>) -> CancelHandle {
        CancelHandle { target }
    }

    /// Cancels the request the server is running for this connection. `Ok(true)`: a
    /// request was running; its caller gets [`Error::Cancelled`]. `Ok(false)`: nothing was
    /// running (nothing is sent). Over a transport without a cancel signal the server runs
    /// the request to its end, and its answer is still discarded.
    pub fn cancel(&self) -> Result<bool> {
        self.target.cancel()
    }
}

impl std::fmt::Debug for CancelHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CancelHandle").finish_non_exhaustive()
    }
}

/// What a [`CancelHandle`] drives: one implementation per client.
pub(crate) trait Cancel: Send + Sync {
    fn cancel(&self) -> Result<bool>;
}

/// Sends `signal` (if any), mapping a failure to [`Error::Io`].
pub(crate) fn send_signal(signal: Option<&Arc<dyn CancelSignal>>, peer: &str) -> Result<()> {
    match signal {
        Some(signal) => signal.send().map_err(|source| Error::Io {
            addr: peer.to_string(),
            source,
        }),
        None => Ok(()),
    }
}

/// The sync client's request in flight: at most one, so "the running request" is exact.
/// The lock covers both the state and sending the signal, so a cancel can never reach the
/// server after the request it was meant for has ended.
pub(crate) struct Flight {
    state: Mutex<FlightState>,
    signal: Option<Arc<dyn CancelSignal>>,
    peer: String,
}

#[derive(Default)]
struct FlightState {
    running: bool,
    cancelled: bool,
}

impl Flight {
    pub(crate) fn new(signal: Option<Arc<dyn CancelSignal>>, peer: &str) -> Flight {
        Flight {
            state: Mutex::default(),
            signal,
            peer: peer.to_string(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, FlightState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A request is about to be sent.
    pub(crate) fn begin(&self) {
        *self.lock() = FlightState {
            running: true,
            cancelled: false,
        };
    }

    /// The request's answer has arrived (or it failed): whether it was cancelled.
    pub(crate) fn end(&self) -> bool {
        std::mem::take(&mut *self.lock()).cancelled
    }

    /// Signals the server without marking the request cancelled (its deadline passed; the
    /// caller reports a timeout). Whether the server can be told at all.
    pub(crate) fn interrupt(&self) -> bool {
        let _held = self.lock();
        self.signal.is_some() && send_signal(self.signal.as_ref(), &self.peer).is_ok()
    }
}

impl Cancel for Flight {
    fn cancel(&self) -> Result<bool> {
        let mut state = self.lock();
        if !state.running || state.cancelled {
            return Ok(state.running);
        }
        send_signal(self.signal.as_ref(), &self.peer)?;
        state.cancelled = true;
        Ok(true)
    }
}
