//! One stretch across a comparison figure's dates (swipe, panels): the rasters of every date
//! drawn with a stretch over all their samples, or later dates histogram-matched to the first,
//! as the window's comparison draws them.

use std::sync::Arc;

use chrono::NaiveDate;

use super::pipeline::{Prepared, SourceCache, source_of};
use super::{ExportError, ExportOptions};
use crate::imagery::TileSource;
use crate::imagery::raster::shared_stretch::{ComparedRaster, compare_looks};
use crate::imagery::raster::{CompareStretch, CompareStretched};
use crate::model::Project;

impl Prepared {
    /// Finds the sources of every date's layers (each date's picked layer alone, where one is) and, unless each keeps its own stretch,
    /// replaces the rasters among them with the comparison's look (the first date is A).
    pub(super) fn compare_sources(
        &self,
        project: &Project,
        dates: &[(NaiveDate, Option<&str>)],
        options: &ExportOptions,
        cache: &mut SourceCache,
    ) -> Result<(), ExportError> {
        if options.compare_stretch == CompareStretch::Own {
            return Ok(());
        }
        let mut sides: Vec<Vec<(String, String)>> = Vec::with_capacity(dates.len());
        for &(date, pick) in dates {
            let (scene, _) = self.scene(project, date, pick, options);
            for shown in &scene.layers {
                source_of(project, shown, options, cache, None)?;
            }
            let track = |id: &str| {
                let layer = project.layers.iter().find(|l| l.id == id);
                layer.map(|l| l.track.clone()).unwrap_or_default()
            };
            sides.push(
                scene
                    .layers
                    .iter()
                    .map(|l| (l.id.clone(), track(&l.id)))
                    .collect(),
            );
        }
        restretch(cache, &sides, options.compare_stretch);
        Ok(())
    }
}

/// Replaces the cached raster sources of `sides` (layer ids and tracks per date, date A first)
/// with the comparison's look. A layer shown on several dates counts once, with the earliest
/// side.
pub(super) fn restretch(
    cache: &mut SourceCache,
    sides: &[Vec<(String, String)>],
    mode: CompareStretch,
) {
    let Some((first, rest)) = sides.split_first() else {
        return;
    };
    let mut ids_a: Vec<&(String, String)> = Vec::new();
    for id in first {
        if !ids_a.contains(&id) {
            ids_a.push(id);
        }
    }
    let mut ids_b: Vec<&(String, String)> = Vec::new();
    for id in rest.iter().flatten() {
        if !ids_a.contains(&id) && !ids_b.contains(&id) {
            ids_b.push(id);
        }
    }
    let rasters = |ids: &[&(String, String)]| -> Vec<Compared> {
        ids.iter()
            .filter_map(|(id, track)| {
                let source = cache.get(id)?.clone()?;
                source.raster()?;
                Some((id.clone(), source, track.clone()))
            })
            .collect()
    };
    let (sources_a, sources_b) = (rasters(&ids_a), rasters(&ids_b));
    let (looks_a, looks_b) = compare_looks(&compared(&sources_a), &compared(&sources_b), mode);
    for ((id, source, _), look) in sources_a
        .into_iter()
        .zip(looks_a)
        .chain(sources_b.into_iter().zip(looks_b))
    {
        if let Some(look) = look {
            let stretched = CompareStretched::new(source, Arc::new(look));
            cache.insert(id, Some(Arc::new(stretched)));
        }
    }
}

/// A compared layer: its id, source and track.
type Compared = (String, Arc<dyn TileSource>, String);

/// The raster sources as the stretch needs them.
fn compared(sources: &[Compared]) -> Vec<ComparedRaster<'_>> {
    sources
        .iter()
        .filter_map(|(_, s, track)| {
            let raster = s.raster()?;
            Some(ComparedRaster {
                group: track,
                kind: raster.sample_kind(),
                histograms: raster.histograms(),
                display: raster.display(),
                resolved: raster.resolved(),
            })
        })
        .collect()
}
