//! Building a [`Scene`] from a project at a date.

use std::collections::HashMap;

use chrono::NaiveDate;
use geo::line_measures::InterpolatableLine as _;
use geo::{Centroid as _, Coord, Euclidean, InteriorPoint as _};

use super::{
    Caption, CaptionSource, ItemGeometry, LegendEntry, Scene, SceneItem, SceneLabel, Stroke,
    status_alpha,
};
use crate::model::date::display_day_upper;
use crate::model::timeline::{current_stage, current_stage_index, is_visible, visible_annotations};
use crate::model::tracks::layers_at;
use crate::model::{Annotation, Category, FileDates, Mark, Marker, Project, Rgba, Shape, Style};

/// What the view adds to the project's own content.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SceneOptions {
    /// The selected annotation, drawn highlighted.
    pub selected: Option<String>,
    /// Credit lines of the basemap and imagery in view, in the providers' wording.
    pub credits: Vec<String>,
    /// Messages that must be on the picture.
    pub notices: Vec<String>,
    /// Labels in this language (`ko`, `ru`: `name:ko` …) instead of the project's setting.
    pub label_language: Option<String>,
    /// Dates read from undated layers' files: such a layer is placed at its file's date.
    pub file_dates: FileDates,
}

/// The style used for an annotation whose category is unknown.
fn fallback_style() -> Style {
    Style {
        color: Rgba::rgb(255, 255, 255),
        width_px: 4.0,
        fill_alpha: 40,
        marker: Marker::Circle,
        extra: serde_json::Map::new(),
    }
}

fn draw_rank(shape: &Shape) -> u8 {
    match shape {
        Shape::Polygon(_) => 0,
        Shape::Line(_) => 1,
        Shape::Point(_) => 2,
    }
}

fn label_anchor(annotation: &Annotation) -> Coord<f64> {
    let shape = &annotation.shape;
    // A callout's text sits at the arrow's tail.
    if let (Mark::Arrow, Shape::Line(l)) = (annotation.mark, shape)
        && let Some(tail) = l.0.first()
    {
        return *tail;
    }
    match shape {
        Shape::Point(p) => p.0,
        Shape::Line(l) => l
            .point_at_ratio_from_start(&Euclidean, 0.5)
            .map_or_else(|| l.0.first().copied().unwrap_or_default(), |p| p.0),
        Shape::Polygon(p) => p
            .interior_point()
            .or_else(|| p.centroid())
            .map(|p| p.0)
            .unwrap_or_default(),
    }
}

fn item(annotation: &Annotation, style: &Style, selected: bool) -> SceneItem {
    let alpha = status_alpha(annotation.status);
    let color = style.color.with_alpha(alpha);
    let geometry = match &annotation.shape {
        Shape::Point(p) => ItemGeometry::Point(p.0),
        Shape::Line(l) => ItemGeometry::Line(l.clone()),
        Shape::Polygon(p) => ItemGeometry::Polygon(p.clone()),
    };
    let fill = matches!(annotation.shape, Shape::Polygon(_))
        .then(|| style.color.with_alpha(style.fill_alpha))
        .filter(|c| c.0[3] > 0);
    SceneItem {
        id: annotation.id.clone(),
        geometry,
        stroke: Stroke {
            color,
            width_px: style.width_px,
            dash_px: annotation.certainty.dash_px(),
        },
        fill,
        marker: style.marker,
        mark: annotation.mark,
        selected,
    }
}

/// True when the annotation's label is drawn: it has text and the analyst has not hidden it.
fn has_label(annotation: &Annotation) -> bool {
    !annotation.label.trim().is_empty() && !annotation.label_place.hidden
}

fn label(annotation: &Annotation, style: &Style, language: Option<&str>) -> SceneLabel {
    SceneLabel {
        id: annotation.id.clone(),
        anchor: label_anchor(annotation),
        // A free text label reads as typed; structures carry their certainty words.
        text: if annotation.mark == Mark::Text {
            annotation.label_in(language).to_owned()
        } else {
            annotation.display_label_in(language)
        },
        color: style.color,
        place: annotation.label_place,
    }
}

/// Refreshes the item and label of one annotation in a built scene after an edit that leaves
/// the legend, visibility and draw order alone (see `editing::Edit::local_annotation`), so a
/// drag does not rebuild a scene of thousands of items every frame. Returns the item's index,
/// `None` when the annotation is not in the scene (then nothing changed).
pub fn patch_annotation(scene: &mut Scene, project: &Project, id: &str) -> Option<usize> {
    let annotation = project.annotation(id)?;
    let index = scene.items.iter().position(|i| i.id == id)?;
    let fallback = fallback_style();
    let style = project
        .category(&annotation.category)
        .map_or(&fallback, |c| &c.style);
    let slot = scene.items.get_mut(index)?;
    let selected = slot.selected;
    *slot = item(annotation, style, selected);
    let new_label = label(annotation, style, project.label_language.as_deref());
    let existing = scene.labels.iter().position(|l| l.id == id);
    match (existing, !has_label(annotation)) {
        (Some(i), true) => {
            scene.labels.remove(i);
        }
        (Some(i), false) => {
            if let Some(l) = scene.labels.get_mut(i) {
                *l = new_label;
            }
        }
        (None, false) => scene.labels.push(new_label),
        (None, true) => {}
    }
    Some(index)
}

/// What a scene at a date shows besides the date itself: the annotations visible (indices in
/// the project), the imagery layers with their opacities, and the current stage. Two dates with
/// the same `SceneShows` have scenes that differ only in their date (see [`redate`]), so a
/// cache keys on this, not on the date: scrubbing across a quiet stretch rebuilds nothing.
#[derive(Clone, Debug, PartialEq)]
pub struct SceneShows {
    visible: Vec<usize>,
    layers: Vec<(usize, f32)>,
    stage: Option<usize>,
}

/// What the scene at `date` shows (cheap: one date comparison per annotation).
#[must_use]
pub fn scene_shows(project: &Project, date: NaiveDate, options: &SceneOptions) -> SceneShows {
    SceneShows {
        visible: project
            .annotations
            .iter()
            .enumerate()
            .filter(|(_, a)| is_visible(a, date))
            .map(|(i, _)| i)
            .collect(),
        layers: layers_at(project, date, &options.file_dates),
        stage: current_stage_index(&project.stages, date),
    }
}

/// Moves a built scene to `date` when [`scene_shows`] is the same at both dates: only the date
/// and its label change.
pub fn redate(scene: &mut Scene, date: NaiveDate) {
    scene.date = date;
    scene.date_label = display_day_upper(date);
}

/// Builds the scene: the annotations visible at `date` (styled by category and certainty),
/// their labels, the legend of what is shown, the stage caption, credits and notices.
pub fn build(project: &Project, date: NaiveDate, options: &SceneOptions) -> Scene {
    build_reusing(project, date, options, None)
}

/// [`build`], taking the items and labels of annotations already in `previous` from it instead
/// of styling them again (label anchors of areas cost most). `previous` must have been built
/// from this very project with the same label language; only the selection flags are set anew.
pub fn build_reusing(
    project: &Project,
    date: NaiveDate,
    options: &SceneOptions,
    previous: Option<&Scene>,
) -> Scene {
    let fallback = fallback_style();
    let mut visible: Vec<&Annotation> = visible_annotations(project, date).collect();
    // Stable: within a rank, project order (later annotations on top).
    visible.sort_by_key(|a| draw_rank(&a.shape));

    let style_of = |a: &Annotation| -> &Style {
        project
            .category(&a.category)
            .map_or(&fallback, |c: &Category| &c.style)
    };
    let old_items: HashMap<&str, &SceneItem> = previous
        .map(|p| p.items.iter().map(|i| (i.id.as_str(), i)).collect())
        .unwrap_or_default();
    let old_labels: HashMap<&str, &SceneLabel> = previous
        .map(|p| p.labels.iter().map(|l| (l.id.as_str(), l)).collect())
        .unwrap_or_default();
    let items: Vec<SceneItem> = visible
        .iter()
        .map(|a| {
            let selected = options.selected.as_deref() == Some(&a.id);
            match old_items.get(a.id.as_str()) {
                Some(old) => SceneItem {
                    selected,
                    ..(*old).clone()
                },
                None => item(a, style_of(a), selected),
            }
        })
        .collect();
    let language = options
        .label_language
        .as_deref()
        .or(project.label_language.as_deref());
    let labels = visible
        .iter()
        .filter(|a| has_label(a))
        .map(|a| match old_labels.get(a.id.as_str()) {
            Some(old) => (*old).clone(),
            None => label(a, style_of(a), language),
        })
        .collect();

    let legend = project
        .categories
        .iter()
        .filter_map(|c| {
            let of_cat: Vec<&&Annotation> =
                visible.iter().filter(|a| a.category == c.key).collect();
            if of_cat.is_empty() {
                return None;
            }
            let has_areas = of_cat.iter().any(|a| matches!(a.shape, Shape::Polygon(_)));
            Some(LegendEntry {
                name: c.name.clone(),
                color: c.style.color,
                fill: has_areas
                    .then(|| c.style.color.with_alpha(c.style.fill_alpha))
                    .filter(|f| f.0[3] > 0),
                marker: c.style.marker,
                has_points: of_cat.iter().any(|a| matches!(a.shape, Shape::Point(_))),
                has_lines: of_cat.iter().any(|a| !matches!(a.shape, Shape::Point(_))),
            })
        })
        .collect();

    let mut certainties: Vec<_> = visible.iter().map(|a| a.certainty).collect();
    certainties.sort();
    certainties.dedup();

    let caption = current_stage(project, date).map(|stage| Caption {
        stage_date: stage.date.display_upper(),
        title: stage.title.clone(),
        summary: stage.summary.clone(),
        sources: stage
            .sources
            .iter()
            .map(|c| {
                let source = project.source(&c.source);
                let label = source.map_or_else(
                    || format!("{} (unknown source)", c.source),
                    |s| match &s.date {
                        Some(d) => format!("{}, {}", s.outlet, d.display_upper()),
                        None => s.outlet.clone(),
                    },
                );
                CaptionSource {
                    label,
                    url: source.and_then(|s| s.url.clone()),
                    evidence: c.evidence,
                }
            })
            .collect(),
    });

    // Imagery at the date, bottom first: the tracks decide which layer of each is shown.
    let layers: Vec<super::SceneLayer> = layers_at(project, date, &options.file_dates)
        .into_iter()
        .filter_map(|(index, opacity)| {
            let layer = project.layers.get(index)?;
            Some(super::SceneLayer {
                id: layer.id.clone(),
                name: layer.name.clone(),
                date_label: layer.effective_date_label(&options.file_dates),
                credit: layer.attribution.clone(),
                synthetic: layer.synthetic,
                opacity,
                offset_m: layer.offset_or_zero(),
            })
        })
        .collect();
    let mut credits = options.credits.clone();
    let mut notices = options.notices.clone();
    for layer in &layers {
        if !layer.credit.is_empty() && !credits.contains(&layer.credit) {
            credits.push(layer.credit.clone());
        }
    }
    if layers.iter().any(|l| l.synthetic)
        && !notices.iter().any(|n| n == crate::model::SYNTHETIC_NOTICE)
    {
        notices.insert(0, crate::model::SYNTHETIC_NOTICE.to_owned());
    }

    Scene {
        title: project.name.clone(),
        layers,
        date,
        date_label: display_day_upper(date),
        caption,
        items,
        labels,
        legend,
        certainties,
        credits,
        notices,
    }
}
