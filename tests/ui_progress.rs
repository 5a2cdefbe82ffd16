//! The Progress window as a user opens it: View ▸ Progress chart…, one series and one legend
//! entry per measure, Export CSV… through the file dialog, tracking the selected annotation
//! (undoable), and measured values following an edit of the map.

#![allow(clippy::unwrap_used, reason = "test helpers fail loudly")]

mod common;

use std::sync::{Arc, Mutex};

use common::window::{FakePicker, apply, ready_app};
use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use geo::LineString;
use sitewatch::analysis::measures::measure_values;
use sitewatch::analysis::measures_csv::measures_csv;
use sitewatch::app::SitewatchApp;
use sitewatch::app::files::DialogPurpose;
use sitewatch::command::{Command, EditCommand, ViewCommand};
use sitewatch::editing::Edit;
use sitewatch::model::Shape;

fn open_progress(h: &mut Harness<'_, SitewatchApp>) {
    h.get_by_label("View").click();
    h.run_steps(2);
    h.get_by_label("Progress chart…").click();
    h.run_steps(4);
}

#[test]
fn the_view_menu_opens_the_chart_with_one_series_and_legend_entry_per_measure() {
    let mut h = ready_app();
    assert!(!h.state().progress_open());
    open_progress(&mut h);
    assert!(h.state().progress_open());
    let measures = h.state().project().measures.clone();
    assert_eq!(measures.len(), 10);
    assert_eq!(h.state().progress_series_drawn(), measures.len());
    for m in &measures {
        assert_eq!(
            h.get_all_by_role_and_label(Role::CheckBox, &m.name).count(),
            1,
            "legend entry of {}",
            m.name
        );
    }
    // The stage lines share one legend entry per panel (m, ha, piers).
    assert_eq!(
        h.get_all_by_role_and_label(Role::CheckBox, "Stages")
            .count(),
        3
    );
}

#[test]
fn export_csv_asks_for_a_file_and_writes_the_measures_there() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("progress.csv");
    let mut h = ready_app();
    let fake = Arc::new(FakePicker {
        answer: target.clone(),
        asked: Mutex::new(Vec::new()),
    });
    h.state_mut().set_file_picker(fake.clone());
    open_progress(&mut h);
    h.get_by_label("Export CSV…").click();
    // The dialog answers from its own thread; draw frames until its answer is applied.
    common::wait::frames_until(&mut h, |h| h.state().progress_status().is_some());
    assert_eq!(
        *fake.asked.lock().unwrap(),
        vec![DialogPurpose::MeasuresCsv]
    );
    let status = h.state().progress_status().unwrap().to_owned();
    let entries: usize = h
        .state()
        .project()
        .measures
        .iter()
        .map(|m| m.entries.len())
        .sum();
    assert_eq!(entries, 21, "the default project's entries");
    assert!(status.starts_with("Wrote 21 rows to "), "{status}");
    let text = std::fs::read_to_string(&target).unwrap();
    assert_eq!(text, measures_csv(h.state().project()).unwrap());
}

#[test]
fn tracking_the_selected_line_adds_a_series_and_undo_takes_it_away() {
    let mut h = ready_app();
    open_progress(&mut h);
    let before = h.state().project().measures.len();
    apply(
        &mut h,
        Command::View(ViewCommand::Select(Some("russian-access-road".into()))),
    );
    h.get_by_label("Track selected annotation").click();
    h.run_steps(3);
    assert_eq!(h.state().project().measures.len(), before + 1);
    assert_eq!(h.state().progress_series_drawn(), before + 1);
    let tracked = h.state().project().measures.last().unwrap().clone();
    assert_eq!(tracked.unit, "m");
    apply(&mut h, Command::Edit(EditCommand::Undo));
    assert_eq!(h.state().project().measures.len(), before);
    assert_eq!(h.state().progress_series_drawn(), before);
}

#[test]
fn a_measured_value_follows_a_vertex_moved_on_the_map() {
    let mut h = ready_app();
    open_progress(&mut h);
    let value = |h: &Harness<'_, SitewatchApp>| {
        let p = h.state().project();
        measure_values(p, p.measure("dprk-into-river").unwrap())
            .into_iter()
            .find_map(|v| {
                v.annotation_id
                    .eq("dprk-works-into-river")
                    .then_some(v.value)
            })
            .flatten()
            .unwrap()
    };
    let before = value(&h);
    let Shape::Line(line) = h
        .state()
        .project()
        .annotation("dprk-works-into-river")
        .unwrap()
        .shape
        .clone()
    else {
        panic!("a line")
    };
    // Double the line: its end moves as far again from its start.
    let (a, b) = (line.0[0], line.0[1]);
    let longer = LineString::from(vec![a, b, b + (b - a)]);
    apply(
        &mut h,
        Command::edit(Edit::SetShape {
            id: "dprk-works-into-river".into(),
            shape: Shape::Line(longer),
        }),
    );
    let after = value(&h);
    assert!((after / before - 2.0).abs() < 1e-3, "{before} → {after}");
    assert_eq!(
        h.state().progress_series_drawn(),
        10,
        "still drawn, no panic"
    );
}

#[test]
fn a_reported_value_is_typed_in_refused_when_its_date_is_bad_and_added_when_good() {
    let mut h = ready_app();
    open_progress(&mut h);
    let entries = |h: &Harness<'_, SitewatchApp>| h.state().project().measures[0].entries.len();
    let before = entries(&h);
    h.get_by_role_and_label(Role::TextInput, "Date").click();
    h.run_steps(1);
    h.get_by_role_and_label(Role::TextInput, "Date")
        .type_text("late 2025-13");
    h.get_by_role_and_label(Role::TextInput, "Value").click();
    h.run_steps(1);
    h.get_by_role_and_label(Role::TextInput, "Value")
        .type_text("300");
    h.run_steps(1);
    h.get_by_label("Add reported value").click();
    h.run_steps(2);
    assert_eq!(entries(&h), before, "a bad date adds nothing");
    assert!(h.query_by_label_contains("is not a date").is_some());

    h.get_by_role_and_label(Role::TextInput, "Date").click();
    h.run_steps(1);
    // The click put the cursor where it landed: go to the end, take back the month "13".
    h.key_press(egui::Key::End);
    h.run_steps(1);
    for _ in 0..2 {
        h.key_press(egui::Key::Backspace);
        h.run_steps(1);
    }
    h.get_by_role_and_label(Role::TextInput, "Date")
        .type_text("11");
    h.run_steps(1);
    h.get_by_label("Add reported value").click();
    h.run_steps(3);
    assert_eq!(entries(&h), before + 1);
    let added = h.state().project().measures[0]
        .entries
        .last()
        .unwrap()
        .clone();
    assert_eq!(added.date.to_string(), "late 2025-11");
    let sitewatch::model::EntryFrom::Reported { value, sources, .. } = added.from else {
        panic!("reported")
    };
    assert!((value - 300.0).abs() < f64::EPSILON);
    assert_eq!(sources.len(), 1, "cites the chosen source");
    apply(&mut h, Command::Edit(EditCommand::Undo));
    assert_eq!(entries(&h), before);
}
