//! Any CRS a `.prj` names: PNGs with a world file and an ESRI `.prj` in Albers Equal Area (no
//! EPSG code) open, and their pixel corners land where GDAL puts them; a `.prj` that still
//! cannot be read gives an error naming it.
#![allow(
    clippy::unwrap_used,
    reason = "test helpers fail loudly on broken fixtures"
)]

use std::path::{Path, PathBuf};

use geo::Coord;
use sitewatch::imagery::raster::{Crs, OpenOptions, RasterError, RasterTileSource};

/// A custom ESRI Albers centred near the site (42.4 N, 130.6 E), as `ArcGIS` writes `.prj` files.
const SITE_ALBERS_PRJ: &str = r#"PROJCS["Site_Albers_Equal_Area",GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137.0,298.257223563]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Albers"],PARAMETER["False_Easting",500000.0],PARAMETER["False_Northing",0.0],PARAMETER["Central_Meridian",130.5],PARAMETER["Standard_Parallel_1",40.0],PARAMETER["Standard_Parallel_2",45.0],PARAMETER["Latitude_Of_Origin",42.0],UNIT["Meter",1.0]]"#;

/// ESRI:102003, as `ArcGIS` writes it (NAD 1983, no EPSG code).
const USA_ALBERS_PRJ: &str = r#"PROJCS["USA_Contiguous_Albers_Equal_Area_Conic",GEOGCS["GCS_North_American_1983",DATUM["D_North_American_1983",SPHEROID["GRS_1980",6378137.0,298.257222101]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Albers"],PARAMETER["False_Easting",0.0],PARAMETER["False_Northing",0.0],PARAMETER["Central_Meridian",-96.0],PARAMETER["Standard_Parallel_1",29.5],PARAMETER["Standard_Parallel_2",45.5],PARAMETER["Latitude_Of_Origin",37.5],UNIT["Meter",1.0]]"#;

/// Writes `name.png` (`w`×`h` gray), its `.pgw` (`pixel_m` square pixels, top-left corner at
/// `corner`) and its `.prj`.
fn png_with_world_file_and_prj(
    dir: &Path,
    name: &str,
    (w, h): (u32, u32),
    pixel_m: f64,
    corner: Coord<f64>,
    prj: &str,
) -> PathBuf {
    let path = dir.join(format!("{name}.png"));
    image::GrayImage::from_pixel(w, h, image::Luma([128]))
        .save(&path)
        .unwrap();
    // A world file names the centre of the top-left pixel.
    let world = format!(
        "{pixel_m}\n0\n0\n{}\n{}\n{}\n",
        -pixel_m,
        corner.x + pixel_m / 2.0,
        corner.y - pixel_m / 2.0
    );
    std::fs::write(dir.join(format!("{name}.pgw")), world).unwrap();
    std::fs::write(dir.join(format!("{name}.prj")), prj).unwrap();
    path
}

/// Metres between two nearby lon/lat points (equirectangular; exact enough under a kilometre).
fn metres_between(a: Coord<f64>, b: Coord<f64>) -> f64 {
    let m_per_deg = 6_371_008.8_f64.to_radians();
    let dx = (a.x - b.x) * m_per_deg * a.y.to_radians().cos();
    let dy = (a.y - b.y) * m_per_deg;
    dx.hypot(dy)
}

/// A pixel-space point and the lon/lat GDAL gives for it.
type PixelAndLonLat = ((f64, f64), (f64, f64));

/// Opens `path` and checks each pixel corner's lon/lat against GDAL's, to within 0.01 px.
fn corners_land_where_gdal_puts_them(path: &Path, pixel_m: f64, expected: &[PixelAndLonLat]) {
    let src = RasterTileSource::open(path, &OpenOptions::default()).unwrap();
    assert!(matches!(src.crs(), Crs::Proj(_)), "{:?}", src.crs());
    for &((px, py), (lon, lat)) in expected {
        let got = src.lonlat_of_pixel(Coord { x: px, y: py }).unwrap();
        let off_px = metres_between(got, Coord { x: lon, y: lat }) / pixel_m;
        // The criterion is one pixel; proj4rs agrees with PROJ far more closely than that.
        assert!(
            off_px < 0.01,
            "pixel ({px}, {py}) at {got:?}, {off_px} px from GDAL's ({lon}, {lat})"
        );
    }
}

#[test]
fn an_esri_albers_prj_beside_a_png_places_its_corners_where_gdal_does() {
    let dir = tempfile::tempdir().unwrap();
    let corner = Coord {
        x: 510_000.0,
        y: 50_000.0,
    };
    let path =
        png_with_world_file_and_prj(dir.path(), "site", (200, 100), 5.0, corner, SITE_ALBERS_PRJ);
    // `gdaltransform -s_srs site.prj -t_srs EPSG:4326 -output_xy` (GDAL 3.6.2, PROJ 9) on the
    // corners' Albers coordinates (510000 50000, 511000 50000, 510000 49500, 511000 49500).
    corners_land_where_gdal_puts_them(
        &path,
        5.0,
        &[
            ((0.0, 0.0), (130.621_673_728_191, 42.449_652_542_319)),
            ((200.0, 0.0), (130.633_841_081_762, 42.449_639_006_580_6)),
            ((0.0, 100.0), (130.621_665_008_855, 42.445_155_628_072_7)),
            ((200.0, 100.0), (130.633_831_490_497, 42.445_142_093_291_7)),
        ],
    );
}

#[test]
fn esri_usa_contiguous_albers_on_nad83_places_a_png_where_gdal_does() {
    let dir = tempfile::tempdir().unwrap();
    let corner = Coord {
        x: -800_000.0,
        y: 300_000.0,
    };
    let path = png_with_world_file_and_prj(
        dir.path(),
        "denver",
        (100, 100),
        30.0,
        corner,
        USA_ALBERS_PRJ,
    );
    // `gdaltransform -s_srs usa.prj -t_srs EPSG:4326 -output_xy` (GDAL 3.6.2, PROJ 9, which
    // takes NAD 83 as WGS 84 here) on -800000 300000, -797000 300000, -800000 297000,
    // -797000 297000.
    corners_land_where_gdal_puts_them(
        &path,
        30.0,
        &[
            ((0.0, 0.0), (-105.445_849_552_1, 39.821_669_243_486_1)),
            ((100.0, 0.0), (-105.410_659_156_64, 39.824_320_985_008_1)),
            ((0.0, 100.0), (-105.442_341_657_654, 39.795_029_060_128)),
            ((100.0, 100.0), (-105.407_164_159_265, 39.797_679_790_497)),
        ],
    );
}

#[test]
fn a_prj_naming_an_unsupported_projection_is_an_error_naming_the_prj_and_the_crs() {
    let dir = tempfile::tempdir().unwrap();
    let prj = SITE_ALBERS_PRJ
        .replace("\"Albers\"", "\"Van_der_Grinten_I\"")
        .replace("Site_Albers_Equal_Area", "Site_VdG");
    let path = png_with_world_file_and_prj(
        dir.path(),
        "odd",
        (10, 10),
        5.0,
        Coord { x: 0.0, y: 0.0 },
        &prj,
    );
    let err = RasterTileSource::open(&path, &OpenOptions::default()).unwrap_err();
    assert!(matches!(err, RasterError::Crs { .. }), "{err}");
    assert!(err.to_string().ends_with("odd.prj"), "{err}");
    // The CRS and why it cannot be used follow in the printed chain, the file named once.
    let msg = sitewatch::app::error_chain(&err);
    assert!(msg.contains("Site_VdG"), "{msg}");
    assert_eq!(msg.matches("odd.prj").count(), 1, "{msg}");
}

#[test]
fn a_prj_that_is_not_wkt_is_an_error_naming_the_prj() {
    let dir = tempfile::tempdir().unwrap();
    let path = png_with_world_file_and_prj(
        dir.path(),
        "junk",
        (10, 10),
        5.0,
        Coord { x: 0.0, y: 0.0 },
        "this is not WKT",
    );
    let err = RasterTileSource::open(&path, &OpenOptions::default()).unwrap_err();
    assert!(matches!(err, RasterError::Crs { .. }), "{err}");
    assert!(err.to_string().ends_with("junk.prj"), "{err}");
}
