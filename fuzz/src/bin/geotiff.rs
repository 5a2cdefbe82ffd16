//! AFL++ target: `sitewatch::fuzz_targets::geotiff`.
fn main() {
    afl::fuzz!(|data: &[u8]| sitewatch::fuzz_targets::geotiff(data));
}
