//! The pixels of a project's imagery layers for export: raster files opened from the project's
//! folder, tile services through the disk cache — the same sources the window draws.

use std::path::PathBuf;
use std::sync::Arc;

use super::LayerSources;
use crate::imagery::disk_cache::DiskCache;
use crate::imagery::pmtiles::{PmTilesSource, is_pmtiles_path};
use crate::imagery::raster::{OpenOptions, RasterTileSource};
use crate::imagery::{TileError, TileSource, dated};
use crate::model::{ImageryLayer, LayerSource};

/// Opens each layer's source: files relative to `base_dir`, services with the user's tile cache.
#[derive(Debug)]
pub struct ProjectLayerSources {
    base_dir: PathBuf,
    cache: Option<DiskCache>,
}

impl ProjectLayerSources {
    /// Sources for a project whose relative paths start at `base_dir`.
    pub fn new(base_dir: PathBuf) -> Self {
        let cache =
            DiskCache::default_root().map(|root| DiskCache::new(root, DiskCache::DEFAULT_MAX_AGE));
        Self { base_dir, cache }
    }

    /// The same without a disk cache (tests).
    pub fn without_cache(base_dir: PathBuf) -> Self {
        Self {
            base_dir,
            cache: None,
        }
    }
}

impl LayerSources for ProjectLayerSources {
    fn source(&self, layer: &ImageryLayer) -> Option<Result<Arc<dyn TileSource>, TileError>> {
        Some(match &layer.source {
            LayerSource::File { path } => {
                let resolved = layer
                    .resolved_file_path(&self.base_dir)
                    .unwrap_or_else(|| PathBuf::from(path));
                if is_pmtiles_path(&resolved) {
                    return Some(
                        PmTilesSource::open(&resolved, &layer.attribution)
                            .map(|s| Arc::new(s) as Arc<dyn TileSource>)
                            .map_err(|e| TileError::Local {
                                message: e.to_string(),
                                what: resolved.display().to_string(),
                            }),
                    );
                }
                let options = OpenOptions {
                    name: layer.name.clone(),
                    attribution: layer.attribution.clone(),
                    ..OpenOptions::default()
                };
                RasterTileSource::open(&resolved, &options)
                    .map(|s| Arc::new(s) as Arc<dyn TileSource>)
                    .map_err(|e| TileError::Local {
                        message: e.to_string(),
                        what: resolved.display().to_string(),
                    })
            }
            LayerSource::Tiles { url, .. } => dated::tile_source(layer, self.cache.clone())
                .map(|s| Arc::new(s) as Arc<dyn TileSource>)
                .map_err(|e| TileError::Local {
                    message: e.to_string(),
                    what: url.clone(),
                }),
        })
    }
}
