//! Project files in the window: new, open, save, save as (dialogs on a worker thread), recent
//! files, the unsaved-work question, autosave and recovery, import and export of annotations,
//! files dropped on the window.

mod import_choice;
mod jobs;

pub use import_choice::asks_first;

pub use jobs::{FileWork, FileWorkGate};

use std::path::{Path, PathBuf};
use std::sync::{Arc, mpsc};

use egui::{Key, Modifiers};

use super::SitewatchApp;
use crate::command::{Command, FileCommand, UnsavedChoice};
use crate::editing::History;
use crate::interchange::{Format, export_file, sort_dropped};
use crate::model::Project;
use crate::model::io::{Loaded, ProjectError, load};
use crate::model::project_file::{empty_project, file_name_for};
use crate::model::recovery::{Recovered, RecoveryStore};
use crate::ui::file_modals::{
    StartProblemChoice, recovery_modal, start_problem_modal, unsaved_work_modal,
};

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
    /// Write the tracked measures as CSV (the Progress window).
    MeasuresCsv,
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
                .add_filter(
                    "Annotations (GeoJSON, KML, KMZ, Shapefile, GeoPackage, CSV, GPX)",
                    &Format::ALL
                        .iter()
                        .flat_map(|f| f.extensions().iter().copied())
                        .collect::<Vec<_>>(),
                )
                .pick_file(),
            DialogPurpose::Export(format) => dialog
                .set_title(format!("Export annotations as {}", format.name()))
                .add_filter(format.name(), &[format.extension()])
                .set_file_name(suggested)
                .save_file(),
            DialogPurpose::MeasuresCsv => dialog
                .set_title("Export the measures as CSV")
                .add_filter("CSV", &["csv"])
                .set_file_name(suggested)
                .save_file(),
        }
    }
}

/// What the window opens with at start.
#[derive(Debug)]
pub struct StartProject {
    /// The project to show.
    pub loaded: Loaded,
    /// Its file; `None` for the embedded default project or when the given file is broken.
    pub path: Option<PathBuf>,
    /// Why the given file could not be opened (the window says so in a modal).
    pub problem: Option<String>,
    /// When that file is plain `GeoJSON`, its feature count: the window offers a new project
    /// built from them instead.
    pub plain_features: Option<usize>,
}

/// The project for `sitewatch [PATH]`: the file, or, when it cannot be opened, an empty untitled
/// project (never bound to the broken file, so a save cannot overwrite it) and why.
pub fn start_project(path: Option<&Path>) -> Result<StartProject, ProjectError> {
    let default = crate::model::default_project::load_default_project()?;
    let Some(path) = path else {
        return Ok(StartProject {
            loaded: default,
            path: None,
            problem: None,
            plain_features: None,
        });
    };
    Ok(match load(path) {
        Ok(loaded) => StartProject {
            loaded,
            path: Some(path.to_path_buf()),
            problem: None,
            plain_features: None,
        },
        Err(e) => StartProject {
            loaded: Loaded {
                project: empty_project(&default.project),
                warnings: Vec::new(),
            },
            path: None,
            problem: Some(crate::app::error_chain(&e)),
            plain_features: crate::interchange::geojson::plain_feature_count(path),
        },
    })
}

/// Adds `message` to `messages`, or counts a repeat of one already there: "Autosave failed (×15)".
pub fn push_counted(messages: &mut Vec<String>, message: &str) {
    for existing in messages.iter_mut() {
        let count = if existing == message {
            Some(1)
        } else {
            existing
                .strip_prefix(message)
                .and_then(|rest| rest.strip_prefix(" (×"))
                .and_then(|rest| rest.strip_suffix(')'))
                .and_then(|n| n.parse::<u32>().ok())
        };
        if let Some(count) = count {
            *existing = format!("{message} (×{})", count + 1);
            return;
        }
    }
    messages.push(message.to_owned());
}

/// What waits for an answer to "save the changes first?".
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Pending {
    New,
    NewFrom(PathBuf),
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
    pub(crate) after_save: Option<Pending>,
    /// The user agreed to close (with the work saved or discarded).
    pub(crate) close_confirmed: bool,
    pub(crate) recovery: Option<RecoveryStore>,
    /// Work recovered at start (this slot's, then every orphaned slot's), offered one at a time.
    pub(crate) recovered: Vec<Recovered>,
    pub(crate) autosave_interval_s: f64,
    /// When the current run of unsaved changes was last autosaved (or first noticed).
    pub(crate) last_autosave_s: Option<f64>,
    pub(crate) autosave_job: Option<mpsc::Receiver<Result<bool, String>>>,
    /// Why the project given at start could not be opened, shown until dismissed.
    pub(crate) start_problem: Option<String>,
    /// Saves, opens and imports running on workers.
    pub(crate) jobs: jobs::FileJobs,
    /// An import waiting for the user's choices (the dialog is open while it is set).
    pub(crate) import_choice: Option<import_choice::ImportChoice>,
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
            recovered: Vec::new(),
            autosave_interval_s: AUTOSAVE_INTERVAL_S,
            last_autosave_s: None,
            autosave_job: None,
            start_problem: None,
            jobs: jobs::FileJobs::default(),
            import_choice: None,
        }
    }
}

impl SitewatchApp {
    /// Replaces the file dialog (tests answer it themselves).
    pub fn set_file_picker(&mut self, picker: Arc<dyn FilePicker>) {
        self.files.picker = picker;
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

    /// True once the user agreed to close the window (with the work saved, discarded or none).
    #[must_use]
    pub fn close_confirmed(&self) -> bool {
        self.files.close_confirmed
    }

    /// True while the unsaved-work question is shown.
    #[must_use]
    pub fn asks_about_unsaved_work(&self) -> bool {
        self.files.pending.is_some()
    }

    /// Shows a message to the user; a repeat shows once, with a count.
    pub fn report(&mut self, message: &str) {
        push_counted(&mut self.messages, message);
    }

    /// Says in a modal why the project given at start could not be opened (with Open…).
    pub fn show_start_problem(&mut self, problem: String) {
        self.files.start_problem = Some(problem);
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
                file_name_for(&self.project, self.project_path.as_deref(), "geojson")
            }
            DialogPurpose::Export(f) => {
                file_name_for(&self.project, self.project_path.as_deref(), f.extension())
            }
            DialogPurpose::MeasuresCsv => {
                let name = file_name_for(&self.project, self.project_path.as_deref(), "csv");
                format!("{}-measures.csv", name.trim_end_matches(".csv"))
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

    /// True while a file dialog is open (its answer not yet applied).
    #[must_use]
    pub fn file_dialog_open(&self) -> bool {
        self.files.dialog.is_some()
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
                    DialogPurpose::Open => Command::File(FileCommand::OpenProject(path)),
                    DialogPurpose::SaveAs => Command::File(FileCommand::SaveTo(path)),
                    DialogPurpose::Import => Command::File(FileCommand::Import(path)),
                    DialogPurpose::Export(format) => {
                        Command::File(FileCommand::ExportAnnotations(path, format))
                    }
                    DialogPurpose::MeasuresCsv => {
                        Command::Progress(crate::command::ProgressCommand::ExportCsv(path))
                    }
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
    /// While a save runs, the action waits for it (behind the "Saving…" modal) and is asked
    /// about then.
    pub(crate) fn guard(&mut self, ctx: &egui::Context, action: Pending) {
        if self.defer_to_save(&action) {
            return;
        }
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
                self.clear_recovery();
            }
            Pending::NewFrom(path) => {
                let mut project = empty_project(&self.project);
                if let Some(stem) = path.file_stem() {
                    project.name = stem.to_string_lossy().into_owned();
                }
                self.replace_project(project, None, Vec::new(), History::new());
                self.clear_recovery();
                // The features arrive as one undoable import: unsaved work until saved.
                self.start_import(ctx, &path, crate::interchange::ImportOptions::default());
            }
            Pending::OpenDialog => self.open_dialog(ctx, DialogPurpose::Open),
            Pending::Open(path) => self.start_open(ctx, &path),
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
            // Goes on once the file is written (after Save As where there is no file).
            UnsavedChoice::Save => self.save_then(ctx, Some(action)),
        }
    }

    pub(crate) fn replace_project(
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
        self.compare.scene.invalidate();
    }

    pub(crate) fn export(&mut self, path: &Path, format: Format) {
        match export_file(path, &self.project, format) {
            Ok(()) => self.messages.push(format!(
                "Exported {} annotation(s) as {}: {}",
                self.project.annotations.len(),
                format.name(),
                path.display()
            )),
            Err(e) => self.report(&crate::app::error_chain(&e)),
        }
    }

    /// Once a frame: autosave, files dropped on the window, the window's close button.
    pub(crate) fn files_frame(&mut self, ctx: &egui::Context, commands: &mut Vec<Command>) {
        self.poll_file_jobs(ctx);
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
            commands.extend(
                ok.into_iter()
                    .map(|p| Command::File(FileCommand::Import(p))),
            );
        }

        // Shortcuts that work even while typing in a field.
        let (new, save_as, save, open, quit) = ctx.input_mut(|i| {
            (
                i.consume_key(Modifiers::COMMAND, Key::N),
                i.consume_key(Modifiers::COMMAND | Modifiers::SHIFT, Key::S),
                i.consume_key(Modifiers::COMMAND, Key::S),
                i.consume_key(Modifiers::COMMAND, Key::O),
                i.consume_key(Modifiers::COMMAND, Key::Q),
            )
        });
        if quit && self.files.pending.is_none() {
            // As the window's close button: ask first when there is unsaved work.
            self.guard(ctx, Pending::Close);
        }
        if new {
            commands.push(Command::File(FileCommand::NewProject));
        }
        if save_as {
            commands.push(Command::File(FileCommand::SaveAsDialog));
        } else if save {
            commands.push(Command::File(FileCommand::Save));
        }
        if open {
            commands.push(Command::File(FileCommand::OpenProjectDialog));
        }

        if ctx.input(|i| i.viewport().close_requested()) && !self.files.close_confirmed {
            if self.defer_to_save(&Pending::Close) {
                ctx.send_viewport_cmd(egui::ViewportCommand::CancelClose);
            } else if self.history.is_dirty() {
                ctx.send_viewport_cmd(egui::ViewportCommand::CancelClose);
                self.files.pending = Some(Pending::Close);
            } else {
                self.clear_recovery();
            }
        }

        self.autosave_tick(ctx);
    }

    /// The unsaved-work question and the recovery offer, as modals.
    pub(crate) fn modals(&mut self, ctx: &egui::Context, commands: &mut Vec<Command>) {
        self.file_job_modals(ctx);
        if let Some(action) = &self.files.pending {
            let what = match action {
                Pending::New | Pending::NewFrom(_) => "starting a new project",
                Pending::OpenDialog | Pending::Open(_) => "opening another project",
                Pending::Close => "closing",
            };
            commands.extend(unsaved_work_modal(ctx, &self.project.name, what));
        } else if let Some(problem) = &self.files.start_problem {
            match start_problem_modal(ctx, problem) {
                Some(StartProblemChoice::Open) => {
                    self.files.start_problem = None;
                    commands.push(Command::File(FileCommand::OpenProjectDialog));
                }
                Some(StartProblemChoice::Dismiss) => self.files.start_problem = None,
                None => {}
            }
        } else if let Some(rec) = self.files.recovered.first() {
            commands.extend(recovery_modal(ctx, &rec.info));
        } else {
            commands.extend(self.import_choice_modal(ctx));
        }
    }
}
