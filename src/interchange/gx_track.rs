//! Google Earth's `gx:Track` and `gx:MultiTrack` (a GPS trace with a time per position), which
//! the `kml` crate hands over as generic elements: each track becomes a line, dated by its
//! first and last `when`.

use geo::LineString;
use kml::types::Element;

use super::mapping::check_position;
use crate::model::Shape;

/// A placemark's tracks: the lines (or why they cannot be imported) and the first and last
/// `when`. `None` when the placemark has no track.
pub(crate) struct Tracks {
    /// One line per track.
    pub shapes: Result<Vec<Shape>, String>,
    /// The earliest `when` as written.
    pub begin: Option<String>,
    /// The latest `when` as written.
    pub end: Option<String>,
}

fn coord(text: &str) -> Result<geo::Coord<f64>, String> {
    let mut numbers = text.split_whitespace().map(str::parse::<f64>);
    match (numbers.next(), numbers.next()) {
        (Some(Ok(x)), Some(Ok(y))) => check_position(x, y),
        _ => Err(format!(
            "gx:coord \"{}\" is not \"lon lat [alt]\"",
            text.trim()
        )),
    }
}

fn track(e: &Element, whens: &mut Vec<String>) -> Result<Shape, String> {
    let coords = e
        .children
        .iter()
        .filter(|c| c.name == "coord")
        .map(|c| coord(c.content.as_deref().unwrap_or("")))
        .collect::<Result<Vec<_>, _>>()?;
    whens.extend(
        e.children
            .iter()
            .filter(|c| c.name == "when")
            .filter_map(|c| c.content.as_deref())
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned),
    );
    if coords.len() < 2 {
        return Err("a gx:Track needs at least two positions".into());
    }
    Ok(Shape::Line(LineString::new(coords)))
}

/// The tracks among a placemark's children.
pub(crate) fn tracks(children: &[Element]) -> Option<Tracks> {
    let mut elements: Vec<&Element> = Vec::new();
    for c in children {
        match c.name.as_str() {
            "Track" => elements.push(c),
            "MultiTrack" => elements.extend(c.children.iter().filter(|t| t.name == "Track")),
            _ => {}
        }
    }
    if elements.is_empty() {
        return None;
    }
    let mut whens = Vec::new();
    let shapes = elements
        .into_iter()
        .map(|e| track(e, &mut whens))
        .collect::<Result<Vec<_>, _>>();
    // ISO 8601 times in one zone sort as text.
    whens.sort();
    Some(Tracks {
        shapes,
        begin: whens.first().cloned(),
        end: whens.last().cloned(),
    })
}
