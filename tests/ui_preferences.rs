//! The Preferences window as a user opens it: View ▸ Preferences… counts the tile cache (here a
//! temporary folder, never the user's), the slider sets the cap every cache follows, and Clear
//! cache empties the folder and says how much it freed.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns

mod common;

use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use sitewatch::app::{Prefs, SitewatchApp};
use sitewatch::imagery::disk_cache::DiskCache;
use sitewatch::imagery::raster::memory_budget::{MemoryBudget, default_limit};
use sitewatch::ui::preferences::{
    CACHE_CAP_LABEL, CLEAR_CACHE_LABEL, MEMORY_BUDGET_LABEL, PREFERENCES_MENU_LABEL,
};

/// Draws frames until the window's count or clear has finished.
fn await_cache_job(h: &mut Harness<'_, SitewatchApp>) {
    let finished = common::wait::frames_until(h, |h| !h.state().preferences_busy());
    assert!(finished, "the cache work did not finish");
    h.run_steps(2);
}

#[test]
fn older_preferences_load_with_a_one_gib_cache_cap() {
    let prefs: Prefs = serde_json::from_str(r#"{"autosave_interval_s": 60}"#).unwrap();
    assert_eq!(prefs.tile_cache_max_bytes, 1 << 30);
    assert_eq!(prefs.imagery_memory_max_bytes, default_limit() as u64);
    assert!(default_limit() <= 1 << 30 && default_limit() > 0);
}

#[test]
fn preferences_set_the_cache_cap_and_clear_empties_the_cache_folder() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("tiles");
    let cache = DiskCache::new(root.clone(), DiskCache::DEFAULT_MAX_AGE);
    cache
        .put("https://tiles.example/1/0/0.png", &[7; 3000])
        .unwrap();
    cache
        .put("https://other.example/2/1/1.png", &[9; 5000])
        .unwrap();
    let stored = cache.size_bytes();
    assert!(stored >= 8000);

    let mut h = common::window::ready_app();
    h.state_mut().set_tile_cache_root(root.clone());
    assert_eq!(h.state().tile_cache_cap(), 1 << 30, "1 GiB by default");
    h.get_by_label("View").click_accesskit();
    h.run_steps(2);
    h.get_by_label(PREFERENCES_MENU_LABEL).click_accesskit();
    h.run_steps(2);
    assert!(h.state().preferences_open());
    await_cache_job(&mut h);
    assert_eq!(
        h.state().tile_cache_size(),
        Some(stored),
        "counted on opening"
    );
    assert!(
        h.query_by_label_contains(&root.display().to_string())
            .is_some(),
        "the folder is shown"
    );

    h.get_by_role_and_label(Role::Slider, CACHE_CAP_LABEL)
        .set_value_accesskit(256.0);
    h.run_steps(2);
    assert_eq!(h.state().tile_cache_cap(), 256 << 20);
    assert_eq!(
        DiskCache::shared_max_bytes(),
        256 << 20,
        "the caches follow"
    );
    assert_eq!(cache.max_bytes(), 256 << 20, "an open cache too");

    // The one budget of every layer's decoded pixels (this binary's only window sets it).
    assert!(
        h.query_by_label_contains("Decoded imagery held now")
            .is_some(),
        "what is held is shown"
    );
    h.get_by_role_and_label(Role::Slider, MEMORY_BUDGET_LABEL)
        .set_value_accesskit(300.0);
    h.run_steps(2);
    assert_eq!(h.state().imagery_memory_budget(), 300 << 20);
    assert_eq!(
        MemoryBudget::global().limit(),
        300 << 20,
        "open rasters follow"
    );

    h.get_by_label(CLEAR_CACHE_LABEL).click_accesskit();
    h.run_steps(1);
    await_cache_job(&mut h);
    assert_eq!(h.state().tile_cache_size(), Some(0));
    assert_eq!(cache.size_bytes(), 0);
    assert!(cache.get("https://tiles.example/1/0/0.png").is_none());
    assert!(
        h.query_by_label_contains("Freed").is_some(),
        "the window says what was freed"
    );
}
