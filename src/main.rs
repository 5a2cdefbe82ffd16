//! Command line: `sitewatch [PROJECT]` opens the window; `sitewatch export PROJECT …` renders
//! annotated snapshots headless.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{Context as _, Result, anyhow, bail};
use chrono::NaiveDate;
use clap::{Parser, Subcommand, ValueEnum};

use sitewatch::app::files::{StartProject, start_project};
use sitewatch::app::{AppOptions, SitewatchApp};
use sitewatch::export::sources::ProjectLayerSources;
use sitewatch::export::stage_view::kept_export;
use sitewatch::export::{self, ExportOptions, ViewChoice, args as export_args};
use sitewatch::imagery::basemap::Basemap;
use sitewatch::imagery::raster::CompareStretch;
use sitewatch::model::FuzzyDate;
use sitewatch::model::default_project::project_base_dir;
use sitewatch::model::default_project::{load_default_project, load_project_arg};
use sitewatch::model::io::load;
use sitewatch::screenshot::{Outcome, ScreenshotJob};

/// Sitewatch: watch a construction site change through dated imagery.
#[derive(Parser, Debug)]
#[command(
    name = "sitewatch",
    version,
    about,
    args_conflicts_with_subcommands = true
)]
struct Cli {
    /// Headless work instead of the window.
    #[command(subcommand)]
    command: Option<Command>,

    /// Project file (GeoJSON FeatureCollection with a "sitewatch" member). Without one, the
    /// embedded default project (the Tumen River road crossing) opens.
    project: Option<PathBuf>,

    /// Date to open at: 2025-10-14, 2025-05, late 2025-05, summer 2026 or 2026 (the first day of
    /// the period is used). Default: the latest stage.
    #[arg(long)]
    date: Option<String>,

    /// Save the window to this PNG once no tile or decode work is pending, then exit.
    #[arg(long, value_name = "PNG")]
    screenshot: Option<PathBuf>,

    /// Seconds to wait for pending work before a screenshot run fails.
    #[arg(long, default_value_t = 60, value_name = "SECONDS")]
    screenshot_timeout: u64,

    /// Window size in pixels, WIDTHxHEIGHT.
    #[arg(long, default_value = "1600x1000")]
    size: String,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Render an annotated figure (PNG + world file, .prj and provenance JSON), one PNG per
    /// stage, or a timelapse GIF, with no window and no GPU.
    Export(Box<ExportArgs>),
    /// Find what changed between the layers shown at two dates on one track: candidate
    /// polygons with area, score and class, written as GeoJSON.
    Changes(sitewatch::analysis::change::cli::ChangesArgs),
    /// List the project's tracked measures (reported figures, and lengths, areas and counts
    /// measured on its annotations), or write them as CSV.
    Measures(sitewatch::analysis::measures_cli::MeasuresArgs),
}

/// `sitewatch export PROJECT --out out.png …`
#[derive(clap::Args, Debug)]
#[command(group(clap::ArgGroup::new("output").required(true).multiple(true)
    .args(["out", "all_stages", "gif", "video"])))]
struct ExportArgs {
    /// Project file, or `default` for the embedded project.
    project: String,

    /// Date shown in the PNG (2025-10-14, late 2025-05, 2026 …). Default: the latest stage.
    #[arg(long)]
    date: Option<String>,

    /// Width and height in pixels (e.g. 3840x2160, at most 8192 a side), or a preset: master
    /// (1920x1080), print (3840x2160), article (1600x900), social (1200x675), link-preview
    /// (1200x630), square (1080x1080), portrait (1080x1350).
    /// Default 1920x1080, or the size a --stage-view kept.
    #[arg(long)]
    size: Option<String>,

    /// Write the figure to this file: .png (with .pgw, .prj and .json beside it), .jpg (with
    /// .jgw, .prj, .json) or .tif (a GeoTIFF: CRS and georeference inside, .json beside it).
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,

    /// Quality of a .jpg figure, 1–100.
    #[arg(long, value_name = "1-100", default_value_t = sitewatch::export::format::DEFAULT_JPEG_QUALITY)]
    jpeg_quality: u8,

    /// Write one PNG per stage into this folder.
    #[arg(long, value_name = "DIR")]
    all_stages: Option<PathBuf>,

    /// Write a timelapse GIF, one frame per stage.
    #[arg(long, value_name = "GIF")]
    gif: Option<PathBuf>,

    /// Write a timelapse video (MP4, H.264, +faststart), one stage per --frame-seconds; needs
    /// ffmpeg (or `SITEWATCH_FFMPEG` naming one). The size is rounded down to even, at most
    /// 3840x2160; the presets social (16:9), portrait (4:5) and square (1:1) fit social media.
    #[arg(long, value_name = "MP4")]
    video: Option<PathBuf>,

    /// Seconds each stage shows in the video.
    #[arg(long, value_name = "SECONDS", default_value_t = 1.0)]
    frame_seconds: f64,

    /// Seconds the video holds the last stage.
    #[arg(long, value_name = "SECONDS", default_value_t = 3.0)]
    hold_seconds: f64,

    /// Seconds each stage of the video fades in from the one before (0: a cut).
    #[arg(long, value_name = "SECONDS", default_value_t = 0.0)]
    crossfade: f64,

    /// Frames a second of the video.
    #[arg(long, default_value_t = 30)]
    fps: u32,

    /// View centre (default: the project's home view); needs --zoom.
    #[arg(
        long,
        value_name = "LAT,LON",
        allow_hyphen_values = true,
        requires = "zoom",
        conflicts_with = "bbox"
    )]
    center: Option<String>,

    /// Zoom level (fractional, 0–22); needs --center.
    #[arg(long, requires = "center")]
    zoom: Option<f64>,

    /// View box that fills the image.
    #[arg(long, value_name = "W,S,E,N", allow_hyphen_values = true)]
    bbox: Option<String>,

    /// Basemap under the annotations (default: offline, or the one a --stage-view kept).
    #[arg(long, value_enum)]
    basemap: Option<BasemapArg>,

    /// Leave out the north arrow.
    #[arg(long)]
    no_north_arrow: bool,

    /// Draw a lat/lon grid.
    #[arg(long)]
    grid: bool,

    /// Put a title above the date: the project's name, or the text given.
    #[arg(long, value_name = "TEXT", num_args = 0..=1, default_missing_value = "")]
    title: Option<String>,

    /// Label language: `ko`, `ru` … (each annotation's `name:LANG`), overriding the project's
    /// setting; annotations without that name keep their romanised label.
    #[arg(long, value_name = "LANG")]
    lang: Option<String>,

    /// Seconds every tile of an online layer must come within (at most 2 connections a server).
    #[arg(long, value_name = "SECONDS", default_value_t = 30.0)]
    tile_deadline: f64,

    /// Write a swipe figure of two dates to --out instead: D1 left of the divider, D2 right.
    #[arg(long, value_name = "D1,D2", requires = "out", conflicts_with = "date")]
    swipe: Option<String>,

    /// Write a before/after figure to --out instead: one panel per date (2 to 12) over the same
    /// view, lettered A, B …; --size is the whole figure. No world file (the panels share a
    /// view, not a georeference); the sidecar gives each panel's box.
    #[arg(long, value_name = "D1,D2[,…]", requires = "out", conflicts_with_all = ["date", "swipe"])]
    panels: Option<String>,

    /// Where the swipe's divider is, as a fraction of the width (0–1).
    #[arg(
        long,
        value_name = "FRACTION",
        default_value_t = 0.5,
        requires = "swipe"
    )]
    divider: f32,

    /// How a swipe or panels figure stretches its dates' rasters: `shared` (one stretch over
    /// all their samples), `matched` (later dates histogram-matched to the first) or `own`.
    #[arg(long, value_name = "own|shared|matched", default_value = "shared")]
    compare_stretch: String,

    /// Show only this layer (by id) on the swipe's left side (D1) instead of every layer there.
    #[arg(long, value_name = "LAYER_ID", requires = "swipe")]
    layer_a: Option<String>,

    /// Show only this layer (by id) on the swipe's right side (D2).
    #[arg(long, value_name = "LAYER_ID", requires = "swipe")]
    layer_b: Option<String>,

    /// Make the figure a stage was published with again: the stage dated DATE, with the box,
    /// layers, label language, basemap and figure options kept with it (Keep view in the
    /// window). Other options given override the kept ones.
    #[arg(long, value_name = "DATE", requires = "out",
        conflicts_with_all = ["date", "center", "bbox", "swipe", "panels"])]
    stage_view: Option<String>,
}

/// `--basemap` choices.
#[derive(Clone, Copy, Debug, ValueEnum)]
enum BasemapArg {
    /// Bundled Natural Earth relief and borders (no network).
    Offline,
    /// OpenStreetMap tiles (online).
    Osm,
    /// Esri World Imagery (online).
    Esri,
}

fn run_export(args: ExportArgs) -> Result<ExitCode> {
    let loaded = load_project_arg(&args.project)?;
    let kept = match args.stage_view.as_deref() {
        Some(text) => {
            let kept = kept_export(&loaded.project, parse_date(text)?)?;
            if !kept.missing_layers.is_empty() {
                eprintln!(
                    "warning: the kept view showed layers this project no longer has: {}",
                    kept.missing_layers.join(", ")
                );
            }
            Some(kept)
        }
        None => None,
    };
    let project = kept.as_ref().map_or(&loaded.project, |k| &k.project);
    let figure = kept.as_ref().map(|k| &k.figure);
    let size_px = match (&args.size, figure) {
        (Some(text), _) => export_args::parse_size(text)?,
        (None, Some(f)) => f.size_px,
        (None, None) => export_args::parse_size("1920x1080")?,
    };
    let date = match (args.date.as_deref(), &kept) {
        (Some(text), _) => parse_date(text)?,
        (None, Some(k)) => k.date,
        (None, None) => export::stage_dates(project)
            .last()
            .copied()
            .unwrap_or_else(|| chrono::Utc::now().date_naive()),
    };
    let view = match (&args.center, args.zoom, &args.bbox, &kept) {
        (Some(center), Some(zoom), None, _) => ViewChoice::Center {
            center_lonlat: export_args::parse_center(center)?,
            zoom,
        },
        (None, None, Some(bbox), _) => ViewChoice::BBox(export_args::parse_bbox(bbox)?),
        (None, None, None, Some(k)) => k.view,
        (None, None, None, None) => ViewChoice::Home,
        _ => bail!("use either --center with --zoom, or --bbox, not both"),
    };
    let kept_title = figure.map(|f| f.title.clone()).filter(|t| !t.is_empty());
    let options = ExportOptions {
        size_px,
        view,
        basemap: match args.basemap {
            Some(BasemapArg::Offline) => Basemap::Offline,
            Some(BasemapArg::Osm) => Basemap::OpenStreetMap,
            Some(BasemapArg::Esri) => Basemap::EsriWorldImagery,
            None => kept.as_ref().and_then(|k| k.basemap).unwrap_or_default(),
        },
        north_arrow: !args.no_north_arrow && figure.is_none_or(|f| f.north_arrow),
        grid: args.grid || figure.is_some_and(|f| f.grid),
        title: args
            .title
            .map(|t| {
                if t.is_empty() {
                    project.name.clone()
                } else {
                    t
                }
            })
            .or(kept_title),
        label_language: args.lang.clone(),
        jpeg_quality: args.jpeg_quality,
        tile_deadline: std::time::Duration::try_from_secs_f64(args.tile_deadline)
            .map_err(|_| anyhow::anyhow!("--tile-deadline must be a positive number of seconds"))?,
        project_file: (args.project != "default").then(|| PathBuf::from(&args.project)),
        imagery: Some(Arc::new(ProjectLayerSources::new(project_base_dir(
            (args.project != "default").then(|| Path::new(&args.project)),
        )))),
        compare_stretch: CompareStretch::parse(&args.compare_stretch).ok_or_else(|| {
            anyhow::anyhow!(
                "--compare-stretch must be own, shared or matched: {}",
                args.compare_stretch
            )
        })?,
        side_layers: [args.layer_a.clone(), args.layer_b.clone()],
        ..ExportOptions::default()
    };
    for id in options.side_layers.iter().flatten() {
        if !project.layers.iter().any(|l| &l.id == id) {
            let ids: Vec<&str> = project.layers.iter().map(|l| l.id.as_str()).collect();
            bail!(
                "no layer '{id}' in the project (layers: {})",
                ids.join(", ")
            );
        }
    }
    let quiet = |_: usize, _: usize| true;
    let swipe = args.swipe.as_deref().map(parse_date_pair).transpose()?;
    if !(0.0..=1.0).contains(&args.divider) {
        bail!("--divider {} must be between 0 and 1", args.divider);
    }
    let panels = args.panels.as_deref().map(parse_dates).transpose()?;
    if let (Some(out), Some(dates)) = (&args.out, panels) {
        let written = export::export_panels_png(project, &dates, &options, out, &quiet)?;
        eprintln!(
            "wrote {} (+ {}; no world file: the panels share a view), sha256 {}",
            written.png.display(),
            written.sidecar.display(),
            written.sha256
        );
    } else if let Some(out) = &args.out {
        let written = match swipe {
            Some(dates) => {
                export::export_swipe_png(project, dates, args.divider, &options, out, &quiet)?
            }
            None => export::export_png(project, date, &options, out, &quiet)?,
        };
        let side = &written.side;
        let beside: Vec<String> = [&side.world_file, &side.prj, &side.sidecar]
            .into_iter()
            .filter(|p| p.exists())
            .map(|p| p.display().to_string())
            .collect();
        eprintln!(
            "wrote {} (+ {}), sha256 {}",
            written.png.display(),
            beside.join(", "),
            written.sha256
        );
    }
    if let Some(dir) = &args.all_stages {
        let written = export::export_all_stages(project, &options, dir, &quiet)?;
        eprintln!("wrote {} stage figures in {}", written.len(), dir.display());
    }
    if let Some(mp4) = &args.video {
        let timing = export::video::Timing {
            frame_s: args.frame_seconds,
            hold_s: args.hold_seconds,
            crossfade_s: args.crossfade,
            fps: args.fps,
        };
        let written = export::export_video(project, &options, timing, mp4, &quiet)?;
        eprintln!(
            "wrote {} ({} stages, + {}), sha256 {}",
            written.gif.display(),
            written.dates.len(),
            written.side.sidecar.display(),
            written.sha256
        );
    }
    if let Some(gif) = &args.gif {
        let written = export::export_gif(project, &options, gif, &quiet)?;
        eprintln!(
            "wrote {} ({} frames), sha256 {}",
            written.gif.display(),
            written.dates.len(),
            written.sha256
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn parse_size(text: &str) -> Result<[f32; 2]> {
    let (w, h) = text
        .split_once('x')
        .ok_or_else(|| anyhow!("--size '{text}' is not WIDTHxHEIGHT, e.g. 1600x1000"))?;
    let w: u32 = w
        .trim()
        .parse()
        .with_context(|| format!("--size '{text}': bad width"))?;
    let h: u32 = h
        .trim()
        .parse()
        .with_context(|| format!("--size '{text}': bad height"))?;
    if !(200..=8192).contains(&w) || !(200..=8192).contains(&h) {
        bail!("--size '{text}' must be between 200x200 and 8192x8192");
    }
    Ok([w as f32, h as f32])
}

/// `D1,D2[,…]`: dates, each as `--date` reads one.
fn parse_dates(text: &str) -> Result<Vec<NaiveDate>> {
    text.split(',')
        .enumerate()
        .map(|(i, d)| {
            parse_date(d.trim()).with_context(|| format!("--panels '{text}': date {}", i + 1))
        })
        .collect()
}

/// `D1,D2`: two dates, each as `--date` reads one.
fn parse_date_pair(text: &str) -> Result<[NaiveDate; 2]> {
    let (a, b) = text
        .split_once(',')
        .ok_or_else(|| anyhow!("--swipe '{text}' is not two dates D1,D2"))?;
    let a = parse_date(a.trim()).with_context(|| format!("--swipe '{text}': first date"))?;
    let b = parse_date(b.trim()).with_context(|| format!("--swipe '{text}': second date"))?;
    Ok([a, b])
}

fn parse_date(text: &str) -> Result<NaiveDate> {
    let date: FuzzyDate = text.parse().with_context(|| "--date".to_owned())?;
    Ok(date.key())
}

fn run(cli: Cli) -> Result<ExitCode> {
    if let Some(Command::Export(args)) = cli.command {
        return run_export(*args);
    }
    if let Some(Command::Changes(args)) = cli.command {
        return Ok(sitewatch::analysis::change::cli::run(&args)?);
    }
    if let Some(Command::Measures(args)) = cli.command {
        return Ok(sitewatch::analysis::measures_cli::run(&args)?);
    }
    let start = if cli.screenshot.is_some() {
        // A headless run of a broken file fails, as `export` does.
        let loaded = match &cli.project {
            Some(path) => load(path)?,
            None => load_default_project()?,
        };
        StartProject {
            loaded,
            path: cli.project.clone(),
            problem: None,
            plain_features: None,
        }
    } else {
        // The window opens anyway, on an empty project, and says why in a modal.
        start_project(cli.project.as_deref())?
    };
    if let Some(problem) = &start.problem {
        eprintln!("error: {problem} (the window opens with an empty project)");
    }
    let StartProject {
        loaded,
        path: project_path,
        problem,
        plain_features,
    } = start;
    let given = cli.project.clone();
    for warning in &loaded.warnings {
        eprintln!("warning: {warning}");
    }
    let date = cli.date.as_deref().map(parse_date).transpose()?;
    let size = parse_size(&cli.size)?;
    let outcome: Outcome = Arc::new(Mutex::new(None));
    let screenshot = cli.screenshot.as_ref().map(|path| {
        ScreenshotJob::new(
            path.clone(),
            Duration::from_secs(cli.screenshot_timeout),
            Arc::clone(&outcome),
        )
    });
    let persist = screenshot.is_none();
    let app_options = AppOptions {
        loaded,
        project_path,
        date,
        screenshot,
        persist,
    };
    let mut viewport = egui::ViewportBuilder::default()
        .with_title("Sitewatch")
        // The desktop entry's name (sitewatch.desktop), so docks match the window to it.
        .with_app_id("sitewatch");
    if let Ok(icon) = eframe::icon_data::from_png_bytes(include_bytes!("../assets/icons/256.png")) {
        viewport = viewport.with_icon(icon);
    }
    if !persist || cli.size != "1600x1000" {
        viewport = viewport.with_inner_size(size);
    } else {
        viewport = viewport
            .with_inner_size(size)
            .with_min_inner_size([640.0, 480.0]);
    }
    let native = eframe::NativeOptions {
        viewport,
        persist_window: persist,
        ..Default::default()
    };
    eframe::run_native(
        "sitewatch",
        native,
        Box::new(move |cc| {
            let mut app = SitewatchApp::new(cc, app_options);
            match (problem, plain_features, given) {
                // A plain GeoJSON (the desktop's "Open with"): offer a project of its features.
                (Some(problem), Some(features), Some(path)) => {
                    app.offer_features_as_project(&path, features, problem);
                }
                (Some(problem), ..) => app.show_start_problem(problem),
                _ => {}
            }
            Ok(Box::new(app))
        }),
    )
    .map_err(|e| anyhow!("the window could not start: {e}"))?;

    if cli.screenshot.is_some() {
        let result = outcome.lock().ok().and_then(|mut o| o.take());
        match result {
            Some(Ok(path)) => eprintln!("screenshot saved: {}", path.display()),
            Some(Err(message)) => bail!("screenshot failed: {message}"),
            None => bail!("screenshot failed: the window closed before it was taken"),
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn main() -> ExitCode {
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("warn")).init();
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
