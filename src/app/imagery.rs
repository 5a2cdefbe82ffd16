//! The app's side of imagery layers: syncing the runtime with the date, the layer panel,
//! adding files (dialog and drop) and dated services.

use std::path::{Path, PathBuf};
use std::sync::mpsc;

use crate::command::Command;
use crate::editing::Edit;
use crate::imagery::file_date::date_from_file_name;
use crate::model::default_project::project_base_dir;
use crate::model::tracks::{layers_at, neighbours_to_preload};
use crate::model::{ImageryLayer, LayerSource};

use super::SitewatchApp;

/// File endings added as imagery layers (GeoTIFF, an image with a world file, or a PMTiles
/// raster archive).
pub const IMAGERY_EXTENSIONS: [&str; 6] = ["tif", "tiff", "png", "jpg", "jpeg", "pmtiles"];

/// True for a file that is added as an imagery layer when dropped or picked.
pub fn is_imagery_path(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| IMAGERY_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
}

/// `base`, or `base-2`, `base-3` … whichever is not taken.
pub fn unique_id(base: &str, taken: &[String]) -> String {
    let mut id = base.to_owned();
    let mut n = 2;
    while taken.iter().any(|t| t == &id) {
        id = format!("{base}-{n}");
        n += 1;
    }
    id
}

/// A layer for a file: named by its stem, dated from its name when it holds a date.
pub fn layer_for_file(path: &Path, base_dir: &Path, taken: &[String]) -> ImageryLayer {
    let stem = path.file_stem().map_or_else(
        || "imagery".to_owned(),
        |s| s.to_string_lossy().into_owned(),
    );
    let id = unique_id(
        &format!(
            "file-{}",
            stem.to_lowercase()
                .replace(|c: char| !c.is_alphanumeric(), "-")
        ),
        taken,
    );
    // Keep paths relative to the project folder when the file is inside it.
    let shown_path = path
        .strip_prefix(base_dir)
        .map_or_else(|_| path.display().to_string(), |p| p.display().to_string());
    ImageryLayer {
        id,
        name: stem,
        date: date_from_file_name(path),
        date_kind: crate::model::layer::DateKind::Acquisition,
        note: String::new(),
        track: "Imported".to_owned(),
        attribution: String::new(),
        synthetic: false,
        opacity: 1.0,
        visible: true,
        source: LayerSource::File { path: shown_path },
        extra: serde_json::Map::new(),
    }
}

impl SitewatchApp {
    /// The folder relative layer paths start from.
    pub(crate) fn layer_base_dir(&self) -> PathBuf {
        project_base_dir(self.project_path.as_deref())
    }

    /// Layers shown at the slider's date, as (id, opacity), bottom first.
    pub(crate) fn shown_layers(&self) -> Vec<(String, f32)> {
        layers_at(&self.project, self.date)
            .into_iter()
            .filter_map(|(i, o)| self.project.layers.get(i).map(|l| (l.id.clone(), o)))
            .collect()
    }

    /// Opens what the date needs and decodes the neighbours ahead, so scrubbing never waits.
    pub(crate) fn sync_imagery(&mut self, ctx: &egui::Context) -> Vec<Command> {
        let mut wanted: Vec<usize> = layers_at(&self.project, self.date)
            .into_iter()
            .map(|(i, _)| i)
            .collect();
        for i in neighbours_to_preload(&self.project, self.date) {
            let visible = self.project.layers.get(i).is_some_and(|l| l.visible);
            if visible && !wanted.contains(&i) {
                wanted.push(i);
            }
        }
        let base = self.layer_base_dir();
        self.imagery.sync(ctx, &self.project, &base, &wanted);
        // An undated file layer takes the date its file carries (TIFF DateTime) once it opens.
        self.project
            .layers
            .iter()
            .filter(|l| l.date.is_none())
            .filter_map(|l| {
                let day = self.imagery.capture_date(&l.id)?;
                let mut dated = l.clone();
                dated.date = Some(crate::model::FuzzyDate::day(day));
                Some(Command::Edit {
                    edit: Edit::SetLayer {
                        id: l.id.clone(),
                        layer: Box::new(dated),
                    },
                    coalesce: None,
                })
            })
            .collect()
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
        (!files.is_empty()).then_some(Command::AddLayerFiles(files))
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
                (!files.is_empty()).then_some(Command::AddLayerFiles(files))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dated_file_name_gives_the_layer_its_date_and_a_unique_id() {
        let base = Path::new("/data/site");
        let taken = vec!["file-planet-2025-07-05".to_owned()];
        let layer = layer_for_file(
            Path::new("/data/site/img/Planet_2025-07-05.tif"),
            base,
            &taken,
        );
        assert_eq!(layer.id, "file-planet-2025-07-05-2");
        assert_eq!(
            layer.date.map(|d| d.to_string()).as_deref(),
            Some("2025-07-05")
        );
        assert_eq!(
            layer.source,
            LayerSource::File {
                path: "img/Planet_2025-07-05.tif".into()
            }
        );
        let outside = layer_for_file(Path::new("/elsewhere/scene.jpg"), base, &[]);
        assert_eq!(outside.date, None);
        assert_eq!(
            outside.source,
            LayerSource::File {
                path: "/elsewhere/scene.jpg".into()
            }
        );
    }

    #[test]
    fn only_raster_files_are_imagery() {
        assert!(is_imagery_path(Path::new("a/b.TIF")));
        assert!(is_imagery_path(Path::new("x.jpeg")));
        assert!(!is_imagery_path(Path::new("x.geojson")));
        assert!(!is_imagery_path(Path::new("x")));
    }
}
