#!/usr/bin/env bash
# Fuzzes Sitewatch's readers with AFL++ on the stable toolchain, then minimises each target's
# queue into corpus/<target>/*.gz (committed; `cargo test --test fuzz_corpus` replays it).
#
#   fuzz/run.sh [SECONDS] [TARGET...]      e.g. fuzz/run.sh 600            (every target)
#                                                fuzz/run.sh 60 geotiff kml (two, a minute each)
#
# JOBS=N runs N targets at a time (default: the number of cores). Needs `cargo install
# cargo-afl` and `cargo afl config --build` once. Findings: out/<target>/default/{crashes,hangs}.
set -euo pipefail
cd "$(dirname "$0")"
secs=${1:-600}
shift || true
if [ "$#" -gt 0 ]; then
  targets=("$@")
else
  mapfile -t targets < <(ls src/bin | sed -n 's/\.rs$//p' | grep -v '^make_seeds$')
fi
jobs=${JOBS:-$(nproc)}
afl_bin=$(ls -d "${XDG_DATA_HOME:-$HOME/.local/share}"/afl.rs/rustc-*/afl.rs-*/afl/bin | tail -1)

cargo afl build --release
rm -rf seeds
target/release/make_seeds
mkdir -p out corpus

fuzz_one() {
  local t=$1
  rm -rf "out/$t"
  # A corpus from an earlier run joins the seeds, so each run starts where the last one ended.
  mkdir -p "seeds/$t"
  for f in corpus/"$t"/*.gz; do
    [ -f "$f" ] && gunzip -c "$f" > "seeds/$t/$(basename "$f" .gz)"
  done
  AFL_SKIP_CPUFREQ=1 AFL_NO_UI=1 AFL_NO_AFFINITY=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 \
    cargo afl fuzz -i "seeds/$t" -o "out/$t" -V "$secs" -t 2000 -- "target/release/$t" \
    > "out/$t.log" 2>&1 || true
  local stats="out/$t/default/fuzzer_stats"
  if [ -f "$stats" ]; then
    printf '%-11s %s\n' "$t" "$(grep -E '^(execs_done|execs_per_sec|corpus_count|saved_crashes|saved_hangs|run_time)' "$stats" | tr -s ' ' | tr '\n' ' ')"
  else
    echo "$t: afl-fuzz did not start; see out/$t.log"
  fi
  rm -rf "corpus/$t.new"
  # afl-cmin.awk: the Python afl-cmin finds no tuples in the smallest targets' traces.
  AFL_PATH=$afl_bin AFL_SKIP_CPUFREQ=1 "$afl_bin/afl-cmin.awk" -i "out/$t/default/queue" \
    -o "corpus/$t.new" -t 2000 -- "target/release/$t" > "out/$t.cmin.log" 2>&1 || { echo "$t: cmin failed; see out/$t.cmin.log"; return; }
  # Content-named, gzipped files: plain names in git, the same input never committed twice,
  # and a fifth of the bytes (GeoPackages and projects are mostly repetition).
  for f in "corpus/$t.new"/*; do
    gzip -9 -n -c "$f" > "corpus/$t.new/$(sha1sum "$f" | cut -c1-16).gz" && rm "$f"
  done
  rm -rf "corpus/$t" && mv "corpus/$t.new" "corpus/$t"
}

running=0
for t in "${targets[@]}"; do
  fuzz_one "$t" &
  running=$((running + 1))
  if [ "$running" -ge "$jobs" ]; then
    wait -n
    running=$((running - 1))
  fi
done
wait
