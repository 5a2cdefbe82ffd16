//! The Find imagery window's results: one row per scene (preview, date, platform, cloud cover, item id),
//! a click selects it (its footprint is highlighted on the map), and Add / Add series.

use egui::Ui;

use super::find_imagery::{
    ADD_LABEL, ADD_SERIES_LABEL, FALSE_COLOUR_LABEL, FindForm, FindView, RowClear,
    TRUE_COLOUR_LABEL,
};
use crate::command::{Command, FindImageryCommand};
use crate::imagery::stac::{Composite, Thinning};

/// The header of the column that says how clear each scene is over the view.
pub const CLEAR_HEADER: &str = "Clear here";

/// The thinning choices of Add series, with what the window calls them.
const THINNINGS: [(Thinning, &str); 3] = [
    (Thinning::Every, "every day"),
    (Thinning::PerWeek, "clearest per week"),
    (Thinning::PerMonth, "clearest per month"),
];

/// The results list and its buttons.
pub(crate) fn results_ui(
    ui: &mut Ui,
    form: &mut FindForm,
    view: &FindView<'_>,
    out: &mut Vec<Command>,
) {
    if view.rows.is_empty() {
        return;
    }
    egui::ScrollArea::vertical()
        .max_height(260.0)
        .auto_shrink([false, true])
        .show(ui, |ui| {
            egui::Grid::new("find-imagery-results")
                .striped(true)
                .num_columns(6)
                .show(ui, |ui| {
                    ui.label("");
                    ui.strong("Date");
                    ui.strong("Platform");
                    ui.strong("Cloud")
                        .on_hover_text("Cloud cover of the whole scene, as the item states it");
                    ui.strong(CLEAR_HEADER).on_hover_text(
                        "Share of the view that the scene classification band (SCL) finds free of \
                         cloud, cirrus and cloud shadow",
                    );
                    ui.strong("Item");
                    ui.end_row();
                    for (i, row) in view.rows.iter().enumerate() {
                        let selected = view.selected == Some(i);
                        super::find_imagery_thumb::preview_ui(ui, &row.preview, &row.id);
                        let date = row
                            .date
                            .map_or_else(|| "no date".to_owned(), |d| d.to_string());
                        if ui.selectable_label(selected, date).clicked() {
                            let pick = (!selected).then_some(i);
                            out.push(FindImageryCommand::Select(pick).into());
                        }
                        ui.label(&row.platform);
                        ui.label(
                            row.cloud_cover
                                .map_or_else(|| "—".to_owned(), |c| format!("{c:.0} %")),
                        );
                        clear_cell(ui, &row.clear);
                        ui.label(&row.id);
                        ui.end_row();
                    }
                });
        });
    ui.horizontal(|ui| {
        ui.radio_value(
            &mut form.composite,
            Composite::TrueColour,
            TRUE_COLOUR_LABEL,
        )
        .on_hover_text("The visual COG, else the red, green and blue band COGs");
        ui.radio_value(
            &mut form.composite,
            Composite::FalseColourNir,
            FALSE_COLOUR_LABEL,
        )
        .on_hover_text("Near-infrared, red and green band COGs as red, green and blue");
    });
    ui.horizontal(|ui| {
        if ui
            .add_enabled(view.selected.is_some(), egui::Button::new(ADD_LABEL))
            .on_hover_text("Add the selected scene as a dated layer")
            .clicked()
        {
            out.push(FindImageryCommand::Add.into());
        }
        if ui
            .button(ADD_SERIES_LABEL)
            .on_hover_text("Add every scene as one dated track (one undo step)")
            .clicked()
        {
            out.push(FindImageryCommand::AddSeries(form.thinning).into());
        }
        let shown = THINNINGS
            .iter()
            .find(|(t, _)| *t == form.thinning)
            .map_or("every day", |(_, name)| name);
        egui::ComboBox::from_id_salt("find-imagery-thinning")
            .selected_text(shown)
            .show_ui(ui, |ui| {
                for (thinning, name) in THINNINGS {
                    ui.selectable_value(&mut form.thinning, thinning, name);
                }
            });
    });
    if let Some(added) = view.added {
        ui.label(added);
    }
    ui.label(
        "Band composites share one reflectance stretch (0–0.3, gamma 2.2); same-day scenes become one mosaic.",
    );
}

/// A result's Clear cell: the view's clear share, or why there is none.
fn clear_cell(ui: &mut Ui, clear: &RowClear) {
    match clear {
        RowClear::NoBand => {
            ui.label("—")
                .on_hover_text("The item has no scene classification band");
        }
        RowClear::Reading => {
            ui.spinner()
                .on_hover_text("Reading the scene classification band over the view");
        }
        RowClear::Known { percent, detail } => {
            ui.label(format!("{percent:.0} %")).on_hover_text(detail);
        }
        RowClear::Outside => {
            ui.label("off view")
                .on_hover_text("The scene has no observed pixels over the view");
        }
        RowClear::Failed(why) => {
            ui.label("?").on_hover_text(why);
        }
    }
}
