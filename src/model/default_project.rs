//! The embedded default project: the Tumen River road crossing.
//!
//! The file in `assets/` is compiled into the binary so the app opens it whatever the working
//! directory, and it goes through the same loader as any user file.

use std::path::{Path, PathBuf};

use super::io::{Loaded, ProjectError, parse};

/// The default project's GeoJSON text, as shipped in `assets/tumen-crossing.geojson`.
pub const DEFAULT_PROJECT_TEXT: &str = include_str!("../../assets/tumen-crossing.geojson");

/// What error messages call the embedded project.
pub const DEFAULT_PROJECT_ORIGIN: &str = "embedded default project (assets/tumen-crossing.geojson)";

/// Loads the embedded default project through the ordinary loader.
pub fn load_default_project() -> Result<Loaded, ProjectError> {
    parse(DEFAULT_PROJECT_TEXT, DEFAULT_PROJECT_ORIGIN)
}

/// The project a command line names: `default` for the embedded project, else a file. Its
/// warnings are printed to standard error, as every subcommand reports them.
pub fn load_project_arg(arg: &str) -> Result<Loaded, ProjectError> {
    let loaded = if arg == "default" {
        load_default_project()?
    } else {
        super::io::load(Path::new(arg))?
    };
    for warning in &loaded.warnings {
        eprintln!("warning: {warning}");
    }
    Ok(loaded)
}

/// The source tree's `assets/` folder at build time.
pub const BUILD_ASSETS_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/assets");

/// The folder the embedded project's relative paths (its imagery) resolve from, as if the
/// project file still lay in `assets/`: the build-time `assets/` when it exists (running from a
/// checkout), else an `assets` folder beside the executable (an installed copy), else the
/// build-time path anyway, so a missing file is reported with a path that says where it was
/// looked for.
#[must_use]
pub fn default_project_base_dir() -> PathBuf {
    let built = PathBuf::from(BUILD_ASSETS_DIR);
    if built.is_dir() {
        return built;
    }
    let beside_exe = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(|dir| dir.join("assets")));
    match beside_exe {
        Some(dir) if dir.is_dir() => dir,
        _ => built,
    }
}

/// The folder a project's relative layer paths resolve from: the project file's folder, or for
/// the embedded default project (no file) [`default_project_base_dir`].
#[must_use]
pub fn project_base_dir(project_file: Option<&Path>) -> PathBuf {
    match project_file {
        Some(file) => file
            .parent()
            .filter(|dir| !dir.as_os_str().is_empty())
            .map_or_else(|| PathBuf::from("."), Path::to_path_buf),
        None => default_project_base_dir(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_project_resolves_from_the_assets_folder() {
        let base = default_project_base_dir();
        assert!(
            base.join("tumen-crossing.geojson").is_file(),
            "{}",
            base.display()
        );
        assert_eq!(project_base_dir(None), base);
    }

    #[test]
    fn a_project_file_resolves_from_its_own_folder() {
        assert_eq!(
            project_base_dir(Some(Path::new("/data/site/p.geojson"))),
            PathBuf::from("/data/site")
        );
        assert_eq!(
            project_base_dir(Some(Path::new("p.geojson"))),
            PathBuf::from(".")
        );
    }
}
