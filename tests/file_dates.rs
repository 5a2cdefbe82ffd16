//! An undated file layer whose GeoTIFF carries a `DateTime`: the window uses that date without
//! changing the project (no unsaved mark, nothing to undo) until the user keeps it.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns

mod common;

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use sitewatch::app::{AppOptions, SitewatchApp};
use sitewatch::command::{Command, TimeCommand};
use sitewatch::model::default_project::load_default_project;
use sitewatch::model::io::{load, save_atomic};
use sitewatch::model::project_file::empty_project;
use sitewatch::model::{ImageryLayer, LayerSource};
use sitewatch::ui::layers::keep_file_date_label;

/// A small RGB GeoTIFF in EPSG:4326 over the site, with a TIFF `DateTime`.
fn dated_geotiff(path: &Path, datetime: &str) {
    let pattern = common::rasters::pattern(32);
    common::rasters::rgb_geotiff(path, 32, (130.63, 42.42), 0.0003, Some(datetime), &pattern);
}

fn undated_layer(id: &str, path: &str) -> ImageryLayer {
    ImageryLayer {
        source: LayerSource::File { path: path.into() },
        ..common::file_layer(id, None, "")
    }
}

/// A project file in `dir` with one undated layer on `scene.tif` (which carries 5 July 2025).
fn project_with_undated_tiff(dir: &Path) -> PathBuf {
    dated_geotiff(&dir.join("scene.tif"), "2025:07:05 10:21:00");
    let default = load_default_project().unwrap();
    let mut project = empty_project(&default.project);
    project.layers.push(undated_layer("scene", "scene.tif"));
    let path = dir.join("site.geojson");
    save_atomic(&project, &path).unwrap();
    path
}

fn open(path: &Path, date: NaiveDate) -> Harness<'static, SitewatchApp> {
    let loaded = load(path).unwrap();
    let path = path.to_path_buf();
    Harness::builder()
        .with_size(egui::vec2(1500.0, 2000.0))
        .build_eframe(move |cc| {
            SitewatchApp::new(
                cc,
                AppOptions {
                    loaded,
                    project_path: Some(path),
                    date: Some(date),
                    screenshot: None,
                    persist: false,
                },
            )
        })
}

/// The date label the scene gives layer `id` ("undated" when it has none), when it is drawn.
fn scene_label(h: &mut Harness<'static, SitewatchApp>, id: &str) -> Option<String> {
    let scene = h.state_mut().scene();
    scene
        .layers
        .iter()
        .find(|l| l.id == id)
        .map(|l| l.date_label.clone().unwrap_or_else(|| "undated".to_owned()))
}

/// Steps frames until the scene dates the layer (the file opens on a worker thread).
fn until_dated_by_file(h: &mut Harness<'static, SitewatchApp>) -> bool {
    common::wait::frames_until(h, |h| {
        scene_label(h, "scene") == Some("5 JUL 2025".to_owned())
    })
}

fn set_date(h: &mut Harness<'static, SitewatchApp>, date: NaiveDate) {
    let ctx = h.ctx.clone();
    h.state_mut()
        .apply(&ctx, Command::Time(TimeCommand::SetDate(date)));
    h.run_steps(2);
}

#[test]
fn a_date_read_from_the_file_dates_the_layer_without_changing_the_project() {
    let dir = tempfile::tempdir().unwrap();
    let path = project_with_undated_tiff(dir.path());
    let mut h = open(&path, common::day(2025, 8, 1));
    assert!(
        until_dated_by_file(&mut h),
        "the scene dates the layer from its file"
    );
    h.run_steps(5);
    let app = h.state();
    assert!(!app.is_dirty(), "opening a project leaves it clean");
    assert_eq!(app.history().undo_len(), 0, "nothing to undo after opening");
    assert_eq!(
        app.project().layers.first().unwrap().date,
        None,
        "the project itself stays undated"
    );

    // The timeline places the layer at the file's date: before it, the layer is not shown.
    set_date(&mut h, common::day(2025, 7, 1));
    assert_eq!(
        scene_label(&mut h, "scene"),
        None,
        "not shown before 5 July"
    );
    set_date(&mut h, common::day(2025, 7, 5));
    assert_eq!(scene_label(&mut h, "scene"), Some("5 JUL 2025".to_owned()));

    // The panel says where the date came from.
    assert!(
        h.query_by_label_contains("5 JUL 2025 (from file)")
            .is_some(),
        "the layer panel shows the file's date"
    );
}

#[test]
fn keep_makes_the_file_date_an_ordinary_undoable_edit() {
    let dir = tempfile::tempdir().unwrap();
    let path = project_with_undated_tiff(dir.path());
    let mut h = open(&path, common::day(2025, 8, 1));
    assert!(until_dated_by_file(&mut h));
    h.run_steps(2);
    let layer = h.state().project().layers.first().unwrap().clone();
    h.get_by_label(&keep_file_date_label(&layer))
        .click_accesskit();
    h.run_steps(3);
    let app = h.state();
    assert_eq!(
        app.project()
            .layers
            .first()
            .unwrap()
            .date
            .map(|d| d.to_string())
            .as_deref(),
        Some("2025-07-05"),
        "Keep writes the date into the project"
    );
    assert!(app.is_dirty(), "a kept date is unsaved work");
    assert_eq!(app.history().undo_len(), 1, "one undo step");

    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Z);
    h.run_steps(3);
    let app = h.state();
    assert_eq!(app.project().layers.first().unwrap().date, None, "undone");
    assert!(!app.is_dirty(), "back to the saved state");
    assert_eq!(
        scene_label(&mut h, "scene"),
        Some("5 JUL 2025".to_owned()),
        "after undo the file's date applies again"
    );
}

#[test]
fn the_export_places_an_undated_layer_at_its_files_date() {
    use sitewatch::export::sources::ProjectLayerSources;
    use sitewatch::export::{ExportOptions, render_figure};
    let dir = tempfile::tempdir().unwrap();
    let path = project_with_undated_tiff(dir.path());
    let project = load(&path).unwrap().project;
    let options = ExportOptions {
        size_px: [320, 200],
        imagery: Some(std::sync::Arc::new(ProjectLayerSources::without_cache(
            dir.path().to_path_buf(),
        ))),
        ..ExportOptions::default()
    };
    let drawn = |date: NaiveDate| -> Vec<(String, Option<String>)> {
        render_figure(&project, date, &options, &|_, _| true)
            .unwrap()
            .scene
            .layers
            .iter()
            .map(|l| (l.id.clone(), l.date_label.clone()))
            .collect()
    };
    assert!(
        drawn(common::day(2025, 7, 1)).is_empty(),
        "not before 5 July"
    );
    assert_eq!(
        drawn(common::day(2025, 7, 5)),
        [("scene".to_owned(), Some("5 JUL 2025".to_owned()))]
    );
}

#[test]
fn a_dated_layer_finishing_its_load_rebuilds_no_scene() {
    let dir = tempfile::tempdir().unwrap();
    // Large enough to open some frames after the first.
    let side = 3000;
    let pattern = common::rasters::pattern(side);
    let path = dir.path().join("scene.tif");
    let datetime = Some("2025:07:05 10:21:00");
    common::rasters::rgb_geotiff(&path, side, (130.63, 42.42), 0.00001, datetime, &pattern);
    let default = load_default_project().unwrap();
    let mut project = empty_project(&default.project);
    let mut layer = undated_layer("scene", "scene.tif");
    layer.date = Some("2025-07-01".parse().unwrap());
    project.layers.push(layer);
    let path = dir.path().join("site.geojson");
    save_atomic(&project, &path).unwrap();
    let mut h = open(&path, common::day(2025, 8, 1));
    h.step();
    assert!(
        h.state().raster_display("scene").is_none(),
        "still opening after the first frame"
    );
    let builds = h.state().scene_builds();
    let opened =
        common::wait::frames_until(&mut h, |h| h.state().raster_display("scene").is_some());
    assert!(opened, "the layer opens");
    h.run_steps(3);
    assert_eq!(
        h.state().scene_builds(),
        builds,
        "the file's own date does not change a dated layer's scene"
    );
}
