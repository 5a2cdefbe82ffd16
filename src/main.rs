//! Command line: `sitewatch [PROJECT]` opens the window.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{Context as _, Result, anyhow, bail};
use chrono::NaiveDate;
use clap::Parser;

use sitewatch::app::{AppOptions, SitewatchApp};
use sitewatch::model::FuzzyDate;
use sitewatch::model::default_project::load_default_project;
use sitewatch::model::io::load;
use sitewatch::screenshot::{Outcome, ScreenshotJob};

/// Sitewatch: watch a construction site change through dated imagery.
#[derive(Parser, Debug)]
#[command(name = "sitewatch", version, about)]
struct Cli {
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

fn parse_date(text: &str) -> Result<NaiveDate> {
    let date: FuzzyDate = text.parse().with_context(|| "--date".to_owned())?;
    Ok(date.key())
}

fn run(cli: Cli) -> Result<ExitCode> {
    let loaded = match &cli.project {
        Some(path) => load(path)?,
        None => load_default_project()?,
    };
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
        project_path: cli.project.clone(),
        date,
        screenshot,
        persist,
    };
    let mut viewport = egui::ViewportBuilder::default()
        .with_title("Sitewatch")
        .with_app_id("sitewatch");
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
        Box::new(move |cc| Ok(Box::new(SitewatchApp::new(cc, app_options)))),
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
