//! Layout tests: every box inside the image, none overlapping, the corners as FIGURES.md says.
#![allow(clippy::float_cmp)] // exact values are what these tests pin

use super::*;
use crate::model::Marker;
use crate::scene::{Caption, LegendEntry};
use chrono::NaiveDate;

/// A fake font: every character 0.5 em wide, lines 1.25 em high.
fn measure(text: &str, style: TextStyle) -> [f32; 2] {
    [
        text.chars().count() as f32 * style.size_px * 0.5,
        style.size_px * 1.25,
    ]
}

fn scene() -> Scene {
    Scene {
        title: "Site".into(),
        layers: Vec::new(),
        date: NaiveDate::from_ymd_opt(2025, 10, 14).unwrap(),
        date_label: "14 OCT 2025".into(),
        caption: Some(Caption {
            stage_date: "14 OCT 2025".into(),
            title: "Both sides build".into(),
            summary: "Imagery: piers in the river. ".repeat(12),
            sources: Vec::new(),
        }),
        items: Vec::new(),
        labels: Vec::new(),
        legend: vec![LegendEntry {
            name: "Bridge".into(),
            color: Rgba::rgb(240, 228, 66),
            fill: None,
            marker: Marker::Diamond,
            has_points: false,
            has_lines: true,
        }],
        certainties: vec![Certainty::Confirmed, Certainty::Possible],
        credits: vec![
            "Natural Earth".into(),
            "© OpenStreetMap contributors".into(),
        ],
        notices: vec![SYNTHETIC_NOTICE.into()],
    }
}

fn input(scene: &Scene, size_px: [u32; 2]) -> LayoutInput<'_> {
    LayoutInput {
        scene,
        size_px,
        meters_per_px: 1.76,
        title: Some("Tumen River road crossing"),
        north_arrow: true,
    }
}

fn inside(r: RectPx, size: [u32; 2]) -> bool {
    r[0] >= 0.0 && r[1] >= 0.0 && r[2] <= size[0] as f32 && r[3] <= size[1] as f32
}

fn overlap(a: RectPx, b: RectPx) -> bool {
    a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3]
}

#[test]
fn every_box_is_inside_the_image_and_none_overlap() {
    for size in [[1920, 1080], [1200, 630], [1080, 1350], [3840, 2160]] {
        let scene = scene();
        let l = layout(&input(&scene, size), &measure);
        let rects = l.occupied_px();
        assert_eq!(rects.len(), 7, "{size:?}");
        for (i, a) in rects.iter().enumerate() {
            assert!(inside(*a, size), "{size:?} {a:?}");
            for b in rects.iter().skip(i + 1) {
                assert!(!overlap(*a, *b), "{size:?} {a:?} {b:?}");
            }
        }
    }
}

#[test]
fn the_corners_hold_what_figures_md_puts_there() {
    let scene = scene();
    let l = layout(&input(&scene, [1920, 1080]), &measure);
    assert_eq!(l.header.rect_px[..2], [24.0, 24.0]);
    assert_eq!(l.header.lines[0].text, "Tumen River road crossing");
    assert_eq!(l.header.lines[1].text, "14 OCT 2025");
    let arrow = l.north_arrow_px.unwrap();
    assert_eq!((arrow[1], arrow[2]), (24.0, 1896.0));
    let credit = l.credit.as_ref().unwrap();
    assert_eq!((credit.rect_px[2], credit.rect_px[3]), (1896.0, 1056.0));
    assert_eq!(
        credit.lines[0].text,
        "Natural Earth | © OpenStreetMap contributors"
    );
    let synthetic = l.synthetic.as_ref().unwrap();
    assert!(synthetic.rect_px[3] < credit.rect_px[1]);
    assert!(synthetic.lines[0].style.size_px >= credit.lines[0].style.size_px);
    // Bottom-left, top down: legend, scale bar, caption.
    let legend = l.legend.as_ref().unwrap();
    let bar = l.scale_bar.as_ref().unwrap();
    let caption = l.caption.as_ref().unwrap();
    assert!(legend.rect_px[3] <= bar.rect_px[1] && bar.rect_px[3] <= caption.rect_px[1]);
    assert_eq!(caption.rect_px[3], 1056.0);
    // One category and the key for two certainties.
    assert_eq!(legend.rows.len(), 3);
    assert_eq!(
        legend.rows[2].swatch,
        Swatch::Certainty(Certainty::Possible)
    );
}

#[test]
fn lengths_scale_with_the_width() {
    let scene = scene();
    let small = layout(&input(&scene, [960, 540]), &measure);
    let big = layout(&input(&scene, [3840, 2160]), &measure);
    assert_eq!(big.header.rect_px[0], 4.0 * small.header.rect_px[0]);
    let date_px = |l: &Layout| l.header.lines[1].style.size_px;
    assert_eq!(date_px(&big), 4.0 * date_px(&small));
}

#[test]
fn the_scale_bar_is_a_round_length_near_15_percent_of_the_width() {
    // 15 % of 1920 px at 3.2 m/px is 922 m: 1 km (312 px) is nearer than 500 m (156 px).
    let bar = figure_scale_bar(3.2, 1920.0).unwrap();
    assert_eq!((bar.length_m, bar.label()), (1000.0, "1 km".to_owned()));
    // At 1.76 m/px, 507 m: 500 m it is.
    assert_eq!(figure_scale_bar(1.76, 1920.0).unwrap().length_m, 500.0);
    // 2 → 5 and 5 → 10 steps: 288 px at 1.3 m/px is 374 m, nearer 500 than 200.
    assert_eq!(figure_scale_bar(1.3, 1920.0).unwrap().length_m, 500.0);
    assert_eq!(figure_scale_bar(0.9, 1920.0).unwrap().length_m, 200.0);
    let scene = scene();
    let l = layout(&input(&scene, [1920, 1080]), &measure);
    let bar = l.scale_bar.unwrap();
    assert_eq!(bar.bar.length_m, 500.0);
    assert_eq!(bar.label.text, "500 m");
    let drawn = bar.bar_px[2] - bar.bar_px[0];
    assert!((f64::from(drawn) - 500.0 / 1.76).abs() <= 0.5);
}

#[test]
fn one_certainty_needs_no_key_and_no_caption_means_no_caption_box() {
    let mut scene = scene();
    scene.certainties = vec![Certainty::Probable];
    scene.caption = None;
    scene.notices.clear();
    let l = layout(&input(&scene, [1920, 1080]), &measure);
    assert_eq!(l.legend.unwrap().rows.len(), 1);
    assert!(l.caption.is_none() && l.synthetic.is_none());
    assert_eq!(l.scale_bar.unwrap().rect_px[3], 1056.0);
}

#[test]
fn a_long_summary_is_cut_with_an_ellipsis() {
    let scene = scene();
    let l = layout(&input(&scene, [1920, 1080]), &measure);
    let caption = l.caption.unwrap();
    assert_eq!(caption.lines.len(), 1 + CAPTION_LINES);
    assert!(caption.lines.last().unwrap().text.ends_with(" …"));
}

#[test]
fn a_short_wide_image_drops_what_does_not_fit_but_keeps_the_scale_bar() {
    let scene = scene();
    let l = layout(&input(&scene, [1920, 300]), &measure);
    assert!(l.scale_bar.is_some());
    for r in l.occupied_px() {
        assert!(inside(r, [1920, 300]), "{r:?}");
    }
}

#[test]
fn text_wraps_at_spaces_within_the_width() {
    let style = TextStyle::regular(20.0);
    let lines = wrap("one two three four five six seven", style, 90.0, &measure);
    assert_eq!(lines, ["one two", "three", "four five", "six seven"]);
    assert!(wrap("", style, 90.0, &measure).is_empty());
}
