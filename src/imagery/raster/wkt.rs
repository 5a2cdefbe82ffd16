//! CRSs from WKT (WKT1 as in `.prj` files, ESRI's dialect, and WKT2 as GDAL writes it).
//! WGS 84 geographic, Web Mercator and the WGS 84 UTM zones are recognised here and computed
//! exactly; a CRS with an EPSG code goes through the EPSG table; anything else (Albers, Lambert,
//! Transverse Mercator variants, other datums) is turned into a PROJ.4 string by `proj4wkt` and
//! transformed by `proj4rs`.

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

    /// The projection method: `PROJECTION` (WKT1) or `CONVERSION` / `METHOD` (WKT2).
    fn method(&self) -> Option<&Node> {
        self.child(&["PROJECTION"]).or_else(|| {
            self.child(&["CONVERSION"])
                .and_then(|c| c.child(&["METHOD"]))
        })
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

/// The CRS a WKT string describes: WGS 84, Web Mercator and the WGS 84 UTM zones exactly, a CRS
/// with an EPSG code through the EPSG table, anything else `proj4wkt` can write as a PROJ.4
/// string through `proj4rs`. The error names the CRS as the WKT does.
pub fn crs_from_wkt(text: &str) -> Result<Crs, CrsError> {
    let root = parse(text).ok_or_else(|| CrsError::Unsupported {
        name: "(unreadable WKT)".to_owned(),
        reason: "not WKT".to_owned(),
    })?;
    if let Some(crs) = recognised(&root) {
        return Ok(crs);
    }
    let name = if root.name().is_empty() {
        format!("(unnamed {})", root.keyword)
    } else {
        root.name().to_owned()
    };
    let from_code = root.epsg().map(Crs::from_epsg);
    if let Some(Ok(crs)) = from_code {
        return Ok(crs);
    }
    match (
        proj4wkt::wkt_to_projstring(text.trim_start_matches('\u{feff}')),
        from_code,
    ) {
        (Ok(definition), _) => Crs::from_proj_string(name, definition.trim()),
        // An EPSG code missing from the table says more than the WKT reader's complaint.
        (Err(_), Some(Err(code_error))) => Err(code_error),
        (Err(e), _) => Err(CrsError::Unsupported {
            name,
            reason: unreadable_because(&root, &e.to_string()),
        }),
    }
}

/// Why `proj4wkt` could not read the WKT, in words for the user (its error type is private, so
/// its message is all there is).
fn unreadable_because(root: &Node, message: &str) -> String {
    let method = root.method().map(Node::name);
    match (message.strip_prefix("WKT error: "), method) {
        (Some(why), Some(method)) if why.starts_with("No projection mapping") => {
            format!("the projection {method} is not supported")
        }
        (Some(why), _) => format!("cannot be read from WKT: {why}"),
        (None, _) => "WKT that cannot be read".to_owned(),
    }
}

/// The CRSs computed here rather than by `proj4rs`: WGS 84, Web Mercator, WGS 84 / UTM.
fn recognised(root: &Node) -> Option<Crs> {
    let name = root.name();
    match root.keyword.as_str() {
        "GEOGCS" | "GEOGCRS" | "GEODCRS" | "GEOGRAPHICCRS" => {
            is_wgs84_datum(root).then_some(Crs::Wgs84)
        }
        "PROJCS" | "PROJCRS" | "PROJECTEDCRS" => {
            if let Some(code) = root.epsg() {
                return Crs::from_epsg(code)
                    .ok()
                    .filter(|crs| !matches!(crs, Crs::Proj(_)));
            }
            let squashed = squash(name);
            let method = root.method().map(|n| squash(n.name())).unwrap_or_default();
            if squashed.contains("PSEUDOMERCATOR")
                || squashed.contains("WEBMERCATOR")
                || squashed.contains("POPULARVISUALISATION")
                || method.contains("AUXILIARYSPHERE")
                || method.contains("PSEUDOMERCATOR")
            {
                return Some(Crs::WebMercator);
            }
            let geog = root.child(&["GEOGCS", "BASEGEOGCRS", "BASEGEODCRS", "GEOGCRS"]);
            if !geog.is_some_and(is_wgs84_datum) {
                return None;
            }
            if let Some((zone, north)) = utm_from_name(name) {
                return Some(Crs::Utm { zone, north });
            }
            if method.contains("TRANSVERSEMERCATOR") {
                return utm_from_parameters(root);
            }
            None
        }
        _ => None,
    }
}

/// A WGS 84 Transverse Mercator whose parameters are a UTM zone's, whatever its name.
fn utm_from_parameters(root: &Node) -> Option<Crs> {
    let cm = root.parameter(&["central_meridian", "Longitude of natural origin"])?;
    let k = root.parameter(&["scale_factor", "Scale factor at natural origin"])?;
    let fe = root.parameter(&["false_easting", "False easting"])?;
    let fnorth = root.parameter(&["false_northing", "False northing"])?;
    let lat0 = root
        .parameter(&["latitude_of_origin", "Latitude of natural origin"])
        .unwrap_or(0.0);
    let zone = (cm + 183.0) / 6.0;
    let is_utm = (k - 0.9996).abs() < 1e-9
        && (fe - 500_000.0).abs() < 1e-6
        && lat0 == 0.0
        && (zone - zone.round()).abs() < 1e-9
        && (1.0..=60.0).contains(&zone);
    (is_utm && (fnorth == 0.0 || (fnorth - 10_000_000.0).abs() < 1e-6)).then_some(Crs::Utm {
        zone: zone.round() as u8,
        north: fnorth == 0.0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::Coord;

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
        let wkt = r#"PROJCS["Local grid",GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137.0,298.257223563]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Van_der_Grinten_I"],PARAMETER["Central_Meridian",0.0],UNIT["Meter",1.0]]"#;
        let err = crs_from_wkt(wkt).unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("Local grid"), "{msg}");
        assert!(msg.contains("Van_der_Grinten_I is not supported"), "{msg}");
        // A datum without its ellipsoid cannot be read either, and says so.
        let wkt =
            r#"PROJCS["Local grid",GEOGCS["Tokyo",DATUM["Tokyo"]],PROJECTION["Cassini_Soldner"]]"#;
        let err = crs_from_wkt(wkt).unwrap_err();
        assert!(err.to_string().contains("Local grid"), "{err}");
    }

    /// The site, WGS 84 lon/lat.
    const SITE: Coord<f64> = Coord {
        x: 130.641_056,
        y: 42.415_167,
    };

    /// `crs`'s coordinates of the site agree with `expected` to a millimetre, and come back.
    fn projects_site_to(crs: &Crs, expected: Coord<f64>) {
        let xy = crs.xy_from_lonlat(SITE).unwrap();
        assert!(
            (xy.x - expected.x).abs() < 1e-3 && (xy.y - expected.y).abs() < 1e-3,
            "{crs}: {xy:?}, not {expected:?}"
        );
        let back = crs.lonlat_from_xy(xy).unwrap();
        assert!(
            (back.x - SITE.x).abs() < 1e-9 && (back.y - SITE.y).abs() < 1e-9,
            "{back:?}"
        );
    }

    // Expected coordinates below: `gdaltransform -s_srs EPSG:4326 -t_srs FILE.prj -output_xy`
    // (GDAL 3.6.2, PROJ 9) on the site, 130.641056 E 42.415167 N, with the WKT here in FILE.prj.

    #[test]
    fn an_esri_albers_prj_without_a_code_goes_through_proj4rs_and_matches_gdal() {
        let prj = r#"PROJCS["Site_Albers_Equal_Area",GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137.0,298.257223563]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Albers"],PARAMETER["False_Easting",500000.0],PARAMETER["False_Northing",0.0],PARAMETER["Central_Meridian",130.5],PARAMETER["Standard_Parallel_1",40.0],PARAMETER["Standard_Parallel_2",45.0],PARAMETER["Latitude_Of_Origin",42.0],UNIT["Meter",1.0]]"#;
        let crs = crs_from_wkt(prj).unwrap();
        assert!(matches!(crs, Crs::Proj(_)), "{crs:?}");
        assert_eq!(crs.name(), "Site_Albers_Equal_Area");
        projects_site_to(
            &crs,
            Coord {
                x: 511_599.340_990_513,
                y: 46_168.130_163_949_2,
            },
        );
    }

    #[test]
    fn wkt2_albers_without_an_id_matches_gdal() {
        let wkt2 = r#"PROJCRS["Site Albers (WKT2)",BASEGEOGCRS["WGS 84",DATUM["World Geodetic System 1984",ELLIPSOID["WGS 84",6378137,298.257223563,LENGTHUNIT["metre",1]]],PRIMEM["Greenwich",0,ANGLEUNIT["degree",0.0174532925199433]]],CONVERSION["unnamed",METHOD["Albers Equal Area",ID["EPSG",9822]],PARAMETER["Latitude of false origin",42,ANGLEUNIT["degree",0.0174532925199433]],PARAMETER["Longitude of false origin",130.5,ANGLEUNIT["degree",0.0174532925199433]],PARAMETER["Latitude of 1st standard parallel",40,ANGLEUNIT["degree",0.0174532925199433]],PARAMETER["Latitude of 2nd standard parallel",45,ANGLEUNIT["degree",0.0174532925199433]],PARAMETER["Easting at false origin",500000,LENGTHUNIT["metre",1]],PARAMETER["Northing at false origin",0,LENGTHUNIT["metre",1]]],CS[Cartesian,2],AXIS["easting",east,ORDER[1],LENGTHUNIT["metre",1]],AXIS["northing",north,ORDER[2],LENGTHUNIT["metre",1]]]"#;
        projects_site_to(
            &crs_from_wkt(wkt2).unwrap(),
            Coord {
                x: 511_599.340_990_513,
                y: 46_168.130_163_949_2,
            },
        );
    }

    #[test]
    fn an_esri_lambert_conformal_conic_prj_matches_gdal() {
        let prj = r#"PROJCS["Site_Lambert",GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137.0,298.257223563]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Lambert_Conformal_Conic"],PARAMETER["False_Easting",1000000.0],PARAMETER["False_Northing",500000.0],PARAMETER["Central_Meridian",130.0],PARAMETER["Standard_Parallel_1",40.0],PARAMETER["Standard_Parallel_2",44.0],PARAMETER["Latitude_Of_Origin",42.0],UNIT["Meter",1.0]]"#;
        projects_site_to(
            &crs_from_wkt(prj).unwrap(),
            Coord {
                x: 1_052_734.134_547_31,
                y: 546_285.458_443_691,
            },
        );
    }

    #[test]
    fn a_transverse_mercator_that_is_not_utm_matches_gdal() {
        // Korea 2000 / East Belt's parameters, named without its code, on GRS 1980.
        let prj = r#"PROJCS["Korea_2000_East_Belt_no_code",GEOGCS["GCS_Korea_2000",DATUM["D_Korea_2000",SPHEROID["GRS_1980",6378137.0,298.257222101]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Transverse_Mercator"],PARAMETER["False_Easting",200000.0],PARAMETER["False_Northing",600000.0],PARAMETER["Central_Meridian",129.0],PARAMETER["Scale_Factor",1.0],PARAMETER["Latitude_Of_Origin",38.0],UNIT["Meter",1.0]]"#;
        let crs = crs_from_wkt(prj).unwrap();
        assert!(matches!(crs, Crs::Proj(_)), "{crs:?}");
        projects_site_to(
            &crs,
            Coord {
                x: 335_077.077_847_894,
                y: 1_091_559.451_521_16,
            },
        );
    }

    #[test]
    fn a_geographic_crs_on_another_datum_without_a_code_is_read() {
        let prj = r#"GEOGCS["GCS_Tokyo",DATUM["D_Tokyo",SPHEROID["Bessel_1841",6377397.155,299.1528128]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]]"#;
        let crs = crs_from_wkt(prj).unwrap();
        assert!(crs.is_geographic(), "{crs:?}");
        assert_eq!(crs.name(), "GCS_Tokyo");
    }

    #[test]
    fn garbage_is_not_wkt() {
        assert!(crs_from_wkt("hello").is_err());
        assert!(crs_from_wkt("PROJCS[\"unterminated").is_err());
        assert!(crs_from_wkt(&"A[".repeat(500)).is_err());
    }
}
