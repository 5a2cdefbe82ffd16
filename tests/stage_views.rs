//! Stage bookmarks: a stage keeps the view its figure was published with (box, layers shown and
//! how, label language, basemap, figure options); choosing it restores date and view together,
//! visibility as one undoable edit, and `sitewatch export --stage-view` makes the figure again.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns
#![allow(clippy::float_cmp)] // opacities are copied values: equal, not close

mod common;

use egui_kittest::kittest::Queryable as _;
use sitewatch::command::{Command, TimeCommand};
use sitewatch::editing::Edit;
use sitewatch::model::io::{parse, save_atomic, to_json_string};
use sitewatch::model::{KeptFigure, Project, StageView};
use sitewatch::scene::SceneOptions;
use sitewatch::spatial::LonLatBox;
use sitewatch::ui::stage_views::{KEEP_VIEW_LABEL, RESTORE_VIEW_LABEL, current_stage};

fn visible_ids(project: &Project) -> Vec<String> {
    project
        .layers
        .iter()
        .filter(|l| l.visible)
        .map(|l| l.id.clone())
        .collect()
}

fn set_visible(project: &Project, id: &str, visible: bool, opacity: f32) -> Command {
    let mut layer = project.layers.iter().find(|l| l.id == id).unwrap().clone();
    layer.visible = visible;
    layer.opacity = opacity;
    Command::edit(Edit::SetLayer {
        id: id.to_owned(),
        layer: Box::new(layer),
    })
}

fn close_boxes(a: LonLatBox, b: LonLatBox) -> bool {
    let d = [
        a.west - b.west,
        a.south - b.south,
        a.east - b.east,
        a.north - b.north,
    ];
    d.iter().all(|x| x.abs() < 1e-9)
}

#[test]
fn a_kept_view_comes_back_with_its_date_and_layers_as_one_undo_step() {
    let mut h = common::window::ready_app();
    let project = h.state().project().clone();
    let stage = current_stage(&project, h.state().date()).unwrap();
    let shown = visible_ids(&project);
    assert!(shown.len() >= 2, "the default project shows several layers");
    // The analyst hides one layer and fades another, then keeps the view.
    let (hidden, faded) = (shown[0].clone(), shown[1].clone());
    common::window::apply(&mut h, set_visible(&project, &hidden, false, 1.0));
    let project = h.state().project().clone();
    common::window::apply(&mut h, set_visible(&project, &faded, true, 0.4));
    let kept_box = h.state().view_box().unwrap();
    h.get_by_label(KEEP_VIEW_LABEL).click();
    h.run_steps(3);
    let view = h.state().project().stages[stage].view.clone().unwrap();
    assert!(
        close_boxes(view.bbox, kept_box),
        "{:?} ≠ {kept_box:?}",
        view.bbox
    );
    let kept_ids: Vec<&str> = view.layers.iter().map(|k| k.id.as_str()).collect();
    assert!(!kept_ids.contains(&hidden.as_str()));
    assert_eq!(
        view.layers.iter().find(|k| k.id == faded).unwrap().opacity,
        0.4
    );
    assert_eq!(view.figure.size_px, h.state().export_size());

    // Later: every layer shown again at full opacity, the map panned, another date.
    let project = h.state().project().clone();
    let all: Vec<Edit> = project
        .layers
        .iter()
        .map(|l| {
            let mut layer = l.clone();
            layer.visible = true;
            layer.opacity = 1.0;
            Edit::SetLayer {
                id: l.id.clone(),
                layer: Box::new(layer),
            }
        })
        .collect();
    common::window::apply(&mut h, Command::edit(Edit::Batch(all)));
    let centre = egui::pos2(700.0, 400.0);
    common::drag(&mut h, centre, centre + egui::vec2(180.0, -90.0));
    assert!(!close_boxes(h.state().view_box().unwrap(), kept_box));
    let first = project.stages[0].date.key();
    common::window::apply(&mut h, Command::Time(TimeCommand::SetDate(first)));
    let undo_steps = h.state().history().undo_len();
    let everything_shown = h.state().project().layers.clone();

    common::window::apply(&mut h, Command::Time(TimeCommand::RestoreStageView(stage)));
    let app = h.state();
    assert_eq!(app.date(), project.stages[stage].date.key());
    let restored = app.project();
    assert!(
        !restored
            .layers
            .iter()
            .find(|l| l.id == hidden)
            .unwrap()
            .visible
    );
    let faded_now = restored.layers.iter().find(|l| l.id == faded).unwrap();
    assert!(faded_now.visible);
    assert_eq!(faded_now.opacity, 0.4);
    assert_eq!(visible_ids(restored), kept_ids);
    let now = app.view_box().unwrap();
    assert!(close_boxes(now, kept_box), "{now:?} ≠ {kept_box:?}");
    assert_eq!(app.history().undo_len(), undo_steps + 1, "one undo step");

    // One undo brings every layer back as it was before the restore.
    common::window::apply(&mut h, Command::Edit(sitewatch::command::EditCommand::Undo));
    assert_eq!(h.state().project().layers, everything_shown);
}

#[test]
fn the_restore_button_is_there_only_for_a_stage_that_keeps_a_view() {
    // The default project's stage of 5 Jul 2025 keeps no view.
    let mut h = common::default_app(common::day(2025, 7, 5), 1400.0, 900.0);
    h.run_steps(3);
    assert!(h.query_by_label(RESTORE_VIEW_LABEL).is_none());
    h.get_by_label(KEEP_VIEW_LABEL).click();
    h.run_steps(3);
    assert!(h.query_by_label(RESTORE_VIEW_LABEL).is_some());
    let stage = current_stage(h.state().project(), h.state().date()).unwrap();
    common::window::apply(&mut h, Command::Time(TimeCommand::ForgetStageView(stage)));
    assert!(h.state().project().stages[stage].view.is_none());
    assert!(h.query_by_label(RESTORE_VIEW_LABEL).is_none());
}

fn kept_box() -> LonLatBox {
    LonLatBox::try_from([130.630, 42.408, 130.654, 42.422]).unwrap()
}

/// The default project with a view kept by its stage of 14 Oct 2025: one layer hidden.
fn project_with_kept_view() -> (Project, usize, String) {
    let mut project = sitewatch::model::default_project::load_default_project()
        .unwrap()
        .project;
    let date = common::day(2025, 10, 14);
    let stage = current_stage(&project, date).unwrap();
    let plain = sitewatch::scene::build(&project, date, &SceneOptions::default());
    let hidden = plain.layers.last().unwrap().id.clone();
    project
        .layers
        .iter_mut()
        .find(|l| l.id == hidden)
        .unwrap()
        .visible = false;
    let figure = KeptFigure {
        size_px: [640, 400],
        north_arrow: false,
        grid: true,
        title: "Kept".into(),
    };
    let view = StageView::keep(&project, kept_box(), figure);
    project.stages[stage].view = Some(Box::new(view));
    // Shown again after keeping: only the kept view hides it.
    project
        .layers
        .iter_mut()
        .find(|l| l.id == hidden)
        .unwrap()
        .visible = true;
    (project, stage, hidden)
}

#[test]
fn a_kept_view_is_saved_with_its_stage_and_read_back() {
    let (project, stage, _) = project_with_kept_view();
    let text = to_json_string(&project);
    let back = parse(&text, "test").unwrap().project;
    assert_eq!(back.stages[stage].view, project.stages[stage].view);
    // Stages without a view write nothing for it.
    let mut plain = project;
    for stage in &mut plain.stages {
        stage.view = None;
    }
    assert!(!to_json_string(&plain).contains("\"view\""));
}

#[test]
fn export_stage_view_makes_the_kept_figure_again() {
    let (project, _, hidden) = project_with_kept_view();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("kept.geojson");
    save_atomic(&project, &file).unwrap();
    // The default project's synthetic rasters, where its file says they are.
    let assets = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/imagery");
    std::os::unix::fs::symlink(assets, dir.path().join("imagery")).unwrap();
    let out = dir.path().join("kept.png");
    common::cli::succeeds(&[
        "export",
        file.to_str().unwrap(),
        "--stage-view",
        "2025-10-14",
        "--out",
        out.to_str().unwrap(),
    ]);
    let png = image::open(&out).unwrap();
    assert_eq!((png.width(), png.height()), (640, 400), "the kept size");
    let sidecar = common::cli::sidecar(&out);
    assert_eq!(sidecar["date"], "2025-10-14");
    let drawn: LonLatBox = serde_json::from_value(sidecar["view"]["bbox_lonlat"].clone()).unwrap();
    let kept = kept_box();
    // The kept box fills the figure: inside it, touching on one axis.
    assert!(
        drawn.west <= kept.west + 1e-9
            && drawn.east >= kept.east - 1e-9
            && drawn.south <= kept.south + 1e-9
            && drawn.north >= kept.north - 1e-9,
        "{drawn:?} does not hold {kept:?}"
    );
    let fits_x = (drawn.west - kept.west).abs() < 1e-6 && (drawn.east - kept.east).abs() < 1e-6;
    let fits_y = (drawn.south - kept.south).abs() < 1e-6 && (drawn.north - kept.north).abs() < 1e-6;
    assert!(fits_x || fits_y, "{drawn:?} vs {kept:?}");
    let ids: Vec<&str> = sidecar["layers"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|l| l["id"].as_str())
        .collect();
    assert!(
        !ids.contains(&hidden.as_str()),
        "{hidden} is hidden in the kept view"
    );
    // Without the kept view the same date shows it: the view, not the date, hides it.
    let plain = dir.path().join("plain.png");
    common::cli::succeeds(&[
        "export",
        file.to_str().unwrap(),
        "--date",
        "2025-10-14",
        "--size",
        "640x400",
        "--out",
        plain.to_str().unwrap(),
    ]);
    let sidecar = common::cli::sidecar(&plain);
    assert!(
        sidecar["layers"]
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l["id"] == hidden.as_str()),
        "{hidden} shows at that date without the kept view"
    );
}

#[test]
fn export_stage_view_refuses_a_stage_without_one() {
    let (project, _, _) = project_with_kept_view();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("kept.geojson");
    save_atomic(&project, &file).unwrap();
    let out = dir.path().join("x.png");
    let (f, o) = (file.to_str().unwrap(), out.to_str().unwrap());
    common::cli::refused(
        &["export", f, "--stage-view", "2025-06-02", "--out", o],
        "keeps no view; stages with a kept view: 2025-10-14",
    );
    common::cli::refused(
        &["export", f, "--stage-view", "2025-01-01", "--out", o],
        "no stage is dated 2025-01-01",
    );
    common::cli::refused(
        &[
            "export",
            f,
            "--stage-view",
            "2025-10-14",
            "--date",
            "2025-10-14",
            "--out",
            o,
        ],
        "cannot be used with",
    );
    assert!(!out.exists());
}
