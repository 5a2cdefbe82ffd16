//! Regenerates the synthetic demo imagery of the default project:
//!
//! ```sh
//! cargo run --release --example gen_synthetic -- --out assets/imagery
//! ```
//!
//! Options: `--project FILE` (default: the embedded default project), `--pixel-m 3`,
//! `--seed N`, `--date 2025-10-14` (repeatable; default: the demo dates), `--preview DIR` (also
//! writes a PNG of each scene, for looking at). Prints each file's size.

use std::path::PathBuf;

use anyhow::{Context as _, Result};
use clap::Parser;

use sitewatch::imagery::synthetic::{self, DEFAULT_PIXEL_M, DEFAULT_SEED, DEMO_DATES};
use sitewatch::model::FuzzyDate;
use sitewatch::model::default_project::load_default_project;
use sitewatch::model::io::load;

/// Writes synthetic `GeoTIFF` files (UTM, Deflate) of a project's site, one per date.
#[derive(Parser, Debug)]
struct Args {
    /// Folder to write into.
    #[arg(long, default_value = "assets/imagery")]
    out: PathBuf,
    /// Project file; default: the embedded default project.
    #[arg(long)]
    project: Option<PathBuf>,
    /// Metres per pixel.
    #[arg(long, default_value_t = DEFAULT_PIXEL_M)]
    pixel_m: f64,
    /// Texture seed.
    #[arg(long, default_value_t = DEFAULT_SEED)]
    seed: u64,
    /// Scene dates (2025-10-14, 2026-03 …); default: the demo dates.
    #[arg(long = "date")]
    dates: Vec<String>,
    /// Also write PNG previews here.
    #[arg(long)]
    preview: Option<PathBuf>,
}

fn main() -> Result<()> {
    let args = Args::parse();
    let loaded = match &args.project {
        Some(path) => load(path)?,
        None => load_default_project()?,
    };
    let project = loaded.project;
    let texts: Vec<String> = if args.dates.is_empty() {
        DEMO_DATES.iter().map(|d| (*d).to_owned()).collect()
    } else {
        args.dates.clone()
    };
    let dates = texts
        .iter()
        .map(|t| {
            t.parse::<FuzzyDate>()
                .with_context(|| format!("--date {t}"))
        })
        .collect::<Result<Vec<_>>>()?;
    let generated = synthetic::generate(&project, &dates, &args.out, args.pixel_m, args.seed)?;
    let mut total = 0;
    for file in &generated {
        total += file.bytes;
        println!(
            "{}  {}×{} px  {:.2} MB",
            file.path.display(),
            file.size_px.0,
            file.size_px.1,
            file.bytes as f64 / 1e6
        );
    }
    println!("total {:.2} MB", total as f64 / 1e6);
    if let Some(dir) = &args.preview {
        std::fs::create_dir_all(dir)?;
        for date in &dates {
            let rendered = synthetic::render(&project, date, args.pixel_m, args.seed)?;
            let image =
                image::RgbImage::from_raw(rendered.grid.width, rendered.grid.height, rendered.rgb)
                    .context("image size")?;
            let path = dir.join(synthetic::file_name(*date).replace(".tif", ".png"));
            image
                .save(&path)
                .with_context(|| path.display().to_string())?;
            println!("preview {}", path.display());
        }
    }
    Ok(())
}
