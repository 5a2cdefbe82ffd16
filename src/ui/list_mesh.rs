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

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash as _, Hasher as _};
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
    /// The parts of each run of ops, by the run's content: a list lowered again after a change
    /// takes the runs it shares with the last one from here instead of tessellating them.
    runs: HashMap<u64, Vec<Part>>,
    /// Runs tessellated when these meshes were made (the rest were taken from the last ones).
    tessellated_runs: usize,
}

/// Ops in a run, on average: a run ends after an op whose hash is a multiple of this, so runs
/// are cut by content and an op added or removed changes only the run it is in.
const RUN_OPS: u64 = 16;

impl ListMeshes {
    /// Tessellates the non-imagery ops of `list` as `place` puts them, clipped to `clip`.
    #[must_use]
    pub fn new(ctx: &Context, list: &DisplayList, place: Placement, clip: Rect) -> Self {
        Self::reusing(ctx, list, place, clip, None)
    }

    /// [`ListMeshes::new`], taking the runs of ops that `previous` (made for an earlier list)
    /// tessellated already: after a day shows one more annotation, most of the map's ops are the
    /// same and only the runs around what changed are tessellated again.
    #[must_use]
    pub fn reusing(
        ctx: &Context,
        list: &DisplayList,
        place: Placement,
        clip: Rect,
        previous: Option<&Self>,
    ) -> Self {
        let atlas = AtlasState::now(ctx);
        let previous = previous.filter(|p| p.atlas.still_valid(atlas));
        let mut out = Self {
            atlas,
            ..Self::default()
        };
        for run in runs(list, place, clip) {
            let parts = if let Some(parts) = previous.and_then(|p| p.runs.get(&run.key)) {
                parts.clone()
            } else {
                out.tessellated_runs += 1;
                tessellate(ctx, &run.list, place, clip, atlas.pixels_per_point)
            };
            out.parts.extend(parts.iter().cloned());
            out.runs.insert(run.key, parts);
        }
        out.parts = joined(std::mem::take(&mut out.parts));
        out
    }

    /// Runs of ops tessellated when these meshes were made (not taken from earlier ones).
    #[must_use]
    pub fn tessellated_runs(&self) -> usize {
        self.tessellated_runs
    }

    /// Runs of ops the meshes were made of.
    #[must_use]
    pub fn runs(&self) -> usize {
        self.runs.len()
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

/// A run of a list's vector ops, as a list of its own that starts with the clip in force.
struct Run {
    key: u64,
    list: DisplayList,
}

/// The list's vector ops cut into runs by content (see [`RUN_OPS`]); each run's key hashes its
/// ops, the clip it starts under and where the list goes on screen.
fn runs(list: &DisplayList, place: Placement, clip: Rect) -> Vec<Run> {
    let start = |clip_px: Option<crate::render::display_list::RectPx>| {
        let mut hasher = DefaultHasher::new();
        for v in [place.origin.x, place.origin.y, place.scale] {
            v.to_bits().hash(&mut hasher);
        }
        for v in [clip.min.x, clip.min.y, clip.max.x, clip.max.y] {
            v.to_bits().hash(&mut hasher);
        }
        hash_op(&PaintOp::Clip(clip_px), &mut hasher);
        let mut list = DisplayList::new(list.size_px);
        list.push(PaintOp::Clip(clip_px));
        (hasher, list)
    };
    let mut out = Vec::new();
    let mut clip_px = None;
    let (mut hasher, mut run) = start(clip_px);
    for op in &list.ops {
        if matches!(op, PaintOp::Imagery(_)) {
            continue;
        }
        if let PaintOp::Clip(c) = op {
            clip_px = *c;
            if run.ops.len() > 1 {
                out.push(Run {
                    key: hasher.finish(),
                    list: run,
                });
            }
            (hasher, run) = start(clip_px);
            continue;
        }
        let mut own = DefaultHasher::new();
        hash_op(op, &mut own);
        let op_hash = own.finish();
        op_hash.hash(&mut hasher);
        run.push(op.clone());
        if op_hash.is_multiple_of(RUN_OPS) {
            out.push(Run {
                key: hasher.finish(),
                list: run,
            });
            (hasher, run) = start(clip_px);
        }
    }
    if run.ops.len() > 1 {
        out.push(Run {
            key: hasher.finish(),
            list: run,
        });
    }
    out
}

/// Hashes everything of an op that the egui painter draws.
fn hash_op(op: &PaintOp, h: &mut DefaultHasher) {
    let floats = |h: &mut DefaultHasher, v: &[f32]| {
        for x in v {
            x.to_bits().hash(h);
        }
    };
    let dash = |h: &mut DefaultHasher, d: Option<(f32, f32)>| {
        if let Some((a, b)) = d {
            floats(h, &[a, b]);
        }
    };
    std::mem::discriminant(op).hash(h);
    match op {
        PaintOp::FillRings { rings, color } => {
            color.hash(h);
            for ring in rings {
                ring.len().hash(h);
                floats(h, ring.as_flattened());
            }
        }
        PaintOp::Stroke {
            points,
            closed,
            width_px,
            color,
            dash_px,
        } => {
            floats(h, points.as_flattened());
            closed.hash(h);
            floats(h, &[*width_px]);
            color.hash(h);
            dash(h, *dash_px);
        }
        PaintOp::FillRect {
            rect_px,
            radius_px,
            color,
        } => {
            floats(h, rect_px);
            floats(h, &[*radius_px]);
            color.hash(h);
        }
        PaintOp::FillCircle {
            center_px,
            radius_px,
            color,
        } => {
            floats(h, center_px);
            floats(h, &[*radius_px]);
            color.hash(h);
        }
        PaintOp::StrokeCircle {
            center_px,
            radius_px,
            width_px,
            color,
            dash_px,
        } => {
            floats(h, center_px);
            floats(h, &[*radius_px, *width_px]);
            color.hash(h);
            dash(h, *dash_px);
        }
        PaintOp::Text(run) => {
            run.text.hash(h);
            std::mem::discriminant(&run.font.weight).hash(h);
            floats(h, &[run.font.size_px]);
            run.color.hash(h);
            floats(h, &run.origin_px);
        }
        PaintOp::Imagery(i) => i.layer_id.hash(h),
        PaintOp::Clip(c) => {
            if let Some(r) = c {
                floats(h, r);
            }
        }
    }
}

/// Tessellates `list` (vector ops only) as `place` puts it, clipped to `clip`, into parts.
fn tessellate(
    ctx: &Context,
    list: &DisplayList,
    place: Placement,
    clip: Rect,
    pixels_per_point: f32,
) -> Vec<Part> {
    // Paint into a layer of our own, take the shapes back out, tessellate them once.
    let layer = LayerId::new(
        Order::Background,
        Id::unique("sitewatch-display-list-capture"),
    );
    let painter = Painter::new(ctx.clone(), layer, clip);
    egui_paint::paint(&painter, list, place, &mut |_, _, _| {});
    let shapes = ctx.graphics_mut(|g| {
        let list = std::mem::take(g.entry(layer));
        list.all_entries().cloned().collect::<Vec<_>>()
    });
    ctx.tessellate(shapes, pixels_per_point)
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
        .collect()
}

/// A run of triangles of one tessellated mesh.
#[derive(Clone)]
struct Part {
    clip: Rect,
    /// Every vertex on the white texel (no text).
    plain: bool,
    mesh: Arc<Mesh>,
}

/// Neighbouring parts of one kind, clip and texture as one mesh each: the runs are kept apart
/// for reuse, but each part drawn costs a draw call (and a paint callback each frame), so the
/// parts drawn are as few as before the list was cut into runs. Order is kept.
fn joined(parts: Vec<Part>) -> Vec<Part> {
    let mut out: Vec<Part> = Vec::with_capacity(parts.len());
    for part in parts {
        match out.last_mut() {
            Some(last)
                if last.plain == part.plain
                    && last.clip == part.clip
                    && last.mesh.texture_id == part.mesh.texture_id =>
            {
                Arc::make_mut(&mut last.mesh).append_ref(&part.mesh);
            }
            _ => out.push(part),
        }
    }
    out
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
