//! Ids and keys no other item of their kind has: one rule for annotations, layers, categories,
//! sources and imported features.

/// `base` when it is free, else the first free of `base-2`, `base-3`, …
#[must_use]
pub fn unique_id(base: &str, taken: impl Fn(&str) -> bool) -> String {
    if taken(base) {
        numbered(base, 2, taken)
    } else {
        base.to_owned()
    }
}

/// The first free of `prefix-1`, `prefix-2`, … (ids that always carry a number).
#[must_use]
pub fn numbered_id(prefix: &str, taken: impl Fn(&str) -> bool) -> String {
    numbered(prefix, 1, taken)
}

fn numbered(base: &str, first: usize, taken: impl Fn(&str) -> bool) -> String {
    // Every candidate is checked once; the set of taken ids is finite, so one is free.
    (first..usize::MAX)
        .map(|n| format!("{base}-{n}"))
        .find(|id| !taken(id))
        .unwrap_or_else(|| base.to_owned())
}

/// A key made of a name's words, lower case, joined by `-` ("  Rail yard! " → `rail-yard`);
/// `fallback` when the name has no letters or digits. At most `max_words` words when given.
#[must_use]
pub fn slug(name: &str, max_words: Option<usize>, fallback: &str) -> String {
    let words = name
        .to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .take(max_words.unwrap_or(usize::MAX))
        .collect::<Vec<_>>();
    if words.is_empty() {
        fallback.to_owned()
    } else {
        words.join("-")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_free_base_is_kept_and_a_taken_one_gets_the_first_free_number() {
        let taken = ["road", "road-2"];
        assert_eq!(unique_id("rail", |s| taken.contains(&s)), "rail");
        assert_eq!(unique_id("road", |s| taken.contains(&s)), "road-3");
        assert_eq!(numbered_id("road", |s| taken.contains(&s)), "road-1");
        assert_eq!(numbered_id("road", |s| s == "road-1"), "road-2");
    }

    #[test]
    fn slugs_keep_words_and_fall_back_when_empty() {
        assert_eq!(slug("  Rail yard! ", None, "category"), "rail-yard");
        assert_eq!(
            slug("Radio Free Asia News", Some(3), "source"),
            "radio-free-asia"
        );
        assert_eq!(slug("!!", None, "category"), "category");
    }
}
