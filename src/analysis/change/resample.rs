//! A raster's raw values resampled onto the analysis grid.
//!
//! The window of the raster under the grid is read, box-averaged by the whole number of its
//! pixels that fit in a grid pixel ([`super::raw`]), then sampled bilinearly at each grid pixel's
//! centre. Source positions are exact every [`MESH_STEP_PX`] grid pixels and bilinear between
//! (one CRS: exact everywhere, the map is affine). A grid pixel takes the nearest valid value
//! where a bilinear neighbour holds no data, and is invalid outside the raster.

use std::path::Path;

use geo::Coord;

use super::grid::{AnalysisGrid, Georef};
use super::raw::{RawWindow, Window, read_window};
use super::stack::BandStack;
use crate::imagery::raster::{Limits, RasterError};

/// Grid pixels between exact source positions.
pub const MESH_STEP_PX: usize = 8;

/// Source pixel position (corner-based) of a grid point, exact.
fn source_px(grid: &AnalysisGrid, source: &Georef, px: Coord<f64>) -> Option<Coord<f64>> {
    let inverse = source.crs_from_pixel.inverse()?;
    let xy = grid.crs_from_pixel.apply(px);
    let xy = if grid.crs == source.crs {
        xy
    } else {
        source.crs.xy_from_lonlat(grid.crs.lonlat_from_xy(xy)?)?
    };
    Some(inverse.apply(xy))
}

/// Source positions of every grid pixel centre (`None` where the CRS cannot take it).
#[allow(clippy::many_single_char_names)] // x, y, w, h, a, b: the usual names in raster maths
fn source_positions(grid: &AnalysisGrid, source: &Georef) -> Vec<Option<Coord<f64>>> {
    let (w, h) = (grid.width, grid.height);
    let step = MESH_STEP_PX;
    let (mw, mh) = (w.div_ceil(step) + 1, h.div_ceil(step) + 1);
    let mut mesh = Vec::with_capacity(mw * mh);
    for my in 0..mh {
        for mx in 0..mw {
            let px = Coord {
                x: (mx * step).min(w.saturating_sub(1)) as f64 + 0.5,
                y: (my * step).min(h.saturating_sub(1)) as f64 + 0.5,
            };
            mesh.push(source_px(grid, source, px));
        }
    }
    let mut out = Vec::with_capacity(w * h);
    for y in 0..h {
        let my = y / step;
        let my1 = (my + 1).min(mh - 1);
        let span_y = ((my1 * step).min(h.saturating_sub(1)) - (my * step)) as f64;
        let ty = if span_y > 0.0 {
            (y - my * step) as f64 / span_y
        } else {
            0.0
        };
        for x in 0..w {
            let mx = x / step;
            let mx1 = (mx + 1).min(mw - 1);
            let span_x = ((mx1 * step).min(w.saturating_sub(1)) - (mx * step)) as f64;
            let tx = if span_x > 0.0 {
                (x - mx * step) as f64 / span_x
            } else {
                0.0
            };
            let corner = |cx: usize, cy: usize| mesh.get(cy * mw + cx).copied().flatten();
            let value = match (
                corner(mx, my),
                corner(mx1, my),
                corner(mx, my1),
                corner(mx1, my1),
            ) {
                (Some(a), Some(b), Some(c), Some(d)) => Some(Coord {
                    x: (a.x * (1.0 - tx) + b.x * tx) * (1.0 - ty)
                        + (c.x * (1.0 - tx) + d.x * tx) * ty,
                    y: (a.y * (1.0 - tx) + b.y * tx) * (1.0 - ty)
                        + (c.y * (1.0 - tx) + d.y * tx) * ty,
                }),
                _ => source_px(
                    grid,
                    source,
                    Coord {
                        x: x as f64 + 0.5,
                        y: y as f64 + 0.5,
                    },
                ),
            };
            out.push(value);
        }
    }
    out
}

/// The window of the source under the grid (two reduced pixels of margin) and the reduction.
fn window_and_factor(
    grid: &AnalysisGrid,
    source: &Georef,
    positions: &[Option<Coord<f64>>],
) -> Option<(Window, u32)> {
    let (mut x0, mut y0, mut x1, mut y1) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
    for p in positions.iter().flatten() {
        x0 = x0.min(p.x);
        y0 = y0.min(p.y);
        x1 = x1.max(p.x);
        y1 = y1.max(p.y);
    }
    if x0 > x1 {
        return None;
    }
    let ratio = match (
        grid.pixel_area_m2(grid.width as f64 / 2.0, grid.height as f64 / 2.0),
        source.centre_pixel_area_m2(),
    ) {
        (Some(g), Some(s)) if s > 0.0 => (g / s).sqrt(),
        _ => 1.0,
    };
    let factor = ratio.floor().clamp(1.0, 4096.0) as u32;
    let margin = 2.0 * f64::from(factor);
    let clamp_x = |v: f64| v.clamp(0.0, f64::from(source.width_px)) as u32;
    let clamp_y = |v: f64| v.clamp(0.0, f64::from(source.height_px)) as u32;
    let window = Window {
        x0: clamp_x((x0 - margin).floor()),
        y0: clamp_y((y0 - margin).floor()),
        x1: clamp_x((x1 + margin).ceil()),
        y1: clamp_y((y1 + margin).ceil()),
    };
    (window.x1 > window.x0 && window.y1 > window.y0).then_some((window, factor))
}

/// Bilinear sample of every band of `raw` at reduced pixel-centre position (`x`, `y`); the
/// nearest valid pixel where a neighbour is invalid; `None` outside or where that is invalid.
fn sample(raw: &RawWindow, x: f64, y: f64, out: &mut [f32]) -> bool {
    let (w, h) = (raw.width as f64, raw.height as f64);
    if !(x >= -0.5 && y >= -0.5 && x < w - 0.5 && y < h - 0.5) {
        return false;
    }
    let cx = x.clamp(0.0, w - 1.0);
    let cy = y.clamp(0.0, h - 1.0);
    let (x0, y0) = (cx.floor() as usize, cy.floor() as usize);
    let (x1, y1) = ((x0 + 1).min(raw.width - 1), (y0 + 1).min(raw.height - 1));
    let (fx, fy) = (cx - x0 as f64, cy - y0 as f64);
    let taps = [
        (y0 * raw.width + x0, (1.0 - fx) * (1.0 - fy)),
        (y0 * raw.width + x1, fx * (1.0 - fy)),
        (y1 * raw.width + x0, (1.0 - fx) * fy),
        (y1 * raw.width + x1, fx * fy),
    ];
    let all_valid = taps
        .iter()
        .all(|&(i, wgt)| wgt == 0.0 || raw.valid.get(i).copied().unwrap_or(false));
    if all_valid {
        for (band, o) in raw.bands.iter().zip(out.iter_mut()) {
            *o = taps
                .iter()
                .map(|&(i, wgt)| wgt * f64::from(band.get(i).copied().unwrap_or(0.0)))
                .sum::<f64>() as f32;
        }
        return true;
    }
    let nearest = (cy.round() as usize).min(raw.height - 1) * raw.width
        + (cx.round() as usize).min(raw.width - 1);
    if !raw.valid.get(nearest).copied().unwrap_or(false) {
        return false;
    }
    for (band, o) in raw.bands.iter().zip(out.iter_mut()) {
        *o = band.get(nearest).copied().unwrap_or(0.0);
    }
    true
}

/// The raw values of the raster at `path` (georeferenced by `source`) on `grid`.
pub fn onto_grid(
    grid: &AnalysisGrid,
    source: &Georef,
    path: &Path,
    limits: &Limits,
) -> Result<BandStack, RasterError> {
    let positions = source_positions(grid, source);
    let Some((window, factor)) = window_and_factor(grid, source, &positions) else {
        let mut empty = BandStack::new(grid.width, grid.height, 0);
        empty.valid.fill(false);
        return Ok(empty);
    };
    let raw = read_window(path, window, factor, limits)?;
    let mut stack = BandStack::new(grid.width, grid.height, raw.bands.len());
    let mut values = vec![0.0f32; raw.bands.len()];
    let f = f64::from(factor);
    for (i, position) in positions.iter().enumerate() {
        let ok = position.is_some_and(|p| {
            let x = (p.x - f64::from(window.x0)) / f - 0.5;
            let y = (p.y - f64::from(window.y0)) / f - 0.5;
            raw.width > 0 && raw.height > 0 && sample(&raw, x, y, &mut values)
        });
        if let Some(v) = stack.valid.get_mut(i) {
            *v = ok;
        }
        if ok {
            for (band, &value) in stack.bands.iter_mut().zip(&values) {
                if let Some(slot) = band.get_mut(i) {
                    *slot = value;
                }
            }
        }
    }
    Ok(stack)
}
