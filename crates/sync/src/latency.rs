//! Latency per endpoint in HDR histograms: the last complete second for the live view, and
//! per-minute rollups that are stored in the device's database.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::Duration;

use hdrhistogram::Histogram;
use serde::Serialize;
use storedesk_store::latency::Rollup;

/// One endpoint over one second.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SecondSnapshot {
    pub endpoint: String,
    /// The second's start, Unix milliseconds.
    pub second: i64,
    pub count: u64,
    pub errors: u64,
    pub p50_us: u64,
    pub p95_us: u64,
    pub p99_us: u64,
    /// The second's slowest call that has a trace id (central calls always do; local commands
    /// when traces are exported): its latency and trace id, to find it in a collector or in
    /// central's logs.
    pub slowest_us: u64,
    pub slowest_trace: Option<String>,
}

struct Window {
    start: i64,
    histogram: Histogram<u64>,
    errors: u64,
    slowest: Option<(u64, String)>,
}

impl Window {
    fn new(start: i64) -> Self {
        // 1 us to 10 minutes at 2 significant digits: a few KB per window.
        let histogram = Histogram::new_with_bounds(1, 600_000_000, 2).expect("constant bounds are valid");
        Window { start, histogram, errors: 0, slowest: None }
    }

    fn quantile(&self, q: f64) -> u64 {
        self.histogram.value_at_quantile(q)
    }
}

#[derive(Default)]
struct Endpoint {
    /// Every call since the recorder was made.
    total: Option<Window>,
    second: Option<Window>,
    minute: Option<Window>,
    last_second: Option<SecondSnapshot>,
    finished_minutes: Vec<Rollup>,
}

/// One call as recorded: how long it took, whether it succeeded, its trace id if it has one.
#[derive(Clone, Copy, Debug)]
pub struct Call<'a> {
    pub elapsed: Duration,
    pub ok: bool,
    pub trace: Option<&'a str>,
}

/// Records call latencies; shared between the engine and whoever reads the snapshots.
#[derive(Default)]
pub struct LatencyRecorder {
    endpoints: Mutex<BTreeMap<String, Endpoint>>,
}

fn rollup(endpoint: &str, w: &Window) -> Rollup {
    Rollup {
        minute: w.start,
        endpoint: endpoint.to_string(),
        count: w.histogram.len() as i64,
        errors: w.errors as i64,
        p50_us: w.quantile(0.50) as i64,
        p95_us: w.quantile(0.95) as i64,
        p99_us: w.quantile(0.99) as i64,
        max_us: w.histogram.max() as i64,
    }
}

fn second_snapshot(endpoint: &str, w: &Window) -> SecondSnapshot {
    SecondSnapshot {
        endpoint: endpoint.to_string(),
        second: w.start,
        count: w.histogram.len(),
        errors: w.errors,
        p50_us: w.quantile(0.50),
        p95_us: w.quantile(0.95),
        p99_us: w.quantile(0.99),
        slowest_us: w.slowest.as_ref().map_or(0, |s| s.0),
        slowest_trace: w.slowest.as_ref().map(|s| s.1.clone()),
    }
}

impl LatencyRecorder {
    pub fn new() -> Self {
        Self::default()
    }

    /// Records one call of `endpoint` that took `elapsed`, at `now_ms`, with its trace id if it
    /// has one.
    pub fn record_at(&self, endpoint: &str, call: Call<'_>, now_ms: i64) {
        let Call { elapsed, ok, trace } = call;
        let micros = (elapsed.as_micros() as u64).clamp(1, 600_000_000);
        let second = now_ms - now_ms.rem_euclid(1000);
        let minute = now_ms - now_ms.rem_euclid(60_000);
        let mut endpoints = self.endpoints.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let e = endpoints.entry(endpoint.to_string()).or_default();
        if e.second.as_ref().is_some_and(|w| w.start != second)
            && let Some(done) = e.second.take()
        {
            e.last_second = Some(second_snapshot(endpoint, &done));
        }
        if e.minute.as_ref().is_some_and(|w| w.start != minute)
            && let Some(done) = e.minute.take()
        {
            e.finished_minutes.push(rollup(endpoint, &done));
        }
        for (window, start) in [(&mut e.total, 0), (&mut e.second, second), (&mut e.minute, minute)] {
            let w = window.get_or_insert_with(|| Window::new(start));
            let _ = w.histogram.record(micros);
            if !ok {
                w.errors += 1;
            }
        }
        if let (Some(trace), Some(second)) = (trace, e.second.as_mut())
            && second.slowest.as_ref().is_none_or(|s| s.0 < micros)
        {
            second.slowest = Some((micros, trace.to_string()));
        }
    }

    pub fn record(&self, endpoint: &str, call: Call<'_>) {
        self.record_at(endpoint, call, jiff::Timestamp::now().as_millisecond());
    }

    /// The last complete second for every endpoint seen, as of `now_ms`; an endpoint without calls
    /// in that second reports a count of zero.
    pub fn snapshot_at(&self, now_ms: i64) -> Vec<SecondSnapshot> {
        let previous = now_ms - now_ms.rem_euclid(1000) - 1000;
        let endpoints = self.endpoints.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        endpoints
            .iter()
            .map(|(name, e)| {
                let in_progress =
                    e.second.as_ref().filter(|w| w.start == previous).map(|w| second_snapshot(name, w));
                let finished = e.last_second.clone().filter(|s| s.second == previous);
                in_progress.or(finished).unwrap_or(SecondSnapshot {
                    endpoint: name.clone(),
                    second: previous,
                    ..Default::default()
                })
            })
            .collect()
    }

    pub fn snapshot(&self) -> Vec<SecondSnapshot> {
        self.snapshot_at(jiff::Timestamp::now().as_millisecond())
    }

    /// Every call since the recorder was made, all endpoints together: `(calls, errors, p50, p99)`
    /// with the percentiles in microseconds.
    pub fn overall(&self) -> (u64, u64, u64, u64) {
        let endpoints = self.endpoints.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let mut merged = Window::new(0);
        for w in endpoints.values().filter_map(|e| e.total.as_ref()) {
            let _ = merged.histogram.add(&w.histogram);
            merged.errors += w.errors;
        }
        (merged.histogram.len(), merged.errors, merged.quantile(0.5), merged.quantile(0.99))
    }

    /// Finished minutes, and the minute in progress so far (saved again, larger, when it ends).
    pub fn take_rollups(&self) -> Vec<Rollup> {
        let mut endpoints = self.endpoints.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let mut out = Vec::new();
        for (name, e) in endpoints.iter_mut() {
            out.append(&mut e.finished_minutes);
            if let Some(w) = &e.minute {
                out.push(rollup(name, w));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seconds_and_minutes_roll_over_with_their_percentiles() {
        let rec = LatencyRecorder::new();
        let t0 = 1_800_000_000_000_i64; // a minute boundary
        for i in 1..=100_u64 {
            let trace = format!("{i:032x}");
            let call = Call { elapsed: Duration::from_micros(i * 100), ok: i % 10 != 0, trace: Some(&trace) };
            rec.record_at("POST /v1/events", call, t0 + 10);
        }
        // An untraced call, slower than all: not the one the snapshot can point at.
        let untraced = Call { elapsed: Duration::from_micros(10_050), ok: true, trace: None };
        rec.record_at("POST /v1/events", untraced, t0 + 20);
        // During the next second, the snapshot shows the finished one.
        let snap = rec.snapshot_at(t0 + 1500);
        assert_eq!(snap.len(), 1);
        assert_eq!((snap[0].count, snap[0].errors), (101, 10));
        assert_eq!(snap[0].slowest_trace.as_deref(), Some(format!("{:032x}", 100).as_str()));
        assert!((9_900..=10_100).contains(&snap[0].slowest_us), "slowest {}", snap[0].slowest_us);
        assert!((4_900..=5_200).contains(&snap[0].p50_us), "p50 {}", snap[0].p50_us);
        assert!((9_800..=10_100).contains(&snap[0].p99_us), "p99 {}", snap[0].p99_us);
        // A quiet second reads as zero calls.
        assert_eq!(rec.snapshot_at(t0 + 5500)[0].count, 0);
        let call = Call { elapsed: Duration::from_millis(2), ok: true, trace: None };
        rec.record_at("POST /v1/events", call, t0 + 61_000);
        let rollups = rec.take_rollups();
        assert_eq!(rollups.len(), 2, "the finished minute and the one in progress");
        assert_eq!((rollups[0].minute, rollups[0].count, rollups[0].errors), (t0, 101, 10));
        assert_eq!((rollups[1].minute, rollups[1].count), (t0 + 60_000, 1));
        assert_eq!(rec.take_rollups().len(), 1, "finished minutes are handed out once");
    }
}
