//! The window's side of imagery layers: one tile layer per project layer, file layers opened off
//! the UI thread with progress, and a bounded set kept ready around the slider's date.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::export::display::raster_display;
use crate::imagery::dated;
use crate::imagery::disk_cache::DiskCache;
use crate::imagery::pmtiles::{PmTilesSource, is_pmtiles_path};
use crate::imagery::raster::band_stack::BandPlace;
use crate::imagery::raster::mosaic::ScenePlace;
use crate::imagery::raster::signed::Signers;
use crate::imagery::raster::{Display, OpenOptions, RasterLoad, RasterTileSource};
use crate::imagery::tile_loader::Wakeup;
use crate::model::layer_display::LayerDisplay;
use crate::model::{FileDates, ImageryLayer, LayerSource, Project};
use crate::render::egui_tiles::EguiTiles;
use crate::spatial::LonLatBox;
use crate::ui::layers::{LayerLoadState, LayerStatus};

mod looks;

/// Layers kept in memory beyond those wanted now (least recently wanted are dropped first).
const KEEP_EXTRA: usize = 6;

enum State {
    /// A file layer being opened; `progress()` says how far.
    Loading(RasterLoad),
    /// Ready to draw; raster layers keep their source for band and stretch changes.
    Ready {
        tiles: EguiTiles,
        raster: Option<Arc<RasterTileSource>>,
        /// A PMTiles layer's archive, for its extent.
        archive: Option<Arc<PmTilesSource>>,
    },
    /// Could not be opened or configured; the message says why (the file or URL last).
    Failed(String),
}

struct Entry {
    /// What the layer's pixels come from, so an edited layer is reopened.
    identity: String,
    state: State,
    /// The sync count when this layer was last wanted.
    last_wanted: u64,
    /// The layer's display the raster shows (`None`: the file's own).
    display: Option<LayerDisplay>,
    /// What the raster's file suggests, for a layer with no display of its own.
    file_default: Option<Display>,
    /// Why the layer's display could not be applied.
    display_error: Option<String>,
    /// The layer drawn with a comparison's stretch, while one is in force.
    compare: Option<(Arc<crate::imagery::raster::CompareLook>, EguiTiles)>,
    /// Tiles of a loading file's coarse preview, drawn until the full raster is ready.
    preview: Option<EguiTiles>,
}

impl Entry {
    fn new(identity: String, state: State, last_wanted: u64) -> Self {
        Self {
            identity,
            state,
            last_wanted,
            display: None,
            file_default: None,
            display_error: None,
            compare: None,
            preview: None,
        }
    }

    /// Brings an open raster's bands and stretch to the layer's; its tiles are made anew.
    fn follow_display(&mut self, ctx: &egui::Context, wanted: Option<&LayerDisplay>) {
        let (
            State::Ready {
                tiles,
                raster: Some(raster),
                ..
            },
            Some(file_default),
        ) = (&mut self.state, self.file_default)
        else {
            return;
        };
        if self.display.as_ref() == wanted {
            return;
        }
        // Tried once per change: a display the file cannot show is reported, not retried.
        self.display = wanted.cloned();
        // A comparison's look was worked out for the old display.
        self.compare = None;
        raster.set_tone(wanted.map(LayerDisplay::tone).unwrap_or_default());
        let display = wanted.map_or(file_default, raster_display);
        match raster.set_display(display) {
            Ok(()) => {
                self.display_error = None;
                // The old look stands in while the tiles are drawn again.
                let earlier =
                    std::mem::replace(tiles, EguiTiles::new(ctx.clone(), Arc::clone(raster) as _));
                tiles.keep_as_stand_ins(earlier);
            }
            Err(e) => self.display_error = Some(crate::app::error_chain(&e)),
        }
    }
}

/// Per-layer tile sources of the open project, for drawing with walkers.
#[derive(Default)]
pub struct ImageryRuntime {
    entries: HashMap<String, Entry>,
    syncs: u64,
    /// Capture dates read from opened files (TIFF `DateTime`), by layer id, with the identity
    /// of the file they came from; kept when the layer is closed, so its place on the timeline
    /// does not change with what is open.
    file_dates: HashMap<String, (String, chrono::NaiveDate)>,
}

fn identity(layer: &ImageryLayer, base_dir: &Path) -> String {
    match &layer.source {
        LayerSource::File { path } => format!(
            "file:{}",
            layer
                .resolved_file_path(base_dir)
                .unwrap_or_else(|| PathBuf::from(path))
                .display()
        ),
        LayerSource::Tiles {
            url,
            release,
            max_zoom,
        } => format!(
            "tiles:{url}|{}|{max_zoom}|{}",
            release.as_deref().unwrap_or(""),
            layer.date.map(|d| d.to_string()).unwrap_or_default()
        ),
        LayerSource::Remote { url } => format!("remote:{url}"),
        LayerSource::Bands { red, green, blue } => format!("bands:{red}|{green}|{blue}"),
        LayerSource::Mosaic { scenes } => {
            let scenes: Vec<String> = scenes
                .iter()
                .map(|scene| {
                    let mut one = layer.clone();
                    one.source = scene.clone();
                    identity(&one, base_dir)
                })
                .collect();
            format!("mosaic:{}", scenes.join(";"))
        }
    }
}

impl ImageryRuntime {
    /// Opens what `wanted` (project layer indices: shown now and neighbours to preload) needs,
    /// moves finished file loads to ready, and drops layers not wanted for a while.
    pub fn sync(
        &mut self,
        ctx: &egui::Context,
        (project, base_dir): (&Project, &Path),
        wanted: &[usize],
        focus: Option<LonLatBox>,
    ) {
        self.syncs += 1;
        let now = self.syncs;
        // A date read from a file holds while the layer keeps that file.
        self.file_dates.retain(|id, (from, _)| {
            project
                .layers
                .iter()
                .any(|l| &l.id == id && identity(l, base_dir) == *from)
        });
        for layer in wanted.iter().filter_map(|&i| project.layers.get(i)) {
            let id = identity(layer, base_dir);
            let fresh = self.entries.get(&layer.id).is_none_or(|e| e.identity != id);
            if fresh {
                let state = start(ctx, layer, base_dir, focus);
                self.entries
                    .insert(layer.id.clone(), Entry::new(id, state, now));
            } else if let Some(e) = self.entries.get_mut(&layer.id) {
                e.last_wanted = now;
            }
        }
        for (id, entry) in &mut self.entries {
            // A file still loading decodes full detail where the map has gone.
            if let (State::Loading(load), Some(focus)) = (&entry.state, focus) {
                load.set_focus(focus);
            }
            if let State::Loading(load) = &entry.state
                && let Some(preview) = load.take_preview()
            {
                let wanted = project.layers.iter().find(|l| &l.id == id);
                let wanted = wanted.and_then(|l| l.display.as_ref());
                preview.set_tone(wanted.map(LayerDisplay::tone).unwrap_or_default());
                if let Some(d) = wanted {
                    // A display the file cannot show is reported once the full raster is ready.
                    let _ = preview.set_display(raster_display(d));
                }
                // A later stand-in (the coarse preview after the view's full detail) draws
                // over the earlier one's tiles until its own load.
                let mut tiles = EguiTiles::new(ctx.clone(), Arc::new(preview));
                if let Some(earlier) = entry.preview.take() {
                    tiles.keep_as_stand_ins(earlier);
                }
                entry.preview = Some(tiles);
            }
            if let State::Loading(load) = &mut entry.state
                && let Some(result) = load.try_take()
            {
                // The full raster's tiles (and stretch) take over from the preview's, which
                // stand in for them until they load.
                let preview = entry.preview.take();
                entry.state = match result {
                    Ok(source) => {
                        if let Some(day) = source.capture_date() {
                            self.file_dates
                                .insert(id.clone(), (entry.identity.clone(), day));
                        }
                        entry.file_default = Some(source.display());
                        let source = Arc::new(source);
                        let mut tiles = EguiTiles::new(ctx.clone(), Arc::clone(&source) as _);
                        if let Some(preview) = preview {
                            tiles.keep_as_stand_ins(preview);
                        }
                        State::Ready {
                            tiles,
                            raster: Some(source),
                            archive: None,
                        }
                    }
                    Err(e) => State::Failed(crate::app::error_chain(&e)),
                };
            }
        }
        // The window shows each raster as its layer says (an edit, an undo, a project opened).
        for layer in &project.layers {
            if let Some(entry) = self.entries.get_mut(&layer.id) {
                entry.follow_display(ctx, layer.display.as_ref());
            }
        }
        // Keep what is wanted now plus a few recent ones; drop layers gone from the project.
        self.entries
            .retain(|id, _| project.layers.iter().any(|l| &l.id == id));
        if self.entries.len() > wanted.len() + KEEP_EXTRA {
            let mut ages: Vec<(u64, String)> = self
                .entries
                .iter()
                .map(|(id, e)| (e.last_wanted, id.clone()))
                .collect();
            ages.sort();
            let excess = self.entries.len() - wanted.len() - KEEP_EXTRA;
            for (last, id) in ages.into_iter().take(excess) {
                if last < now {
                    if let Some(Entry {
                        state: State::Loading(load),
                        ..
                    }) = self.entries.get(&id)
                    {
                        load.cancel();
                    }
                    self.entries.remove(&id);
                }
            }
        }
    }

    /// The tile layers to draw, bottom first, with their ids and opacities; layers not ready are
    /// skipped.
    pub fn draw_list<'a>(
        &'a mut self,
        shown: &'a [(String, f32)],
    ) -> Vec<(&'a str, &'a mut EguiTiles, f32)> {
        let mut by_id: HashMap<&String, &mut Entry> = self.entries.iter_mut().collect();
        shown
            .iter()
            .filter_map(|(id, opacity)| match by_id.remove(id) {
                Some(
                    Entry {
                        compare: Some((_, tiles)),
                        ..
                    }
                    | Entry {
                        state: State::Ready { tiles, .. },
                        ..
                    }
                    | Entry {
                        preview: Some(tiles),
                        ..
                    },
                ) => Some((id.as_str(), tiles, *opacity)),
                _ => None,
            })
            .collect()
    }

    /// The capture dates read from the layers' files (TIFF `DateTime`), by layer id.
    pub fn file_dates(&self) -> FileDates {
        self.file_dates
            .iter()
            .map(|(id, (_, day))| (id.clone(), *day))
            .collect()
    }

    /// The open raster of a layer, when it is a raster file that has opened.
    pub fn raster(&self, id: &str) -> Option<&Arc<RasterTileSource>> {
        match &self.entries.get(id)?.state {
            State::Ready {
                raster: Some(r), ..
            } => Some(r),
            _ => None,
        }
    }

    /// The files open and ready, by layer id, already shown as their layers say: the export
    /// preview draws from them instead of decoding the files again.
    pub fn open_sources(&self) -> HashMap<String, Arc<dyn crate::imagery::TileSource>> {
        self.entries
            .iter()
            .filter(|(_, e)| e.display_error.is_none())
            .filter_map(|(id, e)| match &e.state {
                State::Ready {
                    raster: Some(r), ..
                } => Some((id.clone(), Arc::clone(r) as _)),
                State::Ready {
                    archive: Some(a), ..
                } => Some((id.clone(), Arc::clone(a) as _)),
                _ => None,
            })
            .collect()
    }

    /// Work still running for the layers shown: file opens and tile loads (for `--screenshot`).
    pub fn pending(&self, shown: &[(String, f32)]) -> Vec<String> {
        shown
            .iter()
            .filter_map(
                |(id, _)| match self.entries.get(id).map(|e| (&e.state, &e.compare)) {
                    // A comparison's look draws from its own tiles.
                    Some((_, Some((_, tiles)))) if tiles.pending() > 0 => {
                        Some(format!("{} tile(s) of layer {id}", tiles.pending()))
                    }
                    Some((state, _)) => match state {
                        State::Loading(load) => Some(format!(
                            "opening {} ({:.0} %)",
                            load.path().display(),
                            load.progress() * 100.0
                        )),
                        State::Ready { tiles, .. } if tiles.pending() > 0 => {
                            Some(format!("{} tile(s) of layer {id}", tiles.pending()))
                        }
                        _ => None,
                    },
                    None => None,
                },
            )
            .collect()
    }
}

/// How a raster layer opens in the window: named and credited as the layer, repainting the
/// window as it goes.
fn load_options(ctx: &egui::Context, layer: &ImageryLayer) -> (OpenOptions, Wakeup) {
    let options = OpenOptions {
        name: layer.name.clone(),
        attribution: layer.attribution.clone(),
        decode_threads: OpenOptions::window_threads(),
        ..OpenOptions::default()
    };
    let ctx = ctx.clone();
    (options, Arc::new(move || ctx.request_repaint()))
}

/// A load read by range requests (a remote file, a band composite, a mosaic): its fetched
/// ranges in the tiles' disk cache (one cap, one eviction, one Clear), signed as the layer says.
fn remote_load(
    ctx: &egui::Context,
    layer: &ImageryLayer,
    start: impl FnOnce(
        OpenOptions,
        Option<Arc<dyn crate::imagery::raster::signed::RequestSigner>>,
        Option<Wakeup>,
    ) -> RasterLoad,
) -> State {
    let (mut options, wakeup) = load_options(ctx, layer);
    options.range_cache = DiskCache::user();
    let signer = Signers::shared().for_layer(layer);
    State::Loading(start(options, signer, Some(wakeup)))
}

fn start(
    ctx: &egui::Context,
    layer: &ImageryLayer,
    base_dir: &Path,
    focus: Option<LonLatBox>,
) -> State {
    match &layer.source {
        LayerSource::File { path } => {
            let path = layer
                .resolved_file_path(base_dir)
                .unwrap_or_else(|| PathBuf::from(path));
            if is_pmtiles_path(&path) {
                // Opening reads only the header and root directory: no worker thread needed.
                return match PmTilesSource::open(&path, &layer.attribution) {
                    Ok(source) => {
                        let source = Arc::new(source);
                        State::Ready {
                            tiles: EguiTiles::new(ctx.clone(), Arc::clone(&source) as _),
                            raster: None,
                            archive: Some(source),
                        }
                    }
                    Err(e) => State::Failed(crate::app::error_chain(&e)),
                };
            }
            let (mut options, wakeup) = load_options(ctx, layer);
            options.focus = focus;
            State::Loading(RasterLoad::start(path, options, Some(wakeup)))
        }
        LayerSource::Remote { url } => remote_load(ctx, layer, |options, signer, wakeup| {
            RasterLoad::start_signed_url(url.clone(), options, signer, wakeup)
        }),
        LayerSource::Bands { red, green, blue } => {
            let bands = [red, green, blue].map(|location| BandPlace::of(location, base_dir));
            remote_load(ctx, layer, |options, signer, wakeup| {
                RasterLoad::start_bands(bands, options, signer, wakeup)
            })
        }
        LayerSource::Mosaic { scenes } => match ScenePlace::of_scenes(scenes, base_dir) {
            Ok(places) => remote_load(ctx, layer, |options, signer, wakeup| {
                RasterLoad::start_mosaic(places, options, signer, wakeup)
            }),
            Err(e) => State::Failed(crate::app::error_chain(&e)),
        },
        LayerSource::Tiles { .. } => {
            let cache = DiskCache::user();
            match dated::tile_source(layer, cache) {
                Ok(source) => State::Ready {
                    tiles: EguiTiles::new(ctx.clone(), Arc::new(source)),
                    raster: None,
                    archive: None,
                },
                Err(e) => State::Failed(crate::app::error_chain(&e)),
            }
        }
    }
}

impl LayerStatus for ImageryRuntime {
    /// The loading state of a layer, for the layer panel.
    fn load_state(&self, id: &str) -> LayerLoadState {
        if let Some(message) = self.entries.get(id).and_then(|e| e.display_error.clone()) {
            return LayerLoadState::Failed(message);
        }
        match self.entries.get(id).map(|e| &e.state) {
            None => LayerLoadState::Idle,
            Some(State::Loading(load)) => LayerLoadState::Opening(load.progress()),
            Some(State::Ready { tiles, .. }) => {
                let s = tiles.status();
                LayerLoadState::Ready {
                    loading: s.loading,
                    failed: s.failed,
                    last_error: s.last_error,
                }
            }
            Some(State::Failed(m)) => LayerLoadState::Failed(m.clone()),
        }
    }

    /// The extent of a ready file layer (tile services have none).
    fn bounds(&self, id: &str) -> Option<LonLatBox> {
        match self.entries.get(id).map(|e| &e.state) {
            Some(State::Ready {
                raster: Some(r), ..
            }) => Some(r.bounds_lonlat()),
            Some(State::Ready {
                archive: Some(a), ..
            }) => Some(a.bounds_lonlat()),
            _ => None,
        }
    }

    fn file_dates(&self) -> FileDates {
        ImageryRuntime::file_dates(self)
    }

    /// The band count and display of a ready raster layer.
    fn raster_display(&self, id: &str) -> Option<(usize, Display)> {
        match self.entries.get(id).map(|e| &e.state) {
            Some(State::Ready {
                raster: Some(r), ..
            }) => Some((r.band_count(), r.display())),
            _ => None,
        }
    }

    /// The open raster and the stretch its file suggests, for the layer's histogram.
    fn histogram_source(&self, id: &str) -> Option<crate::ui::histogram::HistogramSource<'_>> {
        let entry = self.entries.get(id)?;
        let (
            State::Ready {
                raster: Some(raster),
                ..
            },
            Some(file_default),
        ) = (&entry.state, entry.file_default)
        else {
            return None;
        };
        Some(crate::ui::histogram::HistogramSource {
            raster,
            automatic: file_default.stretch,
        })
    }
}
