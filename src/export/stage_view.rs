//! Exporting a stage's kept view (`sitewatch export --stage-view DATE`): the stage's date, its
//! box, the layers shown as they were, the label language, basemap and figure options, so the
//! published figure is made again from the project alone.

use chrono::NaiveDate;

use super::ViewChoice;
use crate::imagery::basemap::Basemap;
use crate::model::{KeptFigure, Project};

/// Why a stage's view cannot be exported.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum StageViewError {
    /// No stage is dated on that day.
    #[error("no stage is dated {date}; stages with a kept view: {kept}")]
    NoStage {
        /// The date asked for.
        date: NaiveDate,
        /// The stages that keep a view, or "none".
        kept: String,
    },
    /// The stage keeps no view.
    #[error("the stage of {date} keeps no view; stages with a kept view: {kept}")]
    NoView {
        /// The stage's date.
        date: NaiveDate,
        /// The stages that keep a view, or "none".
        kept: String,
    },
}

/// A stage's kept view, ready to export.
#[derive(Debug)]
pub struct KeptExport {
    /// The stage's date.
    pub date: NaiveDate,
    /// The project with its layers and label language as the view kept them.
    pub project: Project,
    /// The kept box.
    pub view: ViewChoice,
    /// The kept figure options.
    pub figure: KeptFigure,
    /// The kept basemap, when one was kept and this version knows it.
    pub basemap: Option<Basemap>,
    /// Layers the view showed that the project no longer has (the figure cannot be the same).
    pub missing_layers: Vec<String>,
}

/// The view kept by the stage dated `date`.
pub fn kept_export(project: &Project, date: NaiveDate) -> Result<KeptExport, StageViewError> {
    let kept = || {
        let dates: Vec<String> = project
            .stages
            .iter()
            .filter(|s| s.view.is_some())
            .map(|s| s.date.key().to_string())
            .collect();
        if dates.is_empty() {
            "none".to_owned()
        } else {
            dates.join(", ")
        }
    };
    let stage = project
        .stages
        .iter()
        .find(|s| s.date.key() == date)
        .ok_or_else(|| StageViewError::NoStage { date, kept: kept() })?;
    let view = stage
        .view
        .as_deref()
        .ok_or_else(|| StageViewError::NoView { date, kept: kept() })?;
    let (changed, missing_layers) = view.layer_changes(project);
    let mut shown = project.clone();
    for layer in changed {
        if let Some(slot) = shown.layers.iter_mut().find(|l| l.id == layer.id) {
            *slot = layer;
        }
    }
    shown.label_language.clone_from(&view.label_language);
    Ok(KeptExport {
        date,
        project: shown,
        view: ViewChoice::BBox(view.bbox),
        figure: view.figure.clone(),
        basemap: view
            .basemap
            .as_deref()
            .and_then(|b| serde_json::from_value(b.into()).ok()),
        missing_layers,
    })
}
