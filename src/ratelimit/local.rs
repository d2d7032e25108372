//! Limits decided in this process: one cell (a TAT) per key, in a bounded
//! cache whose entries expire once idle for longer than the longest period
//! (by then a cell is full again, so forgetting it changes nothing). Used
//! when the store is embedded, and while a shared store does not answer.
//!
//! Our own cells rather than `governor`'s keyed limiter: its key map grows
//! with every key seen until swept by hand, and it has no bound; an
//! attacker varying client addresses must not be able to grow ours.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use moka::sync::Cache;
use tokio::time::Instant;

use super::gcra::{decide, Verdict};
use super::Rate;

/// Bytes of cells (keys and their overhead) remembered at most; past it
/// the least recently used go (their callers start from a full cell). A
/// key is as long as the caller's id, so the bound is in bytes, not keys.
pub const MAX_CELL_BYTES: u64 = 128 * 1024 * 1024;
/// What one cell costs besides its key.
const CELL_OVERHEAD: u32 = 64;

/// In-process cells.
#[derive(Clone)]
pub struct LocalCells {
    cells: Cache<String, Arc<AtomicU64>>,
    /// Times are microseconds since this instant.
    epoch: Instant,
}

impl LocalCells {
    /// Cells forgotten after `idle` without a request (the longest period).
    pub fn new(idle: Duration) -> Self {
        Self {
            cells: Cache::builder()
                .max_capacity(MAX_CELL_BYTES)
                .weigher(|key: &String, _| {
                    u32::try_from(key.len())
                        .unwrap_or(u32::MAX)
                        .saturating_add(CELL_OVERHEAD)
                })
                .time_to_idle(idle.max(Duration::from_secs(1)))
                .build(),
            epoch: Instant::now(),
        }
    }

    /// Decides every `(key, rate, weight)` together: all are spent when all
    /// allow, none otherwise. The verdicts, in order.
    pub fn decide_all(&self, requests: &[(&str, Rate, u32)]) -> Vec<Verdict> {
        let now = self.now();
        let cells: Vec<Arc<AtomicU64>> = requests
            .iter()
            .map(|(key, _, _)| {
                self.cells
                    .get_with_by_ref(*key, || Arc::new(AtomicU64::new(0)))
            })
            .collect();
        loop {
            let seen: Vec<u64> = cells.iter().map(|c| c.load(Ordering::Acquire)).collect();
            let decided: Vec<(Verdict, Option<u64>)> = requests
                .iter()
                .zip(&seen)
                .map(|((_, rate, weight), tat)| decide(rate, stored(*tat), now, *weight))
                .collect();
            let verdicts: Vec<Verdict> = decided.iter().map(|(v, _)| *v).collect();
            if verdicts.iter().any(|v| !v.allowed) {
                return verdicts;
            }
            if self.commit(&cells, &seen, &decided) {
                return verdicts;
            }
        }
    }

    /// Moves every cell from what was seen to its new TAT; false (and
    /// nothing moved) when another request moved one first.
    fn commit(
        &self,
        cells: &[Arc<AtomicU64>],
        seen: &[u64],
        decided: &[(Verdict, Option<u64>)],
    ) -> bool {
        for (i, cell) in cells.iter().enumerate() {
            let next = decided[i].1.unwrap_or(seen[i]);
            if cell
                .compare_exchange(seen[i], next, Ordering::AcqRel, Ordering::Acquire)
                .is_err()
            {
                // Put back what this attempt already moved.
                for (j, moved) in cells.iter().enumerate().take(i) {
                    let next = decided[j].1.unwrap_or(seen[j]);
                    let _ =
                        moved.compare_exchange(next, seen[j], Ordering::AcqRel, Ordering::Acquire);
                }
                return false;
            }
        }
        true
    }

    fn now(&self) -> u64 {
        // Offset by one so that 0 can mean "never used".
        u64::try_from(self.epoch.elapsed().as_micros()).unwrap_or(u64::MAX) + 1
    }
}

fn stored(tat: u64) -> Option<u64> {
    (tat != 0).then_some(tat)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[tokio::test(start_paused = true)]
    async fn cells_are_per_key_and_refill_with_time() {
        let cells = LocalCells::new(Duration::from_secs(60));
        let rate: Rate = "2/1s".parse().unwrap();
        let ask = |key: &str| cells.decide_all(&[(key, rate, 1)])[0].allowed;
        assert!(ask("a") && ask("a"));
        assert!(!ask("a"));
        assert!(ask("b"), "another key has its own cell");
        tokio::time::advance(Duration::from_millis(500)).await;
        assert!(ask("a"));
        assert!(!ask("a"));
    }

    #[tokio::test(start_paused = true)]
    async fn several_cells_are_spent_together_or_not_at_all() {
        let cells = LocalCells::new(Duration::from_secs(60));
        let caller: Rate = "10/1s".parse().unwrap();
        let address: Rate = "1/1s".parse().unwrap();
        let both = [("caller", caller, 1), ("address", address, 1)];
        assert!(cells.decide_all(&both).iter().all(|v| v.allowed));
        let refused = cells.decide_all(&both);
        assert!(refused[0].allowed && !refused[1].allowed);
        // The caller's cell was not spent by the refused request.
        assert_eq!(cells.decide_all(&[("caller", caller, 1)])[0].remaining, 8);
    }
}
