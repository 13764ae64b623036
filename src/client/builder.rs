//! [`ClientBuilder`]: address, credentials, timeouts, limits and compression for a
//! [`Client`], with sensible defaults.

use super::Client;
use crate::transport::{ConnectOptions, TcpTransport};
use crate::wire::Limits;
use crate::Result;
use std::time::Duration;

/// Configures and opens a [`Client`].
///
/// ```no_run
/// use rayforce_client::Client;
/// use std::time::Duration;
/// let client = Client::builder("127.0.0.1", 5000)
///     .password("secret")
///     .connect_timeout(Duration::from_secs(2))
///     .read_timeout(Some(Duration::from_secs(30)))
///     .max_frame_size(1 << 30)
///     .connect()?;
/// # Ok::<(), rayforce_client::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct ClientBuilder {
    host: String,
    port: u16,
    options: ConnectOptions,
    compress_above: Option<usize>,
}

impl ClientBuilder {
    pub(crate) fn new(host: &str, port: u16) -> ClientBuilder {
        ClientBuilder {
            host: host.to_string(),
            port,
            options: ConnectOptions::default(),
            compress_above: None,
        }
    }

    /// The user name sent with the password (the server does not check it; default empty).
    pub fn user(mut self, user: &str) -> Self {
        let password = self
            .options
            .credentials
            .take()
            .map(|c| c.1)
            .unwrap_or_default();
        self.options.credentials = Some((user.to_string(), password));
        self
    }

    /// The password for a server started with `-u PW` or `-U PW`.
    pub fn password(mut self, password: &str) -> Self {
        let user = self
            .options
            .credentials
            .take()
            .map(|c| c.0)
            .unwrap_or_default();
        self.options.credentials = Some((user, password.to_string()));
        self
    }

    /// Bound on connecting, the handshake and authentication together (default 10 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.options.connect_timeout = timeout;
        self
    }

    /// Longest wait for reply bytes (default 60 s; `None` waits forever).
    pub fn read_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.options.read_timeout = timeout;
        self
    }

    /// Longest wait for the socket to take request bytes (default 60 s).
    pub fn write_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.options.write_timeout = timeout;
        self
    }

    /// Largest reply frame accepted (default 4 GiB; the server may send more than 256 MiB).
    pub fn max_frame_size(mut self, bytes: u64) -> Self {
        self.options.limits.max_frame_size = bytes;
        self
    }

    /// All decoding limits at once.
    pub fn limits(mut self, limits: Limits) -> Self {
        self.options.limits = limits;
        self
    }

    /// Compress request payloads larger than `bytes` when that makes them smaller
    /// (off by default: it only pays on slow links).
    pub fn compress_above(mut self, bytes: Option<usize>) -> Self {
        self.compress_above = bytes;
        self
    }

    /// Connects an [`AsyncClient`](super::AsyncClient) over TCP (feature `tokio`), with the
    /// same settings.
    #[cfg(feature = "tokio")]
    pub async fn connect_async(self) -> Result<super::AsyncClient> {
        super::AsyncClient::open(&self.host, self.port, &self.options, self.compress_above).await
    }

    /// Connects over TCP.
    pub fn connect(self) -> Result<Client> {
        let transport = TcpTransport::connect(&self.host, self.port, &self.options)?;
        let mut client = Client::with_transport(Box::new(transport), self.options.limits);
        client.compress_above = self.compress_above;
        Ok(client)
    }
}
