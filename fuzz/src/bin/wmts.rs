//! AFL++ target: `sitewatch::fuzz_targets::wmts`.
fn main() {
    afl::fuzz!(|data: &[u8]| sitewatch::fuzz_targets::wmts(data));
}
