//! Same-day mosaics: two scenes of one day (neighbouring granules, each a COG on its own
//! 127.0.0.1 range server, overlapping by half) are one dated layer whose tiles and exports show
//! both, the later scene over the earlier where they overlap and the earlier one through the
//! later one's nodata; the box is both scenes'; a scene that cannot be read fails the layer
//! with a message naming its URL; the project file keeps the scenes and reads them back.
#![allow(clippy::unwrap_used, reason = "tests fail loudly")]

mod common;

use std::sync::Arc;

use chrono::NaiveDate;
use common::range_server::{Behaviour, RangeServer};
use geo::Coord;
use serde_json::{Value, json};
use sitewatch::export::sources::ProjectLayerSources;
use sitewatch::export::{ExportOptions, LayerSources, ViewChoice, render_figure};
use sitewatch::imagery::raster::mosaic::ScenePlace;
use sitewatch::imagery::raster::write::Compression;
use sitewatch::imagery::raster::{OpenOptions, RasterTileSource};
use sitewatch::imagery::{TileError, TileKey, TileSource};
use sitewatch::model::{DateKind, FuzzyDate, ImageryLayer, LayerSource, Project};
use sitewatch::spatial::LonLatBox;
use sitewatch::spatial::mercator::world_px_from_lonlat;

const SIDE: u32 = 512;
const STEP_DEG: f64 = 1e-4;
const WEST: f64 = 130.61;
const NORTH: f64 = 42.44;
/// The second scene starts half a scene east of the first.
const SHIFT_PX: u32 = SIDE / 2;
/// Its westmost columns are nodata (a granule's edge outside the swath).
const NODATA_COLS: u32 = 64;
const RED: [u8; 3] = [200, 30, 30];
const BLUE: [u8; 3] = [30, 30, 200];

/// An RGB COG of one colour (nodata 0), its first `nodata_cols` columns nodata, its north-west
/// corner `east_px` pixels east of (`WEST`, `NORTH`).
fn scene_cog(colour: [u8; 3], east_px: u32, nodata_cols: u32) -> Vec<u8> {
    let west = WEST + f64::from(east_px) * STEP_DEG;
    let mut spec = common::tiles::cog_spec((west, NORTH), SIDE, STEP_DEG, Compression::Deflate);
    spec.nodata = Some(0.0);
    common::tiles::cog_bytes(&spec, 1, |k, x, _, block| {
        let nodata = (x << k) < nodata_cols;
        block.extend(if nodata { [0; 3] } else { colour });
    })
}

/// A point `east_px` pixels east of the first scene's west edge, mid-height.
fn at(east_px: f64) -> Coord<f64> {
    Coord {
        x: WEST + east_px * STEP_DEG,
        y: NORTH - f64::from(SIDE) / 2.0 * STEP_DEG,
    }
}

/// The colour of the layer's tile at full resolution under `lonlat`.
fn tile_colour(source: &dyn TileSource, lonlat: Coord<f64>) -> [u8; 4] {
    let zoom = source.raster().unwrap().native_zoom().ceil() as u8;
    let world = world_px_from_lonlat(lonlat, f64::from(zoom));
    let key = TileKey {
        z: zoom,
        x: (world.x / 256.0) as u32,
        y: (world.y / 256.0) as u32,
    };
    let tile = source.fetch(key).unwrap();
    tile.get_pixel(world.x as u32 % 256, world.y as u32 % 256).0
}

fn close(a: [u8; 4], rgb: [u8; 3]) -> bool {
    a[3] == 255 && a.iter().zip(rgb).all(|(x, y)| x.abs_diff(y) <= 2)
}

struct Scenes {
    first: RangeServer,
    second: RangeServer,
}

impl Scenes {
    fn start() -> Self {
        Self {
            first: RangeServer::start(scene_cog(RED, 0, 0), Behaviour::Ranges),
            second: RangeServer::start(scene_cog(BLUE, SHIFT_PX, NODATA_COLS), Behaviour::Ranges),
        }
    }

    fn layer(&self) -> ImageryLayer {
        ImageryLayer {
            id: "stac-sentinel-2-l2a-2025-06-01-mosaic".into(),
            name: "Sentinel-2 L2A 1 Jun 2025 (mosaic of 2)".into(),
            date: Some(FuzzyDate::day(NaiveDate::from_ymd_opt(2025, 6, 1).unwrap())),
            date_kind: DateKind::Acquisition,
            note: String::new(),
            track: "Sentinel-2".into(),
            attribution: "Contains modified Copernicus Sentinel data 2025".into(),
            synthetic: false,
            opacity: 1.0,
            visible: true,
            source: LayerSource::Mosaic {
                scenes: vec![
                    LayerSource::Remote {
                        url: self.first.url("A/TCI.tif"),
                    },
                    LayerSource::Remote {
                        url: self.second.url("B/TCI.tif"),
                    },
                ],
            },
            display: None,
            offset_m: None,
            extra: serde_json::Map::new(),
        }
    }
}

fn open(layer: &ImageryLayer) -> Result<Arc<dyn TileSource>, TileError> {
    ProjectLayerSources::without_cache(std::env::temp_dir())
        .source(layer)
        .unwrap()
}

#[test]
fn both_scenes_show_the_later_over_the_earlier_and_the_earlier_through_its_nodata() {
    let scenes = Scenes::start();
    let source = open(&scenes.layer()).unwrap();
    // Only the first scene: red.
    assert!(close(tile_colour(&*source, at(100.5)), RED));
    // The overlap, where the second scene has pixels: blue, drawn over the red.
    let overlap = f64::from(SHIFT_PX + NODATA_COLS) + 60.5;
    assert!(close(tile_colour(&*source, at(overlap)), BLUE));
    // The second scene's nodata columns over the first scene: red shows through.
    let nodata = f64::from(SHIFT_PX) + 20.5;
    assert!(close(tile_colour(&*source, at(nodata)), RED));
    // Only the second scene: blue.
    let east = f64::from(SIDE + SHIFT_PX) - 30.5;
    assert!(close(tile_colour(&*source, at(east)), BLUE));
    // Past both: nothing.
    let past = f64::from(SIDE + SHIFT_PX) + 300.5;
    assert_eq!(tile_colour(&*source, at(past))[3], 0);

    let raster = source.raster().unwrap();
    assert_eq!(raster.scenes_over().len(), 1);
    let bounds = raster.bounds_lonlat();
    let east_edge = WEST + f64::from(SIDE + SHIFT_PX) * STEP_DEG;
    assert!((bounds.west - WEST).abs() < 1e-9, "{bounds:?}");
    assert!((bounds.east - east_edge).abs() < 1e-9, "{bounds:?}");
    // The readout and loupe read the scene shown there.
    assert_eq!(raster.shown_rgba_at(at(overlap)).unwrap()[..3], BLUE);
    assert_eq!(raster.shown_rgba_at(at(nodata)).unwrap()[..3], RED);
    assert!(raster.bytes_read() > 0);
    assert!(scenes.first.request_count() > 0 && scenes.second.request_count() > 0);
}

#[test]
fn an_export_draws_both_scenes_and_the_project_keeps_them() {
    let scenes = Scenes::start();
    let text = json!({"type": "FeatureCollection", "features": [],
        "sitewatch": {"format_version": 1, "name": "Mosaic",
                      "home": [WEST, NORTH - 0.05, WEST + 0.08, NORTH]}})
    .to_string();
    let mut project: Project = sitewatch::model::io::parse(&text, "test").unwrap().project;
    project.layers.push(scenes.layer());
    let text = sitewatch::model::io::to_json_string(&project);
    let saved: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        saved["sitewatch"]["layers"][0]["source"],
        json!({"kind": "mosaic", "scenes": [
            {"kind": "remote", "url": scenes.first.url("A/TCI.tif")},
            {"kind": "remote", "url": scenes.second.url("B/TCI.tif")}]}),
        "{text}"
    );
    let back = sitewatch::model::io::parse(&text, "test").unwrap().project;
    assert_eq!(back.layers, project.layers, "the layer reads back as saved");

    // A figure across both scenes, one output pixel a source pixel or so.
    let (south, north) = (NORTH - f64::from(SIDE) * STEP_DEG, NORTH);
    let east = WEST + f64::from(SIDE + SHIFT_PX) * STEP_DEG;
    let options = ExportOptions {
        size_px: [384, 256],
        view: ViewChoice::BBox(LonLatBox {
            west: WEST,
            south,
            east,
            north,
        }),
        imagery: Some(Arc::new(ProjectLayerSources::without_cache(
            std::env::temp_dir(),
        ))),
        ..ExportOptions::default()
    };
    let day = NaiveDate::from_ymd_opt(2025, 6, 1).unwrap();
    let figure = render_figure(&back, day, &options, &|_, _| true).unwrap();
    assert!(
        figure.layers_left_out.is_empty(),
        "{:?}",
        figure.layers_left_out
    );
    let image = figure.to_rgba_image().unwrap();
    let count = |rgb: [u8; 3]| {
        image
            .pixels()
            .filter(|p| p.0[..3].iter().zip(rgb).all(|(a, b)| a.abs_diff(b) <= 2))
            .count()
    };
    let (red, blue) = (count(RED), count(BLUE));
    if let Ok(dir) = std::env::var("SITEWATCH_TEST_DUMP") {
        image.save(format!("{dir}/mosaic.png")).unwrap();
    }
    // The view is the scenes' box fitted to the figure (basemap on both sides): the first scene
    // shows on its own part plus the second's nodata strip (320 of 768 columns), the second on
    // the rest (448 columns).
    let all = f64::from(384 * 256);
    assert!(red as f64 > 0.2 * all, "{red} red of {all}");
    assert!(blue as f64 > 0.3 * all, "{blue} blue of {all}");
    assert!(blue > red, "{blue} blue, {red} red");
}

#[test]
fn a_scene_that_cannot_be_read_fails_the_layer_naming_its_url() {
    let scenes = Scenes::start();
    let gone = RangeServer::start(Vec::new(), Behaviour::Status(404));
    let mut layer = scenes.layer();
    let LayerSource::Mosaic { scenes: parts } = &mut layer.source else {
        unreachable!()
    };
    parts.push(LayerSource::Remote {
        url: gone.url("C/TCI.tif"),
    });
    let Err(TileError::Local { message, .. }) = open(&layer) else {
        panic!("a scene that is not there is an error");
    };
    assert!(message.contains(&gone.url("C/TCI.tif")), "{message}");
    assert!(message.contains("404"), "{message}");

    parts_of(&mut layer).push(LayerSource::Tiles {
        url: "http://127.0.0.1:9/{z}/{x}/{y}.png".into(),
        release: None,
        max_zoom: 19,
    });
    parts_of(&mut layer).remove(2);
    let Err(TileError::Local { message, .. }) = open(&layer) else {
        panic!("a tile service is no scene");
    };
    assert!(message.contains("tile service"), "{message}");
}

fn parts_of(layer: &mut ImageryLayer) -> &mut Vec<LayerSource> {
    let LayerSource::Mosaic { scenes } = &mut layer.source else {
        unreachable!()
    };
    scenes
}

#[test]
fn the_scenes_open_together_and_share_the_first_scenes_display() {
    let scenes = Scenes::start();
    let places = [
        ScenePlace::Remote(scenes.first.url("A/TCI.tif")),
        ScenePlace::Remote(scenes.second.url("B/TCI.tif")),
    ];
    let raster = RasterTileSource::open_mosaic(
        &places,
        &OpenOptions::default(),
        &common::tiles::no_wait(),
        None,
    )
    .unwrap();
    let mut display = raster.display();
    display.stretch = sitewatch::imagery::raster::Stretch::Range {
        low: 10.0,
        high: 220.0,
    };
    raster.set_display(display).unwrap();
    assert_eq!(raster.scenes_over()[0].display(), raster.display());
}
