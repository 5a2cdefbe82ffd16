//! Reviewing candidates in the app: selecting and zooming, Accept (an annotation, or the end of
//! one a removal overlaps, each one undo step) and Reject, the review keys, and the candidates
//! drawn over the map through a display list.

use egui::{Key, Modifiers};

use super::SitewatchApp;
use super::commands::annotation_box;
use super::map_overlay::paint_map_overlay;
use crate::command::{ChangesCommand, Command};
use crate::editing::change_accept::{
    Accepted, Observed, accept_as_annotation, accept_as_end, propose_end,
};
use crate::model::{FuzzyDate, Shape};
use crate::render::lower::changes::{CandidateMark, lower_candidates};
use crate::ui::changes_review::{Decision, Review};

impl SitewatchApp {
    /// Fits the map to candidate `i`.
    pub(crate) fn zoom_to_candidate(&mut self, i: usize) {
        let Some(c) = self
            .changes
            .review
            .as_ref()
            .and_then(|r| r.report.candidates.get(i))
        else {
            return;
        };
        self.fit_request = annotation_box(&Shape::Polygon(c.polygon.clone()));
    }

    fn select_candidate(&mut self, i: Option<usize>) {
        let Some(review) = &mut self.changes.review else {
            return;
        };
        if let Some(i) = i {
            review.selected = Some(i);
            review.end = None;
            self.zoom_to_candidate(i);
        }
    }

    /// Moves on to the next candidate still waiting, once the selected one is decided.
    fn advance(&mut self) {
        let next = self.changes.review.as_ref().and_then(Review::next_waiting);
        self.select_candidate(next);
    }

    pub(crate) fn apply_review(&mut self, ctx: &egui::Context, command: &ChangesCommand) {
        let Some(review) = &mut self.changes.review else {
            return;
        };
        match command {
            ChangesCommand::Select(i) => self.select_candidate(Some(*i)),
            ChangesCommand::Next => {
                let next = review.stepped(1);
                self.select_candidate(next);
            }
            ChangesCommand::Previous => {
                let previous = review.stepped(-1);
                self.select_candidate(previous);
            }
            ChangesCommand::Reject => {
                if let Some(d) = review.selected.and_then(|i| review.decisions.get_mut(i)) {
                    *d = Decision::Rejected;
                    review.end = None;
                    self.advance();
                }
            }
            ChangesCommand::Accept => self.accept(ctx, false),
            ChangesCommand::AcceptAsNew => self.accept(ctx, true),
            ChangesCommand::ConfirmEnd => self.confirm_end(ctx),
            ChangesCommand::DismissEnd => review.end = None,
            ChangesCommand::Toggle
            | ChangesCommand::Close
            | ChangesCommand::Find(_)
            | ChangesCommand::Cancel => {}
        }
    }

    /// The selected candidate as the editing core takes it, with date A.
    fn accepted_input(&self) -> Option<(Accepted<'_>, chrono::NaiveDate)> {
        let review = self.changes.review.as_ref()?;
        let c = review.current()?;
        let r = &review.report;
        let layer = |id: &str| self.project.layers.iter().find(|l| l.id == id);
        let date = |text: &str| text.parse::<FuzzyDate>().ok();
        let after_date = date(&r.after_date);
        let accepted = Accepted {
            polygon: &c.polygon,
            class: c.description.class,
            area_m2: c.area_m2,
            score_sigma: c.description.score_sigma,
            before: Observed {
                layer: layer(&r.before_layer)?,
                date: date(&r.before_date),
            },
            after: Observed {
                layer: layer(&r.after_layer)?,
                date: after_date,
            },
            // B's image is when the change was first seen.
            seen: after_date.unwrap_or(review.request.to),
        };
        let date_a = date(&r.before_date).unwrap_or(review.request.from).key();
        Some((accepted, date_a))
    }

    /// Accept: a removal over a standing annotation asks first (unless `as_new`), anything else
    /// becomes an annotation at once.
    fn accept(&mut self, ctx: &egui::Context, as_new: bool) {
        // An accepted candidate is recorded once: undo it to accept it again.
        let decided = self.changes.review.as_ref().is_some_and(|r| {
            r.selected
                .and_then(|i| r.decisions.get(i))
                .is_some_and(|d| matches!(d, Decision::Accepted { .. }))
        });
        if decided {
            return;
        }
        let Some((accepted, date_a)) = self.accepted_input() else {
            return;
        };
        if !as_new && let Some(end) = propose_end(&self.project, &accepted, date_a) {
            if let Some(review) = &mut self.changes.review {
                review.end = Some(end);
            }
            return;
        }
        let (edit, id) = accept_as_annotation(&self.project, &accepted);
        self.apply(ctx, Command::edit(edit));
        self.decide(id, None);
    }

    fn confirm_end(&mut self, ctx: &egui::Context) {
        let Some(end) = self.changes.review.as_ref().and_then(|r| r.end.clone()) else {
            return;
        };
        let Some((accepted, _)) = self.accepted_input() else {
            return;
        };
        let edit = accept_as_end(&self.project, &accepted, &end);
        self.apply(ctx, Command::edit(edit));
        self.decide(end.annotation, Some(end.seen_until));
    }

    /// Records an acceptance once its edit holds, and moves on.
    fn decide(&mut self, annotation: String, ended: Option<FuzzyDate>) {
        let held = self
            .project
            .annotation(&annotation)
            .is_some_and(|a| ended.is_none() || a.seen_until == ended);
        let Some(review) = &mut self.changes.review else {
            return;
        };
        review.end = None;
        if !held {
            return;
        }
        if let Some(d) = review.selected.and_then(|i| review.decisions.get_mut(i)) {
            *d = Decision::Accepted { annotation, ended };
        }
        self.advance();
    }

    /// F opens and closes the window; with candidates under review and the window open, J/↓ and
    /// K/↑ step, A accepts and R rejects. Consumed before the tool keys (A and R pick tools).
    pub(crate) fn changes_keys(&self, ctx: &egui::Context) -> Vec<Command> {
        if ctx.text_edit_focused() {
            return Vec::new();
        }
        let reviewing = self.changes.open
            && self
                .changes
                .review
                .as_ref()
                .is_some_and(|r| !r.report.candidates.is_empty());
        let mut out = Vec::new();
        ctx.input_mut(|i| {
            if i.consume_key(Modifiers::NONE, Key::F) {
                out.push(ChangesCommand::Toggle);
            }
            if !reviewing {
                return;
            }
            let keys: [(&[Key], ChangesCommand); 4] = [
                (&[Key::J, Key::ArrowDown], ChangesCommand::Next),
                (&[Key::K, Key::ArrowUp], ChangesCommand::Previous),
                (&[Key::A], ChangesCommand::Accept),
                (&[Key::R], ChangesCommand::Reject),
            ];
            for (keys, command) in keys {
                if keys.iter().any(|&k| i.consume_key(Modifiers::NONE, k)) {
                    out.push(command);
                }
            }
        });
        out.into_iter().map(Command::Changes).collect()
    }

    /// The candidates over the map (`map` its rect on screen), while the window is open: lowered
    /// into a display list for the map's view on this frame and painted by the list's painter.
    pub(crate) fn paint_changes(&self, ui: &egui::Ui, map: egui::Rect) {
        if !self.changes.open {
            return;
        }
        let (Some(review), Some(view)) = (&self.changes.review, self.editor.map_view()) else {
            return;
        };
        let marks: Vec<CandidateMark<'_>> = review
            .report
            .candidates
            .iter()
            .zip(&review.decisions)
            .enumerate()
            .map(|(i, (c, d))| CandidateMark {
                polygon: &c.polygon,
                class: c.description.class,
                review: d.state(),
                selected: review.selected == Some(i),
            })
            .collect();
        paint_map_overlay(ui, map, &view, |list, to_px| {
            lower_candidates(list, &marks, to_px);
        });
    }
}
