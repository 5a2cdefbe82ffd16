//! AFL++ target: `sitewatch::fuzz_targets::pmtiles`.
fn main() {
    afl::fuzz!(|data: &[u8]| sitewatch::fuzz_targets::pmtiles(data));
}
