//! Item search against a STAC API: `POST /search` (GET when the server answers 405), following
//! `next` links up to a page cap.

use std::time::Duration;

use chrono::NaiveDate;
use serde_json::{Map, Value, json};

use super::StacError;
use super::presets::{Signing, StacApi};
use super::signing::SasSigner;
use super::transport::{self, Answer};
use super::types::{Item, ItemCollection, Link};

/// Pages read per search unless told otherwise: with 100 items a page, a year of Sentinel-2
/// over one site (about 150 scenes) fits, and a server whose `next` links never end is stopped.
pub const DEFAULT_MAX_PAGES: usize = 10;

/// What to search for.
#[derive(Clone, Debug, PartialEq)]
pub struct SearchParams {
    /// `[west, south, east, north]` in degrees: the view's box.
    pub bbox_lonlat: [f64; 4],
    /// First and last day (UTC), both included; `None` searches all dates.
    pub dates: Option<(NaiveDate, NaiveDate)>,
    /// Collection ids; empty searches all collections.
    pub collections: Vec<String>,
    /// Items per page asked of the server.
    pub limit: u32,
    /// Only items with `eo:cloud_cover` below this percentage (query extension).
    pub max_cloud_cover: Option<f64>,
}

impl SearchParams {
    /// The search as a JSON body for `POST /search`.
    #[must_use]
    pub fn to_body(&self) -> Value {
        let mut body = Map::new();
        body.insert("bbox".to_owned(), json!(self.bbox_lonlat));
        if let Some(range) = self.datetime_range() {
            body.insert("datetime".to_owned(), json!(range));
        }
        if !self.collections.is_empty() {
            body.insert("collections".to_owned(), json!(self.collections));
        }
        body.insert("limit".to_owned(), json!(self.limit));
        if let Some(query) = self.query() {
            body.insert("query".to_owned(), query);
        }
        Value::Object(body)
    }

    /// The search as `GET /search` query parameters (`query` JSON-encoded, as the query
    /// extension allows).
    #[must_use]
    pub fn to_query_pairs(&self) -> Vec<(&'static str, String)> {
        let [west, south, east, north] = self.bbox_lonlat;
        let mut pairs = vec![("bbox", format!("{west},{south},{east},{north}"))];
        if let Some(range) = self.datetime_range() {
            pairs.push(("datetime", range));
        }
        if !self.collections.is_empty() {
            pairs.push(("collections", self.collections.join(",")));
        }
        pairs.push(("limit", self.limit.to_string()));
        if let Some(query) = self.query() {
            pairs.push(("query", query.to_string()));
        }
        pairs
    }

    /// `2024-01-01T00:00:00Z/2024-12-31T23:59:59Z`.
    fn datetime_range(&self) -> Option<String> {
        let (first, last) = self.dates?;
        Some(format!(
            "{}T00:00:00Z/{}T23:59:59Z",
            first.format("%Y-%m-%d"),
            last.format("%Y-%m-%d")
        ))
    }

    /// `{"eo:cloud_cover": {"lt": N}}`.
    fn query(&self) -> Option<Value> {
        let max = self.max_cloud_cover?;
        Some(json!({ "eo:cloud_cover": { "lt": max } }))
    }
}

/// How the first page was asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SearchMethod {
    /// `POST /search` with a JSON body.
    Post,
    /// `GET /search?…`, after the server refused POST with 405.
    Get,
}

/// What a search found.
#[derive(Debug)]
pub struct SearchResults {
    /// Items of every page read, in the server's order.
    pub items: Vec<Item>,
    /// Pages read.
    pub pages: usize,
    /// True when the page cap stopped the search with a `next` link left.
    pub more_available: bool,
    /// How the first page was asked for.
    pub method: SearchMethod,
    /// A later page that failed; the items before it are kept.
    pub page_error: Option<StacError>,
}

/// Searches one STAC API and signs its assets where the API needs it.
pub struct StacClient {
    api: StacApi,
    agent: ureq::Agent,
    max_pages: usize,
    signer: Option<SasSigner>,
}

impl StacClient {
    /// A client for `api`, with the app's User-Agent and default timeout.
    #[must_use]
    pub fn new(api: StacApi) -> Self {
        Self::with_timeout(api, None)
    }

    /// A client whose requests each give up after `timeout` (the tiles' default when `None`).
    #[must_use]
    pub fn with_timeout(api: StacApi, timeout: Option<Duration>) -> Self {
        let signer = match &api.signing {
            Signing::None => None,
            Signing::PlanetaryComputer { token_url } => {
                Some(SasSigner::new(token_url.clone(), timeout))
            }
        };
        Self {
            api,
            agent: transport::agent(timeout),
            max_pages: DEFAULT_MAX_PAGES,
            signer,
        }
    }

    /// The same client reading at most `max_pages` pages (at least one) per search.
    #[must_use]
    pub fn with_max_pages(mut self, max_pages: usize) -> Self {
        self.max_pages = max_pages.max(1);
        self
    }

    /// The same client with `signer` in place of the one its API's signing made (a test clock).
    #[must_use]
    pub fn with_signer(mut self, signer: SasSigner) -> Self {
        self.signer = Some(signer);
        self
    }

    /// The API searched.
    #[must_use]
    pub fn api(&self) -> &StacApi {
        &self.api
    }

    /// The signer for asset URLs, where the API needs one.
    #[must_use]
    pub fn signer(&self) -> Option<&SasSigner> {
        self.signer.as_ref()
    }

    /// Searches: the first page by POST (or GET when POST gets 405), then each `next` link until
    /// there is none, a page is empty, or the page cap. A failed first page is the error; a
    /// failed later page is kept in [`SearchResults::page_error`] beside the items before it.
    pub fn search(&self, params: &SearchParams) -> Result<SearchResults, StacError> {
        let url = self.api.search_url();
        let mut body = params.to_body();
        let mut method = SearchMethod::Post;
        let mut page = match self.fetch_page(&url, Some(&body)) {
            Err(StacError::Http { status: 405, .. }) => {
                method = SearchMethod::Get;
                let get_url = url_with_query(&url, &params.to_query_pairs());
                self.fetch_page(&get_url, None)?
            }
            other => other?,
        };
        let mut results = SearchResults {
            items: Vec::new(),
            pages: 1,
            more_available: false,
            method,
            page_error: None,
        };
        loop {
            let next = page.next_link().cloned();
            let empty = page.features.is_empty();
            results.items.append(&mut page.features);
            let Some(next) = next.filter(|_| !empty) else {
                break;
            };
            if results.pages >= self.max_pages {
                results.more_available = true;
                break;
            }
            let next_body = next_body(&next, &body, method);
            let fetched = self.fetch_page(&next.href, next_body.as_ref());
            results.pages += 1;
            match fetched {
                Ok(next_page) => page = next_page,
                Err(err) => {
                    results.page_error = Some(err);
                    break;
                }
            }
            if let Some(next_body) = next_body {
                body = next_body;
            }
        }
        Ok(results)
    }

    /// One page: GET `url`, or POST `body` to it.
    fn fetch_page(&self, url: &str, body: Option<&Value>) -> Result<ItemCollection, StacError> {
        let bytes = transport::send(&self.agent, url, body, url).and_then(|a: Answer| a.ok(url))?;
        parse_item_collection(&bytes, url)
    }
}

/// What to POST for a `next` link: nothing for a GET link; for a POST link its `body`, merged
/// into the previous body when `merge` is set, or the previous body when it gives none.
fn next_body(link: &Link, previous: &Value, first_method: SearchMethod) -> Option<Value> {
    // A link without a method is GET by the spec.
    let is_post = link
        .method
        .as_deref()
        .is_some_and(|method| method.eq_ignore_ascii_case("POST"));
    if !is_post {
        return None;
    }
    if first_method == SearchMethod::Get && link.body.is_none() {
        // A server that refused the POST search gets no bodiless POST for later pages either.
        return None;
    }
    Some(match (&link.body, link.merge) {
        (Some(Value::Object(extra)), true) => {
            let mut merged = previous.as_object().cloned().unwrap_or_default();
            merged.extend(extra.clone());
            Value::Object(merged)
        }
        (Some(body), _) => body.clone(),
        (None, _) => previous.clone(),
    })
}

/// Reads a search page (or an item collection file).
pub(crate) fn parse_item_collection(
    bytes: &[u8],
    origin: &str,
) -> Result<ItemCollection, StacError> {
    let collection: ItemCollection =
        serde_json::from_slice(bytes).map_err(|err| StacError::json(err, origin))?;
    if !collection.kind.is_empty() && collection.kind != "FeatureCollection" {
        return Err(StacError::NotStac {
            what: format!("type {}", collection.kind),
            origin: origin.to_owned(),
        });
    }
    Ok(collection)
}

/// `url` with `pairs` appended as a percent-encoded query string.
fn url_with_query(url: &str, pairs: &[(&str, String)]) -> String {
    let query: Vec<String> = pairs
        .iter()
        .map(|(key, value)| format!("{key}={}", percent_encode(value)))
        .collect();
    let separator = if url.contains('?') { '&' } else { '?' };
    format!("{url}{separator}{}", query.join("&"))
}

/// RFC 3986's unreserved characters and `,` `:` (kept readable: servers accept them in bbox
/// and datetime values).
const KEPT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b',')
    .remove(b':');

/// Percent-encodes everything but [`KEPT`].
fn percent_encode(value: &str) -> String {
    percent_encoding::utf8_percent_encode(value, KEPT).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params() -> SearchParams {
        SearchParams {
            bbox_lonlat: [13.3, 52.4, 13.5, 52.6],
            dates: Some((
                NaiveDate::from_ymd_opt(2024, 1, 1).unwrap(),
                NaiveDate::from_ymd_opt(2024, 12, 31).unwrap(),
            )),
            collections: vec!["sentinel-2-l2a".to_owned()],
            limit: 50,
            max_cloud_cover: Some(20.0),
        }
    }

    #[test]
    fn the_post_body_carries_box_dates_collections_limit_and_cloud_filter() {
        assert_eq!(
            params().to_body(),
            json!({
                "bbox": [13.3, 52.4, 13.5, 52.6],
                "datetime": "2024-01-01T00:00:00Z/2024-12-31T23:59:59Z",
                "collections": ["sentinel-2-l2a"],
                "limit": 50,
                "query": {"eo:cloud_cover": {"lt": 20.0}}
            })
        );
    }

    #[test]
    fn the_get_query_encodes_the_cloud_filter_as_json() {
        let url = url_with_query("http://h/search", &params().to_query_pairs());
        assert_eq!(
            url,
            "http://h/search?bbox=13.3,52.4,13.5,52.6\
             &datetime=2024-01-01T00:00:00Z%2F2024-12-31T23:59:59Z\
             &collections=sentinel-2-l2a&limit=50\
             &query=%7B%22eo:cloud_cover%22:%7B%22lt%22:20.0%7D%7D"
        );
    }

    #[test]
    fn a_merging_next_link_keeps_the_search_and_changes_the_token() {
        let link: Link = serde_json::from_value(json!({
            "rel": "next", "href": "http://h/search", "method": "POST",
            "body": {"token": "page2"}, "merge": true
        }))
        .unwrap();
        let body = next_body(&link, &params().to_body(), SearchMethod::Post).unwrap();
        assert_eq!(body["token"], "page2");
        assert_eq!(body["limit"], 50);
        let replacing = Link {
            merge: false,
            ..link.clone()
        };
        assert_eq!(
            next_body(&replacing, &params().to_body(), SearchMethod::Post).unwrap(),
            json!({"token": "page2"})
        );
        let get = Link {
            method: None,
            ..link
        };
        assert_eq!(
            next_body(&get, &params().to_body(), SearchMethod::Post),
            None
        );
    }

    #[test]
    fn a_feature_is_not_an_item_collection() {
        let err = parse_item_collection(br#"{"type": "Feature"}"#, "http://h/search").unwrap_err();
        assert!(matches!(err, StacError::NotStac { .. }), "{err}");
    }
}
