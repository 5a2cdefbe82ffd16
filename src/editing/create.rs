//! New annotations and the edits that add them.

use chrono::NaiveDate;
use serde_json::Map;

use super::edit::Edit;
use super::tool::Tool;
use crate::model::ids::{self, numbered_id, slug};
use crate::model::{
    Annotation, Category, Certainty, FuzzyDate, Marker, Project, Rgba, Shape, Status, Style,
};

/// Key of the category new annotations get when the project has none.
pub const DEFAULT_CATEGORY_KEY: &str = "annotation";

/// An id no annotation of the project has: `prefix-1`, `prefix-2`, …
#[must_use]
pub fn unique_id(project: &Project, prefix: &str) -> String {
    numbered_id(prefix, |id| project.annotation(id).is_some())
}

/// A category key no category has, made from a name ("Rail yard" → `rail-yard`, `rail-yard-2`).
#[must_use]
pub fn unique_category_key(categories: &[Category], name: &str) -> String {
    let base = slug(name, None, "category");
    ids::unique_id(&base, |k| categories.iter().any(|c| c.key == k))
}

/// The Okabe–Ito palette (FIGURES.md), in the order new categories take it.
pub const PALETTE: [Rgba; 7] = [
    Rgba::rgb(0xF0, 0xE4, 0x42),
    Rgba::rgb(0x56, 0xB4, 0xE9),
    Rgba::rgb(0xE6, 0x9F, 0x00),
    Rgba::rgb(0xD5, 0x5E, 0x00),
    Rgba::rgb(0x00, 0x9E, 0x73),
    Rgba::rgb(0xCC, 0x79, 0xA7),
    Rgba::rgb(0xFF, 0xFF, 0xFF),
];

/// A new category beside `categories`, with the next palette colour and the figure defaults.
#[must_use]
pub fn new_category(categories: &[Category], name: &str) -> Category {
    let color = PALETTE
        .get(categories.len() % PALETTE.len())
        .copied()
        .unwrap_or(Rgba::rgb(255, 255, 255));
    Category {
        key: unique_category_key(categories, name),
        name: name.to_owned(),
        style: Style {
            color,
            width_px: 4.0,
            fill_alpha: 60,
            marker: Marker::Circle,
            extra: Map::new(),
        },
        extra: Map::new(),
    }
}

/// The edit that adds a drawn shape as a new annotation, seen from `date`, in `category` (or the
/// first category; a default one is added with it when the project has none). Returns the edit and
/// the new annotation's id.
#[must_use]
pub fn add_drawn(
    project: &Project,
    tool: Tool,
    shape: Shape,
    date: NaiveDate,
    category: Option<&str>,
) -> (Edit, String) {
    let id = unique_id(project, "a");
    let mut edits = Vec::new();
    let category = match category.filter(|k| project.category(k).is_some()) {
        Some(k) => k.to_owned(),
        None => {
            if let Some(c) = project.categories.first() {
                c.key.clone()
            } else {
                let mut c = new_category(&project.categories, "Annotation");
                DEFAULT_CATEGORY_KEY.clone_into(&mut c.key);
                edits.push(Edit::AddCategory {
                    index: 0,
                    category: Box::new(c),
                });
                DEFAULT_CATEGORY_KEY.to_owned()
            }
        }
    };
    let annotation = Annotation {
        id: id.clone(),
        shape,
        label: tool.default_label().to_owned(),
        category,
        status: Status::default(),
        certainty: Certainty::default(),
        mark: tool.mark(),
        seen_from: FuzzyDate::day(date),
        seen_until: None,
        sources: Vec::new(),
        note: String::new(),
        label_place: crate::model::LabelPlace::default(),
        extra_properties: Map::new(),
        extra_members: Map::new(),
    };
    edits.push(Edit::AddAnnotation {
        index: project.annotations.len(),
        annotation: Box::new(annotation),
    });
    let edit = if edits.len() == 1 {
        edits.remove(0)
    } else {
        Edit::Batch(edits)
    };
    (edit, id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::default_project::load_default_project;
    use geo::Point;

    #[test]
    fn ids_and_keys_never_collide() {
        let p = load_default_project().unwrap().project;
        let id = unique_id(&p, "a");
        assert!(p.annotation(&id).is_none());
        let existing = p.categories[0].name.clone();
        let key = unique_category_key(&p.categories, &existing);
        assert!(p.category(&key).is_none());
        assert_eq!(
            unique_category_key(&p.categories, "  Rail yard! "),
            "rail-yard"
        );
    }

    #[test]
    fn a_drawing_in_an_empty_project_brings_its_category() {
        let mut p = load_default_project().unwrap().project;
        p.categories.clear();
        p.annotations.clear();
        let date = NaiveDate::from_ymd_opt(2025, 10, 14).unwrap();
        let (edit, id) = add_drawn(
            &p,
            Tool::Text,
            Shape::Point(Point::new(130.0, 42.0)),
            date,
            None,
        );
        edit.apply(&mut p).unwrap();
        let a = p.annotation(&id).unwrap();
        assert_eq!(a.mark, crate::model::Mark::Text);
        assert_eq!(a.seen_from, FuzzyDate::day(date));
        assert!(p.category(&a.category).is_some());
    }
}
