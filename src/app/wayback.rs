//! The Wayback captures window in the app: the search for the captures under the view's centre
//! (or a point chosen on the map) runs on a worker (progress shown, stoppable), and Add / Add all make capture layers on the
//! "Esri Wayback" track as one undoable edit.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, TryRecvError};
use std::sync::{Arc, Mutex};

use super::SitewatchApp;
use super::tool_window::ToolWindow;
use crate::command::{Command, WaybackCommand};
use crate::editing::Edit;
use crate::imagery::wayback;
use crate::imagery::wayback_capture_layer::{CAPTURES_TRACK, capture_layer};
use crate::imagery::wayback_changes::{Capture, CaptureReport, Place, find_captures};
use crate::imagery::wayback_metadata::metres;
use crate::imagery::wayback_service::{Phase, Progress, Watch, WaybackHttp, WaybackService};
use crate::spatial::coords::format_lat_lon;
use crate::ui::wayback::{CaptureRow, WaybackStatus, WaybackView, wayback_ui};

/// A search on its worker.
struct Job {
    answer: Receiver<Result<CaptureReport, String>>,
    progress: Arc<Mutex<Option<Progress>>>,
    cancel: Arc<AtomicBool>,
}

/// The window's state between frames.
pub(crate) struct WaybackState {
    open: bool,
    service: WaybackService,
    status: WaybackStatus,
    report: Option<CaptureReport>,
    place: Option<String>,
    added: Option<String>,
    job: Option<Job>,
}

impl Default for WaybackState {
    fn default() -> Self {
        Self {
            open: false,
            service: WaybackService::from_env(),
            status: WaybackStatus::Idle,
            report: None,
            place: None,
            added: None,
            job: None,
        }
    }
}

impl SitewatchApp {
    /// Whether the Wayback captures window is open.
    #[must_use]
    pub fn wayback_open(&self) -> bool {
        self.wayback.open
    }

    /// Where the Wayback captures search stands.
    #[must_use]
    pub fn wayback_status(&self) -> &WaybackStatus {
        &self.wayback.status
    }

    /// The captures the last search found, newest release first.
    #[must_use]
    pub fn wayback_captures(&self) -> &[Capture] {
        self.wayback.report.as_ref().map_or(&[], |r| &r.captures)
    }

    pub(crate) fn apply_wayback(&mut self, ctx: &egui::Context, command: WaybackCommand) {
        match command {
            WaybackCommand::LookHere => {
                self.wayback.open = true;
                self.look_for_captures(ctx, None);
            }
            WaybackCommand::LookAt { lon, lat } => {
                self.wayback.open = true;
                self.look_for_captures(ctx, Some([lon, lat]));
            }
            WaybackCommand::Close => self.wayback.open = false,
            WaybackCommand::Cancel => {
                if let Some(job) = self.wayback.job.take() {
                    job.cancel.store(true, Ordering::Relaxed);
                    self.wayback.status = WaybackStatus::Cancelled;
                }
            }
            WaybackCommand::Add(index) => self.add_captures(ctx, Some(index)),
            WaybackCommand::AddAll => self.add_captures(ctx, None),
            WaybackCommand::UseService(service) => self.wayback.service = service,
        }
    }

    /// Starts a search at `point` (longitude, latitude), or else at the view's centre; one
    /// already going is stopped.
    fn look_for_captures(&mut self, ctx: &egui::Context, point: Option<[f64; 2]>) {
        if let Some(job) = self.wayback.job.take() {
            job.cancel.store(true, Ordering::Relaxed);
        }
        let Some(view) = self.editor.map_view() else {
            self.wayback.status = WaybackStatus::Failed("The map is not shown yet.".into());
            return;
        };
        // Metadata starts at zoom 10 and Wayback layers stop at 19.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let z = view.zoom.round().clamp(10.0, 19.0) as u8;
        let corners = super::changes::view_box(&view).map_or_else(Vec::new, |b| {
            vec![
                [b.west, b.south],
                [b.east, b.south],
                [b.east, b.north],
                [b.west, b.north],
            ]
        });
        let (centre, which) = match point {
            Some(point) => (point, "the point chosen"),
            None => ([view.center.x, view.center.y], "the view's centre"),
        };
        let place = Place { centre, corners, z };
        self.wayback.place = Some(format!(
            "At {} ({which}), tile zoom {z}",
            format_lat_lon(geo::Coord::from((centre[0], centre[1])), 5)
        ));
        self.wayback.added = None;
        let service = self.wayback.service.clone();
        let progress = Arc::new(Mutex::new(None));
        let cancel = Arc::new(AtomicBool::new(false));
        let (tx, answer) = mpsc::channel();
        {
            let (progress, cancel, repaint) =
                (Arc::clone(&progress), Arc::clone(&cancel), ctx.clone());
            std::thread::spawn(move || {
                let cache = if service.is_esri() {
                    wayback::default_cache()
                } else {
                    None
                };
                let report = |p: Progress| {
                    if let Ok(mut slot) = progress.lock() {
                        *slot = Some(p);
                    }
                    repaint.request_repaint();
                };
                let watch = Watch {
                    cancel: &cancel,
                    report: &report,
                };
                let http = WaybackHttp::default();
                let found = find_captures(&http, &service, cache.as_ref(), &place, &watch)
                    .map_err(|e| super::error_chain(&e));
                // A stopped search's receiver is gone: its answer is dropped here.
                let _ = tx.send(found);
                repaint.request_repaint();
            });
        }
        self.wayback.status = WaybackStatus::Looking {
            text: "Reading the Wayback release list…".into(),
            fraction: 0.0,
        };
        self.wayback.job = Some(Job {
            answer,
            progress,
            cancel,
        });
    }

    /// Takes a finished search's answer, or its progress.
    fn poll_wayback(&mut self) {
        let state = &mut self.wayback;
        let Some(job) = &state.job else {
            return;
        };
        match job.answer.try_recv() {
            Ok(Ok(report)) => {
                state.status = WaybackStatus::Done(summary(&report));
                state.report = Some(report);
                state.job = None;
            }
            Ok(Err(why)) => {
                state.status = WaybackStatus::Failed(why);
                state.job = None;
            }
            Err(TryRecvError::Empty) => {
                if let Some(p) = job.progress.lock().ok().and_then(|p| *p) {
                    state.status = WaybackStatus::Looking {
                        text: p.text(),
                        fraction: fraction(p),
                    };
                }
            }
            Err(TryRecvError::Disconnected) => {
                state.status = WaybackStatus::Failed("The search stopped unexpectedly.".into());
                state.job = None;
            }
        }
    }

    /// Adds one capture (`Some(index)`) or all, oldest first, as one edit.
    fn add_captures(&mut self, ctx: &egui::Context, which: Option<usize>) {
        let Some(report) = &self.wayback.report else {
            return;
        };
        let chosen: Vec<&Capture> = match which {
            Some(index) => report.captures.get(index).into_iter().collect(),
            None => report.captures.iter().rev().collect(),
        };
        let mut taken: Vec<String> = self.project.layers.iter().map(|l| l.id.clone()).collect();
        let existing = self.project.layers.len();
        let mut edits = Vec::new();
        for capture in chosen {
            let mut layer = capture_layer(capture, &self.wayback.service.tile_template);
            layer.id = crate::model::ids::unique_id(&layer.id, |t| taken.iter().any(|l| l == t));
            taken.push(layer.id.clone());
            edits.push(Edit::AddLayer {
                index: existing + edits.len(),
                layer: Box::new(layer),
            });
        }
        let count = edits.len();
        let edit = match edits.len() {
            0 => return,
            1 => edits.remove(0),
            _ => Edit::Batch(edits),
        };
        self.apply(ctx, Command::edit(edit));
        self.wayback.added = Some(format!(
            "Added {count} capture layer(s) on the track \"{CAPTURES_TRACK}\"."
        ));
    }

    /// The window, when open; what it asks for.
    pub(crate) fn wayback_window(&mut self, ctx: &egui::Context) -> Vec<Command> {
        self.poll_wayback();
        if !self.wayback.open {
            return Vec::new();
        }
        let state = &self.wayback;
        let rows: Vec<CaptureRow> = state
            .report
            .iter()
            .flat_map(|r| r.captures.iter().map(row))
            .collect();
        let notes: Vec<String> = state.report.iter().flat_map(notes).collect();
        let view = WaybackView {
            status: &state.status,
            rows: &rows,
            place: state.place.as_deref(),
            notes: &notes,
            added: state.added.as_deref(),
        };
        ToolWindow {
            title: "Wayback captures",
            id: "sitewatch-wayback-captures",
            width: 620.0,
            close: WaybackCommand::Close.into(),
        }
        .show(ctx, self.editor.map_view().map(|v| v.rect), |ui| {
            wayback_ui(ui, &view)
        })
    }
}

/// A share of the whole search for a progress bar: the walk is most of it.
fn fraction(p: Progress) -> f32 {
    #[allow(clippy::cast_precision_loss)]
    let part = if p.total == 0 {
        0.0
    } else {
        p.done as f32 / p.total as f32
    };
    match p.phase {
        Phase::Releases => 0.0,
        Phase::Tilemap => 0.05 + 0.6 * part,
        Phase::Tiles => 0.65 + 0.15 * part,
        Phase::Metadata => 0.8 + 0.2 * part,
    }
}

fn summary(report: &CaptureReport) -> String {
    let t = report.tile;
    let skipped = match report.skipped.len() {
        0 => String::new(),
        n => format!(" {n} left out: their tile was refused."),
    };
    format!(
        "{} distinct capture(s) in {} releases ({} candidate tiles compared, tile {}/{}/{}).{skipped}",
        report.captures.len(),
        report.releases,
        report.candidates.saturating_sub(report.skipped.len()),
        t.z,
        t.row,
        t.col
    )
}

fn notes(report: &CaptureReport) -> Vec<String> {
    let mut notes = Vec::new();
    if let Some(why) = &report.metadata_error {
        notes.push(format!("Capture dates unknown from here on: {why}"));
    }
    if let Some(why) = &report.list_note {
        notes.push(format!("Release list from an older copy: {why}"));
    }
    notes.extend(report.skipped.iter().cloned());
    notes
}

fn row(capture: &Capture) -> CaptureRow {
    let info = capture.centre.as_ref();
    let release = &capture.release;
    CaptureRow {
        date: capture.date_text(),
        release: format!("{} ({})", release.number, release.release_date),
        source: info
            .map(|i| {
                let mut copy = i.clone();
                (copy.resolution_m, copy.accuracy_m) = (None, None);
                copy.description()
            })
            .unwrap_or_default(),
        resolution: info
            .and_then(|i| i.resolution_m)
            .map(metres)
            .unwrap_or_default(),
        accuracy: info
            .and_then(|i| i.accuracy_m)
            .map(metres)
            .unwrap_or_default(),
        mixed: capture.is_mixed(),
        problem: capture.metadata_problem.clone(),
    }
}
