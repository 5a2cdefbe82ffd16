//! The app's side of imagery layers: syncing the runtime with the date, the layer panel,
//! adding files (dialog and drop) and dated services.

use std::path::PathBuf;
use std::sync::mpsc;

use crate::command::{Command, ImageryCommand};
use crate::editing::Edit;
use crate::imagery::layer_file::{IMAGERY_EXTENSIONS, is_imagery_path, layer_for_file};
use crate::model::default_project::project_base_dir;
use crate::model::tracks::{layers_at, neighbours_to_preload};

use super::SitewatchApp;

impl SitewatchApp {
    /// The folder relative layer paths start from.
    pub(crate) fn layer_base_dir(&self) -> PathBuf {
        project_base_dir(self.project_path.as_deref())
    }

    /// The bands and stretch an open raster layer shows now (`None` until it has opened).
    #[must_use]
    pub fn raster_display(&self, id: &str) -> Option<crate::imagery::raster::Display> {
        crate::ui::layers::LayerStatus::raster_display(&self.imagery, id).map(|(_, d)| d)
    }

    /// The raw pixel values under a lon/lat in the topmost shown raster layer that covers it,
    /// with that layer's name: the status bar's readout.
    pub(crate) fn values_under(
        &self,
        lonlat: geo::Coord<f64>,
    ) -> Option<(String, crate::imagery::raster::PixelValues)> {
        self.shown_layers().iter().rev().find_map(|(id, _)| {
            let values = self.imagery.raster(id)?.value_at(lonlat)?;
            let layer = self.project.layers.iter().find(|l| &l.id == id)?;
            Some((layer.name.clone(), values))
        })
    }

    /// Zooms to a raster layer's native resolution: where the map is when the layer covers it,
    /// else at the layer's centre.
    pub(crate) fn zoom_to_native(&mut self, id: &str) {
        let Some(raster) = self.imagery.raster(id) else {
            return;
        };
        let (zoom, bounds) = (raster.native_zoom(), raster.bounds_lonlat());
        // An out-of-range zoom is clamped by the map; ignoring the error keeps the old zoom.
        let _ = self.memory.set_zoom(zoom);
        if !bounds.contains(self.map_center()) {
            let c = bounds.center();
            self.memory.center_at(walkers::lon_lat(c.x, c.y));
        }
    }

    /// Layers shown at the slider's date, as (id, opacity), bottom first.
    pub(crate) fn shown_layers(&self) -> Vec<(String, f32)> {
        self.shown_layers_at(self.date)
    }

    /// Layers shown at a date, as (id, opacity), bottom first.
    pub(crate) fn shown_layers_at(&self, date: chrono::NaiveDate) -> Vec<(String, f32)> {
        layers_at(&self.project, date, &self.imagery.file_dates())
            .into_iter()
            .filter_map(|(i, o)| self.project.layers.get(i).map(|l| (l.id.clone(), o)))
            .collect()
    }

    /// Opens what the date needs and decodes the neighbours ahead, so scrubbing never waits.
    /// An undated file layer takes the date its file carries (TIFF `DateTime`) once it opens,
    /// as a runtime date: the project is not changed until the user keeps it.
    pub(crate) fn sync_imagery(&mut self, ctx: &egui::Context) {
        let file_dates = self.imagery.file_dates();
        let mut wanted: Vec<usize> = layers_at(&self.project, self.date, &file_dates)
            .into_iter()
            .map(|(i, _)| i)
            .collect();
        // A comparison shows date A's layers too (and the middle panes', the picked ones).
        for i in self.compare_layers_wanted() {
            if !wanted.contains(&i) {
                wanted.push(i);
            }
        }
        for i in neighbours_to_preload(&self.project, self.date, &file_dates) {
            let visible = self.project.layers.get(i).is_some_and(|l| l.visible);
            if visible && !wanted.contains(&i) {
                wanted.push(i);
            }
        }
        let base = self.layer_base_dir();
        // Files that open now decode what the map shows first.
        let focus = self
            .editor
            .map_view()
            .as_ref()
            .and_then(super::changes::view_box);
        self.imagery
            .sync(ctx, (&self.project, &base), &wanted, focus);
        self.sync_compare_looks(ctx);
    }

    /// Imagery files dropped on the window become layers (annotation files go to import).
    pub(crate) fn dropped_imagery(ctx: &egui::Context) -> Option<Command> {
        let files: Vec<PathBuf> = ctx.input(|i| {
            i.raw
                .dropped_files
                .iter()
                .map(|f| f.path().to_path_buf())
                .filter(|p| is_imagery_path(p))
                .collect()
        });
        (!files.is_empty()).then_some(Command::Imagery(ImageryCommand::AddLayerFiles(files)))
    }

    /// Starts the multi-file dialog for imagery.
    pub(crate) fn open_imagery_dialog(&mut self, ctx: &egui::Context) {
        if self.imagery_dialog.is_some() {
            return;
        }
        let (tx, rx) = mpsc::channel();
        let ctx = ctx.clone();
        std::thread::spawn(move || {
            let picked = rfd::FileDialog::new()
                .set_title("Add imagery (GeoTIFF, or PNG/JPEG with a world file)")
                .add_filter("Imagery", &IMAGERY_EXTENSIONS)
                .pick_files()
                .unwrap_or_default();
            let _ = tx.send(picked);
            ctx.request_repaint();
        });
        self.imagery_dialog = Some(rx);
    }

    /// What a finished imagery dialog asks for.
    pub(crate) fn poll_imagery_dialog(&mut self) -> Option<Command> {
        let rx = self.imagery_dialog.as_ref()?;
        match rx.try_recv() {
            Ok(files) => {
                self.imagery_dialog = None;
                (!files.is_empty())
                    .then_some(Command::Imagery(ImageryCommand::AddLayerFiles(files)))
            }
            Err(mpsc::TryRecvError::Empty) => None,
            Err(mpsc::TryRecvError::Disconnected) => {
                self.imagery_dialog = None;
                None
            }
        }
    }

    /// The edit that adds files as layers on top of the stack (one undo step).
    pub(crate) fn add_layer_files_edit(&self, files: &[PathBuf]) -> Edit {
        let base = self.layer_base_dir();
        let mut taken: Vec<String> = self.project.layers.iter().map(|l| l.id.clone()).collect();
        let mut edits = Vec::new();
        for (n, path) in files.iter().enumerate() {
            let layer = layer_for_file(path, &base, &taken);
            taken.push(layer.id.clone());
            edits.push(Edit::AddLayer {
                index: self.project.layers.len() + n,
                layer: Box::new(layer),
            });
        }
        Edit::Batch(edits)
    }
}
