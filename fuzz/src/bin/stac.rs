//! AFL++ target: `sitewatch::fuzz_targets::stac`.
fn main() {
    afl::fuzz!(|data: &[u8]| sitewatch::fuzz_targets::stac(data));
}
