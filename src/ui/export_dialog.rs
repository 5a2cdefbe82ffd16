//! The Export… dialog (Ctrl+E): size, what to include, a preview, then a save dialog; several
//! frames show progress and can be cancelled.

use egui::{Color32, RichText, TextureHandle, Ui};

use crate::command::{Command, ExportCommand};
use crate::export::PRESETS;

/// What an export writes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ExportKind {
    /// One PNG of the slider's date.
    #[default]
    Png,
    /// One PNG per stage in a folder.
    AllStages,
    /// An animated GIF with a frame per stage.
    Gif,
    /// One PNG of date A left of the divider and B right of it (the Compare bar's A and B).
    Swipe,
    /// One PNG of before/after panels, A and B (the Compare bar's).
    Panels,
    /// An MP4 timelapse, one stage per `frame_s` (needs ffmpeg).
    Video,
}

/// The dialog's settings, kept while the window runs.
#[derive(Clone, Debug, PartialEq)]
pub struct ExportSettings {
    /// Image size in pixels.
    pub size_px: [u32; 2],
    /// Show the map's current view (else the project's home view).
    pub current_view: bool,
    /// Draw the north arrow.
    pub north_arrow: bool,
    /// Draw a lat/lon grid.
    pub grid: bool,
    /// Title above the date; empty for none.
    pub title: String,
    /// What to write.
    pub kind: ExportKind,
    /// A video's seconds per stage, hold on the last and crossfade.
    pub timing: crate::export::video::Timing,
}

impl Default for ExportSettings {
    fn default() -> Self {
        Self {
            size_px: [1920, 1080],
            current_view: true,
            north_arrow: true,
            grid: false,
            title: String::new(),
            kind: ExportKind::Png,
            timing: crate::export::video::Timing::default(),
        }
    }
}

/// What the dialog shows of a running export.
pub struct ExportProgress {
    /// Frames done and in all.
    pub done: usize,
    /// Frames in all.
    pub total: usize,
}

/// Accessible label of the dialog's export button.
pub const EXPORT_BUTTON_LABEL: &str = "Export…";

/// Draws the dialog contents. Returns commands; `settings` is edited in place.
pub fn export_dialog_ui(
    ui: &mut Ui,
    settings: &mut ExportSettings,
    preview: Option<&TextureHandle>,
    progress: Option<&ExportProgress>,
) -> Vec<Command> {
    let mut commands = Vec::new();
    egui::Grid::new("export-grid")
        .num_columns(2)
        .spacing([10.0, 6.0])
        .show(ui, |ui| {
            ui.label("Size");
            ui.horizontal(|ui| {
                egui::ComboBox::from_id_salt("export-preset")
                    .selected_text(
                        PRESETS
                            .iter()
                            .find(|(_, s)| *s == settings.size_px)
                            .map_or("custom", |(n, _)| n),
                    )
                    .show_ui(ui, |ui| {
                        for (name, size) in PRESETS {
                            ui.selectable_value(
                                &mut settings.size_px,
                                size,
                                format!("{name} {}×{}", size[0], size[1]),
                            );
                        }
                    });
                ui.add(
                    egui::DragValue::new(&mut settings.size_px[0])
                        .range(64..=8192)
                        .suffix(" px"),
                );
                ui.label("×");
                ui.add(
                    egui::DragValue::new(&mut settings.size_px[1])
                        .range(64..=8192)
                        .suffix(" px"),
                );
            });
            ui.end_row();
            ui.label("View");
            ui.horizontal(|ui| {
                ui.radio_value(&mut settings.current_view, true, "the map as it is now");
                ui.radio_value(&mut settings.current_view, false, "the project's home view");
            });
            ui.end_row();
            ui.label("Include");
            ui.horizontal(|ui| {
                ui.checkbox(&mut settings.north_arrow, "north arrow");
                ui.checkbox(&mut settings.grid, "lat/lon grid");
            });
            ui.end_row();
            ui.label("Title");
            ui.add(egui::TextEdit::singleline(&mut settings.title).hint_text("none (optional)"));
            ui.end_row();
            ui.label("Write");
            ui.horizontal(|ui| {
                ui.radio_value(&mut settings.kind, ExportKind::Png, "PNG of this date");
                ui.radio_value(&mut settings.kind, ExportKind::AllStages, "a PNG per stage");
                ui.radio_value(&mut settings.kind, ExportKind::Gif, "timelapse GIF");
                ui.radio_value(&mut settings.kind, ExportKind::Video, "timelapse MP4")
                    .on_hover_text("H.264 video for social media; needs ffmpeg installed");
            });
            ui.end_row();
            ui.label("");
            ui.horizontal(|ui| {
                ui.radio_value(&mut settings.kind, ExportKind::Swipe, "swipe of A | B")
                    .on_hover_text("A and B as the Compare bar sets them, the divider where it is");
                ui.radio_value(&mut settings.kind, ExportKind::Panels, "panels A, B")
                    .on_hover_text(
                        "Before/after panels of the Compare bar's A and B (no world file)",
                    );
            });
            ui.end_row();
            if settings.kind == ExportKind::Video {
                ui.label("Timing");
                ui.horizontal(|ui| {
                    let t = &mut settings.timing;
                    ui.add(
                        egui::DragValue::new(&mut t.frame_s)
                            .range(0.2..=30.0)
                            .speed(0.05),
                    )
                    .on_hover_text("seconds each stage shows");
                    ui.label("s a stage, last held");
                    ui.add(
                        egui::DragValue::new(&mut t.hold_s)
                            .range(0.2..=30.0)
                            .speed(0.05),
                    );
                    ui.label("s, crossfade");
                    let most = (t.frame_s - 0.05).max(0.0);
                    ui.add(
                        egui::DragValue::new(&mut t.crossfade_s)
                            .range(0.0..=most)
                            .speed(0.02),
                    );
                    ui.label("s");
                });
                ui.end_row();
            }
        });
    ui.label(
        RichText::new(
            "PNG and JPEG exports come with a world file, .prj and a JSON provenance sidecar; \
             a .tif is a GeoTIFF with its georeference inside; .svg and .pdf are vector figures \
             with real text, the PDF georeferenced (GeoPDF). The save name's extension chooses \
             the format. Videos are rounded to even sizes, at most 3840×2160.",
        )
        .weak()
        .small(),
    );
    ui.separator();
    match preview {
        Some(texture) => {
            let width = ui.available_width().min(480.0);
            let size = texture.size_vec2();
            let height = width * size.y / size.x.max(1.0);
            ui.image((texture.id(), egui::vec2(width, height)));
        }
        None => {
            ui.label(RichText::new("Rendering the preview…").weak());
        }
    }
    ui.separator();
    match progress {
        Some(p) => {
            ui.horizontal(|ui| {
                let fraction = if p.total == 0 {
                    0.0
                } else {
                    p.done as f32 / p.total as f32
                };
                ui.add(
                    egui::ProgressBar::new(fraction)
                        .text(format!("{} of {}", p.done, p.total))
                        .desired_width(300.0),
                );
                if ui.button("Cancel").clicked() {
                    commands.push(Command::Export(ExportCommand::CancelExport));
                }
            });
        }
        None => {
            ui.horizontal(|ui| {
                if ui
                    .button(
                        RichText::new(EXPORT_BUTTON_LABEL)
                            .strong()
                            .color(Color32::WHITE),
                    )
                    .clicked()
                {
                    commands.push(Command::Export(ExportCommand::ExportSnapshotDialog));
                }
                if ui.button("Close").clicked() {
                    commands.push(Command::Export(ExportCommand::CloseExportDialog));
                }
            });
        }
    }
    commands
}
