//! The loupe: Shift+L shows it beside the pointer over the map, + and − (or Alt with the wheel)
//! change its magnification without zooming the map, and its picture is the topmost raster's
//! own pixels, magnified as blocks.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns

mod common;

use egui::{Color32, Key, Modifiers, Pos2};
use egui_kittest::kittest::Queryable as _;
use geo::Coord;
use sitewatch::editing::Tool;
use sitewatch::imagery::raster::{OpenOptions, RasterTileSource};
use sitewatch::ui::loupe::{DEFAULT_MAGNIFICATION, LOUPE_PX, LoupeView, patch};

/// The raster's north-west corner and pixel size, degrees.
const TOP_LEFT: (f64, f64) = (130.63, 42.42);
const STEP: f64 = 0.0003;
const SIDE: u32 = 64;

fn raster(dir: &std::path::Path) -> RasterTileSource {
    let path = dir.join("scene.tif");
    let pattern = common::rasters::pattern(SIDE);
    common::rasters::rgb_geotiff(&path, SIDE, TOP_LEFT, STEP, None, &pattern);
    RasterTileSource::open(&path, &OpenOptions::default()).unwrap()
}

/// The centre of pixel (`col`, `row`).
fn pixel_centre(col: u32, row: u32) -> Coord<f64> {
    Coord {
        x: TOP_LEFT.0 + (f64::from(col) + 0.5) * STEP,
        y: TOP_LEFT.1 - (f64::from(row) + 0.5) * STEP,
    }
}

/// Runs of equal colour along the patch's middle row.
fn runs_across_the_middle(image: &egui::ColorImage) -> usize {
    let [w, h] = image.size;
    let row = &image.pixels[w * (h / 2)..w * (h / 2 + 1)];
    1 + row.windows(2).filter(|p| p[0] != p[1]).count()
}

#[test]
fn the_loupe_shows_the_rasters_own_pixels_as_blocks_at_its_magnification() {
    let dir = tempfile::tempdir().unwrap();
    let raster = raster(dir.path());
    let (col, row) = (20, 30);
    let view = |magnification| LoupeView {
        lonlat: pixel_centre(col, row),
        zoom: raster.native_zoom(),
        magnification,
    };
    let image = patch(&view(DEFAULT_MAGNIFICATION), &[&raster]);
    let [w, h] = image.size;
    // The sample just right of and below the centre lies in the pixel under the pointer.
    let at_centre = image.pixels[w * (h / 2) + w / 2];
    let i = ((row * SIDE + col) * 3) as usize;
    let want = common::rasters::pattern(SIDE)[i..i + 3].to_vec();
    assert_eq!(
        at_centre,
        Color32::from_rgb(want[0], want[1], want[2]),
        "the file's own colour of pixel {col}, {row}"
    );
    // At its native zoom ×4, the loupe's 160 points span 40 screen points: about 40 of the
    // raster's pixels across, each a block of samples.
    let runs4 = runs_across_the_middle(&image);
    assert!((25..=60).contains(&runs4), "{runs4} pixels across at ×4");
    let runs8 = runs_across_the_middle(&patch(&view(8), &[&raster]));
    assert!(
        runs8 * 3 < runs4 * 2,
        "×8 shows fewer, bigger pixels: {runs8} against {runs4}"
    );
}

#[test]
fn off_the_raster_the_loupe_shows_what_lies_under_it() {
    let dir = tempfile::tempdir().unwrap();
    let raster = raster(dir.path());
    // The pointer on the raster's west edge: the left half of the loupe is off it.
    let view = LoupeView {
        lonlat: Coord {
            x: TOP_LEFT.0,
            y: pixel_centre(0, 30).y,
        },
        zoom: raster.native_zoom(),
        magnification: 4,
    };
    let image = patch(&view, &[&raster]);
    let [w, h] = image.size;
    let middle = &image.pixels[w * (h / 2)..w * (h / 2 + 1)];
    assert!(
        middle[..w / 2 - 1]
            .iter()
            .all(|p| *p == Color32::TRANSPARENT)
    );
    assert!(middle[w / 2 + 1..].iter().all(|p| p.a() == 255));
}

#[test]
fn shift_l_shows_the_loupe_beside_the_pointer_and_plus_magnifies_it() {
    let mut h = common::window::ready_app();
    let map = h.state().map_view().unwrap().rect;
    let pointer = map.center();
    h.hover_at(pointer);
    h.run_steps(2);
    assert!(!h.state().loupe().is_on());
    assert_eq!(h.state().loupe().drawn(), None);

    h.key_press_modifiers(Modifiers::SHIFT, Key::L);
    h.run_steps(2);
    assert!(h.state().loupe().is_on());
    assert_eq!(
        h.state().tool(),
        Tool::Select,
        "Shift+L is not the line tool"
    );
    let drawn = h.state().loupe().drawn().expect("drawn beside the pointer");
    assert!((drawn.width() - LOUPE_PX).abs() < 0.5);
    assert!(!drawn.contains(pointer), "beside the pointer, not over it");
    assert!(drawn.distance_to_pos(pointer) < 60.0, "{drawn:?}");
    assert!(h.state().loupe().last_patch().is_some());

    h.key_press(Key::Plus);
    h.run_steps(2);
    assert_eq!(h.state().loupe().magnification(), DEFAULT_MAGNIFICATION + 1);
    let zoom = h.state().map_view().unwrap().zoom;
    for _ in 0..3 {
        h.event_modifiers(
            egui::Event::MouseWheel {
                unit: egui::MouseWheelUnit::Line,
                delta: egui::vec2(0.0, 1.0),
                phase: egui::TouchPhase::Move,
                source: egui::MouseWheelSource::Unknown,
                modifiers: Modifiers::ALT,
            },
            Modifiers::ALT,
        );
        h.run_steps(1);
    }
    h.run_steps(3);
    assert_eq!(h.state().loupe().magnification(), 8, "up to ×8 and no more");
    let after = h.state().map_view().unwrap().zoom;
    assert!(
        (after - zoom).abs() < 1e-9,
        "Alt+wheel is the loupe's: the map stays at zoom {zoom}, not {after}"
    );

    // Off the map, nothing; Shift+L again puts it away.
    h.hover_at(Pos2::new(map.left() - 30.0, map.center().y));
    h.run_steps(2);
    assert_eq!(h.state().loupe().drawn(), None);
    h.hover_at(pointer);
    h.key_press_modifiers(Modifiers::SHIFT, Key::L);
    h.run_steps(2);
    assert!(!h.state().loupe().is_on());
    assert_eq!(h.state().loupe().drawn(), None);
    h.key_press(Key::L);
    h.run_steps(2);
    assert_eq!(
        h.state().tool(),
        Tool::Line,
        "L alone is still the line tool"
    );
}

#[test]
fn view_loupe_turns_it_on_from_the_menu() {
    let mut h = common::window::ready_app();
    h.get_by_label("View").click_accesskit();
    h.run_steps(2);
    h.get_by_label("Loupe").click_accesskit();
    h.run_steps(2);
    assert!(h.state().loupe().is_on());
}
