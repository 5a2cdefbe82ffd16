//! The Find imagery window against a STAC API on 127.0.0.1: I opens it, a custom API URL is
//! searched over the view (two pages, three scenes, their visual COGs on a range server), Add
//! series adds them as one dated track in one undo step, and the timeline shows each scene at
//! its date; a server error, malformed JSON and an unreachable server say so in the window; a
//! STAC file's item with neither a visual COG nor all three colour bands is skipped with a
//! message; two scenes of one day are added as one mosaic layer, which opens in the window.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns

mod common;
#[path = "common/sas_server.rs"]
#[allow(dead_code, reason = "the token faults are for tests/pc_signing.rs")]
mod sas_server;

use std::sync::{Arc, Mutex};

use common::range_server::{Behaviour, RangeServer};
use common::stac_server::{Server, reply};
use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use serde_json::{Value, json};
use sitewatch::app::SitewatchApp;
use sitewatch::command::{
    Command, EditCommand, FindImageryCommand, ImagerySearch, ImagerySource, TimeCommand,
};
use sitewatch::imagery::stac::{SearchParams, Signing, StacApi};
use sitewatch::model::LayerSource;
use sitewatch::ui::find_imagery::{
    ADD_LABEL, ADD_SERIES_LABEL, CUSTOM_LABEL, SEARCH_LABEL, SearchStatus, URL_LABEL,
};

/// The scenes served: id, day, cloud cover.
const SCENES: [(&str, &str, f64); 3] = [
    ("S2A_20250502", "2025-05-02", 4.0),
    ("S2B_20250611", "2025-06-11", 12.5),
    ("S2A_20250820", "2025-08-20", 1.0),
];

/// A small RGB COG over the site, served with range support.
fn cog_server() -> RangeServer {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("scene.tif");
    common::rasters::rgb_geotiff(
        &path,
        64,
        (130.62, 42.44),
        0.0005,
        None,
        &common::rasters::pattern(64),
    );
    RangeServer::start(std::fs::read(&path).unwrap(), Behaviour::Ranges)
}

/// A Sentinel-2 item over the site whose visual asset is `href`.
fn item(id: &str, day: &str, cloud: f64, href: &str) -> Value {
    json!({
        "type": "Feature", "id": id, "collection": "sentinel-2-l2a",
        "bbox": [130.60, 42.40, 130.68, 42.45],
        "geometry": {"type": "Polygon", "coordinates": [[[130.60, 42.40], [130.68, 42.40],
            [130.68, 42.45], [130.60, 42.45], [130.60, 42.40]]]},
        "properties": {"datetime": format!("{day}T02:10:00Z"), "eo:cloud_cover": cloud,
                       "platform": "sentinel-2a", "license": "proprietary"},
        "assets": {"visual": {"href": href, "type": "image/tiff; application=geotiff"}}
    })
}

/// The STAC API: `/api/search` (POST, two scenes, a `next` link to `/api/page2` with the
/// third), `/broken/search` (500), `/malformed/search` (truncated JSON).
fn stac_server(cogs: &RangeServer) -> Server {
    let base = Arc::new(Mutex::new(String::new()));
    let items: Vec<Value> = SCENES
        .iter()
        .map(|(id, day, cloud)| item(id, day, *cloud, &cogs.url(&format!("{id}.tif"))))
        .collect();
    let server = {
        let base = Arc::clone(&base);
        Server::start(move |request| {
            let base = base.lock().unwrap().clone();
            let page = |features: &[Value], links: Value| {
                json!({"type": "FeatureCollection", "features": features, "links": links})
                    .to_string()
            };
            match request.target.as_str() {
                "/api/search" => reply(
                    200,
                    page(
                        &items[..2],
                        json!([{"rel": "next", "href": format!("{base}/api/page2")}]),
                    ),
                ),
                "/api/page2" => reply(200, page(&items[2..], json!([]))),
                "/broken/search" => reply(500, r#"{"code": "oops"}"#),
                "/malformed/search" => reply(200, r#"{"type": "FeatureCollection", "featu"#),
                _ => reply(404, "{}"),
            }
        })
    };
    *base.lock().unwrap() = server.url("");
    server
}

/// Draws frames until the search in progress has answered.
fn await_search(h: &mut Harness<'_, SitewatchApp>) {
    let answered = common::wait::frames_until(h, |h| {
        !matches!(h.state().find_imagery_status(), SearchStatus::Searching(_))
    });
    assert!(answered, "the search did not answer");
    // The window sizes itself to the answer over a frame or two: let it settle before a click.
    h.run_steps(3);
}

/// Opens the window with I, picks a custom API, types `url` and searches this view.
fn search(h: &mut Harness<'_, SitewatchApp>, url: &str) {
    h.key_press(egui::Key::I);
    h.run_steps(2);
    assert!(h.state().find_imagery_open(), "I opens the window");
    h.get_by_label(CUSTOM_LABEL).click();
    h.run_steps(2);
    h.get_by_role_and_label(Role::TextInput, URL_LABEL).click();
    h.run_steps(1);
    h.get_by_role_and_label(Role::TextInput, URL_LABEL)
        .type_text(url);
    h.run_steps(2);
    h.get_by_label(SEARCH_LABEL).click();
    h.run_steps(1);
    await_search(h);
}

/// Selects the result dated `day`, presses Add series, and returns how many layers the project
/// had before.
fn add_series_from(h: &mut Harness<'_, SitewatchApp>, day: &str) -> usize {
    h.get_by_label(day).click();
    h.run_steps(2);
    let before = h.state().project().layers.len();
    h.get_by_label(ADD_SERIES_LABEL).click();
    h.run_steps(2);
    before
}

/// Searches `source` over the box `[west, south, east, north]` and waits for the answer.
fn search_over(h: &mut Harness<'_, SitewatchApp>, source: ImagerySource, bbox_lonlat: [f64; 4]) {
    let search = ImagerySearch {
        source,
        params: SearchParams {
            bbox_lonlat,
            dates: None,
            collections: Vec::new(),
            limit: 10,
            max_cloud_cover: None,
        },
    };
    apply(h, FindImageryCommand::Search(Box::new(search)).into());
    await_search(h);
}

fn shown_ids(h: &mut Harness<'_, SitewatchApp>) -> Vec<String> {
    h.state_mut()
        .scene()
        .layers
        .iter()
        .map(|l| l.id.clone())
        .filter(|id| id.starts_with("stac-"))
        .collect()
}

fn apply(h: &mut Harness<'_, SitewatchApp>, command: Command) {
    let ctx = h.ctx.clone();
    h.state_mut().apply(&ctx, command);
    h.run_steps(2);
}

#[test]
fn a_searched_series_is_one_undoable_dated_track_that_the_timeline_steps_through() {
    let cogs = cog_server();
    let stac = stac_server(&cogs);
    let mut h = common::window::ready_app();
    search(&mut h, &stac.url("/api"));

    let status = h.state().find_imagery_status().clone();
    assert!(
        matches!(status, SearchStatus::Done { found: 3, .. }),
        "{status:?}"
    );
    let found: Vec<&str> = h
        .state()
        .find_imagery_results()
        .iter()
        .map(|i| i.id.as_str())
        .collect();
    assert_eq!(found, SCENES.map(|s| s.0), "both pages, in order");
    let posted = stac.requests("/api/search");
    assert_eq!(posted.len(), 1);
    let body: Value = serde_json::from_str(&posted[0].body).unwrap();
    let bbox = body["bbox"].as_array().unwrap();
    assert!(bbox[0].as_f64().unwrap() < 130.65 && bbox[2].as_f64().unwrap() > 130.63);
    assert!(
        body["datetime"].as_str().unwrap().starts_with("2023-06-19"),
        "a year before the first stage: {body}"
    );
    let before = add_series_from(&mut h, "2025-05-02");
    let layers = &h.state().project().layers;
    assert_eq!(layers.len(), before + 3);
    let added = &layers[before..];
    for (layer, (id, day, _)) in added.iter().zip(SCENES) {
        assert_eq!(layer.track, "Sentinel-2");
        assert_eq!(layer.date.unwrap().to_string(), day);
        assert_eq!(
            layer.source,
            LayerSource::Remote {
                url: cogs.url(&format!("{id}.tif"))
            }
        );
        assert_eq!(layer.extra["stac_item"], id);
        assert_eq!(layer.extra["stac_collection"], "sentinel-2-l2a");
        assert!(layer.attribution.contains("Copernicus Sentinel data 2025"));
        assert!(layer.note.contains(id), "{}", layer.note);
    }
    let ids: Vec<String> = added.iter().map(|l| l.id.clone()).collect();

    apply(&mut h, Command::Edit(EditCommand::Undo));
    assert_eq!(h.state().project().layers.len(), before, "one undo step");
    apply(&mut h, Command::Edit(EditCommand::Redo));
    assert_eq!(h.state().project().layers.len(), before + 3);

    let day = |d: &str| TimeCommand::SetDate(d.parse().unwrap());
    apply(&mut h, Command::Time(day("2025-05-01")));
    assert!(
        shown_ids(&mut h).is_empty(),
        "nothing before the first scene"
    );
    for (id, date) in ids.iter().zip(["2025-05-02", "2025-06-11", "2025-08-20"]) {
        apply(&mut h, Command::Time(day(date)));
        assert_eq!(&shown_ids(&mut h), std::slice::from_ref(id), "at {date}");
    }
    apply(&mut h, Command::Time(day("2025-07-01")));
    assert_eq!(
        shown_ids(&mut h),
        vec![ids[1].clone()],
        "the June scene holds"
    );
}

#[test]
fn a_server_error_malformed_json_and_no_server_are_said_in_the_window() {
    let cogs = cog_server();
    let stac = stac_server(&cogs);
    let mut h = common::window::ready_app();
    search(&mut h, &stac.url("/broken"));
    let status = h.state().find_imagery_status().clone();
    let SearchStatus::Failed(why) = &status else {
        panic!("{status:?}");
    };
    assert_eq!(
        why,
        &format!(
            "STAC server answered HTTP 500: {}",
            stac.url("/broken/search")
        )
    );
    assert!(h.query_by_label_contains("HTTP 500").is_some(), "shown");
    assert!(h.state().find_imagery_results().is_empty());

    let form = |h: &mut Harness<'_, SitewatchApp>, url: &str| {
        let source = ImagerySource::Custom(url.to_owned());
        search_over(h, source, [130.6, 42.4, 130.7, 42.5]);
        h.state().find_imagery_status().clone()
    };
    let status = form(&mut h, &stac.url("/malformed"));
    assert!(
        matches!(&status, SearchStatus::Failed(w) if w.starts_with("malformed STAC JSON")),
        "{status:?}"
    );

    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let nobody = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let status = form(&mut h, &nobody);
    assert!(
        matches!(&status, SearchStatus::Failed(w) if w.starts_with("STAC request got no answer")),
        "{status:?}"
    );
}

#[test]
fn a_stac_file_adds_its_visual_scene_and_skips_one_with_two_bands_with_a_message() {
    let dir = tempfile::tempdir().unwrap();
    let mut band_only = item("S2B_20250601", "2025-06-01", 2.0, "unused");
    band_only["assets"] = json!({
        "red": {"href": "https://e/r.tif", "type": "image/tiff; application=geotiff",
                "eo:bands": [{"common_name": "red"}]},
        "green": {"href": "https://e/g.tif", "type": "image/tiff; application=geotiff",
                  "eo:bands": [{"common_name": "green"}]}});
    let visual = item("S2A_20250502", "2025-05-02", 4.0, "https://e/v/TCI.tif");
    let path = dir.path().join("search.json");
    let file = json!({"type": "FeatureCollection", "features": [visual, band_only]});
    std::fs::write(&path, file.to_string()).unwrap();

    let mut h = common::window::ready_app();
    apply(&mut h, FindImageryCommand::Toggle.into());
    apply(&mut h, FindImageryCommand::OpenFile(path).into());
    await_search(&mut h);
    assert_eq!(h.state().find_imagery_results().len(), 2);

    // Add takes the selected scene only.
    h.get_by_label("2025-06-01").click();
    h.run_steps(2);
    let before = h.state().project().layers.len();
    h.get_by_label(ADD_LABEL).click();
    h.run_steps(2);
    assert_eq!(h.state().project().layers.len(), before);
    let said = h.state().find_imagery_added().unwrap().to_owned();
    assert!(said.contains("S2B_20250601 has no usable asset"), "{said}");

    h.get_by_label(ADD_SERIES_LABEL).click();
    h.run_steps(2);
    let layers = &h.state().project().layers;
    assert_eq!(layers.len(), before + 1);
    assert_eq!(layers[before].extra["stac_item"], "S2A_20250502");
    let said = h.state().find_imagery_added().unwrap();
    assert!(
        said.starts_with("Added 1 dated layer(s). Skipped 1"),
        "{said}"
    );
}

#[test]
fn two_scenes_of_one_day_are_one_mosaic_layer_that_opens_in_the_window() {
    let (east, west) = (cog_server(), cog_server());
    let dir = tempfile::tempdir().unwrap();
    let file = json!({"type": "FeatureCollection", "features": [
        item("S2A_20250611_T52TGN", "2025-06-11", 3.0, &west.url("T52TGN/TCI.tif")),
        item("S2A_20250611_T53TMH", "2025-06-11", 5.0, &east.url("T53TMH/TCI.tif")),
        item("S2B_20250820", "2025-08-20", 1.0, &west.url("S2B_20250820/TCI.tif")),
    ]});
    let path = dir.path().join("search.json");
    std::fs::write(&path, file.to_string()).unwrap();

    let mut h = common::window::ready_app();
    apply(&mut h, FindImageryCommand::Toggle.into());
    apply(&mut h, FindImageryCommand::OpenFile(path).into());
    await_search(&mut h);
    let before = add_series_from(&mut h, "2025-08-20");
    let layers = &h.state().project().layers;
    assert_eq!(layers.len(), before + 2, "the June pair is one layer");
    let june = layers[before].clone();
    assert_eq!(
        june.source,
        LayerSource::Mosaic {
            scenes: vec![
                LayerSource::Remote {
                    url: west.url("T52TGN/TCI.tif")
                },
                LayerSource::Remote {
                    url: east.url("T53TMH/TCI.tif")
                },
            ]
        }
    );
    assert_eq!(june.date.unwrap().to_string(), "2025-06-11");
    assert!(june.name.ends_with("(mosaic of 2)"), "{}", june.name);
    assert!(june.note.contains("S2A_20250611_T53TMH"), "{}", june.note);

    apply(
        &mut h,
        Command::Time(TimeCommand::SetDate("2025-06-11".parse().unwrap())),
    );
    assert_eq!(shown_ids(&mut h), vec![june.id.clone()]);
    let opened = common::wait::frames_until(&mut h, |h| {
        matches!(
            h.state().layer_load_state(&june.id),
            sitewatch::ui::layers::LayerLoadState::Ready { loading: 0, .. }
        )
    });
    let state = h.state().layer_load_state(&june.id);
    assert!(opened, "{state:?}");
    let sitewatch::ui::layers::LayerLoadState::Ready { failed, .. } = state else {
        unreachable!()
    };
    assert_eq!(failed, 0, "{state:?}");
    assert!(
        west.request_count() > 0 && east.request_count() > 0,
        "both scenes read"
    );
}

#[test]
fn each_result_says_how_clear_the_searched_view_is_from_its_scene_classification_band() {
    // The band covers the searched box; its western quarter is high cloud, the rest vegetation.
    let (west, north, step, side) = (130.60, 42.45, 1e-4, 1024);
    let band = common::rasters::classes_cog(side, (west, north), step, 2, |x, _| {
        if x < side / 4 { 9 } else { 4 }
    });
    let scl = RangeServer::start(band, Behaviour::Ranges);
    let cogs = cog_server();
    let mut with_band = item("S2A_20250611", "2025-06-11", 40.0, &cogs.url("v.tif"));
    with_band["assets"]["scl"] = json!({"href": scl.url("SCL.tif"), "type": "image/tiff"});
    let without = item("S2B_20250616", "2025-06-16", 5.0, &cogs.url("w.tif"));
    let features = vec![with_band, without];
    let stac = Server::start(move |request| match request.target.as_str() {
        "/api/search" => reply(
            200,
            json!({"type": "FeatureCollection", "features": features}).to_string(),
        ),
        _ => reply(404, "{}"),
    });

    let mut h = common::window::ready_app();
    apply(&mut h, FindImageryCommand::Toggle.into());
    let span = f64::from(side) * step;
    let source = ImagerySource::Custom(stac.url("/api"));
    search_over(&mut h, source, [west, north - span, west + span, north]);
    let read = common::wait::frames_until(&mut h, |h| h.state().find_imagery_clear_pending() == 0);
    assert!(read, "the band was not read");
    h.run_steps(2);
    let sky = h.state().find_imagery_clear("S2A_20250611").unwrap();
    assert!((sky.clear - 0.75).abs() < 1e-12, "{sky:?}");
    assert!((sky.cloud - 0.25).abs() < 1e-12, "{sky:?}");
    assert_eq!(h.state().find_imagery_clear("S2B_20250616"), None);
    assert!(
        h.query_by_label("75 %").is_some(),
        "the row shows the view's clear share beside the scene's 40 % cloud"
    );
    assert!(scl.request_count() > 0);
}

#[test]
fn a_planetary_computer_scene_classification_band_is_read_signed_with_its_collections_token() {
    let (west, north, step, side) = (130.60, 42.45, 1e-4, 512);
    let band = common::rasters::classes_cog(side, (west, north), step, 1, |_, y| {
        if y < side / 2 { 8 } else { 6 }
    });
    let storage = sas_server::SasServer::start(band, "2030-01-01T00:00:00Z");
    let cogs = cog_server();
    let mut scene = item(
        "S2A_MSIL2A_20250611",
        "2025-06-11",
        12.0,
        &cogs.url("v.tif"),
    );
    scene["assets"]["SCL"] = json!({"href": storage.url("sentinel2-l2/SCL_20m.tif"),
                                    "type": "image/tiff"});
    let stac = Server::start(move |request| match request.target.as_str() {
        "/api/search" => reply(
            200,
            json!({"type": "FeatureCollection", "features": [scene]}).to_string(),
        ),
        _ => reply(404, "{}"),
    });
    let api = StacApi {
        signing: Signing::PlanetaryComputer {
            token_url: storage.token_url(),
        },
        ..StacApi::custom(stac.url("/api"))
    };
    let span = f64::from(side) * step;
    let mut h = common::window::ready_app();
    apply(&mut h, FindImageryCommand::Toggle.into());
    let source = ImagerySource::Api(Box::new(api));
    search_over(&mut h, source, [west, north - span, west + span, north]);
    let read = common::wait::frames_until(&mut h, |h| h.state().find_imagery_clear_pending() == 0);
    assert!(read, "the band was not read");
    let sky = h.state().find_imagery_clear("S2A_MSIL2A_20250611");
    assert!(
        sky.is_some_and(|s| (s.clear - 0.5).abs() < 1e-12 && (s.cloud - 0.5).abs() < 1e-12),
        "{sky:?}"
    );
    assert_eq!(storage.refused(), 0, "every request was signed");
    assert_eq!(storage.token_requests(), 1);
}
