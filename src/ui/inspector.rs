//! The inspector: every field of the selected annotation, editable, with its live geodesic
//! measures. Each change leaves as an [`Edit`] command, so it can be undone.

use chrono::NaiveDate;
use egui::{Color32, RichText, Ui};

use super::theme::bold;
use crate::command::Command;
use crate::editing::create::new_category;
use crate::editing::geometry::self_intersects;
use crate::editing::{AnnotationField, Edit};
use crate::model::{
    Annotation, Category, Certainty, Citation, Evidence, FuzzyDate, Mark, Marker, Project, Rgba,
    Shape, Source, Status,
};
use crate::render::egui_scene::color32;
use crate::spatial::measure::{area_m2, format_area, format_length, length_m, perimeter_m};

/// Accessible labels of the inspector's fields (tests find them by these).
pub mod labels {
    /// The label text field.
    pub const LABEL: &str = "Label";
    /// The note text field.
    pub const NOTE: &str = "Note";
    /// The seen-from date field.
    pub const SEEN_FROM: &str = "Seen from";
    /// The seen-until date field.
    pub const SEEN_UNTIL: &str = "Seen until";
    /// The geodesic length read-out.
    pub const LENGTH: &str = "Length";
    /// The geodesic area read-out.
    pub const AREA: &str = "Area";
    /// The perimeter read-out.
    pub const PERIMETER: &str = "Perimeter";
    /// The flag of an annotation without sources.
    pub const NO_SOURCE: &str = "No source cited";
}

/// A source being typed in, before it is added.
#[derive(Clone, Debug, Default)]
struct NewSource {
    outlet: String,
    title: String,
    url: String,
    date: String,
    evidence: Option<Evidence>,
}

/// What the inspector keeps between frames: half-typed dates and forms.
#[derive(Clone, Debug, Default)]
pub struct InspectorState {
    /// The annotation the buffers belong to.
    for_id: String,
    seen_from: String,
    seen_until: String,
    new_source: NewSource,
    new_category: String,
}

fn edit(id: &str, field: AnnotationField, coalesce: Option<String>) -> Command {
    Command::Edit {
        edit: Edit::SetField {
            id: id.to_owned(),
            field,
        },
        coalesce,
    }
}

/// A key for a new source: the outlet's initials or words, made unique.
fn source_key(project: &Project, outlet: &str) -> String {
    let base: String = outlet
        .to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(3)
        .collect::<Vec<_>>()
        .join("-");
    let base = if base.is_empty() {
        "source".to_owned()
    } else {
        base
    };
    if project.source(&base).is_none() {
        return base;
    }
    (2..=project.sources.len() + 2)
        .map(|n| format!("{base}-{n}"))
        .find(|k| project.source(k).is_none())
        .unwrap_or(base)
}

fn row_label(ui: &mut Ui, text: &str) -> egui::Response {
    ui.label(RichText::new(text).weak())
}

/// A date field: commits when the text parses; shows why not otherwise.
fn date_field(ui: &mut Ui, name: &str, buffer: &mut String) -> Option<Result<FuzzyDate, String>> {
    let label = row_label(ui, name);
    let invalid = !buffer.trim().is_empty() && buffer.trim().parse::<FuzzyDate>().is_err();
    let mut edit = egui::TextEdit::singleline(buffer).desired_width(150.0);
    if invalid {
        edit = edit.text_color(Color32::LIGHT_RED);
    }
    let response = ui.add(edit).labelled_by(label.id).on_hover_text(
        "2025-06-02, 2025-06, early|mid|late 2025-06, spring|summer|autumn|winter 2026 or 2026",
    );
    response.changed().then(|| {
        buffer
            .trim()
            .parse::<FuzzyDate>()
            .map_err(|e| e.to_string())
    })
}

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
    commands.extend(sources_ui(ui, project, a, state));

    ui.add_space(4.0);
    egui::CollapsingHeader::new("Category style")
        .id_salt("inspector-category-style")
        .show(ui, |ui| {
            commands.extend(categories_ui(ui, project, a, state));
        });

    ui.add_space(4.0);
    ui.horizontal(|ui| {
        if ui.button("Zoom to it").clicked() {
            commands.push(Command::ZoomToAnnotation(a.id.clone()));
        }
        if ui
            .button("🗑 Delete")
            .on_hover_text("Delete this annotation (Delete); Ctrl+Z brings it back")
            .clicked()
        {
            commands.push(Command::Edit {
                edit: Edit::RemoveAnnotation { id: a.id.clone() },
                coalesce: None,
            });
            commands.push(Command::Select(None));
        }
    });
    commands
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
        Shape::Point(p) => row(ui, "Position", format!("{:.6}° N, {:.6}° E", p.y(), p.x())),
        Shape::Line(l) => row(ui, labels::LENGTH, format_length(length_m(l))),
        Shape::Polygon(p) => {
            row(ui, labels::AREA, format_area(area_m2(p)));
            row(ui, labels::PERIMETER, format_length(perimeter_m(p)));
        }
    }
}

fn sources_ui(
    ui: &mut Ui,
    project: &Project,
    a: &Annotation,
    state: &mut InspectorState,
) -> Vec<Command> {
    let mut commands = Vec::new();
    let id = a.id.as_str();
    ui.label(RichText::new("Sources").strong());
    if a.sources.is_empty() {
        ui.label(
            RichText::new(format!("⚠ {} — add one below", labels::NO_SOURCE))
                .color(Color32::LIGHT_RED),
        )
        .on_hover_text("An annotation without a source is allowed, but readers cannot check it.");
    }
    if a.is_derived() {
        ui.label(
            RichText::new(
                "Position derived from descriptions: approximate, move it onto real imagery.",
            )
            .color(Color32::from_rgb(0xE6, 0x9F, 0x00)),
        );
    }
    for (i, c) in a.sources.iter().enumerate() {
        let source = project.source(&c.source);
        ui.horizontal_wrapped(|ui| {
            let name = source.map_or_else(
                || format!("{} (unknown source)", c.source),
                |s| match &s.date {
                    Some(d) => format!("{}, {}: {}", s.outlet, d.display_upper(), s.title),
                    None => format!("{}: {}", s.outlet, s.title),
                },
            );
            match source.and_then(|s| s.url.as_deref()) {
                Some(url) => {
                    ui.hyperlink_to(name, url).on_hover_text(url);
                }
                None => {
                    ui.label(format!("{name} — URL not recorded"));
                }
            }
            egui::ComboBox::from_id_salt(("citation-evidence", i))
                .selected_text(c.evidence.word())
                .width(90.0)
                .show_ui(ui, |ui| {
                    for e in [Evidence::Confirmed, Evidence::Reported, Evidence::Derived] {
                        if ui.selectable_label(e == c.evidence, e.word()).clicked()
                            && e != c.evidence
                        {
                            let mut sources = a.sources.clone();
                            if let Some(slot) = sources.get_mut(i) {
                                slot.evidence = e;
                            }
                            commands.push(edit(id, AnnotationField::Sources(sources), None));
                        }
                    }
                });
            if ui
                .small_button("✕")
                .on_hover_text("Remove this citation")
                .clicked()
            {
                let mut sources = a.sources.clone();
                sources.remove(i);
                commands.push(edit(id, AnnotationField::Sources(sources), None));
            }
        });
        let mut detail = c.detail.clone().unwrap_or_default();
        if ui
            .add(
                egui::TextEdit::singleline(&mut detail)
                    .hint_text("what it says, how it was used")
                    .desired_width(f32::INFINITY),
            )
            .changed()
        {
            let mut sources = a.sources.clone();
            if let Some(slot) = sources.get_mut(i) {
                slot.detail = (!detail.is_empty()).then_some(detail);
            }
            commands.push(edit(
                id,
                AnnotationField::Sources(sources),
                Some(format!("citation:{id}:{i}")),
            ));
        }
    }
    let uncited: Vec<&Source> = project
        .sources
        .iter()
        .filter(|s| !a.sources.iter().any(|c| c.source == s.key))
        .collect();
    if !uncited.is_empty() {
        egui::ComboBox::from_id_salt("inspector-cite")
            .selected_text("Cite a project source…")
            .width(260.0)
            .show_ui(ui, |ui| {
                for s in uncited {
                    if ui
                        .selectable_label(false, format!("{}: {}", s.outlet, s.title))
                        .clicked()
                    {
                        let mut sources = a.sources.clone();
                        sources.push(Citation::new(s.key.clone(), s.evidence));
                        commands.push(edit(id, AnnotationField::Sources(sources), None));
                    }
                }
            });
    }
    egui::CollapsingHeader::new("Add a new source")
        .id_salt("inspector-new-source")
        .show(ui, |ui| {
            let form = &mut state.new_source;
            egui::Grid::new("new-source-grid")
                .num_columns(2)
                .show(ui, |ui| {
                    for (name, value) in [
                        ("Outlet", &mut form.outlet),
                        ("Title", &mut form.title),
                        ("URL", &mut form.url),
                        ("Date", &mut form.date),
                    ] {
                        let l = row_label(ui, name);
                        ui.add(egui::TextEdit::singleline(value).desired_width(180.0))
                            .labelled_by(l.id);
                        ui.end_row();
                    }
                    row_label(ui, "Evidence");
                    let evidence = form.evidence.unwrap_or(Evidence::Reported);
                    egui::ComboBox::from_id_salt("new-source-evidence")
                        .selected_text(evidence.word())
                        .show_ui(ui, |ui| {
                            for e in [Evidence::Confirmed, Evidence::Reported, Evidence::Derived] {
                                if ui.selectable_label(e == evidence, e.word()).clicked() {
                                    form.evidence = Some(e);
                                }
                            }
                        });
                    ui.end_row();
                });
            let date = form.date.trim();
            let parsed_date = (!date.is_empty()).then(|| date.parse::<FuzzyDate>());
            if let Some(Err(e)) = &parsed_date {
                ui.colored_label(Color32::LIGHT_RED, e.to_string());
            }
            let ready = !form.outlet.trim().is_empty()
                && !form.title.trim().is_empty()
                && !matches!(parsed_date, Some(Err(_)));
            if ui
                .add_enabled(ready, egui::Button::new("Add source and cite it"))
                .clicked()
            {
                let evidence = form.evidence.unwrap_or(Evidence::Reported);
                let source = Source {
                    key: source_key(project, &form.outlet),
                    outlet: form.outlet.trim().to_owned(),
                    title: form.title.trim().to_owned(),
                    url: Some(form.url.trim().to_owned()).filter(|u| !u.is_empty()),
                    date: parsed_date.and_then(Result::ok),
                    evidence,
                    extra: serde_json::Map::new(),
                };
                let mut sources = a.sources.clone();
                sources.push(Citation::new(source.key.clone(), evidence));
                commands.push(Command::Edit {
                    edit: Edit::Batch(vec![
                        Edit::AddSource {
                            index: project.sources.len(),
                            source: Box::new(source),
                        },
                        Edit::SetField {
                            id: id.to_owned(),
                            field: AnnotationField::Sources(sources),
                        },
                    ]),
                    coalesce: None,
                });
                *form = NewSource::default();
            }
        });
    commands
}

fn categories_ui(
    ui: &mut Ui,
    project: &Project,
    a: &Annotation,
    state: &mut InspectorState,
) -> Vec<Command> {
    let mut commands = Vec::new();
    if let Some(c) = project.category(&a.category) {
        let key = c.key.clone();
        let set = |changed: Category| Command::Edit {
            edit: Edit::SetCategory {
                key: key.clone(),
                category: Box::new(changed),
            },
            coalesce: Some(format!("category:{key}")),
        };
        egui::Grid::new("category-style-grid")
            .num_columns(2)
            .show(ui, |ui| {
                row_label(ui, "Name");
                let mut name = c.name.clone();
                if ui.text_edit_singleline(&mut name).changed() {
                    let mut changed = c.clone();
                    changed.name = name;
                    commands.push(set(changed));
                }
                ui.end_row();

                row_label(ui, "Colour");
                let [r, g, b, _] = c.style.color.0;
                let mut rgb = [r, g, b];
                if ui.color_edit_button_srgb(&mut rgb).changed() {
                    let mut changed = c.clone();
                    changed.style.color = Rgba::rgb(rgb[0], rgb[1], rgb[2]);
                    commands.push(set(changed));
                }
                ui.end_row();

                row_label(ui, "Width");
                let mut width = c.style.width_px;
                if ui
                    .add(egui::Slider::new(&mut width, 1.0..=12.0).suffix(" px"))
                    .changed()
                {
                    let mut changed = c.clone();
                    changed.style.width_px = width;
                    commands.push(set(changed));
                }
                ui.end_row();

                row_label(ui, "Fill");
                let mut fill = c.style.fill_alpha;
                if ui.add(egui::Slider::new(&mut fill, 0..=255)).changed() {
                    let mut changed = c.clone();
                    changed.style.fill_alpha = fill;
                    commands.push(set(changed));
                }
                ui.end_row();

                row_label(ui, "Marker");
                ui.horizontal(|ui| {
                    for (m, name) in [
                        (Marker::Circle, "●"),
                        (Marker::Square, "■"),
                        (Marker::Triangle, "▲"),
                        (Marker::Diamond, "◆"),
                    ] {
                        if ui.selectable_label(c.style.marker == m, name).clicked()
                            && c.style.marker != m
                        {
                            let mut changed = c.clone();
                            changed.style.marker = m;
                            commands.push(set(changed));
                        }
                    }
                });
                ui.end_row();
            });
    }
    ui.horizontal(|ui| {
        ui.add(
            egui::TextEdit::singleline(&mut state.new_category)
                .hint_text("new category name")
                .desired_width(150.0),
        );
        let name = state.new_category.trim().to_owned();
        if ui
            .add_enabled(!name.is_empty(), egui::Button::new("Add category"))
            .clicked()
        {
            let category = new_category(&project.categories, &name);
            let key = category.key.clone();
            commands.push(Command::Edit {
                edit: Edit::Batch(vec![
                    Edit::AddCategory {
                        index: project.categories.len(),
                        category: Box::new(category),
                    },
                    Edit::SetField {
                        id: a.id.clone(),
                        field: AnnotationField::Category(key),
                    },
                ]),
                coalesce: None,
            });
            state.new_category.clear();
        }
    });
    commands
}
