//! Annotated structures: what was seen where, when, and on whose word.

use geo::{Coord, LineString, Point, Polygon};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::date::FuzzyDate;
use super::source::{Citation, Evidence};

/// The construction status of a structure.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Announced or expected, not yet begun.
    Planned,
    /// Work seen or reported under way.
    #[default]
    UnderConstruction,
    /// Finished.
    Complete,
    /// Taken away (e.g. a temporary work platform).
    Removed,
}

impl Status {
    /// All statuses, in the order a menu lists them.
    pub const ALL: [Status; 4] = [
        Status::Planned,
        Status::UnderConstruction,
        Status::Complete,
        Status::Removed,
    ];

    /// The words shown on screen.
    pub fn label(self) -> &'static str {
        match self {
            Status::Planned => "planned",
            Status::UnderConstruction => "under construction",
            Status::Complete => "complete",
            Status::Removed => "removed",
        }
    }
}

/// How sure the analyst is of what is drawn; sets the line (solid, dashed, short-dashed).
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Certainty {
    /// Seen in imagery or stated by the source: solid line.
    Confirmed,
    /// Likely: dashed line (16/10), label prefixed "Probable".
    #[default]
    Probable,
    /// Possible: short dash (4/8), label prefixed "Possible" and suffixed "?".
    Possible,
}

impl Certainty {
    /// All certainties, strongest first.
    pub const ALL: [Certainty; 3] = [
        Certainty::Confirmed,
        Certainty::Probable,
        Certainty::Possible,
    ];

    /// The word shown on screen and in legends.
    pub fn label(self) -> &'static str {
        match self {
            Certainty::Confirmed => "confirmed",
            Certainty::Probable => "probable",
            Certainty::Possible => "possible",
        }
    }

    /// Dash pattern at 1920 px figure width: `None` for solid, else (dash, gap) in pixels.
    pub fn dash_px(self) -> Option<(f32, f32)> {
        match self {
            Certainty::Confirmed => None,
            Certainty::Probable => Some((16.0, 10.0)),
            Certainty::Possible => Some((4.0, 8.0)),
        }
    }

    /// The label as published: "Probable pier", "Possible helipad?".
    pub fn decorate(self, label: &str) -> String {
        match self {
            Certainty::Confirmed => label.to_owned(),
            Certainty::Probable => format!("Probable {}", lower_first(label)),
            Certainty::Possible => format!("Possible {}?", lower_first(label)),
        }
    }
}

/// Words that stay capitalised after "Probable"/"Possible": names and proper adjectives.
const PROPER_WORDS: [&str; 14] = [
    "Russian",
    "Russia",
    "Korean",
    "Korea",
    "North",
    "South",
    "Chinese",
    "China",
    "Friendship",
    "Khasan",
    "Tumangang",
    "Tumen",
    "Rason",
    "Japanese",
];

/// Lower-cases the first letter unless the first word is a name ("Russian"), an acronym ("DPRK")
/// or already lower-case.
fn lower_first(label: &str) -> String {
    let first_word = label.split_whitespace().next().unwrap_or("");
    let is_acronym = first_word.chars().filter(|c| c.is_uppercase()).count() > 1;
    let is_name = PROPER_WORDS
        .iter()
        .any(|w| first_word.trim_matches(|c: char| !c.is_alphanumeric()) == *w);
    let mut chars = label.chars();
    match chars.next() {
        Some(c) if !is_acronym && !is_name => c.to_lowercase().chain(chars).collect(),
        _ => label.to_owned(),
    }
}

/// How an annotation is drawn: as a structure, as a free text label or as an arrow.
///
/// Text labels and arrows are annotations like any other (dated, sourced, exported); only their
/// drawing differs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mark {
    /// A structure: marker, line or area in its category's style.
    #[default]
    Feature,
    /// A point drawn as its label alone, centred on the point (no marker).
    Text,
    /// A line drawn with an arrowhead at its last vertex (a callout).
    Arrow,
}

impl Mark {
    /// True for the default, which files leave out.
    pub fn is_feature(&self) -> bool {
        *self == Mark::Feature
    }
}

/// The geometry of an annotation, in WGS 84 longitude/latitude (x = lon, y = lat).
#[derive(Clone, Debug, PartialEq)]
pub enum Shape {
    /// A single position (a pier, a station, a marker).
    Point(Point<f64>),
    /// An open line (a span, a road).
    Line(LineString<f64>),
    /// An area (a yard, a platform), exterior ring closed.
    Polygon(Polygon<f64>),
}

impl Shape {
    /// Every vertex, exterior ring only for polygons (the closing vertex is not repeated).
    pub fn vertices(&self) -> Vec<Coord<f64>> {
        match self {
            Shape::Point(p) => vec![p.0],
            Shape::Line(l) => l.0.clone(),
            Shape::Polygon(p) => {
                let ring = &p.exterior().0;
                ring.get(..ring.len().saturating_sub(1))
                    .unwrap_or_default()
                    .to_vec()
            }
        }
    }

    /// The GeoJSON type name.
    pub fn kind(&self) -> &'static str {
        match self {
            Shape::Point(_) => "Point",
            Shape::Line(_) => "LineString",
            Shape::Polygon(_) => "Polygon",
        }
    }
}

/// A structure drawn on the map.
#[derive(Clone, Debug, PartialEq)]
pub struct Annotation {
    /// Unique within the project; the GeoJSON feature `id`.
    pub id: String,
    /// Where it is.
    pub shape: Shape,
    /// What it is, as the label reads ("Road bridge, DPRK section").
    pub label: String,
    /// Key of its [`super::Category`].
    pub category: String,
    /// Construction status.
    pub status: Status,
    /// Drawn certainty.
    pub certainty: Certainty,
    /// Drawn as a structure, a text label or an arrow.
    pub mark: Mark,
    /// First date it was seen or reported (inclusive).
    pub seen_from: FuzzyDate,
    /// First date it was no longer there (exclusive); `None` while it still stands.
    pub seen_until: Option<FuzzyDate>,
    /// Who says so.
    pub sources: Vec<Citation>,
    /// How it was placed, and anything an analyst should know ("approximate, ±300 m").
    pub note: String,
    /// Where its label goes: automatic, moved, pinned or hidden.
    pub label_place: super::LabelPlace,
    /// GeoJSON properties this version does not know, kept for the next save.
    pub extra_properties: Map<String, Value>,
    /// Foreign members of the Feature object, kept for the next save.
    pub extra_members: Map<String, Value>,
}

impl Annotation {
    /// True when any citation only lets the annotation be derived, never confirmed.
    pub fn is_derived(&self) -> bool {
        self.sources.iter().any(|c| c.evidence == Evidence::Derived)
    }

    /// The label with its certainty prefix, as drawn on the map.
    pub fn display_label(&self) -> String {
        self.certainty.decorate(&self.label)
    }

    /// The label in a language: its `name:LANG` property when it has one (`name:ko` → 두만강),
    /// else the romanised label.
    #[must_use]
    pub fn label_in(&self, language: Option<&str>) -> &str {
        language
            .and_then(|lang| self.extra_properties.get(&format!("name:{lang}")))
            .and_then(Value::as_str)
            .filter(|name| !name.trim().is_empty())
            .unwrap_or(&self.label)
    }

    /// [`Self::label_in`] with its certainty words.
    #[must_use]
    pub fn display_label_in(&self, language: Option<&str>) -> String {
        self.certainty.decorate(self.label_in(language))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_carry_their_certainty_words() {
        assert_eq!(Certainty::Confirmed.decorate("Rail bridge"), "Rail bridge");
        assert_eq!(Certainty::Probable.decorate("Helipad"), "Probable helipad");
        assert_eq!(Certainty::Possible.decorate("Pier"), "Possible pier?");
        assert_eq!(
            Certainty::Probable.decorate("DPRK checkpoint"),
            "Probable DPRK checkpoint"
        );
        assert_eq!(
            Certainty::Possible.decorate("Russian concrete plant"),
            "Possible Russian concrete plant?"
        );
    }

    #[test]
    fn a_polygon_lists_its_ring_without_the_closing_vertex() {
        let poly = Polygon::new(
            LineString::from(vec![(0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 0.0)]),
            vec![],
        );
        assert_eq!(Shape::Polygon(poly).vertices().len(), 3);
    }
}
