//! Undo and redo: a stack of inverse edits, with continuous gestures merged into one step.

use super::edit::{Edit, EditError};
use crate::model::Project;

/// Edits with the same coalescing key this close together (seconds) merge into one undo step:
/// a drag emits an edit every frame, typing one per key.
pub const COALESCE_WINDOW_S: f64 = 1.5;

/// Most undo steps kept; the oldest go first.
pub const MAX_STEPS: usize = 500;

#[derive(Clone, Debug)]
struct Entry {
    /// The edit that moves the project across this step (the inverse on the undo stack, the
    /// forward edit on the redo stack).
    edit: Edit,
    /// What the step did, for the menu.
    label: String,
    /// Identifies the project state *after* this step, for the unsaved mark.
    serial: u64,
    /// Merge key of a continuous gesture.
    coalesce: Option<String>,
    /// When the step last grew (seconds, any clock).
    time_s: f64,
}

/// The undo/redo history of one project.
#[derive(Clone, Debug, Default)]
pub struct History {
    undo: Vec<Entry>,
    redo: Vec<Entry>,
    next_serial: u64,
    /// The state that is on disk: the serial at the top of the undo stack when it was saved
    /// (0 for the state with nothing to undo); `None` when no state on disk matches.
    saved: Option<u64>,
    /// The next edit starts a new step even if its key matches (set by undo and redo).
    break_coalescing: bool,
}

impl History {
    /// An empty history whose state is the one on disk.
    #[must_use]
    pub fn new() -> Self {
        Self {
            next_serial: 1,
            saved: Some(0),
            ..Self::default()
        }
    }

    /// An empty history whose state is not on disk (a recovered or imported project).
    #[must_use]
    pub fn unsaved() -> Self {
        Self {
            saved: None,
            ..Self::new()
        }
    }

    fn top_serial(&self) -> u64 {
        self.undo.last().map_or(0, |e| e.serial)
    }

    fn take_serial(&mut self) -> u64 {
        let s = self.next_serial.max(1);
        self.next_serial = s + 1;
        s
    }

    /// Applies an edit and records its inverse. Edits with the same `coalesce` key within
    /// [`COALESCE_WINDOW_S`] of the last merge into one step.
    pub fn apply(
        &mut self,
        project: &mut Project,
        edit: Edit,
        coalesce: Option<&str>,
        now_s: f64,
    ) -> Result<(), EditError> {
        let label = edit.describe();
        let inverse = edit.apply(project)?;
        self.redo.clear();
        let serial = self.take_serial();
        let merge = !self.break_coalescing
            && coalesce.is_some()
            && self.undo.last().is_some_and(|top| {
                top.coalesce.as_deref() == coalesce && now_s - top.time_s <= COALESCE_WINDOW_S
            });
        self.break_coalescing = false;
        if merge && let Some(top) = self.undo.last_mut() {
            // Keep the oldest inverse: undo goes back to before the whole gesture.
            top.serial = serial;
            top.time_s = now_s;
            return Ok(());
        }
        self.undo.push(Entry {
            edit: inverse,
            label,
            serial,
            coalesce: coalesce.map(str::to_owned),
            time_s: now_s,
        });
        if self.undo.len() > MAX_STEPS {
            self.undo.remove(0);
        }
        Ok(())
    }

    /// Undoes the last step; returns what it undid, `None` when there is nothing to undo.
    pub fn undo(&mut self, project: &mut Project) -> Option<Result<String, EditError>> {
        let entry = self.undo.pop()?;
        Some(self.cross(project, entry, true))
    }

    /// Redoes the last undone step; returns what it redid.
    pub fn redo(&mut self, project: &mut Project) -> Option<Result<String, EditError>> {
        let entry = self.redo.pop()?;
        Some(self.cross(project, entry, false))
    }

    fn cross(
        &mut self,
        project: &mut Project,
        entry: Entry,
        undoing: bool,
    ) -> Result<String, EditError> {
        self.break_coalescing = true;
        let Entry {
            edit,
            label,
            serial,
            time_s,
            ..
        } = entry;
        match edit.clone().apply(project) {
            Ok(back) => {
                let moved = Entry {
                    edit: back,
                    label: label.clone(),
                    serial,
                    coalesce: None,
                    time_s,
                };
                if undoing {
                    self.redo.push(moved);
                } else {
                    self.undo.push(moved);
                }
                Ok(label)
            }
            Err(e) => {
                // Leave the step where it was; the project is unchanged.
                let kept = Entry {
                    edit,
                    label,
                    serial,
                    coalesce: None,
                    time_s,
                };
                if undoing {
                    self.undo.push(kept);
                } else {
                    self.redo.push(kept);
                }
                Err(e)
            }
        }
    }

    /// What Undo would undo.
    #[must_use]
    pub fn undo_label(&self) -> Option<&str> {
        self.undo.last().map(|e| e.label.as_str())
    }

    /// What Redo would redo.
    #[must_use]
    pub fn redo_label(&self) -> Option<&str> {
        self.redo.last().map(|e| e.label.as_str())
    }

    /// Number of undo steps.
    #[must_use]
    pub fn undo_len(&self) -> usize {
        self.undo.len()
    }

    /// Number of redo steps.
    #[must_use]
    pub fn redo_len(&self) -> usize {
        self.redo.len()
    }

    /// True when the project differs from the state last saved.
    #[must_use]
    pub fn is_dirty(&self) -> bool {
        self.saved != Some(self.top_serial())
    }

    /// Records that the current state is on disk.
    pub fn mark_saved(&mut self) {
        self.saved = Some(self.top_serial());
        self.break_coalescing = true;
    }

    /// Where the history stands: the same number means the same project state.
    #[must_use]
    pub fn position(&self) -> u64 {
        self.top_serial()
    }

    /// Records that the state at `position` is on disk (a save of a snapshot taken there,
    /// finishing after more edits).
    pub fn mark_saved_at(&mut self, position: u64) {
        self.saved = Some(position);
    }

    /// Records that no state on disk matches (the file was replaced or never written).
    pub fn mark_unsaved(&mut self) {
        self.saved = None;
    }

    /// Ends any gesture in progress, so the next edit is a step of its own.
    pub fn break_coalescing(&mut self) {
        self.break_coalescing = true;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::editing::edit::AnnotationField;
    use crate::model::default_project::load_default_project;

    fn setup() -> (Project, String) {
        let p = load_default_project().unwrap().project;
        let id = p.annotations[0].id.clone();
        (p, id)
    }

    fn label(id: &str, text: &str) -> Edit {
        Edit::SetField {
            id: id.to_owned(),
            field: AnnotationField::Label(text.to_owned()),
        }
    }

    #[test]
    fn undo_and_redo_walk_back_and_forth_through_the_steps() {
        let (original, id) = setup();
        let mut p = original.clone();
        let mut h = History::new();
        h.apply(&mut p, label(&id, "one"), None, 0.0).unwrap();
        let after_one = p.clone();
        h.apply(&mut p, label(&id, "two"), None, 10.0).unwrap();
        let after_two = p.clone();
        assert_eq!(h.undo_len(), 2);

        assert!(h.undo(&mut p).unwrap().is_ok());
        assert_eq!(p, after_one);
        assert!(h.undo(&mut p).unwrap().is_ok());
        assert_eq!(p, original);
        assert!(h.undo(&mut p).is_none(), "nothing left to undo");

        h.redo(&mut p).unwrap().unwrap();
        h.redo(&mut p).unwrap().unwrap();
        assert_eq!(p, after_two);
        assert!(h.redo(&mut p).is_none());
    }

    #[test]
    fn a_new_edit_after_undo_drops_the_redo_steps() {
        let (_, id) = setup();
        let (mut p, _) = setup();
        let mut h = History::new();
        h.apply(&mut p, label(&id, "one"), None, 0.0).unwrap();
        h.undo(&mut p).unwrap().unwrap();
        assert_eq!(h.redo_len(), 1);
        h.apply(&mut p, label(&id, "other"), None, 1.0).unwrap();
        assert_eq!(h.redo_len(), 0);
    }

    #[test]
    fn typing_within_the_window_is_one_step() {
        let (original, id) = setup();
        let mut p = original.clone();
        let mut h = History::new();
        for (i, text) in ["P", "Pi", "Pie", "Pier"].iter().enumerate() {
            h.apply(&mut p, label(&id, text), Some("label"), i as f64 * 0.3)
                .unwrap();
        }
        assert_eq!(h.undo_len(), 1);
        assert_eq!(p.annotations[0].label, "Pier");
        h.undo(&mut p).unwrap().unwrap();
        assert_eq!(p, original);
        h.redo(&mut p).unwrap().unwrap();
        assert_eq!(p.annotations[0].label, "Pier");
    }

    #[test]
    fn a_pause_or_another_key_starts_a_new_step() {
        let (mut p, id) = setup();
        let mut h = History::new();
        h.apply(&mut p, label(&id, "a"), Some("label"), 0.0)
            .unwrap();
        h.apply(&mut p, label(&id, "ab"), Some("label"), 5.0)
            .unwrap();
        h.apply(&mut p, label(&id, "abc"), Some("note"), 5.1)
            .unwrap();
        assert_eq!(h.undo_len(), 3);
    }

    #[test]
    fn undo_back_to_the_saved_state_is_clean_again() {
        let (mut p, id) = setup();
        let mut h = History::new();
        assert!(!h.is_dirty());
        h.apply(&mut p, label(&id, "a"), None, 0.0).unwrap();
        assert!(h.is_dirty());
        h.mark_saved();
        assert!(!h.is_dirty());
        h.apply(&mut p, label(&id, "b"), None, 1.0).unwrap();
        assert!(h.is_dirty());
        h.undo(&mut p).unwrap().unwrap();
        assert!(!h.is_dirty(), "back at the saved state");
        h.undo(&mut p).unwrap().unwrap();
        assert!(h.is_dirty(), "before the saved state");
        assert!(History::unsaved().is_dirty());
    }

    #[test]
    fn a_failed_edit_records_nothing() {
        let (mut p, _) = setup();
        let mut h = History::new();
        assert!(h.apply(&mut p, label("missing", "x"), None, 0.0).is_err());
        assert_eq!(h.undo_len(), 0);
        assert!(!h.is_dirty());
    }
}
