//! The window's comparison stretches the compared rasters as one: two 16-bit captures of one
//! ground at different gains get one shared look, B matched to A, or each its own, as the
//! comparison bar's choice says.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns

mod common;

use egui_kittest::Harness;
use sitewatch::app::SitewatchApp;
use sitewatch::command::{Command, CompareCommand, CompareMode, CompareStretch, ImageryCommand};

use common::window::apply;

/// Steps the window until both layers are open (the files decode on a worker).
fn until_open(h: &mut Harness<'static, SitewatchApp>, ids: &[String]) {
    let open = common::wait::frames_until(h, |h| {
        ids.iter().all(|id| h.state().raster_display(id).is_some())
    });
    assert!(open, "the layers did not open");
    h.run_steps(3);
}

#[test]
fn the_window_stretches_compared_rasters_as_one_matched_or_each_its_own() {
    let dir = tempfile::tempdir().unwrap();
    let (july, october) = (
        dir.path().join("2025-07-05.tif"),
        dir.path().join("2025-10-14.tif"),
    );
    let (size, corner, step) = ((64, 16), (130.63, 42.42), 0.0004);
    common::rasters::gray16_gradient(&july, size, corner, step, |x| 1000.0 + 1000.0 * x);
    common::rasters::gray16_gradient(&october, size, corner, step, |x| 2000.0 * x);
    let mut h = common::window::ready_app();
    apply(
        &mut h,
        Command::Imagery(ImageryCommand::AddLayerFiles(vec![july, october])),
    );
    let layers = &h.state().project().layers;
    let ids: Vec<String> = layers[layers.len() - 2..]
        .iter()
        .map(|l| l.id.clone())
        .collect();
    apply(
        &mut h,
        Command::Compare(CompareCommand::PinA(Some(common::day(2025, 7, 5)))),
    );
    apply(
        &mut h,
        Command::Compare(CompareCommand::SetMode(CompareMode::Swipe)),
    );
    until_open(&mut h, &ids);
    let look =
        |h: &Harness<'static, SitewatchApp>, i: usize| h.state().compare_look(&ids[i]).cloned();
    // Shared by default: one look for both.
    let (a, b) = (look(&h, 0), look(&h, 1));
    assert!(a.is_some() && a == b, "{a:?} {b:?}");
    apply(
        &mut h,
        Command::Compare(CompareCommand::SetStretch(CompareStretch::Matched)),
    );
    assert!(look(&h, 0).is_none(), "A is the reference: its own stretch");
    assert!(look(&h, 1).unwrap().matched.is_some(), "B is matched to A");
    apply(
        &mut h,
        Command::Compare(CompareCommand::SetStretch(CompareStretch::Own)),
    );
    assert!(look(&h, 0).is_none() && look(&h, 1).is_none());
    // Off: nothing compared, each its own.
    apply(
        &mut h,
        Command::Compare(CompareCommand::SetStretch(CompareStretch::Shared)),
    );
    assert!(look(&h, 1).is_some());
    apply(
        &mut h,
        Command::Compare(CompareCommand::SetMode(CompareMode::Off)),
    );
    assert!(look(&h, 0).is_none() && look(&h, 1).is_none());
}
