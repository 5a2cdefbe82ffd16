//! PDF figures: the SVG painter's document converted to one PDF page (1 px = 1 pt) with real,
//! selectable text in subsets of the bundled fonts, the export's imagery, the provenance in the
//! document information and an ISO 32000 geospatial viewport GDAL reads. Checks that need
//! poppler (`pdftotext`, `pdftocairo`, `pdfinfo`) or GDAL (`gdalinfo`) say so and pass when the
//! tool is missing; CI installs both (`.ci/run`).
#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use sitewatch::export::files::parse_world_file;
use sitewatch::export::sources::ProjectLayerSources;
use sitewatch::export::{ExportOptions, Figure, render_figure, write_figure};
use sitewatch::model::default_project::{load_default_project, project_base_dir};
use sitewatch::render::display_list::PaintOp;

/// The default project on 14 Oct 2025 at `size_px`, written as `fig.png` and `figure.pdf` in
/// `dir` (a PDF of the same stem would remove the PNG's world file: it has its georeference
/// inside, and a stale one would mislead GDAL).
fn png_and_pdf(dir: &Path, size_px: [u32; 2]) -> (Figure, PathBuf, PathBuf) {
    let project = load_default_project().unwrap().project;
    let options = ExportOptions {
        size_px,
        imagery: Some(Arc::new(ProjectLayerSources::new(project_base_dir(None)))),
        ..ExportOptions::default()
    };
    let figure =
        render_figure(&project, common::day(2025, 10, 14), &options, &|_, _| true).unwrap();
    let png = dir.join("fig.png");
    let pdf = dir.join("figure.pdf");
    write_figure(&figure, &project, &options, &png).unwrap();
    write_figure(&figure, &project, &options, &pdf).unwrap();
    (figure, png, pdf)
}

/// Runs a command-line tool, or says why not and gives `None` when it is not installed.
fn tool(name: &str, args: &[&str]) -> Option<String> {
    match Command::new(name).args(args).output() {
        Ok(out) => {
            assert!(
                out.status.success(),
                "{name} {args:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            Some(String::from_utf8_lossy(&out.stdout).into_owned())
        }
        Err(e) => {
            eprintln!(
                "{name} is not available ({e}; apt-get install poppler-utils gdal-bin): not checked"
            );
            None
        }
    }
}

/// The text runs' boxes of a figure, grown by `margin_px` for anti-aliasing.
fn text_boxes(figure: &Figure, margin_px: f32) -> Vec<[f32; 4]> {
    figure
        .list
        .ops
        .iter()
        .filter_map(|op| match op {
            PaintOp::Text(run) => {
                let [x0, y0, x1, y1] = run.rect_px();
                Some([
                    x0 - margin_px,
                    y0 - margin_px,
                    x1 + margin_px,
                    y1 + margin_px,
                ])
            }
            _ => None,
        })
        .collect()
}

#[test]
fn a_pdf_figure_is_one_page_of_the_figures_size_with_its_provenance() {
    let dir = tempfile::tempdir().unwrap();
    let (figure, _, pdf) = png_and_pdf(dir.path(), [480, 270]);
    let bytes = std::fs::read(&pdf).unwrap();
    assert!(bytes.starts_with(b"%PDF-1."));
    // The cross-reference table is where the trailer says.
    let at = bytes.windows(9).rposition(|w| w == b"startxref").unwrap();
    let tail = String::from_utf8_lossy(&bytes[at..]);
    let offset: usize = tail.lines().nth(1).unwrap().trim().parse().unwrap();
    assert!(
        bytes[offset..].starts_with(b"xref"),
        "startxref points at xref"
    );
    let text = String::from_utf8_lossy(&bytes);
    assert!(text.trim_end().ends_with("%%EOF"));
    assert!(text.contains("/MediaBox [0 0 480 270]"), "1 px = 1 pt");
    assert!(text.contains("/Creator (Sitewatch "));
    let sidecar = common::cli::sidecar(&pdf);
    assert_eq!(sidecar["image"]["format"], "PDF");
    let Some(info) = tool("pdfinfo", &[pdf.to_str().unwrap()]) else {
        return;
    };
    assert!(info.contains("Pages:           1"), "{info}");
    assert!(info.contains("Page size:       480 x 270 pts"), "{info}");
    let line = |key: &str| {
        info.lines()
            .find(|l| l.starts_with(key))
            .unwrap_or_default()
            .to_owned()
    };
    assert!(line("Title:").contains(&figure.scene.date_label), "{info}");
    assert!(
        line("Subject:").contains("Title: "),
        "the SVG's <desc> text: {info}"
    );
    assert!(info.contains("Software: Sitewatch "), "{info}");
    assert!(line("Creator:").ends_with(&format!("Sitewatch {}", env!("CARGO_PKG_VERSION"))));
    let keywords = line("Keywords:");
    for credit in &figure.scene.credits {
        assert!(keywords.contains(credit.as_str()), "{credit} in {keywords}");
    }
}

#[test]
fn pdf_text_is_real_text_that_pdftotext_reads() {
    let dir = tempfile::tempdir().unwrap();
    let (figure, _, pdf) = png_and_pdf(dir.path(), [960, 540]);
    let Some(words) = tool("pdftotext", &["-raw", pdf.to_str().unwrap(), "-"]) else {
        return;
    };
    let words = words.split_whitespace().collect::<Vec<_>>().join(" ");
    let runs: Vec<&str> = figure
        .list
        .ops
        .iter()
        .filter_map(|op| match op {
            PaintOp::Text(run) => Some(run.text.as_str()),
            _ => None,
        })
        .collect();
    assert!(runs.len() > 10);
    let caption = figure.scene.caption.as_ref().unwrap();
    for needed in [
        "SYNTHETIC IMAGERY — not an observation",
        caption.title.as_str(),
        figure.scene.credits[0].as_str(),
    ] {
        let needed = needed.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(words.contains(&needed), "{needed:?} in {words:?}");
    }
    let missing: Vec<&&str> = runs
        .iter()
        .filter(|run| {
            let run = run.split_whitespace().collect::<Vec<_>>().join(" ");
            !words.contains(&run)
        })
        .collect();
    eprintln!(
        "{} of {} text runs found whole",
        runs.len() - missing.len(),
        runs.len()
    );
    assert!(missing.is_empty(), "not found as text: {missing:?}");
}

/// Rasterised by poppler's Cairo backend: its Splash backend (`pdftoppm`) resamples images even
/// at 1:1, so 0.95 % of a figure's imagery pixels move by more than 16 levels there, while
/// `pdftocairo` draws the embedded imagery pixel for pixel.
#[test]
fn the_pdf_rasterised_at_72_dpi_matches_the_png_outside_text() {
    let dir = tempfile::tempdir().unwrap();
    let (figure, png, pdf) = png_and_pdf(dir.path(), [960, 540]);
    let raster = dir.path().join("raster");
    let args = [
        "-r",
        "72",
        "-png",
        "-singlefile",
        pdf.to_str().unwrap(),
        raster.to_str().unwrap(),
    ];
    if tool("pdftocairo", &args).is_none() {
        return;
    }
    let ours = image::open(&png).unwrap().to_rgb8();
    let theirs = image::open(raster.with_extension("png")).unwrap().to_rgb8();
    assert_eq!(ours.dimensions(), theirs.dimensions());
    let boxes = text_boxes(&figure, 2.0);
    let (mut compared, mut differing) = (0usize, 0usize);
    for (x, y, a) in ours.enumerate_pixels() {
        let (fx, fy) = (x as f32 + 0.5, y as f32 + 0.5);
        if boxes
            .iter()
            .any(|[x0, y0, x1, y1]| (*x0..*x1).contains(&fx) && (*y0..*y1).contains(&fy))
        {
            continue;
        }
        compared += 1;
        let b = theirs.get_pixel(x, y);
        if a.0.iter().zip(b.0).any(|(p, q)| p.abs_diff(q) > 16) {
            differing += 1;
        }
    }
    let share = differing as f64 / compared as f64;
    eprintln!(
        "{differing} of {compared} pixels outside text differ by more than 16 levels ({:.3} %)",
        share * 100.0
    );
    assert!(compared * 2 > (960 * 540), "most of the figure is compared");
    assert!(share <= 0.01, "{:.3} % differ", share * 100.0);
}

#[test]
fn gdal_reads_the_pdfs_georeference_at_the_world_files_corners() {
    let dir = tempfile::tempdir().unwrap();
    let (_, png, pdf) = png_and_pdf(dir.path(), [960, 540]);
    let Some(formats) = tool("gdalinfo", &["--formats"]) else {
        return;
    };
    if !formats.lines().any(|l| l.trim_start().starts_with("PDF ")) {
        eprintln!("this GDAL has no PDF driver: not checked");
        return;
    }
    let json = tool("gdalinfo", &["-json", pdf.to_str().unwrap()]).unwrap();
    let info: serde_json::Value = serde_json::from_str(&json).unwrap();
    let wkt = info["coordinateSystem"]["wkt"].as_str().unwrap_or_default();
    assert!(
        wkt.contains("Pseudo-Mercator") || wkt.contains("3857"),
        "{wkt}"
    );
    let world =
        parse_world_file(&std::fs::read_to_string(png.with_extension("pgw")).unwrap()).unwrap();
    let px = world[0];
    // A world file names the top-left pixel's centre; the corners are half a pixel out.
    let west = world[4] - px / 2.0;
    let north = world[5] + px / 2.0;
    let expected = [
        ("upperLeft", [west, north]),
        ("lowerRight", [west + 960.0 * px, north - 540.0 * px]),
    ];
    for (corner, [x, y]) in expected {
        let got = &info["cornerCoordinates"][corner];
        let (gx, gy) = (got[0].as_f64().unwrap(), got[1].as_f64().unwrap());
        let error_px = (gx - x).abs().max((gy - y).abs()) / px;
        eprintln!("{corner}: {error_px:.4} px off");
        assert!(error_px <= 1.0, "{corner}: ({gx}, {gy}) vs ({x}, {y})");
    }
}

#[test]
fn sitewatch_export_writes_a_georeferenced_pdf_with_its_sidecar_and_panels_without_georeference() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("figure.pdf");
    common::cli::succeeds(&[
        "export",
        "default",
        "--size",
        "640x360",
        "--out",
        out.to_str().unwrap(),
    ]);
    let bytes = std::fs::read(&out).unwrap();
    assert!(bytes.starts_with(b"%PDF-"));
    assert!(String::from_utf8_lossy(&bytes).contains("/Subtype /GEO"));
    assert_eq!(common::cli::sidecar(&out)["image"]["format"], "PDF");
    assert!(
        !out.with_extension("pgw").exists() && !out.with_extension("wld").exists(),
        "a PDF carries its own georeference"
    );
    // Panels share a view, not a georeference: their PDF has none.
    let panels = dir.path().join("panels.pdf");
    common::cli::succeeds(&[
        "export",
        "default",
        "--panels",
        "2025-06-02,2025-10-14",
        "--size",
        "640x360",
        "--out",
        panels.to_str().unwrap(),
    ]);
    let bytes = std::fs::read(&panels).unwrap();
    assert!(bytes.starts_with(b"%PDF-"));
    assert!(!String::from_utf8_lossy(&bytes).contains("/VP"));
}

#[test]
fn the_windows_export_writes_a_pdf_when_the_save_name_ends_in_pdf() {
    use sitewatch::command::{Command, ExportCommand};
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("window.pdf");
    let mut h = common::window::ready_app();
    let ctx = h.ctx.clone();
    h.state_mut().apply(
        &ctx,
        Command::Export(ExportCommand::ExportSnapshot(out.clone())),
    );
    // The export runs on a worker; its message arrives when it is done (bounded wait).
    let mut message = None;
    common::wait::frames_until(&mut h, |h| {
        message = h
            .state()
            .messages()
            .iter()
            .find(|m| m.contains("window.pdf"))
            .cloned();
        message.is_some()
    });
    let message = message.expect("the export finishes");
    assert!(message.starts_with("Exported"), "{message}");
    let bytes = std::fs::read(&out).unwrap();
    assert!(bytes.starts_with(b"%PDF-"));
    assert!(String::from_utf8_lossy(&bytes).contains("/Subtype /GEO"));
    assert_eq!(common::cli::sidecar(&out)["image"]["format"], "PDF");
}
