//! The server's access tokens: HS256 JWTs signed with `PANGOLIN_JWT_SECRET`. Every token has a
//! `jti` whose record in the store says whether it was revoked.

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use pangolin_core::{Error, Result};
use serde::{Deserialize, Serialize};

/// The `iss` of every token this server signs.
pub const ISSUER: &str = "pangolin";
/// The shortest signing secret accepted.
pub const MIN_SECRET_BYTES: usize = 32;

/// The claims of a Pangolin token.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// The user's id.
    pub sub: String,
    /// The user's tenant id; absent for Root users.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tid: Option<String>,
    /// The token's id (its record in the store).
    pub jti: String,
    /// Issue time, seconds since the epoch.
    pub iat: i64,
    /// Expiry, seconds since the epoch.
    pub exp: i64,
    /// Always [`ISSUER`].
    pub iss: String,
}

/// Signs and verifies tokens.
pub struct JwtKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
}

impl std::fmt::Debug for JwtKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("JwtKeys(***)")
    }
}

impl JwtKeys {
    /// Keys from a shared secret of at least [`MIN_SECRET_BYTES`] bytes.
    pub fn new(secret: &[u8]) -> Result<Self> {
        if secret.len() < MIN_SECRET_BYTES {
            return Err(Error::invalid(format!(
                "the JWT secret must have at least {MIN_SECRET_BYTES} bytes"
            )));
        }
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[ISSUER]);
        validation.set_required_spec_claims(&["exp", "iat", "iss", "sub", "jti"]);
        // Expiry is exact: a token is refused the second it expires.
        validation.leeway = 0;
        Ok(Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
        })
    }

    /// Signs `claims`.
    pub fn sign(&self, claims: &Claims) -> Result<String> {
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), claims, &self.encoding)
            .map_err(|e| Error::backend("signing a token failed", e))
    }

    /// Verifies a token's signature, algorithm, issuer and expiry.
    pub fn verify(&self, token: &str) -> Result<Claims> {
        jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation)
            .map(|data| data.claims)
            .map_err(|e| match e.kind() {
                jsonwebtoken::errors::ErrorKind::ExpiredSignature => {
                    Error::unauthenticated("the token has expired")
                }
                _ => Error::unauthenticated("the token is invalid"),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(exp: i64) -> Claims {
        Claims {
            sub: "u".into(),
            tid: None,
            jti: "j".into(),
            iat: 0,
            exp,
            iss: ISSUER.into(),
        }
    }

    #[test]
    fn round_trip_and_rejections() {
        let keys = JwtKeys::new(&[7; 32]).unwrap();
        let now = chrono::Utc::now().timestamp();
        let token = keys.sign(&claims(now + 60)).unwrap();
        assert_eq!(keys.verify(&token).unwrap(), claims(now + 60));

        let expired = keys.sign(&claims(now - 1)).unwrap();
        assert!(matches!(
            keys.verify(&expired),
            Err(Error::Unauthenticated { .. })
        ));

        let other = JwtKeys::new(&[8; 32]).unwrap();
        assert!(other.verify(&token).is_err());
        assert!(keys.verify("garbage").is_err());
        assert!(JwtKeys::new(&[1; 31]).is_err());
    }
}
