//! Machine-readable results: each bench appends one JSON line per figure to the file
//! `SITEWATCH_BENCH_RESULTS` names (nothing when unset); `scripts/bench` sets it and has
//! `bench_table` print the lines as one Markdown table.
//!
//! A line: `{"bench", "id", "work", "unit", "value", "peak_mb"?, "gdal"?, "gdal_peak_mb"?,
//! "targets": [{"text", "max"? | "of", "ratio", "metric"?}]}`; `of` is `"gdal"` or another
//! line's `id`, `metric` is `"peak"` for a target on peak memory.

use std::io::Write;

use serde_json::{Value, json};

/// A target a figure is held to (reported, not enforced).
#[derive(Clone, Debug)]
pub struct Target {
    /// How the table states it.
    pub text: String,
    /// The figure at most this.
    pub max: Option<f64>,
    /// Or the figure at most `ratio` × that of `of` (`"gdal"` or another row's id).
    pub of: Option<(String, f64)>,
    /// Held on peak memory rather than the figure.
    pub on_peak: bool,
}

impl Target {
    /// The figure at most `max`.
    pub fn at_most(text: &str, max: f64) -> Self {
        Self {
            text: text.to_owned(),
            max: Some(max),
            of: None,
            on_peak: false,
        }
    }

    /// The figure at most `ratio` × GDAL's.
    pub fn of_gdal(text: &str, ratio: f64) -> Self {
        Self::of_row(text, "gdal", ratio)
    }

    /// The figure at most `ratio` × that of the row `id`.
    pub fn of_row(text: &str, id: &str, ratio: f64) -> Self {
        Self {
            text: text.to_owned(),
            max: None,
            of: Some((id.to_owned(), ratio)),
            on_peak: false,
        }
    }

    /// Peak memory no higher than GDAL's.
    pub fn peak_at_most_gdal() -> Self {
        Self {
            on_peak: true,
            ..Self::of_gdal("peak ≤ GDAL's", 1.0)
        }
    }

    fn json(&self) -> Value {
        let mut v = json!({ "text": self.text });
        if let Some(max) = self.max {
            v["max"] = json!(max);
        }
        if let Some((of, ratio)) = &self.of {
            v["of"] = json!(of);
            v["ratio"] = json!(ratio);
        }
        if self.on_peak {
            v["metric"] = json!("peak");
        }
        v
    }
}

/// One figure of the table.
#[derive(Clone, Debug, Default)]
pub struct Row {
    /// The bench that measured it.
    pub bench: &'static str,
    /// Its id, unique in a run (for targets relative to it).
    pub id: String,
    /// The work measured, as the table names it (with GDAL's command for the same work).
    pub work: String,
    /// The figure's unit: `s`, `ms`, `%` or `MB`.
    pub unit: &'static str,
    /// Sitewatch's figure.
    pub value: f64,
    /// Sitewatch's peak memory for it, MB.
    pub peak_mb: Option<f64>,
    /// GDAL's figure for the same work in the same run.
    pub gdal: Option<f64>,
    /// GDAL's peak memory, MB.
    pub gdal_peak_mb: Option<f64>,
    /// The targets it is held to.
    pub targets: Vec<Target>,
}

/// Appends `row` to `SITEWATCH_BENCH_RESULTS` as a JSON line, when that is set. NaN figures
/// (a measurement that did not happen) are left out.
pub fn record(row: &Row) {
    let Some(path) = std::env::var_os("SITEWATCH_BENCH_RESULTS") else {
        return;
    };
    let finite = |v: Option<f64>| v.filter(|v| v.is_finite());
    let mut v = json!({
        "bench": row.bench,
        "id": row.id,
        "work": row.work,
        "unit": row.unit,
        "value": finite(Some(row.value)),
        "targets": row.targets.iter().map(Target::json).collect::<Vec<_>>(),
    });
    for (key, value) in [
        ("peak_mb", row.peak_mb),
        ("gdal", row.gdal),
        ("gdal_peak_mb", row.gdal_peak_mb),
    ] {
        if let Some(value) = finite(value) {
            v[key] = json!(value);
        }
    }
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .unwrap();
    writeln!(file, "{v}").unwrap();
}
