//! AFL++ target: `sitewatch::fuzz_targets::wkt`.
fn main() {
    afl::fuzz!(|data: &[u8]| sitewatch::fuzz_targets::wkt(data));
}
