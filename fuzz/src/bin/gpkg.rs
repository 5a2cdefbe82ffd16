//! AFL++ target: `sitewatch::fuzz_targets::gpkg`.
fn main() {
    afl::fuzz!(|data: &[u8]| sitewatch::fuzz_targets::gpkg(data));
}
