//! The map: basemap tiles, imagery layers, and the display list of the scene with the figure's
//! furniture, plus the window's own aids (back to site, tile status) and the figure frame.

use egui::{Align2, Color32, FontId, Rect, Ui, pos2, vec2};
use geo::Coord;
use walkers::{Map, MapMemory, Position, Projector};

use super::map_edit::{EditView, MapEditor};
use crate::command::{Command, ViewCommand};
use crate::export::view::ExportView;
use crate::imagery::tile_cover::MapView;
use crate::render::display_list::{DisplayList, ImageryOp, PaintOp};
use crate::render::egui_paint::{self, Placement};
use crate::render::egui_tiles::EguiTiles;
use crate::render::layout::{LayoutInput, window_furniture};
use crate::render::lower::figure::lower_window_furniture;
use crate::render::lower::style::Scale;
use crate::render::lower::{FigureInput, LowerOptions, lower_figure, lower_scene, window_imagery};
use crate::render::text::{EpaintText, TextMeasure};
use crate::scene::Scene;
use crate::spatial::LonLatBox;
use crate::spatial::index::Bounds;
use crate::spatial::mercator::{meters_per_px, zoom_to_fit};
use crate::ui::list_mesh::ListMeshes;

/// Accessible label of the back-to-site button.
pub const HOME_LABEL: &str = "Back to site";

/// The window's furniture scale: text a little smaller than a 1920 px figure's.
const WINDOW_FURNITURE_SCALE: f32 = 0.6;
/// The figure width label offsets are stored at.
const FIGURE_WIDTH_PX: f32 = 1920.0;
/// Space kept around the figure frame.
const FRAME_MARGIN: f32 = 24.0;

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

/// What a display list was lowered for: a frame with the same key reuses it, so an idle frame
/// lowers and places nothing.
#[derive(Clone, Debug, PartialEq)]
struct ListKey {
    /// The scene's version.
    scene: u64,
    rect: Rect,
    zoom: f64,
    center: Coord<f64>,
    px_scale: f32,
    frame: Option<FigureFrame>,
    /// The imagery layers drawn, bottom first, with their opacities.
    imagery: Vec<(String, f32)>,
}

/// The last display list and what it was lowered for.
#[derive(Default)]
pub struct ListCache {
    key: Option<ListKey>,
    list: std::sync::Arc<DisplayList>,
    frame_box: Option<LonLatBox>,
    /// Where the list goes on screen.
    place: Placement,
    /// Its labels on screen.
    drawn: Vec<DrawnLabel>,
    /// Where it is cut on screen: the map, or the figure frame.
    clip: Option<Rect>,
    /// Its imagery ops, painted each frame from the tile textures.
    imagery: DisplayList,
    /// Everything else, tessellated once.
    meshes: Option<ListMeshes>,
    lowerings: u64,
}

impl ListCache {
    /// How many times a list was lowered (tests check that idle frames lower nothing).
    #[must_use]
    pub fn lowerings(&self) -> u64 {
        self.lowerings
    }

    /// The list drawn last.
    #[must_use]
    pub fn list(&self) -> &std::sync::Arc<DisplayList> {
        &self.list
    }

    /// Vertices of the list's tessellated vector ops (what an idle frame hands egui).
    #[must_use]
    pub fn mesh_vertices(&self) -> usize {
        self.meshes.as_ref().map_or(0, ListMeshes::vertices)
    }
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

/// The window's list: the scene culled to the view, with the notices, credit and scale bar.
fn window_list(
    content: &MapContent<'_>,
    view: &EditView<'_>,
    projector: &Projector,
    rect: Rect,
    imagery: &[(String, f32)],
) -> DisplayList {
    let mut list = DisplayList::new([rect.width(), rect.height()]);
    list.ops = window_imagery(imagery, list.size_px);
    let to_px = |c: Coord<f64>| {
        let p = projector.project(walkers::lon_lat(c.x, c.y)).to_pos2() - rect.min;
        [p.x, p.y]
    };
    let center = projector.unproject(rect.center().to_vec2());
    let size = |t: &str, f| content.text.size(t, f);
    let furniture = window_furniture(
        &LayoutInput {
            scene: content.scene,
            size_px: [rect.width() as u32, rect.height() as u32],
            meters_per_px: meters_per_px(center.y(), projector.zoom()),
            title: None,
            north_arrow: false,
        },
        WINDOW_FURNITURE_SCALE,
        &size,
    );
    let mut top = DisplayList::new(list.size_px);
    lower_window_furniture(&mut top, content.text, &furniture);
    let keep_clear: Vec<[f32; 4]> = top.boxes.iter().map(|b| b.rect_px).collect();
    let in_view = view.index.items_in(view_bounds(projector, rect));
    lower_scene(
        &mut list,
        content.scene,
        Some(&in_view),
        &to_px,
        content.text,
        &keep_clear,
        LowerOptions {
            scale: Scale(content.px_scale),
            selection: true,
        },
    );
    list.boxes.extend(top.boxes);
    list.ops.extend(top.ops);
    list
}

/// The figure's list at its own size over the frame's box, and that box.
fn frame_list(
    content: &MapContent<'_>,
    frame: &FigureFrame,
    projector: &Projector,
    on_screen: Rect,
    imagery: &[(String, f32)],
) -> Option<(DisplayList, LonLatBox)> {
    let a = lonlat(projector.unproject(on_screen.left_top().to_vec2()));
    let b = lonlat(projector.unproject(on_screen.right_bottom().to_vec2()));
    let bbox =
        LonLatBox::try_from([a.x.min(b.x), a.y.min(b.y), a.x.max(b.x), a.y.max(b.y)]).ok()?;
    let view = ExportView::fit(&bbox, 1.0, frame.size_px).ok()?;
    let to_px = |c: Coord<f64>| view.to_px(c);
    let (list, _) = lower_figure(
        &FigureInput {
            scene: content.scene,
            size_px: frame.size_px,
            meters_per_px: view.meters_per_px(),
            title: frame.title.as_deref(),
            north_arrow: frame.north_arrow,
            grid_bbox: frame.grid.then(|| view.bbox_lonlat()),
            selection: false,
            to_px: &to_px,
        },
        content.text,
        window_imagery(imagery, [frame.size_px[0] as f32, frame.size_px[1] as f32]),
    );
    Some((list, bbox))
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
    let map = Map::new(
        tiles.map(|t| t as &mut dyn walkers::Tiles),
        memory,
        walkers::lon_lat(home_center.x, home_center.y),
    )
    .double_click_to_zoom(editor.double_click_zooms())
    .drag_pan_buttons(editor.pan_buttons());
    // Walkers draws the basemap; the imagery layers are the display list's ops.
    let shown: Vec<(String, f32)> = imagery
        .iter()
        .map(|(id, _, opacity)| ((*id).to_owned(), *opacity))
        .collect();
    let mut layers: std::collections::HashMap<&str, &mut EguiTiles> = imagery
        .into_iter()
        .map(|(id, tiles, _)| (id, tiles))
        .collect();
    let inner = map.show(ui, |ui, response, projector, _memory| {
        let rect = response.rect;
        let painter = ui.painter().with_clip_rect(rect);
        let center = lonlat(projector.unproject(rect.center().to_vec2()));
        let key = ListKey {
            scene: content.scene_version,
            rect,
            zoom: projector.zoom(),
            center,
            px_scale: content.px_scale,
            frame: content.frame.cloned(),
            imagery: shown.clone(),
        };
        let on_screen = content.frame.map(|f| frame_rect(rect, f.size_px));
        if cache.key.as_ref() != Some(&key) {
            cache.lowerings += 1;
            let framed = content
                .frame
                .zip(on_screen)
                .and_then(|(f, r)| frame_list(content, f, projector, r, &shown));
            (cache.list, cache.frame_box) = match framed {
                Some((list, bbox)) => (std::sync::Arc::new(list), Some(bbox)),
                None => (
                    std::sync::Arc::new(window_list(content, view, projector, rect, &shown)),
                    None,
                ),
            };
            // The figure's list goes into the frame on screen; the window's fills the map.
            let framed_on_screen = on_screen.filter(|_| cache.frame_box.is_some());
            cache.place = match framed_on_screen {
                Some(r) => Placement {
                    origin: r.min,
                    scale: r.width() / cache.list.size_px[0].max(1.0),
                },
                None => Placement {
                    origin: rect.min,
                    scale: 1.0,
                },
            };
            // Label offsets are stored in 1920 px figure pixels.
            let unit_px =
                framed_on_screen.map_or(content.px_scale, |r| r.width() / FIGURE_WIDTH_PX);
            cache.drawn =
                screen_labels(&cache.list, cache.place, content.scene, projector, unit_px);
            // A figure is cut at its frame, as the export's pixmap cuts it.
            cache.clip = Some(framed_on_screen.map_or(rect, |r| r.intersect(rect)));
            cache.imagery = cache.list.only(|op| matches!(op, PaintOp::Imagery(_)));
            cache.meshes = None;
            cache.key = Some(key);
        }
        let clip = cache.clip.unwrap_or(rect);
        if !cache
            .meshes
            .as_ref()
            .is_some_and(|m| m.is_current(ui.ctx()))
        {
            let meshes = ListMeshes::new(ui.ctx(), &cache.list, cache.place, clip);
            cache.meshes = Some(meshes);
        }
        if let Some(on_screen) = on_screen.filter(|_| cache.frame_box.is_some()) {
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
        egui_paint::paint(
            &figure_painter,
            &cache.imagery,
            cache.place,
            &mut paint_imagery,
        );
        if let Some(meshes) = &cache.meshes {
            meshes.paint(&figure_painter);
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
        frame_box: cache.frame_box,
    }
}

/// The labels of `list` as `place` puts them on screen, with their anchors.
fn screen_labels(
    list: &DisplayList,
    place: Placement,
    scene: &Scene,
    projector: &Projector,
    unit_px: f32,
) -> Vec<DrawnLabel> {
    let anchors: std::collections::HashMap<&str, Coord<f64>> = scene
        .labels
        .iter()
        .map(|l| (l.id.as_str(), l.anchor))
        .collect();
    list.labels()
        .filter_map(|(id, r)| {
            let anchor = anchors.get(id)?;
            Some(DrawnLabel {
                id: id.to_owned(),
                rect: place.rect(r),
                anchor: projector
                    .project(walkers::lon_lat(anchor.x, anchor.y))
                    .to_pos2(),
                unit_px,
            })
        })
        .collect()
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
