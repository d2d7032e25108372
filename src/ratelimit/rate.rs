//! A rate: a burst of `n` and the period over which it refills evenly,
//! written `n/period` (`20/10s`: twenty at once, one more every half
//! second; periods in `ms`, `s`, `m`, `h` or `d`).

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Longest period a rate may have.
pub const MAX_PERIOD: Duration = Duration::from_secs(7 * 24 * 3600);

/// `burst` units at once, refilled evenly over `period`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Rate {
    pub burst: u32,
    pub period: Duration,
}

impl Rate {
    /// How long one unit takes to come back.
    pub fn interval(&self) -> Duration {
        Duration::from_micros(self.interval_us())
    }

    /// How long one unit takes to come back, in microseconds (at least 1).
    pub fn interval_us(&self) -> u64 {
        let period = u64::try_from(self.period.as_micros()).unwrap_or(u64::MAX);
        (period / u64::from(self.burst.max(1))).max(1)
    }
}

/// Why a rate does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a rate: write n/period, as in 20/10s or 1000/1h (ms, s, m, h, d), n from 1, period up to 7d")]
pub struct RateError(pub String);

impl FromStr for Rate {
    type Err = RateError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let invalid = || RateError(text.to_string());
        let (burst, period) = text.trim().split_once('/').ok_or_else(invalid)?;
        let burst: u32 = burst.trim().parse().map_err(|_| invalid())?;
        let period = parse_period(period.trim()).ok_or_else(invalid)?;
        if burst == 0 || period.is_zero() || period > MAX_PERIOD {
            return Err(invalid());
        }
        Ok(Self { burst, period })
    }
}

/// `10s`, `1m`, `500ms`, `1h`, `1d`; a bare unit means one of it (`s`).
fn parse_period(text: &str) -> Option<Duration> {
    let digits = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(digits);
    let count: u64 = match number {
        "" => 1,
        n => n.parse().ok()?,
    };
    let unit_ms: u64 = match unit {
        "ms" => 1,
        "s" => 1_000,
        "m" => 60_000,
        "h" => 3_600_000,
        "d" => 86_400_000,
        _ => return None,
    };
    Some(Duration::from_millis(count.checked_mul(unit_ms)?))
}

impl fmt::Display for Rate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ms = self.period.as_millis();
        let (count, unit) = match ms {
            ms if ms % 86_400_000 == 0 => (ms / 86_400_000, "d"),
            ms if ms % 3_600_000 == 0 => (ms / 3_600_000, "h"),
            ms if ms % 60_000 == 0 => (ms / 60_000, "m"),
            ms if ms % 1_000 == 0 => (ms / 1_000, "s"),
            ms => (ms, "ms"),
        };
        write!(f, "{}/{count}{unit}", self.burst)
    }
}

impl Serialize for Rate {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Rate {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn rates_parse_and_print_back() {
        for (text, burst, period_ms, printed) in [
            ("20/10s", 20, 10_000, "20/10s"),
            ("1000/1h", 1000, 3_600_000, "1000/1h"),
            ("5/500ms", 5, 500, "5/500ms"),
            (" 3 / m ", 3, 60_000, "3/1m"),
            ("100/90s", 100, 90_000, "100/90s"),
            ("7/1d", 7, 86_400_000, "7/1d"),
        ] {
            let rate: Rate = text.parse().unwrap();
            assert_eq!(
                (rate.burst, rate.period),
                (burst, Duration::from_millis(period_ms))
            );
            assert_eq!(rate.to_string(), printed);
        }
    }

    #[test]
    fn nonsense_is_refused_with_the_text() {
        for text in [
            "", "20", "0/1s", "20/0s", "20/1w", "20/8d", "-1/1s", "x/1s", "20/s1",
        ] {
            let error = text.parse::<Rate>().unwrap_err();
            assert!(error.to_string().contains("is not a rate"), "{text}");
        }
    }

    #[test]
    fn the_interval_spreads_the_period_over_the_burst() {
        let rate: Rate = "20/10s".parse().unwrap();
        assert_eq!(rate.interval_us(), 500_000);
        let fast: Rate = "4000000/1s".parse().unwrap();
        assert_eq!(fast.interval_us(), 1);
    }
}
