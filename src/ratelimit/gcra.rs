//! The generic cell rate algorithm, on one cell: the theoretical arrival
//! time (TAT) of the next unit. A request of weight `w` on a rate of
//! `burst` per `period` (one unit every `interval`) is allowed when
//! `max(tat, now) + w·interval − burst·interval ≤ now`, and then moves the
//! TAT there. Times are microseconds. The same arithmetic runs in the
//! Redis script of [`super::shared`], so a limit holds the same whether
//! decided in process or across replicas.

use std::time::Duration;

use super::Rate;

/// What one decision on one cell found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Verdict {
    pub allowed: bool,
    /// Units left after this request (before it, when refused).
    pub remaining: u32,
    /// Until the cell is full again.
    pub reset: Duration,
    /// When refused: until the request would be allowed.
    pub retry_after: Duration,
}

/// Decides a request of `weight` at `now` on a cell whose TAT is `tat`
/// (none: a full cell); the new TAT when allowed.
pub fn decide(rate: &Rate, tat: Option<u64>, now: u64, weight: u32) -> (Verdict, Option<u64>) {
    let interval = rate.interval_us();
    let capacity = interval.saturating_mul(u64::from(rate.burst));
    let tat = tat.unwrap_or(now).max(now);
    let next = tat.saturating_add(interval.saturating_mul(u64::from(weight)));
    let allow_at = next.saturating_sub(capacity);
    if allow_at > now {
        let verdict = Verdict {
            allowed: false,
            remaining: units_left(capacity, tat - now, interval),
            reset: micros(tat - now),
            retry_after: micros(allow_at - now),
        };
        return (verdict, None);
    }
    let verdict = Verdict {
        allowed: true,
        remaining: units_left(capacity, next - now, interval),
        reset: micros(next - now),
        retry_after: Duration::ZERO,
    };
    (verdict, Some(next))
}

/// Whole units free when the cell is `used` microseconds ahead of now.
fn units_left(capacity: u64, used: u64, interval: u64) -> u32 {
    u32::try_from(capacity.saturating_sub(used) / interval).unwrap_or(u32::MAX)
}

fn micros(us: u64) -> Duration {
    Duration::from_micros(us)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn rate(text: &str) -> Rate {
        text.parse().unwrap()
    }

    /// Runs `count` requests of `weight` at `now`, carrying the TAT.
    fn run(rate: &Rate, tat: &mut Option<u64>, now: u64, weight: u32, count: usize) -> Vec<bool> {
        (0..count)
            .map(|_| {
                let (verdict, next) = decide(rate, *tat, now, weight);
                if next.is_some() {
                    *tat = next;
                }
                verdict.allowed
            })
            .collect()
    }

    #[test]
    fn a_full_cell_takes_a_burst_then_refuses() {
        let limit = rate("3/3s");
        let mut tat = None;
        assert_eq!(run(&limit, &mut tat, 0, 1, 4), [true, true, true, false]);
        let (verdict, _) = decide(&limit, tat, 0, 1);
        assert_eq!(verdict.remaining, 0);
        assert_eq!(verdict.retry_after, Duration::from_secs(1));
        assert_eq!(verdict.reset, Duration::from_secs(3));
    }

    #[test]
    fn units_come_back_evenly_over_the_period() {
        let limit = rate("3/3s");
        let mut tat = None;
        run(&limit, &mut tat, 0, 1, 3);
        // One second on: one unit back, not two.
        assert_eq!(run(&limit, &mut tat, 999_999, 1, 1), [false]);
        assert_eq!(run(&limit, &mut tat, 1_000_000, 1, 2), [true, false]);
        // After a whole period idle, a whole burst again.
        assert_eq!(
            run(&limit, &mut tat, 10_000_000, 1, 4),
            [true, true, true, false]
        );
    }

    #[test]
    fn retry_after_is_honest() {
        let limit = rate("2/1s");
        let mut tat = None;
        run(&limit, &mut tat, 0, 1, 2);
        let (refused, _) = decide(&limit, tat, 100_000, 1);
        assert!(!refused.allowed);
        let wait = u64::try_from(refused.retry_after.as_micros()).unwrap();
        assert!(!decide(&limit, tat, 100_000 + wait - 1, 1).0.allowed);
        assert!(decide(&limit, tat, 100_000 + wait, 1).0.allowed);
    }

    #[test]
    fn weights_spend_several_units_and_remaining_counts_down() {
        let budget = rate("100/1m");
        let (first, tat) = decide(&budget, None, 0, 60);
        assert_eq!((first.allowed, first.remaining), (true, 40));
        let (second, _) = decide(&budget, tat, 0, 41);
        assert_eq!((second.allowed, second.remaining), (false, 40));
        let (third, _) = decide(&budget, tat, 0, 40);
        assert_eq!((third.allowed, third.remaining), (true, 0));
        // More than the whole burst can never pass.
        assert!(!decide(&budget, None, 0, 101).0.allowed);
    }
}
