//! # rayforce — a typed Rust SDK for the Rayforce database
//!
//! The crate is layered; lower layers are pure (no I/O) and carry most of the logic:
//!
//! | module | owns |
//! |---|---|
//! | [`value`] | [`Value`] and its parts: atoms, typed vectors, symbols, temporal types, dicts, tables |
//! | [`query`] | the query builder: expressions, select/update/insert/upsert/joins, compiled to `Value` trees and Rayfall text |
//! | [`wire`] | the sans-IO protocol core: payload codec, frame header, both sides' handshake state machines, [`Request`], compression, limits |
//! | [`typed`] | typed rows through serde and the `RayTable` trait of `#[derive(RayTable)]` |
//! | [`transport`] | moving frames: the [`Transport`] trait and [`TcpTransport`] |
//! | [`client`] | [`Client`] and `AsyncClient` (feature `tokio`) with the same operations, [`ClientBuilder`], [`client::Pipeline`] |
//! | [`server`] | [`server::TcpServer`], a native protocol server with a handler, and [`LocalServer`], which runs the real `rayforce` binary |
//! | [`error`] | [`Error`], [`DecodeError`] and the server's [`ServerErrorCode`] |
//!
//! ```no_run
//! use rayforce_client::{Client, LocalServer};
//!
//! let server = LocalServer::start()?;
//! let mut client = Client::connect("127.0.0.1", server.port())?;
//! assert_eq!(client.execute("(+ 1 2)")?, rayforce_client::Value::I64(3));
//! # Ok::<(), rayforce_client::Error>(())
//! ```
#![warn(missing_docs)]

// The derive macros name `::rayforce_client`; this lets them be used inside the crate too.
extern crate self as rayforce_client;

#[cfg(feature = "arrow")]
pub mod arrow;
pub mod client;
pub mod error;
#[cfg(feature = "polars")]
pub mod polars;
pub mod query;
pub mod server;
pub mod transport;
pub mod typed;
pub mod value;
pub mod wire;

#[cfg(feature = "tokio")]
pub use client::AsyncClient;
pub use client::{CancelHandle, Client, ClientBuilder};
pub use error::{ColumnMismatch, DecodeError, Error, Result, ServerErrorCode};
pub use server::LocalServer;
pub use transport::{TcpTransport, Transport};
pub use typed::{FromTable, RayTable};
pub use value::{
    Builtin, BuiltinKind, Date, Dict, Guid, Lambda, Symbol, Table, Text, TextColumn, Time,
    Timestamp, Type, Value, Vector,
};
pub use wire::Request;

/// What `#[derive(RayTable)]` expands to calls; not part of the API.
#[doc(hidden)]
pub mod __private {
    pub use crate::typed::columnar::{cell, check_field, collect_field, field_reader, fill_rows};
    pub use crate::typed::rows_into as serde_rows_into;
    pub use crate::wire::hugepages::vec_with_capacity;
    pub use serde::de::DeserializeOwned;
}

/// The README's examples, compiled as doc tests so they stay true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
