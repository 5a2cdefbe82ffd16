//! What the UI asks for. UI functions return commands; the app applies them once per frame.
//!
//! One enum per area, each in its own file, so that work on one area never collides with
//! another's in a single enum.

mod changes;
mod compare;
mod edit;
mod export;
mod files;
mod find_imagery;
mod imagery;
mod preferences;
mod progress;
mod time;
mod view;
mod wayback;
mod wmts;

pub use changes::{ChangesCommand, ChangesRequest};
pub use compare::{BLINK_RATES, CompareCommand, CompareMode};
pub use compare::{CompareSide, CompareStretch, MAX_PANES};
pub use edit::EditCommand;
pub use export::ExportCommand;
pub use files::{FileCommand, UnsavedChoice};
pub use find_imagery::{FindImageryCommand, ImagerySearch, ImagerySource};
pub use imagery::ImageryCommand;
pub use preferences::PreferencesCommand;
pub use progress::ProgressCommand;
pub use time::TimeCommand;
pub use view::ViewCommand;
pub use wayback::WaybackCommand;
pub use wmts::{WmtsChoice, WmtsCommand};

/// One thing the user asked for, by area.
#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    /// The time slider and playing through the stages.
    Time(TimeCommand),
    /// What the map and panels show (selection, zoom, basemap, panels, messages).
    View(ViewCommand),
    /// Projects and annotation files: open, save, import, export, recovery.
    File(FileCommand),
    /// Imagery layers.
    Imagery(ImageryCommand),
    /// Figure export (the Export… dialog).
    Export(ExportCommand),
    /// Changes to the project through the undo history, and the map tools.
    Edit(EditCommand),
    /// Comparing two dates on the map.
    Compare(CompareCommand),
    /// The Progress window: the chart of tracked measures and its CSV.
    Progress(ProgressCommand),
    /// The change finder's window and the review of its candidates.
    Changes(ChangesCommand),
    /// The Find imagery window: STAC searches and adding their scenes as layers.
    FindImagery(FindImageryCommand),
    /// The Wayback captures window: distinct captures under the view and adding them.
    Wayback(WaybackCommand),
    /// The Add WMTS layers window: a service's capabilities, its layers and dated series.
    Wmts(WmtsCommand),
    /// The Preferences window: the tile cache's cap and Clear.
    Preferences(PreferencesCommand),
}

macro_rules! from_area {
    ($($area:ident: $ty:ty),*) => {$(
        impl From<$ty> for Command {
            fn from(c: $ty) -> Self {
                Self::$area(c)
            }
        }
    )*};
}

from_area!(Time: TimeCommand, View: ViewCommand, File: FileCommand, Imagery: ImageryCommand,
    Export: ExportCommand, Edit: EditCommand, Compare: CompareCommand,
    Progress: ProgressCommand, Changes: ChangesCommand, FindImagery: FindImageryCommand);
from_area!(Wayback: WaybackCommand);
from_area!(Wmts: WmtsCommand);
from_area!(Preferences: PreferencesCommand);

impl Command {
    /// An edit applied as its own undo step.
    #[must_use]
    pub fn edit(edit: crate::editing::Edit) -> Self {
        Self::Edit(EditCommand::Apply {
            edit,
            coalesce: None,
        })
    }
}
