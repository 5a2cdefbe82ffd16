//! The one text measurer: epaint's own `Fonts` (the window's shaping, run headless) over the
//! bundled fonts. Every run of text in the display list is laid out here once: its line box,
//! baseline and glyph positions go into the [`TextRun`], and each painter sets the glyphs there.

use std::sync::Mutex;

use egui::epaint::text::{Fonts, TextOptions};
use egui::{Color32, FontFamily, FontId};

use super::display_list::{FontSpec, GlyphPos, TextRun, Weight};
use super::fonts::{BOLD_FAMILY, definitions};
use crate::model::Rgba;

/// Lays out single lines of text.
pub trait TextMeasure {
    /// The line of `text` set in `font`, its line box's top-left corner at `origin_px`.
    fn run(&self, text: &str, font: FontSpec, color: Rgba, origin_px: [f32; 2]) -> TextRun;

    /// Width and line height of `text` in `font`.
    fn size(&self, text: &str, font: FontSpec) -> [f32; 2] {
        self.run(text, font, Rgba::rgb(0, 0, 0), [0.0, 0.0]).size_px
    }
}

/// epaint's text layout at pixels-per-point 1 over the bundled fonts.
pub struct EpaintText {
    fonts: Mutex<Fonts>,
}

impl std::fmt::Debug for EpaintText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EpaintText").finish_non_exhaustive()
    }
}

impl EpaintText {
    /// The bundled Noto Sans family with its fallbacks (the window's fonts).
    #[must_use]
    pub fn bundled() -> Self {
        Self {
            fonts: Mutex::new(Fonts::new(TextOptions::default(), definitions())),
        }
    }
}

/// egui's font for a spec.
#[must_use]
pub fn font_id(font: FontSpec) -> FontId {
    let family = match font.weight {
        Weight::Regular => FontFamily::Proportional,
        Weight::Bold => FontFamily::Name(BOLD_FAMILY.into()),
    };
    FontId::new(font.size_px, family)
}

impl EpaintText {
    /// Calls `plot(x, y, coverage)` for each pixel the run's glyphs cover, as egui's own
    /// rasteriser covers it (the glyph bitmaps of epaint's font atlas at pixels-per-point 1,
    /// placed as epaint places them), so every raster painter sets identical text.
    pub fn for_each_coverage(&self, run: &TextRun, plot: &mut dyn FnMut(i64, i64, f32)) {
        let mut fonts = self
            .fonts
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let galley = fonts.with_pixels_per_point(1.0).layout_no_wrap(
            run.text.clone(),
            font_id(run.font),
            Color32::WHITE,
        );
        let atlas = fonts.texture_atlas().image();
        let width = atlas.size[0];
        for row in &galley.rows {
            for g in &row.row.glyphs {
                let uv = g.uv_rect;
                if uv.is_nothing() {
                    continue;
                }
                let left = (run.origin_px[0] + row.pos.x + g.pos.x + uv.offset.x).round() as i64;
                let top = (run.origin_px[1] + row.pos.y + g.pos.y + uv.offset.y).round() as i64;
                let [u0, v0] = uv.min.map(usize::from);
                let [u1, v1] = uv.max.map(usize::from);
                for v in v0..v1 {
                    for u in u0..u1 {
                        let Some(texel) = atlas.pixels.get(v * width + u) else {
                            continue;
                        };
                        if texel.a() > 0 {
                            let (dx, dy) = ((u - u0) as i64, (v - v0) as i64);
                            plot(left + dx, top + dy, f32::from(texel.a()) / 255.0);
                        }
                    }
                }
            }
        }
    }
}

impl TextMeasure for EpaintText {
    fn run(&self, text: &str, font: FontSpec, color: Rgba, origin_px: [f32; 2]) -> TextRun {
        // A poisoned lock only means another layout panicked; the fonts are still usable.
        let mut fonts = self
            .fonts
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let galley = fonts.with_pixels_per_point(1.0).layout_no_wrap(
            text.to_owned(),
            font_id(font),
            Color32::WHITE,
        );
        let mut glyphs = Vec::with_capacity(text.len());
        let mut baseline_px = None;
        for row in &galley.rows {
            for g in &row.row.glyphs {
                baseline_px.get_or_insert(row.pos.y + g.pos.y);
                glyphs.push(GlyphPos {
                    chr: g.chr,
                    x_px: row.pos.x + g.pos.x,
                });
            }
        }
        let size = galley.size();
        TextRun {
            text: text.to_owned(),
            font,
            color,
            origin_px,
            size_px: [size.x, size.y],
            baseline_px: baseline_px.unwrap_or(size.y * 0.8),
            glyphs,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_run_is_wider_for_more_text_and_its_glyphs_advance() {
        let text = EpaintText::bundled();
        let bold = FontSpec {
            weight: Weight::Bold,
            size_px: 32.0,
        };
        let short = text.run("Pier", bold, Rgba::rgb(255, 255, 255), [10.0, 20.0]);
        let long = text.run("Pier 12", bold, Rgba::rgb(255, 255, 255), [0.0, 0.0]);
        assert!(long.size_px[0] > short.size_px[0]);
        assert!(
            short.size_px[1] > 32.0 && short.size_px[1] < 50.0,
            "{:?}",
            short.size_px
        );
        assert_eq!(short.glyphs.len(), 4);
        assert!(short.glyphs.windows(2).all(|w| w[1].x_px > w[0].x_px));
        assert!((short.rect_px()[0] - 10.0).abs() < f32::EPSILON);
        assert!(short.baseline_px > 20.0 && short.baseline_px < short.size_px[1]);
    }

    #[test]
    fn bold_is_wider_than_regular() {
        let text = EpaintText::bundled();
        let w = |weight| {
            text.size(
                "Tumangang",
                FontSpec {
                    weight,
                    size_px: 20.0,
                },
            )[0]
        };
        assert!(w(Weight::Bold) > w(Weight::Regular));
    }
}
