//! A figure's furniture as paint operations: the boxes of a [`Layout`] (header, notices, north
//! arrow, legend, scale bar, caption, credit and the synthetic notice), the lat/lon grid and the
//! timelapse progress bar.

use geo::Coord;

use super::items::{ToPx, lower_marker};
use super::style::{
    BLACK, CASING, GRID_COLOR, LABEL_BOX, NOTICE_COLOR, PROGRESS_TRACK, Scale, WHITE,
};
use crate::model::Rgba;
use crate::render::display_list::{BoxKind, DisplayList, FontSpec, PaintOp, RectPx, TaggedBox};
use crate::render::layout::panels::PanelsLayout;
use crate::render::layout::{
    Layout, Legend, SCALE_BAR_CASING_PX, ScaleBarBox, Swatch, TextBox, TextLine, WindowFurniture,
};
use crate::render::text::TextMeasure;
use crate::scene::Scene;
use crate::spatial::coords::format_dms;

/// Corner radius of the figure's boxes.
const BOX_RADIUS_PX: f32 = 3.0;
/// Line width of legend swatches.
const SWATCH_LINE_PX: f32 = 4.0;
/// The "N" of the north arrow.
const NORTH_PX: f32 = 22.0;
/// The synthetic notice's underline.
const NOTICE_RULE_PX: f32 = 3.0;
/// Grid lines and their labels.
const GRID_LINE_PX: f32 = 1.5;
const GRID_TEXT_PX: f32 = 16.0;
const GRID_PAD_PX: f32 = 4.0;
const GRID_INSET_PX: f32 = 2.0;
/// The timelapse progress bar's height.
const PROGRESS_PX: f32 = 6.0;

fn rect_ring(r: RectPx) -> Vec<[f32; 2]> {
    vec![[r[0], r[1]], [r[2], r[1]], [r[2], r[3]], [r[0], r[3]]]
}

fn fill_rect(list: &mut DisplayList, rect_px: RectPx, radius_px: f32, color: Rgba) {
    list.push(PaintOp::FillRect {
        rect_px,
        radius_px,
        color,
    });
}

fn stroke(list: &mut DisplayList, points: Vec<[f32; 2]>, closed: bool, width_px: f32, color: Rgba) {
    list.push(PaintOp::Stroke {
        points,
        closed,
        width_px,
        color,
        dash_px: None,
    });
}

fn lines(list: &mut DisplayList, measure: &dyn TextMeasure, lines: &[TextLine]) {
    for l in lines {
        list.push(PaintOp::Text(
            measure.run(&l.text, l.style, l.color, l.min_px),
        ));
    }
}

fn text_box(
    list: &mut DisplayList,
    measure: &dyn TextMeasure,
    b: &TextBox,
    s: Scale,
    tag: &'static str,
) {
    fill_rect(list, b.rect_px, s.px(BOX_RADIUS_PX), LABEL_BOX);
    lines(list, measure, &b.lines);
    tag_box(list, tag, b.rect_px);
}

fn tag_box(list: &mut DisplayList, tag: &'static str, rect_px: RectPx) {
    list.boxes.push(TaggedBox {
        kind: BoxKind::Furniture(tag),
        rect_px,
    });
}

/// Every box of the layout.
pub fn lower_layout(
    list: &mut DisplayList,
    measure: &dyn TextMeasure,
    layout: &Layout,
    scene: &Scene,
) {
    let s = Scale(layout.px_scale);
    text_box(list, measure, &layout.header, s, "header");
    for notice in &layout.notices {
        text_box(list, measure, notice, s, "notice");
    }
    if let Some(rect) = layout.north_arrow_px {
        north_arrow(list, measure, rect, s);
    }
    if let Some(legend) = &layout.legend {
        lower_legend(list, measure, legend, scene, s);
    }
    if let Some(bar) = &layout.scale_bar {
        scale_bar(list, measure, bar, s);
    }
    if let Some(b) = &layout.caption {
        text_box(list, measure, b, s, "caption");
    }
    if let Some(b) = &layout.credit {
        text_box(list, measure, b, s, "credit");
    }
    if let Some(synthetic) = &layout.synthetic {
        synthetic_box(list, measure, synthetic, s);
    }
}

fn lower_legend(
    list: &mut DisplayList,
    measure: &dyn TextMeasure,
    legend: &Legend,
    scene: &Scene,
    s: Scale,
) {
    fill_rect(list, legend.rect_px, s.px(BOX_RADIUS_PX), LABEL_BOX);
    for row in &legend.rows {
        swatch(list, row.swatch, row.swatch_px, scene, s);
        lines(list, measure, std::slice::from_ref(&row.text));
    }
    tag_box(list, "legend", legend.rect_px);
}

/// A panels figure's furniture: each panel's stamp, credit and synthetic notice, and the one
/// legend (of `legend_scene`), scale bar and north arrow.
pub fn lower_panels_furniture(
    list: &mut DisplayList,
    measure: &dyn TextMeasure,
    layout: &PanelsLayout,
    legend_scene: &Scene,
) {
    let s = Scale(layout.px_scale);
    for panel in &layout.panels {
        text_box(list, measure, &panel.stamp, s, "header");
        if let Some(b) = &panel.credit {
            text_box(list, measure, b, s, "credit");
        }
        if let Some(b) = &panel.synthetic {
            synthetic_box(list, measure, b, s);
        }
    }
    if let Some(legend) = &layout.legend {
        lower_legend(list, measure, legend, legend_scene, s);
    }
    if let Some(bar) = &layout.scale_bar {
        scale_bar(list, measure, bar, s);
    }
    if let Some(rect) = layout.north_arrow_px {
        north_arrow(list, measure, rect, s);
    }
}

/// The window's furniture (figure frame off): notices, credit, synthetic notice, scale bar.
pub fn lower_window_furniture(
    list: &mut DisplayList,
    measure: &dyn TextMeasure,
    furniture: &WindowFurniture,
) {
    let s = Scale(furniture.px_scale);
    for notice in &furniture.notices {
        text_box(list, measure, notice, s, "notice");
    }
    if let Some(bar) = &furniture.scale_bar {
        scale_bar(list, measure, bar, s);
    }
    if let Some(b) = &furniture.credit {
        text_box(list, measure, b, s, "credit");
    }
    if let Some(synthetic) = &furniture.synthetic {
        synthetic_box(list, measure, synthetic, s);
    }
}

fn synthetic_box(list: &mut DisplayList, measure: &dyn TextMeasure, b: &TextBox, s: Scale) {
    text_box(list, measure, b, s, "synthetic");
    // A yellow rule under the words makes the notice read as a warning, not a credit.
    let [x0, _, x1, y1] = b.rect_px;
    fill_rect(
        list,
        [x0, y1 - s.px(NOTICE_RULE_PX), x1, y1],
        0.0,
        NOTICE_COLOR,
    );
}

fn mid_line(rect: RectPx) -> Vec<[f32; 2]> {
    let y = f32::midpoint(rect[1], rect[3]);
    vec![[rect[0], y], [rect[2], y]]
}

fn swatch(list: &mut DisplayList, swatch: Swatch, rect: RectPx, scene: &Scene, s: Scale) {
    let width = s.line(SWATCH_LINE_PX);
    let casing = width + s.soft(3.0);
    match swatch {
        Swatch::Category(i) => {
            let Some(entry) = scene.legend.get(i) else {
                return;
            };
            if let Some(fill) = entry.fill {
                let inset = [
                    rect[0] + s.px(2.0),
                    rect[1] + s.px(2.0),
                    rect[2] - s.px(2.0),
                    rect[3] - s.px(2.0),
                ];
                fill_rect(list, inset, 0.0, fill);
                stroke(list, rect_ring(inset), true, casing, CASING);
                stroke(list, rect_ring(inset), true, width, entry.color);
            } else if entry.has_lines {
                stroke(list, mid_line(rect), false, casing, CASING);
                stroke(list, mid_line(rect), false, width, entry.color);
            }
            if entry.has_points {
                let at = [
                    f32::midpoint(rect[0], rect[2]),
                    f32::midpoint(rect[1], rect[3]),
                ];
                lower_marker(list, at, entry.marker, entry.color, None, Scale(s.0 * 0.9));
            }
        }
        Swatch::Certainty(certainty) => {
            stroke(list, mid_line(rect), false, casing, CASING);
            list.push(PaintOp::Stroke {
                points: mid_line(rect),
                closed: false,
                width_px: width,
                color: WHITE,
                dash_px: certainty.dash_px().map(|d| s.dash(d)),
            });
        }
    }
}

/// Two black/white segments with a white casing and a thin black outline, the length above.
fn scale_bar(list: &mut DisplayList, measure: &dyn TextMeasure, b: &ScaleBarBox, s: Scale) {
    fill_rect(list, b.rect_px, s.px(BOX_RADIUS_PX), LABEL_BOX);
    lines(list, measure, std::slice::from_ref(&b.label));
    let [x0, y0, x1, y1] = b.bar_px;
    let casing = s.px(SCALE_BAR_CASING_PX);
    fill_rect(
        list,
        [x0 - casing, y0 - casing, x1 + casing, y1 + casing],
        casing / 2.0,
        WHITE,
    );
    let mid = f32::midpoint(x0, x1);
    fill_rect(list, [x0, y0, mid, y1], 0.0, BLACK);
    fill_rect(list, [mid, y0, x1, y1], 0.0, WHITE);
    let outline = s.line(1.0);
    let h = outline / 2.0;
    stroke(
        list,
        rect_ring([x0 + h, y0 + h, x1 - h, y1 - h]),
        true,
        outline,
        BLACK,
    );
    tag_box(list, "scale-bar", b.rect_px);
}

/// "N" over an arrow whose west half is white and east half black.
fn north_arrow(list: &mut DisplayList, measure: &dyn TextMeasure, rect: RectPx, s: Scale) {
    fill_rect(list, rect, s.px(BOX_RADIUS_PX), LABEL_BOX);
    let [x0, y0, x1, y1] = rect;
    let cx = f32::midpoint(x0, x1);
    let font = FontSpec::bold(s.text(NORTH_PX));
    let [w, h] = measure.size("N", font);
    list.push(PaintOp::Text(measure.run(
        "N",
        font,
        WHITE,
        [cx - w / 2.0, y0 + s.px(2.0)],
    )));
    let tip = [cx, y0 + s.px(2.0) + h];
    let base_y = y1 - s.px(8.0);
    let half = (x1 - x0) * 0.3;
    let notch = [cx, base_y - (base_y - tip[1]) * 0.25];
    list.push(PaintOp::FillRings {
        rings: vec![vec![tip, [cx - half, base_y], notch]],
        color: WHITE,
    });
    list.push(PaintOp::FillRings {
        rings: vec![vec![tip, [cx + half, base_y], notch]],
        color: BLACK,
    });
    let outline = vec![tip, [cx + half, base_y], notch, [cx - half, base_y]];
    stroke(list, outline, true, s.line(1.5), WHITE);
    tag_box(list, "north-arrow", rect);
}

/// Grid intervals tried, largest first, in degrees: whole degrees, minutes, seconds.
const GRID_STEPS_DEG: [f64; 16] = [
    10.0,
    5.0,
    2.0,
    1.0,
    0.5,
    0.25,
    10.0 / 60.0,
    5.0 / 60.0,
    2.0 / 60.0,
    1.0 / 60.0,
    30.0 / 3600.0,
    15.0 / 3600.0,
    10.0 / 3600.0,
    5.0 / 3600.0,
    2.0 / 3600.0,
    1.0 / 3600.0,
];

/// The grid interval: the largest round step that puts at least three lines across the width.
#[must_use]
pub fn grid_step_deg(span_lon_deg: f64) -> f64 {
    GRID_STEPS_DEG
        .iter()
        .copied()
        .find(|step| span_lon_deg / step >= 3.0)
        .unwrap_or(1.0 / 3600.0)
}

/// Meridians and parallels at a round interval over a view of `bbox_lonlat`
/// (`[west, south, east, north]`). Each is labelled at one end (meridians at the top or bottom
/// edge, parallels at the left or right) where no figure box or other grid label would hide it.
pub fn lower_grid(
    list: &mut DisplayList,
    measure: &dyn TextMeasure,
    bbox_lonlat: [f64; 4],
    to_px: ToPx<'_>,
    s: Scale,
) {
    let [west, south, east, north] = bbox_lonlat;
    let step = grid_step_deg(east - west);
    let [w, h] = list.size_px;
    let line = s.line(GRID_LINE_PX);
    let font = FontSpec::regular(s.text(GRID_TEXT_PX));
    let pad = s.px(GRID_PAD_PX);
    let inset = s.px(GRID_INSET_PX);
    let first_line = |min: f64| (min / step).ceil() as i64;
    let last_line = |max: f64| (max / step).floor() as i64;
    let center = Coord {
        x: f64::midpoint(west, east),
        y: f64::midpoint(south, north),
    };
    // (text, candidate top-left corners)
    let mut labels: Vec<(String, Vec<[f32; 2]>)> = Vec::new();
    let th = measure.size("0", font)[1];
    for i in first_line(west)..=last_line(east) {
        let lon = i as f64 * step;
        let x = to_px(Coord {
            x: lon,
            y: center.y,
        })[0];
        stroke(list, vec![[x, 0.0], [x, h]], false, line, GRID_COLOR);
        labels.push((
            format_dms(lon, 'E', 'W'),
            vec![[x + inset, inset], [x + inset, h - inset - th]],
        ));
    }
    for i in first_line(south)..=last_line(north) {
        let parallel = i as f64 * step;
        let y = to_px(Coord {
            x: center.x,
            y: parallel,
        })[1];
        stroke(list, vec![[0.0, y], [w, y]], false, line, GRID_COLOR);
        let text = format_dms(parallel, 'N', 'S');
        let tw = measure.size(&text, font)[0] + 2.0 * pad;
        labels.push((text, vec![[inset, y + inset], [w - inset - tw, y + inset]]));
    }
    let mut taken: Vec<RectPx> = list.boxes.iter().map(|b| b.rect_px).collect();
    for (text, candidates) in labels {
        let tw = measure.size(&text, font)[0] + 2.0 * pad;
        let free = candidates
            .into_iter()
            .map(|[x, y]| [x, y, x + tw, y + th])
            .find(|r| {
                r[0] >= 0.0
                    && r[1] >= 0.0
                    && r[2] <= w
                    && r[3] <= h
                    && !taken
                        .iter()
                        .any(|t| r[0] < t[2] && t[0] < r[2] && r[1] < t[3] && t[1] < r[3])
            });
        if let Some(rect) = free {
            fill_rect(list, rect, 0.0, LABEL_BOX);
            list.push(PaintOp::Text(measure.run(
                &text,
                font,
                WHITE,
                [rect[0] + pad, rect[1]],
            )));
            taken.push(rect);
            tag_box(list, "grid-label", rect);
        }
    }
}

/// A thin bar along the bottom edge, filled to `fraction` (timelapse frames).
pub fn lower_progress(list: &mut DisplayList, fraction: f32, s: Scale) {
    let [w, h] = list.size_px;
    let bar = s.at_least(PROGRESS_PX, 3.0);
    fill_rect(list, [0.0, h - bar, w, h], 0.0, PROGRESS_TRACK);
    fill_rect(
        list,
        [0.0, h - bar, w * fraction.clamp(0.0, 1.0), h],
        0.0,
        NOTICE_COLOR,
    );
}

#[cfg(test)]
mod tests {
    #![allow(clippy::float_cmp)] // exact values are what these tests pin
    use super::*;

    #[test]
    fn grid_steps_are_round_and_give_at_least_three_lines() {
        assert_eq!(grid_step_deg(30.0), 10.0);
        assert_eq!(grid_step_deg(0.04), 30.0 / 3600.0);
        let step = grid_step_deg(0.05);
        assert!(0.05 / step >= 3.0 && 0.05 / step < 8.0, "{step}");
    }
}
