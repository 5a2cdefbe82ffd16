//! Three single-band GeoTIFFs on one grid read as one 3-band raster: a band composite of a
//! STAC item's red, green and blue (or near-infrared, red and green) COGs. Each band is opened
//! as a streamed TIFF of its own ([`TiffLevels`]), on a web server or on disk; a chunk of the
//! stack is the same chunk read from each band, interleaved. The pyramid, the reprojection, the
//! stretch and the histograms then see an ordinary 3-band raster.
//!
//! The bands must share their size, sample type, transform and CRS; a band that differs is
//! refused with [`RasterError::BandGrid`] naming it. Their tiling and overviews may differ: a
//! level is served from the files only where all three store it (the pyramid averages the
//! others), and only chunks every band returned are kept.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::bytes::{ByteSource, FileBytes};
use super::decode::{Format, Header, TiffFile, sniff_bytes};
use super::georef::GeoTransform;
use super::http_bytes::{HttpBytes, Retry};
use super::pyramid::LevelSize;
use super::reproject::Placement;
use super::signed::RequestSigner;
use super::stream::{ChunkSource, FromSamples, TiffLevels, level_images};
use super::{OpenOptions, RasterError};
use crate::spatial::LonLatBox;

/// Where one band's GeoTIFF is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BandPlace {
    /// On a web server: `https://…`, `http://…`, `s3://…`, `gs://…`.
    Remote(String),
    /// On disk.
    File(PathBuf),
}

impl BandPlace {
    /// A layer's band location: a URL when it has a scheme a remote raster is read with, else a
    /// file path, relative ones taken from `base_dir`.
    #[must_use]
    pub fn of(location: &str, base_dir: &Path) -> Self {
        let remote = ["https://", "http://", "s3://", "gs://"]
            .iter()
            .any(|scheme| location.starts_with(scheme));
        if remote {
            Self::Remote(location.to_owned())
        } else {
            Self::File(base_dir.join(location))
        }
    }

    /// The path errors name: the file, or the URL as a path (as remote rasters are named).
    #[must_use]
    pub fn name(&self) -> PathBuf {
        match self {
            Self::Remote(url) => PathBuf::from(url),
            Self::File(path) => path.clone(),
        }
    }

    /// The band's bytes, signed by `signer` when remote.
    fn open_bytes(
        &self,
        options: &OpenOptions,
        retry: &Retry,
        signer: Option<Arc<dyn RequestSigner>>,
    ) -> Result<Arc<dyn ByteSource>, RasterError> {
        match self {
            Self::Remote(url) => {
                let bytes =
                    HttpBytes::open_cached(url, retry.clone(), signer, options.range_cache.clone())
                        .map_err(|source| RasterError::Remote {
                            source,
                            url: url.clone(),
                        })?;
                Ok(Arc::new(bytes))
            }
            Self::File(path) => {
                let file = FileBytes::open(path).map_err(|e| RasterError::io(e, path))?;
                Ok(Arc::new(file))
            }
        }
    }
}

/// One band opened: its levels, header and where it lies.
struct OpenBand {
    levels: TiffLevels,
    header: Header,
    transform: GeoTransform,
    placement: Placement,
    bounds: LonLatBox,
    stored: Vec<usize>,
}

/// Opens one band: a tiled single-band TIFF, placed as `options` say.
fn open_band(
    place: &BandPlace,
    options: &OpenOptions,
    retry: &Retry,
    signer: Option<Arc<dyn RequestSigner>>,
) -> Result<OpenBand, RasterError> {
    let name = place.name();
    let source = place.open_bytes(options, retry, signer)?;
    let mut head = [0u8; 8];
    let n = head
        .len()
        .min(usize::try_from(source.len()).unwrap_or(usize::MAX));
    source
        .read_at(0, &mut head[..n])
        .map_err(|e| RasterError::io(e, &name))?;
    if sniff_bytes(&head[..n], &name)? != Format::Tiff {
        return Err(unsupported(
            "a PNG or JPEG band (bands are GeoTIFFs)",
            &name,
        ));
    }
    let mut tiff = TiffFile::open_source(Arc::clone(&source), 0, &options.limits)?;
    let header = tiff.header().clone();
    if header.bands != 1 {
        return Err(unsupported(
            &format!(
                "{} bands in a band of a composite (each band is a single-band GeoTIFF)",
                header.bands
            ),
            &name,
        ));
    }
    if !tiff.is_tiled() {
        return Err(unsupported(
            "a band in strips (band composites read tiled, cloud-optimized GeoTIFFs)",
            &name,
        ));
    }
    let (transform, placement, bounds) = super::source::place(&name, &header, options)?;
    let overviews = level_images(&source, &mut tiff, &options.limits)?;
    let stored = std::iter::once(0)
        .chain(overviews.iter().map(|(image, _)| image.level))
        .collect();
    Ok(OpenBand {
        levels: TiffLevels::open(tiff, overviews, &options.limits),
        header,
        transform,
        placement,
        bounds,
        stored,
    })
}

fn unsupported(message: &str, path: &Path) -> RasterError {
    RasterError::Unsupported {
        message: message.to_owned(),
        path: path.to_owned(),
    }
}

/// What differs between `band` and `first` (the first band's grid), if anything.
fn grid_difference(first: &OpenBand, band: &OpenBand) -> Option<String> {
    let (a, b) = (&first.header, &band.header);
    if (a.width_px, a.height_px) != (b.width_px, b.height_px) {
        return Some(format!(
            "{} × {} px, the first band {} × {} px",
            b.width_px, b.height_px, a.width_px, a.height_px
        ));
    }
    if a.kind != b.kind {
        return Some(format!("{:?} samples, the first band {:?}", b.kind, a.kind));
    }
    // A thousandth of a pixel is the same grid.
    let (ta, tb) = (first.transform.0, band.transform.0);
    let pixel = ta[1].abs().max(ta[5].abs()).max(f64::MIN_POSITIVE);
    let same_origin = (ta[0] - tb[0]).abs() < pixel * 1e-3 && (ta[3] - tb[3]).abs() < pixel * 1e-3;
    let same_steps = [1, 2, 4, 5]
        .iter()
        .all(|&i| (ta[i] - tb[i]).abs() <= ta[i].abs().max(1e-12) * 1e-6);
    if !(same_origin && same_steps) {
        return Some(format!("transform {tb:?}, the first band {ta:?}"));
    }
    if first.placement.crs != band.placement.crs {
        return Some(format!(
            "CRS {}, the first band {}",
            band.placement.crs.name(),
            first.placement.crs.name()
        ));
    }
    None
}

/// Three bands read as one raster, red first.
pub struct BandStack {
    bands: [TiffLevels; 3],
    /// Levels every band stores.
    stored: Vec<usize>,
}

/// A band stack opened, with what the raster is assembled from.
pub(super) struct OpenedStack {
    /// The chunk source.
    pub(super) stack: BandStack,
    /// The first band's header, as a 3-band raster's.
    pub(super) header: Header,
    /// Pixel → CRS, the placement and the lon/lat box.
    pub(super) placed: (GeoTransform, Placement, LonLatBox),
    /// The coarsest level the files store.
    pub(super) coarsest: usize,
}

/// Opens `places` (red, green, blue) as one stack.
pub(super) fn open_stack(
    places: &[BandPlace; 3],
    options: &OpenOptions,
    retry: &Retry,
    signer: Option<&Arc<dyn RequestSigner>>,
) -> Result<OpenedStack, RasterError> {
    let [red, green, blue] = places;
    let red = open_band(red, options, retry, signer.cloned())?;
    let mut others = Vec::with_capacity(2);
    for place in [green, blue] {
        let band = open_band(place, options, retry, signer.cloned())?;
        if let Some(detail) = grid_difference(&red, &band) {
            return Err(RasterError::BandGrid {
                detail,
                path: place.name(),
            });
        }
        others.push(band);
    }
    let stored: Vec<usize> = red
        .stored
        .iter()
        .copied()
        .filter(|k| others.iter().all(|band| band.stored.contains(k)))
        .collect();
    let coarsest = stored.iter().copied().max().unwrap_or(0);
    let mut header = red.header;
    header.bands = 3;
    header.alpha_band = None;
    header.photographic = false;
    let located = (red.transform, red.placement, red.bounds);
    let mut others = others.into_iter().map(|band| band.levels);
    let (Some(green), Some(blue)) = (others.next(), others.next()) else {
        return Err(unsupported("fewer than three bands", &places[0].name()));
    };
    Ok(OpenedStack {
        stack: BandStack {
            bands: [red.levels, green, blue],
            stored,
        },
        header,
        placed: located,
        coarsest,
    })
}

/// The chunks of `red`, `green` and `blue` (one sample a pixel each) that all three returned,
/// interleaved into three samples a pixel.
fn interleave<T: Copy>(
    [red, green, blue]: [Vec<(u32, u32, Vec<T>)>; 3],
) -> Vec<(u32, u32, Vec<T>)> {
    let find = |chunks: &[(u32, u32, Vec<T>)], cx: u32, cy: u32| {
        chunks
            .iter()
            .position(|(x, y, _)| (*x, *y) == (cx, cy))
            .and_then(|i| chunks.get(i).map(|(_, _, data)| data.clone()))
    };
    red.into_iter()
        .filter_map(|(cx, cy, r)| {
            let g = find(&green, cx, cy)?;
            let b = find(&blue, cx, cy)?;
            if g.len() != r.len() || b.len() != r.len() {
                return None;
            }
            let data = r
                .iter()
                .zip(&g)
                .zip(&b)
                .flat_map(|((r, g), b)| [*r, *g, *b])
                .collect();
            Some((cx, cy, data))
        })
        .collect()
}

impl<T: FromSamples> ChunkSource<T> for BandStack {
    fn stores_level(&self, k: usize) -> bool {
        self.stored.contains(&k)
    }

    fn read(
        &self,
        k: usize,
        chunk: (u32, u32),
        size: LevelSize,
        _bands: usize,
    ) -> io::Result<Vec<(u32, u32, Vec<T>)>> {
        if !self.stored.contains(&k) {
            return Ok(Vec::new());
        }
        let [red, green, blue] = &self.bands;
        let read_band = |band: &TiffLevels| ChunkSource::<T>::read(band, k, chunk, size, 1);
        // The three bands' tiles are fetched at once: a remote band costs one round trip, not three.
        let (red, green, blue) = std::thread::scope(|scope| {
            let green = scope.spawn(|| read_band(green));
            let blue = scope.spawn(|| read_band(blue));
            let red = read_band(red);
            let joined = |h: std::thread::ScopedJoinHandle<'_, io::Result<_>>| {
                h.join()
                    .unwrap_or_else(|_| Err(io::Error::other("a band's reader failed")))
            };
            (red, joined(green), joined(blue))
        });
        Ok(interleave([red?, green?, blue?]))
    }

    fn prefetch(&self, k: usize, chunks: &[(u32, u32)]) {
        if self.stored.contains(&k) {
            for band in &self.bands {
                ChunkSource::<T>::prefetch(band, k, chunks);
            }
        }
    }

    fn bytes_read(&self) -> u64 {
        self.bands
            .iter()
            .map(|band| ChunkSource::<T>::bytes_read(band))
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_location_with_a_remote_scheme_is_a_url_and_anything_else_a_file_from_the_project() {
        let base = Path::new("/site");
        assert_eq!(
            BandPlace::of("https://e/B04.tif", base),
            BandPlace::Remote("https://e/B04.tif".into())
        );
        assert_eq!(
            BandPlace::of("s3://bucket/B04.tif", base),
            BandPlace::Remote("s3://bucket/B04.tif".into())
        );
        assert_eq!(
            BandPlace::of("bands/B04.tif", base),
            BandPlace::File(PathBuf::from("/site/bands/B04.tif"))
        );
        assert_eq!(
            BandPlace::of("/data/B04.tif", base),
            BandPlace::File(PathBuf::from("/data/B04.tif"))
        );
    }

    #[test]
    fn chunks_every_band_returned_are_interleaved_and_the_rest_dropped() {
        let red = vec![(0, 0, vec![1u16, 2]), (1, 0, vec![9, 9])];
        let green = vec![(0, 0, vec![10u16, 20])];
        let blue = vec![(1, 0, vec![7, 7]), (0, 0, vec![100u16, 200])];
        assert_eq!(
            interleave([red, green, blue]),
            vec![(0, 0, vec![1, 10, 100, 2, 20, 200])]
        );
    }
}
