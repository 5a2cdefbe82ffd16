//! The display list's vector part (everything but imagery) tessellated once per lowering and
//! kept as meshes, so an idle frame hands egui a few ready meshes instead of thousands of
//! shapes to tessellate again: at 1,000 annotations that was most of a frame's CPU time.
//!
//! The meshes point into egui's font atlas: when the atlas is rebuilt (it is cleared when nearly
//! full, and remade when pixels per point change) they are made again.

use std::sync::Arc;

use egui::epaint::Primitive;
use egui::{Context, Id, LayerId, Mesh, Order, Painter, Rect, Shape};

use crate::render::display_list::{DisplayList, PaintOp};
use crate::render::egui_paint::{self, Placement};

/// The state of egui's font atlas the meshes were made against.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
struct AtlasState {
    size: [usize; 2],
    fill: f32,
    pixels_per_point: f32,
}

impl AtlasState {
    fn now(ctx: &Context) -> Self {
        let (size, fill) = ctx.fonts(|f| (f.font_image_size(), f.font_atlas_fill_ratio()));
        Self {
            size,
            fill,
            pixels_per_point: ctx.pixels_per_point(),
        }
    }

    /// False once the atlas was cleared or remade since `self`.
    fn still_valid(self, now: Self) -> bool {
        self.size == now.size
            && self.pixels_per_point.to_bits() == now.pixels_per_point.to_bits()
            && now.fill >= self.fill
    }
}

/// Tessellated vector ops of one display list.
#[derive(Default)]
pub struct ListMeshes {
    /// Each mesh with the screen rect it is cut to (the list's clip ops).
    meshes: Vec<(Rect, Arc<Mesh>)>,
    atlas: AtlasState,
    /// Vertices in all meshes (for the frame benchmark's report).
    vertices: usize,
}

impl ListMeshes {
    /// Tessellates the non-imagery ops of `list` as `place` puts them, clipped to `clip`.
    #[must_use]
    pub fn new(ctx: &Context, list: &DisplayList, place: Placement, clip: Rect) -> Self {
        let atlas = AtlasState::now(ctx);
        let vectors = list.only(|op| !matches!(op, PaintOp::Imagery(_)));
        // Paint into a layer of our own, take the shapes back out, tessellate them once.
        let layer = LayerId::new(
            Order::Background,
            Id::unique("sitewatch-display-list-capture"),
        );
        let painter = Painter::new(ctx.clone(), layer, clip);
        egui_paint::paint(&painter, &vectors, place, &mut |_, _, _| {});
        let shapes = ctx.graphics_mut(|g| {
            let list = std::mem::take(g.entry(layer));
            list.all_entries().cloned().collect::<Vec<_>>()
        });
        let meshes: Vec<(Rect, Arc<Mesh>)> = ctx
            .tessellate(shapes, atlas.pixels_per_point)
            .into_iter()
            .filter_map(|clipped| match clipped.primitive {
                // In points, as shapes are (pixels per point only sets the feathering).
                Primitive::Mesh(mesh) => Some((clipped.clip_rect, Arc::new(mesh))),
                Primitive::Callback(_) => None,
            })
            .collect();
        let vertices = meshes.iter().map(|(_, m)| m.vertices.len()).sum();
        Self {
            meshes,
            atlas,
            vertices,
        }
    }

    /// False when egui's font atlas changed under the meshes (make them again).
    #[must_use]
    pub fn is_current(&self, ctx: &Context) -> bool {
        self.atlas.still_valid(AtlasState::now(ctx))
    }

    /// Adds the meshes to `painter`, each cut where the list's clip ops said (cheap: they are
    /// shared, not copied, until egui draws).
    pub fn paint(&self, painter: &Painter) {
        for (clip, mesh) in &self.meshes {
            let cut = painter.with_clip_rect(painter.clip_rect().intersect(*clip));
            cut.add(Shape::Mesh(Arc::clone(mesh)));
        }
    }

    /// Vertices held.
    #[must_use]
    pub fn vertices(&self) -> usize {
        self.vertices
    }
}
