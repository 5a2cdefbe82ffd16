//! Editing: the map tools, the geometry they change, and every change as an undoable [`Edit`].
//!
//! Pure core: nothing here knows egui. The UI turns pointer and key input into edits
//! (`ui::map_edit`), the app applies them through a [`History`].

pub mod change_accept;
pub mod create;
pub mod edit;
pub mod geometry;
pub mod handles;
pub mod history;
mod keyed;
pub mod measure_edit;
pub mod summary;
pub mod synthetic;
pub mod tool;

pub use edit::{AnnotationField, Edit, EditError};
pub use history::History;
pub use measure_edit::MeasureEdit;
pub use tool::Tool;
