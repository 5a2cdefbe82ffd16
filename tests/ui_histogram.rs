//! A raster layer's histogram: dragging a stretch handle fixes the layer's stretch (project data,
//! one undo step a drag), Reset goes back to the automatic stretch, and the export draws the
//! layer with the limits the handles set.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns

mod common;

use std::path::Path;
use std::sync::Arc;

use chrono::NaiveDate;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use sitewatch::command::{Command, EditCommand};
use sitewatch::editing::History;
use sitewatch::export::display::raster_display;
use sitewatch::export::sources::ProjectLayerSources;
use sitewatch::export::{ExportOptions, render_figure};
use sitewatch::imagery::raster::{Display, OpenOptions, RasterTileSource, Stretch};
use sitewatch::model::default_project::load_default_project;
use sitewatch::model::layer_display::{LayerDisplay, LayerStretch};
use sitewatch::model::project_file::empty_project;
use sitewatch::model::{ImageryLayer, Project};
use sitewatch::spatial::LonLatBox;
use sitewatch::ui::histogram::{
    HistogramSource, channel_label, high_handle_label, histogram_ui, low_handle_label, reset_label,
};

/// The raster's north-west corner and pixel size, degrees.
const TOP_LEFT: (f64, f64) = (130.63, 42.42);
const STEP: f64 = 0.0002;
const SIDE: u32 = 100;

/// A one-band 16-bit raster rising from 1000 at the west edge to 3000 at the east edge.
fn gradient(path: &Path) {
    common::rasters::gray16_gradient(path, (SIDE, SIDE), TOP_LEFT, STEP, |x| 1000.0 + 2000.0 * x);
}

fn project() -> Project {
    let mut project = empty_project(&load_default_project().unwrap().project);
    let (w, n) = TOP_LEFT;
    let side = STEP * f64::from(SIDE);
    project.home = LonLatBox::try_from([w, n - side, w + side, n]).unwrap();
    project.layers.push(ImageryLayer {
        name: "Scene".into(),
        ..common::file_layer("scene", Some("2025-07-05"), "")
    });
    project
}

/// The layer panel's part under test, with the app's side played by hand: each command goes
/// through the history, and the raster follows the layer's saved display as the window's does.
struct Panel {
    project: Project,
    history: History,
    raster: Arc<RasterTileSource>,
    automatic: Display,
}

impl Panel {
    fn layer(&self) -> ImageryLayer {
        self.project.layers[0].clone()
    }

    fn stretch(&self) -> Option<LayerStretch> {
        self.project.layers[0].display.as_ref().map(|d| d.stretch)
    }

    fn follow(&self) {
        let display = self.project.layers[0]
            .display
            .as_ref()
            .map_or(self.automatic, raster_display);
        self.raster.set_display(display).unwrap();
    }
}

fn harness(path: &Path) -> Harness<'static, Panel> {
    let raster = Arc::new(RasterTileSource::open(path, &OpenOptions::default()).unwrap());
    let panel = Panel {
        project: project(),
        history: History::new(),
        automatic: raster.display(),
        raster,
    };
    Harness::builder()
        .with_size(egui::vec2(320.0, 220.0))
        .build_ui_state(
            |ui, panel: &mut Panel| {
                let layer = panel.layer();
                let source = HistogramSource {
                    raster: &panel.raster,
                    automatic: panel.automatic.stretch,
                };
                if let Some(Command::Edit(EditCommand::Apply { edit, coalesce })) =
                    histogram_ui(ui, &layer, &source)
                {
                    // One clock reading: only the drag's own key separates undo steps.
                    panel
                        .history
                        .apply(&mut panel.project, edit, coalesce.as_deref(), 0.0)
                        .unwrap();
                    panel.follow();
                }
            },
            panel,
        )
}

/// Drags the pointer from `from` to `to` over a few frames, as a hand does.
fn drag(h: &mut Harness<'_, Panel>, from: egui::Pos2, to: egui::Pos2) {
    h.hover_at(from);
    h.run_steps(1);
    h.drag_at(from);
    h.run_steps(1);
    for i in 1..=5 {
        h.hover_at(from + (to - from) * (i as f32 / 5.0));
        h.run_steps(1);
    }
    h.drop_at(to);
    h.run_steps(2);
}

fn handle_at(h: &Harness<'_, Panel>, label: &str) -> egui::Pos2 {
    h.get_by_label(label).rect().center()
}

fn range(stretch: Option<LayerStretch>) -> (f64, f64) {
    match stretch {
        Some(LayerStretch::Range { low, high }) => (low, high),
        other => panic!("a fixed range, not {other:?}"),
    }
}

#[test]
fn dragging_a_handle_fixes_the_layers_stretch_in_one_undo_step_per_drag() {
    let dir = tempfile::tempdir().unwrap();
    gradient(&dir.path().join("scene.tif"));
    let mut h = harness(&dir.path().join("scene.tif"));
    h.run_steps(2);
    assert_eq!(h.state().stretch(), None, "the file's own stretch at first");
    let (auto_low, auto_high) = h.state().raster.stretch_limits()[0];
    assert_eq!(
        h.state().automatic.stretch,
        Stretch::PERCENTILE_2_98,
        "16-bit data stretches 2–98 %"
    );

    let layer = h.state().layer();
    let from = handle_at(&h, &low_handle_label(&layer));
    drag(&mut h, from, from + egui::vec2(40.0, 0.0));
    let (low, high) = range(h.state().stretch());
    assert!(
        low > auto_low + 100.0,
        "black moved up: {low} from {auto_low}"
    );
    assert!((high - auto_high).abs() < 1e-9, "white stayed: {high}");
    assert!(low.fract().abs() < 1e-9, "a whole 16-bit value: {low}");
    let limits = h.state().raster.stretch_limits();
    assert!(
        limits.iter().all(|l| (l.0 - low).abs() < 0.5),
        "the raster shows it: {limits:?}"
    );

    let from = handle_at(&h, &high_handle_label(&layer));
    drag(&mut h, from, from - egui::vec2(30.0, 0.0));
    let (low2, high2) = range(h.state().stretch());
    assert!(
        (low2 - low).abs() < 1e-9 && high2 < high - 100.0,
        "{low2}–{high2}"
    );

    let Panel {
        project, history, ..
    } = h.state_mut();
    history.undo(project).unwrap().unwrap();
    assert_eq!(
        range(h.state().stretch()),
        (low, high),
        "one undo takes back the whole second drag"
    );
    let Panel {
        project, history, ..
    } = h.state_mut();
    history.undo(project).unwrap().unwrap();
    assert_eq!(
        h.state().stretch(),
        None,
        "and one more the whole first drag"
    );
}

#[test]
fn one_channels_limits_move_alone_and_all_channels_share_one_range() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("scene.tif");
    let pattern = common::rasters::pattern(SIDE);
    common::rasters::rgb_geotiff(&path, SIDE, TOP_LEFT, STEP, None, &pattern);
    let mut h = harness(&path);
    h.run_steps(2);
    let layer = h.state().layer();
    let before = h.state().raster.stretch_limits();

    // Green alone: its white comes down, red and blue keep what they showed.
    h.get_by_label(&channel_label(&layer, Some(1)))
        .click_accesskit();
    h.run_steps(2);
    let from = handle_at(&h, &high_handle_label(&layer));
    drag(&mut h, from, from - egui::vec2(60.0, 0.0));
    let Some(LayerStretch::Bands { low, high }) = h.state().stretch() else {
        panic!("a per-band stretch, not {:?}", h.state().stretch());
    };
    assert!(
        high[1] < before[1].1 - 20.0,
        "green's white moved: {high:?}"
    );
    for c in [0, 2] {
        assert!(
            (high[c] - before[c].1).abs() < 1e-9 && (low[c] - before[c].0).abs() < 1e-9,
            "channel {c} kept {:?}: {low:?}–{high:?}",
            before[c]
        );
    }
    let shown = h.state().raster.stretch_limits();
    assert!(
        (shown[1].1 - high[1]).abs() < 0.5,
        "the raster shows it: {shown:?}"
    );
    assert!(
        (shown[0].1 - before[0].1).abs() < 0.5,
        "red unchanged: {shown:?}"
    );

    // All channels: one drag gives one range to every band.
    h.get_by_label(&channel_label(&layer, None))
        .click_accesskit();
    h.run_steps(2);
    let from = handle_at(&h, &low_handle_label(&layer));
    drag(&mut h, from, from + egui::vec2(40.0, 0.0));
    let (low, _) = range(h.state().stretch());
    let shown = h.state().raster.stretch_limits();
    assert!(
        shown.iter().all(|l| (l.0 - low).abs() < 0.5),
        "every band's black at {low}: {shown:?}"
    );

    // Each drag was one undo step.
    let Panel {
        project, history, ..
    } = h.state_mut();
    history.undo(project).unwrap().unwrap();
    assert!(matches!(
        h.state().stretch(),
        Some(LayerStretch::Bands { .. })
    ));
    let Panel {
        project, history, ..
    } = h.state_mut();
    history.undo(project).unwrap().unwrap();
    assert_eq!(h.state().stretch(), None);
}

#[test]
fn a_per_band_stretch_is_saved_with_the_project_as_written() {
    let text = r#"{"bands": {"rgb": [4, 3, 2]}, "stretch": {"kind": "bands", "low": [300.0, 250.0, 200.0], "high": [2800.0, 2400.0, 2600.0]}}"#;
    let display: LayerDisplay = serde_json::from_str(text).unwrap();
    assert_eq!(
        display.stretch,
        LayerStretch::Bands {
            low: [300.0, 250.0, 200.0],
            high: [2800.0, 2400.0, 2600.0]
        }
    );
    let again: LayerDisplay =
        serde_json::from_str(&serde_json::to_string(&display).unwrap()).unwrap();
    assert_eq!(again, display);
    assert_eq!(
        raster_display(&display).stretch,
        Stretch::Bands {
            low: [300.0, 250.0, 200.0],
            high: [2800.0, 2400.0, 2600.0]
        }
    );
}

#[test]
fn reset_goes_back_to_the_automatic_stretch() {
    let dir = tempfile::tempdir().unwrap();
    gradient(&dir.path().join("scene.tif"));
    let mut h = harness(&dir.path().join("scene.tif"));
    h.run_steps(2);
    let layer = h.state().layer();
    let from = handle_at(&h, &high_handle_label(&layer));
    drag(&mut h, from, from - egui::vec2(50.0, 0.0));
    assert!(matches!(
        h.state().stretch(),
        Some(LayerStretch::Range { .. })
    ));
    h.get_by_label(&reset_label(&layer)).click_accesskit();
    h.run_steps(2);
    assert_eq!(
        h.state().stretch(),
        Some(LayerStretch::Percentile {
            low_pct: 2.0,
            high_pct: 98.0
        })
    );
}

/// The grey at the figure's centre (the raster's centre, where it holds 2000).
fn centre_grey(project: &Project, dir: &Path) -> u8 {
    let options = ExportOptions {
        size_px: [320, 320],
        imagery: Some(Arc::new(ProjectLayerSources::without_cache(
            dir.to_path_buf(),
        ))),
        ..ExportOptions::default()
    };
    let date = NaiveDate::from_ymd_opt(2025, 8, 1).unwrap();
    let figure = render_figure(project, date, &options, &|_, _| true).unwrap();
    assert!(figure.layers_left_out.is_empty(), "the layer was drawn");
    let image = figure.to_rgba_image().unwrap();
    image.get_pixel(image.width() / 2, image.height() / 2).0[0]
}

#[test]
fn the_export_draws_the_layer_with_the_limits_the_handles_set() {
    let dir = tempfile::tempdir().unwrap();
    gradient(&dir.path().join("scene.tif"));
    let mut h = harness(&dir.path().join("scene.tif"));
    h.run_steps(2);
    let layer = h.state().layer();
    let from = handle_at(&h, &low_handle_label(&layer));
    drag(&mut h, from, from + egui::vec2(60.0, 0.0));
    let (low, high) = range(h.state().stretch());
    let dragged = h.state().project.clone();
    let want = ((2000.0 - low) / (high - low) * 255.0).round();
    let got = centre_grey(&dragged, dir.path());
    assert!(
        (f64::from(got) - want).abs() <= 6.0,
        "grey {got}, want {want} for {low}–{high}"
    );
    let automatic = centre_grey(&project(), dir.path());
    assert!(
        got + 20 < automatic,
        "a higher black darkens it: {got} against {automatic}"
    );
    // Saved with the layer: the project file carries it.
    let text = sitewatch::model::io::to_json_string(&dragged);
    let loaded = sitewatch::model::io::parse(&text, "round trip")
        .unwrap()
        .project;
    assert_eq!(
        loaded.layers[0]
            .display
            .as_ref()
            .map(|d: &LayerDisplay| d.stretch),
        Some(LayerStretch::Range { low, high })
    );
}
