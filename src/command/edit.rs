//! Changes to the project and the map tools.

use crate::editing::{Edit, Tool};

/// Edits through the undo history, undo and redo, and the tool in hand.
#[derive(Clone, Debug, PartialEq)]
pub enum EditCommand {
    /// Change the project through the undo history. Edits with the same `coalesce` key in quick
    /// succession (a drag, typing) make one undo step.
    Apply {
        /// The change.
        edit: Edit,
        /// Merge key of a continuous gesture.
        coalesce: Option<String>,
    },
    /// Undo the last edit (Ctrl+Z).
    Undo,
    /// Redo the last undone edit (Ctrl+Shift+Z, Ctrl+Y).
    Redo,
    /// Pick a map tool (V, P, L, A, R, T, W, M).
    SetTool(Tool),
}
