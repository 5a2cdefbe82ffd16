//! `sitewatch measures PROJECT [--csv out.csv]`: a project's tracked measures, with the
//! measured ones computed from its annotations, as a table or as CSV.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use super::measures::measure_values;
use super::measures_csv::{MeasuresCsvError, measures_csv, write_measures_csv};
use crate::model::Project;
use crate::model::default_project::load_project_arg;
use crate::model::io::ProjectError;

/// `sitewatch measures …`
#[derive(clap::Args, Debug, Clone)]
pub struct MeasuresArgs {
    /// Project file, or `default` for the embedded project.
    pub project: String,

    /// Write the measures as CSV to this file (`-` for standard output): measure, unit, date,
    /// precision, value, approx, kind, `annotation_id`, `source_key`, evidence. Without it, a table.
    #[arg(long, value_name = "CSV")]
    pub csv: Option<PathBuf>,
}

/// Why `sitewatch measures` failed.
#[derive(Debug, thiserror::Error)]
pub enum MeasuresCliError {
    /// The project did not load.
    #[error(transparent)]
    Project(#[from] ProjectError),
    /// The CSV could not be made or written.
    #[error(transparent)]
    Csv(#[from] MeasuresCsvError),
    /// `--csv` names a folder.
    #[error("--csv must name a file, not a folder: {0}")]
    CsvIsFolder(PathBuf),
    /// Standard output closed.
    #[error("cannot write to standard output")]
    Stdout(#[source] std::io::Error),
}

/// Runs the command: warnings to standard error, the table or CSV where asked.
pub fn run(args: &MeasuresArgs) -> Result<ExitCode, MeasuresCliError> {
    let loaded = load_project_arg(&args.project)?;
    let project = &loaded.project;
    let mut stdout = std::io::stdout().lock();
    match args.csv.as_deref() {
        Some(path) if path == Path::new("-") => {
            let text = measures_csv(project)?;
            stdout
                .write_all(text.as_bytes())
                .map_err(MeasuresCliError::Stdout)?;
        }
        Some(path) => {
            if path.is_dir() {
                return Err(MeasuresCliError::CsvIsFolder(path.to_owned()));
            }
            let rows = write_measures_csv(project, path)?;
            eprintln!(
                "wrote {rows} rows of {} measures: {}",
                project.measures.len(),
                path.display()
            );
        }
        None => {
            stdout
                .write_all(table(project).as_bytes())
                .map_err(MeasuresCliError::Stdout)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The measures as a plain-text table, a block per measure.
pub fn table(project: &Project) -> String {
    let mut out = String::new();
    if project.measures.is_empty() {
        out.push_str("no measures in this project\n");
    }
    for m in &project.measures {
        let _ = writeln!(out, "{} ({}, {})", m.name, m.unit, m.quantity.word());
        for v in measure_values(project, m) {
            let value = match (v.value, &v.problem) {
                (Some(x), _) => {
                    let decimals = usize::from(m.quantity != crate::model::Quantity::Count);
                    let tilde = if v.approx { "~" } else { "" };
                    format!("{tilde}{x:.decimals$} {}", m.unit)
                }
                (None, Some(problem)) => format!("no value: {problem}"),
                (None, None) => "no value".to_owned(),
            };
            let from = if v.annotation_id.is_empty() {
                v.source_keys.join(", ")
            } else {
                v.annotation_id.clone()
            };
            let _ = writeln!(
                out,
                "  {:<14} {:<22} {:<9} {from}",
                v.date.to_string(),
                value,
                v.kind.word()
            );
        }
    }
    out
}
