//! The whole finder on a project: choose the layers, put their raw values on one grid, mask,
//! detect, and outline each region in lon/lat with its geodesic area.

use std::path::Path;

use geo::{BoundingRect as _, Contains as _, Coord, LineString, Point, Polygon};

use super::describe::Description;
use super::grid::AnalysisGrid;
use super::layer_grid::{LayersOnGrid, layers_on_grid};
use super::options::{ChangeOptions, MAX_GRID_PIXELS, threshold_sigma};
use super::pair::{LayerPair, choose_pair};
use super::progress::{self, Progress};
use super::stack::BandStack;
use super::{ChangeError, DetectParams, Detected, detect_with};
use crate::imagery::raster::Limits;
use crate::imagery::raster::decode::{Format, TiffFile, sniff};
use crate::model::{FileDates, FuzzyDate, ImageryLayer, Project};
use crate::spatial::measure::area_m2;

/// One candidate change, ready to write.
#[derive(Clone, Debug, PartialEq)]
pub struct Candidate {
    /// `change-1`, `change-2` … in the order found (top to bottom on the grid).
    pub id: String,
    /// The outline in lon/lat, exterior counter-clockwise, holes clockwise (RFC 7946).
    pub polygon: Polygon<f64>,
    /// Geodesic area of the outline, m².
    pub area_m2: f64,
    /// Pixels of the analysis grid in the region.
    pub pixels: usize,
    /// Bounds on the analysis grid: left, top, right, bottom (pixel edges).
    pub bounds_px: [usize; 4],
    /// Score, class and band means.
    pub description: Description,
}

/// What a run found and how.
#[derive(Clone, Debug, PartialEq)]
pub struct ChangeReport {
    /// The track compared.
    pub track: String,
    /// Id of the earlier layer.
    pub before_layer: String,
    /// Id of the later layer.
    pub after_layer: String,
    /// The earlier layer's date, as written in the project.
    pub before_date: String,
    /// The later layer's date.
    pub after_date: String,
    /// The grid compared on.
    pub grid: AnalysisGrid,
    /// Bands compared.
    pub bands: usize,
    /// Seed threshold used, σ.
    pub threshold_sigma: f32,
    /// The options.
    pub options: ChangeOptions,
    /// The candidates.
    pub candidates: Vec<Candidate>,
}

/// Dates read from the TIFF headers of undated file layers (cheap: no pixels are decoded).
#[must_use]
pub fn file_dates(project: &Project, base_dir: &Path) -> FileDates {
    let mut dates = FileDates::new();
    for layer in project.layers.iter().filter(|l| l.date.is_none()) {
        let Some(path) = layer.resolved_file_path(base_dir) else {
            continue;
        };
        if !matches!(sniff(&path), Ok(Format::Tiff)) {
            continue;
        }
        if let Some(date) = TiffFile::open(&path, &Limits::default())
            .ok()
            .and_then(|t| t.header().date)
        {
            dates.insert(layer.id.clone(), date);
        }
    }
    dates
}

/// Marks invalid the grid pixels outside the area of interest or inside an excluded area.
fn mask(stack: &mut BandStack, grid: &AnalysisGrid, options: &ChangeOptions) {
    if options.area_of_interest.is_none() && options.exclude.is_empty() {
        return;
    }
    let excluded: Vec<(&Polygon<f64>, geo::Rect<f64>)> = options
        .exclude
        .iter()
        .filter_map(|p| Some((p, p.bounding_rect()?)))
        .collect();
    for y in 0..grid.height {
        for x in 0..grid.width {
            let i = y * grid.width + x;
            let Some(lonlat) = grid.lonlat_of(Coord {
                x: x as f64 + 0.5,
                y: y as f64 + 0.5,
            }) else {
                continue;
            };
            let outside = options
                .area_of_interest
                .is_some_and(|aoi| !aoi.contains(lonlat));
            let masked = excluded.iter().any(|(p, r)| {
                r.min().x <= lonlat.x
                    && lonlat.x <= r.max().x
                    && r.min().y <= lonlat.y
                    && lonlat.y <= r.max().y
                    && p.contains(&Point(lonlat))
            });
            if (outside || masked)
                && let Some(v) = stack.valid.get_mut(i)
            {
                *v = false;
            }
        }
    }
}

/// Twice the signed area of a ring (positive: counter-clockwise with y up).
fn signed_area2(ring: &[Coord<f64>]) -> f64 {
    ring.windows(2)
        .map(|w| match w {
            [a, b] => a.x * b.y - b.x * a.y,
            _ => 0.0,
        })
        .sum()
}

/// A ring of grid pixel-edge coordinates in lon/lat, turned to run counter-clockwise when
/// `ccw` (else clockwise).
fn lonlat_ring(grid: &AnalysisGrid, ring: &[Coord<f64>], ccw: bool) -> Option<LineString<f64>> {
    let mut out: Vec<Coord<f64>> = ring
        .iter()
        .map(|&px| grid.lonlat_of(px))
        .collect::<Option<_>>()?;
    if (signed_area2(&out) > 0.0) != ccw {
        out.reverse();
    }
    Some(LineString::from(out))
}

/// A detected region as a lon/lat candidate.
fn candidate(grid: &AnalysisGrid, index: usize, found: Detected) -> Option<Candidate> {
    let exterior = lonlat_ring(grid, &found.outline.exterior, true)?;
    let holes = found
        .outline
        .holes
        .iter()
        .map(|h| lonlat_ring(grid, h, false))
        .collect::<Option<Vec<_>>>()?;
    let polygon = Polygon::new(exterior, holes);
    Some(Candidate {
        id: format!("change-{}", index + 1),
        area_m2: area_m2(&polygon),
        polygon,
        pixels: found.region.pixel_count(),
        bounds_px: found.region.bounds_px(),
        description: found.description,
    })
}

/// Compares the two stacks on `grid` and outlines what changed (steps 2–5 of the module docs).
pub fn changes_on_grid(
    grid: &AnalysisGrid,
    before: BandStack,
    after: BandStack,
    options: &ChangeOptions,
) -> Result<Vec<Candidate>, ChangeError> {
    changes_on_grid_with(grid, before, after, options, &progress::unwatched())
}

/// [`changes_on_grid`] reporting to `progress` (its fractions are of this step alone).
pub fn changes_on_grid_with(
    grid: &AnalysisGrid,
    mut before: BandStack,
    mut after: BandStack,
    options: &ChangeOptions,
    progress: Progress<'_>,
) -> Result<Vec<Candidate>, ChangeError> {
    let bands = before.band_count().min(after.band_count());
    before.bands.truncate(bands);
    after.bands.truncate(bands);
    mask(&mut before, grid, options);
    let pixel_area = grid
        .pixel_area_m2((grid.width / 2) as f64, (grid.height / 2) as f64)
        .unwrap_or(1.0);
    let min_area = options.min_area_m2.max(0.0);
    let params = DetectParams {
        threshold_sigma: threshold_sigma(options.sensitivity),
        min_region_px: ((min_area / pixel_area).ceil() as usize).max(1),
    };
    let found = detect_with(&before, &after, &params, progress)?;
    Ok(found
        .into_iter()
        .enumerate()
        .filter_map(|(i, f)| candidate(grid, i, f))
        // The minimum was applied in pixels at the grid's centre; far from it, a grid in degrees
        // has smaller pixels, so the outline's own area gets a margin of a half.
        .filter(|c| c.area_m2 >= min_area * 0.5)
        .collect())
}

/// A run's report with both images on its grid, as compared (before the area of interest and
/// the excluded areas were masked): the window cuts its review chips from them.
#[derive(Clone, Debug, PartialEq)]
pub struct Found {
    /// What was found.
    pub report: ChangeReport,
    /// The earlier layer's raw values on `report.grid`.
    pub before: BandStack,
    /// The later layer's.
    pub after: BandStack,
}

/// Runs the finder on `project` (its relative paths resolved from `base_dir`) between the
/// layers shown at `from` and `to` on `track` (see [`super::pair`]).
pub fn find_changes(
    project: &Project,
    base_dir: &Path,
    from: FuzzyDate,
    to: FuzzyDate,
    track: Option<&str>,
    options: &ChangeOptions,
) -> Result<ChangeReport, ChangeError> {
    let watcher = progress::unwatched();
    find_changes_with(project, base_dir, from, to, track, options, &watcher).map(|f| f.report)
}

/// [`find_changes`] reporting to `progress` as it goes (reading takes the first 30 %, scoring
/// and outlining the rest) and stopping with [`ChangeError::Cancelled`] when told to; keeps
/// both images on the grid.
pub fn find_changes_with(
    project: &Project,
    base_dir: &Path,
    from: FuzzyDate,
    to: FuzzyDate,
    track: Option<&str>,
    options: &ChangeOptions,
    progress: Progress<'_>,
) -> Result<Found, ChangeError> {
    progress::report(progress, 0.0, "choosing the layers")?;
    let dates = file_dates(project, base_dir);
    let LayerPair {
        track,
        before,
        after,
    } = choose_pair(project, &dates, from, to, track)?;
    let (Some(before_layer), Some(after_layer)) =
        (project.layers.get(before), project.layers.get(after))
    else {
        return Err(ChangeError::GridMismatch);
    };
    progress::report(progress, 0.02, "reading both layers onto one grid")?;
    let LayersOnGrid {
        grid,
        first: before_stack,
        second: after_stack,
    } = layers_on_grid(
        [before_layer, after_layer],
        base_dir,
        options.area_of_interest,
        MAX_GRID_PIXELS,
    )?;
    let bands = before_stack.band_count().min(after_stack.band_count());
    let kept = (before_stack.clone(), after_stack.clone());
    let scoring = progress::part(progress, 0.3, 1.0);
    let candidates = changes_on_grid_with(&grid, before_stack, after_stack, options, &scoring)?;
    let date_of = |layer: &ImageryLayer| {
        layer
            .effective_date(&dates)
            .map_or_else(String::new, |d| d.to_string())
    };
    let report = ChangeReport {
        track,
        before_layer: before_layer.id.clone(),
        after_layer: after_layer.id.clone(),
        before_date: date_of(before_layer),
        after_date: date_of(after_layer),
        grid,
        bands,
        threshold_sigma: threshold_sigma(options.sensitivity),
        options: options.clone(),
        candidates,
    };
    progress::report(progress, 1.0, "done")?;
    Ok(Found {
        report,
        before: kept.0,
        after: kept.1,
    })
}
