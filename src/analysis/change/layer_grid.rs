//! Two project layers' raw values on one grid, each where its alignment offset puts it: what
//! the change finder compares and what alignment correlates.

use std::path::{Path, PathBuf};

use super::ChangeError;
use super::grid::{AnalysisGrid, Georef};
use super::resample::onto_grid;
use super::stack::BandStack;
use crate::imagery::pmtiles::is_pmtiles_path;
use crate::imagery::raster::{Limits, OpenOptions, RasterTileSource};
use crate::model::{ImageryLayer, LayerSource};
use crate::spatial::LonLatBox;

/// Two layers on one grid.
#[derive(Clone, Debug, PartialEq)]
pub struct LayersOnGrid {
    /// The grid (see [`AnalysisGrid::covering`]).
    pub grid: AnalysisGrid,
    /// The first layer's raw values on it.
    pub first: BandStack,
    /// The second layer's.
    pub second: BandStack,
}

/// The raster file of a layer, or why it has none.
pub fn raster_path(layer: &ImageryLayer, base_dir: &Path) -> Result<PathBuf, ChangeError> {
    let not_a_raster = || ChangeError::NotARaster {
        layer: layer.id.clone(),
    };
    match &layer.source {
        LayerSource::File { .. } => {
            let path = layer
                .resolved_file_path(base_dir)
                .ok_or_else(not_a_raster)?;
            if is_pmtiles_path(&path) {
                return Err(not_a_raster());
            }
            Ok(path)
        }
        LayerSource::Tiles { .. }
        | LayerSource::Remote { .. }
        | LayerSource::Bands { .. }
        | LayerSource::Mosaic { .. } => Err(not_a_raster()),
    }
}

/// Where a layer's raster lies once its alignment offset is applied.
pub fn aligned_georef(layer: &ImageryLayer, path: &Path) -> Result<Georef, ChangeError> {
    let georef = Georef::of(&RasterTileSource::open(path, &OpenOptions::default())?);
    georef
        .shifted_m(layer.offset_or_zero())
        .ok_or_else(|| ChangeError::Offset {
            layer: layer.id.clone(),
        })
}

/// Reads both layers' raw values (relative paths from `base_dir`) onto one grid over their
/// overlap (cut to `area_of_interest`), each moved by its alignment offset, at most
/// `max_pixels` pixels.
pub fn layers_on_grid(
    [first, second]: [&ImageryLayer; 2],
    base_dir: &Path,
    area_of_interest: Option<LonLatBox>,
    max_pixels: u64,
) -> Result<LayersOnGrid, ChangeError> {
    let first_path = raster_path(first, base_dir)?;
    let second_path = raster_path(second, base_dir)?;
    let first_georef = aligned_georef(first, &first_path)?;
    let second_georef = aligned_georef(second, &second_path)?;
    let grid = AnalysisGrid::covering_at_most(
        &first_georef,
        &second_georef,
        area_of_interest,
        max_pixels,
    )?;
    let limits = Limits::default();
    let first = onto_grid(&grid, &first_georef, &first_path, &limits)?;
    let second = onto_grid(&grid, &second_georef, &second_path, &limits)?;
    Ok(LayersOnGrid {
        grid,
        first,
        second,
    })
}
