//! Opening a large `GeoTIFF`: a 10000 × 10000 RGB Deflate `GeoTIFF` in UTM 52N, as 16-row strips
//! without overviews and as a cloud-optimized GeoTIFF, each opened as the window opens it (its
//! decoding threads) in a fresh child process and timed to its first pixels (the first tile of
//! the zoomed-out view), to full detail once the map zooms in to a 1920 × 1080 screen at the
//! native zoom just after those first pixels (the loader is told, as the window tells it), and to
//! the whole extent once the load is done, with peak memory (`VmHWM`) at each; then opened with
//! the map already on that screen; against decoding every pixel on one core (`tiff`) and on all
//! cores (Sitewatch's TIFF reader, a thread a core), and GDAL (`gdal_translate -of MEM`) on the
//! same work in the same run when it is installed.
//!
//! `cargo bench --bench raster_open` (release). `SITEWATCH_BENCH_PX=4000` for a smaller raster;
//! `SITEWATCH_BENCH_FILE=path.tif` times that file instead of the two generated ones.

#![allow(
    clippy::unwrap_used,
    clippy::print_stdout,
    reason = "a benchmark reports and fails loudly"
)]

mod common;

use std::fs::File;
use std::path::Path;
use std::time::Instant;

use common::{
    Gdal, Kind, Row, SCREEN_PX, Target, detail_box, detail_tiles, drop_caches, field,
    gdal_to_memory, peak_kib, record, view_tiles,
};
use sitewatch::imagery::raster::decode::{Block, BlockSink, TiffFile};
use sitewatch::imagery::raster::load::RasterLoad;
use sitewatch::imagery::raster::{Limits, OpenOptions, RasterError, RasterTileSource, SampleKind};
use sitewatch::imagery::{TileKey, TileSource};
use sitewatch::spatial::LonLatBox;

const BENCH: &str = "raster_open";

/// Counts what arrives, keeps nothing.
struct Null(usize);

impl BlockSink for Null {
    fn put(&mut self, block: Block<'_>) {
        self.0 += (block.at.w * block.at.h) as usize;
    }
    fn complete_rows(&mut self, _rows: u32) -> Result<(), RasterError> {
        Ok(())
    }
    fn keep_going(&mut self, _fraction: f64) -> bool {
        true
    }
}

/// Cores to decode on.
fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, std::num::NonZero::get)
}

/// Every strip or tile of the full-resolution image, a thread a core, into no pyramid.
fn decode_all_cores(path: &Path) -> usize {
    let (across, down) = TiffFile::open(path, &Limits::default())
        .unwrap()
        .chunk_grid();
    let chunks = across * down;
    let n = cores();
    std::thread::scope(|s| {
        let threads: Vec<_> = (0..n)
            .map(|i| {
                s.spawn(move || {
                    let mut file = TiffFile::open(path, &Limits::default()).unwrap();
                    let (mut sink, mut scratch) = (Null(0), Vec::new());
                    for q in (i as u32..chunks).step_by(n) {
                        file.decode_chunk(q, &mut sink, &mut scratch).unwrap();
                    }
                    sink.0
                })
            })
            .collect();
        threads.into_iter().map(|t| t.join().unwrap()).sum()
    })
}

/// Fetches `tiles`; how many failed.
fn fetch_all(src: &RasterTileSource, tiles: &[TileKey]) -> usize {
    tiles
        .iter()
        .filter(|&&key| std::hint::black_box(src.fetch(key)).is_err())
        .count()
}

fn child(mode: &str, path: &Path) {
    let start = Instant::now();
    let secs = || start.elapsed().as_secs_f64();
    match mode {
        "decode" => {
            let mut decoder =
                tiff::decoder::Decoder::new(std::io::BufReader::new(File::open(path).unwrap()))
                    .unwrap()
                    .with_limits(tiff::decoder::Limits::unlimited());
            let image = decoder.read_image().unwrap();
            let bytes = match &image {
                tiff::decoder::DecodingResult::U8(v) => v.len(),
                _ => 0,
            };
            println!("secs={:.3} peak_kib={} bytes={bytes}", secs(), peak_kib());
        }
        "all" => {
            let px = decode_all_cores(path);
            println!("secs={:.3} peak_kib={} px={px}", secs(), peak_kib());
        }
        "focus" => {
            // Opened while the map shows the full-detail screen (a project reopened at the
            // site): the screen's tiles drawn from whatever the loader offers first.
            let args: Vec<f64> = std::env::args()
                .skip(4)
                .map(|a| a.parse().unwrap())
                .collect();
            let b = LonLatBox {
                west: args[0],
                south: args[1],
                east: args[2],
                north: args[3],
            };
            let options = OpenOptions {
                decode_threads: OpenOptions::window_threads(),
                focus: Some(detail_box(&b, args[4])),
                ..OpenOptions::default()
            };
            let mut load = RasterLoad::start(path, options, None);
            let first = loop {
                if let Some(preview) = load.take_preview() {
                    break preview;
                }
                if let Some(opened) = load.try_take() {
                    break opened.unwrap();
                }
                std::thread::sleep(std::time::Duration::from_millis(1));
            };
            let (_, detail) = detail_tiles(&b, args[4]);
            let failed = fetch_all(&first, &detail);
            let detail_s = secs();
            println!(
                "detail_s={detail_s:.3} peak_kib={} failed={failed} over={}",
                peak_kib(),
                first.scenes_over().len()
            );
            load.cancel();
        }
        _ => {
            // As the window opens it: the loader offers a coarse preview of a stripped file
            // while the full decode goes on; the first pixels come from whichever is there first.
            let options = OpenOptions {
                decode_threads: OpenOptions::window_threads(),
                ..OpenOptions::default()
            };
            let mut load = RasterLoad::start(path, options, None);
            let (early, mut done) = loop {
                if let Some(preview) = load.take_preview() {
                    break (Some(preview), None);
                }
                if let Some(opened) = load.try_take() {
                    break (None, Some(opened.unwrap()));
                }
                std::thread::sleep(std::time::Duration::from_millis(1));
            };
            let first_from = early.as_ref().or(done.as_ref()).unwrap();
            let (_, _, first_tiles) = view_tiles(&first_from.bounds_lonlat());
            let mut failed = fetch_all(first_from, &first_tiles[..1]);
            let (first_s, first_kib) = (secs(), peak_kib());
            let preview = u8::from(early.is_some());
            // Then the map zooms in to the full-detail screen: its tiles are drawn from the
            // first stand-in with full detail there, or the full raster if that comes first.
            let (b, native) = (first_from.bounds_lonlat(), first_from.native_zoom());
            drop(early);
            load.set_focus(detail_box(&b, native));
            let (detail_zoom, detail) = detail_tiles(&b, native);
            let mut stand_in = None;
            while done.is_none() && stand_in.is_none() {
                if let Some(p) = load.take_preview()
                    && !p.scenes_over().is_empty()
                {
                    stand_in = Some(p);
                } else if let Some(opened) = load.try_take() {
                    done = Some(opened.unwrap());
                } else {
                    std::thread::sleep(std::time::Duration::from_millis(1));
                }
            }
            let detail_from = stand_in.as_ref().or(done.as_ref()).unwrap();
            failed += fetch_all(detail_from, &detail);
            let (detail_s, detail_kib) = (secs(), peak_kib());
            let from_stand_in = u8::from(stand_in.is_some());
            drop(stand_in);
            let src = match done.take() {
                Some(src) => src,
                None => load.wait().unwrap(),
            };
            let (open_s, open_kib) = (secs(), peak_kib());
            let (zoom, view_w, tiles) = view_tiles(&b);
            failed += fetch_all(&src, &tiles[1..]);
            let (extent_s, extent_kib) = (secs(), peak_kib().max(open_kib));
            let (held, spilled) = src.memory_bytes();
            println!(
                "west={} south={} east={} north={} native={} preview={preview} detail_from_stand_in={from_stand_in} open_s={open_s:.3} open_kib={open_kib} first_s={first_s:.3} first_kib={first_kib} extent_s={extent_s:.3} extent_kib={extent_kib} detail_s={detail_s:.3} detail_kib={detail_kib} zoom={zoom} view_w={view_w:.0} tiles={} detail_zoom={detail_zoom} detail_tiles={} failed={failed} held={held} spilled={spilled} levels={} streamed={} bytes_read={}",
                b.west,
                b.south,
                b.east,
                b.north,
                src.native_zoom(),
                tiles.len(),
                detail.len(),
                src.level_count(),
                u8::from(src.is_streamed()),
                src.bytes_read()
            );
        }
    }
}

/// Runs this binary as `child MODE PATH` and returns its report line.
fn measure(mode: &str, path: &Path) -> String {
    common::measure(&[mode, &path.display().to_string()])
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("child") {
        child(&args[2], Path::new(&args[3]));
        return;
    }
    if let Some(p) = std::env::var_os("SITEWATCH_BENCH_FILE") {
        bench_file("file", "SITEWATCH_BENCH_FILE", Path::new(&p));
        return;
    }
    for kind in [Kind::Strips, Kind::Cog] {
        let input = common::input(kind);
        bench_file(kind.name(), kind.label(), &input.path);
        println!();
    }
}

/// MB from KiB.
fn mb(kib: f64) -> f64 {
    kib * 1024.0 / 1e6
}

/// Opens, decodes and has GDAL read one file; prints a table and records its rows.
fn bench_file(id: &str, label: &str, path: &Path) {
    let file_mb = std::fs::metadata(path).unwrap().len() as f64 / 1e6;
    let header = TiffFile::open(path, &Limits::default())
        .unwrap()
        .header()
        .clone();
    let sample_bytes = header.kind.map_or(1, SampleKind::bytes);
    let decoded_mb = f64::from(header.width_px)
        * f64::from(header.height_px)
        * (header.bands * sample_bytes) as f64
        / 1e6;
    println!("# raster_open ({label}): {}", path.display());
    println!(
        "{} × {} px, {} bands; file {file_mb:.0} MB, decoded {decoded_mb:.0} MB",
        header.width_px, header.height_px, header.bands
    );

    match drop_caches() {
        Ok(()) => {
            let cold = measure("view", path);
            println!(
                "cold (page cache dropped): first pixels {:.2} s, whole extent {:.2} s, full detail {:.2} s",
                field(&cold, "first_s"),
                field(&cold, "extent_s"),
                field(&cold, "detail_s")
            );
        }
        Err(e) => println!("no cold pass (page cache not dropped: {e}); warm figures"),
    }
    // Warm: the file in the page cache, GDAL's libraries loaded.
    std::hint::black_box(std::fs::read(path).unwrap());
    let input = path.display().to_string();
    let _ = gdal_to_memory(&input, &["-outsize", "64", "0"], &[]);
    let decode = measure("decode", path);
    let all = measure("all", path);
    let view = measure("view", path);
    let focus_args: Vec<String> = ["west", "south", "east", "north", "native"]
        .iter()
        .map(|k| field(&view, k).to_string())
        .collect();
    let mut args = vec!["focus".to_owned(), path.display().to_string()];
    args.extend(focus_args);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let focus = common::measure(&args);
    let failed = field(&view, "failed");
    if failed > 0.0 {
        println!("{failed} tiles failed to draw");
    }

    // GDAL on the same work.
    let (w, h) = (header.width_px, header.height_px);
    let view_w = format!("{:.0}", field(&view, "view_w"));
    let srcwin: Vec<String> = [
        (f64::from(w) - SCREEN_PX[0]) / 2.0,
        (f64::from(h) - SCREEN_PX[1]) / 2.0,
        SCREEN_PX[0],
        SCREEN_PX[1],
    ]
    .iter()
    .map(|v| format!("{:.0}", v.max(0.0)))
    .collect();
    let mut srcwin_args = vec!["-srcwin"];
    srcwin_args.extend(srcwin.iter().map(String::as_str));
    let all_cpus = [("GDAL_NUM_THREADS", "ALL_CPUS")];
    let g_first = gdal_to_memory(&input, &["-outsize", "256", "0"], &[]);
    let g_extent = gdal_to_memory(&input, &["-outsize", &view_w, "0"], &[]);
    let g_detail = gdal_to_memory(&input, &srcwin_args, &[]);
    let g_decode = gdal_to_memory(&input, &[], &[]);
    let g_all = gdal_to_memory(&input, &[], &all_cpus);
    if let Err(e) = &g_first {
        println!("GDAL: {e}");
    }

    let n = cores();
    let rows = [
        (
            "first",
            format!(
                "{label}: first pixels (as the window opens it: first tile of the zoomed-out view, from the coarse preview where one is offered) · GDAL `-outsize 256 0`"
            ),
            field(&view, "first_s"),
            field(&view, "first_kib"),
            g_first,
        ),
        (
            "extent",
            format!(
                "{label}: whole extent, the load done (then {} tiles at z{}, {view_w} px wide) · GDAL `-outsize {view_w} 0`",
                field(&view, "tiles"),
                field(&view, "zoom")
            ),
            field(&view, "extent_s"),
            field(&view, "extent_kib"),
            g_extent,
        ),
        (
            "detail",
            format!(
                "{label}: full detail, the map zoomed in just after the first pixels ({} tiles of a 1920 × 1080 screen at z{}) · GDAL `-srcwin` 1920 × 1080",
                field(&view, "detail_tiles"),
                field(&view, "detail_zoom")
            ),
            field(&view, "detail_s"),
            field(&view, "detail_kib"),
            g_detail,
        ),
        (
            "focus",
            format!(
                "{label}: full detail of the view open while it loads (those {} tiles, the load started with the map there: a project reopened at the site)",
                field(&view, "detail_tiles")
            ),
            field(&focus, "detail_s"),
            field(&focus, "peak_kib"),
            Err("GDAL: the same as full detail".to_owned()),
        ),
        (
            "decode_all",
            format!(
                "{label}: decode every pixel on all {n} cores (Sitewatch's TIFF reader, a thread a core) · GDAL `GDAL_NUM_THREADS=ALL_CPUS`"
            ),
            field(&all, "secs"),
            field(&all, "peak_kib"),
            g_all,
        ),
        (
            "decode_tiff",
            format!(
                "{label}: decode every pixel on one core (`tiff` `read_image`) · GDAL, one thread"
            ),
            field(&decode, "secs"),
            field(&decode, "peak_kib"),
            g_decode,
        ),
    ];
    println!();
    println!("| work | Sitewatch s | peak MB | GDAL `gdal_translate -of MEM` s | GDAL peak MB |");
    println!("|---|---|---|---|---|");
    for (row, work, secs, kib, gdal) in rows {
        let (g_s, g_mb) = gdal
            .as_ref()
            .map_or((f64::NAN, f64::NAN), |g: &Gdal| (g.secs, g.peak_mb()));
        println!(
            "| {work} | {secs:.2} | {:.0} | {g_s:.2} | {g_mb:.0} |",
            mb(kib)
        );
        let targets = match (id, row) {
            ("strips", "first") => vec![Target::at_most("≤ 0.5 s", 0.5)],
            ("strips", "detail" | "focus") => vec![Target::of_row(
                "≤ 1.2× decode on all cores",
                "strips.decode_all",
                1.2,
            )],
            _ => Vec::new(),
        };
        record(&Row {
            bench: BENCH,
            id: format!("{id}.{row}"),
            work,
            unit: "s",
            value: secs,
            peak_mb: Some(mb(kib)),
            gdal: gdal.as_ref().ok().map(|g| g.secs),
            gdal_peak_mb: gdal.as_ref().ok().map(Gdal::peak_mb),
            targets,
        });
    }
    println!();
    println!(
        "open {:.2} s: {} levels, {:.0} MB held, {:.0} MB spilled, streamed {}, {:.1} MB read by the view's tiles",
        field(&view, "open_s"),
        field(&view, "levels"),
        field(&view, "held") / 1e6,
        field(&view, "spilled") / 1e6,
        field(&view, "streamed"),
        field(&view, "bytes_read") / 1e6
    );
}
