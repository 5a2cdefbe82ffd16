//! AFL++ target: `sitewatch::fuzz_targets::kml`.
fn main() {
    afl::fuzz!(|data: &[u8]| sitewatch::fuzz_targets::kml(data));
}
