//! Credential primitives: password hashing, the server's signed tokens and service users' API
//! keys. Pure functions over bytes and strings; what a credential is allowed to do is decided in
//! the service layer.

pub mod api_keys;
pub mod jwt;
pub mod passwords;

/// What a request presented to prove who it is.
#[derive(Clone, PartialEq, Eq)]
pub enum Credentials {
    /// Nothing.
    None,
    /// `Authorization: Bearer <token>`: a server-issued JWT, or an API key.
    Bearer(String),
    /// `X-API-Key: pgl_<key id>_<secret>`.
    ApiKey(String),
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Credentials::None => "Credentials::None",
            Credentials::Bearer(_) => "Credentials::Bearer(***)",
            Credentials::ApiKey(_) => "Credentials::ApiKey(***)",
        })
    }
}
