//! STAC band composites: an item with only red/green/blue (or near-infrared) band COGs becomes
//! a `Bands` layer whose three single-band 16-bit COGs (on 127.0.0.1 range servers, or in a
//! temporary folder) are read as one raster and drawn through the series' reflectance stretch
//! (0–0.3 → 0–255, gamma 2.2) in each band's stored values, in the window's reader and in
//! exports; bands on different grids and a missing band are refused with a message naming the
//! band; the project file keeps the new source.
#![allow(clippy::unwrap_used, reason = "tests fail loudly")]

mod common;

use std::path::Path;
use std::sync::Arc;

use chrono::NaiveDate;
use common::range_server::{Behaviour, RangeServer};
use geo::Coord;
use serde_json::{Value, json};
use sitewatch::export::sources::ProjectLayerSources;
use sitewatch::export::{ExportOptions, LayerSources, ViewChoice, render_figure};
use sitewatch::imagery::raster::band_stack::BandPlace;
use sitewatch::imagery::raster::{OpenOptions, RasterError, RasterTileSource};
use sitewatch::imagery::stac::{Composite, Item, PlanOptions, ReflectanceStretch, plan_layer};
use sitewatch::imagery::{TileError, TileSource};
use sitewatch::model::layer_display::LayerStretch;
use sitewatch::model::{DateKind, FuzzyDate, ImageryLayer, LayerSource, Project};
use sitewatch::spatial::LonLatBox;

const SIDE: u32 = 512;
const STEP_DEG: f64 = 1e-4;
const WEST: f64 = 130.61;
const NORTH: f64 = 42.44;
/// `raster:bands` of every band: reflectance = stored × 0.0001 − 0.1 (Sentinel-2 since 2022).
const SCALE: f64 = 0.0001;
const OFFSET: f64 = -0.1;
/// Stored values of the red, green, blue and near-infrared bands.
const RED: u16 = 2600;
const GREEN: u16 = 1800;
const BLUE: u16 = 1200;
const NIR: u16 = 4600;

/// One band's COG: `side` × `side` px of one stored value at (`WEST`, `NORTH`).
fn band_cog(value: u16, side: u32) -> Vec<u8> {
    common::rasters::gray16_cog(value, side, (WEST, NORTH), STEP_DEG)
}

/// The byte a stored value is shown as: its reflectance's place between the stretch's limits,
/// both taken back to stored values through the band's scale and offset, then the gamma, each
/// step rounded to a byte as the reader's stretch and tone curve are.
fn expected_byte(stored: u16, stretch: &ReflectanceStretch) -> u8 {
    let low = (stretch.min - OFFSET) / SCALE;
    let high = (stretch.max - OFFSET) / SCALE;
    let linear = ((f64::from(stored) - low) * 255.0 / (high - low))
        .round()
        .clamp(0.0, 255.0);
    let shown = ((linear / 255.0).powf(1.0 / stretch.gamma) * 255.0).round();
    let shown = shown as u8;
    // The same within a rounding step as the reflectance stretch applied in one go.
    let direct = stretch.to_byte(f64::from(stored) * SCALE + OFFSET);
    assert!(shown.abs_diff(direct) <= 1, "{shown} vs {direct}");
    shown
}

/// A Sentinel-2 item of 1 Jun 2025 whose assets are `bands`: (key, common name, href).
fn item(bands: &[(&str, &str, String)]) -> Item {
    let mut assets = serde_json::Map::new();
    for (key, common_name, href) in bands {
        assets.insert(
            (*key).to_owned(),
            json!({"href": href, "type": "image/tiff; application=geotiff; profile=cloud-optimized",
                   "eo:bands": [{"common_name": common_name}],
                   "raster:bands": [{"scale": SCALE, "offset": OFFSET, "nodata": 0,
                                     "data_type": "uint16"}]}),
        );
    }
    serde_json::from_value(json!({
        "type": "Feature", "id": "S2B_20250601", "collection": "sentinel-2-l2a",
        "bbox": [WEST, NORTH - 0.05, WEST + 0.05, NORTH],
        "properties": {"datetime": "2025-06-01T02:10:00Z", "eo:cloud_cover": 2.0,
                       "platform": "sentinel-2b"},
        "assets": Value::Object(assets)
    }))
    .unwrap()
}

/// The layer the item's plan makes for `composite`, as Add makes it.
fn planned_layer(item: &Item, composite: Composite) -> ImageryLayer {
    let options = PlanOptions {
        composite,
        ..PlanOptions::default()
    };
    let plan = plan_layer(item, options, "test").unwrap();
    let stretch = plan.stretch.expect("a band plan has the series' stretch");
    let (source, display) = plan.scenes[0].assets.composite_layer(&stretch).unwrap();
    ImageryLayer {
        id: plan.id,
        name: plan.name,
        date: Some(FuzzyDate::day(plan.date)),
        date_kind: DateKind::Acquisition,
        note: plan.note,
        track: plan.provider.track,
        attribution: plan.provider.credit,
        synthetic: false,
        opacity: 1.0,
        visible: true,
        source,
        display: Some(display),
        offset_m: None,
        extra: serde_json::Map::new(),
    }
}

/// The layer's raster, opened as exports open it.
fn open(layer: &ImageryLayer, base_dir: &Path) -> Result<Arc<dyn TileSource>, TileError> {
    ProjectLayerSources::without_cache(base_dir.to_owned())
        .source(layer)
        .unwrap()
}

/// A point well inside the rasters.
fn inside() -> Coord<f64> {
    Coord {
        x: WEST + 200.5 * STEP_DEG,
        y: NORTH - 300.5 * STEP_DEG,
    }
}

/// The colour the layer shows at [`inside`], once a tile at full resolution is drawn.
fn shown_at_inside(source: &dyn TileSource) -> ([u8; 4], image::Rgba<u8>) {
    let raster = source.raster().unwrap();
    let zoom = raster.native_zoom().ceil() as u8;
    let world = sitewatch::spatial::mercator::world_px_from_lonlat(inside(), f64::from(zoom));
    let key = sitewatch::imagery::TileKey {
        z: zoom,
        x: (world.x / 256.0) as u32,
        y: (world.y / 256.0) as u32,
    };
    let tile = source.fetch(key).unwrap();
    let px = *tile.get_pixel(world.x as u32 % 256, world.y as u32 % 256);
    (raster.shown_rgba_at(inside()).unwrap(), px)
}

fn stretch() -> ReflectanceStretch {
    ReflectanceStretch::DEFAULT
}

#[test]
fn a_band_only_item_is_added_as_three_remote_cogs_drawn_with_the_series_reflectance_stretch() {
    let servers =
        [RED, GREEN, BLUE].map(|v| RangeServer::start(band_cog(v, SIDE), Behaviour::Ranges));
    let hrefs = [0, 1, 2].map(|i| servers[i].url(&format!("B0{}.tif", 4 - i)));
    let item = item(&[
        ("red", "red", hrefs[0].clone()),
        ("green", "green", hrefs[1].clone()),
        ("blue", "blue", hrefs[2].clone()),
    ]);
    let layer = planned_layer(&item, Composite::TrueColour);
    assert_eq!(
        layer.source,
        LayerSource::Bands {
            red: hrefs[0].clone(),
            green: hrefs[1].clone(),
            blue: hrefs[2].clone(),
        }
    );
    let display = layer.display.clone().unwrap();
    let LayerStretch::Bands { low, high } = display.stretch else {
        panic!("{:?}", display.stretch);
    };
    for c in 0..3 {
        assert!((low[c] - (0.0 - OFFSET) / SCALE).abs() < 1e-6, "{low:?}");
        assert!((high[c] - (0.3 - OFFSET) / SCALE).abs() < 1e-6, "{high:?}");
    }
    assert!((display.gamma - 2.2).abs() < 1e-6);

    let dir = tempfile::tempdir().unwrap();
    let source = open(&layer, dir.path()).unwrap();
    let raster = source.raster().unwrap();
    assert_eq!(raster.band_count(), 3);
    assert!(raster.is_streamed());
    let expected = [RED, GREEN, BLUE].map(|v| expected_byte(v, &stretch()));
    let (shown, drawn) = shown_at_inside(source.as_ref());
    assert_eq!(shown, [expected[0], expected[1], expected[2], 255]);
    assert_eq!(drawn.0, shown, "the drawn tile shows the same colour");
    assert!(
        servers.iter().all(|s| s.request_count() > 0),
        "every band is read"
    );
}

#[test]
fn false_colour_shows_near_infrared_red_and_green_as_red_green_and_blue() {
    let servers =
        [NIR, RED, GREEN, BLUE].map(|v| RangeServer::start(band_cog(v, SIDE), Behaviour::Ranges));
    let item = item(&[
        ("nir", "nir", servers[0].url("B08.tif")),
        ("red", "red", servers[1].url("B04.tif")),
        ("green", "green", servers[2].url("B03.tif")),
        ("blue", "blue", servers[3].url("B02.tif")),
    ]);
    let layer = planned_layer(&item, Composite::FalseColourNir);
    assert_eq!(
        layer.source,
        LayerSource::Bands {
            red: servers[0].url("B08.tif"),
            green: servers[1].url("B04.tif"),
            blue: servers[2].url("B03.tif"),
        }
    );
    assert!(layer.name.ends_with("NIR"), "{}", layer.name);
    let dir = tempfile::tempdir().unwrap();
    let source = open(&layer, dir.path()).unwrap();
    let expected = [NIR, RED, GREEN].map(|v| expected_byte(v, &stretch()));
    let (shown, _) = shown_at_inside(source.as_ref());
    assert_eq!(shown, [expected[0], expected[1], expected[2], 255]);
    assert_eq!(
        servers[3].request_count(),
        0,
        "the blue band is not read for false colour"
    );
}

/// A project over the rasters with `layer`.
fn project_with(layer: ImageryLayer) -> Project {
    let text = json!({"type": "FeatureCollection", "features": [],
        "sitewatch": {"format_version": 1, "name": "Bands",
                      "home": [130.625, 42.41, 130.645, 42.425]}})
    .to_string();
    let mut project = sitewatch::model::io::parse(&text, "test").unwrap().project;
    project.layers.push(layer);
    project
}

#[test]
fn band_files_beside_the_project_are_drawn_in_an_export_and_the_source_round_trips() {
    let dir = tempfile::tempdir().unwrap();
    for (name, value) in [("B04.tif", RED), ("B03.tif", GREEN), ("B02.tif", BLUE)] {
        std::fs::write(dir.path().join(name), band_cog(value, SIDE)).unwrap();
    }
    let item = item(&[
        ("red", "red", "B04.tif".to_owned()),
        ("green", "green", "B03.tif".to_owned()),
        ("blue", "blue", "B02.tif".to_owned()),
    ]);
    let layer = planned_layer(&item, Composite::TrueColour);
    let project = project_with(layer.clone());

    let text = sitewatch::model::io::to_json_string(&project);
    let saved: Value = serde_json::from_str(&text).unwrap();
    let source = &saved["sitewatch"]["layers"][0]["source"];
    assert_eq!(
        source,
        &json!({"kind": "bands", "red": "B04.tif", "green": "B03.tif", "blue": "B02.tif"}),
        "{text}"
    );
    let back = sitewatch::model::io::parse(&text, "test").unwrap().project;
    assert_eq!(back.layers, project.layers, "the layer reads back as saved");

    let options = ExportOptions {
        size_px: [320, 240],
        view: ViewChoice::BBox(LonLatBox {
            west: 130.625,
            south: 42.41,
            east: 130.645,
            north: 42.425,
        }),
        imagery: Some(Arc::new(ProjectLayerSources::without_cache(
            dir.path().to_owned(),
        ))),
        ..ExportOptions::default()
    };
    let day = NaiveDate::from_ymd_opt(2025, 6, 2).unwrap();
    let figure = render_figure(&back, day, &options, &|_, _| true).unwrap();
    assert!(
        figure.layers_left_out.is_empty(),
        "{:?}",
        figure.layers_left_out
    );
    let expected = [RED, GREEN, BLUE].map(|v| expected_byte(v, &stretch()));
    let image = figure.to_rgba_image().unwrap();
    let composite = image.pixels().filter(|p| p.0[..3] == expected).count();
    assert!(
        composite > (320 * 240) / 2,
        "{composite} pixels of {expected:?}"
    );
}

#[test]
fn a_band_on_another_grid_or_missing_is_refused_with_a_message_naming_it() {
    let red = RangeServer::start(band_cog(RED, SIDE), Behaviour::Ranges);
    let other = RangeServer::start(band_cog(GREEN, SIDE + 256), Behaviour::Ranges);
    let blue = RangeServer::start(band_cog(BLUE, SIDE), Behaviour::Ranges);
    let places = [
        BandPlace::Remote(red.url("B04.tif")),
        BandPlace::Remote(other.url("B03.tif")),
        BandPlace::Remote(blue.url("B02.tif")),
    ];
    let refused = RasterTileSource::open_bands(
        &places,
        &OpenOptions::default(),
        &common::tiles::no_wait(),
        None,
    )
    .unwrap_err();
    let RasterError::BandGrid { detail, path } = &refused else {
        panic!("{refused:?}");
    };
    assert_eq!(path.to_str().unwrap(), other.url("B03.tif"));
    assert!(detail.contains("768 × 768 px"), "{detail}");

    let gone = RangeServer::start(Vec::new(), Behaviour::Status(404));
    let item = item(&[
        ("red", "red", red.url("B04.tif")),
        ("green", "green", blue.url("B03.tif")),
        ("blue", "blue", gone.url("B02.tif")),
    ]);
    let layer = planned_layer(&item, Composite::TrueColour);
    let dir = tempfile::tempdir().unwrap();
    let Err(TileError::Local { message, .. }) = open(&layer, dir.path()) else {
        panic!("a missing band is an error");
    };
    assert!(message.contains(&gone.url("B02.tif")), "{message}");
    assert!(message.contains("404"), "{message}");

    let mut layer = layer;
    layer.source = LayerSource::Bands {
        red: red.url("B04.tif"),
        green: other.url("B03.tif"),
        blue: blue.url("B02.tif"),
    };
    let Err(TileError::Local { message, .. }) = open(&layer, dir.path()) else {
        panic!("bands on different grids are an error");
    };
    assert!(message.contains(&other.url("B03.tif")), "{message}");
    assert!(message.contains("not the first band's"), "{message}");
}

#[test]
fn saving_elsewhere_makes_local_band_paths_absolute_and_keeps_urls() {
    let item = item(&[
        ("red", "red", "bands/B04.tif".to_owned()),
        ("green", "green", "https://e/B03.tif".to_owned()),
        ("blue", "blue", "/data/B02.tif".to_owned()),
    ]);
    let project = project_with(planned_layer(&item, Composite::TrueColour));
    let moved = sitewatch::model::project_file::rebase_layer_files(
        &project,
        Some(Path::new("/old/site.geojson")),
        Path::new("/new/site.geojson"),
    );
    assert_eq!(
        moved.layers[0].source,
        LayerSource::Bands {
            red: "/old/bands/B04.tif".into(),
            green: "https://e/B03.tif".into(),
            blue: "/data/B02.tif".into(),
        }
    );
}
