//! Web Mercator (EPSG:3857) in f64, in the tile pixel space walkers and XYZ services use.
//!
//! "World pixels" at zoom `z` run from 0 to `256 · 2^z` west→east and north→south.

use geo::Coord;

/// Tile edge in pixels for the standard XYZ pyramid.
pub const TILE_SIZE: f64 = 256.0;
/// WGS 84 semi-major axis, the sphere radius of Web Mercator.
pub const EARTH_RADIUS_M: f64 = 6_378_137.0;
/// Latitude limit of Web Mercator.
pub const MAX_LAT: f64 = 85.051_128_779_806_59;

/// World pixels of a lon/lat at a (fractional) zoom.
pub fn world_px_from_lonlat(lonlat: Coord<f64>, zoom: f64) -> Coord<f64> {
    let size = TILE_SIZE * 2f64.powf(zoom);
    let lat = lonlat.y.clamp(-MAX_LAT, MAX_LAT).to_radians();
    let x = (lonlat.x + 180.0) / 360.0 * size;
    let y = (1.0 - (lat.tan() + 1.0 / lat.cos()).ln() / std::f64::consts::PI) / 2.0 * size;
    Coord { x, y }
}

/// Lon/lat of world pixels at a (fractional) zoom.
pub fn lonlat_from_world_px(px: Coord<f64>, zoom: f64) -> Coord<f64> {
    let size = TILE_SIZE * 2f64.powf(zoom);
    let lon = px.x / size * 360.0 - 180.0;
    let n = std::f64::consts::PI * (1.0 - 2.0 * px.y / size);
    let lat = n.sinh().atan().to_degrees();
    Coord { x: lon, y: lat }
}

/// Ground metres per screen pixel at a latitude and zoom.
pub fn meters_per_px(lat: f64, zoom: f64) -> f64 {
    2.0 * std::f64::consts::PI * EARTH_RADIUS_M * lat.to_radians().cos()
        / (TILE_SIZE * 2f64.powf(zoom))
}

/// The zoom at which a lon/lat box fits a viewport of `size_px` (width, height) in pixels.
pub fn zoom_to_fit(bbox: &super::LonLatBox, size_px: (f64, f64)) -> f64 {
    let a = world_px_from_lonlat(
        Coord {
            x: bbox.west,
            y: bbox.north,
        },
        0.0,
    );
    let b = world_px_from_lonlat(
        Coord {
            x: bbox.east,
            y: bbox.south,
        },
        0.0,
    );
    let (w0, h0) = ((b.x - a.x).abs().max(1e-9), (b.y - a.y).abs().max(1e-9));
    let zx = (size_px.0 / w0).log2();
    let zy = (size_px.1 / h0).log2();
    zx.min(zy).clamp(0.0, 20.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_projection_inverts_itself_to_a_millimetre() {
        let lonlat = Coord {
            x: 130.641_056,
            y: 42.415_167,
        };
        let back = lonlat_from_world_px(world_px_from_lonlat(lonlat, 17.0), 17.0);
        assert!((back.x - lonlat.x).abs() < 1e-8 && (back.y - lonlat.y).abs() < 1e-8);
    }

    #[test]
    fn the_scale_matches_the_published_figures_at_the_site() {
        // tumen-crossing.md: at 42.4° N, z14 ≈ 7 m/px, z16 ≈ 1.8 m/px, z17 ≈ 0.9 m/px.
        assert!((meters_per_px(42.4, 14.0) - 7.05).abs() < 0.1);
        assert!((meters_per_px(42.4, 16.0) - 1.76).abs() < 0.05);
        assert!((meters_per_px(42.4, 17.0) - 0.88).abs() < 0.03);
    }

    #[test]
    fn null_island_is_the_middle_of_the_world() {
        let px = world_px_from_lonlat(Coord { x: 0.0, y: 0.0 }, 0.0);
        assert!((px.x - 128.0).abs() < 1e-9 && (px.y - 128.0).abs() < 1e-9);
    }
}
