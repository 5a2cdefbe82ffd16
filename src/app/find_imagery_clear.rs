//! How clear each result is over the searched view: the scene classification band (SCL) of
//! every result that has one, read over the view's box by range requests (only the tiles under
//! it, from the overview whose pixels fit a 32 × 32 sampling grid) on two worker threads, the
//! answers kept by item id until the next search replaces the results. Where the catalogue signs
//! its assets (the Planetary Computer), the band is signed with the item's collection's token,
//! as the layers are.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex, PoisonError};

use crate::imagery::disk_cache::DiskCache;
use crate::imagery::raster::http_bytes::Retry;
use crate::imagery::raster::signed::{AssetSigning, RequestSigner, Signers};
use crate::imagery::raster::{OpenOptions, RasterTileSource};
use crate::imagery::stac::{ClearSky, Item, Signing, scene_classification};
use crate::spatial::LonLatBox;
use crate::ui::find_imagery::RowClear;

/// Samples a side of the grid read over the view.
const GRID: u32 = 32;
/// Bands read at once.
const WORKERS: usize = 2;
/// Results whose bands are read, the first in the list (a year of Sentinel-2 scenes over a
/// site is a few hundred); those past it say they were not read.
const MAX_READ: usize = 300;

/// One result's answer.
enum Clear {
    /// Waiting or being read.
    Reading,
    /// Read: the view's shares, or `None` where the view is off the scene or all nodata.
    Known(Option<ClearSky>),
    /// Why it could not be read.
    Failed(String),
}

/// A band to read: item id, URL, how to sign it.
struct Job {
    id: String,
    href: String,
    signer: Option<Arc<dyn RequestSigner>>,
}

type Answer = (String, Result<Option<ClearSky>, String>);

/// The clear shares of the results on show.
pub(crate) struct ClearSkies {
    by_item: HashMap<String, Clear>,
    answers: Receiver<Answer>,
    /// Set when the results are replaced: the old search's workers stop after their band.
    stop: Arc<AtomicBool>,
}

impl Default for ClearSkies {
    fn default() -> Self {
        Self {
            by_item: HashMap::new(),
            answers: mpsc::channel().1,
            stop: Arc::new(AtomicBool::new(false)),
        }
    }
}

impl Drop for ClearSkies {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
    }
}

impl ClearSkies {
    /// Forgets the answers of earlier results and starts reading the bands of `items` over
    /// `view` (nothing without one), signed as `signing` says.
    pub(crate) fn reset(
        &mut self,
        ctx: &egui::Context,
        items: &[Item],
        view: Option<LonLatBox>,
        signing: &Signing,
    ) {
        self.stop.store(true, Ordering::SeqCst);
        self.stop = Arc::new(AtomicBool::new(false));
        self.by_item.clear();
        let (tx, rx) = mpsc::channel();
        self.answers = rx;
        let Some(view) = view else {
            return;
        };
        let jobs: VecDeque<Job> = items
            .iter()
            .take(MAX_READ)
            .filter_map(|item| {
                let band = scene_classification(item)?;
                let signer = match signing {
                    Signing::PlanetaryComputer { token_url } => Some(
                        Signers::shared().request_signer(&AssetSigning::PlanetaryComputer {
                            token_url: token_url.clone(),
                            collection: item.collection.clone().unwrap_or_default(),
                        }),
                    ),
                    Signing::None => None,
                };
                Some(Job {
                    id: item.id.clone(),
                    href: band.href.clone(),
                    signer,
                })
            })
            .collect();
        for job in &jobs {
            self.by_item.insert(job.id.clone(), Clear::Reading);
        }
        for item in items.iter().skip(MAX_READ) {
            if scene_classification(item).is_some() {
                let why = format!("Not read: only the first {MAX_READ} results' bands are");
                self.by_item.insert(item.id.clone(), Clear::Failed(why));
            }
        }
        let queue = Arc::new(Mutex::new(jobs));
        for _ in 0..WORKERS {
            let (queue, tx, stop, ctx) = (
                Arc::clone(&queue),
                tx.clone(),
                Arc::clone(&self.stop),
                ctx.clone(),
            );
            std::thread::spawn(move || work(&queue, &tx, &stop, &ctx, view));
        }
    }

    /// Takes finished reads.
    pub(crate) fn pump(&mut self) {
        while let Ok((id, answer)) = self.answers.try_recv() {
            let clear = match answer {
                Ok(sky) => Clear::Known(sky),
                Err(why) => Clear::Failed(why),
            };
            self.by_item.insert(id, clear);
        }
    }

    /// What the row of item `id` shows.
    pub(crate) fn row(&self, id: &str) -> RowClear {
        match self.by_item.get(id) {
            None => RowClear::NoBand,
            Some(Clear::Reading) => RowClear::Reading,
            Some(Clear::Known(Some(sky))) => RowClear::Known {
                percent: sky.clear * 100.0,
                detail: sky.describe(),
            },
            Some(Clear::Known(None)) => RowClear::Outside,
            Some(Clear::Failed(why)) => RowClear::Failed(why.clone()),
        }
    }

    /// The clear share of item `id` over the view, once read.
    pub(crate) fn clear(&self, id: &str) -> Option<ClearSky> {
        match self.by_item.get(id) {
            Some(Clear::Known(sky)) => *sky,
            _ => None,
        }
    }

    /// How many bands are still being read.
    pub(crate) fn pending(&self) -> usize {
        self.by_item
            .values()
            .filter(|c| matches!(c, Clear::Reading))
            .count()
    }
}

/// A worker: reads bands off the queue until it is empty or the results are replaced.
fn work(
    queue: &Mutex<VecDeque<Job>>,
    tx: &Sender<Answer>,
    stop: &AtomicBool,
    ctx: &egui::Context,
    view: LonLatBox,
) {
    loop {
        if stop.load(Ordering::SeqCst) {
            return;
        }
        let Some(job) = queue
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pop_front()
        else {
            return;
        };
        let answer = read_clear_sky(&job, view);
        if tx.send((job.id, answer)).is_err() {
            return;
        }
        ctx.request_repaint();
    }
}

/// Opens the band (its header and tile index) and counts its classes over the view.
fn read_clear_sky(job: &Job, view: LonLatBox) -> Result<Option<ClearSky>, String> {
    let options = OpenOptions {
        name: job.id.clone(),
        range_cache: DiskCache::user(),
        ..OpenOptions::default()
    };
    let band = RasterTileSource::open_url_signed(
        &job.href,
        &options,
        Retry::default(),
        job.signer.clone(),
    )
    .map_err(|e| super::error_chain(&e))?;
    let values = band
        .values_over(view, GRID, 0)
        .map_err(|e| super::error_chain(&e))?;
    Ok(ClearSky::of_classes(&values))
}
