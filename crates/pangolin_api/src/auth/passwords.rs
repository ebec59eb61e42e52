//! Password hashing with argon2id in PHC string format, so parameters can change later without
//! invalidating stored hashes (verification reads them from the hash).
//!
//! Parameters: 7 MiB, 5 passes, 1 lane, one of the equivalent-strength configurations OWASP's
//! Password Storage Cheat Sheet lists (beside 19 MiB with 2 passes). The smaller memory block
//! matters for a server whose idle footprint is ~20 MiB: the allocator keeps a freed block.

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Argon2, PasswordHash as Phc};
use pangolin_core::{Error, PasswordHash, Result};
use rand::distr::{Alphanumeric, SampleString};

/// The shortest password accepted for new users.
pub const MIN_LENGTH: usize = 12;
/// The longest password accepted (hashing cost grows with length).
pub const MAX_LENGTH: usize = 1024;

/// Checks a new password against the policy.
pub fn validate(password: &str) -> Result<()> {
    let chars = password.chars().count();
    if chars < MIN_LENGTH {
        return Err(Error::invalid(format!(
            "passwords must have at least {MIN_LENGTH} characters"
        )));
    }
    if password.len() > MAX_LENGTH {
        return Err(Error::invalid(format!(
            "passwords must have at most {MAX_LENGTH} bytes"
        )));
    }
    Ok(())
}

/// argon2id with this module's parameters.
fn argon2() -> Argon2<'static> {
    let params =
        argon2::Params::new(7 * 1024, 5, 1, None).unwrap_or_else(|_| argon2::Params::default());
    Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params)
}

/// Hashes a password. CPU-heavy (tens of milliseconds): call it off the async executor, e.g.
/// with [`hash_blocking`].
pub fn hash(password: &str) -> Result<PasswordHash> {
    let salt = SaltString::generate(&mut OsRng);
    argon2()
        .hash_password(password.as_bytes(), &salt)
        .map(|phc| PasswordHash::new(phc.to_string()))
        .map_err(|e| Error::backend("hashing a password failed", e.to_string()))
}

/// Whether `password` matches `hash`. A malformed stored hash never matches.
pub fn verify(password: &str, hash: &PasswordHash) -> bool {
    Phc::new(hash.as_str())
        .is_ok_and(|phc| argon2().verify_password(password.as_bytes(), &phc).is_ok())
}

/// [`hash`] on the blocking thread pool.
pub async fn hash_blocking(password: String) -> Result<PasswordHash> {
    tokio::task::spawn_blocking(move || hash(&password))
        .await
        .map_err(|e| Error::backend("the password hashing task failed", e))?
}

/// [`verify`] on the blocking thread pool. Without a hash (unknown user) it hashes anyway, so a
/// login for an unknown name takes as long as one with a wrong password.
pub async fn verify_blocking(password: String, hash: Option<PasswordHash>) -> Result<bool> {
    tokio::task::spawn_blocking(move || match hash {
        Some(hash) => verify(&password, &hash),
        None => {
            let _ = self::hash(&password);
            false
        }
    })
    .await
    .map_err(|e| Error::backend("the password verification task failed", e))
}

/// A random password for a bootstrapped account: 24 alphanumeric characters (~142 bits).
pub fn generate() -> String {
    Alphanumeric.sample_string(&mut rand::rng(), 24)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_and_are_argon2id() {
        let hash = hash("correct horse battery").unwrap();
        assert!(hash.as_str().starts_with("$argon2id$v=19$m=7168,t=5,p=1$"));
        assert!(verify("correct horse battery", &hash));
        assert!(!verify("wrong horse battery", &hash));
        assert!(!verify("anything", &PasswordHash::new("not a phc string")));
    }

    #[test]
    fn policy() {
        assert!(validate("short").is_err());
        assert!(validate("long enough password").is_ok());
        assert!(validate(&"x".repeat(MAX_LENGTH + 1)).is_err());
        assert_eq!(generate().len(), 24);
        assert_ne!(generate(), generate());
    }
}
