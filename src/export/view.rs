//! What an export shows: a Web Mercator view (centre, fractional zoom, size in pixels), and the
//! numbers that place it on the Earth (world file, boxes in EPSG:3857 and EPSG:4326).

use geo::Coord;

use crate::spatial::LonLatBox;
use crate::spatial::mercator::{
    EARTH_RADIUS_M, MAX_LAT, TILE_SIZE, lonlat_from_world_px, meters_per_px, world_px_from_lonlat,
    zoom_to_fit,
};

/// Deepest zoom an export may use (tile services stop around 19–20; deeper is only magnified).
pub const MAX_ZOOM: f64 = 22.0;
/// Share of the image the project's home box fills, as the window frames it.
pub const HOME_FILL: f64 = 0.9;

/// Why a view cannot be made.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum ViewError {
    /// The zoom is not a number in 0–[`MAX_ZOOM`].
    #[error("zoom {0} is outside 0–22")]
    Zoom(f64),
    /// The centre is not on the Web Mercator map.
    #[error("centre {lat}, {lon} is not a latitude within ±85.05° and a longitude within ±180°")]
    Center {
        /// Latitude given.
        lat: f64,
        /// Longitude given.
        lon: f64,
    },
    /// The image size is zero.
    #[error("image size {0}x{1} is empty")]
    Size(u32, u32),
}

/// A rendered view: the centre in lon/lat, a fractional zoom and the image size.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ExportView {
    center_lonlat: Coord<f64>,
    zoom: f64,
    size_px: [u32; 2],
}

impl ExportView {
    /// A view centred on a lon/lat at a zoom.
    pub fn new(center_lonlat: Coord<f64>, zoom: f64, size_px: [u32; 2]) -> Result<Self, ViewError> {
        if !(zoom.is_finite() && (0.0..=MAX_ZOOM).contains(&zoom)) {
            return Err(ViewError::Zoom(zoom));
        }
        let (lon, lat) = (center_lonlat.x, center_lonlat.y);
        if !(lon.is_finite() && lat.is_finite() && lon.abs() <= 180.0 && lat.abs() <= MAX_LAT) {
            return Err(ViewError::Center { lat, lon });
        }
        if size_px[0] == 0 || size_px[1] == 0 {
            return Err(ViewError::Size(size_px[0], size_px[1]));
        }
        Ok(Self {
            center_lonlat,
            zoom,
            size_px,
        })
    }

    /// The view that fits a box into `fill` (0–1) of the image, centred on the box in Mercator.
    pub fn fit(bbox: &LonLatBox, fill: f64, size_px: [u32; 2]) -> Result<Self, ViewError> {
        let fill = fill.clamp(0.01, 1.0);
        let zoom = zoom_to_fit(
            bbox,
            (f64::from(size_px[0]) * fill, f64::from(size_px[1]) * fill),
        )
        .min(MAX_ZOOM);
        // The centre in Mercator, not the mean latitude: the box then sits exactly in the middle.
        let nw = world_px_from_lonlat(
            Coord {
                x: bbox.west,
                y: bbox.north,
            },
            0.0,
        );
        let se = world_px_from_lonlat(
            Coord {
                x: bbox.east,
                y: bbox.south,
            },
            0.0,
        );
        let center = lonlat_from_world_px((nw + se) / 2.0, 0.0);
        Self::new(center, zoom, size_px)
    }

    /// The project's home view, framed as the window frames it.
    pub fn home(home: &LonLatBox, size_px: [u32; 2]) -> Result<Self, ViewError> {
        Self::fit(home, HOME_FILL, size_px)
    }

    /// The view that shows this one's content moved by `offset_px` (right, down): a layer drawn
    /// through it lands shifted by that much in this view's image (alignment).
    #[must_use]
    pub fn shifted_px(&self, offset_px: [f64; 2]) -> Self {
        if offset_px == [0.0, 0.0] {
            return *self;
        }
        let c = world_px_from_lonlat(self.center_lonlat, self.zoom);
        let center_lonlat = lonlat_from_world_px(
            Coord {
                x: c.x - offset_px[0],
                y: c.y - offset_px[1],
            },
            self.zoom,
        );
        Self {
            center_lonlat,
            ..*self
        }
    }

    /// Centre, lon/lat.
    #[must_use]
    pub fn center_lonlat(&self) -> Coord<f64> {
        self.center_lonlat
    }

    /// Fractional zoom (256 px tiles).
    #[must_use]
    pub fn zoom(&self) -> f64 {
        self.zoom
    }

    /// Image width and height in pixels.
    #[must_use]
    pub fn size_px(&self) -> [u32; 2] {
        self.size_px
    }

    /// The world pixel (at [`Self::zoom`]) at the image's top-left corner.
    #[must_use]
    pub fn origin_world_px(&self) -> Coord<f64> {
        let c = world_px_from_lonlat(self.center_lonlat, self.zoom);
        Coord {
            x: c.x - f64::from(self.size_px[0]) / 2.0,
            y: c.y - f64::from(self.size_px[1]) / 2.0,
        }
    }

    /// The image's output pixels as a rectangle of the world at its zoom (what a raster draws
    /// straight into).
    #[must_use]
    pub fn rect(&self) -> crate::imagery::ViewRect {
        crate::imagery::ViewRect {
            origin_world_px: self.origin_world_px(),
            zoom: self.zoom,
            size_px: self.size_px,
        }
    }

    /// Image pixels of a lon/lat: (0, 0) is the top-left corner of the top-left pixel.
    #[must_use]
    pub fn px_from_lonlat(&self, lonlat: Coord<f64>) -> Coord<f64> {
        world_px_from_lonlat(lonlat, self.zoom) - self.origin_world_px()
    }

    /// [`Self::px_from_lonlat`] in `f32`, for drawing.
    #[must_use]
    pub fn to_px(&self, lonlat: Coord<f64>) -> [f32; 2] {
        let p = self.px_from_lonlat(lonlat);
        [p.x as f32, p.y as f32]
    }

    /// Lon/lat at image pixels.
    #[must_use]
    pub fn lonlat_from_px(&self, px: Coord<f64>) -> Coord<f64> {
        lonlat_from_world_px(px + self.origin_world_px(), self.zoom)
    }

    /// Ground metres per image pixel at the centre's latitude (what the scale bar uses).
    #[must_use]
    pub fn meters_per_px(&self) -> f64 {
        meters_per_px(self.center_lonlat.y, self.zoom)
    }

    /// EPSG:3857 metres per image pixel (the same in x and y; the world file's pixel size).
    #[must_use]
    pub fn mercator_m_per_px(&self) -> f64 {
        2.0 * std::f64::consts::PI * EARTH_RADIUS_M / (TILE_SIZE * 2f64.powf(self.zoom))
    }

    /// EPSG:3857 coordinates of image pixels.
    #[must_use]
    pub fn mercator_from_px(&self, px: Coord<f64>) -> Coord<f64> {
        let world = px + self.origin_world_px();
        let world_size = TILE_SIZE * 2f64.powf(self.zoom);
        let half = std::f64::consts::PI * EARTH_RADIUS_M;
        Coord {
            x: (world.x / world_size * 2.0 - 1.0) * half,
            y: (1.0 - world.y / world_size * 2.0) * half,
        }
    }

    /// The image's extent in EPSG:3857 metres: `[min_x, min_y, max_x, max_y]`.
    #[must_use]
    pub fn bbox_3857(&self) -> [f64; 4] {
        let nw = self.mercator_from_px(Coord { x: 0.0, y: 0.0 });
        let se = self.mercator_from_px(Coord {
            x: f64::from(self.size_px[0]),
            y: f64::from(self.size_px[1]),
        });
        [nw.x, se.y, se.x, nw.y]
    }

    /// The image's extent in WGS 84 degrees (west, south, east, north).
    #[must_use]
    pub fn bbox_lonlat(&self) -> [f64; 4] {
        let nw = self.lonlat_from_px(Coord { x: 0.0, y: 0.0 });
        let se = self.lonlat_from_px(Coord {
            x: f64::from(self.size_px[0]),
            y: f64::from(self.size_px[1]),
        });
        [nw.x, se.y, se.x, nw.y]
    }

    /// The six world-file numbers (ESRI order: x size, rotation, rotation, −y size, x and y of
    /// the top-left pixel's centre), in EPSG:3857 metres.
    #[must_use]
    pub fn world_file(&self) -> [f64; 6] {
        let size = self.mercator_m_per_px();
        let center_of_first = self.mercator_from_px(Coord { x: 0.5, y: 0.5 });
        [size, 0.0, 0.0, -size, center_of_first.x, center_of_first.y]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SITE: LonLatBox = LonLatBox {
        west: 130.624,
        south: 42.405,
        east: 130.656,
        north: 42.433,
    };

    #[test]
    fn the_centre_lands_in_the_middle_of_the_image() {
        let c = Coord {
            x: 130.64,
            y: 42.415,
        };
        let view = ExportView::new(c, 16.3, [1920, 1080]).unwrap();
        let px = view.px_from_lonlat(c);
        assert!((px.x - 960.0).abs() < 1e-6 && (px.y - 540.0).abs() < 1e-6);
        let back = view.lonlat_from_px(Coord { x: 960.0, y: 540.0 });
        assert!((back.x - c.x).abs() < 1e-9 && (back.y - c.y).abs() < 1e-9);
    }

    #[test]
    fn a_fitted_box_touches_two_edges_and_stays_inside_the_others() {
        let view = ExportView::fit(&SITE, 1.0, [1000, 1000]).unwrap();
        let nw = view.px_from_lonlat(Coord {
            x: SITE.west,
            y: SITE.north,
        });
        let se = view.px_from_lonlat(Coord {
            x: SITE.east,
            y: SITE.south,
        });
        // The box is taller than wide in Mercator here, so it fills the height.
        assert!(
            nw.y.abs() < 1e-6 && (se.y - 1000.0).abs() < 1e-6,
            "{nw:?} {se:?}"
        );
        assert!(nw.x > 0.0 && se.x < 1000.0);
        assert!((f64::midpoint(nw.x, se.x) - 500.0).abs() < 1e-6);
    }

    #[test]
    fn the_home_view_leaves_a_margin() {
        let view = ExportView::home(&SITE, [1000, 1000]).unwrap();
        let nw = view.px_from_lonlat(Coord {
            x: SITE.west,
            y: SITE.north,
        });
        assert!((nw.y - 50.0).abs() < 1e-6, "{nw:?}");
    }

    #[test]
    fn the_world_file_names_the_centre_of_the_top_left_pixel() {
        let view = ExportView::new(Coord { x: 0.0, y: 0.0 }, 0.0, [256, 256]).unwrap();
        let [size_x, rot_y, rot_x, size_y, first_x, first_y] = view.world_file();
        let half = std::f64::consts::PI * EARTH_RADIUS_M;
        assert!((size_x - 2.0 * half / 256.0).abs() < 1e-6 && (size_y + size_x).abs() < 1e-9);
        assert_eq!((rot_y, rot_x), (0.0, 0.0));
        assert!((first_x - (-half + size_x / 2.0)).abs() < 1e-6);
        assert!((first_y - (half - size_x / 2.0)).abs() < 1e-6);
        let [x0, y0, x1, y1] = view.bbox_3857();
        assert!((x0 + half).abs() < 1e-6 && (y1 - half).abs() < 1e-6);
        assert!((x1 - half).abs() < 1e-6 && (y0 + half).abs() < 1e-6);
    }

    #[test]
    fn nonsense_views_are_refused() {
        let c = Coord { x: 0.0, y: 0.0 };
        assert_eq!(
            ExportView::new(c, 23.0, [10, 10]),
            Err(ViewError::Zoom(23.0))
        );
        assert!(ExportView::new(Coord { x: 0.0, y: 89.0 }, 3.0, [10, 10]).is_err());
        assert!(ExportView::new(c, 3.0, [0, 10]).is_err());
        assert!(ExportView::new(c, f64::NAN, [10, 10]).is_err());
    }
}
