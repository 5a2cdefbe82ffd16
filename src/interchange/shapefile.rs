//! ESRI Shapefile import: the `.shp` geometry with its `.dbf` attributes, reprojected to lon/lat
//! by the `.prj` (any CRS the raster side reads), the attribute text decoded as the `.cpg` says
//! (CP949, CP1251, UTF-8 …), else as UTF-8, else the user chooses ([`ShapefileOptions`]).
//!
//! Polygons with several outer rings become one annotation per part, each with its holes.
//! Attribute columns become properties; `NAME_KO` style columns (a DBF field name holds 10
//! characters and no colon) become `name:ko`, so names in several languages meet the `GeoJSON`
//! and KML ones.

use std::io::Cursor;
use std::path::{Path, PathBuf};

use ::shapefile::dbase::{self, FieldValue};
use ::shapefile::record::traits::HasXY;
use chrono::NaiveDate;
use geo::{Contains as _, Coord, LineString, Point, Polygon};
use serde_json::{Map, Value};

use super::mapping::{Builder, RawFeature, check_position};
use super::wkt_geometry::polygon as checked_polygon;
use super::{Imported, InterchangeError};
use crate::imagery::raster::crs::Crs;
use crate::imagery::raster::wkt::crs_from_wkt;
use crate::model::{Project, Shape};

/// Choices the import dialog can make for a Shapefile.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ShapefileOptions {
    /// The encoding of the `.dbf` text; `None` reads the `.cpg`, else UTF-8.
    pub encoding: Option<&'static encoding_rs::Encoding>,
}

/// The encodings offered when a `.dbf` is not UTF-8 and has no `.cpg`: Korean, Russian and
/// the commonest others.
pub const OFFERED_ENCODINGS: [&encoding_rs::Encoding; 7] = [
    encoding_rs::EUC_KR,
    encoding_rs::WINDOWS_1251,
    encoding_rs::UTF_8,
    encoding_rs::WINDOWS_1252,
    encoding_rs::GBK,
    encoding_rs::SHIFT_JIS,
    encoding_rs::IBM866,
];

/// Files that belong to a Shapefile beside its `.shp`.
const SIDECARS: [&str; 6] = ["dbf", "shx", "prj", "cpg", "qmd", "sbn"];

/// True when `path` is a `.dbf`, `.shx`, `.prj` … of a `.shp` among `paths` (dropped together).
pub fn is_sidecar_of_any(path: &Path, paths: &[PathBuf]) -> bool {
    let Some(ext) = path.extension().and_then(|e| e.to_str()) else {
        return false;
    };
    if !SIDECARS.contains(&ext.to_ascii_lowercase().as_str()) {
        return false;
    }
    paths.iter().any(|p| {
        p.extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| e.eq_ignore_ascii_case("shp"))
            && p.with_extension("") == path.with_extension("")
    })
}

/// The sidecar of a `.shp` with this extension, in lower or upper case as it exists.
fn sidecar(shp: &Path, ext: &str) -> Option<PathBuf> {
    [ext.to_owned(), ext.to_ascii_uppercase()]
        .into_iter()
        .map(|e| shp.with_extension(e))
        .find(|p| p.exists())
}

fn read(path: &Path) -> Result<Vec<u8>, InterchangeError> {
    std::fs::read(path).map_err(|source| InterchangeError::Read {
        origin: path.display().to_string(),
        source,
    })
}

fn shp_error(origin: &Path, source: ::shapefile::Error) -> InterchangeError {
    InterchangeError::Shapefile {
        origin: origin.display().to_string(),
        source,
    }
}

/// The attribute key for a DBF field name (or a GIS table's column, which follows the same
/// conventions): Sitewatch's own names in lower case, `NAME_KO` as `name:ko`, `date` as
/// `seen_from`, others as they are.
pub(crate) fn property_key(field: &str) -> String {
    let lower = field.to_ascii_lowercase();
    if let Some(lang) = lower.strip_prefix("name_")
        && (2..=3).contains(&lang.len())
        && lang.bytes().all(|b| b.is_ascii_lowercase())
    {
        return format!("name:{lang}");
    }
    if super::mapping::KNOWN_PROPERTIES.contains(&lower.as_str()) || lower == "name" {
        return lower;
    }
    if lower == "date" {
        return "seen_from".to_owned();
    }
    field.to_owned()
}

fn json_value(v: FieldValue) -> Option<Value> {
    Some(match v {
        FieldValue::Character(s) => Value::String(s?.trim().to_owned()),
        FieldValue::Memo(s) => Value::String(s),
        FieldValue::Numeric(n) => number(n?),
        FieldValue::Float(f) => number(f64::from(f?)),
        FieldValue::Double(d) | FieldValue::Currency(d) => number(d),
        FieldValue::Integer(i) => Value::from(i),
        FieldValue::Logical(b) => Value::Bool(b?),
        FieldValue::Date(d) => {
            let d = d?;
            Value::String(format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day()))
        }
        FieldValue::DateTime(t) => {
            let d = t.date();
            Value::String(format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day()))
        }
    })
}

fn number(n: f64) -> Value {
    if n.fract() == 0.0 && n.abs() < 9.0e15 {
        Value::from(n as i64)
    } else {
        serde_json::Number::from_f64(n).map_or(Value::Null, Value::Number)
    }
}

/// A record read field by field, so that one unreadable cell (a zero date) costs that value,
/// not the file.
struct LenientRecord(Vec<Result<FieldValue, dbase::FieldError>>);

impl dbase::ReadableRecord for LenientRecord {
    fn read_using<Source, MemoSource>(
        fields: &mut dbase::FieldIterator<Source, MemoSource>,
    ) -> Result<Self, dbase::FieldError>
    where
        Source: std::io::Read + std::io::Seek,
        MemoSource: std::io::Read + std::io::Seek,
    {
        let mut values = Vec::new();
        // Each call moves to the next field, failed or not, until the record ends.
        loop {
            match fields.read_next_field() {
                Ok(v) => values.push(Ok(v.value)),
                Err(e) if matches!(e.kind(), dbase::ErrorKind::EndOfRecord) => break,
                Err(e) => values.push(Err(e)),
            }
        }
        Ok(Self(values))
    }
}

/// The attribute table, one property map per record, decoded with the chosen encoding.
fn attributes(
    dbf: &Path,
    cpg: Option<&Path>,
    options: ShapefileOptions,
    warnings: &mut Vec<String>,
) -> Result<Vec<Map<String, Value>>, InterchangeError> {
    let origin = dbf.display().to_string();
    let encoding: dbase::encoding::DynEncoding = if let Some(e) = options.encoding {
        dbase::encoding::EncodingRs::from(e).into()
    } else if let Some(cpg) = cpg {
        let label = String::from_utf8_lossy(&read(cpg)?).trim().to_owned();
        if let Some(e) = dbase::encoding::DynEncoding::from_name(&label) {
            e
        } else {
            warnings.push(format!(
                "{}: encoding \"{label}\" is not known; read as UTF-8",
                cpg.display()
            ));
            dbase::Unicode.into()
        }
    } else {
        dbase::Unicode.into()
    };
    let bytes = read(dbf)?;
    let is_decode = |e: &dbase::Error| matches!(e.kind(), dbase::ErrorKind::StringDecodeError(_));
    let mut reader = match dbase::ReaderBuilder::new()
        .with_encoding(encoding)
        .build(Cursor::new(bytes))
    {
        Ok(r) => r,
        Err(e) if is_decode(&e) => return Err(InterchangeError::UnknownEncoding { origin }),
        Err(e) => return Err(shp_error(dbf, ::shapefile::Error::DbaseError(e))),
    };
    let names: Vec<String> = reader
        .fields()
        .iter()
        .map(|f| f.name().to_owned())
        .collect();
    let mut out = Vec::new();
    for (i, record) in reader.iter_records_as::<LenientRecord>().enumerate() {
        let record = record.map_err(|e| shp_error(dbf, ::shapefile::Error::DbaseError(e)))?;
        let mut props = Map::new();
        for (name, value) in names.iter().zip(record.0) {
            match value {
                Ok(v) => {
                    if let Some(v) = json_value(v) {
                        props.insert(property_key(name), v);
                    }
                }
                Err(e) if matches!(e.kind(), dbase::ErrorKind::StringDecodeError(_)) => {
                    return Err(InterchangeError::UnknownEncoding { origin });
                }
                // GDAL writes an empty date as "00000000": an empty cell, not a fault.
                Err(e) if matches!(e.kind(), dbase::ErrorKind::InvalidDate(_)) => {}
                // One unreadable cell loses one value.
                Err(e) => warnings.push(format!(
                    "{origin}: record {}, field {name}: {e}; left out",
                    i + 1
                )),
            }
        }
        out.push(props);
    }
    Ok(out)
}

/// Turns source coordinates into checked lon/lat.
struct Projection {
    crs: Option<Crs>,
}

impl Projection {
    fn lonlat(&self, x: f64, y: f64) -> Result<Coord<f64>, String> {
        let c = match &self.crs {
            None => Coord { x, y },
            Some(crs) => crs.lonlat_from_xy(Coord { x, y }).ok_or_else(|| {
                format!(
                    "position ({x}, {y}) is outside the domain of {}",
                    crs.name()
                )
            })?,
        };
        check_position(c.x, c.y)
    }

    fn line<P: HasXY>(&self, points: &[P]) -> Result<LineString<f64>, String> {
        points
            .iter()
            .map(|p| self.lonlat(p.x(), p.y()))
            .collect::<Result<Vec<_>, _>>()
            .map(LineString::new)
    }
}

fn lines<P: HasXY>(parts: &[Vec<P>], proj: &Projection) -> Result<Vec<Shape>, String> {
    parts
        .iter()
        .map(|part| {
            let l = proj.line(part)?;
            if l.0.len() < 2 {
                return Err("a line part needs at least two positions".into());
            }
            Ok(Shape::Line(l))
        })
        .collect()
}

/// Polygons from rings: each outer ring starts a polygon, each hole joins the outer ring that
/// contains it (or the last one, when none does: a file with rings wound the wrong way).
fn polygons<P: HasXY>(
    rings: &[::shapefile::PolygonRing<P>],
    proj: &Projection,
) -> Result<Vec<Shape>, String> {
    let mut outers: Vec<(LineString<f64>, Vec<LineString<f64>>)> = Vec::new();
    let mut holes = Vec::new();
    for r in rings {
        let line = proj.line(r.points())?;
        match r {
            ::shapefile::PolygonRing::Outer(_) => outers.push((line, Vec::new())),
            ::shapefile::PolygonRing::Inner(_) => holes.push(line),
        }
    }
    if outers.is_empty() {
        // Only holes: the rings are wound against the specification; take them as outers.
        outers = holes.drain(..).map(|h| (h, Vec::new())).collect();
    }
    for hole in holes {
        let Some(first) = hole.0.first().copied() else {
            continue;
        };
        let owner = outers
            .iter()
            .position(|(outer, _)| Polygon::new(outer.clone(), vec![]).contains(&Point(first)))
            .or(outers.len().checked_sub(1));
        if let Some((_, hs)) = owner.and_then(|i| outers.get_mut(i)) {
            hs.push(hole);
        }
    }
    outers
        .into_iter()
        .map(|(outer, holes)| checked_polygon(&Polygon::new(outer, holes)).map(Shape::Polygon))
        .collect()
}

fn shapes(shape: &::shapefile::Shape, proj: &Projection) -> Result<Vec<Shape>, String> {
    use ::shapefile::Shape as S;
    let point = |x: f64, y: f64| -> Result<Vec<Shape>, String> {
        Ok(vec![Shape::Point(Point(proj.lonlat(x, y)?))])
    };
    let points = |pts: Vec<Result<Coord<f64>, String>>| -> Result<Vec<Shape>, String> {
        pts.into_iter()
            .map(|c| c.map(|c| Shape::Point(Point(c))))
            .collect()
    };
    match shape {
        S::NullShape => Ok(Vec::new()),
        S::Point(p) => point(p.x, p.y),
        S::PointM(p) => point(p.x, p.y),
        S::PointZ(p) => point(p.x, p.y),
        S::Multipoint(m) => points(m.points().iter().map(|p| proj.lonlat(p.x, p.y)).collect()),
        S::MultipointM(m) => points(m.points().iter().map(|p| proj.lonlat(p.x, p.y)).collect()),
        S::MultipointZ(m) => points(m.points().iter().map(|p| proj.lonlat(p.x, p.y)).collect()),
        S::Polyline(l) => lines(l.parts(), proj),
        S::PolylineM(l) => lines(l.parts(), proj),
        S::PolylineZ(l) => lines(l.parts(), proj),
        S::Polygon(p) => polygons(p.rings(), proj),
        S::PolygonM(p) => polygons(p.rings(), proj),
        S::PolygonZ(p) => polygons(p.rings(), proj),
        S::Multipatch(_) => Err("multipatch (3D surface) shapes are not supported".into()),
    }
}

fn projection(shp: &Path, warnings: &mut Vec<String>) -> Result<Projection, InterchangeError> {
    let Some(prj) = sidecar(shp, "prj") else {
        warnings.push(format!(
            "{} has no .prj; its coordinates are taken as WGS 84 longitude/latitude",
            shp.display()
        ));
        return Ok(Projection { crs: None });
    };
    let text = String::from_utf8_lossy(&read(&prj)?).into_owned();
    let crs = crs_from_wkt(&text).map_err(|source| InterchangeError::Projection {
        origin: prj.display().to_string(),
        source,
    })?;
    Ok(Projection {
        crs: (crs != Crs::Wgs84).then_some(crs),
    })
}

/// The text of the first `records` records of a Shapefile's attribute table decoded with an
/// encoding, for the user to see which one reads right.
///
/// # Errors
/// When the table cannot be read, or not in that encoding.
pub fn preview_text(
    shp: &Path,
    encoding: &'static encoding_rs::Encoding,
    records: usize,
) -> Result<Vec<String>, InterchangeError> {
    let dbf = sidecar(shp, "dbf").ok_or_else(|| InterchangeError::Read {
        origin: shp.with_extension("dbf").display().to_string(),
        source: std::io::Error::from(std::io::ErrorKind::NotFound),
    })?;
    let options = ShapefileOptions {
        encoding: Some(encoding),
    };
    let table = attributes(&dbf, None, options, &mut Vec::new())?;
    Ok(table
        .iter()
        .take(records)
        .map(|props| {
            props
                .values()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join(" · ")
        })
        .collect())
}

/// Reads a Shapefile (the `.shp` path; the other files are found beside it).
pub fn import_file(
    shp: &Path,
    project: &Project,
    default_date: NaiveDate,
    options: &ShapefileOptions,
) -> Result<Imported, InterchangeError> {
    let mut warnings = Vec::new();
    let proj = projection(shp, &mut warnings)?;
    let table = if let Some(dbf) = sidecar(shp, "dbf") {
        let cpg = sidecar(shp, "cpg");
        attributes(&dbf, cpg.as_deref(), *options, &mut warnings)?
    } else {
        warnings.push(format!(
            "{} has no .dbf; its shapes come without attributes",
            shp.display()
        ));
        Vec::new()
    };
    let mut reader =
        ::shapefile::ShapeReader::new(Cursor::new(read(shp)?)).map_err(|e| shp_error(shp, e))?;
    let mut builder = Builder::new(project, default_date);
    let mut table = table.into_iter();
    for (i, shape) in reader.iter_shapes().enumerate() {
        let shape = shape.map_err(|e| shp_error(shp, e))?;
        let properties = table.next().unwrap_or_default();
        let label = properties
            .get("name")
            .or_else(|| properties.get("label"))
            .and_then(Value::as_str)
            .map(str::to_owned);
        builder.add(RawFeature {
            origin: match label {
                Some(l) => format!("record {} (\"{l}\")", i + 1),
                None => format!("record {}", i + 1),
            },
            shapes: shapes(&shape, &proj),
            properties,
            ..RawFeature::default()
        });
    }
    let mut imported = builder.finish();
    warnings.append(&mut imported.warnings);
    imported.warnings = warnings;
    Ok(imported)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn language_columns_become_name_colon_language() {
        assert_eq!(property_key("NAME_KO"), "name:ko");
        assert_eq!(property_key("name_ru"), "name:ru");
        assert_eq!(property_key("NAME"), "name");
        assert_eq!(property_key("Category"), "category");
        assert_eq!(property_key("DATE"), "seen_from");
        assert_eq!(property_key("name_long"), "name_long");
        assert_eq!(property_key("HEIGHT_M"), "HEIGHT_M");
    }

    #[test]
    fn sidecars_dropped_with_their_shp_are_recognised() {
        let paths = vec![PathBuf::from("/d/a.shp"), PathBuf::from("/d/a.dbf")];
        assert!(is_sidecar_of_any(Path::new("/d/a.dbf"), &paths));
        assert!(is_sidecar_of_any(Path::new("/d/a.PRJ"), &paths));
        assert!(!is_sidecar_of_any(Path::new("/d/b.dbf"), &paths));
        assert!(!is_sidecar_of_any(Path::new("/d/a.txt"), &paths));
    }

    #[test]
    fn the_encoding_preview_reads_cp949_text_only_as_korean() {
        let shp = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/interchange/shapefile/cp949-points.shp");
        let korean = preview_text(&shp, encoding_rs::EUC_KR, 2).unwrap();
        assert_eq!(korean.len(), 2);
        assert!(korean[0].contains("세관"), "{korean:?}");
        let western = preview_text(&shp, encoding_rs::WINDOWS_1252, 2).unwrap();
        assert!(!western[0].contains("세관"), "{western:?}");
        // Read as UTF-8 the bytes decode with replacement characters, never as Korean.
        let utf8 = preview_text(&shp, encoding_rs::UTF_8, 2).unwrap();
        assert!(!utf8[0].contains("세관"), "{utf8:?}");
    }

    #[test]
    fn holes_join_the_outer_ring_that_contains_them() {
        use ::shapefile::Point as P;
        use ::shapefile::PolygonRing::{Inner, Outer};
        let square = |x0: f64, s: f64| {
            vec![
                P::new(x0, 0.0),
                P::new(x0, s),
                P::new(x0 + s, s),
                P::new(x0 + s, 0.0),
                P::new(x0, 0.0),
            ]
        };
        let hole = |x0: f64| {
            vec![
                P::new(x0 + 1.0, 1.0),
                P::new(x0 + 2.0, 1.0),
                P::new(x0 + 2.0, 2.0),
                P::new(x0 + 1.0, 2.0),
                P::new(x0 + 1.0, 1.0),
            ]
        };
        // Both outers first, then a hole of the first: it must not join the last.
        let rings = vec![
            Outer(square(0.0, 4.0)),
            Outer(square(10.0, 4.0)),
            Inner(hole(0.0)),
        ];
        let got = polygons(&rings, &Projection { crs: None }).unwrap();
        assert_eq!(got.len(), 2);
        let Shape::Polygon(first) = &got[0] else {
            panic!()
        };
        let Shape::Polygon(second) = &got[1] else {
            panic!()
        };
        assert_eq!(first.interiors().len(), 1);
        assert_eq!(second.interiors().len(), 0);
    }
}
