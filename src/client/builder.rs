//! [`ClientBuilder`]: address, credentials, timeouts, limits and compression for a
//! [`Client`], with sensible defaults.

use super::{Client, Settings};
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
    settings: Settings,
}

impl ClientBuilder {
    pub(crate) fn new(host: &str, port: u16) -> ClientBuilder {
        ClientBuilder {
            host: host.to_string(),
            port,
            options: ConnectOptions::default(),
            settings: Settings::default(),
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

    /// Each request's default deadline, and the longest a reply may then take to arrive
    /// (default 60 s; `None` waits forever). A request whose answer has not begun by then
    /// is cancelled on the server and fails with [`Error::Timeout`](crate::Error::Timeout)
    /// `op: "request"`, keeping the connection (see
    /// [`Client::execute_with_timeout`](super::Client::execute_with_timeout)).
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
        self.settings.compress_above = bytes;
        self
    }

    /// How long to wait for the answer of a request cancelled at its deadline before the
    /// connection is given up (default [`DEFAULT_CANCEL_GRACE`](super::DEFAULT_CANCEL_GRACE)).
    pub fn cancel_grace(mut self, grace: Duration) -> Self {
        self.settings.cancel_grace = grace;
        self
    }

    /// How many pushed messages to keep until the application takes them (default
    /// [`DEFAULT_PUSH_BUFFER`](super::DEFAULT_PUSH_BUFFER)); past it the oldest are dropped
    /// and reported as [`Error::Lagged`](crate::Error::Lagged).
    pub fn push_buffer(mut self, messages: usize) -> Self {
        self.settings.push_buffer = messages;
        self
    }

    /// A builder from a connection URL:
    /// `rayforce://[user[:password]@]host[:port][?option=value&…]` (default port 5000).
    /// User and password are percent-decoded; IPv6 hosts go in brackets. Options:
    /// `connect_timeout`, `read_timeout`, `write_timeout` (`250ms`, `2s`, `1m`, or `none`
    /// for the read and write timeouts), `cancel_grace` (a duration), `push_buffer`
    /// (messages), `max_frame_size` and `compress_above` (bytes, or `none`). Anything else is an [`Error::Config`](crate::Error::Config) naming it.
    ///
    /// ```
    /// use rayforce_client::ClientBuilder;
    /// let b = ClientBuilder::from_url("rayforce://ann:p%40ss@[::1]:5001?read_timeout=2s")?;
    /// assert_eq!(b.address(), ("::1", 5001));
    /// assert!(ClientBuilder::from_url("http://localhost:5000").is_err());
    /// assert!(ClientBuilder::from_url("rayforce://localhost?read_timout=2s").is_err());
    /// # Ok::<(), rayforce_client::Error>(())
    /// ```
    pub fn from_url(url: &str) -> Result<ClientBuilder> {
        let bad = |why: String| crate::Error::Config(format!("connection URL: {why}"));
        let parsed = url::Url::parse(url).map_err(|e| bad(format!("{e}")))?;
        if parsed.scheme() != "rayforce" {
            return Err(bad(format!(
                "scheme `{}` (expected rayforce://)",
                parsed.scheme()
            )));
        }
        let host = match parsed.host() {
            Some(url::Host::Ipv6(ip)) => ip.to_string(),
            Some(host) => host.to_string(),
            None => return Err(bad("no host".into())),
        };
        if !matches!(parsed.path(), "" | "/") || parsed.fragment().is_some() {
            return Err(bad("a path or fragment has no meaning here".into()));
        }
        let mut builder = ClientBuilder::new(&host, parsed.port().unwrap_or(5000));
        let decode = |s: &str| {
            percent_decode(s)
                .ok_or_else(|| bad("user or password is not valid percent-encoded UTF-8".into()))
        };
        if !parsed.username().is_empty() {
            builder = builder.user(&decode(parsed.username())?);
        }
        if let Some(password) = parsed.password() {
            builder = builder.password(&decode(password)?);
        }
        for (key, value) in parsed.query_pairs() {
            let duration = || {
                parse_duration(&value).ok_or_else(|| bad(format!("{key}={value}: not a duration")))
            };
            let optional = |v: &str| v.eq_ignore_ascii_case("none");
            builder = match key.as_ref() {
                "connect_timeout" => builder.connect_timeout(duration()?),
                "read_timeout" if optional(&value) => builder.read_timeout(None),
                "read_timeout" => builder.read_timeout(Some(duration()?)),
                "write_timeout" if optional(&value) => builder.write_timeout(None),
                "write_timeout" => builder.write_timeout(Some(duration()?)),
                "max_frame_size" => builder.max_frame_size(
                    value
                        .parse()
                        .map_err(|_| bad(format!("{key}={value}: not a byte count")))?,
                ),
                "cancel_grace" => builder.cancel_grace(duration()?),
                "push_buffer" => builder.push_buffer(
                    value
                        .parse()
                        .map_err(|_| bad(format!("{key}={value}: not a message count")))?,
                ),
                "compress_above" if optional(&value) => builder.compress_above(None),
                "compress_above" => builder.compress_above(Some(
                    value
                        .parse()
                        .map_err(|_| bad(format!("{key}={value}: not a byte count")))?,
                )),
                other => return Err(bad(format!("unknown option `{other}`"))),
            };
        }
        Ok(builder)
    }

    /// A builder from the `RAYFORCE_URL` environment variable (see
    /// [`from_url`](Self::from_url)).
    pub fn from_env() -> Result<ClientBuilder> {
        let url = std::env::var("RAYFORCE_URL")
            .map_err(|_| crate::Error::Config("RAYFORCE_URL is not set (or not UTF-8)".into()))?;
        ClientBuilder::from_url(&url)
    }

    /// The host and port this builder connects to.
    pub fn address(&self) -> (&str, u16) {
        (&self.host, self.port)
    }

    /// Connects an [`AsyncClient`](super::AsyncClient) over TCP (feature `tokio`), with the
    /// same settings.
    #[cfg(feature = "tokio")]
    pub async fn connect_async(self) -> Result<super::AsyncClient> {
        super::AsyncClient::open(&self.host, self.port, &self.options, &self.settings).await
    }

    /// Connects over TCP.
    pub fn connect(self) -> Result<Client> {
        let transport = TcpTransport::connect(&self.host, self.port, &self.options)?;
        Ok(Client::with_settings(
            Box::new(transport),
            self.options.limits,
            self.settings,
            self.options.read_timeout,
        ))
    }
}

/// `250ms`, `2s`, `1.5s`, `1m`: a positive duration with a unit.
fn parse_duration(text: &str) -> Option<Duration> {
    let split = text.find(|c: char| !(c.is_ascii_digit() || c == '.'))?;
    let (number, unit) = text.split_at(split);
    let number: f64 = number.parse().ok()?;
    let seconds = match unit {
        "ms" => number / 1000.0,
        "s" => number,
        "m" => number * 60.0,
        _ => return None,
    };
    Duration::try_from_secs_f64(seconds).ok()
}

/// Percent-decoding of a URL's user or password into UTF-8.
fn percent_decode(text: &str) -> Option<String> {
    percent_encoding::percent_decode_str(text)
        .decode_utf8()
        .ok()
        .map(|s| s.into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_set_every_option_and_refuse_what_they_do_not_know() {
        let b = ClientBuilder::from_url(
            "rayforce://bob:s%3Acr%C3%A9t@db.example:6000?connect_timeout=1500ms&read_timeout=none&write_timeout=1m&max_frame_size=1048576&compress_above=4096&cancel_grace=250ms&push_buffer=8",
        )
        .unwrap();
        assert_eq!(b.address(), ("db.example", 6000));
        assert_eq!(
            b.options.credentials,
            Some(("bob".to_string(), "s:crét".to_string()))
        );
        assert_eq!(b.options.connect_timeout, Duration::from_millis(1500));
        assert_eq!(b.options.read_timeout, None);
        assert_eq!(b.options.write_timeout, Some(Duration::from_secs(60)));
        assert_eq!(b.options.limits.max_frame_size, 1 << 20);
        assert_eq!(b.settings.compress_above, Some(4096));
        assert_eq!(b.settings.cancel_grace, Duration::from_millis(250));
        assert_eq!(b.settings.push_buffer, 8);
        let b = ClientBuilder::from_url("rayforce://[::1]").unwrap();
        assert_eq!(b.address(), ("::1", 5000));
        for bad in [
            "rayforce://",
            "tcp://localhost:5000",
            "rayforce://localhost:5000/db",
            "rayforce://localhost?read_timeout=soon",
            "rayforce://localhost?read_timeout=-1s",
            "rayforce://localhost?max_frame_size=big",
            "rayforce://localhost?colour=blue",
            "rayforce://u:%ff@localhost",
            "rayforce://localhost:99999",
        ] {
            let err = ClientBuilder::from_url(bad).unwrap_err();
            assert!(matches!(err, crate::Error::Config(_)), "{bad}: {err:?}");
        }
    }
}
