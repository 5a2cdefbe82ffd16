//! The questions an import asks in the window: a CSV's columns (chosen where none can be
//! guessed, with a live count of the rows they place) and a Shapefile's text encoding.

#![allow(clippy::unwrap_used, reason = "test helpers fail loudly")]

mod common;

use std::path::PathBuf;

use common::window::{apply, ready_app as harness};
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT as _, Queryable as _};
use sitewatch::app::SitewatchApp;
use sitewatch::command::{Command, EditCommand, FileCommand};

/// Drops a file and draws the frames the dialog takes to open and settle its size.
fn drop_and_settle(h: &mut Harness<'_, SitewatchApp>, path: PathBuf) {
    common::window::drop_file(h, path);
    h.run_steps(6);
}

/// Opens a combo box by its label and picks an entry (the popup's entry, not the preview
/// table's header cell of the same text).
fn choose(h: &mut Harness<'_, SitewatchApp>, combo: &str, entry: &str) {
    h.get_by_label(combo).click();
    h.run_steps(2);
    let option = h
        .get_all_by_label(entry)
        .find(|n| n.accesskit_node().role() != egui::accesskit::Role::Label)
        .unwrap();
    option.click();
    h.run_steps(4);
}

fn import_enabled(h: &Harness<'_, SitewatchApp>) -> bool {
    !h.get_by_label("Import").accesskit_node().is_disabled()
}

#[test]
fn a_csv_whose_columns_cannot_be_guessed_imports_once_they_are_chosen() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("survey.csv");
    std::fs::write(
        &path,
        "site;north_deg;east_deg\nGate;42,4187;130,6412\nYard;42,4102;130,6498\nBad;x;130,6\n",
    )
    .unwrap();
    let mut h = harness();
    let before = h.state().project().annotations.len();
    drop_and_settle(&mut h, path);
    h.get_by_label("Import CSV: survey.csv");
    assert!(
        !import_enabled(&h),
        "nothing placed before the columns are chosen"
    );
    choose(&mut h, "Latitude / Y", "north_deg");
    choose(&mut h, "Longitude / X", "east_deg");
    h.get_by_label("2 placed, 1 skipped");
    assert!(import_enabled(&h));
    choose(&mut h, "Label", "site");
    h.get_by_label("Import").click();
    h.run_steps(2);
    h.state_mut().wait_for_file_work();
    h.run_steps(2);
    let project = h.state().project();
    assert_eq!(project.annotations.len(), before + 2);
    assert!(project.annotations.iter().any(|a| a.label == "Gate"));
    assert!(
        h.query_by_label("Import CSV: survey.csv").is_none(),
        "closed"
    );
    apply(&mut h, Command::Edit(EditCommand::Undo));
    assert_eq!(h.state().project().annotations.len(), before, "one step");
}

#[test]
fn cancelling_the_csv_dialog_imports_nothing() {
    let mut h = harness();
    let before = h.state().project().annotations.len();
    let path = std::fs::canonicalize("tests/fixtures/interchange/sites-excel.csv").unwrap();
    drop_and_settle(&mut h, path);
    h.get_by_label("Cancel").click();
    h.run_steps(3);
    h.state_mut().wait_for_file_work();
    assert_eq!(h.state().project().annotations.len(), before);
    assert!(h.query_by_label("Import").is_none());
}

#[test]
fn a_shapefile_in_an_unnamed_encoding_asks_which_and_imports_in_it() {
    let mut h = harness();
    // Read in the wrong encoding, Russian text turns into CJK ideographs the bundled fonts lack:
    // the window draws boxes for them (egui's default), as the user would see.
    h.ctx
        .set_missing_glyph_policy(egui::MissingGlyphPolicy::Tofu);
    let before = h.state().project().annotations.len();
    let path =
        std::fs::canonicalize("tests/fixtures/interchange/shapefile/cp1251-nocpg-points.shp")
            .unwrap();
    drop_and_settle(&mut h, path);
    h.state_mut().wait_for_file_work();
    h.run_steps(3);
    // Each offered encoding shows the first records as it reads them.
    h.get_by_label("Text encoding of cp1251-nocpg-points.shp");
    h.get_by_label("windows-1251").click();
    h.run_steps(2);
    h.state_mut().wait_for_file_work();
    h.run_steps(2);
    let project = h.state().project();
    assert_eq!(project.annotations.len(), before + 3);
    assert!(
        project.annotations.iter().any(|a| a
            .extra_properties
            .get("name:ru")
            .and_then(|v| v.as_str())
            == Some("Таможня")),
        "Russian text decoded"
    );
}

#[test]
fn a_plain_geojson_opened_as_a_project_is_offered_as_a_new_project_of_its_features() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sites.geojson");
    let text = r#"{"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": "Gate"},
         "geometry": {"type": "Point", "coordinates": [130.641, 42.418]}},
        {"type": "Feature", "properties": {"name": "Yard"},
         "geometry": {"type": "Point", "coordinates": [130.649, 42.410]}}]}"#;
    std::fs::write(&path, text).unwrap();
    let mut h = harness();
    apply(
        &mut h,
        Command::File(FileCommand::OpenProject(path.clone())),
    );
    h.run_steps(4);
    h.get_by_label("sites.geojson is not a Sitewatch project");
    h.get_by_label("New project with these features").click();
    h.run_steps(2);
    h.state_mut().wait_for_file_work();
    h.run_steps(2);
    let project = h.state().project();
    assert_eq!(project.name, "sites");
    let labels: Vec<&str> = project
        .annotations
        .iter()
        .map(|a| a.label.as_str())
        .collect();
    assert_eq!(labels, ["Gate", "Yard"]);
    assert!(
        h.state().is_dirty(),
        "unsaved until the user saves it somewhere"
    );
    assert_eq!(h.state().project_path(), None, "never bound to the GeoJSON");
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        text,
        "the file is untouched"
    );
}
