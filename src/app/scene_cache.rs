//! The scene between frames: rebuilt only when the project, the view options or what the date
//! shows (annotations, layers, stage) change, moved to the new date in place when only the date
//! does, patched in place when an edit touches one annotation (a drag), so ten thousand
//! annotations cost nothing on frames where nothing changed.

use std::sync::Arc;

use chrono::NaiveDate;

use crate::command::{Command, EditCommand, FileCommand, ViewCommand};
use crate::model::Project;
use crate::scene::index::SceneIndex;
use crate::scene::{Scene, SceneOptions, SceneShows, build_reusing, patch_annotation, scene_shows};

/// A built scene, its spatial index, and what they were built for.
#[derive(Default)]
pub(crate) struct SceneCache {
    /// Date and options (selection left out) the scene was built for.
    built_for: Option<(NaiveDate, SceneOptions)>,
    /// The scene and its index, once built.
    built: Option<(Arc<Scene>, Arc<SceneIndex>)>,
    /// Something changed the project in a way a patch cannot follow.
    stale: bool,
    /// Annotations changed by local edits since the last frame.
    patches: Vec<String>,
    /// The selection the items' flags show.
    selected: Option<String>,
    /// What the built scene shows besides its date (a date showing the same is a redate).
    shows: Option<SceneShows>,
    /// How many builds so far (tests check that idle frames and quiet date steps build nothing).
    builds: u64,
    /// Changes with every build, patch or selection change: what was drawn from an older
    /// version is out of date.
    version: u64,
    /// Changes like `version`, except for a rebuild that only moved the date within what the
    /// map shows (same items, labels, layers, credits): the map without its figure frame shows
    /// no date or caption, so scrubbing between changes redraws nothing.
    map_version: u64,
}

impl SceneCache {
    /// Notes what a command will change. Called before the command is applied.
    pub(crate) fn note(&mut self, command: &Command) {
        match command {
            Command::Edit(EditCommand::Apply { edit, .. }) => match edit.local_annotation() {
                Some(id) => self.patches.push(id.to_owned()),
                None => self.stale = true,
            },
            // Commands that change only the view or UI state; the date and the selection are
            // checked on every get.
            Command::Time(_)
            | Command::View(
                ViewCommand::Select(_)
                | ViewCommand::ZoomToAnnotation(_)
                | ViewCommand::GoHome
                | ViewCommand::ZoomToNative(_)
                | ViewCommand::DismissMessage
                | ViewCommand::ToggleSidePanel,
            )
            | Command::Edit(EditCommand::SetTool(_))
            | Command::Compare(_)
            | Command::Progress(_)
            | Command::Changes(_)
            | Command::File(
                FileCommand::SaveAsDialog
                | FileCommand::ImportDialog
                | FileCommand::ExportAnnotationsDialog(_)
                | FileCommand::ExportAnnotations(..)
                | FileCommand::OpenProjectDialog
                | FileCommand::SetAutosaveInterval(_),
            ) => {}
            // Anything else may have replaced or changed the project.
            _ => self.stale = true,
        }
    }

    /// Forces a rebuild on the next get (after the project changed outside a command).
    pub(crate) fn invalidate(&mut self) {
        self.stale = true;
    }

    /// The scene's version: it changes whenever the scene does.
    pub(crate) fn version(&self) -> u64 {
        self.version
    }

    /// The version of what the map shows without its figure frame (see `map_version`).
    pub(crate) fn map_version(&self) -> u64 {
        self.map_version
    }

    /// Number of full builds so far.
    pub(crate) fn builds(&self) -> u64 {
        self.builds
    }

    /// The scene for this project, date and options, with its index. A date that shows the
    /// same annotations, layers and stage as the built one only moves the built scene's date
    /// (no build: scrubbing a quiet stretch costs nothing); one that shows others builds anew,
    /// taking the items that stay from the built scene.
    pub(crate) fn get(
        &mut self,
        project: &Project,
        date: NaiveDate,
        options: &SceneOptions,
    ) -> (Arc<Scene>, Arc<SceneIndex>) {
        let unselected = SceneOptions {
            selected: None,
            ..options.clone()
        };
        let same_options = !self.stale
            && self
                .built_for
                .as_ref()
                .is_some_and(|(_, built)| *built == unselected);
        let moved = self
            .built_for
            .as_ref()
            .is_some_and(|(built, _)| *built != date);
        let shows = (same_options && moved).then(|| scene_shows(project, date, &unselected));
        let redate = shows.is_some() && shows == self.shows;
        // Items can be taken from the built scene while it follows the project.
        let reuse = same_options && self.patches.is_empty();
        match &mut self.built {
            Some((scene, index)) if same_options && (!moved || redate) => {
                if redate {
                    self.version = next_version();
                    crate::scene::redate(Arc::make_mut(scene), date);
                    self.built_for = Some((date, unselected));
                }
                if !self.patches.is_empty() {
                    self.version = next_version();
                    self.map_version = next_version();
                    let scene = Arc::make_mut(scene);
                    let index = Arc::make_mut(index);
                    for id in self.patches.drain(..) {
                        if let Some(i) = patch_annotation(scene, project, &id) {
                            index.update(scene, i);
                        }
                    }
                }
                if self.selected != options.selected {
                    self.version = next_version();
                    self.map_version = next_version();
                    let scene = Arc::make_mut(scene);
                    for item in &mut scene.items {
                        item.selected = options.selected.as_deref() == Some(item.id.as_str());
                    }
                    self.selected.clone_from(&options.selected);
                }
                (Arc::clone(scene), Arc::clone(index))
            }
            _ => {
                let previous = self.built.as_ref().filter(|_| reuse);
                let scene =
                    build_reusing(project, date, options, previous.map(|(s, _)| s.as_ref()));
                let same = self.built.as_ref().filter(|(old, _)| same_map(old, &scene));
                // The same items: the old index holds them.
                let index = if let Some((_, old_index)) = same {
                    Arc::clone(old_index)
                } else {
                    self.map_version = next_version();
                    Arc::new(SceneIndex::new(&scene))
                };
                let scene = Arc::new(scene);
                self.built = Some((Arc::clone(&scene), Arc::clone(&index)));
                self.selected.clone_from(&options.selected);
                self.shows = Some(shows.unwrap_or_else(|| scene_shows(project, date, &unselected)));
                self.built_for = Some((date, unselected));
                self.stale = false;
                self.patches.clear();
                self.builds += 1;
                self.version = next_version();
                (scene, index)
            }
        }
    }
}

/// A version number no scene cache has given out before, so lists drawn from two caches (the
/// slider's date and a comparison's date A) never share a version.
fn next_version() -> u64 {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

/// True when two scenes draw the same map in the window without its figure frame: everything
/// but the date and the caption is equal.
fn same_map(a: &Scene, b: &Scene) -> bool {
    let Scene {
        title,
        layers,
        date: _,
        date_label: _,
        caption: _,
        items,
        labels,
        legend,
        certainties,
        credits,
        notices,
    } = a;
    *title == b.title
        && *layers == b.layers
        && *items == b.items
        && *labels == b.labels
        && *legend == b.legend
        && *certainties == b.certainties
        && *credits == b.credits
        && *notices == b.notices
}
