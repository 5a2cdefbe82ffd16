//! The layer panel, driven through its accessible labels: add a dated service, change its
//! opacity and visibility, undo.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns

mod common;

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use sitewatch::app::SitewatchApp;
use sitewatch::ui::layers::{controls_label, opacity_label, visible_label};

fn harness() -> Harness<'static, SitewatchApp> {
    common::default_app(common::day(2024, 7, 1), 1500.0, 2000.0)
}

#[test]
fn a_dated_service_is_added_from_the_panel_and_its_opacity_changed_by_label() {
    let mut h = harness();
    h.run_steps(3);
    // Clicks go through AccessKit actions, not pointer positions: the panel's rows grow while
    // layers open and tiles load, so a position from the last frame could miss.
    let before = h.state().project().layers.len();
    h.get_by_label("Add dated service").click_accesskit();
    h.run_steps(2);
    h.get_by_label("Sentinel-2 cloudless 2024 (EOX)")
        .click_accesskit();
    h.run_steps(3);
    let layers = &h.state().project().layers;
    assert_eq!(layers.len(), before + 1, "one layer added");
    let added = layers.last().unwrap().clone();
    assert_eq!(added.date.map(|d| d.to_string()).as_deref(), Some("2024"));
    assert!(
        added.attribution.contains("Sentinel-2 cloudless"),
        "{}",
        added.attribution
    );

    // Two layers of that name now exist (the project ships one, hidden): the new one is on top,
    // and only its row opened when it was added.
    let label = opacity_label(&added);
    assert_eq!(
        h.query_all_by_label(&label).count(),
        1,
        "only the new row is open"
    );
    h.get_all_by_label(&label)
        .next()
        .expect("an opacity slider for the new layer")
        .set_value_accesskit(0.4);
    h.run_steps(3);
    let opacity = h.state().project().layers.last().unwrap().opacity;
    assert!((opacity - 0.4).abs() < 1e-3, "opacity now {opacity}");

    let label = visible_label(&added);
    h.get_all_by_label(&label).next().unwrap().click_accesskit();
    h.run_steps(3);
    assert!(
        !h.state().project().layers.last().unwrap().visible,
        "hidden by its box"
    );

    // Every layer change is one undo step.
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Z);
    h.run_steps(3);
    assert!(
        h.state().project().layers.last().unwrap().visible,
        "undo shows it again"
    );
}

#[test]
fn a_layers_controls_open_under_its_row_and_close_again() {
    let mut h = harness();
    h.run_steps(3);
    let layers = h.state().project().layers.clone();
    assert!(layers.len() > 1);
    // Closed rows: every layer's box and name, no layer's opacity.
    for layer in &layers {
        assert!(
            h.query_by_label(&visible_label(layer)).is_some(),
            "{}",
            layer.name
        );
        assert!(
            h.query_by_label(&opacity_label(layer)).is_none(),
            "{}",
            layer.name
        );
    }
    let layer = layers.last().unwrap();
    h.get_by_label(&controls_label(layer)).click_accesskit();
    h.run_steps(3);
    assert!(
        h.query_by_label(&opacity_label(layer)).is_some(),
        "its opacity is offered once open"
    );
    let others = layers[..layers.len() - 1]
        .iter()
        .filter(|l| h.query_by_label(&opacity_label(l)).is_some())
        .count();
    assert_eq!(others, 0, "the other rows stay closed");
    h.get_by_label(&controls_label(layer)).click_accesskit();
    h.run_steps(3);
    assert!(
        h.query_by_label(&opacity_label(layer)).is_none(),
        "closed again"
    );
}

#[test]
fn synthetic_layers_say_so_in_the_panel() {
    let mut h = harness();
    h.run_steps(3);
    let marks = h
        .query_all_by_label("SYNTHETIC IMAGERY — not an observation")
        .count();
    let synthetic = h
        .state()
        .project()
        .layers
        .iter()
        .filter(|l| l.synthetic)
        .count();
    assert!(synthetic > 0);
    assert!(
        marks >= synthetic,
        "{marks} marks for {synthetic} synthetic layers"
    );
}

/// A small RGB GeoTIFF in EPSG:4326 over the site, with or without a TIFF `DateTime`.
fn small_geotiff(path: &std::path::Path, datetime: Option<&str>) {
    let pattern = common::rasters::pattern(64);
    common::rasters::rgb_geotiff(path, 64, (130.63, 42.42), 0.0003, datetime, &pattern);
}

/// Adds a file layer as the panel's Add button does.
fn add_file_layer(h: &mut Harness<'_, SitewatchApp>, path: std::path::PathBuf) {
    h.run_steps(2);
    let ctx = h.ctx.clone();
    h.state_mut().apply(
        &ctx,
        sitewatch::command::Command::Imagery(sitewatch::command::ImageryCommand::AddLayerFiles(
            vec![path],
        )),
    );
}

/// Draws frames until `done` holds (files open on workers): a bounded wait, `false` if it
/// never does.
fn frames_until(
    h: &mut Harness<'_, SitewatchApp>,
    done: impl Fn(&Harness<'_, SitewatchApp>) -> bool,
) -> bool {
    common::wait::frames_until(h, |h| done(h))
}

#[test]
fn an_undated_file_takes_its_tiff_datetime_once_it_opens() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("scene.tif");
    small_geotiff(&path, Some("2025:07:05 10:21:00"));
    let mut h = harness();
    add_file_layer(&mut h, path);
    let dated = frames_until(&mut h, |h| {
        h.query_by_label_contains("5 JUL 2025 (from file)")
            .is_some()
    });
    assert!(dated, "the layer took the file's DateTime");
    assert_eq!(
        h.state().project().layers.last().and_then(|l| l.date),
        None,
        "as a runtime date: the project is unchanged until Keep"
    );
}

#[test]
fn one_to_one_zooms_to_the_images_native_resolution() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("scene.tif");
    small_geotiff(&path, None);
    let native = sitewatch::imagery::raster::RasterTileSource::open(
        &path,
        &sitewatch::imagery::raster::OpenOptions::default(),
    )
    .unwrap()
    .native_zoom();
    let mut h = harness();
    add_file_layer(&mut h, path);
    let id = h.state().project().layers.last().unwrap().id.clone();
    // The file opens on a worker: its 1:1 button comes alive.
    let ready = frames_until(&mut h, |h| h.state().raster_display(&id).is_some());
    assert!(ready, "the layer opened");
    assert!(
        h.query_all_by_label("1:1").count() >= 1,
        "the panel offers 1:1 for an open raster"
    );
    let before = format!("zoom {native:.1}");
    assert!(h.query_by_label(&before).is_none(), "not already there");
    let ctx = h.ctx.clone();
    h.state_mut().apply(
        &ctx,
        sitewatch::command::Command::View(sitewatch::command::ViewCommand::ZoomToNative(id)),
    );
    h.run_steps(2);
    h.get_by_label(&format!("zoom {native:.1}"));
}
