//! [`LocalServer`]: runs the real `rayforce` binary on a free loopback port, for
//! quickstarts, examples and integration tests. Stopped (killed and reaped) on drop.

use crate::{Client, Error, Result};
use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The server version the SDK is built and tested against.
pub const RAYFORCE_VERSION: &str = "2.4.0";

/// How to get the binary when it cannot be found.
const HOW_TO_GET: &str = "enable the crate feature `local-server-download` (it installs the \
pinned rayforce-py 2.4.0 binary itself), or run `bash scripts/fetch-rayforce.sh` and set \
RAYFORCE_BIN to the path it prints";

/// A `rayforce` server process on `127.0.0.1`, stopped when dropped.
///
/// ```no_run
/// use rayforce_client::LocalServer;
/// let server = LocalServer::builder().password("secret").start()?;
/// let mut client = server.client()?; // already authenticated
/// println!("{}", client.execute("(til 5)")?);
/// # Ok::<(), rayforce_client::Error>(())
/// ```
pub struct LocalServer {
    child: Child,
    port: u16,
    password: Option<String>,
    output: Arc<Mutex<Vec<String>>>,
}

/// Options for [`LocalServer`].
#[derive(Clone, Debug, Default)]
pub struct LocalServerBuilder {
    binary: Option<PathBuf>,
    password: Option<String>,
    restricted: bool,
    startup_timeout: Option<Duration>,
    args: Vec<String>,
    port: Option<u16>,
}

impl LocalServerBuilder {
    /// Listen on this port (default: a free one). Useful to restart a server where its
    /// clients expect it.
    pub fn port(mut self, port: u16) -> Self {
        self.port = Some(port);
        self
    }

    /// Use this binary instead of searching for one.
    pub fn binary(mut self, path: impl Into<PathBuf>) -> Self {
        self.binary = Some(path.into());
        self
    }

    /// Require this password (`-u PW`).
    pub fn password(mut self, password: &str) -> Self {
        self.password = Some(password.to_string());
        self.restricted = false;
        self
    }

    /// Require this password and run every request in restricted mode (`-U PW`).
    pub fn restricted_password(mut self, password: &str) -> Self {
        self.password = Some(password.to_string());
        self.restricted = true;
        self
    }

    /// How long to wait for the server to listen (default 20 s).
    pub fn startup_timeout(mut self, timeout: Duration) -> Self {
        self.startup_timeout = Some(timeout);
        self
    }

    /// Extra command-line arguments (e.g. `["-c", "1"]`).
    pub fn args<I: IntoIterator<Item = S>, S: Into<String>>(mut self, args: I) -> Self {
        self.args.extend(args.into_iter().map(Into::into));
        self
    }

    /// Starts the server and waits until it listens.
    pub fn start(self) -> Result<LocalServer> {
        let binary = match &self.binary {
            Some(b) => b.clone(),
            None => find_binary()?,
        };
        let timeout = self.startup_timeout.unwrap_or(Duration::from_secs(20));
        let mut last_error = None;
        // A free port can be taken between our probe and the server's bind, and a fixed
        // one may still be held by a server that is exiting: retry.
        for attempt in 0..5 {
            if attempt > 0 && self.port.is_some() {
                std::thread::sleep(Duration::from_millis(200));
            }
            match self.try_start(&binary, timeout) {
                Ok(server) => return Ok(server),
                Err(e) => last_error = Some(e),
            }
        }
        Err(last_error.unwrap_or_else(|| Error::LocalServer("could not start".into())))
    }

    fn try_start(&self, binary: &Path, timeout: Duration) -> Result<LocalServer> {
        let port = match self.port {
            Some(port) => port,
            None => free_port()?,
        };
        let mut cmd = Command::new(binary);
        cmd.arg("-p").arg(format!("127.0.0.1:{port}"));
        if let Some(pw) = &self.password {
            cmd.arg(if self.restricted { "-U" } else { "-u" }).arg(pw);
        }
        // A Ctrl-C typed in the terminal of the program that owns the server (a REPL
        // cancelling a query, say) reaches the whole process group: the server ignores it
        // (an ignored signal stays ignored across exec), and still ends with its group on
        // a hang-up or a kill.
        #[cfg(unix)]
        // SAFETY: only `signal`, which is async-signal-safe, runs between fork and exec.
        unsafe {
            std::os::unix::process::CommandExt::pre_exec(&mut cmd, || {
                libc::signal(libc::SIGINT, libc::SIG_IGN);
                Ok(())
            });
        }
        cmd.args(&self.args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().map_err(|e| {
            Error::LocalServer(format!(
                "cannot run {}: {e}; {HOW_TO_GET}",
                binary.display()
            ))
        })?;
        let output = Arc::new(Mutex::new(Vec::new()));
        let (ready_tx, ready_rx) = mpsc::channel();
        for stream in [
            child
                .stdout
                .take()
                .map(|s| Box::new(s) as Box<dyn std::io::Read + Send>),
            child
                .stderr
                .take()
                .map(|s| Box::new(s) as Box<dyn std::io::Read + Send>),
        ]
        .into_iter()
        .flatten()
        {
            let output = Arc::clone(&output);
            let ready_tx = ready_tx.clone();
            // Drain the pipe for the server's whole life so it never blocks on output.
            std::thread::spawn(move || {
                for line in BufReader::new(stream).lines() {
                    let Ok(line) = line else { break };
                    if line.contains("listening on") {
                        let _ = ready_tx.send(());
                    }
                    let mut lines = output.lock().unwrap_or_else(|p| p.into_inner());
                    if lines.len() < 200 {
                        lines.push(line);
                    }
                }
            });
        }
        drop(ready_tx);
        let mut server = LocalServer {
            child,
            port,
            password: self.password.clone(),
            output,
        };
        let deadline = Instant::now() + timeout;
        loop {
            match ready_rx.recv_timeout(Duration::from_millis(50)) {
                Ok(()) => return Ok(server),
                Err(mpsc::RecvTimeoutError::Disconnected) => {
                    return Err(server.startup_failure("exited before listening"))
                }
                Err(mpsc::RecvTimeoutError::Timeout) => {}
            }
            if let Ok(Some(status)) = server.child.try_wait() {
                return Err(server.startup_failure(&format!("exited with {status}")));
            }
            if Instant::now() >= deadline {
                return Err(server.startup_failure(&format!("did not listen within {timeout:?}")));
            }
        }
    }
}

impl LocalServer {
    /// Starts a server without a password, found as described in [`find_binary`].
    pub fn start() -> Result<LocalServer> {
        LocalServerBuilder::default().start()
    }

    /// Options: binary path, password, restricted mode, startup timeout, extra arguments.
    pub fn builder() -> LocalServerBuilder {
        LocalServerBuilder::default()
    }

    /// The host it listens on (`127.0.0.1`).
    pub fn host(&self) -> &str {
        "127.0.0.1"
    }

    /// The port it listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// `127.0.0.1:PORT`.
    pub fn addr(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// A client connected to this server, with its password if it has one.
    pub fn client(&self) -> Result<Client> {
        let mut builder = Client::builder(self.host(), self.port);
        if let Some(pw) = &self.password {
            builder = builder.password(pw);
        }
        builder.connect()
    }

    /// What the server printed so far (first 200 lines).
    pub fn output(&self) -> Vec<String> {
        self.output
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Kills the server now and waits for it to exit.
    pub fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    fn startup_failure(&mut self, what: &str) -> Error {
        self.stop();
        std::thread::sleep(Duration::from_millis(20));
        Error::LocalServer(format!(
            "rayforce on port {} {what}; its output: {:?}",
            self.port,
            self.output()
        ))
    }
}

impl Drop for LocalServer {
    fn drop(&mut self) {
        self.stop();
    }
}

impl std::fmt::Debug for LocalServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LocalServer")
            .field("addr", &self.addr())
            .field("pid", &self.child.id())
            .finish()
    }
}

fn free_port() -> Result<u16> {
    let listener = TcpListener::bind("127.0.0.1:0")
        .map_err(|e| Error::LocalServer(format!("cannot find a free port: {e}")))?;
    listener
        .local_addr()
        .map(|a| a.port())
        .map_err(|e| Error::LocalServer(format!("cannot find a free port: {e}")))
}

/// Finds the `rayforce` binary: `$RAYFORCE_BIN`, then `rayforce` on `$PATH`, then the cache
/// that `scripts/fetch-rayforce.sh` fills (`$RAYFORCE_CACHE_DIR`, or `.cache/rayforce`
/// in this crate's source folder), under `2.4.0/rayforce`. With the feature
/// `local-server-download`, it then installs the pinned binary itself into the user's
/// cache folder ([`download::install`](super::download::install)) and uses it from then on.
pub fn find_binary() -> Result<PathBuf> {
    if let Some(path) = std::env::var_os("RAYFORCE_BIN").filter(|p| !p.is_empty()) {
        let path = PathBuf::from(path);
        if path.is_file() {
            return Ok(path);
        }
        return Err(Error::LocalServer(format!(
            "RAYFORCE_BIN is {} but no file is there; {HOW_TO_GET}",
            path.display()
        )));
    }
    if let Some(paths) = std::env::var_os("PATH") {
        for dir in std::env::split_paths(&paths) {
            let candidate = dir.join("rayforce");
            if candidate.is_file() {
                return Ok(candidate);
            }
        }
    }
    let mut caches = Vec::new();
    if let Some(dir) = std::env::var_os("RAYFORCE_CACHE_DIR") {
        caches.push(PathBuf::from(dir));
    }
    caches.push(Path::new(env!("CARGO_MANIFEST_DIR")).join(".cache/rayforce"));
    for cache in caches {
        let candidate = cache.join(RAYFORCE_VERSION).join("rayforce");
        if candidate.is_file() {
            return Ok(candidate);
        }
    }
    #[cfg(feature = "local-server-download")]
    if let Some(cache) = super::download::user_cache_dir() {
        return super::download::install(&cache);
    }
    Err(Error::LocalServer(format!(
        "the rayforce binary was not found (RAYFORCE_BIN, PATH, cache); {HOW_TO_GET}"
    )))
}
