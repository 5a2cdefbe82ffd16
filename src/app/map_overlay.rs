//! Window-only overlays on the map (change candidates, search footprints): a display list of the
//! window's own, lowered in the map's pixels and painted clipped to it, so no export draws them.

use geo::Coord;

use crate::render::display_list::DisplayList;
use crate::render::egui_paint::{self, Placement};
use crate::spatial::mercator::world_px_from_lonlat;
use crate::ui::map_edit::MapView;

/// Lowers an overlay with `lower` (given the list and lon/lat → map pixels) and paints it over
/// the map at `view`, clipped to `map`.
pub(crate) fn paint_map_overlay(
    ui: &egui::Ui,
    map: egui::Rect,
    view: &MapView,
    lower: impl FnOnce(&mut DisplayList, &dyn Fn(Coord<f64>) -> [f32; 2]),
) {
    let centre = world_px_from_lonlat(view.center, view.zoom);
    let half = [view.rect.width() / 2.0, view.rect.height() / 2.0];
    let to_px = |c: Coord<f64>| {
        let w = world_px_from_lonlat(c, view.zoom);
        [
            (w.x - centre.x) as f32 + half[0],
            (w.y - centre.y) as f32 + half[1],
        ]
    };
    let mut list = DisplayList::new([view.rect.width(), view.rect.height()]);
    lower(&mut list, &to_px);
    let place = Placement {
        origin: view.rect.min,
        scale: 1.0,
    };
    egui_paint::paint(
        &ui.painter().with_clip_rect(map),
        &list,
        place,
        &mut |_, _, _| {},
    );
}
