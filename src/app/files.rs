//! Project files in the window: new, open, save, save as (dialogs on a worker thread), recent
//! files, the unsaved-work question, autosave and recovery, import and export of annotations,
//! files dropped on the window.

use std::path::{Path, PathBuf};
use std::sync::{Arc, mpsc};

use egui::{Key, Modifiers, RichText};

use super::SitewatchApp;
use crate::command::{Command, UnsavedChoice};
use crate::editing::History;
use crate::interchange::{Format, export_file, import_edit, import_file, sort_dropped};
use crate::model::default_project::project_base_dir;
use crate::model::io::{Loaded, load, save_atomic};
use crate::model::recovery::{Recovered, RecoveryStore};
use crate::model::{LayerSource, Project, default_project};

/// Most recent files remembered.
pub const MAX_RECENT: usize = 10;

/// Seconds between autosaves while there are unsaved changes.
pub const AUTOSAVE_INTERVAL_S: f64 = 30.0;

/// What a file dialog is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DialogPurpose {
    /// Open a project.
    Open,
    /// Save the project under a new name.
    SaveAs,
    /// Import annotations (`GeoJSON` or KML).
    Import,
    /// Export annotations.
    Export(Format),
}

/// Asks the user for a file. The app runs it on a worker thread; tests put a fake in its place.
pub trait FilePicker: Send + Sync {
    /// The chosen path, or `None` when the user cancelled. `suggested` is a file name to offer.
    fn pick(&self, purpose: DialogPurpose, suggested: &str) -> Option<PathBuf>;
}

/// The system file dialog (a portal, or zenity where no portal runs).
pub struct RfdPicker;

impl FilePicker for RfdPicker {
    fn pick(&self, purpose: DialogPurpose, suggested: &str) -> Option<PathBuf> {
        let dialog = rfd::FileDialog::new();
        match purpose {
            DialogPurpose::Open => dialog
                .set_title("Open a Sitewatch project")
                .add_filter("Sitewatch project (GeoJSON)", &["geojson", "json"])
                .pick_file(),
            DialogPurpose::SaveAs => dialog
                .set_title("Save the Sitewatch project as")
                .add_filter("Sitewatch project (GeoJSON)", &["geojson"])
                .set_file_name(suggested)
                .save_file(),
            DialogPurpose::Import => dialog
                .set_title("Import annotations")
                .add_filter("GeoJSON or KML", &["geojson", "json", "kml"])
                .pick_file(),
            DialogPurpose::Export(format) => dialog
                .set_title(format!("Export annotations as {}", format.name()))
                .add_filter(format.name(), &[format.extension()])
                .set_file_name(suggested)
                .save_file(),
        }
    }
}

/// What waits for an answer to "save the changes first?".
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Pending {
    New,
    OpenDialog,
    Open(PathBuf),
    Close,
}

/// The app's file state.
pub(crate) struct FileState {
    picker: Arc<dyn FilePicker>,
    dialog: Option<mpsc::Receiver<(DialogPurpose, Option<PathBuf>)>>,
    /// An action waiting for the unsaved-work answer (the modal is open while it is set).
    pub(crate) pending: Option<Pending>,
    /// An action to take once a Save As has written the file.
    after_save: Option<Pending>,
    /// The user agreed to close (with the work saved or discarded).
    close_confirmed: bool,
    pub(crate) recovery: Option<RecoveryStore>,
    /// Work recovered at start, waiting for Restore or Discard.
    pub(crate) recovered: Option<Recovered>,
    pub(crate) autosave_interval_s: f64,
    /// When the current run of unsaved changes was last autosaved (or first noticed).
    last_autosave_s: Option<f64>,
    autosave_job: Option<mpsc::Receiver<Result<(), String>>>,
}

impl Default for FileState {
    fn default() -> Self {
        Self {
            picker: Arc::new(RfdPicker),
            dialog: None,
            pending: None,
            after_save: None,
            close_confirmed: false,
            recovery: None,
            recovered: None,
            autosave_interval_s: AUTOSAVE_INTERVAL_S,
            last_autosave_s: None,
            autosave_job: None,
        }
    }
}

/// A project with nothing in it, viewing the same place as `like`.
#[must_use]
pub fn empty_project(like: &Project) -> Project {
    let mut p = match default_project::load_default_project() {
        Ok(Loaded { project, .. }) => project,
        // The embedded project always parses (tests check it); keep the current one's shape.
        Err(_) => like.clone(),
    };
    "Untitled project".clone_into(&mut p.name);
    p.description = String::new();
    p.home = like.home;
    p.annotations.clear();
    p.stages.clear();
    p.sources.clear();
    p.layers.clear();
    p.extra.clear();
    p.extra_members.clear();
    p
}

fn file_name_of(project: &Project, path: Option<&Path>, ext: &str) -> String {
    let stem = path.and_then(Path::file_stem).map_or_else(
        || project.name.clone(),
        |s| s.to_string_lossy().into_owned(),
    );
    // "Tumen River road crossing (Tumangang–Khasan)" → "Tumen-River-road-crossing-Tumangang-Khasan".
    let words: Vec<&str> = stem
        .split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty())
        .collect();
    if words.is_empty() {
        format!("project.{ext}")
    } else {
        format!("{}.{ext}", words.join("-"))
    }
}

/// The project as it must be written to `to`: imagery files given relative to the old project
/// folder would not be found from another folder, so they are written as absolute paths.
fn rebase_layer_files(project: &Project, from: Option<&Path>, to: &Path) -> Project {
    let old_base = project_base_dir(from);
    let new_base = project_base_dir(Some(to));
    let mut out = project.clone();
    if old_base == new_base {
        return out;
    }
    for layer in &mut out.layers {
        if let LayerSource::File { path } = &mut layer.source
            && Path::new(path.as_str()).is_relative()
        {
            let absolute = old_base.join(path.as_str());
            let absolute = std::fs::canonicalize(&absolute).unwrap_or(absolute);
            if let Some(text) = absolute.to_str() {
                text.clone_into(path);
            }
        }
    }
    out
}

impl SitewatchApp {
    /// Replaces the file dialog (tests answer it themselves).
    pub fn set_file_picker(&mut self, picker: Arc<dyn FilePicker>) {
        self.files.picker = picker;
    }

    /// Uses this recovery folder for autosaves, and offers what it holds.
    pub fn set_recovery_store(&mut self, store: Option<RecoveryStore>) {
        self.files.recovered = None;
        if let Some(store) = &store {
            match store.read() {
                Ok(found) => self.files.recovered = found,
                Err(e) => self.messages.push(format!("{e} (it was left in place)")),
            }
        }
        self.files.recovery = store;
    }

    /// Seconds between autosaves (30 by default; tests shorten it).
    pub fn set_autosave_interval(&mut self, seconds: f64) {
        self.files.autosave_interval_s = seconds;
    }

    /// The project's file, `None` for the embedded default project or a new one.
    #[must_use]
    pub fn project_path(&self) -> Option<&Path> {
        self.project_path.as_deref()
    }

    /// True when the project has changes not written to its file.
    #[must_use]
    pub fn is_dirty(&self) -> bool {
        self.history.is_dirty()
    }

    /// The undo history.
    #[must_use]
    pub fn history(&self) -> &History {
        &self.history
    }

    /// Recently opened or saved files, newest first.
    #[must_use]
    pub fn recent_files(&self) -> &[PathBuf] {
        &self.prefs.recent_files
    }

    /// True while the unsaved-work question is shown.
    #[must_use]
    pub fn asks_about_unsaved_work(&self) -> bool {
        self.files.pending.is_some()
    }

    /// True while recovered work is offered.
    #[must_use]
    pub fn offers_recovery(&self) -> bool {
        self.files.recovered.is_some()
    }

    fn remember_recent(&mut self, path: &Path) {
        let path = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        self.prefs.recent_files.retain(|p| *p != path);
        self.prefs.recent_files.insert(0, path);
        self.prefs.recent_files.truncate(MAX_RECENT);
    }

    pub(crate) fn open_dialog(&mut self, ctx: &egui::Context, purpose: DialogPurpose) {
        if self.files.dialog.is_some() {
            return;
        }
        let suggested = match purpose {
            DialogPurpose::SaveAs => {
                file_name_of(&self.project, self.project_path.as_deref(), "geojson")
            }
            DialogPurpose::Export(f) => {
                file_name_of(&self.project, self.project_path.as_deref(), f.extension())
            }
            DialogPurpose::Open | DialogPurpose::Import => String::new(),
        };
        let (tx, rx) = mpsc::channel();
        let chooser = Arc::clone(&self.files.picker);
        let ctx = ctx.clone();
        // The dialog blocks, so it runs on its own thread and reports back.
        std::thread::spawn(move || {
            let picked = chooser.pick(purpose, &suggested);
            let _ = tx.send((purpose, picked));
            ctx.request_repaint();
        });
        self.files.dialog = Some(rx);
    }

    /// What a finished dialog asks for.
    pub(crate) fn poll_file_dialog(&mut self) -> Vec<Command> {
        let Some(rx) = &self.files.dialog else {
            return Vec::new();
        };
        match rx.try_recv() {
            Ok((purpose, picked)) => {
                self.files.dialog = None;
                let Some(path) = picked else {
                    // Cancelled: whatever waited on a Save As does not happen.
                    self.files.after_save = None;
                    return Vec::new();
                };
                vec![match purpose {
                    DialogPurpose::Open => Command::OpenProject(path),
                    DialogPurpose::SaveAs => Command::SaveTo(path),
                    DialogPurpose::Import => Command::Import(path),
                    DialogPurpose::Export(format) => Command::ExportAnnotations(path, format),
                }]
            }
            Err(mpsc::TryRecvError::Empty) => Vec::new(),
            Err(mpsc::TryRecvError::Disconnected) => {
                self.files.dialog = None;
                Vec::new()
            }
        }
    }

    /// Runs `action` now, or asks first when there is unsaved work.
    pub(crate) fn guard(&mut self, ctx: &egui::Context, action: Pending) {
        if self.history.is_dirty() {
            self.files.pending = Some(action);
        } else {
            self.proceed(ctx, action);
        }
    }

    fn proceed(&mut self, ctx: &egui::Context, action: Pending) {
        match action {
            Pending::New => {
                let project = empty_project(&self.project);
                self.replace_project(project, None, Vec::new(), History::new());
            }
            Pending::OpenDialog => self.open_dialog(ctx, DialogPurpose::Open),
            Pending::Open(path) => self.open_now(&path),
            Pending::Close => {
                self.files.close_confirmed = true;
                self.clear_recovery();
                ctx.send_viewport_cmd(egui::ViewportCommand::Close);
            }
        }
    }

    pub(crate) fn resolve_unsaved(&mut self, ctx: &egui::Context, choice: UnsavedChoice) {
        let Some(action) = self.files.pending.take() else {
            return;
        };
        match choice {
            UnsavedChoice::Cancel => {}
            UnsavedChoice::Discard => self.proceed(ctx, action),
            UnsavedChoice::Save => {
                if self.save(ctx) {
                    self.proceed(ctx, action);
                } else if self.project_path.is_none() {
                    // Save went to the Save As dialog: go on once it has written the file.
                    self.files.after_save = Some(action);
                }
            }
        }
    }

    fn replace_project(
        &mut self,
        project: Project,
        path: Option<PathBuf>,
        warnings: Vec<String>,
        history: History,
    ) {
        self.date = super::default_date(&project);
        self.fit_request = Some(project.home);
        self.project = project;
        self.project_path = path;
        self.selected = None;
        self.playing_since_step = None;
        self.messages = warnings;
        self.history = history;
        self.editor.reset();
        self.files.last_autosave_s = None;
        self.scene_cache.invalidate();
    }

    /// Opens a project file; on failure the current project and its path stay as they were.
    pub(crate) fn open_now(&mut self, path: &Path) {
        match load(path) {
            Ok(Loaded { project, warnings }) => {
                self.remember_recent(path);
                self.replace_project(project, Some(path.to_path_buf()), warnings, History::new());
                self.clear_recovery();
            }
            Err(e) => self.messages.push(e.to_string()),
        }
    }

    /// Saves to the project's file; with none (the embedded default project, a new project)
    /// asks for one. Returns true when the file was written.
    pub(crate) fn save(&mut self, ctx: &egui::Context) -> bool {
        if let Some(path) = self.project_path.clone() {
            self.save_to(&path)
        } else {
            self.open_dialog(ctx, DialogPurpose::SaveAs);
            false
        }
    }

    /// Writes the project atomically to `path` and makes it the project's file.
    pub(crate) fn save_to(&mut self, path: &Path) -> bool {
        let rebased = rebase_layer_files(&self.project, self.project_path.as_deref(), path);
        match save_atomic(&rebased, path) {
            Ok(()) => {
                if rebased != self.project {
                    self.project = rebased;
                    self.scene_cache.invalidate();
                }
                self.project_path = Some(path.to_path_buf());
                self.history.mark_saved();
                self.remember_recent(path);
                self.clear_recovery();
                self.files.last_autosave_s = None;
                true
            }
            Err(e) => {
                self.messages.push(e.to_string());
                self.files.after_save = None;
                false
            }
        }
    }

    /// After a Save As wrote the file, what waited on it.
    pub(crate) fn after_save_as(&mut self, ctx: &egui::Context, saved: bool) {
        if let Some(action) = self.files.after_save.take()
            && saved
        {
            self.proceed(ctx, action);
        }
    }

    pub(crate) fn import(&mut self, ctx: &egui::Context, path: &Path) {
        match import_file(path, &self.project, self.date) {
            Ok(imported) => {
                let origin = path.display().to_string();
                self.messages.push(imported.summary(&origin));
                self.messages
                    .extend(imported.warnings.iter().take(8).cloned());
                if imported.warnings.len() > 8 {
                    self.messages.push(format!(
                        "… and {} more warnings",
                        imported.warnings.len() - 8
                    ));
                }
                if let Some(edit) = import_edit(&self.project, &imported) {
                    self.apply_edit(ctx, edit, None);
                }
            }
            Err(e) => self.messages.push(e.to_string()),
        }
    }

    pub(crate) fn export(&mut self, path: &Path, format: Format) {
        match export_file(path, &self.project, format) {
            Ok(()) => self.messages.push(format!(
                "Exported {} annotation(s) as {}: {}",
                self.project.annotations.len(),
                format.name(),
                path.display()
            )),
            Err(e) => self.messages.push(e.to_string()),
        }
    }

    fn clear_recovery(&mut self) {
        if let Some(store) = &self.files.recovery
            && let Err(e) = store.clear()
        {
            self.messages.push(e.to_string());
        }
    }

    pub(crate) fn restore_recovery(&mut self) {
        let Some(Recovered { loaded, info }) = self.files.recovered.take() else {
            return;
        };
        let mut warnings = loaded.warnings;
        warnings.push(format!(
            "Recovered unsaved work from {}; save it to keep it",
            if info.saved_at.is_empty() {
                "the last session"
            } else {
                &info.saved_at
            }
        ));
        self.replace_project(
            loaded.project,
            info.project_path,
            warnings,
            History::unsaved(),
        );
    }

    pub(crate) fn discard_recovery(&mut self) {
        self.files.recovered = None;
        self.clear_recovery();
    }

    /// Once a frame: autosave, files dropped on the window, the window's close button.
    pub(crate) fn files_frame(&mut self, ctx: &egui::Context, commands: &mut Vec<Command>) {
        commands.extend(self.poll_file_dialog());

        let dropped: Vec<PathBuf> = ctx.input(|i| {
            i.raw
                .dropped_files
                .iter()
                .map(|f| f.path().to_path_buf())
                .collect()
        });
        if !dropped.is_empty() {
            let (ok, refused) = sort_dropped(dropped);
            self.messages.extend(refused);
            commands.extend(ok.into_iter().map(Command::Import));
        }

        // Shortcuts that work even while typing in a field.
        let (new, save_as, save, open) = ctx.input_mut(|i| {
            (
                i.consume_key(Modifiers::COMMAND, Key::N),
                i.consume_key(Modifiers::COMMAND | Modifiers::SHIFT, Key::S),
                i.consume_key(Modifiers::COMMAND, Key::S),
                i.consume_key(Modifiers::COMMAND, Key::O),
            )
        });
        if new {
            commands.push(Command::NewProject);
        }
        if save_as {
            commands.push(Command::SaveAsDialog);
        } else if save {
            commands.push(Command::Save);
        }
        if open {
            commands.push(Command::OpenProjectDialog);
        }

        if ctx.input(|i| i.viewport().close_requested()) && !self.files.close_confirmed {
            if self.history.is_dirty() {
                ctx.send_viewport_cmd(egui::ViewportCommand::CancelClose);
                self.files.pending = Some(Pending::Close);
            } else {
                self.clear_recovery();
            }
        }

        self.autosave_tick(ctx);
    }

    fn autosave_tick(&mut self, ctx: &egui::Context) {
        if let Some(rx) = &self.files.autosave_job {
            match rx.try_recv() {
                Ok(Ok(())) | Err(mpsc::TryRecvError::Disconnected) => {
                    self.files.autosave_job = None;
                }
                Ok(Err(e)) => {
                    self.messages.push(format!("Autosave failed: {e}"));
                    self.files.autosave_job = None;
                }
                Err(mpsc::TryRecvError::Empty) => return,
            }
        }
        if !self.history.is_dirty()
            || self.files.recovery.is_none()
            || self.files.recovered.is_some()
        {
            self.files.last_autosave_s = None;
            return;
        }
        let now = ctx.input(|i| i.time);
        let since = *self.files.last_autosave_s.get_or_insert(now);
        let interval = self.files.autosave_interval_s;
        if now - since < interval {
            ctx.request_repaint_after(std::time::Duration::from_secs_f64(
                (interval - (now - since)).max(0.1),
            ));
            return;
        }
        self.files.last_autosave_s = Some(now);
        let Some(store) = self.files.recovery.clone() else {
            return;
        };
        let project = self.project.clone();
        let path = self.project_path.clone();
        let (tx, rx) = mpsc::channel();
        // Serialising thousands of annotations takes a moment: off the UI thread.
        std::thread::spawn(move || {
            let result = store
                .write(&project, path.as_deref())
                .map_err(|e| e.to_string());
            let _ = tx.send(result);
        });
        self.files.autosave_job = Some(rx);
    }

    /// Blocks until a running autosave has finished (tests; the app never waits).
    pub fn wait_for_autosave(&mut self) {
        if let Some(rx) = self.files.autosave_job.take()
            && let Ok(Err(e)) = rx.recv()
        {
            self.messages.push(format!("Autosave failed: {e}"));
        }
    }

    /// The unsaved-work question and the recovery offer, as modals.
    pub(crate) fn modals(&mut self, ctx: &egui::Context, commands: &mut Vec<Command>) {
        if let Some(action) = &self.files.pending {
            let what = match action {
                Pending::New => "starting a new project",
                Pending::OpenDialog | Pending::Open(_) => "opening another project",
                Pending::Close => "closing",
            };
            let modal = egui::Modal::new(egui::Id::unique("unsaved-work")).show(ctx, |ui| {
                ui.set_max_width(420.0);
                ui.label(RichText::new("Save the changes first?").strong().size(16.0));
                ui.label(format!(
                    "\"{}\" has changes that are not saved. Save them before {what}?",
                    self.project.name
                ));
                ui.add_space(8.0);
                ui.horizontal(|ui| {
                    if ui.button("Save").clicked() {
                        commands.push(Command::ResolveUnsaved(UnsavedChoice::Save));
                    }
                    if ui.button("Don't save").clicked() {
                        commands.push(Command::ResolveUnsaved(UnsavedChoice::Discard));
                    }
                    if ui.button("Cancel").clicked() {
                        commands.push(Command::ResolveUnsaved(UnsavedChoice::Cancel));
                    }
                });
            });
            if modal.should_close() {
                commands.push(Command::ResolveUnsaved(UnsavedChoice::Cancel));
            }
        } else if let Some(rec) = &self.files.recovered {
            egui::Modal::new(egui::Id::unique("recovered-work")).show(ctx, |ui| {
                ui.set_max_width(460.0);
                ui.label(RichText::new("Recover unsaved work?").strong().size(16.0));
                let from = rec
                    .info
                    .project_path
                    .as_ref()
                    .map_or_else(|| "a project never saved".to_owned(), |p| p.display().to_string());
                ui.label(format!(
                    "Sitewatch did not close normally. \"{}\" ({from}) was autosaved{} with changes that were not saved.",
                    rec.info.name,
                    if rec.info.saved_at.is_empty() { String::new() } else { format!(" at {}", rec.info.saved_at) },
                ));
                ui.add_space(8.0);
                ui.horizontal(|ui| {
                    if ui.button("Restore").clicked() {
                        commands.push(Command::RestoreRecovery);
                    }
                    if ui.button("Discard").clicked() {
                        commands.push(Command::DiscardRecovery);
                    }
                });
            });
        }
    }
}
