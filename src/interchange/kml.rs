//! KML 2.2 import and export of annotations, for Google Earth.
//!
//! Each annotation is a Placemark with a `TimeSpan` (`begin` = seen from, `end` = seen until), so
//! Google Earth's time slider shows it from the date it was seen; each category is a shared
//! `Style` (`#cat-KEY`). Sitewatch's own fields and foreign properties travel in `ExtendedData`.

use std::collections::HashMap;
use std::str::FromStr as _;

use chrono::NaiveDate;
use geo::{Coord, LineString, Point, Polygon};
use kml::types::{Element, Geometry, LineStyle, LinearRing, PolyStyle, Style as KmlStyle};
use kml::{Kml, KmlDocument, KmlWriter};
use serde_json::{Map, Value};

use super::mapping::{Builder, RawFeature, check_position};
use super::{Imported, InterchangeError};
use crate::model::{Annotation, Project, Rgba, Shape};

const KML_NS: &str = "http://www.opengis.net/kml/2.2";

/// The style id of a category.
fn style_id(category_key: &str) -> String {
    format!("cat-{category_key}")
}

/// KML colours are `aabbggrr`.
fn kml_color(c: Rgba) -> String {
    let [red, green, blue, alpha] = c.0;
    format!("{alpha:02x}{blue:02x}{green:02x}{red:02x}")
}

fn element(name: &str, content: Option<String>, children: Vec<Element>) -> Element {
    Element {
        name: name.to_owned(),
        attrs: HashMap::new(),
        content,
        children,
    }
}

fn data(name: &str, value: String) -> Element {
    let mut d = element("Data", None, vec![element("value", Some(value), vec![])]);
    d.attrs.insert("name".into(), name.to_owned());
    d
}

fn kml_coord(c: Coord<f64>) -> kml::types::Coord {
    kml::types::Coord::new(c.x, c.y, None)
}

fn kml_ring(l: &LineString<f64>) -> LinearRing {
    LinearRing {
        coords: l.0.iter().map(|c| kml_coord(*c)).collect(),
        ..LinearRing::default()
    }
}

fn kml_geometry(shape: &Shape) -> Geometry {
    match shape {
        Shape::Point(p) => Geometry::Point(kml::types::Point {
            coord: kml_coord(p.0),
            ..kml::types::Point::default()
        }),
        Shape::Line(l) => Geometry::LineString(kml::types::LineString {
            coords: l.0.iter().map(|c| kml_coord(*c)).collect(),
            tessellate: true,
            ..kml::types::LineString::default()
        }),
        Shape::Polygon(p) => Geometry::Polygon(kml::types::Polygon {
            outer: kml_ring(p.exterior()),
            inner: p.interiors().iter().map(kml_ring).collect(),
            tessellate: true,
            ..kml::types::Polygon::default()
        }),
    }
}

fn to_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn placemark(a: &Annotation) -> Kml {
    let mut span = Vec::new();
    span.push(element(
        "begin",
        Some(a.seen_from.key().to_string()),
        vec![],
    ));
    if let Some(until) = &a.seen_until {
        span.push(element("end", Some(until.key().to_string()), vec![]));
    }
    let mut extended = vec![
        data("category", a.category.clone()),
        data(
            "status",
            to_text(&serde_json::to_value(a.status).unwrap_or_default()),
        ),
        data(
            "certainty",
            to_text(&serde_json::to_value(a.certainty).unwrap_or_default()),
        ),
        // The precision of the date ("late 2025-05") survives only here: begin needs a day.
        data("seen_from", a.seen_from.to_string()),
    ];
    if !a.mark.is_feature() {
        extended.push(data(
            "mark",
            to_text(&serde_json::to_value(a.mark).unwrap_or_default()),
        ));
    }
    if let Some(until) = &a.seen_until {
        extended.push(data("seen_until", until.to_string()));
    }
    if !a.sources.is_empty() {
        extended.push(data(
            "sources",
            serde_json::to_string(&a.sources).unwrap_or_default(),
        ));
    }
    for (k, v) in &a.extra_properties {
        extended.push(data(k, to_text(v)));
    }
    let children = vec![
        element("TimeSpan", None, span),
        element(
            "styleUrl",
            Some(format!("#{}", style_id(&a.category))),
            vec![],
        ),
        element("ExtendedData", None, extended),
    ];
    let mut attrs = HashMap::new();
    attrs.insert("id".to_owned(), a.id.clone());
    Kml::Placemark(kml::types::Placemark {
        name: Some(a.label.clone()),
        description: (!a.note.is_empty()).then(|| a.note.clone()),
        geometry: Some(kml_geometry(&a.shape)),
        style_url: None,
        attrs,
        children,
    })
}

/// The project's annotations as a KML document, styles by category.
pub fn export_string(project: &Project) -> Result<String, kml::Error> {
    let mut elements = vec![Kml::Element(element(
        "name",
        Some(project.name.clone()),
        vec![],
    ))];
    for c in &project.categories {
        elements.push(Kml::Style(KmlStyle {
            id: Some(style_id(&c.key)),
            line: Some(LineStyle {
                color: kml_color(c.style.color),
                width: f64::from(c.style.width_px),
                ..LineStyle::default()
            }),
            poly: Some(PolyStyle {
                color: kml_color(c.style.color.with_alpha(c.style.fill_alpha)),
                fill: c.style.fill_alpha > 0,
                outline: true,
                ..PolyStyle::default()
            }),
            ..KmlStyle::default()
        }));
    }
    elements.extend(project.annotations.iter().map(placemark));
    let mut attrs = HashMap::new();
    attrs.insert("xmlns".to_owned(), KML_NS.to_owned());
    let doc = Kml::KmlDocument(KmlDocument {
        attrs,
        elements: vec![Kml::Document {
            attrs: HashMap::new(),
            elements,
        }],
        ..KmlDocument::default()
    });
    let mut buf = Vec::new();
    KmlWriter::new(quick_xml::Writer::new_with_indent(&mut buf, b' ', 1)).write(&doc)?;
    let mut text = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    text.push_str(&String::from_utf8_lossy(&buf));
    text.push('\n');
    Ok(text)
}

fn coords(list: &[kml::types::Coord]) -> Result<Vec<Coord<f64>>, String> {
    list.iter().map(|c| check_position(c.x, c.y)).collect()
}

fn ring(r: &LinearRing) -> Result<LineString<f64>, String> {
    let mut c = coords(&r.coords)?;
    if c.first() != c.last()
        && let Some(first) = c.first().copied()
    {
        c.push(first);
    }
    if c.len() < 4 {
        return Err("a polygon ring needs at least three distinct positions".into());
    }
    Ok(LineString::new(c))
}

fn parts(g: &Geometry) -> Result<Vec<Shape>, String> {
    Ok(match g {
        Geometry::Point(p) => vec![Shape::Point(Point(check_position(p.coord.x, p.coord.y)?))],
        Geometry::LineString(l) => {
            let c = coords(&l.coords)?;
            if c.len() < 2 {
                return Err("a LineString needs at least two positions".into());
            }
            vec![Shape::Line(LineString::new(c))]
        }
        Geometry::LinearRing(r) => vec![Shape::Polygon(Polygon::new(ring(r)?, vec![]))],
        Geometry::Polygon(p) => vec![Shape::Polygon(Polygon::new(
            ring(&p.outer)?,
            p.inner.iter().map(ring).collect::<Result<_, _>>()?,
        ))],
        Geometry::MultiGeometry(m) => {
            let mut out = Vec::new();
            for g in &m.geometries {
                out.extend(parts(g)?);
            }
            out
        }
        Geometry::Element(e) => return Err(format!("{} geometry is not supported", e.name)),
        _ => return Err("this geometry type is not supported".into()),
    })
}

fn child<'a>(e: &'a [Element], name: &str) -> Option<&'a Element> {
    e.iter().find(|c| c.name == name)
}

fn child_text(e: &[Element], name: &str) -> Option<String> {
    child(e, name)
        .and_then(|c| c.content.as_deref())
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

/// A value from `ExtendedData`: JSON where it reads as a JSON array or object (sources), else text.
fn data_value(text: &str) -> Value {
    let t = text.trim();
    if (t.starts_with('[') || t.starts_with('{'))
        && let Ok(v) = serde_json::from_str::<Value>(t)
    {
        return v;
    }
    Value::String(text.to_owned())
}

fn raw_placemark(index: usize, p: &kml::types::Placemark) -> RawFeature {
    let name = p.name.clone().unwrap_or_default();
    let origin = if name.is_empty() {
        format!("placemark {}", index + 1)
    } else {
        format!("placemark {} (\"{name}\")", index + 1)
    };
    let mut properties = Map::new();
    if !name.is_empty() {
        properties.insert("label".into(), Value::String(name));
    }
    if let Some(d) = p.description.as_ref().filter(|d| !d.trim().is_empty()) {
        properties.insert("note".into(), Value::String(d.clone()));
    }
    if let Some(span) = child(&p.children, "TimeSpan") {
        if let Some(begin) = child_text(&span.children, "begin") {
            properties.insert("seen_from".into(), Value::String(begin));
        }
        if let Some(end) = child_text(&span.children, "end") {
            properties.insert("seen_until".into(), Value::String(end));
        }
    }
    if let Some(stamp) = child(&p.children, "TimeStamp")
        && let Some(when) = child_text(&stamp.children, "when")
    {
        properties.entry("seen_from").or_insert(Value::String(when));
    }
    // ExtendedData overrides the span: it keeps the dates' precision.
    if let Some(ext) = child(&p.children, "ExtendedData") {
        for d in ext.children.iter().filter(|c| c.name == "Data") {
            if let (Some(key), Some(value)) = (d.attrs.get("name"), child(&d.children, "value")) {
                let text = value.content.clone().unwrap_or_default();
                properties.insert(key.clone(), data_value(&text));
            }
        }
    }
    let style_url = p
        .style_url
        .clone()
        .or_else(|| child_text(&p.children, "styleUrl"));
    let category_hint = style_url
        .as_deref()
        .and_then(|u| u.strip_prefix("#cat-"))
        .map(str::to_owned);
    let shapes = match (&p.geometry, super::gx_track::tracks(&p.children)) {
        (Some(g), _) => parts(g),
        (None, Some(t)) => {
            // A GPS trace is dated by its times unless the placemark says otherwise.
            if let Some(begin) = t.begin {
                properties
                    .entry("seen_from")
                    .or_insert(Value::String(begin));
            }
            if let Some(end) = t.end {
                properties
                    .entry("gx_track_end")
                    .or_insert(Value::String(end));
            }
            t.shapes
        }
        (None, None) => Err("no geometry".to_owned()),
    };
    RawFeature {
        origin,
        id: p.attrs.get("id").cloned(),
        shapes,
        properties,
        extra_members: Map::new(),
        category_hint,
    }
}

fn collect_placemarks<'a>(k: &'a Kml, out: &mut Vec<&'a kml::types::Placemark>) {
    match k {
        Kml::KmlDocument(d) => d.elements.iter().for_each(|e| collect_placemarks(e, out)),
        Kml::Document { elements, .. } => elements.iter().for_each(|e| collect_placemarks(e, out)),
        Kml::Folder(f) => f.elements.iter().for_each(|e| collect_placemarks(e, out)),
        Kml::Placemark(p) => out.push(p),
        _ => {}
    }
}

/// Checks that the text is well-formed XML with every element closed. The KML reader loops
/// forever on a truncated file, so nothing reaches it unchecked.
fn check_well_formed(text: &str) -> Result<(), String> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(text);
    let mut open: Vec<String> = Vec::new();
    loop {
        let position = reader.buffer_position();
        match reader.read_event() {
            Ok(Event::Start(e)) => {
                open.push(String::from_utf8_lossy(e.name().as_ref()).into_owned());
            }
            Ok(Event::End(_)) => {
                open.pop();
            }
            Ok(Event::Eof) => {
                return match open.last() {
                    Some(name) => Err(format!("the file ends inside <{name}> (truncated?)")),
                    None => Ok(()),
                };
            }
            Ok(_) => {}
            Err(e) => return Err(format!("{e} near byte {position}")),
        }
    }
}

/// The `kml` crate's reading of `text`. It panics on some well-formed input (a `Point` whose
/// `coordinates` are empty, found by the kml fuzz target): such a panic is caught here and
/// reported as invalid KML, as an error of the reader's own would be.
fn read_kml(text: &str, origin: &str) -> Result<Kml<f64>, InterchangeError> {
    match std::panic::catch_unwind(|| Kml::<f64>::from_str(text)) {
        Ok(read) => read.map_err(|source| InterchangeError::Kml {
            origin: origin.to_owned(),
            source,
        }),
        Err(_) => Err(InterchangeError::Invalid {
            origin: origin.to_owned(),
            what: "the KML reader failed on a geometry in it".into(),
        }),
    }
}

/// Reads KML text: every Placemark in the document and its folders.
pub fn import_str(
    text: &str,
    origin: &str,
    project: &Project,
    default_date: NaiveDate,
) -> Result<Imported, InterchangeError> {
    check_well_formed(text).map_err(|what| InterchangeError::Invalid {
        origin: origin.to_owned(),
        what: format!("not well-formed XML: {what}"),
    })?;
    let root = read_kml(text, origin)?;
    let mut placemarks = Vec::new();
    collect_placemarks(&root, &mut placemarks);
    if placemarks.is_empty() && !text.contains("<Placemark") {
        return Err(InterchangeError::Invalid {
            origin: origin.to_owned(),
            what: "no Placemark in the file".into(),
        });
    }
    let mut builder = Builder::new(project, default_date);
    for (i, p) in placemarks.into_iter().enumerate() {
        builder.add(raw_placemark(i, p));
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

    #[test]
    fn a_point_with_empty_coordinates_is_invalid_kml_not_a_panic() {
        // Found by the kml fuzz target (fuzz/regressions/kml): the kml crate's reader panics.
        let text = "<kml><Placemark><name>a</name><Point><coordinates> </coordinates></Point>\
                    </Placemark></kml>";
        let err = import_str(text, "f.kml", &empty(), date()).unwrap_err();
        assert!(
            matches!(&err, InterchangeError::Invalid { what, .. } if what.contains("KML reader")),
            "{err:?}"
        );
    }

    #[test]
    fn colours_are_written_alpha_blue_green_red() {
        assert_eq!(kml_color(Rgba::rgb(0xF0, 0xE4, 0x42)), "ff42e4f0");
    }

    #[test]
    fn malformed_kml_is_an_error() {
        for truncated in [
            "<kml><Document><Placemark>",
            "<kml><Document><Placemark><name>x</name></Document></kml>",
            "<kml><Document><Placemark><name>x</na",
        ] {
            let err = import_str(truncated, "bad.kml", &empty(), date()).unwrap_err();
            assert!(err.to_string().contains("bad.kml"), "{err}");
        }
        let none = import_str(
            "<kml xmlns=\"http://www.opengis.net/kml/2.2\"><Document/></kml>",
            "empty.kml",
            &empty(),
            date(),
        );
        assert!(matches!(none, Err(InterchangeError::Invalid { .. })));
    }

    #[test]
    fn a_google_earth_placemark_with_a_time_stamp_imports() {
        let text = r#"<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2"><Document><Folder><name>f</name>
<Placemark><name>Crane</name><TimeStamp><when>2025-06-02T10:00:00Z</when></TimeStamp>
<Point><coordinates>130.64,42.41,0</coordinates></Point></Placemark>
<Placemark><name>Nowhere</name><Point><coordinates>nan,42.41</coordinates></Point></Placemark>
</Folder></Document></kml>"#;
        let got = import_str(text, "t.kml", &empty(), date()).unwrap();
        assert_eq!(got.annotations.len(), 1, "{:?}", got.skipped);
        assert_eq!(got.annotations[0].label, "Crane");
        assert_eq!(got.annotations[0].seen_from.to_string(), "2025-06-02");
        assert_eq!(got.skipped.len(), 1, "NaN is skipped: {:?}", got.skipped);
    }
}
