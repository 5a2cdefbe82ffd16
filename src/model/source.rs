//! Sources and the citations that point at them.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::date::FuzzyDate;

/// How strongly a source supports what cites it (the words of `tumen-crossing.md`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Evidence {
    /// The source itself says it (or shows it in imagery).
    Confirmed,
    /// One secondary outlet says it.
    Reported,
    /// Computed or inferred from what sources say; the app must say so.
    Derived,
}

impl Evidence {
    /// The lower-case word used in files and on screen.
    pub fn word(self) -> &'static str {
        match self {
            Evidence::Confirmed => "confirmed",
            Evidence::Reported => "reported",
            Evidence::Derived => "derived",
        }
    }
}

/// A publication the project cites: an article, an imagery report, an encyclopedia entry.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Source {
    /// Short unique key that stages and annotations cite, e.g. `csis-oct`.
    pub key: String,
    /// Who published it, e.g. "CSIS Beyond Parallel".
    pub outlet: String,
    /// Title or description.
    pub title: String,
    /// Where to read it; `None` when it was not recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Publication date, with the precision known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<FuzzyDate>,
    /// How strongly this source itself supports what it says.
    pub evidence: Evidence,
    /// Fields this version does not know, kept for the next save.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// One stage's or annotation's reference to a [`Source`], with the evidence for this use of it.
///
/// The same article can confirm a date and only allow a position to be *derived*: the evidence
/// word belongs to the citation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Citation {
    /// Key of the cited [`Source`].
    pub source: String,
    /// How strongly the source supports this particular thing.
    pub evidence: Evidence,
    /// What exactly the source says or how it was used ("placed ~300 m N of the bridgehead").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// Fields this version does not know, kept for the next save.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Citation {
    /// A citation with no detail.
    pub fn new(source: impl Into<String>, evidence: Evidence) -> Self {
        Self {
            source: source.into(),
            evidence,
            detail: None,
            extra: Map::new(),
        }
    }
}
