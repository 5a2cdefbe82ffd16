//! CSV import: one point (or WKT geometry) per row, as spreadsheets export them.
//!
//! The delimiter (`,`, `;` or tab) is sniffed from the header line; with `;` numbers may use a
//! decimal comma. Coordinate columns are guessed by name (latitude/longitude, lat/lon/lng,
//! y/x, an MGRS grid reference, or a WKT/geometry column), and so are the name, date and category columns; a
//! [`CsvOptions`] names them explicitly (the import dialog). Every other column is kept as a
//! property. Rows that cannot be placed are skipped with their line number and why.

use chrono::NaiveDate;
use geo::Point;
use serde_json::{Map, Value};

use super::coords::{parse_latitude, parse_longitude};
use super::mapping::{Builder, RawFeature};
use super::mgrs::parse_mgrs;
use super::wkt_geometry::wkt_shapes;
use super::{Imported, InterchangeError};
use crate::model::{Project, Shape};

/// Columns of a CSV, by header name. `None` means "guess" in [`CsvOptions`] and "none found"
/// in [`CsvLayout`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CsvColumns {
    /// Latitude in degrees (decimal or DMS), or Y.
    pub latitude: Option<String>,
    /// Longitude in degrees (decimal or DMS), or X.
    pub longitude: Option<String>,
    /// An MGRS grid reference (`52TGN 12345 67890`), used when there is no lat/lon pair.
    pub mgrs: Option<String>,
    /// A WKT geometry in lon/lat (`POINT (130.6 42.4)`), used when there is neither a lat/lon
    /// pair nor an MGRS column.
    pub wkt: Option<String>,
    /// The label.
    pub name: Option<String>,
    /// The date seen (`2025-06-02`, `2025-06-02T10:00Z`, `02.06.2025`).
    pub date: Option<String>,
    /// The category.
    pub category: Option<String>,
}

/// What the caller (the import dialog) chose; the default guesses everything.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CsvOptions {
    /// The field delimiter; `None` sniffs `,`, `;` or tab from the header line.
    pub delimiter: Option<u8>,
    /// Whether numbers use a decimal comma; `None` means yes exactly when the delimiter is `;`.
    pub decimal_comma: Option<bool>,
    /// Columns chosen by name; those left `None` are guessed.
    pub columns: CsvColumns,
}

/// How a CSV will be read: what [`sniff`] found, for the dialog to show and adjust.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CsvLayout {
    /// The field delimiter.
    pub delimiter: u8,
    /// Whether numbers use a decimal comma.
    pub decimal_comma: bool,
    /// The header row.
    pub headers: Vec<String>,
    /// The columns that will be used (chosen or guessed).
    pub columns: CsvColumns,
}

/// Header names (normalised: lower case, letters and digits only), best first.
const LATITUDE: [&str; 7] = [
    "latitude",
    "lat",
    "latdd",
    "latdeg",
    "y",
    "ycoord",
    "ycoordinate",
];
const LONGITUDE: [&str; 10] = [
    "longitude",
    "lon",
    "lng",
    "long",
    "londd",
    "londeg",
    "x",
    "xcoord",
    "xcoordinate",
    "lngdd",
];
const MGRS: [&str; 7] = [
    "mgrs",
    "usng",
    "gridref",
    "gridreference",
    "mgrsref",
    "mgrscoordinate",
    "grid",
];
const WKT: [&str; 5] = ["wkt", "geometry", "geom", "thegeom", "shape"];
const NAME: [&str; 8] = [
    "label",
    "name",
    "title",
    "site",
    "sitename",
    "placename",
    "nom",
    "名称",
];
const DATE: [&str; 9] = [
    "seenfrom",
    "date",
    "seen",
    "when",
    "datetime",
    "timestamp",
    "time",
    "observed",
    "imagedate",
];
const CATEGORY: [&str; 5] = ["category", "type", "class", "kind", "layer"];

fn normalise(header: &str) -> String {
    header
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

fn guess(headers: &[String], names: &[&str]) -> Option<String> {
    names
        .iter()
        .find_map(|want| headers.iter().find(|h| normalise(h) == *want).cloned())
}

fn strip_bom(text: &str) -> &str {
    text.strip_prefix('\u{feff}').unwrap_or(text)
}

/// Counts a byte outside double quotes in one line.
fn count_unquoted(line: &str, byte: u8) -> usize {
    let mut quoted = false;
    let mut n = 0;
    for b in line.bytes() {
        if b == b'"' {
            quoted = !quoted;
        } else if b == byte && !quoted {
            n += 1;
        }
    }
    n
}

fn sniff_delimiter(text: &str) -> u8 {
    let header = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    let mut best = (0, b',');
    for candidate in [b',', b';', b'\t'] {
        let n = count_unquoted(header, candidate);
        if n > best.0 {
            best = (n, candidate);
        }
    }
    best.1
}

fn reader(text: &str, delimiter: u8) -> ::csv::Reader<&[u8]> {
    ::csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .trim(::csv::Trim::All)
        .from_reader(text.as_bytes())
}

/// Works out the delimiter, decimal separator and columns of a CSV, honouring what the
/// options fix; an error when no coordinate column is found or chosen.
pub fn sniff(
    text: &str,
    origin: &str,
    options: &CsvOptions,
) -> Result<CsvLayout, InterchangeError> {
    let layout = layout(text, origin, options)?;
    let c = &layout.columns;
    let pair = c.latitude.is_some() && c.longitude.is_some();
    if !pair && c.mgrs.is_none() && c.wkt.is_none() {
        return Err(malformed(
            origin,
            format!(
                "no latitude/longitude, X/Y, MGRS or WKT column found among {}; choose them",
                layout.headers.join(", ")
            ),
        ));
    }
    Ok(layout)
}

/// [`sniff`] without the demand for coordinate columns: what the import dialog opens with, so
/// the user can choose them where none was guessed.
pub fn layout(
    text: &str,
    origin: &str,
    options: &CsvOptions,
) -> Result<CsvLayout, InterchangeError> {
    let text = strip_bom(text);
    let delimiter = options.delimiter.unwrap_or_else(|| sniff_delimiter(text));
    let decimal_comma = options.decimal_comma.unwrap_or(delimiter == b';');
    let headers: Vec<String> = reader(text, delimiter)
        .headers()
        .map_err(|source| InterchangeError::Csv {
            origin: origin.to_owned(),
            source,
        })?
        .iter()
        .map(str::to_owned)
        .collect();
    if headers.iter().all(String::is_empty) {
        return Err(malformed(origin, "no header row".into()));
    }
    let chosen = &options.columns;
    for name in [
        &chosen.latitude,
        &chosen.longitude,
        &chosen.mgrs,
        &chosen.wkt,
        &chosen.name,
        &chosen.date,
        &chosen.category,
    ]
    .into_iter()
    .flatten()
    {
        if !headers.contains(name) {
            return Err(malformed(origin, format!("there is no column \"{name}\"")));
        }
    }
    let pick = |c: &Option<String>, names: &[&str]| c.clone().or_else(|| guess(&headers, names));
    let mut columns = CsvColumns {
        latitude: pick(&chosen.latitude, &LATITUDE),
        longitude: pick(&chosen.longitude, &LONGITUDE),
        mgrs: pick(&chosen.mgrs, &MGRS),
        wkt: pick(&chosen.wkt, &WKT),
        name: pick(&chosen.name, &NAME),
        date: pick(&chosen.date, &DATE),
        category: pick(&chosen.category, &CATEGORY),
    };
    let pair = columns.latitude.is_some() && columns.longitude.is_some();
    // A lat/lon pair wins over a guessed MGRS or WKT column, an MGRS column over a guessed WKT.
    if pair && chosen.mgrs.is_none() {
        columns.mgrs = None;
    }
    if (pair || columns.mgrs.is_some()) && chosen.wkt.is_none() {
        columns.wkt = None;
    }
    Ok(CsvLayout {
        delimiter,
        decimal_comma,
        headers,
        columns,
    })
}

fn malformed(origin: &str, what: String) -> InterchangeError {
    InterchangeError::Malformed {
        origin: origin.to_owned(),
        format: "CSV",
        what,
    }
}

/// Dates in the forms spreadsheets write, as ISO days; anything else passes through for the
/// mapping to read (or warn about).
fn iso_date(text: &str) -> String {
    let first = text.split([' ', 'T']).next().unwrap_or(text);
    for format in ["%d.%m.%Y", "%Y/%m/%d", "%Y.%m.%d"] {
        if let Ok(d) = NaiveDate::parse_from_str(first, format) {
            return d.to_string();
        }
    }
    text.to_owned()
}

fn shapes_of_row(
    row: &::csv::StringRecord,
    index: &Indices,
    decimal_comma: bool,
) -> Result<Vec<Shape>, String> {
    if let (Some(lat_i), Some(lon_i)) = (index.latitude, index.longitude) {
        let lat_text = row.get(lat_i).unwrap_or("");
        let lon_text = row.get(lon_i).unwrap_or("");
        if lat_text.is_empty() && lon_text.is_empty() {
            return Err("no coordinates".into());
        }
        let lat = parse_latitude(lat_text, decimal_comma)?;
        let lon = parse_longitude(lon_text, decimal_comma)?;
        return Ok(vec![Shape::Point(Point::new(lon, lat))]);
    }
    if let Some(mgrs_i) = index.mgrs {
        let text = row.get(mgrs_i).unwrap_or("");
        if text.is_empty() {
            return Err("no grid reference".into());
        }
        let at = parse_mgrs(text)?;
        return Ok(vec![Shape::Point(Point::from(at.lonlat))]);
    }
    let Some(wkt_i) = index.wkt else {
        return Err("no coordinate columns".into());
    };
    let text = row.get(wkt_i).unwrap_or("");
    if text.is_empty() {
        return Err("no geometry".into());
    }
    wkt_shapes(text)
}

struct Indices {
    latitude: Option<usize>,
    longitude: Option<usize>,
    mgrs: Option<usize>,
    wkt: Option<usize>,
    name: Option<usize>,
    date: Option<usize>,
    category: Option<usize>,
}

/// Reads CSV bytes (UTF-8, with or without a BOM).
pub fn import_bytes(
    bytes: &[u8],
    origin: &str,
    project: &Project,
    default_date: NaiveDate,
    options: &CsvOptions,
) -> Result<Imported, InterchangeError> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        malformed(
            origin,
            format!(
                "the text is not UTF-8 (byte {}); save it as UTF-8",
                e.valid_up_to()
            ),
        )
    })?;
    import_str(text, origin, project, default_date, options)
}

/// Reads CSV text.
pub fn import_str(
    text: &str,
    origin: &str,
    project: &Project,
    default_date: NaiveDate,
    options: &CsvOptions,
) -> Result<Imported, InterchangeError> {
    let text = strip_bom(text);
    let layout = sniff(text, origin, options)?;
    let position = |c: &Option<String>| {
        c.as_ref()
            .and_then(|name| layout.headers.iter().position(|h| h == name))
    };
    let cols = &layout.columns;
    let index = Indices {
        latitude: position(&cols.latitude),
        longitude: position(&cols.longitude),
        mgrs: position(&cols.mgrs),
        wkt: position(&cols.wkt),
        name: position(&cols.name),
        date: position(&cols.date),
        category: position(&cols.category),
    };
    let geometry_columns = [index.latitude, index.longitude, index.mgrs, index.wkt];
    let mut builder = Builder::new(project, default_date);
    let mut rows = 0;
    for (i, record) in reader(text, layout.delimiter).records().enumerate() {
        let record = record.map_err(|source| InterchangeError::Csv {
            origin: origin.to_owned(),
            source,
        })?;
        if record.iter().all(str::is_empty) {
            continue;
        }
        rows += 1;
        // The line in the file, counted from the record's byte offset (a quoted field may
        // hold line breaks, so rows and lines differ).
        // After a CRLF the reader's position can sit on the '\n': skip line ends first.
        let line = record.position().map_or(i + 2, |p| {
            let bytes = text.as_bytes();
            let mut at = p.byte() as usize;
            while bytes.get(at).is_some_and(|b| *b == b'\r' || *b == b'\n') {
                at += 1;
            }
            let before = bytes.get(..at).unwrap_or_default();
            before.split(|b| *b == b'\n').count()
        });
        let mut properties = Map::new();
        for (c, (header, value)) in layout.headers.iter().zip(record.iter()).enumerate() {
            if value.is_empty() || geometry_columns.contains(&Some(c)) || header.is_empty() {
                continue;
            }
            let key = if Some(c) == index.name {
                "label".to_owned()
            } else if Some(c) == index.date {
                "seen_from".to_owned()
            } else if Some(c) == index.category {
                "category".to_owned()
            } else {
                header.clone()
            };
            let value = if Some(c) == index.date {
                iso_date(value)
            } else {
                value.to_owned()
            };
            properties.insert(key, Value::String(value));
        }
        let label = properties
            .get("label")
            .and_then(Value::as_str)
            .map(str::to_owned);
        builder.add(RawFeature {
            origin: match label {
                Some(l) => format!("line {line} (\"{l}\")"),
                None => format!("line {line}"),
            },
            shapes: shapes_of_row(&record, &index, layout.decimal_comma),
            properties,
            ..RawFeature::default()
        });
    }
    if rows == 0 {
        return Err(malformed(origin, "no rows under the header".into()));
    }
    Ok(builder.finish())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::default_project::load_default_project;

    fn empty() -> Project {
        let mut p = load_default_project().unwrap().project;
        p.annotations.clear();
        p
    }

    fn date() -> NaiveDate {
        NaiveDate::from_ymd_opt(2025, 10, 14).unwrap()
    }

    fn import(text: &str) -> Imported {
        import_str(text, "t.csv", &empty(), date(), &CsvOptions::default()).unwrap()
    }

    #[test]
    fn columns_are_guessed_by_name_in_any_case() {
        let layout = sniff(
            "Site Name,LAT,Lng,Date,Type,Note\n",
            "t.csv",
            &CsvOptions::default(),
        )
        .unwrap();
        assert_eq!(layout.delimiter, b',');
        assert!(!layout.decimal_comma);
        assert_eq!(layout.columns.latitude.as_deref(), Some("LAT"));
        assert_eq!(layout.columns.longitude.as_deref(), Some("Lng"));
        assert_eq!(layout.columns.name.as_deref(), Some("Site Name"));
        assert_eq!(layout.columns.date.as_deref(), Some("Date"));
        assert_eq!(layout.columns.category.as_deref(), Some("Type"));
        assert_eq!(layout.columns.wkt, None);
    }

    #[test]
    fn a_semicolon_file_is_read_with_a_decimal_comma() {
        let got = import("name;latitude;longitude;date\nPier 2;42,41;130,64;02.06.2025\n");
        assert_eq!(got.annotations.len(), 1, "{:?}", got.skipped);
        let a = &got.annotations[0];
        assert_eq!(a.label, "Pier 2");
        assert_eq!(a.seen_from.to_string(), "2025-06-02");
        let Shape::Point(p) = a.shape else { panic!() };
        assert!((p.x() - 130.64).abs() < 1e-12 && (p.y() - 42.41).abs() < 1e-12);
    }

    #[test]
    fn dms_and_x_y_columns_place_points() {
        let got = import("x,y,label\n\"130 38 12 E\",\"42°25'30.5\"\"N\",A\n");
        assert_eq!(got.annotations.len(), 1, "{:?}", got.skipped);
        let Shape::Point(p) = got.annotations[0].shape else {
            panic!()
        };
        assert!((p.y() - (42.0 + 25.0 / 60.0 + 30.5 / 3600.0)).abs() < 1e-9);
        assert!((p.x() - (130.0 + 38.0 / 60.0 + 12.0 / 3600.0)).abs() < 1e-9);
    }

    #[test]
    fn a_wkt_column_gives_lines_and_polygons() {
        let got = import(
            "WKT;name\n\"LINESTRING (130 42, 130.1 42.1)\";road\n\"POLYGON ((130 42, 130.1 42, 130.1 42.1, 130 42))\";yard\n",
        );
        assert_eq!(got.annotations.len(), 2, "{:?}", got.skipped);
        assert!(matches!(got.annotations[0].shape, Shape::Line(_)));
        assert!(matches!(got.annotations[1].shape, Shape::Polygon(_)));
    }

    #[test]
    fn an_mgrs_column_places_points_and_a_bad_reference_skips_its_row() {
        let got = import("name;MGRS\nbridge;52T GN 12345 67890\nbad;52TSN 1 2\n");
        assert_eq!(got.annotations.len(), 1, "{:?}", got.skipped);
        let Shape::Point(p) = got.annotations[0].shape else {
            panic!()
        };
        let want = parse_mgrs("52TGN1234567890").unwrap().lonlat;
        assert!((p.x() - want.x).abs() < 1e-12 && (p.y() - want.y).abs() < 1e-12);
        assert_eq!(got.skipped.len(), 1);
        assert!(got.skipped[0].starts_with("line 3"), "{:?}", got.skipped);
        // A latitude/longitude pair wins over a grid reference column.
        let both = import("lat,lon,mgrs\n42.4,130.6,52TGN1234567890\n");
        let Shape::Point(p) = both.annotations[0].shape else {
            panic!()
        };
        assert!((p.y() - 42.4).abs() < 1e-12);
    }

    #[test]
    fn bad_rows_are_skipped_with_their_line_number() {
        let got = import("lat,lon,name\n42.4,130.6,ok\n95,130,too far north\n,,\nabc,130,word\n");
        assert_eq!(got.annotations.len(), 1);
        assert_eq!(got.skipped.len(), 2, "{:?}", got.skipped);
        assert!(got.skipped[0].starts_with("line 3"), "{:?}", got.skipped);
        assert!(got.skipped[1].starts_with("line 5"), "{:?}", got.skipped);
    }

    #[test]
    fn other_columns_are_kept_as_properties() {
        let got = import("lat,lon,name,name:ko,height_m\n42.4,130.6,Bridge,다리,35\n");
        let a = &got.annotations[0];
        assert_eq!(a.extra_properties["name:ko"], "다리");
        assert_eq!(a.extra_properties["height_m"], "35");
        assert!(!a.extra_properties.contains_key("lat"));
    }

    #[test]
    fn chosen_columns_win_over_guesses() {
        let options = CsvOptions {
            columns: CsvColumns {
                latitude: Some("b".into()),
                longitude: Some("a".into()),
                ..CsvColumns::default()
            },
            ..CsvOptions::default()
        };
        let got = import_str("a,b\n130.6,42.4\n", "t.csv", &empty(), date(), &options).unwrap();
        let Shape::Point(p) = got.annotations[0].shape else {
            panic!()
        };
        assert!((p.x() - 130.6).abs() < 1e-12);
        let missing = CsvOptions {
            columns: CsvColumns {
                name: Some("nope".into()),
                ..CsvColumns::default()
            },
            ..CsvOptions::default()
        };
        let err = import_str("lat,lon\n1,2\n", "t.csv", &empty(), date(), &missing).unwrap_err();
        assert!(err.to_string().contains("nope"), "{err}");
    }

    #[test]
    fn a_file_without_coordinate_columns_is_an_error_naming_its_columns() {
        let err = import_str(
            "a,b\n1,2\n",
            "t.csv",
            &empty(),
            date(),
            &CsvOptions::default(),
        )
        .unwrap_err();
        assert!(matches!(err, InterchangeError::Malformed { .. }));
        assert!(err.to_string().contains("a, b"), "{err}");
        assert!(
            import_bytes(
                b"lat,lon\n\xff,1\n",
                "t.csv",
                &empty(),
                date(),
                &CsvOptions::default()
            )
            .is_err()
        );
        assert!(import_str("", "t.csv", &empty(), date(), &CsvOptions::default()).is_err());
        assert!(
            import_str(
                "lat,lon\n",
                "t.csv",
                &empty(),
                date(),
                &CsvOptions::default()
            )
            .is_err()
        );
    }
}
