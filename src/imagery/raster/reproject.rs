//! Reprojecting a raster into one Web Mercator tile: where every output pixel comes from in the
//! source (a mesh of exact transforms, bilinear in between), then bilinear resampling from the
//! pyramid level that fits the zoom.
//!
//! The mesh starts at one node every [`MESH_STEP_PX`] output pixels. The error of bilinear
//! interpolation inside a cell is dominated by the second derivatives of the mapping and peaks at
//! the cell's centre (for a quadratic it is exactly `h²/8 · (|f_xx| + |f_yy|)` there), so each
//! cell touching the raster is checked at its centre against the exact transform; if any is off
//! by more than [`MESH_TOLERANCE_PX`] output pixels the step is halved, down to the exact
//! transform at every pixel. `tests/geotiff.rs` checks every pixel of many tiles against the
//! exact transform.

#![allow(
    clippy::many_single_char_names,
    reason = "mesh and bilinear formulae name their terms as the maths does"
)]

use geo::Coord;
use image::RgbaImage;

use super::crs::Crs;
use super::georef::GeoTransform;
use super::pyramid::{CHUNK_PX, Pyramid, Sample, SpillError};
use super::stretch::Resolved;
use crate::imagery::{TileKey, ViewRect};
use crate::spatial::mercator::lonlat_from_world_px;

/// Output pixels between mesh nodes to start with.
pub const MESH_STEP_PX: u32 = 16;
/// Largest interpolation error allowed at a cell's centre, in output pixels.
pub const MESH_TOLERANCE_PX: f64 = 0.05;
/// Largest source window read for one tile, pixels (a coarser level is used beyond it).
const MAX_WINDOW_PX: u64 = 1024 * 1024;

/// Where a raster sits: its CRS and the transform from CRS to pixel coordinates.
#[derive(Clone, Debug, PartialEq)]
pub struct Placement {
    /// The raster's CRS.
    pub crs: Crs,
    /// CRS → level-0 pixel coordinates (corner-based: pixel `i` spans `i..i+1`).
    pub pixel_from_crs: GeoTransform,
    /// Width, pixels.
    pub width_px: u32,
    /// Height, pixels.
    pub height_px: u32,
}

/// Exact transforms at the nodes of a square grid over the output pixels.
struct Mesh {
    nodes: Vec<Option<Coord<f64>>>,
    nx: usize,
    ny: usize,
    step: u32,
}

/// The source position of every output pixel of a tile (or of any rectangle of output pixels).
#[derive(Clone, Debug)]
pub struct TileCoords {
    /// Level-0 pixel coordinates of each output pixel's centre, row-major; NaN where the
    /// transform has no answer.
    pub px: Vec<[f64; 2]>,
    /// Width and height of the output, pixels.
    pub size_px: [u32; 2],
    /// Source pixels per output pixel (geometric mean of the two axes), over the raster.
    pub scale: f64,
    /// Mesh step used, output pixels.
    pub step_px: u32,
    /// True when some output pixel falls on the raster.
    pub any_inside: bool,
}

impl Placement {
    /// Exact level-0 pixel coordinates of a point given in world pixels at `zoom`.
    #[must_use]
    pub fn source_px(&self, world_px: Coord<f64>, zoom: f64) -> Option<Coord<f64>> {
        let lonlat = lonlat_from_world_px(world_px, zoom);
        let xy = self.crs.xy_from_lonlat(lonlat)?;
        let p = self.pixel_from_crs.apply(xy);
        (p.x.is_finite() && p.y.is_finite()).then_some(p)
    }

    fn near_raster(&self, p: Coord<f64>, margin_px: f64) -> bool {
        p.x >= -margin_px
            && p.y >= -margin_px
            && p.x <= f64::from(self.width_px) + margin_px
            && p.y <= f64::from(self.height_px) + margin_px
    }

    /// Where the output pixels of tile `key` come from.
    pub fn tile_coords(&self, key: TileKey) -> TileCoords {
        self.rect_coords(&ViewRect::of_tile(key))
    }

    /// Where the output pixels of `rect` come from.
    pub fn rect_coords(&self, rect: &ViewRect) -> TileCoords {
        let zoom = rect.zoom;
        let origin = rect.origin_world_px;
        let exact = |tx: f64, ty: f64| {
            self.source_px(
                Coord {
                    x: origin.x + tx,
                    y: origin.y + ty,
                },
                zoom,
            )
        };
        let [w, h] = rect.size_px;
        let mut step = MESH_STEP_PX;
        loop {
            let nx = (w.div_ceil(step) + 1).max(2) as usize;
            let ny = (h.div_ceil(step) + 1).max(2) as usize;
            let nodes: Vec<Option<Coord<f64>>> = (0..nx * ny)
                .map(|i| {
                    exact(
                        ((i % nx) as u32 * step).into(),
                        ((i / nx) as u32 * step).into(),
                    )
                })
                .collect();
            let mut worst = 0f64;
            let mut scales = Vec::new();
            for cy in 0..ny - 1 {
                for cx in 0..nx - 1 {
                    let corner = |dx: usize, dy: usize| {
                        nodes.get((cy + dy) * nx + cx + dx).copied().flatten()
                    };
                    let (Some(a), Some(b), Some(c), Some(d)) =
                        (corner(0, 0), corner(1, 0), corner(0, 1), corner(1, 1))
                    else {
                        continue;
                    };
                    let margin = 2.0 * (b.x - a.x).abs().max((c.y - a.y).abs()).max(1.0);
                    if ![a, b, c, d].iter().any(|p| self.near_raster(*p, margin)) {
                        continue;
                    }
                    let h = f64::from(step);
                    let jac =
                        ((b.x - a.x) * (c.y - a.y) - (b.y - a.y) * (c.x - a.x)).abs() / (h * h);
                    let scale = jac.sqrt().max(1e-12);
                    scales.push(scale);
                    if step > 1 {
                        let mid = Coord {
                            x: (a.x + b.x + c.x + d.x) / 4.0,
                            y: (a.y + b.y + c.y + d.y) / 4.0,
                        };
                        let Some(e) = exact((cx as f64 + 0.5) * h, (cy as f64 + 0.5) * h) else {
                            worst = f64::INFINITY;
                            continue;
                        };
                        worst = worst.max((e.x - mid.x).hypot(e.y - mid.y) / scale);
                    }
                }
            }
            if worst > MESH_TOLERANCE_PX && step > 1 {
                step /= 2;
                continue;
            }
            scales.sort_by(f64::total_cmp);
            let scale = scales.get(scales.len() / 2).copied().unwrap_or(1.0);
            return self.fill(
                &Mesh {
                    nodes,
                    nx,
                    ny,
                    step,
                },
                rect.size_px,
                scale,
                exact,
            );
        }
    }

    fn fill(
        &self,
        mesh: &Mesh,
        size_px: [u32; 2],
        scale: f64,
        exact: impl Fn(f64, f64) -> Option<Coord<f64>>,
    ) -> TileCoords {
        let [w, h] = size_px;
        let mut px = vec![[f64::NAN; 2]; w as usize * h as usize];
        let step = f64::from(mesh.step);
        let (nx, ny) = (mesh.nx, mesh.ny);
        let mut any_inside = false;
        let mut row_nodes: Vec<Option<Coord<f64>>> = Vec::with_capacity(nx);
        for y in 0..h {
            let ty = (f64::from(y) + 0.5) / step;
            // Non-negative: the cast is the floor.
            let cy = (ty as usize).min(ny - 2);
            let fy = ty - cy as f64;
            // The mesh's columns at this row, interpolated down once for the whole row.
            row_nodes.clear();
            row_nodes.extend((0..nx).map(|j| {
                let node = |dy: usize| mesh.nodes.get((cy + dy) * nx + j).copied().flatten();
                let (a, c) = (node(0)?, node(1)?);
                Some(Coord {
                    x: a.x * (1.0 - fy) + c.x * fy,
                    y: a.y * (1.0 - fy) + c.y * fy,
                })
            }));
            for x in 0..w {
                let tx = (f64::from(x) + 0.5) / step;
                let cx = (tx as usize).min(nx - 2);
                let fx = tx - cx as f64;
                let column = |dx: usize| row_nodes.get(cx + dx).copied().flatten();
                let p = match (column(0), column(1)) {
                    (Some(a), Some(b)) => Some(Coord {
                        x: a.x * (1.0 - fx) + b.x * fx,
                        y: a.y * (1.0 - fx) + b.y * fx,
                    }),
                    _ => exact(f64::from(x) + 0.5, f64::from(y) + 0.5),
                };
                if let (Some(p), Some(slot)) = (p, px.get_mut((y * w + x) as usize)) {
                    *slot = [p.x, p.y];
                    any_inside |= self.inside(p.x, p.y);
                }
            }
        }
        TileCoords {
            px,
            size_px,
            scale,
            step_px: mesh.step,
            any_inside,
        }
    }

    fn inside(&self, u: f64, v: f64) -> bool {
        u >= 0.0 && v >= 0.0 && u < f64::from(self.width_px) && v < f64::from(self.height_px)
    }
}

/// How much coarser than a screen pixel a streamed raster's level may be (GDAL's overview
/// choice allows the same).
const STREAMED_OVERSAMPLING: f64 = 1.2;

/// How samples become RGBA.
#[derive(Clone, Copy, Debug)]
pub struct Look<'a, T> {
    /// Bands and stretch.
    pub resolved: Resolved,
    /// Per channel, held value → the held value it is shown as (a comparison's histogram
    /// match), applied before the stretch.
    pub matched: Option<&'a [Vec<f32>; 3]>,
    /// Brightness, contrast and gamma as a curve over the stretched 0–255 value.
    pub tone: Option<&'a [u8; 256]>,
    /// Pixels whose every band holds this are transparent.
    pub nodata: Option<T>,
    /// Band (from 0) holding alpha, and its full-opacity value.
    pub alpha: Option<(usize, f32)>,
}

/// A block of one level copied out of its chunks, with a border for bilinear taps.
struct Window<T> {
    x0: u32,
    y0: u32,
    w: u32,
    bands: usize,
    data: Vec<T>,
}

impl<T: Sample> Window<T> {
    fn read(
        pyr: &Pyramid<T>,
        k: usize,
        x0: u32,
        y0: u32,
        x1: u32,
        y1: u32,
    ) -> Result<Self, SpillError> {
        let (w, h) = (x1 - x0, y1 - y0);
        let bands = pyr.bands();
        let mut data = vec![T::default(); w as usize * h as usize * bands];
        let Some(size) = pyr.level_size(k) else {
            return Ok(Self {
                x0,
                y0,
                w,
                bands,
                data,
            });
        };
        pyr.prefetch(
            k,
            x0 / CHUNK_PX..=(x1 - 1) / CHUNK_PX,
            y0 / CHUNK_PX..=(y1 - 1) / CHUNK_PX,
        );
        for cy in y0 / CHUNK_PX..=(y1 - 1) / CHUNK_PX {
            for cx in x0 / CHUNK_PX..=(x1 - 1) / CHUNK_PX {
                let Some(chunk) = pyr.chunk(k, cx, cy)? else {
                    continue;
                };
                let (cw, _) = size.chunk_size(cx, cy);
                let (rx0, rx1) = ((cx * CHUNK_PX).max(x0), ((cx + 1) * CHUNK_PX).min(x1));
                let (ry0, ry1) = ((cy * CHUNK_PX).max(y0), ((cy + 1) * CHUNK_PX).min(y1));
                let n = (rx1 - rx0) as usize * bands;
                for y in ry0..ry1 {
                    let s0 = ((y - cy * CHUNK_PX) * cw + (rx0 - cx * CHUNK_PX)) as usize * bands;
                    let d0 = ((y - y0) * w + (rx0 - x0)) as usize * bands;
                    if let (Some(s), Some(d)) = (chunk.get(s0..s0 + n), data.get_mut(d0..d0 + n)) {
                        d.copy_from_slice(s);
                    }
                }
            }
        }
        Ok(Self {
            x0,
            y0,
            w,
            bands,
            data,
        })
    }

    fn pixel(&self, x: u32, y: u32) -> Option<&[T]> {
        let i =
            ((y.checked_sub(self.y0)?) * self.w + x.checked_sub(self.x0)?) as usize * self.bands;
        self.data.get(i..i + self.bands)
    }
}

/// `v.floor()` without the library call (`f64::floor` is one on baseline x86-64), for values
/// well inside ±2⁶³.
fn floor(v: f64) -> f64 {
    let t = v as i64 as f64;
    if t > v { t - 1.0 } else { t }
}

/// Draws one tile (or any rectangle of output pixels) from the pyramid level that fits it.
pub fn render_tile<T: Sample>(
    pyr: &Pyramid<T>,
    placement: &Placement,
    coords: &TileCoords,
    look: &Look<'_, T>,
) -> Result<RgbaImage, SpillError> {
    render_at(pyr, placement, coords, look, level_for(pyr, coords.scale))
}

/// The pyramid level drawn where `scale` source pixels make one output pixel: the finest
/// level no finer than needed (a streamed raster, which pays for each level it reads, takes a
/// level up to 1.2× coarser than the output's pixels, as GDAL does).
pub fn level_for<T: Sample>(pyr: &Pyramid<T>, scale: f64) -> usize {
    let levels = pyr.level_count().max(1);
    let oversampling = if pyr.is_streamed() {
        STREAMED_OVERSAMPLING
    } else {
        1.0
    };
    level_of_scale(scale * oversampling).min(levels - 1)
}

/// The finest 2×-averaged level whose pixels are no smaller than `scale` level-0 pixels (how
/// many levels the pyramid has aside).
#[must_use]
pub fn level_of_scale(scale: f64) -> usize {
    scale.max(1.0).log2().floor() as usize
}

/// Draws the output pixels of `coords` from level `k` (or a coarser one where the source
/// window would be too large).
pub fn render_at<T: Sample>(
    pyr: &Pyramid<T>,
    placement: &Placement,
    coords: &TileCoords,
    look: &Look<'_, T>,
    k: usize,
) -> Result<RgbaImage, SpillError> {
    let [out_w, out_h] = coords.size_px;
    let mut out = RgbaImage::new(out_w, out_h);
    if !coords.any_inside {
        return Ok(out);
    }
    let levels = pyr.level_count().max(1);
    let mut k = k.min(levels - 1);
    // Bounding box of the pixels on the raster, in level-0 pixels.
    let (mut u0, mut v0, mut u1, mut v1) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
    for p in &coords.px {
        if placement.inside(p[0], p[1]) {
            u0 = u0.min(p[0]);
            v0 = v0.min(p[1]);
            u1 = u1.max(p[0]);
            v1 = v1.max(p[1]);
        }
    }
    let window = loop {
        let Some(size) = pyr.level_size(k) else {
            return Ok(out);
        };
        let f = f64::from(1u32 << k);
        let clamp_x = |v: f64| (v.max(0.0) as u32).min(size.width_px);
        let clamp_y = |v: f64| (v.max(0.0) as u32).min(size.height_px);
        let (x0, y0) = (
            clamp_x((u0 / f - 1.5).floor()),
            clamp_y((v0 / f - 1.5).floor()),
        );
        let (x1, y1) = (
            clamp_x((u1 / f + 1.5).ceil()),
            clamp_y((v1 / f + 1.5).ceil()),
        );
        if x1 <= x0 || y1 <= y0 {
            return Ok(out);
        }
        if u64::from(x1 - x0) * u64::from(y1 - y0) > MAX_WINDOW_PX && k + 1 < levels {
            k += 1;
            continue;
        }
        break Window::read(pyr, k, x0, y0, x1, y1)?;
    };
    let Some(size) = pyr.level_size(k) else {
        return Ok(out);
    };
    let f = f64::from(1u32 << k);
    let r = &look.resolved;
    for (i, p) in coords.px.iter().enumerate() {
        if !placement.inside(p[0], p[1]) {
            continue;
        }
        // Continuous level coordinates, then pixel-centre based for the taps.
        let fu = p[0] / f - 0.5;
        let fv = p[1] / f - 0.5;
        let (xa, ya) = (floor(fu), floor(fv));
        let (wx, wy) = ((fu - xa) as f32, (fv - ya) as f32);
        let max_x = f64::from(size.width_px - 1);
        let max_y = f64::from(size.height_px - 1);
        let x_lo = xa.clamp(0.0, max_x) as u32;
        let x_hi = (xa + 1.0).clamp(0.0, max_x) as u32;
        let y_lo = ya.clamp(0.0, max_y) as u32;
        let y_hi = (ya + 1.0).clamp(0.0, max_y) as u32;
        let taps = [
            (x_lo, y_lo, (1.0 - wx) * (1.0 - wy)),
            (x_hi, y_lo, wx * (1.0 - wy)),
            (x_lo, y_hi, (1.0 - wx) * wy),
            (x_hi, y_hi, wx * wy),
        ];
        let mut acc = [0f32; 3];
        let mut alpha_acc = 0f32;
        let mut weight = 0f32;
        for (x, y, w) in taps {
            let Some(px) = window.pixel(x, y) else {
                continue;
            };
            if look.nodata.is_some_and(|nd| px.iter().all(|v| *v == nd)) {
                continue;
            }
            for (a, &b) in acc.iter_mut().zip(&r.bands) {
                *a += w * px.get(b).map_or(0.0, |v| v.to_f32());
            }
            if let Some((ab, max)) = look.alpha {
                alpha_acc += w * px.get(ab).map_or(max, |v| v.to_f32()) / max;
            } else {
                alpha_acc += w;
            }
            weight += w;
        }
        if weight <= 1e-6 {
            continue;
        }
        let mut rgba = [0u8; 4];
        for c in 0..3 {
            let mut v = acc[c] / weight;
            if let Some(lut) = look.matched.and_then(|m| m.get(c)) {
                v = super::shared_stretch::lookup(lut, v);
            }
            rgba[c] = r.byte(c, v);
            if let Some(curve) = look.tone {
                rgba[c] = curve[usize::from(rgba[c])];
            }
        }
        // Coverage by valid taps makes nodata edges soft instead of jagged.
        // Rounded; the cast saturates at 0 and 255.
        rgba[3] = (alpha_acc * 255.0 + 0.5) as u8;
        if let Some(slot) = out.get_mut(i * 4..i * 4 + 4) {
            slot.copy_from_slice(&rgba);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spatial::mercator::world_px_from_lonlat;

    fn wgs84_degree_square() -> Placement {
        // 1000 × 1000 pixels over 130–131° E, 42–43° N.
        Placement {
            crs: Crs::Wgs84,
            pixel_from_crs: GeoTransform([130.0, 0.001, 0.0, 43.0, 0.0, -0.001])
                .inverse()
                .unwrap(),
            width_px: 1000,
            height_px: 1000,
        }
    }

    #[test]
    fn a_tile_away_from_the_raster_has_nothing_on_it() {
        let p = wgs84_degree_square();
        let coords = p.tile_coords(TileKey { z: 10, x: 0, y: 0 });
        assert!(!coords.any_inside);
    }

    #[test]
    fn the_mesh_matches_the_exact_transform_at_its_nodes_and_pixel_centres() {
        let p = wgs84_degree_square();
        let w = world_px_from_lonlat(Coord { x: 130.5, y: 42.5 }, 12.0);
        let key = TileKey {
            z: 12,
            x: (w.x / 256.0) as u32,
            y: (w.y / 256.0) as u32,
        };
        let coords = p.tile_coords(key);
        assert!(coords.any_inside);
        // At z12 a source pixel (0.001°) is 2.91 output pixels wide and, at 42.5° N, 3.95 tall:
        // 1 / √(2.91 · 3.95) source pixels per output pixel.
        assert!((coords.scale - 0.295).abs() < 0.002, "{}", coords.scale);
        for (x, y) in [(0u32, 0u32), (100, 37), (255, 255)] {
            let world = Coord {
                x: f64::from(key.x * 256 + x) + 0.5,
                y: f64::from(key.y * 256 + y) + 0.5,
            };
            let exact = p.source_px(world, 12.0).unwrap();
            let mesh = coords.px[(y * 256 + x) as usize];
            let err_px = (mesh[0] - exact.x).hypot(mesh[1] - exact.y) / coords.scale;
            assert!(err_px < MESH_TOLERANCE_PX, "{err_px}");
        }
    }
}
