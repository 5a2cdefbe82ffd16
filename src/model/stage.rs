//! Construction stages: the dated events the time slider steps through.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::date::FuzzyDate;
use super::source::Citation;
use super::stage_view::StageView;

/// A dated event in the site's history: an agreement, an image, a report.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Stage {
    /// When, with the precision the source gives.
    pub date: FuzzyDate,
    /// Short title shown on the slider and in captions.
    pub title: String,
    /// What was seen or said.
    #[serde(default)]
    pub summary: String,
    /// Who says so.
    #[serde(default)]
    pub sources: Vec<Citation>,
    /// The view a figure of this stage was published with, when one was kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub view: Option<Box<StageView>>,
    /// Fields this version does not know, kept for the next save.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}
