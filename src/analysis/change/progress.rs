//! How far a run has come, and a way to stop it: the window runs the finder on a worker with a
//! progress bar and a Cancel button, the command line does not watch.
//!
//! A run reports at its few long steps (reading, each scoring pass, outlining). Stopping takes
//! effect at the next report, so a cancelled run ends within one step.

use super::ChangeError;

/// Told the fraction of the run done (0–1) and what it does now; answers whether to go on.
pub type Progress<'a> = &'a dyn Fn(f32, &str) -> bool;

/// A watcher that never stops the run.
pub fn unwatched() -> impl Fn(f32, &str) -> bool {
    |_: f32, _: &str| true
}

/// Reports `fraction` and `stage`; [`ChangeError::Cancelled`] when the watcher says stop.
pub fn report(progress: Progress<'_>, fraction: f32, stage: &str) -> Result<(), ChangeError> {
    if progress(fraction.clamp(0.0, 1.0), stage) {
        Ok(())
    } else {
        Err(ChangeError::Cancelled)
    }
}

/// The watcher of a part of the run that spans `from`–`to` of the whole.
pub fn part(progress: Progress<'_>, from: f32, to: f32) -> impl Fn(f32, &str) -> bool + '_ {
    move |fraction: f32, stage: &str| progress(from + (to - from) * fraction.clamp(0.0, 1.0), stage)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::RefCell;

    #[test]
    fn a_part_maps_its_fractions_into_its_span_of_the_whole() {
        let seen = RefCell::new(Vec::new());
        let whole = |f: f32, s: &str| {
            seen.borrow_mut().push((f, s.to_owned()));
            true
        };
        let half = part(&whole, 0.5, 1.0);
        assert!(report(&half, 0.0, "a").is_ok());
        assert!(report(&half, 0.5, "b").is_ok());
        assert!(report(&half, 2.0, "c").is_ok());
        assert_eq!(
            *seen.borrow(),
            vec![
                (0.5, "a".to_owned()),
                (0.75, "b".to_owned()),
                (1.0, "c".to_owned())
            ]
        );
    }

    #[test]
    fn a_watcher_that_says_stop_cancels_the_run() {
        let stop = |_: f32, _: &str| false;
        assert!(matches!(
            report(&stop, 0.1, "reading"),
            Err(ChangeError::Cancelled)
        ));
        assert!(report(&unwatched(), 0.1, "reading").is_ok());
    }
}
