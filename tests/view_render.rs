//! A raster drawn straight into a view (as an export draws a figure, at its own fractional
//! zoom, resampled once) rather than through Web Mercator tiles: it equals the tile where the
//! view is a tile, puts a target within a pixel at any zoom, draws no tile, and spreads its
//! blocks over threads without seams.
#![allow(clippy::unwrap_used, reason = "test helpers fail loudly")]

use std::path::Path;
use std::sync::Arc;

use geo::Coord;
use sitewatch::export::tiles::{FetchPolicy, TileLayer, composite_with};
use sitewatch::export::view::ExportView;
use sitewatch::imagery::raster::georef::GeoTransform;
use sitewatch::imagery::raster::write::{GeoTiffSpec, Layout, write_geotiff};
use sitewatch::imagery::raster::{OpenOptions, RasterTileSource};
use sitewatch::imagery::{TileKey, TileSource, ViewRect};
use sitewatch::spatial::mercator::world_px_from_lonlat;

/// The site in UTM 52N (PROJ 9), and in lon/lat.
const SITE_UTM52N: Coord<f64> = Coord {
    x: 635_023.047_015_747,
    y: 4_697_177.847_693_39,
};
const SITE_LONLAT: Coord<f64> = Coord {
    x: 130.641_056,
    y: 42.415_167,
};
/// Raster size and the red square's edge, pixels (1 m each, the square centred on the site).
/// What `TileSource::draw_view` hands out, block by block, put together.
fn drawn_view(src: &dyn TileSource, rect: &ViewRect) -> image::RgbaImage {
    let out = std::sync::Mutex::new(image::RgbaImage::new(rect.size_px[0], rect.size_px[1]));
    src.draw_view(rect, &|block, [x, y, _, _]| {
        image::GenericImage::copy_from(&mut *out.lock().unwrap(), block, x, y).unwrap();
    })
    .unwrap()
    .unwrap();
    out.into_inner().unwrap()
}

const SIDE: u32 = 800;
const SQUARE: u32 = 8;

/// An 800 × 800 RGB raster at 1 m in UTM 52N, tiled with overviews' worth of texture (a
/// gradient), a red square centred on the site.
fn write_raster(path: &Path) {
    let mut spec = GeoTiffSpec::new(SIDE, SIDE, 3);
    spec.alpha = false;
    spec.epsg = Some((32652, false));
    let half = f64::from(SIDE) / 2.0;
    spec.transform = Some(GeoTransform([
        SITE_UTM52N.x - half,
        1.0,
        0.0,
        SITE_UTM52N.y + half,
        0.0,
        -1.0,
    ]));
    spec.layout = Layout::Tiles { edge_px: 256 };
    let lo = SIDE / 2 - SQUARE / 2;
    let mut samples = Vec::with_capacity((SIDE * SIDE * 3) as usize);
    for y in 0..SIDE {
        for x in 0..SIDE {
            if (lo..lo + SQUARE).contains(&x) && (lo..lo + SQUARE).contains(&y) {
                samples.extend([240u8, 10, 10]);
            } else {
                samples.extend([(x * 120 / SIDE) as u8, (y * 255 / SIDE) as u8, 90]);
            }
        }
    }
    let file = std::fs::File::create(path).unwrap();
    write_geotiff(std::io::BufWriter::new(file), &spec, &samples).unwrap();
}

fn opened(dir: &Path) -> RasterTileSource {
    let path = dir.join("site.tif");
    write_raster(&path);
    RasterTileSource::open(&path, &OpenOptions::default()).unwrap_or_else(|e| panic!("{e}"))
}

/// Centre of the red pixels of an image, in its pixels (pixel centres at +0.5).
fn red_centroid(image: &image::RgbaImage) -> Coord<f64> {
    let (mut sx, mut sy, mut n) = (0.0, 0.0, 0.0);
    for (x, y, p) in image.enumerate_pixels() {
        // Weighted by how red the pixel is over the gradient's own red.
        let red = f64::from(p[0]) - f64::from(p[1]).max(f64::from(p[2]));
        if red > 100.0 {
            sx += (f64::from(x) + 0.5) * red;
            sy += (f64::from(y) + 0.5) * red;
            n += red;
        }
    }
    assert!(n > 0.0, "no red pixels");
    Coord {
        x: sx / n,
        y: sy / n,
    }
}

#[test]
fn a_view_that_is_a_tile_is_drawn_exactly_as_the_tile() {
    let dir = tempfile::tempdir().unwrap();
    let src = opened(dir.path());
    for z in [15u8, 17, 19] {
        let w = world_px_from_lonlat(SITE_LONLAT, f64::from(z));
        let key = TileKey {
            z,
            x: (w.x / 256.0) as u32,
            y: (w.y / 256.0) as u32,
        };
        let tile = src.fetch(key).unwrap();
        let view = drawn_view(&src, &ViewRect::of_tile(key));
        assert_eq!(view.dimensions(), (256, 256));
        assert!(tile.pixels().any(|p| p[3] > 0), "z{z}: the tile is empty");
        assert!(tile == view, "z{z}: the view differs from its tile");
    }
}

#[test]
fn a_view_at_a_fractional_zoom_puts_the_target_within_a_pixel_across_block_edges() {
    let dir = tempfile::tempdir().unwrap();
    let src = opened(dir.path());
    for zoom in [16.4, 17.25, 18.7] {
        // A view larger than a block, the site just off a block corner (256, 256).
        let site = world_px_from_lonlat(SITE_LONLAT, zoom);
        let origin = Coord {
            x: site.x - 257.3,
            y: site.y - 255.6,
        };
        let rect = ViewRect {
            origin_world_px: origin,
            zoom,
            size_px: [600, 500],
        };
        let image = src.render_view(&rect, None).unwrap();
        assert_eq!(image.dimensions(), (600, 500));
        let got = red_centroid(&image);
        let want = Coord {
            x: site.x - origin.x,
            y: site.y - origin.y,
        };
        let off = (got.x - want.x).hypot(got.y - want.y);
        assert!(
            off < 1.0,
            "zoom {zoom}: {off:.3} px off ({got:?} vs {want:?})"
        );
        // No seam: every pixel of the view over the raster is drawn, blocks' edges included.
        for (x, y) in [
            (255, 250),
            (256, 250),
            (300, 255),
            (300, 256),
            (511, 300),
            (512, 300),
        ] {
            assert_eq!(
                image.get_pixel(x, y)[3],
                255,
                "zoom {zoom}: ({x}, {y}) not drawn"
            );
        }
    }
}

#[test]
fn an_export_draws_a_raster_layer_without_tiles_and_in_its_place() {
    let dir = tempfile::tempdir().unwrap();
    let src: Arc<dyn TileSource> = Arc::new(opened(dir.path()));
    let size = [640u32, 400];
    let zoom = 17.6;
    let view = ExportView::new(SITE_LONLAT, zoom, size).unwrap();
    let mut pixmap = tiny_skia::Pixmap::new(size[0], size[1]).unwrap();
    pixmap.fill(tiny_skia::Color::WHITE);
    let layers = [TileLayer {
        source: Arc::clone(&src),
        opacity: 1.0,
    }];
    let reports = composite_with(
        &mut pixmap,
        &view,
        &layers,
        &|_, _| true,
        &FetchPolicy::default(),
    )
    .unwrap();
    assert_eq!(reports.len(), 1);
    assert_eq!(reports[0].tiles, 0, "drawn straight, no tiles");
    let image = image::RgbaImage::from_raw(size[0], size[1], pixmap.data().to_vec()).unwrap();
    let got = red_centroid(&image);
    let want = view.px_from_lonlat(SITE_LONLAT);
    let off = (got.x - want.x).hypot(got.y - want.y);
    assert!(off < 1.0, "{off:.3} px off ({got:?} vs {want:?})");
}
