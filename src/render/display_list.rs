//! The display list: what a figure or the map shows, in pixels, as a flat list of paint
//! operations. The scene is lowered into it once (`render::lower`), for a viewport and one text
//! measurer; each painter (egui on screen, tiny-skia for export) only rasterises it. So what the
//! window shows is what an export writes, and a new visual is written once, in the lowering.
//!
//! Modelled on epaint's `Vec<Shape>` and galileo's `RenderBundle`: plain data, no style lookups
//! left for the painters. Coordinates are logical points at pixels-per-point 1, which are export
//! pixels; the window paints the list translated to the map's rect.

use crate::model::Rgba;

/// A rectangle in pixels: `[min_x, min_y, max_x, max_y]`.
pub type RectPx = [f32; 4];

/// A dash pattern in pixels: `(dash, gap)`.
pub type DashPx = (f32, f32);

/// Which face of the bundled family a run is set in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Weight {
    /// Noto Sans Regular.
    Regular,
    /// Noto Sans Bold: labels, titles, dates.
    Bold,
}

/// A font: a face and a size (em height in pixels, as egui reads a font size).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FontSpec {
    /// The face.
    pub weight: Weight,
    /// Em height in pixels.
    pub size_px: f32,
}

impl FontSpec {
    /// Regular text of a size.
    #[must_use]
    pub fn regular(size_px: f32) -> Self {
        Self {
            weight: Weight::Regular,
            size_px,
        }
    }

    /// Bold text of a size.
    #[must_use]
    pub fn bold(size_px: f32) -> Self {
        Self {
            weight: Weight::Bold,
            size_px,
        }
    }
}

/// One glyph of a run: its character and where its advance starts, from the run's origin.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct GlyphPos {
    /// The character.
    pub chr: char,
    /// Offset of its pen position from the run's left edge, in pixels.
    pub x_px: f32,
}

/// One line of text, laid out once: every painter sets its glyphs at these positions, and a
/// vector painter writes it as real text.
#[derive(Clone, Debug, PartialEq)]
pub struct TextRun {
    /// The words.
    pub text: String,
    /// Face and size.
    pub font: FontSpec,
    /// Fill colour.
    pub color: Rgba,
    /// Top-left corner of the line box.
    pub origin_px: [f32; 2],
    /// The line box: width and height (ascent − descent + line gap).
    pub size_px: [f32; 2],
    /// Distance from the top of the line box to the baseline.
    pub baseline_px: f32,
    /// Each glyph's pen position.
    pub glyphs: Vec<GlyphPos>,
}

impl TextRun {
    /// The line box in pixels.
    #[must_use]
    pub fn rect_px(&self) -> RectPx {
        let [x, y] = self.origin_px;
        [x, y, x + self.size_px[0], y + self.size_px[1]]
    }
}

/// Where an imagery op's pixels come from.
#[derive(Clone, Debug, PartialEq)]
pub enum ImagerySource {
    /// The window's tile textures of this layer (the painter finds them by the op's layer id).
    WindowTiles,
    /// Pixels at figure resolution (export and vector embedding), row-major RGBA, unpremultiplied.
    Rgba {
        /// Width and height in pixels.
        size_px: [u32; 2],
        /// `4 × width × height` bytes.
        pixels: std::sync::Arc<Vec<u8>>,
    },
}

impl ImageryOp {
    /// White at the op's opacity: what the pixels are multiplied by.
    #[must_use]
    pub fn tint(&self) -> Rgba {
        Rgba([
            255,
            255,
            255,
            (self.opacity.clamp(0.0, 1.0) * 255.0).round() as u8,
        ])
    }
}

impl ImagerySource {
    /// The pixels premultiplied by their alpha (what CPU compositing wants), with their size.
    #[must_use]
    pub fn premultiplied(&self) -> Option<([u32; 2], Vec<u8>)> {
        let Self::Rgba { size_px, pixels } = self else {
            return None;
        };
        let out = pixels
            .chunks_exact(4)
            .flat_map(|p| {
                let a = u16::from(p[3]);
                let k = |c: u8| ((u16::from(c) * a + 127) / 255) as u8;
                [k(p[0]), k(p[1]), k(p[2]), p[3]]
            })
            .collect();
        Some((*size_px, out))
    }
}

/// An imagery layer drawn into a rectangle: clipped, offset and faded as the op says.
#[derive(Clone, Debug, PartialEq)]
pub struct ImageryOp {
    /// The project layer's id (an empty id for the composite of all layers).
    pub layer_id: String,
    /// Where the pixels go.
    pub dest_px: RectPx,
    /// Opacity 0–1.
    pub opacity: f32,
    /// Only this part of the figure is painted (swipe).
    pub clip_px: Option<RectPx>,
    /// A shift applied at draw time (alignment), in pixels.
    pub offset_px: [f32; 2],
    /// The pixels.
    pub source: ImagerySource,
}

/// One paint operation.
#[derive(Clone, Debug, PartialEq)]
pub enum PaintOp {
    /// Fills rings (an exterior and its holes) with the even-odd rule.
    FillRings {
        /// Rings in pixels, each open (the last point is not repeated).
        rings: Vec<Vec<[f32; 2]>>,
        /// The fill.
        color: Rgba,
    },
    /// Strokes a polyline, solid (round caps) or dashed (butt caps); joins are round.
    Stroke {
        /// Points in pixels.
        points: Vec<[f32; 2]>,
        /// Closed into a ring.
        closed: bool,
        /// Line width.
        width_px: f32,
        /// Colour.
        color: Rgba,
        /// Dash pattern, or solid.
        dash_px: Option<DashPx>,
    },
    /// Fills a rectangle with rounded corners.
    FillRect {
        /// The rectangle.
        rect_px: RectPx,
        /// Corner radius.
        radius_px: f32,
        /// The fill.
        color: Rgba,
    },
    /// Fills a disc.
    FillCircle {
        /// Centre.
        center_px: [f32; 2],
        /// Radius.
        radius_px: f32,
        /// The fill.
        color: Rgba,
    },
    /// Strokes a circle, solid or dashed.
    StrokeCircle {
        /// Centre.
        center_px: [f32; 2],
        /// Radius.
        radius_px: f32,
        /// Line width.
        width_px: f32,
        /// Colour.
        color: Rgba,
        /// Dash pattern, or solid.
        dash_px: Option<DashPx>,
    },
    /// A line of text.
    Text(TextRun),
    /// An imagery layer.
    Imagery(ImageryOp),
    /// Cuts the operations after it to a rectangle, until the next `Clip` (`None`: the whole
    /// view). A swipe paints one date's list left of the divider and the other's right of it.
    Clip(Option<RectPx>),
}

/// What a box of the display list is, so the window can hit-test labels and tests can compare
/// the window's list with the export's.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BoxKind {
    /// An annotation's label (its id).
    Label(String),
    /// A piece of figure furniture (`"header"`, `"credit"`, `"scale-bar"` …).
    Furniture(&'static str),
}

/// A box the list holds, with what it is.
#[derive(Clone, Debug, PartialEq)]
pub struct TaggedBox {
    /// What it is.
    pub kind: BoxKind,
    /// Where it is.
    pub rect_px: RectPx,
}

/// Everything one view shows, bottom first.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DisplayList {
    /// Width and height of the view in pixels.
    pub size_px: [f32; 2],
    /// The operations, painted in order.
    pub ops: Vec<PaintOp>,
    /// Labels and furniture boxes, in the order they were placed.
    pub boxes: Vec<TaggedBox>,
}

impl DisplayList {
    /// The same list with only the operations `keep` says (size kept), and every `Clip`, so
    /// what is kept is cut as before: the window paints imagery ops each frame and tessellates
    /// the rest once.
    #[must_use]
    pub fn only(&self, keep: impl Fn(&PaintOp) -> bool) -> Self {
        Self {
            ops: self
                .ops
                .iter()
                .filter(|op| matches!(op, PaintOp::Clip(_)) || keep(op))
                .cloned()
                .collect(),
            ..Self::new(self.size_px)
        }
    }

    /// The same list moved by `d` pixels (a pane put in its place in a larger view); its size
    /// is kept.
    #[must_use]
    pub fn translated(&self, d: [f32; 2]) -> Self {
        let at = |p: [f32; 2]| [p[0] + d[0], p[1] + d[1]];
        let rect = |r: RectPx| [r[0] + d[0], r[1] + d[1], r[2] + d[0], r[3] + d[1]];
        let ops = self
            .ops
            .iter()
            .map(|op| {
                let mut op = op.clone();
                match &mut op {
                    PaintOp::FillRings { rings, .. } => {
                        for p in rings.iter_mut().flatten() {
                            *p = at(*p);
                        }
                    }
                    PaintOp::Stroke { points, .. } => {
                        for p in points {
                            *p = at(*p);
                        }
                    }
                    PaintOp::FillRect { rect_px, .. } => *rect_px = rect(*rect_px),
                    PaintOp::FillCircle { center_px, .. }
                    | PaintOp::StrokeCircle { center_px, .. } => *center_px = at(*center_px),
                    PaintOp::Text(run) => run.origin_px = at(run.origin_px),
                    PaintOp::Imagery(i) => {
                        i.dest_px = rect(i.dest_px);
                        i.clip_px = i.clip_px.map(rect);
                    }
                    PaintOp::Clip(c) => *c = c.map(rect),
                }
                op
            })
            .collect();
        let boxes = self
            .boxes
            .iter()
            .map(|b| TaggedBox {
                kind: b.kind.clone(),
                rect_px: rect(b.rect_px),
            })
            .collect();
        Self {
            size_px: self.size_px,
            ops,
            boxes,
        }
    }

    /// An empty list for a view of this size.
    #[must_use]
    pub fn new(size_px: [f32; 2]) -> Self {
        Self {
            size_px,
            ops: Vec::new(),
            boxes: Vec::new(),
        }
    }

    /// Appends an operation.
    pub fn push(&mut self, op: PaintOp) {
        self.ops.push(op);
    }

    /// Appends `other`'s operations and boxes after this list's, as if lowered into it.
    pub fn append(&mut self, other: &Self) {
        self.ops.extend(other.ops.iter().cloned());
        self.boxes.extend(other.boxes.iter().cloned());
    }

    /// The text runs, in paint order.
    pub fn text_runs(&self) -> impl Iterator<Item = &TextRun> {
        self.ops.iter().filter_map(|op| match op {
            PaintOp::Text(run) => Some(run),
            _ => None,
        })
    }

    /// The labels placed, as (annotation id, box).
    pub fn labels(&self) -> impl Iterator<Item = (&str, RectPx)> {
        self.boxes.iter().filter_map(|b| match &b.kind {
            BoxKind::Label(id) => Some((id.as_str(), b.rect_px)),
            BoxKind::Furniture(_) => None,
        })
    }
}

/// Where two optional cuts overlap (`None` cuts nothing; rectangles that miss give an empty one).
#[must_use]
pub fn clip_intersection(a: Option<RectPx>, b: Option<RectPx>) -> Option<RectPx> {
    match (a, b) {
        (Some(a), Some(b)) => {
            let x0 = a[0].max(b[0]);
            let y0 = a[1].max(b[1]);
            Some([x0, y0, a[2].min(b[2]).max(x0), a[3].min(b[3]).max(y0)])
        }
        (one, None) | (None, one) => one,
    }
}

/// The outline of a rectangle with rounded corners, as points (each corner a quarter circle in
/// `segments` steps). Painters without a rounded-rectangle primitive fill this.
#[must_use]
pub fn rounded_rect_points(rect: RectPx, radius_px: f32, segments: usize) -> Vec<[f32; 2]> {
    let [x0, y0, x1, y1] = rect;
    let r = radius_px.min((x1 - x0) / 2.0).min((y1 - y0) / 2.0).max(0.0);
    if r <= 0.0 || segments == 0 {
        return vec![[x0, y0], [x1, y0], [x1, y1], [x0, y1]];
    }
    let corners = [
        ([x1 - r, y0 + r], -std::f32::consts::FRAC_PI_2),
        ([x1 - r, y1 - r], 0.0),
        ([x0 + r, y1 - r], std::f32::consts::FRAC_PI_2),
        ([x0 + r, y0 + r], std::f32::consts::PI),
    ];
    let mut points = Vec::with_capacity(4 * (segments + 1));
    for ([cx, cy], start) in corners {
        for i in 0..=segments {
            let t = start + std::f32::consts::FRAC_PI_2 * i as f32 / segments as f32;
            points.push([cx + r * t.cos(), cy + r * t.sin()]);
        }
    }
    points
}

/// Segments per quarter circle of a rounded corner.
pub const CORNER_SEGMENTS: usize = 6;

/// Most segments of a full circle for painters that draw circles as polylines.
pub const CIRCLE_SEGMENTS: usize = 48;
/// Fewest segments of such a circle.
const MIN_CIRCLE_SEGMENTS: usize = 12;
/// Longest chord of such a circle, pixels: it strays under 0.2 px from a marker-sized circle,
/// and a map of a thousand markers stays a few vertices each.
const MAX_CHORD_PX: f32 = 4.0;

/// Points around a circle, the first repeated at the end: chords of at most 4 px, 12 to 48.
#[must_use]
pub fn circle_points(center: [f32; 2], radius_px: f32) -> Vec<[f32; 2]> {
    let segments = ((std::f32::consts::TAU * radius_px.abs() / MAX_CHORD_PX).ceil() as usize)
        .clamp(MIN_CIRCLE_SEGMENTS, CIRCLE_SEGMENTS);
    (0..=segments)
        .map(|i| {
            let t = i as f32 / segments as f32 * std::f32::consts::TAU;
            [
                center[0] + radius_px * t.cos(),
                center[1] + radius_px * t.sin(),
            ]
        })
        .collect()
}

/// Triangles covering rings (the first the exterior, the rest its holes), for painters that
/// fill meshes: the vertices and each triangle's three vertex indices.
#[must_use]
pub fn triangulate_rings(rings: &[Vec<[f32; 2]>]) -> (Vec<[f32; 2]>, Vec<[u32; 3]>) {
    use geo::TriangulateEarcut as _;
    let ring = |r: &Vec<[f32; 2]>| {
        geo::LineString::from(
            r.iter()
                .map(|p| (f64::from(p[0]), f64::from(p[1])))
                .collect::<Vec<_>>(),
        )
    };
    let Some((exterior, holes)) = rings.split_first() else {
        return (Vec::new(), Vec::new());
    };
    let polygon = geo::Polygon::new(ring(exterior), holes.iter().map(ring).collect());
    let tri = polygon.earcut_triangles_raw();
    let vertices = tri
        .vertices
        .iter()
        .map(|[x, y]| [*x as f32, *y as f32])
        .collect();
    let triangles = tri
        .triangle_indices
        .chunks_exact(3)
        .map(|t| [t[0] as u32, t[1] as u32, t[2] as u32])
        .collect();
    (vertices, triangles)
}
