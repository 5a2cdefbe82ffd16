//! A before/after figure: one panel per date over the same view, each with its letter and date
//! top-left and its credit (and the synthetic notice, when its imagery is synthetic)
//! bottom-right; one legend and scale bar bottom-left of the first panel and one north arrow
//! top-right of the first row's last panel. Two or three panels sit in a row; more go in
//! ⌈√N⌉ columns.

use super::furniture::{legend_builder, scale_bar_box};
use super::{
    BOX_GAP, LayoutInput, Legend, MARGIN, MASTER_WIDTH_PX, Measure, NORTH_ARROW, ScaleBarBox,
    Sizes, TextBox, header_box, right_column,
};
use crate::render::display_list::RectPx;
use crate::scene::Scene;

/// The gutter between panels at the 1920 px master width.
const GUTTER_PX: f32 = 8.0;
/// The legend's scales tried, largest first, until it fits a panel.
const LEGEND_SHRINK: [f32; 3] = [1.0, 0.85, 0.7];

/// One panel's boxes, in figure pixels.
#[derive(Clone, Debug, PartialEq)]
pub struct PanelBoxes {
    /// Where the panel is.
    pub rect_px: RectPx,
    /// Its letter, date and imagery dates, top-left.
    pub stamp: TextBox,
    /// Its credit line, bottom-right.
    pub credit: Option<TextBox>,
    /// The synthetic notice above the credit, when its imagery is synthetic.
    pub synthetic: Option<TextBox>,
}

/// Every box of a panels figure.
#[derive(Clone, Debug, PartialEq)]
pub struct PanelsLayout {
    /// Width / 1920.
    pub px_scale: f32,
    /// The panels, in reading order.
    pub panels: Vec<PanelBoxes>,
    /// The one legend (of every panel's categories).
    pub legend: Option<Legend>,
    /// The one scale bar (the panels share a scale).
    pub scale_bar: Option<ScaleBarBox>,
    /// The one north arrow.
    pub north_arrow_px: Option<RectPx>,
}

/// What a panels figure shows.
pub struct PanelsInput<'a> {
    /// Each panel's scene, in order.
    pub scenes: &'a [&'a Scene],
    /// The scene whose legend is the figure's (every panel's categories).
    pub legend: &'a Scene,
    /// The whole figure's width and height.
    pub size_px: [u32; 2],
    /// Ground metres per pixel in a panel.
    pub meters_per_px: f64,
    /// Draw the north arrow.
    pub north_arrow: bool,
}

/// The letter of the `i`-th panel: A, B … Z, then AA, AB …
#[must_use]
pub fn panel_letter(i: usize) -> String {
    let letter = |n: usize| char::from(b'A' + (n % 26) as u8);
    if i < 26 {
        letter(i).to_string()
    } else {
        format!("{}{}", letter(i / 26 - 1), letter(i))
    }
}

/// Columns and rows for `n` panels: one row of up to three, else ⌈√n⌉ columns.
#[must_use]
pub fn panel_grid(n: usize) -> (usize, usize) {
    let n = n.max(1);
    let cols = if n <= 3 {
        n
    } else {
        n.isqrt() + usize::from(n.isqrt().pow(2) < n)
    };
    (cols, n.div_ceil(cols))
}

/// The panels' rectangles in a figure of `size_px`, in reading order, `8 px × width / 1920`
/// apart, on whole pixels and all of one size.
#[must_use]
#[allow(clippy::many_single_char_names)] // box geometry reads as x, y, w, h
pub fn panel_rects(size_px: [u32; 2], n: usize) -> Vec<RectPx> {
    let [width, height] = size_px.map(|v| v as f32);
    let gutter = (GUTTER_PX * width / MASTER_WIDTH_PX).round().max(1.0);
    let (cols, rows) = panel_grid(n);
    let w = ((width - gutter * (cols as f32 - 1.0)) / cols as f32).floor();
    let h = ((height - gutter * (rows as f32 - 1.0)) / rows as f32).floor();
    (0..n)
        .map(|i| {
            let (c, r) = ((i % cols) as f32, (i / cols) as f32);
            let (x, y) = (c * (w + gutter), r * (h + gutter));
            [x, y, x + w, y + h]
        })
        .collect()
}

fn moved(mut b: TextBox, [dx, dy]: [f32; 2]) -> TextBox {
    b.rect_px = [
        b.rect_px[0] + dx,
        b.rect_px[1] + dy,
        b.rect_px[2] + dx,
        b.rect_px[3] + dy,
    ];
    for line in &mut b.lines {
        line.min_px = [line.min_px[0] + dx, line.min_px[1] + dy];
    }
    b
}

/// A panel's layout input: its scene at the panel's size.
fn panel_input(scene: &Scene, rect: RectPx, meters_per_px: f64) -> LayoutInput<'_> {
    LayoutInput {
        scene,
        size_px: [(rect[2] - rect[0]) as u32, (rect[3] - rect[1]) as u32],
        meters_per_px,
        title: None,
        north_arrow: false,
    }
}

/// The lowest bottom edge at or above `bottom` for a box spanning `[x0, x1]` that keeps `gap`
/// clear of the panel's credit and synthetic notice.
fn clear_of(panel: &PanelBoxes, [x0, x1]: [f32; 2], bottom: f32, gap: f32) -> f32 {
    [panel.credit.as_ref(), panel.synthetic.as_ref()]
        .into_iter()
        .flatten()
        .map(|b| b.rect_px)
        .filter(|r| r[0] < x1 + gap && r[2] > x0 - gap && r[1] < bottom)
        .fold(bottom, |low, r| low.min(r[1] - gap))
}

/// Lays out a panels figure.
#[must_use]
pub fn panels_layout(input: &PanelsInput<'_>, measure: Measure<'_>) -> PanelsLayout {
    let px_scale = input.size_px[0] as f32 / MASTER_WIDTH_PX;
    let sizes = Sizes { px_scale };
    let margin = sizes.px(MARGIN);
    let gap = sizes.px(BOX_GAP);
    let rects = panel_rects(input.size_px, input.scenes.len());
    let panels: Vec<PanelBoxes> = input
        .scenes
        .iter()
        .zip(&rects)
        .enumerate()
        .map(|(i, (scene, rect))| {
            let letter = panel_letter(i);
            let mut local = panel_input(scene, *rect, input.meters_per_px);
            local.title = Some(&letter);
            let origin = [rect[0], rect[1]];
            let (credit, synthetic, _) = right_column(&local, sizes, measure);
            PanelBoxes {
                rect_px: *rect,
                stamp: moved(header_box(&local, sizes, measure), origin),
                credit: credit.map(|b| moved(b, origin)),
                synthetic: synthetic.map(|b| moved(b, origin)),
            }
        })
        .collect();
    // The scale bar bottom-left of the first panel, over its credit if they would meet; the
    // legend bottom-left of the last panel that has room for it under its stamp.
    let first = rects.first().copied().unwrap_or([0.0, 0.0, 1.0, 1.0]);
    let scale_input = panel_input(input.legend, first, input.meters_per_px);
    let mut first_bottom = first[3] - margin;
    let scale_bar = scale_bar_box(&scale_input, px_scale, measure).map(|b| {
        let x = first[0] + margin;
        let [w, h] = b.size;
        let bottom = clear_of(&panels[0], [x, x + w], first[3] - margin, gap);
        let placed = b.place([x, bottom - h]);
        first_bottom = placed.rect_px[1] - gap;
        placed
    });
    // Set smaller (to 70 %) before it is left out.
    let legend = LEGEND_SHRINK.iter().find_map(|k| {
        let l = legend_builder(input.legend, px_scale * k, measure)?;
        panels
            .iter()
            .enumerate()
            .rev()
            .find_map(|(i, panel)| {
                let x = panel.rect_px[0] + margin;
                let floor = if i == 0 {
                    first_bottom
                } else {
                    panel.rect_px[3] - margin
                };
                let [w, h] = l.size;
                let bottom = clear_of(panel, [x, x + w], floor, gap);
                let top = bottom - h;
                (top >= panel.stamp.rect_px[3] + gap).then_some([x, top])
            })
            .map(|at| l.place(at))
    });
    let (cols, _) = panel_grid(rects.len());
    let north_arrow_px = input
        .north_arrow
        .then(|| rects.get(cols.min(rects.len()).saturating_sub(1)))
        .flatten()
        .map(|r| {
            let [arrow_w, arrow_h] = NORTH_ARROW.map(|v| v * px_scale);
            [
                r[2] - margin - arrow_w,
                r[1] + margin,
                r[2] - margin,
                r[1] + margin + arrow_h,
            ]
        });
    PanelsLayout {
        px_scale,
        panels,
        legend,
        scale_bar,
        north_arrow_px,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn panels_go_in_a_row_up_to_three_then_in_a_square_grid() {
        assert_eq!(panel_grid(2), (2, 1));
        assert_eq!(panel_grid(3), (3, 1));
        assert_eq!(panel_grid(4), (2, 2));
        assert_eq!(panel_grid(5), (3, 2));
        assert_eq!(panel_grid(9), (3, 3));
        assert_eq!(panel_grid(10), (4, 3));
    }

    #[test]
    fn panel_rects_share_one_size_and_keep_the_gutter() {
        let rects = panel_rects([1920, 1080], 2);
        assert_eq!(
            rects,
            [[0.0, 0.0, 956.0, 1080.0], [964.0, 0.0, 1920.0, 1080.0]]
        );
        let grid = panel_rects([1920, 1080], 4);
        let gap = |a: f32, b: f32| (a - b - 8.0).abs() < 1e-3;
        assert!(gap(grid[3][0], grid[2][2]), "8 px between columns at 1920");
        assert!(gap(grid[2][1], grid[0][3]), "and between rows");
        assert!(grid.iter().all(|r| r[2] <= 1920.0 && r[3] <= 1080.0));
    }

    #[test]
    fn letters_run_past_z() {
        assert_eq!(panel_letter(0), "A");
        assert_eq!(panel_letter(25), "Z");
        assert_eq!(panel_letter(26), "AA");
    }
}
