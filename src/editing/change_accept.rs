//! Accepting a change the finder found: the edit that records it, as one undo step.
//!
//! A candidate becomes an annotation (its polygon, category "change", a label from its class
//! and area) seen from date B, citing as `derived` one source per imagery layer compared. Each
//! layer's source (provider, scene or file, acquisition date, URL) is made once and reused by
//! every later acceptance; it is found again by the layer id it records. A darker candidate
//! over an annotation shown at date A is most likely that structure gone: it proposes ending
//! the annotation (`seen_until` at B) instead, which the analyst confirms.

use chrono::NaiveDate;
use geo::{Intersects as _, Polygon};
use serde_json::{Map, Value};

use super::create::{new_category, unique_id};
use super::edit::{AnnotationField, Edit};
use crate::analysis::change::ChangeClass;
use crate::model::ids;
use crate::model::timeline::is_visible;
use crate::model::{
    Annotation, Certainty, Citation, Evidence, FuzzyDate, ImageryLayer, LabelPlace, LayerSource,
    Project, Shape, Source, Status,
};

/// Key of the category accepted changes go to (added with the first one).
pub const CHANGE_CATEGORY_KEY: &str = "change";
/// Its name in the legend.
pub const CHANGE_CATEGORY_NAME: &str = "Change";
/// The source field that names the imagery layer a source stands for.
pub const SOURCE_LAYER_FIELD: &str = "imagery_layer";
/// The source field with the layer's scene id or file.
pub const SOURCE_SCENE_FIELD: &str = "scene";

/// One of the two images compared.
#[derive(Clone, Copy, Debug)]
pub struct Observed<'a> {
    /// The layer.
    pub layer: &'a ImageryLayer,
    /// Its acquisition date (from the project, or read from its file).
    pub date: Option<FuzzyDate>,
}

/// A candidate the analyst accepts.
#[derive(Clone, Copy, Debug)]
pub struct Accepted<'a> {
    /// Its outline, lon/lat.
    pub polygon: &'a Polygon<f64>,
    /// Brighter, darker, or texture and colour.
    pub class: ChangeClass,
    /// Its geodesic area, m².
    pub area_m2: f64,
    /// Its mean score, σ.
    pub score_sigma: f64,
    /// Date A's image.
    pub before: Observed<'a>,
    /// Date B's image.
    pub after: Observed<'a>,
    /// Date B: the new annotation is seen from it, a removed one is gone by it.
    pub seen: FuzzyDate,
}

/// Ending an annotation a removal overlaps, waiting for the analyst's word.
#[derive(Clone, Debug, PartialEq)]
pub struct EndProposal {
    /// The annotation's id.
    pub annotation: String,
    /// Its label, as the window says it.
    pub label: String,
    /// The date it is gone by.
    pub seen_until: FuzzyDate,
}

/// "1,240 m²" under a hectare, "2.35 ha" above.
#[must_use]
pub fn area_text(area_m2: f64) -> String {
    if area_m2 >= 10_000.0 {
        return format!("{:.2} ha", area_m2 / 10_000.0);
    }
    let whole = area_m2.max(0.0).round() as u64;
    let (thousands, rest) = (whole / 1000, whole % 1000);
    if thousands > 0 {
        format!("{thousands},{rest:03} m²")
    } else {
        format!("{rest} m²")
    }
}

/// What a class reads as in a label.
#[must_use]
pub fn class_text(class: ChangeClass) -> &'static str {
    match class {
        ChangeClass::Brighter => "New or brighter",
        ChangeClass::Darker => "Darker or gone",
        ChangeClass::TextureOrColour => "Changed texture or colour",
    }
}

/// The label of an accepted candidate: "New or brighter, 1,240 m²".
#[must_use]
pub fn change_label(class: ChangeClass, area_m2: f64) -> String {
    format!("{}, {}", class_text(class), area_text(area_m2))
}

/// The layer's scene id (a STAC item, a service release) or file name, when it has one.
fn scene_of(layer: &ImageryLayer) -> Option<String> {
    let recorded = ["scene_id", "stac_item", "item_id"]
        .iter()
        .find_map(|k| layer.extra.get(*k).and_then(Value::as_str))
        .map(str::to_owned);
    recorded.or_else(|| match layer.source.first_scene() {
        LayerSource::File { path } => Some(
            std::path::Path::new(path)
                .file_name()
                .map_or_else(|| path.clone(), |n| n.to_string_lossy().into_owned()),
        ),
        LayerSource::Tiles { release, .. } => release.as_ref().map(|r| format!("release {r}")),
        LayerSource::Remote { url } | LayerSource::Bands { red: url, .. } => {
            url.rsplit('/').next().map(str::to_owned)
        }
        LayerSource::Mosaic { .. } => None,
    })
}

/// The source that stands for `layer`, when the project has one.
#[must_use]
pub fn layer_source<'a>(project: &'a Project, layer: &ImageryLayer) -> Option<&'a Source> {
    project.sources.iter().find(|s| {
        s.extra.get(SOURCE_LAYER_FIELD).and_then(Value::as_str) == Some(layer.id.as_str())
    })
}

/// A new source for `layer` under `key`: its provider, scene or file, acquisition date and URL.
#[must_use]
pub fn new_layer_source(layer: &ImageryLayer, date: Option<FuzzyDate>, key: String) -> Source {
    let scene = scene_of(layer);
    let outlet = if layer.attribution.trim().is_empty() {
        layer.name.clone()
    } else {
        layer.attribution.clone()
    };
    let title = match &scene {
        Some(s) => format!("{} ({s})", layer.name),
        None => layer.name.clone(),
    };
    let url = match layer.source.first_scene() {
        LayerSource::Tiles { url, .. }
        | LayerSource::Remote { url }
        | LayerSource::Bands { red: url, .. } => Some(url.clone()),
        LayerSource::File { .. } | LayerSource::Mosaic { .. } => None,
    };
    let mut extra = Map::new();
    extra.insert(SOURCE_LAYER_FIELD.to_owned(), Value::from(layer.id.clone()));
    if let Some(s) = scene {
        extra.insert(SOURCE_SCENE_FIELD.to_owned(), Value::from(s));
    }
    Source {
        key,
        outlet,
        title,
        url,
        date: date.or(layer.date),
        // The image itself shows what is in it; what an annotation makes of it is derived.
        evidence: Evidence::Confirmed,
        extra,
    }
}

/// The sources to add (none for layers that have one) and the `derived` citations of both
/// images.
fn cite_images(project: &Project, accepted: &Accepted<'_>) -> (Vec<Edit>, Vec<Citation>) {
    let mut edits = Vec::new();
    let mut citations: Vec<Citation> = Vec::new();
    // Sources made here, by layer id: the same layer on both sides shares one.
    let mut made: Vec<(String, String)> = Vec::new();
    for (observed, role) in [(accepted.before, "before"), (accepted.after, "after")] {
        let layer = observed.layer;
        let existing = layer_source(project, layer)
            .map(|s| s.key.clone())
            .or_else(|| {
                made.iter()
                    .find(|(id, _)| *id == layer.id)
                    .map(|(_, k)| k.clone())
            });
        let key = if let Some(key) = existing {
            key
        } else {
            let base = format!("imagery-{}", ids::slug(&layer.id, None, "layer"));
            let key = ids::unique_id(&base, |k| {
                project.source(k).is_some() || made.iter().any(|(_, n)| n == k)
            });
            edits.push(Edit::AddSource {
                index: project.sources.len() + made.len(),
                source: Box::new(new_layer_source(layer, observed.date, key.clone())),
            });
            made.push((layer.id.clone(), key.clone()));
            key
        };
        if citations.iter().any(|c| c.source == key) {
            continue;
        }
        let date = observed
            .date
            .or(layer.date)
            .map_or_else(String::new, |d| format!(" of {d}"));
        let mut citation = Citation::new(key, Evidence::Derived);
        citation.detail = Some(format!("change finder, {role} image{date}"));
        citations.push(citation);
    }
    (edits, citations)
}

/// The edit that records `accepted` as a new annotation (with its sources and, the first time,
/// the "change" category), and the annotation's id.
#[must_use]
pub fn accept_as_annotation(project: &Project, accepted: &Accepted<'_>) -> (Edit, String) {
    let (mut edits, sources) = cite_images(project, accepted);
    if project.category(CHANGE_CATEGORY_KEY).is_none() {
        let mut category = new_category(&project.categories, CHANGE_CATEGORY_NAME);
        CHANGE_CATEGORY_KEY.clone_into(&mut category.key);
        edits.push(Edit::AddCategory {
            index: project.categories.len(),
            category: Box::new(category),
        });
    }
    let id = unique_id(project, CHANGE_CATEGORY_KEY);
    let note = format!(
        "Found by the change finder between {} and {}: {}, mean score {:.1} σ.",
        accepted.before.layer.name,
        accepted.after.layer.name,
        accepted.class.word().replace('_', " "),
        accepted.score_sigma
    );
    let annotation = Annotation {
        id: id.clone(),
        shape: Shape::Polygon(accepted.polygon.clone()),
        label: change_label(accepted.class, accepted.area_m2),
        category: CHANGE_CATEGORY_KEY.to_owned(),
        status: Status::default(),
        certainty: Certainty::Probable,
        mark: crate::model::Mark::Feature,
        seen_from: accepted.seen,
        seen_until: None,
        sources,
        note,
        label_place: LabelPlace::default(),
        extra_properties: Map::new(),
        extra_members: Map::new(),
    };
    edits.push(Edit::AddAnnotation {
        index: project.annotations.len(),
        annotation: Box::new(annotation),
    });
    (Edit::Batch(edits), id)
}

/// Whether `shape` touches `polygon`.
fn overlaps(shape: &Shape, polygon: &Polygon<f64>) -> bool {
    match shape {
        Shape::Point(p) => p.intersects(polygon),
        Shape::Line(l) => l.intersects(polygon),
        Shape::Polygon(p) => p.intersects(polygon),
    }
}

/// For a darker candidate: the annotation shown at `date_a` and still standing at B that it
/// overlaps (areas before lines before points, then the list's order), to end at B.
#[must_use]
pub fn propose_end(
    project: &Project,
    accepted: &Accepted<'_>,
    date_a: NaiveDate,
) -> Option<EndProposal> {
    if accepted.class != ChangeClass::Darker {
        return None;
    }
    let rank = |a: &Annotation| match a.shape {
        Shape::Polygon(_) => 0,
        Shape::Line(_) => 1,
        Shape::Point(_) => 2,
    };
    project
        .annotations
        .iter()
        .filter(|a| is_visible(a, date_a) && is_visible(a, accepted.seen.key()))
        .filter(|a| overlaps(&a.shape, accepted.polygon))
        .min_by_key(|a| rank(a))
        .map(|a| EndProposal {
            annotation: a.id.clone(),
            label: a.label.clone(),
            seen_until: accepted.seen,
        })
}

/// The edit that ends the proposal's annotation at B, citing both images as `derived` (their
/// sources made as needed).
#[must_use]
pub fn accept_as_end(project: &Project, accepted: &Accepted<'_>, end: &EndProposal) -> Edit {
    let (mut edits, citations) = cite_images(project, accepted);
    let mut sources = project
        .annotation(&end.annotation)
        .map(|a| a.sources.clone())
        .unwrap_or_default();
    for c in citations {
        if !sources.iter().any(|s| s.source == c.source) {
            sources.push(c);
        }
    }
    edits.push(Edit::SetField {
        id: end.annotation.clone(),
        field: AnnotationField::SeenUntil(Some(end.seen_until)),
    });
    edits.push(Edit::SetField {
        id: end.annotation.clone(),
        field: AnnotationField::Sources(sources),
    });
    Edit::Batch(edits)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::editing::History;
    use crate::model::default_project::load_default_project;
    use geo::polygon;

    fn project() -> Project {
        load_default_project().unwrap().project
    }

    fn layer<'a>(project: &'a Project, id: &str) -> &'a ImageryLayer {
        project.layers.iter().find(|l| l.id == id).unwrap()
    }

    fn fuzzy(text: &str) -> FuzzyDate {
        text.parse().unwrap()
    }

    /// A 100 × 100 m square far from every annotation of the default project.
    fn far_square() -> Polygon<f64> {
        polygon![
            (x: 130.60, y: 42.30), (x: 130.601, y: 42.30), (x: 130.601, y: 42.301),
            (x: 130.60, y: 42.301), (x: 130.60, y: 42.30)
        ]
    }

    fn accepted<'a>(
        project: &'a Project,
        polygon: &'a Polygon<f64>,
        class: ChangeClass,
    ) -> Accepted<'a> {
        Accepted {
            polygon,
            class,
            area_m2: 1240.4,
            score_sigma: 11.25,
            before: Observed {
                layer: layer(project, "synthetic-2025-07-05"),
                date: Some(fuzzy("2025-07-05")),
            },
            after: Observed {
                layer: layer(project, "synthetic-2025-10-14"),
                date: Some(fuzzy("2025-10-14")),
            },
            seen: fuzzy("2025-10-14"),
        }
    }

    fn apply(project: &mut Project, history: &mut History, edit: Edit) {
        history.apply(project, edit, None, 0.0).unwrap();
    }

    #[test]
    fn areas_and_labels_read_with_their_units() {
        assert_eq!(area_text(0.4), "0 m²");
        assert_eq!(area_text(999.6), "1,000 m²");
        assert_eq!(area_text(1240.4), "1,240 m²");
        assert_eq!(area_text(23_456.0), "2.35 ha");
        assert_eq!(
            change_label(ChangeClass::Brighter, 1240.4),
            "New or brighter, 1,240 m²"
        );
    }

    #[test]
    fn accepting_adds_one_dated_annotation_citing_a_new_source_per_layer_as_one_undo_step() {
        let mut project = project();
        let original = project.clone();
        let square = far_square();
        let (edit, id) = accept_as_annotation(
            &project,
            &accepted(&project, &square, ChangeClass::Brighter),
        );
        let mut history = History::new();
        apply(&mut project, &mut history, edit);

        let a = project.annotation(&id).unwrap();
        assert_eq!(a.category, CHANGE_CATEGORY_KEY);
        assert_eq!(a.label, "New or brighter, 1,240 m²");
        assert_eq!(a.seen_from, fuzzy("2025-10-14"));
        assert_eq!(a.seen_until, None);
        assert_eq!(a.shape, Shape::Polygon(square.clone()));
        assert!(a.is_derived());
        assert_eq!(a.sources.len(), 2);
        assert!(a.sources.iter().all(|c| c.evidence == Evidence::Derived));
        let cited: Vec<&Source> = a
            .sources
            .iter()
            .map(|c| project.source(&c.source).unwrap())
            .collect();
        assert_eq!(cited[0].key, "imagery-synthetic-2025-07-05");
        assert_eq!(cited[0].date, Some(fuzzy("2025-07-05")));
        assert_eq!(cited[0].outlet, crate::model::SYNTHETIC_CREDIT);
        assert_eq!(cited[0].extra[SOURCE_SCENE_FIELD], "2025-07-05.tif");
        assert_eq!(cited[1].extra[SOURCE_LAYER_FIELD], "synthetic-2025-10-14");
        assert!(project.category(CHANGE_CATEGORY_KEY).is_some());
        assert_eq!(project.sources.len(), original.sources.len() + 2);

        assert_eq!(history.undo_len(), 1, "one step");
        history.undo(&mut project).unwrap().unwrap();
        assert_eq!(project, original, "one undo restores the project");
    }

    #[test]
    fn a_second_acceptance_reuses_the_layers_sources_and_the_category() {
        let mut project = project();
        let mut history = History::new();
        let square = far_square();
        let (first, _) = accept_as_annotation(
            &project,
            &accepted(&project, &square, ChangeClass::Brighter),
        );
        apply(&mut project, &mut history, first);
        let sources = project.sources.len();
        let categories = project.categories.len();
        let (second, id) = accept_as_annotation(
            &project,
            &accepted(&project, &square, ChangeClass::TextureOrColour),
        );
        apply(&mut project, &mut history, second);
        assert_eq!(project.sources.len(), sources);
        assert_eq!(project.categories.len(), categories);
        let a = project.annotation(&id).unwrap();
        assert_eq!(id, "change-2");
        assert_eq!(
            a.sources
                .iter()
                .map(|c| c.source.as_str())
                .collect::<Vec<_>>(),
            [
                "imagery-synthetic-2025-07-05",
                "imagery-synthetic-2025-10-14"
            ]
        );
    }

    #[test]
    fn a_tile_layer_source_keeps_its_url_and_release() {
        let project = project();
        let wayback = layer(&project, "esri-wayback-58924");
        let source = new_layer_source(wayback, None, "k".to_owned());
        assert!(source.url.unwrap().contains("{release}"));
        assert_eq!(source.extra[SOURCE_SCENE_FIELD], "release 58924");
        assert_eq!(source.date, wayback.date);
    }

    /// A square around the first polygon annotation standing at both dates.
    fn standing_polygon(project: &Project) -> (String, Polygon<f64>) {
        let (a, b) = (fuzzy("2025-07-05").key(), fuzzy("2025-10-14").key());
        let found = project
            .annotations
            .iter()
            .find(|x| matches!(x.shape, Shape::Polygon(_)) && is_visible(x, a) && is_visible(x, b))
            .unwrap();
        let Shape::Polygon(p) = &found.shape else {
            unreachable!()
        };
        (found.id.clone(), p.clone())
    }

    #[test]
    fn a_darker_candidate_over_a_standing_annotation_proposes_its_end_at_b() {
        let mut project = project();
        let (id, outline) = standing_polygon(&project);
        let date_a = fuzzy("2025-07-05").key();
        let brighter = accepted(&project, &outline, ChangeClass::Brighter);
        assert_eq!(propose_end(&project, &brighter, date_a), None);
        let far = far_square();
        let nowhere = accepted(&project, &far, ChangeClass::Darker);
        assert_eq!(propose_end(&project, &nowhere, date_a), None);

        let darker = accepted(&project, &outline, ChangeClass::Darker);
        let end = propose_end(&project, &darker, date_a).unwrap();
        assert_eq!(end.annotation, id);
        assert_eq!(end.seen_until, fuzzy("2025-10-14"));

        let original = project.clone();
        let cited_before = project.annotation(&id).unwrap().sources.len();
        let edit = accept_as_end(&project, &darker, &end);
        let mut history = History::new();
        apply(&mut project, &mut history, edit);
        let a = project.annotation(&id).unwrap();
        assert_eq!(a.seen_until, Some(fuzzy("2025-10-14")));
        assert_eq!(a.sources.len(), cited_before + 2);
        assert!(a.is_derived());
        assert_eq!(project.annotations.len(), original.annotations.len());
        history.undo(&mut project).unwrap().unwrap();
        assert_eq!(project, original);
    }

    #[test]
    fn an_annotation_gone_before_a_is_not_proposed() {
        let mut project = project();
        let (id, outline) = standing_polygon(&project);
        let ended = project.annotations.iter_mut().find(|a| a.id == id).unwrap();
        ended.seen_until = Some(fuzzy("2025-01"));
        let darker = accepted(&project, &outline, ChangeClass::Darker);
        let proposed = propose_end(&project, &darker, fuzzy("2025-07-05").key());
        assert!(
            proposed.as_ref().is_none_or(|e| e.annotation != id),
            "{proposed:?}"
        );
    }
}
