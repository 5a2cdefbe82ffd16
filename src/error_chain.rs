//! An error and its causes on one line, each once: how the window and the CLI print failures.

/// An error and its causes, each once: "cannot write the measures CSV: /x.csv: Permission
/// denied", as the window's messages and the CLI show them.
#[must_use]
pub fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
