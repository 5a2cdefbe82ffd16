//! Scrubbing the time slider redoes only what a day changes: a step that shows the same
//! annotations, layers and stage as the day before moves the scene's date and the comparison's
//! tags, and builds, lowers and tessellates nothing of the map; a step that shows a new
//! annotation draws it. Counted, not timed (the frame benchmark times it).
#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns

mod common;

use chrono::NaiveDate;
use egui_kittest::Harness;
use sitewatch::app::SitewatchApp;
use sitewatch::command::{Command, CompareCommand, CompareMode, TimeCommand};
use sitewatch::editing::synthetic::scatter;
use sitewatch::model::date::display_day_upper;
use sitewatch::model::default_project::load_default_project;
use sitewatch::model::{FuzzyDate, Project};
use sitewatch::scene::{SceneOptions, scene_shows};

/// The window on `project` at `date`, with every layer opened.
fn harness(project: Project, date: NaiveDate) -> Harness<'static, SitewatchApp> {
    let mut loaded = load_default_project().unwrap();
    loaded.project = project;
    let mut h = common::app_with(loaded, date, 1400.0, 900.0);
    common::settle_layers(&mut h);
    h
}

fn apply(h: &mut Harness<'_, SitewatchApp>, command: Command) {
    let ctx = h.ctx.clone();
    h.state_mut().apply(&ctx, command);
    h.run_steps(1);
}

fn scrub_to(h: &mut Harness<'_, SitewatchApp>, date: NaiveDate) {
    apply(h, Command::Time(TimeCommand::SetDate(date)));
    common::settle_layers(h);
}

/// Two following days in the default project between which nothing shown changes.
fn quiet_step(project: &Project) -> (NaiveDate, NaiveDate) {
    let options = SceneOptions::default();
    let mut day = common::day(2025, 3, 1);
    loop {
        let next = day.succ_opt().unwrap();
        if scene_shows(project, day, &options) == scene_shows(project, next, &options) {
            return (day, next);
        }
        day = next;
    }
}

/// The counters of work a frame can do: scene builds (B and A), lowerings, compositions.
fn work(h: &Harness<'_, SitewatchApp>) -> [u64; 4] {
    let app = h.state();
    [
        app.scene_builds(),
        app.compare_scene_builds(),
        app.list_lowerings(),
        app.list_compositions(),
    ]
}

/// The text of every text run in the map's list.
fn texts(h: &Harness<'_, SitewatchApp>) -> Vec<String> {
    h.state()
        .display_list()
        .text_runs()
        .map(|r| r.text.clone())
        .collect()
}

#[test]
fn a_day_step_that_shows_nothing_new_builds_lowers_and_tessellates_nothing() {
    let project = load_default_project().unwrap().project;
    let (day, next) = quiet_step(&project);
    let mut h = harness(project, day);
    let before = work(&h);
    scrub_to(&mut h, next);
    assert_eq!(work(&h), before, "{day} → {next}: the map shows the same");
    assert_eq!(
        h.state_mut().scene().date,
        next,
        "the scene moved to the day"
    );
}

#[test]
fn swipe_scrubbing_keeps_both_sides_and_moves_only_the_tags() {
    let project = load_default_project().unwrap().project;
    let (day, next) = quiet_step(&project);
    let mut h = harness(project, day);
    apply(
        &mut h,
        Command::Compare(CompareCommand::SetMode(CompareMode::Swipe)),
    );
    common::settle_layers(&mut h);
    let before = work(&h);
    let label = display_day_upper;
    assert!(
        texts(&h).iter().any(|t| t.contains(&label(day))),
        "{:?}",
        texts(&h)
    );
    scrub_to(&mut h, next);
    assert_eq!(
        work(&h),
        before,
        "{day} → {next}: neither side is built, lowered or composed again"
    );
    assert!(
        texts(&h)
            .iter()
            .any(|t| t.starts_with("B · ") && t.contains(&label(next))),
        "B's tag names the new day: {:?}",
        texts(&h)
    );
}

#[test]
fn side_by_side_scrubbing_keeps_the_panes_and_moves_only_the_tags() {
    let project = load_default_project().unwrap().project;
    let (day, next) = quiet_step(&project);
    let mut h = harness(project, day);
    apply(
        &mut h,
        Command::Compare(CompareCommand::SetMode(CompareMode::SideBySide)),
    );
    common::settle_layers(&mut h);
    let before = work(&h);
    scrub_to(&mut h, next);
    assert_eq!(work(&h), before, "{day} → {next}: the panes are kept");
    let label = display_day_upper(next);
    assert!(
        texts(&h)
            .iter()
            .any(|t| t.starts_with("B · ") && t.contains(&label)),
        "B's pane tag names the new day: {:?}",
        texts(&h)
    );
}

#[test]
fn a_day_step_that_shows_a_new_annotation_draws_it() {
    let mut project = load_default_project().unwrap().project;
    let (day, next) = quiet_step(&project);
    // An area seen from `next` on, at the middle of the site.
    let mut new = scatter(
        &project,
        1,
        project.home.center(),
        0.0,
        FuzzyDate::day(next),
    );
    let area = new.remove(0);
    let id = area.id.clone();
    assert!(project.annotation(&id).is_none(), "a new id");
    project.annotations.push(area);
    let mut h = harness(project, day);
    let ops = |h: &Harness<'_, SitewatchApp>| h.state().display_list().ops.len();
    let (lowered, drawn) = (h.state().list_lowerings(), ops(&h));
    assert!(!h.state_mut().scene().item_ids().contains(&id.as_str()));
    scrub_to(&mut h, next);
    assert!(
        h.state_mut().scene().item_ids().contains(&id.as_str()),
        "the area is in the scene on {next}"
    );
    assert!(
        h.state().list_lowerings() > lowered,
        "the map is lowered again"
    );
    assert!(ops(&h) > drawn, "and drawn: nothing else changed that day");
    let meshes = h.state().list_meshes().unwrap();
    assert!(
        meshes.tessellated_runs() < meshes.runs(),
        "what did not change is taken from the last meshes: {} of {} runs tessellated",
        meshes.tessellated_runs(),
        meshes.runs()
    );
}
