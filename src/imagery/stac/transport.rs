//! The few HTTP calls STAC needs, over one ureq agent: statuses come back as values, so each
//! caller decides (a 405 means "try GET", a 403 means "re-sign"), and every failure names its URL.

use std::time::Duration;

use serde_json::Value;

use super::StacError;
use crate::imagery::http::{DEFAULT_TIMEOUT, user_agent};

/// The most bytes one answer may have: a search page of 100 items with all their assets is a
/// few MiB; this keeps a runaway answer from filling memory.
const MAX_BODY_BYTES: u64 = 64 * 1024 * 1024;

/// An answer: its status and body (also read for error statuses, which are small).
pub(crate) struct Answer {
    pub status: u16,
    pub body: Vec<u8>,
}

/// An agent with the app's User-Agent and `timeout` (or the tiles' default) for a whole request,
/// leaving statuses to the caller.
pub(crate) fn agent(timeout: Option<Duration>) -> ureq::Agent {
    ureq::Agent::config_builder()
        .timeout_global(Some(timeout.unwrap_or(DEFAULT_TIMEOUT)))
        .user_agent(user_agent().as_str())
        .http_status_as_error(false)
        .build()
        .into()
}

/// `GET url`, or `POST url` with `body` as JSON. `shown_url` names the request in errors (the
/// URL without a signing token).
pub(crate) fn send(
    agent: &ureq::Agent,
    url: &str,
    body: Option<&Value>,
    shown_url: &str,
) -> Result<Answer, StacError> {
    let network = |source: ureq::Error| StacError::Network {
        source,
        url: shown_url.to_owned(),
    };
    log::debug!(
        "STAC {} {shown_url}",
        if body.is_some() { "POST" } else { "GET" }
    );
    let response = match body {
        Some(body) => agent
            .post(url)
            .header("Content-Type", "application/json")
            .header("Accept", "application/geo+json, application/json")
            .send(body.to_string()),
        None => agent
            .get(url)
            .header("Accept", "application/geo+json, application/json")
            .call(),
    };
    let mut response = response.map_err(network)?;
    let status = response.status().as_u16();
    let body = response
        .body_mut()
        .with_config()
        .limit(MAX_BODY_BYTES)
        .read_to_vec()
        .map_err(network)?;
    Ok(Answer { status, body })
}

impl Answer {
    /// The body of a success, or the status as an error naming `url`.
    pub(crate) fn ok(self, url: &str) -> Result<Vec<u8>, StacError> {
        if (200..300).contains(&self.status) {
            Ok(self.body)
        } else {
            Err(StacError::Http {
                status: self.status,
                url: url.to_owned(),
            })
        }
    }
}
