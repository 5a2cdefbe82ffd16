//! Measures as CSV, one row per entry with its value as of now: the Progress window's
//! **Export CSV…** and `sitewatch measures PROJECT --csv out.csv` write it, and [`read_rows`]
//! reads it back (round-trip tests, and anyone rebuilding measures from a spreadsheet).
//!
//! Columns: `measure, unit, date, precision, value, approx, kind, annotation_id, source_key,
//! evidence`. `date` is the date as the source gives it (`late 2025-05`); `value` is empty when
//! it cannot be computed; `kind` is `reported`, `measured` or `counted`; several citations are
//! joined with `;` in `source_key` and, in the same order, `evidence`.

use std::path::{Path, PathBuf};

use serde_json::Map;

use super::measures::{MeasureValue, ValueKind, measure_values};
use crate::model::atomic_file::write_atomic;
use crate::model::measure::{CountRule, Entry, EntryFrom, Measure, Quantity, precision_word};
use crate::model::{Citation, Evidence, FuzzyDate, Project};

/// The header, in order.
pub const COLUMNS: [&str; 10] = [
    "measure",
    "unit",
    "date",
    "precision",
    "value",
    "approx",
    "kind",
    "annotation_id",
    "source_key",
    "evidence",
];

/// Why measures could not be written or read as CSV. Files come last.
#[derive(Debug, thiserror::Error)]
pub enum MeasuresCsvError {
    /// The CSV writer failed (in memory: only on a broken invariant).
    #[error("cannot write the measures as CSV")]
    Encode(#[source] csv::Error),
    /// The file could not be written; an older file there is untouched.
    #[error("cannot write the measures CSV: {path}")]
    Write {
        /// Where.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// The text is not CSV the reader understands (unbalanced quotes, a short row).
    #[error("measures CSV line {line} cannot be read")]
    Csv {
        /// 1-based line.
        line: u64,
        /// The reader's error.
        #[source]
        source: csv::Error,
    },
    /// The header is not the ten columns.
    #[error("the measures CSV's header must be {expected}, not {found}")]
    Header {
        /// What it must be.
        expected: String,
        /// What it is.
        found: String,
    },
    /// A field does not parse.
    #[error("measures CSV line {line}, column {column}: {why} ('{text}')")]
    Field {
        /// 1-based line.
        line: u64,
        /// The column's name.
        column: &'static str,
        /// The text found.
        text: String,
        /// What is wrong.
        why: String,
    },
}

/// One row of the CSV, typed.
#[derive(Clone, Debug, PartialEq)]
pub struct CsvRow {
    /// The measure's name.
    pub measure: String,
    /// Its unit.
    pub unit: String,
    /// The entry's date (its precision is the `precision` column).
    pub date: FuzzyDate,
    /// The value, `None` when it could not be computed.
    pub value: Option<f64>,
    /// Approximate.
    pub approx: bool,
    /// Reported, measured or counted.
    pub kind: ValueKind,
    /// The annotation measured or the count's selector; empty for reported figures.
    pub annotation_id: String,
    /// Source keys.
    pub source_keys: Vec<String>,
    /// Evidence words (one per reported citation; `derived` for measured and counted values).
    pub evidence: Vec<Evidence>,
}

impl CsvRow {
    /// The row of one measure's value.
    pub fn of(measure: &Measure, value: &MeasureValue) -> Self {
        Self {
            measure: measure.name.clone(),
            unit: measure.unit.clone(),
            date: value.date,
            value: value.value,
            approx: value.approx,
            kind: value.kind,
            annotation_id: value.annotation_id.clone(),
            source_keys: value.source_keys.clone(),
            evidence: value.evidence.clone(),
        }
    }

    fn fields(&self) -> [String; 10] {
        [
            self.measure.clone(),
            self.unit.clone(),
            self.date.to_string(),
            precision_word(self.date.precision()).to_owned(),
            self.value.map(|v| v.to_string()).unwrap_or_default(),
            self.approx.to_string(),
            self.kind.word().to_owned(),
            self.annotation_id.clone(),
            self.source_keys.join(";"),
            self.evidence
                .iter()
                .map(|e| e.word())
                .collect::<Vec<_>>()
                .join(";"),
        ]
    }
}

/// Every measure's rows, measure by measure, each by date.
pub fn project_rows(project: &Project) -> Vec<CsvRow> {
    project
        .measures
        .iter()
        .flat_map(|m| {
            measure_values(project, m)
                .into_iter()
                .map(move |v| CsvRow::of(m, &v))
        })
        .collect()
}

/// The rows as CSV text, with the header.
pub fn rows_to_csv(rows: &[CsvRow]) -> Result<String, MeasuresCsvError> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer
        .write_record(COLUMNS)
        .map_err(MeasuresCsvError::Encode)?;
    for row in rows {
        writer
            .write_record(row.fields())
            .map_err(MeasuresCsvError::Encode)?;
    }
    let bytes = writer
        .into_inner()
        .map_err(|e| MeasuresCsvError::Encode(e.into_error().into()))?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// The project's measures as CSV text.
pub fn measures_csv(project: &Project) -> Result<String, MeasuresCsvError> {
    rows_to_csv(&project_rows(project))
}

/// Writes the project's measures to `path` atomically (temp file, fsync, rename); returns how
/// many rows were written.
pub fn write_measures_csv(project: &Project, path: &Path) -> Result<usize, MeasuresCsvError> {
    let rows = project_rows(project);
    let text = rows_to_csv(&rows)?;
    write_atomic(path, text.as_bytes()).map_err(|source| MeasuresCsvError::Write {
        path: path.to_owned(),
        source,
    })?;
    Ok(rows.len())
}

fn evidence_from_word(word: &str) -> Option<Evidence> {
    [Evidence::Confirmed, Evidence::Reported, Evidence::Derived]
        .into_iter()
        .find(|e| e.word() == word)
}

fn split_list(text: &str) -> Vec<&str> {
    if text.is_empty() {
        Vec::new()
    } else {
        text.split(';').collect()
    }
}

/// Reads CSV text written by [`rows_to_csv`] (any order of rows; the header must match).
pub fn read_rows(text: &str) -> Result<Vec<CsvRow>, MeasuresCsvError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(text.as_bytes());
    let header = reader
        .headers()
        .map_err(|source| MeasuresCsvError::Csv { line: 1, source })?
        .clone();
    if header.iter().ne(COLUMNS) {
        return Err(MeasuresCsvError::Header {
            expected: COLUMNS.join(","),
            found: header.iter().collect::<Vec<_>>().join(","),
        });
    }
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|source| MeasuresCsvError::Csv {
            line: source.position().map_or(0, csv::Position::line),
            source,
        })?;
        let line = record.position().map_or(0, csv::Position::line);
        let field = |i: usize| record.get(i).unwrap_or_default();
        let bad = |i: usize, why: &str| MeasuresCsvError::Field {
            line,
            column: COLUMNS.get(i).copied().unwrap_or("?"),
            text: field(i).to_owned(),
            why: why.to_owned(),
        };
        let date: FuzzyDate = field(2).parse().map_err(|_| bad(2, "not a date"))?;
        if precision_word(date.precision()) != field(3) {
            return Err(bad(3, "does not match the date's precision"));
        }
        let value = match field(4) {
            "" => None,
            text => Some(
                text.parse::<f64>()
                    .ok()
                    .filter(|v| v.is_finite())
                    .ok_or_else(|| bad(4, "not a number"))?,
            ),
        };
        let approx = match field(5) {
            "true" => true,
            "false" => false,
            _ => return Err(bad(5, "must be true or false")),
        };
        let kind = ValueKind::from_word(field(6))
            .ok_or_else(|| bad(6, "must be reported, measured or counted"))?;
        let evidence = split_list(field(9))
            .into_iter()
            .map(|w| evidence_from_word(w).ok_or_else(|| bad(9, "confirmed, reported or derived")))
            .collect::<Result<Vec<_>, _>>()?;
        rows.push(CsvRow {
            measure: field(0).to_owned(),
            unit: field(1).to_owned(),
            date,
            value,
            approx,
            kind,
            annotation_id: field(7).to_owned(),
            source_keys: split_list(field(8))
                .into_iter()
                .map(str::to_owned)
                .collect(),
            evidence,
        });
    }
    Ok(rows)
}

/// Measures rebuilt from rows: consecutive rows of one measure and unit make one measure (its
/// quantity from the unit, its id from its name); reported rows keep value, approx and
/// citations, measured and counted rows their annotation or selector (their values are
/// recomputed from the project they are put into).
pub fn measures_from_rows(rows: &[CsvRow]) -> Result<Vec<Measure>, String> {
    let mut measures: Vec<Measure> = Vec::new();
    for row in rows {
        let from = match row.kind {
            ValueKind::Reported => {
                if row.source_keys.len() != row.evidence.len() {
                    return Err(format!(
                        "{} ({}): {} source keys but {} evidence words",
                        row.measure,
                        row.date,
                        row.source_keys.len(),
                        row.evidence.len()
                    ));
                }
                EntryFrom::Reported {
                    value: row.value.ok_or_else(|| {
                        format!(
                            "{} ({}): a reported row needs a value",
                            row.measure, row.date
                        )
                    })?,
                    approx: row.approx,
                    sources: row
                        .source_keys
                        .iter()
                        .zip(&row.evidence)
                        .map(|(key, evidence)| Citation::new(key.clone(), *evidence))
                        .collect(),
                }
            }
            ValueKind::Measured => EntryFrom::Annotation {
                id: row.annotation_id.clone(),
            },
            ValueKind::Counted => {
                EntryFrom::Count(CountRule::from_selector(&row.annotation_id).ok_or_else(|| {
                    format!(
                        "{} ({}): '{}' is not a count selector (category:KEY [id:PREFIX*])",
                        row.measure, row.date, row.annotation_id
                    )
                })?)
            }
        };
        let entry = Entry {
            date: row.date,
            from,
            extra: Map::new(),
        };
        match measures.last_mut() {
            Some(m) if m.name == row.measure && m.unit == row.unit => m.entries.push(entry),
            _ => {
                let base = crate::model::ids::slug(&row.measure, None, "measure");
                let id =
                    crate::model::ids::unique_id(&base, |t| measures.iter().any(|m| m.id == t));
                measures.push(Measure {
                    id,
                    name: row.measure.clone(),
                    unit: row.unit.clone(),
                    quantity: Quantity::of_unit(&row.unit),
                    entries: vec![entry],
                    note: String::new(),
                    extra: Map::new(),
                });
            }
        }
    }
    Ok(measures)
}
