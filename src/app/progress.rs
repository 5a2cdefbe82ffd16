//! The Progress window in the app: whether it is open, what its last export said, and
//! applying its commands. The chart is built from the project on every frame the window
//! shows, so measured values follow each edit at once.

use super::{SitewatchApp, error_chain};
use crate::analysis::measures_csv::write_measures_csv;
use crate::analysis::progress_chart::progress_chart;
use crate::command::{Command, ProgressCommand};
use crate::ui::progress::{ProgressView, progress_ui};

use super::files::DialogPurpose;

/// The Progress window's state between frames.
#[derive(Debug, Default)]
pub(crate) struct ProgressState {
    /// The window is shown.
    open: bool,
    /// What the last CSV export did ("wrote 20 rows to …" or why it failed).
    status: Option<String>,
    /// Series the chart drew on the last frame it was shown.
    series_drawn: usize,
    /// The half-typed reported value.
    form: crate::ui::progress_form::ReportForm,
}

impl SitewatchApp {
    /// Whether the Progress window is open.
    #[must_use]
    pub fn progress_open(&self) -> bool {
        self.progress.open
    }

    /// How many series the Progress chart drew on the last frame it was shown.
    #[must_use]
    pub fn progress_series_drawn(&self) -> usize {
        self.progress.series_drawn
    }

    /// What the Progress window's last CSV export said.
    #[must_use]
    pub fn progress_status(&self) -> Option<&str> {
        self.progress.status.as_deref()
    }

    /// Draws the Progress window when it is open; returns what the user asked for.
    pub(crate) fn progress_window(&mut self, ctx: &egui::Context) -> Vec<Command> {
        if !self.progress.open {
            return Vec::new();
        }
        let chart = progress_chart(&self.project);
        let view = ProgressView {
            project: &self.project,
            chart: &chart,
            selected: self
                .selected
                .as_deref()
                .and_then(|id| self.project.annotation(id)),
            date: self.date,
            status: self.progress.status.as_deref(),
        };
        let mut open = true;
        let mut commands = Vec::new();
        egui::Window::new("Progress")
            .open(&mut open)
            .default_size([980.0, 760.0])
            .resizable(true)
            .show(ctx, |ui| {
                commands = progress_ui(ui, &view, &mut self.progress.form);
            });
        if !open {
            commands.push(Command::Progress(ProgressCommand::Close));
        }
        self.progress.series_drawn = chart.series_count();
        commands
    }

    pub(crate) fn apply_progress(&mut self, ctx: &egui::Context, command: ProgressCommand) {
        match command {
            ProgressCommand::Open => self.progress.open = true,
            ProgressCommand::Close => self.progress.open = false,
            ProgressCommand::ExportCsvDialog => self.open_dialog(ctx, DialogPurpose::MeasuresCsv),
            ProgressCommand::ExportCsv(path) => {
                self.progress.status = Some(match write_measures_csv(&self.project, &path) {
                    Ok(rows) => format!("Wrote {rows} rows to {}", path.display()),
                    Err(e) => error_chain(&e),
                });
            }
        }
    }
}
