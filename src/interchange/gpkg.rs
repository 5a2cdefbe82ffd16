//! OGC `GeoPackage` feature tables in and out, through `SQLite` (read: 1.0–1.4; written: 1.2, the
//! version GDAL 3.6 writes and every reader takes).
//!
//! Import reads every feature table the file's `gpkg_contents` lists, each reprojected from its
//! own SRS (an EPSG code, or the definition's WKT for any CRS the raster side reads) to lon/lat;
//! a table whose CRS cannot be converted is skipped with why, and the rest still come in.
//! Columns become properties named as Shapefile fields are (`name_ko` is `name:ko`, `date` is
//! `seen_from`; text holding a JSON array or object, as GDAL writes JSON fields, is read as JSON); a table's name is the category of features that name none. Export writes one
//! `annotations` table in EPSG:4326 with a column per property, so GDAL and QGIS read it.

use std::fmt::Write as _;
use std::path::Path;

use chrono::NaiveDate;
use geo::{Coord, MapCoords as _};
use rusqlite::types::ValueRef;
use rusqlite::{Connection, OpenFlags};
use serde_json::{Map, Value};

use super::mapping::{Builder, RawFeature};
use super::shapefile::property_key;
use super::wkb::{read_blob, write_blob};
use super::wkt_geometry::geometry_shapes;
use super::{Imported, InterchangeError};
use crate::imagery::raster::crs::Crs;
use crate::imagery::raster::wkt::crs_from_wkt;
use crate::model::Project;
use crate::model::io::feature_json;
use crate::spatial::LonLatBox;

/// The table an export writes.
pub const EXPORT_TABLE: &str = "annotations";

fn sql_error(origin: &Path, source: rusqlite::Error) -> InterchangeError {
    InterchangeError::GeoPackage {
        origin: origin.display().to_string(),
        source,
    }
}

/// An SQL identifier, quoted.
fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// A feature table: its name, geometry column and SRS id.
struct FeatureTable {
    name: String,
    geometry_column: String,
    srs_id: i64,
}

fn feature_tables(db: &Connection) -> rusqlite::Result<Vec<FeatureTable>> {
    let mut stmt = db.prepare(
        "SELECT c.table_name, g.column_name, g.srs_id FROM gpkg_contents c \
         JOIN gpkg_geometry_columns g ON g.table_name = c.table_name \
         WHERE c.data_type = 'features' ORDER BY c.table_name",
    )?;
    let rows = stmt.query_map([], |row| {
        Ok(FeatureTable {
            name: row.get(0)?,
            geometry_column: row.get(1)?,
            srs_id: row.get(2)?,
        })
    })?;
    rows.collect()
}

/// The CRS of an SRS id: `None` for WGS 84 lon/lat and the undefined SRSs (taken as lon/lat).
fn table_crs(db: &Connection, srs_id: i64) -> Result<Option<Crs>, String> {
    let row: Option<(String, i64, String)> = db
        .query_row(
            "SELECT organization, organization_coordsys_id, definition \
             FROM gpkg_spatial_ref_sys WHERE srs_id = ?1",
            [srs_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .ok();
    let Some((organization, code, definition)) = row else {
        return Err(format!("SRS {srs_id} is not in gpkg_spatial_ref_sys"));
    };
    if matches!(srs_id, -1 | 0) || definition.trim().eq_ignore_ascii_case("undefined") {
        return Ok(None);
    }
    let from_code = organization
        .eq_ignore_ascii_case("EPSG")
        .then(|| u32::try_from(code).ok())
        .flatten()
        .and_then(|c| Crs::from_epsg(c).ok());
    let crs = match from_code {
        Some(crs) => crs,
        None => crs_from_wkt(&definition).map_err(|e| {
            format!("its coordinate system ({organization}:{code}) cannot be converted: {e}")
        })?,
    };
    Ok((crs != Crs::Wgs84).then_some(crs))
}

/// A column's value as a property; `None` for nulls and blobs.
fn property(value: ValueRef<'_>) -> Option<Value> {
    match value {
        ValueRef::Null | ValueRef::Blob(_) => None,
        ValueRef::Integer(i) => Some(Value::from(i)),
        ValueRef::Real(r) => serde_json::Number::from_f64(r).map(Value::Number),
        ValueRef::Text(bytes) => {
            let text = String::from_utf8_lossy(bytes).into_owned();
            let trimmed = text.trim_start();
            if (trimmed.starts_with('[') || trimmed.starts_with('{'))
                && let Ok(json) = serde_json::from_str::<Value>(&text)
            {
                return Some(json);
            }
            Some(Value::String(text))
        }
    }
}

fn read_table(
    db: &Connection,
    table: &FeatureTable,
    crs: Option<&Crs>,
    builder: &mut Builder<'_>,
) -> rusqlite::Result<()> {
    // The column names come from `table_info` as text values, read lossily: rusqlite's
    // `column_name` panics on a name that is not UTF-8 (found by the gpkg fuzz target).
    let mut info = db.prepare(&format!("PRAGMA table_info({})", quoted(&table.name)))?;
    let columns = info
        .query_map([], |row| {
            Ok(match row.get_ref(1)? {
                ValueRef::Text(name) => String::from_utf8_lossy(name).into_owned(),
                _ => String::new(),
            })
        })?
        .collect::<rusqlite::Result<Vec<String>>>()?;
    // `SELECT *` gives a table's columns in `table_info`'s order.
    let mut stmt = db.prepare(&format!("SELECT * FROM {}", quoted(&table.name)))?;
    if stmt.column_count() != columns.len() {
        return Err(rusqlite::Error::InvalidColumnIndex(columns.len()));
    }
    let mut rows = stmt.query([])?;
    let mut n = 0;
    while let Some(row) = rows.next()? {
        n += 1;
        let mut properties = Map::new();
        let mut blob = None;
        for (i, column) in columns.iter().enumerate() {
            let value = row.get_ref(i)?;
            if *column == table.geometry_column {
                if let ValueRef::Blob(b) = value {
                    blob = Some(b.to_vec());
                }
            } else if let Some(v) = property(value) {
                properties.insert(property_key(column), v);
            }
        }
        let id = properties.remove("id").map(|v| match v {
            Value::String(s) => s,
            other => other.to_string(),
        });
        let label = ["label", "name", "Name", "NAME"]
            .iter()
            .find_map(|k| properties.get(*k).and_then(Value::as_str));
        let origin = match label {
            Some(l) => format!("table {} feature {n} (\"{l}\")", table.name),
            None => format!("table {} feature {n}", table.name),
        };
        let shapes = match blob {
            None => Err("no geometry (null)".to_owned()),
            Some(b) => read_blob(&b).and_then(|(_, g)| {
                let lonlat = match crs {
                    None => g,
                    Some(crs) => g.try_map_coords(|c: Coord<f64>| {
                        crs.lonlat_from_xy(c).ok_or_else(|| {
                            format!(
                                "position ({}, {}) is outside the domain of {}",
                                c.x,
                                c.y,
                                crs.name()
                            )
                        })
                    })?,
                };
                geometry_shapes(&lonlat)
            }),
        };
        builder.add(RawFeature {
            origin,
            id,
            shapes,
            properties,
            category_hint: Some(table.name.clone()),
            ..RawFeature::default()
        });
    }
    Ok(())
}

/// Reads every feature table of a `GeoPackage`.
///
/// # Errors
/// When the file cannot be opened as `SQLite`, or is not a `GeoPackage` with feature tables.
pub fn import_file(
    path: &Path,
    project: &Project,
    default_date: NaiveDate,
) -> Result<Imported, InterchangeError> {
    if !path.is_file() {
        return Err(InterchangeError::Read {
            origin: path.display().to_string(),
            source: std::io::Error::from(std::io::ErrorKind::NotFound),
        });
    }
    let db = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| sql_error(path, e))?;
    let tables = feature_tables(&db).map_err(|e| malformed_or_sql(path, e))?;
    if tables.is_empty() {
        return Err(InterchangeError::Malformed {
            origin: path.display().to_string(),
            format: "GeoPackage",
            what: "it has no feature tables".into(),
        });
    }
    let mut builder = Builder::new(project, default_date);
    let mut skipped = Vec::new();
    for table in &tables {
        match table_crs(&db, table.srs_id) {
            Ok(crs) => {
                read_table(&db, table, crs.as_ref(), &mut builder)
                    .map_err(|e| sql_error(path, e))?;
            }
            Err(why) => skipped.push(format!("table {}: {why}", table.name)),
        }
    }
    let mut imported = builder.finish();
    imported.skipped.append(&mut skipped);
    Ok(imported)
}

/// A file without the `GeoPackage` tables is "not a `GeoPackage`", not an SQL error.
fn malformed_or_sql(path: &Path, e: rusqlite::Error) -> InterchangeError {
    let missing_tables = matches!(
        &e,
        rusqlite::Error::SqliteFailure(_, Some(msg)) if msg.contains("no such table")
    );
    if missing_tables {
        InterchangeError::Malformed {
            origin: path.display().to_string(),
            format: "GeoPackage",
            what: "it lacks the gpkg_contents and gpkg_geometry_columns tables".into(),
        }
    } else {
        sql_error(path, e)
    }
}

/// The tables every `GeoPackage` has, with EPSG:4326 and the two undefined SRSs.
const SCHEMA: &str = r#"
PRAGMA application_id = 1196444487;
PRAGMA user_version = 10200;
CREATE TABLE gpkg_spatial_ref_sys (
  srs_name TEXT NOT NULL, srs_id INTEGER PRIMARY KEY, organization TEXT NOT NULL,
  organization_coordsys_id INTEGER NOT NULL, definition TEXT NOT NULL, description TEXT);
INSERT INTO gpkg_spatial_ref_sys VALUES
  ('Undefined cartesian SRS', -1, 'NONE', -1, 'undefined', 'undefined cartesian coordinate reference system'),
  ('Undefined geographic SRS', 0, 'NONE', 0, 'undefined', 'undefined geographic coordinate reference system'),
  ('WGS 84 geodetic', 4326, 'EPSG', 4326, 'GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563,AUTHORITY["EPSG","7030"]],AUTHORITY["EPSG","6326"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AXIS["Latitude",NORTH],AXIS["Longitude",EAST],AUTHORITY["EPSG","4326"]]', 'longitude/latitude coordinates in decimal degrees on the WGS 84 spheroid');
CREATE TABLE gpkg_contents (
  table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT NULL, identifier TEXT UNIQUE,
  description TEXT DEFAULT '', last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE,
  srs_id INTEGER REFERENCES gpkg_spatial_ref_sys(srs_id));
CREATE TABLE gpkg_geometry_columns (
  table_name TEXT NOT NULL, column_name TEXT NOT NULL, geometry_type_name TEXT NOT NULL,
  srs_id INTEGER NOT NULL, z TINYINT NOT NULL, m TINYINT NOT NULL,
  PRIMARY KEY (table_name, column_name),
  FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name),
  FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id));
"#;

/// A property column's SQL type: numbers stay numbers, everything else is text.
fn column_type(values: impl Iterator<Item = Option<Value>>) -> &'static str {
    let mut kind = "INTEGER";
    for v in values.flatten() {
        match v {
            Value::Number(n) if n.is_i64() => {}
            Value::Number(_) if kind != "TEXT" => kind = "REAL",
            _ => return "TEXT",
        }
    }
    kind
}

fn sql_value(value: Option<&Value>) -> rusqlite::types::Value {
    use rusqlite::types::Value as Sql;
    match value {
        None | Some(Value::Null) => Sql::Null,
        Some(Value::String(s)) => Sql::Text(s.clone()),
        Some(Value::Number(n)) => n
            .as_i64()
            .map_or_else(|| n.as_f64().map_or(Sql::Null, Sql::Real), Sql::Integer),
        Some(other) => Sql::Text(other.to_string()),
    }
}

fn write_features(db: &mut Connection, project: &Project) -> rusqlite::Result<()> {
    let features: Vec<(String, Vec<u8>, Map<String, Value>)> = project
        .annotations
        .iter()
        .map(|a| {
            let json = feature_json(a);
            let props = json
                .get("properties")
                .and_then(Value::as_object)
                .cloned()
                .unwrap_or_default();
            (a.id.clone(), write_blob(&a.shape), props)
        })
        .collect();
    let mut columns: Vec<String> = Vec::new();
    for (_, _, props) in &features {
        for key in props.keys() {
            let reserved = matches!(key.to_ascii_lowercase().as_str(), "fid" | "geom" | "id");
            if !reserved && !columns.contains(key) {
                columns.push(key.clone());
            }
        }
    }
    let extent = LonLatBox::around(project.annotations.iter().flat_map(|a| a.shape.vertices()));
    let tx = db.transaction()?;
    tx.execute_batch(SCHEMA)?;
    let mut create = format!(
        "CREATE TABLE {} (fid INTEGER PRIMARY KEY AUTOINCREMENT, geom GEOMETRY, id TEXT",
        quoted(EXPORT_TABLE)
    );
    for c in &columns {
        let kind = column_type(features.iter().map(|(_, _, p)| p.get(c).cloned()));
        let _ = write!(create, ", {} {kind}", quoted(c));
    }
    create.push(')');
    tx.execute(&create, [])?;
    // No annotations, no extent: the columns stay NULL.
    let corner = |pick: fn(&LonLatBox) -> f64| extent.as_ref().map(pick);
    tx.execute(
        "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, min_x, min_y, max_x, max_y, srs_id) \
         VALUES (?1, 'features', ?1, ?2, ?3, ?4, ?5, ?6, 4326)",
        rusqlite::params![
            EXPORT_TABLE,
            format!("Annotations of {}, written by Sitewatch", project.name),
            corner(|b| b.west),
            corner(|b| b.south),
            corner(|b| b.east),
            corner(|b| b.north),
        ],
    )?;
    tx.execute(
        "INSERT INTO gpkg_geometry_columns VALUES (?1, 'geom', 'GEOMETRY', 4326, 0, 0)",
        [EXPORT_TABLE],
    )?;
    {
        let mut placeholders = String::new();
        let mut names = String::new();
        for (i, c) in columns.iter().enumerate() {
            let _ = write!(placeholders, ", ?{}", i + 3);
            let _ = write!(names, ", {}", quoted(c));
        }
        let mut insert = tx.prepare(&format!(
            "INSERT INTO {} (geom, id{names}) VALUES (?1, ?2{placeholders})",
            quoted(EXPORT_TABLE)
        ))?;
        for (id, blob, props) in &features {
            let mut values: Vec<rusqlite::types::Value> = vec![
                rusqlite::types::Value::Blob(blob.clone()),
                rusqlite::types::Value::Text(id.clone()),
            ];
            values.extend(columns.iter().map(|c| sql_value(props.get(c))));
            insert.execute(rusqlite::params_from_iter(values))?;
        }
    }
    tx.commit()
}

/// Writes the project's annotations as a `GeoPackage`, atomically: a new `SQLite` file beside the
/// target, renamed over it once complete.
///
/// # Errors
/// When the file cannot be written.
pub fn export_file(path: &Path, project: &Project) -> Result<(), InterchangeError> {
    let origin = path.display().to_string();
    let write_error = |source: std::io::Error| InterchangeError::Write {
        origin: origin.clone(),
        source,
    };
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    let temp = tempfile::Builder::new()
        .prefix(".sitewatch-gpkg-")
        .suffix(".tmp")
        .tempfile_in(&dir)
        .map_err(write_error)?;
    {
        let mut db = Connection::open(temp.path()).map_err(|e| sql_error(path, e))?;
        write_features(&mut db, project).map_err(|e| sql_error(path, e))?;
        db.close().map_err(|(_, e)| sql_error(path, e))?;
    }
    temp.as_file().sync_all().map_err(write_error)?;
    temp.persist(path).map_err(|e| write_error(e.error))?;
    Ok(())
}
