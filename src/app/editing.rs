//! Edits in the window: applying them through the history, undo and redo, the editing keys.

use egui::{Key, Modifiers};

use super::SitewatchApp;
use crate::command::{Command, EditCommand};
use crate::editing::{AnnotationField, Edit, History, Tool};
use crate::ui::map_edit::{EditView, tool_shortcuts};

impl SitewatchApp {
    /// Applies an edit through the history; a failure is shown, the project stays as it was.
    pub(crate) fn apply_edit(&mut self, ctx: &egui::Context, edit: Edit, coalesce: Option<&str>) {
        if let Edit::SetField {
            field: AnnotationField::Category(key),
            ..
        } = &edit
        {
            // The next drawing takes the category last chosen.
            self.editor.set_category(Some(key.clone()));
        }
        let now = ctx.input(|i| i.time);
        if let Err(e) = self.history.apply(&mut self.project, edit, coalesce, now) {
            self.messages
                .push(format!("Could not apply the change: {e}"));
        }
        self.after_history_change();
    }

    pub(crate) fn undo(&mut self) {
        if let Some(Err(e)) = self.history.undo(&mut self.project) {
            self.messages.push(format!("Could not undo: {e}"));
        }
        self.after_history_change();
    }

    pub(crate) fn redo(&mut self) {
        if let Some(Err(e)) = self.history.redo(&mut self.project) {
            self.messages.push(format!("Could not redo: {e}"));
        }
        self.after_history_change();
    }

    /// Drops a selection whose annotation no longer exists (after undoing its addition).
    fn after_history_change(&mut self) {
        if let Some(id) = &self.selected
            && self.project.annotation(id).is_none()
        {
            self.selected = None;
        }
    }

    /// The map tool in use.
    #[must_use]
    pub fn tool(&self) -> Tool {
        self.editor.tool()
    }

    /// The measure tool's read-out ("Distance 1.21 km · Area 4.5 ha · …"), while it has one.
    #[must_use]
    pub fn measure_text(&self) -> Option<String> {
        self.editor.measure_text()
    }

    /// Where the map was on the last frame (rect, centre, zoom).
    #[must_use]
    pub fn map_view(&self) -> Option<crate::ui::map_edit::MapView> {
        self.editor.map_view()
    }

    /// Vertices placed so far in the drawing in progress.
    #[must_use]
    pub fn drawing(&self) -> &[geo::Coord<f64>] {
        self.editor.drawing()
    }

    /// Undo/redo and editing keys. `free` is true when no text field has the keyboard.
    pub(crate) fn editing_keys(&mut self, ctx: &egui::Context, free: bool) -> Vec<Command> {
        let mut out = Vec::new();
        if !free {
            return out;
        }
        let (redo, undo) = ctx.input_mut(|i| {
            let redo = i.consume_key(Modifiers::COMMAND | Modifiers::SHIFT, Key::Z)
                || i.consume_key(Modifiers::COMMAND, Key::Y);
            let undo = i.consume_key(Modifiers::COMMAND, Key::Z);
            (redo, undo)
        });
        if redo {
            out.push(Command::Edit(EditCommand::Redo));
        }
        if undo {
            out.push(Command::Edit(EditCommand::Undo));
        }
        if let Some(tool) = tool_shortcuts(ctx) {
            out.push(Command::Edit(EditCommand::SetTool(tool)));
        }
        let (scene, index) = self.scene_parts();
        let view = EditView {
            project: &self.project,
            scene: &scene,
            index: &index,
            selected: self.selected.as_deref(),
            date: self.date,
        };
        out.extend(self.editor.keys(ctx, &view));
        out
    }

    /// Resets the history (tests and the CLI after loading); the state is taken as saved.
    pub fn reset_history(&mut self) {
        self.history = History::new();
    }
}
