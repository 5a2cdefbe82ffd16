//! AFL++ target: `sitewatch::fuzz_targets::wayback`.
fn main() {
    afl::fuzz!(|data: &[u8]| sitewatch::fuzz_targets::wayback(data));
}
