//! AFL++ target: `sitewatch::fuzz_targets::geojson`.
fn main() {
    afl::fuzz!(|data: &[u8]| sitewatch::fuzz_targets::geojson(data));
}
