//! Storage locations (`file:///...`, `s3://bucket/...`) and the containment rules every table,
//! view and metadata location is checked against.

use std::fmt;

use crate::error::{Error, Result};

/// A normalized storage location: a scheme, an authority (bucket; empty for `file`) and a path
/// without leading or trailing slashes. `s3a` and `s3n` normalize to `s3`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Location {
    scheme: String,
    authority: String,
    path: String,
}

impl Location {
    /// Parses and normalizes `location`. Rejects relative paths, empty segments in the middle,
    /// `.`/`..` segments and control characters, so a location can never escape its prefix.
    pub fn parse(location: &str) -> Result<Self> {
        let bad = |why: &str| Error::invalid(format!("invalid location '{location}': {why}"));
        if location.chars().any(char::is_control) {
            return Err(bad("contains control characters"));
        }
        let (scheme, rest) = location
            .split_once(':')
            .ok_or_else(|| bad("missing a scheme such as s3:// or file://"))?;
        let scheme = scheme.to_ascii_lowercase();
        let (authority, path) = match scheme.as_str() {
            // file:///abs or file:/abs
            "file" => {
                let abs = rest.strip_prefix("//").unwrap_or(rest);
                let path = abs
                    .strip_prefix('/')
                    .ok_or_else(|| bad("file locations need an absolute path"))?;
                (String::new(), path)
            }
            "s3" | "s3a" | "s3n" => {
                let rest = rest
                    .strip_prefix("//")
                    .ok_or_else(|| bad("expected s3://bucket/path"))?;
                let (bucket, path) = rest.split_once('/').unwrap_or((rest, ""));
                if bucket.is_empty() {
                    return Err(bad("missing the bucket"));
                }
                (bucket.to_owned(), path)
            }
            _ => return Err(bad("unsupported scheme; use file:// or s3://")),
        };
        let path = path.trim_end_matches('/');
        if !path.is_empty() {
            for segment in path.split('/') {
                if segment.is_empty() || segment == "." || segment == ".." {
                    return Err(bad("empty, '.' or '..' path segment"));
                }
            }
        }
        let scheme = if scheme.starts_with("s3") {
            "s3".to_owned()
        } else {
            scheme
        };
        Ok(Self {
            scheme,
            authority,
            path: path.to_owned(),
        })
    }

    /// The normalized scheme (`file` or `s3`).
    pub fn scheme(&self) -> &str {
        &self.scheme
    }

    /// The bucket, or empty for `file`.
    pub fn authority(&self) -> &str {
        &self.authority
    }

    /// The path without leading or trailing slashes (the object key for S3).
    pub fn path(&self) -> &str {
        &self.path
    }

    /// Whether `self` lies strictly underneath `base` (the same location does not count).
    pub fn is_under(&self, base: &Location) -> bool {
        self.scheme == base.scheme
            && self.authority == base.authority
            && (if base.path.is_empty() {
                !self.path.is_empty()
            } else {
                self.path
                    .strip_prefix(&base.path)
                    .is_some_and(|rest| rest.starts_with('/'))
            })
    }

    /// Whether `self` is `base` or lies underneath it.
    pub fn is_within(&self, base: &Location) -> bool {
        self == base || self.is_under(base)
    }

    /// A child location, one or more `/`-separated segments deeper.
    pub fn join(&self, segments: &str) -> Result<Location> {
        Location::parse(&format!(
            "{}/{segments}",
            self.to_string().trim_end_matches('/')
        ))
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}://{}/{}", self.scheme, self.authority, self.path)
    }
}

/// The longest path segment [`path_segment`] produces, well under every filesystem's limit.
pub const MAX_SEGMENT_CHARS: usize = 64;

/// Turns a user-chosen name into a path segment that is safe in every storage and URI: ASCII
/// letters, digits, `-` and `_` are kept, anything else becomes `_`, and the result is cut to
/// [`MAX_SEGMENT_CHARS`]. Locations stay unique because table and view directories carry a UUID
/// suffix.
pub fn path_segment(name: &str) -> String {
    name.chars()
        .take(MAX_SEGMENT_CHARS)
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_file_and_s3_forms() {
        let a = Location::parse("file:///var/lib/x/").unwrap();
        let b = Location::parse("file:/var/lib/x").unwrap();
        assert_eq!(a, b);
        assert_eq!(a.to_string(), "file:///var/lib/x");
        let s = Location::parse("s3a://bucket/a/b/").unwrap();
        assert_eq!(s.to_string(), "s3://bucket/a/b");
        assert_eq!(s.authority(), "bucket");
        assert_eq!(s.path(), "a/b");
        assert_eq!(
            Location::parse("s3://bucket").unwrap().to_string(),
            "s3://bucket/"
        );
    }

    #[test]
    fn rejects_escapes_and_garbage() {
        for bad in [
            "relative/path",
            "file://relative",
            "file:///a/../b",
            "file:///a//b",
            "s3://bucket/./x",
            "s3:///nobucket",
            "gs://other",
            "s3://b/a\nb",
        ] {
            assert!(Location::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn containment() {
        let base = Location::parse("s3://b/sales").unwrap();
        assert!(Location::parse("s3://b/sales/t").unwrap().is_under(&base));
        assert!(!Location::parse("s3://b/sales").unwrap().is_under(&base));
        assert!(Location::parse("s3://b/sales").unwrap().is_within(&base));
        assert!(!Location::parse("s3://b/salesx/t").unwrap().is_under(&base));
        assert!(!Location::parse("s3://c/sales/t").unwrap().is_under(&base));
        assert!(!Location::parse("file:///sales/t").unwrap().is_under(&base));
        let root = Location::parse("s3://b").unwrap();
        assert!(Location::parse("s3://b/x").unwrap().is_under(&root));
        assert_eq!(root.join("c").unwrap().to_string(), "s3://b/c");
        assert_eq!(base.join("c/d").unwrap().to_string(), "s3://b/sales/c/d");
    }

    #[test]
    fn path_segments_are_sanitized() {
        assert_eq!(path_segment("sales"), "sales");
        assert_eq!(path_segment("a.b c/ü"), "a_b_c__");
        assert_eq!(path_segment(".."), "__");
        assert_eq!(path_segment(&"x".repeat(300)).len(), MAX_SEGMENT_CHARS);
    }
}
