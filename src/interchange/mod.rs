//! Interchange with other tools: annotations in and out as `GeoJSON` (RFC 7946: QGIS, GDAL) and
//! KML (Google Earth, with time spans for its slider).
//!
//! Import is lenient and says what it did: features that cannot be imported are skipped with a
//! reason, the rest come in as one undoable step ([`import_edit`]); a file that cannot be read
//! at all is an error and changes nothing. Properties this version does not know are kept and
//! written back on export.

pub mod geojson;
pub mod kml;
mod mapping;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use crate::editing::Edit;
use crate::model::{Annotation, Category, Project};

pub use mapping::{RawFeature, check_position};

/// Why a file could not be imported or exported. The current project is unchanged.
#[derive(Debug, thiserror::Error)]
pub enum InterchangeError {
    /// The file could not be read.
    #[error("cannot read the file ({source}): {origin}")]
    Read {
        /// Which file.
        origin: String,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// The file could not be written; a previous file there is untouched.
    #[error("cannot write the file ({source}): {origin}")]
    Write {
        /// Which file.
        origin: String,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// The text is not JSON.
    #[error("not valid JSON at line {line}, column {column}: {origin}")]
    Json {
        /// Which file.
        origin: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// The parser's error.
        #[source]
        source: serde_json::Error,
    },
    /// The text is not XML the KML reader understands.
    #[error("not valid KML ({source}): {origin}")]
    Kml {
        /// Which file.
        origin: String,
        /// The reader's error.
        #[source]
        source: ::kml::Error,
    },
    /// Well-formed, but not what the format requires (no features, wrong type …).
    #[error("not a GeoJSON or KML file this can import ({what}): {origin}")]
    Invalid {
        /// Which file.
        origin: String,
        /// What is wrong.
        what: String,
    },
    /// Coordinates in a reference system this cannot convert.
    #[error(
        "coordinates are in {crs}; only WGS 84 longitude/latitude (CRS84, EPSG:4326) and Web Mercator (EPSG:3857) can be imported: {origin}"
    )]
    UnsupportedCrs {
        /// Which file.
        origin: String,
        /// The CRS named by the file.
        crs: String,
    },
    /// A file type neither `GeoJSON` nor KML.
    #[error("unknown file type (use .geojson, .json or .kml): {origin}")]
    UnknownFormat {
        /// Which file.
        origin: String,
    },
}

/// An interchange format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// RFC 7946 `GeoJSON`.
    GeoJson,
    /// OGC KML 2.2.
    Kml,
}

impl Format {
    /// The format a path's extension names.
    #[must_use]
    pub fn of_path(path: &Path) -> Option<Self> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "geojson" | "json" => Some(Format::GeoJson),
            "kml" => Some(Format::Kml),
            _ => None,
        }
    }

    /// Its usual extension.
    #[must_use]
    pub fn extension(self) -> &'static str {
        match self {
            Format::GeoJson => "geojson",
            Format::Kml => "kml",
        }
    }

    /// Its name in menus.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Format::GeoJson => "GeoJSON",
            Format::Kml => "KML",
        }
    }
}

/// What an import found.
#[derive(Debug, Default)]
pub struct Imported {
    /// The annotations, with ids unique in the project.
    pub annotations: Vec<Annotation>,
    /// Categories named by the file that the project lacks.
    pub new_categories: Vec<Category>,
    /// Features not imported, with why ("feature 4 (id 7): a `LineString` needs two positions").
    pub skipped: Vec<String>,
    /// Things imported but worth knowing (a self-intersecting polygon, a date defaulted).
    pub warnings: Vec<String>,
}

impl Imported {
    /// One line for the message banner: what came in and what did not.
    #[must_use]
    pub fn summary(&self, origin: &str) -> String {
        let mut text = format!(
            "Imported {} annotation(s) from {origin}",
            self.annotations.len()
        );
        if !self.new_categories.is_empty() {
            let names: Vec<&str> = self
                .new_categories
                .iter()
                .map(|c| c.name.as_str())
                .collect();
            let _ = write!(text, "; new categories: {}", names.join(", "));
        }
        if !self.skipped.is_empty() {
            let _ = write!(
                text,
                "; skipped {}: {}",
                self.skipped.len(),
                self.skipped.join("; ")
            );
        }
        text
    }
}

/// Reads a `GeoJSON` or KML file (by extension) against the project it will join.
pub fn import_file(
    path: &Path,
    project: &Project,
    default_date: NaiveDate,
) -> Result<Imported, InterchangeError> {
    let origin = path.display().to_string();
    let format = Format::of_path(path).ok_or_else(|| InterchangeError::UnknownFormat {
        origin: origin.clone(),
    })?;
    let text = std::fs::read_to_string(path).map_err(|source| InterchangeError::Read {
        origin: origin.clone(),
        source,
    })?;
    match format {
        Format::GeoJson => geojson::import_str(&text, &origin, project, default_date),
        Format::Kml => kml::import_str(&text, &origin, project, default_date),
    }
}

/// Writes the project's annotations to a `GeoJSON` or KML file, atomically.
pub fn export_file(path: &Path, project: &Project, format: Format) -> Result<(), InterchangeError> {
    let origin = path.display().to_string();
    let text = match format {
        Format::GeoJson => geojson::export_string(project),
        Format::Kml => kml::export_string(project).map_err(|source| InterchangeError::Kml {
            origin: origin.clone(),
            source,
        })?,
    };
    crate::model::io::write_atomic(path, text.as_bytes())
        .map_err(|source| InterchangeError::Write { origin, source })
}

/// The one undoable edit that adds what was imported; `None` when nothing was.
#[must_use]
pub fn import_edit(project: &Project, imported: &Imported) -> Option<Edit> {
    if imported.annotations.is_empty() {
        return None;
    }
    let categories = imported
        .new_categories
        .iter()
        .enumerate()
        .map(|(i, c)| Edit::AddCategory {
            index: project.categories.len() + i,
            category: Box::new(c.clone()),
        });
    let annotations = imported
        .annotations
        .iter()
        .enumerate()
        .map(|(i, a)| Edit::AddAnnotation {
            index: project.annotations.len() + i,
            annotation: Box::new(a.clone()),
        });
    Some(Edit::Batch(categories.chain(annotations).collect()))
}

/// Files dropped on the window that can be imported, and those that cannot (with why).
pub fn sort_dropped(paths: impl IntoIterator<Item = PathBuf>) -> (Vec<PathBuf>, Vec<String>) {
    let mut ok = Vec::new();
    let mut refused = Vec::new();
    for p in paths {
        if Format::of_path(&p).is_some() {
            ok.push(p);
        } else if crate::imagery::layer_file::is_imagery_path(&p) {
            // Imagery files become layers (the app's imagery side picks them up).
        } else {
            refused.push(format!(
                "{} is neither GeoJSON or KML (.geojson, .json, .kml) nor imagery (.tif, .png, .jpg)",
                p.display()
            ));
        }
    }
    (ok, refused)
}
