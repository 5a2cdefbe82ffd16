//! Georeferenced rasters as tile sources: files of every supported layout and CRS written here
//! (and the real samples shipped with the `geotiff` crate, in `tests/fixtures/geotiff/`), placed
//! on the map to within a screen pixel at zoom 17, plus every kind of bad input.
#![allow(
    clippy::unwrap_used,
    clippy::many_single_char_names,
    clippy::similar_names,
    clippy::struct_excessive_bools,
    reason = "test helpers fail loudly; coordinates and layout flags are named as in the formats"
)]

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use chrono::NaiveDate;
use geo::Coord;
use sitewatch::imagery::raster::georef::GeoTransform;
use sitewatch::imagery::raster::reproject::{MESH_TOLERANCE_PX, Placement};
use sitewatch::imagery::raster::write::{
    Compression, GeoTiffSpec, Layout, WriteSample, write_geotiff,
};
use sitewatch::imagery::raster::{
    BandMapping, Crs, Display, OpenOptions, Progress, RasterError, RasterLoad, RasterTileSource,
    SampleKind, Stretch,
};
use sitewatch::imagery::{TileKey, TileSource};
use sitewatch::spatial::LonLatBox;
use sitewatch::spatial::mercator::world_px_from_lonlat;

/// The site, and where PROJ 9 (GDAL 3.6 `gdaltransform`) puts it in UTM 52N and Web Mercator.
const SITE_LONLAT: Coord<f64> = Coord {
    x: 130.641_056,
    y: 42.415_167,
};
const SITE_UTM52N: Coord<f64> = Coord {
    x: 635_023.047_015_747,
    y: 4_697_177.847_693_39,
};
const SITE_3857: Coord<f64> = Coord {
    x: 14_542_895.830_615_5,
    y: 5_223_373.757_497_62,
};
/// Sydney Opera House, and where PROJ puts it in UTM 56S (EPSG:32756).
const SYDNEY_LONLAT: Coord<f64> = Coord {
    x: 151.2153,
    y: -33.8568,
};
const SYDNEY_UTM56S: Coord<f64> = Coord {
    x: 334_900.569_652_264,
    y: 6_252_288.752_888_29,
};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/geotiff");

fn fixture(name: &str) -> PathBuf {
    Path::new(FIXTURES).join(name)
}

/// A test raster: dark background, a bright square (`size` px) centred on pixel-corner
/// coordinates (`cx`, `cy`); red in colour rasters, white in gray ones.
struct Target {
    w: u32,
    h: u32,
    cx: u32,
    cy: u32,
    size: u32,
}

const TARGET: Target = Target {
    w: 200,
    h: 160,
    cx: 100,
    cy: 80,
    size: 6,
};

impl Target {
    fn samples<T: Copy>(&self, bands: usize, bg: T, fg: T, off: T) -> Vec<T> {
        let mut v = Vec::with_capacity((self.w * self.h) as usize * bands);
        let half = self.size / 2;
        for y in 0..self.h {
            for x in 0..self.w {
                let on = (self.cx - half..self.cx + half).contains(&x)
                    && (self.cy - half..self.cy + half).contains(&y);
                for b in 0..bands {
                    let v_b = match (on, b) {
                        (_, 3) if bands == 4 => fg, // alpha (or a fourth band) high everywhere
                        (true, 0) => fg,
                        (true, _) => off,
                        (false, _) => bg,
                    };
                    v.push(v_b);
                }
            }
        }
        v
    }

    /// A transform with pixel size `s` (rotated by `deg`) putting the square's centre on `at`.
    fn transform(&self, at: Coord<f64>, s: f64, deg: f64) -> GeoTransform {
        let (sin, cos) = deg.to_radians().sin_cos();
        let (a, b, d, e) = (s * cos, s * sin, s * sin, -s * cos);
        let (cx, cy) = (f64::from(self.cx), f64::from(self.cy));
        GeoTransform([
            at.x - (a * cx + b * cy),
            a,
            b,
            at.y - (d * cx + e * cy),
            d,
            e,
        ])
    }
}

fn write_file<T: WriteSample>(path: &Path, spec: &GeoTiffSpec, samples: &[T]) {
    let file = std::fs::File::create(path).unwrap();
    write_geotiff(std::io::BufWriter::new(file), spec, samples).unwrap();
}

fn spec(bands: u16, epsg: (u16, bool), transform: GeoTransform) -> GeoTiffSpec {
    let mut s = GeoTiffSpec::new(TARGET.w, TARGET.h, bands);
    s.alpha = false;
    s.epsg = Some(epsg);
    s.transform = Some(transform);
    s
}

fn open(path: &Path) -> RasterTileSource {
    RasterTileSource::open(path, &OpenOptions::default()).unwrap_or_else(|e| panic!("{e}"))
}

/// Pixels of the map around a world-pixel position at a zoom, fetched from the source.
struct MapPatch {
    zoom: u8,
    tiles: Vec<(TileKey, image::RgbaImage)>,
}

impl MapPatch {
    fn around(src: &dyn TileSource, world: Coord<f64>, zoom: u8) -> Self {
        let (tx, ty) = (
            (world.x / 256.0).floor() as u32,
            (world.y / 256.0).floor() as u32,
        );
        let mut tiles = Vec::new();
        for y in ty - 1..=ty + 1 {
            for x in tx - 1..=tx + 1 {
                let key = TileKey { z: zoom, x, y };
                let img = src.fetch(key).unwrap();
                assert_eq!(img.dimensions(), (256, 256));
                tiles.push((key, img));
            }
        }
        Self { zoom, tiles }
    }

    fn pixels(&self) -> impl Iterator<Item = (Coord<f64>, image::Rgba<u8>)> + '_ {
        self.tiles.iter().flat_map(|(k, img)| {
            img.enumerate_pixels().map(move |(x, y, p)| {
                (
                    Coord {
                        x: f64::from(k.x * 256 + x) + 0.5,
                        y: f64::from(k.y * 256 + y) + 0.5,
                    },
                    *p,
                )
            })
        })
    }

    fn at(&self, world: Coord<f64>) -> image::Rgba<u8> {
        let (x, y) = (world.x.floor() as u32, world.y.floor() as u32);
        let (_, img) = self
            .tiles
            .iter()
            .find(|(k, _)| k.x == x / 256 && k.y == y / 256)
            .unwrap();
        *img.get_pixel(x % 256, y % 256)
    }

    /// Centroid of the target's pixels (bright red, or bright in gray rasters).
    fn target_centroid(&self, gray: bool) -> Coord<f64> {
        let (mut sx, mut sy, mut sw) = (0.0, 0.0, 0.0);
        for (c, p) in self.pixels() {
            let [r, g, _, a] = p.0;
            if a < 128 || (!gray && g > 100) {
                continue;
            }
            let w = ((f64::from(r) - 64.0) / 128.0).clamp(0.0, 1.0);
            sx += w * c.x;
            sy += w * c.y;
            sw += w;
        }
        assert!(sw > 4.0, "no target drawn at z{}", self.zoom);
        Coord {
            x: sx / sw,
            y: sy / sw,
        }
    }
}

/// Asserts the square drawn from `path` lands within a pixel of `lonlat` at zoom 17.
fn assert_placed(src: &RasterTileSource, lonlat: Coord<f64>, gray: bool, what: &str) {
    let expected = world_px_from_lonlat(lonlat, 17.0);
    let patch = MapPatch::around(src, expected, 17);
    let got = patch.target_centroid(gray);
    let off = (got.x - expected.x).hypot(got.y - expected.y);
    assert!(
        off < 1.0,
        "{what}: {off:.3} px off ({got:?} vs {expected:?})"
    );
}

#[derive(Clone, Copy, Debug)]
struct LayoutCase {
    sixteen: bool,
    signed: bool,
    bands: u16,
    alpha: bool,
    layout: Layout,
    compression: Compression,
    planar: bool,
}

const LAYOUTS: &[LayoutCase] = &[
    LayoutCase {
        sixteen: false,
        signed: false,
        bands: 3,
        alpha: false,
        layout: Layout::Strips { rows: 16 },
        compression: Compression::None,
        planar: false,
    },
    LayoutCase {
        sixteen: false,
        signed: false,
        bands: 3,
        alpha: false,
        layout: Layout::Tiles { edge_px: 64 },
        compression: Compression::Lzw,
        planar: false,
    },
    LayoutCase {
        sixteen: false,
        signed: false,
        bands: 1,
        alpha: false,
        layout: Layout::Strips { rows: 7 },
        compression: Compression::Deflate,
        planar: false,
    },
    LayoutCase {
        sixteen: false,
        signed: false,
        bands: 4,
        alpha: true,
        layout: Layout::Tiles { edge_px: 32 },
        compression: Compression::Deflate,
        planar: false,
    },
    LayoutCase {
        sixteen: true,
        signed: false,
        bands: 3,
        alpha: false,
        layout: Layout::Strips { rows: 1 },
        compression: Compression::Lzw,
        planar: false,
    },
    LayoutCase {
        sixteen: true,
        signed: false,
        bands: 1,
        alpha: false,
        layout: Layout::Tiles { edge_px: 48 },
        compression: Compression::Deflate,
        planar: false,
    },
    LayoutCase {
        sixteen: true,
        signed: false,
        bands: 4,
        alpha: false,
        layout: Layout::Strips { rows: 33 },
        compression: Compression::None,
        planar: true,
    },
    LayoutCase {
        sixteen: false,
        signed: false,
        bands: 3,
        alpha: false,
        layout: Layout::Tiles { edge_px: 64 },
        compression: Compression::Deflate,
        planar: true,
    },
    LayoutCase {
        sixteen: true,
        signed: true,
        bands: 1,
        alpha: false,
        layout: Layout::Strips { rows: 16 },
        compression: Compression::Lzw,
        planar: false,
    },
];

#[test]
fn a_red_square_at_known_utm_coordinates_lands_within_a_pixel_at_z17_in_every_layout() {
    let dir = tempfile::tempdir().unwrap();
    for (i, case) in LAYOUTS.iter().enumerate() {
        let mut s = spec(
            case.bands,
            (32652, false),
            TARGET.transform(SITE_UTM52N, 1.0, 0.0),
        );
        s.layout = case.layout;
        s.compression = case.compression;
        s.planar = case.planar;
        s.alpha = case.alpha;
        s.signed = case.signed;
        let path = dir.path().join(format!("case{i}.tif"));
        if case.sixteen {
            // Signed samples are written as their two's-complement bits: -2000 and 3000.
            let (bg, fg, off) = if case.signed {
                (0xF830, 3000, 0xF830)
            } else {
                (1000, 3000, 500)
            };
            write_file(
                &path,
                &s,
                &TARGET.samples::<u16>(usize::from(case.bands), bg, fg, off),
            );
        } else {
            write_file(
                &path,
                &s,
                &TARGET.samples::<u8>(usize::from(case.bands), 40, 230, 20),
            );
        }
        let src = open(&path);
        assert_eq!(
            src.crs(),
            &Crs::Utm {
                zone: 52,
                north: true
            }
        );
        assert_eq!(src.band_count(), usize::from(case.bands));
        let kind = match (case.sixteen, case.signed) {
            (true, true) => SampleKind::I16,
            (true, false) => SampleKind::U16,
            _ => SampleKind::U8,
        };
        assert_eq!(src.sample_kind(), kind);
        assert_placed(&src, SITE_LONLAT, case.bands < 3, &format!("{case:?}"));
    }
}

#[test]
fn utm_south_wgs84_and_web_mercator_rasters_land_within_a_pixel_at_z17() {
    let dir = tempfile::tempdir().unwrap();
    let samples = TARGET.samples::<u8>(3, 40, 230, 20);
    let cases = [
        (
            "utm56s",
            (32756, false),
            TARGET.transform(SYDNEY_UTM56S, 1.0, 0.0),
            SYDNEY_LONLAT,
            Crs::Utm {
                zone: 56,
                north: false,
            },
        ),
        (
            "wgs84",
            (4326, true),
            TARGET.transform(SITE_LONLAT, 1e-5, 0.0),
            SITE_LONLAT,
            Crs::Wgs84,
        ),
        (
            "webmerc",
            (3857, false),
            TARGET.transform(SITE_3857, 1.3, 0.0),
            SITE_LONLAT,
            Crs::WebMercator,
        ),
    ];
    for (name, epsg, transform, lonlat, crs) in cases {
        let path = dir.path().join(format!("{name}.tif"));
        let mut s = spec(3, epsg, transform);
        s.compression = Compression::Deflate;
        write_file(&path, &s, &samples);
        let src = open(&path);
        assert_eq!(src.crs(), &crs, "{name}");
        assert_placed(&src, lonlat, false, name);
    }
}

#[test]
fn pixel_is_point_and_a_rotated_transformation_matrix_are_placed_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let samples = TARGET.samples::<u8>(3, 40, 230, 20);
    let mut point = spec(3, (32652, false), TARGET.transform(SITE_UTM52N, 1.0, 0.0));
    point.pixel_is_point = true;
    let path = dir.path().join("point.tif");
    write_file(&path, &point, &samples);
    assert_placed(&open(&path), SITE_LONLAT, false, "PixelIsPoint");

    // A raster turned 20°: drawn through the mesh, never as a stretched rectangle.
    let mut rotated = spec(3, (32652, false), TARGET.transform(SITE_UTM52N, 1.0, 20.0));
    rotated.layout = Layout::Tiles { edge_px: 32 };
    let path = dir.path().join("rotated.tif");
    write_file(&path, &rotated, &samples);
    let src = open(&path);
    assert_placed(&src, SITE_LONLAT, false, "rotated 20°");
    // The bounds hold the turned raster's four corners, and are taller than it would be unturned.
    let b = src.bounds_lonlat();
    for (x, y) in [(0.0, 0.0), (200.0, 0.0), (0.0, 160.0), (200.0, 160.0)] {
        assert!(
            b.contains(src.lonlat_of_pixel(Coord { x, y }).unwrap()),
            "{b:?}"
        );
    }
    assert!((b.north - b.south) * 111_000.0 > 160.0 * 1.2, "{b:?}");

    let mut matrix = spec(3, (32652, false), TARGET.transform(SITE_UTM52N, 1.0, 0.0));
    matrix.use_matrix = true;
    let path = dir.path().join("matrix.tif");
    write_file(&path, &matrix, &samples);
    assert_placed(&open(&path), SITE_LONLAT, false, "ModelTransformation");
}

#[test]
fn jpeg_compressed_geotiffs_from_gdal_decode_and_land_within_a_pixel() {
    // Written by GDAL 3.6 (see tests/fixtures/geotiff/README.md): 96×80, 1 m, the red square
    // (8×8) centred on the site, background (60, 120, 60).
    for name in [
        "site_utm52n_jpeg_ycbcr_tiled.tif",
        "site_utm52n_jpeg_rgb_stripped.tif",
    ] {
        let src = open(&fixture(name));
        assert_eq!(
            src.crs(),
            &Crs::Utm {
                zone: 52,
                north: true
            }
        );
        assert_placed(&src, SITE_LONLAT, false, name);
        let patch = MapPatch::around(&src, world_px_from_lonlat(SITE_LONLAT, 17.0), 17);
        let bg = patch.at(world_px_from_lonlat(
            src.lonlat_of_pixel(Coord { x: 10.5, y: 10.5 }).unwrap(),
            17.0,
        ));
        let [r, g, b, a] = bg.0;
        assert!(
            r.abs_diff(60) < 8 && g.abs_diff(120) < 8 && b.abs_diff(60) < 8 && a == 255,
            "{name}: {bg:?}"
        );
    }
}

#[test]
fn gdal_lzw_files_with_the_predictor_and_padded_tiles_decode() {
    // Tiled 64×64 over 96×80 pixels: the right and bottom tiles are padded, which `tiff` 0.11's
    // own LZW reader cannot read (image-tiff #395); 8-bit and 16-bit, horizontal predictor.
    for name in [
        "site_utm52n_lzw_predictor_tiled.tif",
        "site_utm52n_lzw_predictor_tiled_16bit.tif",
    ] {
        let src = open(&fixture(name));
        assert_placed(&src, SITE_LONLAT, false, name);
        let bg = src.lonlat_of_pixel(Coord { x: 90.5, y: 75.5 }).unwrap();
        let world = world_px_from_lonlat(bg, 17.0);
        let p = MapPatch::around(&src, world, 17).at(world);
        if src.sample_kind() == SampleKind::U8 {
            assert_eq!(p.0, [60, 120, 60, 255], "{name}");
        } else {
            // Stretched 2–98 %: the background is each band's low end.
            assert_eq!(p.0, [0, 0, 0, 255], "{name}");
        }
    }
}

#[test]
fn the_mesh_is_within_its_tolerance_of_the_exact_transform_at_every_pixel() {
    let utm = Placement {
        crs: Crs::Utm {
            zone: 52,
            north: true,
        },
        pixel_from_crs: TARGET.transform(SITE_UTM52N, 1.0, 0.0).inverse().unwrap(),
        width_px: 20_000,
        height_px: 20_000,
    };
    let utm_far = Placement {
        // Far from the central meridian (129° E) and tilted, where the grid curves most.
        pixel_from_crs: GeoTransform([780_000.0, 10.0, 2.0, 4_900_000.0, 2.0, -10.0])
            .inverse()
            .unwrap(),
        ..utm.clone()
    };
    let south = Placement {
        crs: Crs::Utm {
            zone: 56,
            north: false,
        },
        pixel_from_crs: TARGET.transform(SYDNEY_UTM56S, 0.5, 0.0).inverse().unwrap(),
        width_px: 4000,
        height_px: 4000,
    };
    let wgs84 = Placement {
        crs: Crs::Wgs84,
        pixel_from_crs: GeoTransform([100.0, 0.01, 0.0, 70.0, 0.0, -0.01])
            .inverse()
            .unwrap(),
        width_px: 6000,
        height_px: 6000,
    };
    let laea = Placement {
        crs: Crs::from_epsg(3035).unwrap(),
        pixel_from_crs: GeoTransform([2_500_000.0, 1000.0, 0.0, 5_500_000.0, 0.0, -1000.0])
            .inverse()
            .unwrap(),
        width_px: 4000,
        height_px: 4000,
    };
    let probe = |p: &Placement, lonlat: Coord<f64>, zoom: u8| {
        let w = world_px_from_lonlat(lonlat, f64::from(zoom));
        let key = TileKey {
            z: zoom,
            x: (w.x / 256.0) as u32,
            y: (w.y / 256.0) as u32,
        };
        let coords = p.tile_coords(key);
        let mut worst = 0f64;
        for (i, m) in coords.px.iter().enumerate() {
            let (x, y) = (i as u32 % 256, i as u32 / 256);
            let world = Coord {
                x: f64::from(key.x * 256 + x) + 0.5,
                y: f64::from(key.y * 256 + y) + 0.5,
            };
            let Some(e) = p.source_px(world, f64::from(zoom)) else {
                continue;
            };
            let inside = e.x >= 0.0
                && e.y >= 0.0
                && e.x < f64::from(p.width_px)
                && e.y < f64::from(p.height_px);
            if inside {
                worst = worst.max((m[0] - e.x).hypot(m[1] - e.y) / coords.scale);
            }
        }
        (worst, coords.step_px)
    };
    let cases = [
        (&utm, SITE_LONLAT, 17),
        (&utm, SITE_LONLAT, 13),
        (&utm, SITE_LONLAT, 9),
        (&utm_far, Coord { x: 132.8, y: 44.2 }, 8),
        (&utm_far, Coord { x: 132.8, y: 44.2 }, 12),
        (&south, SYDNEY_LONLAT, 17),
        (&south, SYDNEY_LONLAT, 12),
        (&wgs84, Coord { x: 120.0, y: 50.0 }, 3),
        (&wgs84, Coord { x: 120.0, y: 50.0 }, 7),
        (&wgs84, Coord { x: 120.0, y: 50.0 }, 16),
        (&laea, Coord { x: 10.0, y: 52.0 }, 4),
        (&laea, Coord { x: 16.37, y: 48.22 }, 10),
    ];
    for (p, at, z) in cases {
        let (worst, step) = probe(p, at, z);
        // The mesh guarantees the tolerance at cell centres, where a smooth mapping's
        // interpolation error peaks; anywhere else it is at most that plus higher-order terms.
        assert!(
            worst <= MESH_TOLERANCE_PX * 1.5,
            "{:?} z{z}: {worst:.4} px with step {step}",
            p.crs
        );
    }
}

#[test]
fn the_austrian_capitals_samples_in_laea_europe_are_placed_like_gdal_places_them() {
    let laea = Crs::from_epsg(3035).unwrap();
    let vienna = Coord {
        x: 16.374_99,
        y: 48.221_58,
    };
    let graz = Coord {
        x: 15.433_01,
        y: 47.062_98,
    };
    for variant in ["tie_point_and_pixel_scale", "transformation", "tie_points"] {
        for raster_type in ["area", "point"] {
            let name = format!("austrian_capitals_model_{variant}_pixel_is_{raster_type}.tif");
            let src = open(&fixture(&name));
            assert!(
                matches!(src.crs(), Crs::Proj(p) if p.name() == "EPSG:3035"),
                "{name}"
            );
            // gdalinfo's corners: UL 9°44'36.43"E 48°24'43.82"N, UR 16°34'25.50"E,
            // LR 46°30'50.68"N (PixelIsPoint: half a kilometre west and north).
            let b = src.bounds_lonlat();
            let shift = if raster_type == "point" { 0.007 } else { 0.0 };
            assert!((b.west - (9.743_45 - shift)).abs() < 0.01, "{name} {b:?}");
            assert!((b.east - (16.573_75 - shift)).abs() < 0.01, "{name} {b:?}");
            assert!(
                (b.north - (48.412_17 + shift * 0.6)).abs() < 0.03,
                "{name} {b:?}"
            );
            assert!(
                (b.south - (46.514_08 + shift * 0.6)).abs() < 0.03,
                "{name} {b:?}"
            );
            for city in [vienna, graz] {
                // The geotiff crate's own test: in PixelIsPoint files the capitals' pixels sit
                // 500 m west and north of the city.
                let at = if raster_type == "point" {
                    let xy = laea.xy_from_lonlat(city).unwrap();
                    laea.lonlat_from_xy(Coord {
                        x: xy.x - 500.0,
                        y: xy.y + 500.0,
                    })
                    .unwrap()
                } else {
                    city
                };
                let world = world_px_from_lonlat(at, 10.0);
                let patch = MapPatch::around(&src, world, 10);
                let p = patch.at(world);
                assert!(
                    p.0[3] > 100 && p.0[0] < 64,
                    "{name}: capital at {at:?} drawn {p:?}"
                );
            }
            // Everything else is GDAL_NODATA (stored 0 in a WhiteIsZero file): transparent.
            let elsewhere = world_px_from_lonlat(Coord { x: 13.1, y: 47.5 }, 10.0);
            assert_eq!(
                MapPatch::around(&src, elsewhere, 10).at(elsewhere).0[3],
                0,
                "{name}"
            );
        }
    }
}

/// Mercator (variant A) on Clarke 1866, inverted by hand: lon/lat of easting/northing.
fn clarke_mercator_lonlat(x: f64, y: f64) -> Coord<f64> {
    let (a, rf) = (6_378_206.4_f64, 294.978_698_213_898_f64);
    let f = 1.0 / rf;
    let e = (f * (2.0 - f)).sqrt();
    let k0 = 0.829_916_312_080_482;
    let lon = -90.0 + ((x - 0.001) / (a * k0)).to_degrees();
    let psi = (y - 0.002) / (a * k0);
    let mut phi = 2.0 * psi.exp().atan() - std::f64::consts::FRAC_PI_2;
    for _ in 0..20 {
        let es = e * phi.sin();
        phi = 2.0 * (psi.exp() * ((1.0 + es) / (1.0 - es)).powf(e / 2.0)).atan()
            - std::f64::consts::FRAC_PI_2;
    }
    Coord {
        x: lon,
        y: phi.to_degrees(),
    }
}

#[test]
fn the_nad27_mercator_sample_is_read_from_its_user_defined_geokeys() {
    let src = open(&fixture("merc.tif"));
    let Crs::Proj(p) = src.crs() else {
        panic!("{:?}", src.crs());
    };
    assert!(
        p.name().contains("Mercator North American 1927"),
        "{}",
        p.name()
    );
    assert!(
        p.definition().contains("+proj=merc") && p.definition().contains("+k_0=0.829916312080482")
    );
    // gdalinfo's model extent, through the Mercator formulas; NAD27→WGS 84 moves it < 0.003°.
    let b = src.bounds_lonlat();
    let sw = clarke_mercator_lonlat(1_871_032.953_888, 662_408.673);
    let ne = clarke_mercator_lonlat(1_901_982.949, 693_358.668_144);
    for (got, want) in [
        (b.west, sw.x),
        (b.south, sw.y),
        (b.east, ne.x),
        (b.north, ne.y),
    ] {
        assert!((got - want).abs() < 0.003, "{b:?} vs {sw:?} {ne:?}");
    }
}

#[test]
fn a_tiff_with_a_transform_but_no_geokeys_needs_its_crs_and_then_opens() {
    let path = fixture("zh_dem_25.tif");
    let err = RasterTileSource::open(&path, &OpenOptions::default()).unwrap_err();
    assert!(matches!(err, RasterError::NoGeoreferencing { .. }), "{err}");
    let msg = err.to_string();
    assert!(msg.starts_with("no georeferencing"), "{msg}");
    assert!(
        msg.contains("add a world file or give its corners"),
        "{msg}"
    );
    assert!(msg.ends_with(&path.display().to_string()), "{msg}");

    // Given the CRS (Swiss LV03, through proj4rs), the signed 16-bit DEM opens near Zürich:
    // gdaltransform puts its centre at 8.53181° E 47.38160° N.
    let options = OpenOptions {
        crs: Some(Crs::from_epsg(21781).unwrap()),
        ..OpenOptions::default()
    };
    let src = RasterTileSource::open(&path, &options).unwrap();
    assert_eq!(src.sample_kind(), SampleKind::I16);
    let c = src.lonlat_of_pixel(Coord { x: 199.5, y: 183.0 }).unwrap();
    assert!(
        (c.x - 8.531_813).abs() < 1e-4 && (c.y - 47.381_598).abs() < 1e-4,
        "{c:?}"
    );
    // A DEM is stretched 2–98 % and drawn gray.
    assert_eq!(src.display().stretch, Stretch::PERCENTILE_2_98);
    let [(lo, hi), ..] = src.stretch_limits();
    assert!(
        (300.0..700.0).contains(&lo) && lo < hi && hi < 1000.0,
        "{lo}–{hi}"
    );
}

#[test]
fn a_plain_tiff_needs_a_world_file_and_reads_one() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("plain.tif");
    let mut s = GeoTiffSpec::new(TARGET.w, TARGET.h, 3);
    s.alpha = false;
    write_file(&path, &s, &TARGET.samples::<u8>(3, 40, 230, 20));
    let err = RasterTileSource::open(&path, &OpenOptions::default()).unwrap_err();
    assert!(matches!(err, RasterError::NoGeoreferencing { .. }), "{err}");

    // A .tfw names the centre of the top-left pixel; the CRS comes from .aux.xml.
    let t = TARGET.transform(SITE_UTM52N, 1.0, 0.0).0;
    let tfw = format!(
        "{}\n{}\n{}\n{}\n{}\n{}\n",
        t[1],
        t[4],
        t[2],
        t[5],
        t[0] + 0.5,
        t[3] - 0.5
    );
    std::fs::write(dir.path().join("plain.tfw"), tfw).unwrap();
    let err = RasterTileSource::open(&path, &OpenOptions::default()).unwrap_err();
    assert!(err.to_string().contains("no CRS"), "{err}");
    std::fs::write(
        dir.path().join("plain.tif.aux.xml"),
        "<PAMDataset><SRS>PROJCS[&quot;WGS 84 / UTM zone 52N&quot;,AUTHORITY[&quot;EPSG&quot;,&quot;32652&quot;]]</SRS></PAMDataset>",
    )
    .unwrap();
    assert_placed(&open(&path), SITE_LONLAT, false, ".tfw + .aux.xml");
}

#[test]
fn png_and_jpeg_with_world_files_land_within_a_pixel() {
    let dir = tempfile::tempdir().unwrap();
    let rgb = TARGET.samples::<u8>(3, 40, 230, 20);
    let img = image::RgbImage::from_raw(TARGET.w, TARGET.h, rgb).unwrap();
    let t = TARGET.transform(SITE_UTM52N, 1.0, 0.0).0;
    let world = format!(
        "{}\n{}\n{}\n{}\n{}\n{}\n",
        t[1],
        t[4],
        t[2],
        t[5],
        t[0] + 0.5,
        t[3] - 0.5
    );
    let esri_prj = r#"PROJCS["WGS_1984_UTM_Zone_52N",GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137.0,298.257223563]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Transverse_Mercator"],PARAMETER["False_Easting",500000.0],PARAMETER["False_Northing",0.0],PARAMETER["Central_Meridian",129.0],PARAMETER["Scale_Factor",0.9996],PARAMETER["Latitude_Of_Origin",0.0],UNIT["Meter",1.0]]"#;

    let png = dir.path().join("site_2025-07-05.png");
    img.save(&png).unwrap();
    std::fs::write(dir.path().join("site_2025-07-05.pgw"), &world).unwrap();
    std::fs::write(dir.path().join("site_2025-07-05.prj"), esri_prj).unwrap();
    let src = open(&png);
    assert_eq!(
        src.crs(),
        &Crs::Utm {
            zone: 52,
            north: true
        }
    );
    assert_placed(&src, SITE_LONLAT, false, "PNG + .pgw + .prj");
    assert_eq!(
        sitewatch::imagery::raster::date_from_file_name(&png).map(|d| d.key()),
        NaiveDate::from_ymd_opt(2025, 7, 5)
    );

    // JPEG + .jgw, the CRS from the caller.
    let jpg = dir.path().join("site.jpg");
    img.save(&jpg).unwrap();
    std::fs::write(dir.path().join("site.jgw"), &world).unwrap();
    let err = RasterTileSource::open(&jpg, &OpenOptions::default()).unwrap_err();
    assert!(matches!(err, RasterError::NoGeoreferencing { .. }), "{err}");
    let options = OpenOptions {
        crs: Some(Crs::Utm {
            zone: 52,
            north: true,
        }),
        ..OpenOptions::default()
    };
    assert_placed(
        &RasterTileSource::open(&jpg, &options).unwrap(),
        SITE_LONLAT,
        false,
        "JPEG + .jgw",
    );

    // A .wld for a PNG with no .prj but the caller's CRS, and corners alone for another.
    let bare = dir.path().join("bare.png");
    img.save(&bare).unwrap();
    let corners = LonLatBox {
        west: 130.0,
        south: 42.0,
        east: 130.2,
        north: 42.16,
    };
    let src = RasterTileSource::open(
        &bare,
        &OpenOptions {
            corners_lonlat: Some(corners),
            ..OpenOptions::default()
        },
    )
    .unwrap();
    assert_eq!(src.crs(), &Crs::Wgs84);
    let b = src.bounds_lonlat();
    assert!(
        (b.west - 130.0).abs() < 1e-9
            && (b.north - 42.16).abs() < 1e-9
            && (b.east - 130.2).abs() < 1e-9
    );
}

#[test]
fn a_bad_world_file_is_named_in_the_error() {
    let dir = tempfile::tempdir().unwrap();
    let png = dir.path().join("x.png");
    image::RgbImage::new(4, 4).save(&png).unwrap();
    std::fs::write(dir.path().join("x.pgw"), "1\n0\n0\n").unwrap();
    let err = RasterTileSource::open(&png, &OpenOptions::default()).unwrap_err();
    assert!(matches!(err, RasterError::BadWorldFile { .. }), "{err}");
    assert!(err.to_string().ends_with("x.pgw"), "{err}");
}

#[test]
fn bands_can_be_remapped_and_sixteen_bit_data_is_stretched() {
    // Four 16-bit bands like Sentinel-2 B1 (coastal), B2 (blue), B3 (green), B4 (red): the left
    // half is a red roof (B4 high), the right half water (B2 high).
    let (w, h) = (64u32, 32u32);
    let mut samples = Vec::new();
    for _y in 0..h {
        for x in 0..w {
            let roof = x < w / 2;
            samples.extend_from_slice(&if roof {
                [900u16, 800, 900, 3000]
            } else {
                [1200, 2500, 1000, 700]
            });
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s2.tif");
    let mut s = GeoTiffSpec::new(w, h, 4);
    (s.rgb, s.alpha) = (false, false);
    s.epsg = Some((32652, false));
    s.transform = Some(GeoTransform::north_up(SITE_UTM52N, 10.0, 10.0));
    s.compression = Compression::Deflate;
    write_file(&path, &s, &samples);
    let src = open(&path);
    assert_eq!(
        src.display(),
        Display {
            bands: BandMapping::Rgb([1, 2, 3]),
            stretch: Stretch::PERCENTILE_2_98
        }
    );

    let roof = src.lonlat_of_pixel(Coord { x: 10.5, y: 16.5 }).unwrap();
    let water = src.lonlat_of_pixel(Coord { x: 50.5, y: 16.5 }).unwrap();
    let look = |src: &RasterTileSource| {
        let z = 15;
        let (r, wa) = (
            world_px_from_lonlat(roof, f64::from(z)),
            world_px_from_lonlat(water, f64::from(z)),
        );
        let patch = MapPatch::around(src, r, z);
        (patch.at(r).0, patch.at(wa).0)
    };
    src.set_display(Display {
        bands: BandMapping::Rgb([4, 3, 2]),
        stretch: Stretch::PERCENTILE_2_98,
    })
    .unwrap();
    let (r, wa) = look(&src);
    assert!(r[0] > 200 && r[2] < 50, "true colour roof {r:?}");
    assert!(wa[2] > 200 && wa[0] < 50, "true colour water {wa:?}");
    let (lo, hi) = src.stretch_limits()[0];
    assert!(
        (lo - 700.0).abs() < 0.01 && (hi - 3000.0).abs() < 0.01,
        "{lo}–{hi}"
    );

    src.set_display(Display {
        bands: BandMapping::Gray(4),
        stretch: Stretch::Range {
            low: 0.0,
            high: 3000.0,
        },
    })
    .unwrap();
    let (r, _) = look(&src);
    assert!(r[0] == 255 && r[1] == 255 && r[2] == 255, "{r:?}");

    let err = src
        .set_display(Display {
            bands: BandMapping::Rgb([5, 3, 2]),
            stretch: Stretch::Full,
        })
        .unwrap_err();
    assert!(
        matches!(err, RasterError::BadDisplay { .. }) && err.to_string().contains("band 5"),
        "{err}"
    );
}

#[test]
fn the_source_reports_bounds_date_zoom_and_names() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("dated.tif");
    let mut s = spec(3, (32652, false), TARGET.transform(SITE_UTM52N, 1.0, 0.0));
    s.datetime = Some("2025:07:05 10:21:00".to_owned());
    write_file(&path, &s, &TARGET.samples::<u8>(3, 40, 230, 20));
    let options = OpenOptions {
        name: "Site, July".to_owned(),
        attribution: "© Example".to_owned(),
        ..OpenOptions::default()
    };
    let src = RasterTileSource::open(&path, &options).unwrap();
    assert_eq!(src.name(), "Site, July");
    assert_eq!(src.attribution(), "© Example");
    assert_eq!(src.capture_date(), NaiveDate::from_ymd_opt(2025, 7, 5));
    // 1 m pixels at 42.4° N: native zoom ≈ 16.8, so tiles up to zoom 19.
    assert!(
        (src.native_zoom() - 16.82).abs() < 0.05,
        "{}",
        src.native_zoom()
    );
    assert_eq!(src.max_zoom(), 19);
    let b = src.bounds_lonlat();
    assert!(b.contains(SITE_LONLAT));
    let width_m = (b.east - b.west) * 111_320.0 * 42.415_f64.to_radians().cos();
    assert!((width_m - 200.0).abs() < 3.0, "{b:?}");
    // A tile far away is transparent, not an error.
    let far = src.fetch(TileKey { z: 17, x: 0, y: 0 }).unwrap();
    assert!(far.pixels().all(|p| p.0[3] == 0));
    assert_eq!(open(&path).name(), "dated");
}

#[test]
fn a_raster_over_its_memory_budget_spills_to_disk_and_draws_the_same() {
    let dir = tempfile::tempdir().unwrap();
    let (w, h) = (1500u32, 1100u32);
    let path = dir.path().join("big.tif");
    let mut s = GeoTiffSpec::new(w, h, 3);
    s.alpha = false;
    s.epsg = Some((32652, false));
    s.transform = Some(GeoTransform::north_up(SITE_UTM52N, 1.0, 1.0));
    s.compression = Compression::Deflate;
    s.layout = Layout::Tiles { edge_px: 128 };
    let samples: Vec<u8> = (0..w * h)
        .flat_map(|i| {
            let (x, y) = (i % w, i / w);
            [
                (x % 251) as u8,
                (y % 241) as u8,
                ((x / 7 + y / 5) % 256) as u8,
            ]
        })
        .collect();
    write_file(&path, &s, &samples);
    let roomy = open(&path);
    let tight = RasterTileSource::open(
        &path,
        &OpenOptions {
            budget: sitewatch::imagery::raster::memory_budget::MemoryBudget::new(1 << 20),
            ..OpenOptions::default()
        },
    )
    .unwrap();
    let (held, spilled) = tight.memory_bytes();
    assert!(
        held <= 1 << 20 && spilled > 0,
        "{held} held, {spilled} spilled"
    );
    assert_eq!(roomy.memory_bytes().1, 0);
    assert_eq!(roomy.level_count(), 4);
    let centre = roomy.lonlat_of_pixel(Coord { x: 750.0, y: 550.0 }).unwrap();
    for z in [12u8, 14, 16, 18] {
        let world = world_px_from_lonlat(centre, f64::from(z));
        let key = TileKey {
            z,
            x: (world.x / 256.0) as u32,
            y: (world.y / 256.0) as u32,
        };
        assert_eq!(roomy.fetch(key).unwrap(), tight.fetch(key).unwrap(), "z{z}");
    }
}

#[test]
fn a_background_load_reports_progress_and_hands_over_the_source() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("load.tif");
    let mut s = spec(3, (32652, false), TARGET.transform(SITE_UTM52N, 1.0, 0.0));
    s.layout = Layout::Strips { rows: 2 };
    write_file(&path, &s, &TARGET.samples::<u8>(3, 40, 230, 20));
    let wakeups = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&wakeups);
    let mut load = RasterLoad::start(
        &path,
        OpenOptions::default(),
        Some(Arc::new(move || {
            counter.fetch_add(1, Ordering::Relaxed);
        })),
    );
    assert_eq!(load.path(), path);
    while !load.is_finished() {
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
    let src = load.try_take().unwrap().unwrap();
    assert!(load.try_take().is_none());
    assert!((load.progress() - 1.0).abs() < 1e-6);
    assert!(wakeups.load(Ordering::Relaxed) > 10);
    assert_placed(&src, SITE_LONLAT, false, "background load");

    // Cancelled before it starts, a load ends with Cancelled.
    let progress = Progress::new();
    progress.cancel();
    let err = RasterTileSource::open_with_progress(&path, &OpenOptions::default(), &progress)
        .unwrap_err();
    assert!(matches!(err, RasterError::Cancelled { .. }), "{err}");
    // A missing file ends a background load with the error.
    let err = RasterLoad::start(dir.path().join("nope.tif"), OpenOptions::default(), None)
        .wait()
        .unwrap_err();
    assert!(matches!(err, RasterError::Missing { .. }), "{err}");
}

/// A little-endian TIFF header and IFD of 8-bit gray claiming `w`×`h`, with one 1-byte strip.
fn tiff_claiming(w: u32, h: u32) -> Vec<u8> {
    let entries: [(u16, u16, u32, u32); 8] = [
        (256, 4, 1, w), // ImageWidth, LONG
        (257, 4, 1, h), // ImageLength
        (258, 3, 1, 8), // BitsPerSample
        (259, 3, 1, 1), // Compression: none
        (262, 3, 1, 1), // BlackIsZero
        (273, 4, 1, 8), // StripOffsets
        (278, 4, 1, h), // RowsPerStrip
        (279, 4, 1, 1), // StripByteCounts
    ];
    let mut b = b"II*\0".to_vec();
    b.extend_from_slice(&10u32.to_le_bytes());
    b.extend_from_slice(&[0, 0]); // the "strip" at offset 8
    b.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    for (tag, ty, count, value) in entries {
        b.extend_from_slice(&tag.to_le_bytes());
        b.extend_from_slice(&ty.to_le_bytes());
        b.extend_from_slice(&count.to_le_bytes());
        b.extend_from_slice(&value.to_le_bytes());
    }
    b.extend_from_slice(&0u32.to_le_bytes());
    b
}

#[test]
fn a_header_claiming_200000_by_200000_pixels_is_refused_before_allocating() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("huge.tif");
    std::fs::write(&path, tiff_claiming(200_000, 200_000)).unwrap();
    let err = RasterTileSource::open(&path, &OpenOptions::default()).unwrap_err();
    assert!(matches!(err, RasterError::TooLarge { .. }), "{err}");
    let msg = err.to_string();
    assert!(
        msg.contains("200000 × 200000") && msg.ends_with("huge.tif"),
        "{msg}"
    );
    // The same header at a sane size is read (and then lacks georeferencing).
    std::fs::write(&path, tiff_claiming(1, 1)).unwrap();
    let err = RasterTileSource::open(&path, &OpenOptions::default()).unwrap_err();
    assert!(matches!(err, RasterError::NoGeoreferencing { .. }), "{err}");
}

#[test]
fn missing_empty_and_non_image_files_get_typed_errors_naming_them() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.tif");
    let err = RasterTileSource::open(&missing, &OpenOptions::default()).unwrap_err();
    assert!(matches!(err, RasterError::Missing { .. }), "{err}");
    assert_eq!(
        err.to_string(),
        format!("file not found: {}", missing.display())
    );

    let text = dir.path().join("notes.tif");
    std::fs::write(&text, "these are not pixels").unwrap();
    let err = RasterTileSource::open(&text, &OpenOptions::default()).unwrap_err();
    assert!(matches!(err, RasterError::NotAnImage { .. }), "{err}");
    assert!(err.to_string().starts_with("not an image") && err.to_string().ends_with("notes.tif"));

    let empty = dir.path().join("empty.png");
    std::fs::write(&empty, "").unwrap();
    let err = RasterTileSource::open(&empty, &OpenOptions::default()).unwrap_err();
    assert!(err.to_string().contains("empty"), "{err}");
}

#[test]
fn an_unsupported_crs_is_named_in_the_error() {
    let dir = tempfile::tempdir().unwrap();
    let samples = TARGET.samples::<u8>(3, 40, 230, 20);
    // New Zealand Map Grid: a real EPSG code whose projection proj4rs does not implement.
    let path = dir.path().join("nzmg.tif");
    write_file(
        &path,
        &spec(
            3,
            (27200, false),
            GeoTransform::north_up(
                Coord {
                    x: 2_500_000.0,
                    y: 6_000_000.0,
                },
                1.0,
                1.0,
            ),
        ),
        &samples,
    );
    let err = RasterTileSource::open(&path, &OpenOptions::default()).unwrap_err();
    assert!(matches!(err, RasterError::Crs { .. }), "{err}");
    assert!(err.to_string().ends_with("nzmg.tif"), "{err}");
    let msg = sitewatch::app::error_chain(&err);
    assert!(msg.contains("unsupported CRS EPSG:27200"), "{msg}");
}

#[test]
fn truncated_and_corrupted_geotiffs_give_errors_never_panics() {
    let dir = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    for (i, case) in LAYOUTS.iter().enumerate().take(5) {
        let mut s = spec(
            case.bands,
            (32652, false),
            TARGET.transform(SITE_UTM52N, 1.0, 0.0),
        );
        (s.layout, s.compression, s.planar, s.alpha) =
            (case.layout, case.compression, case.planar, case.alpha);
        let path = dir.path().join(format!("good{i}.tif"));
        if case.sixteen {
            write_file(
                &path,
                &s,
                &TARGET.samples::<u16>(usize::from(case.bands), 1000, 3000, 500),
            );
        } else {
            write_file(
                &path,
                &s,
                &TARGET.samples::<u8>(usize::from(case.bands), 40, 230, 20),
            );
        }
        files.push(std::fs::read(&path).unwrap());
    }
    files.push(std::fs::read(fixture("site_utm52n_jpeg_ycbcr_tiled.tif")).unwrap());
    files.push(std::fs::read(fixture("merc.tif")).unwrap());

    // Panics on this thread are counted (and would fail the test) even though opening catches
    // them: the catch is a safety net, not the plan.
    let me = std::thread::current().id();
    let panics = Arc::new(AtomicUsize::new(0));
    let seen = Arc::clone(&panics);
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if std::thread::current().id() == me {
            seen.fetch_add(1, Ordering::Relaxed);
        }
        previous(info);
    }));

    let path = dir.path().join("bad.tif");
    let mut seed = 0x2545_f491_4f6c_dd1d_u64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let (mut errors, mut opened) = (0, 0);
    for good in &files {
        let n = good.len();
        let mut variants: Vec<Vec<u8>> = (1..24).map(|k| good[..n * k / 24].to_vec()).collect();
        variants.extend([good[..4].to_vec(), good[..9].to_vec()]);
        for _ in 0..24 {
            let mut bad = good.clone();
            for _ in 0..4 {
                let i = (next() % n as u64) as usize;
                bad[i] = (next() & 0xFF) as u8;
            }
            variants.push(bad);
        }
        for bad in variants {
            std::fs::write(&path, &bad).unwrap();
            match RasterTileSource::open(&path, &OpenOptions::default()) {
                Err(e) => {
                    assert!(e.to_string().ends_with("bad.tif"), "{e}");
                    errors += 1;
                }
                Ok(src) => {
                    // What opens must draw.
                    let _ = src.fetch(TileKey {
                        z: 17,
                        x: 115_000,
                        y: 48_000,
                    });
                    opened += 1;
                }
            }
        }
    }
    let _ = std::panic::take_hook();
    assert_eq!(
        panics.load(Ordering::Relaxed),
        0,
        "{errors} errors, {opened} opened"
    );
    assert!(errors > 100, "{errors} errors, {opened} opened");

    // A truncated file says so.
    let good = files.first().unwrap();
    std::fs::write(&path, &good[..good.len() / 2]).unwrap();
    let err = RasterTileSource::open(&path, &OpenOptions::default()).unwrap_err();
    assert!(matches!(err, RasterError::Corrupt { .. }), "{err}");
    assert!(err.to_string().contains("ends early"), "{err}");
}

#[test]
fn the_value_under_a_position_is_the_files_raw_sample_of_that_pixel() {
    let dir = tempfile::tempdir().unwrap();
    let (w, h) = (600u32, 300u32);
    let path = dir.path().join("values.tif");
    let mut s = GeoTiffSpec::new(w, h, 2);
    s.alpha = false;
    s.epsg = Some((32652, false));
    s.transform = Some(GeoTransform::north_up(SITE_UTM52N, 2.0, 2.0));
    let value = |x: u32, y: u32| [(x * 100 + y) as u16, (65_535 - x) as u16];
    let samples: Vec<u16> = (0..w * h).flat_map(|i| value(i % w, i / w)).collect();
    write_file(&path, &s, &samples);
    let raster = open(&path);
    // Corners, and pixels on both sides of the 256-pixel chunk edges.
    for (col, row) in [
        (0, 0),
        (255, 255),
        (256, 256),
        (257, 130),
        (599, 299),
        (599, 0),
    ] {
        let centre = raster
            .lonlat_of_pixel(Coord {
                x: f64::from(col) + 0.5,
                y: f64::from(row) + 0.5,
            })
            .unwrap();
        let got = raster.value_at(centre).unwrap();
        assert_eq!((got.col, got.row), (col, row));
        let want: Vec<f64> = value(col, row).iter().map(|v| f64::from(*v)).collect();
        assert_eq!(got.values, want, "pixel {col}, {row}");
    }
    let outside = raster.lonlat_of_pixel(Coord { x: -3.0, y: 10.0 }).unwrap();
    assert_eq!(raster.value_at(outside), None);
    let beyond = raster.lonlat_of_pixel(Coord { x: 10.0, y: 300.5 }).unwrap();
    assert_eq!(raster.value_at(beyond), None);
    let one = raster
        .value_at(raster.lonlat_of_pixel(Coord { x: 1.5, y: 2.5 }).unwrap())
        .unwrap();
    assert_eq!(one.readout(), "px 1, 2 · 102 65534");
}
