//! First pixels: a stripped GeoTIFF without overviews offers a coarse preview of its whole
//! extent (every k-th strip) while its full decode goes on, and full detail after; opened while
//! the map shows a small part of it, the preview carries that part at full resolution. The full
//! decode is held after the preview by a hook on the loading thread: no sleeps, no timing.
#![allow(clippy::unwrap_used, reason = "test helpers fail loudly")]

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex};

use sitewatch::imagery::raster::georef::GeoTransform;
use sitewatch::imagery::raster::preview::PreviewPlan;
use sitewatch::imagery::raster::write::{Compression, GeoTiffSpec, Layout, write_geotiff};
use sitewatch::imagery::raster::{OpenOptions, RasterError, RasterLoad, RasterTileSource};
use sitewatch::imagery::tile_loader::Wakeup;
use sitewatch::imagery::{TileKey, TileSource};

const SIDE_PX: u32 = 2000;
const ROWS_PER_STRIP: u32 = 8;
/// Web Mercator metres across one zoom-10 tile.
const TILE_Z10_M: f64 = 2.0 * 20_037_508.342_789_244 / 1024.0;
/// The zoom-10 tile the raster fills exactly (its south-west corner at 0°, 0°).
const WHOLE: TileKey = TileKey {
    z: 10,
    x: 512,
    y: 511,
};

/// A smooth 16-bit field: gentle waves, no detail finer than a preview pixel can carry.
fn value(x: u32, y: u32) -> u16 {
    let (x, y) = (f64::from(x), f64::from(y));
    (20_000.0 + 9_000.0 * (x / 310.0).sin() * (y / 270.0).cos() + 3.0 * x) as u16
}

/// Writes the test raster: 2000 × 2000, one 16-bit band, Deflate, 8-row strips, no overviews,
/// filling [`WHOLE`].
fn write_raster(path: &Path) {
    let mut spec = GeoTiffSpec::new(SIDE_PX, SIDE_PX, 1);
    spec.alpha = false;
    spec.layout = Layout::Strips {
        rows: ROWS_PER_STRIP,
    };
    spec.compression = Compression::Deflate;
    spec.epsg = Some((3857, false));
    let px_m = TILE_Z10_M / f64::from(SIDE_PX);
    spec.transform = Some(GeoTransform([0.0, px_m, 0.0, TILE_Z10_M, 0.0, -px_m]));
    let samples: Vec<u16> = (0..SIDE_PX)
        .flat_map(|y| (0..SIDE_PX).map(move |x| value(x, y)))
        .collect();
    let file = std::fs::File::create(path).unwrap();
    write_geotiff(std::io::BufWriter::new(file), &spec, &samples).unwrap();
}

/// A load whose full decode waits, after the preview is offered, until `go` sends or is
/// dropped; `offered` hears when the preview is there.
struct Gated {
    load: RasterLoad,
    offered: Receiver<()>,
    go: Sender<()>,
}

fn gated_load(path: &Path) -> Gated {
    gated_load_with(path, OpenOptions::default())
}

fn gated_load_with(path: &Path, options: OpenOptions) -> Gated {
    let (offered_tx, offered) = mpsc::channel();
    let (go, go_rx) = mpsc::channel::<()>();
    let (offered_tx, go_rx) = (Mutex::new(offered_tx), Mutex::new(go_rx));
    let hook: Wakeup = Arc::new(move || {
        offered_tx.lock().unwrap().send(()).unwrap();
        // Either the go-ahead or the test's end releases the decode.
        let _ = go_rx.lock().unwrap().recv();
    });
    let load = RasterLoad::start_observed(path, options, None, Some(hook));
    Gated { load, offered, go }
}

fn mean_abs_diff(a: &image::RgbaImage, b: &image::RgbaImage) -> f64 {
    let total: u64 = a
        .as_raw()
        .iter()
        .zip(b.as_raw())
        .map(|(p, q)| u64::from(p.abs_diff(*q)))
        .sum();
    total as f64 / a.as_raw().len() as f64
}

fn opaque(tile: &image::RgbaImage) -> usize {
    tile.pixels().filter(|p| p.0[3] == 255).count()
}

#[test]
fn the_preview_decodes_every_second_strip_of_two_hundred_and_fifty() {
    let plan = PreviewPlan::for_strips(SIDE_PX, SIDE_PX, ROWS_PER_STRIP).unwrap();
    assert_eq!(SIDE_PX.div_ceil(ROWS_PER_STRIP), 250);
    assert_eq!(plan.strips().len(), 125);
    assert_eq!((plan.width_px(), plan.height_px()), (125, 125));
}

#[test]
fn a_preview_tile_covers_the_whole_extent_before_the_full_decode_and_approximates_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("strips.tif");
    write_raster(&path);
    let gated = gated_load(&path);
    gated.offered.recv().unwrap();
    assert!(!gated.load.is_finished());
    // An early milestone on the progress line: 125 strips of 125 + 250 decoded.
    let at_preview = gated.load.progress();
    assert!((0.2..0.4).contains(&at_preview), "{at_preview}");
    let preview = gated.load.take_preview().unwrap();
    let reference = RasterTileSource::open(&path, &OpenOptions::default()).unwrap();
    assert_eq!(preview.bounds_lonlat(), reference.bounds_lonlat());
    assert_eq!(preview.max_zoom(), reference.max_zoom());

    let coarse = preview.fetch(WHOLE).unwrap();
    let fine = reference.fetch(WHOLE).unwrap();
    assert_eq!(
        opaque(&coarse),
        256 * 256,
        "the preview fills the whole tile"
    );
    assert_eq!(opaque(&fine), 256 * 256);
    let whole_diff = mean_abs_diff(&coarse, &fine);
    assert!(whole_diff < 1.0, "mean difference {whole_diff}");
    // Zoomed in four times past the preview's pixels, bilinear keeps it close.
    let inside = TileKey {
        z: 13,
        x: 512 * 8 + 3,
        y: 511 * 8 + 5,
    };
    let zoomed_diff = mean_abs_diff(
        &preview.fetch(inside).unwrap(),
        &reference.fetch(inside).unwrap(),
    );
    assert!(zoomed_diff < 1.0, "mean difference {zoomed_diff}");

    gated.go.send(()).unwrap();
    let full = gated.load.wait().unwrap();
    assert_eq!(full.fetch(WHOLE).unwrap(), fine);
    assert_eq!(
        full.fetch(inside).unwrap(),
        reference.fetch(inside).unwrap()
    );
    assert_eq!(full.histograms(), reference.histograms());
}

#[test]
fn after_the_full_decode_pixels_hold_the_files_values() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("strips.tif");
    write_raster(&path);
    let gated = gated_load(&path);
    gated.offered.recv().unwrap();
    gated.go.send(()).unwrap();
    let full = gated.load.wait().unwrap();
    assert_eq!(full.size_px(), (SIDE_PX, SIDE_PX));
    let px_deg = 360.0 / 1024.0 / f64::from(SIDE_PX);
    // The centre of pixel (1234, 1999), in the bottom row, on the equator.
    let lonlat = geo::Coord {
        x: 1234.5 * px_deg,
        y: 0.5 * px_deg,
    };
    let got = full.value_at(lonlat).unwrap();
    assert_eq!((got.col, got.row), (1234, 1999));
    assert_eq!(got.values, vec![f64::from(value(1234, 1999))]);
}

#[test]
fn cancelling_during_the_full_decode_ends_the_loading_thread() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("strips.tif");
    write_raster(&path);
    let gated = gated_load(&path);
    gated.offered.recv().unwrap();
    gated.load.cancel();
    gated.go.send(()).unwrap();
    // `wait` joins the thread: it has ended when this returns.
    let result = gated.load.wait();
    assert!(
        matches!(result, Err(RasterError::Cancelled { .. })),
        "{result:?}"
    );
}

#[test]
fn a_file_of_few_strips_offers_no_preview() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("small.tif");
    let mut spec = GeoTiffSpec::new(64, 64, 1);
    spec.alpha = false;
    spec.epsg = Some((3857, false));
    spec.transform = Some(GeoTransform([0.0, 10.0, 0.0, 640.0, 0.0, -10.0]));
    let samples: Vec<u8> = (0..64 * 64).map(|i| (i % 251) as u8).collect();
    let file = std::fs::File::create(&path).unwrap();
    write_geotiff(std::io::BufWriter::new(file), &spec, &samples).unwrap();
    let offered = Arc::new(AtomicBool::new(false));
    let seen = Arc::clone(&offered);
    let hook: Wakeup = Arc::new(move || seen.store(true, Ordering::Relaxed));
    let load = RasterLoad::start_observed(&path, OpenOptions::default(), None, Some(hook));
    load.wait().unwrap();
    assert!(!offered.load(Ordering::Relaxed));
}

#[test]
fn opened_under_a_small_view_the_preview_has_that_view_at_full_detail() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("strips.tif");
    write_raster(&path);
    // The zoom-14 tile 3 across and 7 down inside the raster's zoom-10 tile: 1/16 of its rows.
    let focus_key = TileKey {
        z: 14,
        x: 512 * 16 + 3,
        y: 511 * 16 + 7,
    };
    let tile_deg = 360.0 / f64::from(1u32 << 14);
    let lat = |y: u32| {
        let n = std::f64::consts::PI * (1.0 - 2.0 * f64::from(y) / f64::from(1u32 << 14));
        n.sinh().atan().to_degrees()
    };
    let west = f64::from(focus_key.x) * tile_deg - 180.0;
    let focus = sitewatch::spatial::LonLatBox::try_from([
        west,
        lat(focus_key.y + 1),
        west + tile_deg,
        lat(focus_key.y),
    ])
    .unwrap();
    let options = OpenOptions {
        focus: Some(focus),
        ..OpenOptions::default()
    };
    let gated = gated_load_with(&path, options);
    gated.offered.recv().unwrap();
    assert!(!gated.load.is_finished());
    let preview = gated.load.take_preview().unwrap();
    assert_eq!(
        preview.scenes_over().len(),
        1,
        "the view's rows over the coarse preview"
    );
    // The full raster, drawn with the preview's stretch (the crop takes the coarse preview's
    // limits, so the two meet without a seam).
    let reference = RasterTileSource::open(&path, &OpenOptions::default()).unwrap();
    reference
        .set_display(preview.scenes_over()[0].display())
        .unwrap();
    assert_eq!(preview.bounds_lonlat(), reference.bounds_lonlat());
    // Under the view, two zooms past the preview's own pixels: the full raster's pixels.
    let under = TileKey {
        z: 16,
        x: focus_key.x * 4 + 1,
        y: focus_key.y * 4 + 2,
    };
    assert_eq!(
        preview.fetch(under).unwrap(),
        reference.fetch(under).unwrap(),
        "full detail under the view"
    );
    // Far from the view, only the coarse preview: close, but not the same pixels.
    let far = TileKey {
        z: 16,
        y: (511 * 16 + 14) * 4,
        ..under
    };
    let (coarse, fine) = (preview.fetch(far).unwrap(), reference.fetch(far).unwrap());
    assert_ne!(coarse, fine, "the coarse preview elsewhere");
    assert!(mean_abs_diff(&coarse, &fine) < 1.0);
    gated.go.send(()).unwrap();
    let full = gated.load.wait().unwrap();
    assert!(full.scenes_over().is_empty());
}

/// The rows `rows` of the test raster, its whole width, as a lon/lat box.
fn rows_box(rows: std::ops::Range<u32>) -> sitewatch::spatial::LonLatBox {
    let px_deg = 360.0 / 1024.0 / f64::from(SIDE_PX);
    // Row 0 is the north edge, at 360 / 1024 degrees; row 2000 the equator.
    let lat = |row: u32| f64::from(SIDE_PX - row) * px_deg;
    sitewatch::spatial::LonLatBox::try_from([
        100.0 * px_deg,
        lat(rows.end),
        1900.0 * px_deg,
        lat(rows.start),
    ])
    .unwrap()
}

/// Opens `path` on this thread with a preview wanted, calling `look` with the load's progress
/// each time the loader wakes the UI (the UI's side: what it takes, where it moves the map).
fn open_watched(
    path: &Path,
    options: &OpenOptions,
    look: impl Fn(&sitewatch::imagery::raster::Progress) + Send + Sync + 'static,
) -> RasterTileSource {
    type Slot = Mutex<Option<std::sync::Weak<sitewatch::imagery::raster::Progress>>>;
    let slot: Arc<Slot> = Arc::new(Mutex::new(None));
    let slot_in = Arc::clone(&slot);
    let wakeup: Wakeup = Arc::new(move || {
        let progress = slot_in
            .lock()
            .unwrap()
            .as_ref()
            .and_then(std::sync::Weak::upgrade);
        if let Some(progress) = progress {
            look(&progress);
        }
    });
    let progress =
        Arc::new(sitewatch::imagery::raster::Progress::with_wakeup(wakeup).with_preview(None));
    *slot.lock().unwrap() = Some(Arc::downgrade(&progress));
    RasterTileSource::open_with_progress(path, options, &progress).unwrap()
}

#[test]
fn the_views_full_detail_is_offered_alone_before_the_coarse_preview() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("strips.tif");
    write_raster(&path);
    let options = OpenOptions {
        focus: Some(rows_box(800..900)),
        ..OpenOptions::default()
    };
    let seen: Arc<Mutex<Vec<usize>>> = Arc::new(Mutex::new(Vec::new()));
    let seen_in = Arc::clone(&seen);
    let full = open_watched(&path, &options, move |progress| {
        if let Some(offered) = progress.take_preview() {
            seen_in.lock().unwrap().push(offered.scenes_over().len());
        }
    });
    assert_eq!(
        *seen.lock().unwrap(),
        vec![0, 1],
        "the view's rows alone, then laid over the coarse preview"
    );
    assert!(full.scenes_over().is_empty());
}

#[test]
fn a_view_moved_to_while_the_file_loads_gets_a_stand_in_with_its_full_detail() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("strips.tif");
    write_raster(&path);
    // Far below where the full decode is when the map moves there.
    let moved_to = rows_box(1500..1600);
    // Once the coarse preview is there, the map moves.
    let offered: Arc<Mutex<Vec<RasterTileSource>>> = Arc::new(Mutex::new(Vec::new()));
    let offered_in = Arc::clone(&offered);
    let full = open_watched(&path, &OpenOptions::default(), move |progress| {
        if let Some(preview) = progress.take_preview() {
            offered_in.lock().unwrap().push(preview);
        }
        if !offered_in.lock().unwrap().is_empty() {
            progress.set_focus(moved_to);
        }
    });
    let offered = offered.lock().unwrap();
    let over: Vec<usize> = offered.iter().map(|p| p.scenes_over().len()).collect();
    assert_eq!(
        over,
        vec![0, 1],
        "the coarse preview, then the moved-to rows over it"
    );
    // Under the place the map moved to, the stand-in has the full raster's pixels (drawn with
    // the preview's stretch).
    let stand_in = &offered[1];
    full.set_display(stand_in.scenes_over()[0].display())
        .unwrap();
    let world = sitewatch::spatial::mercator::world_px_from_lonlat(moved_to.center(), 16.0);
    let under = TileKey {
        z: 16,
        x: (world.x / 256.0) as u32,
        y: (world.y / 256.0) as u32,
    };
    assert_eq!(stand_in.fetch(under).unwrap(), full.fetch(under).unwrap());
}
