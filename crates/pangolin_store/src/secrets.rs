//! Encryption of stored secrets (warehouse credentials) with AES-256-GCM.
//!
//! A ciphertext is a self-describing string, `v1:<base64(nonce || ciphertext || tag)>`, with a
//! random 96-bit nonce per encryption. The caller passes associated data that names the secret's
//! owner and field (e.g. the warehouse id and `s3.secret-access-key`): a ciphertext copied to
//! another row or field no longer decrypts. See ADR 0010.

use std::fmt;

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use pangolin_core::{Error, Result};

/// The prefix of the current ciphertext format.
const V1: &str = "v1";
const NONCE_LEN: usize = 12;
const TAG_LEN: usize = 16;

/// A 256-bit encryption key. Its `Debug` form is redacted.
#[derive(Clone, PartialEq, Eq)]
pub struct EncryptionKey([u8; 32]);

impl EncryptionKey {
    /// Wraps 32 key bytes.
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    /// A new random key from the operating system's generator.
    pub fn generate() -> Self {
        let mut bytes = [0u8; 32];
        rand::RngCore::fill_bytes(&mut rand::rng(), &mut bytes);
        Self(bytes)
    }

    /// Parses a key given as 64 hexadecimal characters or as the base64 encoding of exactly 32
    /// bytes; surrounding whitespace is ignored. The error never repeats the input.
    pub fn parse(text: &str) -> Result<Self> {
        let text = text.trim();
        let bytes = if text.len() == 64 && text.bytes().all(|b| b.is_ascii_hexdigit()) {
            // ASCII, so every two-character slice is on a character boundary.
            (0..32)
                .map(|i| u8::from_str_radix(&text[2 * i..2 * i + 2], 16).ok())
                .collect::<Option<Vec<u8>>>()
        } else {
            BASE64.decode(text).ok()
        };
        bytes
            .and_then(|b| <[u8; 32]>::try_from(b).ok())
            .map(Self)
            .ok_or_else(|| {
                Error::invalid(
                    "an encryption key must be 64 hexadecimal characters or the base64 encoding \
                     of exactly 32 bytes (generate one with `openssl rand -hex 32`)",
                )
            })
    }

    /// The key as 64 lowercase hexadecimal characters, the form [`Self::parse`] reads back.
    pub fn to_hex(&self) -> String {
        self.0.iter().map(|b| format!("{b:02x}")).collect()
    }
}

impl fmt::Debug for EncryptionKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("EncryptionKey(***)")
    }
}

/// Why a stored value could not be decrypted. Never contains the value or the key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DecryptError {
    /// The value is not of the form `v1:<base64>` with a nonce and a tag.
    Malformed,
    /// The value names a format this version does not know (written by a newer version).
    UnsupportedVersion(String),
    /// Authentication failed: a different key, different associated data, or an altered value.
    Rejected,
}

impl fmt::Display for DecryptError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DecryptError::Malformed => f.write_str("the stored value is not a valid ciphertext"),
            DecryptError::UnsupportedVersion(version) => write!(
                f,
                "the stored value uses encryption format '{version}', which this version of \
                 Pangolin does not know"
            ),
            DecryptError::Rejected => f.write_str(
                "the configured encryption key is not the one it was encrypted with, or the \
                 stored value was altered",
            ),
        }
    }
}

impl std::error::Error for DecryptError {}

/// Encrypts and decrypts secrets under one [`EncryptionKey`]. Its `Debug` form is redacted.
#[derive(Clone)]
pub struct SecretCipher {
    aead: Aes256Gcm,
}

impl SecretCipher {
    /// A cipher for `key`.
    pub fn new(key: &EncryptionKey) -> Self {
        Self {
            aead: Aes256Gcm::new(&key.0.into()),
        }
    }

    /// Encrypts `plaintext` bound to `aad`, as `v1:<base64(nonce || ciphertext || tag)>`.
    pub fn encrypt(&self, plaintext: &str, aad: &[u8]) -> String {
        let mut nonce = [0u8; NONCE_LEN];
        rand::RngCore::fill_bytes(&mut rand::rng(), &mut nonce);
        let sealed = self
            .aead
            .encrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: plaintext.as_bytes(),
                    aad,
                },
            )
            // AES-GCM refuses only messages beyond 64 GiB.
            .expect("AES-GCM encrypts any secret-sized message");
        let mut bytes = Vec::with_capacity(NONCE_LEN + sealed.len());
        bytes.extend_from_slice(&nonce);
        bytes.extend_from_slice(&sealed);
        format!("{V1}:{}", BASE64.encode(bytes))
    }

    /// Decrypts a value [`Self::encrypt`] produced with the same `aad`.
    pub fn decrypt(&self, stored: &str, aad: &[u8]) -> Result<String, DecryptError> {
        let Some((version, payload)) = split_envelope(stored) else {
            return Err(DecryptError::Malformed);
        };
        if version != V1 {
            return Err(DecryptError::UnsupportedVersion(version.to_owned()));
        }
        let bytes = BASE64
            .decode(payload)
            .map_err(|_| DecryptError::Malformed)?;
        if bytes.len() < NONCE_LEN + TAG_LEN {
            return Err(DecryptError::Malformed);
        }
        let (nonce, sealed) = bytes.split_at(NONCE_LEN);
        let plaintext = self
            .aead
            .decrypt(Nonce::from_slice(nonce), Payload { msg: sealed, aad })
            .map_err(|_| DecryptError::Rejected)?;
        // Encrypted from a `&str`, so valid UTF-8 unless the key and tag were forged together.
        String::from_utf8(plaintext).map_err(|_| DecryptError::Malformed)
    }

    /// Whether `value` has the form of a ciphertext (`v<digits>:...`) rather than of a secret
    /// stored in clear by a version without encryption.
    pub fn is_encrypted(value: &str) -> bool {
        split_envelope(value).is_some()
    }
}

/// Splits `v<digits>:<payload>` into the version and the payload.
fn split_envelope(value: &str) -> Option<(&str, &str)> {
    let (version, payload) = value.split_once(':')?;
    let digits = version.strip_prefix('v')?;
    (!digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())).then_some((version, payload))
}

impl fmt::Debug for SecretCipher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretCipher(***)")
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    fn cipher() -> SecretCipher {
        SecretCipher::new(&EncryptionKey::generate())
    }

    #[test]
    fn round_trip() {
        let cipher = cipher();
        for secret in ["", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "ünïcødé 🔑"] {
            let sealed = cipher.encrypt(secret, b"warehouse-1");
            assert!(sealed.starts_with("v1:"), "{sealed}");
            assert!(SecretCipher::is_encrypted(&sealed));
            if !secret.is_empty() {
                assert!(!sealed.contains(secret));
            }
            assert_eq!(cipher.decrypt(&sealed, b"warehouse-1").unwrap(), secret);
        }
    }

    #[test]
    fn a_different_key_is_rejected() {
        let sealed = cipher().encrypt("secret", b"aad");
        assert_eq!(
            cipher().decrypt(&sealed, b"aad"),
            Err(DecryptError::Rejected)
        );
    }

    #[test]
    fn different_associated_data_is_rejected() {
        let cipher = cipher();
        let sealed = cipher.encrypt("secret", b"warehouse-1/s3.secret-access-key");
        assert_eq!(
            cipher.decrypt(&sealed, b"warehouse-2/s3.secret-access-key"),
            Err(DecryptError::Rejected)
        );
    }

    #[test]
    fn tampering_is_rejected() {
        let cipher = cipher();
        let sealed = cipher.encrypt("secret", b"aad");
        let mut bytes = BASE64.decode(&sealed[3..]).unwrap();
        for index in [0, NONCE_LEN, bytes.len() - 1] {
            bytes[index] ^= 1;
            let altered = format!("v1:{}", BASE64.encode(&bytes));
            assert_eq!(
                cipher.decrypt(&altered, b"aad"),
                Err(DecryptError::Rejected),
                "byte {index}"
            );
            bytes[index] ^= 1;
        }
        let truncated = format!("v1:{}", BASE64.encode(&bytes[..NONCE_LEN + TAG_LEN - 1]));
        assert_eq!(
            cipher.decrypt(&truncated, b"aad"),
            Err(DecryptError::Malformed)
        );
        for garbage in ["", "secret", "v1", "v1:not base64!", "x1:AAAA"] {
            assert_eq!(
                cipher.decrypt(garbage, b"aad"),
                Err(DecryptError::Malformed),
                "{garbage}"
            );
        }
        assert_eq!(
            cipher.decrypt("v2:AAAA", b"aad"),
            Err(DecryptError::UnsupportedVersion("v2".into()))
        );
    }

    #[test]
    fn every_encryption_uses_a_fresh_nonce() {
        let cipher = cipher();
        let sealed: HashSet<String> = (0..1000).map(|_| cipher.encrypt("same", b"aad")).collect();
        assert_eq!(sealed.len(), 1000);
        let nonces: HashSet<Vec<u8>> = sealed
            .iter()
            .map(|s| BASE64.decode(&s[3..]).unwrap()[..NONCE_LEN].to_vec())
            .collect();
        assert_eq!(nonces.len(), 1000);
    }

    #[test]
    fn keys_parse_from_hex_or_base64() {
        let key = EncryptionKey::generate();
        assert_eq!(EncryptionKey::parse(&key.to_hex()).unwrap(), key);
        assert_eq!(
            EncryptionKey::parse(&format!(" {}\n", key.to_hex().to_uppercase())).unwrap(),
            key
        );
        assert_eq!(EncryptionKey::parse(&BASE64.encode(key.0)).unwrap(), key);
        let hex = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
        let expected: [u8; 32] = std::array::from_fn(|i| i as u8);
        assert_eq!(
            EncryptionKey::parse(hex).unwrap(),
            EncryptionKey::from_bytes(expected)
        );
        for bad in [
            "",
            "short",
            &hex[..62],
            &format!("{hex}00"),
            &hex.replace('0', "g"),
            &BASE64.encode([7u8; 31]),
            &BASE64.encode([7u8; 33]),
            "a passphrase that is not a key at all, even if long enough",
        ] {
            let err = EncryptionKey::parse(bad).unwrap_err();
            assert!(matches!(err, Error::InvalidInput { .. }), "{bad}: {err:?}");
            if !bad.is_empty() {
                assert!(!err.to_string().contains(bad), "the error repeats the key");
            }
        }
    }

    #[test]
    fn debug_forms_are_redacted() {
        let key = EncryptionKey::from_bytes([0xab; 32]);
        assert_eq!(format!("{key:?}"), "EncryptionKey(***)");
        assert_eq!(
            format!("{:?}", SecretCipher::new(&key)),
            "SecretCipher(***)"
        );
    }
}
