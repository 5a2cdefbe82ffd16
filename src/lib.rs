//! Sitewatch: a desktop GIS viewer for watching a construction site change through dated imagery.
//!
//! Flow: files & services → [`model`] → [`scene`] → backends (the window, export);
//! UI → [`command::Command`] → model. Nothing in `model`, `spatial`, `imagery` or `scene` knows egui.
#![deny(clippy::unwrap_used)]

pub mod analysis;
#[cfg(feature = "gui")]
pub mod app;
pub mod command;
pub mod editing;
pub mod error_chain;
pub mod export;
pub mod fuzz_targets;
pub mod imagery;
pub mod interchange;
pub mod model;
pub mod render;
pub mod scene;
#[cfg(feature = "gui")]
pub mod screenshot;
pub mod spatial;
#[cfg(feature = "gui")]
pub mod ui;
