//! Before/after figures: one panel per date over the same view, each with its letter and date,
//! one legend, scale bar and north arrow, no world file, and a sidecar that places each panel.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns
#![allow(clippy::float_cmp)] // panel rectangles are whole pixels: equal, not close

mod common;

use sitewatch::export::sources::ProjectLayerSources;
use sitewatch::export::{ExportOptions, export_panels_png, render_panels};
use sitewatch::model::default_project::load_default_project;
use sitewatch::model::default_project::project_base_dir;
use sitewatch::render::display_list::{BoxKind, RectPx};

/// The default project's imagery (its synthetic stages), as `sitewatch export default` reads it.
fn default_imagery() -> std::sync::Arc<ProjectLayerSources> {
    std::sync::Arc::new(ProjectLayerSources::without_cache(project_base_dir(None)))
}

fn inside(inner: RectPx, outer: RectPx) -> bool {
    inner[0] >= outer[0] && inner[1] >= outer[1] && inner[2] <= outer[2] && inner[3] <= outer[3]
}

fn furniture(figure: &sitewatch::export::PanelsFigure, name: &str) -> Vec<RectPx> {
    figure
        .list
        .boxes
        .iter()
        .filter(|b| matches!(b.kind, BoxKind::Furniture(n) if n == name))
        .map(|b| b.rect_px)
        .collect()
}

#[test]
fn three_dates_make_three_lettered_panels_with_one_legend() {
    let loaded = load_default_project().unwrap();
    let dates = [
        common::day(2025, 2, 27),
        common::day(2025, 7, 5),
        common::day(2025, 10, 14),
    ];
    let options = ExportOptions {
        size_px: [1920, 700],
        imagery: Some(default_imagery()),
        ..ExportOptions::default()
    };
    let figure = render_panels(&loaded.project, &dates, &options, &|_, _| true).unwrap();
    assert_eq!(figure.panels.len(), 3);
    let rects: Vec<RectPx> = figure.panels.iter().map(|p| p.rect_px).collect();
    // One row, of one size, 8 px apart at 1920 px.
    assert!(rects.iter().all(|r| r[1] == 0.0 && r[3] == 700.0));
    assert!(rects.windows(2).all(|w| w[1][0] - w[0][2] == 8.0));
    let widths: Vec<f32> = rects.iter().map(|r| r[2] - r[0]).collect();
    assert!(widths.iter().all(|w| *w == widths[0]));
    for (panel, date) in figure.panels.iter().zip(dates) {
        assert_eq!(panel.scene.date, date);
    }
    let letters: Vec<&str> = figure.panels.iter().map(|p| p.letter.as_str()).collect();
    assert_eq!(letters, ["A", "B", "C"]);
    // Each panel's stamp (its letter and date) is inside it, in order.
    let stamps = furniture(&figure, "header");
    assert_eq!(stamps.len(), 3);
    for (stamp, rect) in stamps.iter().zip(&rects) {
        assert!(inside(*stamp, *rect), "{stamp:?} in {rect:?}");
    }
    let stamp_text: Vec<String> = figure
        .list
        .text_runs()
        .map(|r| r.text.clone())
        .filter(|t| t.len() <= 2 || t.ends_with("2025"))
        .collect();
    for word in ["A", "B", "C", "27 FEB 2025", "5 JUL 2025", "14 OCT 2025"] {
        assert!(
            stamp_text.iter().any(|t| t == word),
            "{word} in {stamp_text:?}"
        );
    }
    // One legend, one scale bar, one north arrow, each inside one panel.
    for name in ["legend", "scale-bar"] {
        let found = furniture(&figure, name);
        assert_eq!(found.len(), 1, "{name}: {found:?}");
        assert!(
            rects.iter().any(|r| inside(found[0], *r)),
            "{name} inside a panel"
        );
    }
    assert!(figure.layout.north_arrow_px.is_some());
    // Every panel's synthetic imagery says so.
    assert_eq!(furniture(&figure, "synthetic").len(), 3);
    // The gutter is white.
    let image = figure.pixmap;
    let gutter = image.pixel(rects[0][2] as u32 + 4, 350).unwrap();
    assert_eq!(
        [gutter.red(), gutter.green(), gutter.blue()],
        [255, 255, 255]
    );
}

#[test]
fn four_dates_go_in_a_square_and_the_sidecar_places_each_panel() {
    let loaded = load_default_project().unwrap();
    let dates = [
        common::day(2025, 2, 27),
        common::day(2025, 6, 2),
        common::day(2025, 7, 5),
        common::day(2025, 10, 14),
    ];
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("panels.png");
    // A world file of an earlier export under this name must not survive.
    std::fs::write(dir.path().join("panels.pgw"), "1\n0\n0\n-1\n0\n0\n").unwrap();
    let options = ExportOptions {
        size_px: [1600, 1200],
        ..ExportOptions::default()
    };
    let written = export_panels_png(&loaded.project, &dates, &options, &out, &|_, _| true).unwrap();
    assert!(out.exists());
    assert!(!dir.path().join("panels.pgw").exists(), "no world file");
    assert!(!dir.path().join("panels.prj").exists());
    let sidecar: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&written.sidecar).unwrap()).unwrap();
    assert_eq!(sidecar["kind"], "panels");
    assert_eq!(sidecar["georeferenced"], false);
    let panels = sidecar["panels"].as_array().unwrap();
    assert_eq!(panels.len(), 4);
    let rect = |i: usize| -> Vec<f64> {
        panels[i]["rect_px"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_f64().unwrap())
            .collect()
    };
    assert_eq!(rect(0)[1], rect(1)[1], "A and B share the first row");
    assert_eq!(rect(0)[0], rect(2)[0], "C is under A");
    assert!(rect(2)[1] > rect(0)[3], "the second row is below the first");
    assert_eq!(panels[3]["date"], "2025-10-14");
    assert_eq!(panels[3]["letter"], "D");
    assert_eq!(
        panels[0]["bbox_lonlat"], panels[3]["bbox_lonlat"],
        "one view"
    );
    let image = image::open(&out).unwrap();
    assert_eq!((image.width(), image.height()), (1600, 1200));
}

#[test]
fn sitewatch_export_panels_writes_the_figure_and_refuses_bad_arguments() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("ab.png");
    let out = out.to_str().unwrap();
    let ok = common::cli::sitewatch(&[
        "export",
        "default",
        "--panels",
        "2025-07-05,2025-10-14",
        "--size",
        "800x400",
        "--out",
        out,
    ]);
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    assert!(dir.path().join("ab.json").exists());
    assert!(!dir.path().join("ab.pgw").exists());

    common::cli::refused(
        &["export", "default", "--panels", "2025-07-05", "--out", out],
        "2 to 12 dates",
    );
    let thirteen = vec!["2025-07-05"; 13].join(",");
    common::cli::refused(
        &["export", "default", "--panels", &thirteen, "--out", out],
        "not 13",
    );
    common::cli::refused(
        &[
            "export",
            "default",
            "--panels",
            "2025-07-05,later",
            "--out",
            out,
        ],
        "date 2",
    );
    common::cli::refused(
        &["export", "default", "--panels", "2025-07-05,2025-10-14"],
        "--out",
    );
    common::cli::refused(
        &[
            "export",
            "default",
            "--panels",
            "2025-07-05,2025-10-14",
            "--swipe",
            "2025-07-05,2025-10-14",
            "--out",
            out,
        ],
        "cannot be used with",
    );
}
