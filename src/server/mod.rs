//! Server-side pieces. [`LocalServer`] runs the real `rayforce` binary as a child process
//! for quickstarts and tests; users who only query never need this module.

mod local;

pub use local::{find_binary, LocalServer, LocalServerBuilder, RAYFORCE_VERSION};
