//! From features as a file gives them (an id, shapes, a property map) to annotations: lenient
//! about what is missing, strict about coordinates, and keeping what it does not know.

use std::collections::HashSet;

use chrono::NaiveDate;
use geo::Coord;
use serde_json::{Map, Value};

use super::Imported;
use crate::editing::create::new_category;
use crate::editing::geometry::self_intersects;
use crate::model::{Annotation, Citation, FuzzyDate, Mark, Project, Shape};

/// Property keys Sitewatch reads itself; everything else is kept as it came.
pub const KNOWN_PROPERTIES: [&str; 10] = [
    "label",
    "category",
    "status",
    "certainty",
    "mark",
    "seen_from",
    "seen_until",
    "sources",
    "note",
    "id",
];

/// Key of the category given to imported features that name none.
pub const IMPORTED_CATEGORY_KEY: &str = "imported";

/// One feature as a file gives it, before it becomes annotations.
#[derive(Debug)]
pub struct RawFeature {
    /// How messages name it: `feature 3 (id "7")`, `placemark "Pier 2"`.
    pub origin: String,
    /// Its id in the file, if any.
    pub id: Option<String>,
    /// Its geometry as parts (a `MultiPolygon` gives several), or why it cannot be imported.
    pub shapes: Result<Vec<Shape>, String>,
    /// Its properties, Sitewatch's own and foreign ones.
    pub properties: Map<String, Value>,
    /// Members of the feature object besides type, id, geometry and properties.
    pub extra_members: Map<String, Value>,
    /// A category key suggested by the format (a KML `styleUrl`), used when the properties name
    /// none.
    pub category_hint: Option<String>,
}

impl Default for RawFeature {
    fn default() -> Self {
        Self {
            origin: String::new(),
            id: None,
            shapes: Ok(Vec::new()),
            properties: Map::new(),
            extra_members: Map::new(),
            category_hint: None,
        }
    }
}

/// A position checked for range: finite, longitude within ±180°, latitude within ±90°.
pub fn check_position(x: f64, y: f64) -> Result<Coord<f64>, String> {
    if !x.is_finite() || !y.is_finite() {
        return Err(format!("position [{x}, {y}] is not a number"));
    }
    if x.abs() > 180.0 || y.abs() > 90.0 {
        return Err(format!(
            "position [{x}, {y}] is outside longitude ±180°, latitude ±90°"
        ));
    }
    Ok(Coord { x, y })
}

/// Builds annotations from raw features against the project they will join.
pub(crate) struct Builder<'p> {
    project: &'p Project,
    default_date: NaiveDate,
    used_ids: HashSet<String>,
    undated: usize,
    out: Imported,
}

fn text(props: &Map<String, Value>, key: &str) -> Option<String> {
    props
        .get(key)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

fn parse_enum<T: serde::de::DeserializeOwned + Default>(
    props: &Map<String, Value>,
    key: &str,
    origin: &str,
    warnings: &mut Vec<String>,
) -> T {
    match props.get(key) {
        None | Some(Value::Null) => T::default(),
        Some(v) => serde_json::from_value(v.clone()).unwrap_or_else(|_| {
            warnings.push(format!("{origin}: {key} {v} is not known; default used"));
            T::default()
        }),
    }
}

fn parse_date(
    props: &Map<String, Value>,
    key: &str,
    origin: &str,
    warnings: &mut Vec<String>,
) -> Option<FuzzyDate> {
    let raw = text(props, key)?;
    // ISO date-times (KML, QGIS) keep their day.
    let date_part = raw.split('T').next().unwrap_or(&raw);
    match date_part.parse::<FuzzyDate>() {
        Ok(d) => Some(d),
        Err(e) => {
            warnings.push(format!("{origin}: {key}: {e}"));
            None
        }
    }
}

impl<'p> Builder<'p> {
    pub(crate) fn new(project: &'p Project, default_date: NaiveDate) -> Self {
        Self {
            project,
            default_date,
            used_ids: project.annotations.iter().map(|a| a.id.clone()).collect(),
            undated: 0,
            out: Imported::default(),
        }
    }

    fn unique_id(&mut self, wanted: Option<String>) -> String {
        let base = wanted
            .filter(|w| !w.trim().is_empty())
            .unwrap_or_else(|| "imported".to_owned());
        let id = if base == "imported" || self.used_ids.contains(&base) {
            crate::model::ids::numbered_id(&base, |c| self.used_ids.contains(c))
        } else {
            base
        };
        self.used_ids.insert(id.clone());
        id
    }

    fn category_for(&mut self, wanted: Option<String>) -> String {
        let key = wanted.unwrap_or_else(|| IMPORTED_CATEGORY_KEY.to_owned());
        let known = self.project.category(&key).is_some()
            || self.out.new_categories.iter().any(|c| c.key == key);
        if !known {
            let name = if key == IMPORTED_CATEGORY_KEY {
                "Imported".to_owned()
            } else {
                key.clone()
            };
            let mut all = self.project.categories.clone();
            all.extend(self.out.new_categories.iter().cloned());
            let mut category = new_category(&all, &name);
            category.key.clone_from(&key);
            self.out.new_categories.push(category);
        }
        key
    }

    /// Adds a feature: one annotation per part, or a skip message.
    pub(crate) fn add(&mut self, raw: RawFeature) {
        let RawFeature {
            origin,
            id,
            shapes,
            properties: props,
            extra_members,
            category_hint,
        } = raw;
        let shapes = match shapes {
            Ok(s) if s.is_empty() => {
                self.out.skipped.push(format!("{origin}: no geometry"));
                return;
            }
            Ok(s) => s,
            Err(why) => {
                self.out.skipped.push(format!("{origin}: {why}"));
                return;
            }
        };
        let warnings = &mut self.out.warnings;
        let label = text(&props, "label")
            .or_else(|| {
                ["name", "Name", "NAME", "title"]
                    .iter()
                    .find_map(|k| text(&props, k))
            })
            .unwrap_or_else(|| "Imported feature".to_owned());
        let status = parse_enum(&props, "status", &origin, warnings);
        let certainty = parse_enum(&props, "certainty", &origin, warnings);
        let mut mark: Mark = parse_enum(&props, "mark", &origin, warnings);
        let seen_from = parse_date(&props, "seen_from", &origin, warnings);
        let seen_until = parse_date(&props, "seen_until", &origin, warnings);
        let sources: Vec<Citation> = match props.get("sources") {
            None | Some(Value::Null) => Vec::new(),
            Some(v) => serde_json::from_value(v.clone()).unwrap_or_else(|e| {
                warnings.push(format!("{origin}: sources not understood ({e}); left out"));
                Vec::new()
            }),
        };
        for c in &sources {
            if self.project.source(&c.source).is_none() {
                warnings.push(format!("{origin} cites an unknown source \"{}\"", c.source));
            }
        }
        let note = text(&props, "note").unwrap_or_default();
        let seen_from = seen_from.unwrap_or_else(|| {
            self.undated += 1;
            FuzzyDate::day(self.default_date)
        });
        let category = self.category_for(text(&props, "category").or(category_hint));
        let extra_properties: Map<String, Value> = props
            .into_iter()
            .filter(|(k, _)| !KNOWN_PROPERTIES.contains(&k.as_str()))
            .collect();

        let parts = shapes.len();
        for (i, shape) in shapes.into_iter().enumerate() {
            let part_origin = if parts > 1 {
                format!("{origin}, part {}", i + 1)
            } else {
                origin.clone()
            };
            let fits = matches!(
                (mark, &shape),
                (Mark::Feature, _) | (Mark::Text, Shape::Point(_)) | (Mark::Arrow, Shape::Line(_))
            );
            if !fits {
                self.out.warnings.push(format!(
                    "{part_origin}: a {} cannot be drawn as {mark:?}; drawn as a structure",
                    shape.kind()
                ));
                mark = Mark::Feature;
            }
            if self_intersects(&shape) {
                self.out.warnings.push(format!(
                    "{part_origin}: the polygon crosses itself (kept as drawn; its area may be wrong)"
                ));
            }
            let wanted = match (&id, parts) {
                (Some(id), 1) => Some(id.clone()),
                (Some(id), _) => Some(format!("{id}-{}", i + 1)),
                (None, _) => None,
            };
            let id = self.unique_id(wanted);
            self.out.annotations.push(Annotation {
                id,
                shape,
                label: label.clone(),
                category: category.clone(),
                status,
                certainty,
                mark,
                seen_from,
                seen_until,
                sources: sources.clone(),
                note: note.clone(),
                label_place: crate::model::LabelPlace::default(),
                extra_properties: extra_properties.clone(),
                extra_members: extra_members.clone(),
            });
        }
    }

    /// What was imported.
    pub(crate) fn finish(mut self) -> Imported {
        if self.undated > 0 {
            self.out.warnings.push(format!(
                "{} feature(s) had no seen_from date and are dated {} (the slider's date)",
                self.undated, self.default_date
            ));
        }
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_out_of_range_or_not_numbers_are_refused() {
        assert!(check_position(130.6, 42.4).is_ok());
        assert!(check_position(181.0, 0.0).is_err());
        assert!(check_position(0.0, -90.5).is_err());
        assert!(
            check_position(f64::NAN, 0.0)
                .unwrap_err()
                .contains("not a number")
        );
        assert!(check_position(f64::INFINITY, 0.0).is_err());
    }
}
