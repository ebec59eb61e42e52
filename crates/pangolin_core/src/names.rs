//! Validation of user-chosen names (tenants, warehouses, catalogs, namespace levels, tables, views).

use crate::error::{Error, Result};

/// The longest name accepted, in bytes of UTF-8.
pub const MAX_NAME_BYTES: usize = 255;

/// Checks that `name` is usable as an identifier: not empty, at most [`MAX_NAME_BYTES`] bytes, and
/// free of control characters (which include the 0x1F namespace separator). Dots, spaces, slashes,
/// `+`, `%` and any other printable Unicode are allowed: the Iceberg REST encoding carries them.
pub fn validate_name(what: &str, name: &str) -> Result<()> {
    if name.is_empty() {
        return Err(Error::invalid(format!("{what} must not be empty")));
    }
    if name.len() > MAX_NAME_BYTES {
        return Err(Error::invalid(format!(
            "{what} is {} bytes long; the limit is {MAX_NAME_BYTES}",
            name.len()
        )));
    }
    if name.chars().any(char::is_control) {
        return Err(Error::invalid(format!(
            "{what} must not contain control characters"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_printable_unicode_and_punctuation() {
        for name in [
            "sales",
            "a.b",
            "with space",
            "ünïcødé",
            "日本",
            "a/b",
            "a+b",
            "100%",
        ] {
            validate_name("name", name).unwrap();
        }
    }

    #[test]
    fn rejects_empty_long_and_control_characters() {
        assert!(validate_name("name", "").is_err());
        assert!(validate_name("name", &"x".repeat(256)).is_err());
        validate_name("name", &"x".repeat(255)).unwrap();
        assert!(validate_name("name", "a\u{1f}b").is_err());
        assert!(validate_name("name", "a\nb").is_err());
        assert!(validate_name("name", "a\0b").is_err());
    }
}
