//! The Wayback captures window: the search's progress (k of N releases) with a way to stop it,
//! then the distinct captures under the view's centre (capture day or "mixed: D1–D2", the
//! release each first appeared in, source, resolution, accuracy) with Add and Add all.

use egui::{Color32, RichText, Ui};

use crate::command::{Command, WaybackCommand};

/// Accessible label of the entry in the layer panel's "Add dated service" menu.
pub const LOOK_HERE_LABEL: &str = "Wayback captures here…";
/// Accessible label of the button that stops a search.
pub const CANCEL_LABEL: &str = "Stop looking";
/// Accessible label of the button that searches again at the view's centre.
pub const LOOK_AGAIN_LABEL: &str = "Look again at the view's centre";
/// Accessible label of the button that adds every capture.
pub const ADD_ALL_LABEL: &str = "Add all captures";

/// Where the window's search stands.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum WaybackStatus {
    /// Nothing asked yet.
    #[default]
    Idle,
    /// Looking: what it is doing and how far (0–1).
    Looking {
        /// "Checked 3 of 40 releases for changes here…".
        text: String,
        /// Share done.
        fraction: f32,
    },
    /// Finished: what it found, in words.
    Done(String),
    /// Failed: one line naming the URL.
    Failed(String),
    /// Stopped by the user.
    Cancelled,
}

/// One capture as the list shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct CaptureRow {
    /// "2023-04-20", "mixed: 2021-03-04–2023-05-02" or "unknown (released …)".
    pub date: String,
    /// "30 (2023-07-01)".
    pub release: String,
    /// Provider and sensor.
    pub source: String,
    /// "0.5 m".
    pub resolution: String,
    /// "4.5 m".
    pub accuracy: String,
    /// Whether the view's corners show other days.
    pub mixed: bool,
    /// Why the capture day is unknown, when it is.
    pub problem: Option<String>,
}

/// What the window shows.
pub struct WaybackView<'a> {
    /// The search's state.
    pub status: &'a WaybackStatus,
    /// The captures found.
    pub rows: &'a [CaptureRow],
    /// Where it looked ("130.6400° E, 42.4200° N, zoom 17").
    pub place: Option<&'a str>,
    /// Notes on the search (metadata that did not answer, an old release list).
    pub notes: &'a [String],
    /// What the last Add said.
    pub added: Option<&'a str>,
}

/// The window's contents; what it asks for.
pub fn wayback_ui(ui: &mut Ui, view: &WaybackView<'_>) -> Vec<Command> {
    let mut out = Vec::new();
    ui.label("Each row is imagery that changed under the view's centre, dated by its capture.");
    if let Some(place) = view.place {
        ui.weak(place);
    }
    match view.status {
        WaybackStatus::Idle => {}
        WaybackStatus::Looking { text, fraction } => {
            ui.add(egui::ProgressBar::new(*fraction).text(text.as_str()));
            if ui.button(CANCEL_LABEL).clicked() {
                out.push(WaybackCommand::Cancel.into());
            }
        }
        WaybackStatus::Done(said) => {
            ui.label(said.as_str());
        }
        WaybackStatus::Failed(why) => {
            ui.label(RichText::new(why.as_str()).color(Color32::from_rgb(220, 90, 80)));
        }
        WaybackStatus::Cancelled => {
            ui.label("Stopped.");
        }
    }
    for note in view.notes {
        ui.label(RichText::new(note.as_str()).color(Color32::from_rgb(220, 170, 80)));
    }
    if !matches!(view.status, WaybackStatus::Looking { .. })
        && ui.button(LOOK_AGAIN_LABEL).clicked()
    {
        out.push(WaybackCommand::LookHere.into());
    }
    if !view.rows.is_empty() {
        ui.separator();
        rows_ui(ui, view.rows, &mut out);
        if ui.button(ADD_ALL_LABEL).clicked() {
            out.push(WaybackCommand::AddAll.into());
        }
    }
    if let Some(added) = view.added {
        ui.label(added);
    }
    out
}

fn rows_ui(ui: &mut Ui, rows: &[CaptureRow], out: &mut Vec<Command>) {
    egui::ScrollArea::vertical()
        .max_height(320.0)
        .show(ui, |ui| {
            egui::Grid::new("sitewatch-wayback-captures")
                .striped(true)
                .num_columns(6)
                .show(ui, |ui| {
                    for head in [
                        "Captured",
                        "First in release",
                        "Source",
                        "Resolution",
                        "Accuracy",
                    ] {
                        ui.strong(head);
                    }
                    ui.label("");
                    ui.end_row();
                    for (i, row) in rows.iter().enumerate() {
                        let date = if row.mixed {
                            RichText::new(&row.date).color(Color32::from_rgb(230, 180, 80))
                        } else {
                            RichText::new(&row.date)
                        };
                        let shown = ui.label(date);
                        if let Some(problem) = &row.problem {
                            shown.on_hover_text(problem.as_str());
                        } else if row.mixed {
                            shown.on_hover_text("The view's corners show captures of other days");
                        }
                        ui.label(&row.release);
                        ui.label(&row.source);
                        ui.label(&row.resolution);
                        ui.label(&row.accuracy);
                        if ui
                            .button("Add")
                            .on_hover_text("Add this capture as a layer dated by its capture day")
                            .clicked()
                        {
                            out.push(WaybackCommand::Add(i).into());
                        }
                        ui.end_row();
                    }
                });
        });
}
