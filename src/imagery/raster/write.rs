//! Writing `GeoTIFFs`: 8/16-bit integers or 32-bit floats, any band count, strips or tiles, chunky or planar, uncompressed,
//! LZW or Deflate, georeferenced by an EPSG code and a transform (tie point + pixel scale when
//! north-up, the transformation matrix otherwise). Used by the tests and the benchmark to make
//! files of every layout, and by anyone exporting a raster.

use std::io::{Read, Seek, SeekFrom, Write};

use tiff::encoder::TiffEncoder;
use tiff::encoder::compression::{CompressionAlgorithm, Deflate, DeflateLevel, Lzw, Uncompressed};
use tiff::tags::Tag;

use super::georef::GeoTransform;

/// Why a `GeoTIFF` could not be written.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// The encoder or the writer failed.
    #[error("writing the GeoTIFF failed")]
    Tiff(#[from] tiff::TiffError),
    /// The spec contradicts itself.
    #[error("bad GeoTIFF spec: {0}")]
    Spec(String),
}

/// Compression of strips or tiles.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Compression {
    /// None.
    None,
    /// LZW.
    Lzw,
    /// Deflate (zlib), fast level.
    Deflate,
}

/// How pixels are cut up in the file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layout {
    /// Full-width strips of this many rows.
    Strips {
        /// Rows per strip.
        rows: u32,
    },
    /// Square tiles of this edge (a multiple of 16).
    Tiles {
        /// Tile edge, pixels.
        edge_px: u32,
    },
}

/// What to write, beside the pixels.
#[derive(Clone, Debug, PartialEq)]
#[allow(
    clippy::struct_excessive_bools,
    reason = "independent yes/no choices of a file format"
)]
pub struct GeoTiffSpec {
    /// Width, pixels.
    pub width_px: u32,
    /// Height, pixels.
    pub height_px: u32,
    /// Samples per pixel.
    pub bands: u16,
    /// Photometric RGB (3+ bands) rather than gray/multiband.
    pub rgb: bool,
    /// The last band is (unassociated) alpha.
    pub alpha: bool,
    /// Signed samples.
    pub signed: bool,
    /// Strips or tiles.
    pub layout: Layout,
    /// Compression.
    pub compression: Compression,
    /// One plane per band instead of interleaved.
    pub planar: bool,
    /// EPSG code of the CRS, and whether it is geographic; no `GeoKeys` when `None`.
    pub epsg: Option<(u16, bool)>,
    /// Pixel → CRS; no model tags when `None`.
    pub transform: Option<GeoTransform>,
    /// Write `ModelTransformation` even for a north-up transform.
    pub use_matrix: bool,
    /// Mark the raster `PixelIsPoint` (the transform is still written for pixel corners, shifted).
    pub pixel_is_point: bool,
    /// TIFF `DateTime`, `"YYYY:MM:DD HH:MM:SS"`.
    pub datetime: Option<String>,
    /// `GDAL_NODATA`.
    pub nodata: Option<f64>,
    /// TIFF `ImageDescription` (GDAL shows it as `TIFFTAG_IMAGEDESCRIPTION`).
    pub description: Option<String>,
    /// TIFF `Software`.
    pub software: Option<String>,
}

impl GeoTiffSpec {
    /// An uncompressed, stripped, north-up RGB spec with no georeferencing yet.
    #[must_use]
    pub fn new(width_px: u32, height_px: u32, bands: u16) -> Self {
        Self {
            width_px,
            height_px,
            bands,
            rgb: bands >= 3,
            alpha: bands == 4 || bands == 2,
            signed: false,
            layout: Layout::Strips { rows: 16 },
            compression: Compression::None,
            planar: false,
            epsg: None,
            transform: None,
            use_matrix: false,
            pixel_is_point: false,
            datetime: None,
            nodata: None,
            description: None,
            software: None,
        }
    }
}

/// A sample type the writer takes.
pub trait WriteSample: Copy + Default {
    /// Bits per sample.
    const BITS: u16;
    /// IEEE floating point (`SampleFormat` 3) rather than integers.
    const FLOAT: bool = false;
    /// Appends native-endian bytes (the encoder writes the file in native byte order).
    fn extend_ne(samples: &[Self], out: &mut Vec<u8>);
}

impl WriteSample for u8 {
    const BITS: u16 = 8;
    fn extend_ne(samples: &[Self], out: &mut Vec<u8>) {
        out.extend_from_slice(samples);
    }
}

impl WriteSample for u16 {
    const BITS: u16 = 16;
    fn extend_ne(samples: &[Self], out: &mut Vec<u8>) {
        out.extend(samples.iter().flat_map(|s| s.to_ne_bytes()));
    }
}

impl WriteSample for f32 {
    const BITS: u16 = 32;
    const FLOAT: bool = true;
    fn extend_ne(samples: &[Self], out: &mut Vec<u8>) {
        out.extend(samples.iter().flat_map(|s| s.to_ne_bytes()));
    }
}

fn compress(c: Compression, bytes: &[u8], out: &mut Vec<u8>) -> std::io::Result<u64> {
    out.clear();
    match c {
        Compression::None => Uncompressed.write_to(out, bytes),
        Compression::Lzw => Lzw.write_to(out, bytes),
        Compression::Deflate => Deflate::with_level(DeflateLevel::Fast).write_to(out, bytes),
    }
}

/// Writes a `GeoTIFF` whose pixels come from `fill(x0, y0, w, h, out)`, which must append the
/// `w`×`h` block's interleaved samples (all bands) to `out`. Blocks come top to bottom, so a
/// generator never holds the whole raster.
#[allow(
    clippy::many_single_char_names,
    reason = "w, h, p, q, x, y as in the TIFF layout"
)]
pub fn write_geotiff_with<W: Write + Seek, T: WriteSample>(
    out: W,
    spec: &GeoTiffSpec,
    mut fill: impl FnMut(u32, u32, u32, u32, &mut Vec<T>),
) -> Result<(), WriteError> {
    let mut encoder = TiffEncoder::new(out)?;
    write_directory(&mut encoder, spec, false, &mut fill)
}

/// Writes a `GeoTIFF` with `overviews` reduced-resolution copies, laid out as a cloud-optimized
/// GeoTIFF orders its pixels: the coarsest overview's tiles first, the full raster's last, so a
/// reader that wants a zoomed-out view reads only the start of the file. The images are chained
/// full raster first (overview `k` (1…) is `ceil(w / 2^k)` × `ceil(h / 2^k)` pixels, marked
/// `NewSubfileType` 1, in the same layout). `fill(k, x0, y0, w, h, out)` appends the block's
/// samples of level `k` (0: full resolution).
#[allow(
    clippy::many_single_char_names,
    reason = "w, h, k as in the TIFF layout"
)]
pub fn write_geotiff_levels_with<W: Read + Write + Seek, T: WriteSample>(
    mut out: W,
    spec: &GeoTiffSpec,
    overviews: u32,
    mut fill: impl FnMut(u32, u32, u32, u32, u32, &mut Vec<T>),
) -> Result<(), WriteError> {
    {
        let mut encoder = TiffEncoder::new(&mut out)?;
        for k in (0..=overviews).rev() {
            let f = 1u32 << k.min(31);
            let mut level = spec.clone();
            level.width_px = spec.width_px.div_ceil(f);
            level.height_px = spec.height_px.div_ceil(f);
            if let Some(t) = spec.transform {
                let c = t.0;
                let g = f64::from(f);
                level.transform = Some(GeoTransform([
                    c[0],
                    c[1] * g,
                    c[2] * g,
                    c[3],
                    c[4] * g,
                    c[5] * g,
                ]));
            }
            write_directory(&mut encoder, &level, k > 0, |x0, y0, w, h, block| {
                fill(k, x0, y0, w, h, block);
            })?;
        }
    }
    if overviews > 0 {
        reverse_ifd_chain(&mut out).map_err(tiff::TiffError::from)?;
    }
    Ok(())
}

/// Reverses a classic TIFF's chain of images in place (header → last written first).
fn reverse_ifd_chain<W: Read + Write + Seek>(out: &mut W) -> std::io::Result<()> {
    let bad = |what: &str| std::io::Error::other(format!("relinking the images: {what}"));
    let mut head = [0u8; 8];
    out.seek(SeekFrom::Start(0))?;
    out.read_exact(&mut head)?;
    let little = match &head[..4] {
        b"II*\0" => true,
        b"MM\0*" => false,
        _ => return Err(bad("not a classic TIFF")),
    };
    let u16_of = |b: [u8; 2]| {
        if little {
            u16::from_le_bytes(b)
        } else {
            u16::from_be_bytes(b)
        }
    };
    let u32_of = |b: [u8; 4]| {
        if little {
            u32::from_le_bytes(b)
        } else {
            u32::from_be_bytes(b)
        }
    };
    let bytes_of = |v: u32| {
        if little {
            v.to_le_bytes()
        } else {
            v.to_be_bytes()
        }
    };
    // (IFD offset, offset of its next-IFD pointer), in chain order.
    let mut chain = Vec::new();
    let mut at = u32_of([head[4], head[5], head[6], head[7]]);
    while at != 0 {
        if chain.len() > 64 {
            return Err(bad("a chain of over 64 images"));
        }
        let mut count = [0u8; 2];
        out.seek(SeekFrom::Start(u64::from(at)))?;
        out.read_exact(&mut count)?;
        let next_at = u64::from(at) + 2 + 12 * u64::from(u16_of(count));
        let mut next = [0u8; 4];
        out.seek(SeekFrom::Start(next_at))?;
        out.read_exact(&mut next)?;
        chain.push((at, next_at));
        at = u32_of(next);
    }
    let Some(&(first, _)) = chain.last() else {
        return Err(bad("no image"));
    };
    out.seek(SeekFrom::Start(4))?;
    out.write_all(&bytes_of(first))?;
    for pair in chain.windows(2).rev() {
        let [(earlier, _), (_, later_next)] = [pair[0], pair[1]];
        out.seek(SeekFrom::Start(later_next))?;
        out.write_all(&bytes_of(earlier))?;
    }
    if let Some(&(_, first_written_next)) = chain.first() {
        out.seek(SeekFrom::Start(first_written_next))?;
        out.write_all(&bytes_of(0))?;
    }
    out.seek(SeekFrom::End(0))?;
    Ok(())
}

/// Writes one image (IFD) of a `GeoTIFF`; `overview` marks it a reduced-resolution copy.
#[allow(
    clippy::many_single_char_names,
    clippy::too_many_lines,
    reason = "w, h, p, q, x, y as in the TIFF layout; one directory's tags in order"
)]
fn write_directory<W: Write + Seek, T: WriteSample>(
    encoder: &mut TiffEncoder<W>,
    spec: &GeoTiffSpec,
    overview: bool,
    mut fill: impl FnMut(u32, u32, u32, u32, &mut Vec<T>),
) -> Result<(), WriteError> {
    let (w, h, bands) = (spec.width_px, spec.height_px, usize::from(spec.bands));
    if w == 0 || h == 0 || bands == 0 {
        return Err(WriteError::Spec("empty raster".to_owned()));
    }
    let (cw, ch, tiled) = match spec.layout {
        Layout::Strips { rows } => (w, rows.clamp(1, h), false),
        Layout::Tiles { edge_px } if edge_px % 16 == 0 && edge_px > 0 => (edge_px, edge_px, true),
        Layout::Tiles { edge_px } => {
            return Err(WriteError::Spec(format!(
                "tile edge {edge_px} is not a multiple of 16"
            )));
        }
    };
    let (across, down) = (w.div_ceil(cw), h.div_ceil(ch));
    let per_plane = (across * down) as usize;
    let planes = if spec.planar { bands } else { 1 };
    let mut offsets = vec![0u32; per_plane * planes];
    let mut counts = vec![0u32; per_plane * planes];

    let mut dir = encoder.image_directory()?;
    if overview {
        dir.write_tag(Tag::NewSubfileType, 1u32)?;
    }
    let (mut block, mut plane, mut bytes, mut packed) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for q in 0..per_plane {
        let (tx, ty) = (q as u32 % across, q as u32 / across);
        let (x0, y0) = (tx * cw, ty * ch);
        let (bw, bh) = ((w - x0).min(cw), (h - y0).min(ch));
        block.clear();
        fill(x0, y0, bw, bh, &mut block);
        block.resize(bw as usize * bh as usize * bands, T::default());
        // Tiles are stored whole, padded right and below.
        let (sw, sh) = if tiled { (cw, ch) } else { (bw, bh) };
        for p in 0..planes {
            plane.clear();
            plane.resize(
                sw as usize * sh as usize * if spec.planar { 1 } else { bands },
                T::default(),
            );
            let spp = if spec.planar { 1 } else { bands };
            for y in 0..bh as usize {
                for x in 0..bw as usize {
                    let src = (y * bw as usize + x) * bands;
                    let dst = (y * sw as usize + x) * spp;
                    for s in 0..spp {
                        let band = if spec.planar { p } else { s };
                        if let (Some(d), Some(v)) = (plane.get_mut(dst + s), block.get(src + band))
                        {
                            *d = *v;
                        }
                    }
                }
            }
            bytes.clear();
            T::extend_ne(&plane, &mut bytes);
            let n =
                compress(spec.compression, &bytes, &mut packed).map_err(tiff::TiffError::from)?;
            let offset = dir.write_data(packed.as_slice())?;
            let idx = p * per_plane + q;
            if let (Some(o), Some(c)) = (offsets.get_mut(idx), counts.get_mut(idx)) {
                *o = u32::try_from(offset)
                    .map_err(|_| WriteError::Spec("file over 4 GiB".to_owned()))?;
                *c = u32::try_from(n)
                    .map_err(|_| WriteError::Spec("chunk over 4 GiB".to_owned()))?;
            }
        }
    }

    dir.write_tag(Tag::ImageWidth, w)?;
    dir.write_tag(Tag::ImageLength, h)?;
    dir.write_tag(Tag::BitsPerSample, vec![T::BITS; bands].as_slice())?;
    dir.write_tag(
        Tag::Compression,
        match spec.compression {
            Compression::None => 1u16,
            Compression::Lzw => 5,
            Compression::Deflate => 8,
        },
    )?;
    let colour = if spec.rgb && bands >= 3 { 3 } else { 1 };
    dir.write_tag(
        Tag::PhotometricInterpretation,
        if colour == 3 { 2u16 } else { 1 },
    )?;
    dir.write_tag(Tag::SamplesPerPixel, u16::try_from(bands).unwrap_or(1))?;
    dir.write_tag(Tag::PlanarConfiguration, if spec.planar { 2u16 } else { 1 })?;
    dir.write_tag(
        Tag::SampleFormat,
        vec![
            if T::FLOAT {
                3u16
            } else if spec.signed {
                2
            } else {
                1
            };
            bands
        ]
        .as_slice(),
    )?;
    if bands > colour {
        let mut extra = vec![0u16; bands - colour];
        if spec.alpha
            && let Some(last) = extra.last_mut()
        {
            *last = 2;
        }
        dir.write_tag(Tag::ExtraSamples, extra.as_slice())?;
    }
    if tiled {
        dir.write_tag(Tag::TileWidth, cw)?;
        dir.write_tag(Tag::TileLength, ch)?;
        dir.write_tag(Tag::TileOffsets, offsets.as_slice())?;
        dir.write_tag(Tag::TileByteCounts, counts.as_slice())?;
    } else {
        dir.write_tag(Tag::RowsPerStrip, ch)?;
        dir.write_tag(Tag::StripOffsets, offsets.as_slice())?;
        dir.write_tag(Tag::StripByteCounts, counts.as_slice())?;
    }
    if let Some(dt) = &spec.datetime {
        dir.write_tag(Tag::DateTime, dt.as_str())?;
    }
    if let Some(text) = &spec.description {
        dir.write_tag(Tag::ImageDescription, text.as_str())?;
    }
    if let Some(text) = &spec.software {
        dir.write_tag(Tag::Software, text.as_str())?;
    }
    if let Some(nd) = spec.nodata {
        dir.write_tag(Tag::GdalNodata, nd.to_string().as_str())?;
    }
    if let Some(t) = spec.transform {
        // Written for pixel corners; PixelIsPoint files name the first pixel's centre instead.
        let t = if spec.pixel_is_point {
            let c = t.0;
            let centre = t.apply(geo::Coord { x: 0.5, y: 0.5 });
            GeoTransform([centre.x, c[1], c[2], centre.y, c[4], c[5]])
        } else {
            t
        };
        let c = t.0;
        if c[2] == 0.0 && c[4] == 0.0 && c[5] < 0.0 && !spec.use_matrix {
            dir.write_tag(Tag::ModelPixelScaleTag, &[c[1], -c[5], 0.0][..])?;
            dir.write_tag(Tag::ModelTiepointTag, &[0.0, 0.0, 0.0, c[0], c[3], 0.0][..])?;
        } else {
            let m = [
                c[1], c[2], 0.0, c[0], //
                c[4], c[5], 0.0, c[3], //
                0.0, 0.0, 0.0, 0.0, //
                0.0, 0.0, 0.0, 1.0,
            ];
            dir.write_tag(Tag::ModelTransformationTag, &m[..])?;
        }
    }
    if let Some((code, geographic)) = spec.epsg {
        let mut keys: Vec<[u16; 4]> = vec![
            [1024, 0, 1, if geographic { 2 } else { 1 }],
            [1025, 0, 1, if spec.pixel_is_point { 2 } else { 1 }],
        ];
        if geographic {
            keys.push([2048, 0, 1, code]);
        } else {
            keys.push([3072, 0, 1, code]);
            keys.push([3076, 0, 1, 9001]);
        }
        let mut directory = vec![1u16, 1, 0, u16::try_from(keys.len()).unwrap_or(0)];
        directory.extend(keys.iter().flatten());
        dir.write_tag(Tag::GeoKeyDirectoryTag, directory.as_slice())?;
    }
    dir.finish()?;
    Ok(())
}

/// Writes a `GeoTIFF` from a whole raster of interleaved samples (row-major, all bands).
pub fn write_geotiff<W: Write + Seek, T: WriteSample>(
    out: W,
    spec: &GeoTiffSpec,
    samples: &[T],
) -> Result<(), WriteError> {
    let (w, bands) = (spec.width_px as usize, usize::from(spec.bands));
    write_geotiff_with(out, spec, |x0, y0, bw, bh, out: &mut Vec<T>| {
        for y in y0 as usize..(y0 + bh) as usize {
            let start = (y * w + x0 as usize) * bands;
            if let Some(row) = samples.get(start..start + bw as usize * bands) {
                out.extend_from_slice(row);
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::imagery::raster::Limits;
    use crate::imagery::raster::decode::{Block, BlockSink, Samples, TiffFile};
    use crate::imagery::raster::pyramid::BlockAt;

    /// Collects 16-bit blocks into a whole raster of `bands` interleaved samples.
    struct Collect {
        w: u32,
        bands: usize,
        samples: Vec<u16>,
    }

    impl BlockSink for Collect {
        fn put(&mut self, b: Block<'_>) {
            let Samples::U16(s) = b.samples else {
                panic!("8-bit block");
            };
            let BlockAt {
                x0,
                y0,
                w,
                h,
                src_bands,
                first_band,
            } = b.at;
            for y in 0..h {
                for x in 0..w {
                    for k in 0..src_bands {
                        let src = ((y * w + x) as usize) * src_bands + k;
                        let dst =
                            (((y0 + y) * self.w + x0 + x) as usize) * self.bands + first_band + k;
                        self.samples[dst] = s[src];
                    }
                }
            }
        }
        fn complete_rows(&mut self, _rows: u32) -> Result<(), crate::imagery::raster::RasterError> {
            Ok(())
        }
        fn keep_going(&mut self, _fraction: f64) -> bool {
            true
        }
    }

    #[test]
    fn every_layout_reads_back_sample_for_sample() {
        let (w, h, bands) = (70u32, 45u32, 3usize);
        let samples: Vec<u16> = (0..w * h * 3).map(|i| (i * 7919 % 65_521) as u16).collect();
        let layouts = [Layout::Strips { rows: 4 }, Layout::Tiles { edge_px: 32 }];
        let compressions = [Compression::None, Compression::Lzw, Compression::Deflate];
        for layout in layouts {
            for compression in compressions {
                for planar in [false, true] {
                    let mut spec = GeoTiffSpec::new(w, h, 3);
                    (spec.layout, spec.compression, spec.planar, spec.alpha) =
                        (layout, compression, planar, false);
                    let dir = tempfile::tempdir().unwrap();
                    let path = dir.path().join("t.tif");
                    write_geotiff(std::fs::File::create(&path).unwrap(), &spec, &samples).unwrap();
                    let mut file = TiffFile::open(&path, &Limits::default()).unwrap();
                    let mut sink = Collect {
                        w,
                        bands,
                        samples: vec![0; samples.len()],
                    };
                    assert!(file.decode(&mut sink).unwrap());
                    assert!(
                        sink.samples == samples,
                        "{layout:?} {compression:?} planar {planar}"
                    );
                }
            }
        }
    }

    #[test]
    fn a_bad_tile_edge_is_refused() {
        let mut spec = GeoTiffSpec::new(4, 4, 1);
        spec.layout = Layout::Tiles { edge_px: 20 };
        let out = std::io::Cursor::new(Vec::new());
        assert!(matches!(
            write_geotiff(out, &spec, &[0u8; 16]),
            Err(WriteError::Spec(_))
        ));
    }
}
