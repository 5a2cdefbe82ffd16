//! Edits: every change the user makes to a project, as data that applies itself and returns its
//! inverse. Undo is applying the inverse; nothing snapshots the whole project.

use super::keyed;
use crate::model::{
    Annotation, Category, Certainty, Citation, FuzzyDate, ImageryLayer, Mark, Project, Shape,
    Source, Status,
};

/// Why an edit could not be applied. The project is unchanged when one is returned.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EditError {
    /// No annotation has this id.
    #[error("no annotation has the id \"{0}\"")]
    UnknownAnnotation(String),
    /// An annotation with this id already exists.
    #[error("an annotation with the id \"{0}\" already exists")]
    DuplicateAnnotation(String),
    /// No category has this key.
    #[error("no category has the key \"{0}\"")]
    UnknownCategory(String),
    /// A category with this key already exists.
    #[error("a category with the key \"{0}\" already exists")]
    DuplicateCategory(String),
    /// No source has this key.
    #[error("no source has the key \"{0}\"")]
    UnknownSource(String),
    /// A source with this key already exists.
    #[error("a source with the key \"{0}\" already exists")]
    DuplicateSource(String),
    /// No imagery layer has this id.
    #[error("no imagery layer has the id \"{0}\"")]
    UnknownLayer(String),
    /// An imagery layer with this id already exists.
    #[error("an imagery layer with the id \"{0}\" already exists")]
    DuplicateLayer(String),
    /// The project has no stage at this index.
    #[error("the project has no stage {0}")]
    UnknownStage(usize),
    /// No measure has this id.
    #[error("no measure has the id \"{0}\"")]
    UnknownMeasure(String),
    /// A measure with this id already exists.
    #[error("a measure with the id \"{0}\" already exists")]
    DuplicateMeasure(String),
}

/// One field of an annotation, with its new value.
#[derive(Clone, Debug, PartialEq)]
pub enum AnnotationField {
    /// What the label reads.
    Label(String),
    /// The category key.
    Category(String),
    /// Construction status.
    Status(Status),
    /// Drawn certainty.
    Certainty(Certainty),
    /// Structure, text label or arrow.
    Mark(Mark),
    /// First date seen.
    SeenFrom(FuzzyDate),
    /// First date seen gone (`None`: still there).
    SeenUntil(Option<FuzzyDate>),
    /// Citations.
    Sources(Vec<Citation>),
    /// Free note.
    Note(String),
    /// Where the label goes (moved, pinned, hidden).
    LabelPlace(crate::model::LabelPlace),
}

impl AnnotationField {
    /// Puts this value into the annotation and returns the value it replaced.
    fn swap_into(self, a: &mut Annotation) -> AnnotationField {
        match self {
            Self::Label(v) => Self::Label(std::mem::replace(&mut a.label, v)),
            Self::Category(v) => Self::Category(std::mem::replace(&mut a.category, v)),
            Self::Status(v) => Self::Status(std::mem::replace(&mut a.status, v)),
            Self::Certainty(v) => Self::Certainty(std::mem::replace(&mut a.certainty, v)),
            Self::Mark(v) => Self::Mark(std::mem::replace(&mut a.mark, v)),
            Self::SeenFrom(v) => Self::SeenFrom(std::mem::replace(&mut a.seen_from, v)),
            Self::SeenUntil(v) => Self::SeenUntil(std::mem::replace(&mut a.seen_until, v)),
            Self::Sources(v) => Self::Sources(std::mem::replace(&mut a.sources, v)),
            Self::Note(v) => Self::Note(std::mem::replace(&mut a.note, v)),
            Self::LabelPlace(v) => Self::LabelPlace(std::mem::replace(&mut a.label_place, v)),
        }
    }

    /// The field's name as the undo menu says it.
    #[must_use]
    pub fn name(&self) -> &'static str {
        match self {
            Self::Label(_) => "label",
            Self::Category(_) => "category",
            Self::Status(_) => "status",
            Self::Certainty(_) => "certainty",
            Self::Mark(_) => "kind",
            Self::SeenFrom(_) => "seen from",
            Self::SeenUntil(_) => "seen until",
            Self::Sources(_) => "sources",
            Self::Note(_) => "note",
            Self::LabelPlace(_) => "label position",
        }
    }

    /// True when a change of this field leaves the scene's legend, visibility and draw order
    /// alone, so the scene can be patched in place instead of rebuilt.
    #[must_use]
    pub fn is_local(&self) -> bool {
        matches!(
            self,
            Self::Label(_)
                | Self::Status(_)
                | Self::Sources(_)
                | Self::Note(_)
                | Self::LabelPlace(_)
        )
    }
}

/// A change to a project. [`Edit::apply`] returns the edit that undoes it.
#[derive(Clone, Debug, PartialEq)]
pub enum Edit {
    /// Insert an annotation at a position in the list (clamped to the end).
    AddAnnotation {
        /// Position in `Project::annotations`.
        index: usize,
        /// The annotation; its id must be new.
        annotation: Box<Annotation>,
    },
    /// Remove an annotation.
    RemoveAnnotation {
        /// Its id.
        id: String,
    },
    /// Replace an annotation's geometry (vertex moves, inserts, removals, moving the whole).
    SetShape {
        /// Annotation id.
        id: String,
        /// The new geometry.
        shape: Shape,
    },
    /// Change one field of an annotation.
    SetField {
        /// Annotation id.
        id: String,
        /// The field and its new value.
        field: AnnotationField,
    },
    /// Insert a category (clamped to the end).
    AddCategory {
        /// Position in `Project::categories`.
        index: usize,
        /// The category; its key must be new.
        category: Box<Category>,
    },
    /// Replace a category's name and style (the key stays).
    SetCategory {
        /// Category key.
        key: String,
        /// The new category (its key is ignored).
        category: Box<Category>,
    },
    /// Remove a category.
    RemoveCategory {
        /// Its key.
        key: String,
    },
    /// Insert a source (clamped to the end).
    AddSource {
        /// Position in `Project::sources`.
        index: usize,
        /// The source; its key must be new.
        source: Box<Source>,
    },
    /// Remove a source.
    RemoveSource {
        /// Its key.
        key: String,
    },
    /// Insert an imagery layer (clamped to the end; index 0 is the bottom).
    AddLayer {
        /// Position in `Project::layers`.
        index: usize,
        /// The layer; its id must be new.
        layer: Box<ImageryLayer>,
    },
    /// Replace an imagery layer's settings (visibility, opacity, date, track …; the id stays).
    SetLayer {
        /// Layer id.
        id: String,
        /// The new layer (its id is ignored).
        layer: Box<ImageryLayer>,
    },
    /// Move an imagery layer to another position in the stack.
    MoveLayer {
        /// Layer id.
        id: String,
        /// New position (clamped), 0 the bottom.
        to: usize,
    },
    /// Remove an imagery layer.
    RemoveLayer {
        /// Its id.
        id: String,
    },
    /// Show labels in a language (`name:ko` …), or romanised (`None`).
    SetLabelLanguage(Option<String>),
    /// Several edits as one step (an import, a drawing that adds a category).
    Batch(Vec<Edit>),
    /// Change a raster layer's bands and stretch (`None`: what its file suggests).
    SetLayerDisplay {
        /// Layer id.
        id: String,
        /// The new display (boxed: it is the largest edit's payload).
        display: Option<Box<crate::model::layer_display::LayerDisplay>>,
    },
    /// Keep a view with a stage, or forget it (`None`).
    SetStageView {
        /// Index of the stage in the project's (date-sorted) stages.
        index: usize,
        /// The view kept.
        view: Option<Box<crate::model::StageView>>,
    },
    /// Add, change or remove a tracked measure.
    Measure(super::measure_edit::MeasureEdit),
}

fn layer_index(project: &Project, id: &str) -> Result<usize, EditError> {
    keyed::position(&project.layers, id, EditError::UnknownLayer)
}

fn annotation_mut<'a>(project: &'a mut Project, id: &str) -> Result<&'a mut Annotation, EditError> {
    project
        .annotations
        .iter_mut()
        .find(|a| a.id == id)
        .ok_or_else(|| EditError::UnknownAnnotation(id.to_owned()))
}

impl Edit {
    /// Applies the edit; returns the edit that undoes it. On error the project is unchanged.
    pub fn apply(self, project: &mut Project) -> Result<Edit, EditError> {
        match self {
            Edit::SetLabelLanguage(language) => Ok(Edit::SetLabelLanguage(std::mem::replace(
                &mut project.label_language,
                language,
            ))),
            Edit::AddAnnotation { index, annotation } => {
                let list = &mut project.annotations;
                let id = keyed::insert(list, index, *annotation, EditError::DuplicateAnnotation)?;
                Ok(Edit::RemoveAnnotation { id })
            }
            Edit::RemoveAnnotation { id } => {
                let list = &mut project.annotations;
                let (index, a) = keyed::remove(list, &id, EditError::UnknownAnnotation)?;
                Ok(Edit::AddAnnotation {
                    index,
                    annotation: Box::new(a),
                })
            }
            Edit::SetShape { id, shape } => {
                let a = annotation_mut(project, &id)?;
                let old = std::mem::replace(&mut a.shape, shape);
                Ok(Edit::SetShape { id, shape: old })
            }
            Edit::SetField { id, field } => {
                let a = annotation_mut(project, &id)?;
                let old = field.swap_into(a);
                Ok(Edit::SetField { id, field: old })
            }
            Edit::AddCategory { index, category } => {
                let list = &mut project.categories;
                let key = keyed::insert(list, index, *category, EditError::DuplicateCategory)?;
                Ok(Edit::RemoveCategory { key })
            }
            Edit::SetCategory { key, category } => {
                let list = &mut project.categories;
                let old = keyed::replace(list, &key, *category, EditError::UnknownCategory)?;
                Ok(Edit::SetCategory {
                    key,
                    category: Box::new(old),
                })
            }
            Edit::RemoveCategory { key } => {
                let list = &mut project.categories;
                let (index, c) = keyed::remove(list, &key, EditError::UnknownCategory)?;
                Ok(Edit::AddCategory {
                    index,
                    category: Box::new(c),
                })
            }
            Edit::AddSource { index, source } => {
                let list = &mut project.sources;
                let key = keyed::insert(list, index, *source, EditError::DuplicateSource)?;
                Ok(Edit::RemoveSource { key })
            }
            Edit::RemoveSource { key } => {
                let list = &mut project.sources;
                let (index, s) = keyed::remove(list, &key, EditError::UnknownSource)?;
                Ok(Edit::AddSource {
                    index,
                    source: Box::new(s),
                })
            }
            Edit::AddLayer { index, layer } => {
                let list = &mut project.layers;
                let id = keyed::insert(list, index, *layer, EditError::DuplicateLayer)?;
                Ok(Edit::RemoveLayer { id })
            }
            Edit::SetLayer { id, layer } => {
                let old =
                    keyed::replace(&mut project.layers, &id, *layer, EditError::UnknownLayer)?;
                Ok(Edit::SetLayer {
                    id,
                    layer: Box::new(old),
                })
            }
            Edit::MoveLayer { id, to } => {
                let from = layer_index(project, &id)?;
                let layer = project.layers.remove(from);
                let to = to.min(project.layers.len());
                project.layers.insert(to, layer);
                Ok(Edit::MoveLayer { id, to: from })
            }
            Edit::RemoveLayer { id } => {
                let list = &mut project.layers;
                let (index, layer) = keyed::remove(list, &id, EditError::UnknownLayer)?;
                Ok(Edit::AddLayer {
                    index,
                    layer: Box::new(layer),
                })
            }
            Edit::Batch(edits) => {
                let mut inverses = Vec::with_capacity(edits.len());
                for edit in edits {
                    match edit.apply(project) {
                        Ok(inverse) => inverses.push(inverse),
                        Err(e) => {
                            // Roll back what was applied so a failed batch changes nothing.
                            for inverse in inverses.into_iter().rev() {
                                // Inverses of edits that just applied always apply.
                                let _ = inverse.apply(project);
                            }
                            return Err(e);
                        }
                    }
                }
                inverses.reverse();
                Ok(Edit::Batch(inverses))
            }
            Edit::SetLayerDisplay { id, display } => {
                let index = layer_index(project, &id)?;
                let Some(layer) = project.layers.get_mut(index) else {
                    return Err(EditError::UnknownLayer(id));
                };
                let old = std::mem::replace(&mut layer.display, display.map(|d| *d));
                Ok(Edit::SetLayerDisplay {
                    id,
                    display: old.map(Box::new),
                })
            }
            Edit::SetStageView { index, view } => {
                let stage = project
                    .stages
                    .get_mut(index)
                    .ok_or(EditError::UnknownStage(index))?;
                let old = std::mem::replace(&mut stage.view, view);
                Ok(Edit::SetStageView { index, view: old })
            }
            Edit::Measure(edit) => edit.apply(project).map(Edit::Measure),
        }
    }

    /// What the edit does, for the Undo/Redo menu ("move vertex", "label").
    #[must_use]
    pub fn describe(&self) -> String {
        match self {
            Edit::AddAnnotation { annotation, .. } => format!("add \"{}\"", annotation.label),
            Edit::RemoveAnnotation { id } => format!("delete {id}"),
            Edit::SetShape { .. } => "change shape".to_owned(),
            Edit::SetField { field, .. } => format!("change {}", field.name()),
            Edit::AddCategory { category, .. } => format!("add category {}", category.name),
            Edit::SetCategory { category, .. } => format!("change category {}", category.name),
            Edit::RemoveCategory { key } => format!("remove category {key}"),
            Edit::AddSource { source, .. } => format!("add source {}", source.outlet),
            Edit::RemoveSource { key } => format!("remove source {key}"),
            Edit::AddLayer { layer, .. } => format!("add layer {}", layer.name),
            Edit::SetLayer { layer, .. } => format!("change layer {}", layer.name),
            Edit::MoveLayer { id, .. } => format!("move layer {id}"),
            Edit::RemoveLayer { id } => format!("remove layer {id}"),
            Edit::SetLabelLanguage(_) => "label language".to_owned(),
            Edit::Batch(edits) => match edits.as_slice() {
                [one] => one.describe(),
                _ => format!("{} changes", edits.len()),
            },
            Edit::SetLayerDisplay { id, .. } => format!("change bands of layer {id}"),
            Edit::SetStageView { view: Some(_), .. } => "keep the view with the stage".to_owned(),
            Edit::SetStageView { view: None, .. } => "forget the stage's view".to_owned(),
            Edit::Measure(edit) => edit.describe(),
        }
    }

    /// The one annotation this edit changes without touching the scene's legend, visibility or
    /// order (a shape, label, status, note or sources change), so a cached scene can be patched.
    #[must_use]
    pub fn local_annotation(&self) -> Option<&str> {
        match self {
            Edit::SetShape { id, .. } => Some(id),
            Edit::SetField { id, field } if field.is_local() => Some(id),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::default_project::load_default_project;
    use geo::Point;

    fn project() -> Project {
        load_default_project().unwrap().project
    }

    #[test]
    fn every_edit_undone_restores_the_project_exactly() {
        let original = project();
        let first = original.annotations[0].clone();
        let mut new = first.clone();
        new.id = "new".into();
        let edits = vec![
            Edit::AddAnnotation {
                index: 3,
                annotation: Box::new(new),
            },
            Edit::RemoveAnnotation {
                id: first.id.clone(),
            },
            Edit::SetShape {
                id: first.id.clone(),
                shape: Shape::Point(Point::new(1.0, 2.0)),
            },
            Edit::SetField {
                id: first.id.clone(),
                field: AnnotationField::Label("Renamed".into()),
            },
            Edit::SetField {
                id: first.id.clone(),
                field: AnnotationField::SeenUntil(Some("2026".parse().unwrap())),
            },
            Edit::RemoveCategory {
                key: original.categories[0].key.clone(),
            },
            Edit::RemoveSource {
                key: original.sources[0].key.clone(),
            },
        ];
        for edit in edits {
            let mut p = original.clone();
            let inverse = edit.clone().apply(&mut p).unwrap();
            assert_ne!(p, original, "{edit:?} changes something");
            let redo = inverse.apply(&mut p).unwrap();
            assert_eq!(p, original, "undoing {edit:?}");
            assert_eq!(redo, edit, "the inverse of the inverse is the edit");
        }
    }

    #[test]
    fn a_failing_batch_changes_nothing() {
        let original = project();
        let mut p = original.clone();
        let id = original.annotations[0].id.clone();
        let result = Edit::Batch(vec![
            Edit::SetField {
                id: id.clone(),
                field: AnnotationField::Note("changed".into()),
            },
            Edit::RemoveAnnotation {
                id: "no-such-id".into(),
            },
        ])
        .apply(&mut p);
        assert_eq!(
            result,
            Err(EditError::UnknownAnnotation("no-such-id".into()))
        );
        assert_eq!(p, original);
    }

    #[test]
    fn adding_an_existing_id_is_refused() {
        let mut p = project();
        let dup = p.annotations[0].clone();
        let err = Edit::AddAnnotation {
            index: 0,
            annotation: Box::new(dup.clone()),
        }
        .apply(&mut p)
        .unwrap_err();
        assert_eq!(err, EditError::DuplicateAnnotation(dup.id));
    }

    #[test]
    fn a_category_keeps_its_key_when_its_style_changes() {
        let mut p = project();
        let key = p.categories[0].key.clone();
        let mut changed = p.categories[0].clone();
        changed.key = "ignored".into();
        changed.style.width_px = 9.0;
        Edit::SetCategory {
            key: key.clone(),
            category: Box::new(changed),
        }
        .apply(&mut p)
        .unwrap();
        assert_eq!(p.categories[0].key, key);
        assert!((p.categories[0].style.width_px - 9.0).abs() < f32::EPSILON);
    }
}
