//! The sources an annotation cites, and the form that adds one.

use egui::{Color32, RichText, Ui};

use super::{InspectorState, NewSource, edit, labels, row_label, source_key};
use crate::command::{Command, EditCommand};
use crate::editing::{AnnotationField, Edit};
use crate::model::{Annotation, Citation, Evidence, FuzzyDate, Project, Source};

pub(super) fn sources_ui(
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
                commands.push(Command::Edit(EditCommand::Apply {
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
                }));
                *form = NewSource::default();
            }
        });
    commands
}
