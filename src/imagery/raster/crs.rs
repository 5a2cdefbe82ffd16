//! Coordinate reference systems of rasters: WGS 84, Web Mercator and WGS 84 / UTM computed here
//! exactly; every other EPSG code or PROJ.4 string through `proj4rs` (pure Rust) with the EPSG
//! table of `crs-definitions`.

use std::fmt;
use std::sync::{Arc, LazyLock};

use geo::Coord;

use super::utm;
use crate::spatial::mercator::{EARTH_RADIUS_M, MAX_LAT};

/// Why a CRS cannot be used. The message names the CRS.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CrsError {
    /// Not one this program can transform.
    #[error("unsupported CRS {name} ({reason})")]
    Unsupported {
        /// The CRS as the file names it ("EPSG:2000", "user-defined Cassini projection").
        name: String,
        /// Why.
        reason: String,
    },
}

impl CrsError {
    fn unsupported(name: impl Into<String>, reason: impl Into<String>) -> Self {
        Self::Unsupported {
            name: name.into(),
            reason: reason.into(),
        }
    }
}

/// A coordinate reference system a raster can be in.
#[derive(Clone, Debug, PartialEq)]
pub enum Crs {
    /// EPSG:4326, `x` = longitude, `y` = latitude in degrees (GIS axis order).
    Wgs84,
    /// EPSG:3857, metres on the WGS 84 sphere.
    WebMercator,
    /// WGS 84 / UTM: EPSG:326zz (north) and EPSG:327zz (south), metres.
    Utm {
        /// Zone 1–60.
        zone: u8,
        /// Northern hemisphere (false northing 0) or southern (10 000 km).
        north: bool,
    },
    /// Anything else, through `proj4rs`.
    Proj(ProjCrs),
}

/// A CRS defined by a PROJ.4 string, transformed by `proj4rs`.
#[derive(Clone)]
pub struct ProjCrs {
    name: String,
    definition: String,
    proj: Arc<proj4rs::Proj>,
}

impl ProjCrs {
    /// The name given when it was made ("EPSG:3035").
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The PROJ.4 string.
    #[must_use]
    pub fn definition(&self) -> &str {
        &self.definition
    }
}

impl fmt::Debug for ProjCrs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ProjCrs({}: {})", self.name, self.definition)
    }
}

impl PartialEq for ProjCrs {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name && self.definition == other.definition
    }
}

/// WGS 84 longitude/latitude for `proj4rs`, built once.
static WGS84_PROJ: LazyLock<Option<proj4rs::Proj>> =
    LazyLock::new(|| proj4rs::Proj::from_proj_string("+proj=longlat +datum=WGS84 +no_defs").ok());

impl Crs {
    /// The CRS of an EPSG code: 4326, 3857 (and its old aliases 3785, 900913) and 326zz/327zz
    /// exactly, other codes through the EPSG table of `crs-definitions`.
    pub fn from_epsg(code: u32) -> Result<Self, CrsError> {
        match code {
            4326 => Ok(Self::Wgs84),
            3857 | 3785 | 900_913 | 102_100 | 102_113 => Ok(Self::WebMercator),
            32601..=32660 => Ok(Self::Utm {
                zone: (code - 32600) as u8,
                north: true,
            }),
            32701..=32760 => Ok(Self::Utm {
                zone: (code - 32700) as u8,
                north: false,
            }),
            _ => {
                let name = format!("EPSG:{code}");
                let def = u16::try_from(code)
                    .ok()
                    .and_then(crs_definitions::from_code)
                    .ok_or_else(|| CrsError::unsupported(&name, "not in the EPSG table"))?;
                Self::from_proj_string(name, def.proj4)
            }
        }
    }

    /// A CRS from a PROJ.4 string (`+proj=laea +lat_0=52 …`), named for messages.
    pub fn from_proj_string(name: impl Into<String>, definition: &str) -> Result<Self, CrsError> {
        let name = name.into();
        let proj = proj4rs::Proj::from_proj_string(definition)
            .map_err(|e| CrsError::unsupported(&name, format!("{definition}: {e}")))?;
        if !proj.has_forward() || !proj.has_inverse() {
            return Err(CrsError::unsupported(
                &name,
                format!("{definition}: projection without an inverse"),
            ));
        }
        if proj.is_geocent() {
            return Err(CrsError::unsupported(&name, "geocentric coordinates"));
        }
        Ok(Self::Proj(ProjCrs {
            name,
            definition: definition.to_owned(),
            proj: Arc::new(proj),
        }))
    }

    /// The EPSG code, where there is one.
    #[must_use]
    pub fn epsg(&self) -> Option<u32> {
        match self {
            Self::Wgs84 => Some(4326),
            Self::WebMercator => Some(3857),
            Self::Utm { zone, north } => {
                Some(if *north { 32600 } else { 32700 } + u32::from(*zone))
            }
            Self::Proj(p) => p
                .name
                .strip_prefix("EPSG:")
                .and_then(|code| code.parse().ok()),
        }
    }

    /// A name for people: "EPSG:32652 (WGS 84 / UTM zone 52N)".
    #[must_use]
    pub fn name(&self) -> String {
        match self {
            Self::Wgs84 => "EPSG:4326 (WGS 84)".to_owned(),
            Self::WebMercator => "EPSG:3857 (WGS 84 / Pseudo-Mercator)".to_owned(),
            Self::Utm { zone, north } => format!(
                "EPSG:{} (WGS 84 / UTM zone {zone}{})",
                if *north { 32600 } else { 32700 } + u32::from(*zone),
                if *north { 'N' } else { 'S' }
            ),
            Self::Proj(p) => p.name.clone(),
        }
    }

    /// True when coordinates are longitude/latitude degrees.
    #[must_use]
    pub fn is_geographic(&self) -> bool {
        match self {
            Self::Wgs84 => true,
            Self::WebMercator | Self::Utm { .. } => false,
            Self::Proj(p) => p.proj.is_latlong(),
        }
    }

    /// This CRS's coordinates of a WGS 84 lon/lat; `None` outside the projection's domain.
    pub fn xy_from_lonlat(&self, lonlat: Coord<f64>) -> Option<Coord<f64>> {
        let xy = match self {
            Self::Wgs84 => lonlat,
            Self::WebMercator => {
                let lat = lonlat.y.clamp(-MAX_LAT, MAX_LAT).to_radians();
                Coord {
                    x: EARTH_RADIUS_M * lonlat.x.to_radians(),
                    y: EARTH_RADIUS_M * (std::f64::consts::FRAC_PI_4 + lat / 2.0).tan().ln(),
                }
            }
            Self::Utm { zone, north } => utm::utm_from_lonlat(lonlat, *zone, *north)?,
            Self::Proj(p) => {
                let wgs84 = WGS84_PROJ.as_ref()?;
                let mut pt = (lonlat.x.to_radians(), lonlat.y.to_radians(), 0.0);
                proj4rs::transform::transform(wgs84, &p.proj, &mut pt).ok()?;
                if p.proj.is_latlong() {
                    Coord {
                        x: pt.0.to_degrees(),
                        y: pt.1.to_degrees(),
                    }
                } else {
                    Coord { x: pt.0, y: pt.1 }
                }
            }
        };
        (xy.x.is_finite() && xy.y.is_finite()).then_some(xy)
    }

    /// WGS 84 lon/lat (degrees) of this CRS's coordinates; `None` outside the domain.
    pub fn lonlat_from_xy(&self, xy: Coord<f64>) -> Option<Coord<f64>> {
        let lonlat = match self {
            Self::Wgs84 => xy,
            Self::WebMercator => Coord {
                x: (xy.x / EARTH_RADIUS_M).to_degrees(),
                y: (xy.y / EARTH_RADIUS_M).sinh().atan().to_degrees(),
            },
            Self::Utm { zone, north } => utm::lonlat_from_utm(xy, *zone, *north)?,
            Self::Proj(p) => {
                let wgs84 = WGS84_PROJ.as_ref()?;
                let mut pt = if p.proj.is_latlong() {
                    (xy.x.to_radians(), xy.y.to_radians(), 0.0)
                } else {
                    (xy.x, xy.y, 0.0)
                };
                proj4rs::transform::transform(&p.proj, wgs84, &mut pt).ok()?;
                Coord {
                    x: pt.0.to_degrees(),
                    y: pt.1.to_degrees(),
                }
            }
        };
        let ok = lonlat.x.is_finite()
            && lonlat.y.is_finite()
            && lonlat.y.abs() <= 90.0 + 1e-9
            && lonlat.x.abs() <= 540.0;
        ok.then_some(lonlat)
    }
}

impl fmt::Display for Crs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: Coord<f64>, b: Coord<f64>, tol: f64) -> bool {
        (a.x - b.x).abs() < tol && (a.y - b.y).abs() < tol
    }

    #[test]
    fn utm_codes_north_and_south_are_computed_here() {
        assert_eq!(
            Crs::from_epsg(32652),
            Ok(Crs::Utm {
                zone: 52,
                north: true
            })
        );
        assert_eq!(
            Crs::from_epsg(32719),
            Ok(Crs::Utm {
                zone: 19,
                north: false
            })
        );
        assert_eq!(Crs::from_epsg(32652).unwrap().epsg(), Some(32652));
        assert_eq!(Crs::from_epsg(32700 + 60).unwrap().epsg(), Some(32760));
    }

    #[test]
    fn web_mercator_matches_the_map_projection() {
        let crs = Crs::WebMercator;
        let ll = Coord {
            x: 130.641_056,
            y: 42.415_167,
        };
        let xy = crs.xy_from_lonlat(ll).unwrap();
        // gdaltransform -s_srs EPSG:4326 -t_srs EPSG:3857
        assert!(
            close(
                xy,
                Coord {
                    x: 14_542_895.830_6,
                    y: 5_223_373.757_5
                },
                0.01
            ),
            "{xy:?}"
        );
        assert!(close(crs.lonlat_from_xy(xy).unwrap(), ll, 1e-10));
    }

    #[test]
    fn laea_europe_goes_through_proj4rs_and_matches_proj() {
        let crs = Crs::from_epsg(3035).unwrap();
        assert!(matches!(crs, Crs::Proj(_)));
        let vienna = Coord {
            x: 16.374_99,
            y: 48.221_58,
        };
        let xy = crs.xy_from_lonlat(vienna).unwrap();
        // gdaltransform -s_srs EPSG:4326 -t_srs EPSG:3035
        assert!(
            close(
                xy,
                Coord {
                    x: 4_794_243.605_2,
                    y: 2_810_229.671_6
                },
                0.01
            ),
            "{xy:?}"
        );
        assert!(close(crs.lonlat_from_xy(xy).unwrap(), vienna, 1e-9));
    }

    #[test]
    fn utm_through_proj4rs_agrees_with_the_series_here_to_a_millimetre() {
        let proj = Crs::from_proj_string("utm52", "+proj=utm +zone=52 +datum=WGS84").unwrap();
        let exact = Crs::Utm {
            zone: 52,
            north: true,
        };
        for &(lon, lat) in &[(130.641_056, 42.415_167), (126.1, 33.2), (131.9, 60.0)] {
            let ll = Coord { x: lon, y: lat };
            let (a, b) = (
                proj.xy_from_lonlat(ll).unwrap(),
                exact.xy_from_lonlat(ll).unwrap(),
            );
            assert!(close(a, b, 0.001), "{a:?} {b:?}");
        }
    }

    #[test]
    fn an_unknown_code_is_refused_with_its_name() {
        let err = Crs::from_epsg(1).unwrap_err();
        assert!(err.to_string().contains("EPSG:1"), "{err}");
    }

    #[test]
    fn a_crs_can_be_shared_between_threads() {
        fn shared<T: Send + Sync>() {}
        shared::<Crs>();
    }
}
