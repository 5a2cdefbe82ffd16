//! The questions an import asks first: a CSV's delimiter and columns, a Shapefile's encoding.

use std::path::PathBuf;

use egui::RichText;

use crate::command::{Command, FileCommand};
use crate::interchange::{CsvOptions, ImportOptions, ShapefileOptions};

/// What the current CSV choices make of the sample.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CsvPreview {
    /// Rows that become annotations.
    pub placed: usize,
    /// Rows skipped.
    pub skipped: usize,
    /// Why the first skipped row was skipped, or why nothing can be read.
    pub first_problem: Option<String>,
}

/// The CSV dialog's state: the file, its header and first rows, the choices.
#[derive(Clone, Debug)]
pub struct CsvDialog {
    /// The file.
    pub path: PathBuf,
    /// Its header row.
    pub headers: Vec<String>,
    /// Its first rows, as the chosen delimiter splits them.
    pub rows: Vec<Vec<String>>,
    /// The choices, edited in place by the dialog.
    pub options: CsvOptions,
    /// The choices the preview and rows were made for.
    pub shown_for: CsvOptions,
    /// The sample's rows placed and skipped under `shown_for`.
    pub preview: CsvPreview,
    /// The start of the file, read once.
    pub sample: String,
    /// Whether the sample is only the start of the file.
    pub truncated: bool,
}

/// The Shapefile encoding dialog's state: the file and its first records in each encoding.
#[derive(Clone, Debug)]
pub struct EncodingDialog {
    /// The `.shp`.
    pub path: PathBuf,
    /// Each offered encoding's name and the first records' text in it (empty when unreadable).
    pub samples: Vec<(&'static str, Vec<String>)>,
}

const DELIMITERS: [(u8, &str); 3] = [(b',', "comma ,"), (b';', "semicolon ;"), (b'\t', "tab")];
const NONE: &str = "(none)";

fn column_choice(ui: &mut egui::Ui, label: &str, headers: &[String], chosen: &mut Option<String>) {
    egui::ComboBox::from_label(label)
        .selected_text(chosen.as_deref().unwrap_or(NONE))
        .show_ui(ui, |ui| {
            ui.selectable_value(chosen, None, NONE);
            for h in headers {
                ui.selectable_value(chosen, Some(h.clone()), h);
            }
        });
}

fn file_name(path: &std::path::Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

/// The CSV import dialog: delimiter, decimal comma, the column of each role, the first rows,
/// and how many rows the choices place. Import or Cancel end it.
pub fn csv_modal(ctx: &egui::Context, dialog: &mut CsvDialog) -> Option<Command> {
    let mut out = None;
    let modal = egui::Modal::new(egui::Id::unique("csv-import")).show(ctx, |ui| {
        ui.set_max_width(640.0);
        ui.label(
            RichText::new(format!("Import CSV: {}", file_name(&dialog.path)))
                .strong()
                .size(16.0),
        );
        ui.horizontal(|ui| {
            let delimiter = dialog.options.delimiter.unwrap_or(b',');
            let shown = DELIMITERS
                .iter()
                .find(|(d, _)| *d == delimiter)
                .map_or("comma ,", |(_, name)| *name);
            egui::ComboBox::from_label("Delimiter")
                .selected_text(shown)
                .show_ui(ui, |ui| {
                    for (d, name) in DELIMITERS {
                        ui.selectable_value(&mut dialog.options.delimiter, Some(d), name);
                    }
                });
            let mut comma = dialog.options.decimal_comma.unwrap_or(false);
            if ui.checkbox(&mut comma, "Decimal comma").changed() {
                dialog.options.decimal_comma = Some(comma);
            }
        });
        ui.label("Where the position is: a latitude/longitude (or Y/X) pair, an MGRS grid reference, or WKT.");
        let headers = dialog.headers.clone();
        let c = &mut dialog.options.columns;
        egui::Grid::new("csv-columns").num_columns(2).show(ui, |ui| {
            column_choice(ui, "Latitude / Y", &headers, &mut c.latitude);
            column_choice(ui, "Longitude / X", &headers, &mut c.longitude);
            ui.end_row();
            column_choice(ui, "MGRS", &headers, &mut c.mgrs);
            column_choice(ui, "WKT", &headers, &mut c.wkt);
            ui.end_row();
            column_choice(ui, "Label", &headers, &mut c.name);
            column_choice(ui, "Date seen", &headers, &mut c.date);
            ui.end_row();
            column_choice(ui, "Category", &headers, &mut c.category);
            ui.end_row();
        });
        ui.separator();
        egui::ScrollArea::horizontal().show(ui, |ui| {
            egui::Grid::new("csv-rows").striped(true).show(ui, |ui| {
                for h in &dialog.headers {
                    ui.label(RichText::new(h).strong());
                }
                ui.end_row();
                for row in &dialog.rows {
                    for cell in row {
                        let short: String = cell.chars().take(24).collect();
                        ui.label(short);
                    }
                    ui.end_row();
                }
            });
        });
        ui.separator();
        let p = &dialog.preview;
        let of = if dialog.truncated {
            "Of the rows at the start of the file: "
        } else {
            ""
        };
        ui.label(format!("{of}{} placed, {} skipped", p.placed, p.skipped));
        if let Some(problem) = &p.first_problem {
            ui.label(RichText::new(problem).color(ui.visuals().warn_fg_color));
        }
        ui.horizontal(|ui| {
            let can = p.placed > 0;
            if ui.add_enabled(can, egui::Button::new("Import")).clicked() {
                out = Some(Command::File(FileCommand::ImportWith(
                    dialog.path.clone(),
                    Box::new(ImportOptions {
                        csv: dialog.options.clone(),
                        ..ImportOptions::default()
                    }),
                )));
            }
            if ui.button("Cancel").clicked() {
                out = Some(Command::File(FileCommand::CancelImport));
            }
        });
    });
    if out.is_none() && modal.should_close() {
        out = Some(Command::File(FileCommand::CancelImport));
    }
    out
}

/// The Shapefile encoding dialog: the first records in each offered encoding, one button each.
pub fn encoding_modal(ctx: &egui::Context, dialog: &EncodingDialog) -> Option<Command> {
    let mut out = None;
    let modal = egui::Modal::new(egui::Id::unique("shapefile-encoding")).show(ctx, |ui| {
        ui.set_max_width(560.0);
        ui.label(
            RichText::new(format!("Text encoding of {}", file_name(&dialog.path)))
                .strong()
                .size(16.0),
        );
        ui.label("Its attribute table is not UTF-8 and no .cpg file names its encoding. Choose the one that reads right:");
        egui::Grid::new("encodings").striped(true).show(ui, |ui| {
            for (name, sample) in &dialog.samples {
                if ui.button(*name).clicked() {
                    out = Some(Command::File(FileCommand::ImportWith(
                        dialog.path.clone(),
                        Box::new(ImportOptions {
                            shapefile: ShapefileOptions {
                                encoding: encoding_rs::Encoding::for_label(name.as_bytes()),
                            },
                            ..ImportOptions::default()
                        }),
                    )));
                }
                let text = if sample.is_empty() {
                    "(cannot be read this way)".to_owned()
                } else {
                    sample.join(" | ")
                };
                ui.label(text);
                ui.end_row();
            }
        });
        if ui.button("Cancel").clicked() {
            out = Some(Command::File(FileCommand::CancelImport));
        }
    });
    if out.is_none() && modal.should_close() {
        out = Some(Command::File(FileCommand::CancelImport));
    }
    out
}

/// A plain `GeoJSON` file that is not a Sitewatch project, offered as a new project's features.
#[derive(Clone, Debug)]
pub struct PlainGeoJsonOffer {
    /// The file.
    pub path: PathBuf,
    /// How many features it holds.
    pub features: usize,
    /// Why it is not a project.
    pub why: String,
}

/// "Start a new project with its features?" for a plain `GeoJSON` opened as a project.
pub fn plain_geojson_modal(ctx: &egui::Context, offer: &PlainGeoJsonOffer) -> Option<Command> {
    let mut out = None;
    let modal = egui::Modal::new(egui::Id::unique("plain-geojson")).show(ctx, |ui| {
        ui.set_max_width(520.0);
        ui.label(
            RichText::new(format!(
                "{} is not a Sitewatch project",
                file_name(&offer.path)
            ))
            .strong()
            .size(16.0),
        );
        ui.label(format!(
            "It is GeoJSON with {} feature(s). Start a new project with them as annotations? \
             The file is not changed; the new project is saved where you choose.",
            offer.features
        ));
        ui.label(RichText::new(&offer.why).small().weak());
        ui.horizontal(|ui| {
            if ui.button("New project with these features").clicked() {
                out = Some(Command::File(FileCommand::NewProjectFrom(
                    offer.path.clone(),
                )));
            }
            if ui.button("Cancel").clicked() {
                out = Some(Command::File(FileCommand::CancelImport));
            }
        });
    });
    if out.is_none() && modal.should_close() {
        out = Some(Command::File(FileCommand::CancelImport));
    }
    out
}
