//! The embedded default project: the Tumen River road crossing.
//!
//! The file in `assets/` is compiled into the binary so the app opens it whatever the working
//! directory, and it goes through the same loader as any user file.

use super::io::{Loaded, ProjectError, parse};

/// The default project's GeoJSON text, as shipped in `assets/tumen-crossing.geojson`.
pub const DEFAULT_PROJECT_TEXT: &str = include_str!("../../assets/tumen-crossing.geojson");

/// What error messages call the embedded project.
pub const DEFAULT_PROJECT_ORIGIN: &str = "embedded default project (assets/tumen-crossing.geojson)";

/// Loads the embedded default project through the ordinary loader.
pub fn load_default_project() -> Result<Loaded, ProjectError> {
    parse(DEFAULT_PROJECT_TEXT, DEFAULT_PROJECT_ORIGIN)
}
