//! Every error variant, built with a path or URL: the printed chain (as the window and the CLI
//! show it) names the file or URL once, and no message embeds its cause's text. Each area's
//! list goes through a `match` without a wildcard, so a new variant fails to compile here until
//! it has a case.

#![allow(clippy::unwrap_used, reason = "test helpers fail loudly")]

mod core_errors;
mod imagery_errors;

use std::error::Error;

use sitewatch::app::error_chain;

/// A path no message has of its own.
pub(crate) const PATH: &str = "/srv/analyst/needle-7f3a.tif";
/// A URL no message has of its own.
pub(crate) const URL: &str = "http://127.0.0.1:9/needle-7f3a/cog.tif";

/// One variant: its name, the error, and what it must name once (`None`: it names no file).
pub(crate) struct Case {
    /// `Enum::Variant`.
    pub(crate) what: &'static str,
    /// The error.
    pub(crate) error: Box<dyn Error>,
    /// The path or URL it names.
    pub(crate) names: Option<&'static str>,
}

/// A case that names `names` once.
pub(crate) fn naming(what: &'static str, error: impl Error + 'static, names: &'static str) -> Case {
    Case {
        what,
        error: Box::new(error),
        names: Some(names),
    }
}

/// A case about no file.
pub(crate) fn plain(what: &'static str, error: impl Error + 'static) -> Case {
    Case {
        what,
        error: Box::new(error),
        names: None,
    }
}

/// An OS error as a missing file gives it.
pub(crate) fn io_error() -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::NotFound, "No such file or directory")
}

/// A JSON syntax error.
pub(crate) fn json_error() -> serde_json::Error {
    serde_json::from_str::<serde_json::Value>("{\"a\": ").unwrap_err()
}

/// Checks every case; all failures are reported together.
pub(crate) fn check(cases: &[Case]) {
    let mut failures = Vec::new();
    for case in cases {
        let chain = error_chain(case.error.as_ref());
        if let Some(name) = case.names {
            let count = chain.matches(name).count();
            if count != 1 {
                failures.push(format!(
                    "{}: names {name} {count} times in «{chain}»",
                    case.what
                ));
            }
        }
        let mut link: &dyn Error = case.error.as_ref();
        while let Some(cause) = link.source() {
            let (outer, inner) = (link.to_string(), cause.to_string());
            if !inner.is_empty() && outer.contains(&inner) {
                failures.push(format!(
                    "{}: «{outer}» repeats its cause «{inner}»",
                    case.what
                ));
            }
            link = cause;
        }
        if chain.trim().is_empty() {
            failures.push(format!("{}: says nothing", case.what));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
