//! SVG figures: a third painter of the one display list. Its paths, rasterised by resvg, match
//! the tiny-skia painter's raster; its text is real text in the embedded bundled fonts at the
//! list's glyph positions; its imagery is the export's, embedded at figure resolution.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns

mod common;

use std::sync::Arc;

use base64::Engine as _;
use sitewatch::export::sources::ProjectLayerSources;
use sitewatch::export::{ExportOptions, Figure, render_figure};
use sitewatch::model::default_project::{load_default_project, project_base_dir};
use sitewatch::render::display_list::{DisplayList, ImagerySource, PaintOp};
use sitewatch::render::svg::document;
use sitewatch::render::{skia, text::EpaintText};
use tiny_skia::{Color, Pixmap};

fn figure() -> Figure {
    let project = load_default_project().unwrap().project;
    render_figure(
        &project,
        common::day(2025, 10, 14),
        &ExportOptions {
            size_px: [960, 540],
            grid: true,
            imagery: Some(Arc::new(ProjectLayerSources::new(project_base_dir(None)))),
            ..ExportOptions::default()
        },
        &|_, _| true,
    )
    .unwrap()
}

fn white(size: [f32; 2]) -> Pixmap {
    let mut p = Pixmap::new(size[0] as u32, size[1] as u32).unwrap();
    p.fill(Color::WHITE);
    p
}

#[test]
fn the_svgs_paths_rasterise_as_the_skia_painter_draws_them() {
    // Text and imagery are checked on their own below: resvg here renders neither.
    let list = figure()
        .list
        .only(|op| !matches!(op, PaintOp::Text(_) | PaintOp::Imagery(_)));
    let shapes = list.ops.iter().filter(|op| !matches!(op, PaintOp::Clip(_)));
    assert!(shapes.count() > 100, "a figure's worth of shapes");
    let mut skia_raster = white(list.size_px);
    skia::paint(&mut skia_raster, &list, &EpaintText::bundled());
    let svg = document(&list, "test", "");
    let tree = resvg::usvg::Tree::from_str(&svg, &resvg::usvg::Options::default()).unwrap();
    let mut svg_raster = white(list.size_px);
    resvg::render(
        &tree,
        tiny_skia::Transform::identity(),
        &mut svg_raster.as_mut(),
    );
    let differing = skia_raster
        .pixels()
        .iter()
        .zip(svg_raster.pixels())
        .filter(|(a, b)| {
            let d = |x: u8, y: u8| x.abs_diff(y) > 16;
            d(a.red(), b.red()) || d(a.green(), b.green()) || d(a.blue(), b.blue())
        })
        .count();
    let share = differing as f64 / skia_raster.pixels().len() as f64;
    eprintln!(
        "{differing} of {} pixels differ by more than 16 levels",
        skia_raster.pixels().len()
    );
    assert!(
        share <= 0.01,
        "{:.3} % of pixels differ by more than 16",
        share * 100.0
    );
}

#[test]
fn svg_text_is_real_text_in_the_embedded_fonts_at_the_lists_glyph_positions() {
    let list: DisplayList = figure().list;
    let svg = document(&list, "Title", "Software: Sitewatch");
    let runs: Vec<_> = list
        .ops
        .iter()
        .filter_map(|op| match op {
            PaintOp::Text(run) => Some(run),
            _ => None,
        })
        .collect();
    assert!(runs.len() > 10);
    assert_eq!(
        svg.matches("<text ").count(),
        runs.len(),
        "one text element a run"
    );
    assert!(
        svg.contains("SYNTHETIC IMAGERY — not an observation"),
        "the notice as text"
    );
    // Each element's words, with the spans that keep ligature clusters together taken out.
    let words: Vec<String> = svg
        .split("<text ")
        .skip(1)
        .map(|element| {
            let inner = &element[element.find('>').unwrap() + 1..element.find("</text>").unwrap()];
            let mut text = String::new();
            let mut in_tag = false;
            for c in inner.chars() {
                match c {
                    '<' => in_tag = true,
                    '>' => in_tag = false,
                    c if !in_tag => text.push(c),
                    _ => {}
                }
            }
            text
        })
        .collect();
    for run in &runs {
        let escaped = run.text.replace('&', "&amp;").replace('<', "&lt;");
        assert!(words.contains(&escaped), "{}", run.text);
    }
    // The first run's first glyph where the list put it (to 1/100 px).
    let run = runs[0];
    let x = run.origin_px[0] + run.glyphs[0].x_px;
    let first = svg.find("<text ").unwrap();
    let at = first + svg[first..].find(" x=\"").unwrap() + " x=\"".len();
    let written: f32 = svg[at..].split([' ', '"']).next().unwrap().parse().unwrap();
    assert!((written - x).abs() <= 0.005, "{written} vs {x}");
    // Noto Sans is embedded whole, as the fonts bundled with the app.
    let regular =
        base64::engine::general_purpose::STANDARD.encode(sitewatch::render::fonts::REGULAR_TTF);
    assert!(svg.contains(&regular[..200]));
    assert!(svg.contains("font-family: 'Sitewatch Noto Sans'"));
}

#[test]
fn the_svgs_imagery_is_the_exports_at_figure_resolution() {
    let figure = figure();
    let svg = document(&figure.list, "t", "");
    let Some(PaintOp::Imagery(op)) = figure
        .list
        .ops
        .iter()
        .find(|op| matches!(op, PaintOp::Imagery(_)))
    else {
        panic!("the figure has imagery");
    };
    let ImagerySource::Rgba { size_px, pixels } = &op.source else {
        panic!("export imagery is pixels");
    };
    let marker = "href=\"data:image/png;base64,";
    let at = svg.find(marker).unwrap() + marker.len();
    let data = &svg[at..at + svg[at..].find('"').unwrap()];
    let png = base64::engine::general_purpose::STANDARD
        .decode(data)
        .unwrap();
    let decoded = image::load_from_memory(&png).unwrap().to_rgba8();
    assert_eq!([decoded.width(), decoded.height()], *size_px);
    assert_eq!(
        decoded.as_raw(),
        pixels.as_ref(),
        "lossless, pixel for pixel"
    );
}

#[test]
fn sitewatch_export_writes_an_svg_figure_with_its_sidecar() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("figure.svg");
    common::cli::succeeds(&[
        "export",
        "default",
        "--size",
        "800x450",
        "--out",
        out.to_str().unwrap(),
    ]);
    let svg = std::fs::read_to_string(&out).unwrap();
    assert!(svg.starts_with("<?xml") && svg.contains(r#"width="800" height="450""#));
    let tree = resvg::usvg::Tree::from_str(&svg, &resvg::usvg::Options::default()).unwrap();
    assert_eq!(tree.size().to_int_size().width(), 800);
    let sidecar = common::cli::sidecar(&out);
    assert_eq!(sidecar["image"]["format"], "SVG");
    assert!(
        !out.with_extension("pgw").exists(),
        "an SVG is not a raster GIS reads"
    );
}
