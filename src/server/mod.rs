//! Server-side pieces: [`TcpServer`], a native Rayforce-protocol server with a [`Handler`]
//! (so the real binary, rayforce-py or this SDK can call Rust code), and [`LocalServer`],
//! which runs the real `rayforce` binary as a child process for quickstarts and tests.
//! Users who only query never need this module.

#[cfg(feature = "local-server-download")]
pub mod download;
mod local;
mod native;

pub use local::{find_binary, LocalServer, LocalServerBuilder, RAYFORCE_VERSION};
#[doc(hidden)]
pub use native::fuzz_connection;
pub use native::{Handler, IncomingRequest, ServerHandle, ServerStats, TcpServer};
