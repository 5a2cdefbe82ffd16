//! Messages read once: every error a user can meet when a file is missing, broken or cannot be
//! written names the file once, and no message repeats its cause's text (the window and the CLI
//! print the chain, so each cause shows once, after it).

#![allow(clippy::unwrap_used, reason = "test helpers fail loudly")]

mod common;

use std::error::Error;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use sitewatch::app::error_chain;
use sitewatch::imagery::raster::{OpenOptions, RasterTileSource};
use sitewatch::interchange::{Format, export_file, import_file};
use sitewatch::model::default_project::load_default_project;
use sitewatch::model::io::{load, save_atomic};

fn date() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 10, 14).unwrap()
}

/// Checks one error: the path once in the printed chain, and no link that embeds its cause.
fn reads_once(what: &str, error: &dyn Error, path: &Path) {
    let chain = error_chain(error);
    let shown = path.display().to_string();
    assert_eq!(
        chain.matches(&shown).count(),
        1,
        "{what}: the path once in «{chain}»"
    );
    let mut link: &dyn Error = error;
    while let Some(cause) = link.source() {
        let (outer, inner) = (link.to_string(), cause.to_string());
        assert!(
            inner.is_empty() || !outer.contains(&inner),
            "{what}: «{outer}» repeats its cause «{inner}»"
        );
        link = cause;
    }
}

/// A file of bytes that are no format at all.
fn garbage(dir: &Path, name: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, b"\x00\x01 this is not what the name says \xff\xfe").unwrap();
    path
}

#[test]
fn annotation_files_missing_or_broken_name_their_path_once() {
    let dir = tempfile::tempdir().unwrap();
    let project = load_default_project().unwrap().project;
    for format in Format::ALL {
        let ext = format.extension();
        let missing = dir.path().join(format!("missing.{ext}"));
        let err = import_file(&missing, &project, date()).unwrap_err();
        reads_once(&format!("missing .{ext}"), &err, &missing);
        let broken = garbage(dir.path(), &format!("broken.{ext}"));
        let err = import_file(&broken, &project, date()).unwrap_err();
        reads_once(&format!("broken .{ext}"), &err, &broken);
    }
    let unknown = garbage(dir.path(), "notes.txt");
    let err = import_file(&unknown, &project, date()).unwrap_err();
    reads_once("unknown type", &err, &unknown);
    let nowhere = dir.path().join("no-such-folder");
    for format in Format::EXPORTABLE {
        let target = nowhere.join(format!("out.{}", format.extension()));
        let err = export_file(&target, &project, format).unwrap_err();
        reads_once(&format!("export {}", format.name()), &err, &target);
    }
    let csv = dir.path().join("out.csv");
    let err = export_file(&csv, &project, Format::Csv).unwrap_err();
    reads_once("export CSV", &err, &csv);
}

#[test]
fn project_files_missing_broken_or_unwritable_name_their_path_once() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.geojson");
    reads_once("missing project", &load(&missing).unwrap_err(), &missing);
    let broken = garbage(dir.path(), "broken.geojson");
    reads_once("broken project", &load(&broken).unwrap_err(), &broken);
    let plain = dir.path().join("plain.geojson");
    std::fs::write(&plain, r#"{"type": "FeatureCollection", "features": [{}]}"#).unwrap();
    reads_once("plain GeoJSON", &load(&plain).unwrap_err(), &plain);
    let project = load_default_project().unwrap().project;
    let target = dir.path().join("no-such-folder/p.geojson");
    let err = save_atomic(&project, &target).unwrap_err();
    reads_once("save", &err, &target);
}

#[test]
fn rasters_missing_or_broken_name_their_path_once() {
    let dir = tempfile::tempdir().unwrap();
    for name in ["missing.tif", "missing.png"] {
        let path = dir.path().join(name);
        let err = RasterTileSource::open(&path, &OpenOptions::default())
            .err()
            .unwrap();
        reads_once(name, &err, &path);
    }
    for name in ["broken.tif", "broken.png", "broken.jpg"] {
        let path = garbage(dir.path(), name);
        let err = RasterTileSource::open(&path, &OpenOptions::default())
            .err()
            .unwrap();
        reads_once(name, &err, &path);
    }
}

/// Checks one failure of a service: its URL once in the printed chain, and no link that
/// embeds its cause.
fn names_url_once(what: &str, error: &dyn Error, url: &str) {
    let chain = error_chain(error);
    assert_eq!(
        chain.matches(url).count(),
        1,
        "{what}: the URL once in «{chain}»"
    );
    reads_once(what, error, Path::new(url));
}

#[test]
fn tile_services_that_fail_name_the_tile_url_once() {
    use common::range_server::{Behaviour, RangeServer};
    use sitewatch::imagery::TileSource as _;
    use sitewatch::imagery::http::{HttpTileConfig, HttpTileSource};
    let key = sitewatch::imagery::TileKey { z: 3, x: 1, y: 2 };
    let tile = |server: &RangeServer| {
        let template = server.url("t/{z}/{x}/{y}.png");
        let mut config = HttpTileConfig::new("test", template, "test", 19);
        config.timeout = std::time::Duration::from_millis(500);
        (
            HttpTileSource::new(config, None).fetch(key).unwrap_err(),
            server.url("t/3/1/2.png"),
        )
    };
    for (what, server) in [
        (
            "tile 404",
            RangeServer::start(Vec::new(), Behaviour::Status(404)),
        ),
        (
            "tile 500",
            RangeServer::start(Vec::new(), Behaviour::Status(500)),
        ),
        (
            "tile not an image",
            RangeServer::start(b"<html>no tile</html>".to_vec(), Behaviour::NoRanges),
        ),
        (
            "tile no answer",
            RangeServer::start(Vec::new(), Behaviour::Hang),
        ),
    ] {
        let (err, url) = tile(&server);
        names_url_once(what, &err, &url);
    }
}

#[test]
fn tile_archives_missing_or_broken_name_their_path_once() {
    use sitewatch::imagery::pmtiles::PmTilesSource;
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.pmtiles");
    let broken = garbage(dir.path(), "broken.pmtiles");
    let cut = dir.path().join("cut.pmtiles");
    let mut header = b"PMTiles\x03".to_vec();
    header.resize(40, 0);
    std::fs::write(&cut, header).unwrap();
    for (what, path) in [("missing", missing), ("broken", broken), ("cut", cut)] {
        let Err(err) = PmTilesSource::open(&path, "") else {
            panic!("{what} archive opened")
        };
        reads_once(&format!("{what} .pmtiles"), &err, &path);
    }
}

#[test]
fn capabilities_and_release_lists_that_fail_name_their_url_once() {
    use common::range_server::{Behaviour, RangeServer};
    use sitewatch::imagery::{wayback, wmts};
    let timeout = std::time::Duration::from_millis(500);
    for (what, server) in [
        (
            "404",
            RangeServer::start(Vec::new(), Behaviour::Status(404)),
        ),
        (
            "garbage",
            RangeServer::start(b"{ not xml, not json".to_vec(), Behaviour::NoRanges),
        ),
        ("no answer", RangeServer::start(Vec::new(), Behaviour::Hang)),
    ] {
        let url = server.url("WMTSCapabilities.xml");
        let err = wmts::fetch_capabilities(&url, Some(timeout)).unwrap_err();
        names_url_once(&format!("WMTS {what}"), &err, &url);
        let url = server.url("waybackconfig.json");
        let Err(err) = wayback::fetch_releases_with_timeout(&url, None, timeout) else {
            panic!("Wayback {what}: a release list")
        };
        names_url_once(&format!("Wayback {what}"), &err, &url);
    }
}
