//! Choices made before an import: a CSV's delimiter and columns (always asked, with what was
//! guessed filled in and a live count of the rows that place), and a Shapefile's text encoding
//! (asked when its `.dbf` is not UTF-8 and no `.cpg` names one).

use std::io::Read as _;
use std::path::Path;

use chrono::NaiveDate;

use super::super::SitewatchApp;
use crate::command::Command;
use crate::interchange::csv::{import_str, layout};
use crate::interchange::shapefile::{OFFERED_ENCODINGS, preview_text};
use crate::interchange::{CsvOptions, Format};
use crate::model::Project;
use crate::ui::import_dialog::{
    CsvDialog, CsvPreview, EncodingDialog, PlainGeoJsonOffer, csv_modal, encoding_modal,
    plain_geojson_modal,
};

/// How much of a CSV the dialog reads to show and count: enough for a preview, never a stall.
const CSV_SAMPLE_BYTES: u64 = 256 * 1024;

/// An import waiting for the user's choices.
pub(crate) enum ImportChoice {
    /// A CSV's delimiter, decimal separator and columns.
    Csv(Box<CsvDialog>),
    /// A Shapefile's text encoding.
    Encoding(EncodingDialog),
    /// A plain `GeoJSON` opened as a project: start a new project from its features?
    PlainGeoJson(PlainGeoJsonOffer),
}

/// The first [`CSV_SAMPLE_BYTES`] of a file as text, cut at the last whole line when cut, and
/// whether it was cut.
fn csv_sample(path: &Path) -> Result<(String, bool), String> {
    let file =
        std::fs::File::open(path).map_err(|e| format!("cannot read {} ({e})", path.display()))?;
    let mut bytes = Vec::new();
    file.take(CSV_SAMPLE_BYTES)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read {} ({e})", path.display()))?;
    let truncated = bytes.len() as u64 == CSV_SAMPLE_BYTES;
    if truncated && let Some(end) = bytes.iter().rposition(|b| *b == b'\n') {
        bytes.truncate(end + 1);
    }
    let text = String::from_utf8(bytes).map_err(|e| {
        format!(
            "{} is not UTF-8 text (byte {}); save it as UTF-8",
            path.display(),
            e.utf8_error().valid_up_to()
        )
    })?;
    Ok((text, truncated))
}

/// What the current choices make of the sample: rows placed, rows skipped and why.
fn csv_preview(
    sample: &str,
    options: &CsvOptions,
    project: &Project,
    date: NaiveDate,
) -> CsvPreview {
    match import_str(sample, "the sample", project, date, options) {
        Ok(imported) => CsvPreview {
            placed: imported.annotations.len(),
            skipped: imported.skipped.len(),
            first_problem: imported.skipped.first().cloned(),
        },
        Err(e) => CsvPreview {
            placed: 0,
            skipped: 0,
            first_problem: Some(crate::app::error_chain(&e)),
        },
    }
}

impl SitewatchApp {
    /// Opens the CSV dialog for a file, with what can be guessed chosen.
    pub(crate) fn ask_csv_choices(&mut self, path: &Path) {
        let (sample, truncated) = match csv_sample(path) {
            Ok(s) => s,
            Err(e) => return self.report(&e),
        };
        let origin = path.display().to_string();
        let found = match layout(&sample, &origin, &CsvOptions::default()) {
            Ok(l) => l,
            Err(e) => return self.report(&crate::app::error_chain(&e)),
        };
        let options = CsvOptions {
            delimiter: Some(found.delimiter),
            decimal_comma: Some(found.decimal_comma),
            columns: found.columns,
        };
        let preview = csv_preview(&sample, &options, &self.project, self.date);
        self.files.import_choice = Some(ImportChoice::Csv(Box::new(CsvDialog {
            path: path.to_path_buf(),
            headers: found.headers,
            rows: preview_rows(&sample, found.delimiter),
            shown_for: options.clone(),
            options,
            preview,
            sample,
            truncated,
        })));
    }

    /// Opens the encoding dialog for a Shapefile whose text encoding is unknown.
    pub(crate) fn ask_shapefile_encoding(&mut self, shp: &Path) {
        let samples = OFFERED_ENCODINGS
            .iter()
            .map(|e| (e.name(), preview_text(shp, e, 3).unwrap_or_default()))
            .collect();
        self.files.import_choice = Some(ImportChoice::Encoding(EncodingDialog {
            path: shp.to_path_buf(),
            samples,
        }));
    }

    /// Offers a new project built from the features of a plain `GeoJSON` file that failed to open
    /// as a project (the file stays untouched: the new project has no file until saved).
    pub fn offer_features_as_project(&mut self, path: &Path, features: usize, why: String) {
        self.files.import_choice = Some(ImportChoice::PlainGeoJson(PlainGeoJsonOffer {
            path: path.to_path_buf(),
            features,
            why,
        }));
    }

    /// The open import dialog, if any; the preview follows the choices.
    pub(crate) fn import_choice_modal(&mut self, ctx: &egui::Context) -> Option<Command> {
        let command = match self.files.import_choice.as_mut()? {
            ImportChoice::Csv(dialog) => {
                let command = csv_modal(ctx, dialog);
                if dialog.options != dialog.shown_for {
                    dialog.preview =
                        csv_preview(&dialog.sample, &dialog.options, &self.project, self.date);
                    dialog.rows =
                        preview_rows(&dialog.sample, dialog.options.delimiter.unwrap_or(b','));
                    dialog.shown_for = dialog.options.clone();
                }
                command
            }
            ImportChoice::Encoding(dialog) => encoding_modal(ctx, dialog),
            ImportChoice::PlainGeoJson(offer) => plain_geojson_modal(ctx, offer),
        };
        if command.is_some() {
            self.files.import_choice = None;
        }
        command
    }
}

/// The choices an import of this file starts from: none for a CSV (the dialog asks).
#[must_use]
pub fn asks_first(path: &Path) -> bool {
    Format::of_path(path) == Some(Format::Csv)
}

/// The first rows of the sample, split by the delimiter, for the dialog's table.
fn preview_rows(sample: &str, delimiter: u8) -> Vec<Vec<String>> {
    ::csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .from_reader(sample.trim_start_matches('\u{feff}').as_bytes())
        .records()
        .take(5)
        .filter_map(Result::ok)
        .map(|r| r.iter().map(str::to_owned).collect())
        .collect()
}
