//! The runs of a reader flow as a plain model: one run, or one per poll
//! until stopped; what the status line says after each run (the page words
//! it in its language) and whether the flow runs again. The page drives it
//! with the outcome of each run; nothing here touches the DOM or a clock.

/// How one run of a flow ended.
#[derive(Clone, Debug, PartialEq)]
pub enum Ended {
    /// The port went away (unplugged); the readings taken stay.
    Lost,
    /// The flow could not run (bad options, no connection…), in words.
    Failed(String),
    /// Cancelled by the user.
    Cancelled,
    /// It ran to its end (some items may have failed).
    Ran,
}

/// What the status line says.
#[derive(Clone, Debug, PartialEq)]
pub enum Status {
    Lost,
    Failed(String),
    Cancelled {
        ms: f64,
    },
    /// Done in `ms`; `failed` items failed; `polls` counts the runs when polling.
    Done {
        ms: f64,
        failed: usize,
        polls: Option<usize>,
    },
    /// A poll stopped by the user after `polls` runs.
    PollStopped {
        polls: usize,
    },
}

/// A flow's runs.
#[derive(Clone, Debug, PartialEq)]
pub struct Runs {
    poll: bool,
    polls: usize,
    /// The last run ended the flow (lost, failed or cancelled).
    broken: bool,
}

impl Runs {
    pub fn new(poll: bool) -> Runs {
        Runs { poll, polls: 0, broken: false }
    }

    /// Runs that ran to their end.
    pub fn polls(&self) -> usize {
        self.polls
    }

    /// After a run that took `ms`, in which `failed` items failed: the
    /// status to show (none keeps what the flow itself said, such as a
    /// clock set, when nothing failed and it is not polling) and whether to
    /// run again (polling, and not stopped by the run's end).
    pub fn after(&mut self, ended: Ended, ms: f64, failed: usize, flow_said: bool) -> (Option<Status>, bool) {
        let status = match ended {
            Ended::Lost => Status::Lost,
            Ended::Failed(why) => Status::Failed(why),
            Ended::Cancelled => Status::Cancelled { ms },
            Ended::Ran => {
                self.polls += 1;
                let polls = self.poll.then_some(self.polls);
                if flow_said && !self.poll && failed == 0 {
                    return (None, false);
                }
                return (Some(Status::Done { ms, failed, polls }), self.poll);
            }
        };
        self.broken = true;
        (Some(status), false)
    }

    /// The poll ended by the user's stop (not a cancel, a loss or a failure):
    /// how many runs it made.
    pub fn finish(&self, cancelled: bool) -> Option<Status> {
        (self.poll && !cancelled && !self.broken && self.polls > 0).then_some(Status::PollStopped { polls: self.polls })
    }
}

/// Polled rows kept with the time of their poll: `rows` added at `at`, at
/// most `limit` kept, the oldest dropped first.
pub fn keep_polls<T>(list: &mut Vec<(f64, T)>, at: f64, rows: Vec<T>, limit: usize) {
    list.extend(rows.into_iter().map(|r| (at, r)));
    if list.len() > limit {
        list.drain(..list.len() - limit);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_run_says_how_it_ended() {
        let mut r = Runs::new(false);
        assert_eq!(
            r.after(Ended::Ran, 120.0, 0, false),
            (Some(Status::Done { ms: 120.0, failed: 0, polls: None }), false)
        );
        // The flow's own words stay when all went well (a clock set).
        assert_eq!(Runs::new(false).after(Ended::Ran, 5.0, 0, true), (None, false));
        // Failures are said even then.
        assert_eq!(
            Runs::new(false).after(Ended::Ran, 5.0, 2, true).0,
            Some(Status::Done { ms: 5.0, failed: 2, polls: None })
        );
        assert_eq!(
            Runs::new(false).after(Ended::Cancelled, 9.0, 0, false),
            (Some(Status::Cancelled { ms: 9.0 }), false)
        );
        assert_eq!(Runs::new(false).after(Ended::Lost, 9.0, 0, false), (Some(Status::Lost), false));
        let failed = Runs::new(false).after(Ended::Failed("no port".into()), 0.0, 0, false);
        assert_eq!(failed, (Some(Status::Failed("no port".into())), false));
        assert_eq!(r.finish(false), None);
    }

    #[test]
    fn a_poll_counts_its_runs_until_stopped() {
        let mut r = Runs::new(true);
        for n in 1..=3 {
            let (status, again) = r.after(Ended::Ran, 10.0, 0, true);
            assert_eq!(status, Some(Status::Done { ms: 10.0, failed: 0, polls: Some(n) }));
            assert!(again);
        }
        assert_eq!(r.finish(false), Some(Status::PollStopped { polls: 3 }));
        assert_eq!(r.finish(true), None, "a cancel says cancelled instead");
        let (status, again) = r.after(Ended::Cancelled, 4.0, 0, false);
        assert_eq!((status, again), (Some(Status::Cancelled { ms: 4.0 }), false));
        assert_eq!(r.finish(false), None, "the cancel's words stay");
        let mut lost = Runs::new(true);
        lost.after(Ended::Ran, 1.0, 0, false);
        lost.after(Ended::Lost, 1.0, 0, false);
        assert_eq!(lost.finish(false), None);
    }

    #[test]
    fn polls_keep_the_newest_rows() {
        let mut list = vec![];
        keep_polls(&mut list, 1.0, vec!['a', 'b'], 3);
        keep_polls(&mut list, 2.0, vec!['c', 'd'], 3);
        assert_eq!(list, [(1.0, 'b'), (2.0, 'c'), (2.0, 'd')]);
    }
}
