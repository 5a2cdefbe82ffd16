//! The project model: what a site project holds, and what it shows at a date. No UI in here.

pub mod annotation;
pub mod atomic_file;
pub mod category;
pub mod date;
pub mod default_project;
pub mod ids;
pub mod io;
pub mod label_place;
pub mod layer;
pub mod layer_display;
pub mod measure;
pub mod project;
pub mod project_file;
pub mod recovery;
pub mod source;
pub mod stage;
pub mod stage_view;
pub mod timeline;
pub mod tracks;

pub use annotation::{Annotation, Certainty, Mark, Shape, Status};
pub use category::{Category, Marker, Rgba, Style};
pub use date::FuzzyDate;
pub use label_place::LabelPlace;
pub use layer::{
    DateKind, FileDates, ImageryLayer, LayerSource, SYNTHETIC_CREDIT, SYNTHETIC_NOTICE,
};
pub use measure::{CountRule, Entry, EntryFrom, Measure, Quantity};
pub use project::Project;
pub use source::{Citation, Evidence, Source};
pub use stage::Stage;
pub use stage_view::{KeptFigure, KeptLayer, StageView};
