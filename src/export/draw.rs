//! Draws a figure's furniture (the boxes of [`Layout`]), the optional lat/lon grid and the
//! timelapse progress bar onto the image.

use geo::Coord;
use tiny_skia::Pixmap;

use super::layout::{Layout, NOTICE_COLOR, ScaleBarBox, Swatch, TextBox, TextLine};
use super::view::ExportView;
use crate::model::Rgba;
use crate::render::raster::{
    BLACK, CASING, LABEL_BOX, RectPx, WHITE, fill_rect, paint_marker, stroke_points,
};
use crate::render::raster_text::{Fonts, TextStyle};
use crate::scene::Scene;

/// Corner radius of the figure's boxes at 1920 px.
const BOX_RADIUS: f32 = 3.0;
/// Line width of legend swatches at 1920 px.
const SWATCH_LINE: f32 = 4.0;
/// Grid lines: white, faint.
const GRID_COLOR: Rgba = Rgba([255, 255, 255, 110]);

fn draw_lines(pixmap: &mut Pixmap, fonts: &Fonts, lines: &[TextLine]) {
    for line in lines {
        fonts.draw(pixmap, &line.text, line.min_px, line.style, line.color);
    }
}

fn draw_text_box(pixmap: &mut Pixmap, fonts: &Fonts, b: &TextBox, s: f32) {
    fill_rect(pixmap, b.rect_px, LABEL_BOX, BOX_RADIUS * s);
    draw_lines(pixmap, fonts, &b.lines);
}

/// Draws every box of the layout.
pub fn draw_layout(pixmap: &mut Pixmap, fonts: &Fonts, layout: &Layout, scene: &Scene) {
    let s = layout.px_scale;
    draw_text_box(pixmap, fonts, &layout.header, s);
    for notice in &layout.notices {
        draw_text_box(pixmap, fonts, notice, s);
    }
    if let Some(rect) = layout.north_arrow_px {
        draw_north_arrow(pixmap, fonts, rect, s);
    }
    if let Some(legend) = &layout.legend {
        fill_rect(pixmap, legend.rect_px, LABEL_BOX, BOX_RADIUS * s);
        for row in &legend.rows {
            draw_swatch(pixmap, row.swatch, row.swatch_px, scene, s);
            fonts.draw(
                pixmap,
                &row.text.text,
                row.text.min_px,
                row.text.style,
                row.text.color,
            );
        }
    }
    if let Some(bar) = &layout.scale_bar {
        draw_scale_bar(pixmap, fonts, bar, s);
    }
    for b in [&layout.caption, &layout.credit, &layout.synthetic]
        .into_iter()
        .flatten()
    {
        draw_text_box(pixmap, fonts, b, s);
    }
    if let Some(synthetic) = &layout.synthetic {
        // A yellow rule under the words makes the notice read as a warning, not a credit.
        let [x0, _, x1, y1] = synthetic.rect_px;
        fill_rect(pixmap, [x0, y1 - 3.0 * s, x1, y1], NOTICE_COLOR, 0.0);
    }
}

fn mid_line(rect: RectPx) -> [[f32; 2]; 2] {
    let y = f32::midpoint(rect[1], rect[3]);
    [[rect[0], y], [rect[2], y]]
}

fn draw_swatch(pixmap: &mut Pixmap, swatch: Swatch, rect: RectPx, scene: &Scene, s: f32) {
    let width = (SWATCH_LINE * s).max(1.0);
    let casing = width + 3.0 * s.max(0.5);
    match swatch {
        Swatch::Category(i) => {
            let Some(entry) = scene.legend.get(i) else {
                return;
            };
            if let Some(fill) = entry.fill {
                let inset = [
                    rect[0] + 2.0 * s,
                    rect[1] + 2.0 * s,
                    rect[2] - 2.0 * s,
                    rect[3] - 2.0 * s,
                ];
                fill_rect(pixmap, inset, fill, 0.0);
                let ring = [
                    [inset[0], inset[1]],
                    [inset[2], inset[1]],
                    [inset[2], inset[3]],
                    [inset[0], inset[3]],
                ];
                stroke_points(pixmap, &ring, true, casing, CASING, None);
                stroke_points(pixmap, &ring, true, width, entry.color, None);
            } else if entry.has_lines {
                let line = mid_line(rect);
                stroke_points(pixmap, &line, false, casing, CASING, None);
                stroke_points(pixmap, &line, false, width, entry.color, None);
            }
            if entry.has_points {
                let at = [
                    f32::midpoint(rect[0], rect[2]),
                    f32::midpoint(rect[1], rect[3]),
                ];
                paint_marker(pixmap, at, entry.marker, entry.color, None, s * 0.9);
            }
        }
        Swatch::Certainty(certainty) => {
            let line = mid_line(rect);
            let dash = certainty
                .dash_px()
                .map(|(d, g)| ((d * s).max(2.0), (g * s).max(2.0)));
            stroke_points(pixmap, &line, false, casing, CASING, None);
            stroke_points(pixmap, &line, false, width, WHITE, dash);
        }
    }
}

/// Two black/white segments with a white casing and a thin black outline, the length above.
fn draw_scale_bar(pixmap: &mut Pixmap, fonts: &Fonts, b: &ScaleBarBox, s: f32) {
    fill_rect(pixmap, b.rect_px, LABEL_BOX, BOX_RADIUS * s);
    fonts.draw(
        pixmap,
        &b.label.text,
        b.label.min_px,
        b.label.style,
        b.label.color,
    );
    let [x0, y0, x1, y1] = b.bar_px;
    let casing = super::layout::SCALE_BAR_CASING_PX * s;
    fill_rect(
        pixmap,
        [x0 - casing, y0 - casing, x1 + casing, y1 + casing],
        WHITE,
        casing / 2.0,
    );
    let mid = f32::midpoint(x0, x1);
    fill_rect(pixmap, [x0, y0, mid, y1], BLACK, 0.0);
    fill_rect(pixmap, [mid, y0, x1, y1], WHITE, 0.0);
    let outline = (1.0 * s).max(1.0);
    let h = outline / 2.0;
    let ring = [
        [x0 + h, y0 + h],
        [x1 - h, y0 + h],
        [x1 - h, y1 - h],
        [x0 + h, y1 - h],
    ];
    stroke_points(pixmap, &ring, true, outline, BLACK, None);
}

/// "N" over an arrow whose west half is white and east half black.
fn draw_north_arrow(pixmap: &mut Pixmap, fonts: &Fonts, rect: RectPx, s: f32) {
    fill_rect(pixmap, rect, LABEL_BOX, BOX_RADIUS * s);
    let [x0, y0, x1, y1] = rect;
    let cx = f32::midpoint(x0, x1);
    let style = TextStyle::bold((22.0 * s).max(9.0));
    let [w, h] = fonts.measure("N", style);
    fonts.draw(pixmap, "N", [cx - w / 2.0, y0 + 2.0 * s], style, WHITE);
    let tip = [cx, y0 + 2.0 * s + h];
    let base_y = y1 - 8.0 * s;
    let half = (x1 - x0) * 0.3;
    let notch = [cx, base_y - (base_y - tip[1]) * 0.25];
    let west = [tip, [cx - half, base_y], notch];
    let east = [tip, [cx + half, base_y], notch];
    crate::render::raster::fill_rings(pixmap, &[west.to_vec()], WHITE);
    crate::render::raster::fill_rings(pixmap, &[east.to_vec()], BLACK);
    let outline = [tip, [cx + half, base_y], notch, [cx - half, base_y]];
    stroke_points(pixmap, &outline, true, (1.5 * s).max(1.0), WHITE, None);
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
pub fn grid_step_deg(span_lon_deg: f64) -> f64 {
    GRID_STEPS_DEG
        .iter()
        .copied()
        .find(|step| span_lon_deg / step >= 3.0)
        .unwrap_or(1.0 / 3600.0)
}

/// A grid value in degrees, minutes and seconds: `42°25′N`, `130°38′30″E`.
pub fn format_dms(value_deg: f64, positive: char, negative: char) -> String {
    let hemisphere = if value_deg < 0.0 { negative } else { positive };
    let total_s = (value_deg.abs() * 3600.0).round() as u64;
    let (d, m, sec) = (total_s / 3600, total_s / 60 % 60, total_s % 60);
    match (m, sec) {
        (0, 0) => format!("{d}°{hemisphere}"),
        (_, 0) => format!("{d}°{m:02}′{hemisphere}"),
        _ => format!("{d}°{m:02}′{sec:02}″{hemisphere}"),
    }
}

/// Meridians and parallels at a round interval. Each is labelled at one end (meridians at the
/// top or bottom edge, parallels at the left or right) where no figure box (`keep_clear_px`)
/// or other grid label would hide it. Returns the label boxes drawn.
pub fn draw_grid(
    pixmap: &mut Pixmap,
    fonts: &Fonts,
    view: &ExportView,
    s: f32,
    keep_clear_px: &[RectPx],
) -> Vec<RectPx> {
    let [west, south, east, north] = view.bbox_lonlat();
    let step = grid_step_deg(east - west);
    let [w, h] = view.size_px().map(|v| v as f32);
    let line = (1.5 * s).max(1.0);
    let style = TextStyle::regular((16.0 * s).max(9.0));
    let pad = 4.0 * s;
    let inset = 2.0 * s;
    let first = |min: f64| (min / step).ceil() as i64;
    let last = |max: f64| (max / step).floor() as i64;
    let center = view.center_lonlat();
    // (text, candidate top-left corners given the label's size)
    let mut labels: Vec<(String, Vec<[f32; 2]>)> = Vec::new();
    let [_, th] = fonts.measure("0", style);
    for i in first(west)..=last(east) {
        let lon = i as f64 * step;
        let x = view.to_px(Coord {
            x: lon,
            y: center.y,
        })[0];
        stroke_points(pixmap, &[[x, 0.0], [x, h]], false, line, GRID_COLOR, None);
        let text = format_dms(lon, 'E', 'W');
        labels.push((text, vec![[x + inset, inset], [x + inset, h - inset - th]]));
    }
    for i in first(south)..=last(north) {
        let parallel = i as f64 * step;
        let y = view.to_px(Coord {
            x: center.x,
            y: parallel,
        })[1];
        stroke_points(pixmap, &[[0.0, y], [w, y]], false, line, GRID_COLOR, None);
        let text = format_dms(parallel, 'N', 'S');
        let tw = fonts.measure(&text, style)[0] + 2.0 * pad;
        labels.push((text, vec![[inset, y + inset], [w - inset - tw, y + inset]]));
    }
    let mut taken: Vec<RectPx> = keep_clear_px.to_vec();
    let mut drawn = Vec::new();
    for (text, candidates) in labels {
        let tw = fonts.measure(&text, style)[0] + 2.0 * pad;
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
            fill_rect(pixmap, rect, LABEL_BOX, 0.0);
            fonts.draw(pixmap, &text, [rect[0] + pad, rect[1]], style, WHITE);
            taken.push(rect);
            drawn.push(rect);
        }
    }
    drawn
}

/// A thin bar along the bottom edge, filled to `fraction` (timelapse frames).
pub fn draw_progress(pixmap: &mut Pixmap, fraction: f32, s: f32) {
    let [w, h] = [pixmap.width() as f32, pixmap.height() as f32];
    let bar = (6.0 * s).max(3.0);
    fill_rect(pixmap, [0.0, h - bar, w, h], Rgba([0, 0, 0, 170]), 0.0);
    fill_rect(
        pixmap,
        [0.0, h - bar, w * fraction.clamp(0.0, 1.0), h],
        NOTICE_COLOR,
        0.0,
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

    #[test]
    fn grid_values_read_in_degrees_minutes_and_seconds() {
        assert_eq!(format_dms(130.0, 'E', 'W'), "130°E");
        assert_eq!(format_dms(42.0 + 25.0 / 60.0, 'N', 'S'), "42°25′N");
        assert_eq!(format_dms(-(0.5 + 30.0 / 3600.0), 'N', 'S'), "0°30′30″S");
    }
}
