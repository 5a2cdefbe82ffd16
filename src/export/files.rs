//! The files an export writes: the PNG (with provenance in text chunks), its world file and
//! `.prj` so GDAL and QGIS place it, and the JSON provenance sidecar with the PNG's SHA-256.
//! They are written as one set: every file to a temporary first, then all renamed into place,
//! the sidecar (which names the image's SHA-256) last, so a failure before the renames leaves
//! the previous set as it was.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use sha2::{Digest as _, Sha256};

use super::ExportError;
use super::view::ExportView;
use crate::model::io::{rename_into_place, write_atomic, write_temp_beside};

/// EPSG:3857 as GDAL writes it to a `.prj` (WKT1 with the PROJ extension), so every reader
/// takes it for Web Mercator.
pub const EPSG_3857_WKT: &str = concat!(
    r#"PROJCS["WGS 84 / Pseudo-Mercator",GEOGCS["WGS 84",DATUM["WGS_1984","#,
    r#"SPHEROID["WGS 84",6378137,298.257223563,AUTHORITY["EPSG","7030"]],"#,
    r#"AUTHORITY["EPSG","6326"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],"#,
    r#"UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AUTHORITY["EPSG","4326"]],"#,
    r#"PROJECTION["Mercator_1SP"],PARAMETER["central_meridian",0],PARAMETER["scale_factor",1],"#,
    r#"PARAMETER["false_easting",0],PARAMETER["false_northing",0],"#,
    r#"UNIT["metre",1,AUTHORITY["EPSG","9001"]],AXIS["Easting",EAST],AXIS["Northing",NORTH],"#,
    r#"EXTENSION["PROJ4","+proj=merc +a=6378137 +b=6378137 +lat_ts=0 +lon_0=0 +x_0=0 +y_0=0 "#,
    r#"+k=1 +units=m +nadgrids=@null +wktext +no_defs"],AUTHORITY["EPSG","3857"]]"#
);

/// The paths written beside an image: `out.png` → `out.pgw`, `out.prj`, `out.png.aux.xml`,
/// `out.json`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SidePaths {
    /// The world file.
    pub world_file: PathBuf,
    /// The projection, for readers that look for a `.prj`.
    pub prj: PathBuf,
    /// The projection again as a GDAL side file: GDAL's PNG and GIF readers take the CRS from
    /// there, not from a `.prj`.
    pub aux_xml: PathBuf,
    /// The provenance sidecar.
    pub sidecar: PathBuf,
}

impl SidePaths {
    /// The files beside `image` (the world file's extension follows the image's: `.pgw`, `.gfw`).
    #[must_use]
    pub fn beside(image: &Path) -> Self {
        let ext = image
            .extension()
            .map(|e| e.to_string_lossy().to_lowercase())
            .unwrap_or_default();
        let world_ext = match ext.as_str() {
            "gif" => "gfw",
            "jpg" | "jpeg" => "jgw",
            "tif" | "tiff" => "tfw",
            _ => "pgw",
        };
        let mut aux_xml = image.as_os_str().to_owned();
        aux_xml.push(".aux.xml");
        Self {
            aux_xml: PathBuf::from(aux_xml),
            world_file: image.with_extension(world_ext),
            prj: image.with_extension("prj"),
            sidecar: image.with_extension("json"),
        }
    }
}

/// A PNG text chunk: keyword and text (Latin-1 text goes in `tEXt`, anything else in `iTXt`).
pub type TextChunk = (String, String);

/// Encodes opaque RGBA pixels as an 8-bit RGB PNG with text chunks.
pub fn encode_png(
    rgba: &[u8],
    size_px: [u32; 2],
    text: &[TextChunk],
    path: &Path,
) -> Result<Vec<u8>, ExportError> {
    let encode_error = |e: png::EncodingError| ExportError::Encode {
        message: e.to_string(),
        path: path.to_path_buf(),
    };
    let mut bytes = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut bytes, size_px[0], size_px[1]);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        // Fast deflate: a 3840×2160 figure encodes in a fraction of the time for a slightly larger
        // file; the pixels are the same.
        encoder.set_compression(png::Compression::Fast);
        for (keyword, value) in text {
            if value.chars().all(|c| u32::from(c) <= 0xFF) {
                encoder.add_text_chunk(keyword.clone(), value.clone())
            } else {
                encoder.add_itxt_chunk(keyword.clone(), value.clone())
            }
            .map_err(encode_error)?;
        }
        let mut writer = encoder.write_header().map_err(encode_error)?;
        // Row by row: an RGB copy of the whole figure (25 MB at 4K) is never held.
        let mut stream = writer.stream_writer().map_err(encode_error)?;
        let width = size_px[0] as usize;
        let mut row = Vec::with_capacity(width * 3);
        for pixels in rgba.chunks_exact((width * 4).max(4)) {
            row.clear();
            row.extend(pixels.chunks_exact(4).flat_map(|p| [p[0], p[1], p[2]]));
            std::io::Write::write_all(&mut stream, &row).map_err(|e| ExportError::Encode {
                message: e.to_string(),
                path: path.to_path_buf(),
            })?;
        }
        stream.finish().map_err(encode_error)?;
        writer.finish().map_err(encode_error)?;
    }
    Ok(bytes)
}

/// The world file's text: six numbers, one a line (see [`ExportView::world_file`]).
#[must_use]
pub fn world_file_text(view: &ExportView) -> String {
    let mut text = String::new();
    for v in view.world_file() {
        let _ = writeln!(text, "{v:.10}");
    }
    text
}

/// SHA-256 of bytes, as lower-case hex.
#[must_use]
pub fn sha256_hex(bytes: &[u8]) -> String {
    let mut hex = String::with_capacity(64);
    for b in Sha256::digest(bytes) {
        let _ = write!(hex, "{b:02x}");
    }
    hex
}

/// Writes bytes atomically, naming the path in the error.
pub fn write_file(path: &Path, bytes: &[u8]) -> Result<(), ExportError> {
    write_atomic(path, bytes).map_err(|source| ExportError::Write {
        source,
        path: path.to_path_buf(),
    })
}

/// Called with each path before it is staged (tests fail one there, as a full disk would).
pub type StageHook = Box<dyn FnMut(&Path) -> std::io::Result<()> + Send>;

/// Files written all or nothing: each staged to a temporary beside its target, then all renamed
/// in the order staged by [`FileSet::commit`]. Dropped uncommitted, it removes its temporaries.
#[derive(Default)]
pub struct FileSet {
    /// (temporary, real target, path as given) in the order staged.
    staged: Vec<(PathBuf, PathBuf, PathBuf)>,
    hook: Option<StageHook>,
}

impl FileSet {
    /// An empty set.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty set that calls `hook` before staging each file.
    #[must_use]
    pub fn with_hook(hook: StageHook) -> Self {
        Self {
            staged: Vec::new(),
            hook: Some(hook),
        }
    }

    /// Writes `bytes` to a temporary beside `path`; nothing is replaced yet.
    pub fn stage(&mut self, path: &Path, bytes: &[u8]) -> Result<(), ExportError> {
        let error = |source| ExportError::Write {
            source,
            path: path.to_path_buf(),
        };
        if let Some(hook) = &mut self.hook {
            hook(path).map_err(error)?;
        }
        let (tmp, target) = write_temp_beside(path, bytes).map_err(error)?;
        self.staged.push((tmp, target, path.to_path_buf()));
        Ok(())
    }

    /// Renames every staged file into place, in the order staged (stage the sidecar last).
    pub fn commit(mut self) -> Result<(), ExportError> {
        while !self.staged.is_empty() {
            let (tmp, target, path) = self.staged.remove(0);
            if let Err(source) = rename_into_place(&tmp, &target) {
                let _ = std::fs::remove_file(&tmp);
                return Err(ExportError::Write { source, path });
            }
        }
        Ok(())
    }
}

impl Drop for FileSet {
    fn drop(&mut self) {
        for (tmp, _, _) in &self.staged {
            let _ = std::fs::remove_file(tmp);
        }
    }
}

/// Refuses early (before any rendering) an output path whose folder does not exist or that is
/// itself a folder.
pub fn check_writable(path: &Path) -> Result<(), ExportError> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let not_writable = |message: &str| ExportError::Write {
        source: std::io::Error::other(message.to_owned()),
        path: path.to_path_buf(),
    };
    if path.is_dir() {
        return Err(not_writable("it is a folder"));
    }
    if !dir.is_dir() {
        return Err(not_writable("its folder does not exist"));
    }
    Ok(())
}

/// The GDAL side file that names the CRS (what GDAL itself writes for a PNG).
#[must_use]
pub fn aux_xml_text() -> String {
    format!(
        "<PAMDataset>\n  <SRS dataAxisToSRSAxisMapping=\"1,2\">{EPSG_3857_WKT}</SRS>\n</PAMDataset>\n"
    )
}

/// Stages the georeferencing beside an image: world file, `.prj` and GDAL's `.aux.xml`.
pub fn stage_georeference(
    set: &mut FileSet,
    view: &ExportView,
    paths: &SidePaths,
) -> Result<(), ExportError> {
    set.stage(&paths.world_file, world_file_text(view).as_bytes())?;
    set.stage(&paths.prj, EPSG_3857_WKT.as_bytes())?;
    set.stage(&paths.aux_xml, aux_xml_text().as_bytes())
}

/// Removes side files a new figure does not have (a panels figure's or a GeoTIFF's stale world
/// file, `.prj` and `.aux.xml`), so no reader places the new image by an old one's numbers.
pub fn remove_stale(paths: &[&Path]) -> Result<(), ExportError> {
    for stale in paths {
        if stale.exists() {
            std::fs::remove_file(stale).map_err(|source| ExportError::Write {
                source,
                path: stale.to_path_buf(),
            })?;
        }
    }
    Ok(())
}

/// Reads a world file back: the six numbers, or `None` when it is not one.
pub fn parse_world_file(text: &str) -> Option<[f64; 6]> {
    let numbers: Vec<f64> = text
        .split_whitespace()
        .map(str::parse)
        .collect::<Result<_, _>>()
        .ok()?;
    numbers.try_into().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::Coord;

    fn old_set(dir: &Path) -> (PathBuf, SidePaths) {
        let png = dir.join("out.png");
        let side = SidePaths::beside(&png);
        for path in [&png, &side.world_file, &side.prj, &side.sidecar] {
            std::fs::write(path, b"old").unwrap();
        }
        (png, side)
    }

    fn contents(paths: &[&Path]) -> Vec<String> {
        paths
            .iter()
            .map(|p| std::fs::read_to_string(p).unwrap())
            .collect()
    }

    fn temps(dir: &Path) -> usize {
        std::fs::read_dir(dir)
            .unwrap()
            .flatten()
            .filter(|e| e.path().extension().is_some_and(|x| x == "tmp"))
            .count()
    }

    #[test]
    fn a_failure_before_the_renames_leaves_the_previous_set_intact() {
        let dir = tempfile::tempdir().unwrap();
        let (png, side) = old_set(dir.path());
        let sidecar = side.sidecar.clone();
        let mut set = FileSet::with_hook(Box::new(move |path: &Path| {
            if path == sidecar {
                Err(std::io::Error::other("disk full"))
            } else {
                Ok(())
            }
        }));
        set.stage(&png, b"new").unwrap();
        set.stage(&side.world_file, b"new").unwrap();
        set.stage(&side.prj, b"new").unwrap();
        assert!(set.stage(&side.sidecar, b"new").is_err());
        drop(set);
        assert_eq!(
            contents(&[&png, &side.world_file, &side.prj, &side.sidecar]),
            vec!["old"; 4]
        );
        assert_eq!(temps(dir.path()), 0, "no temporaries left behind");
    }

    #[test]
    fn a_committed_set_replaces_every_file_and_leaves_no_temporaries() {
        let dir = tempfile::tempdir().unwrap();
        let (png, side) = old_set(dir.path());
        let mut set = FileSet::new();
        for path in [&png, &side.world_file, &side.prj, &side.sidecar] {
            set.stage(path, b"new").unwrap();
        }
        assert_eq!(
            contents(&[&png]),
            vec!["old"],
            "nothing replaced before commit"
        );
        set.commit().unwrap();
        assert_eq!(
            contents(&[&png, &side.world_file, &side.prj, &side.sidecar]),
            vec!["new"; 4]
        );
        assert_eq!(temps(dir.path()), 0);
    }

    #[test]
    fn side_files_share_the_image_name() {
        let p = SidePaths::beside(Path::new("/tmp/out.png"));
        assert_eq!(p.world_file, Path::new("/tmp/out.pgw"));
        assert_eq!(p.prj, Path::new("/tmp/out.prj"));
        assert_eq!(p.sidecar, Path::new("/tmp/out.json"));
        assert_eq!(p.aux_xml, Path::new("/tmp/out.png.aux.xml"));
        assert_eq!(
            SidePaths::beside(Path::new("a/t.gif")).world_file,
            Path::new("a/t.gfw")
        );
    }

    #[test]
    fn a_world_file_reads_back_to_the_same_numbers() {
        let view = ExportView::new(
            Coord {
                x: 130.64,
                y: 42.42,
            },
            16.2,
            [800, 600],
        )
        .unwrap();
        let back = parse_world_file(&world_file_text(&view)).unwrap();
        for (a, b) in back.iter().zip(view.world_file()) {
            assert!((a - b).abs() < 1e-6, "{a} {b}");
        }
        assert!(parse_world_file("1\n2\n3\n").is_none());
        assert!(parse_world_file("a b c d e f").is_none());
    }

    #[test]
    fn the_sha256_of_abc_is_the_published_one() {
        // FIPS 180-2, appendix B.1.
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn png_text_chunks_survive_a_round_trip() {
        let rgba = vec![255u8; 4 * 4 * 3];
        let text = vec![
            ("Software".to_owned(), "Sitewatch 0.1.0".to_owned()),
            ("Title".to_owned(), "Tumen River — 14 OCT 2025".to_owned()),
        ];
        let bytes = encode_png(&rgba, [4, 3], &text, Path::new("t.png")).unwrap();
        let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
        let reader = decoder.read_info().unwrap();
        let info = reader.info();
        assert_eq!((info.width, info.height), (4, 3));
        assert_eq!(info.uncompressed_latin1_text[0].text, "Sitewatch 0.1.0");
        let itxt = &info.utf8_text[0];
        assert_eq!(itxt.keyword, "Title");
        assert_eq!(itxt.get_text().unwrap(), "Tumen River — 14 OCT 2025");
    }

    #[test]
    fn a_missing_folder_is_refused_before_rendering() {
        let err = check_writable(Path::new("/no/such/folder/out.png")).unwrap_err();
        assert!(
            err.to_string().ends_with("/no/such/folder/out.png"),
            "{err}"
        );
        assert!(check_writable(Path::new("out.png")).is_ok());
    }
}
