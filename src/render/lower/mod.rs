//! Lowering: a [`Scene`] (and a figure's layout) becomes a [`DisplayList`] for one viewport and
//! one text measurer. This is the only place that knows how things look; the painters only
//! rasterise what it produces.

pub mod changes;
pub mod compare;
pub mod figure;
pub mod footprints;
pub mod items;
pub mod labels;
pub mod offset;
pub mod style;

use geo::Coord;

use crate::render::display_list::{DisplayList, ImageryOp, ImagerySource, PaintOp, RectPx};
use crate::render::text::TextMeasure;
use crate::scene::{Scene, SceneItem};
use items::ToPx;
use labels::LabelOptions;
use style::Scale;

/// How a scene is lowered.
#[derive(Clone, Copy, Debug)]
pub struct LowerOptions {
    /// Lengths at this scale (width / 1920 in a figure, the map text scale in the window).
    pub scale: Scale,
    /// Draw the selection highlight (the window; off in exports).
    pub selection: bool,
}

/// Lowers the scene's items at `shown` (indices in draw order, e.g. those in view; all when
/// `None`) and their labels, keeping labels clear of `keep_clear_px`.
pub fn lower_scene(
    list: &mut DisplayList,
    scene: &Scene,
    shown: Option<&[usize]>,
    to_px: &dyn Fn(Coord<f64>) -> [f32; 2],
    measure: &dyn TextMeasure,
    keep_clear_px: &[RectPx],
    options: LowerOptions,
) {
    let items: Vec<&SceneItem> = match shown {
        Some(indices) => indices.iter().filter_map(|&i| scene.items.get(i)).collect(),
        None => scene.items.iter().collect(),
    };
    let to_px: ToPx<'_> = to_px;
    items::lower_items(list, &items, to_px, options.scale, options.selection);
    labels::lower_labels(
        list,
        scene,
        &items,
        to_px,
        measure,
        keep_clear_px,
        LabelOptions {
            scale: options.scale,
            selection: options.selection,
            culled: shown.is_some(),
        },
    );
}

/// The window's imagery ops: each shown layer `(id, opacity)`, bottom first, over the whole
/// `size_px` viewport from the window's tile textures, unclipped and unshifted.
#[must_use]
pub fn window_imagery(layers: &[(String, f32)], size_px: [f32; 2]) -> Vec<PaintOp> {
    layers
        .iter()
        .map(|(id, opacity)| {
            PaintOp::Imagery(ImageryOp {
                layer_id: id.clone(),
                dest_px: [0.0, 0.0, size_px[0], size_px[1]],
                opacity: *opacity,
                clip_px: None,
                offset_px: [0.0, 0.0],
                source: ImagerySource::WindowTiles,
            })
        })
        .collect()
}

/// What a whole figure needs besides its scene: the same for an export and for the window's
/// figure frame, so both lower to the same list.
#[derive(Clone, Copy)]
pub struct FigureInput<'a> {
    /// The scene drawn.
    pub scene: &'a Scene,
    /// Width and height in pixels.
    pub size_px: [u32; 2],
    /// Ground metres per pixel at the centre (for the scale bar).
    pub meters_per_px: f64,
    /// A title above the date.
    pub title: Option<&'a str>,
    /// Draw the north arrow.
    pub north_arrow: bool,
    /// Draw a lat/lon grid over this `[west, south, east, north]` view.
    pub grid_bbox: Option<[f64; 4]>,
    /// Draw the selection highlight (off in exports).
    pub selection: bool,
    /// Lon/lat to figure pixels.
    pub to_px: &'a dyn Fn(Coord<f64>) -> [f32; 2],
}

/// Lowers a whole figure: imagery, the grid, the scene with its labels kept clear of the
/// furniture, then the furniture on top. Returns the list and where the furniture went.
pub fn lower_figure(
    input: &FigureInput<'_>,
    measure: &dyn TextMeasure,
    imagery: Vec<PaintOp>,
) -> (DisplayList, crate::render::layout::Layout) {
    let size = |t: &str, f| measure.size(t, f);
    let layout = crate::render::layout::layout(
        &crate::render::layout::LayoutInput {
            scene: input.scene,
            size_px: input.size_px,
            meters_per_px: input.meters_per_px,
            title: input.title,
            north_arrow: input.north_arrow,
        },
        &size,
    );
    let scale = Scale(layout.px_scale);
    let mut list = DisplayList::new(input.size_px.map(|v| v as f32));
    list.ops.extend(imagery);
    // Grid labels and map labels keep clear of the furniture; the furniture is drawn last.
    let mut furniture = DisplayList::new(list.size_px);
    figure::lower_layout(&mut furniture, measure, &layout, input.scene);
    list.boxes.clone_from(&furniture.boxes);
    if let Some(bbox) = input.grid_bbox {
        figure::lower_grid(&mut list, measure, bbox, input.to_px, scale);
    }
    let occupied: Vec<RectPx> = list.boxes.iter().map(|b| b.rect_px).collect();
    lower_scene(
        &mut list,
        input.scene,
        None,
        input.to_px,
        measure,
        &occupied,
        LowerOptions {
            scale,
            selection: input.selection,
        },
    );
    list.ops.extend(furniture.ops);
    (list, layout)
}
