//! Model helpers around a project's file: an empty project, file names for it, and layer paths
//! that still resolve when the project moves to another folder.

use std::path::Path;

use super::Project;
use super::default_project::{self, project_base_dir};
use super::io::Loaded;

/// A project with nothing in it, viewing the same place as `like`.
#[must_use]
pub fn empty_project(like: &Project) -> Project {
    let mut p = match default_project::load_default_project() {
        Ok(Loaded { project, .. }) => project,
        // The embedded project always parses (tests check it); keep the current one's shape.
        Err(_) => like.clone(),
    };
    "Untitled project".clone_into(&mut p.name);
    p.description = String::new();
    p.home = like.home;
    p.annotations.clear();
    p.stages.clear();
    p.sources.clear();
    p.layers.clear();
    p.measures.clear();
    p.extra.clear();
    p.extra_members.clear();
    p
}

/// A file name for the project in `ext`, from its file's stem or else its name.
#[must_use]
pub fn file_name_for(project: &Project, path: Option<&Path>, ext: &str) -> String {
    let stem = path.and_then(Path::file_stem).map_or_else(
        || project.name.clone(),
        |s| s.to_string_lossy().into_owned(),
    );
    // "Tumen River road crossing (Tumangang–Khasan)" → "Tumen-River-road-crossing-Tumangang-Khasan".
    let words: Vec<&str> = stem
        .split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty())
        .collect();
    if words.is_empty() {
        format!("project.{ext}")
    } else {
        format!("{}.{ext}", words.join("-"))
    }
}

/// The project as it must be written to `to`: imagery files given relative to the old project
/// folder would not be found from another folder, so they are written as absolute paths.
#[must_use]
pub fn rebase_layer_files(project: &Project, from: Option<&Path>, to: &Path) -> Project {
    let old_base = project_base_dir(from);
    let new_base = project_base_dir(Some(to));
    let mut out = project.clone();
    if old_base == new_base {
        return out;
    }
    for layer in &mut out.layers {
        for path in layer.source.file_locations_mut() {
            let remote = path.contains("://");
            if !remote && Path::new(path.as_str()).is_relative() {
                let absolute = old_base.join(path.as_str());
                let absolute = std::fs::canonicalize(&absolute).unwrap_or(absolute);
                if let Some(text) = absolute.to_str() {
                    text.clone_into(path);
                }
            }
        }
    }
    out
}
