//! AFL++ target: `sitewatch::fuzz_targets::shapefile`.
fn main() {
    afl::fuzz!(|data: &[u8]| sitewatch::fuzz_targets::shapefile(data));
}
