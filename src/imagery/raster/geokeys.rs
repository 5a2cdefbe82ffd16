//! The `GeoTIFF` key directory (tags 34735–34737) and the CRS it names: an EPSG code, or a
//! user-defined CRS made of a datum/ellipsoid and one of the common coordinate transformations,
//! turned into a PROJ.4 string.

use std::collections::HashMap;

use super::crs::{Crs, CrsError};

/// `GTModelTypeGeoKey`.
const MODEL_TYPE: u16 = 1024;
/// `GTRasterTypeGeoKey`.
const RASTER_TYPE: u16 = 1025;
/// `GTCitationGeoKey`.
const CITATION: u16 = 1026;
/// `GeographicTypeGeoKey`.
const GEOGRAPHIC_TYPE: u16 = 2048;
/// `GeogGeodeticDatumGeoKey`.
const GEOG_DATUM: u16 = 2050;
/// `GeogEllipsoidGeoKey`.
const GEOG_ELLIPSOID: u16 = 2056;
/// `GeogSemiMajorAxisGeoKey`, `GeogSemiMinorAxisGeoKey`, `GeogInvFlatteningGeoKey`.
const GEOG_SEMI_MAJOR: u16 = 2057;
const GEOG_SEMI_MINOR: u16 = 2058;
const GEOG_INV_FLATTENING: u16 = 2059;
/// `ProjectedCSTypeGeoKey`.
const PROJECTED_TYPE: u16 = 3072;
/// `PCSCitationGeoKey`.
const PCS_CITATION: u16 = 3073;
/// `ProjectionGeoKey`.
const PROJECTION: u16 = 3074;
/// `ProjCoordTransGeoKey`.
const COORD_TRANS: u16 = 3075;
/// `ProjLinearUnitsGeoKey`.
const LINEAR_UNITS: u16 = 3076;
/// User-defined, in every code key.
const USER_DEFINED: u16 = 32767;

/// Where a raster coordinate points inside its pixel (`GTRasterTypeGeoKey`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum RasterType {
    /// Coordinates name the pixel's top-left corner (the default).
    #[default]
    PixelIsArea,
    /// Coordinates name the pixel's centre: the raster sits half a pixel up and left.
    PixelIsPoint,
}

/// The decoded key directory.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct GeoKeys {
    shorts: HashMap<u16, u16>,
    doubles: HashMap<u16, Vec<f64>>,
    ascii: HashMap<u16, String>,
}

impl GeoKeys {
    /// Decodes the directory from its three tags. Keys pointing outside the parameter tags are
    /// skipped; a directory shorter than its header says is an error.
    pub fn parse(directory: &[u16], doubles: &[f64], ascii: &str) -> Result<Self, String> {
        let [_version, _revision, _minor, count, ..] = directory else {
            return Err("GeoKey directory shorter than its header".to_owned());
        };
        let entries = directory.get(4..).unwrap_or_default();
        if entries.len() < usize::from(*count) * 4 {
            return Err(format!(
                "GeoKey directory says {count} keys but holds {}",
                entries.len() / 4
            ));
        }
        let mut keys = Self::default();
        for entry in entries.chunks_exact(4).take(usize::from(*count)) {
            let &[id, location, n, value] = entry else {
                continue;
            };
            let (n, value) = (usize::from(n), usize::from(value));
            match location {
                0 => {
                    keys.shorts.insert(id, value as u16);
                }
                34736 => {
                    if let Some(v) = doubles.get(value..value + n) {
                        keys.doubles.insert(id, v.to_vec());
                    }
                }
                34737 => {
                    if let Some(s) = ascii.get(value..value + n) {
                        let s = s.trim_end_matches(['|', '\0']).trim();
                        keys.ascii.insert(id, s.to_owned());
                    }
                }
                _ => {}
            }
        }
        Ok(keys)
    }

    fn short(&self, id: u16) -> Option<u16> {
        self.shorts.get(&id).copied().filter(|v| *v != 0)
    }

    fn double(&self, ids: &[u16]) -> Option<f64> {
        ids.iter()
            .find_map(|id| self.doubles.get(id).and_then(|v| v.first().copied()))
    }

    fn citation(&self) -> Option<&str> {
        [PCS_CITATION, CITATION, 2049]
            .iter()
            .find_map(|id| self.ascii.get(id).map(String::as_str))
            .filter(|s| !s.is_empty())
    }

    /// `PixelIsArea` unless the file says `PixelIsPoint`.
    #[must_use]
    pub fn raster_type(&self) -> RasterType {
        if self.short(RASTER_TYPE) == Some(2) {
            RasterType::PixelIsPoint
        } else {
            RasterType::PixelIsArea
        }
    }

    /// The CRS the keys name; `Ok(None)` when they name none.
    pub fn crs(&self) -> Result<Option<Crs>, CrsError> {
        let model = self.short(MODEL_TYPE);
        let projected = self.short(PROJECTED_TYPE);
        let geographic = self.short(GEOGRAPHIC_TYPE);
        match model {
            Some(3) => Err(self.unsupported("geocentric model")),
            Some(1) => self.projected(projected).map(Some),
            Some(2) => self.geographic(geographic).map(Some),
            _ if projected.is_some() || self.short(PROJECTION).is_some() => {
                self.projected(projected).map(Some)
            }
            _ if geographic.is_some() || self.short(GEOG_DATUM).is_some() => {
                self.geographic(geographic).map(Some)
            }
            _ => Ok(None),
        }
    }

    fn name(&self) -> String {
        let code = self
            .short(PROJECTED_TYPE)
            .or_else(|| self.short(GEOGRAPHIC_TYPE))
            .filter(|c| *c != USER_DEFINED);
        match (code, self.citation()) {
            (Some(code), _) => format!("EPSG:{code}"),
            (None, Some(citation)) => format!("user-defined \"{citation}\""),
            (None, None) => "user-defined".to_owned(),
        }
    }

    fn unsupported(&self, reason: impl Into<String>) -> CrsError {
        CrsError::Unsupported {
            name: self.name(),
            reason: reason.into(),
        }
    }

    fn geographic(&self, code: Option<u16>) -> Result<Crs, CrsError> {
        match code {
            Some(code) if code != USER_DEFINED => Crs::from_epsg(u32::from(code)),
            _ => {
                let datum = self.datum_proj()?;
                if datum == "+datum=WGS84" {
                    Ok(Crs::Wgs84)
                } else {
                    Crs::from_proj_string(self.name(), &format!("+proj=longlat {datum} +no_defs"))
                }
            }
        }
    }

    fn projected(&self, code: Option<u16>) -> Result<Crs, CrsError> {
        if let Some(code) = code.filter(|c| *c != USER_DEFINED) {
            return Crs::from_epsg(u32::from(code));
        }
        let datum = self.datum_proj()?;
        let wgs84 = datum == "+datum=WGS84";
        if let Some(p) = self.short(PROJECTION).filter(|c| *c != USER_DEFINED) {
            let utm = match p {
                16001..=16060 => Some((p - 16000, true)),
                16101..=16160 => Some((p - 16100, false)),
                _ => None,
            };
            return match utm {
                Some((zone, north)) if wgs84 => Ok(Crs::Utm {
                    zone: zone as u8,
                    north,
                }),
                Some((zone, north)) => Crs::from_proj_string(
                    self.name(),
                    &format!(
                        "+proj=utm +zone={zone}{} {datum} +units=m +no_defs",
                        if north { "" } else { " +south" }
                    ),
                ),
                None => Err(self.unsupported(format!("projection code {p}"))),
            };
        }
        let method = self.method_proj()?;
        let units = match self.short(LINEAR_UNITS) {
            None | Some(9001) => "+units=m",
            Some(9002) => "+units=ft",
            Some(9003) => "+units=us-ft",
            Some(u) => return Err(self.unsupported(format!("linear unit code {u}"))),
        };
        Crs::from_proj_string(self.name(), &format!("{method} {datum} {units} +no_defs"))
    }

    /// The projection part of a PROJ.4 string for a user-defined coordinate transformation.
    fn method_proj(&self) -> Result<String, CrsError> {
        // Parameter keys (GeoTIFF 1.0 §6.3.3.3); writers disagree on which of the natural,
        // false-origin and centre variants they fill, so each reads whichever is there.
        let lon0 = self.double(&[3080, 3084, 3088, 3095]).unwrap_or(0.0);
        let lat0 = self.double(&[3081, 3085, 3089]).unwrap_or(0.0);
        let fe = self.double(&[3082, 3086, 3090]).unwrap_or(0.0);
        let fnorth = self.double(&[3083, 3087, 3091]).unwrap_or(0.0);
        let k = self.double(&[3092, 3093]).unwrap_or(1.0);
        let sp1 = self.double(&[3078]);
        let sp2 = self.double(&[3079]);
        let offsets = format!("+x_0={fe} +y_0={fnorth}");
        let trans = self.short(COORD_TRANS);
        Ok(match trans {
            Some(1) => format!("+proj=tmerc +lat_0={lat0} +lon_0={lon0} +k_0={k} {offsets}"),
            // Mercator: PROJ.4 ignored a latitude of origin, as GDAL did before PROJ 6; PROJ 6+
            // refuses such a CRS outright. Showing the raster beats refusing it.
            Some(7) => match (sp1, self.double(&[3092])) {
                (Some(ts), None) => format!("+proj=merc +lon_0={lon0} +lat_ts={ts} {offsets}"),
                _ => format!("+proj=merc +lon_0={lon0} +k_0={k} {offsets}"),
            },
            Some(8) => format!(
                "+proj=lcc +lat_1={} +lat_2={} +lat_0={lat0} +lon_0={lon0} {offsets}",
                sp1.unwrap_or(lat0),
                sp2.or(sp1).unwrap_or(lat0)
            ),
            Some(9) => {
                format!("+proj=lcc +lat_1={lat0} +lat_0={lat0} +lon_0={lon0} +k_0={k} {offsets}")
            }
            Some(10) => format!("+proj=laea +lat_0={lat0} +lon_0={lon0} {offsets}"),
            Some(11) => format!(
                "+proj=aea +lat_1={} +lat_2={} +lat_0={lat0} +lon_0={lon0} {offsets}",
                sp1.unwrap_or(lat0),
                sp2.or(sp1).unwrap_or(lat0)
            ),
            Some(15) => format!(
                "+proj=stere +lat_0={} +lat_ts={lat0} +lon_0={lon0} +k_0={k} {offsets}",
                if lat0 < 0.0 { -90 } else { 90 }
            ),
            Some(17) => format!(
                "+proj=eqc +lat_ts={} +lon_0={lon0} {offsets}",
                sp1.unwrap_or(0.0)
            ),
            Some(t) => {
                return Err(self.unsupported(format!("coordinate transformation code {t}")));
            }
            None => return Err(self.unsupported("projected, with neither a code nor a projection")),
        })
    }

    /// The datum part of a PROJ.4 string: `+datum=WGS84`, `+ellps=… +towgs84=…`, or `+a= +rf=`.
    fn datum_proj(&self) -> Result<String, CrsError> {
        let geog = self.short(GEOGRAPHIC_TYPE).filter(|c| *c != USER_DEFINED);
        let datum = self.short(GEOG_DATUM).filter(|c| *c != USER_DEFINED);
        if geog == Some(4326) || datum == Some(6326) {
            return Ok("+datum=WGS84".to_owned());
        }
        // EPSG numbers most geographic CRSs 4xxx after their datum 6xxx.
        let from_geog = geog.or_else(|| datum.map(|d| d.wrapping_sub(2000)));
        if let Some(def) = from_geog.and_then(crs_definitions::from_code) {
            let parts: Vec<&str> = def
                .proj4
                .split_whitespace()
                .filter(|p| {
                    [
                        "+datum=",
                        "+ellps=",
                        "+towgs84=",
                        "+a=",
                        "+b=",
                        "+rf=",
                        "+pm=",
                    ]
                    .iter()
                    .any(|k| p.starts_with(k))
                })
                .collect();
            if !parts.is_empty() {
                return Ok(nad27_without_grids(&parts.join(" ")));
            }
        }
        let ellps = match self.short(GEOG_ELLIPSOID).filter(|c| *c != USER_DEFINED) {
            Some(7030) if datum.is_none() => return Ok("+datum=WGS84".to_owned()),
            Some(7030) => Some("WGS84"),
            Some(7019) => Some("GRS80"),
            Some(7008) => Some("clrk66"),
            Some(7022) => Some("intl"),
            Some(7004) => Some("bessel"),
            Some(7043) => Some("WGS72"),
            Some(7001) => Some("airy"),
            Some(7024) => Some("krass"),
            Some(e) => return Err(self.unsupported(format!("ellipsoid code {e}"))),
            None => None,
        };
        if let Some(e) = ellps {
            return Ok(format!("+ellps={e}"));
        }
        match (
            self.double(&[GEOG_SEMI_MAJOR]),
            self.double(&[GEOG_INV_FLATTENING]),
            self.double(&[GEOG_SEMI_MINOR]),
        ) {
            (Some(a), Some(rf), _) if rf > 0.0 => Ok(format!("+a={a} +rf={rf}")),
            (Some(a), _, Some(b)) => Ok(format!("+a={a} +b={b}")),
            (Some(a), _, None) => Ok(format!("+a={a} +b={a}")),
            _ if datum.is_none() => Ok("+datum=WGS84".to_owned()),
            _ => Err(self.unsupported(format!("datum code {}", datum.unwrap_or_default()))),
        }
    }
}

/// NAD27 in PROJ.4 needs the NADCON grids, which are not shipped; the EPSG mean shift for the
/// conterminous US (EPSG:1173, ±10 m) keeps such rasters usable at the scales they come in.
fn nad27_without_grids(datum: &str) -> String {
    if datum.contains("+datum=NAD27") {
        "+ellps=clrk66 +towgs84=-8,160,176".to_owned()
    } else {
        datum.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir(keys: &[[u16; 4]]) -> Vec<u16> {
        let mut d = vec![1, 1, 0, keys.len() as u16];
        for k in keys {
            d.extend_from_slice(k);
        }
        d
    }

    #[test]
    fn a_projected_epsg_code_names_the_crs() {
        let keys = GeoKeys::parse(&dir(&[[1024, 0, 1, 1], [3072, 0, 1, 32652]]), &[], "").unwrap();
        assert_eq!(
            keys.crs(),
            Ok(Some(Crs::Utm {
                zone: 52,
                north: true
            }))
        );
        assert_eq!(keys.raster_type(), RasterType::PixelIsArea);
    }

    #[test]
    fn pixel_is_point_is_read() {
        let keys = GeoKeys::parse(&dir(&[[1025, 0, 1, 2], [2048, 0, 1, 4326]]), &[], "").unwrap();
        assert_eq!(keys.raster_type(), RasterType::PixelIsPoint);
        assert_eq!(keys.crs(), Ok(Some(Crs::Wgs84)));
    }

    #[test]
    fn a_user_defined_utm_projection_on_wgs84_is_the_exact_utm() {
        let keys = GeoKeys::parse(
            &dir(&[
                [1024, 0, 1, 1],
                [2048, 0, 1, 4326],
                [3072, 0, 1, 32767],
                [3074, 0, 1, 16152],
            ]),
            &[],
            "",
        )
        .unwrap();
        assert_eq!(
            keys.crs(),
            Ok(Some(Crs::Utm {
                zone: 52,
                north: false
            }))
        );
    }

    #[test]
    fn no_crs_keys_is_no_crs() {
        let keys = GeoKeys::parse(&dir(&[[1025, 0, 1, 1]]), &[], "").unwrap();
        assert_eq!(keys.crs(), Ok(None));
    }

    #[test]
    fn an_unknown_transformation_is_refused_by_name() {
        let keys = GeoKeys::parse(
            &dir(&[
                [1024, 0, 1, 1],
                [3072, 0, 1, 32767],
                [3073, 34737, 6, 0],
                [3075, 0, 1, 99],
            ]),
            &[],
            "Weird|",
        )
        .unwrap();
        let err = keys.crs().unwrap_err().to_string();
        assert!(err.contains("Weird") && err.contains("99"), "{err}");
    }

    #[test]
    fn a_short_directory_is_an_error_not_a_panic() {
        assert!(GeoKeys::parse(&[1, 1], &[], "").is_err());
        assert!(GeoKeys::parse(&[1, 1, 0, 5, 1024, 0, 1], &[], "").is_err());
        // A key pointing past the double parameters is skipped.
        let keys = GeoKeys::parse(&dir(&[[3082, 34736, 1, 9]]), &[1.0], "").unwrap();
        assert!(keys.doubles.is_empty());
    }
}
