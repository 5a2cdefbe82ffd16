//! WGS 84 / UTM (EPSG:326zz north, 327zz south), exactly: Krüger's series to sixth order in `n`
//! as given by Karney, "Transverse Mercator with an accuracy of a few nanometres", J. Geodesy 85
//! (2011), eqs. 7–9, 11, 35–36. Within a zone the error is a few nanometres; the latitude from
//! the conformal latitude is solved with Newton's method (`GeographicLib` `Math::tauf`).

use geo::Coord;

/// WGS 84 semi-major axis, metres.
const A_M: f64 = 6_378_137.0;
/// WGS 84 flattening.
const F: f64 = 1.0 / 298.257_223_563;
/// UTM scale on the central meridian.
const K0: f64 = 0.9996;
/// UTM false easting, metres.
const FALSE_EASTING_M: f64 = 500_000.0;
/// UTM false northing in the southern hemisphere, metres.
const FALSE_NORTHING_SOUTH_M: f64 = 10_000_000.0;

/// The series coefficients, computed once per call (cheap: a few dozen flops).
struct Series {
    /// Eccentricity.
    e: f64,
    /// Rectifying radius times `k0`.
    k0_a_rect_m: f64,
    /// Forward coefficients α₁…α₆.
    alpha: [f64; 6],
    /// Inverse coefficients β₁…β₆.
    beta: [f64; 6],
}

fn series() -> Series {
    let n = F / (2.0 - F);
    let n2 = n * n;
    let n3 = n2 * n;
    let n4 = n3 * n;
    let n5 = n4 * n;
    let n6 = n5 * n;
    let a_rect = A_M / (1.0 + n) * (1.0 + n2 / 4.0 + n4 / 64.0 + n6 / 256.0);
    let alpha = [
        n / 2.0 - 2.0 * n2 / 3.0 + 5.0 * n3 / 16.0 + 41.0 * n4 / 180.0 - 127.0 * n5 / 288.0
            + 7891.0 * n6 / 37800.0,
        13.0 * n2 / 48.0 - 3.0 * n3 / 5.0 + 557.0 * n4 / 1440.0 + 281.0 * n5 / 630.0
            - 1_983_433.0 * n6 / 1_935_360.0,
        61.0 * n3 / 240.0 - 103.0 * n4 / 140.0
            + 15061.0 * n5 / 26880.0
            + 167_603.0 * n6 / 181_440.0,
        49561.0 * n4 / 161_280.0 - 179.0 * n5 / 168.0 + 6_601_661.0 * n6 / 7_257_600.0,
        34729.0 * n5 / 80640.0 - 3_418_889.0 * n6 / 1_995_840.0,
        212_378_941.0 * n6 / 319_334_400.0,
    ];
    let beta = [
        n / 2.0 - 2.0 * n2 / 3.0 + 37.0 * n3 / 96.0 - n4 / 360.0 - 81.0 * n5 / 512.0
            + 96199.0 * n6 / 604_800.0,
        n2 / 48.0 + n3 / 15.0 - 437.0 * n4 / 1440.0 + 46.0 * n5 / 105.0
            - 1_118_711.0 * n6 / 3_870_720.0,
        17.0 * n3 / 480.0 - 37.0 * n4 / 840.0 - 209.0 * n5 / 4480.0 + 5569.0 * n6 / 90720.0,
        4397.0 * n4 / 161_280.0 - 11.0 * n5 / 504.0 - 830_251.0 * n6 / 7_257_600.0,
        4583.0 * n5 / 161_280.0 - 108_847.0 * n6 / 3_991_680.0,
        20_648_693.0 * n6 / 638_668_800.0,
    ];
    Series {
        e: (F * (2.0 - F)).sqrt(),
        k0_a_rect_m: K0 * a_rect,
        alpha,
        beta,
    }
}

/// `tan` of the conformal latitude from `tan` of the geodetic latitude (Karney eq. 7–9).
fn taupf(tau: f64, e: f64) -> f64 {
    let tau1 = tau.hypot(1.0);
    let sig = (e * (e * tau / tau1).atanh()).sinh();
    sig.hypot(1.0) * tau - sig * tau1
}

/// Inverse of [`taupf`] by Newton's method (`GeographicLib` `Math::tauf`).
fn tauf(taup: f64, e: f64) -> f64 {
    let e2m = 1.0 - e * e;
    let mut tau = taup / e2m;
    let tol = f64::EPSILON.sqrt() / 10.0 * taup.abs().max(1.0);
    for _ in 0..6 {
        let taupa = taupf(tau, e);
        let dtau =
            (taup - taupa) * (1.0 + e2m * tau * tau) / (e2m * tau.hypot(1.0) * taupa.hypot(1.0));
        tau += dtau;
        if dtau.abs() < tol {
            break;
        }
    }
    tau
}

/// Central meridian of a zone, degrees.
#[must_use]
pub fn central_meridian_deg(zone: u8) -> f64 {
    f64::from(zone) * 6.0 - 183.0
}

/// Easting/northing (metres) of a WGS 84 lon/lat (degrees) in a UTM zone. `None` farther than
/// 60° of longitude from the central meridian, where the series no longer converges usefully.
#[must_use]
pub fn utm_from_lonlat(lonlat: Coord<f64>, zone: u8, north: bool) -> Option<Coord<f64>> {
    let mut dlon = lonlat.x - central_meridian_deg(zone);
    dlon = (dlon + 540.0).rem_euclid(360.0) - 180.0;
    if !(dlon.abs() <= 60.0 && lonlat.y.abs() <= 90.0) {
        return None;
    }
    let s = series();
    let lam = dlon.to_radians();
    let phi = lonlat.y.to_radians();
    let taup = taupf(phi.tan(), s.e);
    let xip = taup.atan2(lam.cos());
    let etap = (lam.sin() / taup.hypot(lam.cos())).asinh();
    let (mut xi, mut eta) = (xip, etap);
    for (j, a) in s.alpha.iter().enumerate() {
        let k = 2.0 * (j as f64 + 1.0);
        xi += a * (k * xip).sin() * (k * etap).cosh();
        eta += a * (k * xip).cos() * (k * etap).sinh();
    }
    let false_northing = if north { 0.0 } else { FALSE_NORTHING_SOUTH_M };
    Some(Coord {
        x: FALSE_EASTING_M + s.k0_a_rect_m * eta,
        y: false_northing + s.k0_a_rect_m * xi,
    })
}

/// WGS 84 lon/lat (degrees) of an easting/northing (metres) in a UTM zone.
#[must_use]
pub fn lonlat_from_utm(en: Coord<f64>, zone: u8, north: bool) -> Option<Coord<f64>> {
    let s = series();
    let false_northing = if north { 0.0 } else { FALSE_NORTHING_SOUTH_M };
    let xi = (en.y - false_northing) / s.k0_a_rect_m;
    let eta = (en.x - FALSE_EASTING_M) / s.k0_a_rect_m;
    if !(xi.is_finite() && eta.is_finite()) || eta.abs() > 2.0 {
        return None;
    }
    let (mut xip, mut etap) = (xi, eta);
    for (j, b) in s.beta.iter().enumerate() {
        let k = 2.0 * (j as f64 + 1.0);
        xip -= b * (k * xi).sin() * (k * eta).cosh();
        etap -= b * (k * xi).cos() * (k * eta).sinh();
    }
    let sinh_etap = etap.sinh();
    let taup = xip.sin() / sinh_etap.hypot(xip.cos());
    let lam = sinh_etap.atan2(xip.cos());
    let phi = tauf(taup, s.e).atan();
    Some(Coord {
        x: central_meridian_deg(zone) + lam.to_degrees(),
        y: phi.to_degrees(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    // Reference values from PROJ through GDAL 3.6 (`echo 130.641056 42.415167 | gdaltransform
    // -s_srs EPSG:4326 -t_srs EPSG:32652`), which uses the Poder/Engsager series (nm-exact).
    const SITE: Coord<f64> = Coord {
        x: 130.641_056,
        y: 42.415_167,
    };

    #[test]
    fn the_site_lands_where_proj_puts_it_in_zone_52_north() {
        let en = utm_from_lonlat(SITE, 52, true).unwrap();
        assert!((en.x - 635_023.047_016_f64).abs() < 1e-5, "{en:?}");
        assert!((en.y - 4_697_177.847_693_f64).abs() < 1e-5, "{en:?}");
    }

    #[test]
    fn a_southern_point_matches_proj_in_zone_56_south() {
        // Sydney Opera House, EPSG:32756.
        let en = utm_from_lonlat(
            Coord {
                x: 151.2153,
                y: -33.8568,
            },
            56,
            false,
        )
        .unwrap();
        assert!((en.x - 334_900.569_652_f64).abs() < 1e-5, "{en:?}");
        assert!((en.y - 6_252_288.752_888_f64).abs() < 1e-5, "{en:?}");
    }

    #[test]
    fn forward_then_inverse_returns_to_within_a_nanodegree() {
        for &(lon, lat, zone, north) in &[
            (130.641_056, 42.415_167, 52, true),
            (127.5, 0.0, 52, true),
            (-70.1, -54.9, 19, false),
            (3.0, 84.0, 31, true),
            (176.0, -79.9, 60, false),
        ] {
            let ll = Coord { x: lon, y: lat };
            let back =
                lonlat_from_utm(utm_from_lonlat(ll, zone, north).unwrap(), zone, north).unwrap();
            assert!(
                (back.x - lon).abs() < 1e-9 && (back.y - lat).abs() < 1e-9,
                "{back:?}"
            );
        }
    }

    #[test]
    fn the_central_meridian_at_the_equator_is_the_false_origin() {
        let en = utm_from_lonlat(Coord { x: 129.0, y: 0.0 }, 52, true).unwrap();
        assert!((en.x - 500_000.0).abs() < 1e-6 && en.y.abs() < 1e-6);
    }

    #[test]
    fn far_outside_the_zone_there_is_no_answer() {
        assert!(utm_from_lonlat(Coord { x: -51.0, y: 10.0 }, 52, true).is_none());
    }
}
