#!/usr/bin/env bash
# What CI checks, runnable locally: the tests (the README's command), formatting, clippy.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo test --locked
cargo fmt --all -- --check
cargo clippy --locked --all-targets -- -D warnings
