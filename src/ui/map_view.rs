//! The map: basemap tiles, the scene, and the overlays (scale bar, credits, notices, coordinates).

use egui::{Align2, Color32, FontId, Pos2, Rect, Stroke, Ui, pos2, vec2};
use geo::Coord;
use walkers::{Map, MapMemory, Position, Projector};

use super::map_edit::{EditView, MapEditor};
use super::theme::bold;
use crate::command::Command;
use crate::render::egui_scene::{paint_boxed_text, paint_scene_items};
use crate::render::egui_tiles::EguiTiles;
use crate::scene::Scene;
use crate::spatial::LonLatBox;
use crate::spatial::index::Bounds;
use crate::spatial::mercator::{meters_per_px, zoom_to_fit};
use crate::spatial::scale_bar::figure_scale_bar;

/// Accessible label of the back-to-site button.
pub const HOME_LABEL: &str = "Back to site";

/// What the map reports back each frame.
pub struct MapOutput {
    /// What the user asked for.
    pub commands: Vec<Command>,
    /// Lon/lat under the pointer.
    pub hover_lonlat: Option<Coord<f64>>,
    /// The map widget's response (focus, clicks).
    pub response: egui::Response,
}

/// The status line of the basemap layer: loading count or the last failure.
pub struct LayerLine {
    /// Layer name.
    pub name: String,
    /// Tiles still loading.
    pub loading: usize,
    /// Tiles that failed (and wait for their retry).
    pub failed: usize,
    /// The last failure's reason.
    pub last_error: Option<String>,
}

fn lonlat(p: Position) -> Coord<f64> {
    Coord { x: p.x(), y: p.y() }
}

/// Fits a box into the map rect (used for home and zoom-to-annotation).
pub fn fit(memory: &mut MapMemory, bbox: &LonLatBox, size: egui::Vec2) {
    // Leave a margin so the box does not touch the edges.
    let zoom = zoom_to_fit(bbox, (f64::from(size.x) * 0.9, f64::from(size.y) * 0.9)).min(19.0);
    let c = bbox.center();
    // An out-of-range zoom is clamped by the map; ignoring the error keeps the old zoom.
    let _ = memory.set_zoom(zoom);
    memory.center_at(walkers::lon_lat(c.x, c.y));
}

/// The lon/lat bounds of what the map shows (a little more, so lines leaving the view are kept).
fn view_bounds(projector: &Projector, rect: Rect) -> Bounds {
    let outer = rect.expand(64.0);
    let a = lonlat(projector.unproject(outer.left_top().to_vec2()));
    let b = lonlat(projector.unproject(outer.right_bottom().to_vec2()));
    [a.x.min(b.x), a.y.min(b.y), a.x.max(b.x), a.y.max(b.y)]
}

/// Draws the map, the scene (culled to the view) and its overlays, and lets the editor handle
/// the pointer.
#[allow(clippy::too_many_arguments)]
pub fn map_ui(
    ui: &mut Ui,
    tiles: Option<&mut EguiTiles>,
    imagery: Vec<(&mut EguiTiles, f32)>,
    memory: &mut MapMemory,
    home: &LonLatBox,
    scene: &Scene,
    px_scale: f32,
    layer: Option<&LayerLine>,
    editor: &mut MapEditor,
    view: &EditView<'_>,
) -> MapOutput {
    let mut commands = Vec::new();
    let home_center = home.center();
    let map = Map::new(
        tiles.map(|t| t as &mut dyn walkers::Tiles),
        memory,
        walkers::lon_lat(home_center.x, home_center.y),
    )
    .double_click_to_zoom(editor.double_click_zooms())
    .drag_pan_buttons(editor.pan_buttons());
    // Imagery layers over the basemap, bottom first, each at its opacity.
    let map = imagery
        .into_iter()
        .fold(map, |map, (layer, opacity)| map.with_layer(layer, opacity));
    let inner = map.show(ui, |ui, response, projector, _memory| {
        let painter = ui.painter().with_clip_rect(response.rect);
        let to_screen = |c: Coord<f64>| projector.project(walkers::lon_lat(c.x, c.y)).to_pos2();
        let in_view = view.index.items_in(view_bounds(projector, response.rect));
        let drawn = paint_scene_items(&painter, scene, &in_view, &to_screen, px_scale);
        editor.paint(&painter, projector, view);

        let hover = response
            .hover_pos()
            .map(|p| lonlat(projector.unproject(p.to_vec2())));
        commands.extend(editor.interact(ui, response, projector, view, &drawn));
        overlays(
            ui,
            &painter,
            response.rect,
            projector,
            scene,
            layer,
            &mut commands,
        );
        hover
    });
    if inner.response.clicked() || inner.response.drag_started() {
        inner.response.request_focus();
    }
    MapOutput {
        commands,
        hover_lonlat: inner.inner,
        response: inner.response,
    }
}

fn overlays(
    ui: &mut Ui,
    painter: &egui::Painter,
    rect: Rect,
    projector: &Projector,
    scene: &Scene,
    layer: Option<&LayerLine>,
    commands: &mut Vec<Command>,
) {
    let margin = 10.0;
    // Back to site, top-left.
    let button_rect = Rect::from_min_size(rect.min + vec2(margin, margin), vec2(120.0, 26.0));
    if ui
        .put(button_rect, egui::Button::new("⌂ Back to site"))
        .on_hover_text("Fit the map to the project's home view")
        .clicked()
    {
        commands.push(Command::GoHome);
    }

    // Notices, top-centre, never hidden.
    let mut y = rect.top() + margin;
    for notice in &scene.notices {
        let r = paint_boxed_text(
            painter,
            pos2(rect.center().x, y),
            Align2::CENTER_TOP,
            notice,
            bold(14.0),
            Color32::from_rgb(0xF0, 0xE4, 0x42),
        );
        y = r.bottom() + 4.0;
    }

    // Layer status, top-right.
    if let Some(layer) = layer {
        let text = if layer.failed > 0 {
            format!(
                "{}: {} tile(s) failed, retrying — {}",
                layer.name,
                layer.failed,
                layer.last_error.as_deref().unwrap_or("unknown error")
            )
        } else if layer.loading > 0 {
            format!("{}: loading {} tile(s)…", layer.name, layer.loading)
        } else {
            String::new()
        };
        if !text.is_empty() {
            let color = if layer.failed > 0 {
                Color32::LIGHT_RED
            } else {
                Color32::LIGHT_GRAY
            };
            paint_boxed_text(
                painter,
                pos2(rect.right() - margin, rect.top() + margin),
                Align2::RIGHT_TOP,
                &text,
                FontId::proportional(12.0),
                color,
            );
        }
    }

    // Credits, bottom-right, one line.
    if !scene.credits.is_empty() {
        paint_boxed_text(
            painter,
            pos2(rect.right() - margin, rect.bottom() - margin),
            Align2::RIGHT_BOTTOM,
            &scene.credits.join(" | "),
            FontId::proportional(12.0),
            Color32::WHITE,
        );
    }

    // Scale bar, bottom-left: a round length near 15 % of the width.
    let center = projector.unproject(rect.center().to_vec2());
    let mpp = meters_per_px(center.y(), projector.zoom());
    // The same rule as exported figures: the round length nearest 15 % of the width.
    if let Some(bar) = figure_scale_bar(mpp, f64::from(rect.width())) {
        paint_scale_bar(
            painter,
            pos2(rect.left() + margin + 8.0, rect.bottom() - margin - 10.0),
            bar.length_px as f32,
            &bar.label(),
        );
    }
}

/// Two black/white segments with a white casing and the length above.
fn paint_scale_bar(painter: &egui::Painter, left_bottom: Pos2, length_px: f32, label: &str) {
    let h = 6.0;
    let bar = Rect::from_min_size(left_bottom - vec2(0.0, h), vec2(length_px, h));
    painter.rect_filled(bar.expand(2.0), 1.0, Color32::WHITE);
    let half = length_px / 2.0;
    painter.rect_filled(
        Rect::from_min_size(bar.min, vec2(half, h)),
        0.0,
        Color32::BLACK,
    );
    painter.rect_filled(
        Rect::from_min_size(bar.min + vec2(half, 0.0), vec2(half, h)),
        0.0,
        Color32::WHITE,
    );
    painter.rect_stroke(
        bar,
        0.0,
        Stroke::new(1.0, Color32::BLACK),
        egui::StrokeKind::Inside,
    );
    paint_boxed_text(
        painter,
        bar.left_top() - vec2(2.0, 6.0),
        Align2::LEFT_BOTTOM,
        label,
        bold(13.0),
        Color32::WHITE,
    );
}
