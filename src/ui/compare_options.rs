//! The comparison bar's second row: one stretch across the dates (or each its own, or B
//! matched to A), the layer each side shows, and side by side's panes and their dates.

use egui::{RichText, Ui};

use crate::command::{
    Command, CompareCommand, CompareMode, CompareSide, CompareStretch, MAX_PANES,
};
use crate::model::date::display_day_upper;
use crate::ui::compare_bar::CompareBar;

/// Accessible label of side A's layer picker.
pub const PICK_A_LABEL: &str = "Layer on side A";
/// Accessible label of side B's layer picker.
pub const PICK_B_LABEL: &str = "Layer on side B";
/// What a picker shows when the side shows every layer at its date.
pub const ALL_AT_DATE: &str = "All at date";

/// The name of a stretch choice on its button, and what it does.
#[must_use]
pub fn stretch_name(stretch: CompareStretch) -> (&'static str, &'static str) {
    match stretch {
        CompareStretch::Own => (
            "Own stretch",
            "Each layer with its own stretch: a difference may be the stretch's",
        ),
        CompareStretch::Shared => (
            "Shared stretch",
            "One stretch over every compared layer's samples: equal values look equal",
        ),
        CompareStretch::Matched => (
            "Matched to A",
            "B's layers histogram-matched to A's, then shown with A's stretch",
        ),
    }
}

/// Draws the row and returns what the user asked for.
pub fn compare_options_ui(ui: &mut Ui, bar: &CompareBar) -> Vec<Command> {
    let mut out = Vec::new();
    let mut send = |c: CompareCommand| out.push(Command::Compare(c));
    ui.horizontal(|ui| {
        ui.label(RichText::new("Stretch").weak());
        for stretch in CompareStretch::ALL {
            let (name, help) = stretch_name(stretch);
            if ui
                .selectable_label(bar.stretch == stretch, name)
                .on_hover_text(help)
                .clicked()
                && bar.stretch != stretch
            {
                send(CompareCommand::SetStretch(stretch));
            }
        }
        ui.separator();
        for (side, label) in [
            (CompareSide::A, PICK_A_LABEL),
            (CompareSide::B, PICK_B_LABEL),
        ] {
            let i = usize::from(side == CompareSide::B);
            let picked = bar.pick.get(i).cloned().flatten();
            let shown = picked
                .as_ref()
                .and_then(|id| bar.layers.iter().find(|(l, _)| l == id))
                .map_or(ALL_AT_DATE, |(_, name)| name.as_str());
            let letter = if side == CompareSide::A { "A" } else { "B" };
            ui.label(letter);
            egui::ComboBox::from_id_salt(label)
                .selected_text(shown)
                .width(150.0)
                .show_ui(ui, |ui| {
                    if ui.selectable_label(picked.is_none(), ALL_AT_DATE).clicked() {
                        send(CompareCommand::PickLayer(side, None));
                    }
                    for (id, name) in &bar.layers {
                        let chosen = picked.as_deref() == Some(id.as_str());
                        if ui.selectable_label(chosen, name).clicked() && !chosen {
                            send(CompareCommand::PickLayer(side, Some(id.clone())));
                        }
                    }
                })
                .response
                .on_hover_text(label);
        }
        if bar.mode != CompareMode::SideBySide {
            return;
        }
        ui.separator();
        ui.label(RichText::new("Panes").weak());
        for n in 2..=MAX_PANES {
            if ui
                .selectable_label(bar.panes == n, n.to_string())
                .on_hover_text(format!("{n} panes, panned and zoomed together"))
                .clicked()
                && bar.panes != n
            {
                send(CompareCommand::SetPanes(n));
            }
        }
        let middle = bar.pane_dates.len().saturating_sub(2);
        for pane in 1..=middle {
            let Some(date) = bar.pane_dates.get(pane) else {
                continue;
            };
            ui.label(format!("{}", pane + 1));
            egui::ComboBox::from_id_salt(("compare-pane-date", pane))
                .selected_text(display_day_upper(*date))
                .show_ui(ui, |ui| {
                    if ui
                        .selectable_label(false, "Spread between A and B")
                        .clicked()
                    {
                        send(CompareCommand::SetPaneDate(pane, None));
                    }
                    for stage in &bar.stage_dates {
                        if ui
                            .selectable_label(stage == date, display_day_upper(*stage))
                            .clicked()
                        {
                            send(CompareCommand::SetPaneDate(pane, Some(*stage)));
                        }
                    }
                });
        }
    });
    out
}
