//! The project file: an RFC 7946 GeoJSON FeatureCollection.
//!
//! Annotations are its features; everything else lives in one foreign member, `"sitewatch"`, with
//! a format version, so `ogrinfo` and QGIS open a project file as it is. Fields this version does
//! not know are kept and written back. Saves are atomic: temp file, fsync, rename.

use std::path::Path;
use std::time::SystemTime;

use geo::{Coord, LineString, Point, Polygon};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use super::annotation::{Annotation, Certainty, Mark, Shape, Status};
use super::atomic_file::resolve_target;
pub use super::atomic_file::{
    STALE_TEMP_AGE, WriteStep, remove_stale_temps, rename_into_place, write_atomic,
    write_atomic_with, write_temp_beside,
};
use super::category::Category;
use super::date::FuzzyDate;
use super::layer::ImageryLayer;
use super::project::Project;
use super::source::{Citation, Source};
use super::stage::Stage;
use super::tracks::TrackSettings;
use crate::spatial::LonLatBox;

/// The format version this build writes.
pub const FORMAT_VERSION: u32 = 1;

/// Why a project could not be loaded or saved. The file (or origin) comes last in each message.
#[derive(Debug, thiserror::Error)]
pub enum ProjectError {
    /// The file could not be read.
    #[error("cannot read the project file: {origin}")]
    Read {
        /// Which file.
        origin: String,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// The text is not JSON, or not the shape of a Sitewatch project.
    #[error("not a valid Sitewatch project at line {line}, column {column}: {origin}")]
    Json {
        /// Which file.
        origin: String,
        /// 1-based line of the problem.
        line: usize,
        /// 1-based column of the problem.
        column: usize,
        /// What is wrong there.
        message: String,
        /// The parser's error.
        #[source]
        source: serde_json::Error,
    },
    /// The JSON parses but breaks a rule (duplicate id, coordinates out of range …).
    #[error("invalid project ({what}): {origin}")]
    Invalid {
        /// Which file.
        origin: String,
        /// What is wrong and where (feature number and id).
        what: String,
    },
    /// The project could not be turned into text; nothing was written.
    #[error("cannot write the project as JSON: {origin}")]
    Serialize {
        /// Which file it was meant for.
        origin: String,
        /// The serialiser's error.
        #[source]
        source: serde_json::Error,
    },
    /// The project file is read-only: it is not replaced (save it under another name).
    #[error("the project file is read-only; use Save As to keep the changes elsewhere: {origin}")]
    ReadOnly {
        /// Which file.
        origin: String,
    },
    /// The file could not be written; the previous file, if any, is untouched.
    #[error("cannot save the project: {origin}")]
    Write {
        /// Which file.
        origin: String,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
}

/// A loaded project and what was odd about it but not fatal.
#[derive(Debug)]
pub struct Loaded {
    /// The project.
    pub project: Project,
    /// Things the user should know (unknown category or source keys, a newer format version).
    pub warnings: Vec<String>,
}

#[derive(Deserialize)]
enum CollectionType {
    FeatureCollection,
}

#[derive(Deserialize)]
enum FeatureType {
    Feature,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum FeatureId {
    Text(String),
    Number(serde_json::Number),
}

#[derive(Deserialize)]
#[serde(tag = "type")]
enum GeometryDoc {
    Point { coordinates: Vec<f64> },
    LineString { coordinates: Vec<Vec<f64>> },
    Polygon { coordinates: Vec<Vec<Vec<f64>>> },
}

#[derive(Deserialize)]
struct PropertiesDoc {
    label: String,
    category: String,
    #[serde(default)]
    status: Status,
    #[serde(default)]
    certainty: Certainty,
    #[serde(default)]
    mark: Mark,
    seen_from: FuzzyDate,
    #[serde(default)]
    seen_until: Option<FuzzyDate>,
    #[serde(default)]
    sources: Vec<Citation>,
    #[serde(default)]
    note: String,
    #[serde(default)]
    label_place: crate::model::LabelPlace,
    #[serde(flatten)]
    extra: Map<String, Value>,
}

#[derive(Deserialize)]
struct FeatureDoc {
    #[serde(rename = "type")]
    _kind: FeatureType,
    id: FeatureId,
    geometry: GeometryDoc,
    properties: PropertiesDoc,
}

#[derive(Deserialize, Serialize)]
struct MetaDoc {
    format_version: u32,
    name: String,
    #[serde(default)]
    description: String,
    home: LonLatBox,
    #[serde(default)]
    categories: Vec<Category>,
    #[serde(default)]
    sources: Vec<Source>,
    #[serde(default)]
    stages: Vec<Stage>,
    #[serde(default)]
    layers: Vec<ImageryLayer>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    tracks: Vec<TrackSettings>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    label_language: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    measures: Vec<super::measure::Measure>,
}

#[derive(Deserialize)]
struct FileDoc {
    #[serde(rename = "type")]
    _kind: CollectionType,
    sitewatch: MetaDoc,
    features: Vec<FeatureDoc>,
}

/// Reads and validates a project file (clearing litter of crashed saves beside it).
pub fn load(path: &Path) -> Result<Loaded, ProjectError> {
    load_at(path, SystemTime::now())
}

/// [`load`] with the clock given: stray temp files older than [`STALE_TEMP_AGE`] at `now` go.
pub fn load_at(path: &Path, now: SystemTime) -> Result<Loaded, ProjectError> {
    remove_stale_temps(&resolve_target(path), now);
    let origin = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|source| ProjectError::Read {
        origin: origin.clone(),
        source,
    })?;
    parse(&text, &origin)
}

/// Parses project text; `origin` names it in messages (a path, or "embedded default project").
pub fn parse(text: &str, origin: &str) -> Result<Loaded, ProjectError> {
    let json_err = |source: serde_json::Error| {
        let message = source.to_string();
        // serde_json appends " at line L column C"; we report those separately.
        let message = message
            .rsplit_once(" at line ")
            .map_or(message.clone(), |(m, _)| m.to_owned());
        ProjectError::Json {
            origin: origin.to_owned(),
            line: source.line(),
            column: source.column(),
            message,
            source,
        }
    };
    // The typed pass has no flattening at the top and feature levels, so serde_json reports
    // the exact line and column of what is wrong; the untyped pass collects unknown fields.
    let doc: FileDoc = match serde_json::from_str(text) {
        Ok(doc) => doc,
        Err(e) => {
            // Valid JSON of another shape says what it is rather than what serde missed.
            if let Ok(value) = serde_json::from_str::<Value>(text)
                && !value.is_object()
            {
                let what = match value {
                    Value::Array(_) => "a JSON array",
                    Value::String(_) => "a JSON string",
                    Value::Number(_) => "a JSON number",
                    Value::Bool(_) => "a JSON true or false",
                    _ => "JSON null",
                };
                return Err(ProjectError::Invalid {
                    origin: origin.to_owned(),
                    what: format!("not a FeatureCollection: the file holds {what}"),
                });
            }
            return Err(json_err(e));
        }
    };
    let raw: Map<String, Value> = serde_json::from_str(text).map_err(json_err)?;
    let invalid = |what: String| ProjectError::Invalid {
        origin: origin.to_owned(),
        what,
    };

    let mut warnings = Vec::new();
    let meta = doc.sitewatch;
    if meta.format_version > FORMAT_VERSION {
        warnings.push(format!(
            "written by a newer Sitewatch (format {}, this one reads {FORMAT_VERSION}); unknown fields are kept",
            meta.format_version
        ));
    }
    let raw_features = raw.get("features").and_then(Value::as_array);
    let mut annotations = Vec::with_capacity(doc.features.len());
    for (index, feature) in doc.features.into_iter().enumerate() {
        let id = match feature.id {
            FeatureId::Text(t) => t,
            FeatureId::Number(n) => n.to_string(),
        };
        let shape = shape_from_doc(feature.geometry)
            .map_err(|e| invalid(format!("feature {} (id \"{id}\"): {e}", index + 1)))?;
        if annotations.iter().any(|a: &Annotation| a.id == id) {
            return Err(invalid(format!(
                "feature {} repeats the id \"{id}\"",
                index + 1
            )));
        }
        let raw_feature = raw_features
            .and_then(|f| f.get(index))
            .and_then(Value::as_object);
        let extra_members = unknown_fields(raw_feature, &["type", "id", "geometry", "properties"]);
        let p = feature.properties;
        annotations.push(Annotation {
            id,
            shape,
            label: p.label,
            category: p.category,
            status: p.status,
            certainty: p.certainty,
            mark: p.mark,
            seen_from: p.seen_from,
            seen_until: p.seen_until,
            sources: p.sources,
            note: p.note,
            label_place: p.label_place,
            extra_properties: p.extra,
            extra_members,
        });
    }

    let raw_meta = raw.get("sitewatch").and_then(Value::as_object);
    let mut project = Project {
        name: meta.name,
        description: meta.description,
        home: meta.home,
        categories: meta.categories,
        sources: meta.sources,
        stages: meta.stages,
        layers: meta.layers,
        tracks: meta.tracks,
        label_language: meta.label_language,
        annotations,
        measures: meta.measures,
        extra: unknown_fields(
            raw_meta,
            &[
                "format_version",
                "name",
                "description",
                "home",
                "categories",
                "sources",
                "stages",
                "layers",
                "tracks",
                "label_language",
                "measures",
            ],
        ),
        extra_members: unknown_fields(Some(&raw), &["type", "sitewatch", "features"]),
    };
    project.sort_stages();
    warnings.extend(check_references(&project));
    warnings.extend(super::measure::measure_warnings(&project));
    Ok(Loaded { project, warnings })
}

fn unknown_fields(object: Option<&Map<String, Value>>, known: &[&str]) -> Map<String, Value> {
    object
        .map(|o| {
            o.iter()
                .filter(|(k, _)| !known.contains(&k.as_str()))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect()
        })
        .unwrap_or_default()
}

fn position(values: &[f64]) -> Result<Coord<f64>, String> {
    let [lon, lat, ..] = values else {
        return Err(format!("a position needs [lon, lat], got {values:?}"));
    };
    if !lon.is_finite() || !lat.is_finite() || lon.abs() > 180.0 || lat.abs() > 90.0 {
        return Err(format!(
            "position [{lon}, {lat}] is outside longitude ±180°, latitude ±90°"
        ));
    }
    Ok(Coord { x: *lon, y: *lat })
}

fn line(values: &[Vec<f64>]) -> Result<LineString<f64>, String> {
    values
        .iter()
        .map(|p| position(p))
        .collect::<Result<Vec<_>, _>>()
        .map(LineString::from)
}

fn shape_from_doc(geometry: GeometryDoc) -> Result<Shape, String> {
    match geometry {
        GeometryDoc::Point { coordinates } => Ok(Shape::Point(Point(position(&coordinates)?))),
        GeometryDoc::LineString { coordinates } => {
            let l = line(&coordinates)?;
            if l.0.len() < 2 {
                return Err("a LineString needs at least two positions".into());
            }
            Ok(Shape::Line(l))
        }
        GeometryDoc::Polygon { coordinates } => {
            let mut rings = coordinates.iter().map(|r| line(r));
            let exterior = rings.next().ok_or("a Polygon needs an exterior ring")??;
            let interiors = rings.collect::<Result<Vec<_>, _>>()?;
            for ring in std::iter::once(&exterior).chain(&interiors) {
                if ring.0.len() < 4 || ring.0.first() != ring.0.last() {
                    return Err(
                        "a Polygon ring needs at least four positions, the last equal to the first"
                            .into(),
                    );
                }
            }
            Ok(Shape::Polygon(Polygon::new(exterior, interiors)))
        }
    }
}

fn check_references(project: &Project) -> Vec<String> {
    let mut warnings = Vec::new();
    let mut check_citations = |owner: &str, citations: &[Citation]| {
        for c in citations {
            if project.source(&c.source).is_none() {
                warnings.push(format!("{owner} cites an unknown source \"{}\"", c.source));
            }
        }
    };
    for s in &project.stages {
        check_citations(&format!("stage \"{}\"", s.title), &s.sources);
    }
    for a in &project.annotations {
        check_citations(&format!("annotation \"{}\"", a.id), &a.sources);
    }
    for a in &project.annotations {
        if project.category(&a.category).is_none() {
            warnings.push(format!(
                "annotation \"{}\" has an unknown category \"{}\"; drawn in the default style",
                a.id, a.category
            ));
        }
    }
    warnings
}

fn coords_json(line: &LineString<f64>) -> Value {
    Value::Array(line.0.iter().map(|c| json!([c.x, c.y])).collect())
}

fn geometry_json(shape: &Shape) -> Value {
    match shape {
        Shape::Point(p) => json!({"type": "Point", "coordinates": [p.x(), p.y()]}),
        Shape::Line(l) => json!({"type": "LineString", "coordinates": coords_json(l)}),
        Shape::Polygon(p) => {
            let rings: Vec<Value> = std::iter::once(p.exterior())
                .chain(p.interiors())
                .map(coords_json)
                .collect();
            json!({"type": "Polygon", "coordinates": rings})
        }
    }
}

fn try_value<T: Serialize>(value: &T, origin: &str) -> Result<Value, ProjectError> {
    serde_json::to_value(value).map_err(|source| ProjectError::Serialize {
        origin: origin.to_owned(),
        source,
    })
}

fn to_value<T: Serialize>(value: &T) -> Value {
    // Serializing these plain data types into a Value cannot fail (string keys, no maps with
    // non-string keys); fall back to null rather than panic.
    serde_json::to_value(value).unwrap_or(Value::Null)
}

/// One annotation as a GeoJSON `Feature`, as the project file and GeoJSON export write it.
pub(crate) fn feature_json(a: &Annotation) -> Value {
    let mut props = Map::new();
    props.insert("label".into(), json!(a.label));
    props.insert("category".into(), json!(a.category));
    props.insert("status".into(), to_value(&a.status));
    props.insert("certainty".into(), to_value(&a.certainty));
    if !a.mark.is_feature() {
        props.insert("mark".into(), to_value(&a.mark));
    }
    props.insert("seen_from".into(), to_value(&a.seen_from));
    if let Some(until) = &a.seen_until {
        props.insert("seen_until".into(), to_value(until));
    }
    props.insert("sources".into(), to_value(&a.sources));
    if !a.note.is_empty() {
        props.insert("note".into(), json!(a.note));
    }
    if !a.label_place.is_default() {
        props.insert("label_place".into(), to_value(&a.label_place));
    }
    props.extend(a.extra_properties.clone());
    let mut feature = Map::new();
    feature.insert("type".into(), json!("Feature"));
    feature.insert("id".into(), json!(a.id));
    feature.insert("geometry".into(), geometry_json(&a.shape));
    feature.insert("properties".into(), Value::Object(props));
    feature.extend(a.extra_members.clone());
    Value::Object(feature)
}

/// The project as GeoJSON text (pretty-printed, stable key order); on the rare value that
/// cannot be written as JSON, an empty string (use [`try_to_json_string`] where that matters).
pub fn to_json_string(project: &Project) -> String {
    try_to_json_string(project, "project").unwrap_or_default()
}

/// The project as GeoJSON text; `origin` names the file it is meant for in the error.
pub fn try_to_json_string(project: &Project, origin: &str) -> Result<String, ProjectError> {
    let meta = MetaDoc {
        format_version: FORMAT_VERSION,
        name: project.name.clone(),
        description: project.description.clone(),
        home: project.home,
        categories: project.categories.clone(),
        sources: project.sources.clone(),
        stages: project.stages.clone(),
        layers: project.layers.clone(),
        tracks: project.tracks.clone(),
        label_language: project.label_language.clone(),
        measures: project.measures.clone(),
    };
    let mut meta_json = match try_value(&meta, origin)? {
        Value::Object(m) => m,
        _ => Map::new(),
    };
    meta_json.extend(project.extra.clone());
    let mut doc = Map::new();
    doc.insert("type".into(), json!("FeatureCollection"));
    doc.insert("sitewatch".into(), Value::Object(meta_json));
    doc.insert(
        "features".into(),
        Value::Array(project.annotations.iter().map(feature_json).collect()),
    );
    doc.extend(project.extra_members.clone());
    let mut text = serde_json::to_string_pretty(&Value::Object(doc)).map_err(|source| {
        ProjectError::Serialize {
            origin: origin.to_owned(),
            source,
        }
    })?;
    text.push('\n');
    Ok(text)
}

/// Writes the project atomically: a temp file beside the real target (symlinks resolved) with its
/// mode, fsync, rename, fsync the folder. A crash at any point leaves either the old file or the
/// new one, never a mix. A read-only project file is not replaced.
pub fn save_atomic(project: &Project, path: &Path) -> Result<(), ProjectError> {
    save_atomic_with(project, path, &mut |_| Ok(()))
}

/// [`save_atomic`] with a hook called at each step (tests stop or kill the save there).
pub fn save_atomic_with(
    project: &Project,
    path: &Path,
    hook: &mut dyn FnMut(WriteStep) -> std::io::Result<()>,
) -> Result<(), ProjectError> {
    let origin = path.display().to_string();
    let target = resolve_target(path);
    if let Ok(meta) = std::fs::metadata(&target)
        && meta.permissions().readonly()
    {
        return Err(ProjectError::ReadOnly { origin });
    }
    // Serialise first: a failure here must never touch the file.
    let text = try_to_json_string(project, &origin)?;
    remove_stale_temps(&target, SystemTime::now());
    write_atomic_with(&target, text.as_bytes(), hook)
        .map_err(|source| ProjectError::Write { origin, source })
}
