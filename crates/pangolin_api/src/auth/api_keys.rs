//! Service users' API keys: `pgl_<key id>_<secret>`. The key id (a UUID in 32 hex digits) is the
//! public lookup key; the secret is 256 random bits in URL-safe base64. Only the SHA-256 of the
//! secret is stored: the secret has full entropy, so a fast hash cannot be brute-forced, and
//! checking a key on every request stays cheap (argon2 is for low-entropy passwords).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use pangolin_core::ApiKeyId;
use rand::RngCore;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use uuid::Uuid;

/// The prefix every API key starts with (also what secret scanners look for).
pub const PREFIX: &str = "pgl_";

/// A freshly generated key: the full key is shown to its creator once.
#[derive(Clone, PartialEq, Eq)]
pub struct GeneratedKey {
    /// The key id.
    pub id: ApiKeyId,
    /// The secret part.
    pub secret: String,
    /// `pgl_<key id>_<secret>`.
    pub full: String,
}

impl std::fmt::Debug for GeneratedKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GeneratedKey")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

/// A new key with the given id (a fresh id for new keys, the old one for rotation).
pub fn generate(id: ApiKeyId) -> GeneratedKey {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let secret = URL_SAFE_NO_PAD.encode(bytes);
    let full = format!("{PREFIX}{}_{secret}", id.as_uuid().simple());
    GeneratedKey { id, secret, full }
}

/// Splits a presented key into id and secret; `None` if it is not shaped like a key.
pub fn parse(key: &str) -> Option<(ApiKeyId, &str)> {
    let rest = key.strip_prefix(PREFIX)?;
    let (id, secret) = rest.split_once('_')?;
    if id.len() != 32 || secret.is_empty() {
        return None;
    }
    Uuid::try_parse(id)
        .ok()
        .map(|uuid| (ApiKeyId::from_uuid(uuid), secret))
}

/// Parses the id half of OAuth2 client credentials: the key id with or without the `pgl_`
/// prefix, in simple or hyphenated form.
pub fn parse_client_id(client_id: &str) -> Option<ApiKeyId> {
    let id = client_id.strip_prefix(PREFIX).unwrap_or(client_id);
    Uuid::try_parse(id).ok().map(ApiKeyId::from_uuid)
}

/// The stored form of a secret: hex SHA-256.
pub fn hash_secret(secret: &str) -> String {
    let digest = Sha256::digest(secret.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Whether `secret` hashes to `stored`, in constant time.
pub fn secret_matches(secret: &str, stored: &str) -> bool {
    hash_secret(secret)
        .as_bytes()
        .ct_eq(stored.as_bytes())
        .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_keys_parse_back_and_match_their_hash() {
        let key = generate(ApiKeyId::generate());
        assert!(key.full.starts_with("pgl_"));
        let (id, secret) = parse(&key.full).unwrap();
        assert_eq!(id, key.id);
        assert_eq!(secret, key.secret);
        let stored = hash_secret(secret);
        assert!(secret_matches(secret, &stored));
        assert!(!secret_matches("other", &stored));
        assert_eq!(
            parse_client_id(&format!("pgl_{}", key.id.as_uuid().simple())),
            Some(key.id)
        );
        assert_eq!(parse_client_id(&key.id.to_string()), Some(key.id));
    }

    #[test]
    fn malformed_keys_do_not_parse() {
        for bad in [
            "",
            "pgl_",
            "pgl_abc_def",
            "xyz_0123456789abcdef0123456789abcdef_s",
            "pgl_0123456789abcdef0123456789abcdef_",
        ] {
            assert!(parse(bad).is_none(), "{bad}");
        }
    }
}
