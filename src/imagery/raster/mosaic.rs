//! Same-day mosaics: several scenes taken the same day (a satellite's neighbouring granules, a
//! STAC search's items of one pass) shown as one dated layer. Each scene keeps its own grid and
//! CRS and is reprojected on its own; their output pixels are laid one over another in order
//! (later scenes over earlier ones, a scene's nodata and transparent pixels letting those under
//! it show), so a view across a granule border shows both sides. All scenes share the layer's
//! bands, stretch and tone.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use image::RgbaImage;

use super::RasterError;
use super::band_stack::BandPlace;
use super::http_bytes::Retry;
use super::signed::RequestSigner;
use super::source::{OpenOptions, RasterTileSource};
use crate::imagery::pmtiles::is_pmtiles_path;
use crate::model::LayerSource;
use crate::spatial::LonLatBox;

/// Where one scene of a mosaic is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ScenePlace {
    /// A GeoTIFF on a web server.
    Remote(String),
    /// Three single-band GeoTIFFs shown as red, green and blue.
    Bands([BandPlace; 3]),
    /// A raster file on disk.
    File(PathBuf),
}

impl ScenePlace {
    /// The path errors name: the file, the URL, or the red band's.
    #[must_use]
    pub fn name(&self) -> PathBuf {
        match self {
            Self::Remote(url) => PathBuf::from(url),
            Self::Bands(bands) => bands[0].name(),
            Self::File(path) => path.clone(),
        }
    }

    /// The scenes of a [`LayerSource::Mosaic`], relative file paths taken from `base_dir`; a
    /// scene that is not a remote GeoTIFF, a band composite or a raster file is refused.
    pub fn of_scenes(scenes: &[LayerSource], base_dir: &Path) -> Result<Vec<Self>, RasterError> {
        scenes
            .iter()
            .map(|scene| match scene {
                LayerSource::Remote { url } => Ok(Self::Remote(url.clone())),
                LayerSource::Bands { red, green, blue } => Ok(Self::Bands(
                    [red, green, blue].map(|location| BandPlace::of(location, base_dir)),
                )),
                LayerSource::File { path } if !is_pmtiles_path(Path::new(path)) => {
                    Ok(Self::File(base_dir.join(path)))
                }
                LayerSource::File { path } => Err(RasterError::Unsupported {
                    message: "a PMTiles archive as a mosaic's scene".to_owned(),
                    path: PathBuf::from(path),
                }),
                LayerSource::Tiles { url, .. } => Err(RasterError::Unsupported {
                    message: "a tile service as a mosaic's scene".to_owned(),
                    path: PathBuf::from(url),
                }),
                LayerSource::Mosaic { .. } => Err(RasterError::Unsupported {
                    message: "a mosaic inside a mosaic".to_owned(),
                    path: PathBuf::new(),
                }),
            })
            .collect()
    }

    fn open(
        &self,
        options: &OpenOptions,
        retry: &Retry,
        signer: Option<&Arc<dyn RequestSigner>>,
    ) -> Result<RasterTileSource, RasterError> {
        match self {
            Self::Remote(url) => {
                RasterTileSource::open_url_signed(url, options, retry.clone(), signer.cloned())
            }
            Self::Bands(bands) => RasterTileSource::open_bands(bands, options, retry, signer),
            Self::File(path) => RasterTileSource::open(path, options),
        }
    }
}

/// The scenes laid over the first one, and the box all of them cover.
pub(super) struct Over {
    /// Drawn over the first scene, in order.
    pub(super) scenes: Vec<RasterTileSource>,
    /// The union of every scene's box, the first's included.
    pub(super) bounds: LonLatBox,
}

impl RasterTileSource {
    /// Opens the scenes of a same-day mosaic (at once, a thread each: remote ones read their
    /// headers in parallel) as one raster: the first scene's, with the others drawn over it in
    /// order. Every scene must open; the error names the one that did not.
    pub fn open_mosaic(
        places: &[ScenePlace],
        options: &OpenOptions,
        retry: &Retry,
        signer: Option<&Arc<dyn RequestSigner>>,
    ) -> Result<Self, RasterError> {
        let Some(first) = places.first() else {
            return Err(RasterError::Unsupported {
                message: "a mosaic without scenes".to_owned(),
                path: PathBuf::new(),
            });
        };
        let opened: Vec<Result<Self, RasterError>> = std::thread::scope(|scope| {
            let handles: Vec<_> = places
                .iter()
                .map(|place| scope.spawn(move || place.open(options, retry, signer)))
                .collect();
            handles
                .into_iter()
                .zip(places)
                .map(|(handle, place)| {
                    handle.join().unwrap_or_else(|_| {
                        Err(RasterError::Corrupt {
                            message: "the reader stopped unexpectedly".to_owned(),
                            path: place.name(),
                        })
                    })
                })
                .collect()
        });
        let mut scenes = Vec::with_capacity(opened.len());
        for scene in opened {
            scenes.push(scene?);
        }
        let mut scenes = scenes.into_iter();
        let Some(base) = scenes.next() else {
            return Err(RasterError::Unsupported {
                message: "a mosaic without scenes".to_owned(),
                path: first.name(),
            });
        };
        let over: Vec<Self> = scenes.collect();
        if over.is_empty() {
            return Ok(base);
        }
        let display = base.display();
        for scene in &over {
            scene.set_display(display)?;
        }
        Ok(base.with_scenes_over(over))
    }
}

/// The union of two boxes.
pub(super) fn union(a: LonLatBox, b: LonLatBox) -> LonLatBox {
    LonLatBox {
        west: a.west.min(b.west),
        south: a.south.min(b.south),
        east: a.east.max(b.east),
        north: a.north.max(b.north),
    }
}

/// Lays `top` over what `out` holds so far (the first scene drawn: `top` itself).
pub(super) fn lay_over(out: &mut Option<RgbaImage>, top: RgbaImage) {
    match out {
        Some(under) => over(under, &top),
        None => *out = Some(top),
    }
}

/// Lays `top` over `under` (same size, straight alpha, source-over).
fn over(under: &mut RgbaImage, top: &RgbaImage) {
    for (u, t) in under.pixels_mut().zip(top.pixels()) {
        let ta = u16::from(t[3]);
        if ta == 0 {
            continue;
        }
        if ta == 255 || u[3] == 0 {
            *u = *t;
            continue;
        }
        let ua = u16::from(u[3]);
        // out_a = ta + ua (1 − ta), colours weighted by their share of it.
        let under_share = ua * (255 - ta) / 255;
        let out_a = ta + under_share;
        for c in 0..3 {
            let mixed = (u16::from(t[c]) * ta + u16::from(u[c]) * under_share) / out_a.max(1);
            u[c] = mixed.min(255) as u8;
        }
        u[3] = out_a.min(255) as u8;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opaque_top_pixels_replace_and_clear_ones_let_the_scene_under_show() {
        let mut under = RgbaImage::from_pixel(2, 1, image::Rgba([200, 0, 0, 255]));
        let mut top = RgbaImage::new(2, 1);
        top.put_pixel(1, 0, image::Rgba([0, 0, 200, 255]));
        over(&mut under, &top);
        assert_eq!(under.get_pixel(0, 0).0, [200, 0, 0, 255]);
        assert_eq!(under.get_pixel(1, 0).0, [0, 0, 200, 255]);
    }

    #[test]
    fn half_clear_pixels_mix_by_their_alpha() {
        let mut under = RgbaImage::from_pixel(1, 1, image::Rgba([200, 0, 0, 255]));
        let top = RgbaImage::from_pixel(1, 1, image::Rgba([0, 0, 200, 128]));
        over(&mut under, &top);
        let [r, _, b, a] = under.get_pixel(0, 0).0;
        assert_eq!(a, 255);
        assert!(
            (98..=101).contains(&r) && (99..=102).contains(&b),
            "{r} {b}"
        );
        let mut clear = RgbaImage::new(1, 1);
        over(&mut clear, &top);
        assert_eq!(clear.get_pixel(0, 0).0, [0, 0, 200, 128]);
    }

    #[test]
    fn the_union_covers_both_boxes() {
        let a = LonLatBox {
            west: 1.0,
            south: 2.0,
            east: 3.0,
            north: 4.0,
        };
        let b = LonLatBox {
            west: 2.0,
            south: 1.0,
            east: 5.0,
            north: 3.0,
        };
        assert_eq!(
            union(a, b),
            LonLatBox {
                west: 1.0,
                south: 1.0,
                east: 5.0,
                north: 4.0
            }
        );
    }
}
