//! Laying one layer over the figure: its tiles resampled bilinearly (premultiplied, as tiny-skia
//! holds pixels), or an image of the whole view blended as it is; a band of rows per thread.

use image::RgbaImage;
use tiny_skia::Pixmap;

use super::Blend;
use crate::export::view::ExportView;

/// Per output column (or row): the two texels read and the weight of the second, as
/// (tile index, offset in tile) pairs.
struct Axis {
    samples: Vec<([(usize, usize); 2], f32)>,
}

impl Axis {
    fn new(origin_world: f64, count: u32, f: f64, first_tile: i64, tile_size: u32) -> Self {
        let ts = i64::from(tile_size);
        let samples = (0..count)
            .map(|i| {
                // Texel centres sit at +0.5: sample the texel grid at the pixel centre.
                let t =
                    (origin_world + f64::from(i) + 0.5) * f * f64::from(tile_size) / 256.0 - 0.5;
                let t0 = t.floor() as i64;
                let weight = (t - t.floor()) as f32;
                let split = |texel: i64| {
                    // Off the grid (beyond the Mercator poles) reads as no tile.
                    let tile = usize::try_from(texel.div_euclid(ts) - first_tile);
                    (tile.unwrap_or(usize::MAX), texel.rem_euclid(ts) as usize)
                };
                ([split(t0), split(t0 + 1)], weight)
            })
            .collect();
        Self { samples }
    }
}

/// The fetched tiles of one layer, row-major from the `first` column and row.
pub(super) struct Grid<'a> {
    /// The tiles, `None` where there is none.
    pub tiles: &'a [Option<RgbaImage>],
    /// Tiles in a row.
    pub width: usize,
    /// Edge of a tile, pixels.
    pub tile_size: u32,
    /// Column and row of the first tile.
    pub first: [i64; 2],
}

impl Grid<'_> {
    /// One texel row of every tile column at (tile row, row in tile): `None` off the grid.
    fn row<'g>(&'g self, row: (usize, usize), out: &mut Vec<Option<&'g [u8]>>) {
        let edge = self.tile_size as usize * 4;
        out.clear();
        out.extend((0..self.width).map(|col| {
            let tile = row
                .0
                .checked_mul(self.width)
                .and_then(|i| self.tiles.get(i + col))?
                .as_ref()?;
            let start = row.1 * tile.width() as usize * 4;
            tile.as_raw().get(start..start + edge)
        }));
    }
}

/// A texel of a row from [`Grid::row`] as stored (straight alpha); `None` where there is no
/// tile.
fn raw(row: &[Option<&[u8]>], col: (usize, usize)) -> Option<[u8; 4]> {
    let line = row.get(col.0).copied().flatten()?;
    let at = col.1 * 4;
    line.get(at..at + 4)?.try_into().ok()
}

/// A texel of a row from [`Grid::row`], premultiplied, as floats; `None` where there is no tile.
fn texel(row: &[Option<&[u8]>], col: (usize, usize)) -> Option<[f32; 4]> {
    let [r, g, b, a] = raw(row, col)?;
    if a == u8::MAX {
        return Some([f32::from(r), f32::from(g), f32::from(b), 255.0]);
    }
    let alpha = f32::from(a) / 255.0;
    Some([
        f32::from(r) * alpha,
        f32::from(g) * alpha,
        f32::from(b) * alpha,
        f32::from(a),
    ])
}

/// Fixed-point weights: 1.0 is this.
const ONE: u32 = 256;

/// Where all four taps are opaque: the bilinear mix in fixed point (what the float path gives,
/// within one level), the pixel then covered whole; `None` otherwise.
fn opaque_taps(
    top: &[Option<&[u8]>],
    bottom: &[Option<&[u8]>],
    [c0, c1]: [(usize, usize); 2],
    [fx, fy]: [f32; 2],
) -> Option<[u8; 4]> {
    let tap = |row: &[Option<&[u8]>], col| raw(row, col).filter(|t| t[3] == u8::MAX);
    let (a, b) = (tap(top, c0)?, tap(top, c1)?);
    let (c, d) = (tap(bottom, c0)?, tap(bottom, c1)?);
    let wx = (fx * ONE as f32 + 0.5) as u32;
    let wy = (fy * ONE as f32 + 0.5) as u32;
    let mut out = [u8::MAX; 4];
    for (i, o) in out.iter_mut().take(3).enumerate() {
        let upper = u32::from(a[i]) * (ONE - wx) + u32::from(b[i]) * wx;
        let lower = u32::from(c[i]) * (ONE - wx) + u32::from(d[i]) * wx;
        *o = ((upper * (ONE - wy) + lower * wy + ONE * ONE / 2) / (ONE * ONE)) as u8;
    }
    Some(out)
}

fn lerp4(a: [f32; 4], b: [f32; 4], t: f32) -> [f32; 4] {
    [
        a[0] + (b[0] - a[0]) * t,
        a[1] + (b[1] - a[1]) * t,
        a[2] + (b[2] - a[2]) * t,
        a[3] + (b[3] - a[3]) * t,
    ]
}

/// Rows per thread for an image `height` rows high.
fn band_rows(height: u32) -> usize {
    let threads = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    (height as usize).div_ceil(threads).max(1)
}

/// Resamples one layer's tiles over the pixmap, or under it (only where it is not opaque).
pub(super) fn draw_layer(
    pixmap: &mut Pixmap,
    view: &ExportView,
    grid: &Grid<'_>,
    tile_z: u8,
    opacity: f32,
    blend: Blend,
) {
    let under = blend == Blend::Under;
    let factor = 2f64.powf(f64::from(tile_z) - view.zoom());
    let origin = view.origin_world_px();
    let [width, height] = view.size_px();
    let columns = Axis::new(origin.x, width, factor, grid.first[0], grid.tile_size);
    let rows = Axis::new(origin.y, height, factor, grid.first[1], grid.tile_size);
    let opacity = opacity.clamp(0.0, 1.0);
    let stride = width as usize * 4;
    let band_rows = band_rows(height);
    let data = pixmap.data_mut();
    std::thread::scope(|scope| {
        for (band, chunk) in data.chunks_mut(band_rows * stride).enumerate() {
            let (columns, rows) = (&columns, &rows);
            scope.spawn(move || {
                let (mut top_row, mut bottom_row) = (Vec::new(), Vec::new());
                for (i, line) in chunk.chunks_exact_mut(stride).enumerate() {
                    let Some(&([r0, r1], fy)) = rows.samples.get(band * band_rows + i) else {
                        continue;
                    };
                    grid.row(r0, &mut top_row);
                    grid.row(r1, &mut bottom_row);
                    for (pixel, &([c0, c1], fx)) in line.chunks_exact_mut(4).zip(&columns.samples) {
                        let held = pixel.get(3).copied().unwrap_or(0);
                        if under && held == u8::MAX {
                            // Covered: what would be drawn under it never shows.
                            continue;
                        }
                        if opacity >= 1.0
                            && (!under || held == 0)
                            && let Some(opaque) =
                                opaque_taps(&top_row, &bottom_row, [c0, c1], [fx, fy])
                        {
                            pixel.copy_from_slice(&opaque);
                            continue;
                        }
                        let taps = [
                            texel(&top_row, c0),
                            texel(&top_row, c1),
                            texel(&bottom_row, c0),
                            texel(&bottom_row, c1),
                        ];
                        if taps.iter().all(Option::is_none) {
                            // Nothing here: the pixel stays as it is.
                            continue;
                        }
                        let [a, b, c, d] = taps.map(|t| t.unwrap_or([0.0; 4]));
                        let sample = lerp4(lerp4(a, b, fx), lerp4(c, d, fx), fy);
                        if under {
                            // What shows through what the pixel holds (both premultiplied).
                            let through = 1.0 - f32::from(held) / 255.0;
                            for (out, src) in pixel.iter_mut().zip(sample) {
                                *out = (f32::from(*out) + src * opacity * through)
                                    .round()
                                    .clamp(0.0, 255.0) as u8;
                            }
                            continue;
                        }
                        let keep = 1.0 - sample[3] / 255.0 * opacity;
                        for (out, src) in pixel.iter_mut().zip(sample) {
                            *out = (src * opacity + f32::from(*out) * keep)
                                .round()
                                .clamp(0.0, 255.0) as u8;
                        }
                    }
                }
            });
        }
    });
}

/// Blends a block of a layer drawn straight from its source (an image in straight alpha, at
/// `[x, y, w, h]` of the figure) into the premultiplied figure at `opacity`: opaque pixels at
/// full opacity are copied.
pub(super) fn blend_block(
    pixmap: &mut Pixmap,
    image: &RgbaImage,
    [x, y, w, _]: [u32; 4],
    opacity: f32,
) {
    if w == 0 {
        return;
    }
    let opacity = opacity.clamp(0.0, 1.0);
    let stride = pixmap.width() as usize * 4;
    let row_bytes = w as usize * 4;
    let data = pixmap.data_mut();
    for (i, src) in image.as_raw().chunks_exact(row_bytes).enumerate() {
        let at = (y as usize + i) * stride + x as usize * 4;
        if let Some(out) = data.get_mut(at..at + row_bytes) {
            blend_rows(out, src, opacity);
        }
    }
}

/// [`blend_block`] over some pixels.
fn blend_rows(out: &mut [u8], src: &[u8], opacity: f32) {
    for (out, src) in out.chunks_exact_mut(4).zip(src.chunks_exact(4)) {
        let &[r, g, b, a] = src else {
            continue;
        };
        if a == 255 && opacity >= 1.0 {
            out.copy_from_slice(src);
            continue;
        }
        let alpha = f32::from(a) / 255.0 * opacity;
        if alpha <= 0.0 {
            continue;
        }
        let keep = 1.0 - alpha;
        // The pixmap is premultiplied: colours scale by alpha, alpha by the opacity alone.
        for (o, c) in out.iter_mut().zip([r, g, b]) {
            *o = (f32::from(c) * alpha + f32::from(*o) * keep)
                .round()
                .clamp(0.0, 255.0) as u8;
        }
        if let Some(o) = out.get_mut(3) {
            *o = (f32::from(a) * opacity + f32::from(*o) * keep)
                .round()
                .clamp(0.0, 255.0) as u8;
        }
    }
}
