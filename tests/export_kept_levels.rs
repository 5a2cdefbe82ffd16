//! An export opens a raster file that has no overviews for its one view: decoded on every core,
//! it keeps only the pyramid level that view reads and the coarser ones (a sixteenth of the
//! pixels for a figure drawn from level 2), and the figure is the same, pixel for pixel, as one
//! drawn from the whole pyramid.
#![allow(clippy::unwrap_used, reason = "tests fail loudly")]

mod common;

use std::collections::HashMap;
use std::sync::Arc;

use chrono::NaiveDate;
use sitewatch::export::sources::{OpenFirst, ProjectLayerSources};
use sitewatch::export::{ExportOptions, LayerSources, ViewChoice, render_figure};
use sitewatch::imagery::raster::write::{Compression, Layout, write_geotiff};
use sitewatch::imagery::{TileSource, ViewRect};
use sitewatch::model::{DateKind, FuzzyDate, ImageryLayer, LayerSource, Project};
use sitewatch::spatial::LonLatBox;
use sitewatch::spatial::mercator::world_px_from_lonlat;

const SIDE: u32 = 2048;
const STEP: f64 = 2e-5;
const WEST: f64 = 130.61;
const NORTH: f64 = 42.44;

fn write_strips(path: &std::path::Path) {
    let mut spec = common::tiles::cog_spec((WEST, NORTH), SIDE, STEP, Compression::Deflate);
    spec.layout = Layout::Strips { rows: 16 };
    let samples: Vec<u8> = (0..SIDE * SIDE * 3)
        .map(|i| {
            let (x, y) = ((i / 3) % SIDE, (i / 3) / SIDE);
            (common::rasters::value_noise(u64::from(i % 3), f64::from(x), f64::from(y), 40.0)
                * 255.0) as u8
        })
        .collect();
    write_geotiff(
        std::io::BufWriter::new(std::fs::File::create(path).unwrap()),
        &spec,
        &samples,
    )
    .unwrap();
}

fn layer() -> ImageryLayer {
    ImageryLayer {
        id: "strips".into(),
        name: "Strips".into(),
        date: Some(FuzzyDate::day(NaiveDate::from_ymd_opt(2025, 6, 1).unwrap())),
        date_kind: DateKind::Acquisition,
        note: String::new(),
        track: "Test".into(),
        attribution: "test".into(),
        synthetic: true,
        opacity: 1.0,
        visible: true,
        source: LayerSource::File {
            path: "strips.tif".into(),
        },
        display: None,
        offset_m: None,
        extra: serde_json::Map::new(),
    }
}

fn bbox() -> LonLatBox {
    let span = f64::from(SIDE) * STEP;
    LonLatBox::try_from([WEST, NORTH - span, WEST + span, NORTH]).unwrap()
}

#[test]
fn a_view_drawn_from_level_2_keeps_a_sixteenth_of_the_pixels_and_draws_the_same() {
    let dir = tempfile::tempdir().unwrap();
    write_strips(&dir.path().join("strips.tif"));
    let sources = ProjectLayerSources::without_cache(dir.path().to_owned());
    let full = sources.source(&layer()).unwrap().unwrap();
    // A 256 px wide view of the whole raster: eight source pixels to one across, six down
    // (the Mercator stretch at 42° N), level 2 drawn.
    let b = bbox();
    let zoom = (256.0 * 360.0 / ((b.east - b.west) * 256.0)).log2();
    let nw = world_px_from_lonlat(
        geo::Coord {
            x: b.west,
            y: b.north,
        },
        zoom,
    );
    let rect = ViewRect {
        origin_world_px: nw,
        zoom,
        size_px: [256, 256],
    };
    // Sources of their own: one opened for every view would serve this one too.
    let kept = ProjectLayerSources::without_cache(dir.path().to_owned())
        .source_for_view(&layer(), &rect)
        .unwrap()
        .unwrap();
    let reused = sources.source_for_view(&layer(), &rect).unwrap().unwrap();
    assert!(
        Arc::ptr_eq(&reused, &full),
        "the whole raster serves any view"
    );
    let (full_raster, kept_raster) = (full.raster().unwrap(), kept.raster().unwrap());
    let (full_bytes, kept_bytes) = (full_raster.memory_bytes().0, kept_raster.memory_bytes().0);
    assert!(
        kept_bytes * 12 < full_bytes,
        "{kept_bytes} bytes kept against {full_bytes}"
    );
    assert_eq!(
        full_raster.render_view(&rect, None).unwrap(),
        kept_raster.render_view(&rect, None).unwrap(),
        "the same pixels from the levels kept"
    );
    assert_eq!(full_raster.histograms(), kept_raster.histograms());

    // A whole export: the same figure as one drawn from the window's open (whole) raster.
    let text = serde_json::json!({"type": "FeatureCollection", "features": [],
        "sitewatch": {"format_version": 1, "name": "Strips",
                      "home": [b.west, b.south, b.east, b.north]}})
    .to_string();
    let mut project: Project = sitewatch::model::io::parse(&text, "test").unwrap().project;
    project.layers.push(layer());
    let day = NaiveDate::from_ymd_opt(2025, 6, 2).unwrap();
    let figure = |imagery: Arc<dyn LayerSources>| {
        let options = ExportOptions {
            size_px: [640, 480],
            view: ViewChoice::BBox(b),
            imagery: Some(imagery),
            ..ExportOptions::default()
        };
        render_figure(&project, day, &options, &|_, _| true)
            .unwrap()
            .to_rgba_image()
            .unwrap()
    };
    let from_file = figure(Arc::new(ProjectLayerSources::without_cache(
        dir.path().to_owned(),
    )));
    let open: HashMap<String, Arc<dyn TileSource>> =
        HashMap::from([("strips".to_owned(), Arc::clone(&full))]);
    let from_window = figure(Arc::new(OpenFirst::new(
        open,
        ProjectLayerSources::without_cache(dir.path().to_owned()),
    )));
    assert!(from_file == from_window, "the figures differ");
}
