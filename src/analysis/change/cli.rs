//! `sitewatch changes PROJECT --from D1 --to D2 [--track T] [--bbox W,S,E,N] --out changes.geojson`:
//! the change finder headless.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use geo::{Coord, LineString, Polygon};
use serde_json::Value;

use super::options::{ChangeOptions, DEFAULT_MIN_AREA_M2, DEFAULT_SENSITIVITY};
use super::{ChangeError, find_changes, geojson};
use crate::export::args::{ArgError, parse_bbox};
use crate::model::FuzzyDate;
use crate::model::date::DateParseError;
use crate::model::default_project::{load_project_arg, project_base_dir};
use crate::model::io::ProjectError;

/// `sitewatch changes …`
#[derive(clap::Args, Debug, Clone)]
pub struct ChangesArgs {
    /// Project file, or `default` for the embedded project.
    pub project: String,

    /// The earlier date (2025-06-02, 2025-06, summer 2025 …): the track's layer shown on the
    /// last day of that period.
    #[arg(long)]
    pub from: String,

    /// The later date, read the same way.
    #[arg(long)]
    pub to: String,

    /// The track to compare on; needed when more than one track has layers at both dates.
    #[arg(long)]
    pub track: Option<String>,

    /// Only look inside this box (degrees).
    #[arg(long, value_name = "W,S,E,N", allow_hyphen_values = true)]
    pub bbox: Option<String>,

    /// Write the candidates here (GeoJSON, RFC 7946 lon/lat).
    #[arg(long, value_name = "GEOJSON")]
    pub out: PathBuf,

    /// Smallest region reported, m².
    #[arg(long, value_name = "M2", default_value_t = DEFAULT_MIN_AREA_M2, allow_hyphen_values = true)]
    pub min_area: f64,

    /// 0 (only the strongest changes) to 1 (the faintest); 0.5 thresholds at 6 σ.
    #[arg(long, default_value_t = DEFAULT_SENSITIVITY, allow_hyphen_values = true)]
    pub sensitivity: f64,

    /// Areas to leave out (clouds, shadows): a GeoJSON file of polygons in lon/lat.
    #[arg(long, value_name = "GEOJSON")]
    pub mask: Option<PathBuf>,
}

/// Why `sitewatch changes` failed. Files come last.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// The project did not load.
    #[error(transparent)]
    Project(#[from] ProjectError),
    /// A date did not parse.
    #[error("--{which}")]
    Date {
        /// `from` or `to`.
        which: &'static str,
        /// Why.
        #[source]
        source: DateParseError,
    },
    /// The box did not parse.
    #[error(transparent)]
    BBox(#[from] ArgError),
    /// The sensitivity is out of range.
    #[error("--sensitivity must be between 0 and 1: {0}")]
    Sensitivity(f64),
    /// The minimum area is negative or not a number.
    #[error("--min-area must be a number of square metres, 0 or more: {0}")]
    MinArea(f64),
    /// The mask file could not be read.
    #[error("cannot read the mask: {path}")]
    MaskRead {
        /// The OS error.
        #[source]
        source: std::io::Error,
        /// The file.
        path: PathBuf,
    },
    /// The mask file holds no polygons, or not GeoJSON.
    #[error("the mask must be GeoJSON with Polygon or MultiPolygon geometries ({reason}): {path}")]
    Mask {
        /// What is wrong.
        reason: String,
        /// The file.
        path: PathBuf,
    },
    /// The finder failed.
    #[error(transparent)]
    Change(#[from] ChangeError),
    /// The output could not be written.
    #[error(transparent)]
    Write(#[from] geojson::WriteError),
}

fn ring(value: &Value) -> Option<LineString<f64>> {
    let coords: Option<Vec<Coord<f64>>> = value
        .as_array()?
        .iter()
        .map(|p| {
            let p = p.as_array()?;
            Some(Coord {
                x: p.first()?.as_f64()?,
                y: p.get(1)?.as_f64()?,
            })
        })
        .collect();
    Some(LineString::from(coords?))
}

fn polygon(value: &Value) -> Option<Polygon<f64>> {
    let rings: Option<Vec<LineString<f64>>> = value.as_array()?.iter().map(ring).collect();
    let mut rings = rings?.into_iter();
    Some(Polygon::new(rings.next()?, rings.collect()))
}

/// Polygons of a GeoJSON text: a `FeatureCollection`, `Feature` or bare geometry (`Polygon`,
/// `MultiPolygon`, `GeometryCollection`); other geometries are ignored.
pub fn polygons_of_geojson(text: &str) -> Result<Vec<Polygon<f64>>, String> {
    fn walk(value: &Value, out: &mut Vec<Polygon<f64>>) -> Result<(), String> {
        let bad = |what: &str| format!("a {what} with bad coordinates");
        match value.get("type").and_then(Value::as_str) {
            Some("FeatureCollection") => {
                for f in value
                    .get("features")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    walk(f, out)?;
                }
            }
            Some("Feature") => {
                if let Some(g) = value.get("geometry").filter(|g| !g.is_null()) {
                    walk(g, out)?;
                }
            }
            Some("GeometryCollection") => {
                for g in value
                    .get("geometries")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    walk(g, out)?;
                }
            }
            Some("Polygon") => {
                out.push(
                    value
                        .get("coordinates")
                        .and_then(polygon)
                        .ok_or_else(|| bad("Polygon"))?,
                );
            }
            Some("MultiPolygon") => {
                let parts = value
                    .get("coordinates")
                    .and_then(Value::as_array)
                    .ok_or_else(|| bad("MultiPolygon"))?;
                for part in parts {
                    out.push(polygon(part).ok_or_else(|| bad("MultiPolygon"))?);
                }
            }
            Some(_) => {}
            None => return Err("an object without a GeoJSON type".to_owned()),
        }
        Ok(())
    }
    let value: Value = serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
    let mut out = Vec::new();
    walk(&value, &mut out)?;
    if out.is_empty() {
        return Err("no polygons".to_owned());
    }
    Ok(out)
}

fn read_mask(path: &Path) -> Result<Vec<Polygon<f64>>, CliError> {
    let text = std::fs::read_to_string(path).map_err(|source| CliError::MaskRead {
        source,
        path: path.to_path_buf(),
    })?;
    polygons_of_geojson(&text).map_err(|reason| CliError::Mask {
        reason,
        path: path.to_path_buf(),
    })
}

fn date(which: &'static str, text: &str) -> Result<FuzzyDate, CliError> {
    text.parse()
        .map_err(|source| CliError::Date { which, source })
}

/// Runs `sitewatch changes`: checks every argument before reading any pixel, then writes the
/// candidates and says on stderr what was compared and how many were found.
pub fn run(args: &ChangesArgs) -> Result<ExitCode, CliError> {
    let from = date("from", &args.from)?;
    let to = date("to", &args.to)?;
    let area_of_interest = args.bbox.as_deref().map(parse_bbox).transpose()?;
    if !(0.0..=1.0).contains(&args.sensitivity) {
        return Err(CliError::Sensitivity(args.sensitivity));
    }
    if !(args.min_area.is_finite() && args.min_area >= 0.0) {
        return Err(CliError::MinArea(args.min_area));
    }
    let exclude = args
        .mask
        .as_deref()
        .map(read_mask)
        .transpose()?
        .unwrap_or_default();
    let default = args.project == "default";
    let loaded = load_project_arg(&args.project)?;
    let base_dir = project_base_dir((!default).then(|| Path::new(&args.project)));
    let options = ChangeOptions {
        area_of_interest,
        min_area_m2: args.min_area,
        sensitivity: args.sensitivity,
        exclude,
    };
    let report = find_changes(
        &loaded.project,
        &base_dir,
        from,
        to,
        args.track.as_deref(),
        &options,
    )?;
    geojson::write(&report, &args.out)?;
    eprintln!(
        "{} candidate change(s) on track '{}' between {} ({}) and {} ({}), {}×{} px at {:.2} σ: wrote {}",
        report.candidates.len(),
        report.track,
        report.before_layer,
        report.before_date,
        report.after_layer,
        report.after_date,
        report.grid.width,
        report.grid.height,
        report.threshold_sigma,
        args.out.display()
    );
    Ok(ExitCode::SUCCESS)
}
