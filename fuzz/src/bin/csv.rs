//! AFL++ target: `sitewatch::fuzz_targets::csv`.
fn main() {
    afl::fuzz!(|data: &[u8]| sitewatch::fuzz_targets::csv(data));
}
