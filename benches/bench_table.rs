//! Prints the results the other benches recorded (JSON lines in the file `SITEWATCH_BENCH_RESULTS`
//! names, see `common/results.rs`) as one Markdown table: the work, Sitewatch's figure, GDAL's on
//! the same work in the same run, their ratio, the peak memory of each, the target and whether it
//! is met. `scripts/bench` runs every bench and then this.
//!
//! `SITEWATCH_BENCH_RESULTS=path.jsonl cargo bench --bench bench_table`.

#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "a benchmark report"
)]

use serde_json::Value;

/// A figure with its unit.
fn figure(v: f64, unit: &str) -> String {
    match unit {
        "s" => format!("{v:.2} s"),
        "ms" if v >= 100.0 => format!("{v:.0} ms"),
        "ms" if v >= 0.1 => format!("{v:.2} ms"),
        "ms" => format!("{v:.4} ms"),
        "%" => format!("{v:.2} %"),
        "MB" => format!("{v:.0} MB"),
        _ => format!("{v:.3} {unit}"),
    }
}

/// A number of a row, when there.
fn num(row: &Value, key: &str) -> Option<f64> {
    row.get(key).and_then(Value::as_f64)
}

/// Whether `row` meets `target`, and the ratio it was judged on (for a relative target).
fn judge(row: &Value, target: &Value, rows: &[Value]) -> Option<(bool, Option<f64>)> {
    let on_peak = target.get("metric").and_then(Value::as_str) == Some("peak");
    let (mine, gdal_key) = if on_peak {
        (num(row, "peak_mb")?, "gdal_peak_mb")
    } else {
        (num(row, "value")?, "gdal")
    };
    if let Some(max) = num(target, "max") {
        return Some((mine <= max, None));
    }
    let of = target.get("of").and_then(Value::as_str)?;
    let ratio = num(target, "ratio")?;
    let reference = if of == "gdal" {
        num(row, gdal_key)?
    } else {
        let other = rows
            .iter()
            .find(|r| r.get("id").and_then(Value::as_str) == Some(of))?;
        num(other, if on_peak { "peak_mb" } else { "value" })?
    };
    let r = mine / reference;
    Some((r <= ratio, Some(r)))
}

/// Escapes a cell's pipes.
fn cell(text: &str) -> String {
    text.replace('|', "\\|")
}

fn main() {
    let path = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with("--"))
        .or_else(|| std::env::var("SITEWATCH_BENCH_RESULTS").ok());
    let Some(path) = path else {
        println!("bench_table: no results (SITEWATCH_BENCH_RESULTS unset; scripts/bench sets it)");
        return;
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("bench_table: {path}: {e}");
            return;
        }
    };
    let rows: Vec<Value> = text
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    println!(
        "| work | Sitewatch | GDAL, same work, same run | Sitewatch / GDAL | peak, Sitewatch | peak, GDAL | target | met |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    for row in &rows {
        let unit = row.get("unit").and_then(Value::as_str).unwrap_or("");
        let work = row.get("work").and_then(Value::as_str).unwrap_or("?");
        let show =
            |key: &str, unit: &str| num(row, key).map_or("–".to_owned(), |v| figure(v, unit));
        let ratio = match (num(row, "value"), num(row, "gdal")) {
            (Some(a), Some(b)) if b > 0.0 => format!("{:.2}×", a / b),
            _ => "–".to_owned(),
        };
        let targets = row
            .get("targets")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let stated: Vec<String> = targets
            .iter()
            .filter_map(|t| t.get("text").and_then(Value::as_str))
            .map(str::to_owned)
            .collect();
        let met: Vec<String> = targets
            .iter()
            .map(|t| match judge(row, t, &rows) {
                Some((ok, r)) => {
                    let verdict = if ok { "yes" } else { "**no**" };
                    r.map_or(verdict.to_owned(), |r| format!("{verdict} ({r:.2}×)"))
                }
                None => "not measured".to_owned(),
            })
            .collect();
        let (stated, met) = if targets.is_empty() {
            ("–".to_owned(), "–".to_owned())
        } else {
            (stated.join("; "), met.join("; "))
        };
        println!(
            "| {} | {} | {} | {ratio} | {} | {} | {} | {met} |",
            cell(work),
            show("value", unit),
            show("gdal", unit),
            show("peak_mb", "MB"),
            show("gdal_peak_mb", "MB"),
            cell(&stated),
        );
    }
}
