//! Which tiles of an XYZ source cover part of a map view, and where each lies on screen: the
//! window draws its imagery layers from this (clipped, offset and faded per op), choosing the
//! level of detail as walkers does for the basemap so the two line up.

use geo::Coord;

use crate::imagery::TileKey;
use crate::spatial::mercator::{TILE_SIZE, world_px_from_lonlat};

/// Deepest level a tile address can have here.
const MAX_TILE_ZOOM: i32 = 30;

/// A map view in screen pixels: what the window's projector knows.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MapView {
    /// Lon/lat at the view's centre.
    pub center: Coord<f64>,
    /// Screen position of that centre, pixels.
    pub center_px: [f64; 2],
    /// Map zoom (fractional; 256 px tiles).
    pub zoom: f64,
}

/// One tile and the screen rectangle it fills, `[x0, y0, x1, y1]` in pixels.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CoveredTile {
    /// The tile.
    pub key: TileKey,
    /// Where it goes.
    pub rect_px: [f64; 4],
}

/// The tile level a source of `tile_size` px tiles is read at, at map zoom `zoom`: the map zoom
/// rounded, one level up per doubling of the tile size (as walkers picks it).
#[must_use]
pub fn tile_level(zoom: f64, tile_size: u32) -> u8 {
    let offset = (f64::from(tile_size.max(1)) / TILE_SIZE).log2().round() as i32;
    ((zoom.round() as i32) - offset).clamp(0, MAX_TILE_ZOOM) as u8
}

/// The tiles of a `tile_size` px source that cover `area_px` (`[x0, y0, x1, y1]` on screen) of
/// `view`, rows north to south, each with its screen rectangle. Nothing outside the world.
#[must_use]
pub fn tiles_covering(view: &MapView, tile_size: u32, area_px: [f64; 4]) -> Vec<CoveredTile> {
    let [x0, y0, x1, y1] = area_px;
    // Also refuses NaN edges: every comparison with NaN is false.
    #[allow(clippy::nonminimal_bool)]
    if !(x1 > x0 && y1 > y0) || !view.zoom.is_finite() {
        return Vec::new();
    }
    let level = tile_level(view.zoom, tile_size);
    let center = world_px_from_lonlat(view.center, view.zoom);
    // One tile's edge on screen, and the screen position of the world's top-left corner.
    let edge = TILE_SIZE * 2f64.powf(view.zoom - f64::from(level));
    let origin = [view.center_px[0] - center.x, view.center_px[1] - center.y];
    let count = f64::from(1u32 << level);
    let range = |lo: f64, hi: f64, o: f64| -> Option<(u32, u32)> {
        let first = ((lo - o) / edge).floor().max(0.0);
        let last = ((hi - o) / edge).ceil().min(count) - 1.0;
        (last >= first).then_some((first as u32, last as u32))
    };
    let (Some((c0, c1)), Some((r0, r1))) = (range(x0, x1, origin[0]), range(y0, y1, origin[1]))
    else {
        return Vec::new();
    };
    let mut out = Vec::with_capacity(((c1 - c0 + 1) * (r1 - r0 + 1)) as usize);
    for y in r0..=r1 {
        for x in c0..=c1 {
            let left = origin[0] + f64::from(x) * edge;
            let top = origin[1] + f64::from(y) * edge;
            out.push(CoveredTile {
                key: TileKey { z: level, x, y },
                rect_px: [left, top, left + edge, top + edge],
            });
        }
    }
    out
}

#[cfg(test)]
#[allow(clippy::float_cmp)] // tile edges at integer zooms are exact
mod tests {
    use super::*;

    fn view(lon: f64, lat: f64, zoom: f64) -> MapView {
        MapView {
            center: Coord { x: lon, y: lat },
            center_px: [400.0, 300.0],
            zoom,
        }
    }

    #[test]
    fn at_zoom_zero_the_one_world_tile_is_centred_on_null_island() {
        let tiles = tiles_covering(&view(0.0, 0.0, 0.0), 256, [0.0, 0.0, 800.0, 600.0]);
        assert_eq!(tiles.len(), 1);
        assert_eq!(tiles[0].key, TileKey { z: 0, x: 0, y: 0 });
        assert_eq!(tiles[0].rect_px, [272.0, 172.0, 528.0, 428.0]);
    }

    #[test]
    fn the_tiles_cover_the_area_without_gaps_and_no_more() {
        let v = view(130.64, 42.43, 15.3);
        let area = [10.0, 20.0, 790.0, 580.0];
        let tiles = tiles_covering(&v, 256, area);
        assert!(tiles.iter().all(|t| t.key.z == 15));
        let x_min = tiles.iter().map(|t| t.rect_px[0]).fold(f64::MAX, f64::min);
        let x_max = tiles.iter().map(|t| t.rect_px[2]).fold(f64::MIN, f64::max);
        let y_min = tiles.iter().map(|t| t.rect_px[1]).fold(f64::MAX, f64::min);
        let y_max = tiles.iter().map(|t| t.rect_px[3]).fold(f64::MIN, f64::max);
        assert!(x_min <= area[0] && x_max >= area[2] && y_min <= area[1] && y_max >= area[3]);
        // No tile lies wholly outside the area.
        assert!(tiles.iter().all(|t| t.rect_px[2] > area[0]
            && t.rect_px[0] < area[2]
            && t.rect_px[3] > area[1]
            && t.rect_px[1] < area[3]));
        // Neighbours share edges: the rectangles tile the plane.
        let edge = tiles[0].rect_px[2] - tiles[0].rect_px[0];
        assert!((edge - 256.0 * 2f64.powf(0.3)).abs() < 1e-9);
    }

    #[test]
    fn the_view_centre_falls_in_the_tile_that_holds_it() {
        let v = view(130.64, 42.43, 16.0);
        let tiles = tiles_covering(&v, 256, [399.0, 299.0, 401.0, 301.0]);
        let world = world_px_from_lonlat(v.center, 16.0);
        let expected = TileKey {
            z: 16,
            x: (world.x / 256.0) as u32,
            y: (world.y / 256.0) as u32,
        };
        assert!(tiles.iter().any(|t| t.key == expected
            && t.rect_px[0] <= 400.0
            && t.rect_px[2] >= 400.0
            && t.rect_px[1] <= 300.0
            && t.rect_px[3] >= 300.0));
    }

    #[test]
    fn larger_tiles_are_read_a_level_up_and_small_ones_a_level_down() {
        assert_eq!(tile_level(15.4, 256), 15);
        assert_eq!(tile_level(15.6, 256), 16);
        assert_eq!(tile_level(15.0, 512), 14);
        assert_eq!(tile_level(15.0, 128), 16);
        assert_eq!(tile_level(0.2, 512), 0);
        let tiles = tiles_covering(&view(0.0, 0.0, 1.0), 512, [0.0, 0.0, 800.0, 600.0]);
        assert_eq!(tiles.len(), 1);
        assert_eq!(tiles[0].rect_px[2] - tiles[0].rect_px[0], 512.0);
    }

    #[test]
    fn an_area_off_the_world_or_empty_has_no_tiles() {
        let v = view(0.0, 0.0, 0.0);
        assert!(tiles_covering(&v, 256, [600.0, 0.0, 800.0, 600.0]).is_empty());
        assert!(tiles_covering(&v, 256, [300.0, 300.0, 300.0, 400.0]).is_empty());
    }
}
