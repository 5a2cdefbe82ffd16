//! AFL++ target: `sitewatch::fuzz_targets::gpx`.
fn main() {
    afl::fuzz!(|data: &[u8]| sitewatch::fuzz_targets::gpx(data));
}
