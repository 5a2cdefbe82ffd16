//! The bands of one date on the analysis grid: raw sample values as `f32`, row-major, with a
//! mask of the pixels that hold data.

/// One image on the analysis grid.
#[derive(Clone, Debug, PartialEq)]
pub struct BandStack {
    /// Columns.
    pub width: usize,
    /// Rows.
    pub height: usize,
    /// One `width × height` plane per band, raw values (not the displayed stretch).
    pub bands: Vec<Vec<f32>>,
    /// True where every band holds data (inside the raster, not nodata, not transparent, not
    /// masked by the user).
    pub valid: Vec<bool>,
}

impl BandStack {
    /// A stack of `bands` planes, all pixels valid and zero.
    #[must_use]
    pub fn new(width: usize, height: usize, bands: usize) -> Self {
        let n = width * height;
        Self {
            width,
            height,
            bands: vec![vec![0.0; n]; bands],
            valid: vec![true; n],
        }
    }

    /// Pixels in a plane.
    #[must_use]
    pub fn len(&self) -> usize {
        self.width * self.height
    }

    /// True when the grid has no pixels.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Number of bands.
    #[must_use]
    pub fn band_count(&self) -> usize {
        self.bands.len()
    }

    /// True when the two stacks lie on the same grid with the same bands.
    #[must_use]
    pub fn matches(&self, other: &Self) -> bool {
        self.width == other.width
            && self.height == other.height
            && self.band_count() == other.band_count()
            && self.bands.iter().all(|b| b.len() == self.len())
            && other.bands.iter().all(|b| b.len() == other.len())
            && self.valid.len() == self.len()
            && other.valid.len() == other.len()
    }
}
