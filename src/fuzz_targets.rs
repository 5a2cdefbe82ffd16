//! The fuzz targets' entry points: one function a reader of outside input, taking arbitrary
//! bytes and running that reader as the app does (errors are expected and dropped; a panic,
//! abort or hang is a bug). `fuzz/` drives them under AFL++ and `tests/fuzz_corpus.rs` replays
//! every committed corpus file through them, so a crash found once stays fixed.
//!
//! Readers that take a path get the bytes as a file in a per-thread temporary folder; readers
//! that take several files (a Shapefile) get them cut from the input at [`PART_SEPARATOR`].

use std::cell::RefCell;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use chrono::NaiveDate;

use crate::imagery::TileKey;
use crate::imagery::TileSource;
use crate::imagery::pmtiles::PmTilesSource;
use crate::imagery::raster::Limits;
use crate::imagery::raster::crs::Crs;
use crate::imagery::raster::georef::{GeoTransform, parse_aux_xml};
use crate::imagery::raster::source::{OpenOptions, RasterTileSource};
use crate::imagery::raster::wkt::crs_from_wkt;
use crate::imagery::wayback_service::TileAddress;
use crate::interchange::{self, ImportOptions};
use crate::model::Project;
use crate::spatial::LonLatBox;

/// Splits a multi-file input (a Shapefile's `.shp`, `.shx`, `.dbf`, `.prj`, `.cpg`).
pub const PART_SEPARATOR: &[u8] = b"\n--sitewatch-part--\n";

/// A fuzz target's entry point.
pub type Entry = fn(&[u8]);

/// Every target: its name (the `fuzz/` binary and corpus folder) and its entry point.
pub const TARGETS: &[(&str, Entry)] = &[
    ("project", project),
    ("geojson", geojson),
    ("kml", kml),
    ("kmz", kmz),
    ("shapefile", shapefile),
    ("gpkg", gpkg),
    ("csv", csv),
    ("gpx", gpx),
    ("geotiff", geotiff),
    ("world_file", world_file),
    ("wkt", wkt),
    ("pmtiles", pmtiles),
    ("stac", stac),
    ("wmts", wmts),
    ("wayback", wayback),
];

/// The entry point named `name`, if there is one.
#[must_use]
pub fn target(name: &str) -> Option<Entry> {
    TARGETS.iter().find(|(n, _)| *n == name).map(|(_, f)| *f)
}

/// A project file (the app's own GeoJSON with its `sitewatch` member).
pub fn project(data: &[u8]) {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = crate::model::io::parse(text, "fuzz.sitewatch.geojson");
    }
}

/// A GeoJSON file imported into the default project.
pub fn geojson(data: &[u8]) {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = interchange::geojson::import_str(text, "fuzz.geojson", base(), date());
    }
}

/// A KML file imported into the default project.
pub fn kml(data: &[u8]) {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = interchange::kml::import_str(text, "fuzz.kml", base(), date());
    }
}

/// A KMZ archive (KML, icons, overlay images) imported into the default project.
pub fn kmz(data: &[u8]) {
    let _ = interchange::kmz::import_bytes(data, "fuzz.kmz", base(), date());
}

/// A Shapefile: `.shp`, `.shx`, `.dbf`, `.prj` and `.cpg` cut at [`PART_SEPARATOR`] (missing
/// parts are missing files), imported as the import dialog does.
pub fn shapefile(data: &[u8]) {
    let parts = split_parts(data);
    with_dir(|dir| {
        let shp = dir.join("fuzz.shp");
        for (i, ext) in ["shp", "shx", "dbf", "prj", "cpg"].iter().enumerate() {
            let path = shp.with_extension(ext);
            match parts.get(i) {
                Some(part) => write(&path, part),
                None => {
                    let _ = std::fs::remove_file(&path);
                }
            }
        }
        let _ = interchange::import_file_with(&shp, base(), date(), &ImportOptions::default());
    });
}

/// A `GeoPackage`'s feature tables imported into the default project.
pub fn gpkg(data: &[u8]) {
    with_file("fuzz.gpkg", data, |path| {
        let _ = interchange::import_file_with(path, base(), date(), &ImportOptions::default());
    });
}

/// A CSV with coordinate columns guessed by name, as the import dialog first shows it.
pub fn csv(data: &[u8]) {
    let _ = interchange::csv::import_bytes(
        data,
        "fuzz.csv",
        base(),
        date(),
        &interchange::csv::CsvOptions::default(),
    );
}

/// GPX waypoints and tracks imported into the default project.
pub fn gpx(data: &[u8]) {
    let _ = interchange::gpx::import_bytes(data, "fuzz.gpx", base(), date());
}

/// A GeoTIFF (header, keys, tile or strip index, overviews) opened as a layer, then one Web
/// Mercator tile over its middle drawn from it. The limits are the app's kind at 16 Mpx so a
/// header that claims a huge raster is refused quickly rather than decoded.
pub fn geotiff(data: &[u8]) {
    with_file("fuzz.tif", data, |path| {
        let options = OpenOptions {
            limits: Limits {
                max_side_px: 1 << 13,
                max_pixels: 1 << 24,
                max_chunk_bytes: 1 << 24,
            },
            budget: crate::imagery::raster::memory_budget::MemoryBudget::new(1 << 26),
            ..OpenOptions::default()
        };
        if let Ok(source) = RasterTileSource::open(path, &options) {
            let key = middle_tile(source.bounds_lonlat(), source.max_zoom());
            let _ = source.fetch(key);
        }
    });
}

/// A world file (`.tfw`, `.pgw`, `.jgw`…).
pub fn world_file(data: &[u8]) {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = GeoTransform::from_world_file(text);
    }
}

/// A `.prj` or WKT CRS (also the `.aux.xml` beside a raster): read, then a point sent through
/// it both ways.
pub fn wkt(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let aux = parse_aux_xml(text);
    for wkt in [Some(text), aux.srs_wkt.as_deref()].into_iter().flatten() {
        if let Ok(crs) = crs_from_wkt(wkt) {
            round_trip(&crs);
        }
    }
}

/// A PMTiles archive opened as a layer, then its top tile and one at its deepest zoom.
pub fn pmtiles(data: &[u8]) {
    with_file("fuzz.pmtiles", data, |path| {
        if let Ok(source) = PmTilesSource::open(path, "") {
            let _ = source.fetch(TileKey { z: 0, x: 0, y: 0 });
            let key = middle_tile(source.bounds_lonlat(), source.max_zoom());
            let _ = source.fetch(key);
        }
    });
}

/// A STAC item, item collection, catalogue or collection opened from a file.
pub fn stac(data: &[u8]) {
    with_file("fuzz.json", data, |path| {
        let _ = crate::imagery::stac::file::read_items_file(path);
    });
}

/// A WMTS capabilities document and every layer's dates and XYZ templates.
pub fn wmts(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(capabilities) =
        crate::imagery::wmts::parse_capabilities(text, "https://fuzz.invalid/wmts")
    else {
        return;
    };
    for layer in &capabilities.layers {
        let options = crate::imagery::wmts::XyzOptions::default();
        let _ = crate::imagery::wmts::dated_layers(
            &capabilities,
            &layer.identifier,
            &options,
            None,
            64,
        );
    }
}

/// Esri Wayback's answers: its release configuration, a capture's metadata features and a
/// tilemap, each given the same bytes.
pub fn wayback(data: &[u8]) {
    let url = "https://fuzz.invalid/wayback";
    let _ = crate::imagery::wayback::parse_config(data, url);
    let _ = crate::imagery::wayback_metadata::parse_features(data, url);
    let _ = crate::imagery::wayback_tilemap::parse_tilemap(data, url);
}

/// Cuts `data` at every [`PART_SEPARATOR`].
#[must_use]
pub fn split_parts(data: &[u8]) -> Vec<&[u8]> {
    let mut parts = Vec::new();
    let mut rest = data;
    while let Some(at) = rest
        .windows(PART_SEPARATOR.len())
        .position(|w| w == PART_SEPARATOR)
    {
        parts.push(&rest[..at]);
        rest = &rest[at + PART_SEPARATOR.len()..];
    }
    parts.push(rest);
    parts
}

fn round_trip(crs: &Crs) {
    let lonlat = geo::Coord {
        x: 130.64,
        y: 42.43,
    };
    if let Some(xy) = crs.xy_from_lonlat(lonlat) {
        let _ = crs.lonlat_from_xy(xy);
    }
}

/// The Web Mercator tile at `zoom` (at most 12) over the middle of `bounds`.
fn middle_tile(bounds: LonLatBox, max_zoom: u8) -> TileKey {
    let middle = [
        f64::midpoint(bounds.west, bounds.east),
        f64::midpoint(bounds.south, bounds.north),
    ];
    let tile = TileAddress::at(middle, max_zoom.min(12));
    TileKey {
        z: tile.z,
        x: tile.col,
        y: tile.row,
    }
}

fn base() -> &'static Project {
    static BASE: OnceLock<Project> = OnceLock::new();
    BASE.get_or_init(
        || match crate::model::default_project::load_default_project() {
            Ok(loaded) => loaded.project,
            Err(e) => panic!("the embedded default project does not load: {e}"),
        },
    )
}

fn date() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 10, 14).unwrap_or_default()
}

thread_local! {
    static DIR: RefCell<Option<tempfile::TempDir>> = const { RefCell::new(None) };
}

/// Runs `f` with this thread's temporary folder (made once, reused by every input).
fn with_dir(f: impl FnOnce(&Path)) {
    DIR.with(|cell| {
        let mut slot = cell.borrow_mut();
        if slot.is_none() {
            *slot = tempfile::tempdir().ok();
        }
        if let Some(dir) = slot.as_ref() {
            f(dir.path());
        }
    });
}

/// Runs `f` with `data` written to `name` in this thread's temporary folder.
fn with_file(name: &str, data: &[u8], f: impl FnOnce(&Path)) {
    with_dir(|dir| {
        let path: PathBuf = dir.join(name);
        write(&path, data);
        f(&path);
    });
}

fn write(path: &Path, data: &[u8]) {
    if let Err(e) = std::fs::write(path, data) {
        panic!(
            "the fuzz target cannot write its input to {}: {e}",
            path.display()
        );
    }
}
