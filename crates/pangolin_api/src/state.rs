//! The application state shared by every handler.

use std::sync::Arc;

use crate::http::client::TrustedProxies;
use crate::service::Service;

/// Everything handlers need. Cheap to clone.
#[derive(Clone, Debug)]
pub struct AppState {
    /// The business logic.
    pub service: Arc<Service>,
    /// HTTP settings.
    pub settings: Arc<HttpSettings>,
}

impl AppState {
    /// State over `service` with `settings`.
    pub fn new(service: Service, settings: HttpSettings) -> Self {
        Self {
            service: Arc::new(service),
            settings: Arc::new(settings),
        }
    }
}

/// Settings of the HTTP layer.
#[derive(Clone, Debug)]
pub struct HttpSettings {
    /// Requests with larger bodies are refused with 413.
    pub max_body_bytes: usize,
    /// Proxies whose `X-Forwarded-For` names the client.
    pub trusted_proxies: TrustedProxies,
}

impl Default for HttpSettings {
    fn default() -> Self {
        Self {
            max_body_bytes: 16 * 1024 * 1024,
            trusted_proxies: TrustedProxies::default(),
        }
    }
}
