//! Shared helpers for integration tests: a real `rayforce` server on a free loopback
//! port (stopped on drop) and a client connected to it.
#![allow(dead_code)]

use rayforce_client::{Client, LocalServer};

/// Starts the real server. Fails loudly (never skips) when the binary is missing.
pub fn server() -> LocalServer {
    LocalServer::start()
        .unwrap_or_else(|e| panic!("integration tests need the real rayforce binary: {e}"))
}

/// A server plus a connected client.
pub fn connected() -> (LocalServer, Client) {
    let server = server();
    let client = server.client().expect("connect to the local server");
    (server, client)
}
