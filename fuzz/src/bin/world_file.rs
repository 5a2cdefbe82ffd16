//! AFL++ target: `sitewatch::fuzz_targets::world_file`.
fn main() {
    afl::fuzz!(|data: &[u8]| sitewatch::fuzz_targets::world_file(data));
}
