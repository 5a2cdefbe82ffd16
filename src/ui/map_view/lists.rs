//! The map's display lists: each date's list lowered for the map (or a pane of it) and kept
//! while nothing it was lowered for changes, and what is painted: the slider's list, or date A's
//! and the slider's composed (swipe, blend, side by side).

use egui::{Rect, vec2};
use geo::Coord;
use walkers::Projector;

use super::compare_content::{CompareDraw, DateContent};
use super::{
    BASEMAP_OP_ID, DrawnLabel, FIGURE_WIDTH_PX, FigureFrame, MapContent, PANE_GUTTER_PX,
    WINDOW_FURNITURE_SCALE, lonlat,
};
use crate::export::view::ExportView;
use crate::render::display_list::{DisplayList, ImagerySource, PaintOp};
use crate::render::egui_paint::Placement;
use crate::render::layout::{LayoutInput, window_furniture};
use crate::render::lower::compare;
use crate::render::lower::figure::lower_window_furniture;
use crate::render::lower::offset::shift_layers;
use crate::render::lower::style::Scale;
use crate::render::lower::{FigureInput, LowerOptions, lower_figure, lower_scene, window_imagery};
use crate::render::text::TextMeasure;
use crate::scene::Scene;
use crate::scene::index::SceneIndex;
use crate::spatial::LonLatBox;
use crate::spatial::index::Bounds;
use crate::spatial::mercator::meters_per_px;
use crate::ui::list_mesh::ListMeshes;
use crate::ui::map_edit::EditView;

/// What a display list was lowered for: a frame with the same key reuses it, so an idle frame
/// lowers and places nothing.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct ListKey {
    /// The scene's version.
    pub(super) scene: u64,
    pub(super) rect: Rect,
    pub(super) shift: egui::Vec2,
    pub(super) zoom: f64,
    pub(super) center: Coord<f64>,
    pub(super) px_scale: f32,
    pub(super) frame: Option<FigureFrame>,
    /// The imagery layers drawn, bottom first, with their opacities.
    pub(super) imagery: Vec<(String, f32)>,
}

/// One date's list and what it was lowered for.
#[derive(Default)]
pub(super) struct Side {
    pub(super) key: Option<ListKey>,
    /// Changes with every lowering.
    pub(super) id: u64,
    pub(super) list: std::sync::Arc<DisplayList>,
    pub(super) frame_box: Option<LonLatBox>,
    /// Where the list goes on screen.
    pub(super) place: Placement,
    /// Where it is cut on screen: the map, or the figure frame.
    pub(super) clip: Option<Rect>,
    /// Label offsets' unit on screen (they are stored in 1920 px figure pixels).
    pub(super) unit_px: f32,
    /// From the map's centre to the pane's, when the list is a pane.
    pub(super) shift: egui::Vec2,
}

/// What the painted list's body was made from: the slider's lowering, and date A's and the
/// middle panes' with how they are compared (their tags are not in it: see `compose`).
pub(super) type Composed = (u64, Option<(u64, CompareDraw, Vec<u64>)>);

/// The last display lists and what they were lowered for.
#[derive(Default)]
pub struct ListCache {
    /// The slider's date.
    pub(super) b: Side,
    /// A comparison's date A.
    pub(super) a: Side,
    /// Side by side's panes between A and B.
    pub(super) middle: Vec<Side>,
    /// Each pane's box on the ground, left to right (side by side only).
    pub(super) pane_boxes: Vec<LonLatBox>,
    /// The shared cursor: a crosshair in every pane but the pointer's.
    pub(super) cursor: DisplayList,
    pub(super) composed: Option<Composed>,
    /// What is painted but the comparison's tags: the slider's list, or the comparison of all
    /// dates shown.
    pub(super) body: std::sync::Arc<DisplayList>,
    /// The comparison's tags, painted over the body: they name each side's date, so they are
    /// all that changes while scrubbing between changes of what the map shows.
    pub(super) tags: DisplayList,
    /// What the tags were lowered for.
    pub(super) tags_key: Option<(Composed, Vec<String>)>,
    /// The body with the tags, made when asked for (tests and the benchmark read it).
    pub(super) full: std::sync::OnceLock<std::sync::Arc<DisplayList>>,
    /// The body's labels on screen.
    pub(super) drawn: Vec<DrawnLabel>,
    /// The body's imagery ops, painted each frame from the tile textures.
    pub(super) imagery: DisplayList,
    /// Everything else of the body, tessellated once per composition.
    pub(super) meshes: Option<ListMeshes>,
    /// The tags, tessellated once per lowering of them.
    pub(super) tag_meshes: Option<ListMeshes>,
    /// The meshes of the last body and tags, until new ones are made from what they share.
    pub(super) last_meshes: Option<ListMeshes>,
    pub(super) last_tag_meshes: Option<ListMeshes>,
    pub(super) lowerings: u64,
    /// How many times the body was composed and so tessellated again.
    pub(super) compositions: u64,
}

impl ListCache {
    /// How many times a list was lowered (tests check that idle frames lower nothing).
    #[must_use]
    pub fn lowerings(&self) -> u64 {
        self.lowerings
    }

    /// How many times the painted list's body was composed anew (its meshes made again).
    #[must_use]
    pub fn compositions(&self) -> u64 {
        self.compositions
    }

    /// The list drawn last: the body, then the tags.
    #[must_use]
    pub fn list(&self) -> &std::sync::Arc<DisplayList> {
        self.full.get_or_init(|| {
            if self.tags.ops.is_empty() && self.tags.boxes.is_empty() {
                std::sync::Arc::clone(&self.body)
            } else {
                let mut list = (*self.body).clone();
                list.append(&self.tags);
                std::sync::Arc::new(list)
            }
        })
    }

    /// Where the list drawn last is on screen.
    #[must_use]
    pub fn placement(&self) -> Placement {
        self.b.place
    }

    /// Each side-by-side pane's box on the ground, left to right (empty in other modes).
    #[must_use]
    pub fn pane_boxes(&self) -> &[LonLatBox] {
        &self.pane_boxes
    }

    /// The shared cursor drawn last: crosshairs in the panes the pointer is not over.
    #[must_use]
    pub fn cursor(&self) -> &DisplayList {
        &self.cursor
    }

    /// The list's tessellated vector ops (what an idle frame hands egui or the GPU).
    #[must_use]
    pub fn meshes(&self) -> Option<&ListMeshes> {
        self.meshes.as_ref()
    }
}

/// The map's projection as one pane sees it: the walkers projector, shifted so the map's
/// centre sits at the pane's centre (no shift for the whole map).
#[derive(Clone, Copy)]
pub(super) struct Proj<'p> {
    pub(super) projector: &'p Projector<'p>,
    pub(super) shift: egui::Vec2,
}

impl Proj<'_> {
    pub(super) fn project(self, c: Coord<f64>) -> egui::Pos2 {
        self.projector.project(walkers::lon_lat(c.x, c.y)).to_pos2() + self.shift
    }

    pub(super) fn unproject(self, p: egui::Pos2) -> Coord<f64> {
        lonlat(self.projector.unproject((p - self.shift).to_vec2()))
    }

    pub(super) fn zoom(self) -> f64 {
        self.projector.zoom()
    }
}

/// The lon/lat bounds of what the map shows (a little more, so lines leaving the view are kept).
pub(super) fn view_bounds(proj: Proj<'_>, rect: Rect) -> Bounds {
    let outer = rect.expand(64.0);
    let a = proj.unproject(outer.left_top());
    let b = proj.unproject(outer.right_bottom());
    [a.x.min(b.x), a.y.min(b.y), a.x.max(b.x), a.y.max(b.y)]
}

/// The window's list: the scene culled to the view, with the notices, credit and scale bar.
pub(super) fn window_list(
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
    shift_layers(
        &mut list.ops,
        content.scene,
        meters_per_px(center.y, proj.zoom()),
    );
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
pub(super) fn frame_list(
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
    let mut imagery = window_imagery(imagery, [frame.size_px[0] as f32, frame.size_px[1] as f32]);
    shift_layers(&mut imagery, content.scene, view.meters_per_px());
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
        imagery,
    );
    Some((list, bbox))
}

/// The map's geometry this frame.
pub(super) struct Frame<'p> {
    pub(super) projector: &'p Projector<'p>,
    /// The map, or one pane of it.
    pub(super) rect: Rect,
    pub(super) center: Coord<f64>,
    pub(super) on_screen: Option<Rect>,
    /// From the map's centre to this pane's (zero for the whole map).
    pub(super) shift: egui::Vec2,
}

impl Frame<'_> {
    pub(super) fn proj(&self) -> Proj<'_> {
        Proj {
            projector: self.projector,
            shift: self.shift,
        }
    }

    /// The panes of side by side, left to right: the same centre and zoom in each.
    pub(super) fn panes(&self, count: usize) -> Vec<Self> {
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
    pub(super) fn refresh(
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
    pub(super) fn furniture_scale(&self) -> Scale {
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
    pub(super) fn refresh(
        &mut self,
        content: &MapContent<'_>,
        view: &EditView<'_>,
        frame: &Frame<'_>,
    ) {
        let side_by_side = content
            .compare
            .is_some_and(|c| c.draw == CompareDraw::SideBySide);
        let middle = content.compare.map_or(&[][..], |c| c.middle);
        let panes = if side_by_side {
            frame.panes(2 + middle.len())
        } else {
            Vec::new()
        };
        let (frame_a, frame_b) = match (panes.first(), panes.last()) {
            (Some(a), Some(b)) if panes.len() >= 2 => (a, b),
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
            let imagery_a = with_basemap(compare.date.imagery);
            let a = DateContent {
                imagery: &imagery_a,
                ..compare.date
            };
            if self.a.refresh(content, a, frame_a, self.lowerings + 1) {
                self.lowerings += 1;
            }
        }
        self.middle.resize_with(middle.len(), Side::default);
        for ((side, pane), pane_frame) in
            self.middle.iter_mut().zip(middle).zip(panes.iter().skip(1))
        {
            let imagery = with_basemap(pane.date.imagery);
            let date = DateContent {
                imagery: &imagery,
                ..pane.date
            };
            if side.refresh(content, date, pane_frame, self.lowerings + 1) {
                self.lowerings += 1;
            }
        }
        self.compose(content, frame);
    }
}

impl Side {
    /// The list as a pane: its window imagery shifted with the pane, since the tile textures
    /// are placed around the map's centre.
    pub(super) fn pane_list(&self) -> DisplayList {
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

/// The labels of `list` as `place` puts them on screen, with their anchors.
pub(super) fn screen_labels(
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
