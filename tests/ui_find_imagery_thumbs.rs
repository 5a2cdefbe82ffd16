//! The Find imagery results' previews against a STAC API on 127.0.0.1: each row's thumbnail
//! (or PNG rendered preview) is fetched once, at most two at a time per host, and shown as a
//! picture; a thumbnail the server does not have says "no preview"; a new search fetches again;
//! a catalogue that signs its assets has previews in its storage signed with the collection's
//! token.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns

mod common;
#[path = "common/sas_server.rs"]
#[allow(dead_code, reason = "the token faults are for tests/pc_signing.rs")]
mod sas_server;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use common::stac_server::{Server, reply, reply_png};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use sas_server::SasServer;
use serde_json::{Value, json};
use sitewatch::app::SitewatchApp;
use sitewatch::command::{FindImageryCommand, ImagerySearch, ImagerySource};
use sitewatch::imagery::stac::{SearchParams, Signing, StacApi};
use sitewatch::ui::find_imagery::SearchStatus;
use sitewatch::ui::find_imagery_thumb::{NO_PREVIEW, preview_label};

/// A scene over the site with `assets`.
fn item(id: &str, day: &str, assets: &Value) -> Value {
    json!({
        "type": "Feature", "id": id, "collection": "sentinel-2-l2a",
        "bbox": [130.60, 42.40, 130.68, 42.45],
        "geometry": {"type": "Polygon", "coordinates": [[[130.60, 42.40], [130.68, 42.40],
            [130.68, 42.45], [130.60, 42.45], [130.60, 42.40]]]},
        "properties": {"datetime": format!("{day}T02:10:00Z"), "eo:cloud_cover": 3.0,
                       "platform": "sentinel-2a"},
        "assets": assets
    })
}

/// The API and its pictures: `/api/search` lists four scenes; `S2A_0502` and `S2B_0611` have
/// thumbnails, `S2A_0820`'s is missing (404), `S2B_0901` has only a PNG rendered preview.
/// Also counts the most picture requests it served at once.
fn server(most_at_once: Arc<AtomicUsize>) -> Server {
    let base = Arc::new(Mutex::new(String::new()));
    let running = Arc::new(AtomicUsize::new(0));
    let server = {
        let base = Arc::clone(&base);
        Server::start(move |request| {
            let base = base.lock().unwrap().clone();
            let thumb = |name: &str| {
                json!({"thumbnail": {"href": format!("{base}/thumbs/{name}.png"),
                                     "type": "image/png", "roles": ["thumbnail"]}})
            };
            match request.target.as_str() {
                "/api/search" => {
                    let features = [
                        item("S2A_0502", "2025-05-02", &thumb("S2A_0502")),
                        item("S2B_0611", "2025-06-11", &thumb("S2B_0611")),
                        item("S2A_0820", "2025-08-20", &thumb("S2A_0820")),
                        item(
                            "S2B_0901",
                            "2025-09-01",
                            &json!({"rendered_preview": {
                                "href": format!("{base}/previews/S2B_0901.png"),
                                "type": "image/png", "roles": ["overview"]}}),
                        ),
                    ];
                    let page = json!({"type": "FeatureCollection", "features": features});
                    reply(200, page.to_string())
                }
                "/thumbs/S2A_0820.png" => reply(404, "{}"),
                path if path.starts_with("/thumbs/") || path.starts_with("/previews/") => {
                    let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                    most_at_once.fetch_max(now, Ordering::SeqCst);
                    let answer = reply_png(96, 48, [40, 160, 90]);
                    running.fetch_sub(1, Ordering::SeqCst);
                    answer
                }
                _ => reply(404, "{}"),
            }
        })
    };
    *base.lock().unwrap() = server.url("");
    server
}

/// Opens the window, searches the API and waits for the results and their previews.
fn search(h: &mut Harness<'_, SitewatchApp>, api: &str) {
    search_source(h, ImagerySource::Custom(api.to_owned()));
}

/// [`search`] against any source.
fn search_source(h: &mut Harness<'_, SitewatchApp>, source: ImagerySource) {
    let ctx = h.ctx.clone();
    if !h.state().find_imagery_open() {
        h.state_mut().apply(&ctx, FindImageryCommand::Toggle.into());
    }
    let search = ImagerySearch {
        source,
        params: SearchParams {
            bbox_lonlat: [130.6, 42.4, 130.7, 42.5],
            dates: None,
            collections: Vec::new(),
            limit: 10,
            max_cloud_cover: None,
        },
    };
    h.state_mut()
        .apply(&ctx, FindImageryCommand::Search(Box::new(search)).into());
    let done = common::wait::frames_until(h, |h| {
        let searching = matches!(h.state().find_imagery_status(), SearchStatus::Searching(_));
        !searching && h.state().find_imagery_previews_pending() == 0
    });
    assert!(done, "the search or its previews did not finish");
    h.run_steps(2);
}

#[test]
fn each_result_shows_its_preview_fetched_once_and_a_missing_one_says_so() {
    let most_at_once = Arc::new(AtomicUsize::new(0));
    let stac = server(Arc::clone(&most_at_once));
    let mut h = common::window::ready_app();
    search(&mut h, &stac.url("/api"));
    assert!(
        matches!(
            h.state().find_imagery_status(),
            SearchStatus::Done { found: 4, .. }
        ),
        "{:?}",
        h.state().find_imagery_status()
    );

    for path in [
        "/thumbs/S2A_0502.png",
        "/thumbs/S2B_0611.png",
        "/thumbs/S2A_0820.png",
        "/previews/S2B_0901.png",
    ] {
        assert_eq!(stac.count(path), 1, "{path} asked for once");
    }
    assert!(
        most_at_once.load(Ordering::SeqCst) <= 2,
        "two at a time per host"
    );
    for shown in ["S2A_0502", "S2B_0611", "S2B_0901"] {
        assert!(
            h.query_by_label(&preview_label(shown)).is_some(),
            "{shown}'s preview shows"
        );
    }
    assert!(h.query_by_label(&preview_label("S2A_0820")).is_none());
    assert_eq!(
        h.query_all_by_label(NO_PREVIEW).count(),
        1,
        "the missing thumbnail says so"
    );

    // More frames draw from the cache; a new search fetches afresh.
    h.run_steps(5);
    assert_eq!(stac.count("/thumbs/S2A_0502.png"), 1);
    search(&mut h, &stac.url("/api"));
    assert_eq!(stac.count("/thumbs/S2A_0502.png"), 2);
    assert!(h.query_by_label(&preview_label("S2A_0502")).is_some());
}

/// A PNG's bytes.
fn png_bytes() -> Vec<u8> {
    let picture = image::RgbaImage::from_pixel(64, 32, image::Rgba([200, 120, 40, 255]));
    let mut bytes = std::io::Cursor::new(Vec::new());
    picture
        .write_to(&mut bytes, image::ImageFormat::Png)
        .unwrap();
    bytes.into_inner()
}

#[test]
fn a_preview_in_a_signing_catalogues_storage_is_signed_with_its_collections_token() {
    let storage = SasServer::start(png_bytes(), "2030-01-01T00:00:00Z");
    let thumbnail = storage.url("landsat/LC09_L2SP_thumb_small.png");
    let stac = Server::start(move |request| match request.target.as_str() {
        "/api/search" => {
            let mut scene = item(
                "LC09_L2SP",
                "2025-06-20",
                &json!({"thumbnail": {"href": thumbnail, "type": "image/png",
                                      "roles": ["thumbnail"]}}),
            );
            scene["collection"] = json!("landsat-c2-l2");
            let page = json!({"type": "FeatureCollection", "features": [scene]});
            reply(200, page.to_string())
        }
        _ => reply(404, "{}"),
    });
    let mut h = common::window::ready_app();

    // Unsigned, the storage refuses it.
    search(&mut h, &stac.url("/api"));
    assert_eq!(storage.refused(), 1);
    assert_eq!(h.query_all_by_label(NO_PREVIEW).count(), 1);
    assert!(h.query_by_label(&preview_label("LC09_L2SP")).is_none());

    // The same catalogue with Planetary Computer signing: one token for the collection.
    let api = StacApi {
        signing: Signing::PlanetaryComputer {
            token_url: storage.token_url(),
        },
        ..StacApi::custom(stac.url("/api"))
    };
    search_source(&mut h, ImagerySource::Api(Box::new(api)));
    assert!(
        h.query_by_label(&preview_label("LC09_L2SP")).is_some(),
        "the signed preview shows"
    );
    assert_eq!(storage.token_requests(), 1);
    assert_eq!(storage.refused(), 1, "the signed request is accepted");
    assert_eq!(storage.file_requests(), 2);
}
