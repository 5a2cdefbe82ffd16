//! The pixels of a project's imagery layers for export: raster files opened from the project's
//! folder, tile services through the disk cache — the same sources the window draws — or the
//! window's own open sources, so a preview never decodes a raster the window already holds.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};

use chrono::NaiveDate;

use super::LayerSources;
use super::display::raster_display;
use crate::imagery::disk_cache::DiskCache;
use crate::imagery::pmtiles::{PmTilesSource, is_pmtiles_path};
use crate::imagery::raster::band_stack::BandPlace;
use crate::imagery::raster::http_bytes::Retry;
use crate::imagery::raster::mosaic::ScenePlace;
use crate::imagery::raster::signed::{RequestSigner, Signers};
use crate::imagery::raster::{OpenOptions, RasterError, RasterTileSource};
use crate::imagery::{TileError, TileSource, ViewRect, dated};
use crate::model::{ImageryLayer, LayerSource};

/// Rasters opened so far, by file and display: each is decoded once per export.
type Opened = HashMap<String, Arc<RasterTileSource>>;

/// Opens each layer's source: files relative to `base_dir`, services with the user's tile cache.
#[derive(Debug)]
pub struct ProjectLayerSources {
    base_dir: PathBuf,
    cache: Option<DiskCache>,
    rasters: Mutex<Opened>,
    /// Capture dates read from files' headers, by file: each is read once per export.
    dates: Mutex<HashMap<PathBuf, Option<NaiveDate>>>,
}

impl ProjectLayerSources {
    /// Sources for a project whose relative paths start at `base_dir`.
    pub fn new(base_dir: PathBuf) -> Self {
        let cache = DiskCache::user();
        Self {
            base_dir,
            cache,
            rasters: Mutex::new(Opened::new()),
            dates: Mutex::new(HashMap::new()),
        }
    }

    /// The same without a disk cache (tests).
    pub fn without_cache(base_dir: PathBuf) -> Self {
        Self {
            base_dir,
            cache: None,
            rasters: Mutex::new(Opened::new()),
            dates: Mutex::new(HashMap::new()),
        }
    }

    /// The raster of a file layer, shown as the layer says, opened once (for `view` alone,
    /// when one is given: a file decoded whole then keeps only the levels it reads).
    fn raster(
        &self,
        layer: &ImageryLayer,
        resolved: &std::path::Path,
        view: Option<&ViewRect>,
    ) -> Result<Arc<RasterTileSource>, TileError> {
        let location = resolved.display().to_string();
        self.raster_from(layer, &location, view, |options| {
            RasterTileSource::open(resolved, options)
        })
    }

    /// The raster of a layer at `location` (its file or URL), shown as the layer says, opened
    /// once with `open`.
    fn raster_from(
        &self,
        layer: &ImageryLayer,
        location: &str,
        view: Option<&ViewRect>,
        open: impl FnOnce(&OpenOptions) -> Result<RasterTileSource, RasterError>,
    ) -> Result<Arc<RasterTileSource>, TileError> {
        let key = |view: Option<&ViewRect>| format!("{location}|{:?}|{view:?}", layer.display);
        {
            // One opened for every view (all its levels) serves any view.
            let rasters = self.rasters.lock().unwrap_or_else(PoisonError::into_inner);
            if let Some(open) = rasters.get(&key(view)).or_else(|| rasters.get(&key(None))) {
                return Ok(Arc::clone(open));
            }
        }
        let key = key(view);
        let options = OpenOptions {
            name: layer.name.clone(),
            attribution: layer.attribution.clone(),
            display: layer.display.as_ref().map(raster_display),
            tone: layer
                .display
                .as_ref()
                .map(crate::model::layer_display::LayerDisplay::tone)
                .unwrap_or_default(),
            view: view.copied(),
            ..OpenOptions::default()
        };
        let raster = open(&options).map(Arc::new).map_err(|e| TileError::Local {
            message: open_failure(&e, location),
            what: location.to_owned(),
        })?;
        self.rasters
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(key, Arc::clone(&raster));
        Ok(raster)
    }
}

/// Why a raster did not open, in words that leave its location to the caller (which names it
/// once): for a remote raster, the causes (a refused token names its endpoint). A band of a
/// composite that is not the `location` the caller names is named.
fn open_failure(e: &RasterError, location: &str) -> String {
    let RasterError::Remote { source, url } = e else {
        return e.to_string();
    };
    let mut text = if url == location {
        format!("cannot read the remote raster: {source}")
    } else {
        format!("{e}: {source}")
    };
    let mut cause = std::error::Error::source(source);
    while let Some(c) = cause {
        text.push_str(": ");
        text.push_str(&c.to_string());
        cause = c.source();
    }
    text
}

impl LayerSources for ProjectLayerSources {
    fn source(&self, layer: &ImageryLayer) -> Option<Result<Arc<dyn TileSource>, TileError>> {
        self.source_in(layer, None)
    }

    fn source_for_view(
        &self,
        layer: &ImageryLayer,
        view: &ViewRect,
    ) -> Option<Result<Arc<dyn TileSource>, TileError>> {
        self.source_in(layer, Some(view))
    }

    fn file_date(&self, layer: &ImageryLayer) -> Option<NaiveDate> {
        let resolved = layer.resolved_file_path(&self.base_dir)?;
        if is_pmtiles_path(&resolved) {
            return None;
        }
        // Read from the header alone: the pixels are decoded once, for the view that draws them.
        // A file that cannot be read has no date; drawing it reports why.
        *self
            .dates
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entry(resolved)
            .or_insert_with_key(|path| RasterTileSource::capture_date_of(path))
    }
}

impl ProjectLayerSources {
    /// A layer read by range requests (a remote file, a band composite, a mosaic) from
    /// `location`, opened once by `open` with the fetched ranges in the disk cache and the
    /// layer's request signer.
    fn remote(
        &self,
        layer: &ImageryLayer,
        location: &str,
        open: impl FnOnce(
            &OpenOptions,
            Option<&Arc<dyn RequestSigner>>,
        ) -> Result<RasterTileSource, RasterError>,
    ) -> Result<Arc<dyn TileSource>, TileError> {
        self.raster_from(layer, location, None, |options| {
            let signer = Signers::shared().for_layer(layer);
            let options = OpenOptions {
                range_cache: self.cache.clone(),
                ..options.clone()
            };
            open(&options, signer.as_ref())
        })
        .map(|s| s as Arc<dyn TileSource>)
    }

    /// The source of `layer`, for `view` alone when one is given.
    fn source_in(
        &self,
        layer: &ImageryLayer,
        view: Option<&ViewRect>,
    ) -> Option<Result<Arc<dyn TileSource>, TileError>> {
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
                self.raster(layer, &resolved, view)
                    .map(|s| s as Arc<dyn TileSource>)
            }
            LayerSource::Remote { url } => self.remote(layer, url, |options, signer| {
                RasterTileSource::open_url_signed(url, options, Retry::default(), signer.cloned())
            }),
            LayerSource::Bands { red, green, blue } => {
                let bands = [red, green, blue].map(|l| BandPlace::of(l, &self.base_dir));
                let location = format!("{red}|{green}|{blue}");
                self.remote(layer, &location, |options, signer| {
                    RasterTileSource::open_bands(&bands, options, &Retry::default(), signer)
                })
            }
            LayerSource::Mosaic { scenes } => {
                let places = match ScenePlace::of_scenes(scenes, &self.base_dir) {
                    Ok(places) => places,
                    Err(e) => {
                        return Some(Err(TileError::Local {
                            message: e.to_string(),
                            what: layer.name.clone(),
                        }));
                    }
                };
                let names: Vec<String> = places
                    .iter()
                    .map(|place| place.name().display().to_string())
                    .collect();
                self.remote(layer, &names.join("|"), |options, signer| {
                    RasterTileSource::open_mosaic(&places, options, &Retry::default(), signer)
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

/// Sources the window has open, by layer id, shown as their layers say; anything else is
/// opened by `rest`. The export dialog's preview draws from these instead of decoding again.
pub struct OpenFirst {
    open: HashMap<String, Arc<dyn TileSource>>,
    rest: ProjectLayerSources,
}

impl OpenFirst {
    /// `open` sources by layer id first, then `rest`.
    pub fn new(open: HashMap<String, Arc<dyn TileSource>>, rest: ProjectLayerSources) -> Self {
        Self { open, rest }
    }
}

impl std::fmt::Debug for OpenFirst {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpenFirst")
            .field("open", &self.open.keys().collect::<Vec<_>>())
            .field("rest", &self.rest)
            .finish()
    }
}

impl LayerSources for OpenFirst {
    fn source(&self, layer: &ImageryLayer) -> Option<Result<Arc<dyn TileSource>, TileError>> {
        match self.open.get(&layer.id) {
            Some(open) => Some(Ok(Arc::clone(open))),
            None => self.rest.source(layer),
        }
    }

    fn source_for_view(
        &self,
        layer: &ImageryLayer,
        view: &ViewRect,
    ) -> Option<Result<Arc<dyn TileSource>, TileError>> {
        match self.open.get(&layer.id) {
            Some(open) => Some(Ok(Arc::clone(open))),
            None => self.rest.source_for_view(layer, view),
        }
    }

    fn file_date(&self, layer: &ImageryLayer) -> Option<NaiveDate> {
        self.rest.file_date(layer)
    }
}
