//! The display list's vector part (everything but imagery) tessellated once per lowering and
//! kept as meshes, so an idle frame hands egui a few ready meshes instead of thousands of
//! shapes to tessellate again: at 1,000 annotations that was most of a frame's CPU time.
//!
//! The meshes point into egui's font atlas: when the atlas is rebuilt (it is cleared when nearly
//! full, and remade when pixels per point change) they are made again.
//!
//! Each mesh is cut, in drawing order, into plain parts (every vertex on egui's white texel:
//! lines, fills, markers, boxes) and textured parts (text). With a wgpu renderer the plain parts
//! stay on the GPU (`gpu_mesh`) and only the text goes through egui each frame.

use std::sync::Arc;

use egui::epaint::{Primitive, WHITE_UV};
use egui::{Context, Id, LayerId, Mesh, Order, Painter, Rect, Shape};

use crate::render::display_list::{DisplayList, PaintOp};
use crate::render::egui_paint::{self, Placement};
use crate::ui::gpu_mesh;

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
    /// Each part, in drawing order, with the screen rect it is cut to (the list's clip ops).
    parts: Vec<Part>,
    atlas: AtlasState,
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
        let parts: Vec<Part> = ctx
            .tessellate(shapes, atlas.pixels_per_point)
            .into_iter()
            .filter_map(|clipped| match clipped.primitive {
                // In points, as shapes are (pixels per point only sets the feathering).
                Primitive::Mesh(mesh) => Some((clipped.clip_rect, mesh)),
                Primitive::Callback(_) => None,
            })
            .flat_map(|(clip, mesh)| {
                split_plain(&mesh)
                    .into_iter()
                    .map(move |(plain, mesh)| Part {
                        clip,
                        plain,
                        mesh: Arc::new(mesh),
                    })
            })
            .collect();
        Self { parts, atlas }
    }

    /// False when egui's font atlas changed under the meshes (make them again).
    #[must_use]
    pub fn is_current(&self, ctx: &Context) -> bool {
        self.atlas.still_valid(AtlasState::now(ctx))
    }

    /// Adds the meshes to `painter`, each cut where the list's clip ops said (cheap: they are
    /// shared, not copied, until egui draws). Plain parts are drawn from the GPU when a
    /// pipeline is installed.
    pub fn paint(&self, painter: &Painter) {
        let gpu = gpu_mesh::enabled(painter.ctx());
        for part in &self.parts {
            let clip = painter.clip_rect().intersect(part.clip);
            if gpu && part.plain {
                painter.add(gpu_mesh::callback(clip, &part.mesh));
            } else {
                painter
                    .with_clip_rect(clip)
                    .add(Shape::Mesh(Arc::clone(&part.mesh)));
            }
        }
    }

    /// Parts held: runs of plain or textured triangles, each drawn on its own.
    #[must_use]
    pub fn parts(&self) -> usize {
        self.parts.len()
    }

    /// Plain parts (drawn from the GPU when a pipeline is installed) and their vertices.
    #[must_use]
    pub fn plain(&self) -> (usize, usize) {
        self.parts
            .iter()
            .filter(|p| p.plain)
            .fold((0, 0), |(n, v), p| (n + 1, v + p.mesh.vertices.len()))
    }

    /// Vertices held.
    #[must_use]
    pub fn vertices(&self) -> usize {
        self.parts.iter().map(|p| p.mesh.vertices.len()).sum()
    }
}

/// A run of triangles of one tessellated mesh.
struct Part {
    clip: Rect,
    /// Every vertex on the white texel (no text).
    plain: bool,
    mesh: Arc<Mesh>,
}

/// Cuts `mesh` into runs of plain and textured triangles, in order, each with the vertices it
/// uses (egui draws a mesh's triangles in index order, so the runs overlap as it did).
fn split_plain(mesh: &Mesh) -> Vec<(bool, Mesh)> {
    let mut parts: Vec<(bool, Mesh)> = Vec::new();
    // For each source vertex: the part that last took it, and its index there.
    let mut taken_by = vec![usize::MAX; mesh.vertices.len()];
    let mut index_in = vec![0u32; mesh.vertices.len()];
    for triangle in mesh.indices.chunks_exact(3) {
        let plain = triangle
            .iter()
            .all(|&i| mesh.vertices[i as usize].uv == WHITE_UV);
        if parts.last().is_none_or(|(p, _)| *p != plain) {
            parts.push((plain, Mesh::with_texture(mesh.texture_id)));
        }
        let part_no = parts.len() - 1;
        let part = &mut parts[part_no].1;
        for &i in triangle {
            let i = i as usize;
            if taken_by[i] != part_no {
                taken_by[i] = part_no;
                index_in[i] = part.vertices.len() as u32;
                part.vertices.push(mesh.vertices[i]);
            }
            part.indices.push(index_in[i]);
        }
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;
    use egui::{Color32, pos2};

    fn quad(mesh: &mut Mesh, x: f32, uv: egui::Pos2) {
        let rect = Rect::from_min_size(pos2(x, 0.0), egui::vec2(1.0, 1.0));
        mesh.add_rect_with_uv(rect, Rect::from_min_max(uv, uv), Color32::RED);
    }

    #[test]
    fn text_between_plain_shapes_cuts_the_mesh_in_three_in_order() {
        let glyph = pos2(0.5, 0.25);
        let mut mesh = Mesh::default();
        quad(&mut mesh, 0.0, WHITE_UV);
        quad(&mut mesh, 1.0, WHITE_UV);
        quad(&mut mesh, 2.0, glyph);
        quad(&mut mesh, 3.0, WHITE_UV);
        let parts = split_plain(&mesh);
        let kinds: Vec<bool> = parts.iter().map(|(plain, _)| *plain).collect();
        assert_eq!(kinds, [true, false, true]);
        // Every triangle once, in order, with its own corners.
        let triangles = |m: &Mesh| -> Vec<[egui::Pos2; 3]> {
            m.indices
                .chunks_exact(3)
                .map(|t| [0, 1, 2].map(|k| m.vertices[t[k] as usize].pos))
                .collect()
        };
        let rejoined: Vec<[egui::Pos2; 3]> = parts.iter().flat_map(|(_, m)| triangles(m)).collect();
        assert_eq!(rejoined, triangles(&mesh));
        assert_eq!(parts[0].1.vertices.len(), 8, "two quads' corners, no more");
        assert!(parts.iter().all(|(_, m)| m.is_valid()));
    }
}
