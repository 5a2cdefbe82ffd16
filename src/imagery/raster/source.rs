//! A georeferenced raster file opened as a [`TileSource`]: header, georeferencing and CRS
//! found, pixels decoded into a pyramid, then tiles reprojected on request.

use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::{Arc, PoisonError, RwLock};

use chrono::NaiveDate;
use geo::Coord;

use super::band_stack::{BandPlace, open_stack};
use super::bytes::{ByteSource, FileBytes};
use super::crs::Crs;
use super::decode::{
    Block, BlockSink, Format, Header, Samples, TiffFile, decode_image, feed_image, sniff,
    sniff_bytes,
};
use super::external_ovr::external_overviews;
use super::focus::{CropSink, crop_transform, focus_rows};
use super::georef::{GeoTransform, read_aux_xml, read_prj, read_world_file};
use super::http_bytes::{HttpBytes, Retry};
use super::load::Progress;
use super::memory_budget::MemoryBudget;
use super::mosaic::{Over, lay_over, union};
use super::parallel_decode::{decode_chunks, decode_parallel};
use super::preview::{PreviewPlan, PreviewSink};
use super::pyramid::{CHUNK_PX, LevelSize, Pyramid, PyramidBuilder, Sample};
use super::reproject::{Look, Placement, TileCoords, level_for, level_of_scale, render_at};
use super::shared_stretch::CompareLook;
use super::signed::RequestSigner;
use super::stream::{ChunkSource, TiffLevels, level_images};
use super::stretch::{Display, Histograms, Resolved, SampleKind, Stretch, resolve};
use super::view_render;
use super::wkt::crs_from_wkt;
use super::{Limits, RasterError};
use crate::imagery::ViewRect;
use crate::imagery::disk_cache::DiskCache;
use crate::imagery::{TileError, TileKey, TileSource};
use crate::spatial::LonLatBox;
use crate::spatial::mercator::world_px_from_lonlat;

/// Progress given to decoding; the pyramid takes the rest.
const DECODE_SHARE: f64 = 0.85;
/// Deepest zoom offered, whatever the resolution.
const MAX_ZOOM_CAP: u8 = 24;

/// How to open a raster.
#[derive(Clone, Debug, PartialEq)]
pub struct OpenOptions {
    /// Name in the layer list; the file's stem when empty.
    pub name: String,
    /// Credit line, in the provider's wording.
    pub attribution: String,
    /// The CRS of the file's own transform, overriding what the file says (or supplying what it
    /// does not).
    pub crs: Option<Crs>,
    /// The corners, for a file with no georeferencing of its own (north up, WGS 84).
    pub corners_lonlat: Option<LonLatBox>,
    /// Bands and stretch to start with; chosen from the file when `None`.
    pub display: Option<Display>,
    /// Brightness, contrast and gamma after the stretch.
    pub tone: crate::model::layer_display::Tone,
    /// Largest raster accepted.
    pub limits: Limits,
    /// The budget the decoded pixels of every open raster share ([`MemoryBudget::global`] by
    /// default): a raster decoded whole keeps what it has room for in memory and spills the
    /// rest to a temporary file; a streamed one's chunks are dropped least recently drawn first.
    pub budget: Arc<MemoryBudget>,
    /// Where a remote raster's fetched ranges are kept on disk (the tiles' cache); `None`
    /// keeps them in memory only.
    pub range_cache: Option<DiskCache>,
    /// Threads that decode a raster read whole (0: one a core, as headless work uses; the
    /// window leaves a core to itself).
    pub decode_threads: usize,
    /// Where the map is when the raster opens (the window's view): a stripped file without
    /// overviews decodes the strips under it at full resolution first, laid over its coarse
    /// preview ([`super::focus`]), when they are a small part of it.
    pub focus: Option<LonLatBox>,
    /// The one view the raster will be drawn for (an export's figure): a raster decoded whole
    /// then keeps only the pyramid levels that view reads and the coarser ones, not its full
    /// resolution. `None` (the window) keeps every level.
    pub view: Option<ViewRect>,
}

impl OpenOptions {
    /// The decoding threads of the window's loads: one a core but one, which the window keeps
    /// (one on two cores, decoding beside the loader that builds the pyramid).
    #[must_use]
    pub fn window_threads() -> usize {
        let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
        cores.saturating_sub(1).max(1)
    }

    /// Threads that decode a raster read whole: [`Self::decode_threads`], every core for 0.
    #[must_use]
    pub fn threads(&self) -> usize {
        match self.decode_threads {
            0 => std::thread::available_parallelism().map_or(1, std::num::NonZero::get),
            n => n,
        }
    }
}

impl Default for OpenOptions {
    fn default() -> Self {
        Self {
            name: String::new(),
            attribution: String::new(),
            crs: None,
            corners_lonlat: None,
            display: None,
            tone: crate::model::layer_display::Tone::default(),
            limits: Limits::default(),
            budget: MemoryBudget::global(),
            range_cache: None,
            decode_threads: 0,
            focus: None,
            view: None,
        }
    }
}

enum Pixels {
    U8(Pyramid<u8>),
    U16(Pyramid<u16>),
}

impl Pixels {
    /// Counts a pyramid decoded whole against `budget` while it is open.
    fn count_against(&mut self, budget: &Arc<MemoryBudget>) {
        match self {
            Self::U8(p) => p.count_against(budget),
            Self::U16(p) => p.count_against(budget),
        }
    }
}

enum Building {
    U8(PyramidBuilder<u8>),
    U16(PyramidBuilder<u16>),
}

/// Decoded blocks → pyramid and histograms, reporting progress.
struct Sink<'a> {
    building: Building,
    histograms: Histograms,
    progress: &'a Progress,
    /// Where decoding starts on the progress line (after a preview, where that ended).
    from: f64,
    path: &'a Path,
    /// Looks, between strips, whether the map has moved while the file loads (and decodes
    /// full detail there if so).
    refocus: Option<Refocus<'a>>,
}

/// A look at where the map is, between strips of a full decode.
type Refocus<'a> = Box<dyn FnMut() + 'a>;

impl Sink<'_> {
    /// Keeps only level `level` of the pyramid and the coarser ones.
    fn keep_from(&mut self, level: usize) {
        match &mut self.building {
            Building::U8(b) => b.keep_from(level),
            Building::U16(b) => b.keep_from(level),
        }
    }
}

impl BlockSink for Sink<'_> {
    fn put(&mut self, b: Block<'_>) {
        match (&mut self.building, b.samples) {
            (Building::U8(p), Samples::U8(s)) => {
                self.histograms.add_block(b.at, s);
                p.put(b.at, s);
            }
            (Building::U16(p), Samples::U16(s)) => {
                self.histograms.add_block(b.at, s);
                p.put(b.at, s);
            }
            _ => {}
        }
    }

    fn complete_rows(&mut self, rows: u32) -> Result<(), RasterError> {
        match &mut self.building {
            Building::U8(p) => p.complete_rows(rows),
            Building::U16(p) => p.complete_rows(rows),
        }
        .map_err(|e| RasterError::io(e, self.path))
    }

    fn keep_going(&mut self, fraction: f64) -> bool {
        self.progress
            .set(self.from + fraction * (DECODE_SHARE - self.from));
        if let Some(refocus) = &mut self.refocus {
            refocus();
        }
        !self.progress.is_cancelled()
    }
}

/// A georeferenced raster, decoded, serving Web Mercator tiles.
pub struct RasterTileSource {
    name: String,
    attribution: String,
    path: PathBuf,
    placement: Placement,
    crs_from_pixel: GeoTransform,
    pixels: Pixels,
    kind: SampleKind,
    bands: usize,
    alpha_band: Option<usize>,
    /// True colour pictures, which an automatic stretch shows as they are.
    photographic: bool,
    nodata: Option<u16>,
    histograms: Histograms,
    display: RwLock<(Display, Resolved)>,
    /// The tone curve after the stretch; `None` when it changes nothing.
    tone: RwLock<Option<[u8; 256]>>,
    bounds: LonLatBox,
    native_zoom: f64,
    capture_date: Option<NaiveDate>,
    /// A same-day mosaic's other scenes, drawn over this one.
    over: Option<Box<Over>>,
}

impl std::fmt::Debug for RasterTileSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RasterTileSource")
            .field("path", &self.path)
            .field("crs", &self.placement.crs)
            .field("size_px", &self.size_px())
            .field("bands", &self.bands)
            .finish_non_exhaustive()
    }
}

/// Where the raster is: the transform (pixel → CRS) and the CRS, from the file, its sidecars or
/// the caller.
fn locate(
    path: &Path,
    header: &Header,
    options: &OpenOptions,
) -> Result<(GeoTransform, Crs), RasterError> {
    let crs_err = |source, path: &Path| RasterError::Crs {
        source,
        path: path.to_owned(),
    };
    let keys = match &header.geokeys {
        Some(Ok(keys)) => Some(keys),
        Some(Err(message)) => {
            return Err(RasterError::Corrupt {
                message: message.clone(),
                path: path.to_owned(),
            });
        }
        None => None,
    };
    let raster_type = keys
        .map(super::geokeys::GeoKeys::raster_type)
        .unwrap_or_default();
    let from_tags = match (&header.matrix, &header.tiepoints, &header.pixel_scale) {
        (Some(m), _, _) => GeoTransform::from_matrix(m),
        (None, Some(tp), Some(scale)) if tp.len() == 6 => {
            GeoTransform::from_tiepoint_and_scale(tp, scale)
        }
        (None, Some(tp), _) if tp.len() >= 18 => GeoTransform::from_tiepoints(tp),
        _ => None,
    }
    .map(|t| t.shifted_for(raster_type));
    let aux = read_aux_xml(path);
    let world = read_world_file(path)
        .map_err(|(message, path)| RasterError::BadWorldFile { message, path })?;
    let corners = options.corners_lonlat.map(|b| {
        let (w, h) = (f64::from(header.width_px), f64::from(header.height_px));
        GeoTransform::north_up(
            Coord {
                x: b.west,
                y: b.north,
            },
            (b.east - b.west) / w,
            (b.north - b.south) / h,
        )
    });
    let transform = from_tags
        .or(world.as_ref().map(|(t, _)| *t))
        .or(aux.as_ref().and_then(|a| a.transform))
        .or(corners)
        .ok_or_else(|| RasterError::NoGeoreferencing {
            detail: "no GeoTIFF transform, world file or .aux.xml geotransform".to_owned(),
            path: path.to_owned(),
        })?;
    let own_transform = from_tags.is_some()
        || world.is_some()
        || aux.as_ref().is_some_and(|a| a.transform.is_some());
    if !own_transform {
        // The caller's corners are WGS 84, whatever CRS it names.
        return Ok((transform, Crs::Wgs84));
    }
    if let Some(crs) = &options.crs {
        return Ok((transform, crs.clone()));
    }
    if let Some(keys) = keys
        && let Some(crs) = keys.crs().map_err(|e| crs_err(e, path))?
    {
        return Ok((transform, crs));
    }
    if let Some((crs, prj)) = read_prj(path) {
        return Ok((transform, crs.map_err(|e| crs_err(e, &prj))?));
    }
    if let Some(wkt) = aux.as_ref().and_then(|a| a.srs_wkt.as_deref()) {
        let mut aux_path = path.as_os_str().to_owned();
        aux_path.push(".aux.xml");
        return Ok((
            transform,
            crs_from_wkt(wkt).map_err(|e| crs_err(e, Path::new(&aux_path)))?,
        ));
    }
    Err(RasterError::NoGeoreferencing {
        detail: "a transform but no CRS: no GeoKeys, .prj or .aux.xml".to_owned(),
        path: path.to_owned(),
    })
}

impl RasterTileSource {
    /// Opens and decodes a raster on this thread (see [`super::RasterLoad`] for a background
    /// load the UI can watch).
    pub fn open(path: impl AsRef<Path>, options: &OpenOptions) -> Result<Self, RasterError> {
        Self::open_with_progress(path, options, &Progress::new())
    }

    /// Opens and decodes a raster on this thread, reporting to `progress` and stopping with
    /// [`RasterError::Cancelled`] when it is cancelled. A panic in a decoder becomes
    /// [`RasterError::Corrupt`].
    pub fn open_with_progress(
        path: impl AsRef<Path>,
        options: &OpenOptions,
        progress: &Progress,
    ) -> Result<Self, RasterError> {
        let path = path.as_ref();
        guarded(path, || Self::open_inner(path, options, progress))
    }

    /// Opens a GeoTIFF on a web server (`https://`, `http://`, `s3://`, `gs://`): the header
    /// and tile indexes now, tiles as views need them.
    pub fn open_url(url: &str, options: &OpenOptions, retry: Retry) -> Result<Self, RasterError> {
        Self::open_url_signed(url, options, retry, None)
    }

    /// [`Self::open_url`] for an asset whose requests `signer` signs (see [`super::signed`]);
    /// `url` is the unsigned address, the one errors name.
    pub fn open_url_signed(
        url: &str,
        options: &OpenOptions,
        retry: Retry,
        signer: Option<Arc<dyn RequestSigner>>,
    ) -> Result<Self, RasterError> {
        let remote = |source| RasterError::Remote {
            source,
            url: url.to_owned(),
        };
        let bytes = HttpBytes::open_cached(url, retry, signer, options.range_cache.clone())
            .map_err(remote)?;
        let source: Arc<dyn ByteSource> = Arc::new(bytes);
        let name = PathBuf::from(url);
        let mut head = [0u8; 8];
        let n = head.len().min(source.len() as usize);
        source
            .read_at(0, &mut head[..n])
            .map_err(|e| RasterError::io(e, &name))?;
        match sniff_bytes(&head[..n], &name)? {
            Format::Tiff => {}
            Format::Png | Format::Jpeg => {
                return Err(RasterError::Unsupported {
                    message: "a remote PNG or JPEG (remote layers are GeoTIFFs)".to_owned(),
                    path: name,
                });
            }
        }
        guarded(&name, || {
            Self::open_tiff(source, &name, options, &Progress::new(), true)
        })
    }

    /// Opens three single-band GeoTIFFs on one grid (red, green, blue; each on a web server or
    /// on disk, remote ones signed by `signer`) as one 3-band raster, streamed from their tiles
    /// (see [`super::band_stack`]). Errors name the band at fault.
    pub fn open_bands(
        bands: &[BandPlace; 3],
        options: &OpenOptions,
        retry: &Retry,
        signer: Option<&Arc<dyn RequestSigner>>,
    ) -> Result<Self, RasterError> {
        let name = bands[0].name();
        guarded(&name, || {
            let opened = open_stack(bands, options, retry, signer)?;
            let (pixels, histograms) = streamed_pixels(
                opened.stack,
                opened.coarsest,
                &opened.header,
                options,
                &name,
            )?;
            Self::assemble(
                &name,
                options,
                &opened.header,
                opened.placed,
                pixels,
                histograms,
                &Progress::new(),
            )
        })
    }

    fn open_inner(
        path: &Path,
        options: &OpenOptions,
        progress: &Progress,
    ) -> Result<Self, RasterError> {
        match sniff(path)? {
            Format::Tiff => {
                let file = FileBytes::open(path).map_err(|e| RasterError::io(e, path))?;
                Self::open_tiff(Arc::new(file), path, options, progress, false)
            }
            Format::Png | Format::Jpeg => {
                let (header, image) = decode_image(path, &options.limits)?;
                progress.set(0.02);
                let placed = place(path, &header, options)?;
                let keep_from = kept_level(options, &placed.1);
                let (pixels, histograms) = decode_pixels(
                    Feed::Image(image),
                    &header,
                    (options, keep_from, None),
                    progress,
                    path,
                )?;
                Self::assemble(path, options, &header, placed, pixels, histograms, progress)
            }
        }
    }

    /// A TIFF from `source`: streamed from its own tiles when it is tiled and has overviews
    /// (or is `remote`), else decoded into a pyramid.
    fn open_tiff(
        source: Arc<dyn ByteSource>,
        path: &Path,
        options: &OpenOptions,
        progress: &Progress,
        remote: bool,
    ) -> Result<Self, RasterError> {
        let mut tiff = TiffFile::open_source(source, 0, &options.limits)?;
        let source = Arc::clone(tiff.source());
        let header = tiff.header().clone();
        progress.set(0.02);
        let placed = place(path, &header, options)?;
        let mut overviews = if tiff.is_tiled() {
            level_images(&source, &mut tiff, &options.limits)?
        } else {
            Vec::new()
        };
        if tiff.is_tiled() && overviews.is_empty() && !remote {
            overviews = external_overviews(path, &tiff, &options.limits);
        }
        let (pixels, histograms) = if tiff.is_tiled() && (!overviews.is_empty() || remote) {
            let coarsest = overviews.iter().map(|(i, _)| i.level).max().unwrap_or(0);
            let levels = TiffLevels::open(tiff, overviews, &options.limits);
            streamed_pixels(levels, coarsest, &header, options, path)?
        } else {
            let offered = if !tiff.is_tiled() && !remote && progress.wants_preview() {
                Self::offer_preview(&mut tiff, path, options, &header, &placed, progress)?
            } else {
                None
            };
            let refocus = offered.and_then(|(coarse, rows)| {
                Self::refocus(
                    &tiff,
                    (path, options, progress),
                    &header,
                    &placed,
                    coarse,
                    rows,
                )
            });
            let keep_from = kept_level(options, &placed.1);
            decode_pixels(
                Feed::Tiff(Box::new(tiff)),
                &header,
                (options, keep_from, refocus),
                progress,
                path,
            )?
        };
        Self::assemble(path, options, &header, placed, pixels, histograms, progress)
    }

    /// Decodes every k-th strip into a coarse copy of the whole extent and offers it to
    /// `progress`, when the file has enough strips for that to save time. Its percentile
    /// stretch comes from the preview's own samples; the full raster's, from all of them,
    /// replaces it with the full raster (the window makes its tiles anew then). Returns a
    /// second handle on the coarse copy and the rows of full detail offered with it, if any.
    #[allow(
        clippy::type_complexity,
        reason = "a preview and the rows it carries, once"
    )]
    fn offer_preview(
        tiff: &mut TiffFile,
        path: &Path,
        options: &OpenOptions,
        header: &Header,
        (crs_from_pixel, placement, bounds): &(GeoTransform, Placement, LonLatBox),
        progress: &Progress,
    ) -> Result<Option<(Self, Option<std::ops::Range<u32>>)>, RasterError> {
        let (_, rows_per_strip) = tiff.chunk_dims();
        let Some(plan) = PreviewPlan::for_strips(header.width_px, header.height_px, rows_per_strip)
        else {
            return Ok(None);
        };
        // Full detail under the map's view first, when that is a small part of the raster:
        // offered alone at once, then under the coarse preview of the rest.
        let crop_rows = options
            .focus
            .and_then(|focus| focus_rows(placement, &focus, rows_per_strip));
        let crop = match crop_rows.clone() {
            Some(rows) => {
                let crop = Self::decode_crop(
                    tiff,
                    path,
                    options,
                    header,
                    (crs_from_pixel, placement),
                    rows,
                    progress,
                )?;
                if let Some(first) = crop.share() {
                    progress.offer_early(first);
                }
                Some(crop)
            }
            None => None,
        };
        let (pixels, histograms) =
            decode_preview(tiff, &plan, header, (progress, options.threads()), path)?;
        let (sx, sy) = (
            f64::from(header.width_px) / f64::from(plan.width_px()),
            f64::from(header.height_px) / f64::from(plan.height_px()),
        );
        let c = crs_from_pixel.0;
        let preview_from_pixel =
            GeoTransform([c[0], c[1] * sx, c[2] * sy, c[3], c[4] * sx, c[5] * sy]);
        let Some(pixel_from_crs) = preview_from_pixel.inverse() else {
            return Ok(None);
        };
        let preview_header = Header {
            width_px: plan.width_px(),
            height_px: plan.height_px(),
            ..header.clone()
        };
        let preview_placement = Placement {
            crs: placement.crs.clone(),
            pixel_from_crs,
            width_px: plan.width_px(),
            height_px: plan.height_px(),
        };
        let mut preview = Self::assemble(
            path,
            options,
            &preview_header,
            (preview_from_pixel, preview_placement, *bounds),
            pixels,
            histograms,
            &Progress::new(),
        )?;
        // Zoomable as deep as the full raster will be.
        preview.native_zoom = native_zoom(placement, crs_from_pixel);
        let coarse = preview.share();
        let preview = match crop {
            Some(crop) => Self::preview_with_crop(preview, crop),
            None => preview,
        };
        progress.offer_preview(preview);
        Ok(coarse.map(|coarse| (coarse, crop_rows)))
    }

    /// The look, between strips of the full decode, at where the map has moved: a new place
    /// under a small part of the raster gets its rows decoded at full resolution (with a reader
    /// of its own) and offered over the coarse preview `coarse`; `shown` are the rows already
    /// offered so.
    fn refocus<'a>(
        tiff: &TiffFile,
        (path, options, progress): (&'a Path, &'a OpenOptions, &'a Progress),
        header: &Header,
        (crs_from_pixel, placement, _): &(GeoTransform, Placement, LonLatBox),
        coarse: Self,
        mut shown: Option<std::ops::Range<u32>>,
    ) -> Option<Refocus<'a>> {
        let mut reader = tiff.reopen().ok()?;
        let (header, crs_from_pixel, placement) =
            (header.clone(), *crs_from_pixel, placement.clone());
        Some(Box::new(move || {
            let Some(focus) = progress.take_focus() else {
                return;
            };
            let (_, rows_per_strip) = reader.chunk_dims();
            let Some(rows) = focus_rows(&placement, &focus, rows_per_strip) else {
                return;
            };
            if shown
                .as_ref()
                .is_some_and(|s| s.start <= rows.start && rows.end <= s.end)
            {
                return;
            }
            let crop = Self::decode_crop(
                &mut reader,
                path,
                options,
                &header,
                (&crs_from_pixel, &placement),
                rows.clone(),
                progress,
            );
            match (crop, coarse.share()) {
                (Ok(crop), Some(under)) => {
                    progress.offer_early(Self::preview_with_crop(under, crop));
                    shown = Some(rows);
                }
                (Err(e), _) => log::warn!("full detail of the view: {e}"),
                (Ok(_), None) => {}
            }
        }))
    }

    /// Decodes rows `rows` (whole strips) at full resolution into a raster of their own,
    /// placed where they lie, zoomable as deep as the whole raster.
    fn decode_crop(
        tiff: &mut TiffFile,
        path: &Path,
        options: &OpenOptions,
        header: &Header,
        (crs_from_pixel, placement): (&GeoTransform, &Placement),
        rows: std::ops::Range<u32>,
        progress: &Progress,
    ) -> Result<Self, RasterError> {
        let (_, rows_per_strip) = tiff.chunk_dims();
        let per = rows_per_strip.max(1);
        let strips: Vec<u32> = (rows.start / per..rows.end.div_ceil(per)).collect();
        let size = LevelSize {
            width_px: header.width_px,
            height_px: rows.end - rows.start,
        };
        // The crop is a small part of the raster: it stays in memory.
        let inner = pyramid_sink(header, size, usize::MAX, progress, path);
        let mut sink = CropSink::new(rows.clone(), inner);
        let complete = decode_chunks(
            tiff,
            &strips,
            &mut sink,
            options.threads(),
            &mut |sink, _, q| {
                sink.complete_rows((q + 1) * per)?;
                Ok(sink.keep_going(0.0))
            },
        )?;
        if !complete {
            return Err(RasterError::Cancelled {
                path: path.to_owned(),
            });
        }
        let (pixels, histograms) = finish_sink(sink.into_inner(), |_, _| !progress.is_cancelled())?;
        let crop_from_pixel = crop_transform(crs_from_pixel, rows.start);
        let Some(pixel_from_crs) = crop_from_pixel.inverse() else {
            return Err(RasterError::NoGeoreferencing {
                detail: "a transform that cannot be inverted".to_owned(),
                path: path.to_owned(),
            });
        };
        let crop_placement = Placement {
            crs: placement.crs.clone(),
            pixel_from_crs,
            width_px: size.width_px,
            height_px: size.height_px,
        };
        let crop_header = Header {
            height_px: size.height_px,
            ..header.clone()
        };
        let bounds = bounds_of(&crop_placement, &crop_from_pixel).ok_or_else(|| {
            RasterError::NoGeoreferencing {
                detail: "a crop whose corners have no lon/lat".to_owned(),
                path: path.to_owned(),
            }
        })?;
        let mut crop = Self::assemble(
            path,
            options,
            &crop_header,
            (crop_from_pixel, crop_placement, bounds),
            pixels,
            histograms,
            &Progress::new(),
        )?;
        crop.native_zoom = native_zoom(placement, crs_from_pixel);
        Ok(crop)
    }

    #[allow(
        clippy::too_many_arguments,
        reason = "the parts of an opened raster, once"
    )]
    fn assemble(
        path: &Path,
        options: &OpenOptions,
        header: &Header,
        (crs_from_pixel, placement, bounds): (GeoTransform, Placement, LonLatBox),
        pixels: Pixels,
        histograms: Histograms,
        progress: &Progress,
    ) -> Result<Self, RasterError> {
        let kind = header.kind.unwrap_or(SampleKind::U8);
        let display = options
            .display
            .unwrap_or_else(|| Display::default_for(header.bands, kind, header.photographic));
        let display = settled(display, kind, header.bands, header.photographic);
        let resolved = resolve(&display, &histograms, kind, header.bands).map_err(|message| {
            RasterError::BadDisplay {
                message,
                path: path.to_owned(),
            }
        })?;
        let name = if options.name.is_empty() {
            path.file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default()
        } else {
            options.name.clone()
        };
        let native_zoom = native_zoom(&placement, &crs_from_pixel);
        progress.set(1.0);
        Ok(Self {
            name,
            attribution: options.attribution.clone(),
            path: path.to_owned(),
            placement,
            crs_from_pixel,
            pixels,
            kind,
            bands: header.bands,
            alpha_band: header.alpha_band,
            photographic: header.photographic,
            nodata: header.nodata,
            histograms,
            display: RwLock::new((display, resolved)),
            tone: RwLock::new(tone_lut(options.tone)),
            bounds,
            native_zoom,
            capture_date: header.date,
            over: None,
        })
    }

    /// True when the pixels are read from the file's own tiles as views need them.
    #[must_use]
    pub fn is_streamed(&self) -> bool {
        let own = match &self.pixels {
            Pixels::U8(p) => p.is_streamed(),
            Pixels::U16(p) => p.is_streamed(),
        };
        own && self.scenes_over().iter().all(Self::is_streamed)
    }

    /// A same-day mosaic made of this scene and `scenes` drawn over it, in order (see
    /// [`super::mosaic`]).
    pub(super) fn with_scenes_over(mut self, scenes: Vec<Self>) -> Self {
        let bounds = scenes
            .iter()
            .fold(self.bounds, |all, scene| union(all, scene.bounds));
        self.over = Some(Box::new(Over { scenes, bounds }));
        self
    }

    /// A second handle on a raster held wholly in memory (its pixels shared), with its display
    /// and tone as they are now; `None` for one streamed or spilled, or a mosaic.
    pub(super) fn share(&self) -> Option<Self> {
        if self.over.is_some() {
            return None;
        }
        let pixels = match &self.pixels {
            Pixels::U8(p) => Pixels::U8(p.share()?),
            Pixels::U16(p) => Pixels::U16(p.share()?),
        };
        Some(Self {
            name: self.name.clone(),
            attribution: self.attribution.clone(),
            path: self.path.clone(),
            placement: self.placement.clone(),
            crs_from_pixel: self.crs_from_pixel,
            pixels,
            kind: self.kind,
            bands: self.bands,
            alpha_band: self.alpha_band,
            photographic: self.photographic,
            nodata: self.nodata,
            histograms: self.histograms.clone(),
            display: RwLock::new(*self.display.read().unwrap_or_else(PoisonError::into_inner)),
            tone: RwLock::new(*self.tone.read().unwrap_or_else(PoisonError::into_inner)),
            bounds: self.bounds,
            native_zoom: self.native_zoom,
            capture_date: self.capture_date,
            over: None,
        })
    }

    /// The scenes drawn over this one (a same-day mosaic's); empty for one scene.
    #[must_use]
    pub fn scenes_over(&self) -> &[Self] {
        self.over
            .as_ref()
            .map_or(&[], |over| over.scenes.as_slice())
    }

    /// Where percentile stretches are taken from, for the layer panel: a streamed raster's
    /// from its coarsest stored level only (the full resolution is never read whole).
    #[must_use]
    pub fn percentile_source(&self) -> &'static str {
        if self.is_streamed() {
            "percentiles from the coarsest overview"
        } else {
            "percentiles from a sample of every pixel"
        }
    }

    /// Bytes a streamed raster has read from its file or server so far; 0 when decoded whole.
    #[must_use]
    pub fn bytes_read(&self) -> u64 {
        let own = match &self.pixels {
            Pixels::U8(p) => p.bytes_read(),
            Pixels::U16(p) => p.bytes_read(),
        };
        own + self.scenes_over().iter().map(Self::bytes_read).sum::<u64>()
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The lon/lat box the raster covers (a mosaic: all its scenes), for "zoom to layer".
    pub fn bounds_lonlat(&self) -> LonLatBox {
        self.over.as_ref().map_or(self.bounds, |over| over.bounds)
    }

    /// The TIFF `DateTime` (tag 306) of the raster file at `path`, read from its header alone
    /// (no pixel decoded); `None` for other formats, or a file that cannot be read.
    #[must_use]
    pub fn capture_date_of(path: &Path) -> Option<NaiveDate> {
        match sniff(path).ok()? {
            Format::Tiff => TiffFile::open(path, &Limits::default()).ok()?.header().date,
            Format::Png | Format::Jpeg => None,
        }
    }

    /// The TIFF `DateTime` (tag 306), if the file has one. See also
    /// [`super::date_from_file_name`] for a date in the file's name.
    pub fn capture_date(&self) -> Option<NaiveDate> {
        self.capture_date
    }

    /// The raster's CRS.
    pub fn crs(&self) -> &Crs {
        &self.placement.crs
    }

    /// Pixel (corner-based) → CRS transform.
    pub fn geo_transform(&self) -> GeoTransform {
        self.crs_from_pixel
    }

    /// Width and height in pixels.
    pub fn size_px(&self) -> (u32, u32) {
        (self.placement.width_px, self.placement.height_px)
    }

    /// Number of bands.
    pub fn band_count(&self) -> usize {
        self.bands
    }

    /// How samples are stored.
    pub fn sample_kind(&self) -> SampleKind {
        self.kind
    }

    /// The zoom at which one screen pixel is one raster pixel (at the raster's centre).
    pub fn native_zoom(&self) -> f64 {
        self.native_zoom
    }

    /// Bytes of decoded pixels held in memory, and bytes spilled to the temporary file.
    pub fn memory_bytes(&self) -> (usize, u64) {
        let own = match &self.pixels {
            Pixels::U8(p) => (p.memory_bytes(), p.spilled_bytes()),
            Pixels::U16(p) => (p.memory_bytes(), p.spilled_bytes()),
        };
        self.scenes_over()
            .iter()
            .fold(own, |(held, spilled), scene| {
                let (h, s) = scene.memory_bytes();
                (held + h, spilled + s)
            })
    }

    /// Pyramid levels, full resolution included.
    pub fn level_count(&self) -> usize {
        match &self.pixels {
            Pixels::U8(p) => p.level_count(),
            Pixels::U16(p) => p.level_count(),
        }
    }

    /// The raw values of the full-resolution pixel under a lon/lat (signed kinds as their real
    /// values, floats to 16-bit precision, NaN for their nodata), with its column and row: what the status bar reads out under the cursor.
    /// `None` outside the raster, or where that part is not decoded yet.
    #[must_use]
    pub fn value_at(&self, lonlat: Coord<f64>) -> Option<PixelValues> {
        self.scene_at(lonlat).own_value_at(lonlat)
    }

    /// The scene a mosaic shows at a lon/lat: the last one drawn there (itself for one scene).
    fn scene_at(&self, lonlat: Coord<f64>) -> &Self {
        self.scenes_over()
            .iter()
            .rev()
            .find(|scene| scene.shown_rgba_at_own(lonlat).is_some())
            .unwrap_or(self)
    }

    fn own_value_at(&self, lonlat: Coord<f64>) -> Option<PixelValues> {
        let xy = self.placement.crs.xy_from_lonlat(lonlat)?;
        let px = self.placement.pixel_from_crs.apply(xy);
        let (w, h) = (
            f64::from(self.placement.width_px),
            f64::from(self.placement.height_px),
        );
        if !(px.x >= 0.0 && px.y >= 0.0 && px.x < w && px.y < h) {
            return None;
        }
        #[allow(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            reason = "checked to lie within the raster's size above"
        )]
        let (col, row) = (px.x.floor() as u32, px.y.floor() as u32);
        let held = self.held_at(col, row)?;
        Some(PixelValues {
            col,
            row,
            values: held
                .into_iter()
                .map(|v| self.kind.value_of_held(v))
                .collect(),
        })
    }

    /// Band `band`'s raw values (as [`Self::value_at`] gives them) at the centres of an `n` ×
    /// `n` grid of cells over `bbox`, row by row from the north-west; `None` off the raster. The
    /// values are read, not resampled: from the coarsest level the file stores (full resolution
    /// or one of its overviews) whose pixels are no larger than a cell, so a classification
    /// band keeps its classes and a zoomed-out box reads few tiles.
    pub fn values_over(
        &self,
        bbox: LonLatBox,
        n: u32,
        band: usize,
    ) -> Result<Vec<Option<f64>>, TileError> {
        let n = n.max(1);
        let (w, h) = (
            f64::from(self.placement.width_px),
            f64::from(self.placement.height_px),
        );
        let points: Vec<Option<Coord<f64>>> = (0..n * n)
            .map(|i| {
                let (col, row) = (f64::from(i % n) + 0.5, f64::from(i / n) + 0.5);
                let lonlat = Coord {
                    x: bbox.west + (bbox.east - bbox.west) * col / f64::from(n),
                    y: bbox.north - (bbox.north - bbox.south) * row / f64::from(n),
                };
                let xy = self.placement.crs.xy_from_lonlat(lonlat)?;
                let px = self.placement.pixel_from_crs.apply(xy);
                (px.x >= 0.0 && px.y >= 0.0 && px.x < w && px.y < h).then_some(px)
            })
            .collect();
        // Level-0 pixels between neighbouring cells.
        let inside = || points.iter().flatten();
        let span = |f: fn(&Coord<f64>) -> f64| {
            let (lo, hi) = inside().fold((f64::MAX, f64::MIN), |(lo, hi), p| {
                (lo.min(f(p)), hi.max(f(p)))
            });
            (hi - lo).max(0.0)
        };
        let cell_px = span(|p| p.x).max(span(|p| p.y)) / f64::from(n);
        let read = |e: super::pyramid::SpillError| TileError::Local {
            message: format!("reading the spill file: {e}"),
            what: self.path.display().to_string(),
        };
        match &self.pixels {
            Pixels::U8(p) => sample_points(p, &points, cell_px, band, self.kind).map_err(read),
            Pixels::U16(p) => sample_points(p, &points, cell_px, band, self.kind).map_err(read),
        }
    }

    /// The held values of the full-resolution pixel at a column and row, if decoded.
    fn held_at(&self, col: u32, row: u32) -> Option<Vec<f64>> {
        match &self.pixels {
            Pixels::U8(p) => held_values(p, col, row),
            Pixels::U16(p) => held_values(p, col, row),
        }
    }

    /// The colour the full-resolution pixel under a lon/lat shows in (its bands, stretch and
    /// tone; no resampling): what the window's loupe magnifies. `None` outside the raster, on
    /// nodata, or where that part is not decoded yet.
    #[must_use]
    pub fn shown_rgba_at(&self, lonlat: Coord<f64>) -> Option<[u8; 4]> {
        self.scene_at(lonlat).shown_rgba_at_own(lonlat)
    }

    fn shown_rgba_at_own(&self, lonlat: Coord<f64>) -> Option<[u8; 4]> {
        let PixelValues { col, row, .. } = self.own_value_at(lonlat)?;
        let held = self.held_at(col, row)?;
        if let Some(nodata) = self.nodata
            && held.iter().all(|v| (*v - f64::from(nodata)).abs() < 0.5)
        {
            return None;
        }
        let r = self.resolved();
        let tone = *self.tone.read().unwrap_or_else(PoisonError::into_inner);
        let mut rgba = [0, 0, 0, u8::MAX];
        for (c, out) in rgba.iter_mut().take(3).enumerate() {
            let v = *held.get(r.bands[c])? as f32;
            let stretched = r.byte(c, v);
            *out = tone.map_or(stretched, |curve| curve[usize::from(stretched)]);
        }
        if let Some(band) = self.alpha_band {
            let a = held.get(band)? / self.kind.max_held() * 255.0;
            rgba[3] = a.round().clamp(0.0, 255.0) as u8;
        }
        Some(rgba)
    }

    /// WGS 84 lon/lat of a point in pixel space (`(0.5, 0.5)` is the top-left pixel's centre).
    pub fn lonlat_of_pixel(&self, px: Coord<f64>) -> Option<Coord<f64>> {
        self.placement
            .crs
            .lonlat_from_xy(self.crs_from_pixel.apply(px))
    }

    /// The bands and stretch in use.
    pub fn display(&self) -> Display {
        self.display
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .0
    }

    /// The sample values shown black and full-bright for red, green and blue (the same three
    /// for gray), as the file holds them (signed where it is); decibels for a decibel stretch.
    pub fn stretch_limits(&self) -> [(f64, f64); 3] {
        let r = self.resolved();
        std::array::from_fn(|c| r.limits(c, self.kind))
    }

    /// Changes bands and stretch for tiles fetched from now on (tiles already drawn stay as
    /// they are: clear the layer's tile cache to redraw).
    pub fn set_display(&self, display: Display) -> Result<(), RasterError> {
        let display = settled(display, self.kind, self.bands, self.photographic);
        let resolved =
            resolve(&display, &self.histograms, self.kind, self.bands).map_err(|message| {
                RasterError::BadDisplay {
                    message,
                    path: self.path.clone(),
                }
            })?;
        *self.display.write().unwrap_or_else(PoisonError::into_inner) = (display, resolved);
        for scene in self.scenes_over() {
            scene.set_display(display)?;
        }
        Ok(())
    }

    /// Changes brightness, contrast and gamma for tiles fetched from now on.
    pub fn set_tone(&self, tone: crate::model::layer_display::Tone) {
        *self.tone.write().unwrap_or_else(PoisonError::into_inner) = tone_lut(tone);
        for scene in self.scenes_over() {
            scene.set_tone(tone);
        }
    }

    /// Shorthand for a percentile stretch with the current bands.
    pub fn set_stretch(&self, stretch: Stretch) -> Result<(), RasterError> {
        let mut d = self.display();
        d.stretch = stretch;
        self.set_display(d)
    }

    /// The sample histograms the percentile stretches are taken from.
    #[must_use]
    pub fn histograms(&self) -> &Histograms {
        &self.histograms
    }

    /// The bands and stretch in use, resolved (0-based bands, per-channel limits).
    #[must_use]
    pub fn resolved(&self) -> Resolved {
        self.display
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .1
    }

    /// A tile drawn with a comparison's stretch instead of the raster's own (its bands kept).
    pub fn fetch_with(
        &self,
        key: TileKey,
        look: &CompareLook,
    ) -> Result<image::RgbaImage, TileError> {
        if !key.is_valid() {
            return Err(TileError::OutOfRange(key));
        }
        self.render_scenes(key, Some(look))
    }

    /// Draws `rect` straight from the level that fits its scale (an export's figure, at its
    /// own zoom: resampled once, not through tiles), on every core; with `look`, a comparison's
    /// stretch.
    pub fn render_view(
        &self,
        rect: &ViewRect,
        look: Option<&CompareLook>,
    ) -> Result<image::RgbaImage, TileError> {
        let out = std::sync::Mutex::new(image::RgbaImage::new(rect.size_px[0], rect.size_px[1]));
        self.render_view_into(rect, look, &|image, block| {
            let mut out = out
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            view_render::put_block(&mut out, image, block);
        })?;
        Ok(out
            .into_inner()
            .unwrap_or_else(std::sync::PoisonError::into_inner))
    }

    /// [`Self::render_view`] handed to `put` a block at a time (its `[x, y, w, h]` in `rect`),
    /// on every core; nothing where the raster is not. No image of the whole view is held.
    pub fn render_view_into(
        &self,
        rect: &ViewRect,
        look: Option<&CompareLook>,
        put: crate::imagery::tile_source::BlockSink<'_>,
    ) -> Result<(), TileError> {
        // Each scene on the rectangle, at the level that fits its own scale over it.
        let scenes: Vec<(&Self, usize)> = std::iter::once(self)
            .chain(self.scenes_over())
            .filter_map(|scene| {
                let scale = view_render::scale_over(&scene.placement, rect)?;
                let level = match &scene.pixels {
                    Pixels::U8(p) => level_for(p, scale),
                    Pixels::U16(p) => level_for(p, scale),
                };
                Some((scene, level))
            })
            .collect();
        if scenes.is_empty() {
            return Ok(());
        }
        let threads = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
        let draw = |block: &ViewRect| {
            let mut out: Option<image::RgbaImage> = None;
            for (scene, level) in &scenes {
                let coords = scene.placement.rect_coords(block);
                if !coords.any_inside {
                    continue;
                }
                let image =
                    scene
                        .draw(&coords, look, Some(*level))
                        .map_err(|e| TileError::Local {
                            message: format!("reading the spill file: {e}"),
                            what: scene.path.display().to_string(),
                        })?;
                lay_over(&mut out, image);
            }
            Ok(out.unwrap_or_else(|| image::RgbaImage::new(block.size_px[0], block.size_px[1])))
        };
        view_render::render_blocks(rect, threads, &draw, put)
    }

    /// A tile of every scene that reaches it, laid over one another in order (one scene: its
    /// own tile).
    fn render_scenes(
        &self,
        key: TileKey,
        look: Option<&CompareLook>,
    ) -> Result<image::RgbaImage, TileError> {
        let mut out: Option<image::RgbaImage> = None;
        for scene in std::iter::once(self).chain(self.scenes_over()) {
            if !tiles_overlap(key, &scene.bounds) {
                continue;
            }
            lay_over(&mut out, scene.render(key, look)?);
        }
        Ok(out.unwrap_or_else(|| image::RgbaImage::new(256, 256)))
    }

    fn render(
        &self,
        key: TileKey,
        look: Option<&CompareLook>,
    ) -> Result<image::RgbaImage, TileError> {
        let coords = self.placement.tile_coords(key);
        self.draw(&coords, look, None)
            .map_err(|e| TileError::Local {
                message: format!("reading the spill file: {e}"),
                what: format!("{key} of {}", self.path.display()),
            })
    }

    /// Draws the output pixels of `coords` from `level`, or the level that fits them.
    fn draw(
        &self,
        coords: &TileCoords,
        look: Option<&CompareLook>,
        level: Option<usize>,
    ) -> Result<image::RgbaImage, super::pyramid::SpillError> {
        let own = self.resolved();
        let resolved = look.map_or(own, |l| l.resolved(own));
        let matched = look.and_then(|l| l.matched.as_deref());
        let tone = *self.tone.read().unwrap_or_else(PoisonError::into_inner);
        let tone = tone.as_ref();
        let alpha_max = |max: f32| self.alpha_band.map(|b| (b, max));
        match &self.pixels {
            Pixels::U8(p) => render_at(
                p,
                &self.placement,
                coords,
                &Look {
                    resolved,
                    matched,
                    tone,
                    nodata: self.nodata.map(|v| v as u8),
                    alpha: alpha_max(255.0),
                },
                level.unwrap_or_else(|| level_for(p, coords.scale)),
            ),
            Pixels::U16(p) => render_at(
                p,
                &self.placement,
                coords,
                &Look {
                    resolved,
                    matched,
                    tone,
                    nodata: self.nodata,
                    alpha: alpha_max(65535.0),
                },
                level.unwrap_or_else(|| level_for(p, coords.scale)),
            ),
        }
    }
}

/// `display` with an automatic stretch of an integer raster made the one the file suggests
/// (a floating-point raster's is chosen from its samples when resolved).
fn settled(mut display: Display, kind: SampleKind, bands: usize, photographic: bool) -> Display {
    if display.stretch == Stretch::Auto && !kind.is_float() {
        display.stretch = Display::default_for(bands, kind, photographic).stretch;
    }
    display
}

/// Runs `open`, turning a decoder's panic into a corrupt-file error for `path`.
fn guarded(
    path: &Path,
    open: impl FnOnce() -> Result<RasterTileSource, RasterError>,
) -> Result<RasterTileSource, RasterError> {
    panic::catch_unwind(AssertUnwindSafe(open)).unwrap_or_else(|payload| {
        let why = payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        Err(RasterError::Corrupt {
            message: format!("the decoder failed: {why}"),
            path: path.to_owned(),
        })
    })
}

/// Where a raster lies: pixel → CRS, the placement for reprojection, and its lon/lat box.
pub(super) fn place(
    path: &Path,
    header: &Header,
    options: &OpenOptions,
) -> Result<(GeoTransform, Placement, LonLatBox), RasterError> {
    let (crs_from_pixel, crs) = locate(path, header, options)?;
    let pixel_from_crs = crs_from_pixel
        .inverse()
        .ok_or_else(|| RasterError::NoGeoreferencing {
            detail: "the transform is degenerate".to_owned(),
            path: path.to_owned(),
        })?;
    let placement = Placement {
        crs,
        pixel_from_crs,
        width_px: header.width_px,
        height_px: header.height_px,
    };
    let bounds = bounds_of(&placement, &crs_from_pixel).ok_or_else(|| RasterError::Crs {
        source: super::CrsError::Unsupported {
            name: placement.crs.name(),
            reason: "the raster lies outside the CRS's domain".to_owned(),
        },
        path: path.to_owned(),
    })?;
    Ok((crs_from_pixel, placement, bounds))
}

/// What a pyramid is decoded from.
enum Feed {
    Tiff(Box<TiffFile>),
    Image(image::DynamicImage),
}

/// The finest level a raster decoded whole keeps: the one [`OpenOptions::view`] is drawn
/// from (as [`level_for`] chooses it), or full resolution without a view.
fn kept_level(options: &OpenOptions, placement: &Placement) -> usize {
    options
        .view
        .as_ref()
        .and_then(|rect| view_render::scale_over(placement, rect))
        .map_or(0, level_of_scale)
}

/// A sink that builds a pyramid of `size` (the raster's, or its preview's) and its histograms.
fn pyramid_sink<'a>(
    header: &Header,
    size: LevelSize,
    budget: usize,
    progress: &'a Progress,
    path: &'a Path,
) -> Sink<'a> {
    let kind = header.kind.unwrap_or(SampleKind::U8);
    let building = if kind.bytes() == 1 {
        Building::U8(PyramidBuilder::new(
            size,
            header.bands,
            budget,
            header.nodata.map(|v| v as u8),
        ))
    } else {
        Building::U16(PyramidBuilder::new(
            size,
            header.bands,
            budget,
            header.nodata,
        ))
    };
    Sink {
        building,
        histograms: Histograms::new(
            header.bands,
            kind,
            size.width_px,
            size.height_px,
            header.nodata,
        ),
        progress,
        from: f64::from(progress.fraction()).clamp(0.02, DECODE_SHARE),
        path,
        refocus: None,
    }
}

/// The pyramid's coarser levels built, `on_row(done, total)` after each chunk row (false
/// cancels).
fn finish_sink(
    sink: Sink<'_>,
    on_row: impl FnMut(usize, usize) -> bool,
) -> Result<(Pixels, Histograms), RasterError> {
    let Sink {
        building,
        histograms,
        path,
        ..
    } = sink;
    let cancelled = || RasterError::Cancelled {
        path: path.to_owned(),
    };
    let spill_err = |e| RasterError::io(e, path);
    let pixels = match building {
        Building::U8(mut b) => {
            if !b.build_levels(on_row).map_err(spill_err)? {
                return Err(cancelled());
            }
            Pixels::U8(b.finish())
        }
        Building::U16(mut b) => {
            if !b.build_levels(on_row).map_err(spill_err)? {
                return Err(cancelled());
            }
            Pixels::U16(b.finish())
        }
    };
    Ok((pixels, histograms))
}

/// Decodes the whole raster into a pyramid, with its histograms.
fn decode_pixels<'a>(
    feed: Feed,
    header: &Header,
    (options, keep_from, refocus): (&OpenOptions, usize, Option<Refocus<'a>>),
    progress: &'a Progress,
    path: &'a Path,
) -> Result<(Pixels, Histograms), RasterError> {
    let size = LevelSize {
        width_px: header.width_px,
        height_px: header.height_px,
    };
    let bytes = header.width_px as usize
        * header.height_px as usize
        * header.bands
        * header.kind.unwrap_or(SampleKind::U8).bytes();
    // A pyramid is a third more than its full level; each level not kept a quarter as much.
    let kept = bytes >> (2 * keep_from.min(31));
    let room = options.budget.room_for(kept.saturating_add(kept / 3));
    let mut sink = pyramid_sink(header, size, room, progress, path);
    sink.keep_from(keep_from);
    sink.refocus = refocus;
    let complete = match feed {
        Feed::Tiff(mut t) => decode_parallel(&mut t, &mut sink, options.threads())?,
        Feed::Image(img) => {
            feed_image(&img, &mut sink)?;
            sink.keep_going(1.0)
        }
    };
    if !complete {
        return Err(RasterError::Cancelled {
            path: path.to_owned(),
        });
    }
    let (mut pixels, histograms) = finish_sink(sink, |done, total| {
        progress.set(DECODE_SHARE + (1.0 - DECODE_SHARE) * done as f64 / total.max(1) as f64);
        !progress.is_cancelled()
    })?;
    pixels.count_against(&options.budget);
    Ok((pixels, histograms))
}

/// Decodes the strips `plan` names into a small pyramid of the preview's size.
fn decode_preview(
    tiff: &mut TiffFile,
    plan: &PreviewPlan,
    header: &Header,
    (progress, threads): (&Progress, usize),
    path: &Path,
) -> Result<(Pixels, Histograms), RasterError> {
    let size = LevelSize {
        width_px: plan.width_px(),
        height_px: plan.height_px(),
    };
    // The preview is small: it always stays in memory.
    let inner = pyramid_sink(header, size, usize::MAX, progress, path);
    let mut sink = PreviewSink::new(plan, inner);
    // The preview's share of the decoding on the progress line, by strips decoded.
    let (preview_strips, all_strips) = (plan.strips().len() as f64, f64::from(tiff.chunk_grid().1));
    let share = (DECODE_SHARE - 0.02) * preview_strips / (preview_strips + all_strips).max(1.0);
    let complete = decode_chunks(
        tiff,
        plan.strips(),
        &mut sink,
        threads,
        &mut |sink, i, _| {
            progress.set(0.02 + share * (i + 1) as f64 / preview_strips);
            Ok(sink.keep_going(0.0))
        },
    )?;
    if !complete {
        return Err(RasterError::Cancelled {
            path: path.to_owned(),
        });
    }
    finish_sink(sink.into_inner(), |_, _| !progress.is_cancelled())
}

/// A pyramid read from the TIFF's own levels on demand, with histograms from its coarsest
/// stored level (read whole now).
fn streamed_pixels<L: ChunkSource<u8> + ChunkSource<u16> + 'static>(
    levels: L,
    coarsest: usize,
    header: &Header,
    options: &OpenOptions,
    path: &Path,
) -> Result<(Pixels, Histograms), RasterError> {
    let kind = header.kind.unwrap_or(SampleKind::U8);
    let size = LevelSize {
        width_px: header.width_px,
        height_px: header.height_px,
    };
    let budget = &options.budget;
    let io = |e| RasterError::io(e, path);
    if kind.bytes() == 1 {
        let p = Pyramid::streamed(
            size,
            header.bands,
            header.nodata.map(|v| v as u8),
            Box::new(levels),
            budget,
        );
        let h = level_histograms(&p, coarsest, header, kind).map_err(io)?;
        Ok((Pixels::U8(p), h))
    } else {
        let p = Pyramid::streamed(size, header.bands, header.nodata, Box::new(levels), budget);
        let h = level_histograms(&p, coarsest, header, kind).map_err(io)?;
        Ok((Pixels::U16(p), h))
    }
}

/// Histograms of every pixel of level `k`.
fn level_histograms<T: Sample + Into<u16>>(
    p: &Pyramid<T>,
    k: usize,
    header: &Header,
    kind: SampleKind,
) -> Result<Histograms, std::io::Error> {
    let Some(size) = p.level_size(k) else {
        return Ok(Histograms::new(header.bands, kind, 0, 0, header.nodata));
    };
    let mut h = Histograms::new(
        header.bands,
        kind,
        size.width_px,
        size.height_px,
        header.nodata,
    );
    let (cols, rows) = (
        size.width_px.div_ceil(CHUNK_PX),
        size.height_px.div_ceil(CHUNK_PX),
    );
    p.prefetch(k, 0..=cols - 1, 0..=rows - 1);
    for cy in 0..rows {
        for cx in 0..cols {
            let Some(chunk) = p.chunk(k, cx, cy)? else {
                continue;
            };
            let (w, hh) = size.chunk_size(cx, cy);
            let at = super::pyramid::BlockAt {
                x0: cx * CHUNK_PX,
                y0: cy * CHUNK_PX,
                w,
                h: hh,
                src_bands: header.bands,
                first_band: 0,
            };
            h.add_block(at, &chunk);
        }
    }
    Ok(h)
}

/// The lon/lat box around the raster's outline (64 points an edge).
fn bounds_of(placement: &Placement, crs_from_pixel: &GeoTransform) -> Option<LonLatBox> {
    const N: u32 = 64;
    let (w, h) = (
        f64::from(placement.width_px),
        f64::from(placement.height_px),
    );
    let edge = (0..=N).flat_map(|i| {
        let t = f64::from(i) / f64::from(N);
        [(t * w, 0.0), (t * w, h), (0.0, t * h), (w, t * h)]
    });
    let lonlats: Vec<Coord<f64>> = edge
        .filter_map(|(x, y)| {
            placement
                .crs
                .lonlat_from_xy(crs_from_pixel.apply(Coord { x, y }))
        })
        .collect();
    if lonlats.len() < 4 {
        return None;
    }
    let mut b = LonLatBox::around(lonlats)?;
    b.west = b.west.max(-180.0);
    b.east = b.east.min(180.0);
    b.south = b.south.max(-90.0);
    b.north = b.north.min(90.0);
    (b.west < b.east && b.south < b.north).then_some(b)
}

/// The zoom where a screen pixel matches a raster pixel at the raster's centre.
fn native_zoom(placement: &Placement, crs_from_pixel: &GeoTransform) -> f64 {
    let (cx, cy) = (
        f64::from(placement.width_px) / 2.0,
        f64::from(placement.height_px) / 2.0,
    );
    let world = |x: f64, y: f64| {
        placement
            .crs
            .lonlat_from_xy(crs_from_pixel.apply(Coord { x, y }))
            .map(|ll| world_px_from_lonlat(ll, 0.0))
    };
    let (Some(c), Some(r), Some(d)) = (world(cx, cy), world(cx + 1.0, cy), world(cx, cy + 1.0))
    else {
        return 0.0;
    };
    let area = ((r.x - c.x) * (d.y - c.y) - (r.y - c.y) * (d.x - c.x)).abs();
    let z0_px_per_src_px = area.sqrt();
    if z0_px_per_src_px > 0.0 && z0_px_per_src_px.is_finite() {
        (1.0 / z0_px_per_src_px).log2()
    } else {
        0.0
    }
}

fn tiles_overlap(key: TileKey, bounds: &LonLatBox) -> bool {
    let z = f64::from(key.z);
    let nw = crate::spatial::mercator::lonlat_from_world_px(
        Coord {
            x: f64::from(key.x) * 256.0,
            y: f64::from(key.y) * 256.0,
        },
        z,
    );
    let se = crate::spatial::mercator::lonlat_from_world_px(
        Coord {
            x: f64::from(key.x + 1) * 256.0,
            y: f64::from(key.y + 1) * 256.0,
        },
        z,
    );
    // A pixel's worth of slack either way.
    let slack_lon = (se.x - nw.x) / 256.0;
    let slack_lat = (nw.y - se.y) / 256.0;
    nw.x - slack_lon <= bounds.east
        && se.x + slack_lon >= bounds.west
        && se.y - slack_lat <= bounds.north
        && nw.y + slack_lat >= bounds.south
}

impl TileSource for RasterTileSource {
    fn fetch(&self, key: TileKey) -> Result<image::RgbaImage, TileError> {
        if !key.is_valid() {
            return Err(TileError::OutOfRange(key));
        }
        self.render_scenes(key, None)
    }

    fn name(&self) -> &str {
        &self.name
    }

    fn attribution(&self) -> &str {
        &self.attribution
    }

    fn max_zoom(&self) -> u8 {
        ((self.native_zoom.ceil() + 2.0).clamp(0.0, f64::from(MAX_ZOOM_CAP))) as u8
    }

    fn raster(&self) -> Option<&RasterTileSource> {
        Some(self)
    }

    fn draw_view(
        &self,
        rect: &ViewRect,
        put: crate::imagery::tile_source::BlockSink<'_>,
    ) -> Option<Result<(), TileError>> {
        Some(self.render_view_into(rect, None, put))
    }
}

/// A pixel's raw values, as [`RasterTileSource::value_at`] reads them.
#[derive(Clone, Debug, PartialEq)]
pub struct PixelValues {
    /// Column, from 0 at the left.
    pub col: u32,
    /// Row, from 0 at the top.
    pub row: u32,
    /// One value per band, as the file holds it (signed kinds as their real values).
    pub values: Vec<f64>,
}

impl PixelValues {
    /// `px 512, 300 · 112 98 76`: the pixel and its band values, as the status bar shows them.
    #[must_use]
    pub fn readout(&self) -> String {
        let values: Vec<String> = self.values.iter().map(|v| format!("{v}")).collect();
        format!("px {}, {} · {}", self.col, self.row, values.join(" "))
    }
}

/// The held values of one full-resolution pixel, if its chunk is decoded.
fn held_values<T: super::pyramid::Sample + Into<f64>>(
    pyr: &Pyramid<T>,
    col: u32,
    row: u32,
) -> Option<Vec<f64>> {
    pixel_samples(pyr, 0, col, row).ok()?
}

/// The held values of pixel (`col`, `row`) of level `k`, every band; `None` outside it.
fn pixel_samples<T: super::pyramid::Sample + Into<f64>>(
    pyr: &Pyramid<T>,
    k: usize,
    col: u32,
    row: u32,
) -> Result<Option<Vec<f64>>, super::pyramid::SpillError> {
    let (cx, cy) = (col / CHUNK_PX, row / CHUNK_PX);
    let (Some(chunk), Some(size)) = (pyr.chunk(k, cx, cy)?, pyr.level_size(k)) else {
        return Ok(None);
    };
    let (chunk_w, _) = size.chunk_size(cx, cy);
    let bands = pyr.bands();
    let i = ((row - cy * CHUNK_PX) * chunk_w + (col - cx * CHUNK_PX)) as usize * bands;
    Ok(chunk
        .get(i..i + bands)
        .map(|v| v.iter().map(|x| (*x).into()).collect()))
}

/// Band `band`'s values at level-0 pixel positions `points`, read from the coarsest stored
/// level whose pixels are no larger than `cell_px` level-0 pixels (its chunks fetched at once).
fn sample_points<T: super::pyramid::Sample + Into<f64>>(
    pyr: &Pyramid<T>,
    points: &[Option<Coord<f64>>],
    cell_px: f64,
    band: usize,
    kind: SampleKind,
) -> Result<Vec<Option<f64>>, super::pyramid::SpillError> {
    let k = (0..pyr.level_count())
        .rev()
        .find(|&k| pyr.stores_level(k) && f64::from(1u32 << k.min(31)) <= cell_px.max(1.0))
        .unwrap_or(0);
    let Some(size) = pyr.level_size(k) else {
        return Ok(vec![None; points.len()]);
    };
    let factor = f64::from(1u32 << k.min(31));
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "non-negative positions within the raster, clamped to the level"
    )]
    let at = |p: &Coord<f64>| {
        let col = ((p.x / factor) as u32).min(size.width_px.saturating_sub(1));
        let row = ((p.y / factor) as u32).min(size.height_px.saturating_sub(1));
        (col, row)
    };
    // The chunks under the points, fetched together where they are most of their rectangle
    // (a box over a file without overviews spreads them thinly: those are read one by one).
    let chunks: std::collections::BTreeSet<(u32, u32)> = points
        .iter()
        .flatten()
        .map(|p| {
            let (col, row) = at(p);
            (col / CHUNK_PX, row / CHUNK_PX)
        })
        .collect();
    if let (Some(min_x), Some(max_x), Some(min_y), Some(max_y)) = (
        chunks.iter().map(|c| c.0).min(),
        chunks.iter().map(|c| c.0).max(),
        chunks.iter().map(|c| c.1).min(),
        chunks.iter().map(|c| c.1).max(),
    ) {
        let rectangle = (max_x - min_x + 1) as usize * (max_y - min_y + 1) as usize;
        if rectangle <= 2 * chunks.len() {
            pyr.prefetch(k, min_x..=max_x, min_y..=max_y);
        }
    }
    points
        .iter()
        .map(|p| {
            let Some(p) = p else {
                return Ok(None);
            };
            let (col, row) = at(p);
            let held = pixel_samples(pyr, k, col, row)?;
            Ok(held.and_then(|v| v.get(band).map(|v| kind.value_of_held(*v))))
        })
        .collect()
}

/// The lookup a tone needs, or none when it changes nothing.
fn tone_lut(tone: crate::model::layer_display::Tone) -> Option<[u8; 256]> {
    (!tone.is_identity()).then(|| tone.lut())
}
