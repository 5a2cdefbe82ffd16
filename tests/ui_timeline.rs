//! The window, driven through its accessible labels: stepping and jumping stages changes the
//! listed annotations exactly as the timeline says.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns

mod common;

use chrono::NaiveDate;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT as _, Queryable as _};
use sitewatch::app::SitewatchApp;
use sitewatch::model::Project;
use sitewatch::model::default_project::load_default_project;
use sitewatch::model::timeline::visible_annotations;
use sitewatch::ui::annotations::entry_label;
use sitewatch::ui::timeline::{NEXT_LABEL, PREVIOUS_LABEL, tick_label};

fn harness(date: NaiveDate) -> Harness<'static, SitewatchApp> {
    common::default_app(date, 1500.0, 2400.0)
}

/// The annotation entries the side panel lists, sorted.
fn listed(h: &Harness<'_, SitewatchApp>) -> Vec<String> {
    let mut labels: Vec<String> = h
        .query_all_by_label_contains("Annotation: ")
        .filter_map(|n| n.accesskit_node().label())
        .collect();
    labels.sort();
    labels
}

/// What the timeline says should be listed at the app's current date.
fn expected(project: &Project, date: NaiveDate) -> Vec<String> {
    let mut labels: Vec<String> = visible_annotations(project, date)
        .map(entry_label)
        .collect();
    labels.sort();
    labels
}

fn settle(h: &mut Harness<'_, SitewatchApp>) {
    h.run_steps(4);
}

#[test]
fn stepping_through_the_stages_lists_what_the_timeline_says() {
    let project = load_default_project().unwrap().project;
    let first = project.stages.first().unwrap().date.key();
    let mut h = harness(first);
    settle(&mut h);
    assert_eq!(h.state().date(), first);
    assert_eq!(listed(&h), expected(&project, first));

    let mut seen_counts = Vec::new();
    for stage in project.stages.iter().skip(1) {
        h.get_by_label(NEXT_LABEL).click();
        settle(&mut h);
        let date = h.state().date();
        assert_eq!(
            date,
            stage.date.key(),
            "Next stage lands on {}",
            stage.title
        );
        let listed_now = listed(&h);
        assert_eq!(listed_now, expected(&project, date), "at {date}");
        seen_counts.push(listed_now.len());
    }
    assert!(
        seen_counts.windows(2).any(|w| w[0] != w[1]),
        "the list changes across the stages: {seen_counts:?}"
    );

    h.get_by_label(PREVIOUS_LABEL).click();
    settle(&mut h);
    let before_last = project.stages.iter().rev().nth(1).unwrap().date.key();
    assert_eq!(h.state().date(), before_last);
    assert_eq!(listed(&h), expected(&project, before_last));
}

#[test]
fn clicking_a_stage_tick_jumps_to_its_date() {
    let project = load_default_project().unwrap().project;
    let last = project.stages.last().unwrap().date.key();
    let mut h = harness(last);
    settle(&mut h);
    let (index, target) = project
        .stages
        .iter()
        .enumerate()
        .find(|(_, s)| s.date.key().to_string() == "2025-10-14")
        .expect("the October 2025 imagery stage");
    let label = tick_label(index, &target.date.display_upper(), &target.title);
    h.get_by_label(&label).click();
    settle(&mut h);
    assert_eq!(h.state().date(), target.date.key());
    assert_eq!(listed(&h), expected(&project, target.date.key()));
}

#[test]
fn arrow_keys_step_between_stages_when_nothing_else_has_focus() {
    let project = load_default_project().unwrap().project;
    let first = project.stages.first().unwrap().date.key();
    let second = project.stages.get(1).unwrap().date.key();
    let mut h = harness(first);
    settle(&mut h);
    h.key_press(egui::Key::ArrowRight);
    settle(&mut h);
    assert_eq!(h.state().date(), second);
    h.key_press(egui::Key::ArrowLeft);
    settle(&mut h);
    assert_eq!(h.state().date(), first);
}

#[test]
fn space_plays_and_pauses() {
    let project = load_default_project().unwrap().project;
    let first = project.stages.first().unwrap().date.key();
    let mut h = harness(first);
    settle(&mut h);
    h.key_press(egui::Key::Space);
    settle(&mut h);
    assert!(h.state().is_playing());
    h.key_press(egui::Key::Space);
    settle(&mut h);
    assert!(!h.state().is_playing());
}

#[test]
fn clicking_a_listed_annotation_selects_it() {
    let project = load_default_project().unwrap().project;
    let last = project.stages.last().unwrap().date.key();
    let mut h = harness(last);
    settle(&mut h);
    let target = visible_annotations(&project, last)
        .next()
        .expect("something is visible");
    h.get_by_label(&entry_label(target)).click();
    settle(&mut h);
    assert_eq!(h.state().selected(), Some(target.id.as_str()));
}

#[test]
fn a_failed_open_keeps_the_current_project_and_shows_the_error() {
    let project = load_default_project().unwrap().project;
    let mut h = harness(project.stages.first().unwrap().date.key());
    settle(&mut h);
    let ctx = h.ctx.clone();
    h.state_mut().apply(
        &ctx,
        sitewatch::command::Command::File(sitewatch::command::FileCommand::OpenProject(
            "/no/such/project.geojson".into(),
        )),
    );
    // The file is read on a worker: take its answer in the frames that follow.
    h.state_mut().wait_for_file_work();
    settle(&mut h);
    assert_eq!(h.state().project(), &project);
    let messages = h.state().messages().join("\n");
    assert!(messages.contains("/no/such/project.geojson"), "{messages}");
    assert!(
        h.query_by_label_contains("/no/such/project.geojson")
            .is_some(),
        "shown in the window"
    );
}

/// Moves the slider to `date` and draws a few frames.
fn scrub_to(h: &mut Harness<'_, SitewatchApp>, date: NaiveDate) {
    let ctx = h.ctx.clone();
    h.state_mut().apply(
        &ctx,
        sitewatch::command::Command::Time(sitewatch::command::TimeCommand::SetDate(date)),
    );
    h.run_steps(3);
}

#[test]
fn scrubbing_redraws_the_map_only_when_what_it_shows_changes() {
    let start = NaiveDate::from_ymd_opt(2025, 10, 14).unwrap();
    let mut h = harness(start);
    h.run_steps(4);
    // Two days a day apart where the map's content is the same, and a day where it changes.
    let same = |a: &sitewatch::scene::Scene, b: &sitewatch::scene::Scene| {
        a.items == b.items && a.labels == b.labels && a.layers == b.layers && a.credits == b.credits
    };
    let mut scenes = (0..400).map(|d| {
        let date = start + chrono::Days::new(d);
        let scene = sitewatch::scene::build(
            h.state().project(),
            date,
            &sitewatch::scene::SceneOptions::default(),
        );
        (date, scene)
    });
    let (mut quiet, mut change) = (None, None);
    let mut last = scenes.next().unwrap();
    for next in scenes {
        if same(&last.1, &next.1) {
            quiet.get_or_insert((last.0, next.0));
        } else {
            change.get_or_insert((last.0, next.0));
        }
        last = next;
    }
    let (quiet, change) = (quiet.unwrap(), change.unwrap());

    scrub_to(&mut h, quiet.0);
    // Layers opening on their workers change what is drawn: wait until none is.
    common::settle_layers(&mut h);
    let before = h.state().list_lowerings();
    scrub_to(&mut h, quiet.1);
    assert_eq!(
        h.state().list_lowerings(),
        before,
        "{} → {}: nothing on the map changed",
        quiet.0,
        quiet.1
    );
    scrub_to(&mut h, change.0);
    let before = h.state().list_lowerings();
    scrub_to(&mut h, change.1);
    assert!(
        h.state().list_lowerings() > before,
        "{change:?} changes the map"
    );

    // With the figure frame on, the date and caption are on the map: every day redraws.
    let ctx = h.ctx.clone();
    h.state_mut().apply(
        &ctx,
        sitewatch::command::Command::View(sitewatch::command::ViewCommand::ToggleFigureFrame),
    );
    scrub_to(&mut h, quiet.0);
    let before = h.state().list_lowerings();
    scrub_to(&mut h, quiet.1);
    assert!(h.state().list_lowerings() > before);
}
