//! Analyses of a project's imagery: the [`change`] finder.

pub mod change;
