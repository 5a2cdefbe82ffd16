//! Comparing two dates: a swipe puts date A left of the divider and date B right of it, in the
//! window's list and in the export's figure alike; a blend fades B over A; a blink alternates
//! them at its rate; `sitewatch export --swipe` writes the figure.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns
#![allow(clippy::float_cmp)] // pixel positions are copied whole numbers: equal, not close

mod common;

use std::path::Path;
use std::sync::Arc;

use egui_kittest::kittest::Queryable as _;
use sitewatch::command::{Command, CompareCommand, CompareMode, TimeCommand};
use sitewatch::export::sources::ProjectLayerSources;
use sitewatch::export::{ExportOptions, export_swipe_png, render_swipe};
use sitewatch::model::{Project, Rgba};
use sitewatch::render::display_list::{
    BoxKind, DisplayList, ImageryOp, ImagerySource, PaintOp, RectPx,
};
use sitewatch::render::lower::compare::{SideTags, blend, swipe};
use sitewatch::render::lower::style::Scale;
use sitewatch::render::skia;
use sitewatch::render::text::EpaintText;
use sitewatch::spatial::LonLatBox;
use sitewatch::ui::compare_bar::{PIN_A_LABEL, UNPIN_A_LABEL};

const JULY_RGB: [u8; 3] = [200, 40, 30];
const OCTOBER_RGB: [u8; 3] = [30, 70, 210];

fn close(actual: [u8; 3], expected: [u8; 3]) -> bool {
    actual.iter().zip(expected).all(|(a, e)| a.abs_diff(e) <= 8)
}

/// One colour everywhere, well beyond the project's home.
fn solid_geotiff(path: &Path, rgb: [u8; 3]) {
    let samples: Vec<u8> = (0..64 * 64).flat_map(|_| rgb).collect();
    common::rasters::rgb_geotiff(path, 64, (130.58, 42.47), 0.002, None, &samples);
}

/// A red July capture and a blue October one over the same ground, in `dir`.
fn two_captures(dir: &Path) -> Project {
    solid_geotiff(&dir.join("july.tif"), JULY_RGB);
    solid_geotiff(&dir.join("october.tif"), OCTOBER_RGB);
    let mut project = common::july_and_october();
    project.home = LonLatBox::try_from([130.63, 42.40, 130.66, 42.42]).unwrap();
    project
}

fn options(dir: &Path) -> ExportOptions {
    ExportOptions {
        size_px: [400, 240],
        imagery: Some(Arc::new(ProjectLayerSources::without_cache(
            dir.to_path_buf(),
        ))),
        ..ExportOptions::default()
    }
}

/// A list of one colour with a marker (light, tinted by the colour) at each of `markers`.
fn solid_list(rgb: [u8; 3], size: [f32; 2], markers: &[[f32; 2]]) -> DisplayList {
    let mut list = DisplayList::new(size);
    list.push(PaintOp::Imagery(ImageryOp {
        layer_id: format!("{rgb:?}"),
        dest_px: [0.0, 0.0, size[0], size[1]],
        opacity: 1.0,
        clip_px: None,
        offset_px: [0.0, 0.0],
        source: ImagerySource::Rgba {
            size_px: [1, 1],
            pixels: Arc::new(vec![rgb[0], rgb[1], rgb[2], 255]),
        },
    }));
    for &center_px in markers {
        list.push(PaintOp::FillCircle {
            center_px,
            radius_px: 6.0,
            color: marker_colour(rgb),
        });
    }
    list
}

fn marker_colour(rgb: [u8; 3]) -> Rgba {
    Rgba::rgb(255, 255, rgb[2])
}

fn imagery_clips(list: &DisplayList) -> Vec<Option<RectPx>> {
    list.ops
        .iter()
        .filter_map(|op| match op {
            PaintOp::Imagery(i) => Some(i.clip_px),
            _ => None,
        })
        .collect()
}

fn pixel(pixmap: &tiny_skia::Pixmap, x: u32, y: u32) -> [u8; 3] {
    let p = pixmap.pixel(x, y).unwrap();
    [p.red(), p.green(), p.blue()]
}

#[test]
fn a_swipe_cuts_each_dates_list_at_the_divider() {
    let size = [300.0, 200.0];
    // Each list has a marker on its own side and one on the other side.
    let a = solid_list(JULY_RGB, size, &[[40.0, 150.0], [200.0, 150.0]]);
    let b = solid_list(OCTOBER_RGB, size, &[[250.0, 150.0], [80.0, 170.0]]);
    let text = EpaintText::bundled();
    let tags = SideTags {
        a: "A · 5 JUL 2025",
        b: "B · 14 OCT 2025",
        top_px: 12.0,
    };
    let list = swipe(&a, &b, 120.0, &text, tags, Scale(1.0));
    assert_eq!(
        imagery_clips(&list),
        [
            Some([0.0, 0.0, 120.0, 200.0]),
            Some([120.0, 0.0, 300.0, 200.0])
        ],
        "A's imagery left of the divider, B's right of it"
    );
    let mut pixmap = tiny_skia::Pixmap::new(300, 200).unwrap();
    skia::paint(&mut pixmap, &list, &text);
    for y in [60, 120, 190] {
        for x in [5, 60, 110] {
            assert!(close(pixel(&pixmap, x, y), JULY_RGB), "A at ({x}, {y})");
        }
        for x in [130, 200, 295] {
            assert!(close(pixel(&pixmap, x, y), OCTOBER_RGB), "B at ({x}, {y})");
        }
    }
    // Each side's vector ops are cut too: a marker shows on its own side only.
    let marker = |rgb: [u8; 3]| {
        let m = marker_colour(rgb).0;
        [m[0], m[1], m[2]]
    };
    assert!(
        close(pixel(&pixmap, 40, 150), marker(JULY_RGB)),
        "A's marker left"
    );
    assert!(
        close(pixel(&pixmap, 250, 150), marker(OCTOBER_RGB)),
        "B's marker right"
    );
    assert!(
        close(pixel(&pixmap, 200, 150), OCTOBER_RGB),
        "A's marker cut on B's side"
    );
    assert!(
        close(pixel(&pixmap, 80, 170), JULY_RGB),
        "B's marker cut on A's side"
    );
    // The divider is drawn over both, in white.
    let line = pixel(&pixmap, 120, 60);
    assert!(
        line.iter().all(|&c| c > 200),
        "divider at x = 120: {line:?}"
    );
    // Both tags are placed, A's left of the divider and B's right of it.
    let tag = |name: &str| {
        list.boxes
            .iter()
            .find(|b| b.kind == BoxKind::Furniture(if name == "a" { "swipe-a" } else { "swipe-b" }))
            .map(|b| b.rect_px)
            .unwrap()
    };
    assert!(tag("a")[2] < 120.0 && tag("b")[0] > 120.0);
}

/// A label box with its text at `rect`, as the lowering writes one.
fn add_label(list: &mut DisplayList, id: &str, rect: RectPx, text: &EpaintText) {
    use sitewatch::render::display_list::{FontSpec, TaggedBox};
    use sitewatch::render::text::TextMeasure as _;
    list.push(PaintOp::FillRect {
        rect_px: rect,
        radius_px: 2.0,
        color: Rgba::rgb(0, 0, 0),
    });
    list.push(PaintOp::Text(text.run(
        id,
        FontSpec::bold(12.0),
        Rgba::rgb(255, 255, 255),
        [rect[0] + 4.0, rect[1] + 2.0],
    )));
    list.boxes.push(TaggedBox {
        kind: BoxKind::Label(id.to_owned()),
        rect_px: rect,
    });
}

#[test]
fn a_label_crossing_the_divider_stays_whole_on_its_centres_side() {
    let size = [300.0, 200.0];
    let text = EpaintText::bundled();
    let mut a = solid_list(JULY_RGB, size, &[]);
    let mut b = solid_list(OCTOBER_RGB, size, &[]);
    // Both dates label the bridge across the divider at 120, its centre left of it (at 110).
    for list in [&mut a, &mut b] {
        add_label(list, "bridge", [60.0, 90.0, 160.0, 110.0], &text);
    }
    let tags = SideTags {
        a: "",
        b: "",
        top_px: 12.0,
    };
    let list = swipe(&a, &b, 120.0, &text, tags, Scale(1.0));
    let uncut = list
        .ops
        .iter()
        .position(|op| matches!(op, PaintOp::Clip(None)))
        .unwrap();
    let boxes: Vec<usize> = list
        .ops
        .iter()
        .enumerate()
        .filter(|(_, op)| matches!(op, PaintOp::FillRect { rect_px, .. } if rect_px[0] == 60.0))
        .map(|(i, _)| i)
        .collect();
    assert_eq!(
        boxes.len(),
        1,
        "drawn once, from A (its centre is A's side)"
    );
    assert!(
        boxes[0] > uncut,
        "over both sides, not sliced at the divider"
    );
    assert_eq!(list.labels().count(), 1);
    let mut pixmap = tiny_skia::Pixmap::new(300, 200).unwrap();
    skia::paint(&mut pixmap, &list, &text);
    assert!(
        pixel(&pixmap, 150, 92).iter().all(|&c| c < 20),
        "the box continues right of the divider"
    );
}

#[test]
fn a_blend_fades_b_over_a_under_the_nearer_dates_annotations() {
    let size = [100.0, 80.0];
    let a = solid_list(JULY_RGB, size, &[[50.0, 20.0]]);
    let b = solid_list(OCTOBER_RGB, size, &[[50.0, 20.0]]);
    let list = blend(&a, &b, 0.25);
    let opacities: Vec<f32> = list
        .ops
        .iter()
        .filter_map(|op| match op {
            PaintOp::Imagery(i) => Some(i.opacity),
            _ => None,
        })
        .collect();
    assert_eq!(opacities, [1.0, 0.25], "A whole, B at a quarter");
    let marker = list.ops.iter().find_map(|op| match op {
        PaintOp::FillCircle { color, .. } => Some(*color),
        _ => None,
    });
    assert_eq!(
        marker,
        Some(marker_colour(JULY_RGB)),
        "at 0.25 the annotations are A's"
    );
    let text = EpaintText::bundled();
    let mut pixmap = tiny_skia::Pixmap::new(100, 80).unwrap();
    skia::paint(&mut pixmap, &list, &text);
    let mixed = pixel(&pixmap, 50, 60);
    let expected: Vec<f32> = JULY_RGB
        .iter()
        .zip(OCTOBER_RGB)
        .map(|(&a, b)| f32::from(a) * 0.75 + f32::from(b) * 0.25)
        .collect();
    for (got, want) in mixed.iter().zip(expected) {
        assert!((f32::from(*got) - want).abs() <= 3.0, "{mixed:?}");
    }
}

#[test]
fn the_swipe_figure_shows_july_left_and_october_right() {
    let dir = tempfile::tempdir().unwrap();
    let project = two_captures(dir.path());
    let options = options(dir.path());
    let dates = [common::day(2025, 7, 5), common::day(2025, 10, 14)];
    let figure = render_swipe(&project, dates, 0.5, &options, &|_, _| true).unwrap();
    assert_eq!(
        imagery_clips(&figure.list),
        [
            Some([0.0, 0.0, 200.0, 240.0]),
            Some([200.0, 0.0, 400.0, 240.0])
        ]
    );
    let image = figure.to_rgba_image().unwrap();
    for y in [90, 120, 150] {
        for x in [60, 100, 180] {
            let p = image.get_pixel(x, y).0;
            assert!(
                close([p[0], p[1], p[2]], JULY_RGB),
                "July at ({x}, {y}): {p:?}"
            );
        }
        for x in [220, 300, 340] {
            let p = image.get_pixel(x, y).0;
            assert!(
                close([p[0], p[1], p[2]], OCTOBER_RGB),
                "October at ({x}, {y}): {p:?}"
            );
        }
    }
    let compared = figure.compare.as_ref().unwrap();
    assert_eq!(compared.scene.date, dates[0]);
    assert_eq!(figure.scene.date, dates[1]);
    let ids = |layers: &[sitewatch::scene::SceneLayer]| -> Vec<String> {
        layers.iter().map(|l| l.id.clone()).collect()
    };
    assert_eq!(ids(&compared.scene.layers), ["july"]);
    assert_eq!(
        ids(&figure.scene.layers).last().map(String::as_str),
        Some("october")
    );

    // Written with its world file and a sidecar naming both dates.
    let out = dir.path().join("swipe.png");
    let written = export_swipe_png(&project, dates, 0.5, &options, &out, &|_, _| true).unwrap();
    assert!(
        written.side.world_file.exists(),
        "a swipe keeps its world file"
    );
    let sidecar: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&written.side.sidecar).unwrap()).unwrap();
    assert_eq!(sidecar["date"], "2025-10-14");
    assert_eq!(sidecar["compare"]["mode"], "swipe");
    assert_eq!(sidecar["compare"]["left"]["date"], "2025-07-05");
    assert_eq!(sidecar["compare"]["divider_px"], 200.0);
}

#[test]
fn sitewatch_export_swipe_writes_the_figure_and_refuses_bad_arguments() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("swipe.png");
    let out = out.to_str().unwrap();
    let ok = common::cli::sitewatch(&[
        "export",
        "default",
        "--swipe",
        "2025-07-05,2025-10-14",
        "--divider",
        "0.3",
        "--size",
        "600x400",
        "--out",
        out,
    ]);
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let sidecar: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("swipe.json")).unwrap())
            .unwrap();
    assert_eq!(sidecar["compare"]["left"]["date"], "2025-07-05");
    assert_eq!(sidecar["compare"]["divider_px"], 180.0);
    // How the dates were made comparable is part of the record.
    assert_eq!(sidecar["compare"]["stretch"], "shared");
    assert_eq!(
        sidecar["compare"]["picked_layers"]["a"],
        serde_json::Value::Null
    );

    common::cli::refused(
        &["export", "default", "--swipe", "2025-07-05", "--out", out],
        "two dates",
    );
    common::cli::refused(
        &[
            "export",
            "default",
            "--swipe",
            "2025-07-05,soon",
            "--out",
            out,
        ],
        "second date",
    );
    let divider = [
        "export",
        "default",
        "--swipe",
        "2025-07,2025-10",
        "--out",
        out,
    ];
    common::cli::refused(
        &[&divider[..], &["--divider", "1.5"]].concat(),
        "between 0 and 1",
    );
    common::cli::refused(
        &["export", "default", "--swipe", "2025-07,2025-10"],
        "--out",
    );
}

mod window {
    use super::*;

    fn apply(h: &mut egui_kittest::Harness<'static, sitewatch::app::SitewatchApp>, c: Command) {
        let ctx = h.ctx.clone();
        h.state_mut().apply(&ctx, c);
        h.run_steps(2);
    }

    fn furniture(
        h: &egui_kittest::Harness<'static, sitewatch::app::SitewatchApp>,
        name: &'static str,
    ) -> Option<RectPx> {
        h.state()
            .display_list()
            .boxes
            .iter()
            .find(|b| b.kind == BoxKind::Furniture(name))
            .map(|b| b.rect_px)
    }

    #[test]
    fn s_swipes_the_stage_before_against_the_slider_and_the_divider_drags() {
        let mut h = common::window::ready_app();
        h.key_press(egui::Key::S);
        h.run_steps(3);
        assert_eq!(h.state().compare().mode, CompareMode::Swipe);
        let a = h.state().compare_date_a();
        assert!(a < h.state().date(), "A is the stage before B: {a}");
        let list = h.state().display_list().clone();
        assert!(
            list.ops
                .iter()
                .any(|op| matches!(op, PaintOp::Clip(Some(_)))),
            "each date's list is cut to its side"
        );
        let tag_a = furniture(&h, "swipe-a").expect("A's tag");
        let tag_b = furniture(&h, "swipe-b").expect("B's tag");
        let divider = h.state().compare().divider * list.size_px[0];
        assert!(tag_a[2] < divider && tag_b[0] > divider);

        // Drag the divider 150 points left.
        let place = h.state().display_placement();
        let x = place.at([divider.round(), 0.0]).x;
        let y = place.at([0.0, list.size_px[1] * 0.6]).y;
        common::drag(&mut h, egui::pos2(x, y), egui::pos2(x - 150.0, y));
        let moved = h.state().compare().divider * list.size_px[0];
        assert!(
            (divider - moved - 150.0).abs() < 3.0,
            "the divider follows the drag: {divider} → {moved}"
        );
        assert!(!h.state().is_dirty(), "comparing changes no project data");

        h.key_press(egui::Key::S);
        h.run_steps(2);
        assert_eq!(h.state().compare().mode, CompareMode::Off);
        assert!(
            !h.state()
                .display_list()
                .ops
                .iter()
                .any(|op| matches!(op, PaintOp::Clip(_))),
            "off again: one date"
        );
    }

    #[test]
    fn pin_a_keeps_a_while_the_slider_moves_b() {
        let mut h = common::window::ready_app();
        apply(
            &mut h,
            Command::Compare(CompareCommand::SetMode(CompareMode::Swipe)),
        );
        let pinned = h.state().date();
        h.get_by_label(PIN_A_LABEL).click_accesskit();
        h.run_steps(2);
        assert_eq!(h.state().compare().pinned_a, Some(pinned));
        apply(
            &mut h,
            Command::Time(TimeCommand::SetDate(common::day(2026, 6, 1))),
        );
        assert_eq!(
            h.state().compare_date_a(),
            pinned,
            "A stays where it was pinned"
        );
        h.get_by_label(UNPIN_A_LABEL).click_accesskit();
        h.run_steps(2);
        assert!(h.state().compare_date_a() < common::day(2026, 6, 1));
        assert_ne!(
            h.state().compare_date_a(),
            pinned,
            "A follows the slider again"
        );
    }

    fn size_of(list: &DisplayList) -> [f32; 2] {
        list.size_px
    }

    /// Each label in pane `i` as (id, box relative to its pane's left edge).
    fn pane_labels(list: &DisplayList, panes: &[RectPx]) -> Vec<Vec<(String, RectPx)>> {
        panes
            .iter()
            .map(|p| {
                let mut found: Vec<(String, RectPx)> = list
                    .labels()
                    .filter(|(_, r)| r[0] >= p[0] && r[2] <= p[2])
                    .map(|(id, r)| (id.to_owned(), [r[0] - p[0], r[1], r[2] - p[0], r[3]]))
                    .collect();
                found.sort_by(|a, b| a.0.cmp(&b.0));
                found
            })
            .collect()
    }

    #[test]
    fn side_by_side_panes_show_one_view_and_pan_together() {
        let mut h = common::window::ready_app();
        apply(
            &mut h,
            Command::Compare(CompareCommand::PinA(Some(common::day(2025, 7, 5)))),
        );
        apply(
            &mut h,
            Command::Compare(CompareCommand::SetMode(CompareMode::SideBySide)),
        );
        let check = |h: &egui_kittest::Harness<'static, sitewatch::app::SitewatchApp>| {
            let list = h.state().display_list().clone();
            let panes: Vec<RectPx> = list
                .ops
                .iter()
                .filter_map(|op| match op {
                    PaintOp::Clip(Some(r)) => Some(*r),
                    _ => None,
                })
                .fold(Vec::new(), |mut v, r| {
                    if !v.contains(&r) {
                        v.push(r);
                    }
                    v
                });
            assert_eq!(panes.len(), 2, "two panes: {panes:?}");
            assert!(
                (panes[0][2] - panes[0][0] - (panes[1][2] - panes[1][0])).abs() < 1.0,
                "of one width"
            );
            let tags: Vec<RectPx> = list
                .boxes
                .iter()
                .filter(|b| b.kind == BoxKind::Furniture("pane-date"))
                .map(|b| b.rect_px)
                .collect();
            assert_eq!(tags.len(), 2);
            assert!(tags[0][2] <= panes[0][2] && tags[1][0] >= panes[1][0]);
            // A structure standing at both dates sits at the same place in each pane.
            let labels = pane_labels(&list, &panes);
            let both: Vec<_> = labels[0]
                .iter()
                .filter_map(|(id, a)| {
                    let (_, b) = labels[1].iter().find(|(other, _)| other == id)?;
                    Some((id.clone(), *a, *b))
                })
                .collect();
            assert!(!both.is_empty(), "some structure is labelled at both dates");
            // Labels are placed per pane (another date's neighbours may push one to another
            // slot), so most, not all, sit at the same place.
            let same = both
                .iter()
                .filter(|(_, a, b)| (a[0] - b[0]).abs() < 1.0 && (a[1] - b[1]).abs() < 1.0)
                .count();
            assert!(2 * same >= both.len(), "{both:?}");
            // The tile imagery of each pane is shifted to put the map's centre at its centre.
            let centre_x = size_of(&list)[0] / 2.0;
            for pane in &panes {
                let shift = f32::midpoint(pane[0], pane[2]) - centre_x;
                let shifted = list.ops.iter().any(|op| match op {
                    PaintOp::Imagery(i) => {
                        i.dest_px[0] == pane[0] && (i.offset_px[0] - shift).abs() < 1.0
                    }
                    _ => false,
                });
                assert!(shifted, "pane {pane:?} draws its tiles shifted by {shift}");
            }
            both
        };
        let before = check(&h);
        // Pan by dragging inside the left pane: both panes follow.
        let place = h.state().display_placement();
        let size = h.state().display_list().size_px;
        let from = egui::pos2(
            place.origin.x + size[0] * 0.2,
            place.origin.y + size[1] * 0.7,
        );
        common::drag(&mut h, from, from + egui::vec2(60.0, -40.0));
        let after = check(&h);
        let moved = |(_, a, _): &(String, RectPx, RectPx)| a[0];
        assert!(
            before.iter().map(moved).sum::<f32>() != after.iter().map(moved).sum::<f32>(),
            "the view moved"
        );
        assert!(!h.state().is_dirty(), "a pan in side by side edits nothing");
    }

    #[test]
    fn a_blink_alternates_the_dates_at_its_rate() {
        let mut h = common::window::ready_app();
        let labels = |h: &egui_kittest::Harness<'static, sitewatch::app::SitewatchApp>| {
            let list = h.state().display_list();
            let mut ids: Vec<String> = list.labels().map(|(id, _)| id.to_owned()).collect();
            ids.sort();
            ids
        };
        let b_labels = labels(&h);
        // A before most of the works: fewer structures labelled than at B.
        apply(
            &mut h,
            Command::Compare(CompareCommand::PinA(Some(common::day(2025, 2, 27)))),
        );
        apply(
            &mut h,
            Command::Compare(CompareCommand::SetMode(CompareMode::Blink)),
        );
        // Kittest steps a quarter second a frame: at 1 switch a second, four frames a date.
        let mut seen = Vec::new();
        for _ in 0..16 {
            h.step();
            seen.push(labels(&h) != b_labels);
        }
        let switches = seen.windows(2).filter(|w| w[0] != w[1]).count();
        assert!(
            (3..=4).contains(&switches),
            "four seconds at one switch a second: {seen:?}"
        );
        assert_eq!(
            seen.iter().filter(|a| **a).count(),
            8,
            "each date shows half the time: {seen:?}"
        );
    }
}
