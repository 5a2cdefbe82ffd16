//! Applying commands: each area's commands go to that area's handler.

use super::SitewatchApp;
use crate::command::{Command, EditCommand, FileCommand, ImageryCommand, TimeCommand, ViewCommand};
use crate::model::Shape;
use crate::model::timeline::{next_stage_date, previous_stage_date};
use crate::spatial::LonLatBox;

use super::files::{DialogPurpose, Pending, asks_first};
use crate::interchange::ImportOptions;

impl SitewatchApp {
    /// Applies one command.
    pub fn apply(&mut self, ctx: &egui::Context, command: Command) {
        self.scene_cache.note(&command);
        self.compare.scene.note(&command);
        match command {
            Command::Time(c) => self.apply_time(ctx, c),
            Command::View(c) => self.apply_view(ctx, c),
            Command::File(c) => self.apply_file(ctx, c),
            Command::Imagery(c) => self.apply_imagery(ctx, c),
            Command::Export(c) => self.apply_export(ctx, c),
            Command::Edit(c) => match c {
                EditCommand::Apply { edit, coalesce } => {
                    self.apply_edit(ctx, edit, coalesce.as_deref());
                }
                EditCommand::Undo => self.undo(),
                EditCommand::Redo => self.redo(),
                EditCommand::SetTool(tool) => self.editor.set_tool(tool),
            },
            Command::Compare(c) => self.apply_compare(c),
            Command::Progress(c) => self.apply_progress(ctx, c),
            Command::Changes(c) => self.apply_changes(ctx, c),
            Command::FindImagery(c) => self.apply_find_imagery(ctx, c),
            Command::Wayback(c) => self.apply_wayback(ctx, c),
            Command::Wmts(c) => self.apply_wmts(ctx, c),
            Command::Preferences(c) => self.apply_preferences(ctx, c),
        }
    }

    fn apply_time(&mut self, ctx: &egui::Context, command: TimeCommand) {
        match command {
            TimeCommand::SetDate(d) => self.date = d,
            TimeCommand::KeepStageView(index) => self.keep_stage_view(ctx, index),
            TimeCommand::ForgetStageView(index) => self.forget_stage_view(ctx, index),
            TimeCommand::RestoreStageView(index) => self.restore_stage_view(ctx, index),
            TimeCommand::NextStage => {
                if let Some(d) = next_stage_date(&self.project, self.date) {
                    self.date = d;
                }
            }
            TimeCommand::PreviousStage => {
                if let Some(d) = previous_stage_date(&self.project, self.date) {
                    self.date = d;
                }
            }
            TimeCommand::TogglePlay => {
                if self.playing_since_step.take().is_none() {
                    if next_stage_date(&self.project, self.date).is_none()
                        && let Some(first) = self.project.stages.first()
                    {
                        self.date = first.date.key();
                    }
                    self.playing_since_step = Some(ctx.input(|i| i.time));
                }
            }
        }
    }

    fn apply_view(&mut self, ctx: &egui::Context, command: ViewCommand) {
        match command {
            ViewCommand::ZoomToBox(b) => self.fit_request = Some(b),
            ViewCommand::ZoomToNative(id) => self.zoom_to_native(&id),
            ViewCommand::Select(id) => self.selected = id,
            ViewCommand::ZoomToAnnotation(id) => {
                if let Some(a) = self.project.annotation(&id) {
                    self.fit_request = annotation_box(&a.shape);
                }
                self.selected = Some(id);
            }
            ViewCommand::GoHome => self.fit_request = Some(self.project.home),
            ViewCommand::SetBasemap(b) => self.set_basemap(ctx, b),
            ViewCommand::DismissMessage => self.messages.clear(),
            ViewCommand::ToggleSidePanel => {
                self.prefs.side_panel_open = !self.prefs.side_panel_open;
            }
            ViewCommand::ToggleLayerPanel => {
                self.prefs.layers_panel_open = !self.prefs.layers_panel_open;
            }
            ViewCommand::ToggleLoupe => self.loupe.toggle(),
            ViewCommand::SetLoupeMagnification(m) => self.loupe.set_magnification(m),
            ViewCommand::ToggleFigureFrame => {
                self.prefs.figure_frame = !self.prefs.figure_frame;
                if !self.prefs.figure_frame {
                    self.frame_box = None;
                }
            }
        }
    }

    fn apply_file(&mut self, ctx: &egui::Context, command: FileCommand) {
        match command {
            FileCommand::OpenProjectDialog => self.guard(ctx, Pending::OpenDialog),
            // On failure the current project and its path stay: a file that failed to load is
            // never the one a later save writes.
            FileCommand::OpenProject(path) => self.guard(ctx, Pending::Open(path)),
            FileCommand::NewProject => self.guard(ctx, Pending::New),
            FileCommand::NewProjectFrom(path) => self.guard(ctx, Pending::NewFrom(path)),
            FileCommand::Save => self.save_then(ctx, None),
            FileCommand::SaveAsDialog => self.open_dialog(ctx, DialogPurpose::SaveAs),
            FileCommand::SaveTo(path) => {
                let then = self.files.after_save.take();
                self.start_save(ctx, path, then);
            }
            FileCommand::ImportDialog => self.open_dialog(ctx, DialogPurpose::Import),
            FileCommand::Import(path) if asks_first(&path) => {
                self.ask_csv_choices(&path);
            }
            FileCommand::Import(path) => self.start_import(ctx, &path, ImportOptions::default()),
            FileCommand::ImportWith(path, options) => self.start_import(ctx, &path, *options),
            FileCommand::CancelImport => self.files.import_choice = None,
            FileCommand::ExportAnnotationsDialog(format) => {
                self.open_dialog(ctx, DialogPurpose::Export(format));
            }
            FileCommand::ExportAnnotations(path, format) => self.export(&path, format),
            FileCommand::ResolveUnsaved(choice) => self.resolve_unsaved(ctx, choice),
            FileCommand::RestoreRecovery => self.restore_recovery(),
            FileCommand::DiscardRecovery => self.discard_recovery(),
            FileCommand::SetAutosaveInterval(seconds) => {
                self.prefs.autosave_interval_s = seconds;
                self.set_autosave_interval(f64::from(seconds));
            }
        }
    }

    fn apply_imagery(&mut self, ctx: &egui::Context, command: ImageryCommand) {
        match command {
            ImageryCommand::AddLayer(mut layer) => {
                // A preset may already be in the project (the default project lists them).
                layer.id = crate::model::ids::unique_id(&layer.id, |t| {
                    self.project.layers.iter().any(|l| l.id == t)
                });
                let index = self.project.layers.len();
                let edit = crate::editing::Edit::AddLayer { index, layer };
                self.apply(ctx, Command::edit(edit));
            }
            ImageryCommand::AddLayerFilesDialog => self.open_imagery_dialog(ctx),
            ImageryCommand::EstimateAlignment { moving, reference } => {
                self.start_alignment(moving, reference);
            }
            ImageryCommand::AddLayerFiles(files) => {
                let edit = self.add_layer_files_edit(&files);
                self.apply(ctx, Command::edit(edit));
            }
        }
    }
}

/// A box around an annotation, padded so it does not touch the map's edges; points get ~400 m.
pub(crate) fn annotation_box(shape: &Shape) -> Option<LonLatBox> {
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
