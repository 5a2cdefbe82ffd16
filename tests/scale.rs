//! Ten thousand annotations: the spatial index finds exactly what scanning every item finds,
//! and a patched scene equals a rebuilt one. (Timings are in `benches/editing_scale.rs`.)

#![allow(clippy::unwrap_used, reason = "test helpers fail loudly")]

use geo::Coord;
use sitewatch::editing::geometry::move_vertex;
use sitewatch::editing::synthetic::scatter;
use sitewatch::model::FuzzyDate;
use sitewatch::model::default_project::load_default_project;
use sitewatch::scene::hit::hit_test;
use sitewatch::scene::index::SceneIndex;
use sitewatch::scene::{SceneOptions, build, patch_annotation};
use sitewatch::spatial::mercator::{lonlat_from_world_px, world_px_from_lonlat};

#[test]
fn the_index_finds_what_scanning_finds_among_ten_thousand_annotations() {
    let mut project = load_default_project().unwrap().project;
    let date = project.stages.last().unwrap().date.key();
    let center = project.home.center();
    project.annotations = scatter(&project, 10_000, center, 0.06, FuzzyDate::day(date));
    let scene = build(&project, date, &SceneOptions::default());
    assert_eq!(scene.items.len(), 10_000);
    let index = SceneIndex::new(&scene);

    let zoom = 16.0;
    let mid = world_px_from_lonlat(center, zoom);
    let to_screen = |c: Coord<f64>| {
        let p = world_px_from_lonlat(c, zoom);
        [p.x - mid.x, p.y - mid.y]
    };
    let from_screen = |p: [f64; 2]| {
        lonlat_from_world_px(
            Coord {
                x: p[0] + mid.x,
                y: p[1] + mid.y,
            },
            zoom,
        )
    };
    let mut hits = 0;
    for i in 0..400_u32 {
        let p = [
            f64::from((i * 7919) % 1200) - 600.0,
            f64::from((i * 104_729) % 800) - 400.0,
        ];
        let a = from_screen([p[0] - 14.0, p[1] - 14.0]);
        let b = from_screen([p[0] + 14.0, p[1] + 14.0]);
        let query = [a.x, b.y, b.x, a.y];
        let fast = index.hit_test(&scene, query, p, 8.0, &to_screen);
        let slow = hit_test(&scene, p, 8.0, &to_screen);
        assert_eq!(fast, slow, "click {i} at {p:?}");
        hits += usize::from(fast.is_some());
    }
    assert!(
        hits > 40,
        "the clicks land on something often enough to mean it ({hits})"
    );
}

#[test]
fn a_patched_scene_equals_a_rebuilt_one() {
    let mut project = load_default_project().unwrap().project;
    let date = project.stages.last().unwrap().date.key();
    let center = project.home.center();
    project.annotations = scatter(&project, 2_000, center, 0.06, FuzzyDate::day(date));
    let options = SceneOptions::default();
    let mut scene = build(&project, date, &options);
    let mut index = SceneIndex::new(&scene);
    for k in [0usize, 1, 2, 999] {
        let id = project.annotations[k].id.clone();
        let a = project.annotations.iter_mut().find(|a| a.id == id).unwrap();
        a.shape = move_vertex(
            &a.shape,
            0,
            Coord {
                x: center.x + 0.1,
                y: center.y + 0.1,
            },
        )
        .unwrap();
        a.label = format!("Moved {k}");
        let i = patch_annotation(&mut scene, &project, &id).unwrap();
        index.update(&scene, i);
        // The moved item is found where it went.
        let there = [
            center.x + 0.1,
            center.y + 0.1,
            center.x + 0.1,
            center.y + 0.1,
        ];
        assert!(index.items_in(there).contains(&i));
    }
    assert_eq!(scene, build(&project, date, &options));
}
