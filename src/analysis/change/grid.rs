//! The analysis grid both images are resampled onto.
//!
//! North up in the CRS of the layer with the smaller ground pixel (the earlier one on a tie), at
//! that layer's pixel size and aligned with its pixels, so a pair on one grid (the default
//! project's synthetic scenes) is compared pixel for pixel with no resampling at all. It covers
//! the two layers' overlap, cut to the area of interest. Over
//! [`MAX_GRID_PIXELS`](super::options::MAX_GRID_PIXELS) it is coarsened evenly. A rotated or
//! flipped finer layer gets a north-up grid of its pixel area instead of its own lattice.

use geo::{Coord, LineString, Polygon};

use super::ChangeError;
use super::options::MAX_GRID_PIXELS;
use crate::imagery::raster::{Crs, GeoTransform, RasterTileSource};
use crate::spatial::LonLatBox;
use crate::spatial::measure::area_m2;

/// Points along each edge of the overlap box when it is carried into the grid's CRS.
const EDGE_SAMPLES: u32 = 32;

/// Where a raster lies: its CRS, pixel → CRS transform, size and lon/lat box.
#[derive(Clone, Debug, PartialEq)]
pub struct Georef {
    /// The raster's CRS.
    pub crs: Crs,
    /// Pixel (corner-based) → CRS.
    pub crs_from_pixel: GeoTransform,
    /// Columns.
    pub width_px: u32,
    /// Rows.
    pub height_px: u32,
    /// The lon/lat box around it.
    pub bounds: LonLatBox,
}

impl Georef {
    /// The georeferencing of an open raster.
    #[must_use]
    pub fn of(raster: &RasterTileSource) -> Self {
        let (width_px, height_px) = raster.size_px();
        Self {
            crs: raster.crs().clone(),
            crs_from_pixel: raster.geo_transform(),
            width_px,
            height_px,
            bounds: raster.bounds_lonlat(),
        }
    }

    /// The georeferencing of the raster moved by `offset_m` ground metres `[east, north]`, as
    /// the window draws an aligned layer: the shift measured at the raster's centre on the
    /// sphere Web Mercator uses, carried into the raster's CRS as a translation. `None` where the
    /// CRS cannot take the centre.
    #[must_use]
    pub fn shifted_m(&self, offset_m: [f64; 2]) -> Option<Self> {
        if offset_m == [0.0, 0.0] {
            return Some(self.clone());
        }
        let centre_px = Coord {
            x: f64::from(self.width_px) / 2.0,
            y: f64::from(self.height_px) / 2.0,
        };
        let centre_xy = self.crs_from_pixel.apply(centre_px);
        let centre = self.crs.lonlat_from_xy(centre_xy)?;
        let moved = lonlat_moved(centre, offset_m);
        let moved_xy = self.crs.xy_from_lonlat(moved)?;
        let (dx, dy) = (moved_xy.x - centre_xy.x, moved_xy.y - centre_xy.y);
        let mut t = self.crs_from_pixel.0;
        t[0] += dx;
        t[3] += dy;
        let (dlon, dlat) = (moved.x - centre.x, moved.y - centre.y);
        let b = self.bounds;
        let bounds =
            LonLatBox::try_from([b.west + dlon, b.south + dlat, b.east + dlon, b.north + dlat])
                .ok()?;
        Some(Self {
            crs_from_pixel: GeoTransform(t),
            bounds,
            ..self.clone()
        })
    }

    /// Ground area of the pixel at the raster's centre, m² (`None` outside the CRS's domain).
    #[must_use]
    pub fn centre_pixel_area_m2(&self) -> Option<f64> {
        pixel_area_m2(
            &self.crs,
            &self.crs_from_pixel,
            Coord {
                x: (f64::from(self.width_px) / 2.0).floor(),
                y: (f64::from(self.height_px) / 2.0).floor(),
            },
        )
    }
}

/// A lon/lat moved by ground metres `[east, north]` on the sphere Web Mercator uses (so a
/// shift means the same here as on the map: east metres scale with 1 / cos(latitude)).
#[must_use]
pub fn lonlat_moved(lonlat: Coord<f64>, offset_m: [f64; 2]) -> Coord<f64> {
    let r = crate::spatial::mercator::EARTH_RADIUS_M;
    Coord {
        x: lonlat.x + (offset_m[0] / (r * lonlat.y.to_radians().cos())).to_degrees(),
        y: lonlat.y + (offset_m[1] / r).to_degrees(),
    }
}

/// Ground metres `[east, north]` from `from` to `to`, the inverse of [`lonlat_moved`].
#[must_use]
pub fn ground_offset_m(from: Coord<f64>, to: Coord<f64>) -> [f64; 2] {
    let r = crate::spatial::mercator::EARTH_RADIUS_M;
    [
        (to.x - from.x).to_radians() * r * from.y.to_radians().cos(),
        (to.y - from.y).to_radians() * r,
    ]
}

/// Geodesic area of the pixel whose top-left corner is `corner`, m².
fn pixel_area_m2(crs: &Crs, crs_from_pixel: &GeoTransform, corner: Coord<f64>) -> Option<f64> {
    let ring: Option<Vec<Coord<f64>>> =
        [(0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0), (0.0, 0.0)]
            .iter()
            .map(|&(dx, dy)| {
                crs.lonlat_from_xy(crs_from_pixel.apply(Coord {
                    x: corner.x + dx,
                    y: corner.y + dy,
                }))
            })
            .collect();
    let mut ring = ring?;
    // Counter-clockwise, or the geodesic area is the rest of the Earth.
    let twice_area: f64 = ring
        .windows(2)
        .map(|w| match w {
            [a, b] => a.x * b.y - b.x * a.y,
            _ => 0.0,
        })
        .sum();
    if twice_area < 0.0 {
        ring.reverse();
    }
    let area = area_m2(&Polygon::new(LineString::from(ring), vec![]));
    (area.is_finite() && area > 0.0).then_some(area)
}

/// The grid both images are compared on.
#[derive(Clone, Debug, PartialEq)]
pub struct AnalysisGrid {
    /// Its CRS (the finer layer's).
    pub crs: Crs,
    /// Pixel (corner-based) → CRS, north up.
    pub crs_from_pixel: GeoTransform,
    /// Columns.
    pub width: usize,
    /// Rows.
    pub height: usize,
}

fn intersect(a: LonLatBox, b: LonLatBox) -> Option<LonLatBox> {
    LonLatBox::try_from([
        a.west.max(b.west),
        a.south.max(b.south),
        a.east.min(b.east),
        a.north.min(b.north),
    ])
    .ok()
}

impl AnalysisGrid {
    /// Lon/lat of a point in grid pixel coordinates (`(0.5, 0.5)`: the first pixel's centre).
    #[must_use]
    pub fn lonlat_of(&self, px: Coord<f64>) -> Option<Coord<f64>> {
        self.crs.lonlat_from_xy(self.crs_from_pixel.apply(px))
    }

    /// Ground area of the pixel at grid column `x`, row `y`, m².
    #[must_use]
    pub fn pixel_area_m2(&self, x: f64, y: f64) -> Option<f64> {
        pixel_area_m2(&self.crs, &self.crs_from_pixel, Coord { x, y })
    }

    /// The grid for comparing `before` with `after` (see the module docs).
    pub fn covering(
        before: &Georef,
        after: &Georef,
        area_of_interest: Option<LonLatBox>,
    ) -> Result<Self, ChangeError> {
        Self::covering_at_most(before, after, area_of_interest, MAX_GRID_PIXELS)
    }

    /// [`Self::covering`], coarsened to at most `max_pixels` pixels.
    pub fn covering_at_most(
        before: &Georef,
        after: &Georef,
        area_of_interest: Option<LonLatBox>,
        max_pixels: u64,
    ) -> Result<Self, ChangeError> {
        let no_overlap = || ChangeError::NoOverlap {
            within_area: area_of_interest.is_some(),
        };
        let mut overlap = intersect(before.bounds, after.bounds).ok_or_else(no_overlap)?;
        if let Some(aoi) = area_of_interest {
            overlap = intersect(overlap, aoi).ok_or_else(no_overlap)?;
        }
        let finer = match (before.centre_pixel_area_m2(), after.centre_pixel_area_m2()) {
            (Some(a), Some(b)) if b < a => after,
            (None, Some(_)) => after,
            _ => before,
        };
        // The overlap's outline in the finer layer's CRS.
        let edge = (0..=EDGE_SAMPLES).flat_map(|i| {
            let t = f64::from(i) / f64::from(EDGE_SAMPLES);
            let lon = overlap.west + t * (overlap.east - overlap.west);
            let lat = overlap.south + t * (overlap.north - overlap.south);
            [
                (lon, overlap.south),
                (lon, overlap.north),
                (overlap.west, lat),
                (overlap.east, lat),
            ]
        });
        let xys: Vec<Coord<f64>> = edge
            .filter_map(|(x, y)| finer.crs.xy_from_lonlat(Coord { x, y }))
            .collect();
        if xys.len() < 4 {
            return Err(no_overlap());
        }
        let (min_x, max_x, min_y, max_y) = xys.iter().fold(
            (f64::MAX, f64::MIN, f64::MAX, f64::MIN),
            |(a, b, c, d), p| (a.min(p.x), b.max(p.x), c.min(p.y), d.max(p.y)),
        );
        let t = finer.crs_from_pixel.0;
        let north_up = t[2] == 0.0 && t[4] == 0.0 && t[1] > 0.0 && t[5] < 0.0;
        let (origin, mut pixel_w, mut pixel_h, mut width, mut height) = if north_up {
            let (pw, ph) = (t[1], -t[5]);
            let col0 = ((min_x - t[0]) / pw).floor().max(0.0);
            let col1 = ((max_x - t[0]) / pw).ceil().min(f64::from(finer.width_px));
            let row0 = ((t[3] - max_y) / ph).floor().max(0.0);
            let row1 = ((t[3] - min_y) / ph).ceil().min(f64::from(finer.height_px));
            (
                Coord {
                    x: t[0] + col0 * pw,
                    y: t[3] - row0 * ph,
                },
                pw,
                ph,
                col1 - col0,
                row1 - row0,
            )
        } else {
            let size = (t[1] * t[5] - t[2] * t[4]).abs().sqrt();
            (
                Coord { x: min_x, y: max_y },
                size,
                size,
                ((max_x - min_x) / size).ceil(),
                ((max_y - min_y) / size).ceil(),
            )
        };
        if !(width >= 1.0 && height >= 1.0 && pixel_w > 0.0 && pixel_h > 0.0) {
            return Err(no_overlap());
        }
        let pixels = width * height;
        if pixels > max_pixels as f64 {
            let factor = (pixels / max_pixels.max(1) as f64).sqrt();
            pixel_w *= factor;
            pixel_h *= factor;
            width = (width / factor).floor().max(1.0);
            height = (height / factor).floor().max(1.0);
        }
        Ok(Self {
            crs: finer.crs.clone(),
            crs_from_pixel: GeoTransform::north_up(origin, pixel_w, pixel_h),
            width: width as usize,
            height: height as usize,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utm(x0: f64, y0: f64, size: f64, w: u32, h: u32) -> Georef {
        let crs = Crs::Utm {
            zone: 52,
            north: true,
        };
        let t = GeoTransform::north_up(Coord { x: x0, y: y0 }, size, size);
        let (fw, fh) = (f64::from(w), f64::from(h));
        let corners = [(0.0, 0.0), (fw, 0.0), (fw, fh), (0.0, fh)]
            .map(|(x, y)| crs.lonlat_from_xy(t.apply(Coord { x, y })).unwrap());
        Georef {
            bounds: LonLatBox::around(corners).unwrap(),
            crs,
            crs_from_pixel: t,
            width_px: w,
            height_px: h,
        }
    }

    #[test]
    fn a_ground_shift_moves_the_georeference_and_comes_back_as_itself() {
        let a = utm(300_000.0, 4_700_000.0, 3.0, 200, 100);
        assert_eq!(a.shifted_m([0.0, 0.0]), Some(a.clone()));
        let moved = a.shifted_m([30.0, -15.0]).unwrap();
        // UTM metres are ground metres to within the projection's scale (under 0.1 % here),
        // turned by the grid convergence (a degree or two): the shift is 30 m and 15 m.
        let dx = moved.crs_from_pixel.0[0] - a.crs_from_pixel.0[0];
        let dy = moved.crs_from_pixel.0[3] - a.crs_from_pixel.0[3];
        assert!(
            (dx.hypot(dy) - 30f64.hypot(15.0)).abs() < 0.2,
            "({dx}, {dy})"
        );
        assert!(dx > 29.0 && dy < -14.0, "({dx}, {dy})");
        assert!((moved.crs_from_pixel.0[1] - a.crs_from_pixel.0[1]).abs() < 1e-12);
        let from = Coord { x: 130.6, y: 42.4 };
        let back = ground_offset_m(from, lonlat_moved(from, [30.0, -15.0]));
        assert!(
            (back[0] - 30.0).abs() < 1e-6 && (back[1] + 15.0).abs() < 1e-6,
            "{back:?}"
        );
    }

    #[test]
    fn one_layer_on_itself_keeps_its_own_grid() {
        let a = utm(300_000.0, 4_700_000.0, 3.0, 200, 100);
        let grid = AnalysisGrid::covering(&a, &a, None).unwrap();
        assert_eq!((grid.width, grid.height), (200, 100));
        assert_eq!(grid.crs_from_pixel, a.crs_from_pixel);
        let area = grid.pixel_area_m2(100.0, 50.0).unwrap();
        assert!((area - 9.0).abs() < 0.1, "{area}");
    }

    #[test]
    fn the_finer_layer_sets_the_grid_and_the_overlap_its_extent() {
        let coarse = utm(300_000.0, 4_700_000.0, 10.0, 100, 100);
        let fine = utm(300_500.0, 4_699_500.0, 2.0, 1000, 1000);
        let grid = AnalysisGrid::covering(&coarse, &fine, None).unwrap();
        assert!((grid.crs_from_pixel.0[1] - 2.0).abs() < 1e-9);
        // The overlap is 500 m × 500 m, plus the slack of passing through a lon/lat box (UTM's
        // grid north is not true north): a few pixels, which the rasters' masks then leave out.
        assert!((250..=275).contains(&grid.width), "{}", grid.width);
        assert!((250..=275).contains(&grid.height), "{}", grid.height);
    }

    #[test]
    fn a_huge_overlap_is_coarsened_under_the_cap() {
        let a = utm(300_000.0, 4_700_000.0, 1.0, 5000, 5000);
        let grid = AnalysisGrid::covering(&a, &a, None).unwrap();
        assert!((grid.width * grid.height) as u64 <= MAX_GRID_PIXELS);
        assert!(grid.width >= 1990, "{}", grid.width);
    }

    #[test]
    fn layers_apart_or_an_area_elsewhere_do_not_overlap() {
        let a = utm(300_000.0, 4_700_000.0, 3.0, 100, 100);
        let b = utm(400_000.0, 4_700_000.0, 3.0, 100, 100);
        assert!(matches!(
            AnalysisGrid::covering(&a, &b, None),
            Err(ChangeError::NoOverlap { within_area: false })
        ));
        let far = LonLatBox::try_from([0.0, 0.0, 1.0, 1.0]).unwrap();
        assert!(matches!(
            AnalysisGrid::covering(&a, &a, Some(far)),
            Err(ChangeError::NoOverlap { within_area: true })
        ));
    }
}
