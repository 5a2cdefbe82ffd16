//! A stage's kept view, its bookmark: the map's box, which layers showed and how, and the figure
//! options. Choosing the stage again restores date and view together, so a published figure can
//! be reproduced from the project alone (`sitewatch export --stage-view DATE`).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::Project;
use super::layer::ImageryLayer;
use super::layer_display::LayerDisplay;
use crate::spatial::LonLatBox;

/// What a stage keeps of the view it was published with.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StageView {
    /// The box the figure shows, `[west, south, east, north]`.
    pub bbox: LonLatBox,
    /// The imagery layers shown, bottom first, with how they were shown. Every other layer is
    /// hidden when the view is restored.
    pub layers: Vec<KeptLayer>,
    /// The basemap under the imagery (its name in the preferences), when kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub basemap: Option<String>,
    /// The label language then (`ko`, `ru`; none for the romanised labels).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label_language: Option<String>,
    /// The figure options then.
    pub figure: KeptFigure,
    /// Fields this version does not know, kept for the next save.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// One layer shown in a kept view, and how.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct KeptLayer {
    /// The layer's id.
    pub id: String,
    /// Its opacity, 0–1.
    pub opacity: f32,
    /// Its bands and stretch, when it had its own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display: Option<LayerDisplay>,
}

/// The figure options of a kept view: what the Export… dialog and `sitewatch export` take.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct KeptFigure {
    /// Image size in pixels.
    pub size_px: [u32; 2],
    /// Whether the north arrow is drawn.
    pub north_arrow: bool,
    /// Whether the lat/lon grid is drawn.
    pub grid: bool,
    /// The title above the date; empty for none.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub title: String,
}

impl StageView {
    /// Keeps the project's visible layers, as they show now, with a box and figure options.
    #[must_use]
    pub fn keep(project: &Project, bbox: LonLatBox, figure: KeptFigure) -> Self {
        Self {
            bbox,
            layers: project
                .layers
                .iter()
                .filter(|l| l.visible)
                .map(|l| KeptLayer {
                    id: l.id.clone(),
                    opacity: l.opacity,
                    display: l.display.clone(),
                })
                .collect(),
            basemap: None,
            label_language: project.label_language.clone(),
            figure,
            extra: Map::new(),
        }
    }

    /// The project's layers that must change to show as the view kept them, changed: kept
    /// layers visible with their opacity and display, every other layer hidden. Kept layers the
    /// project no longer has are named in the second list.
    #[must_use]
    pub fn layer_changes(&self, project: &Project) -> (Vec<ImageryLayer>, Vec<String>) {
        let changed = project
            .layers
            .iter()
            .filter_map(|layer| {
                let mut next = layer.clone();
                match self.layers.iter().find(|k| k.id == layer.id) {
                    Some(kept) => {
                        next.visible = true;
                        next.opacity = kept.opacity;
                        next.display.clone_from(&kept.display);
                    }
                    None => next.visible = false,
                }
                (next != *layer).then_some(next)
            })
            .collect();
        let missing = self
            .layers
            .iter()
            .filter(|k| !project.layers.iter().any(|l| l.id == k.id))
            .map(|k| k.id.clone())
            .collect();
        (changed, missing)
    }
}
