//! The eframe app: the project, UI state and caches; applies commands once per frame.
//! Persists preferences only (the project is the user's file).

mod align;
mod autosave;
mod changes;
mod changes_review;
mod commands;
pub mod compare;
mod compare_looks;
pub mod compare_panes;
mod editing;
mod export;
pub mod files;
mod find_imagery;
mod find_imagery_clear;
mod find_imagery_layers;
mod find_imagery_thumbs;
mod frame;
pub mod imagery;
mod imagery_runtime;
mod loupe;
mod map_overlay;
mod preferences;
mod progress;
mod scene_cache;
mod stage_views;
mod tool_window;
mod wayback;
mod wmts;

use std::path::PathBuf;
use std::sync::Arc;

use chrono::NaiveDate;
use geo::Coord;
use serde::{Deserialize, Serialize};
use walkers::MapMemory;

use crate::editing::History;
use crate::imagery::basemap::Basemap;
use crate::imagery::overview;
use crate::model::Project;
use crate::model::io::Loaded;
use crate::model::recovery::RecoveryStore;
use crate::render::egui_tiles::EguiTiles;
use crate::scene::index::SceneIndex;
use crate::scene::{Scene, SceneOptions};
use crate::screenshot::ScreenshotJob;
use crate::spatial::LonLatBox;
use crate::ui::inspector::InspectorState;
use crate::ui::map_edit::MapEditor;
use crate::ui::theme;

/// What the user chose last time: kept between runs (never during tests or `--screenshot`).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default)]
pub struct Prefs {
    /// The basemap.
    pub basemap: Basemap,
    /// Whether the annotation panel is open.
    pub side_panel_open: bool,
    /// Map label and line scale relative to the 1920 px figure style.
    pub map_text_scale: f32,
    /// Projects opened or saved lately, newest first.
    pub recent_files: Vec<PathBuf>,
    /// Whether the imagery layer panel is open.
    pub layers_panel_open: bool,
    /// Whether the map shows the export's figure frame and furniture.
    pub figure_frame: bool,
    /// Seconds between autosaves of unsaved work.
    pub autosave_interval_s: u32,
    /// The tile cache's size cap in bytes (older preferences load with the 1 GiB default).
    pub tile_cache_max_bytes: u64,
    /// Bytes of decoded imagery kept in memory, all layers together (older preferences load
    /// with the default: 1 GiB, or a quarter of the machine's memory when that is less).
    pub imagery_memory_max_bytes: u64,
}

impl Default for Prefs {
    fn default() -> Self {
        Self {
            basemap: Basemap::Offline,
            side_panel_open: true,
            map_text_scale: 0.45,
            recent_files: Vec::new(),
            layers_panel_open: true,
            figure_frame: false,
            autosave_interval_s: files::AUTOSAVE_INTERVAL_S as u32,
            tile_cache_max_bytes: crate::imagery::disk_cache::DiskCache::DEFAULT_MAX_BYTES,
            imagery_memory_max_bytes: crate::imagery::raster::memory_budget::default_limit() as u64,
        }
    }
}

const PREFS_KEY: &str = "sitewatch-prefs";

/// How the window starts.
pub struct AppOptions {
    /// The project, already loaded (the CLI reports load errors before the window opens).
    pub loaded: Loaded,
    /// Its file, `None` for the embedded default project.
    pub project_path: Option<PathBuf>,
    /// Start date; the latest stage when `None`.
    pub date: Option<NaiveDate>,
    /// Take a screenshot and exit.
    pub screenshot: Option<ScreenshotJob>,
    /// Keep preferences and window geometry between runs.
    pub persist: bool,
}

/// The Sitewatch window.
pub struct SitewatchApp {
    project: Project,
    project_path: Option<PathBuf>,
    date: NaiveDate,
    selected: Option<String>,
    /// Time (egui seconds) of the last automatic step while playing.
    playing_since_step: Option<f64>,
    memory: MapMemory,
    fit_request: Option<LonLatBox>,
    prefs: Prefs,
    tiles: Option<EguiTiles>,
    messages: Vec<String>,
    screenshot: Option<ScreenshotJob>,
    persist: bool,
    hover: Option<Coord<f64>>,
    zoom: f64,
    /// Undo and redo of every edit.
    history: History,
    /// The map tools and the gesture in progress.
    editor: MapEditor,
    /// Half-typed inspector fields.
    inspector: InspectorState,
    /// The annotation list's order, kept between frames.
    list_order: crate::ui::annotations::ListOrder,
    /// The scene and its spatial index between frames.
    scene_cache: scene_cache::SceneCache,
    /// Dialogs, the unsaved-work question, autosave and recovery.
    files: files::FileState,
    /// Tile layers and file loads of the project's imagery.
    imagery: imagery_runtime::ImageryRuntime,
    /// The imagery file dialog running on its thread.
    imagery_dialog: Option<std::sync::mpsc::Receiver<Vec<PathBuf>>>,
    /// The export dialog, its preview and a running export.
    export: export::ExportState,
    /// Size of the map on screen, for exporting the view as it is.
    map_size: egui::Vec2,
    /// The one text measurer of the window's display lists.
    text: crate::render::text::EpaintText,
    /// The figure frame's box on the map while it is shown (an export of the view takes it).
    frame_box: Option<LonLatBox>,
    /// The display list drawn on the last frame, and what it was lowered for.
    list_cache: crate::ui::map_view::ListCache,
    /// Comparing date A with the slider's date (swipe, blend, blink).
    compare: compare::CompareState,
    /// A stage's view just restored, while the map still shows it.
    restored_view: Option<stage_views::RestoredView>,
    /// The Progress window (measures over time).
    progress: progress::ProgressState,
    /// The Align tool's panel and its estimate.
    align: align::AlignState,
    /// The Find changes window, its run and the review of its candidates.
    changes: changes::ChangesState,
    /// The loupe beside the pointer (View ▸ Loupe).
    loupe: crate::ui::loupe::Loupe,
    /// The Find imagery window, its search and results.
    find_imagery: find_imagery::FindImageryState,
    /// The Wayback captures window, its search and the captures found.
    wayback: wayback::WaybackState,
    /// The Add WMTS layers window and the service it read.
    wmts: wmts::WmtsState,
    /// The Preferences window.
    preferences: preferences::PreferencesState,
}

pub use crate::error_chain::error_chain;

fn default_date(project: &Project) -> NaiveDate {
    project
        .stages
        .last()
        .map_or_else(|| chrono::Local::now().date_naive(), |s| s.date.key())
}

impl SitewatchApp {
    /// Builds the app for eframe.
    #[must_use]
    pub fn new(cc: &eframe::CreationContext<'_>, options: AppOptions) -> Self {
        let prefs = if options.persist {
            cc.storage
                .and_then(|s| eframe::get_value::<Prefs>(s, PREFS_KEY))
                .unwrap_or_default()
        } else {
            Prefs::default()
        };
        // The map's plain meshes stay on the GPU (eframe's default renderer, dithering on as
        // its default options have it). SITEWATCH_CPU_MESHES=1 hands them to egui each frame.
        if let Some(render_state) = &cc.wgpu_render_state
            && std::env::var_os("SITEWATCH_CPU_MESHES").is_none()
        {
            crate::ui::gpu_mesh::install(&cc.egui_ctx, render_state, true);
        }
        Self::with_context(&cc.egui_ctx, options, prefs)
    }

    /// Builds the app on a context (tests use this through kittest).
    #[must_use]
    pub fn with_context(ctx: &egui::Context, options: AppOptions, prefs: Prefs) -> Self {
        theme::install_fonts(ctx);
        theme::install_visuals(ctx);
        let Loaded { project, warnings } = options.loaded;
        let date = options.date.unwrap_or_else(|| default_date(&project));
        let mut app = Self {
            fit_request: Some(project.home),
            project,
            project_path: options.project_path,
            date,
            selected: None,
            playing_since_step: None,
            memory: MapMemory::default(),
            prefs,
            tiles: None,
            messages: warnings,
            screenshot: options.screenshot,
            persist: options.persist,
            hover: None,
            zoom: 0.0,
            history: History::new(),
            editor: MapEditor::default(),
            inspector: InspectorState::default(),
            list_order: crate::ui::annotations::ListOrder::default(),
            scene_cache: scene_cache::SceneCache::default(),
            files: files::FileState::default(),
            imagery: imagery_runtime::ImageryRuntime::default(),
            imagery_dialog: None,
            export: export::ExportState::default(),
            map_size: egui::vec2(1200.0, 800.0),
            text: crate::render::text::EpaintText::bundled(),
            frame_box: None,
            restored_view: None,
            list_cache: crate::ui::map_view::ListCache::default(),
            compare: compare::CompareState::default(),
            progress: progress::ProgressState::default(),
            align: align::AlignState::default(),
            changes: changes::ChangesState::default(),
            loupe: crate::ui::loupe::Loupe::default(),
            find_imagery: find_imagery::FindImageryState::default(),
            wayback: wayback::WaybackState::default(),
            wmts: wmts::WmtsState::default(),
            preferences: preferences::PreferencesState::default(),
        };
        crate::imagery::disk_cache::DiskCache::set_shared_max_bytes(app.prefs.tile_cache_max_bytes);
        crate::imagery::raster::memory_budget::MemoryBudget::global()
            .set_limit(usize::try_from(app.prefs.imagery_memory_max_bytes).unwrap_or(usize::MAX));
        app.set_basemap(ctx, app.prefs.basemap);
        app.set_autosave_interval(f64::from(app.prefs.autosave_interval_s));
        // Autosave and recovery only for real sessions: tests and screenshots leave the user's
        // data folder alone.
        if app.persist {
            app.set_recovery_store(RecoveryStore::in_user_data());
        }
        app
    }

    /// The current project.
    #[must_use]
    pub fn project(&self) -> &Project {
        &self.project
    }

    /// The slider's date.
    #[must_use]
    pub fn date(&self) -> NaiveDate {
        self.date
    }

    /// The selected annotation's id.
    #[must_use]
    pub fn selected(&self) -> Option<&str> {
        self.selected.as_deref()
    }

    /// Messages shown in the banner (load warnings and errors).
    #[must_use]
    pub fn messages(&self) -> &[String] {
        &self.messages
    }

    /// The display list the map drew on the last frame (the figure's, at its own size, while
    /// the figure frame is shown).
    #[must_use]
    pub fn display_list(&self) -> &crate::render::display_list::DisplayList {
        self.list_cache.list()
    }

    /// Where the map's display list is on screen.
    #[must_use]
    pub fn display_placement(&self) -> crate::render::egui_paint::Placement {
        self.list_cache.placement()
    }

    /// How many times the map's display list was lowered (tests check that idle frames lower
    /// nothing).
    #[must_use]
    pub fn list_lowerings(&self) -> u64 {
        self.list_cache.lowerings()
    }

    /// How many times the painted list was composed anew and so tessellated again (tests check
    /// that scrubbing a comparison between changes keeps it).
    #[must_use]
    pub fn list_compositions(&self) -> u64 {
        self.list_cache.compositions()
    }

    /// How many times date A's scene was built (tests check that a comparison keeps it while
    /// date A stays).
    #[must_use]
    pub fn compare_scene_builds(&self) -> u64 {
        self.compare.scene.a.builds()
    }

    /// How far the layer `id`'s imagery has opened (the layer panel shows the same).
    #[must_use]
    pub fn layer_load_state(&self, id: &str) -> crate::ui::layers::LayerLoadState {
        crate::ui::layers::LayerStatus::load_state(&self.imagery, id)
    }

    /// The map's tessellated vector ops (the frame benchmark and tests report them).
    #[must_use]
    pub fn list_meshes(&self) -> Option<&crate::ui::list_mesh::ListMeshes> {
        self.list_cache.meshes()
    }

    /// The figure frame's box on the map, while the frame is shown.
    #[must_use]
    pub fn frame_box(&self) -> Option<LonLatBox> {
        self.frame_box
    }

    /// Whether the stages are playing.
    #[must_use]
    pub fn is_playing(&self) -> bool {
        self.playing_since_step.is_some()
    }

    /// The scene drawn now.
    pub fn scene(&mut self) -> Arc<Scene> {
        self.scene_parts().0
    }

    /// How many times the scene has been built from scratch (tests check that frames where
    /// nothing changed build nothing).
    #[must_use]
    pub fn scene_builds(&self) -> u64 {
        self.scene_cache.builds()
    }

    /// The scene drawn now and its spatial index, from the cache when nothing changed.
    /// How the scene at `date` is built: the selection, file dates, credits and notices.
    fn scene_options(&self, date: NaiveDate) -> SceneOptions {
        // Only undated layers take their file's date: a dated layer's opening must not count as
        // a change of the scene (it would rebuild it as each layer finishes loading).
        let mut file_dates = self.imagery.file_dates();
        file_dates.retain(|id, _| {
            self.project
                .layers
                .iter()
                .any(|l| l.id == *id && l.date.is_none())
        });
        let mut options = SceneOptions {
            selected: self.selected.clone(),
            file_dates,
            ..SceneOptions::default()
        };
        if let Some(t) = &self.tiles {
            options.credits.push(t.source().attribution().to_owned());
        }
        // Said only when nothing else gives imagery here: no imagery layer at this date.
        if self.prefs.basemap == Basemap::Offline
            && !overview::has_imagery_at(self.zoom)
            && self.shown_layers_at(date).is_empty()
        {
            options
                .notices
                .push(crate::scene::NO_IMAGERY_NOTICE.to_owned());
        }
        options
    }

    fn scene_parts(&mut self) -> (Arc<Scene>, Arc<SceneIndex>) {
        let options = self.scene_options(self.date);
        self.scene_cache.get(&self.project, self.date, &options)
    }

    fn set_basemap(&mut self, ctx: &egui::Context, basemap: Basemap) {
        self.prefs.basemap = basemap;
        match basemap.source() {
            Ok(source) => self.tiles = Some(EguiTiles::new(ctx.clone(), source)),
            Err(e) => {
                self.tiles = None;
                self.messages.push(format!(
                    "The {} basemap is unavailable: {e}",
                    basemap.label()
                ));
            }
        }
    }
}

impl eframe::App for SitewatchApp {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        self.frame(ui);
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        if self.persist {
            eframe::set_value(storage, PREFS_KEY, &self.prefs);
        }
    }

    fn persist_egui_memory(&self) -> bool {
        self.persist
    }
}
