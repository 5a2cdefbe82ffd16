//! The default project's imagery: the synthetic demo `GeoTIFF` files in `assets/imagery` (decoded with
//! the `tiff` crate, so they are checked without the app's own reader), the generator that drew
//! them, and the layers and scene built from them.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use geo::Coord;
use tiff::decoder::{Decoder, DecodingResult};
use tiff::tags::Tag;

use sitewatch::imagery::synthetic::{self, DEFAULT_PIXEL_M, DEFAULT_SEED, DEMO_DATES, Rendered};
use sitewatch::model::default_project::{load_default_project, project_base_dir};
use sitewatch::model::tracks::layers_at;
use sitewatch::model::{FuzzyDate, LayerSource, Project};
use sitewatch::model::{SYNTHETIC_CREDIT, SYNTHETIC_NOTICE};
use sitewatch::scene::{SceneOptions, build};

fn project() -> Project {
    load_default_project().unwrap().project
}

fn day(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
}

fn asset(date: &str) -> PathBuf {
    project_base_dir(None).join(format!("imagery/{date}.tif"))
}

/// The RGB pixels and dimensions of a `GeoTIFF`.
fn decode(path: &Path) -> (Vec<u8>, u32, u32) {
    let mut decoder = Decoder::new(std::fs::File::open(path).unwrap()).unwrap();
    let (width, height) = decoder.dimensions().unwrap();
    let DecodingResult::U8(pixels) = decoder.read_image().unwrap() else {
        panic!("{} is not 8-bit", path.display());
    };
    (pixels, width, height)
}

/// The RGB of the pixel under a lon/lat.
fn probe(rendered: &Rendered, lon: f64, lat: f64) -> [u8; 3] {
    let grid = rendered.grid;
    let (x, y) = grid.px(grid.xy(Coord { x: lon, y: lat }).unwrap());
    let i = (y as usize * grid.width as usize + x as usize) * 3;
    [rendered.rgb[i], rendered.rgb[i + 1], rendered.rgb[i + 2]]
}

fn luma(rgb: [u8; 3]) -> u32 {
    rgb.iter().map(|&c| u32::from(c)).sum::<u32>() / 3
}

#[test]
fn the_default_project_has_a_synthetic_scene_per_demo_date_and_three_hidden_real_services() {
    let p = project();
    let synthetic: Vec<_> = p.layers.iter().filter(|l| l.synthetic).collect();
    let dates: Vec<String> = synthetic
        .iter()
        .map(|l| l.date.unwrap().to_string())
        .collect();
    assert_eq!(dates, DEMO_DATES);
    for layer in &synthetic {
        assert_eq!(layer.attribution, SYNTHETIC_CREDIT);
        assert_eq!(layer.track, synthetic::TRACK);
        assert!(layer.visible);
        let date = layer.date.unwrap();
        assert_eq!(
            layer.source,
            LayerSource::File {
                path: format!("imagery/{}", synthetic::file_name(date))
            }
        );
    }
    let real: Vec<&str> = p
        .layers
        .iter()
        .filter(|l| !l.synthetic)
        .map(|l| l.id.as_str())
        .collect();
    assert_eq!(
        real,
        [
            "esri-wayback-58924",
            "eox-s2cloudless-2024",
            "nasa-gibs-hls-s30-2025-10-14"
        ]
    );
    for layer in p.layers.iter().filter(|l| !l.synthetic) {
        assert!(
            !layer.visible,
            "{} needs the network: off by default",
            layer.id
        );
        sitewatch::imagery::dated::http_config(layer).unwrap();
    }
}

#[test]
fn every_synthetic_file_is_a_deflated_utm_52n_geotiff_dated_like_its_layer() {
    let p = project();
    for layer in p.layers.iter().filter(|l| l.synthetic) {
        let path = layer.resolved_file_path(&project_base_dir(None)).unwrap();
        let size = std::fs::metadata(&path).unwrap().len();
        assert!(size <= 2_000_000, "{} is {size} bytes", path.display());

        let mut decoder = Decoder::new(std::fs::File::open(&path).unwrap()).unwrap();
        let keys = decoder.get_tag_u16_vec(Tag::GeoKeyDirectoryTag).unwrap();
        assert!(
            keys.chunks(4).any(|k| k == [3072, 0, 1, 32652]),
            "EPSG:32652"
        );
        assert!(keys.chunks(4).any(|k| k == [1025, 0, 1, 1]), "PixelIsArea");
        let scale = decoder.get_tag_f64_vec(Tag::ModelPixelScaleTag).unwrap();
        assert_eq!(scale, [DEFAULT_PIXEL_M, DEFAULT_PIXEL_M, 0.0]);
        let tie = decoder.get_tag_f64_vec(Tag::ModelTiepointTag).unwrap();
        assert_eq!(tie.len(), 6);
        assert_eq!(decoder.get_tag_u32(Tag::Compression).unwrap(), 8, "Deflate");
        let key = layer.date.unwrap().key();
        assert_eq!(
            decoder.get_tag_ascii_string(Tag::DateTime).unwrap(),
            key.format("%Y:%m:%d 00:00:00").to_string()
        );
        let description = decoder.get_tag_ascii_string(Tag::ImageDescription).unwrap();
        assert!(description.starts_with("SYNTHETIC IMAGERY - not an observation"));

        // The image covers the home view: its corners project inside it.
        let (width, height) = decoder.dimensions().unwrap();
        let (west, north) = (tie[3], tie[4]);
        let (east, south) = (
            west + f64::from(width) * DEFAULT_PIXEL_M,
            north - f64::from(height) * DEFAULT_PIXEL_M,
        );
        let grid = synthetic::UtmGrid {
            zone: 52,
            west_m: west,
            north_m: north,
            pixel_m: DEFAULT_PIXEL_M,
            width,
            height,
        };
        for (lon, lat) in [(p.home.west, p.home.south), (p.home.east, p.home.north)] {
            let xy = grid.xy(Coord { x: lon, y: lat }).unwrap();
            assert!((west..=east).contains(&xy.x) && (south..=north).contains(&xy.y));
        }
    }
}

#[test]
fn all_assets_stay_well_under_40_mb() {
    fn size(dir: &Path) -> u64 {
        std::fs::read_dir(dir)
            .unwrap()
            .map(|entry| {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    size(&path)
                } else {
                    std::fs::metadata(&path).unwrap().len()
                }
            })
            .sum()
    }
    let total = size(&project_base_dir(None));
    assert!(total < 20_000_000, "assets/ holds {total} bytes");
}

#[test]
fn the_checked_in_scene_is_what_the_generator_draws_now() {
    let p = project();
    let date: FuzzyDate = "2025-10-14".parse().unwrap();
    let fresh = synthetic::render(&p, &date, DEFAULT_PIXEL_M, DEFAULT_SEED).unwrap();
    let (pixels, width, height) = decode(&asset("2025-10-14"));
    assert_eq!((width, height), (fresh.grid.width, fresh.grid.height));
    let total: u64 = pixels
        .iter()
        .zip(&fresh.rgb)
        .map(|(&a, &b)| u64::from(a.abs_diff(b)))
        .sum();
    let mean = total as f64 / pixels.len() as f64;
    assert!(
        mean < 0.5,
        "mean difference {mean}: regenerate assets/imagery"
    );
}

#[test]
fn the_generator_is_deterministic() {
    let p = project();
    let date: FuzzyDate = "2025-06-02".parse().unwrap();
    let a = synthetic::render(&p, &date, 20.0, 7).unwrap();
    let b = synthetic::render(&p, &date, 20.0, 7).unwrap();
    assert_eq!(a.rgb, b.rgb);
    let other_seed = synthetic::render(&p, &date, 20.0, 8).unwrap();
    assert_ne!(a.rgb, other_seed.rgb);
}

#[test]
fn structures_are_in_the_imagery_from_the_dates_the_reports_give() {
    let p = project();
    let render =
        |date: &str| synthetic::render(&p, &date.parse().unwrap(), 4.0, DEFAULT_SEED).unwrap();
    let (july, october) = (render("2025-07-05"), render("2025-10-14"));
    // The DPRK causeway (seen from mid-September 2025): water in July, earth fill in October.
    let causeway = (130.6420, 42.41112);
    let [r, _, b] = probe(&july, causeway.0, causeway.1);
    assert!(
        r < b,
        "water in July: {:?}",
        probe(&july, causeway.0, causeway.1)
    );
    let [r, _, b] = probe(&october, causeway.0, causeway.1);
    assert!(
        r > b + 20,
        "fill in October: {:?}",
        probe(&october, causeway.0, causeway.1)
    );

    // The pontoon platform on the frozen river in February 2025: dark steel on white ice.
    let february = render("2025-02-27");
    let pontoon = luma(probe(&february, 130.6460, 42.4115));
    let ice = luma(probe(&february, 130.6460, 42.4125));
    assert!(pontoon + 60 < ice, "pontoon {pontoon}, ice {ice}");

    // The Russian customs site (from June 2025) is graded earth; before, green meadow.
    let (before, after) = (render("2024-06-10"), render("2025-06-02"));
    let site = (130.6510, 42.4160);
    let [r, g, _] = probe(&before, site.0, site.1);
    assert!(g > r, "meadow before: {:?}", probe(&before, site.0, site.1));
    let [r, g, _] = probe(&after, site.0, site.1);
    assert!(r > g, "graded after: {:?}", probe(&after, site.0, site.1));
}

#[test]
fn the_scene_shows_the_latest_synthetic_scene_with_its_notice() {
    let mut p = project();
    let scene = |p: &Project, date: &str| build(p, day(date), &SceneOptions::default());

    let october = scene(&p, "2025-10-14");
    let ids: Vec<&str> = october.layers.iter().map(|l| l.id.as_str()).collect();
    assert_eq!(ids, ["synthetic-2025-10-14"]);
    assert_eq!(october.layers[0].date_label.as_deref(), Some("14 OCT 2025"));
    assert!(october.layers[0].synthetic);
    assert_eq!(
        october.notices.first().map(String::as_str),
        Some(SYNTHETIC_NOTICE)
    );
    // The credit line says where the pixels came from; the notice says what they are, once.
    assert!(october.credits.iter().any(|c| c == SYNTHETIC_CREDIT));
    assert!(!october.credits.iter().any(|c| c == SYNTHETIC_NOTICE));

    assert_eq!(scene(&p, "2025-09-27").layers[0].id, "synthetic-2025-07-05");
    assert_eq!(scene(&p, "2024-06-19").layers[0].id, "synthetic-2024-06-10");
    assert_eq!(
        scene(&p, "2026-06-01").layers[0].date_label.as_deref(),
        Some("MAR 2026")
    );
    assert!(scene(&p, "2024-01-01").layers.is_empty());

    // A real service switched on is drawn over the synthetic track, with its own date words.
    let wayback = p
        .layers
        .iter()
        .position(|l| l.id == "esri-wayback-58924")
        .unwrap();
    p.layers[wayback].visible = true;
    let shown = scene(&p, "2025-10-14");
    let top = shown.layers.last().unwrap();
    assert_eq!(top.id, "esri-wayback-58924");
    assert_eq!(top.date_label.as_deref(), Some("RELEASE · 25 SEP 2025"));
    assert!(shown.credits.iter().any(|c| c.starts_with("Esri, Maxar")));
    assert!(
        layers_at(&p, day("2025-09-24"), &sitewatch::model::FileDates::new())
            .iter()
            .all(|&(i, _)| i != wayback)
    );
}

#[test]
fn the_raster_reader_opens_every_synthetic_scene_where_and_when_the_layer_says() {
    use sitewatch::imagery::TileSource as _;
    use sitewatch::imagery::raster::{OpenOptions, RasterTileSource};

    let p = project();
    for layer in p.layers.iter().filter(|l| l.synthetic) {
        let path = layer.resolved_file_path(&project_base_dir(None)).unwrap();
        let options = OpenOptions {
            name: layer.name.clone(),
            attribution: layer.attribution.clone(),
            ..OpenOptions::default()
        };
        let source = RasterTileSource::open(&path, &options).unwrap();
        assert_eq!(source.capture_date(), layer.date.map(|d| d.key()));
        let bounds = source.bounds_lonlat();
        for corner in [
            Coord {
                x: p.home.west,
                y: p.home.south,
            },
            Coord {
                x: p.home.east,
                y: p.home.north,
            },
        ] {
            assert!(bounds.contains(corner), "{bounds:?} misses {corner:?}");
        }
        // The tile under the rail bridge at zoom 15 draws.
        let key = sitewatch::imagery::TileKey {
            z: 15,
            x: 28275,
            y: 12113,
        };
        let tile = source.fetch(key).unwrap();
        assert_eq!(tile.dimensions(), (source.tile_size(), source.tile_size()));
    }
}

/// The tile at `z` holding a lon/lat, and the pixel of it there (Web Mercator, 256 px tiles).
fn tile_pixel(lon: f64, lat: f64, z: u8) -> (sitewatch::imagery::TileKey, u32, u32) {
    let n = f64::from(1u32 << z);
    let x = (lon + 180.0) / 360.0 * n;
    let y = (1.0 - lat.to_radians().tan().asinh() / std::f64::consts::PI) / 2.0 * n;
    let key = sitewatch::imagery::TileKey {
        z,
        x: x as u32,
        y: y as u32,
    };
    (key, (x.fract() * 256.0) as u32, (y.fract() * 256.0) as u32)
}

#[test]
fn read_back_through_the_raster_reader_the_causeway_lies_under_its_annotation() {
    use sitewatch::imagery::TileSource as _;
    use sitewatch::imagery::raster::{OpenOptions, RasterTileSource};

    let (key, col, row) = tile_pixel(130.6420, 42.41112, 17);
    let rgb_at = |date: &str| {
        let source = RasterTileSource::open(asset(date), &OpenOptions::default()).unwrap();
        let [r, g, b, _] = source.fetch(key).unwrap().get_pixel(col, row).0;
        [r, g, b]
    };
    let [r, _, b] = rgb_at("2025-07-05");
    assert!(r < b, "water in July: {r} {b}");
    let [r, _, b] = rgb_at("2025-10-14");
    assert!(r > b + 20, "causeway fill in October: {r} {b}");
}
