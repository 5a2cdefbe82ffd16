//! The window's file work in tests: a ready app, commands applied with their file work awaited,
//! a point added through the history, a file dialog that answers with one path, and files
//! dropped on the window.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use egui_kittest::Harness;
use geo::Point;
use sitewatch::app::SitewatchApp;
use sitewatch::app::files::{DialogPurpose, FilePicker};
use sitewatch::command::{Command, EditCommand};
use sitewatch::editing::Tool;
use sitewatch::editing::create::add_drawn;
use sitewatch::model::Shape;

/// The default project at 14 Oct 2025 in a 1400 × 900 window, first frames drawn.
pub fn ready_app() -> Harness<'static, SitewatchApp> {
    let mut h = super::default_app(super::day(2025, 10, 14), 1400.0, 900.0);
    h.run_steps(3);
    h
}

/// Applies `command`, waits for the save, open or import it started (they run on a worker),
/// and draws the frames that take the result.
pub fn apply(h: &mut Harness<'_, SitewatchApp>, command: Command) {
    let ctx = h.ctx.clone();
    h.state_mut().apply(&ctx, command);
    h.state_mut().wait_for_file_work();
    h.run_steps(3);
}

/// The command that adds a point as the point tool does, and the point's id.
pub fn add_point_command(h: &Harness<'_, SitewatchApp>) -> (Command, String) {
    let (edit, id) = add_drawn(
        h.state().project(),
        Tool::Point,
        Shape::Point(Point::new(130.641, 42.416)),
        h.state().date(),
        None,
    );
    let command = Command::Edit(EditCommand::Apply {
        edit,
        coalesce: None,
    });
    (command, id)
}

/// Adds a point through the history, as the point tool does; returns its id.
pub fn add_point(h: &mut Harness<'_, SitewatchApp>) -> String {
    let (command, id) = add_point_command(h);
    apply(h, command);
    id
}

/// Answers every file dialog with one path, and remembers what it was asked.
pub struct FakePicker {
    /// The path every dialog answers.
    pub answer: PathBuf,
    /// What was asked, in order.
    pub asked: Mutex<Vec<DialogPurpose>>,
}

impl FilePicker for FakePicker {
    fn pick(&self, purpose: DialogPurpose, _suggested: &str) -> Option<PathBuf> {
        self.asked.lock().unwrap().push(purpose);
        Some(self.answer.clone())
    }
}

/// A file dropped on the window, read from disk.
#[derive(Debug)]
pub struct Dropped(pub PathBuf);

impl egui::DroppedFile for Dropped {
    fn path(&self) -> &Path {
        &self.0
    }

    fn bytes(&self) -> Result<Vec<u8>, String> {
        std::fs::read(&self.0).map_err(|e| e.to_string())
    }
}

/// Drops a file on the window (it arrives with the next frame).
pub fn drop_file(h: &mut Harness<'_, SitewatchApp>, path: PathBuf) {
    h.input_mut().dropped_files.push(Arc::new(Dropped(path)));
}
