//! KML `GroundOverlay`s: georeferenced images (a scanned plan, a dated satellite scene) that
//! Google Earth drapes over the map. They are imagery, not annotations: the import lists them
//! so the app can open each as an imagery layer.

use quick_xml::events::Event;

/// One `GroundOverlay` as the KML gives it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct GroundOverlay {
    /// Its `<name>`, if any.
    pub name: Option<String>,
    /// `Icon/href`: a path inside the KMZ (see `in_archive`), a path relative to the KML file,
    /// or a URL.
    pub href: String,
    /// True when `href` names an entry of the KMZ it came from (read it with
    /// [`super::kmz::read_entry`]).
    pub in_archive: bool,
    /// `LatLonBox` north edge, degrees.
    pub north: f64,
    /// South edge, degrees.
    pub south: f64,
    /// East edge, degrees.
    pub east: f64,
    /// West edge, degrees.
    pub west: f64,
    /// Counter-clockwise rotation of the image about the box's centre, degrees.
    pub rotation_deg: f64,
    /// `TimeStamp/when` or `TimeSpan/begin` as written (ISO date or date-time).
    pub begin: Option<String>,
    /// `TimeSpan/end` as written.
    pub end: Option<String>,
}

#[derive(Default)]
struct Partial {
    overlay: GroundOverlay,
    edges: [bool; 4],
}

fn local(name: &[u8]) -> String {
    let name = String::from_utf8_lossy(name);
    match name.rsplit_once(':') {
        Some((_, l)) => l.to_owned(),
        None => name.into_owned(),
    }
}

fn entity(name: &str) -> Option<char> {
    Some(match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        _ => return None,
    })
}

/// Every `GroundOverlay` with an image and a complete `LatLonBox`, in document order; an
/// overlay without them is left out (`gx:LatLonQuad` overlays too: they are not rectangles).
/// Text that is not well-formed XML yields what was read before the fault.
pub fn find(kml_text: &str, in_archive: bool) -> Vec<GroundOverlay> {
    let mut reader = quick_xml::Reader::from_str(kml_text);
    let mut path: Vec<String> = Vec::new();
    let mut current: Option<Partial> = None;
    let mut text = String::new();
    let mut found = Vec::new();
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) => {
                let name = local(e.name().as_ref());
                if name == "GroundOverlay" {
                    current = Some(Partial::default());
                }
                path.push(name);
                text.clear();
            }
            Ok(Event::Text(t)) => {
                if let Ok(s) = t.decode() {
                    text.push_str(&s);
                }
            }
            Ok(Event::CData(t)) => {
                if let Ok(s) = t.decode() {
                    text.push_str(&s);
                }
            }
            Ok(Event::GeneralRef(r)) => {
                let c = r
                    .resolve_char_ref()
                    .ok()
                    .flatten()
                    .or_else(|| r.decode().ok().and_then(|name| entity(&name)));
                if let Some(c) = c {
                    text.push(c);
                }
            }
            Ok(Event::End(_)) => {
                let name = path.pop().unwrap_or_default();
                let parent = path.last().map_or("", String::as_str);
                if let Some(p) = current.as_mut() {
                    finish_element(p, &name, parent, text.trim());
                }
                if name == "GroundOverlay"
                    && let Some(p) = current.take()
                    && p.edges.iter().all(|e| *e)
                    && !p.overlay.href.is_empty()
                {
                    let mut overlay = p.overlay;
                    overlay.in_archive = in_archive && !overlay.href.contains("://");
                    found.push(overlay);
                }
                text.clear();
            }
            Ok(Event::Eof) | Err(_) => break,
            Ok(_) => {}
        }
    }
    found
}

fn finish_element(p: &mut Partial, name: &str, parent: &str, text: &str) {
    let number = || text.parse::<f64>().ok().filter(|v| v.is_finite());
    let o = &mut p.overlay;
    match (parent, name) {
        ("GroundOverlay", "name") if !text.is_empty() => o.name = Some(text.to_owned()),
        ("Icon", "href") => text.clone_into(&mut o.href),
        ("LatLonBox", edge) => {
            let Some(v) = number() else { return };
            let slot = match edge {
                "north" => 0,
                "south" => 1,
                "east" => 2,
                "west" => 3,
                "rotation" => {
                    o.rotation_deg = v;
                    return;
                }
                _ => return,
            };
            match slot {
                0 => o.north = v,
                1 => o.south = v,
                2 => o.east = v,
                _ => o.west = v,
            }
            if let Some(seen) = p.edges.get_mut(slot) {
                *seen = true;
            }
        }
        ("TimeStamp", "when") | ("TimeSpan", "begin") if !text.is_empty() => {
            o.begin = Some(text.to_owned());
        }
        ("TimeSpan", "end") if !text.is_empty() => o.end = Some(text.to_owned()),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_overlay_gives_its_image_box_rotation_and_time() {
        let kml = r#"<kml xmlns="http://www.opengis.net/kml/2.2"><Document>
<GroundOverlay><name>Plan &amp; site</name><TimeStamp><when>2025-06-02</when></TimeStamp>
<Icon><href>files/plan.jpg</href></Icon>
<LatLonBox><north>42.5</north><south>42.4</south><east>130.7</east><west>130.6</west>
<rotation>12.5</rotation></LatLonBox></GroundOverlay>
<GroundOverlay><name>No box</name><Icon><href>x.png</href></Icon></GroundOverlay>
<GroundOverlay><Icon><href>https://example.invalid/a.png</href></Icon>
<LatLonBox><north>1</north><south>0</south><east>1</east><west>0</west></LatLonBox></GroundOverlay>
</Document></kml>"#;
        let got = find(kml, true);
        assert_eq!(got.len(), 2);
        let plan = &got[0];
        assert_eq!(plan.name.as_deref(), Some("Plan & site"));
        assert_eq!(plan.href, "files/plan.jpg");
        assert!(plan.in_archive);
        assert_eq!(
            (plan.north, plan.south, plan.east, plan.west),
            (42.5, 42.4, 130.7, 130.6)
        );
        assert!((plan.rotation_deg - 12.5).abs() < 1e-12);
        assert_eq!(plan.begin.as_deref(), Some("2025-06-02"));
        assert!(!got[1].in_archive, "a URL is not inside the archive");
        assert!(got[1].rotation_deg.abs() < 1e-12);
    }

    #[test]
    fn broken_xml_gives_what_came_before_the_fault() {
        assert!(find("<kml><GroundOverlay><Icon>", false).is_empty());
        assert!(find("", false).is_empty());
    }
}
