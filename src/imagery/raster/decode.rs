//! Reading pixels and tags: TIFF through the `tiff` crate one strip or tile at a time, PNG and
//! JPEG through `image`, each handed on as blocks of samples to a [`BlockSink`]. Sizes are
//! checked against [`Limits`] on the header, before any pixel buffer exists.

use std::fs::File;
use std::io::{BufReader, Read};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::NaiveDate;
use tiff::decoder::{ChunkType, Decoder, DecodingResult};
use tiff::tags::Tag;
use tiff::{TiffError, TiffFormatError};

use super::bytes::{ByteSource, FileBytes, SourceReader};
use super::date::date_from_tiff_datetime;
use super::float;
use super::geokeys::GeoKeys;
use super::lzw::{self, LzwLayout};
use super::pyramid::BlockAt;
use super::stretch::SampleKind;
use super::{Limits, RasterError};

/// Most bands read.
const MAX_BANDS: usize = 16;

/// What kind of file the first bytes say it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// TIFF or `BigTIFF`.
    Tiff,
    /// PNG.
    Png,
    /// JPEG.
    Jpeg,
}

/// Identifies a file by its first bytes.
pub fn sniff(path: &Path) -> Result<Format, RasterError> {
    let mut head = [0u8; 8];
    let mut file = File::open(path).map_err(|e| RasterError::io(e, path))?;
    let mut n = 0;
    while n < head.len() {
        match file.read(&mut head[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(RasterError::io(e, path)),
        }
    }
    sniff_bytes(&head[..n], path)
}

/// Identifies a file by its first bytes (at most 8 needed).
pub fn sniff_bytes(head: &[u8], path: &Path) -> Result<Format, RasterError> {
    if head.starts_with(b"II*\0")
        || head.starts_with(b"MM\0*")
        || head.starts_with(b"II+\0")
        || head.starts_with(b"MM\0+")
    {
        Ok(Format::Tiff)
    } else if head.starts_with(b"\x89PNG") {
        Ok(Format::Png)
    } else if head.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Ok(Format::Jpeg)
    } else {
        let message = if head.is_empty() {
            "the file is empty".to_owned()
        } else {
            format!("starts with {head:02X?}, not TIFF, PNG or JPEG")
        };
        Err(RasterError::NotAnImage {
            message,
            path: path.to_owned(),
        })
    }
}

/// Checks a claimed size against the limits.
pub fn check_size(
    width_px: u64,
    height_px: u64,
    limits: &Limits,
    path: &Path,
) -> Result<(), RasterError> {
    let too_large = |limit: String| RasterError::TooLarge {
        what: "image",
        width_px,
        height_px,
        limit,
        path: path.to_owned(),
    };
    if width_px == 0 || height_px == 0 {
        return Err(RasterError::Corrupt {
            message: format!("{width_px} × {height_px} pixels"),
            path: path.to_owned(),
        });
    }
    if width_px.max(height_px) > u64::from(limits.max_side_px) {
        return Err(too_large(format!("{} pixels a side", limits.max_side_px)));
    }
    if width_px.saturating_mul(height_px) > limits.max_pixels {
        return Err(too_large(format!("{} pixels", limits.max_pixels)));
    }
    Ok(())
}

/// Checks one strip or tile, as decoded whole (`samples` per pixel of `bytes` each), against
/// the limits.
pub fn check_chunk(
    (what, width_px, height_px): (&'static str, u32, u32),
    samples: usize,
    bytes: usize,
    limits: &Limits,
    path: &Path,
) -> Result<(), RasterError> {
    let decoded = u64::from(width_px)
        .saturating_mul(u64::from(height_px))
        .saturating_mul((samples * bytes) as u64);
    if decoded > limits.max_chunk_bytes || width_px.max(height_px) > limits.max_side_px {
        return Err(RasterError::TooLarge {
            what,
            width_px: u64::from(width_px),
            height_px: u64::from(height_px),
            limit: format!("{} a {what}", bytes_in_words(limits.max_chunk_bytes)),
            path: path.to_owned(),
        });
    }
    Ok(())
}

/// "1 GiB", "64 MiB" or "4096 bytes".
fn bytes_in_words(n: u64) -> String {
    if n >= 1 << 30 && n.is_multiple_of(1 << 30) {
        format!("{} GiB", n >> 30)
    } else if n >= 1 << 20 && n.is_multiple_of(1 << 20) {
        format!("{} MiB", n >> 20)
    } else {
        format!("{n} bytes")
    }
}

/// `image`'s limits from ours: sides as ours, and room for the largest image we accept at the
/// widest pixel a PNG or JPEG decodes to (RGBA, 16 bits), so that `image`'s own default of
/// 512 MiB never refuses an image inside our limits.
pub fn image_limits(limits: &Limits) -> image::Limits {
    /// Bytes of the widest pixel a PNG or JPEG decodes to.
    const WIDEST_PIXEL_BYTES: u64 = 8;
    /// Decoder state besides the image (rows, zlib window, Huffman tables).
    const DECODER_SLACK_BYTES: u64 = 64 << 20;
    let mut out = image::Limits::default();
    out.max_image_width = Some(limits.max_side_px);
    out.max_image_height = Some(limits.max_side_px);
    out.max_alloc = Some(
        limits
            .max_pixels
            .saturating_mul(WIDEST_PIXEL_BYTES)
            .saturating_add(DECODER_SLACK_BYTES),
    );
    out
}

/// Samples of one decoded block.
#[derive(Clone, Copy, Debug)]
pub enum Samples<'a> {
    /// 8-bit (signed ones with the sign bit flipped).
    U8(&'a [u8]),
    /// 16-bit (signed ones with the sign bit flipped).
    U16(&'a [u16]),
}

/// A decoded block and where it goes.
#[derive(Clone, Copy, Debug)]
pub struct Block<'a> {
    /// Its place in the raster.
    pub at: BlockAt,
    /// The samples, row-major, interleaved.
    pub samples: Samples<'a>,
}

/// Where decoded blocks go.
pub trait BlockSink {
    /// Takes one block.
    fn put(&mut self, block: Block<'_>);
    /// Every row above `rows` has been delivered.
    fn complete_rows(&mut self, rows: u32) -> Result<(), RasterError>;
    /// Reports progress (0–1); false stops decoding.
    fn keep_going(&mut self, fraction: f64) -> bool;
}

/// The parts of a raster's header the rest needs.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Header {
    /// Width, pixels.
    pub width_px: u32,
    /// Height, pixels.
    pub height_px: u32,
    /// Bands delivered (a palette is delivered as 3).
    pub bands: usize,
    /// Sample type delivered.
    pub kind: Option<SampleKind>,
    /// Band (from 0) that is alpha, if any.
    pub alpha_band: Option<usize>,
    /// True colour pictures (RGB, YCbCr, palette), shown unstretched at 8 bits.
    pub photographic: bool,
    /// `GDAL_NODATA`, as held (signed values offset; for floats always
    /// [`float::NODATA_HELD`], which NaN and `GDAL_NODATA` are held as).
    pub nodata: Option<u16>,
    /// TIFF `DateTime`.
    pub date: Option<NaiveDate>,
    /// The `GeoKey` directory, or why it could not be read.
    pub geokeys: Option<Result<GeoKeys, String>>,
    /// `ModelTiepointTag`.
    pub tiepoints: Option<Vec<f64>>,
    /// `ModelPixelScaleTag`.
    pub pixel_scale: Option<Vec<f64>>,
    /// `ModelTransformationTag`.
    pub matrix: Option<Vec<f64>>,
}

/// An open TIFF, header read and checked.
pub struct TiffFile {
    decoder: Decoder<SourceReader>,
    source: Arc<dyn ByteSource>,
    path: PathBuf,
    /// `NewSubfileType`: 1 marks a reduced-resolution copy (an overview), 4 a mask.
    subfile_type: u32,
    /// File offset and stored length of each strip or tile.
    chunk_ranges: Vec<Range<u64>>,
    header: Header,
    file_bands: usize,
    planar: bool,
    ycbcr: bool,
    /// RGB triplets for palette images.
    palette: Option<Vec<u8>>,
    tiled: bool,
    chunk_w: u32,
    chunk_h: u32,
    /// Set for LZW files, whose chunks are decoded by [`lzw`] rather than `tiff`.
    lzw: Option<LzwLayout>,
    /// A floating-point file's `GDAL_NODATA` value (NaN is nodata anyway).
    float_nodata: Option<f32>,
    /// Which image of the file, and under what limits it was opened (for [`Self::reopen`]).
    ifd: usize,
    limits: Limits,
}

fn tiff_error(e: TiffError, path: &Path) -> RasterError {
    let path = path.to_owned();
    match e {
        TiffError::FormatError(
            TiffFormatError::TiffSignatureNotFound | TiffFormatError::TiffSignatureInvalid,
        ) => RasterError::NotAnImage {
            message: "no TIFF signature".to_owned(),
            path,
        },
        TiffError::IoError(io) if io.kind() == std::io::ErrorKind::UnexpectedEof => {
            RasterError::Corrupt {
                message: "the file ends early".to_owned(),
                path,
            }
        }
        TiffError::IoError(io) => RasterError::io(io, path),
        TiffError::UnsupportedError(u) => RasterError::Unsupported {
            message: u.to_string(),
            path,
        },
        TiffError::LimitsExceeded => RasterError::Corrupt {
            message: "a strip, tile or tag larger than the decoder allows".to_owned(),
            path,
        },
        other => RasterError::Corrupt {
            message: other.to_string(),
            path,
        },
    }
}

impl TiffFile {
    /// Opens a TIFF and reads its header, refusing sizes over `limits` before allocating.
    pub fn open(path: &Path, limits: &Limits) -> Result<Self, RasterError> {
        let file = FileBytes::open(path).map_err(|e| RasterError::io(e, path))?;
        Self::open_source(Arc::new(file), 0, limits)
    }

    /// How many images (IFDs) the file holds: the full raster, then overviews and masks.
    pub fn image_count(&mut self) -> Result<usize, RasterError> {
        let err = |e| tiff_error(e, &self.path);
        self.decoder.seek_to_image(0).map_err(err)?;
        let mut n = 1;
        while self.decoder.more_images() {
            self.decoder.next_image().map_err(err)?;
            n += 1;
        }
        self.decoder.seek_to_image(0).map_err(err)?;
        Ok(n)
    }

    /// Opens image `ifd` (0: the full raster) of the TIFF in `source` and reads its header.
    pub fn open_source(
        source: Arc<dyn ByteSource>,
        ifd: usize,
        limits: &Limits,
    ) -> Result<Self, RasterError> {
        let name = source.name();
        let path = name.as_path();
        let err = |e| tiff_error(e, path);
        let mut decoder = Decoder::new(SourceReader::new(Arc::clone(&source))).map_err(err)?;
        if ifd > 0 {
            decoder.seek_to_image(ifd).map_err(err)?;
        }
        let (width_px, height_px) = decoder.dimensions().map_err(err)?;
        check_size(u64::from(width_px), u64::from(height_px), limits, path)?;
        let chunk_limit = usize::try_from(limits.max_chunk_bytes).unwrap_or(usize::MAX);
        let mut tiff_limits = tiff::decoder::Limits::default();
        tiff_limits.decoding_buffer_size = chunk_limit;
        tiff_limits.intermediate_buffer_size = chunk_limit;
        let mut decoder = decoder.with_limits(tiff_limits);

        let unsupported = |message: String| RasterError::Unsupported {
            message,
            path: path.to_owned(),
        };
        let short = |d: &mut Decoder<_>, tag| d.find_tag_unsigned::<u16>(tag).map_err(err);
        let photometric = short(&mut decoder, Tag::PhotometricInterpretation)?.unwrap_or(1);
        let file_bands = usize::from(short(&mut decoder, Tag::SamplesPerPixel)?.unwrap_or(1));
        let planar = short(&mut decoder, Tag::PlanarConfiguration)? == Some(2);
        let compression = short(&mut decoder, Tag::Compression)?.unwrap_or(1);
        let format = decoder
            .find_tag_unsigned_vec::<u16>(Tag::SampleFormat)
            .map_err(err)?
            .and_then(|v| v.first().copied())
            .unwrap_or(1);
        let bits = decoder
            .find_tag_unsigned_vec::<u16>(Tag::BitsPerSample)
            .map_err(err)?
            .and_then(|v| v.first().copied())
            .unwrap_or(1);
        if file_bands == 0 || file_bands > MAX_BANDS {
            return Err(unsupported(format!(
                "{file_bands} samples per pixel (1 to {MAX_BANDS} are read)"
            )));
        }
        let kind = match (bits, format) {
            (8, 1) => SampleKind::U8,
            (8, 2) => SampleKind::I8,
            (16, 1) => SampleKind::U16,
            (16, 2) => SampleKind::I16,
            (32, 3) => SampleKind::F32,
            (64, 3) => SampleKind::F64,
            (b, 3) => {
                return Err(unsupported(format!(
                    "{b}-bit floating-point samples (32 and 64 are read)"
                )));
            }
            (b, _) => return Err(unsupported(format!("{b}-bit samples (8 and 16 are read)"))),
        };
        let ycbcr = photometric == 6;
        if ycbcr && compression != 7 {
            return Err(unsupported("YCbCr without JPEG compression".to_owned()));
        }
        let palette = if photometric == 3 {
            if kind != SampleKind::U8 || file_bands != 1 {
                return Err(unsupported(
                    "palette other than 8-bit single band".to_owned(),
                ));
            }
            let map = decoder
                .find_tag_unsigned_vec::<u16>(Tag::ColorMap)
                .map_err(err)?
                .filter(|m| m.len() == 3 * 256)
                .ok_or_else(|| {
                    unsupported("palette image without a 256-entry colour map".to_owned())
                })?;
            let (r, rest) = map.split_at(256);
            let (g, b) = rest.split_at(256);
            Some(
                r.iter()
                    .zip(g)
                    .zip(b)
                    .flat_map(|((r, g), b)| [(r >> 8) as u8, (g >> 8) as u8, (b >> 8) as u8])
                    .collect(),
            )
        } else {
            None
        };
        let extra = decoder
            .find_tag_unsigned_vec::<u16>(Tag::ExtraSamples)
            .map_err(err)?
            .unwrap_or_default();
        let colour_bands = match photometric {
            2 | 6 => 3,
            _ => 1,
        };
        let alpha_band = match extra.first() {
            Some(1 | 2) if file_bands > colour_bands => Some(colour_bands),
            _ => None,
        };
        let nodata_value = decoder
            .find_tag(Tag::GdalNodata)
            .map_err(err)?
            .and_then(|v| v.into_string().ok())
            .and_then(|s| {
                s.trim_matches(|c: char| c == '\0' || c.is_whitespace())
                    .parse::<f64>()
                    .ok()
            });
        // Floats hold NaN and GDAL_NODATA as one reserved value (see `float`).
        let float_nodata = nodata_value.filter(|_| kind.is_float()).map(|v| v as f32);
        let nodata = if kind.is_float() {
            Some(float::NODATA_HELD)
        } else {
            nodata_value
                .and_then(|v| {
                    let held = v + kind.offset();
                    (held.fract() == 0.0 && (0.0..=kind.max_held()).contains(&held)).then_some(held)
                })
                // GDAL_NODATA names the stored value; WhiteIsZero samples arrive inverted.
                .map(|held| {
                    let held = if photometric == 0 {
                        kind.max_held() - held
                    } else {
                        held
                    };
                    held as u16
                })
        };
        let date = decoder
            .find_tag(Tag::DateTime)
            .map_err(err)?
            .and_then(|v| v.into_string().ok())
            .and_then(|s| date_from_tiff_datetime(&s));
        let f64s = |d: &mut Decoder<_>, tag| -> Result<Option<Vec<f64>>, RasterError> {
            Ok(d.find_tag(tag)
                .map_err(err)?
                .and_then(|v| v.into_f64_vec().ok()))
        };
        let tiepoints = f64s(&mut decoder, Tag::ModelTiepointTag)?;
        let pixel_scale = f64s(&mut decoder, Tag::ModelPixelScaleTag)?;
        let matrix = f64s(&mut decoder, Tag::ModelTransformationTag)?;
        let directory = decoder
            .find_tag_unsigned_vec::<u16>(Tag::GeoKeyDirectoryTag)
            .map_err(err)?;
        let geokeys = match directory {
            None => None,
            Some(dir) => {
                let doubles = f64s(&mut decoder, Tag::GeoDoubleParamsTag)?.unwrap_or_default();
                let ascii = decoder
                    .find_tag(Tag::GeoAsciiParamsTag)
                    .map_err(err)?
                    .and_then(|v| v.into_string().ok())
                    .unwrap_or_default();
                Some(GeoKeys::parse(&dir, &doubles, &ascii))
            }
        };
        let tiled = decoder.get_chunk_type() == ChunkType::Tile;
        let (chunk_w, chunk_h) = {
            let mut tag = |t| decoder.find_tag_unsigned::<u32>(t).map_err(err);
            if tiled {
                (
                    tag(Tag::TileWidth)?.unwrap_or(0),
                    tag(Tag::TileLength)?.unwrap_or(0),
                )
            } else {
                (
                    width_px,
                    tag(Tag::RowsPerStrip)?
                        .unwrap_or(height_px)
                        .clamp(1, height_px),
                )
            }
        };
        if chunk_w == 0 || chunk_h == 0 {
            return Err(RasterError::Corrupt {
                message: "tiles of zero size".to_owned(),
                path: path.to_owned(),
            });
        }
        // Each strip or tile is decoded whole, padding included: refused here, before any
        // decoder allocates for it.
        check_chunk(
            (if tiled { "tile" } else { "strip" }, chunk_w, chunk_h),
            if planar { 1 } else { file_bands },
            usize::from(bits / 8),
            limits,
            path,
        )?;
        // Validates the combination the same way the decoder will.
        decoder.colortype().map_err(err)?;
        let (offsets_tag, counts_tag) = if tiled {
            (Tag::TileOffsets, Tag::TileByteCounts)
        } else {
            (Tag::StripOffsets, Tag::StripByteCounts)
        };
        let offsets: Vec<u64> = decoder
            .find_tag_unsigned_vec(offsets_tag)
            .map_err(err)?
            .unwrap_or_default();
        let counts: Vec<u64> = decoder
            .find_tag_unsigned_vec(counts_tag)
            .map_err(err)?
            .unwrap_or_default();
        let chunk_ranges = offsets
            .iter()
            .zip(&counts)
            .map(|(&o, &c)| o..o.saturating_add(c))
            .collect();
        let subfile_type = decoder
            .find_tag_unsigned::<u32>(Tag::NewSubfileType)
            .map_err(err)?
            .unwrap_or(0);
        let lzw = if compression == 5 {
            let predictor = short(&mut decoder, Tag::Predictor)?.unwrap_or(1);
            if predictor > 3 || (predictor == 3 && !kind.is_float()) {
                return Err(unsupported(format!("predictor {predictor} with LZW")));
            }
            Some(LzwLayout {
                offsets,
                counts,
                predictor,
                samples_per_pixel: if planar { 1 } else { file_bands },
                big_endian: decoder.byte_order() == tiff::tags::ByteOrder::BigEndian,
                bits,
                signed: matches!(kind, SampleKind::I8 | SampleKind::I16),
                white_is_zero: photometric == 0 && !kind.is_float(),
                max_chunk_bytes: limits.max_chunk_bytes,
            })
        } else {
            None
        };

        let bands = if palette.is_some() { 3 } else { file_bands };
        let header = Header {
            width_px,
            height_px,
            bands,
            kind: Some(kind),
            alpha_band,
            photographic: matches!(photometric, 2 | 3 | 6),
            nodata,
            date,
            geokeys,
            tiepoints,
            pixel_scale,
            matrix,
        };
        Ok(Self {
            decoder,
            source,
            path: path.to_owned(),
            subfile_type,
            chunk_ranges,
            header,
            file_bands,
            planar,
            ycbcr,
            palette,
            tiled,
            chunk_w,
            chunk_h,
            lzw,
            float_nodata,
            ifd,
            limits: *limits,
        })
    }

    /// Another reader of the same image over the same bytes: a decoding thread's own.
    pub fn reopen(&self) -> Result<Self, RasterError> {
        Self::open_source(Arc::clone(&self.source), self.ifd, &self.limits)
    }

    /// The header.
    #[must_use]
    pub fn header(&self) -> &Header {
        &self.header
    }

    /// Decodes every strip or tile in file order into `sink`; `Ok(false)` if it said stop.
    pub fn decode(&mut self, sink: &mut dyn BlockSink) -> Result<bool, RasterError> {
        let (across, down) = self.chunk_grid();
        let per_plane = across * down;
        let mut expanded = Vec::new();
        for q in 0..per_plane {
            self.decode_chunk(q, sink, &mut expanded)?;
            let (tx, ty) = (q % across, q / across);
            if tx + 1 == across {
                let y_end = ((ty + 1) * self.chunk_h).min(self.header.height_px);
                sink.complete_rows(y_end)?;
            }
            if !sink.keep_going(f64::from(q + 1) / f64::from(per_plane)) {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// Strips or tiles across and down (one column of strips).
    #[must_use]
    pub fn chunk_grid(&self) -> (u32, u32) {
        let (width, height) = (self.header.width_px, self.header.height_px);
        if self.tiled {
            (width.div_ceil(self.chunk_w), height.div_ceil(self.chunk_h))
        } else {
            (1, height.div_ceil(self.chunk_h))
        }
    }

    /// Width and height of a stored strip or tile.
    #[must_use]
    pub fn chunk_dims(&self) -> (u32, u32) {
        if self.tiled {
            (self.chunk_w, self.chunk_h)
        } else {
            (self.header.width_px, self.chunk_h)
        }
    }

    /// True when the pixels are stored in tiles rather than strips.
    #[must_use]
    pub fn is_tiled(&self) -> bool {
        self.tiled
    }

    /// `NewSubfileType`: bit 0 marks an overview, bit 2 a transparency mask.
    #[must_use]
    pub fn subfile_type(&self) -> u32 {
        self.subfile_type
    }

    /// The bytes to read for strip or tile `q` (every plane of a planar file).
    #[must_use]
    pub fn chunk_byte_ranges(&self, q: u32) -> Vec<Range<u64>> {
        let (across, down) = self.chunk_grid();
        let per_plane = across * down;
        let planes = if self.planar { self.file_bands } else { 1 };
        (0..planes)
            .filter_map(|p| {
                self.chunk_ranges
                    .get((p as u32 * per_plane + q) as usize)
                    .cloned()
            })
            .collect()
    }

    /// The source the file is read from.
    #[must_use]
    pub fn source(&self) -> &Arc<dyn ByteSource> {
        &self.source
    }

    /// Decodes strip or tile `q` (counted across then down, in every plane) into `sink`;
    /// `expanded` is scratch space for palette images.
    #[allow(
        clippy::many_single_char_names,
        reason = "q, p, w, h, v as in the TIFF layout"
    )]
    pub fn decode_chunk(
        &mut self,
        q: u32,
        sink: &mut dyn BlockSink,
        expanded: &mut Vec<u8>,
    ) -> Result<(), RasterError> {
        let (width, height) = (self.header.width_px, self.header.height_px);
        let (across, down) = self.chunk_grid();
        let per_plane = across * down;
        let planes = if self.planar { self.file_bands } else { 1 };
        let spp = if self.planar { 1 } else { self.file_bands };
        let (tx, ty) = (q % across, q / across);
        let (x0, y0) = (tx * self.chunk_w, ty * self.chunk_h);
        let (w, h) = (
            (width - x0).min(self.chunk_w),
            (height - y0).min(self.chunk_h),
        );
        for p in 0..planes {
            let index = p as u32 * per_plane + q;
            let result = match &self.lzw {
                Some(layout) => {
                    let stored_w = if self.tiled { self.chunk_w } else { width };
                    lzw::read_chunk(self.decoder.inner(), layout, index, (stored_w, w, h), spp)
                        .map_err(|message| RasterError::Corrupt {
                            message,
                            path: self.path.clone(),
                        })?
                }
                None => self
                    .decoder
                    .read_chunk(index)
                    .map_err(|e| tiff_error(e, &self.path))?,
            };
            let want = w as usize * h as usize * spp;
            let short_chunk = |got: usize| RasterError::Corrupt {
                message: format!("chunk {index} holds {got} samples, not {want}"),
                path: self.path.clone(),
            };
            let mut block = Block {
                at: BlockAt {
                    x0,
                    y0,
                    w,
                    h,
                    src_bands: spp,
                    first_band: p,
                },
                samples: Samples::U8(&[]),
            };
            match result {
                DecodingResult::U8(mut v) => {
                    if v.len() < want {
                        return Err(short_chunk(v.len()));
                    }
                    if self.ycbcr {
                        ycbcr_to_rgb(&mut v, spp);
                    }
                    if let Some(palette) = &self.palette {
                        expanded.clear();
                        expanded.extend(v.iter().take(want).flat_map(|&i| {
                            let i = usize::from(i) * 3;
                            palette
                                .get(i..i + 3)
                                .map_or([0, 0, 0], |c| [c[0], c[1], c[2]])
                        }));
                        block.at.src_bands = 3;
                        block.samples = Samples::U8(expanded);
                        sink.put(block);
                    } else {
                        block.samples = Samples::U8(&v);
                        sink.put(block);
                    }
                }
                DecodingResult::I8(v) => {
                    if v.len() < want {
                        return Err(short_chunk(v.len()));
                    }
                    let held: Vec<u8> = v.iter().map(|s| s.to_ne_bytes()[0] ^ 0x80).collect();
                    block.samples = Samples::U8(&held);
                    sink.put(block);
                }
                DecodingResult::U16(v) => {
                    if v.len() < want {
                        return Err(short_chunk(v.len()));
                    }
                    block.samples = Samples::U16(&v);
                    sink.put(block);
                }
                DecodingResult::I16(v) => {
                    if v.len() < want {
                        return Err(short_chunk(v.len()));
                    }
                    let held: Vec<u16> = v
                        .iter()
                        .map(|s| u16::from_ne_bytes(s.to_ne_bytes()) ^ 0x8000)
                        .collect();
                    block.samples = Samples::U16(&held);
                    sink.put(block);
                }
                DecodingResult::F32(v) => {
                    if v.len() < want {
                        return Err(short_chunk(v.len()));
                    }
                    let nodata = self.float_nodata;
                    let held: Vec<u16> =
                        v.iter().map(|s| float::held_from_f32(*s, nodata)).collect();
                    block.samples = Samples::U16(&held);
                    sink.put(block);
                }
                DecodingResult::F64(v) => {
                    if v.len() < want {
                        return Err(short_chunk(v.len()));
                    }
                    let nodata = self.float_nodata;
                    let held: Vec<u16> = v
                        .iter()
                        .map(|s| float::held_from_f32(*s as f32, nodata))
                        .collect();
                    block.samples = Samples::U16(&held);
                    sink.put(block);
                }
                _ => {
                    return Err(RasterError::Unsupported {
                        message: "sample type other than 8 or 16-bit integers or floats".to_owned(),
                        path: self.path.clone(),
                    });
                }
            }
        }
        Ok(())
    }
}

/// JPEG's YCbCr (JFIF, full range) to RGB, in place, for pixels of `spp` samples.
fn ycbcr_to_rgb(data: &mut [u8], spp: usize) {
    if spp < 3 {
        return;
    }
    for px in data.chunks_exact_mut(spp) {
        let y = f32::from(px[0]);
        let cb = f32::from(px[1]) - 128.0;
        let cr = f32::from(px[2]) - 128.0;
        px[0] = (y + 1.402 * cr).round().clamp(0.0, 255.0) as u8;
        px[1] = (y - 0.344_136 * cb - 0.714_136 * cr)
            .round()
            .clamp(0.0, 255.0) as u8;
        px[2] = (y + 1.772 * cb).round().clamp(0.0, 255.0) as u8;
    }
}

/// Decodes a PNG or JPEG whole, after checking its header's size.
pub fn decode_image(
    path: &Path,
    limits: &Limits,
) -> Result<(Header, image::DynamicImage), RasterError> {
    let image_limits = image_limits(limits);
    let reader = || -> Result<image::ImageReader<BufReader<File>>, RasterError> {
        image::ImageReader::open(path)
            .map_err(|e| RasterError::io(e, path))?
            .with_guessed_format()
            .map_err(|e| RasterError::io(e, path))
    };
    let image_error = |e: image::ImageError, (w, h): (u32, u32)| match e {
        image::ImageError::Limits(_) => RasterError::TooLarge {
            what: "image",
            width_px: u64::from(w),
            height_px: u64::from(h),
            limit: format!(
                "{} pixels a side and {} decoded",
                limits.max_side_px,
                bytes_in_words(image_limits.max_alloc.unwrap_or(u64::MAX))
            ),
            path: path.to_owned(),
        },
        image::ImageError::IoError(io) if io.kind() == std::io::ErrorKind::UnexpectedEof => {
            RasterError::Corrupt {
                message: "the file ends early".to_owned(),
                path: path.to_owned(),
            }
        }
        image::ImageError::IoError(io) => RasterError::io(io, path),
        other => RasterError::Corrupt {
            message: other.to_string(),
            path: path.to_owned(),
        },
    };
    // The size alone allocates nothing; the decode runs under our limits, not `image`'s.
    let (w, h) = reader()?
        .into_dimensions()
        .map_err(|e| image_error(e, (0, 0)))?;
    check_size(u64::from(w), u64::from(h), limits, path)?;
    let mut decoding = reader()?;
    decoding.limits(image_limits.clone());
    let mut img = decoding.decode().map_err(|e| image_error(e, (w, h)))?;
    let (bands, kind, alpha_band) = match &img {
        image::DynamicImage::ImageLuma8(_) => (1, SampleKind::U8, None),
        image::DynamicImage::ImageLumaA8(_) => (2, SampleKind::U8, Some(1)),
        image::DynamicImage::ImageRgb8(_) => (3, SampleKind::U8, None),
        image::DynamicImage::ImageLuma16(_) => (1, SampleKind::U16, None),
        image::DynamicImage::ImageLumaA16(_) => (2, SampleKind::U16, Some(1)),
        image::DynamicImage::ImageRgb16(_) => (3, SampleKind::U16, None),
        image::DynamicImage::ImageRgba16(_) => (4, SampleKind::U16, Some(3)),
        image::DynamicImage::ImageRgba8(_) => (4, SampleKind::U8, Some(3)),
        other => {
            img = image::DynamicImage::ImageRgba8(other.to_rgba8());
            (4, SampleKind::U8, Some(3))
        }
    };
    let header = Header {
        width_px: w,
        height_px: h,
        bands,
        kind: Some(kind),
        alpha_band,
        photographic: bands >= 3,
        ..Header::default()
    };
    Ok((header, img))
}

/// Hands a decoded PNG or JPEG on as one block.
pub fn feed_image(img: &image::DynamicImage, sink: &mut dyn BlockSink) -> Result<(), RasterError> {
    let (w, h) = (img.width(), img.height());
    let block = |src_bands, samples| Block {
        at: BlockAt {
            x0: 0,
            y0: 0,
            w,
            h,
            src_bands,
            first_band: 0,
        },
        samples,
    };
    match img {
        image::DynamicImage::ImageLuma8(b) => sink.put(block(1, Samples::U8(b.as_raw()))),
        image::DynamicImage::ImageLumaA8(b) => sink.put(block(2, Samples::U8(b.as_raw()))),
        image::DynamicImage::ImageRgb8(b) => sink.put(block(3, Samples::U8(b.as_raw()))),
        image::DynamicImage::ImageRgba8(b) => sink.put(block(4, Samples::U8(b.as_raw()))),
        image::DynamicImage::ImageLuma16(b) => sink.put(block(1, Samples::U16(b.as_raw()))),
        image::DynamicImage::ImageLumaA16(b) => sink.put(block(2, Samples::U16(b.as_raw()))),
        image::DynamicImage::ImageRgb16(b) => sink.put(block(3, Samples::U16(b.as_raw()))),
        image::DynamicImage::ImageRgba16(b) => sink.put(block(4, Samples::U16(b.as_raw()))),
        _ => {}
    }
    sink.complete_rows(h)
}
