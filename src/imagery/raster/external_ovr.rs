//! External overviews: the `.ovr` file GDAL writes beside a GeoTIFF (`gdaladdo -ro`), a TIFF
//! whose images are the raster's reduced copies. A tiled file without internal overviews is
//! streamed from its `.ovr` as a cloud-optimized GeoTIFF is from its own overviews. An `.ovr`
//! that cannot be read, or whose images serve no pyramid level of the raster, is passed over
//! with a log line: the file opens as it would without one (decoded whole).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::Limits;
use super::bytes::{ByteSource, FileBytes};
use super::decode::TiffFile;
use super::stream::{LevelImage, matching_levels};

/// The external overview file of `path`, where GDAL looks for it: `path` + `.ovr` (or `.OVR`).
#[must_use]
pub fn ovr_path(path: &Path) -> Option<PathBuf> {
    ["ovr", "OVR"].into_iter().find_map(|ext| {
        let mut name = path.as_os_str().to_owned();
        name.push(".");
        name.push(ext);
        let candidate = PathBuf::from(name);
        candidate.is_file().then_some(candidate)
    })
}

/// The images of the `.ovr` beside `path` that serve pyramid levels of `full` (the raster at
/// `path`), opened on that file, by level; none when there is no `.ovr` or it is of no use.
#[must_use]
pub fn external_overviews(
    path: &Path,
    full: &TiffFile,
    limits: &Limits,
) -> Vec<(LevelImage, TiffFile)> {
    let Some(ovr) = ovr_path(path) else {
        return Vec::new();
    };
    let source: Arc<dyn ByteSource> = match FileBytes::open(&ovr) {
        Ok(file) => Arc::new(file),
        Err(e) => {
            log::warn!("{}: not read as overviews: {e}", ovr.display());
            return Vec::new();
        }
    };
    let count = TiffFile::open_source(Arc::clone(&source), 0, limits)
        .and_then(|mut first| first.image_count());
    match count {
        Ok(count) => {
            let found = matching_levels(&source, 0..count, full, limits);
            if found.is_empty() {
                log::warn!(
                    "{}: none of its images is an overview of the raster (tiled, a level's size, the same bands)",
                    ovr.display()
                );
            }
            found
        }
        Err(e) => {
            log::warn!("{}: not read as overviews: {e}", ovr.display());
            Vec::new()
        }
    }
}
