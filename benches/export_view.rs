//! Exporting a view of a large `GeoTIFF` (the issue's benchmark): a 3840 × 2160 PNG of a
//! 10000 × 10000 UTM 52N `GeoTIFF` with 1,000 annotations over it, each export in a fresh child
//! process for its own time and peak memory (`VmHWM`), cold (page cache dropped, when allowed)
//! and warm, against `gdalwarp -t_srs EPSG:3857 -r bilinear -te <the view> -ts 3840 2160` in the
//! same run; the figure's rendering and its PNG encoding timed apart. Targets: at most 1.2× the
//! time of decoding the file on all cores (`raster_open`'s figure), peak memory at most
//! gdalwarp's.
//!
//! Run twice over the same pixels (`common::input`: generated once per `scripts/bench` run): as
//! 16-row strips without overviews (decoded whole), and as a cloud-optimized GeoTIFF (512 px
//! tiles, overviews; streamed, read from the overview that fits), where the issue's target is at
//! most half of gdalwarp's time on the same COG.
//!
//! `cargo bench --bench export_view` (release). `SITEWATCH_BENCH_PX=2000` for a smaller raster,
//! `SITEWATCH_BENCH_SIZE=1920x1080` for another image size.

#![allow(
    clippy::unwrap_used,
    clippy::print_stdout,
    reason = "a benchmark reports and fails loudly"
)]

mod common;

use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use chrono::NaiveDate;
use geo::{Coord, LineString, Point, Polygon};
use sitewatch::export::sources::ProjectLayerSources;
use sitewatch::export::view::ExportView;
use sitewatch::export::{ExportOptions, ViewChoice, render_figure, write_figure};
use sitewatch::model::default_project::load_default_project;
use sitewatch::model::layer::DateKind;
use sitewatch::model::{
    Annotation, Certainty, FuzzyDate, ImageryLayer, LayerSource, Mark, Project, Shape, Status,
};
use sitewatch::spatial::LonLatBox;

use common::{
    Gdal, Kind, Row, Target, drop_caches, extent, field, gdal, measure, peak_kib, record, side_px,
};

const BENCH: &str = "export_view";

/// Annotations over the raster.
const ANNOTATIONS: usize = 1_000;

/// The image size: `SITEWATCH_BENCH_SIZE=WxH`, or 3840 × 2160.
fn size_px() -> [u32; 2] {
    std::env::var("SITEWATCH_BENCH_SIZE")
        .ok()
        .and_then(|v| {
            let (w, h) = v.split_once('x')?;
            Some([w.parse().ok()?, h.parse().ok()?])
        })
        .unwrap_or([3840, 2160])
}

/// `count` annotations spread over `bbox`: a third each points, lines and polygons, labelled,
/// in the project's first few categories, all seen from `from`.
fn annotations(
    project: &Project,
    bbox: &LonLatBox,
    count: usize,
    from: NaiveDate,
) -> Vec<Annotation> {
    let categories: Vec<String> = project
        .categories
        .iter()
        .take(5)
        .map(|c| c.key.clone())
        .collect();
    let mut seed = 0x2545_f491_4f6c_dd1d_u64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed >> 11) as f64 / (1u64 << 53) as f64
    };
    let (w, h) = (bbox.east - bbox.west, bbox.north - bbox.south);
    (0..count)
        .map(|i| {
            let at = Coord {
                x: bbox.west + next() * w,
                y: bbox.south + next() * h,
            };
            let r = w * (0.002 + next() * 0.006);
            let around = |n: usize, next: &mut dyn FnMut() -> f64| -> Vec<Coord<f64>> {
                (0..n)
                    .map(|k| {
                        let t = k as f64 / n as f64 * std::f64::consts::TAU;
                        let rr = r * (0.6 + 0.4 * next());
                        Coord {
                            x: at.x + rr * t.cos(),
                            y: at.y + rr * t.sin() * 0.75,
                        }
                    })
                    .collect()
            };
            let (shape, kind) = match i % 3 {
                0 => (Shape::Point(Point(at)), "Pier"),
                1 => {
                    let n = 3 + i % 4;
                    (Shape::Line(LineString(around(n, &mut next))), "Span")
                }
                _ => {
                    let mut ring = around(5 + i % 4, &mut next);
                    ring.push(ring[0]);
                    (
                        Shape::Polygon(Polygon::new(LineString(ring), vec![])),
                        "Yard",
                    )
                }
            };
            Annotation {
                id: format!("bench-{i}"),
                shape,
                label: format!("{kind} {i}"),
                category: categories[i % categories.len()].clone(),
                status: Status::default(),
                certainty: Certainty::default(),
                mark: Mark::default(),
                seen_from: FuzzyDate::day(from),
                seen_until: None,
                sources: Vec::new(),
                note: String::new(),
                label_place: sitewatch::model::LabelPlace::default(),
                extra_properties: serde_json::Map::new(),
                extra_members: serde_json::Map::new(),
            }
        })
        .collect()
}

/// The default project's stages and categories, homed on the raster, with the raster as its one
/// imagery layer (undated: shown at every date) and the bench's annotations; and its last date.
fn project(raster: &Path, bbox: &LonLatBox) -> (Project, NaiveDate) {
    let mut project = load_default_project().unwrap().project;
    let date = project.stages.last().unwrap().date.key();
    project.home = *bbox;
    project.layers = vec![ImageryLayer {
        id: "bench-raster".into(),
        name: "UTM 52N raster".into(),
        date: None,
        date_kind: DateKind::default(),
        note: String::new(),
        track: "Bench".into(),
        attribution: "Sitewatch bench".into(),
        synthetic: false,
        opacity: 1.0,
        visible: true,
        source: LayerSource::File {
            path: raster.display().to_string(),
        },
        display: None,
        offset_m: None,
        extra: serde_json::Map::new(),
    }];
    let from = date - chrono::Days::new(30);
    project.annotations = annotations(&project, bbox, ANNOTATIONS, from);
    (project, date)
}

/// One export in this (child) process: the figure rendered, then encoded and written as a PNG
/// (with its world file and sidecar), timed apart; prints both times and the peak memory.
fn child(raster: &Path, out_png: &Path) {
    let bbox = extent(side_px());
    let (project, date) = project(raster, &bbox);
    let options = ExportOptions {
        size_px: size_px(),
        view: ViewChoice::BBox(bbox),
        imagery: Some(Arc::new(ProjectLayerSources::without_cache(
            raster.parent().unwrap().to_path_buf(),
        ))),
        ..ExportOptions::default()
    };
    let start = Instant::now();
    let figure = render_figure(&project, date, &options, &|_, _| true).unwrap();
    let secs = start.elapsed().as_secs_f64();
    let written = Instant::now();
    let out = write_figure(&figure, &project, &options, out_png).unwrap();
    let png_secs = written.elapsed().as_secs_f64();
    let png_bytes = std::fs::metadata(&out.png).map_or(0, |m| m.len());
    println!(
        "secs={secs:.3} png_secs={png_secs:.3} peak_kib={} png_bytes={png_bytes}",
        peak_kib()
    );
}

/// Runs gdalwarp over the view (`te_3857`) to a GeoTIFF.
fn gdalwarp(raster: &Path, out: &Path, te_3857: [f64; 4], size: [u32; 2]) -> Result<Gdal, String> {
    let te: Vec<String> = te_3857.iter().map(|v| format!("{v:.3}")).collect();
    let args: Vec<String> = [
        "-q",
        "-overwrite",
        "-t_srs",
        "EPSG:3857",
        "-r",
        "bilinear",
        "-te_srs",
        "EPSG:3857",
        "-te",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .chain(te)
    .chain(["-ts".to_owned(), size[0].to_string(), size[1].to_string()])
    .chain([raster.display().to_string(), out.display().to_string()])
    .collect();
    gdal("gdalwarp", &args, &[])
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("child") {
        child(Path::new(&args[2]), Path::new(&args[3]));
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    for kind in [Kind::Strips, Kind::Cog] {
        let input = common::input(kind);
        bench_one(&input.path, kind, dir.path());
        println!();
    }
}

/// Exports the raster's box cold and warm, and runs gdalwarp over the same box.
fn bench_one(raster: &Path, kind: Kind, dir: &Path) {
    let side = side_px();
    let image_px = size_px();
    let bbox = extent(side);
    let view = ExportView::fit(&bbox, 1.0, image_px).unwrap();
    let te = view.bbox_3857();
    let file_mb = std::fs::metadata(raster).unwrap().len() as f64 / 1e6;
    let layout = kind.name();
    println!(
        "# export_view ({layout}): {side} × {side} px RGB Deflate GeoTIFF, UTM 52N, {file_mb:.0} MB"
    );
    println!(
        "{} × {} px PNG of the raster's box (zoom {:.2}), {ANNOTATIONS} annotations; gdalwarp -te {:.1} {:.1} {:.1} {:.1} (EPSG:3857)",
        image_px[0],
        image_px[1],
        view.zoom(),
        te[0],
        te[1],
        te[2],
        te[3]
    );

    let png = dir.join("export.png");
    let warped = dir.join("warped.tif");
    let (raster_arg, png_arg) = (raster.display().to_string(), png.display().to_string());
    let mut rows = Vec::new();
    for pass in ["cold", "warm"] {
        let note = if pass == "cold" {
            drop_caches()
                .err()
                .map(|e| format!(" (page cache not dropped: {e})"))
        } else {
            // Warm: the file read once already, in the page cache.
            None
        };
        let ours = measure(&[&raster_arg, &png_arg]);
        if pass == "cold" {
            let _ = drop_caches();
        }
        let gdal = gdalwarp(raster, &warped, te, image_px);
        rows.push((format!("{pass}{}", note.unwrap_or_default()), ours, gdal));
    }
    let _ = std::fs::remove_file(&warped);

    println!();
    println!(
        "| pass | sitewatch render s | PNG encode + write s | peak MB | gdalwarp s | gdalwarp peak MB | render / gdalwarp |"
    );
    println!("|---|---|---|---|---|---|---|");
    for (pass, ours, gdal) in &rows {
        let (s, png_s, peak) = (
            field(ours, "secs"),
            field(ours, "png_secs"),
            field(ours, "peak_kib") * 1024.0 / 1e6,
        );
        match gdal {
            Ok(g) => println!(
                "| {pass} | {s:.2} | {png_s:.2} | {peak:.0} | {:.2} | {:.0} | {:.2}× |",
                g.secs,
                g.peak_mb(),
                s / g.secs
            ),
            Err(e) => println!("| {pass} | {s:.2} | {png_s:.2} | {peak:.0} | – | – | – | ({e})"),
        }
    }
    let Some((_, ours, gdal)) = rows.last() else {
        return;
    };
    println!();
    println!(
        "PNG {:.1} MB; target: render at most {}, peak memory at most gdalwarp's",
        field(ours, "png_bytes") / 1e6,
        if kind == Kind::Cog {
            "0.5× gdalwarp's time"
        } else {
            "1.2× decoding the file on all cores (raster_open)"
        }
    );
    let figure_size = format!("{} × {}", image_px[0], image_px[1]);
    let mut targets = match kind {
        Kind::Strips => vec![Target::of_row(
            "≤ 1.2× decode on all cores",
            "strips.decode_all",
            1.2,
        )],
        Kind::Cog => vec![Target::of_gdal("≤ 0.5× gdalwarp", 0.5)],
    };
    targets.push(Target::peak_at_most_gdal());
    record(&Row {
        bench: BENCH,
        id: format!("{layout}.export"),
        work: format!(
            "{}: {figure_size} export of the whole extent, {ANNOTATIONS} annotations, without PNG encoding · `gdalwarp -t_srs EPSG:3857 -r bilinear -te … -ts {}` to GeoTIFF",
            kind.label(),
            figure_size.replace(" × ", " ")
        ),
        unit: "s",
        value: field(ours, "secs"),
        peak_mb: Some(field(ours, "peak_kib") * 1024.0 / 1e6),
        gdal: gdal.as_ref().ok().map(|g| g.secs),
        gdal_peak_mb: gdal.as_ref().ok().map(Gdal::peak_mb),
        targets,
    });
    record(&Row {
        bench: BENCH,
        id: format!("{layout}.png"),
        work: format!(
            "{}: PNG encoding of that export (and writing it, its world file, sidecar; {:.1} MB)",
            kind.label(),
            field(ours, "png_bytes") / 1e6
        ),
        unit: "s",
        value: field(ours, "png_secs"),
        ..Row::default()
    });
}
