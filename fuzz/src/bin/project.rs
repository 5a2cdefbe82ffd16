//! AFL++ target: `sitewatch::fuzz_targets::project`.
fn main() {
    afl::fuzz!(|data: &[u8]| sitewatch::fuzz_targets::project(data));
}
