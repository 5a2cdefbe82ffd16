//! The Preferences window: the tile cache's folder and size, its cap, and Clear cache; the
//! memory budget of decoded imagery.

use std::path::Path;

use egui::Ui;

use crate::command::{Command, PreferencesCommand};

/// The View menu entry that opens the window.
pub const PREFERENCES_MENU_LABEL: &str = "Preferences…";
/// Accessible label of the cap slider.
pub const CACHE_CAP_LABEL: &str = "Tile cache cap (MiB)";
/// Accessible label of the button that empties the cache.
pub const CLEAR_CACHE_LABEL: &str = "Clear cache";
/// Accessible label of the imagery memory slider.
pub const MEMORY_BUDGET_LABEL: &str = "Imagery memory (MiB)";
/// The memory budget's range, MiB: 128 MiB to 64 GiB.
const MEMORY_RANGE_MIB: std::ops::RangeInclusive<u64> = 128..=64 * 1024;
/// One mebibyte.
const MIB: u64 = 1024 * 1024;
/// The cap's range, MiB: 128 MiB to 16 GiB.
const CAP_RANGE_MIB: std::ops::RangeInclusive<u64> = 128..=16 * 1024;

/// What the window shows.
pub struct PreferencesView<'a> {
    /// The tile cache's folder; `None` where the platform has no cache folder.
    pub cache_root: Option<&'a Path>,
    /// Its size in bytes as last counted; `None` while counting.
    pub cache_size_bytes: Option<u64>,
    /// The cap, bytes.
    pub cap_bytes: u64,
    /// Whether a count or a clear is running.
    pub busy: bool,
    /// Bytes of decoded imagery allowed, all layers together.
    pub memory_budget_bytes: u64,
    /// Bytes of decoded imagery held now.
    pub memory_used_bytes: u64,
    /// What the last Clear said.
    pub said: Option<&'a str>,
}

/// A byte count for people: `812 KiB`, `3.4 MiB`, `1.0 GiB`.
#[must_use]
pub fn human_bytes(bytes: u64) -> String {
    #[allow(clippy::cast_precision_loss)] // shown with one decimal
    let value = bytes as f64;
    if bytes < 1024 {
        format!("{bytes} B")
    } else if bytes < MIB {
        format!("{:.0} KiB", value / 1024.0)
    } else if bytes < 1024 * MIB {
        format!("{:.1} MiB", value / (1024.0 * 1024.0))
    } else {
        format!("{:.1} GiB", value / (1024.0 * 1024.0 * 1024.0))
    }
}

/// The window's contents; returns what the user asked for.
pub fn preferences_ui(ui: &mut Ui, view: &PreferencesView<'_>) -> Vec<Command> {
    let mut out = memory_ui(ui, view);
    ui.separator();
    ui.heading("Tile cache");
    let Some(root) = view.cache_root else {
        ui.label("This system has no cache folder: tiles are not kept on disk.");
        return out;
    };
    ui.horizontal(|ui| {
        ui.label("Folder:");
        ui.monospace(root.display().to_string());
    });
    ui.horizontal(|ui| {
        ui.label("Size now:");
        match view.cache_size_bytes {
            Some(bytes) => ui.label(human_bytes(bytes)),
            None => ui.spinner(),
        };
    });
    let mut cap_mib = (view.cap_bytes / MIB).clamp(*CAP_RANGE_MIB.start(), *CAP_RANGE_MIB.end());
    let slider = egui::Slider::new(&mut cap_mib, CAP_RANGE_MIB)
        .logarithmic(true)
        .suffix(" MiB")
        .text(CACHE_CAP_LABEL);
    if ui
        .add(slider)
        .on_hover_text("The least recently used tiles are deleted past the cap")
        .changed()
    {
        out.push(PreferencesCommand::SetCacheCap(cap_mib * MIB).into());
    }
    ui.horizontal(|ui| {
        if ui
            .add_enabled(!view.busy, egui::Button::new(CLEAR_CACHE_LABEL))
            .on_hover_text("Delete every cached tile; they download again when shown")
            .clicked()
        {
            out.push(PreferencesCommand::ClearCache.into());
        }
        if let Some(said) = view.said {
            ui.label(said);
        }
    });
    out
}

/// The memory budget of decoded imagery: what is held now, and the slider that sets it.
fn memory_ui(ui: &mut Ui, view: &PreferencesView<'_>) -> Vec<Command> {
    let mut out = Vec::new();
    ui.heading("Imagery memory");
    ui.label(format!(
        "Decoded imagery held now, all layers: {}",
        human_bytes(view.memory_used_bytes)
    ));
    let mut mib =
        (view.memory_budget_bytes / MIB).clamp(*MEMORY_RANGE_MIB.start(), *MEMORY_RANGE_MIB.end());
    let slider = egui::Slider::new(&mut mib, MEMORY_RANGE_MIB)
        .logarithmic(true)
        .suffix(" MiB")
        .text(MEMORY_BUDGET_LABEL);
    if ui
        .add(slider)
        .on_hover_text(
            "Past it, the tiles of streamed files drawn least recently are dropped (read again \
             when shown), and a file decoded whole keeps the rest in a temporary file",
        )
        .changed()
    {
        out.push(PreferencesCommand::SetMemoryBudget(mib * MIB).into());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::human_bytes;

    #[test]
    fn byte_counts_read_in_binary_units() {
        assert_eq!(human_bytes(0), "0 B");
        assert_eq!(human_bytes(2048), "2 KiB");
        assert_eq!(human_bytes(3 * 1024 * 1024 + 400 * 1024), "3.4 MiB");
        assert_eq!(human_bytes(1 << 30), "1.0 GiB");
    }
}
