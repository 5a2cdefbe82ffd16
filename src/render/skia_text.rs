//! Text for the tiny-skia painter: each glyph as epaint rasterises it for the window, blended
//! at the position the display list's run gives it.

use tiny_skia::{ColorU8, Pixmap, PremultipliedColorU8};

use super::display_list::{RectPx, TextRun};
use super::text::EpaintText;

/// Sets a run's glyphs: each covered pixel inside `cut` (the whole pixmap when `None`) blended
/// with the run's colour.
pub fn glyphs(pixmap: &mut Pixmap, run: &TextRun, text: &EpaintText, cut: Option<RectPx>) {
    let (width, height) = (i64::from(pixmap.width()), i64::from(pixmap.height()));
    let inside = |x: i64, y: i64| {
        cut.is_none_or(|[x0, y0, x1, y1]| {
            // Pixel centres, as the clip mask of the other ops counts them.
            let (cx, cy) = (
                f32::midpoint(x as f32, (x + 1) as f32),
                f32::midpoint(y as f32, (y + 1) as f32),
            );
            cx >= x0 && cx < x1 && cy >= y0 && cy < y1
        })
    };
    let data = pixmap.pixels_mut();
    let color = ColorU8::from_rgba(
        run.color.0[0],
        run.color.0[1],
        run.color.0[2],
        run.color.0[3],
    );
    text.for_each_coverage(run, &mut |x, y, coverage| {
        if x < 0 || y < 0 || x >= width || y >= height || !inside(x, y) {
            return;
        }
        if let Some(pixel) = data.get_mut((y * width + x) as usize) {
            *pixel = blend(*pixel, color, coverage);
        }
    });
}

/// `color` at `coverage` over a premultiplied pixel (source-over).
fn blend(dst: PremultipliedColorU8, color: ColorU8, coverage: f32) -> PremultipliedColorU8 {
    let src = color.premultiply();
    let k = coverage * f32::from(src.alpha()) / f32::from(u8::MAX);
    let mix = |s: u8, d: u8| {
        let s = f32::from(s) / f32::from(src.alpha().max(1)) * f32::from(u8::MAX);
        (s * k + f32::from(d) * (1.0 - k)).round() as u8
    };
    PremultipliedColorU8::from_rgba(
        mix(src.red(), dst.red()),
        mix(src.green(), dst.green()),
        mix(src.blue(), dst.blue()),
        (k * f32::from(u8::MAX) + f32::from(dst.alpha()) * (1.0 - k)).round() as u8,
    )
    .unwrap_or(dst)
}
