//! Editing at scale: 10,000 annotations around the site. Measures what a frame costs while
//! editing: building the scene, indexing it, hit-testing a click (through the index and, for
//! comparison, by scanning every item), snapping, patching the scene for one dragged vertex, and
//! collecting what is in view.
//!
//! `cargo bench --bench editing_scale` (release). `SITEWATCH_BENCH_N=50000` for another count.

#![allow(
    clippy::unwrap_used,
    clippy::print_stdout,
    reason = "a benchmark reports and fails loudly"
)]

mod common;

use std::hint::black_box;
use std::time::{Duration, Instant};

use geo::Coord;
use sitewatch::editing::geometry::move_vertex;
use sitewatch::editing::synthetic::scatter;
use sitewatch::model::FuzzyDate;
use sitewatch::model::default_project::load_default_project;
use sitewatch::scene::hit::hit_test;
use sitewatch::scene::index::SceneIndex;
use sitewatch::scene::{SceneOptions, build, patch_annotation};
use sitewatch::spatial::mercator::{lonlat_from_world_px, world_px_from_lonlat};
use sitewatch::spatial::snap::{SnapPath, snap};

/// Median and worst of `runs` timings of `f`.
fn time<T>(runs: usize, mut f: impl FnMut(usize) -> T) -> (Duration, Duration) {
    let mut times: Vec<Duration> = (0..runs)
        .map(|i| {
            let start = Instant::now();
            black_box(f(i));
            start.elapsed()
        })
        .collect();
    times.sort();
    (times[times.len() / 2], *times.last().unwrap())
}

fn report(what: &str, (median, worst): (Duration, Duration)) {
    println!(
        "{what:<58} median {:>9.3} ms   worst {:>9.3} ms",
        median.as_secs_f64() * 1e3,
        worst.as_secs_f64() * 1e3
    );
    let n = annotation_count();
    common::record(&common::Row {
        bench: "editing_scale",
        id: format!("editing.{what}"),
        work: format!("editing, {n} annotations: {what}, median"),
        unit: "ms",
        value: median.as_secs_f64() * 1e3,
        ..common::Row::default()
    });
}

/// Annotations around the site: `SITEWATCH_BENCH_N`, or 10,000.
fn annotation_count() -> usize {
    std::env::var("SITEWATCH_BENCH_N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000)
}

fn main() {
    let n = annotation_count();
    let mut project = load_default_project().unwrap().project;
    let date = project.stages.last().unwrap().date.key();
    let center = project.home.center();
    // ~5 km across: the whole site at zoom 14, a corner of it at zoom 17.
    project.annotations = scatter(&project, n, center, 0.06, FuzzyDate::day(date));
    let options = SceneOptions::default();
    println!("{n} annotations (a third each areas, lines, points), release build\n");

    report(
        "scene::build (whole scene, after a non-local edit)",
        time(20, |_| build(&project, date, &options)),
    );
    let mut scene = build(&project, date, &options);
    report(
        "SceneIndex::new (R*-tree bulk load)",
        time(20, |_| SceneIndex::new(&scene)),
    );
    let mut index = SceneIndex::new(&scene);

    // A 1400 × 800 px view at zoom 17 around the centre (what the window shows at site zoom).
    let zoom = 17.0;
    let mid = world_px_from_lonlat(center, zoom);
    let to_screen = |c: Coord<f64>| {
        let p = world_px_from_lonlat(c, zoom);
        [p.x - mid.x + 700.0, p.y - mid.y + 400.0]
    };
    let from_screen = |p: [f64; 2]| {
        lonlat_from_world_px(
            Coord {
                x: p[0] + mid.x - 700.0,
                y: p[1] + mid.y - 400.0,
            },
            zoom,
        )
    };
    let corner_a = from_screen([-64.0, -64.0]);
    let corner_b = from_screen([1464.0, 864.0]);
    let view = [corner_a.x, corner_b.y, corner_b.x, corner_a.y];
    let in_view = index.items_in(view);
    report(
        &format!(
            "cull to a 1400×800 view at z17 ({} items in view)",
            in_view.len()
        ),
        time(200, |_| index.items_in(view)),
    );

    // Clicks at pseudo-random places in the view.
    let clicks: Vec<[f64; 2]> = (0..1000)
        .map(|i: u32| [f64::from((i * 7919) % 1400), f64::from((i * 104_729) % 800)])
        .collect();
    let query = |p: [f64; 2]| {
        let a = from_screen([p[0] - 14.0, p[1] - 14.0]);
        let b = from_screen([p[0] + 14.0, p[1] + 14.0]);
        [a.x, b.y, b.x, a.y]
    };
    let mut agree = 0;
    for p in &clicks {
        let fast = index.hit_test(&scene, query(*p), *p, 8.0, &to_screen);
        let slow = hit_test(&scene, *p, 8.0, &to_screen);
        agree += usize::from(fast == slow);
    }
    println!(
        "  (indexed and scanning hit-tests agree on {agree} of {} clicks)",
        clicks.len()
    );
    report(
        "hit-test one click through the index",
        time(1000, |i| {
            let p = clicks[i % clicks.len()];
            index.hit_test(&scene, query(p), p, 8.0, &to_screen)
        }),
    );
    report(
        "hit-test one click scanning every item (no index)",
        time(50, |i| {
            hit_test(&scene, clicks[i % clicks.len()], 8.0, &to_screen)
        }),
    );

    report(
        "snap the pointer (index query + vertex/edge search)",
        time(1000, |i| {
            let p = clicks[i % clicks.len()];
            let keys = index.items_in(query(p));
            let owned: Vec<Vec<Coord<f64>>> = keys
                .iter()
                .filter_map(|&k| scene.items.get(k))
                .map(|it| match &it.geometry {
                    sitewatch::scene::ItemGeometry::Point(c) => vec![*c],
                    sitewatch::scene::ItemGeometry::Line(l) => l.0.clone(),
                    sitewatch::scene::ItemGeometry::Polygon(p) => p.exterior().0.clone(),
                })
                .collect();
            let paths: Vec<SnapPath<'_>> = owned
                .iter()
                .map(|c| SnapPath {
                    coords: c,
                    closed: false,
                })
                .collect();
            snap(p, &paths, 8.0, &to_screen, &from_screen)
        }),
    );

    // Painting with egui: one frame's shapes for what is in view (labels capped), at site zoom
    // and zoomed out so all of them are in view.
    let ctx = egui::Context::default();
    sitewatch::ui::theme::install_fonts(&ctx);
    let input = || egui::RawInput {
        screen_rect: Some(egui::Rect::from_min_size(
            egui::Pos2::ZERO,
            egui::vec2(1400.0, 800.0),
        )),
        ..Default::default()
    };
    for (name, z) in [("z17", 17.0), ("z13, everything in view", 13.0)] {
        let mid = world_px_from_lonlat(center, z);
        let to_pos = |c: Coord<f64>| {
            let p = world_px_from_lonlat(c, z);
            egui::pos2((p.x - mid.x + 700.0) as f32, (p.y - mid.y + 400.0) as f32)
        };
        let a = lonlat_from_world_px(
            Coord {
                x: mid.x - 764.0,
                y: mid.y - 464.0,
            },
            z,
        );
        let b = lonlat_from_world_px(
            Coord {
                x: mid.x + 764.0,
                y: mid.y + 464.0,
            },
            z,
        );
        let shown = index.items_in([a.x, b.y, b.x, a.y]);
        let text = sitewatch::render::text::EpaintText::bundled();
        let frame = |_| {
            let mut out = ctx.run_ui(input(), |ui| {
                let painter = ui.painter();
                let to_px = |c: Coord<f64>| {
                    let p = to_pos(c);
                    [p.x, p.y]
                };
                let mut list = sitewatch::render::display_list::DisplayList::new([1400.0, 800.0]);
                sitewatch::render::lower::lower_scene(
                    &mut list,
                    &scene,
                    Some(&shown),
                    &to_px,
                    &text,
                    &[],
                    sitewatch::render::lower::LowerOptions {
                        scale: sitewatch::render::lower::style::Scale(0.45),
                        selection: true,
                    },
                );
                sitewatch::render::egui_paint::paint(
                    painter,
                    &list,
                    sitewatch::render::egui_paint::Placement {
                        origin: egui::Pos2::ZERO,
                        scale: 1.0,
                    },
                    &mut |_, _, _| {},
                );
            });
            out.textures_delta.clear();
            out.shapes.len()
        };
        let _ = frame(0);
        report(
            &format!(
                "egui frame painting the view at {name} ({} items)",
                shown.len()
            ),
            time(20, frame),
        );
    }

    // The side panel's list of what is visible (sorted by label; only the rows in view laid out).
    let mut inspector = sitewatch::ui::inspector::InspectorState::default();
    let panel = |_| {
        let mut out = ctx.run_ui(input(), |ui| {
            // A new order each run: the panel sorts as it does when the scene changes.
            let _ = sitewatch::ui::annotations::annotations_ui(
                ui,
                &sitewatch::ui::annotations::PanelView {
                    project: &project,
                    scene: &scene,
                    scene_version: 0,
                    selected: None,
                },
                &mut inspector,
                &mut sitewatch::ui::annotations::ListOrder::default(),
            );
        });
        out.textures_delta.clear();
    };
    report(
        &format!("egui frame of the annotation panel ({n} listed)"),
        time(20, panel),
    );

    // One frame of a vertex drag: the edit, the scene patch and the index update.
    let id = project.annotations[0].id.clone();
    report(
        "drag frame: move a vertex, patch scene + index",
        time(500, |i| {
            let a = project.annotations.iter_mut().find(|a| a.id == id).unwrap();
            let to = Coord {
                x: center.x + i as f64 * 1e-6,
                y: center.y,
            };
            a.shape = move_vertex(&a.shape, 0, to).unwrap();
            if let Some(k) = patch_annotation(&mut scene, &project, &id) {
                index.update(&scene, k);
            }
        }),
    );
}
