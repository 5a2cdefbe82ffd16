//! The pixel grid of a synthetic image (UTM metres, north up) and drawing on it in metres.

use geo::Coord;
use tiny_skia::{
    Color, FillRule, LineCap, LineJoin, Paint, PathBuilder, Pixmap, Stroke, Transform,
};

use crate::imagery::raster::utm::utm_from_lonlat;
use crate::spatial::LonLatBox;

/// A north-up grid in one UTM zone (northern hemisphere): `width` × `height` pixels of
/// `pixel_m` metres, its top-left corner at (`west_m`, `north_m`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct UtmGrid {
    /// UTM zone (52 at the Tumen crossing).
    pub zone: u8,
    /// Easting of the left edge, metres.
    pub west_m: f64,
    /// Northing of the top edge, metres.
    pub north_m: f64,
    /// Edge of a pixel, metres.
    pub pixel_m: f64,
    /// Columns.
    pub width: u32,
    /// Rows.
    pub height: u32,
}

impl UtmGrid {
    /// The smallest grid of `pixel_m` pixels covering `bbox`, its edges on multiples of
    /// `snap_m` metres. `None` when the box is too far from the zone to project.
    #[must_use]
    pub fn covering(bbox: &LonLatBox, zone: u8, pixel_m: f64, snap_m: f64) -> Option<Self> {
        let corners = [
            (bbox.west, bbox.south),
            (bbox.west, bbox.north),
            (bbox.east, bbox.south),
            (bbox.east, bbox.north),
        ];
        let mut xs = Vec::new();
        let mut ys = Vec::new();
        for (lon, lat) in corners {
            let xy = utm_from_lonlat(Coord { x: lon, y: lat }, zone, true)?;
            xs.push(xy.x);
            ys.push(xy.y);
        }
        let fold = |v: &[f64], f: fn(f64, f64) -> f64| v.iter().copied().reduce(f);
        let west_m = (fold(&xs, f64::min)? / snap_m).floor() * snap_m;
        let east_m = (fold(&xs, f64::max)? / snap_m).ceil() * snap_m;
        let south_m = (fold(&ys, f64::min)? / snap_m).floor() * snap_m;
        let north_m = (fold(&ys, f64::max)? / snap_m).ceil() * snap_m;
        Some(Self {
            zone,
            west_m,
            north_m,
            pixel_m,
            width: ((east_m - west_m) / pixel_m).ceil() as u32,
            height: ((north_m - south_m) / pixel_m).ceil() as u32,
        })
    }

    /// UTM easting/northing of a lon/lat (`None` only far outside the zone).
    #[must_use]
    pub fn xy(&self, lonlat: Coord<f64>) -> Option<Coord<f64>> {
        utm_from_lonlat(lonlat, self.zone, true)
    }

    /// Pixel position (x right, y down, in pixels from the top-left corner) of a UTM point.
    #[must_use]
    pub fn px(&self, xy: Coord<f64>) -> (f32, f32) {
        (
            ((xy.x - self.west_m) / self.pixel_m) as f32,
            ((self.north_m - xy.y) / self.pixel_m) as f32,
        )
    }

    /// UTM coordinates of the centre of pixel (`col`, `row`).
    #[must_use]
    pub fn xy_of_pixel(&self, col: u32, row: u32) -> Coord<f64> {
        Coord {
            x: self.west_m + (f64::from(col) + 0.5) * self.pixel_m,
            y: self.north_m - (f64::from(row) + 0.5) * self.pixel_m,
        }
    }

    /// A length in metres as pixels.
    #[must_use]
    pub fn len_px(&self, metres: f64) -> f32 {
        (metres / self.pixel_m) as f32
    }
}

/// An RGB colour.
pub type Rgb = [u8; 3];

/// Blends `a` towards `b` by `t` (0..1).
#[must_use]
pub fn mix(a: Rgb, b: Rgb, t: f32) -> Rgb {
    let t = t.clamp(0.0, 1.0);
    let channel = |i: usize| {
        let (from, to) = (f32::from(a[i]), f32::from(b[i]));
        (from + (to - from) * t).round() as u8
    };
    [channel(0), channel(1), channel(2)]
}

/// Drawing in UTM metres on a pixmap laid out by a [`UtmGrid`].
pub struct Canvas {
    /// The grid.
    pub grid: UtmGrid,
    /// The pixels.
    pub pixmap: Pixmap,
}

fn paint(color: Rgb, alpha: f32) -> Paint<'static> {
    let mut paint = Paint::default();
    paint.set_color(Color::from_rgba8(
        color[0],
        color[1],
        color[2],
        (alpha.clamp(0.0, 1.0) * 255.0).round() as u8,
    ));
    paint.anti_alias = true;
    paint
}

impl Canvas {
    /// A canvas for `grid`; `None` for an empty or oversized grid.
    #[must_use]
    pub fn new(grid: UtmGrid) -> Option<Self> {
        Some(Self {
            grid,
            pixmap: Pixmap::new(grid.width, grid.height)?,
        })
    }

    fn path(&self, points: &[Coord<f64>], close: bool) -> Option<tiny_skia::Path> {
        let mut builder = PathBuilder::new();
        let mut iter = points.iter().map(|&p| self.grid.px(p));
        let (x, y) = iter.next()?;
        builder.move_to(x, y);
        for (x, y) in iter {
            builder.line_to(x, y);
        }
        if close {
            builder.close();
        }
        builder.finish()
    }

    /// Fills the polygon through `ring` (UTM metres).
    pub fn fill(&mut self, ring: &[Coord<f64>], color: Rgb, alpha: f32) {
        if let Some(path) = self.path(ring, true) {
            self.pixmap.fill_path(
                &path,
                &paint(color, alpha),
                FillRule::Winding,
                Transform::identity(),
                None,
            );
        }
    }

    /// Draws the line through `points` (UTM metres), `width_m` wide.
    pub fn line(&mut self, points: &[Coord<f64>], width_m: f64, color: Rgb, alpha: f32) {
        let stroke = Stroke {
            width: self.grid.len_px(width_m).max(0.5),
            line_cap: LineCap::Butt,
            line_join: LineJoin::Round,
            ..Stroke::default()
        };
        if let Some(path) = self.path(points, false) {
            self.pixmap.stroke_path(
                &path,
                &paint(color, alpha),
                &stroke,
                Transform::identity(),
                None,
            );
        }
    }

    /// Fills a rectangle centred on `centre`, `length_m` along the direction `along` (a unit
    /// vector in metres, east and north) and `width_m` across it.
    pub fn rect(
        &mut self,
        centre: Coord<f64>,
        along: Coord<f64>,
        length_m: f64,
        width_m: f64,
        color: Rgb,
        alpha: f32,
    ) {
        let across = Coord {
            x: -along.y,
            y: along.x,
        };
        let (hl, hw) = (length_m / 2.0, width_m / 2.0);
        let corner = |s: f64, t: f64| Coord {
            x: centre.x + along.x * s + across.x * t,
            y: centre.y + along.y * s + across.y * t,
        };
        let ring = [
            corner(-hl, -hw),
            corner(hl, -hw),
            corner(hl, hw),
            corner(-hl, hw),
        ];
        self.fill(&ring, color, alpha);
    }

    /// Fills a disc of `radius_m` around `centre`.
    pub fn disc(&mut self, centre: Coord<f64>, radius_m: f64, color: Rgb, alpha: f32) {
        let (x, y) = self.grid.px(centre);
        let radius = self.grid.len_px(radius_m).max(0.5);
        if let Some(path) = PathBuilder::from_circle(x, y, radius) {
            self.pixmap.fill_path(
                &path,
                &paint(color, alpha),
                FillRule::Winding,
                Transform::identity(),
                None,
            );
        }
    }

    /// Draws a ring of `radius_m` around `centre`, `width_m` wide.
    pub fn ring(
        &mut self,
        centre: Coord<f64>,
        radius_m: f64,
        width_m: f64,
        color: Rgb,
        alpha: f32,
    ) {
        let (x, y) = self.grid.px(centre);
        let stroke = Stroke {
            width: self.grid.len_px(width_m).max(0.5),
            ..Stroke::default()
        };
        if let Some(path) = PathBuilder::from_circle(x, y, self.grid.len_px(radius_m).max(0.5)) {
            self.pixmap.stroke_path(
                &path,
                &paint(color, alpha),
                &stroke,
                Transform::identity(),
                None,
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_grid_covers_the_box_on_round_metres() {
        let bbox = LonLatBox::try_from([130.624, 42.405, 130.656, 42.433]).unwrap();
        let grid = UtmGrid::covering(&bbox, 52, 3.0, 30.0).unwrap();
        assert!((grid.west_m % 30.0).abs() < 1e-9);
        assert!((grid.north_m % 30.0).abs() < 1e-9);
        for (lon, lat) in [(130.624, 42.405), (130.656, 42.433)] {
            let (x, y) = grid.px(grid.xy(Coord { x: lon, y: lat }).unwrap());
            assert!((0.0..=grid.width as f32).contains(&x), "{x}");
            assert!((0.0..=grid.height as f32).contains(&y), "{y}");
        }
        // ~2.6 km by ~3.1 km at 3 m.
        assert!((850..950).contains(&grid.width), "{}", grid.width);
        assert!((1000..1100).contains(&grid.height), "{}", grid.height);
    }

    #[test]
    fn the_rail_bridge_lands_where_the_data_file_puts_it() {
        let grid = UtmGrid {
            zone: 52,
            west_m: 0.0,
            north_m: 0.0,
            pixel_m: 1.0,
            width: 1,
            height: 1,
        };
        let xy = grid
            .xy(Coord {
                x: 130.641_056,
                y: 42.415_167,
            })
            .unwrap();
        // "the rail bridge is near E 635023, N 4697178" (data file).
        assert!((xy.x - 635_023.0).abs() < 5.0, "{xy:?}");
        assert!((xy.y - 4_697_178.0).abs() < 5.0, "{xy:?}");
    }
}
