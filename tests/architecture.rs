//! The shape of the code, checked: layers import downwards only, and files stay one concept.

#![allow(clippy::unwrap_used, reason = "test helpers fail loudly")]

use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn sources() -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&root, &mut files);
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let rel = p
                .strip_prefix(&root)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            (rel, std::fs::read_to_string(&p).unwrap())
        })
        .collect()
}

/// Where a file sits: its first path component (`app.rs` and `app/…` are both `app`).
fn area(rel: &str) -> &str {
    let first = rel.split('/').next().unwrap_or(rel);
    first.strip_suffix(".rs").unwrap_or(first)
}

#[test]
fn nothing_below_app_and_ui_imports_them() {
    let top = ["app", "ui", "main", "lib", "screenshot"];
    let mut offenders = Vec::new();
    for (rel, text) in sources() {
        if top.contains(&area(&rel)) {
            continue;
        }
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            if code.contains("crate::app") || code.contains("crate::ui") {
                offenders.push(format!("src/{rel}:{}: {}", n + 1, line.trim()));
            }
        }
    }
    assert!(offenders.is_empty(), "{}", offenders.join("\n"));
}

#[test]
fn no_file_outside_imagery_passes_600_lines() {
    let too_long: Vec<String> = sources()
        .into_iter()
        .filter(|(rel, _)| area(rel) != "imagery")
        .filter_map(|(rel, text)| {
            let n = text.lines().count();
            (n > 600).then(|| format!("src/{rel}: {n} lines"))
        })
        .collect();
    assert!(too_long.is_empty(), "{}", too_long.join("\n"));
}
