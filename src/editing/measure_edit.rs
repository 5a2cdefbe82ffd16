//! Edits of the project's tracked measures: add, replace, remove; each returns its inverse.

use super::edit::EditError;
use super::keyed;
use crate::model::{Measure, Project};

/// A change to the project's measures, wrapped in [`super::Edit::Measure`].
#[derive(Clone, Debug, PartialEq)]
pub enum MeasureEdit {
    /// Insert a measure (clamped to the end).
    Add {
        /// Position in `Project::measures`.
        index: usize,
        /// The measure; its id must be new.
        measure: Box<Measure>,
    },
    /// Replace a measure's name, unit, quantity, entries and note (the id stays).
    Set {
        /// Measure id.
        id: String,
        /// The new measure (its id is ignored).
        measure: Box<Measure>,
    },
    /// Remove a measure.
    Remove {
        /// Its id.
        id: String,
    },
}

impl MeasureEdit {
    /// Applies the edit; returns the edit that undoes it. On error the project is unchanged.
    pub fn apply(self, project: &mut Project) -> Result<MeasureEdit, EditError> {
        match self {
            MeasureEdit::Add { index, measure } => {
                let list = &mut project.measures;
                let id = keyed::insert(list, index, *measure, EditError::DuplicateMeasure)?;
                Ok(MeasureEdit::Remove { id })
            }
            MeasureEdit::Set { id, measure } => {
                let list = &mut project.measures;
                let old = keyed::replace(list, &id, *measure, EditError::UnknownMeasure)?;
                Ok(MeasureEdit::Set {
                    id,
                    measure: Box::new(old),
                })
            }
            MeasureEdit::Remove { id } => {
                let list = &mut project.measures;
                let (index, m) = keyed::remove(list, &id, EditError::UnknownMeasure)?;
                Ok(MeasureEdit::Add {
                    index,
                    measure: Box::new(m),
                })
            }
        }
    }

    /// What the edit does, for the Undo/Redo menu.
    #[must_use]
    pub fn describe(&self) -> String {
        match self {
            MeasureEdit::Add { measure, .. } => format!("add measure \"{}\"", measure.name),
            MeasureEdit::Set { measure, .. } => format!("change measure \"{}\"", measure.name),
            MeasureEdit::Remove { id } => format!("remove measure {id}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::editing::Edit;
    use crate::model::default_project::load_default_project;

    fn project() -> Project {
        load_default_project().unwrap().project
    }

    #[test]
    fn every_measure_edit_undone_restores_the_project_exactly() {
        let original = project();
        let first = original.measures[0].clone();
        let mut new = first.clone();
        new.id = "new".into();
        let mut renamed = first.clone();
        renamed.name = "Renamed".into();
        renamed.entries.pop();
        for edit in [
            MeasureEdit::Add {
                index: 1,
                measure: Box::new(new),
            },
            MeasureEdit::Set {
                id: first.id.clone(),
                measure: Box::new(renamed),
            },
            MeasureEdit::Remove {
                id: first.id.clone(),
            },
        ] {
            let edit = Edit::Measure(edit);
            let mut p = original.clone();
            let inverse = edit.clone().apply(&mut p).unwrap();
            assert_ne!(p, original, "{edit:?} changes something");
            let redo = inverse.apply(&mut p).unwrap();
            assert_eq!(p, original, "undoing {edit:?}");
            assert_eq!(redo, edit, "the inverse of the inverse is the edit");
        }
    }

    #[test]
    fn a_duplicate_or_unknown_measure_is_refused_and_changes_nothing() {
        let original = project();
        let mut p = original.clone();
        let dup = p.measures[0].clone();
        let err = MeasureEdit::Add {
            index: 0,
            measure: Box::new(dup.clone()),
        }
        .apply(&mut p)
        .unwrap_err();
        assert_eq!(err, EditError::DuplicateMeasure(dup.id));
        let err = MeasureEdit::Remove { id: "nope".into() }
            .apply(&mut p)
            .unwrap_err();
        assert_eq!(err, EditError::UnknownMeasure("nope".into()));
        assert_eq!(p, original);
    }

    #[test]
    fn a_replaced_measure_keeps_its_id() {
        let mut p = project();
        let id = p.measures[0].id.clone();
        let mut changed = p.measures[0].clone();
        changed.id = "ignored".into();
        changed.unit = "km".into();
        MeasureEdit::Set {
            id: id.clone(),
            measure: Box::new(changed),
        }
        .apply(&mut p)
        .unwrap();
        assert_eq!(p.measures[0].id, id);
        assert_eq!(p.measures[0].unit, "km");
    }
}
