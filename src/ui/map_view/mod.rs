//! The map: basemap tiles, imagery layers, and the display list of the scene with the figure's
//! furniture, plus the window's own aids (back to site, tile status) and the figure frame.

use egui::{Align2, Color32, FontId, Rect, Ui, pos2, vec2};
use geo::Coord;
use walkers::{Map, MapMemory, Position};

use super::map_edit::{EditView, MapEditor};
use crate::command::{Command, CompareCommand, ViewCommand};
use crate::imagery::tile_cover::MapView;
use crate::render::display_list::ImageryOp;
use crate::render::egui_paint::{self, Placement};
use crate::render::egui_tiles::EguiTiles;
use crate::render::lower::compare;
use crate::render::text::EpaintText;
use crate::scene::Scene;
use crate::spatial::LonLatBox;
use crate::spatial::mercator::zoom_to_fit;
use crate::ui::list_mesh::ListMeshes;

mod compare_content;
mod compose;
mod lists;

pub use compare_content::{CompareContent, CompareDraw, DateContent, PaneContent};
pub use lists::ListCache;
use lists::{Frame, Side};

/// Accessible label of the back-to-site button.
pub const HOME_LABEL: &str = "Back to site";

/// The window's furniture scale: text a little smaller than a 1920 px figure's.
const WINDOW_FURNITURE_SCALE: f32 = 0.6;
/// The figure width label offsets are stored at.
const FIGURE_WIDTH_PX: f32 = 1920.0;
/// Space kept around the figure frame.
const FRAME_MARGIN: f32 = 24.0;
/// Half the width of the swipe divider's grip on screen.
const DIVIDER_GRIP_PX: f32 = 8.0;
/// Between side-by-side panes.
const PANE_GUTTER_PX: f32 = 4.0;
/// The height of the window's button row along the map's top edge (tags go below it).
const AIDS_ROW_PX: f32 = 44.0;
/// The imagery op id of the basemap, which panes draw themselves (no project layer id starts
/// with a control character).
pub const BASEMAP_OP_ID: &str = "\u{1}basemap";

/// A label as drawn on screen: which annotation, and where its box is.
#[derive(Clone, Debug)]
pub struct DrawnLabel {
    /// Annotation id.
    pub id: String,
    /// Screen rect of the label box.
    pub rect: Rect,
    /// Screen position of what it labels.
    pub anchor: egui::Pos2,
    /// Screen pixels per stored label-offset pixel (offsets are 1920 px figure pixels).
    pub unit_px: f32,
}

/// The export's figure, shown on the map (View ▸ Figure frame).
#[derive(Clone, Debug, PartialEq)]
pub struct FigureFrame {
    /// The figure's size in pixels.
    pub size_px: [u32; 2],
    /// Title above the date.
    pub title: Option<String>,
    /// Draw the north arrow.
    pub north_arrow: bool,
    /// Draw the lat/lon grid.
    pub grid: bool,
}

/// What the map reports back each frame.
pub struct MapOutput {
    /// What the user asked for.
    pub commands: Vec<Command>,
    /// Lon/lat under the pointer.
    pub hover_lonlat: Option<Coord<f64>>,
    /// The map widget's response (focus, clicks).
    pub response: egui::Response,
    /// The figure frame's box on the map, when it is shown (an export of the view takes it).
    pub frame_box: Option<LonLatBox>,
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

/// What the map draws besides the tiles.
pub struct MapContent<'a> {
    /// The scene.
    pub scene: &'a Scene,
    /// The scene's version: it changes whenever the scene does.
    pub scene_version: u64,
    /// Label and line scale relative to the 1920 px figure.
    pub px_scale: f32,
    /// The basemap's loading line.
    pub layer: Option<&'a LayerLine>,
    /// The figure frame, when shown.
    pub frame: Option<&'a FigureFrame>,
    /// The text measurer.
    pub text: &'a EpaintText,
    /// The imagery layers shown, bottom first, with their opacities.
    pub imagery: &'a [(String, f32)],
    /// Date A, when comparing.
    pub compare: Option<&'a CompareContent<'a>>,
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

/// The largest rect of the figure's aspect inside the map, with a margin.
fn frame_rect(map: Rect, size_px: [u32; 2]) -> Rect {
    let inner = map.shrink(FRAME_MARGIN);
    let aspect = size_px[0] as f32 / size_px[1].max(1) as f32;
    let (w, h) = if inner.width() / inner.height().max(1.0) > aspect {
        (inner.height() * aspect, inner.height())
    } else {
        (inner.width(), inner.width() / aspect)
    };
    Rect::from_center_size(inner.center(), vec2(w, h))
}

/// The divider's handle on screen: dragging it moves the divider (a fraction of the list's
/// width). Returns the new fraction while dragged.
fn divider_handle(ui: &Ui, side: &Side, draw: CompareDraw) -> Option<f32> {
    let CompareDraw::Swipe { divider } = draw else {
        return None;
    };
    let width = side.list.size_px[0].max(1.0);
    let x = side.place.at([compare::divider_px(width, divider), 0.0]).x;
    let clip = side.clip?;
    let grip = Rect::from_x_y_ranges(
        (x - DIVIDER_GRIP_PX)..=(x + DIVIDER_GRIP_PX),
        clip.y_range(),
    );
    let response = ui
        .interact(
            grip,
            egui::Id::unique("sitewatch-swipe-divider"),
            egui::Sense::drag(),
        )
        .on_hover_cursor(egui::CursorIcon::ResizeHorizontal)
        .on_hover_text("Drag to move the divider (S turns the swipe off)");
    let pointer = response
        .interact_pointer_pos()
        .filter(|_| response.dragged())?;
    Some(((pointer.x - side.place.origin.x) / (width * side.place.scale)).clamp(0.0, 1.0))
}

/// Draws the map, the display list and the window's aids, and lets the editor handle the
/// pointer.
#[allow(clippy::too_many_arguments)] // the map's parts are the app's separate fields
pub fn map_ui(
    ui: &mut Ui,
    tiles: Option<&mut EguiTiles>,
    imagery: Vec<(&str, &mut EguiTiles, f32)>,
    memory: &mut MapMemory,
    home: &LonLatBox,
    content: &MapContent<'_>,
    editor: &mut MapEditor,
    view: &EditView<'_>,
    cache: &mut ListCache,
) -> MapOutput {
    let mut commands = Vec::new();
    let home_center = home.center();
    let side_by_side = content
        .compare
        .is_some_and(|c| c.draw == CompareDraw::SideBySide);
    // Side by side, each pane draws the basemap as an op of its own list.
    let (walkers_tiles, pane_basemap) = if side_by_side {
        (None, tiles)
    } else {
        (tiles, None)
    };
    let map = Map::new(
        walkers_tiles.map(|t| t as &mut dyn walkers::Tiles),
        memory,
        walkers::lon_lat(home_center.x, home_center.y),
    )
    .double_click_to_zoom(editor.double_click_zooms())
    .drag_pan_buttons(editor.pan_buttons());
    // Walkers draws the basemap; the imagery layers are the display list's ops.
    let mut layers: std::collections::HashMap<&str, &mut EguiTiles> = imagery
        .into_iter()
        .map(|(id, tiles, _)| (id, tiles))
        .chain(pane_basemap.map(|t| (BASEMAP_OP_ID, t)))
        .collect();
    let inner = map.show(ui, |ui, response, projector, _memory| {
        let rect = response.rect;
        let painter = ui.painter().with_clip_rect(rect);
        let center = lonlat(projector.unproject(rect.center().to_vec2()));
        let frame = Frame {
            projector,
            rect,
            center,
            on_screen: content
                .frame
                .filter(|_| !side_by_side)
                .map(|f| frame_rect(rect, f.size_px)),
            shift: egui::Vec2::ZERO,
        };
        cache.refresh(content, view, &frame);
        // Panes are composed over the whole map; otherwise the list goes where its side went.
        let (place, clip) = if side_by_side {
            let whole = Placement {
                origin: rect.min,
                scale: 1.0,
            };
            (whole, rect)
        } else {
            (cache.b.place, cache.b.clip.unwrap_or(rect))
        };
        // The body and the tags are tessellated apart: scrubbing changes only the tags. What
        // the last meshes share with the new list is taken from them.
        for (meshes, last, list) in [
            (&mut cache.meshes, &mut cache.last_meshes, &*cache.body),
            (
                &mut cache.tag_meshes,
                &mut cache.last_tag_meshes,
                &cache.tags,
            ),
        ] {
            if !meshes.as_ref().is_some_and(|m| m.is_current(ui.ctx())) {
                let previous = last.take().or_else(|| meshes.take());
                *meshes = Some(ListMeshes::reusing(
                    ui.ctx(),
                    list,
                    place,
                    clip,
                    previous.as_ref(),
                ));
            }
        }
        if let Some(on_screen) = frame.on_screen.filter(|_| cache.b.frame_box.is_some()) {
            dim_outside(&painter, rect, on_screen);
        }
        let map_view = MapView {
            center,
            center_px: [f64::from(rect.center().x), f64::from(rect.center().y)],
            zoom: projector.zoom(),
        };
        let mut paint_imagery = |painter: &egui::Painter, op: &ImageryOp, offset: egui::Vec2| {
            if let Some(tiles) = layers.get_mut(op.layer_id.as_str()) {
                tiles.paint(painter, &map_view, offset, egui_paint::color32(op.tint()));
            }
        };
        // Imagery under the tessellated vector ops (the window's list has its imagery first).
        let figure_painter = painter.with_clip_rect(clip);
        egui_paint::paint(&figure_painter, &cache.imagery, place, &mut paint_imagery);
        for meshes in [&cache.meshes, &cache.tag_meshes].into_iter().flatten() {
            meshes.paint(&figure_painter);
        }
        if side_by_side {
            let count = 2 + content.compare.map_or(0, |c| c.middle.len());
            let panes = frame.panes(count);
            let hover = shared_cursor(&painter, rect, &panes, response.hover_pos(), cache);
            aids(ui, &painter, rect, content.layer, &mut commands);
            return hover;
        }
        cache.pane_boxes.clear();
        cache.cursor = crate::render::display_list::DisplayList::new([0.0, 0.0]);
        if let Some(c) = content.compare
            && let Some(divider) = divider_handle(ui, &cache.b, c.draw)
        {
            commands.push(Command::Compare(CompareCommand::SetDivider(divider)));
        }
        let drawn = &cache.drawn;
        editor.paint(&painter, projector, view);
        let hover = response
            .hover_pos()
            .map(|p| lonlat(projector.unproject(p.to_vec2())));
        commands.extend(editor.interact(ui, response, projector, view, drawn));
        aids(ui, &painter, rect, content.layer, &mut commands);
        hover
    });
    if inner.response.clicked() || inner.response.drag_started() {
        inner.response.request_focus();
    }
    MapOutput {
        commands,
        hover_lonlat: inner.inner,
        response: inner.response,
        frame_box: cache.b.frame_box.filter(|_| !side_by_side),
    }
}

/// The pointer's place in every pane: its ground point as a crosshair in each other pane (the
/// window's own aid, lowered into a display list of its own each frame). Keeps each pane's box
/// on the ground and returns the pointer's lon/lat.
fn shared_cursor(
    painter: &egui::Painter,
    whole: Rect,
    panes: &[Frame<'_>],
    hover_pos: Option<egui::Pos2>,
    cache: &mut ListCache,
) -> Option<Coord<f64>> {
    cache.pane_boxes = panes
        .iter()
        .filter_map(|pane| {
            let (a, b) = (
                pane.proj().unproject(pane.rect.left_top()),
                pane.proj().unproject(pane.rect.right_bottom()),
            );
            LonLatBox::try_from([a.x.min(b.x), a.y.min(b.y), a.x.max(b.x), a.y.max(b.y)]).ok()
        })
        .collect();
    let hovered = hover_pos.and_then(|p| {
        let i = panes.iter().position(|f| f.rect.contains(p))?;
        Some((i, panes.get(i)?.proj().unproject(p)))
    });
    let in_list = |r: Rect| {
        let r = r.translate(-whole.min.to_vec2());
        [r.min.x, r.min.y, r.max.x, r.max.y]
    };
    let points: Vec<([f32; 2], [f32; 4])> = hovered
        .map(|(i, at)| {
            panes
                .iter()
                .enumerate()
                .filter(|(j, _)| *j != i)
                .map(|(_, pane)| {
                    let p = pane.proj().project(at) - whole.min;
                    ([p.x, p.y], in_list(pane.rect))
                })
                .collect()
        })
        .unwrap_or_default();
    cache.cursor = compare::crosshairs(
        [whole.width(), whole.height()],
        &points,
        crate::render::lower::style::Scale(WINDOW_FURNITURE_SCALE),
    );
    let place = Placement {
        origin: whole.min,
        scale: 1.0,
    };
    egui_paint::paint(painter, &cache.cursor, place, &mut |_, _, _| {});
    hovered.map(|(_, at)| at)
}

/// Dims the map outside the figure frame: the frame is what an export of the view writes.
fn dim_outside(painter: &egui::Painter, rect: Rect, on_screen: Rect) {
    let dim = Color32::from_black_alpha(150);
    for side in [
        Rect::from_min_max(rect.min, pos2(rect.max.x, on_screen.min.y)),
        Rect::from_min_max(pos2(rect.min.x, on_screen.max.y), rect.max),
        Rect::from_min_max(
            pos2(rect.min.x, on_screen.min.y),
            pos2(on_screen.min.x, on_screen.max.y),
        ),
        Rect::from_min_max(
            pos2(on_screen.max.x, on_screen.min.y),
            pos2(rect.max.x, on_screen.max.y),
        ),
    ] {
        painter.rect_filled(side, 0.0, dim);
    }
}

/// The window's own aids, never in an export: back to site, and the basemap's tile status.
fn aids(
    ui: &mut Ui,
    painter: &egui::Painter,
    rect: Rect,
    layer: Option<&LayerLine>,
    commands: &mut Vec<Command>,
) {
    let margin = 10.0;
    let button_rect = Rect::from_min_size(rect.min + vec2(margin, margin), vec2(120.0, 26.0));
    if ui
        .put(button_rect, egui::Button::new("⌂ Back to site"))
        .on_hover_text("Fit the map to the project's home view")
        .clicked()
    {
        commands.push(Command::View(ViewCommand::GoHome));
    }
    let Some(layer) = layer else { return };
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
        return;
    };
    let color = if layer.failed > 0 {
        Color32::LIGHT_RED
    } else {
        Color32::LIGHT_GRAY
    };
    let galley = painter.layout_no_wrap(text, FontId::proportional(12.0), color);
    let box_rect = Align2::RIGHT_TOP.anchor_size(
        pos2(rect.right() - margin, rect.top() + margin),
        galley.size() + vec2(16.0, 10.0),
    );
    painter.rect_filled(box_rect, 3.0, Color32::from_black_alpha(200));
    painter.galley(box_rect.min + vec2(8.0, 5.0), galley, color);
}
