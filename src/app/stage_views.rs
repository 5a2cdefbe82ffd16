//! Stage bookmarks in the window: keeping the view with a stage, and restoring date and view
//! together. Layer visibility, opacity, bands and the label language come back as one undoable
//! edit; the basemap and the Export… dialog's options come back as they were kept.

use geo::Coord;

use super::SitewatchApp;
use crate::editing::Edit;
use crate::imagery::basemap::Basemap;
use crate::model::{KeptFigure, StageView};
use crate::spatial::LonLatBox;

/// A restored view while the map has not moved since: "the map as it is now" is then exactly
/// the kept box, so an export from the window reproduces the published figure.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct RestoredView {
    /// The kept box.
    pub bbox: LonLatBox,
    /// Where the map was put to show it.
    center: Coord<f64>,
    zoom: f64,
}

impl SitewatchApp {
    pub(super) fn keep_stage_view(&mut self, ctx: &egui::Context, index: usize) {
        let Some(bbox) = self.current_view_box() else {
            self.messages
                .push("The map has no view to keep yet: try again once it shows.".to_owned());
            return;
        };
        let settings = self.export.settings().clone();
        let figure = KeptFigure {
            size_px: settings.size_px,
            north_arrow: settings.north_arrow,
            grid: settings.grid,
            title: settings.title,
        };
        let mut view = StageView::keep(&self.project, bbox, figure);
        view.basemap = serde_json::to_value(self.prefs.basemap)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned));
        let edit = Edit::SetStageView {
            index,
            view: Some(Box::new(view)),
        };
        self.apply_edit(ctx, edit, None);
    }

    pub(super) fn forget_stage_view(&mut self, ctx: &egui::Context, index: usize) {
        self.apply_edit(ctx, Edit::SetStageView { index, view: None }, None);
    }

    pub(super) fn restore_stage_view(&mut self, ctx: &egui::Context, index: usize) {
        let Some(stage) = self.project.stages.get(index) else {
            return;
        };
        self.date = stage.date.key();
        let Some(view) = stage.view.clone() else {
            return;
        };
        let (layers, missing) = view.layer_changes(&self.project);
        let mut edits: Vec<Edit> = layers
            .into_iter()
            .map(|layer| Edit::SetLayer {
                id: layer.id.clone(),
                layer: Box::new(layer),
            })
            .collect();
        if view.label_language != self.project.label_language {
            edits.push(Edit::SetLabelLanguage(view.label_language.clone()));
        }
        if !edits.is_empty() {
            self.apply_edit(ctx, Edit::Batch(edits), None);
        }
        if !missing.is_empty() {
            self.messages.push(format!(
                "The view kept with this stage showed layers the project no longer has: {}.",
                missing.join(", ")
            ));
        }
        let basemap = view
            .basemap
            .as_deref()
            .and_then(|b| serde_json::from_value::<Basemap>(b.into()).ok());
        if let Some(basemap) = basemap
            && basemap != self.prefs.basemap
        {
            self.set_basemap(ctx, basemap);
        }
        let settings = self.export.settings_mut();
        settings.size_px = view.figure.size_px;
        settings.north_arrow = view.figure.north_arrow;
        settings.grid = view.figure.grid;
        settings.title.clone_from(&view.figure.title);
        settings.current_view = true;
        crate::ui::map_view::fit(&mut self.memory, &view.bbox, self.map_size);
        self.restored_view = Some(RestoredView {
            bbox: view.bbox,
            center: self.map_center(),
            zoom: self.memory.zoom(),
        });
    }

    /// The box "the map as it is now" exports: a just-restored stage view's, else the figure
    /// frame's, else the map's.
    #[must_use]
    pub fn view_box(&self) -> Option<LonLatBox> {
        self.current_view_box()
    }

    /// The Export… dialog's figure size.
    #[must_use]
    pub fn export_size(&self) -> [u32; 2] {
        self.export.settings().size_px
    }

    /// The restored view's box, while the map still shows it as it was put.
    pub(super) fn restored_box(&self) -> Option<LonLatBox> {
        self.restored_view
            .filter(|r| {
                // Unmoved: the same centre and zoom, to far below a pixel.
                let c = self.map_center();
                (r.center.x - c.x).abs() < 1e-12
                    && (r.center.y - c.y).abs() < 1e-12
                    && (r.zoom - self.memory.zoom()).abs() < 1e-9
            })
            .map(|r| r.bbox)
    }

    /// The map's centre (the project's home centre while it follows no position).
    pub(super) fn map_center(&self) -> Coord<f64> {
        let home = self.project.home.center();
        self.memory
            .detached()
            .map_or(home, |p| Coord { x: p.x(), y: p.y() })
    }
}
