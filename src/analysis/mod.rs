//! Analyses of a project: the [`change`] finder and [`align`]ment (imagery), and the
//! [`measures`] tracked over time (progress).

pub mod align;
pub mod change;
pub mod measures;
pub mod measures_cli;
pub mod measures_csv;
pub mod progress_chart;
