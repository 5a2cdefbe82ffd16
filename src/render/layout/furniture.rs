//! The scale bar and the legend, measured and placed.

use super::{
    LEGEND_PX, LayoutInput, Legend, LegendRow, MIN_TEXT_PX, Measure, PAD_X, PAD_Y,
    SCALE_BAR_CASING_PX, SCALE_BAR_HEIGHT_PX, SCALE_LABEL_PX, SWATCH, SWATCH_GAP, ScaleBarBox,
    Swatch, TextLine, TextStyle, WHITE, certainty_key_text, figure_scale_bar,
};
use crate::scene::Scene;
use crate::spatial::scale_bar::ScaleBar;

/// A scale bar box before it is placed.
pub(super) struct ScaleBuilder {
    pub(super) size: [f32; 2],
    pad: [f32; 2],
    bar: ScaleBar,
    bar_len: f32,
    label: (String, TextStyle, [f32; 2]),
    bar_h: f32,
    casing: f32,
}

impl ScaleBuilder {
    pub(super) fn place(self, min_px: [f32; 2]) -> ScaleBarBox {
        let [x, y] = min_px;
        let label = TextLine {
            text: self.label.0,
            style: self.label.1,
            color: WHITE,
            min_px: [x + self.pad[0], y + self.pad[1]],
        };
        // On whole pixels, so both ends of the bar are crisp (the length moves by < 0.5 px).
        let bar_top = (y + self.pad[1] + self.label.2[1] + self.casing).round();
        let bar_left = (x + self.pad[0] + self.casing).round();
        ScaleBarBox {
            rect_px: [x, y, x + self.size[0], y + self.size[1]],
            bar_px: [
                bar_left,
                bar_top,
                bar_left + self.bar_len.round().max(1.0),
                bar_top + self.bar_h.round().max(1.0),
            ],
            bar: self.bar,
            label,
        }
    }
}

pub(super) fn scale_bar_box(
    input: &LayoutInput<'_>,
    s: f32,
    measure: Measure<'_>,
) -> Option<ScaleBuilder> {
    let width = input.size_px[0] as f32;
    let bar = figure_scale_bar(input.meters_per_px, f64::from(width))?;
    let bar_len = bar.length_px as f32;
    let style = TextStyle::bold((SCALE_LABEL_PX * s).max(MIN_TEXT_PX));
    let text = bar.label();
    let label_size = measure(&text, style);
    let casing = SCALE_BAR_CASING_PX * s;
    let bar_h = SCALE_BAR_HEIGHT_PX * s;
    let pad = [PAD_X * s, PAD_Y * s];
    let inner_w = (bar_len + 2.0 * casing).max(label_size[0]);
    let inner_h = label_size[1] + bar_h + 2.0 * casing + 2.0 * s;
    Some(ScaleBuilder {
        size: [inner_w + 2.0 * pad[0], inner_h + 2.0 * pad[1]],
        pad,
        bar,
        bar_len,
        label: (text, style, label_size),
        bar_h,
        casing,
    })
}

/// A legend before it is placed.
pub(super) struct LegendBuilder {
    pub(super) size: [f32; 2],
    pad: [f32; 2],
    rows: Vec<(Swatch, String, TextStyle, f32)>,
    swatch: [f32; 2],
    swatch_gap: f32,
}

impl LegendBuilder {
    pub(super) fn place(self, min_px: [f32; 2]) -> Legend {
        let [x, mut y] = [min_px[0] + self.pad[0], min_px[1] + self.pad[1]];
        let rows = self
            .rows
            .into_iter()
            .map(|(swatch, text, style, row_h)| {
                let sy = y + (row_h - self.swatch[1]) / 2.0;
                let row = LegendRow {
                    swatch,
                    swatch_px: [x, sy, x + self.swatch[0], sy + self.swatch[1]],
                    text: TextLine {
                        text,
                        style,
                        color: WHITE,
                        min_px: [x + self.swatch[0] + self.swatch_gap, y],
                    },
                };
                y += row_h;
                row
            })
            .collect();
        Legend {
            rect_px: [
                min_px[0],
                min_px[1],
                min_px[0] + self.size[0],
                min_px[1] + self.size[1],
            ],
            rows,
        }
    }
}

pub(super) fn legend_builder(scene: &Scene, s: f32, measure: Measure<'_>) -> Option<LegendBuilder> {
    let style = TextStyle::regular((LEGEND_PX * s).max(MIN_TEXT_PX));
    let mut rows: Vec<(Swatch, String)> = scene
        .legend
        .iter()
        .enumerate()
        .map(|(i, e)| (Swatch::Category(i), e.name.clone()))
        .collect();
    if scene.certainties.len() > 1 {
        rows.extend(
            scene
                .certainties
                .iter()
                .map(|c| (Swatch::Certainty(*c), certainty_key_text(*c).to_owned())),
        );
    }
    if rows.is_empty() {
        return None;
    }
    let swatch = SWATCH.map(|v| v * s);
    let swatch_gap = SWATCH_GAP * s;
    let pad = [PAD_X * s, PAD_Y * s];
    let measured: Vec<(Swatch, String, TextStyle, f32)> = rows
        .into_iter()
        .map(|(sw, text)| {
            let [_, h] = measure(&text, style);
            (sw, text, style, h.max(swatch[1]) + 4.0 * s)
        })
        .collect();
    let text_w = measured
        .iter()
        .map(|r| measure(&r.1, style)[0])
        .fold(0.0, f32::max);
    let h: f32 = measured.iter().map(|r| r.3).sum();
    Some(LegendBuilder {
        size: [
            swatch[0] + swatch_gap + text_w + 2.0 * pad[0],
            h + 2.0 * pad[1],
        ],
        pad,
        rows: measured,
        swatch,
        swatch_gap,
    })
}
