//! The Find changes window in the app: its form, the run on a worker (a progress bar fed by the
//! finder's progress hook, and Cancel), and the results taken into a review with their chips
//! as textures. Accepting, the keys and the overlay are in `changes_review`.

use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::mpsc::{self, Receiver, TryRecvError};
use std::sync::{Arc, Mutex, PoisonError};

use super::{SitewatchApp, error_chain};
use crate::analysis::change::chips::{ChipPair, chip_pairs};
use crate::analysis::change::{ChangeError, ChangeReport, find_changes_with};
use crate::command::{ChangesCommand, ChangesRequest, Command};
use crate::model::FuzzyDate;
use crate::model::tracks::tracks;
use crate::spatial::LonLatBox;
use crate::spatial::mercator::{lonlat_from_world_px, world_px_from_lonlat};
use crate::ui::changes::{ChangesForm, FindStatus, FormView, changes_form_ui};
use crate::ui::changes_review::{ChipsView, Review, review_ui};

/// What a run sends back.
type RunResult = Result<(ChangeReport, Vec<ChipPair>), ChangeError>;

/// Shared between the window and the worker: how far the run is, and whether to stop.
#[derive(Default)]
struct Watch {
    /// The fraction done, as `f32` bits.
    fraction: AtomicU32,
    /// What the run does now.
    stage: Mutex<String>,
    /// Set by Cancel.
    cancel: AtomicBool,
}

impl Watch {
    fn update(&self, fraction: f32, stage: &str) -> bool {
        self.fraction.store(fraction.to_bits(), Ordering::Relaxed);
        let mut s = self.stage.lock().unwrap_or_else(PoisonError::into_inner);
        stage.clone_into(&mut s);
        !self.cancel.load(Ordering::Relaxed)
    }

    fn status(&self) -> FindStatus {
        FindStatus::Running {
            fraction: f32::from_bits(self.fraction.load(Ordering::Relaxed)),
            stage: self
                .stage
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .clone(),
        }
    }
}

/// A run on its worker.
struct Job {
    request: ChangesRequest,
    watch: Arc<Watch>,
    answer: Receiver<RunResult>,
}

/// The window's state between frames.
#[derive(Default)]
pub(crate) struct ChangesState {
    /// Whether the window and the overlay show.
    pub(crate) open: bool,
    /// The form.
    pub(crate) form: ChangesForm,
    /// Where the last run stands.
    pub(crate) status: FindStatus,
    /// The candidates under review.
    pub(crate) review: Option<Review>,
    /// Each candidate's before and after chips, as textures with their focus boxes.
    pub(crate) chips: Vec<([egui::TextureHandle; 2], [[f32; 4]; 2])>,
    job: Option<Job>,
}

/// The map's view on the last frame as a lon/lat box.
pub(crate) fn view_box(view: &crate::ui::map_edit::MapView) -> Option<LonLatBox> {
    let centre = world_px_from_lonlat(view.center, view.zoom);
    let half = view.rect.size() / 2.0;
    let corner = |dx: f32, dy: f32| {
        lonlat_from_world_px(
            geo::Coord {
                x: centre.x + f64::from(dx),
                y: centre.y + f64::from(dy),
            },
            view.zoom,
        )
    };
    let (nw, se) = (corner(-half.x, -half.y), corner(half.x, half.y));
    LonLatBox::try_from([nw.x, se.y, se.x, nw.y]).ok()
}

impl SitewatchApp {
    /// Whether the Find changes window is open.
    #[must_use]
    pub fn changes_open(&self) -> bool {
        self.changes.open
    }

    /// Where the last run of the change finder stands.
    #[must_use]
    pub fn changes_status(&self) -> &FindStatus {
        &self.changes.status
    }

    /// The candidates under review, after a run.
    #[must_use]
    pub fn changes_review(&self) -> Option<&Review> {
        self.changes.review.as_ref()
    }

    /// Dates A and B as the map compares them.
    fn compared_dates(&self) -> (FuzzyDate, FuzzyDate) {
        (
            FuzzyDate::day(self.compare_date_a()),
            FuzzyDate::day(self.date),
        )
    }

    pub(crate) fn apply_changes(&mut self, ctx: &egui::Context, command: ChangesCommand) {
        match command {
            ChangesCommand::Toggle => {
                self.changes.open = !self.changes.open;
                if self.changes.open && self.changes.form.from.is_empty() {
                    let (a, b) = self.compared_dates();
                    self.changes.form.from = a.to_string();
                    self.changes.form.to = b.to_string();
                }
            }
            ChangesCommand::Close => self.changes.open = false,
            ChangesCommand::Find(request) => self.start_changes(ctx, *request),
            ChangesCommand::Cancel => {
                if let Some(job) = self.changes.job.take() {
                    // The worker stops at its next report; nobody waits for its answer.
                    job.watch.cancel.store(true, Ordering::Relaxed);
                    self.changes.status = FindStatus::Cancelled;
                }
            }
            other => self.apply_review(ctx, &other),
        }
    }

    /// Starts a run on a worker; a run already going is cancelled.
    fn start_changes(&mut self, ctx: &egui::Context, request: ChangesRequest) {
        if let Some(old) = self.changes.job.take() {
            old.watch.cancel.store(true, Ordering::Relaxed);
        }
        let project = self.project.clone();
        let base_dir = self.layer_base_dir();
        let watch = Arc::new(Watch::default());
        let (tx, rx) = mpsc::channel();
        let worker_watch = Arc::clone(&watch);
        let worker_request = request.clone();
        let repaint = ctx.clone();
        std::thread::spawn(move || {
            let progress = |fraction: f32, stage: &str| {
                repaint.request_repaint();
                worker_watch.update(fraction, stage)
            };
            let r = &worker_request;
            let answer = find_changes_with(
                &project,
                &base_dir,
                r.from,
                r.to,
                r.track.as_deref(),
                &r.options,
                &progress,
            )
            .map(|found| {
                let chips = chip_pairs(&found.before, &found.after, &found.report.candidates);
                (found.report, chips)
            });
            // The window may have closed or cancelled; then nobody waits for the answer.
            let _ = tx.send(answer);
            repaint.request_repaint();
        });
        self.changes.status = watch.status();
        self.changes.job = Some(Job {
            request,
            watch,
            answer: rx,
        });
    }

    /// Takes a finished run into the review, or keeps the progress bar moving.
    fn poll_changes(&mut self, ctx: &egui::Context) {
        let Some(job) = &self.changes.job else {
            return;
        };
        let answer = match job.answer.try_recv() {
            Ok(answer) => answer,
            Err(TryRecvError::Empty) => {
                self.changes.status = job.watch.status();
                ctx.request_repaint_after(std::time::Duration::from_millis(50));
                return;
            }
            Err(TryRecvError::Disconnected) => Err(ChangeError::Cancelled),
        };
        let Some(job) = self.changes.job.take() else {
            return;
        };
        match answer {
            Ok((report, chips)) => {
                self.changes.status = FindStatus::Done(report.candidates.len());
                self.changes.chips = chips
                    .into_iter()
                    .enumerate()
                    .map(|(i, pair)| {
                        let texture = |name: &str, chip: &crate::analysis::change::chips::Chip| {
                            let image =
                                egui::ColorImage::from_rgba_unmultiplied(chip.size_px, &chip.rgba);
                            ctx.load_texture(
                                format!("change-chip-{i}-{name}"),
                                image,
                                egui::TextureOptions::NEAREST,
                            )
                        };
                        (
                            [texture("a", &pair.before), texture("b", &pair.after)],
                            [pair.before.focus_px, pair.after.focus_px],
                        )
                    })
                    .collect();
                self.changes.review = Some(Review::new(job.request, report));
                if let Some(i) = self.changes.review.as_ref().and_then(|r| r.selected) {
                    self.zoom_to_candidate(i);
                }
            }
            Err(ChangeError::Cancelled) => self.changes.status = FindStatus::Cancelled,
            Err(e) => self.changes.status = FindStatus::Failed(error_chain(&e)),
        }
    }

    /// The Find changes window, while open; polls the run either way.
    pub(crate) fn changes_window(&mut self, ctx: &egui::Context) -> Vec<Command> {
        self.poll_changes(ctx);
        if let Some(review) = &mut self.changes.review {
            review.follow_undo(&self.project);
        }
        if !self.changes.open {
            return Vec::new();
        }
        let names: Vec<String> = tracks(&self.project, &self.imagery.file_dates())
            .into_iter()
            .map(|t| t.name)
            .filter(|n| !n.is_empty())
            .collect();
        let view = FormView {
            project: &self.project,
            tracks: &names,
            view_box: self.editor.map_view().as_ref().and_then(view_box),
            map_dates: self.compared_dates(),
            status: &self.changes.status,
        };
        let mut open = true;
        let mut commands = Vec::new();
        let form = &mut self.changes.form;
        let review = self.changes.review.as_ref();
        let chips = review
            .and_then(|r| r.selected)
            .and_then(|i| self.changes.chips.get(i))
            .map(|(t, focus)| ChipsView {
                textures: [&t[0], &t[1]],
                focus: *focus,
            });
        // At the map's top right, clear of its button row; moved where the analyst drags it.
        let corner = self.editor.map_view().map_or(egui::pos2(800.0, 80.0), |v| {
            v.rect.right_top() + egui::vec2(-12.0, 48.0)
        });
        egui::Window::new("Find changes")
            .id(egui::Id::unique("sitewatch-changes"))
            .pivot(egui::Align2::RIGHT_TOP)
            .default_pos(corner)
            .open(&mut open)
            .default_width(360.0)
            .resizable(false)
            .show(ctx, |ui| {
                commands.extend(changes_form_ui(ui, form, &view));
                if let Some(review) = review {
                    ui.separator();
                    commands.extend(review_ui(ui, review, chips));
                }
            });
        if !open {
            commands.push(Command::Changes(ChangesCommand::Close));
        }
        commands
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_view_box_is_centred_on_the_view_and_as_wide_as_its_rect() {
        let view = crate::ui::map_edit::MapView {
            rect: egui::Rect::from_min_size(egui::pos2(0.0, 0.0), egui::vec2(512.0, 256.0)),
            center: geo::Coord { x: 0.0, y: 0.0 },
            zoom: 1.0,
        };
        let b = view_box(&view).unwrap();
        // At zoom 1 the world is 512 px wide: the whole width, and a band around the equator.
        assert!(
            (b.west + 180.0).abs() < 1e-9 && (b.east - 180.0).abs() < 1e-9,
            "{b:?}"
        );
        assert!((b.north + b.south).abs() < 1e-9 && b.north > 0.0, "{b:?}");
    }
}
