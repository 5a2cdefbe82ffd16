//! The app's side of snapshot export: the dialog's state, the preview and the export itself,
//! each on a worker thread so the window never waits; progress and cancel for several frames.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, mpsc};

use chrono::NaiveDate;
use egui::{Key, Modifiers};
use geo::Coord;

use super::SitewatchApp;
use crate::command::{Command, ExportCommand};
use crate::export::sources::{OpenFirst, ProjectLayerSources};
use crate::export::{self, ExportOptions, ViewChoice};
use crate::spatial::LonLatBox;
use crate::spatial::mercator::{lonlat_from_world_px, world_px_from_lonlat};
use crate::ui::export_dialog::{ExportKind, ExportProgress, ExportSettings, export_dialog_ui};

/// Width of the preview image in pixels.
const PREVIEW_WIDTH_PX: u32 = 480;

struct Job {
    done: Arc<AtomicUsize>,
    total: Arc<AtomicUsize>,
    cancel: Arc<AtomicBool>,
    result: mpsc::Receiver<Result<String, String>>,
}

/// Everything the export dialog keeps between frames.
#[derive(Default)]
pub(crate) struct ExportState {
    open: bool,
    settings: ExportSettings,
    preview: Option<egui::TextureHandle>,
    /// What the preview (shown or being made) was made for.
    preview_key: Option<String>,
    preview_job: Option<mpsc::Receiver<Result<egui::ColorImage, String>>>,
    dialog: Option<mpsc::Receiver<Option<PathBuf>>>,
    job: Option<Job>,
}

impl ExportState {
    /// The dialog's settings.
    pub(super) fn settings(&self) -> &ExportSettings {
        &self.settings
    }

    /// The dialog's settings, to change (a stage's kept view restores them).
    pub(super) fn settings_mut(&mut self) -> &mut ExportSettings {
        &mut self.settings
    }
}

/// "Exported out.png (with out.pgw, out.prj, out.json)": the side files that were written.
fn exported_with_side_files(image: &std::path::Path, side: &export::files::SidePaths) -> String {
    let names: Vec<String> = [&side.world_file, &side.prj, &side.sidecar]
        .into_iter()
        .filter(|p| p.exists())
        .filter_map(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .collect();
    format!("Exported {} (with {})", image.display(), names.join(", "))
}

/// The ground box the map shows now, from its centre, zoom and size in pixels.
pub fn view_box(center: Coord<f64>, zoom: f64, size: egui::Vec2) -> Option<LonLatBox> {
    let c = world_px_from_lonlat(center, zoom);
    let (hw, hh) = (f64::from(size.x) / 2.0, f64::from(size.y) / 2.0);
    let nw = lonlat_from_world_px(
        Coord {
            x: c.x - hw,
            y: c.y - hh,
        },
        zoom,
    );
    let se = lonlat_from_world_px(
        Coord {
            x: c.x + hw,
            y: c.y + hh,
        },
        zoom,
    );
    LonLatBox::try_from([nw.x, se.y, se.x, nw.y]).ok()
}

fn options_for(
    settings: &ExportSettings,
    view: Option<LonLatBox>,
    imagery: Arc<dyn export::LayerSources>,
    basemap: crate::imagery::basemap::Basemap,
) -> ExportOptions {
    ExportOptions {
        size_px: settings.size_px,
        view: match (settings.current_view, view) {
            (true, Some(b)) => ViewChoice::BBox(b),
            _ => ViewChoice::Home,
        },
        basemap,
        north_arrow: settings.north_arrow,
        grid: settings.grid,
        title: (!settings.title.trim().is_empty()).then(|| settings.title.trim().to_owned()),
        imagery: Some(imagery),
        project_file: None,
        ..ExportOptions::default()
    }
}

impl SitewatchApp {
    /// The layers' sources for an export: the window's open rasters first (decoded once, shown
    /// as their layers say), the others opened from the project's folder.
    fn export_sources(&self) -> Arc<dyn export::LayerSources> {
        Arc::new(OpenFirst::new(
            self.imagery.open_sources(),
            ProjectLayerSources::new(self.layer_base_dir()),
        ))
    }

    /// The map's current view as a box, for "export the map as it is now".
    pub(super) fn current_view_box(&self) -> Option<LonLatBox> {
        // A stage's view just restored is exactly the box it kept, until the map moves.
        if let Some(kept) = self.restored_box() {
            return Some(kept);
        }
        // With the figure frame shown, the view is the frame: what the analyst composed.
        if let Some(frame) = self.frame_box {
            return Some(frame);
        }
        view_box(self.map_center(), self.memory.zoom(), self.map_size)
    }

    /// Handles the export commands.
    pub(crate) fn apply_export(&mut self, ctx: &egui::Context, command: ExportCommand) {
        match command {
            ExportCommand::OpenExportDialog => self.export.open = true,
            ExportCommand::CloseExportDialog => self.export.open = false,
            ExportCommand::ExportSnapshotDialog => {
                if self.export.dialog.is_some() || self.export.job.is_some() {
                    return;
                }
                let kind = self.export.settings.kind;
                let suggested = format!(
                    "{}-{}.{}",
                    self.project
                        .name
                        .split_whitespace()
                        .next()
                        .unwrap_or("sitewatch")
                        .to_lowercase(),
                    self.date,
                    match kind {
                        ExportKind::Gif => "gif",
                        ExportKind::Video => "mp4",
                        _ => "png",
                    }
                );
                let (tx, rx) = mpsc::channel();
                let ctx = ctx.clone();
                std::thread::spawn(move || {
                    let dialog = rfd::FileDialog::new().set_title("Export snapshot");
                    let picked = match kind {
                        ExportKind::Png | ExportKind::Swipe | ExportKind::Panels => dialog
                            .add_filter("PNG", &["png"])
                            .add_filter("JPEG", &["jpg", "jpeg"])
                            .add_filter("GeoTIFF", &["tif", "tiff"])
                            .add_filter("SVG (vector)", &["svg"])
                            .add_filter("PDF (vector, georeferenced)", &["pdf"])
                            .set_file_name(&suggested)
                            .save_file(),
                        ExportKind::Gif => dialog
                            .add_filter("GIF", &["gif"])
                            .set_file_name(&suggested)
                            .save_file(),
                        ExportKind::Video => dialog
                            .add_filter("MP4 video", &["mp4"])
                            .set_file_name(&suggested)
                            .save_file(),
                        ExportKind::AllStages => dialog.pick_folder(),
                    };
                    let _ = tx.send(picked);
                    ctx.request_repaint();
                });
                self.export.dialog = Some(rx);
            }
            ExportCommand::ExportSnapshot(path) => self.start_export(ctx, path),
            ExportCommand::CancelExport => {
                if let Some(job) = &self.export.job {
                    job.cancel.store(true, Ordering::Relaxed);
                }
            }
        }
    }

    fn start_export(&mut self, ctx: &egui::Context, path: PathBuf) {
        let settings = self.export.settings.clone();
        let project = self.project.clone();
        let date = self.date;
        let (date_a, divider) = (self.compare_date_a(), self.compare.divider);
        let options = ExportOptions {
            file_dates: self.imagery.file_dates(),
            // A swipe or panels figure compares as the map does: its stretch, its picked layers.
            compare_stretch: self.compare.stretch,
            side_layers: if self.compare.mode == crate::command::CompareMode::Off {
                [None, None]
            } else {
                self.compare.pick.clone()
            },
            ..options_for(
                &settings,
                self.current_view_box(),
                self.export_sources(),
                self.prefs.basemap,
            )
        };
        let done = Arc::new(AtomicUsize::new(0));
        let total = Arc::new(AtomicUsize::new(1));
        let cancel = Arc::new(AtomicBool::new(false));
        let (tx, rx) = mpsc::channel();
        let (d, t, c, ctx2) = (
            Arc::clone(&done),
            Arc::clone(&total),
            Arc::clone(&cancel),
            ctx.clone(),
        );
        std::thread::spawn(move || {
            let progress = |n: usize, of: usize| {
                d.store(n, Ordering::Relaxed);
                t.store(of, Ordering::Relaxed);
                ctx2.request_repaint();
                !c.load(Ordering::Relaxed)
            };
            let result = match settings.kind {
                ExportKind::Png => export::export_png(&project, date, &options, &path, &progress)
                    .map(|o| exported_with_side_files(&o.png, &o.side)),
                ExportKind::AllStages => {
                    export::export_all_stages(&project, &options, &path, &progress)
                        .map(|o| format!("Exported {} stage images to {}", o.len(), path.display()))
                }
                ExportKind::Gif => {
                    export::export_gif(&project, &options, &path, &progress).map(|o| {
                        format!(
                            "Exported a {}-frame timelapse to {}",
                            o.dates.len(),
                            o.gif.display()
                        )
                    })
                }
                ExportKind::Video => {
                    export::export_video(&project, &options, settings.timing, &path, &progress).map(
                        |o| {
                            format!(
                                "Exported a {}-stage video timelapse to {}",
                                o.dates.len(),
                                o.gif.display()
                            )
                        },
                    )
                }
                ExportKind::Swipe => {
                    let dates = [date_a, date];
                    export::export_swipe_png(&project, dates, divider, &options, &path, &progress)
                        .map(|o| exported_with_side_files(&o.png, &o.side))
                }
                ExportKind::Panels => {
                    export::export_panels_png(&project, &[date_a, date], &options, &path, &progress)
                        .map(|o| format!("Exported {} (with .json)", o.png.display()))
                }
            };
            let _ = tx.send(result.map_err(|e| crate::app::error_chain(&e)));
            ctx2.request_repaint();
        });
        self.export.job = Some(Job {
            done,
            total,
            cancel,
            result: rx,
        });
    }

    fn poll_export(&mut self) -> Option<Command> {
        if let Some(job) = &self.export.job
            && let Ok(result) = job.result.try_recv()
        {
            self.export.job = None;
            match result {
                Ok(message) | Err(message) => self.messages.push(message),
            }
        }
        let rx = self.export.dialog.as_ref()?;
        match rx.try_recv() {
            Ok(picked) => {
                self.export.dialog = None;
                picked.map(|p| Command::Export(ExportCommand::ExportSnapshot(p)))
            }
            Err(mpsc::TryRecvError::Empty) => None,
            Err(mpsc::TryRecvError::Disconnected) => {
                self.export.dialog = None;
                None
            }
        }
    }

    /// Keeps the preview in step with the settings, date and view; renders it off the UI thread.
    fn refresh_preview(&mut self, ctx: &egui::Context) {
        if let Some(rx) = &self.export.preview_job
            && let Ok(result) = rx.try_recv()
        {
            self.export.preview_job = None;
            match result {
                Ok(image) => {
                    self.export.preview = Some(ctx.load_texture(
                        "export-preview",
                        image,
                        egui::TextureOptions::LINEAR,
                    ));
                }
                Err(e) => self.messages.push(format!("Preview failed: {e}")),
            }
        }
        let view = self.current_view_box();
        let (date_a, divider) = (self.compare_date_a(), self.compare.divider);
        let key = format!(
            "{:?}|{}|{:?}|{}|{:?}|{date_a}|{divider}",
            self.export.settings,
            self.date,
            view,
            self.scene_builds(),
            self.prefs.basemap
        );
        if self.export.preview_key.as_deref() == Some(key.as_str())
            || self.export.preview_job.is_some()
        {
            return;
        }
        self.export.preview_key = Some(key);
        let [w, h] = self.export.settings.size_px;
        let mut settings = self.export.settings.clone();
        settings.size_px = [PREVIEW_WIDTH_PX, (PREVIEW_WIDTH_PX * h / w.max(1)).max(64)];
        let project = self.project.clone();
        let date: NaiveDate = self.date;
        let options = ExportOptions {
            file_dates: self.imagery.file_dates(),
            // A swipe or panels figure compares as the map does: its stretch, its picked layers.
            compare_stretch: self.compare.stretch,
            side_layers: if self.compare.mode == crate::command::CompareMode::Off {
                [None, None]
            } else {
                self.compare.pick.clone()
            },
            ..options_for(&settings, view, self.export_sources(), self.prefs.basemap)
        };
        let (tx, rx) = mpsc::channel();
        let ctx = ctx.clone();
        std::thread::spawn(move || {
            let quiet = |_: usize, _: usize| true;
            let pixmap = match settings.kind {
                ExportKind::Swipe => {
                    export::render_swipe(&project, [date_a, date], divider, &options, &quiet)
                        .map(|f| f.pixmap)
                }
                ExportKind::Panels => {
                    export::render_panels(&project, &[date_a, date], &options, &quiet)
                        .map(|f| f.pixmap)
                }
                _ => export::render_figure(&project, date, &options, &quiet).map(|f| f.pixmap),
            };
            let result = pixmap.map(|pixmap| {
                let size = [pixmap.width() as usize, pixmap.height() as usize];
                egui::ColorImage::from_rgba_premultiplied(size, pixmap.data())
            });
            let _ = tx.send(result.map_err(|e| crate::app::error_chain(&e)));
            ctx.request_repaint();
        });
        self.export.preview_job = Some(rx);
    }

    /// Ctrl+E, the dialog window, its preview and the running export; returns commands.
    pub(crate) fn export_frame(&mut self, ctx: &egui::Context) -> Vec<Command> {
        let mut commands = Vec::new();
        if ctx.input_mut(|i| i.consume_key(Modifiers::COMMAND, Key::E)) {
            commands.push(Command::Export(ExportCommand::OpenExportDialog));
        }
        commands.extend(self.poll_export());
        if !self.export.open {
            return commands;
        }
        self.refresh_preview(ctx);
        let progress = self.export.job.as_ref().map(|j| ExportProgress {
            done: j.done.load(Ordering::Relaxed),
            total: j.total.load(Ordering::Relaxed),
        });
        let mut open = true;
        let preview = self.export.preview.clone();
        egui::Window::new("Export snapshot")
            .open(&mut open)
            .resizable(false)
            .default_width(520.0)
            .show(ctx, |ui| {
                commands.extend(export_dialog_ui(
                    ui,
                    &mut self.export.settings,
                    preview.as_ref(),
                    progress.as_ref(),
                ));
            });
        if !open {
            commands.push(Command::Export(ExportCommand::CloseExportDialog));
        }
        commands
    }
}

impl SitewatchApp {
    /// The figure the export dialog would write, as the map's frame shows it.
    pub(crate) fn figure_frame(&self) -> crate::ui::map_view::FigureFrame {
        let s = &self.export.settings;
        crate::ui::map_view::FigureFrame {
            size_px: s.size_px,
            title: (!s.title.trim().is_empty()).then(|| s.title.trim().to_owned()),
            north_arrow: s.north_arrow,
            grid: s.grid,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_view_box_is_centred_and_as_wide_as_the_map() {
        let center = Coord {
            x: 130.64,
            y: 42.41,
        };
        let b = view_box(center, 15.0, egui::vec2(1000.0, 600.0)).unwrap();
        let c = b.center();
        assert!((c.x - 130.64).abs() < 1e-9);
        assert!((c.y - 42.41).abs() < 1e-4);
        // 1000 px at zoom 15 span 1000 / (256·2^15) of 360°.
        let width_deg = 1000.0 / (256.0 * 32768.0) * 360.0;
        assert!((b.east - b.west - width_deg).abs() < 1e-9);
    }
}
