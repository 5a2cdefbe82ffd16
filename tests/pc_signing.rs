//! Planetary Computer assets are signed when they are read: every range request carries the
//! collection's current SAS token, fetched once and shared, a 403 re-signs once, and no token
//! reaches a message or the project file. Everything runs against 127.0.0.1 with an injected
//! clock.
#![allow(clippy::unwrap_used, reason = "tests fail loudly")]

#[path = "common/sas_server.rs"]
mod sas_server;
#[path = "common/tiles.rs"]
mod tiles;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use sas_server::{SasServer, TokenMode};
use sitewatch::imagery::raster::http_bytes::{RemoteError, Retry};
use sitewatch::imagery::raster::signed::{AssetSigning, Signers};
use sitewatch::imagery::raster::write::{Compression, write_geotiff_levels_with};
use sitewatch::imagery::raster::{OpenOptions, RasterError, RasterTileSource};
use sitewatch::imagery::{TileKey, TileSource};

const SIDE: u32 = 1024;
const STEP_DEG: f64 = 2e-5;
const WEST: f64 = 130.64;
const NORTH: f64 = 42.43;
const COLLECTION: &str = "sentinel-2-l2a";
/// When the test clock starts, and when the server's tokens expire (an hour later).
const NOW: &str = "2025-06-01T10:00:00Z";
const EXPIRY: &str = "2025-06-01T11:00:00Z";

/// A 1024² RGB COG (256 px Deflate tiles, two overviews) with varied pixels.
fn cog() -> Vec<u8> {
    let spec = tiles::cog_spec((WEST, NORTH), SIDE, STEP_DEG, Compression::Deflate);
    let mut out = std::io::Cursor::new(Vec::new());
    write_geotiff_levels_with(
        &mut out,
        &spec,
        2,
        |k, x0, y0, w, h, block: &mut Vec<u8>| {
            for y in y0..y0 + h {
                for x in x0..x0 + w {
                    let v = ((x * 7 + y * 13 + k * 50) % 200) as u8;
                    block.extend([v, 255 - v, 40]);
                }
            }
        },
    )
    .unwrap();
    out.into_inner()
}

/// The tile at `zoom` over the raster's centre.
fn centre_key(zoom: u8) -> TileKey {
    tiles::centre_key((WEST, NORTH), SIDE, STEP_DEG, zoom)
}

fn no_wait() -> Retry {
    Retry {
        timeout: Duration::from_secs(5),
        ..tiles::no_wait()
    }
}

/// A clock the test moves, and signers reading it.
fn clock_and_signers() -> (Arc<Mutex<DateTime<Utc>>>, Signers) {
    let now = Arc::new(Mutex::new(NOW.parse::<DateTime<Utc>>().unwrap()));
    let read = Arc::clone(&now);
    let signers = Signers::with_clock(
        Arc::new(move || *read.lock().unwrap()),
        Duration::from_millis(500),
    );
    (now, signers)
}

fn signing(server: &SasServer) -> AssetSigning {
    AssetSigning::PlanetaryComputer {
        token_url: server.token_url(),
        collection: COLLECTION.to_owned(),
    }
}

fn open(server: &SasServer, signers: &Signers) -> Result<RasterTileSource, RasterError> {
    let signer = signers.request_signer(&signing(server));
    RasterTileSource::open_url_signed(
        &server.url("scene.tif"),
        &OpenOptions::default(),
        no_wait(),
        Some(signer),
    )
}

fn chain_of(err: &dyn std::error::Error) -> String {
    let mut out = err.to_string();
    let mut source = err.source();
    while let Some(s) = source {
        out.push_str(": ");
        out.push_str(&s.to_string());
        source = s.source();
    }
    out
}

#[test]
fn every_request_carries_the_collection_token_fetched_once() {
    let server = SasServer::start(cog(), EXPIRY);
    let (_, signers) = clock_and_signers();
    let source = open(&server, &signers).unwrap();
    source.fetch(centre_key(13)).unwrap();
    source.fetch(centre_key(17)).unwrap();
    let queries = server.state.lock().unwrap().file_queries.clone();
    assert!(queries.len() >= 2, "{queries:?}");
    assert!(queries.iter().all(|q| q.ends_with("sig=t1")), "{queries:?}");
    assert_eq!(server.token_requests(), 1);
    assert_eq!(server.refused(), 0);

    // A second layer of the same collection shares the token.
    let again = open(&server, &signers).unwrap();
    again.fetch(centre_key(13)).unwrap();
    assert_eq!(server.token_requests(), 1, "one token per collection");
}

#[test]
fn a_token_the_storage_stops_accepting_is_renewed_once_and_the_request_repeated() {
    let server = SasServer::start(cog(), EXPIRY);
    let (_, signers) = clock_and_signers();
    let source = open(&server, &signers).unwrap();
    source.fetch(centre_key(13)).unwrap();
    let before = server.file_requests();

    server.expire_tokens();
    source.fetch(centre_key(17)).unwrap();
    assert_eq!(server.token_requests(), 2, "one fresh token");
    assert_eq!(server.refused(), 1, "one request refused, then repeated");
    let state = server.state.lock().unwrap();
    let after = &state.file_queries[before..];
    assert!(after[0].ends_with("sig=t1"), "{after:?}");
    assert!(
        after[1..].iter().all(|q| q.ends_with("sig=t2")),
        "{after:?}"
    );
}

#[test]
fn a_read_after_expiry_on_the_injected_clock_signs_with_a_new_token_without_a_refusal() {
    let server = SasServer::start(cog(), EXPIRY);
    let (now, signers) = clock_and_signers();
    let source = open(&server, &signers).unwrap();
    source.fetch(centre_key(13)).unwrap();
    assert_eq!(server.token_requests(), 1);

    *now.lock().unwrap() += TimeDelta::minutes(61);
    server.state.lock().unwrap().token_mode = TokenMode::Issue("2025-06-01T12:00:00Z".into());
    source.fetch(centre_key(17)).unwrap();
    assert_eq!(server.token_requests(), 2, "re-signed once");
    assert_eq!(server.refused(), 0, "the old token was not even tried");
    let state = server.state.lock().unwrap();
    assert!(state.file_queries.last().unwrap().ends_with("sig=t2"));
}

#[test]
fn a_token_stated_as_expired_already_is_kept_a_while_rather_than_asked_for_every_request() {
    let server = SasServer::start(cog(), "2025-06-01T09:00:00Z");
    let (_, signers) = clock_and_signers();
    let source = open(&server, &signers).unwrap();
    source.fetch(centre_key(13)).unwrap();
    source.fetch(centre_key(17)).unwrap();
    assert_eq!(
        server.token_requests(),
        1,
        "no token storm on a skewed clock"
    );
}

#[test]
fn a_storage_that_always_refuses_gives_the_typed_error_after_exactly_two_attempts() {
    let server = SasServer::start(cog(), EXPIRY);
    server.state.lock().unwrap().refuse_all = true;
    let (_, signers) = clock_and_signers();
    let err = open(&server, &signers).unwrap_err();
    assert!(
        matches!(
            err,
            RasterError::Remote {
                source: RemoteError::RefusedAfterResign,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(server.file_requests(), 2, "the request and one repeat");
    assert_eq!(server.token_requests(), 2, "the token and one fresh one");
    let chain = chain_of(&err);
    let url = server.url("scene.tif");
    assert_eq!(chain.matches(&url).count(), 1, "{chain}");
    assert!(chain.contains("even after re-signing"), "{chain}");
    assert!(!chain.contains("sig="), "no token in the message: {chain}");
}

#[test]
fn a_failing_token_endpoint_is_one_message_naming_it_once_and_no_file_request() {
    for mode in [
        TokenMode::Status(404),
        TokenMode::Status(500),
        TokenMode::Malformed,
        TokenMode::Hang,
    ] {
        let server = SasServer::start(cog(), EXPIRY);
        server.state.lock().unwrap().token_mode = mode.clone();
        let (_, signers) = clock_and_signers();
        let err = open(&server, &signers).unwrap_err();
        assert!(
            matches!(
                err,
                RasterError::Remote {
                    source: RemoteError::Token { .. },
                    ..
                }
            ),
            "{mode:?}: {err:?}"
        );
        let chain = chain_of(&err);
        let token_url = format!("{}/{COLLECTION}", server.token_url());
        assert_eq!(chain.matches(&token_url).count(), 1, "{mode:?}: {chain}");
        assert!(!chain.contains('\n'), "one line: {chain}");
        assert_eq!(server.file_requests(), 0, "{mode:?}");
        assert_eq!(server.token_requests(), 1, "{mode:?}: no retry storm");
    }
}

#[test]
fn a_project_with_a_signed_remote_layer_saves_the_unsigned_url_and_loads_its_signing() {
    let server = SasServer::start(cog(), EXPIRY);
    let (_, signers) = clock_and_signers();
    // Read once, so a token exists in the process while saving.
    open(&server, &signers)
        .unwrap()
        .fetch(centre_key(13))
        .unwrap();

    let default = sitewatch::model::default_project::load_default_project().unwrap();
    let mut project = sitewatch::model::project_file::empty_project(&default.project);
    let mut extra = serde_json::Map::new();
    signing(&server).store(&mut extra);
    let layer: sitewatch::model::ImageryLayer = serde_json::from_value(serde_json::json!({
        "id": "s2", "name": "Sentinel-2 visual", "date": "2025-06-01",
        "source": {"kind": "remote", "url": server.url("scene.tif")}
    }))
    .unwrap();
    project
        .layers
        .push(sitewatch::model::ImageryLayer { extra, ..layer });

    let text = sitewatch::model::io::to_json_string(&project);
    assert!(!text.contains("sig="), "no token in the file");
    assert!(text.contains(&server.url("scene.tif")));
    let loaded = sitewatch::model::io::parse(&text, "test").unwrap();
    let back = loaded.project.layers.iter().find(|l| l.id == "s2").unwrap();
    assert_eq!(AssetSigning::of_layer(back), Some(signing(&server)));

    // The loaded layer reads through its recorded signing.
    let signer = signers.for_layer(back).unwrap();
    let sitewatch::model::LayerSource::Remote { url } = &back.source else {
        panic!("a remote layer");
    };
    RasterTileSource::open_url_signed(url, &OpenOptions::default(), no_wait(), Some(signer))
        .unwrap()
        .fetch(centre_key(13))
        .unwrap();
    assert_eq!(server.token_requests(), 1, "the kept token serves it");
}

/// A dated remote layer on the server's file, signed as recorded.
fn signed_layer(server: &SasServer) -> sitewatch::model::ImageryLayer {
    let mut layer: sitewatch::model::ImageryLayer = serde_json::from_value(serde_json::json!({
        "id": "s2", "name": "Sentinel-2 visual", "date": "2025-06-01",
        "source": {"kind": "remote", "url": server.url("scene.tif")}
    }))
    .unwrap();
    signing(server).store(&mut layer.extra);
    layer
}

#[test]
fn the_export_reads_a_signed_layer_and_names_a_failing_token_endpoint_once() {
    use sitewatch::export::LayerSources;
    use sitewatch::export::sources::ProjectLayerSources;
    let dir = tempfile::tempdir().unwrap();

    let server = SasServer::start(cog(), EXPIRY);
    let sources = ProjectLayerSources::without_cache(dir.path().to_path_buf());
    let source = sources.source(&signed_layer(&server)).unwrap().unwrap();
    source.fetch(centre_key(13)).unwrap();
    assert_eq!(server.refused(), 0, "every request signed");
    let state = server.state.lock().unwrap();
    assert!(state.file_queries.iter().all(|q| q.contains("sig=t")));
    drop(state);

    let broken = SasServer::start(cog(), EXPIRY);
    broken.state.lock().unwrap().token_mode = TokenMode::Status(500);
    let sources = ProjectLayerSources::without_cache(dir.path().to_path_buf());
    let Err(err) = sources.source(&signed_layer(&broken)).unwrap() else {
        panic!("a failing token endpoint fails the layer");
    };
    let message = err.to_string();
    let token_url = format!("{}/{COLLECTION}", broken.token_url());
    assert_eq!(message.matches(&token_url).count(), 1, "{message}");
    assert_eq!(
        message.matches(&broken.url("scene.tif")).count(),
        1,
        "{message}"
    );
    assert_eq!(broken.file_requests(), 0);
}

#[test]
fn an_old_project_remote_layer_without_signing_still_loads_unsigned() {
    let layer: sitewatch::model::ImageryLayer = serde_json::from_value(serde_json::json!({
        "id": "s2", "name": "S2", "source": {"kind": "remote", "url": "https://e/a.tif"}
    }))
    .unwrap();
    assert_eq!(AssetSigning::of_layer(&layer), None);
    assert!(Signers::new().for_layer(&layer).is_none());
}
