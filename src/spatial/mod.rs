//! Spatial maths with no UI in it: projections, extents, geodesic measures.

pub mod coords;
pub mod extent;
pub mod index;
pub mod measure;
pub mod mercator;
pub mod scale_bar;
pub mod snap;

pub use extent::LonLatBox;
