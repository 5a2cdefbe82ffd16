//! Analyses of a project: the [`change`] finder (imagery) and the [`measures`] tracked over
//! time (progress).

pub mod change;
pub mod measures;
pub mod measures_cli;
pub mod measures_csv;
pub mod progress_chart;
