//! AFL++ target: `sitewatch::fuzz_targets::kmz`.
fn main() {
    afl::fuzz!(|data: &[u8]| sitewatch::fuzz_targets::kmz(data));
}
