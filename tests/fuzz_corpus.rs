//! Replays every committed fuzz corpus file, and every input that once crashed a reader, through
//! the fuzz targets' own entry points (`sitewatch::fuzz_targets`): a reader that panics on any of
//! them fails here, in seconds, without AFL++.

use std::path::{Path, PathBuf};

use sitewatch::fuzz_targets::{TARGETS, split_parts, target};

fn files_in(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
}

/// A corpus or regression file's bytes: `.gz` files (how `fuzz/run.sh` stores its corpora)
/// unpacked.
fn input(file: &Path) -> Vec<u8> {
    let bytes = std::fs::read(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    if file.extension().is_some_and(|e| e == "gz") {
        let mut out = Vec::new();
        std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&bytes[..]), &mut out)
            .unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        out
    } else {
        bytes
    }
}

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz")
}

#[test]
fn every_target_has_a_binary_and_a_corpus() {
    for (name, _) in TARGETS {
        let bin = fuzz_dir().join("src/bin").join(format!("{name}.rs"));
        let source = std::fs::read_to_string(&bin).unwrap_or_default();
        assert!(
            source.contains(&format!("sitewatch::fuzz_targets::{name}(")),
            "{} does not drive fuzz_targets::{name}",
            bin.display()
        );
        let corpus = files_in(&fuzz_dir().join("corpus").join(name));
        assert!(
            corpus.len() >= 2,
            "the {name} corpus has {} files",
            corpus.len()
        );
    }
    assert!(target("no-such-reader").is_none());
}

/// Runs every file under `fuzz/<folder>/<target>/` through its target; returns how many.
fn replay(folder: &str) -> usize {
    let mut replayed = 0;
    for (name, run) in TARGETS {
        for file in files_in(&fuzz_dir().join(folder).join(name)) {
            run(&input(&file));
            replayed += 1;
        }
    }
    replayed
}

#[test]
fn every_corpus_file_replays_without_a_panic() {
    let replayed = replay("corpus");
    assert!(
        replayed >= 2 * TARGETS.len(),
        "{replayed} corpus files replayed"
    );
}

#[test]
fn every_input_that_once_crashed_a_reader_replays_without_a_panic() {
    // fuzz/regressions/<target>/<what it broke>: what AFL++ found, kept after the fix.
    let replayed = replay("regressions");
    assert!(replayed > 0, "no regression inputs under fuzz/regressions");
}

#[test]
fn a_multi_file_input_is_cut_at_every_separator() {
    let sep = sitewatch::fuzz_targets::PART_SEPARATOR;
    let joined = [&b"shp"[..], sep, b"", sep, b"dbf"].concat();
    assert_eq!(split_parts(&joined), vec![&b"shp"[..], b"", b"dbf"]);
    assert_eq!(split_parts(b"one"), vec![&b"one"[..]]);
}
