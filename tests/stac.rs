//! STAC search, paging, Planetary-Computer-style signing and catalogue files, against a tiny
//! HTTP/1.1 server on 127.0.0.1 that each test starts itself. Nothing else is reached.
//!
//! Routes: `/api/search` (POST → page 1 whose `next` POSTs a merged body → page 2 whose `next`
//! is a GET → page 3), `/getonly/search` (POST 405, GET one page), `/endless/search` (a `next`
//! link forever), `/broken/search` (500), `/malformed/search` (truncated JSON),
//! `/page2fails/search` (page 1, then a 404), `/hang/search` (answers after 3 s), `/sas/token/{collection}` (token `sig=tokN`, N
//! counting up), `/blob/asset.tif` (200 with the valid token, else 403), `/blob/locked.tif`
//! (always 403).
#![allow(clippy::unwrap_used)]

mod common;

use std::path::Path;
use std::sync::atomic::{AtomicI64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::stac_server::{Server, reply};

use chrono::{DateTime, NaiveDate, TimeZone as _, Utc};
use serde_json::{Value, json};
use sitewatch::imagery::stac::{
    AssetChoice, PlanOptions, SasSigner, SearchMethod, SearchParams, StacApi, StacClient,
    StacError, Thinning, plan_series, read_items_file,
};

const TIMEOUT: Duration = Duration::from_secs(5);

/// A Sentinel-2 item with a visual COG, or only a thumbnail when `usable` is false.
fn item(id: &str, day: &str, cloud: f64, usable: bool) -> Value {
    let mut assets = json!({"thumbnail": {"href": "https://e/t.jpg", "type": "image/jpeg"}});
    if usable {
        assets["visual"] = json!({"href": format!("https://e/{id}/TCI.tif"), "type": "image/tiff"});
    }
    json!({
        "type": "Feature", "id": id, "collection": "sentinel-2-l2a",
        "bbox": [13.3, 52.4, 13.5, 52.6],
        "properties": {"datetime": format!("{day}T10:00:00Z"), "eo:cloud_cover": cloud,
                       "platform": "sentinel-2a"},
        "assets": assets
    })
}

fn page(items: &[Value], next: Option<Value>) -> String {
    let links: Vec<Value> = next.into_iter().collect();
    json!({"type": "FeatureCollection", "features": items, "links": links}).to_string()
}

fn params() -> SearchParams {
    SearchParams {
        bbox_lonlat: [13.3, 52.4, 13.5, 52.6],
        dates: Some((
            NaiveDate::from_ymd_opt(2025, 1, 1).unwrap(),
            NaiveDate::from_ymd_opt(2025, 12, 31).unwrap(),
        )),
        collections: vec!["sentinel-2-l2a".to_owned()],
        limit: 2,
        max_cloud_cover: Some(30.0),
    }
}

/// The STAC API routes; `base` is the server's own URL (known once it has started).
fn stac_server() -> Server {
    let base = Arc::new(Mutex::new(String::new()));
    let server = {
        let base = Arc::clone(&base);
        Server::start(move |request| {
            let base = base.lock().unwrap().clone();
            let path = request.target.split('?').next().unwrap_or("");
            let query = request.target.split_once('?').map_or("", |(_, q)| q);
            match (request.method.as_str(), path) {
                ("POST", "/api/search") => {
                    let body: Value = serde_json::from_str(&request.body).unwrap();
                    if body.get("token").is_none() {
                        reply(
                            200,
                            page(
                                &[
                                    item("a", "2025-03-01", 5.0, true),
                                    item("b", "2025-03-01", 15.0, true),
                                ],
                                Some(json!({"rel": "next", "href": format!("{base}/api/search"),
                                        "method": "POST", "body": {"token": "p2"}, "merge": true})),
                            ),
                        )
                    } else {
                        reply(
                            200,
                            page(
                                &[
                                    item("c", "2025-03-11", 1.0, true),
                                    item("bare", "2025-03-15", 1.0, false),
                                ],
                                Some(
                                    json!({"rel": "next", "href": format!("{base}/api/search?token=p3")}),
                                ),
                            ),
                        )
                    }
                }
                ("GET", "/api/search") if query == "token=p3" => {
                    reply(200, page(&[item("d", "2025-03-21", 2.0, true)], None))
                }
                ("POST", "/getonly/search") => reply(405, r#"{"code": "MethodNotAllowed"}"#),
                ("GET", "/getonly/search") => {
                    reply(200, page(&[item("g", "2025-05-01", 1.0, true)], None))
                }
                (_, "/endless/search") => reply(
                    200,
                    page(
                        &[item("e", "2025-06-01", 1.0, true)],
                        Some(
                            json!({"rel": "next", "href": format!("{base}/endless/search?again")}),
                        ),
                    ),
                ),
                (_, "/broken/search") => reply(500, "Internal Server Error"),
                (_, "/hang/search") => {
                    // Longer than the client's timeout; the thread is dropped with the test.
                    std::thread::sleep(Duration::from_secs(3));
                    reply(200, page(&[], None))
                }
                (_, "/malformed/search") => reply(
                    200,
                    "{\"type\": \"FeatureCollection\",\n \"features\": [{\"id\": ",
                ),
                ("POST", "/page2fails/search") => reply(
                    200,
                    page(
                        &[item("p", "2025-07-01", 1.0, true)],
                        Some(json!({"rel": "next", "href": format!("{base}/page2fails/next")})),
                    ),
                ),
                _ => reply(404, "not found"),
            }
        })
    };
    *base.lock().unwrap() = server.url("");
    server
}

fn client(server: &Server, root: &str) -> StacClient {
    StacClient::with_timeout(StacApi::custom(server.url(root)), Some(TIMEOUT))
}

#[test]
fn a_post_search_follows_merged_post_and_get_next_links_across_three_pages() {
    let server = stac_server();
    let results = client(&server, "/api").search(&params()).unwrap();
    let ids: Vec<&str> = results.items.iter().map(|i| i.id.as_str()).collect();
    assert_eq!(ids, ["a", "b", "c", "bare", "d"]);
    assert_eq!(results.pages, 3);
    assert_eq!(results.method, SearchMethod::Post);
    assert!(!results.more_available);
    assert!(results.page_error.is_none());

    let posts = server.requests("/api/search");
    assert_eq!(posts.len(), 3);
    let first: Value = serde_json::from_str(&posts[0].body).unwrap();
    assert_eq!(first["bbox"], json!([13.3, 52.4, 13.5, 52.6]));
    assert_eq!(
        first["datetime"],
        "2025-01-01T00:00:00Z/2025-12-31T23:59:59Z"
    );
    assert_eq!(first["collections"], json!(["sentinel-2-l2a"]));
    assert_eq!(first["query"], json!({"eo:cloud_cover": {"lt": 30.0}}));
    // The second page's body is the first merged with the link's token.
    let second: Value = serde_json::from_str(&posts[1].body).unwrap();
    assert_eq!(second["token"], "p2");
    assert_eq!(second["collections"], first["collections"]);
    assert_eq!(posts[2].method, "GET");
}

#[test]
fn a_server_refusing_post_with_405_is_searched_by_get_once() {
    let server = stac_server();
    let results = client(&server, "/getonly").search(&params()).unwrap();
    assert_eq!(results.method, SearchMethod::Get);
    assert_eq!(results.items.len(), 1);
    let requests = server.requests("/getonly/search");
    assert_eq!(requests.len(), 2);
    let query = requests[1].target.split_once('?').unwrap().1;
    assert!(query.contains("bbox=13.3,52.4,13.5,52.6"), "{query}");
    assert!(query.contains("collections=sentinel-2-l2a"), "{query}");
    assert!(query.contains("limit=2"), "{query}");
    assert!(query.contains("query=%7B%22eo:cloud_cover%22"), "{query}");
}

#[test]
fn endless_next_links_stop_at_the_page_cap() {
    let server = stac_server();
    let results = client(&server, "/endless")
        .with_max_pages(3)
        .search(&params())
        .unwrap();
    assert_eq!(results.pages, 3);
    assert!(results.more_available);
    assert_eq!(server.count("/endless/search"), 3);
}

#[test]
fn a_500_is_an_http_error_naming_the_url_once_without_retrying() {
    let server = stac_server();
    let err = client(&server, "/broken").search(&params()).unwrap_err();
    let url = server.url("/broken/search");
    assert!(
        matches!(err, StacError::Http { status: 500, .. }),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        format!("STAC server answered HTTP 500: {url}")
    );
    assert_eq!(server.count("/broken/search"), 1);
}

#[test]
fn a_server_that_does_not_answer_in_time_is_a_network_error_asked_once() {
    let server = stac_server();
    let client = StacClient::with_timeout(
        StacApi::custom(server.url("/hang")),
        Some(Duration::from_millis(300)),
    );
    let err = client.search(&params()).unwrap_err();
    assert!(
        matches!(
            &err,
            StacError::Network {
                source: ureq::Error::Timeout(_),
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        format!("STAC request got no answer: {}", server.url("/hang/search"))
    );
    assert_eq!(server.count("/hang/search"), 1);
}

#[test]
fn malformed_json_is_an_error_with_its_position_and_url() {
    let server = stac_server();
    let err = client(&server, "/malformed").search(&params()).unwrap_err();
    let StacError::Json { line, .. } = &err else {
        panic!("expected a JSON error, got {err:?}");
    };
    assert_eq!(*line, 2);
    let message = err.to_string();
    assert!(
        message.starts_with("malformed STAC JSON at line 2, column"),
        "{message}"
    );
    assert_eq!(message.matches(&server.url("/malformed/search")).count(), 1);
}

#[test]
fn a_failed_later_page_keeps_the_items_before_it() {
    let server = stac_server();
    let results = client(&server, "/page2fails").search(&params()).unwrap();
    assert_eq!(results.items.len(), 1);
    assert!(matches!(
        results.page_error,
        Some(StacError::Http { status: 404, .. })
    ));
    assert_eq!(server.count("/page2fails/next"), 1);
}

#[test]
fn a_searched_series_mosaics_same_day_items_and_reports_the_unusable_one() {
    let server = stac_server();
    let url = server.url("/api/search");
    let results = client(&server, "/api").search(&params()).unwrap();
    let series = plan_series(
        &results.items,
        PlanOptions::default(),
        Thinning::Every,
        &url,
    );
    let dates: Vec<String> = series.layers.iter().map(|l| l.date.to_string()).collect();
    assert_eq!(dates, ["2025-03-01", "2025-03-11", "2025-03-21"]);
    assert_eq!(series.layers[0].item_ids(), ["a", "b"]);
    assert!(
        series
            .layers
            .iter()
            .all(|l| l.provider.credit == "Contains modified Copernicus Sentinel data 2025")
    );
    assert!(
        matches!(&series.layers[1].scenes[0].assets, AssetChoice::Visual { href, .. } if href == "https://e/c/TCI.tif")
    );
    let [StacError::NoUsableAsset { item_id, .. }] = series.skipped.as_slice() else {
        panic!("expected one unusable item, got {:?}", series.skipped);
    };
    assert_eq!(item_id, "bare");
    assert!(series.skipped[0].to_string().ends_with(&url));

    let monthly = plan_series(
        &results.items,
        PlanOptions::default(),
        Thinning::PerMonth,
        &url,
    );
    assert_eq!(monthly.layers.len(), 1);
    assert_eq!(monthly.layers[0].item_ids(), ["c"]);
}

// --- Planetary-Computer-style signing -------------------------------------------------------

/// Token endpoint and blob storage. `valid` is the number of the only token the storage takes;
/// the endpoint hands out `sig=tok1`, `sig=tok2`… expiring at `expiry`.
struct SasServer {
    server: Server,
    valid: Arc<AtomicUsize>,
}

fn sas_server(expiry: &'static str) -> SasServer {
    let issued = Arc::new(AtomicUsize::new(0));
    let valid = Arc::new(AtomicUsize::new(1));
    let server = {
        let valid = Arc::clone(&valid);
        Server::start(move |request| {
            let path = request.target.split('?').next().unwrap_or("");
            let query = request.target.split_once('?').map_or("", |(_, q)| q);
            if path.starts_with("/sas/token/") {
                let n = issued.fetch_add(1, Ordering::SeqCst) + 1;
                return reply(
                    200,
                    json!({"token": format!("sig=tok{n}"), "msft:expiry": expiry}).to_string(),
                );
            }
            match path {
                "/blob/asset.tif"
                    if query == format!("sig=tok{}", valid.load(Ordering::SeqCst)) =>
                {
                    reply(200, "TIFF")
                }
                "/blob/asset.tif" | "/blob/locked.tif" => reply(403, "AuthenticationFailed"),
                _ => reply(404, ""),
            }
        })
    };
    SasServer { server, valid }
}

/// A clock reading `seconds` after 2026-01-01T00:00:00Z.
fn clock(seconds: &Arc<AtomicI64>) -> Arc<dyn Fn() -> DateTime<Utc> + Send + Sync> {
    let seconds = Arc::clone(seconds);
    Arc::new(move || {
        Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap()
            + chrono::TimeDelta::seconds(seconds.load(Ordering::SeqCst))
    })
}

fn signer(sas: &SasServer, seconds: &Arc<AtomicI64>) -> SasSigner {
    SasSigner::new(sas.server.url("/sas/token"), Some(TIMEOUT)).with_clock(clock(seconds))
}

#[test]
fn a_token_is_fetched_once_per_collection_and_kept_until_expiry() {
    let sas = sas_server("2026-01-01T01:00:00Z");
    let seconds = Arc::new(AtomicI64::new(0));
    let signer = signer(&sas, &seconds);
    let href = sas.server.url("/blob/asset.tif");
    assert_eq!(
        signer.sign("sentinel-2-l2a", &href).unwrap(),
        format!("{href}?sig=tok1")
    );
    assert_eq!(
        signer.sign("sentinel-2-l2a", &href).unwrap(),
        format!("{href}?sig=tok1")
    );
    assert_eq!(sas.server.count("/sas/token/sentinel-2-l2a"), 1);
    // Another collection has its own token.
    signer.sign("landsat-c2-l2", &href).unwrap();
    assert_eq!(sas.server.count("/sas/token/landsat-c2-l2"), 1);
    // Within a minute of the expiry a new token is fetched before using it.
    seconds.store(3570, Ordering::SeqCst);
    assert_eq!(
        signer.sign("sentinel-2-l2a", &href).unwrap(),
        format!("{href}?sig=tok3")
    );
    assert_eq!(sas.server.count("/sas/token/sentinel-2-l2a"), 2);
}

#[test]
fn an_expired_token_is_re_signed_exactly_once_on_a_403() {
    let sas = sas_server("2030-01-01T00:00:00Z");
    let seconds = Arc::new(AtomicI64::new(0));
    let signer = signer(&sas, &seconds);
    let href = sas.server.url("/blob/asset.tif");
    assert_eq!(signer.get_signed("sentinel-2-l2a", &href).unwrap(), b"TIFF");
    // The storage stops accepting tok1 long before its stated expiry.
    sas.valid.store(2, Ordering::SeqCst);
    assert_eq!(signer.get_signed("sentinel-2-l2a", &href).unwrap(), b"TIFF");
    assert_eq!(sas.server.count("/sas/token/sentinel-2-l2a"), 2);
    assert_eq!(sas.server.count("/blob/asset.tif"), 3);
}

#[test]
fn a_token_refused_again_after_re_signing_is_a_token_error_without_a_retry_storm() {
    let sas = sas_server("2030-01-01T00:00:00Z");
    let seconds = Arc::new(AtomicI64::new(0));
    let signer = signer(&sas, &seconds);
    let href = sas.server.url("/blob/locked.tif");
    let err = signer.get_signed("sentinel-2-l2a", &href).unwrap_err();
    assert!(matches!(err, StacError::TokenExpired { .. }), "{err:?}");
    let message = err.to_string();
    assert!(message.ends_with(&href), "{message}");
    assert!(!message.contains("sig="), "no token in messages: {message}");
    assert_eq!(sas.server.count("/sas/token/sentinel-2-l2a"), 2);
    assert_eq!(sas.server.count("/blob/locked.tif"), 2);
}

#[test]
fn the_planetary_computer_preset_signs_through_its_injected_token_url() {
    let sas = sas_server("2030-01-01T00:00:00Z");
    let api = StacApi::planetary_computer()
        .with_root_url(sas.server.url("/stac"))
        .with_token_url(sas.server.url("/sas/token"));
    let client = StacClient::with_timeout(api, Some(TIMEOUT));
    let href = sas.server.url("/blob/asset.tif");
    let bytes = client
        .signer()
        .unwrap()
        .get_signed("sentinel-1-rtc", &href)
        .unwrap();
    assert_eq!(bytes, b"TIFF");
    assert_eq!(sas.server.count("/sas/token/sentinel-1-rtc"), 1);
    assert!(StacClient::new(StacApi::earth_search()).signer().is_none());
}

// --- Files -----------------------------------------------------------------------------------

fn fixture(path: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/stac")
        .join(path)
}

#[test]
fn an_item_collection_file_reads_as_a_series() {
    let path = fixture("item_collection.json");
    let found = read_items_file(&path).unwrap();
    assert_eq!(found.items.len(), 3);
    let origin = path.display().to_string();
    let series = plan_series(
        &found.items,
        PlanOptions::default(),
        Thinning::Every,
        &origin,
    );
    assert_eq!(series.layers.len(), 2);
    assert_eq!(series.layers[0].scenes[0].epsg, Some(32652));
    assert_eq!(series.skipped.len(), 1);
    assert!(series.skipped[0].to_string().ends_with(&origin));
}

#[test]
fn a_static_catalogue_follows_local_item_and_child_links_only() {
    let found = read_items_file(&fixture("catalog/catalog.json")).unwrap();
    let ids: Vec<&str> = found.items.iter().map(|i| i.id.as_str()).collect();
    assert_eq!(ids, ["S2B_52SCG_20250405", "S2B_52SCG_20250415"]);
    assert_eq!(found.remote_links_skipped, 1);
}

#[test]
fn a_broken_or_foreign_file_is_a_typed_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let truncated = dir.path().join("cut.json");
    std::fs::write(
        &truncated,
        "{\"type\": \"FeatureCollection\", \"features\": [",
    )
    .unwrap();
    let err = read_items_file(&truncated).unwrap_err();
    assert!(matches!(err, StacError::Json { .. }), "{err:?}");
    assert!(err.to_string().ends_with(&truncated.display().to_string()));

    let geojson = dir.path().join("other.json");
    std::fs::write(&geojson, r#"{"type": "Point", "coordinates": [0, 0]}"#).unwrap();
    assert!(matches!(
        read_items_file(&geojson),
        Err(StacError::NotStac { .. })
    ));

    let missing = dir.path().join("missing.json");
    assert!(matches!(
        read_items_file(&missing),
        Err(StacError::Io { .. })
    ));
}
