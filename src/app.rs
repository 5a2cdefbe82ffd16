//! The eframe app: the project, UI state and caches; applies commands once per frame.
//! Persists preferences only (the project is the user's file).

mod editing;
mod export;
pub mod files;
pub mod imagery;
mod scene_cache;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use chrono::NaiveDate;
use egui::{Color32, Key, Modifiers, RichText};
use geo::Coord;
use serde::{Deserialize, Serialize};
use walkers::MapMemory;

use crate::command::Command;
use crate::editing::History;
use crate::imagery::basemap::Basemap;
use crate::imagery::overview;
use crate::model::io::Loaded;
use crate::model::recovery::RecoveryStore;
use crate::model::timeline::{next_stage_date, previous_stage_date};
use crate::model::{Project, Shape};
use crate::render::egui_tiles::EguiTiles;
use crate::scene::index::SceneIndex;
use crate::scene::{Scene, SceneOptions};
use crate::screenshot::ScreenshotJob;
use crate::spatial::LonLatBox;
use crate::ui::file_menu::FileMenu;
use crate::ui::inspector::InspectorState;
use crate::ui::map_edit::{EditView, MapEditor};
use crate::ui::map_view::{LayerLine, fit, map_ui};
use crate::ui::tools::tools_ui;
use crate::ui::{annotations::annotations_ui, theme, timeline::timeline_ui, top_bar::top_bar_ui};

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
}

impl Default for Prefs {
    fn default() -> Self {
        Self {
            basemap: Basemap::Offline,
            side_panel_open: true,
            map_text_scale: 0.45,
            recent_files: Vec::new(),
            layers_panel_open: true,
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
    /// The scene and its spatial index between frames.
    scene_cache: scene_cache::SceneCache,
    /// Dialogs, the unsaved-work question, autosave and recovery.
    files: files::FileState,
    /// Tile layers and file loads of the project's imagery.
    imagery: crate::render::layers::ImageryRuntime,
    /// The imagery file dialog running on its thread.
    imagery_dialog: Option<std::sync::mpsc::Receiver<Vec<PathBuf>>>,
    /// The export dialog, its preview and a running export.
    export: export::ExportState,
    /// Size of the map on screen, for exporting the view as it is.
    map_size: egui::Vec2,
}

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
            scene_cache: scene_cache::SceneCache::default(),
            files: files::FileState::default(),
            imagery: crate::render::layers::ImageryRuntime::default(),
            imagery_dialog: None,
            export: export::ExportState::default(),
            map_size: egui::vec2(1200.0, 800.0),
        };
        app.set_basemap(ctx, app.prefs.basemap);
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
    fn scene_parts(&mut self) -> (Arc<Scene>, Arc<SceneIndex>) {
        let mut options = SceneOptions {
            selected: self.selected.clone(),
            ..SceneOptions::default()
        };
        if let Some(t) = &self.tiles {
            options.credits.push(t.source().attribution().to_owned());
        }
        // Said only when nothing else gives imagery here: no imagery layer at this date.
        if self.prefs.basemap == Basemap::Offline
            && !overview::has_imagery_at(self.zoom)
            && self.shown_layers().is_empty()
        {
            options.notices.push(
                "No offline imagery at this zoom — pick an online basemap or add imagery".into(),
            );
        }
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

    /// Applies one command.
    pub fn apply(&mut self, ctx: &egui::Context, command: Command) {
        self.scene_cache.note(&command);
        match command {
            Command::SetDate(d) => self.date = d,
            Command::ZoomToBox(b) => self.fit_request = Some(b),
            Command::AddLayer(mut layer) => {
                // A preset may already be in the project (the default project lists them).
                let taken: Vec<String> = self.project.layers.iter().map(|l| l.id.clone()).collect();
                layer.id = imagery::unique_id(&layer.id, &taken);
                let index = self.project.layers.len();
                self.apply(
                    ctx,
                    Command::Edit {
                        edit: crate::editing::Edit::AddLayer { index, layer },
                        coalesce: None,
                    },
                );
            }
            Command::AddLayerFilesDialog => self.open_imagery_dialog(ctx),
            Command::AddLayerFiles(files) => {
                let edit = self.add_layer_files_edit(&files);
                self.apply(
                    ctx,
                    Command::Edit {
                        edit,
                        coalesce: None,
                    },
                );
            }
            Command::SetRasterDisplay(id, display) => {
                if let Err(e) = self.imagery.set_raster_display(ctx, &id, display) {
                    self.messages.push(e);
                }
            }
            Command::ToggleLayerPanel => {
                self.prefs.layers_panel_open = !self.prefs.layers_panel_open;
            }
            c @ (Command::OpenExportDialog
            | Command::CloseExportDialog
            | Command::ExportSnapshotDialog
            | Command::ExportSnapshot(_)
            | Command::CancelExport) => self.apply_export(ctx, c),
            Command::NextStage => {
                if let Some(d) = next_stage_date(&self.project, self.date) {
                    self.date = d;
                }
            }
            Command::PreviousStage => {
                if let Some(d) = previous_stage_date(&self.project, self.date) {
                    self.date = d;
                }
            }
            Command::TogglePlay => {
                if self.playing_since_step.take().is_none() {
                    if next_stage_date(&self.project, self.date).is_none()
                        && let Some(first) = self.project.stages.first()
                    {
                        self.date = first.date.key();
                    }
                    self.playing_since_step = Some(ctx.input(|i| i.time));
                }
            }
            Command::Select(id) => self.selected = id,
            Command::ZoomToAnnotation(id) => {
                if let Some(a) = self.project.annotation(&id) {
                    self.fit_request = annotation_box(&a.shape);
                }
                self.selected = Some(id);
            }
            Command::GoHome => self.fit_request = Some(self.project.home),
            Command::SetBasemap(b) => self.set_basemap(ctx, b),
            Command::OpenProjectDialog => self.guard(ctx, files::Pending::OpenDialog),
            // On failure the current project and its path stay: a file that failed to load is
            // never the one a later save writes.
            Command::OpenProject(path) => self.guard(ctx, files::Pending::Open(path)),
            Command::DismissMessage => self.messages.clear(),
            Command::ToggleSidePanel => self.prefs.side_panel_open = !self.prefs.side_panel_open,
            Command::Edit { edit, coalesce } => self.apply_edit(ctx, edit, coalesce.as_deref()),
            Command::Undo => self.undo(),
            Command::Redo => self.redo(),
            Command::SetTool(tool) => self.editor.set_tool(tool),
            Command::NewProject => self.guard(ctx, files::Pending::New),
            Command::Save => {
                self.save(ctx);
            }
            Command::SaveAsDialog => self.open_dialog(ctx, files::DialogPurpose::SaveAs),
            Command::SaveTo(path) => {
                let saved = self.save_to(&path);
                self.after_save_as(ctx, saved);
            }
            Command::ImportDialog => self.open_dialog(ctx, files::DialogPurpose::Import),
            Command::Import(path) => self.import(ctx, &path),
            Command::ExportAnnotationsDialog(format) => {
                self.open_dialog(ctx, files::DialogPurpose::Export(format));
            }
            Command::ExportAnnotations(path, format) => self.export(&path, format),
            Command::ResolveUnsaved(choice) => self.resolve_unsaved(ctx, choice),
            Command::RestoreRecovery => self.restore_recovery(),
            Command::DiscardRecovery => self.discard_recovery(),
        }
    }

    fn play_tick(&mut self, ctx: &egui::Context) {
        let Some(last) = self.playing_since_step else {
            return;
        };
        let now = ctx.input(|i| i.time);
        if now - last >= 1.0 {
            match next_stage_date(&self.project, self.date) {
                Some(d) => {
                    self.date = d;
                    self.playing_since_step = Some(now);
                }
                None => self.playing_since_step = None,
            }
        }
        ctx.request_repaint_after(Duration::from_millis(100));
    }

    fn keyboard(&mut self, ctx: &egui::Context, map_focused: bool) -> Vec<Command> {
        let free = map_focused || ctx.memory(|m| m.focused().is_none());
        // Editing keys work unless a text field takes the keys: a focused button (arrow keys
        // move the focus between widgets) must not block the tool shortcuts.
        let mut out = self.editing_keys(ctx, !ctx.text_edit_focused());
        if !free {
            return out;
        }
        ctx.input_mut(|i| {
            if i.consume_key(Modifiers::NONE, Key::ArrowRight) {
                out.push(Command::NextStage);
            }
            if i.consume_key(Modifiers::NONE, Key::ArrowLeft) {
                out.push(Command::PreviousStage);
            }
            if i.consume_key(Modifiers::NONE, Key::Space) {
                out.push(Command::TogglePlay);
            }
        });
        out
    }

    /// The window title: the project, its file, and "•" while there are unsaved changes.
    #[must_use]
    pub fn title(&self) -> String {
        let file = self.project_path.as_ref().map_or_else(
            || "not saved to a file".to_owned(),
            |p| p.display().to_string(),
        );
        let unsaved = if self.history.is_dirty() { "• " } else { "" };
        format!("{unsaved}Sitewatch — {} ({file})", self.project.name)
    }

    fn pending_work(&self) -> Vec<String> {
        let mut pending: Vec<String> = self
            .tiles
            .iter()
            .filter(|t| t.pending() > 0)
            .map(|t| format!("{} tile(s) of {}", t.pending(), t.source().name()))
            .collect();
        pending.extend(self.imagery.pending(&self.shown_layers()));
        pending
    }

    /// Draws one frame and applies what the user asked for.
    pub fn frame(&mut self, ui: &mut egui::Ui) {
        let ctx = ui.ctx().clone();
        let mut commands: Vec<Command> = Vec::new();
        self.files_frame(&ctx, &mut commands);
        commands.extend(self.sync_imagery(&ctx));
        commands.extend(self.poll_imagery_dialog());
        commands.extend(Self::dropped_imagery(&ctx));
        commands.extend(self.export_frame(&ctx));
        ctx.send_viewport_cmd(egui::ViewportCommand::Title(self.title()));
        let (scene, index) = self.scene_parts();
        let file_menu = FileMenu {
            recent: &self.prefs.recent_files,
            undo: self.history.undo_label(),
            redo: self.history.redo_label(),
        };

        egui::Panel::top("menu").show(ui, |ui| {
            commands.extend(top_bar_ui(
                ui,
                self.prefs.basemap,
                self.prefs.side_panel_open,
                &mut self.prefs.map_text_scale,
                &file_menu,
            ));
        });
        if !self.messages.is_empty() {
            egui::Panel::top("messages").show(ui, |ui| {
                ui.horizontal_wrapped(|ui| {
                    for m in &self.messages {
                        ui.label(
                            RichText::new(format!("⚠ {m}"))
                                .color(Color32::from_rgb(0xE6, 0x9F, 0x00)),
                        );
                    }
                    if ui.button("Dismiss").clicked() {
                        commands.push(Command::DismissMessage);
                    }
                });
            });
        }
        egui::Panel::bottom("timeline")
            .resizable(false)
            .show(ui, |ui| {
                ui.add_space(4.0);
                commands.extend(timeline_ui(ui, &self.project, &scene, self.is_playing()));
                ui.add_space(2.0);
            });
        egui::Panel::bottom("status").show(ui, |ui| {
            ui.horizontal(|ui| {
                match self.hover {
                    Some(c) => ui.monospace(format!(
                        "{:.6}° {}, {:.6}° {}",
                        c.y.abs(),
                        if c.y >= 0.0 { "N" } else { "S" },
                        c.x.abs(),
                        if c.x >= 0.0 { "E" } else { "W" }
                    )),
                    None => ui.monospace("move the pointer over the map for coordinates"),
                };
                ui.separator();
                ui.monospace(format!("zoom {:.1}", self.zoom));
                ui.separator();
                ui.label(format!(
                    "{} — {}",
                    self.editor.tool().name(),
                    self.editor
                        .measure_text()
                        .unwrap_or_else(|| self.editor.tool().help())
                ));
            });
        });
        if self.prefs.side_panel_open {
            egui::Panel::right("annotations")
                .resizable(true)
                .default_size(300.0)
                .show(ui, |ui| {
                    commands.extend(annotations_ui(
                        ui,
                        &self.project,
                        &scene,
                        self.selected.as_deref(),
                        &mut self.inspector,
                    ));
                });
        }
        if self.prefs.layers_panel_open {
            egui::Panel::left("layers")
                .resizable(true)
                .default_size(270.0)
                .show(ui, |ui| {
                    commands.extend(crate::ui::layers::layers_ui(
                        ui,
                        &self.project,
                        &self.imagery,
                        self.date,
                    ));
                });
        }
        egui::Panel::left("tools")
            .resizable(false)
            .exact_size(52.0)
            .show(ui, |ui| {
                commands.extend(tools_ui(
                    ui,
                    self.editor.tool(),
                    self.history.undo_label(),
                    self.history.redo_label(),
                ));
            });
        let layer_line = self.tiles.as_ref().map(|t| {
            let s = t.status();
            LayerLine {
                name: t.source().name().to_owned(),
                loading: s.loading,
                failed: s.failed,
                last_error: s.last_error,
            }
        });
        egui::CentralPanel::default()
            .frame(egui::Frame::NONE)
            .show(ui, |ui| {
                self.map_size = ui.available_size();
                if let Some(bbox) = self.fit_request.take() {
                    fit(&mut self.memory, &bbox, ui.available_size());
                }
                let view = EditView {
                    project: &self.project,
                    scene: &scene,
                    index: &index,
                    selected: self.selected.as_deref(),
                    date: self.date,
                };
                let shown = self.shown_layers();
                let out = map_ui(
                    ui,
                    self.tiles.as_mut(),
                    self.imagery.draw_list(&shown),
                    &mut self.memory,
                    &self.project.home,
                    &scene,
                    self.prefs.map_text_scale,
                    layer_line.as_ref(),
                    &mut self.editor,
                    &view,
                );
                self.hover = out.hover_lonlat;
                commands.extend(out.commands);
                commands.extend(self.keyboard(&ctx, out.response.has_focus()));
            });
        self.zoom = self.memory.zoom();
        self.modals(&ctx, &mut commands);

        // The cached scene must not be shared while commands patch it in place.
        drop(scene);
        drop(index);
        // Commands change what is drawn: show the result at once, not at the next input event.
        if !commands.is_empty() {
            ctx.request_repaint();
        }
        for c in commands {
            self.apply(&ctx, c);
        }
        self.play_tick(&ctx);

        let pending = self.pending_work();
        if let Some(job) = &mut self.screenshot
            && job.frame(&ctx, &pending)
        {
            ctx.send_viewport_cmd(egui::ViewportCommand::Close);
        }
    }
}

/// A box around an annotation, padded so it does not touch the map's edges; points get ~400 m.
fn annotation_box(shape: &Shape) -> Option<LonLatBox> {
    let b = LonLatBox::around(shape.vertices())?;
    let (pad_lon, pad_lat) = (
        ((b.east - b.west) * 0.25).max(0.0025),
        ((b.north - b.south) * 0.25).max(0.0018),
    );
    LonLatBox::try_from([
        b.west - pad_lon,
        b.south - pad_lat,
        b.east + pad_lon,
        b.north + pad_lat,
    ])
    .ok()
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
