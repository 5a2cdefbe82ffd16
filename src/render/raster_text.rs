//! Text for the CPU backend: the bundled Noto Sans (the window's bytes) through `ab_glyph`.
//!
//! A size is the em height in pixels, as egui reads a font size, and a line is
//! `ascent − descent + line gap` high, as egui's rows are, so a label measures (and so is placed)
//! alike in the window and in an export.

use ab_glyph::{Font as _, FontRef, PxScale, ScaleFont as _, point};
use tiny_skia::Pixmap;

use super::display_list::TextRun;
use super::fonts::{
    BOLD_TTF, FALLBACK_TTFS, HANGUL_BOLD_OTF, HANGUL_REGULAR_OTF, REGULAR_TTF,
};
use crate::model::Rgba;

pub use super::display_list::Weight;

/// A text size and weight (the display list's font).
pub type TextStyle = super::display_list::FontSpec;

/// The bundled font file could not be read.
#[derive(Debug, thiserror::Error)]
#[error("the bundled font cannot be read ({message}): {what}")]
pub struct FontError {
    message: String,
    what: &'static str,
}

/// The two faces of the bundled family and their fallbacks, parsed once.
#[derive(Clone, Debug)]
pub struct Fonts {
    regular: FontRef<'static>,
    bold: FontRef<'static>,
    /// Hangul of each weight.
    hangul_regular: FontRef<'static>,
    hangul_bold: FontRef<'static>,
    /// Faces for characters Noto Sans lacks (symbols, maths), in the window's order.
    fallbacks: Vec<FontRef<'static>>,
}

impl Fonts {
    /// Noto Sans Regular and Bold, the same bytes the window uses.
    pub fn bundled() -> Result<Self, FontError> {
        let parse = |bytes: &'static [u8], what: &'static str| {
            FontRef::try_from_slice(bytes).map_err(|e| FontError {
                message: e.to_string(),
                what,
            })
        };
        Ok(Self {
            regular: parse(REGULAR_TTF, "assets/fonts/NotoSans-Regular.ttf")?,
            bold: parse(BOLD_TTF, "assets/fonts/NotoSans-Bold.ttf")?,
            hangul_regular: parse(HANGUL_REGULAR_OTF, "assets/fonts/NotoSansKR-Hangul-Regular.otf")?,
            hangul_bold: parse(HANGUL_BOLD_OTF, "assets/fonts/NotoSansKR-Hangul-Bold.otf")?,
            fallbacks: FALLBACK_TTFS
                .iter()
                .map(|(name, bytes)| parse(bytes, name))
                .collect::<Result<_, _>>()?,
        })
    }

    fn face(&self, weight: Weight) -> &FontRef<'static> {
        match weight {
            Weight::Regular => &self.regular,
            Weight::Bold => &self.bold,
        }
    }

    fn scale(&self, style: TextStyle) -> PxScale {
        Self::scale_of(self.face(style.weight), style.size_px)
    }

    /// `ab_glyph` scales by the line height; egui sizes by the em.
    fn scale_of(font: &FontRef<'static>, size_px: f32) -> PxScale {
        let units_per_em = font.units_per_em().unwrap_or(1000.0);
        PxScale::from(size_px * font.height_unscaled() / units_per_em)
    }

    /// Width and line height of one line of text, in pixels.
    #[must_use]
    pub fn measure(&self, text: &str, style: TextStyle) -> [f32; 2] {
        let font = self.face(style.weight).as_scaled(self.scale(style));
        let mut width = 0.0;
        let mut previous = None;
        for c in text.chars() {
            let id = font.glyph_id(c);
            if let Some(p) = previous {
                width += font.kern(p, id);
            }
            width += font.h_advance(id);
            previous = Some(id);
        }
        [width, font.ascent() - font.descent() + font.line_gap()]
    }

    /// Draws one line of text with its line box's top-left corner at `min_px`.
    pub fn draw(
        &self,
        pixmap: &mut Pixmap,
        text: &str,
        min_px: [f32; 2],
        style: TextStyle,
        color: Rgba,
    ) {
        let face = self.face(style.weight);
        let font = face.as_scaled(self.scale(style));
        // egui puts the half line gap above the ascent; the same here keeps boxes alike.
        let baseline = min_px[1] + font.line_gap() / 2.0 + font.ascent();
        let (width, height) = (pixmap.width(), pixmap.height());
        let data = pixmap.data_mut();
        let mut x = min_px[0];
        let mut previous = None;
        for c in text.chars() {
            let id = font.glyph_id(c);
            if let Some(p) = previous {
                x += font.kern(p, id);
            }
            let glyph = id.with_scale_and_position(font.scale(), point(x, baseline));
            x += font.h_advance(id);
            previous = Some(id);
            let Some(outlined) = face.outline_glyph(glyph) else {
                continue;
            };
            let bounds = outlined.px_bounds();
            outlined.draw(|gx, gy, coverage| {
                let px = bounds.min.x as i64 + i64::from(gx);
                let py = bounds.min.y as i64 + i64::from(gy);
                if px < 0 || py < 0 || px >= i64::from(width) || py >= i64::from(height) {
                    return;
                }
                let at = (py as usize * width as usize + px as usize) * 4;
                if let Some(pixel) = data.get_mut(at..at + 4) {
                    blend_premultiplied(pixel, color, coverage);
                }
            });
        }
    }

    /// The face that has `c`: the run's own, else the first fallback that has it.
    fn face_for(&self, weight: Weight, c: char) -> &FontRef<'static> {
        let own = self.face(weight);
        if own.glyph_id(c).0 != 0 {
            return own;
        }
        let hangul = match weight {
            Weight::Regular => &self.hangul_regular,
            Weight::Bold => &self.hangul_bold,
        };
        std::iter::once(hangul)
            .chain(&self.fallbacks)
            .find(|f| f.glyph_id(c).0 != 0)
            .unwrap_or(own)
    }

    /// Draws a laid-out run: each glyph's outline at the pen position the layout gave it, on the
    /// run's baseline.
    pub fn draw_run(&self, pixmap: &mut Pixmap, run: &TextRun) {
        let baseline = run.origin_px[1] + run.baseline_px;
        let (width, height) = (pixmap.width(), pixmap.height());
        let data = pixmap.data_mut();
        for g in &run.glyphs {
            let face = self.face_for(run.font.weight, g.chr);
            let scale = Self::scale_of(face, run.font.size_px);
            let glyph = face
                .glyph_id(g.chr)
                .with_scale_and_position(scale, point(run.origin_px[0] + g.x_px, baseline));
            let Some(outlined) = face.outline_glyph(glyph) else {
                continue;
            };
            let bounds = outlined.px_bounds();
            outlined.draw(|gx, gy, coverage| {
                let px = bounds.min.x as i64 + i64::from(gx);
                let py = bounds.min.y as i64 + i64::from(gy);
                if px < 0 || py < 0 || px >= i64::from(width) || py >= i64::from(height) {
                    return;
                }
                let at = (py as usize * width as usize + px as usize) * 4;
                if let Some(pixel) = data.get_mut(at..at + 4) {
                    blend_premultiplied(pixel, run.color, coverage);
                }
            });
        }
    }
}

/// Blends a straight-alpha colour at `coverage` (0–1) over one premultiplied RGBA pixel.
pub fn blend_premultiplied(pixel: &mut [u8], color: Rgba, coverage: f32) {
    let alpha = f32::from(color.0[3]) / 255.0 * coverage.clamp(0.0, 1.0);
    if alpha <= 0.0 {
        return;
    }
    for (channel, out) in pixel.iter_mut().enumerate() {
        let src = if channel == 3 {
            255.0 * alpha
        } else {
            f32::from(color.0.get(channel).copied().unwrap_or(0)) * alpha
        };
        *out = (src + f32::from(*out) * (1.0 - alpha))
            .round()
            .clamp(0.0, 255.0) as u8;
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::float_cmp)] // exact values are what these tests pin
    use super::*;

    #[test]
    fn bold_text_is_wider_than_regular_and_a_line_is_taller_than_its_size() {
        let fonts = Fonts::bundled().unwrap();
        let [regular_w, regular_h] = fonts.measure("Road bridge", TextStyle::regular(32.0));
        let [bold_w, _] = fonts.measure("Road bridge", TextStyle::bold(32.0));
        assert!(
            bold_w > regular_w && regular_w > 100.0,
            "{regular_w} {bold_w}"
        );
        // Noto Sans: ascent 1.069 em, descent 0.293 em, no line gap.
        assert!((regular_h - 32.0 * 1.362).abs() < 1.0, "{regular_h}");
        assert_eq!(fonts.measure("", TextStyle::bold(32.0))[0], 0.0);
    }

    #[test]
    fn drawn_text_lands_inside_its_measured_box() {
        let fonts = Fonts::bundled().unwrap();
        let mut pixmap = Pixmap::new(200, 60).unwrap();
        let style = TextStyle::bold(24.0);
        fonts.draw(
            &mut pixmap,
            "Khasan",
            [10.0, 10.0],
            style,
            Rgba::rgb(255, 255, 255),
        );
        let [w, h] = fonts.measure("Khasan", style);
        let mut inked = 0;
        for (i, px) in pixmap.data().chunks_exact(4).enumerate() {
            if px[3] > 0 {
                inked += 1;
                let (x, y) = ((i % 200) as f32, (i / 200) as f32);
                assert!(x >= 9.0 && x <= 11.0 + w && y >= 9.0 && y <= 11.0 + h);
            }
        }
        assert!(inked > 100, "{inked}");
    }
}
