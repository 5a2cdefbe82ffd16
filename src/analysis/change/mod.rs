//! The change finder: where two dated images of one track differ by more than gain, offset,
//! gamma, noise and a sub-pixel misregistration explain, outlined as candidate polygons.
//!
//! # Method
//! 1. **One grid** ([`grid`], [`raw`], [`resample`]): both layers' *raw* band values (never the
//!    display stretch) are read and resampled onto one north-up grid in the CRS of the finer
//!    layer, at its pixel size and aligned with its pixels, over the two layers' overlap (and the
//!    area of interest). The grid is coarsened to stay under [`options::MAX_GRID_PIXELS`]
//!    (4 MP); a finer source is box-averaged while it is decoded. Nodata, transparent pixels,
//!    the area outside either raster and the user's excluded areas take no part.
//! 2. **Normalise** ([`normalise`], [`segments`]): each band of the later image is mapped onto
//!    the earlier one's values by matching 1001 quantiles, which undoes any monotone change
//!    (gain, offset, gamma). The seasons recolour each kind of land differently, so each image
//!    is then cut into segments of continuous colour and, per segment, the other image is
//!    predicted from it by an affine map of all bands, fitted robustly (three rounds, each
//!    without what the last missed by far). Later-from-earlier shows what appeared,
//!    earlier-from-later what went; the score is the larger of the two.
//! 3. **Score** ([`score`]): 3×3 means of image and prediction, a robust σ per band (1.4826 ×
//!    MAD of the difference, at least 0.5 % of the band's 1–99 % range), and per pixel the RMS
//!    over bands of the difference in σ, minimised over shifts of −1…1 px in half-pixel steps.
//!    Steps 2–3 run twice: the second time every fit leaves out what the first run found (and
//!    2 px around it), so a large change cannot bend the normalisation that measures it.
//! 4. **Regions** ([`regions`]): hysteresis at [`options::THRESHOLD_SIGMA`] (scaled by the
//!    sensitivity) and half of it, 4-connected components, small holes filled, regions under
//!    the minimum area dropped.
//! 5. **Describe and outline** ([`describe`], [`outline`]): mean and peak score, before and after
//!    means per band, class (brighter, darker, texture or colour), and the pixel-edge outline in
//!    lon/lat with its geodesic area ([`find`], [`geojson`]).
//!
//! Everything is deterministic: the same inputs give the same polygons in the same order.
//!
//! # Limits
//! A change that covers a whole segment of its image and nothing else (a field entirely paved
//! in one colour) is explained away in both directions. Between seasons, a segment that holds
//! several kinds of land recoloured differently (a block of fields whose crops ripen apart,
//! village gardens, rail verges) is more than one affine map can explain, and is reported as a
//! colour change: compare like seasons where possible.

pub mod affine;
pub mod chips;
pub mod cli;
pub mod describe;
pub mod find;
pub mod geojson;
pub mod grid;
pub mod layer_grid;
pub mod normalise;
pub mod options;
pub mod outline;
pub mod pair;
pub mod progress;
pub mod raw;
pub mod regions;
pub mod resample;
pub mod score;
pub mod segments;
pub mod stack;

pub use describe::{ChangeClass, Description};
pub use find::{Candidate, ChangeReport, Found, find_changes, find_changes_with};
pub use options::ChangeOptions;
pub use stack::BandStack;

use outline::Outline;
use regions::RegionMask;

/// Why the change finder could not run. Paths and dates come last.
#[derive(Debug, thiserror::Error)]
pub enum ChangeError {
    /// The two images are not on one grid with the same bands.
    #[error("the two images are not on one grid with the same bands")]
    GridMismatch,
    /// The layers do not overlap (within the area of interest).
    #[error("the two layers do not overlap{}", if *.within_area { " within the area of interest" } else { "" })]
    NoOverlap {
        /// True when an area of interest was given.
        within_area: bool,
    },
    /// Too few pixels hold data in both images.
    #[error("too few pixels hold data in both images ({valid} of {total})")]
    TooFewPixels {
        /// Pixels valid in both.
        valid: usize,
        /// Pixels on the grid.
        total: usize,
    },
    /// A layer is not a raster file (a tile service or a `PMTiles` archive).
    #[error(
        "layer '{layer}' is not a raster file: the change finder reads GeoTIFFs and images with world files"
    )]
    NotARaster {
        /// The layer's id.
        layer: String,
    },
    /// A layer's alignment offset cannot be carried into its raster's CRS.
    #[error("layer '{layer}' cannot be moved by its alignment offset in its CRS")]
    Offset {
        /// The layer's id.
        layer: String,
    },
    /// A raster could not be read.
    #[error("cannot read a layer's raster")]
    Raster(#[from] crate::imagery::raster::RasterError),
    /// Choosing the layers failed.
    #[error(transparent)]
    Pair(#[from] pair::PairError),
    /// The watcher of the run stopped it (the window's Cancel).
    #[error("the change finder was cancelled")]
    Cancelled,
}

/// Parameters of the pixel-level detection.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DetectParams {
    /// Seed threshold, σ.
    pub threshold_sigma: f32,
    /// Smallest region kept, pixels.
    pub min_region_px: usize,
}

impl Default for DetectParams {
    fn default() -> Self {
        Self {
            threshold_sigma: options::THRESHOLD_SIGMA,
            min_region_px: 9,
        }
    }
}

/// One region found on the grid, in pixels.
#[derive(Clone, Debug, PartialEq)]
pub struct Detected {
    /// Its pixels.
    pub region: RegionMask,
    /// Its outline in grid pixel-edge coordinates.
    pub outline: Outline,
    /// Its numbers and class.
    pub description: Description,
}

/// Pixels around pass 1's changes left out of pass 2's fits.
const EXCLUSION_MARGIN_PX: usize = 2;

/// One pass of normalisation and scoring.
struct Pass {
    scores: Vec<f32>,
    matched: Vec<Vec<f32>>,
    smoothed: score::Smoothed,
}

/// Normalises (fitting on `fit`), predicts each image from segments of the other, and scores
/// every valid pixel: the larger of "appeared" and "went".
fn score_pass(
    before: &BandStack,
    after: &BandStack,
    valid: &[bool],
    fit: &[bool],
    width: usize,
    height: usize,
) -> Pass {
    let matched = normalise::match_bands(&before.bands, &after.bands, fit);
    let smoothed = score::Smoothed::new(&before.bands, &matched, valid, fit, width, height);
    // What appeared: the later image against its prediction from segments of the earlier one.
    let labels = segments::segment(&smoothed.before, valid, width, height);
    let predicted_after = segments::predict(&before.bands, &matched, &labels, fit);
    let appeared = score::Smoothed::new(&predicted_after, &matched, valid, fit, width, height);
    let mut scores = score::score(&appeared, valid, width, height);
    // What went: the earlier image against its prediction from segments of the later one.
    let labels = segments::segment(&smoothed.after, valid, width, height);
    let predicted_before = segments::predict(&matched, &before.bands, &labels, fit);
    let went = score::Smoothed::new(&before.bands, &predicted_before, valid, fit, width, height);
    for (s, other) in scores
        .iter_mut()
        .zip(score::score(&went, valid, width, height))
    {
        *s = s.max(other);
    }
    Pass {
        scores,
        matched,
        smoothed,
    }
}

/// `mask` grown by `radius` pixels (a square).
fn dilate(mask: &[bool], width: usize, height: usize, radius: usize) -> Vec<bool> {
    let mut rows = vec![false; mask.len()];
    for y in 0..height {
        for x in 0..width {
            let hit = (x.saturating_sub(radius)..(x + radius + 1).min(width))
                .any(|xx| mask.get(y * width + xx).copied().unwrap_or(false));
            if let Some(r) = rows.get_mut(y * width + x) {
                *r = hit;
            }
        }
    }
    let mut out = vec![false; mask.len()];
    for y in 0..height {
        for x in 0..width {
            let hit = (y.saturating_sub(radius)..(y + radius + 1).min(height))
                .any(|yy| rows.get(yy * width + x).copied().unwrap_or(false));
            if let Some(o) = out.get_mut(y * width + x) {
                *o = hit;
            }
        }
    }
    out
}

/// Fewest pixels valid in both images for a meaningful σ.
const MIN_VALID_PIXELS: usize = 64;

/// Finds the changed regions between two stacks on one grid (steps 2–5 of the module docs,
/// without the georeferencing).
pub fn detect(
    before: &BandStack,
    after: &BandStack,
    params: &DetectParams,
) -> Result<Vec<Detected>, ChangeError> {
    detect_with(before, after, params, &progress::unwatched())
}

/// [`detect`] reporting to `progress` before each scoring pass and before outlining (its
/// fractions are of this step alone); stops with [`ChangeError::Cancelled`] when told to.
pub fn detect_with(
    before: &BandStack,
    after: &BandStack,
    params: &DetectParams,
    progress: progress::Progress<'_>,
) -> Result<Vec<Detected>, ChangeError> {
    if !before.matches(after) || before.band_count() == 0 {
        return Err(ChangeError::GridMismatch);
    }
    let (width, height) = (before.width, before.height);
    let valid: Vec<bool> = before
        .valid
        .iter()
        .zip(&after.valid)
        .map(|(a, b)| *a && *b)
        .collect();
    let valid_count = valid.iter().filter(|&&v| v).count();
    if valid_count < MIN_VALID_PIXELS {
        return Err(ChangeError::TooFewPixels {
            valid: valid_count,
            total: valid.len(),
        });
    }
    // Pass 1 fits on every valid pixel; pass 2 again without what pass 1 found (dilated), so
    // a large change cannot bend the normalisation that measures it.
    progress::report(progress, 0.0, "scoring, first pass")?;
    let first = score_pass(before, after, &valid, &valid, width, height);
    progress::report(progress, 0.45, "scoring, second pass")?;
    let low = params.threshold_sigma * regions::LOW_FRACTION;
    let found_first: Vec<bool> = first.scores.iter().map(|&s| s >= low).collect();
    let near = dilate(&found_first, width, height, EXCLUSION_MARGIN_PX);
    let fit: Vec<bool> = valid.iter().zip(&near).map(|(v, n)| *v && !*n).collect();
    let Pass {
        scores,
        matched,
        smoothed,
    } = if fit.iter().filter(|&&f| f).count() >= MIN_VALID_PIXELS {
        score_pass(before, after, &valid, &fit, width, height)
    } else {
        first
    };
    progress::report(progress, 0.9, "outlining the regions")?;
    let found = regions::regions(
        &scores,
        width,
        height,
        params.threshold_sigma,
        params.min_region_px,
    );
    let planes = describe::Planes {
        width,
        score: &scores,
        before: &before.bands,
        after: &after.bands,
        after_matched: &matched,
        smoothed: &smoothed,
    };
    Ok(found
        .into_iter()
        .filter_map(|region| {
            let outline = outline::outline(&region)?;
            let description = describe::describe(&region, &planes);
            Some(Detected {
                region,
                outline,
                description,
            })
        })
        .collect())
}
