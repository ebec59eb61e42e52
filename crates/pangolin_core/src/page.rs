//! Keyset pagination with opaque tokens.
//!
//! Every listing is ordered by a unique string key (a name, or an id for reports). A page token
//! encodes the key of the last item returned; the next page starts strictly after it, so pages stay
//! stable under concurrent inserts and deletes.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::error::{Error, Result};

/// The opaque token handed to clients: the URL-safe base64 of the last key of a page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PageToken(String);

impl PageToken {
    /// The token for a page ending at `key`.
    pub fn after(key: &str) -> Self {
        Self(URL_SAFE_NO_PAD.encode(key.as_bytes()))
    }

    /// Decodes a token received from a client.
    pub fn decode(token: &str) -> Result<String> {
        URL_SAFE_NO_PAD
            .decode(token)
            .ok()
            .and_then(|bytes| String::from_utf8(bytes).ok())
            .ok_or_else(|| Error::invalid("invalid page token"))
    }

    /// The token as sent to clients.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The token as sent to clients.
    pub fn into_string(self) -> String {
        self.0
    }
}

/// What to list: everything after `after`, at most `limit` items (`None`: no limit).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PageRequest {
    /// Start strictly after this key.
    pub after: Option<String>,
    /// At most this many items.
    pub limit: Option<usize>,
}

impl PageRequest {
    /// The largest page a client may ask for.
    pub const MAX_PAGE_SIZE: usize = 1000;
    /// The page size used when a client paginates without giving a size.
    pub const DEFAULT_PAGE_SIZE: usize = 100;

    /// Every item, in one page.
    pub fn all() -> Self {
        Self::default()
    }

    /// The first `limit` items.
    pub fn first(limit: usize) -> Self {
        Self {
            after: None,
            limit: Some(limit),
        }
    }

    /// Builds a request from client parameters with the Iceberg REST semantics: without a token
    /// (`None`) everything is returned in one page; with a token (possibly empty, meaning "first
    /// page") pages of `size` items (default [`Self::DEFAULT_PAGE_SIZE`], capped at
    /// [`Self::MAX_PAGE_SIZE`]) are returned.
    pub fn from_client(token: Option<&str>, size: Option<usize>) -> Result<Self> {
        if size == Some(0) {
            return Err(Error::invalid("pageSize must be at least 1"));
        }
        let Some(token) = token else {
            return Ok(Self::all());
        };
        let after = if token.is_empty() {
            None
        } else {
            Some(PageToken::decode(token)?)
        };
        Ok(Self {
            after,
            limit: Some(
                size.unwrap_or(Self::DEFAULT_PAGE_SIZE)
                    .min(Self::MAX_PAGE_SIZE),
            ),
        })
    }

    /// How many rows a backend should fetch: one more than the limit, to learn whether another
    /// page follows.
    pub fn fetch_limit(&self) -> Option<usize> {
        self.limit.map(|l| l + 1)
    }
}

/// One page of results.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Page<T> {
    /// The items, in key order.
    pub items: Vec<T>,
    /// The token for the next page, or `None` on the last page.
    pub next: Option<PageToken>,
}

impl<T> Page<T> {
    /// Builds a page from rows fetched with [`PageRequest::fetch_limit`]: drops the extra row and
    /// sets the token when there was one.
    pub fn from_overfetched(
        items: Vec<T>,
        request: &PageRequest,
        key: impl Fn(&T) -> &str,
    ) -> Self {
        Self::from_overfetched_by(items, request, |item| key(item).to_owned())
    }

    /// [`Page::from_overfetched`] for items whose key is computed (an id's string form).
    pub fn from_overfetched_by(
        mut items: Vec<T>,
        request: &PageRequest,
        key: impl Fn(&T) -> String,
    ) -> Self {
        match request.limit {
            Some(limit) if items.len() > limit => {
                items.truncate(limit);
                let next = items.last().map(|last| PageToken::after(&key(last)));
                Self { items, next }
            }
            _ => Self { items, next: None },
        }
    }

    /// Transforms the items, keeping the token.
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            next: self.next,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_round_trip() {
        let token = PageToken::after("ünï/code\u{1}");
        assert_eq!(PageToken::decode(token.as_str()).unwrap(), "ünï/code\u{1}");
        assert!(PageToken::decode("!!!").is_err());
    }

    #[test]
    fn without_a_token_everything_is_one_page() {
        let req = PageRequest::from_client(None, None).unwrap();
        assert_eq!(req, PageRequest::all());
        let page = Page::from_overfetched(vec!["a", "b"], &req, |s| s);
        assert!(page.next.is_none());
    }

    #[test]
    fn with_a_token_pages_are_bounded() {
        let req = PageRequest::from_client(Some(""), Some(2)).unwrap();
        assert_eq!(req.fetch_limit(), Some(3));
        let page = Page::from_overfetched(vec!["a", "b", "c"], &req, |s| s);
        assert_eq!(page.items, ["a", "b"]);
        let next = page.next.unwrap();
        let req = PageRequest::from_client(Some(next.as_str()), Some(2)).unwrap();
        assert_eq!(req.after.as_deref(), Some("b"));
        assert!(PageRequest::from_client(Some(""), Some(0)).is_err());
        assert_eq!(
            PageRequest::from_client(Some(""), Some(1_000_000))
                .unwrap()
                .limit,
            Some(PageRequest::MAX_PAGE_SIZE)
        );
    }
}
