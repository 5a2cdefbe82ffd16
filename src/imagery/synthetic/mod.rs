//! Synthetic demo imagery: plausible top-down scenes of a project's site, one per date, drawn
//! from the project's own annotations at that date (so imagery and annotations agree), written
//! as `GeoTIFF` files in UTM.
//!
//! No package ships imagery of the Tumen crossing, so the default project shows these, marked
//! everywhere as `SYNTHETIC IMAGERY — not an observation`. Everything is deterministic: the same
//! project, dates, resolution and seed give the same bytes. Regenerate with
//! `cargo run --release --example gen_synthetic -- --out assets/imagery`.

mod geotiff;
mod grid;
mod landscape;
mod noise;
mod structures;

use std::path::{Path, PathBuf};

use serde_json::Map;

pub use geotiff::{GeoTiffMeta, write_geotiff};
pub use grid::UtmGrid;
pub use landscape::Season;

use crate::model::SYNTHETIC_CREDIT;
use crate::model::{DateKind, FuzzyDate, ImageryLayer, LayerSource, Project};
use landscape::{Landscape, Palette};
use structures::Structures;

/// The track synthetic layers belong to.
pub const TRACK: &str = "Synthetic demo";

/// The dates of the default project's demo scenes: a pre-construction summer, then each stage
/// that reports imagery (the platform, the abutment footings, the checkpoint walls, both sides in
/// the river, the halves meeting — the last known only to the month).
pub const DEMO_DATES: [&str; 6] = [
    "2024-06-10",
    "2025-02-27",
    "2025-06-02",
    "2025-07-05",
    "2025-10-14",
    "2026-03",
];

/// Ground resolution of the demo scenes.
pub const DEFAULT_PIXEL_M: f64 = 3.0;

/// Seed of the demo scenes' texture.
pub const DEFAULT_SEED: u64 = 0x5349_5445_5741_5443;

/// Largest image edge rendered, in pixels: a guard against a huge home view.
const MAX_EDGE_PX: u32 = 8192;

/// Why a scene could not be made. The file or project comes last.
#[derive(Debug, thiserror::Error)]
pub enum SyntheticError {
    /// The home view is not somewhere UTM can take it.
    #[error("the home view cannot be laid out in UTM zone {zone}: {project}")]
    NoGrid {
        /// The zone tried.
        zone: u8,
        /// Project name.
        project: String,
    },
    /// The image would be too large.
    #[error(
        "the home view at {pixel_m} m/px is {width}×{height} px, over {MAX_EDGE_PX} px: {project}"
    )]
    TooLarge {
        /// Resolution asked for.
        pixel_m: f64,
        /// Columns.
        width: u32,
        /// Rows.
        height: u32,
        /// Project name.
        project: String,
    },
    /// The `GeoTIFF` could not be encoded or written.
    #[error("cannot write the GeoTIFF: {path}")]
    Tiff {
        /// The encoder's error.
        #[source]
        source: tiff::TiffError,
        /// The file.
        path: PathBuf,
    },
    /// The file or folder could not be created.
    #[error("cannot write: {path}")]
    Io {
        /// The OS error.
        #[source]
        source: std::io::Error,
        /// The file or folder.
        path: PathBuf,
    },
}

/// A rendered scene: RGB bytes, rows top down, on its grid.
#[derive(Clone, Debug)]
pub struct Rendered {
    /// Where the pixels are.
    pub grid: UtmGrid,
    /// `grid.width × grid.height × 3` bytes.
    pub rgb: Vec<u8>,
}

/// The UTM zone of a longitude (the standard 6° zones; no Norway or Svalbard exceptions).
#[must_use]
pub fn utm_zone_of(lon: f64) -> u8 {
    (((lon + 180.0) / 6.0).floor() as i64 + 1).clamp(1, 60) as u8
}

/// The file name of the scene for `date`: `2025-10-14.tif`, `2026-03.tif`.
#[must_use]
pub fn file_name(date: FuzzyDate) -> String {
    format!("{}.tif", date.to_string().replace(' ', "-"))
}

/// Renders the scene of `project`'s home view at `date` (the first day of its period), at
/// `pixel_m` metres a pixel.
pub fn render(
    project: &Project,
    date: &FuzzyDate,
    pixel_m: f64,
    seed: u64,
) -> Result<Rendered, SyntheticError> {
    let zone = utm_zone_of(project.home.center().x);
    let grid = UtmGrid::covering(&project.home, zone, pixel_m, 30.0)
        .filter(|g| g.width > 0 && g.height > 0)
        .ok_or_else(|| SyntheticError::NoGrid {
            zone,
            project: project.name.clone(),
        })?;
    if grid.width > MAX_EDGE_PX || grid.height > MAX_EDGE_PX {
        return Err(SyntheticError::TooLarge {
            pixel_m,
            width: grid.width,
            height: grid.height,
            project: project.name.clone(),
        });
    }
    let Some(mut canvas) = grid::Canvas::new(grid) else {
        return Err(SyntheticError::NoGrid {
            zone,
            project: project.name.clone(),
        });
    };
    let day = date.key();
    let palette = Palette::of(Season::of(day));
    let land = Landscape::new(&grid, seed);
    land.paint_ground(&mut canvas, &palette);
    land.paint_features(&mut canvas, &palette);
    Structures::new(project, &land, palette, day, seed).paint(&mut canvas);

    // A little sensor grain, the same in all three bands so it costs little to compress.
    let mut rgb = Vec::with_capacity(grid.width as usize * grid.height as usize * 3);
    for (index, pixel) in canvas.pixmap.pixels().iter().enumerate() {
        let grain = (noise::hash(seed ^ 0x0067_7261_696e, index as i64, 0) % 5) as i16 - 2;
        for channel in [pixel.red(), pixel.green(), pixel.blue()] {
            rgb.push((i16::from(channel) + grain).clamp(0, 255) as u8);
        }
    }
    Ok(Rendered { grid, rgb })
}

/// The TIFF tags of a synthetic scene: `DateTime` is the first day of the date's period.
fn meta(project: &Project, date: FuzzyDate) -> GeoTiffMeta {
    GeoTiffMeta {
        datetime: date.key().format("%Y:%m:%d 00:00:00").to_string(),
        description: format!(
            "SYNTHETIC IMAGERY - not an observation. Sitewatch demo scene of '{}' for {date} \
             (date known to that precision; DateTime holds its first day), drawn from the \
             project's annotations at that date.",
            project.name.replace(|c: char| !c.is_ascii(), "-")
        ),
        software: format!(
            "sitewatch {} synthetic generator",
            env!("CARGO_PKG_VERSION")
        ),
    }
}

/// Writes `rendered` as a `GeoTIFF` at `path` (through a temporary file, so a failed write leaves
/// no half file); returns its size in bytes.
pub fn write(
    project: &Project,
    date: &FuzzyDate,
    rendered: &Rendered,
    path: &Path,
) -> Result<u64, SyntheticError> {
    let io = |source: std::io::Error| SyntheticError::Io {
        source,
        path: path.to_path_buf(),
    };
    let mut bytes = std::io::Cursor::new(Vec::new());
    write_geotiff(
        &mut bytes,
        &rendered.rgb,
        &rendered.grid,
        &meta(project, *date),
    )
    .map_err(|source| SyntheticError::Tiff {
        source,
        path: path.to_path_buf(),
    })?;
    let bytes = bytes.into_inner();
    crate::model::io::write_atomic(path, &bytes).map_err(io)?;
    Ok(bytes.len() as u64)
}

/// One generated file.
#[derive(Clone, Debug, PartialEq)]
pub struct Generated {
    /// The scene's date.
    pub date: FuzzyDate,
    /// Where it was written.
    pub path: PathBuf,
    /// Its size in bytes.
    pub bytes: u64,
    /// Its pixel size.
    pub size_px: (u32, u32),
}

/// Renders and writes one scene per date into `out_dir` (created if missing).
pub fn generate(
    project: &Project,
    dates: &[FuzzyDate],
    out_dir: &Path,
    pixel_m: f64,
    seed: u64,
) -> Result<Vec<Generated>, SyntheticError> {
    std::fs::create_dir_all(out_dir).map_err(|source| SyntheticError::Io {
        source,
        path: out_dir.to_path_buf(),
    })?;
    dates
        .iter()
        .map(|date| {
            let rendered = render(project, date, pixel_m, seed)?;
            let path = out_dir.join(file_name(*date));
            let bytes = write(project, date, &rendered, &path)?;
            Ok(Generated {
                date: *date,
                path,
                bytes,
                size_px: (rendered.grid.width, rendered.grid.height),
            })
        })
        .collect()
}

/// The project layer for a synthetic scene at `path` (relative to the project file's folder).
#[must_use]
pub fn layer(date: FuzzyDate, path: &str) -> ImageryLayer {
    ImageryLayer {
        id: format!("synthetic-{}", date.to_string().replace(' ', "-")),
        name: format!("Synthetic scene, {}", date.display_upper()),
        date: Some(date),
        date_kind: DateKind::Acquisition,
        note: "Generated by Sitewatch from this project's own annotations at this date, to \
               demonstrate the app offline. Not an observation: never cite it."
            .to_owned(),
        track: TRACK.to_owned(),
        attribution: SYNTHETIC_CREDIT.to_owned(),
        synthetic: true,
        opacity: 1.0,
        visible: true,
        source: LayerSource::File {
            path: path.to_owned(),
        },
        display: None,
        offset_m: None,
        extra: Map::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tumen_crossing_is_in_utm_zone_52() {
        assert_eq!(utm_zone_of(130.64), 52);
        assert_eq!(utm_zone_of(-180.0), 1);
        assert_eq!(utm_zone_of(179.99), 60);
    }

    #[test]
    fn file_names_keep_the_dates_precision() {
        let name = |t: &str| file_name(t.parse().unwrap());
        assert_eq!(name("2025-10-14"), "2025-10-14.tif");
        assert_eq!(name("2026-03"), "2026-03.tif");
        assert_eq!(name("summer 2024"), "summer-2024.tif");
    }

    #[test]
    fn a_synthetic_layer_is_marked_everywhere() {
        let layer = layer("2026-03".parse().unwrap(), "imagery/2026-03.tif");
        assert!(layer.synthetic);
        assert_eq!(layer.attribution, SYNTHETIC_CREDIT);
        assert_eq!(layer.track, TRACK);
        assert_eq!(layer.id, "synthetic-2026-03");
        assert_eq!(layer.date_label().as_deref(), Some("MAR 2026"));
        assert_eq!(layer.file_path(), Some("imagery/2026-03.tif"));
    }
}
