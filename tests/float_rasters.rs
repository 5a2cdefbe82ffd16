//! Floating-point single-band rasters (SAR backscatter, elevation) open like 16-bit ones: a
//! float32 COG streams from its overviews, NaN and `GDAL_NODATA` are transparent, and the
//! stretch is chosen per layer (automatic, min–max, 2–98 %, decibels) and saved with it.
#![allow(clippy::unwrap_used, reason = "tests fail loudly")]

mod common;

use std::path::Path;

use geo::Coord;
use sitewatch::imagery::raster::float::held_from_f32;
use sitewatch::imagery::raster::georef::GeoTransform;
use sitewatch::imagery::raster::stretch::Transfer;
use sitewatch::imagery::raster::write::{
    Compression, GeoTiffSpec, Layout, write_geotiff, write_geotiff_levels_with,
};
use sitewatch::imagery::raster::{
    Limits, OpenOptions, RasterError, RasterTileSource, SampleKind, Stretch,
};
use sitewatch::imagery::{TileKey, TileSource};
use sitewatch::model::default_project::load_default_project;
use sitewatch::model::io::{parse, to_json_string};
use sitewatch::model::layer_display::{LayerBands, LayerDisplay, LayerStretch};
use sitewatch::model::project_file::empty_project;
use sitewatch::spatial::mercator::world_px_from_lonlat;
use sitewatch::ui::stretch_choice::StretchChoice;

const SIDE: u32 = 1024;
const STEP_DEG: f64 = 2e-5;
const WEST: f64 = 130.64;
const NORTH: f64 = 42.43;

/// Linear backscatter of the full-resolution pixels: 0.01 (−20 dB).
const FULL: f32 = 0.01;
/// Of the overviews: 0.1 (−10 dB), so a tile's grey says which level drew it.
const OVERVIEW: f32 = 0.1;

fn spec(side: u32) -> GeoTiffSpec {
    let mut spec = GeoTiffSpec::new(side, side, 1);
    spec.epsg = Some((4326, true));
    spec.transform = Some(GeoTransform::north_up(
        Coord { x: WEST, y: NORTH },
        STEP_DEG,
        STEP_DEG,
    ));
    spec
}

/// A float32 COG (256 px Deflate tiles, two overviews) of backscatter, NaN in its north-west
/// 64 × 64 pixels at every level (scaled).
fn backscatter_cog(path: &Path) {
    let mut spec = spec(SIDE);
    spec.layout = Layout::Tiles { edge_px: 256 };
    spec.compression = Compression::Deflate;
    spec.nodata = Some(f64::NAN);
    let file = std::fs::File::options()
        .read(true)
        .write(true)
        .create(true)
        .truncate(true)
        .open(path)
        .unwrap();
    write_geotiff_levels_with(file, &spec, 2, |k, x0, y0, w, h, block: &mut Vec<f32>| {
        let corner = 64 >> k;
        for y in y0..y0 + h {
            for x in x0..x0 + w {
                block.push(if x < corner && y < corner {
                    f32::NAN
                } else if k == 0 {
                    FULL
                } else {
                    OVERVIEW
                });
            }
        }
    })
    .unwrap();
}

/// The tile at `zoom` over the lon/lat.
fn key_at(lonlat: Coord<f64>, zoom: u8) -> (TileKey, (u32, u32)) {
    let world = world_px_from_lonlat(lonlat, f64::from(zoom));
    let key = TileKey {
        z: zoom,
        x: (world.x / 256.0) as u32,
        y: (world.y / 256.0) as u32,
    };
    let px = (
        (world.x - f64::from(key.x) * 256.0) as u32,
        (world.y - f64::from(key.y) * 256.0) as u32,
    );
    (key, px)
}

fn centre() -> Coord<f64> {
    Coord {
        x: WEST + f64::from(SIDE) * STEP_DEG * 0.6,
        y: NORTH - f64::from(SIDE) * STEP_DEG * 0.6,
    }
}

/// The grey of the tile pixel over `lonlat` at `zoom`, and its alpha.
fn grey_at(raster: &RasterTileSource, lonlat: Coord<f64>, zoom: u8) -> (u8, u8) {
    let (key, (x, y)) = key_at(lonlat, zoom);
    let tile = raster.fetch(key).unwrap();
    let p = tile.get_pixel(x, y).0;
    assert_eq!(p[0], p[1], "grey");
    (p[0], p[3])
}

#[test]
fn a_float32_cog_opens_streamed_and_looks_like_backscatter_in_decibels() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s1.tif");
    backscatter_cog(&path);
    let raster = RasterTileSource::open(&path, &OpenOptions::default()).unwrap();
    assert!(raster.is_streamed(), "tiled with overviews: streamed");
    assert_eq!(raster.sample_kind(), SampleKind::F32);
    assert_eq!(raster.display().stretch, Stretch::Auto);
    assert!(
        matches!(
            raster.resolved().transfer,
            Transfer::Decibel { float: true, .. }
        ),
        "values between 0 and 10 are taken for linear power: {:?}",
        raster.resolved()
    );
    let (low_db, high_db) = raster.stretch_limits()[0];
    assert!(
        (low_db + 25.0).abs() < 1e-4 && high_db.abs() < 1e-4,
        "{low_db} {high_db}"
    );
    assert_eq!(
        raster.percentile_source(),
        "percentiles from the coarsest overview"
    );
    let value = raster.value_at(centre()).unwrap().values[0];
    assert!((value - f64::from(FULL)).abs() < 1e-4, "{value}");
}

#[test]
fn the_decibel_stretch_maps_known_backscatter_to_known_greys() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s1.tif");
    backscatter_cog(&path);
    let raster = RasterTileSource::open(&path, &OpenOptions::default()).unwrap();
    let r = raster.resolved();
    let grey = |linear: f32| r.byte(0, f32::from(held_from_f32(linear, None)));
    // (dB + 25) / 25 × 255: −20 dB is 51, −10 dB is 153, 0 dB white; zero and below black.
    assert_eq!(grey(0.01), 51);
    assert_eq!(grey(0.1), 153);
    assert_eq!(grey(1.0), 255);
    assert_eq!(grey(50.0), 255);
    assert_eq!(grey(0.0), 0);
    assert_eq!(grey(-1.0), 0);
    // The full-resolution pixel under the cursor, as the loupe shows it.
    assert_eq!(raster.shown_rgba_at(centre()), Some([51, 51, 51, 255]));
}

#[test]
fn a_zoomed_out_view_is_drawn_from_the_overview_and_a_zoomed_in_one_from_full_resolution() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s1.tif");
    backscatter_cog(&path);
    let raster = RasterTileSource::open(&path, &OpenOptions::default()).unwrap();
    // Zoom 12: the 1024 px raster (0.02°) is about 60 screen pixels wide: the overview draws.
    let (out, alpha) = grey_at(&raster, centre(), 12);
    assert_eq!(alpha, 255);
    assert!(out.abs_diff(153) <= 1, "−10 dB of the overview: {out}");
    let (near, _) = grey_at(&raster, centre(), 18);
    assert!(near.abs_diff(51) <= 1, "−20 dB at full resolution: {near}");
}

#[test]
fn nan_is_transparent() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s1.tif");
    backscatter_cog(&path);
    let raster = RasterTileSource::open(&path, &OpenOptions::default()).unwrap();
    let corner = Coord {
        x: WEST + 20.0 * STEP_DEG,
        y: NORTH - 20.0 * STEP_DEG,
    };
    let (_, alpha) = grey_at(&raster, corner, 18);
    assert_eq!(alpha, 0, "NaN draws nothing");
    assert_eq!(raster.shown_rgba_at(corner), None);
    assert!(raster.value_at(corner).unwrap().values[0].is_nan());
}

/// A stripped float32 elevation raster rising from 100 m in the west to 300 m in the east,
/// −32768 (its `GDAL_NODATA`) in the first column.
fn elevation(path: &Path, compression: Compression) {
    let mut spec = spec(200);
    spec.layout = Layout::Strips { rows: 8 };
    spec.compression = compression;
    spec.nodata = Some(-32768.0);
    let samples: Vec<f32> = (0..200)
        .flat_map(|_| 0..200)
        .map(|x| if x == 0 { -32768.0 } else { 100.0 + x as f32 })
        .collect();
    let file = std::fs::File::create(path).unwrap();
    write_geotiff(std::io::BufWriter::new(file), &spec, &samples).unwrap();
}

#[test]
fn float_elevation_stretches_from_its_minimum_to_its_maximum_and_hides_its_nodata_value() {
    for compression in [Compression::None, Compression::Lzw, Compression::Deflate] {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("dem.tif");
        elevation(&path, compression);
        let raster = RasterTileSource::open(&path, &OpenOptions::default()).unwrap();
        assert!(!raster.is_streamed());
        assert!(
            matches!(raster.resolved().transfer, Transfer::Float),
            "elevation is not backscatter: a linear stretch"
        );
        raster.set_stretch(Stretch::MIN_MAX).unwrap();
        let (low, high) = raster.stretch_limits()[0];
        // Held at 16 bits: within 0.4 % of 101 m and 299 m; the nodata column is left out.
        assert!((low - 101.0).abs() < 0.5, "{compression:?}: {low}");
        assert!((high - 299.0).abs() < 1.5, "{compression:?}: {high}");
        let r = raster.resolved();
        assert_eq!(r.byte(0, f32::from(held_from_f32(101.0, None))), 0);
        assert_eq!(r.byte(0, f32::from(held_from_f32(299.0, None))), 255);
        let west = Coord {
            x: WEST + 0.5 * STEP_DEG,
            y: NORTH - 100.5 * STEP_DEG,
        };
        assert_eq!(raster.shown_rgba_at(west), None, "−32768 is nodata");
        let mid = Coord {
            x: WEST + 100.5 * STEP_DEG,
            y: NORTH - 100.5 * STEP_DEG,
        };
        let v = raster.value_at(mid).unwrap().values[0];
        assert!((v - 200.0).abs() < 1.0, "{compression:?}: {v}");
        let grey = raster.shown_rgba_at(mid).unwrap()[0];
        assert!(grey.abs_diff(128) <= 2, "{compression:?}: mid-grey, {grey}");
    }
}

#[test]
fn a_sixteen_bit_single_band_raster_takes_a_min_max_stretch() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("scene.tif");
    common::rasters::gray16_gradient(&path, (100, 10), (WEST, NORTH), STEP_DEG, |x| {
        1000.0 + 2000.0 * x
    });
    let raster = RasterTileSource::open(&path, &OpenOptions::default()).unwrap();
    assert_eq!(
        raster.display().stretch,
        Stretch::PERCENTILE_2_98,
        "16-bit data keeps its 2–98 % default"
    );
    raster.set_stretch(Stretch::MIN_MAX).unwrap();
    let (low, high) = raster.stretch_limits()[0];
    assert!(
        (low - 1010.0).abs() < 0.01 && (high - 2990.0).abs() < 0.01,
        "{low} {high}"
    );
    raster.set_stretch(Stretch::Auto).unwrap();
    assert_eq!(
        raster.display().stretch,
        Stretch::PERCENTILE_2_98,
        "automatic is the file's own"
    );
}

#[test]
fn float_chunks_count_four_bytes_a_sample_against_the_size_limit() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s1.tif");
    backscatter_cog(&path);
    // A 256 × 256 float tile is 256 KiB: over a 200 000-byte limit (its held copy would fit).
    let options = OpenOptions {
        limits: Limits {
            max_chunk_bytes: 200_000,
            ..Limits::default()
        },
        ..OpenOptions::default()
    };
    let err = RasterTileSource::open(&path, &options).unwrap_err();
    assert!(
        matches!(err, RasterError::TooLarge { what: "tile", .. }),
        "{err}"
    );
}

#[test]
fn a_layers_stretch_choice_survives_saving_and_loading_and_old_projects_are_automatic() {
    let mut project = empty_project(&load_default_project().unwrap().project);
    let mut layer = common::file_layer("s1", Some("2025-07-05"), "Sentinel-1");
    let decibel = LayerDisplay::new(
        LayerBands::Gray(1),
        LayerStretch::Decibel {
            low_db: -25.0,
            high_db: 0.0,
        },
    );
    layer.display = Some(decibel.clone());
    project.layers.push(layer);
    let text = to_json_string(&project);
    assert!(text.contains("\"decibel\""), "{text}");
    let loaded = parse(&text, "round trip").unwrap().project;
    assert_eq!(loaded.layers[0].display, Some(decibel));
    assert_eq!(
        StretchChoice::of(loaded.layers[0].display.as_ref().map(|d| d.stretch)),
        Some(StretchChoice::Decibel)
    );

    project.layers[0].display = Some(LayerDisplay::new(LayerBands::Gray(1), LayerStretch::Auto));
    let loaded = parse(&to_json_string(&project), "round trip")
        .unwrap()
        .project;
    assert_eq!(
        loaded.layers[0].display.as_ref().map(|d| d.stretch),
        Some(LayerStretch::Auto)
    );

    // A project written before the choice existed: no display at all.
    project.layers[0].display = None;
    let old = to_json_string(&project);
    assert!(!old.contains("\"display\""));
    let loaded = parse(&old, "old file").unwrap().project;
    assert_eq!(loaded.layers[0].display, None);
    assert_eq!(StretchChoice::of(None), Some(StretchChoice::Auto));
}

#[test]
fn a_remote_float32_cog_streams_and_shows_in_decibels() {
    use common::range_server::{Behaviour, RangeServer};
    use sitewatch::imagery::raster::http_bytes::Retry;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s1.tif");
    backscatter_cog(&path);
    let server = RangeServer::start(std::fs::read(&path).unwrap(), Behaviour::Ranges);
    let no_wait = Retry {
        sleep: std::sync::Arc::new(|_| {}),
        ..Retry::default()
    };
    let raster =
        RasterTileSource::open_url(&server.url("vv.tif"), &OpenOptions::default(), no_wait)
            .unwrap();
    assert!(raster.is_streamed());
    assert!(matches!(
        raster.resolved().transfer,
        Transfer::Decibel { float: true, .. }
    ));
    let (out, _) = grey_at(&raster, centre(), 12);
    assert!(out.abs_diff(153) <= 1, "overview at −10 dB: {out}");
    let (near, _) = grey_at(&raster, centre(), 18);
    assert!(near.abs_diff(51) <= 1, "full resolution at −20 dB: {near}");
}

#[test]
fn the_export_draws_a_float_layer_with_the_stretch_the_layer_saved() {
    use sitewatch::export::sources::ProjectLayerSources;
    use sitewatch::export::{ExportOptions, render_figure};
    use sitewatch::spatial::LonLatBox;
    let dir = tempfile::tempdir().unwrap();
    backscatter_cog(&dir.path().join("s1.tif"));
    let mut project = empty_project(&load_default_project().unwrap().project);
    let side = f64::from(SIDE) * STEP_DEG;
    // A small part of the raster, away from the NaN corner: finer than the overviews.
    project.home = LonLatBox::try_from([
        WEST + side * 0.5,
        NORTH - side * 0.6,
        WEST + side * 0.6,
        NORTH - side * 0.5,
    ])
    .unwrap();
    let mut layer = common::file_layer("s1", Some("2025-07-05"), "Sentinel-1");
    let centre_grey = |project: &sitewatch::model::Project| {
        let options = ExportOptions {
            size_px: [320, 200],
            imagery: Some(std::sync::Arc::new(ProjectLayerSources::without_cache(
                dir.path().to_path_buf(),
            ))),
            ..ExportOptions::default()
        };
        let date = chrono::NaiveDate::from_ymd_opt(2025, 8, 1).unwrap();
        let figure = render_figure(project, date, &options, &|_, _| true).unwrap();
        assert!(figure.layers_left_out.is_empty(), "the layer was drawn");
        let image = figure.to_rgba_image().unwrap();
        image.get_pixel(image.width() / 2, image.height() / 2).0
    };
    layer.display = Some(LayerDisplay::new(
        LayerBands::Gray(1),
        LayerStretch::Decibel {
            low_db: -25.0,
            high_db: 0.0,
        },
    ));
    project.layers.push(layer.clone());
    let decibel = centre_grey(&project);
    // The export's view is finer than the overviews: −20 dB of the full resolution.
    assert!(decibel[0].abs_diff(51) <= 2, "{decibel:?}");
    layer.display = Some(LayerDisplay::new(
        LayerBands::Gray(1),
        LayerStretch::Decibel {
            low_db: -30.0,
            high_db: -10.0,
        },
    ));
    project.layers[0] = layer;
    let other = centre_grey(&project);
    // (−20 + 30) / 20 × 255 = 127.5.
    assert!(other[0].abs_diff(128) <= 2, "{other:?}");
}
