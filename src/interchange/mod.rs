//! Interchange with other tools: annotations in and out as `GeoJSON` (RFC 7946: QGIS, GDAL) and
//! KML (Google Earth, with time spans for its slider).
//!
//! Import is lenient and says what it did: features that cannot be imported are skipped with a
//! reason, the rest come in as one undoable step ([`import_edit`]); a file that cannot be read
//! at all is an error and changes nothing. Properties this version does not know are kept and
//! written back on export.

pub mod coords;
pub mod csv;
pub mod geojson;
pub mod gpkg;
pub mod gpx;
pub mod ground_overlay;
mod gx_track;
pub mod kml;
pub mod kmz;
mod mapping;
pub mod mgrs;
pub mod shapefile;
pub mod wkb;
mod wkt_geometry;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use crate::editing::Edit;
use crate::model::{Annotation, Category, Project};

pub use csv::{CsvColumns, CsvLayout, CsvOptions};
pub use ground_overlay::GroundOverlay;
pub use mapping::{RawFeature, check_position};
pub use shapefile::ShapefileOptions;

/// Why a file could not be imported or exported. The current project is unchanged.
#[derive(Debug, thiserror::Error)]
pub enum InterchangeError {
    /// The file could not be read.
    #[error("cannot read the file: {origin}")]
    Read {
        /// Which file.
        origin: String,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// The file could not be written; a previous file there is untouched.
    #[error("cannot write the file: {origin}")]
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
    #[error("not valid KML: {origin}")]
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
    /// Well-formed as far as its container goes, but not what the named format requires.
    #[error("not a {format} file this can import ({what}): {origin}")]
    Malformed {
        /// Which file.
        origin: String,
        /// The format it was read as ("CSV", "GPX", "KMZ", "Shapefile").
        format: &'static str,
        /// What is wrong.
        what: String,
    },
    /// The CSV reader failed (broken quoting, bytes that are not UTF-8).
    #[error("cannot read the CSV: {origin}")]
    Csv {
        /// Which file.
        origin: String,
        /// The reader's error.
        #[source]
        source: ::csv::Error,
    },
    /// The GPX reader failed.
    #[error("not valid GPX: {origin}")]
    Gpx {
        /// Which file.
        origin: String,
        /// The reader's error.
        #[source]
        source: ::gpx::errors::GpxError,
    },
    /// The KMZ archive could not be read or written.
    #[error("not a readable KMZ (zip) archive: {origin}")]
    Zip {
        /// Which file.
        origin: String,
        /// The archive's error.
        #[source]
        source: ::zip::result::ZipError,
    },
    /// The `GeoPackage` (`SQLite`) could not be read or written.
    #[error("cannot read or write the GeoPackage: {origin}")]
    GeoPackage {
        /// Which file.
        origin: String,
        /// `SQLite`'s error.
        #[source]
        source: ::rusqlite::Error,
    },
    /// The Shapefile (`.shp`, `.shx` or `.dbf`) could not be read.
    #[error("cannot read the Shapefile: {origin}")]
    Shapefile {
        /// Which file.
        origin: String,
        /// The reader's error.
        #[source]
        source: ::shapefile::Error,
    },
    /// The attribute table's text is not UTF-8 and no `.cpg` names its encoding: the user must
    /// choose one ([`ShapefileOptions::encoding`]).
    #[error(
        "the attribute table is not UTF-8 and no .cpg file names its encoding (choose one, e.g. CP949 for Korean or CP1251 for Russian): {origin}"
    )]
    UnknownEncoding {
        /// Which `.dbf`.
        origin: String,
    },
    /// The `.prj` names a CRS that cannot be converted to longitude/latitude.
    #[error("the .prj names a coordinate system this cannot convert: {origin}")]
    Projection {
        /// Which `.prj`.
        origin: String,
        /// Why.
        #[source]
        source: crate::imagery::raster::crs::CrsError,
    },
    /// The format can be imported but not written.
    #[error(
        "{format} files can be imported but not written (export as GeoJSON, KML, KMZ or GeoPackage): {origin}"
    )]
    ExportUnsupported {
        /// Which file.
        origin: String,
        /// The format's name.
        format: &'static str,
    },
    /// A file type neither `GeoJSON` nor KML.
    #[error(
        "unknown file type (use .geojson, .json, .kml, .kmz, .csv, .gpx, .shp or .gpkg): {origin}"
    )]
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
    /// KML zipped with its icons and overlay images (Google Earth).
    Kmz,
    /// Comma- or semicolon-separated values with coordinate columns (spreadsheets).
    Csv,
    /// GPS Exchange Format 1.0/1.1: waypoints, tracks, routes.
    Gpx,
    /// ESRI Shapefile: `.shp` with its `.shx`, `.dbf`, `.prj` and `.cpg` beside it.
    Shapefile,
    /// OGC `GeoPackage`: feature tables in `SQLite`.
    GeoPackage,
}

impl Format {
    /// The format a path's extension names.
    #[must_use]
    pub fn of_path(path: &Path) -> Option<Self> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "geojson" | "json" => Some(Format::GeoJson),
            "kml" => Some(Format::Kml),
            "kmz" => Some(Format::Kmz),
            "csv" => Some(Format::Csv),
            "gpx" => Some(Format::Gpx),
            "shp" => Some(Format::Shapefile),
            "gpkg" => Some(Format::GeoPackage),
            _ => None,
        }
    }

    /// Every format, in the order an "Import" file dialog lists them.
    pub const ALL: [Format; 7] = [
        Format::GeoJson,
        Format::Kml,
        Format::Kmz,
        Format::Csv,
        Format::Gpx,
        Format::Shapefile,
        Format::GeoPackage,
    ];

    /// The formats annotations can be exported to.
    pub const EXPORTABLE: [Format; 4] = [
        Format::GeoJson,
        Format::Kml,
        Format::Kmz,
        Format::GeoPackage,
    ];

    /// True when [`export_file`] can write it.
    #[must_use]
    pub fn can_export(self) -> bool {
        Self::EXPORTABLE.contains(&self)
    }

    /// Every extension it is recognised by, for file-dialog filters.
    #[must_use]
    pub fn extensions(self) -> &'static [&'static str] {
        match self {
            Format::GeoJson => &["geojson", "json"],
            Format::Kml => &["kml"],
            Format::Kmz => &["kmz"],
            Format::Csv => &["csv"],
            Format::Gpx => &["gpx"],
            Format::Shapefile => &["shp"],
            Format::GeoPackage => &["gpkg"],
        }
    }

    /// Its usual extension.
    #[must_use]
    pub fn extension(self) -> &'static str {
        match self {
            Format::GeoJson => "geojson",
            Format::Kml => "kml",
            Format::Kmz => "kmz",
            Format::Csv => "csv",
            Format::Gpx => "gpx",
            Format::Shapefile => "shp",
            Format::GeoPackage => "gpkg",
        }
    }

    /// Its name in menus.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Format::GeoJson => "GeoJSON",
            Format::Kml => "KML",
            Format::Kmz => "KMZ",
            Format::Csv => "CSV",
            Format::Gpx => "GPX",
            Format::Shapefile => "Shapefile",
            Format::GeoPackage => "GeoPackage",
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
    /// KML/KMZ `GroundOverlay`s: images to open as imagery layers (not annotations).
    pub ground_overlays: Vec<GroundOverlay>,
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

/// Choices a file dialog can make before an import; the default guesses everything.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ImportOptions {
    /// Delimiter, decimal comma and columns of a CSV.
    pub csv: CsvOptions,
    /// The text encoding of a Shapefile's attribute table.
    pub shapefile: ShapefileOptions,
}

/// Reads a file of any [`Format`] (by extension) against the project it will join, guessing
/// what a dialog could choose.
pub fn import_file(
    path: &Path,
    project: &Project,
    default_date: NaiveDate,
) -> Result<Imported, InterchangeError> {
    import_file_with(path, project, default_date, &ImportOptions::default())
}

fn read_text(path: &Path, origin: &str) -> Result<String, InterchangeError> {
    std::fs::read_to_string(path).map_err(|source| InterchangeError::Read {
        origin: origin.to_owned(),
        source,
    })
}

/// Reads a file of any [`Format`] (by extension) with the choices a dialog made.
pub fn import_file_with(
    path: &Path,
    project: &Project,
    default_date: NaiveDate,
    options: &ImportOptions,
) -> Result<Imported, InterchangeError> {
    let origin = path.display().to_string();
    let format = Format::of_path(path).ok_or_else(|| InterchangeError::UnknownFormat {
        origin: origin.clone(),
    })?;
    match format {
        Format::GeoJson => {
            geojson::import_str(&read_text(path, &origin)?, &origin, project, default_date)
        }
        Format::Kml => {
            let text = read_text(path, &origin)?;
            let mut imported = kml::import_str(&text, &origin, project, default_date)?;
            imported.ground_overlays = ground_overlay::find(&text, false);
            Ok(imported)
        }
        Format::Csv => {
            let bytes = std::fs::read(path).map_err(|source| InterchangeError::Read {
                origin: origin.clone(),
                source,
            })?;
            csv::import_bytes(&bytes, &origin, project, default_date, &options.csv)
        }
        Format::Gpx => {
            let bytes = std::fs::read(path).map_err(|source| InterchangeError::Read {
                origin: origin.clone(),
                source,
            })?;
            gpx::import_bytes(&bytes, &origin, project, default_date)
        }
        Format::Kmz => kmz::import_file(path, project, default_date),
        Format::Shapefile => {
            shapefile::import_file(path, project, default_date, &options.shapefile)
        }
        Format::GeoPackage => gpkg::import_file(path, project, default_date),
    }
}

/// Writes the project's annotations to a `GeoJSON`, KML, KMZ or `GeoPackage` file, atomically.
pub fn export_file(path: &Path, project: &Project, format: Format) -> Result<(), InterchangeError> {
    let origin = path.display().to_string();
    if format == Format::GeoPackage {
        return gpkg::export_file(path, project);
    }
    let bytes = match format {
        Format::GeoJson => geojson::export_string(project).into_bytes(),
        Format::Kml => kml::export_string(project)
            .map_err(|source| InterchangeError::Kml {
                origin: origin.clone(),
                source,
            })?
            .into_bytes(),
        Format::Kmz => kmz::export_bytes(project, &origin)?,
        Format::Csv | Format::Gpx | Format::Shapefile | Format::GeoPackage => {
            return Err(InterchangeError::ExportUnsupported {
                origin,
                format: format.name(),
            });
        }
    };
    crate::model::io::write_atomic(path, &bytes)
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
    let paths: Vec<PathBuf> = paths.into_iter().collect();
    let mut ok = Vec::new();
    let mut refused = Vec::new();
    for p in paths.iter().cloned() {
        if Format::of_path(&p).is_some() {
            ok.push(p);
        } else if shapefile::is_sidecar_of_any(&p, &paths) {
            // A .dbf, .shx, .prj or .cpg dropped with its .shp is read with it.
        } else if crate::imagery::layer_file::is_imagery_path(&p) {
            // Imagery files become layers (the app's imagery side picks them up).
        } else {
            refused.push(format!(
                "{} is neither annotations (.geojson, .json, .kml, .kmz, .csv, .gpx, .shp, .gpkg) nor imagery (.tif, .png, .jpg)",
                p.display()
            ));
        }
    }
    (ok, refused)
}
