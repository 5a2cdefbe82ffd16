//! A Sitewatch project: everything an analyst keeps about one site.

use serde_json::{Map, Value};

use super::annotation::Annotation;
use super::category::Category;
use super::layer::ImageryLayer;
use super::measure::Measure;
use super::source::Source;
use super::stage::Stage;
use super::tracks::TrackSettings;
use crate::spatial::LonLatBox;

/// One site under watch: its view, categories, sources, stages, imagery and annotations.
#[derive(Clone, Debug, PartialEq)]
pub struct Project {
    /// Name shown in the title bar and on exports.
    pub name: String,
    /// One or two sentences on what the project watches.
    pub description: String,
    /// The view every start opens on.
    pub home: LonLatBox,
    /// Kinds of structure and their styles, in legend order.
    pub categories: Vec<Category>,
    /// Publications cited by stages and annotations.
    pub sources: Vec<Source>,
    /// Dated events, sorted by date.
    pub stages: Vec<Stage>,
    /// Imagery layers, bottom first.
    pub layers: Vec<ImageryLayer>,
    /// Settings of imagery tracks (crossfade); a track without an entry uses the defaults.
    pub tracks: Vec<TrackSettings>,
    /// The language labels are shown in (`ko`, `ru` …: an annotation's `name:ko` property);
    /// `None` for the romanised labels.
    pub label_language: Option<String>,
    /// Structures drawn on the map.
    pub annotations: Vec<Annotation>,
    /// Quantities tracked over time (the progress chart); files without any leave it out.
    pub measures: Vec<Measure>,
    /// Fields of the `sitewatch` member this version does not know, kept for the next save.
    pub extra: Map<String, Value>,
    /// Foreign members of the FeatureCollection this version does not know.
    pub extra_members: Map<String, Value>,
}

impl Project {
    /// The category with this key.
    pub fn category(&self, key: &str) -> Option<&Category> {
        self.categories.iter().find(|c| c.key == key)
    }

    /// The source with this key.
    pub fn source(&self, key: &str) -> Option<&Source> {
        self.sources.iter().find(|s| s.key == key)
    }

    /// The annotation with this id.
    pub fn annotation(&self, id: &str) -> Option<&Annotation> {
        self.annotations.iter().find(|a| a.id == id)
    }

    /// The measure with this id.
    pub fn measure(&self, id: &str) -> Option<&Measure> {
        self.measures.iter().find(|m| m.id == id)
    }

    /// Sorts stages by date (stable, so same-day stages keep file order).
    pub fn sort_stages(&mut self) {
        self.stages.sort_by_key(|s| s.date.key());
    }
}
