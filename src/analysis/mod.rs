//! Analyses of a project's imagery: the [`change`] finder and [`align`]ment.

pub mod align;
pub mod change;
