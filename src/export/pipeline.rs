//! The export pipeline: the view's imagery fetched once, then each date's scene drawn over it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use chrono::NaiveDate;
use geo::Coord;
use tiny_skia::Pixmap;

use super::tiles::{LayerReport, TileLayer};
use super::view::ExportView;
use super::{
    BACKGROUND, Compared, ExportError, ExportOptions, Figure, MAX_SIDE_PX, MIN_SIDE_PX,
    NO_IMAGERY_NOTICE, Progress, tiles,
};
use crate::export::RasterLabel;
use crate::imagery::basemap::Basemap;
use crate::imagery::{TileSource, overview};
use crate::model::SYNTHETIC_NOTICE;
use crate::model::{FileDates, Project};
use crate::render::display_list::{ImageryOp, ImagerySource, PaintOp};
use crate::render::lower::offset::offset_px;
use crate::render::lower::style::Scale;
use crate::render::lower::{FigureInput, compare, lower_figure};
use crate::render::skia;
use crate::render::text::EpaintText;
use crate::scene::{Scene, SceneOptions, build};

/// The imagery of a view, fetched once and reused for every date.
pub(super) struct Prepared {
    pub(super) view: ExportView,
    /// The basemap and the options' extra layers; taken, not copied, by the one figure of a
    /// [`Self::single_use`] preparation.
    base: Mutex<Option<Pixmap>>,
    /// For one figure with nothing but the basemap under its imagery: the basemap, fetched and
    /// drawn under the imagery once that is drawn, only where the imagery lets it show (a COG
    /// covering the view leaves none of its tiles to fetch or resample). There is no `base`.
    basemap_later: Option<TileLayer>,
    single_use: bool,
    reports: Vec<LayerReport>,
    pub(super) text: EpaintText,
}

/// A frame's imagery: the pixels, what was drawn, and the layers left out.
pub(super) struct Imagery {
    pixmap: Pixmap,
    reports: Vec<LayerReport>,
    /// Ids of the scene's layers drawn.
    drawn: Vec<String>,
    /// Names of the scene's layers with no source.
    left_out: Vec<String>,
}

/// Tile sources of the project's imagery layers, found once per export, by layer id.
pub(super) type SourceCache = HashMap<String, Option<Arc<dyn TileSource>>>;

pub(super) fn check_size(size_px: [u32; 2]) -> Result<(), ExportError> {
    let [width, height] = size_px;
    let ok = |v: u32| (MIN_SIDE_PX..=MAX_SIDE_PX).contains(&v);
    if ok(width) && ok(height) {
        Ok(())
    } else {
        Err(ExportError::Size { width, height })
    }
}

pub(super) fn prepare(
    project: &Project,
    options: &ExportOptions,
    progress: Progress<'_>,
) -> Result<Prepared, ExportError> {
    prepare_with(project, options, progress, false)
}

/// [`prepare`]; with `basemap_later`, for one figure, the basemap (when it is all there is
/// under the imagery) is left to be drawn under the imagery.
fn prepare_with(
    project: &Project,
    options: &ExportOptions,
    progress: Progress<'_>,
    basemap_later: bool,
) -> Result<Prepared, ExportError> {
    check_size(options.size_px)?;
    let view = options.view.resolve(project, options.size_px)?;
    let basemap = options
        .basemap
        .source()
        .map_err(|source| ExportError::Basemap {
            basemap: options.basemap.label().to_owned(),
            source,
        })?;
    let basemap = TileLayer {
        source: basemap,
        opacity: 1.0,
    };
    if basemap_later && options.layers.is_empty() {
        return Ok(Prepared {
            view,
            base: Mutex::new(None),
            basemap_later: Some(basemap),
            single_use: true,
            reports: Vec::new(),
            text: EpaintText::bundled(),
        });
    }
    let mut layers = vec![basemap];
    layers.extend(options.layers.iter().cloned());
    let [width, height] = options.size_px;
    let mut base = Pixmap::new(width, height).ok_or(ExportError::Allocate { width, height })?;
    let [r, g, b] = BACKGROUND;
    base.fill(tiny_skia::Color::from_rgba8(r, g, b, 255));
    let policy = tiles::FetchPolicy {
        deadline: options.tile_deadline,
        ..tiles::FetchPolicy::default()
    };
    let reports = tiles::composite_with(&mut base, &view, &layers, progress, &policy)?;
    Ok(Prepared {
        view,
        base: Mutex::new(Some(base)),
        basemap_later: None,
        single_use: false,
        reports,
        text: EpaintText::bundled(),
    })
}

/// Takes the layers that could not be drawn out of the scene, with the credits and the
/// synthetic notice that only they brought.
fn keep_drawn_layers(scene: &mut Scene, drawn_ids: &[String], tile_credits: &[String]) {
    scene.layers.retain(|l| drawn_ids.contains(&l.id));
    let layer_credits: Vec<String> = scene.layers.iter().map(|l| l.credit.clone()).collect();
    scene
        .credits
        .retain(|c| tile_credits.contains(c) || layer_credits.contains(c));
    if !scene.layers.iter().any(|l| l.synthetic) {
        scene.notices.retain(|n| n != SYNTHETIC_NOTICE);
    }
}

impl Prepared {
    /// For one figure only: its imagery is drawn on the base itself, not on a copy of it (a
    /// figure's worth of memory less at the export's peak: 33 MB at 4K).
    pub(super) fn single_use(mut self) -> Self {
        self.single_use = true;
        self
    }

    /// The pixels to draw a date's imagery on: the base itself for a single-use preparation,
    /// otherwise a copy.
    fn base_pixels(&self) -> Result<Pixmap, ExportError> {
        if self.basemap_later.is_some() {
            // Nothing under the imagery yet: the basemap and background go under it after.
            let [width, height] = self.view.size_px();
            return Pixmap::new(width, height).ok_or(ExportError::Allocate { width, height });
        }
        let mut base = self.base.lock().unwrap_or_else(PoisonError::into_inner);
        let pixels = if self.single_use {
            base.take()
        } else {
            base.clone()
        };
        // Only a second figure of a single-use preparation finds none.
        let [width, height] = self.view.size_px();
        pixels.ok_or(ExportError::Allocate { width, height })
    }

    /// Draws the project's imagery layers shown at the scene's date over the base.
    /// Returns the image, the tile reports and the names of layers with no source.
    pub(super) fn imagery(
        &self,
        project: &Project,
        scene: &Scene,
        options: &ExportOptions,
        cache: &mut SourceCache,
        progress: Progress<'_>,
    ) -> Result<Imagery, ExportError> {
        let mut pixmap = self.base_pixels()?;
        let mut reports = self.reports.clone();
        let (mut drawn, mut left_out) = (Vec::new(), Vec::new());
        let rect = self.view.rect();
        for shown in &scene.layers {
            let source = source_of(project, shown, options, cache, Some(&rect))?;
            let Some(source) = source else {
                left_out.push(shown.name.clone());
                continue;
            };
            let layer = TileLayer {
                source,
                opacity: shown.opacity,
            };
            let policy = tiles::FetchPolicy {
                deadline: options.tile_deadline,
                ..tiles::FetchPolicy::default()
            };
            // An aligned layer is drawn through a view shifted against its offset.
            let view = self
                .view
                .shifted_px(offset_px(shown.offset_m, self.view.meters_per_px()));
            for mut report in
                tiles::composite_with(&mut pixmap, &view, &[layer], progress, &policy)?
            {
                report.layer_id = Some(shown.id.clone());
                reports.push(report);
            }
            drawn.push(shown.id.clone());
        }
        if let Some(basemap) = &self.basemap_later {
            let policy = tiles::FetchPolicy {
                deadline: options.tile_deadline,
                ..tiles::FetchPolicy::default()
            };
            let report = tiles::draw_under(&mut pixmap, &self.view, basemap, progress, &policy)?;
            // The basemap's report comes first, as it does when drawn first.
            reports.insert(0, report);
            tiles::fill_under(&mut pixmap, BACKGROUND);
        }
        Ok(Imagery {
            pixmap,
            reports,
            drawn,
            left_out,
        })
    }

    /// One date's scene as the export draws it (with only the `pick`ed layer's imagery when
    /// one is given, as a comparison side can show), and the credits of the view's tile layers.
    pub(super) fn scene(
        &self,
        project: &Project,
        date: NaiveDate,
        pick: Option<&str>,
        options: &ExportOptions,
    ) -> (Scene, Vec<String>) {
        // A basemap drawn later credits first, as its report will come first.
        let later = self
            .basemap_later
            .iter()
            .map(|l| l.source.attribution().to_owned());
        let tile_credits: Vec<String> = later
            .chain(self.reports.iter().map(|r| r.credit.clone()))
            .filter(|c| !c.is_empty())
            .collect();
        let file_dates = file_dates(project, options);
        let mut scene = build(
            project,
            date,
            &SceneOptions {
                credits: tile_credits.clone(),
                label_language: options.label_language.clone(),
                file_dates: file_dates.clone(),
                ..SceneOptions::default()
            },
        );
        if let Some(layer) = pick.and_then(|id| project.layers.iter().find(|l| l.id == id)) {
            scene.layers = vec![crate::scene::SceneLayer {
                id: layer.id.clone(),
                name: layer.name.clone(),
                date_label: layer.effective_date_label(&file_dates),
                credit: layer.attribution.clone(),
                synthetic: layer.synthetic,
                opacity: layer.opacity,
                offset_m: layer.offset_or_zero(),
            }];
            if !layer.attribution.is_empty() && !scene.credits.contains(&layer.attribution) {
                scene.credits.push(layer.attribution.clone());
            }
            if layer.synthetic && !scene.notices.iter().any(|n| n == SYNTHETIC_NOTICE) {
                scene.notices.insert(0, SYNTHETIC_NOTICE.to_owned());
            }
        }
        (scene, tile_credits)
    }

    /// One date's scene with its imagery composited over the base (the layers that could not
    /// be drawn taken out of the scene).
    pub(super) fn date_imagery(
        &self,
        project: &Project,
        (date, pick): (NaiveDate, Option<&str>),
        options: &ExportOptions,
        cache: &mut SourceCache,
        progress: Progress<'_>,
    ) -> Result<DateImagery, ExportError> {
        let (mut scene, tile_credits) = self.scene(project, date, pick, options);
        let Imagery {
            pixmap,
            reports,
            drawn,
            left_out: layers_left_out,
        } = self.imagery(project, &scene, options, cache, progress)?;
        keep_drawn_layers(&mut scene, &drawn, &tile_credits);
        if options.basemap == Basemap::Offline
            && options.layers.is_empty()
            && scene.layers.is_empty()
            && !overview::has_imagery_at(self.view.zoom())
        {
            scene.notices.push(NO_IMAGERY_NOTICE.to_owned());
        }
        // "N of M tiles at lower resolution", one line per layer that needed it.
        for notice in reports
            .iter()
            .filter_map(LayerReport::lower_resolution_notice)
        {
            if !scene.notices.contains(&notice) {
                scene.notices.push(notice);
            }
        }
        Ok(DateImagery {
            scene,
            pixmap,
            reports,
            layers_left_out,
        })
    }

    /// One date's figure, lowered but not painted: its list draws the imagery over the base.
    fn lower_date(
        &self,
        project: &Project,
        date: (NaiveDate, Option<&str>),
        options: &ExportOptions,
        cache: &mut SourceCache,
        progress: Progress<'_>,
    ) -> Result<Lowered, ExportError> {
        let DateImagery {
            scene,
            pixmap,
            reports,
            layers_left_out,
        } = self.date_imagery(project, date, options, cache, progress)?;
        let view = self.view;
        let imagery = imagery_op(&pixmap);
        let to_px = |c: Coord<f64>| view.to_px(c);
        let (list, layout) = lower_figure(
            &FigureInput {
                scene: &scene,
                size_px: view.size_px(),
                meters_per_px: view.meters_per_px(),
                title: options.title.as_deref(),
                north_arrow: options.north_arrow,
                grid_bbox: options.grid.then(|| view.bbox_lonlat()),
                selection: false,
                to_px: &to_px,
            },
            &self.text,
            vec![imagery],
        );
        Ok(Lowered {
            pixmap,
            scene,
            layout,
            list,
            reports,
            layers_left_out,
        })
    }

    /// Paints a lowered list over its imagery into a figure.
    fn paint(&self, lowered: Lowered, compare: Option<Compared>) -> Figure {
        let Lowered {
            mut pixmap,
            scene,
            layout,
            list,
            reports,
            layers_left_out,
        } = lowered;
        skia::paint(&mut pixmap, &list, &self.text);
        let labels = list
            .labels()
            .map(|(id, rect_px)| RasterLabel {
                id: id.to_owned(),
                rect_px,
            })
            .collect();
        Figure {
            pixmap,
            view: self.view,
            scene,
            layout,
            list,
            labels,
            layers: reports,
            layers_left_out,
            compare,
        }
    }

    pub(super) fn figure(
        &self,
        project: &Project,
        date: NaiveDate,
        options: &ExportOptions,
        cache: &mut SourceCache,
        progress: Progress<'_>,
    ) -> Result<Figure, ExportError> {
        let lowered = self.lower_date(project, (date, None), options, cache, progress)?;
        Ok(self.paint(lowered, None))
    }

    /// A swipe figure: date `a` left of the divider (at `fraction` of the width), `b` right of
    /// it, as the window's swipe draws them.
    pub(super) fn swipe_figure(
        &self,
        project: &Project,
        [a, b]: [NaiveDate; 2],
        fraction: f32,
        options: &ExportOptions,
        progress: Progress<'_>,
    ) -> Result<Figure, ExportError> {
        let mut cache = SourceCache::new();
        let [pick_a, pick_b] = options.side_layers.each_ref().map(Option::as_deref);
        let sides = [(a, pick_a), (b, pick_b)];
        self.compare_sources(project, &sides, options, &mut cache)?;
        let left = self.lower_date(project, sides[0], options, &mut cache, progress)?;
        let mut right = self.lower_date(project, sides[1], options, &mut cache, progress)?;
        let divider = compare::divider_px(right.list.size_px[0], fraction);
        let (tag_a, tag_b) = (
            compare::side_tag("A", &left.scene),
            compare::side_tag("B", &right.scene),
        );
        right.list = compare::swipe(
            &left.list,
            &right.list,
            divider,
            &self.text,
            compare::SideTags {
                a: &tag_a,
                b: &tag_b,
                top_px: compare::tag_top(Scale(right.layout.px_scale)),
            },
            Scale(right.layout.px_scale),
        );
        // The picture shows both dates: their credits and notices are the figure's.
        extend_unique(&mut right.scene.credits, &left.scene.credits);
        extend_unique(&mut right.scene.notices, &left.scene.notices);
        extend_unique(&mut right.layers_left_out, &left.layers_left_out);
        let compared = Compared {
            scene: left.scene,
            divider_px: divider,
            layers: left.reports,
            stretch: options.compare_stretch,
            picked: options.side_layers.clone(),
        };
        Ok(self.paint(right, Some(compared)))
    }
}

/// Appends the items of `more` that `to` does not hold yet, in order.
fn extend_unique(to: &mut Vec<String>, more: &[String]) {
    for item in more {
        if !to.contains(item) {
            to.push(item.clone());
        }
    }
}

/// The tile source of a scene's layer, found once per export (`None`: no source here); with
/// the `view` it will be drawn in, a raster file decoded whole keeps only what that view reads.
pub(super) fn source_of(
    project: &Project,
    shown: &crate::scene::SceneLayer,
    options: &ExportOptions,
    cache: &mut SourceCache,
    view: Option<&crate::imagery::ViewRect>,
) -> Result<Option<Arc<dyn TileSource>>, ExportError> {
    if let Some(found) = cache.get(&shown.id) {
        return Ok(found.clone());
    }
    let layer = project.layers.iter().find(|l| l.id == shown.id);
    let found = match (layer, &options.imagery) {
        (Some(layer), Some(sources)) => match view {
            Some(view) => sources.source_for_view(layer, view),
            None => sources.source(layer),
        }
        .transpose()
        .map_err(|source| ExportError::Imagery {
            layer: shown.name.clone(),
            source,
        })?,
        _ => None,
    };
    cache.insert(shown.id.clone(), found.clone());
    Ok(found)
}

/// A pixmap of the view's imagery as the op that draws it over the whole view.
pub(super) fn imagery_op(pixmap: &Pixmap) -> PaintOp {
    let (w, h) = (pixmap.width(), pixmap.height());
    PaintOp::Imagery(ImageryOp {
        layer_id: String::new(),
        dest_px: [0.0, 0.0, w as f32, h as f32],
        opacity: 1.0,
        clip_px: None,
        offset_px: [0.0, 0.0],
        // Opaque (the background is filled first), so premultiplied and straight agree.
        source: ImagerySource::Rgba {
            size_px: [w, h],
            pixels: Arc::new(pixmap.data().to_vec()),
        },
    })
}

/// One date's scene and imagery, before any lowering.
pub(super) struct DateImagery {
    /// The scene, without the layers that could not be drawn.
    pub(super) scene: Scene,
    /// The date's imagery composited over the base.
    pub(super) pixmap: Pixmap,
    /// The tile layers drawn.
    pub(super) reports: Vec<LayerReport>,
    /// Layers with no source here (by name).
    pub(super) layers_left_out: Vec<String>,
}

/// One date's figure before painting.
struct Lowered {
    /// The date's imagery composited over the base.
    pixmap: Pixmap,
    scene: Scene,
    layout: crate::render::layout::Layout,
    list: crate::render::display_list::DisplayList,
    reports: Vec<LayerReport>,
    layers_left_out: Vec<String>,
}

/// The dates of undated file layers: the caller's, else read from the files, as the window
/// places such layers on the timeline.
fn file_dates(project: &Project, options: &ExportOptions) -> FileDates {
    let mut dates = options.file_dates.clone();
    let Some(sources) = &options.imagery else {
        return dates;
    };
    for layer in &project.layers {
        if layer.date.is_none()
            && layer.visible
            && layer.file_path().is_some()
            && !dates.contains_key(&layer.id)
            && let Some(day) = sources.file_date(layer)
        {
            dates.insert(layer.id.clone(), day);
        }
    }
    dates
}

/// Renders the figure of a project at a date, without writing anything.
pub fn render_figure(
    project: &Project,
    date: NaiveDate,
    options: &ExportOptions,
    progress: Progress<'_>,
) -> Result<Figure, ExportError> {
    let prepared = prepare_with(project, options, progress, true)?.single_use();
    prepared.figure(project, date, options, &mut SourceCache::new(), progress)
}

/// Renders a swipe figure of two dates (A left of the divider, at `fraction` of the width; B
/// right of it), without writing anything. The figure's scene is B's; A's is in `compare`.
pub fn render_swipe(
    project: &Project,
    dates: [NaiveDate; 2],
    fraction: f32,
    options: &ExportOptions,
    progress: Progress<'_>,
) -> Result<Figure, ExportError> {
    let prepared = prepare(project, options, progress)?;
    prepared.swipe_figure(project, dates, fraction, options, progress)
}
