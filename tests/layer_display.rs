//! A raster layer's bands and stretch are project data: saved with the layer, changed by an
//! undoable edit, and applied by the export.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns

mod common;

use std::path::Path;
use std::sync::Arc;

use chrono::NaiveDate;
use sitewatch::editing::{Edit, History};
use sitewatch::export::sources::ProjectLayerSources;
use sitewatch::export::{ExportOptions, render_figure};
use sitewatch::model::default_project::load_default_project;
use sitewatch::model::io::{parse, to_json_string};
use sitewatch::model::layer_display::{LayerBands, LayerDisplay, LayerStretch, Tone};
use sitewatch::model::project_file::empty_project;
use sitewatch::model::{ImageryLayer, Project};
use sitewatch::spatial::LonLatBox;

/// Red, green and blue of every pixel of the fixture raster (bands 1, 2, 3).
const RGB: [u8; 3] = [200, 60, 10];

/// A 3-band 8-bit GeoTIFF in EPSG:4326, one colour everywhere, well beyond the project's home.
fn one_colour_geotiff(path: &Path) {
    let samples: Vec<u8> = (0..64 * 64).flat_map(|_| RGB).collect();
    common::rasters::rgb_geotiff(path, 64, (130.58, 42.47), 0.002, None, &samples);
}

fn layer(display: Option<LayerDisplay>) -> ImageryLayer {
    ImageryLayer {
        name: "Scene".into(),
        display,
        ..common::file_layer("scene", Some("2025-07-05"), "")
    }
}

fn project(display: Option<LayerDisplay>) -> Project {
    let mut project = empty_project(&load_default_project().unwrap().project);
    project.home = LonLatBox::try_from([130.63, 42.40, 130.66, 42.42]).unwrap();
    project.layers.push(layer(display));
    project
}

fn swapped() -> LayerDisplay {
    LayerDisplay::new(LayerBands::Rgb([3, 2, 1]), LayerStretch::Full)
}

#[test]
fn a_layers_display_survives_saving_and_loading() {
    let stretched = LayerDisplay::new(
        LayerBands::Rgb([4, 3, 2]),
        LayerStretch::Percentile {
            low_pct: 2.0,
            high_pct: 98.0,
        },
    );
    let saved = project(Some(stretched.clone()));
    let text = to_json_string(&saved);
    let loaded = parse(&text, "round trip").unwrap().project;
    assert_eq!(loaded.layers[0].display, Some(stretched));
    assert_eq!(loaded, saved);
}

#[test]
fn a_layer_without_a_display_writes_none_and_old_files_load() {
    let text = to_json_string(&project(None));
    assert!(!text.contains("\"display\""), "{text}");
    let loaded = parse(&text, "old file").unwrap().project;
    assert_eq!(loaded.layers[0].display, None);
}

#[test]
fn undo_restores_the_previous_display() {
    let mut p = project(None);
    let mut history = History::new();
    let edit = Edit::SetLayerDisplay {
        id: "scene".into(),
        display: Some(Box::new(swapped())),
    };
    history.apply(&mut p, edit, None, 0.0).unwrap();
    assert_eq!(p.layers[0].display, Some(swapped()));
    assert!(history.is_dirty());
    history.undo(&mut p).unwrap().unwrap();
    assert_eq!(
        p.layers[0].display, None,
        "undo goes back to the file's own"
    );
    history.redo(&mut p).unwrap().unwrap();
    assert_eq!(p.layers[0].display, Some(swapped()));
}

fn centre_colour(project: &Project, dir: &Path) -> [u8; 3] {
    let options = ExportOptions {
        size_px: [320, 200],
        imagery: Some(Arc::new(ProjectLayerSources::without_cache(
            dir.to_path_buf(),
        ))),
        ..ExportOptions::default()
    };
    let date = NaiveDate::from_ymd_opt(2025, 8, 1).unwrap();
    let figure = render_figure(project, date, &options, &|_, _| true).unwrap();
    assert!(figure.layers_left_out.is_empty(), "the layer was drawn");
    let image = figure.to_rgba_image().unwrap();
    let p = image.get_pixel(image.width() / 2, image.height() / 2).0;
    [p[0], p[1], p[2]]
}

fn close(actual: [u8; 3], expected: [u8; 3]) -> bool {
    actual.iter().zip(expected).all(|(a, e)| a.abs_diff(e) <= 6)
}

#[test]
fn the_export_draws_a_layer_with_its_band_mapping() {
    let dir = tempfile::tempdir().unwrap();
    one_colour_geotiff(&dir.path().join("scene.tif"));
    let plain = centre_colour(&project(None), dir.path());
    assert!(close(plain, RGB), "bands 1-2-3: {plain:?}");
    let swapped = centre_colour(&project(Some(swapped())), dir.path());
    let [r, g, b] = RGB;
    assert!(
        close(swapped, [b, g, r]),
        "bands 3-2-1 swap red and blue: {swapped:?}"
    );
}

#[test]
fn the_export_draws_a_layer_with_its_brightness_contrast_and_gamma() {
    let dir = tempfile::tempdir().unwrap();
    one_colour_geotiff(&dir.path().join("scene.tif"));
    let toned = |tone: Tone| {
        let display =
            LayerDisplay::new(LayerBands::Rgb([1, 2, 3]), LayerStretch::Full).with_tone(tone);
        centre_colour(&project(Some(display)), dir.path())
    };
    // The curve the layer's tone makes, applied to the file's colour, is what the figure shows.
    for tone in [
        Tone {
            brightness: 0.2,
            ..Tone::default()
        },
        Tone {
            contrast: 2.0,
            ..Tone::default()
        },
        Tone {
            gamma: 2.0,
            ..Tone::default()
        },
    ] {
        let curve = tone.lut();
        let want = RGB.map(|v| curve[usize::from(v)]);
        let got = toned(tone);
        assert!(close(got, want), "{tone:?}: {got:?}, want {want:?}");
        assert!(!close(got, RGB), "{tone:?} changes the picture");
    }
    let saved = project(Some(
        LayerDisplay::new(LayerBands::Rgb([1, 2, 3]), LayerStretch::Full).with_tone(Tone {
            gamma: 1.5,
            ..Tone::default()
        }),
    ));
    let loaded = parse(&to_json_string(&saved), "round trip")
        .unwrap()
        .project;
    assert_eq!(loaded, saved, "the tone is saved with the layer");
}

mod window {
    use super::*;
    use egui_kittest::Harness;
    use sitewatch::app::{AppOptions, SitewatchApp};
    use sitewatch::command::{Command, EditCommand};
    use sitewatch::imagery::raster::{BandMapping, Display, Stretch};
    use sitewatch::model::io::{load, save_atomic};

    fn open(path: &Path) -> Harness<'static, SitewatchApp> {
        let loaded = load(path).unwrap();
        let path = path.to_path_buf();
        Harness::builder()
            .with_size(egui::vec2(1400.0, 900.0))
            .build_eframe(move |cc| {
                SitewatchApp::new(
                    cc,
                    AppOptions {
                        loaded,
                        project_path: Some(path),
                        date: Some(NaiveDate::from_ymd_opt(2025, 8, 1).unwrap()),
                        screenshot: None,
                        persist: false,
                    },
                )
            })
    }

    /// Steps frames until the raster has opened (on a worker thread) and shows `bands`.
    fn shows(h: &mut Harness<'static, SitewatchApp>, bands: BandMapping) -> bool {
        super::common::wait::frames_until(h, |h| {
            h.state().raster_display("scene").map(|d| d.bands) == Some(bands)
        })
    }

    fn apply(h: &mut Harness<'static, SitewatchApp>, command: Command) {
        let ctx = h.ctx.clone();
        h.state_mut().apply(&ctx, command);
        h.run_steps(2);
    }

    #[test]
    fn the_window_shows_a_raster_as_its_layer_says_and_follows_undo() {
        let dir = tempfile::tempdir().unwrap();
        one_colour_geotiff(&dir.path().join("scene.tif"));
        let path = dir.path().join("site.geojson");
        save_atomic(&project(Some(swapped())), &path).unwrap();
        let mut h = open(&path);
        assert!(
            shows(&mut h, BandMapping::Rgb([3, 2, 1])),
            "opened with the saved display"
        );
        assert_eq!(
            h.state().raster_display("scene"),
            Some(Display {
                bands: BandMapping::Rgb([3, 2, 1]),
                stretch: Stretch::Full
            })
        );

        apply(
            &mut h,
            Command::Edit(EditCommand::Apply {
                edit: Edit::SetLayerDisplay {
                    id: "scene".into(),
                    display: None,
                },
                coalesce: None,
            }),
        );
        assert!(shows(&mut h, BandMapping::Rgb([1, 2, 3])), "the file's own");
        assert!(h.state().is_dirty());
        apply(&mut h, Command::Edit(EditCommand::Undo));
        assert!(shows(&mut h, BandMapping::Rgb([3, 2, 1])), "undone");
        assert!(!h.state().is_dirty());
    }
}

#[test]
fn sitewatch_export_draws_the_saved_band_mapping() {
    let dir = tempfile::tempdir().unwrap();
    one_colour_geotiff(&dir.path().join("scene.tif"));
    let path = dir.path().join("site.geojson");
    sitewatch::model::io::save_atomic(&project(Some(swapped())), &path).unwrap();
    let out = dir.path().join("fig.png");
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_sitewatch"))
        .args(["export", path.to_str().unwrap(), "--date", "2025-08-01"])
        .args(["--size", "320x200", "--out", out.to_str().unwrap()])
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .output()
        .unwrap();
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    let image = image::open(&out).unwrap().to_rgb8();
    let centre = image.get_pixel(image.width() / 2, image.height() / 2).0;
    let [r, g, b] = RGB;
    assert!(close(centre, [b, g, r]), "bands 3-2-1: {centre:?}");
}
