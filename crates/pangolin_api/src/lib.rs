//! Pangolin's HTTP server: the Iceberg REST catalog API (`/v1`), the management API (`/api/v1`),
//! health checks and Swagger UI.
//!
//! [`router`] builds the whole application over an [`AppState`], so tests drive it in-process and
//! the binary serves it on a socket.

pub mod auth;
pub mod bootstrap;
pub mod config;
pub mod error;
pub mod http;
pub mod service;
pub mod state;

pub use http::router;
pub use state::{AppState, HttpSettings};
