//! The inspector: every field of the selected annotation, editable, with its live geodesic
//! measures. Each change leaves as an edit command, so it can be undone.
//! The fields in `fields`, the cited sources in `sources`, the category's style in `categories`.

mod categories;
mod fields;
mod sources;

use egui::{Color32, RichText, Ui};

use crate::command::{Command, EditCommand};
use crate::editing::{AnnotationField, Edit};
use crate::model::{Evidence, FuzzyDate, Project};

pub use fields::inspector_ui;

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
pub(super) struct NewSource {
    pub(super) outlet: String,
    pub(super) title: String,
    pub(super) url: String,
    pub(super) date: String,
    pub(super) evidence: Option<Evidence>,
}

/// What the inspector keeps between frames: half-typed dates and forms.
#[derive(Clone, Debug, Default)]
pub struct InspectorState {
    /// The annotation the buffers belong to.
    pub(super) for_id: String,
    pub(super) seen_from: String,
    pub(super) seen_until: String,
    pub(super) new_source: NewSource,
    pub(super) new_category: String,
}

pub(super) fn edit(id: &str, field: AnnotationField, coalesce: Option<String>) -> Command {
    Command::Edit(EditCommand::Apply {
        edit: Edit::SetField {
            id: id.to_owned(),
            field,
        },
        coalesce,
    })
}

/// A key for a new source: the outlet's initials or words, made unique.
pub(super) fn source_key(project: &Project, outlet: &str) -> String {
    let base = crate::model::ids::slug(outlet, Some(3), "source");
    crate::model::ids::unique_id(&base, |k| project.source(k).is_some())
}

pub(super) fn row_label(ui: &mut Ui, text: &str) -> egui::Response {
    ui.label(RichText::new(text).weak())
}

/// A date field: commits when the text parses; shows why not otherwise.
pub(super) fn date_field(
    ui: &mut Ui,
    name: &str,
    buffer: &mut String,
) -> Option<Result<FuzzyDate, String>> {
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
