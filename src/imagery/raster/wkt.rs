//! Just enough WKT (WKT1 as in `.prj` files, ESRI's dialect, and WKT2 as GDAL writes it) to
//! recognise WGS 84 geographic, Web Mercator, the WGS 84 UTM zones, and any CRS that carries
//! its EPSG code.

use super::crs::{Crs, CrsError};

/// One bracketed WKT element: `KEYWORD[arg, arg, …]`.
#[derive(Clone, Debug, PartialEq)]
struct Node {
    keyword: String,
    args: Vec<Arg>,
}

#[derive(Clone, Debug, PartialEq)]
enum Arg {
    Text(String),
    Number(f64),
    /// A bare word such as `east` in `AXIS["x",east]`.
    Word(String),
    Node(Node),
}

struct Parser<'a> {
    bytes: &'a [u8],
    pos: usize,
    depth: usize,
}

impl Parser<'_> {
    fn skip_space(&mut self) {
        while self
            .bytes
            .get(self.pos)
            .is_some_and(u8::is_ascii_whitespace)
        {
            self.pos += 1;
        }
    }

    fn word(&mut self) -> String {
        let start = self.pos;
        while self
            .bytes
            .get(self.pos)
            .is_some_and(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-' | b'+'))
        {
            self.pos += 1;
        }
        String::from_utf8_lossy(self.bytes.get(start..self.pos).unwrap_or_default()).into_owned()
    }

    fn node(&mut self) -> Option<Node> {
        self.depth += 1;
        if self.depth > 64 {
            return None;
        }
        self.skip_space();
        let keyword = self.word().to_ascii_uppercase();
        if keyword.is_empty() {
            return None;
        }
        self.skip_space();
        let open = *self.bytes.get(self.pos)?;
        if open != b'[' && open != b'(' {
            return None;
        }
        self.pos += 1;
        let mut args = Vec::new();
        loop {
            self.skip_space();
            match *self.bytes.get(self.pos)? {
                b']' | b')' => {
                    self.pos += 1;
                    break;
                }
                b',' => self.pos += 1,
                b'"' => {
                    self.pos += 1;
                    let mut text = Vec::new();
                    loop {
                        let b = *self.bytes.get(self.pos)?;
                        self.pos += 1;
                        if b == b'"' {
                            // WKT escapes a quote by doubling it.
                            if self.bytes.get(self.pos) == Some(&b'"') {
                                self.pos += 1;
                            } else {
                                break;
                            }
                        }
                        text.push(b);
                    }
                    args.push(Arg::Text(String::from_utf8_lossy(&text).into_owned()));
                }
                _ => {
                    let save = self.pos;
                    let w = self.word();
                    if w.is_empty() {
                        return None;
                    }
                    self.skip_space();
                    if matches!(self.bytes.get(self.pos), Some(b'[' | b'(')) {
                        self.pos = save;
                        args.push(Arg::Node(self.node()?));
                    } else if let Ok(n) = w.parse::<f64>() {
                        args.push(Arg::Number(n));
                    } else {
                        args.push(Arg::Word(w));
                    }
                }
            }
        }
        self.depth -= 1;
        Some(node_with(keyword, args))
    }
}

fn node_with(keyword: String, args: Vec<Arg>) -> Node {
    Node { keyword, args }
}

impl Node {
    fn name(&self) -> &str {
        match self.args.first() {
            Some(Arg::Text(t)) => t,
            _ => "",
        }
    }

    fn children(&self) -> impl Iterator<Item = &Node> {
        self.args.iter().filter_map(|a| match a {
            Arg::Node(n) => Some(n),
            _ => None,
        })
    }

    fn child(&self, keywords: &[&str]) -> Option<&Node> {
        self.children()
            .find(|n| keywords.contains(&n.keyword.as_str()))
    }

    fn number(&self, i: usize) -> Option<f64> {
        match self.args.get(i) {
            Some(Arg::Number(n)) => Some(*n),
            Some(Arg::Text(t)) => t.trim().parse().ok(),
            _ => None,
        }
    }

    /// The node's own EPSG code: `AUTHORITY["EPSG","32652"]` (WKT1) or `ID["EPSG",32652]`.
    fn epsg(&self) -> Option<u32> {
        let auth = self.child(&["AUTHORITY", "ID"])?;
        if !auth.name().eq_ignore_ascii_case("EPSG") {
            return None;
        }
        auth.number(1)
            .filter(|c| *c > 0.0 && c.fract() == 0.0)
            .map(|c| c as u32)
    }

    /// A projection parameter by any of its names, compared without case or punctuation.
    fn parameter(&self, names: &[&str]) -> Option<f64> {
        self.children()
            .chain(
                self.child(&["CONVERSION"])
                    .into_iter()
                    .flat_map(Node::children),
            )
            .filter(|n| n.keyword == "PARAMETER")
            .find(|n| names.iter().any(|want| squash(n.name()) == squash(want)))
            .and_then(|n| n.number(1))
    }
}

/// Upper-case letters and digits only, for comparing names across dialects.
fn squash(s: &str) -> String {
    s.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

fn parse(text: &str) -> Option<Node> {
    let mut p = Parser {
        bytes: text.trim_start_matches('\u{feff}').as_bytes(),
        pos: 0,
        depth: 0,
    };
    p.node()
}

fn is_wgs84_datum(geog: &Node) -> bool {
    let datum = geog
        .child(&["DATUM", "ENSEMBLE"])
        .map(|d| squash(d.name()))
        .unwrap_or_default();
    matches!(
        datum.as_str(),
        "WGS84"
            | "WGS1984"
            | "DWGS1984"
            | "WORLDGEODETICSYSTEM1984"
            | "WORLDGEODETICSYSTEM1984ENSEMBLE"
    ) || geog.epsg() == Some(4326)
        || squash(geog.name()) == "WGS84"
        || squash(geog.name()) == "GCSWGS1984"
}

/// UTM zone and hemisphere from a name like "WGS 84 / UTM zone 52N" or "`WGS_1984_UTM_Zone_52S`".
fn utm_from_name(name: &str) -> Option<(u8, bool)> {
    let up = squash(name);
    let rest = &up[up.find("UTMZONE")? + "UTMZONE".len()..];
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    let zone: u8 = digits.parse().ok()?;
    let north = match rest[digits.len()..].chars().next()? {
        'N' => true,
        'S' => false,
        _ => return None,
    };
    (1..=60).contains(&zone).then_some((zone, north))
}

/// The CRS a WKT string describes, for WGS 84, Web Mercator, the WGS 84 UTM zones and anything
/// with an EPSG code of its own. `what` names the text's origin for messages.
pub fn crs_from_wkt(text: &str) -> Result<Crs, CrsError> {
    let unsupported = |name: &str, reason: &str| CrsError::Unsupported {
        name: name.to_owned(),
        reason: reason.to_owned(),
    };
    let root = parse(text).ok_or_else(|| unsupported("(unreadable WKT)", "not WKT"))?;
    let name = root.name().to_owned();
    match root.keyword.as_str() {
        "GEOGCS" | "GEOGCRS" | "GEODCRS" | "GEOGRAPHICCRS" => {
            if is_wgs84_datum(&root) {
                return Ok(Crs::Wgs84);
            }
            match root.epsg() {
                Some(code) => Crs::from_epsg(code),
                None => Err(unsupported(
                    &name,
                    "geographic CRS other than WGS 84 without an EPSG code",
                )),
            }
        }
        "PROJCS" | "PROJCRS" | "PROJECTEDCRS" => {
            if let Some(code) = root.epsg() {
                return Crs::from_epsg(code);
            }
            let squashed = squash(&name);
            let method = root
                .child(&["PROJECTION"])
                .or_else(|| {
                    root.child(&["CONVERSION"])
                        .and_then(|c| c.child(&["METHOD"]))
                })
                .map(|n| squash(n.name()))
                .unwrap_or_default();
            if squashed.contains("PSEUDOMERCATOR")
                || squashed.contains("WEBMERCATOR")
                || squashed.contains("POPULARVISUALISATION")
                || method.contains("AUXILIARYSPHERE")
                || method.contains("PSEUDOMERCATOR")
            {
                return Ok(Crs::WebMercator);
            }
            let geog = root.child(&["GEOGCS", "BASEGEOGCRS", "BASEGEODCRS", "GEOGCRS"]);
            let wgs84 = geog.is_some_and(is_wgs84_datum);
            if wgs84 {
                if let Some((zone, north)) = utm_from_name(&name) {
                    return Ok(Crs::Utm { zone, north });
                }
                if method.contains("TRANSVERSEMERCATOR") {
                    let cm = root.parameter(&["central_meridian", "Longitude of natural origin"]);
                    let k = root.parameter(&["scale_factor", "Scale factor at natural origin"]);
                    let fe = root.parameter(&["false_easting", "False easting"]);
                    let fnorth = root.parameter(&["false_northing", "False northing"]);
                    let lat0 = root
                        .parameter(&["latitude_of_origin", "Latitude of natural origin"])
                        .unwrap_or(0.0);
                    if let (Some(cm), Some(k), Some(fe), Some(fnorth)) = (cm, k, fe, fnorth) {
                        let zone = (cm + 183.0) / 6.0;
                        let is_utm = (k - 0.9996).abs() < 1e-9
                            && (fe - 500_000.0).abs() < 1e-6
                            && lat0 == 0.0
                            && (zone - zone.round()).abs() < 1e-9
                            && (1.0..=60.0).contains(&zone);
                        if is_utm && (fnorth == 0.0 || (fnorth - 10_000_000.0).abs() < 1e-6) {
                            return Ok(Crs::Utm {
                                zone: zone.round() as u8,
                                north: fnorth == 0.0,
                            });
                        }
                    }
                }
            }
            Err(unsupported(
                &name,
                "only WGS 84, Web Mercator, WGS 84 / UTM or a CRS with its EPSG code are read from WKT",
            ))
        }
        other => Err(unsupported(&name, &format!("WKT of kind {other}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_esri_utm_prj_is_recognised_by_its_parameters() {
        let prj = r#"PROJCS["WGS_1984_UTM_Zone_52N",GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137.0,298.257223563]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Transverse_Mercator"],PARAMETER["False_Easting",500000.0],PARAMETER["False_Northing",0.0],PARAMETER["Central_Meridian",129.0],PARAMETER["Scale_Factor",0.9996],PARAMETER["Latitude_Of_Origin",0.0],UNIT["Meter",1.0]]"#;
        assert_eq!(
            crs_from_wkt(prj),
            Ok(Crs::Utm {
                zone: 52,
                north: true
            })
        );
        let renamed = prj.replace("WGS_1984_UTM_Zone_52N", "my site grid");
        assert_eq!(
            crs_from_wkt(&renamed),
            Ok(Crs::Utm {
                zone: 52,
                north: true
            })
        );
        let south = renamed.replace(
            "PARAMETER[\"False_Northing\",0.0]",
            "PARAMETER[\"False_Northing\",10000000.0]",
        );
        assert_eq!(
            crs_from_wkt(&south),
            Ok(Crs::Utm {
                zone: 52,
                north: false
            })
        );
    }

    #[test]
    fn a_gdal_wkt1_utm_is_recognised_by_its_authority() {
        let wkt = r#"PROJCS["WGS 84 / UTM zone 33S",GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563,AUTHORITY["EPSG","7030"]],AUTHORITY["EPSG","6326"]],PRIMEM["Greenwich",0],UNIT["degree",0.0174532925199433]],PROJECTION["Transverse_Mercator"],PARAMETER["latitude_of_origin",0],PARAMETER["central_meridian",15],PARAMETER["scale_factor",0.9996],PARAMETER["false_easting",500000],PARAMETER["false_northing",10000000],UNIT["metre",1],AUTHORITY["EPSG","32733"]]"#;
        assert_eq!(
            crs_from_wkt(wkt),
            Ok(Crs::Utm {
                zone: 33,
                north: false
            })
        );
    }

    #[test]
    fn wgs84_geographic_and_web_mercator_are_recognised() {
        let geo = r#"GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137.0,298.257223563]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]]"#;
        assert_eq!(crs_from_wkt(geo), Ok(Crs::Wgs84));
        let merc = r#"PROJCS["WGS_1984_Web_Mercator_Auxiliary_Sphere",GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137.0,298.257223563]]],PROJECTION["Mercator_Auxiliary_Sphere"],PARAMETER["False_Easting",0.0],UNIT["Meter",1.0]]"#;
        assert_eq!(crs_from_wkt(merc), Ok(Crs::WebMercator));
    }

    #[test]
    fn wkt2_with_an_id_is_recognised() {
        let wkt2 = r#"PROJCRS["WGS 84 / UTM zone 52N",BASEGEOGCRS["WGS 84",DATUM["World Geodetic System 1984",ELLIPSOID["WGS 84",6378137,298.257223563]]],CONVERSION["UTM zone 52N",METHOD["Transverse Mercator",ID["EPSG",9807]]],CS[Cartesian,2],AXIS["(E)",east,ORDER[1]],ID["EPSG",32652]]"#;
        assert_eq!(
            crs_from_wkt(wkt2),
            Ok(Crs::Utm {
                zone: 52,
                north: true
            })
        );
    }

    #[test]
    fn an_unknown_projection_is_refused_by_name() {
        let wkt =
            r#"PROJCS["Local grid",GEOGCS["Tokyo",DATUM["Tokyo"]],PROJECTION["Cassini_Soldner"]]"#;
        let err = crs_from_wkt(wkt).unwrap_err();
        assert!(err.to_string().contains("Local grid"), "{err}");
    }

    #[test]
    fn garbage_is_not_wkt() {
        assert!(crs_from_wkt("hello").is_err());
        assert!(crs_from_wkt("PROJCS[\"unterminated").is_err());
        assert!(crs_from_wkt(&"A[".repeat(500)).is_err());
    }
}
