//! The map: basemap tiles, imagery layers, and the display list of the scene with the figure's
//! furniture, plus the window's own aids (back to site, tile status) and the figure frame.

use egui::{Align2, Color32, FontId, Rect, Ui, pos2, vec2};
use geo::Coord;
use walkers::{Map, MapMemory, Position, Projector};

use super::map_edit::{EditView, MapEditor};
use crate::command::{Command, CompareCommand, ViewCommand};
use crate::export::view::ExportView;
use crate::imagery::tile_cover::MapView;
use crate::render::display_list::{DisplayList, ImageryOp, ImagerySource, PaintOp};
use crate::render::egui_paint::{self, Placement};
use crate::render::egui_tiles::EguiTiles;
use crate::render::layout::{LayoutInput, window_furniture};
use crate::render::lower::compare::{self, SideTags};
use crate::render::lower::figure::lower_window_furniture;
use crate::render::lower::style::Scale;
use crate::render::lower::{FigureInput, LowerOptions, lower_figure, lower_scene, window_imagery};
use crate::render::text::{EpaintText, TextMeasure};
use crate::scene::Scene;
use crate::scene::index::SceneIndex;
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
/// Half the width of the swipe divider's grip on screen.
const DIVIDER_GRIP_PX: f32 = 8.0;
/// Between side-by-side panes.
const PANE_GUTTER_PX: f32 = 4.0;
/// The height of the window's button row along the map's top edge (tags go below it).
const AIDS_ROW_PX: f32 = 44.0;
/// Half the length of the shared cursor's arms in every pane.
const CURSOR_ARM_PX: f32 = 12.0;
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

/// What a display list was lowered for: a frame with the same key reuses it, so an idle frame
/// lowers and places nothing.
#[derive(Clone, Debug, PartialEq)]
struct ListKey {
    /// The scene's version.
    scene: u64,
    rect: Rect,
    shift: egui::Vec2,
    zoom: f64,
    center: Coord<f64>,
    px_scale: f32,
    frame: Option<FigureFrame>,
    /// The imagery layers drawn, bottom first, with their opacities.
    imagery: Vec<(String, f32)>,
}

/// One date's list and what it was lowered for.
#[derive(Default)]
struct Side {
    key: Option<ListKey>,
    /// Changes with every lowering.
    id: u64,
    list: std::sync::Arc<DisplayList>,
    frame_box: Option<LonLatBox>,
    /// Where the list goes on screen.
    place: Placement,
    /// Where it is cut on screen: the map, or the figure frame.
    clip: Option<Rect>,
    /// Label offsets' unit on screen (they are stored in 1920 px figure pixels).
    unit_px: f32,
    /// From the map's centre to the pane's, when the list is a pane.
    shift: egui::Vec2,
}

/// What the painted list was made from: the slider's lowering, and date A's with how the two
/// are compared.
type Composed = (u64, Option<(u64, CompareDraw, [String; 2])>);

/// The last display lists and what they were lowered for.
#[derive(Default)]
pub struct ListCache {
    /// The slider's date.
    b: Side,
    /// A comparison's date A.
    a: Side,
    composed: Option<Composed>,
    /// What is painted: the slider's list, or the comparison of both.
    list: std::sync::Arc<DisplayList>,
    /// Its labels on screen.
    drawn: Vec<DrawnLabel>,
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

    /// Where the list drawn last is on screen.
    #[must_use]
    pub fn placement(&self) -> Placement {
        self.b.place
    }

    /// Vertices of the list's tessellated vector ops (what an idle frame hands egui).
    #[must_use]
    pub fn mesh_vertices(&self) -> usize {
        self.meshes.as_ref().map_or(0, ListMeshes::vertices)
    }
}

/// How date A joins the map.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum CompareDraw {
    /// A left of the divider (a fraction of the width), B right of it.
    Swipe {
        /// The divider, 0–1 of the width.
        divider: f32,
    },
    /// B's imagery at `t` over A's.
    Blend {
        /// 0: all A, 1: all B.
        t: f32,
    },
    /// A and B in panes side by side, one centre and zoom.
    SideBySide,
}

/// Date A of a comparison, as the app resolved it.
pub struct CompareContent<'a> {
    /// Date A's scene.
    pub scene: &'a Scene,
    /// Its spatial index.
    pub index: &'a SceneIndex,
    /// Its version.
    pub scene_version: u64,
    /// Date A's imagery layers, bottom first, with their opacities.
    pub imagery: &'a [(String, f32)],
    /// Swipe or blend.
    pub draw: CompareDraw,
    /// What each side is called ("A · 5 JUL 2025", "B · 14 OCT 2025").
    pub tags: [String; 2],
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

/// The map's projection as one pane sees it: the walkers projector, shifted so the map's
/// centre sits at the pane's centre (no shift for the whole map).
#[derive(Clone, Copy)]
struct Proj<'p> {
    projector: &'p Projector<'p>,
    shift: egui::Vec2,
}

impl Proj<'_> {
    fn project(self, c: Coord<f64>) -> egui::Pos2 {
        self.projector.project(walkers::lon_lat(c.x, c.y)).to_pos2() + self.shift
    }

    fn unproject(self, p: egui::Pos2) -> Coord<f64> {
        lonlat(self.projector.unproject((p - self.shift).to_vec2()))
    }

    fn zoom(self) -> f64 {
        self.projector.zoom()
    }
}

/// The lon/lat bounds of what the map shows (a little more, so lines leaving the view are kept).
fn view_bounds(proj: Proj<'_>, rect: Rect) -> Bounds {
    let outer = rect.expand(64.0);
    let a = proj.unproject(outer.left_top());
    let b = proj.unproject(outer.right_bottom());
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
    index: &SceneIndex,
    proj: Proj<'_>,
    rect: Rect,
    imagery: &[(String, f32)],
) -> DisplayList {
    let mut list = DisplayList::new([rect.width(), rect.height()]);
    list.ops = window_imagery(imagery, list.size_px);
    let to_px = |c: Coord<f64>| {
        let p = proj.project(c) - rect.min;
        [p.x, p.y]
    };
    let center = proj.unproject(rect.center());
    let size = |t: &str, f| content.text.size(t, f);
    let furniture = window_furniture(
        &LayoutInput {
            scene: content.scene,
            size_px: [rect.width() as u32, rect.height() as u32],
            meters_per_px: meters_per_px(center.y, proj.zoom()),
            title: None,
            north_arrow: false,
        },
        WINDOW_FURNITURE_SCALE,
        &size,
    );
    let mut top = DisplayList::new(list.size_px);
    lower_window_furniture(&mut top, content.text, &furniture);
    let keep_clear: Vec<[f32; 4]> = top.boxes.iter().map(|b| b.rect_px).collect();
    let in_view = index.items_in(view_bounds(proj, rect));
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

/// One date's scene and imagery on the map.
#[derive(Clone, Copy)]
struct DateContent<'a> {
    scene: &'a Scene,
    index: &'a SceneIndex,
    scene_version: u64,
    imagery: &'a [(String, f32)],
}

/// The map's geometry this frame.
struct Frame<'p> {
    projector: &'p Projector<'p>,
    /// The map, or one pane of it.
    rect: Rect,
    center: Coord<f64>,
    on_screen: Option<Rect>,
    /// From the map's centre to this pane's (zero for the whole map).
    shift: egui::Vec2,
}

impl Frame<'_> {
    fn proj(&self) -> Proj<'_> {
        Proj {
            projector: self.projector,
            shift: self.shift,
        }
    }

    /// The panes of side by side, left to right: the same centre and zoom in each.
    fn panes(&self, count: usize) -> Vec<Self> {
        let size = [self.rect.width(), self.rect.height()];
        compare::pane_rects(size, count, PANE_GUTTER_PX)
            .into_iter()
            .map(|[x0, y0, x1, y1]| {
                let rect =
                    Rect::from_min_max(self.rect.min + vec2(x0, y0), self.rect.min + vec2(x1, y1));
                Frame {
                    projector: self.projector,
                    rect,
                    center: self.center,
                    on_screen: None,
                    shift: rect.center() - self.rect.center(),
                }
            })
            .collect()
    }
}

impl Side {
    /// Lowers the date's list again when what it was lowered for changed; true when it did.
    fn refresh(
        &mut self,
        content: &MapContent<'_>,
        date: DateContent<'_>,
        frame: &Frame<'_>,
        lowering_id: u64,
    ) -> bool {
        let key = ListKey {
            scene: date.scene_version,
            rect: frame.rect,
            shift: frame.shift,
            zoom: frame.projector.zoom(),
            center: frame.center,
            px_scale: content.px_scale,
            frame: content.frame.cloned(),
            imagery: date.imagery.to_vec(),
        };
        if self.key.as_ref() == Some(&key) {
            return false;
        }
        let side = MapContent {
            scene: date.scene,
            scene_version: date.scene_version,
            ..*content
        };
        let (projector, rect) = (frame.projector, frame.rect);
        let framed = content
            .frame
            .zip(frame.on_screen)
            .and_then(|(f, r)| frame_list(&side, f, projector, r, date.imagery));
        (self.list, self.frame_box) = if let Some((list, bbox)) = framed {
            (std::sync::Arc::new(list), Some(bbox))
        } else {
            let list = window_list(&side, date.index, frame.proj(), rect, date.imagery);
            (std::sync::Arc::new(list), None)
        };
        self.shift = frame.shift;
        // The figure's list goes into the frame on screen; the window's fills the map.
        let framed_on_screen = frame.on_screen.filter(|_| self.frame_box.is_some());
        self.place = match framed_on_screen {
            Some(r) => Placement {
                origin: r.min,
                scale: r.width() / self.list.size_px[0].max(1.0),
            },
            None => Placement {
                origin: rect.min,
                scale: 1.0,
            },
        };
        // Label offsets are stored in 1920 px figure pixels.
        self.unit_px = framed_on_screen.map_or(content.px_scale, |r| r.width() / FIGURE_WIDTH_PX);
        // A figure is cut at its frame, as the export's pixmap cuts it.
        self.clip = Some(framed_on_screen.map_or(rect, |r| r.intersect(rect)));
        self.key = Some(key);
        self.id = lowering_id;
        true
    }

    /// The scale of furniture lowered into this side's list (a figure's, or the window's).
    fn furniture_scale(&self) -> Scale {
        if self.frame_box.is_some() {
            Scale(self.list.size_px[0] / FIGURE_WIDTH_PX)
        } else {
            Scale(WINDOW_FURNITURE_SCALE)
        }
    }
}

impl ListCache {
    /// Lowers what changed and composes what is painted: the slider's list, or date A's and
    /// the slider's compared.
    fn refresh(&mut self, content: &MapContent<'_>, view: &EditView<'_>, frame: &Frame<'_>) {
        let side_by_side = content
            .compare
            .is_some_and(|c| c.draw == CompareDraw::SideBySide);
        let panes = if side_by_side {
            frame.panes(2)
        } else {
            Vec::new()
        };
        let (frame_a, frame_b) = match panes.as_slice() {
            [a, b] => (a, b),
            _ => (frame, frame),
        };
        // Side by side has no walkers basemap: each pane draws it as its bottom op.
        let with_basemap = |imagery: &[(String, f32)]| -> Vec<(String, f32)> {
            let base = side_by_side.then(|| (BASEMAP_OP_ID.to_owned(), 1.0));
            base.into_iter().chain(imagery.iter().cloned()).collect()
        };
        let imagery_b = with_basemap(content.imagery);
        let b = DateContent {
            scene: content.scene,
            index: view.index,
            scene_version: content.scene_version,
            imagery: &imagery_b,
        };
        if self.b.refresh(content, b, frame_b, self.lowerings + 1) {
            self.lowerings += 1;
        }
        if let Some(compare) = content.compare {
            let imagery_a = with_basemap(compare.imagery);
            let a = DateContent {
                scene: compare.scene,
                index: compare.index,
                scene_version: compare.scene_version,
                imagery: &imagery_a,
            };
            if self.a.refresh(content, a, frame_a, self.lowerings + 1) {
                self.lowerings += 1;
            }
        }
        let composed: Composed = (
            self.b.id,
            content.compare.map(|c| (self.a.id, c.draw, c.tags.clone())),
        );
        if self.composed.as_ref() == Some(&composed) {
            return;
        }
        self.list = match content.compare {
            None => std::sync::Arc::clone(&self.b.list),
            Some(c) => std::sync::Arc::new(self.compose(c, content.text, frame)),
        };
        // Labels are dragged on the slider's list; panes are for looking.
        self.drawn = if side_by_side {
            Vec::new()
        } else {
            screen_labels(
                &self.list,
                self.b.place,
                content.scene,
                frame.projector,
                self.b.unit_px,
            )
        };
        self.imagery = self.list.only(|op| matches!(op, PaintOp::Imagery(_)));
        self.meshes = None;
        self.composed = Some(composed);
    }

    /// Date A's list and the slider's, compared as `c` says.
    fn compose(&self, c: &CompareContent<'_>, text: &EpaintText, frame: &Frame<'_>) -> DisplayList {
        let (a, b) = (&self.a.list, &self.b.list);
        // Below the window's own buttons along the map's top edge.
        let tags = SideTags {
            a: &c.tags[0],
            b: &c.tags[1],
            top_px: AIDS_ROW_PX,
        };
        match c.draw {
            CompareDraw::Swipe { divider } => compare::swipe(
                a,
                b,
                compare::divider_px(b.size_px[0], divider),
                text,
                tags,
                self.b.furniture_scale(),
            ),
            CompareDraw::Blend { t } => compare::blend(a, b, t),
            CompareDraw::SideBySide => {
                let size = [frame.rect.width(), frame.rect.height()];
                let rects = compare::pane_rects(size, 2, PANE_GUTTER_PX);
                let (a, b) = (self.a.pane_list(), self.b.pane_list());
                let mut list = compare::panes(size, &[(&a, rects[0]), (&b, rects[1])]);
                compare::lower_pane_tags(
                    &mut list,
                    &rects,
                    &[tags.a, tags.b],
                    text,
                    Scale(WINDOW_FURNITURE_SCALE),
                    AIDS_ROW_PX,
                );
                list
            }
        }
    }
}

impl Side {
    /// The list as a pane: its window imagery shifted with the pane, since the tile textures
    /// are placed around the map's centre.
    fn pane_list(&self) -> DisplayList {
        let mut list = (*self.list).clone();
        for op in &mut list.ops {
            if let PaintOp::Imagery(i) = op
                && i.source == ImagerySource::WindowTiles
            {
                i.offset_px = [i.offset_px[0] + self.shift.x, i.offset_px[1] + self.shift.y];
            }
        }
        list
    }
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
        if !cache
            .meshes
            .as_ref()
            .is_some_and(|m| m.is_current(ui.ctx()))
        {
            cache.meshes = Some(ListMeshes::new(ui.ctx(), &cache.list, place, clip));
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
        if let Some(meshes) = &cache.meshes {
            meshes.paint(&figure_painter);
        }
        if side_by_side {
            let panes = frame.panes(2);
            let hover = response.hover_pos().and_then(|p| {
                let pane = panes.iter().find(|f| f.rect.contains(p))?;
                Some(pane.proj().unproject(p))
            });
            if let Some(at) = hover {
                shared_cursor(&painter, &panes, at);
            }
            aids(ui, &painter, rect, content.layer, &mut commands);
            return hover;
        }
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

/// The pointer's place in every pane: a crosshair at the same ground point (window only).
fn shared_cursor(painter: &egui::Painter, panes: &[Frame<'_>], at: Coord<f64>) {
    let arm = CURSOR_ARM_PX;
    for pane in panes {
        let p = pane.proj().project(at);
        if !pane.rect.contains(p) {
            continue;
        }
        let cut = painter.with_clip_rect(pane.rect);
        for (width, color) in [(3.0, Color32::from_black_alpha(170)), (1.5, Color32::WHITE)] {
            let stroke = egui::Stroke::new(width, color);
            cut.line_segment([p - vec2(arm, 0.0), p + vec2(arm, 0.0)], stroke);
            cut.line_segment([p - vec2(0.0, arm), p + vec2(0.0, arm)], stroke);
        }
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
