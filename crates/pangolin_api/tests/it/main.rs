//! The API's integration tests: every route through the router, the spec-conformance check, and an
//! end-to-end run of iceberg-rust's REST catalog client against a real socket.

mod binary;
mod config;
mod errors;
mod harness;
mod iceberg_rust;
mod identity;
mod management;
mod matrix;
mod namespaces;
mod postgres;
mod server;
mod spec;
mod tables;
mod transactions;
mod views;
