//! A request-rate cap per environment, so that a run never hammers a shared ROR
//! environment (production above all) whatever the number of concurrent scenarios.

use std::time::Duration;

use tokio::sync::Mutex;
use tokio::time::Instant;

/// Spaces requests at least `1 / rate` seconds apart, across every task that shares it.
#[derive(Debug)]
pub struct RateLimiter {
    interval: Duration,
    next_slot: Mutex<Option<Instant>>,
}

impl RateLimiter {
    /// At most `per_second` requests per second; `None` when the rate is not a positive
    /// finite number (no cap).
    pub fn per_second(per_second: f64) -> Option<Self> {
        if !(per_second.is_finite() && per_second > 0.0) {
            return None;
        }
        Some(RateLimiter {
            interval: Duration::from_secs_f64(1.0 / per_second),
            next_slot: Mutex::new(None),
        })
    }

    /// The cap, in requests per second.
    pub fn per_second_value(&self) -> f64 {
        1.0 / self.interval.as_secs_f64()
    }

    /// Waits for the next free slot and takes it.
    pub async fn acquire(&self) {
        let wait_until = {
            let mut next = self.next_slot.lock().await;
            let now = Instant::now();
            let slot = next.map_or(now, |n| n.max(now));
            *next = Some(slot + self.interval);
            slot
        };
        tokio::time::sleep_until(wait_until).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn requests_are_spaced_by_the_interval_across_tasks() {
        let limiter = std::sync::Arc::new(RateLimiter::per_second(4.0).expect("positive rate"));
        let start = Instant::now();
        let mut tasks = tokio::task::JoinSet::new();
        for _ in 0..5 {
            let l = limiter.clone();
            tasks.spawn(async move {
                l.acquire().await;
                Instant::now()
            });
        }
        let mut times: Vec<Duration> = tasks
            .join_all()
            .await
            .into_iter()
            .map(|t| t - start)
            .collect();
        times.sort();
        // Paused clock: the slots are exactly 0, 250, 500, 750 and 1000 ms.
        assert_eq!(times.first(), Some(&Duration::ZERO));
        assert_eq!(times.last(), Some(&Duration::from_millis(1000)));
        for pair in times.windows(2) {
            assert!(pair[1] - pair[0] >= Duration::from_millis(250), "{times:?}");
        }
    }

    #[test]
    fn a_zero_or_negative_rate_means_no_cap() {
        assert!(RateLimiter::per_second(0.0).is_none());
        assert!(RateLimiter::per_second(-1.0).is_none());
        assert!(RateLimiter::per_second(f64::NAN).is_none());
    }
}
