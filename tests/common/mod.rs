//! The real app on the embedded default project, in a headless kittest harness.
#![allow(clippy::unwrap_used, dead_code)] // shared by several test binaries, each using a part

pub mod cli;
pub mod range_server;
pub mod rasters;
pub mod stac_server;
pub mod tiles;
pub mod wait;
pub mod wayback_server;
pub mod window;
pub mod wmts_server;

use chrono::NaiveDate;
use egui_kittest::Harness;
use sitewatch::app::{AppOptions, SitewatchApp};
use sitewatch::model::default_project::load_default_project;

/// The window at `date`, `width` × `height` logical pixels, persisting nothing.
pub fn default_app(date: NaiveDate, width: f32, height: f32) -> Harness<'static, SitewatchApp> {
    app_with(load_default_project().unwrap(), date, width, height)
}

/// The window on `loaded` at `date`, `width` × `height` logical pixels, persisting nothing.
pub fn app_with(
    loaded: sitewatch::model::io::Loaded,
    date: NaiveDate,
    width: f32,
    height: f32,
) -> Harness<'static, SitewatchApp> {
    Harness::builder()
        .with_size(egui::vec2(width, height))
        .build_eframe(move |cc| {
            SitewatchApp::new(
                cc,
                AppOptions {
                    loaded,
                    project_path: None,
                    date: Some(date),
                    screenshot: None,
                    persist: false,
                },
            )
        })
}

/// An imagery layer on the file `{id}.tif`, named `id`, dated `date` (acquisition) when one is
/// given, on `track`, shown at full opacity.
pub fn file_layer(id: &str, date: Option<&str>, track: &str) -> sitewatch::model::ImageryLayer {
    use sitewatch::model::{DateKind, ImageryLayer, LayerSource};
    ImageryLayer {
        id: id.into(),
        name: id.into(),
        date: date.map(|d| d.parse().unwrap()),
        date_kind: DateKind::Acquisition,
        note: String::new(),
        track: track.into(),
        attribution: String::new(),
        synthetic: false,
        opacity: 1.0,
        visible: true,
        source: LayerSource::File {
            path: format!("{id}.tif"),
        },
        display: None,
        offset_m: None,
        extra: serde_json::Map::new(),
    }
}

/// An empty project with two file layers over one ground: `july.tif` dated 5 July 2025 and
/// `october.tif` dated 14 October 2025 (the comparison tests' pair), relative to its folder.
pub fn july_and_october() -> sitewatch::model::Project {
    let default = sitewatch::model::default_project::load_default_project().unwrap();
    let mut project = sitewatch::model::project_file::empty_project(&default.project);
    project
        .layers
        .push(file_layer("july", Some("2025-07-05"), ""));
    project
        .layers
        .push(file_layer("october", Some("2025-10-14"), ""));
    project
}

/// A calendar day.
pub fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// Drags the pointer from `from` to `to` over a few frames, as a hand does.
pub fn drag(h: &mut Harness<'_, SitewatchApp>, from: egui::Pos2, to: egui::Pos2) {
    h.hover_at(from);
    h.run_steps(1);
    h.drag_at(from);
    h.run_steps(1);
    for i in 1..=5 {
        h.hover_at(from + (to - from) * (i as f32 / 5.0));
        h.run_steps(1);
    }
    h.drop_at(to);
    h.run_steps(3);
}

/// Runs frames until no layer is opening or loading on its worker (their arrival changes what
/// is drawn), then two more.
pub fn settle_layers(h: &mut Harness<'_, SitewatchApp>) {
    let settled = wait::frames_until(h, |h| h.state().pending_work().is_empty());
    assert!(settled, "still loading: {:?}", h.state().pending_work());
    h.run_steps(2);
}
