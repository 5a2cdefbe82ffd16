//! Full detail where the analyst is looking, first: a stripped raster without overviews that
//! opens while the map shows only part of it (a project reopened at the site, a scene ten times
//! the view) decodes the strips under the view at full resolution before anything else. Those
//! rows become a crop of the raster, laid over the coarse preview of the whole extent as one
//! stand-in (a mosaic of the two), drawn until the full decode is done.

use super::RasterError;
use super::decode::{Block, BlockSink};
use super::pyramid::BlockAt;
use super::reproject::Placement;
use super::{GeoTransform, RasterTileSource};
use crate::spatial::LonLatBox;

/// A crop is decoded first only when it is at most this share of the raster's rows: past it,
/// the full decode is not much longer.
const MAX_SHARE: f64 = 0.25;

/// The rows of the raster to decode first: those under `focus`, widened to whole strips of
/// `rows_per_strip` rows; `None` when the focus misses the raster or covers too much of it.
#[must_use]
pub fn focus_rows(
    placement: &Placement,
    focus: &LonLatBox,
    rows_per_strip: u32,
) -> Option<std::ops::Range<u32>> {
    const N: u32 = 16;
    let h = f64::from(placement.height_px);
    let w = f64::from(placement.width_px);
    let mut rows: Option<(f64, f64)> = None;
    for i in 0..=N {
        for j in 0..=N {
            let lonlat = geo::Coord {
                x: focus.west + (focus.east - focus.west) * f64::from(i) / f64::from(N),
                y: focus.south + (focus.north - focus.south) * f64::from(j) / f64::from(N),
            };
            let Some(xy) = placement.crs.xy_from_lonlat(lonlat) else {
                continue;
            };
            let px = placement.pixel_from_crs.apply(xy);
            if !(px.x > -w && px.x < 2.0 * w) {
                continue;
            }
            let y = px.y.clamp(0.0, h);
            rows = Some(rows.map_or((y, y), |(lo, hi)| (lo.min(y), hi.max(y))));
        }
    }
    let (lo, hi) = rows?;
    if hi - lo < 1.0 || (hi - lo) / h > MAX_SHARE {
        return None;
    }
    let per = rows_per_strip.max(1);
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "clamped to the raster's rows above"
    )]
    let (first, last) = (
        lo.floor() as u32 / per * per,
        (hi.ceil() as u32).div_ceil(per) * per,
    );
    Some(first..last.min(placement.height_px))
}

/// The transform of a crop that starts `row0` rows down the raster.
#[must_use]
pub fn crop_transform(crs_from_pixel: &GeoTransform, row0: u32) -> GeoTransform {
    let c = crs_from_pixel.0;
    let dy = f64::from(row0);
    GeoTransform([c[0] + c[2] * dy, c[1], c[2], c[3] + c[5] * dy, c[4], c[5]])
}

/// Passes the blocks of rows `rows` to `inner`, moved up to start at row 0.
pub struct CropSink<S> {
    rows: std::ops::Range<u32>,
    inner: S,
}

impl<S: BlockSink> CropSink<S> {
    /// Crops to `rows` for `inner`.
    pub fn new(rows: std::ops::Range<u32>, inner: S) -> Self {
        Self { rows, inner }
    }

    /// The inner sink, once the crop's strips are in.
    pub fn into_inner(self) -> S {
        self.inner
    }
}

impl<S: BlockSink> BlockSink for CropSink<S> {
    fn put(&mut self, b: Block<'_>) {
        // Whole strips are planned for: a block starts inside the crop or is not passed on.
        if b.at.y0 < self.rows.start || b.at.y0 >= self.rows.end {
            return;
        }
        let at = BlockAt {
            y0: b.at.y0 - self.rows.start,
            h: b.at.h.min(self.rows.end - b.at.y0),
            ..b.at
        };
        self.inner.put(Block { at, ..b });
    }

    fn complete_rows(&mut self, rows: u32) -> Result<(), RasterError> {
        self.inner
            .complete_rows(rows.saturating_sub(self.rows.start))
    }

    fn keep_going(&mut self, fraction: f64) -> bool {
        self.inner.keep_going(fraction)
    }
}

impl RasterTileSource {
    /// The coarse preview `coarse` with the full-detail `crop` laid over it, drawn with the
    /// preview's stretch so that the two meet without a seam.
    pub(super) fn preview_with_crop(coarse: Self, crop: Self) -> Self {
        let mut display = coarse.display();
        let limits = coarse.stretch_limits();
        display.stretch = super::Stretch::Bands {
            low: limits.map(|(low, _)| low),
            high: limits.map(|(_, high)| high),
        };
        // A display the crop cannot take leaves its own: it is a stand-in.
        let _ = crop.set_display(display);
        coarse.with_scenes_over(vec![crop])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::imagery::raster::Crs;

    fn placement() -> Placement {
        // 1000 × 1000 px of 0.001° from (10°E, 50°N).
        let crs_from_pixel = GeoTransform::north_up(geo::Coord { x: 10.0, y: 50.0 }, 0.001, 0.001);
        Placement {
            crs: Crs::Wgs84,
            pixel_from_crs: crs_from_pixel.inverse().unwrap(),
            width_px: 1000,
            height_px: 1000,
        }
    }

    #[test]
    fn the_rows_under_a_small_view_widened_to_whole_strips() {
        let focus = LonLatBox::try_from([10.2, 49.7, 10.4, 49.75]).unwrap();
        // Rows 250 to 300, in strips of 16 rows: 240 to 304.
        assert_eq!(focus_rows(&placement(), &focus, 16), Some(240..304));
    }

    #[test]
    fn no_crop_for_a_view_of_most_of_the_raster_or_off_it() {
        let most = LonLatBox::try_from([10.0, 49.2, 11.0, 50.0]).unwrap();
        assert_eq!(focus_rows(&placement(), &most, 16), None);
        let off = LonLatBox::try_from([20.0, 10.0, 20.1, 10.1]).unwrap();
        assert_eq!(focus_rows(&placement(), &off, 16), None);
    }

    #[test]
    fn a_crop_is_placed_its_first_row_down() {
        let t = GeoTransform::north_up(geo::Coord { x: 10.0, y: 50.0 }, 0.001, 0.001);
        let crop = crop_transform(&t, 240);
        let p = crop.apply(geo::Coord { x: 0.0, y: 0.0 });
        assert!(
            (p.x - 10.0).abs() < 1e-12 && (p.y - 49.76).abs() < 1e-12,
            "{p:?}"
        );
    }
}
