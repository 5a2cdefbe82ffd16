//! A figure's file format, named by the output's extension: PNG, JPEG (with a quality; a `.jgw`
//! world file beside it), GeoTIFF (CRS, georeference and provenance inside), SVG or PDF (vector,
//! real text; a PDF carries its georeference and provenance inside). An extension
//! this version does not write is an error before anything is rendered, never PNG bytes under
//! another name.

use std::io::Cursor;
use std::path::Path;

use super::ExportError;
use super::files::{TextChunk, encode_png};
use super::view::ExportView;
use crate::imagery::raster::GeoTransform;
use crate::imagery::raster::write::{Compression, GeoTiffSpec, Layout, write_geotiff};
use crate::render::display_list::DisplayList;

/// JPEG quality when none is asked for (1–100).
pub const DEFAULT_JPEG_QUALITY: u8 = 90;

/// The longest JPEG comment segment's text (a segment is at most 65 535 bytes with its length).
const JPEG_COMMENT_MAX: usize = 65_533;

/// How a figure's pixels are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FigureFormat {
    /// PNG, provenance in text chunks.
    Png,
    /// Baseline JPEG at a quality (1–100), provenance in a comment segment.
    Jpeg {
        /// 1–100.
        quality: u8,
    },
    /// An RGB GeoTIFF (Deflate), EPSG:3857 georeference and provenance in its tags.
    GeoTiff,
    /// An SVG document: the display list as vector paths, real text in the embedded bundled
    /// fonts and the imagery as an embedded PNG; provenance in its `<desc>`.
    Svg,
    /// A one-page PDF of the SVG document (1 px = 1 pt): vector paths, real text in subsets of
    /// the bundled fonts, the imagery lossless; georeferenced (ISO 32000 geospatial viewport)
    /// and provenance in its document information.
    Pdf,
}

impl FigureFormat {
    /// The format `path`'s extension names (case-insensitive).
    pub fn of(path: &Path, jpeg_quality: u8) -> Result<Self, ExportError> {
        let ext = path
            .extension()
            .map(|e| e.to_string_lossy().to_lowercase())
            .unwrap_or_default();
        match ext.as_str() {
            "png" => Ok(Self::Png),
            "jpg" | "jpeg" => {
                if (1..=100).contains(&jpeg_quality) {
                    Ok(Self::Jpeg {
                        quality: jpeg_quality,
                    })
                } else {
                    Err(ExportError::Format {
                        path: path.to_path_buf(),
                        why: format!("JPEG quality {jpeg_quality} is not 1–100"),
                    })
                }
            }
            "tif" | "tiff" => Ok(Self::GeoTiff),
            "svg" => Ok(Self::Svg),
            "pdf" => Ok(Self::Pdf),
            _ => Err(ExportError::Format {
                path: path.to_path_buf(),
                why: format!(
                    "{} is not a figure format Sitewatch writes: use .png, .jpg (or .jpeg), \
                     .tif (or .tiff), .svg or .pdf",
                    if ext.is_empty() {
                        "a name without an extension".to_owned()
                    } else {
                        format!(".{ext}")
                    }
                ),
            }),
        }
    }

    /// The format of a figure to be written to `path`, after checking the path can be written:
    /// what every figure export asks before it renders anything.
    pub fn for_output(path: &Path, jpeg_quality: u8) -> Result<Self, ExportError> {
        super::files::check_writable(path)?;
        Self::of(path, jpeg_quality)
    }

    /// Its name in the sidecar's `image.format`.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Png => "PNG",
            Self::Jpeg { .. } => "JPEG",
            Self::GeoTiff => "GeoTIFF",
            Self::Svg => "SVG",
            Self::Pdf => "PDF",
        }
    }

    /// Whether the georeference goes in side files (world file, `.prj`, `.aux.xml`) rather than
    /// in the image itself.
    #[must_use]
    pub fn needs_world_file(self) -> bool {
        matches!(self, Self::Png | Self::Jpeg { .. })
    }

    /// Encodes a figure (its opaque RGBA pixels, or its display list for SVG and PDF) with the
    /// provenance `text`; a GeoTIFF or a PDF is georeferenced to `view` when one is given.
    pub fn encode(
        self,
        (rgba, list): (&[u8], &DisplayList),
        size_px: [u32; 2],
        text: &[TextChunk],
        view: Option<&ExportView>,
        path: &Path,
    ) -> Result<Vec<u8>, ExportError> {
        let encode_error = |message: String| ExportError::Encode {
            message,
            path: path.to_path_buf(),
        };
        let rgb = || -> Vec<u8> {
            rgba.chunks_exact(4)
                .flat_map(|p| p.iter().take(3).copied())
                .collect()
        };
        match self {
            Self::Png => encode_png(rgba, size_px, text, path),
            Self::Svg => {
                let title = text
                    .iter()
                    .find(|(k, _)| k == "Title")
                    .map_or("", |(_, v)| v.as_str());
                Ok(crate::render::svg::document(list, title, &joined(text)).into_bytes())
            }
            Self::Pdf => super::pdf::document(list, text, &joined(text), view).map_err(|e| {
                // `Encode` keeps a message, not a source: the cause goes into it.
                match std::error::Error::source(&e) {
                    Some(cause) => encode_error(format!("{e}: {cause}")),
                    None => encode_error(e.to_string()),
                }
            }),
            Self::Jpeg { quality } => {
                let mut bytes = Vec::new();
                image::codecs::jpeg::JpegEncoder::new_with_quality(&mut bytes, quality)
                    .encode(
                        &rgb(),
                        size_px[0],
                        size_px[1],
                        image::ExtendedColorType::Rgb8,
                    )
                    .map_err(|e| encode_error(e.to_string()))?;
                Ok(with_jpeg_comment(bytes, &joined(text)))
            }
            Self::GeoTiff => {
                let mut spec = GeoTiffSpec::new(size_px[0], size_px[1], 3);
                spec.compression = Compression::Deflate;
                spec.layout = Layout::Strips { rows: 32 };
                spec.description = Some(ascii(&joined(text)));
                spec.software = Some(ascii(&super::provenance::software()));
                if let Some(view) = view {
                    let [west, _, east, north] = view.bbox_3857();
                    let px = (east - west) / f64::from(size_px[0]);
                    spec.epsg = Some((3857, false));
                    spec.transform = Some(GeoTransform::north_up(
                        geo::Coord { x: west, y: north },
                        px,
                        px,
                    ));
                }
                let mut out = Cursor::new(Vec::new());
                write_geotiff(&mut out, &spec, &rgb()).map_err(|e| encode_error(e.to_string()))?;
                Ok(out.into_inner())
            }
        }
    }
}

/// The text chunks as `Keyword: text` lines.
fn joined(text: &[TextChunk]) -> String {
    text.iter()
        .map(|(k, v)| format!("{k}: {v}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// TIFF text is 7-bit ASCII: common punctuation spelled out, other letters as `?` (the JSON
/// sidecar keeps every name whole).
fn ascii(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            c if c.is_ascii() && c != '\0' => c.to_string(),
            '—' | '–' => "-".to_owned(),
            '·' => ".".to_owned(),
            '×' => "x".to_owned(),
            '°' => " deg".to_owned(),
            '‘' | '’' => "'".to_owned(),
            '“' | '”' => "\"".to_owned(),
            '…' => "...".to_owned(),
            _ => "?".to_owned(),
        })
        .collect()
}

/// `jpeg` with a comment segment (COM) right after its start-of-image marker.
fn with_jpeg_comment(jpeg: Vec<u8>, comment: &str) -> Vec<u8> {
    let mut end = comment.len().min(JPEG_COMMENT_MAX);
    while !comment.is_char_boundary(end) {
        end -= 1;
    }
    let body = &comment.as_bytes()[..end];
    let Some(rest) = jpeg.strip_prefix(&[0xFF, 0xD8][..]) else {
        return jpeg;
    };
    let len = u16::try_from(body.len() + 2)
        .unwrap_or(u16::MAX)
        .to_be_bytes();
    let mut out = Vec::with_capacity(jpeg.len() + body.len() + 4);
    out.extend_from_slice(&[0xFF, 0xD8, 0xFF, 0xFE, len[0], len[1]]);
    out.extend_from_slice(body);
    out.extend_from_slice(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extensions_name_formats_and_others_are_refused() {
        let q = DEFAULT_JPEG_QUALITY;
        assert_eq!(
            FigureFormat::of(Path::new("a.PNG"), q).ok(),
            Some(FigureFormat::Png)
        );
        assert_eq!(
            FigureFormat::of(Path::new("a.jpeg"), 70).ok(),
            Some(FigureFormat::Jpeg { quality: 70 })
        );
        assert_eq!(
            FigureFormat::of(Path::new("a.tiff"), q).ok(),
            Some(FigureFormat::GeoTiff)
        );
        assert_eq!(
            FigureFormat::of(Path::new("a.svg"), q).ok(),
            Some(FigureFormat::Svg)
        );
        assert_eq!(
            FigureFormat::of(Path::new("a.Pdf"), q).ok(),
            Some(FigureFormat::Pdf)
        );
        for bad in ["a.webp", "a.eps", "figure"] {
            let e = FigureFormat::of(Path::new(bad), q)
                .err()
                .map(|e| e.to_string());
            assert!(
                e.as_deref().is_some_and(|e| e.contains("use .png, .jpg")),
                "{bad}: {e:?}"
            );
        }
        assert!(FigureFormat::of(Path::new("a.jpg"), 0).is_err());
    }

    #[test]
    fn tiff_text_is_plain_ascii() {
        assert_eq!(ascii("A — B · 5×5 «Туманган»"), "A - B . 5x5 ??????????");
    }

    #[test]
    fn the_jpeg_comment_sits_after_the_start_marker_and_is_cut_at_a_character() {
        let jpeg = vec![0xFF, 0xD8, 0xFF, 0xD9];
        let out = with_jpeg_comment(jpeg, "Title: Туманган");
        assert_eq!(&out[..4], &[0xFF, 0xD8, 0xFF, 0xFE]);
        let len = usize::from(u16::from_be_bytes([out[4], out[5]]));
        assert_eq!(len, "Title: Туманган".len() + 2);
        assert_eq!(&out[out.len() - 2..], &[0xFF, 0xD9]);
        let long = "я".repeat(40_000);
        let out = with_jpeg_comment(vec![0xFF, 0xD8], &long);
        let len = usize::from(u16::from_be_bytes([out[4], out[5]]));
        assert!(len - 2 <= JPEG_COMMENT_MAX && (len - 2) % 2 == 0);
    }
}
