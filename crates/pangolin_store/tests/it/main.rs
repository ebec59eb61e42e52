//! The store's integration tests: the conformance suite against every backend.

mod memory;
mod postgres;
mod secrets;
mod sqlite;
