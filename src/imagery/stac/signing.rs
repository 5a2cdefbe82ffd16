//! Planetary Computer SAS signing: asset URLs on its Azure storage are readable with a token
//! appended as their query string. Tokens come per collection from
//! `GET {token_url}/{collection}` → `{"token": "st=…&sig=…", "msft:expiry": "2025-…Z"}`, are kept
//! until shortly before they expire, and a URL refused with 403 is signed afresh once.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use serde::Deserialize;

use super::StacError;
use super::transport;
use super::types::parse_datetime;

/// What time it is; injected so tests can move past a token's expiry.
pub type Clock = Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

/// A token counts as expired this long before its stated expiry, so a read that starts with
/// it does not run past it.
const EXPIRY_MARGIN: TimeDelta = TimeDelta::seconds(60);

/// How long a token without a readable expiry is kept (the Planetary Computer's last an hour).
const UNSTATED_LIFETIME: TimeDelta = TimeDelta::minutes(5);

/// The shortest time a fetched token is kept, whatever its stated expiry (longer than the
/// margin, so the next request uses it).
const MIN_KEPT: TimeDelta = TimeDelta::minutes(2);

/// A SAS token for one collection.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SasToken {
    /// The query string to append: `st=…&se=…&sig=…`.
    pub token: String,
    /// When the storage stops accepting it.
    pub expires: DateTime<Utc>,
}

#[derive(Deserialize)]
struct TokenAnswer {
    token: String,
    #[serde(rename = "msft:expiry", default)]
    expiry: Option<String>,
}

/// Hands out signed asset URLs, fetching a token per collection and keeping it until expiry.
pub struct SasSigner {
    token_url: String,
    agent: ureq::Agent,
    clock: Clock,
    tokens: Mutex<HashMap<String, SasToken>>,
    /// Held while a token is fetched, so threads wanting the same collection's token at once
    /// (a series of layers opening together) share one request.
    fetching: Mutex<()>,
}

impl SasSigner {
    /// A signer asking `token_url/{collection}` for tokens, on the system clock.
    pub fn new(token_url: impl Into<String>, timeout: Option<Duration>) -> Self {
        Self {
            token_url: token_url.into(),
            agent: transport::agent(timeout),
            clock: Arc::new(Utc::now),
            tokens: Mutex::new(HashMap::new()),
            fetching: Mutex::new(()),
        }
    }

    /// The same signer reading the time from `clock`.
    #[must_use]
    pub fn with_clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }

    /// The token endpoint asked: `{token_url}/{collection}` without the collection.
    #[must_use]
    pub fn token_url(&self) -> &str {
        &self.token_url
    }

    /// The token for `collection`: the kept one while it is valid, else a fresh one (one
    /// request however many threads ask at once).
    pub fn token(&self, collection: &str) -> Result<SasToken, StacError> {
        if let Some(token) = self.kept(collection) {
            return Ok(token);
        }
        let _fetching = self.fetching.lock().unwrap_or_else(PoisonError::into_inner);
        // Another thread may have fetched it while this one waited.
        if let Some(token) = self.kept(collection) {
            return Ok(token);
        }
        self.fetch(collection)
    }

    /// A token for `collection` other than `rejected` (which the storage just refused): the
    /// kept one when another thread has already replaced it, else a fresh one, whatever the
    /// kept one's stated expiry.
    pub fn renew(&self, collection: &str, rejected: &str) -> Result<SasToken, StacError> {
        let _fetching = self.fetching.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(token) = self.kept(collection)
            && token.token != rejected
        {
            return Ok(token);
        }
        self.fetch(collection)
    }

    /// The kept token for `collection` while it is valid.
    fn kept(&self, collection: &str) -> Option<SasToken> {
        let now = (self.clock)();
        self.lock()
            .get(collection)
            .filter(|token| now + EXPIRY_MARGIN < token.expires)
            .cloned()
    }

    /// Asks the endpoint for `collection`'s token and keeps it. Errors name the endpoint's URL.
    fn fetch(&self, collection: &str) -> Result<SasToken, StacError> {
        let now = (self.clock)();
        let url = format!("{}/{}", self.token_url.trim_end_matches('/'), collection);
        let bytes = transport::send(&self.agent, &url, None, &url)?.ok(&url)?;
        let answer: TokenAnswer =
            serde_json::from_slice(&bytes).map_err(|err| StacError::json(err, &url))?;
        // A token stated to expire already (a clock set wrong here or there) is still kept a
        // while: asking again for every request would be a storm; the storage's 403 says when
        // it is really refused.
        let expires = answer
            .expiry
            .as_deref()
            .and_then(parse_datetime)
            .unwrap_or(now + UNSTATED_LIFETIME)
            .max(now + MIN_KEPT);
        let token = SasToken {
            token: answer.token.trim_start_matches('?').to_owned(),
            expires,
        };
        self.lock().insert(collection.to_owned(), token.clone());
        Ok(token)
    }

    /// `href` with `collection`'s token appended.
    pub fn sign(&self, collection: &str, href: &str) -> Result<String, StacError> {
        Ok(append_token(href, &self.token(collection)?.token))
    }

    /// Forgets `collection`'s token, so the next [`sign`](Self::sign) fetches a new one.
    pub fn forget(&self, collection: &str) {
        self.lock().remove(collection);
    }

    /// Runs `request` on `href` signed; when it fails with HTTP 403 (the token expired early or
    /// was revoked), fetches a new token and runs it once more. A second 403 is
    /// [`StacError::TokenExpired`]. `request` gets the signed URL and should name `href` (not
    /// the signed URL) in its errors, so no token lands in a message.
    pub fn with_signed<T>(
        &self,
        collection: &str,
        href: &str,
        mut request: impl FnMut(&str) -> Result<T, StacError>,
    ) -> Result<T, StacError> {
        match request(&self.sign(collection, href)?) {
            Err(StacError::Http { status: 403, .. }) => {
                log::info!("signed asset refused, fetching a new token: {href}");
                self.forget(collection);
                match request(&self.sign(collection, href)?) {
                    Err(StacError::Http { status: 403, .. }) => Err(StacError::TokenExpired {
                        url: href.to_owned(),
                    }),
                    other => other,
                }
            }
            other => other,
        }
    }

    /// Downloads `href` signed, re-signing once on a 403 (a thumbnail, a small asset).
    pub fn get_signed(&self, collection: &str, href: &str) -> Result<Vec<u8>, StacError> {
        self.with_signed(collection, href, |signed| {
            transport::send(&self.agent, signed, None, href)?.ok(href)
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, SasToken>> {
        // A panic elsewhere while holding the lock leaves a map that is still consistent.
        self.tokens.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// `href` with `token` as (more of) its query string.
#[must_use]
pub fn append_token(href: &str, token: &str) -> String {
    let token = token.trim_start_matches('?');
    if token.is_empty() {
        return href.to_owned();
    }
    let separator = if href.contains('?') { '&' } else { '?' };
    format!("{href}{separator}{token}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_becomes_the_query_string_or_joins_one() {
        assert_eq!(
            append_token("https://a/b.tif", "st=1&sig=x"),
            "https://a/b.tif?st=1&sig=x"
        );
        assert_eq!(
            append_token("https://a/b.tif?v=2", "?sig=x"),
            "https://a/b.tif?v=2&sig=x"
        );
        assert_eq!(append_token("https://a/b.tif", ""), "https://a/b.tif");
    }

    #[test]
    fn a_kept_token_is_used_without_asking_again() {
        // Port 9 on localhost: nothing answers, so a request would fail the test.
        let signer = SasSigner::new("http://127.0.0.1:9/token", Some(Duration::from_millis(200)));
        let now = Utc::now();
        signer.lock().insert(
            "c".to_owned(),
            SasToken {
                token: "sig=kept".to_owned(),
                expires: now + TimeDelta::hours(1),
            },
        );
        assert_eq!(
            signer.sign("c", "https://a/x.tif").unwrap(),
            "https://a/x.tif?sig=kept"
        );
    }

    #[test]
    fn a_token_already_replaced_by_another_thread_is_used_for_the_retry() {
        // Port 9 on localhost: nothing answers, so a request would fail the test.
        let signer = SasSigner::new("http://127.0.0.1:9/token", Some(Duration::from_millis(200)));
        signer.lock().insert(
            "c".to_owned(),
            SasToken {
                token: "sig=new".to_owned(),
                expires: Utc::now() + TimeDelta::hours(1),
            },
        );
        assert_eq!(signer.renew("c", "sig=old").unwrap().token, "sig=new");
        assert!(
            signer.renew("c", "sig=new").is_err(),
            "the refused one is asked for afresh"
        );
    }
}
