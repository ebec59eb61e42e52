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

/// Checks a catalog name: besides [`validate_name`], it is the REST path prefix clients paste into
/// URLs unencoded, so it is limited to ASCII letters, digits, `_`, `-` and `.`, starting with a
/// letter or digit.
pub fn validate_catalog_name(name: &str) -> Result<()> {
    validate_name("catalog name", name)?;
    let url_safe = name.starts_with(|c: char| c.is_ascii_alphanumeric())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
    if !url_safe {
        return Err(Error::invalid(format!(
            "catalog name '{name}' may only contain ASCII letters, digits, '_', '-' and '.', \
             starting with a letter or digit"
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

    #[test]
    fn catalog_names_are_url_safe() {
        validate_catalog_name("sales_2024-v1.x").unwrap();
        for bad in ["", "-x", "a/b", "a b", "ü", "a%20"] {
            assert!(validate_catalog_name(bad).is_err(), "{bad}");
        }
    }
}
