//! AFL++ target: `sitewatch::fuzz_targets::kml`. Without the abort-on-panic hook: the `kml`
//! crate's reader panics on some input and Sitewatch catches that panic as an error (see
//! `interchange::kml::read_kml`); a panic anywhere else still escapes and aborts.
fn main() {
    afl::fuzz_nohook!(|data: &[u8]| sitewatch::fuzz_targets::kml(data));
}
