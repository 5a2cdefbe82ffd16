//! Reviewing what the change finder found: the candidates with area, score and class, the one
//! under review with its before and after chips, Accept and Reject (A, R), next and previous
//! (J/↓, K/↑), and the question a removal asks: end the annotation it overlaps?

use egui::{Color32, RichText, Stroke, TextureHandle, Ui, vec2};

use crate::analysis::change::{Candidate, ChangeReport};
use crate::command::{ChangesCommand, ChangesRequest, Command};
use crate::editing::change_accept::{EndProposal, change_label, class_text};
use crate::model::{FuzzyDate, Project};
use crate::render::egui_paint::color32;
use crate::render::lower::changes::{ReviewState, class_color};

/// Accessible label of the Accept button.
pub const ACCEPT_LABEL: &str = "Accept candidate";
/// Accessible label of the Reject button.
pub const REJECT_LABEL: &str = "Reject candidate";
/// Accessible label of the Next button.
pub const NEXT_LABEL: &str = "Next candidate";
/// Accessible label of the Previous button.
pub const PREVIOUS_LABEL: &str = "Previous candidate";
/// Accessible label of the button that ends the overlapped annotation.
pub const CONFIRM_END_LABEL: &str = "End the annotation";
/// Accessible label of the button that makes a removal a new annotation instead.
pub const AS_NEW_LABEL: &str = "New annotation instead";
/// Accessible label of the button that drops the proposed end.
pub const DISMISS_END_LABEL: &str = "Keep the annotation";
/// Accessible label of a candidate's row: this prefix and its number ("Candidate 1").
pub const ROW_LABEL: &str = "Candidate";
/// Side of a chip on screen, points.
const CHIP_SIDE: f32 = 132.0;

/// What became of one candidate.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum Decision {
    /// Not yet reviewed.
    #[default]
    Waiting,
    /// Accepted: the annotation made, or the one ended (with the date it ended by).
    Accepted {
        /// The annotation's id.
        annotation: String,
        /// For an ended annotation, its `seen_until`.
        ended: Option<FuzzyDate>,
    },
    /// Rejected.
    Rejected,
}

impl Decision {
    /// The overlay's word for it.
    #[must_use]
    pub fn state(&self) -> ReviewState {
        match self {
            Decision::Waiting => ReviewState::Waiting,
            Decision::Accepted { .. } => ReviewState::Accepted,
            Decision::Rejected => ReviewState::Rejected,
        }
    }
}

/// A run's candidates under review.
#[derive(Clone, Debug, PartialEq)]
pub struct Review {
    /// What was asked.
    pub request: ChangesRequest,
    /// What was found.
    pub report: ChangeReport,
    /// One per candidate.
    pub decisions: Vec<Decision>,
    /// The candidate under review.
    pub selected: Option<usize>,
    /// A removal's proposed end, waiting for the analyst.
    pub end: Option<EndProposal>,
}

impl Review {
    /// A fresh review of `report`, the first candidate selected.
    #[must_use]
    pub fn new(request: ChangesRequest, report: ChangeReport) -> Self {
        let n = report.candidates.len();
        Self {
            request,
            report,
            decisions: vec![Decision::Waiting; n],
            selected: (n > 0).then_some(0),
            end: None,
        }
    }

    /// The candidate under review.
    #[must_use]
    pub fn current(&self) -> Option<&Candidate> {
        self.report.candidates.get(self.selected?)
    }

    /// The candidate after (`step` 1) or before (−1) the selected one, kept in the list.
    #[must_use]
    pub fn stepped(&self, step: isize) -> Option<usize> {
        stepped(self.report.candidates.len(), self.selected, step)
    }

    /// The next candidate still waiting after the selected one (wrapping), if any.
    #[must_use]
    pub fn next_waiting(&self) -> Option<usize> {
        next_waiting(&self.decisions, self.selected)
    }

    /// Undone acceptances wait again: an annotation that is gone, or no longer ended by the date
    /// the review ended it.
    pub fn follow_undo(&mut self, project: &Project) {
        for d in &mut self.decisions {
            if let Decision::Accepted { annotation, ended } = d {
                let kept = project
                    .annotation(annotation)
                    .is_some_and(|a| ended.is_none() || a.seen_until == *ended);
                if !kept {
                    *d = Decision::Waiting;
                }
            }
        }
    }

    /// How many were accepted and rejected.
    #[must_use]
    pub fn tally(&self) -> (usize, usize) {
        let accepted = self
            .decisions
            .iter()
            .filter(|d| matches!(d, Decision::Accepted { .. }))
            .count();
        let rejected = self
            .decisions
            .iter()
            .filter(|d| **d == Decision::Rejected)
            .count();
        (accepted, rejected)
    }
}

/// In a list of `n`, the index `step` from `selected` (the first when none), kept in the list.
fn stepped(n: usize, selected: Option<usize>, step: isize) -> Option<usize> {
    if n == 0 {
        return None;
    }
    let at = selected.map_or(0, |i| i.saturating_add_signed(step));
    Some(at.min(n - 1))
}

/// The first waiting decision after `selected` (from the start when none), wrapping.
fn next_waiting(decisions: &[Decision], selected: Option<usize>) -> Option<usize> {
    let n = decisions.len();
    let from = selected.map_or(0, |i| i + 1);
    (0..n)
        .map(|k| (from + k) % n)
        .find(|&i| decisions.get(i) == Some(&Decision::Waiting))
}

fn labelled(response: &egui::Response, role: egui::Role, label: &str) {
    response.widget_info(|| egui::WidgetInfo::labeled(role, true, label));
}

fn button(ui: &mut Ui, text: &str, label: &str, hover: &str) -> bool {
    let b = ui.button(text).on_hover_text(hover);
    labelled(&b, egui::Role::Button, label);
    b.clicked()
}

/// One chip with the candidate's box outlined, and its caption.
fn chip_ui(ui: &mut Ui, caption: &str, texture: &TextureHandle, focus: [f32; 4], color: Color32) {
    ui.vertical(|ui| {
        ui.label(RichText::new(caption).small());
        let [w, h] = texture.size().map(|v| v.max(1) as f32);
        let k = CHIP_SIDE / w.max(h);
        let image = egui::Image::from_texture(egui::load::SizedTexture::from_handle(texture));
        let response = ui.add(image.fit_to_exact_size(vec2(w * k, h * k)));
        let r = response.rect;
        let focus_rect = egui::Rect::from_min_max(
            r.min + vec2(focus[0], focus[1]) * k,
            r.min + vec2(focus[2], focus[3]) * k,
        )
        .expand(2.0);
        ui.painter().rect_stroke(
            focus_rect,
            0.0,
            Stroke::new(1.5, color),
            egui::StrokeKind::Outside,
        );
    });
}

/// The before and after chips of a candidate, as textures with their focus boxes.
pub struct ChipsView<'a> {
    /// Before, after.
    pub textures: [&'a TextureHandle; 2],
    /// The candidate's box in each chip's pixels.
    pub focus: [[f32; 4]; 2],
}

fn candidate_row(
    ui: &mut Ui,
    i: usize,
    c: &Candidate,
    decision: &Decision,
    selected: bool,
) -> bool {
    let mark = match decision {
        Decision::Waiting => "·",
        Decision::Accepted { ended: None, .. } => "✔",
        Decision::Accepted { ended: Some(_), .. } => "✔ ended",
        Decision::Rejected => "✖",
    };
    let color = color32(class_color(c.description.class));
    let text = RichText::new(format!(
        "{}. {} · {:.1} σ  {mark}",
        i + 1,
        change_label(c.description.class, c.area_m2),
        c.description.score_sigma
    ))
    .color(if *decision == Decision::Rejected {
        Color32::GRAY
    } else {
        color
    });
    let row = ui.selectable_label(selected, text);
    labelled(&row, egui::Role::Button, &format!("{ROW_LABEL} {}", i + 1));
    row.clicked()
}

/// Draws the review; `chips` are the selected candidate's. Returns what the user asked for.
pub fn review_ui(ui: &mut Ui, review: &Review, chips: Option<ChipsView<'_>>) -> Vec<Command> {
    let mut commands = Vec::new();
    let push = |commands: &mut Vec<Command>, c: ChangesCommand| commands.push(Command::Changes(c));
    let r = &review.report;
    let (accepted, rejected) = review.tally();
    ui.label(format!(
        "{} candidate(s) on '{}': {} ({}) → {} ({}), {}×{} px at {:.1} σ",
        r.candidates.len(),
        r.track,
        r.before_layer,
        r.before_date,
        r.after_layer,
        r.after_date,
        r.grid.width,
        r.grid.height,
        r.threshold_sigma
    ));
    if r.candidates.is_empty() {
        ui.label(RichText::new("Nothing changed by more than the threshold.").weak());
        return commands;
    }
    ui.label(RichText::new(format!("{accepted} accepted, {rejected} rejected")).weak());
    egui::ScrollArea::vertical()
        .id_salt("changes-list")
        .max_height(150.0)
        .show(ui, |ui| {
            for (i, c) in r.candidates.iter().enumerate() {
                let decision = review.decisions.get(i).cloned().unwrap_or_default();
                if candidate_row(ui, i, c, &decision, review.selected == Some(i)) {
                    push(&mut commands, ChangesCommand::Select(i));
                }
            }
        });
    ui.separator();
    let Some(current) = review.current() else {
        return commands;
    };
    let class = current.description.class;
    ui.label(
        RichText::new(format!(
            "{}: {}, {:.1} σ (peak {:.1})",
            current.id,
            change_label(class, current.area_m2),
            current.description.score_sigma,
            current.description.peak_sigma
        ))
        .strong(),
    );
    if let Some(chips) = chips {
        let color = color32(class_color(class));
        ui.horizontal(|ui| {
            chip_ui(
                ui,
                &format!("A {}", r.before_date),
                chips.textures[0],
                chips.focus[0],
                color,
            );
            chip_ui(
                ui,
                &format!("B {}", r.after_date),
                chips.textures[1],
                chips.focus[1],
                color,
            );
        });
    }
    if let Some(end) = &review.end {
        ui.label(
            RichText::new(format!(
                "{} overlaps \"{}\": end it (seen until {})?",
                class_text(class),
                end.label,
                end.seen_until
            ))
            .color(Color32::from_rgb(0xE6, 0x9F, 0x00)),
        );
        ui.horizontal(|ui| {
            if button(
                ui,
                "End it",
                CONFIRM_END_LABEL,
                "Set its seen-until date to B",
            ) {
                push(&mut commands, ChangesCommand::ConfirmEnd);
            }
            if button(
                ui,
                "New annotation",
                AS_NEW_LABEL,
                "Record the change as an area of its own",
            ) {
                push(&mut commands, ChangesCommand::AcceptAsNew);
            }
            if button(ui, "Cancel", DISMISS_END_LABEL, "Accept nothing") {
                push(&mut commands, ChangesCommand::DismissEnd);
            }
        });
    }
    ui.horizontal(|ui| {
        if button(ui, "◀ K", PREVIOUS_LABEL, "Previous candidate (K or ↑)") {
            push(&mut commands, ChangesCommand::Previous);
        }
        if button(ui, "J ▶", NEXT_LABEL, "Next candidate (J or ↓)") {
            push(&mut commands, ChangesCommand::Next);
        }
        ui.separator();
        if button(
            ui,
            "✔ Accept (A)",
            ACCEPT_LABEL,
            "Record it as an annotation, one undo step",
        ) {
            push(&mut commands, ChangesCommand::Accept);
        }
        if button(
            ui,
            "✖ Reject (R)",
            REJECT_LABEL,
            "Not a change worth recording",
        ) {
            push(&mut commands, ChangesCommand::Reject);
        }
    });
    commands
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stepping_stays_in_the_list() {
        assert_eq!(stepped(0, None, 1), None);
        assert_eq!(stepped(3, None, 1), Some(0));
        assert_eq!(stepped(3, Some(1), 1), Some(2));
        assert_eq!(stepped(3, Some(2), 1), Some(2));
        assert_eq!(stepped(3, Some(0), -1), Some(0));
    }

    #[test]
    fn the_next_waiting_candidate_wraps_past_the_reviewed_ones() {
        let accepted = Decision::Accepted {
            annotation: "change-1".to_owned(),
            ended: None,
        };
        let decisions = [Decision::Waiting, accepted, Decision::Rejected];
        assert_eq!(next_waiting(&decisions, Some(1)), Some(0));
        assert_eq!(next_waiting(&decisions, None), Some(0));
        assert_eq!(next_waiting(&decisions[1..], Some(0)), None);
        assert_eq!(next_waiting(&[], None), None);
    }
}
