//! One display list, two painters: the export's tiny-skia raster and egui's tessellation of the
//! same list agree, the window's list with the figure frame on is the export's, and the
//! painters hold no style of their own.

#![allow(clippy::unwrap_used, reason = "test helpers fail loudly")]
#![allow(
    clippy::many_single_char_names,
    clippy::float_cmp,
    reason = "raster maths reads as x, y, w, h; sizes are exact"
)]

mod common;

use std::sync::Arc;

use chrono::NaiveDate;
use egui::epaint::{Primitive, Vertex};
use geo::{Coord, LineString};
use sitewatch::command::{Command, ViewCommand};
use sitewatch::export::sources::ProjectLayerSources;
use sitewatch::export::{ExportOptions, ViewChoice, render_figure};
use sitewatch::model::default_project::project_base_dir;
use sitewatch::model::{Marker, Rgba};
use sitewatch::render::display_list::{
    DisplayList, ImageryOp, ImagerySource, PaintOp, RectPx, TextRun,
};
use sitewatch::render::egui_paint::{self, Placement};
use sitewatch::render::lower::{FigureInput, lower_figure};
use sitewatch::render::text::EpaintText;
use sitewatch::render::{paint_scene, skia};
use sitewatch::scene::{ItemGeometry, Scene, SceneItem, SceneLabel, Stroke as SceneStroke};
use tiny_skia::Pixmap;

fn scene_with(items: Vec<SceneItem>, labels: Vec<SceneLabel>) -> Scene {
    Scene {
        title: String::new(),
        layers: Vec::new(),
        date: NaiveDate::from_ymd_opt(2025, 10, 14).unwrap(),
        date_label: "14 OCT 2025".into(),
        caption: None,
        items,
        labels,
        legend: Vec::new(),
        certainties: Vec::new(),
        credits: Vec::new(),
        notices: Vec::new(),
    }
}

fn identity(c: Coord<f64>) -> [f32; 2] {
    [c.x as f32, c.y as f32]
}

fn pixel(pixmap: &Pixmap, x: u32, y: u32) -> [u8; 4] {
    let c = pixmap.pixel(x, y).unwrap().demultiply();
    [c.red(), c.green(), c.blue(), c.alpha()]
}

fn yellow_line(points: Vec<(f64, f64)>) -> SceneItem {
    SceneItem {
        id: "a".into(),
        geometry: ItemGeometry::Line(LineString::from(points)),
        stroke: SceneStroke {
            color: Rgba::rgb(0xF0, 0xE4, 0x42),
            width_px: 4.0,
            dash_px: None,
        },
        fill: None,
        marker: Marker::Circle,
        mark: sitewatch::model::Mark::Feature,
        selected: false,
    }
}

fn label(anchor: (f64, f64)) -> SceneLabel {
    SceneLabel {
        id: "a".into(),
        anchor: Coord {
            x: anchor.0,
            y: anchor.1,
        },
        text: "Pier".into(),
        color: Rgba::rgb(255, 0, 0),
        place: sitewatch::model::LabelPlace::default(),
    }
}

#[test]
fn a_line_is_drawn_in_its_colour_over_a_wider_dark_casing() {
    let mut pixmap = Pixmap::new(100, 100).unwrap();
    pixmap.fill(tiny_skia::Color::WHITE);
    let scene = scene_with(vec![yellow_line(vec![(10.0, 50.0), (90.0, 50.0)])], vec![]);
    paint_scene(
        &mut pixmap,
        &EpaintText::bundled(),
        &scene,
        &identity,
        1.0,
        &[],
    );
    assert_eq!(pixel(&pixmap, 50, 50), [0xF0, 0xE4, 0x42, 255]);
    // 4 px line (rows 48–51), 7 px casing (to 53.5): row 52 is casing, black at 60 % on white.
    let casing = pixel(&pixmap, 50, 52);
    assert!(casing[0] < 120 && casing[0] > 80, "{casing:?}");
    assert_eq!(pixel(&pixmap, 50, 60), [255, 255, 255, 255]);
}

#[test]
fn a_label_box_is_dark_and_sits_beside_its_anchor() {
    let mut pixmap = Pixmap::new(400, 100).unwrap();
    pixmap.fill(tiny_skia::Color::WHITE);
    let list = paint_scene(
        &mut pixmap,
        &EpaintText::bundled(),
        &scene_with(vec![], vec![label((50.0, 50.0))]),
        &identity,
        1.0,
        &[],
    );
    let (_, [x0, y0, _, _]) = list.labels().next().unwrap();
    // Marker radius 11 + 6 px gap from the anchor at x = 50.
    assert!((x0 - 67.0).abs() < 0.5, "{x0}");
    // The box's corner area: black at 75 % over white.
    let px = pixel(&pixmap, x0 as u32 + 3, y0 as u32 + 3);
    assert!(px[0] > 55 && px[0] < 75, "{px:?}");
}

#[test]
fn labels_keep_clear_of_the_figure_boxes() {
    let mut pixmap = Pixmap::new(400, 100).unwrap();
    let right_of_anchor = [205.0, 0.0, 400.0, 100.0];
    let list = paint_scene(
        &mut pixmap,
        &EpaintText::bundled(),
        &scene_with(vec![], vec![label((200.0, 50.0))]),
        &identity,
        1.0,
        &[right_of_anchor],
    );
    let (_, rect) = list.labels().next().unwrap();
    assert!(rect[2] < 205.0, "{rect:?}");
}

/// Numeric literals of a painter's source other than 0 and 1, outside comments, array types
/// and index positions.
fn style_literals(source: &str) -> Vec<String> {
    let mut found = Vec::new();
    for (n, line) in source.lines().enumerate() {
        let code = line.split("//").next().unwrap_or("");
        let named_colour = code
            .split("Color32::")
            .skip(1)
            .any(|rest| rest.starts_with(|c: char| c.is_ascii_uppercase()));
        // A colour call whose first argument is a number.
        let literal_colour = ["Color32::from_", "Rgba(", "Rgba::rgb("]
            .iter()
            .any(|call| {
                code.split(call).skip(1).any(|rest| {
                    rest.split_once('(')
                        .map_or(rest, |(_, args)| args)
                        .trim_start_matches(['[', ' '])
                        .starts_with(|c: char| c.is_ascii_digit())
                })
            });
        if code.trim_start().starts_with("const ")
            || code.contains(" const ")
            || named_colour
            || literal_colour
        {
            found.push(format!("{}: {}", n + 1, line.trim()));
            continue;
        }
        let chars: Vec<char> = code.chars().collect();
        let mut i = 0;
        while i < chars.len() {
            let starts = chars[i].is_ascii_digit()
                && (i == 0 || !(chars[i - 1].is_alphanumeric() || chars[i - 1] == '_'));
            if !starts {
                i += 1;
                continue;
            }
            let begin = i;
            while i < chars.len()
                && (chars[i].is_ascii_alphanumeric() || chars[i] == '.' || chars[i] == '_')
            {
                i += 1;
            }
            let literal: String = chars[begin..i].iter().collect();
            let before: String = chars[..begin].iter().collect();
            let after = chars.get(i).copied();
            let index = before.ends_with('[') && after == Some(']');
            let array_len = before.trim_end().ends_with(';') && after == Some(']');
            let triangles = before.ends_with("chunks_exact(");
            let unit = matches!(literal.as_str(), "0" | "1" | "0.0" | "1.0");
            if !(unit || index || array_len || triangles) {
                found.push(format!("{}: {literal} in {}", n + 1, line.trim()));
            }
        }
    }
    found
}

#[test]
fn the_painters_hold_no_style_of_their_own() {
    for file in [
        "src/render/skia.rs",
        "src/render/skia_text.rs",
        "src/render/egui_paint.rs",
    ] {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(file);
        let source = std::fs::read_to_string(path).unwrap();
        let found = style_literals(&source);
        assert!(found.is_empty(), "{file}:\n{}", found.join("\n"));
        assert!(source.lines().count() <= 200, "{file} is a thin painter");
    }
    // The check itself catches what it is for.
    assert_eq!(style_literals("let w = 3.0 * k;").len(), 1);
    assert_eq!(style_literals("const A: f32 = 1.0;").len(), 1);
    assert_eq!(style_literals("let c = Color32::WHITE;").len(), 1);
    assert_eq!(
        style_literals("let c = Color32::from_rgb(0, 0, 0);").len(),
        1
    );
    assert!(style_literals("Color32::from_rgba_unmultiplied(r, g, b, a)").is_empty());
    assert!(style_literals("let [x, y] = p[1]; let a: [f32; 2];").is_empty());
}

/// egui's tessellation of what the egui painter makes of `list`, rasterised on the CPU over
/// `background` (premultiplied blending, the font atlas sampled nearest).
fn egui_raster(list: &DisplayList, background: [u8; 3]) -> Vec<[f32; 4]> {
    let [w, h] = list.size_px.map(|v| v as usize);
    let ctx = egui::Context::default();
    sitewatch::ui::theme::install_fonts(&ctx);
    let input = || egui::RawInput {
        screen_rect: Some(egui::Rect::from_min_size(
            egui::Pos2::ZERO,
            egui::vec2(w as f32, h as f32),
        )),
        ..Default::default()
    };
    let paint = |ctx: &egui::Context| {
        ctx.run_ui(input(), |ui| {
            egui_paint::paint(
                ui.painter(),
                list,
                Placement {
                    origin: egui::Pos2::ZERO,
                    scale: 1.0,
                },
                &mut |_, _, _| {},
            );
        })
    };
    // The first pass fills the font atlas; the second lays text out from it.
    let mut first = paint(&ctx);
    let mut out = paint(&ctx);
    // Every texture (the font atlas, imagery), as a renderer keeps them: whole images replace
    // one, patches update it.
    let mut textures: std::collections::HashMap<egui::TextureId, egui::ColorImage> =
        std::collections::HashMap::new();
    for (id, deltas) in first
        .textures_delta
        .set
        .iter()
        .chain(&out.textures_delta.set)
    {
        for d in deltas {
            let egui::ImageData::Color(image) = &d.image;
            match (d.pos, textures.get_mut(id)) {
                (None, _) => {
                    textures.insert(*id, (**image).clone());
                }
                (Some([x0, y0]), Some(a)) => {
                    let [w, _] = image.size;
                    for (i, px) in image.pixels.iter().enumerate() {
                        let (x, y) = (x0 + i % w, y0 + i / w);
                        a.pixels[y * a.size[0] + x] = *px;
                    }
                }
                (Some(_), None) => {}
            }
        }
    }
    first.textures_delta.clear();
    out.textures_delta.clear();
    let mut target: Vec<[f32; 4]> = vec![
        [
            f32::from(background[0]) / 255.0,
            f32::from(background[1]) / 255.0,
            f32::from(background[2]) / 255.0,
            1.0,
        ];
        w * h
    ];
    for prim in ctx.tessellate(out.shapes, 1.0) {
        let Primitive::Mesh(mesh) = prim.primitive else {
            continue;
        };
        let texture = &textures[&mesh.texture_id];
        let sample = |uv: egui::Pos2| -> [f32; 4] {
            let [aw, ah] = texture.size;
            let x = ((uv.x * aw as f32) as usize).min(aw - 1);
            let y = ((uv.y * ah as f32) as usize).min(ah - 1);
            let c = texture.pixels[y * aw + x];
            c.to_array().map(|v| f32::from(v) / 255.0)
        };
        for tri in mesh.indices.chunks_exact(3) {
            let v: Vec<&Vertex> = tri.iter().map(|&i| &mesh.vertices[i as usize]).collect();
            rasterise_triangle(&mut target, [w, h], [v[0], v[1], v[2]], &sample);
        }
    }
    target
}

fn rasterise_triangle(
    target: &mut [[f32; 4]],
    [w, h]: [usize; 2],
    v: [&Vertex; 3],
    sample: &dyn Fn(egui::Pos2) -> [f32; 4],
) {
    let (a, b, c) = (v[0].pos, v[1].pos, v[2].pos);
    let area = (b.x - a.x) * (c.y - a.y) - (c.x - a.x) * (b.y - a.y);
    if area.abs() < 1e-6 {
        return;
    }
    let min_x = a.x.min(b.x).min(c.x).floor().max(0.0) as usize;
    let max_x = (a.x.max(b.x).max(c.x).ceil() as usize).min(w);
    let min_y = a.y.min(b.y).min(c.y).floor().max(0.0) as usize;
    let max_y = (a.y.max(b.y).max(c.y).ceil() as usize).min(h);
    for y in min_y..max_y {
        for x in min_x..max_x {
            let p = egui::pos2(x as f32 + 0.5, y as f32 + 0.5);
            let w0 = ((b.x - p.x) * (c.y - p.y) - (c.x - p.x) * (b.y - p.y)) / area;
            let w1 = ((c.x - p.x) * (a.y - p.y) - (a.x - p.x) * (c.y - p.y)) / area;
            let w2 = 1.0 - w0 - w1;
            if w0 < 0.0 || w1 < 0.0 || w2 < 0.0 {
                continue;
            }
            let uv = egui::pos2(
                w0 * v[0].uv.x + w1 * v[1].uv.x + w2 * v[2].uv.x,
                w0 * v[0].uv.y + w1 * v[1].uv.y + w2 * v[2].uv.y,
            );
            let texel = sample(uv);
            let mut src = [0.0; 4];
            for (k, s) in src.iter_mut().enumerate() {
                let col = w0 * f32::from(v[0].color.to_array()[k])
                    + w1 * f32::from(v[1].color.to_array()[k])
                    + w2 * f32::from(v[2].color.to_array()[k]);
                *s = col / 255.0 * texel[k];
            }
            let dst = &mut target[y * w + x];
            for k in 0..4 {
                dst[k] = src[k] + dst[k] * (1.0 - src[3]);
            }
        }
    }
}

/// Pixels whose colour differs by more than `levels` in any channel.
fn differing(skia: &Pixmap, egui: &[[f32; 4]], levels: u8) -> usize {
    skia.pixels()
        .iter()
        .zip(egui)
        .filter(|(s, e)| {
            let s = s.demultiply();
            let a = [s.red(), s.green(), s.blue()];
            (0..3).any(|k| {
                let e = (e[k] / e[3].max(1e-6) * 255.0).round().clamp(0.0, 255.0) as u8;
                a[k].abs_diff(e) > levels
            })
        })
        .count()
}

fn solid_layer(size: [u32; 2], rgb: [u8; 3], dest_px: RectPx) -> PaintOp {
    let pixels: Vec<u8> = (0..size[0] * size[1])
        .flat_map(|_| [rgb[0], rgb[1], rgb[2], 255])
        .collect();
    PaintOp::Imagery(ImageryOp {
        layer_id: "solid".into(),
        dest_px,
        opacity: 1.0,
        clip_px: None,
        offset_px: [0.0, 0.0],
        source: ImagerySource::Rgba {
            size_px: size,
            pixels: Arc::new(pixels),
        },
    })
}

/// The default project's figure at its latest stage, over a solid-colour imagery layer.
fn default_figure(size: [u32; 2]) -> DisplayList {
    let project = sitewatch::model::default_project::load_default_project()
        .unwrap()
        .project;
    let date = project.stages.last().unwrap().date.key();
    let scene = sitewatch::scene::build(&project, date, &sitewatch::scene::SceneOptions::default());
    let view = sitewatch::export::view::ExportView::home(&project.home, size).unwrap();
    let to_px = |c: Coord<f64>| view.to_px(c);
    let [w, h] = size.map(|v| v as f32);
    lower_figure(
        &FigureInput {
            scene: &scene,
            size_px: size,
            meters_per_px: view.meters_per_px(),
            title: Some("Tumen River road bridge"),
            north_arrow: true,
            grid_bbox: Some(view.bbox_lonlat()),
            selection: false,
            to_px: &to_px,
        },
        &EpaintText::bundled(),
        vec![solid_layer([4, 4], [40, 90, 60], [0.0, 0.0, w, h])],
    )
    .0
}

#[test]
fn the_egui_painter_and_the_skia_painter_agree_on_one_list() {
    let list = default_figure([960, 540]);
    let background = [32, 32, 32];
    let mut pixmap = Pixmap::new(960, 540).unwrap();
    pixmap.fill(tiny_skia::Color::from_rgba8(32, 32, 32, 255));
    skia::paint(&mut pixmap, &list, &EpaintText::bundled());
    let egui = egui_raster(&list, background);
    if let Ok(dir) = std::env::var("SITEWATCH_DUMP") {
        pixmap.save_png(format!("{dir}/parity-skia.png")).unwrap();
        let bytes: Vec<u8> = egui
            .iter()
            .flat_map(|p| {
                let a = p[3].max(1e-6);
                [p[0] / a, p[1] / a, p[2] / a, 1.0]
                    .map(|v| (v * 255.0).round().clamp(0.0, 255.0) as u8)
            })
            .collect();
        image::RgbaImage::from_raw(960, 540, bytes)
            .unwrap()
            .save(format!("{dir}/parity-egui.png"))
            .unwrap();
    }
    let off = differing(&pixmap, &egui, 32);
    let share = off as f64 / (960.0 * 540.0);
    assert!(
        share <= 0.02,
        "{off} pixels ({:.2} %) differ by more than 32 levels",
        share * 100.0
    );
    assert!(list.text_runs().count() > 10, "the figure has its text");
}

fn comparable(list: &DisplayList) -> (Vec<TextRun>, Vec<(String, [i32; 4])>) {
    let runs = list.text_runs().cloned().collect();
    let boxes = list
        .boxes
        .iter()
        .map(|b| (format!("{:?}", b.kind), b.rect_px.map(|v| v.round() as i32)))
        .collect();
    (runs, boxes)
}

#[test]
fn with_the_figure_frame_on_the_window_draws_the_exports_list() {
    let date = common::day(2025, 10, 14);
    let mut h = common::default_app(date, 1400.0, 900.0);
    h.run_steps(4);
    let ctx = h.ctx.clone();
    h.state_mut()
        .apply(&ctx, Command::View(ViewCommand::ToggleFigureFrame));
    h.run_steps(4);
    // The window draws a layer once its file is open.
    let shown: Vec<String> = sitewatch::model::tracks::layers_at(
        h.state().project(),
        date,
        &sitewatch::model::FileDates::default(),
    )
    .into_iter()
    .filter_map(|(i, _)| h.state().project().layers.get(i))
    .map(|l| l.id.clone())
    .collect();
    assert!(
        !shown.is_empty(),
        "the default project shows imagery in October 2025"
    );
    let imagery_ops = |l: &DisplayList| {
        l.ops
            .iter()
            .filter(|op| matches!(op, PaintOp::Imagery(_)))
            .count()
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_mins(1);
    while imagery_ops(h.state().display_list()) < shown.len() {
        assert!(
            std::time::Instant::now() < deadline,
            "the layers never opened"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
        h.step();
    }
    let frame_box = h.state().frame_box().expect("the frame is on the map");
    let window = h.state().display_list().clone();
    assert_eq!(
        window.size_px,
        [1920.0, 1080.0],
        "the list is the figure's, at its size"
    );
    let figure = render_figure(
        h.state().project(),
        date,
        &ExportOptions {
            size_px: [1920, 1080],
            view: ViewChoice::BBox(frame_box),
            north_arrow: true,
            imagery: Some(Arc::new(ProjectLayerSources::new(project_base_dir(None)))),
            ..ExportOptions::default()
        },
        &|_, _| true,
    )
    .unwrap();
    let (window_runs, window_boxes) = comparable(&window);
    let (export_runs, export_boxes) = comparable(&figure.list);
    assert_eq!(window_boxes, export_boxes);
    assert_eq!(window_runs, export_runs);
    // The window draws each shown imagery layer from its tile textures, under everything else,
    // over the whole figure; the export draws them composited at figure resolution.
    let imagery_first = |l: &DisplayList| -> Vec<ImageryOp> {
        let first_other = l
            .ops
            .iter()
            .position(|op| !matches!(op, PaintOp::Imagery(_)))
            .unwrap_or(l.ops.len());
        assert!(
            l.ops[first_other..]
                .iter()
                .all(|op| !matches!(op, PaintOp::Imagery(_))),
            "imagery is drawn first"
        );
        l.ops[..first_other]
            .iter()
            .filter_map(|op| match op {
                PaintOp::Imagery(i) => Some(i.clone()),
                _ => None,
            })
            .collect()
    };
    let window_imagery = imagery_first(&window);
    assert_eq!(
        window_imagery
            .iter()
            .map(|i| i.layer_id.clone())
            .collect::<Vec<_>>(),
        shown
    );
    for op in &window_imagery {
        assert_eq!(op.source, ImagerySource::WindowTiles);
        assert_eq!(op.dest_px, [0.0, 0.0, 1920.0, 1080.0]);
        assert_eq!((op.clip_px, op.offset_px), (None, [0.0, 0.0]));
    }
    assert_eq!(
        imagery_first(&figure.list).len(),
        1,
        "one composite in the export"
    );
    // Everything but the imagery is the same, in order.
    let shapes = |l: &DisplayList| -> Vec<PaintOp> {
        l.ops
            .iter()
            .filter(|op| !matches!(op, PaintOp::Imagery(_)))
            .cloned()
            .collect()
    };
    assert_eq!(shapes(&window), shapes(&figure.list));
}

/// One frame of `app` in `ctx` at 1600 × 1000, tessellated as a window does: the paint
/// callbacks and the vertices of the meshes handed to the renderer.
fn tessellated_frame(ctx: &egui::Context, app: &mut sitewatch::app::SitewatchApp) -> [usize; 2] {
    let input = egui::RawInput {
        screen_rect: Some(egui::Rect::from_min_size(
            egui::Pos2::ZERO,
            egui::vec2(1600.0, 1000.0),
        )),
        ..egui::RawInput::default()
    };
    let mut output = ctx.run_ui(input, |ui| app.frame(ui));
    // No renderer takes the textures.
    output.textures_delta.clear();
    ctx.tessellate(output.shapes, output.pixels_per_point)
        .iter()
        .fold([0, 0], |[callbacks, vertices], p| match &p.primitive {
            Primitive::Callback(_) => [callbacks + 1, vertices],
            Primitive::Mesh(mesh) => [callbacks, vertices + mesh.vertices.len()],
        })
}

#[test]
fn with_gpu_meshes_the_maps_plain_parts_leave_each_frame_as_callbacks_not_vertices() {
    use sitewatch::app::{AppOptions, Prefs, SitewatchApp};
    let ctx = egui::Context::default();
    let mut app = SitewatchApp::with_context(
        &ctx,
        AppOptions {
            loaded: sitewatch::model::default_project::load_default_project().unwrap(),
            project_path: None,
            date: NaiveDate::from_ymd_opt(2025, 10, 14),
            screenshot: None,
            persist: false,
        },
        Prefs::default(),
    );
    // The basemap and the layers load on worker threads and change what is drawn: wait until
    // nothing is loading (a bound on the wait, not a proof of anything), then until two frames
    // in a row hand over the same.
    let mut off = tessellated_frame(&ctx, &mut app);
    common::wait::until(|| {
        off = tessellated_frame(&ctx, &mut app);
        app.pending_work().is_empty()
    });
    assert_eq!(
        app.pending_work(),
        Vec::<String>::new(),
        "everything loaded"
    );
    for _ in 0..10 {
        let next = tessellated_frame(&ctx, &mut app);
        if next == off {
            break;
        }
        off = next;
    }
    sitewatch::ui::gpu_mesh::set_enabled(&ctx, true);
    let on = tessellated_frame(&ctx, &mut app);
    sitewatch::ui::gpu_mesh::set_enabled(&ctx, false);
    assert_eq!(tessellated_frame(&ctx, &mut app), off, "the frame settled");

    let meshes = app.list_meshes().unwrap();
    let (plain_parts, plain_vertices) = meshes.plain();
    assert!(
        plain_parts > 0 && plain_parts < meshes.parts(),
        "the map has lines and text: {plain_parts} plain of {} parts",
        meshes.parts()
    );
    assert_eq!(off[0], 0, "without a pipeline the map paints meshes only");
    assert_eq!(on[0], plain_parts, "one callback per plain part");
    assert_eq!(
        off[1] - on[1],
        plain_vertices,
        "the plain vertices no longer pass through egui; text still does"
    );
}
