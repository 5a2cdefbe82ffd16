//! Where a raster's pixels are: the affine transform from pixel to CRS coordinates, read from
//! `GeoTIFF` tags (tie point + pixel scale, transformation matrix, or several tie points), world
//! files (`.tfw`, `.pgw`, `.jgw`, `.wld`), or GDAL's `.aux.xml`; and the CRS from `.prj` or
//! `.aux.xml` beside the file.

#![allow(
    clippy::many_single_char_names,
    reason = "affine formulae name their terms as the maths does"
)]

use std::path::{Path, PathBuf};

use geo::Coord;

use super::crs::{Crs, CrsError};
use super::geokeys::RasterType;
use super::wkt::crs_from_wkt;

/// Pixel → CRS: `x = c[0] + c[1]·col + c[2]·row`, `y = c[3] + c[4]·col + c[5]·row`, GDAL's
/// order, where `(col, row)` = `(0, 0)` is the top-left *corner* of the top-left pixel and
/// `(0.5, 0.5)` its centre.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct GeoTransform(pub [f64; 6]);

impl GeoTransform {
    /// North-up: the top-left corner and the pixel size (`y` growing north, rows south).
    #[must_use]
    pub fn north_up(top_left: Coord<f64>, pixel_width: f64, pixel_height: f64) -> Self {
        Self([top_left.x, pixel_width, 0.0, top_left.y, 0.0, -pixel_height])
    }

    /// CRS coordinates of a point in pixel space.
    #[must_use]
    pub fn apply(&self, px: Coord<f64>) -> Coord<f64> {
        let c = &self.0;
        Coord {
            x: c[0] + c[1] * px.x + c[2] * px.y,
            y: c[3] + c[4] * px.x + c[5] * px.y,
        }
    }

    /// The transform back from CRS to pixel space; `None` when it is degenerate.
    #[must_use]
    pub fn inverse(&self) -> Option<Self> {
        let c = &self.0;
        let det = c[1] * c[5] - c[2] * c[4];
        if !(det.is_finite() && det.abs() > f64::MIN_POSITIVE) || c.iter().any(|v| !v.is_finite()) {
            return None;
        }
        let (a, b, d, e) = (c[5] / det, -c[2] / det, -c[4] / det, c[1] / det);
        Some(Self([
            -(a * c[0] + b * c[3]),
            a,
            b,
            -(d * c[0] + e * c[3]),
            d,
            e,
        ]))
    }

    /// The same transform for coordinates that named pixel centres: shifts by half a pixel.
    #[must_use]
    pub fn shifted_for(self, raster_type: RasterType) -> Self {
        match raster_type {
            RasterType::PixelIsArea => self,
            RasterType::PixelIsPoint => {
                let c = self.0;
                let origin = self.apply(Coord { x: -0.5, y: -0.5 });
                Self([origin.x, c[1], c[2], origin.y, c[4], c[5]])
            }
        }
    }

    /// From `GeoTIFF` `ModelTiepoint` (one point: `i j k x y z`) and `ModelPixelScale` (`sx sy sz`).
    #[must_use]
    pub fn from_tiepoint_and_scale(tiepoint: &[f64], scale: &[f64]) -> Option<Self> {
        let (&[i, j, _, x, y, ..], &[sx, sy, ..]) = (tiepoint, scale) else {
            return None;
        };
        let t = Self([x - i * sx, sx, 0.0, y + j * sy, 0.0, -sy]);
        t.inverse().map(|_| t)
    }

    /// From the `GeoTIFF` `ModelTransformation` 4×4 matrix (row-major).
    #[must_use]
    pub fn from_matrix(m: &[f64]) -> Option<Self> {
        let &[m0, m1, _, m3, m4, m5, _, m7, ..] = m else {
            return None;
        };
        let t = Self([m3, m0, m1, m7, m4, m5]);
        t.inverse().map(|_| t)
    }

    /// A least-squares affine fit through several `ModelTiepoints` (`i j k x y z` each); `None`
    /// for fewer than three, collinear points, or a residual over a tenth of a pixel (such a
    /// file needs a warp, not an affine transform).
    #[must_use]
    pub fn from_tiepoints(tiepoints: &[f64]) -> Option<Self> {
        let pts: Vec<[f64; 4]> = tiepoints
            .chunks_exact(6)
            .map(|t| [t[0], t[1], t[3], t[4]])
            .collect();
        if pts.len() < 3 {
            return None;
        }
        // Normal equations for [1 i j] · coeffs = x (and = y), solved by Cramer's rule.
        let mut m = [[0.0f64; 3]; 3];
        let (mut bx, mut by) = ([0.0f64; 3], [0.0f64; 3]);
        for p in &pts {
            let row = [1.0, p[0], p[1]];
            for r in 0..3 {
                for c in 0..3 {
                    m[r][c] += row[r] * row[c];
                }
                bx[r] += row[r] * p[2];
                by[r] += row[r] * p[3];
            }
        }
        let det3 = |m: &[[f64; 3]; 3]| {
            m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1])
                - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0])
                + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0])
        };
        let det = det3(&m);
        if det.abs() < 1e-12 {
            return None;
        }
        let solve = |b: [f64; 3]| {
            let mut out = [0.0; 3];
            for (k, o) in out.iter_mut().enumerate() {
                let mut mk = m;
                for r in 0..3 {
                    mk[r][k] = b[r];
                }
                *o = det3(&mk) / det;
            }
            out
        };
        let (cx, cy) = (solve(bx), solve(by));
        let t = Self([cx[0], cx[1], cx[2], cy[0], cy[1], cy[2]]);
        let inv = t.inverse()?;
        let fits = pts.iter().all(|p| {
            let back = inv.apply(Coord { x: p[2], y: p[3] });
            (back.x - p[0]).abs() < 0.1 && (back.y - p[1]).abs() < 0.1
        });
        fits.then_some(t)
    }

    /// From the six lines of a world file (`A D B E C F`, C/F naming the top-left pixel's centre).
    pub fn from_world_file(text: &str) -> Result<Self, String> {
        let values: Vec<f64> = text
            .split_whitespace()
            .map(|v| {
                v.parse::<f64>()
                    .map_err(|_| format!("\"{v}\" is not a number"))
            })
            .collect::<Result<_, _>>()?;
        let &[a, d, b, e, c, f] = values.as_slice() else {
            return Err(format!("{} numbers where a world file has 6", values.len()));
        };
        let t = Self([c, a, b, f, d, e]).shifted_for(RasterType::PixelIsPoint);
        t.inverse()
            .map(|_| t)
            .ok_or_else(|| "the pixel size is zero".to_owned())
    }

    /// From GDAL's `<GeoTransform>` text (six numbers, GDAL order, pixel corners).
    pub fn from_gdal(text: &str) -> Option<Self> {
        let v: Vec<f64> = text
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|s| !s.is_empty())
            .map(str::parse)
            .collect::<Result<_, _>>()
            .ok()?;
        let t = Self(<[f64; 6]>::try_from(v.as_slice()).ok()?);
        t.inverse().map(|_| t)
    }
}

/// The candidates for a world file beside `path`: `.tfw`/`.pgw`/`.jgw` (first and last letter of
/// the extension + `w`), the extension + `w` (`.tifw`), and `.wld`, in lower and upper case.
#[must_use]
pub fn world_file_candidates(path: &Path) -> Vec<PathBuf> {
    let Some(ext) = path.extension().and_then(|e| e.to_str()) else {
        return vec![path.with_extension("wld")];
    };
    let lower = ext.to_ascii_lowercase();
    let mut short = String::new();
    short.extend(lower.chars().next());
    short.extend(lower.chars().last());
    short.push('w');
    let mut out = Vec::new();
    for e in [short, format!("{lower}w"), "wld".to_owned()] {
        out.push(path.with_extension(&e));
        out.push(path.with_extension(e.to_ascii_uppercase()));
    }
    out
}

/// Reads the first world file found beside `path`; `Ok(None)` when there is none.
pub fn read_world_file(path: &Path) -> Result<Option<(GeoTransform, PathBuf)>, (String, PathBuf)> {
    for candidate in world_file_candidates(path) {
        if let Ok(text) = std::fs::read_to_string(&candidate) {
            return match GeoTransform::from_world_file(&text) {
                Ok(t) => Ok(Some((t, candidate))),
                Err(message) => Err((message, candidate)),
            };
        }
    }
    Ok(None)
}

/// What GDAL's `.aux.xml` beside a file says: its CRS (WKT) and geotransform, either may be absent.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AuxXml {
    /// The `<SRS>` WKT, unescaped.
    pub srs_wkt: Option<String>,
    /// The `<GeoTransform>`.
    pub transform: Option<GeoTransform>,
}

/// Reads `path.aux.xml` if there is one.
#[must_use]
pub fn read_aux_xml(path: &Path) -> Option<AuxXml> {
    let mut name = path.as_os_str().to_owned();
    name.push(".aux.xml");
    let text = std::fs::read_to_string(PathBuf::from(name)).ok()?;
    Some(parse_aux_xml(&text))
}

fn element<'a>(text: &'a str, tag: &str) -> Option<&'a str> {
    let start = text.find(&format!("<{tag}"))?;
    let body_start = start + text[start..].find('>')? + 1;
    let end = body_start + text[body_start..].find(&format!("</{tag}>"))?;
    text.get(body_start..end)
}

/// Parses GDAL PAM XML: `<SRS>` and `<GeoTransform>`.
pub fn parse_aux_xml(text: &str) -> AuxXml {
    let unescape = |s: &str| {
        s.replace("&quot;", "\"")
            .replace("&apos;", "'")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&amp;", "&")
    };
    AuxXml {
        srs_wkt: element(text, "SRS").map(|s| unescape(s.trim())),
        transform: element(text, "GeoTransform").and_then(GeoTransform::from_gdal),
    }
}

/// The CRS from a `.prj` beside `path` (`name.prj`, then `name.ext.prj`); `None` without one.
#[must_use]
pub fn read_prj(path: &Path) -> Option<(Result<Crs, CrsError>, PathBuf)> {
    let mut with_ext = path.as_os_str().to_owned();
    with_ext.push(".prj");
    for candidate in [path.with_extension("prj"), PathBuf::from(with_ext)] {
        if let Ok(text) = std::fs::read_to_string(&candidate) {
            return Some((crs_from_wkt(&text), candidate));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: Coord<f64>, b: Coord<f64>) -> bool {
        (a.x - b.x).abs() < 1e-6 && (a.y - b.y).abs() < 1e-6
    }

    #[test]
    fn a_world_file_names_the_centre_of_the_top_left_pixel() {
        let t = GeoTransform::from_world_file("2.0\n0\n0\n-2.0\n500001.0\n4000001.0\n").unwrap();
        assert!(close(
            t.apply(Coord { x: 0.0, y: 0.0 }),
            Coord {
                x: 500_000.0,
                y: 4_000_002.0
            }
        ));
        assert!(close(
            t.apply(Coord { x: 0.5, y: 0.5 }),
            Coord {
                x: 500_001.0,
                y: 4_000_001.0
            }
        ));
    }

    #[test]
    fn a_bad_world_file_says_why() {
        assert!(
            GeoTransform::from_world_file("1 0 0")
                .unwrap_err()
                .contains("3 numbers")
        );
        assert!(
            GeoTransform::from_world_file("1 0 0 x 0 0")
                .unwrap_err()
                .contains("\"x\"")
        );
        assert!(
            GeoTransform::from_world_file("0 0 0 0 5 5")
                .unwrap_err()
                .contains("zero")
        );
    }

    #[test]
    fn pixel_is_point_moves_the_raster_half_a_pixel_up_and_left() {
        let t = GeoTransform::from_tiepoint_and_scale(
            &[0.0, 0.0, 0.0, 100.0, 200.0, 0.0],
            &[10.0, 10.0, 0.0],
        )
        .unwrap()
        .shifted_for(RasterType::PixelIsPoint);
        assert!(close(
            t.apply(Coord { x: 0.5, y: 0.5 }),
            Coord { x: 100.0, y: 200.0 }
        ));
        assert!(close(
            t.apply(Coord { x: 0.0, y: 0.0 }),
            Coord { x: 95.0, y: 205.0 }
        ));
    }

    #[test]
    fn the_matrix_and_the_tiepoint_agree() {
        let a = GeoTransform::from_tiepoint_and_scale(
            &[2.0, 3.0, 0.0, 100.0, 200.0, 0.0],
            &[10.0, 5.0, 0.0],
        )
        .unwrap();
        let b = GeoTransform::from_matrix(&[
            10.0, 0.0, 0.0, 80.0, 0.0, -5.0, 0.0, 215.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0,
        ])
        .unwrap();
        assert_eq!(a, b);
        let inv = a.inverse().unwrap();
        assert!(close(
            inv.apply(a.apply(Coord { x: 7.0, y: 9.0 })),
            Coord { x: 7.0, y: 9.0 }
        ));
    }

    #[test]
    fn several_tiepoints_on_a_grid_fit_an_affine_transform() {
        let tp = [
            0.0, 0.0, 0.0, 100.0, 200.0, 0.0, //
            10.0, 0.0, 0.0, 200.0, 200.0, 0.0, //
            0.0, 10.0, 0.0, 100.0, 100.0, 0.0, //
            10.0, 10.0, 0.0, 200.0, 100.0, 0.0,
        ];
        let t = GeoTransform::from_tiepoints(&tp).unwrap();
        assert!(close(
            t.apply(Coord { x: 5.0, y: 5.0 }),
            Coord { x: 150.0, y: 150.0 }
        ));
        assert!(GeoTransform::from_tiepoints(&tp[..12]).is_none());
    }

    #[test]
    fn world_files_are_looked_for_under_their_usual_names() {
        let names: Vec<String> = world_file_candidates(Path::new("/a/site.png"))
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(
            names,
            [
                "site.pgw",
                "site.PGW",
                "site.pngw",
                "site.PNGW",
                "site.wld",
                "site.WLD"
            ]
        );
        let tif = world_file_candidates(Path::new("x.tif"));
        assert!(tif[0].ends_with("x.tfw"));
    }

    #[test]
    fn aux_xml_gives_the_srs_and_the_transform() {
        let xml = r#"<PAMDataset>
  <SRS dataAxisToSRSAxisMapping="1,2">PROJCS[&quot;WGS 84 / UTM zone 52N&quot;,AUTHORITY[&quot;EPSG&quot;,&quot;32652&quot;]]</SRS>
  <GeoTransform>  6.3e5,  1.0,  0.0,  4.7e6,  0.0, -1.0</GeoTransform>
</PAMDataset>"#;
        let aux = parse_aux_xml(xml);
        assert_eq!(
            crs_from_wkt(aux.srs_wkt.as_deref().unwrap()),
            Ok(Crs::Utm {
                zone: 52,
                north: true
            })
        );
        assert_eq!(
            aux.transform,
            Some(GeoTransform([6.3e5, 1.0, 0.0, 4.7e6, 0.0, -1.0]))
        );
    }
}
