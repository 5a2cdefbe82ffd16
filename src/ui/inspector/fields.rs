//! The annotation's own fields: label, shape, dates, status, certainty, note, measures.

use chrono::NaiveDate;
use egui::{Color32, RichText, Ui};

use super::{InspectorState, NewSource, date_field, edit, labels, row_label};
use crate::command::{Command, EditCommand, ViewCommand};
use crate::editing::geometry::self_intersects;
use crate::editing::{AnnotationField, Edit};
use crate::model::{Annotation, Certainty, FuzzyDate, LabelPlace, Mark, Project, Shape, Status};
use crate::render::egui_paint::color32;
use crate::spatial::measure::{area_m2, format_area, format_length, length_m, perimeter_m};
use crate::ui::theme::bold;

/// Draws the inspector for one annotation; returns what the user changed.
pub fn inspector_ui(
    ui: &mut Ui,
    project: &Project,
    a: &Annotation,
    date: NaiveDate,
    state: &mut InspectorState,
) -> Vec<Command> {
    let mut commands = Vec::new();
    let id = a.id.as_str();
    // Refill the date buffers when another annotation is shown, or when the value changed under
    // them (undo) while they are not being typed in.
    let typing = ui.ctx().memory(|m| m.focused().is_some());
    // A text label just placed: its words are what the user came to type.
    let type_now = state.for_id != a.id
        && a.mark == Mark::Text
        && a.label == crate::editing::Tool::Text.default_label();
    if state.for_id != a.id || !typing {
        if state.for_id != a.id {
            state.new_source = NewSource::default();
            state.new_category.clear();
        }
        state.for_id.clone_from(&a.id);
        state.seen_from = a.seen_from.to_string();
        state.seen_until = a.seen_until.map(|d| d.to_string()).unwrap_or_default();
    }

    ui.label(RichText::new(a.display_label()).font(bold(15.0)));
    ui.label(RichText::new(format!("{} · {}", a.id, shape_name(a))).weak());
    egui::Grid::new("inspector-grid")
        .num_columns(2)
        .spacing([8.0, 4.0])
        .show(ui, |ui| {
            let name = row_label(ui, labels::LABEL);
            let mut label = a.label.clone();
            let r = ui
                .add(egui::TextEdit::singleline(&mut label).desired_width(f32::INFINITY))
                .labelled_by(name.id);
            if type_now {
                r.request_focus();
                let mut edit_state =
                    egui::text_edit::TextEditState::load(ui.ctx(), r.id).unwrap_or_default();
                edit_state
                    .cursor
                    .set_char_range(Some(egui::text::CCursorRange::two(
                        egui::text::CCursor::new(0),
                        egui::text::CCursor::new(label.chars().count()),
                    )));
                edit_state.store(ui.ctx(), r.id);
            }
            if r.changed() {
                commands.push(edit(
                    id,
                    AnnotationField::Label(label),
                    Some(format!("label:{id}")),
                ));
            }
            ui.end_row();

            row_label(ui, "Category");
            let current = project.category(&a.category);
            egui::ComboBox::from_id_salt("inspector-category")
                .selected_text(
                    current.map_or_else(|| format!("{} (unknown)", a.category), |c| c.name.clone()),
                )
                .show_ui(ui, |ui| {
                    for c in &project.categories {
                        let text =
                            RichText::new(format!("■ {}", c.name)).color(color32(c.style.color));
                        if ui.selectable_label(c.key == a.category, text).clicked()
                            && c.key != a.category
                        {
                            commands.push(edit(id, AnnotationField::Category(c.key.clone()), None));
                        }
                    }
                });
            ui.end_row();

            row_label(ui, "Status");
            egui::ComboBox::from_id_salt("inspector-status")
                .selected_text(a.status.label())
                .show_ui(ui, |ui| {
                    for s in Status::ALL {
                        if ui.selectable_label(s == a.status, s.label()).clicked() && s != a.status
                        {
                            commands.push(edit(id, AnnotationField::Status(s), None));
                        }
                    }
                });
            ui.end_row();

            row_label(ui, "Certainty");
            egui::ComboBox::from_id_salt("inspector-certainty")
                .selected_text(a.certainty.label())
                .show_ui(ui, |ui| {
                    for c in Certainty::ALL {
                        if ui.selectable_label(c == a.certainty, c.label()).clicked()
                            && c != a.certainty
                        {
                            commands.push(edit(id, AnnotationField::Certainty(c), None));
                        }
                    }
                });
            ui.end_row();

            let marks: &[Mark] = match a.shape {
                Shape::Point(_) => &[Mark::Feature, Mark::Text],
                Shape::Line(_) => &[Mark::Feature, Mark::Arrow],
                Shape::Polygon(_) => &[],
            };
            if !marks.is_empty() {
                row_label(ui, "Drawn as");
                ui.horizontal(|ui| {
                    for m in marks {
                        if ui.selectable_label(*m == a.mark, mark_name(*m)).clicked()
                            && *m != a.mark
                        {
                            commands.push(edit(id, AnnotationField::Mark(*m), None));
                        }
                    }
                });
                ui.end_row();
            }

            label_place_row(ui, a, &mut commands);

            match date_field(ui, labels::SEEN_FROM, &mut state.seen_from) {
                Some(Ok(d)) if d != a.seen_from => {
                    commands.push(edit(
                        id,
                        AnnotationField::SeenFrom(d),
                        Some(format!("seen_from:{id}")),
                    ));
                }
                _ => {}
            }
            ui.end_row();
            ui.label("");
            if ui
                .small_button(format!("Use the slider's date ({date})"))
                .clicked()
            {
                commands.push(edit(
                    id,
                    AnnotationField::SeenFrom(FuzzyDate::day(date)),
                    None,
                ));
                state.seen_from = date.to_string();
            }
            ui.end_row();

            match date_field(ui, labels::SEEN_UNTIL, &mut state.seen_until) {
                Some(Ok(d)) if Some(d) != a.seen_until => {
                    commands.push(edit(
                        id,
                        AnnotationField::SeenUntil(Some(d)),
                        Some(format!("seen_until:{id}")),
                    ));
                }
                Some(Err(_)) if state.seen_until.trim().is_empty() && a.seen_until.is_some() => {
                    commands.push(edit(
                        id,
                        AnnotationField::SeenUntil(None),
                        Some(format!("seen_until:{id}")),
                    ));
                }
                _ => {}
            }
            ui.end_row();
            ui.label("");
            ui.label(RichText::new("empty: still there").weak().small());
            ui.end_row();

            measures_rows(ui, a);
        });

    if let Some((from, until)) = Some(a.seen_from).zip(a.seen_until)
        && until.key() <= from.key()
    {
        ui.colored_label(
            Color32::LIGHT_RED,
            "Seen until is not after seen from: it is never shown.",
        );
    }
    if self_intersects(&a.shape) {
        ui.colored_label(
            Color32::from_rgb(0xE6, 0x9F, 0x00),
            "⚠ The outline crosses itself: its area is not meaningful.",
        );
    }

    ui.add_space(4.0);
    let note_label = ui.label(RichText::new(labels::NOTE).strong());
    let mut note = a.note.clone();
    if ui
        .add(
            egui::TextEdit::multiline(&mut note)
                .desired_rows(2)
                .desired_width(f32::INFINITY),
        )
        .labelled_by(note_label.id)
        .changed()
    {
        commands.push(edit(
            id,
            AnnotationField::Note(note),
            Some(format!("note:{id}")),
        ));
    }

    ui.add_space(4.0);
    commands.extend(super::sources::sources_ui(ui, project, a, state));

    ui.add_space(4.0);
    egui::CollapsingHeader::new("Category style")
        .id_salt("inspector-category-style")
        .show(ui, |ui| {
            commands.extend(super::categories::categories_ui(ui, project, a, state));
        });

    ui.add_space(4.0);
    ui.horizontal(|ui| {
        if ui.button("Zoom to it").clicked() {
            commands.push(Command::View(ViewCommand::ZoomToAnnotation(a.id.clone())));
        }
        if ui
            .button("🗑 Delete")
            .on_hover_text("Delete this annotation (Delete); Ctrl+Z brings it back")
            .clicked()
        {
            commands.push(Command::Edit(EditCommand::Apply {
                edit: Edit::RemoveAnnotation { id: a.id.clone() },
                coalesce: None,
            }));
            commands.push(Command::View(ViewCommand::Select(None)));
        }
    });
    commands
}

/// The label's placement: pinned (always shown), hidden, and back to automatic after a drag.
fn label_place_row(ui: &mut Ui, a: &Annotation, commands: &mut Vec<Command>) {
    row_label(ui, "Label position");
    let place = a.label_place;
    ui.horizontal(|ui| {
        let mut pinned = place.pinned;
        if ui
            .checkbox(&mut pinned, "Pinned")
            .on_hover_text("Always shown, in the window and in exports, even where labels crowd")
            .changed()
        {
            let field = AnnotationField::LabelPlace(LabelPlace { pinned, ..place });
            commands.push(edit(&a.id, field, None));
        }
        let mut hidden = place.hidden;
        if ui
            .checkbox(&mut hidden, "Hidden")
            .on_hover_text("Not drawn in the window or in exports; the feature still is")
            .changed()
        {
            let field = AnnotationField::LabelPlace(LabelPlace { hidden, ..place });
            commands.push(edit(&a.id, field, None));
        }
        if ui
            .add_enabled(place.offset.is_some(), egui::Button::new("Reset position"))
            .on_hover_text(
                "Drag a label on the map to move it; this puts it back beside its feature",
            )
            .clicked()
        {
            let field = AnnotationField::LabelPlace(LabelPlace {
                offset: None,
                ..place
            });
            commands.push(edit(&a.id, field, None));
        }
    });
    ui.end_row();
}

fn shape_name(a: &Annotation) -> &'static str {
    match (&a.shape, a.mark) {
        (Shape::Point(_), Mark::Text) => "text label",
        (Shape::Line(_), Mark::Arrow) => "arrow",
        (Shape::Point(_), _) => "point",
        (Shape::Line(_), _) => "line",
        (Shape::Polygon(_), _) => "area",
    }
}

fn mark_name(m: Mark) -> &'static str {
    match m {
        Mark::Feature => "structure",
        Mark::Text => "text label",
        Mark::Arrow => "arrow",
    }
}

fn measures_rows(ui: &mut Ui, a: &Annotation) {
    let row = |ui: &mut Ui, k: &str, v: String| {
        let l = row_label(ui, k);
        ui.label(RichText::new(v).strong()).labelled_by(l.id);
        ui.end_row();
    };
    match &a.shape {
        Shape::Point(p) => row(
            ui,
            "Position",
            crate::spatial::coords::format_lat_lon(p.0, 6),
        ),
        Shape::Line(l) => row(ui, labels::LENGTH, format_length(length_m(l))),
        Shape::Polygon(p) => {
            row(ui, labels::AREA, format_area(area_m2(p)));
            row(ui, labels::PERIMETER, format_length(perimeter_m(p)));
        }
    }
}
