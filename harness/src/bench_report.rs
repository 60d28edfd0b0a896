//! The benchmark's verdict: every figure beside its target, as a table and as JSON; the run
//! fails (non-zero exit) when any target is missed or any timed order was not routed.

use serde_json::json;

use crate::bench::{Backlog, ClaimTiming, OnceBacklog, Trickle};
use crate::report::{row, table};

/// Everything one benchmark run measured.
pub struct Results<'a> {
    pub backend: &'a str,
    pub latency: String,
    pub settings: &'a [String],
    pub backlog: &'a Backlog,
    pub once: &'a OnceBacklog,
    pub trickle: &'a Trickle,
    pub claims: &'a [ClaimTiming],
    /// Orders routed of those seeded for the timed phases.
    pub routed: (i64, i64),
}

/// One line: a label, the figure, and whether it meets its target (None: no target).
struct Line {
    label: String,
    value: String,
    met: Option<bool>,
}

fn line(label: &str, value: String, met: Option<bool>) -> Line {
    Line {
        label: label.into(),
        value,
        met,
    }
}

impl Results<'_> {
    fn lines(&self) -> Vec<Line> {
        let (b, o, t) = (self.backlog, self.once, self.trickle);
        let per_s = b.orders as f64 / b.seconds;
        let once_per_s = o.orders as f64 / o.seconds;
        let calls = b.api_calls as f64 / b.orders as f64;
        let (peak, idle) = (
            b.usage.peak_rss_kb as f64 / 1024.0,
            t.idle_rss_kb as f64 / 1024.0,
        );
        let mut lines = vec![
            line(
                "backend / latency per request",
                format!("{} / {}", self.backend, self.latency),
                None,
            ),
            line(
                "worker settings",
                if self.settings.is_empty() {
                    "defaults".into()
                } else {
                    self.settings.join(" ")
                },
                None,
            ),
            line(
                "timed orders routed",
                format!("{} of {}", self.routed.0, self.routed.1),
                Some(self.routed.0 == self.routed.1),
            ),
            line(
                "run: backlog",
                format!("{} orders in {:.1}s", b.orders, b.seconds),
                None,
            ),
            line(
                "run: orders per second (target >= 500)",
                format!("{per_s:.0}"),
                Some(per_s >= 500.0),
            ),
            line(
                "once: backlog",
                format!(
                    "{} orders in {:.1}s, exit {:?}",
                    o.orders, o.seconds, o.exit_code
                ),
                Some(o.exit_code == Some(0)),
            ),
            line(
                "once: orders per second (target >= 90 % of run)",
                format!("{once_per_s:.0} ({:.0} %)", 100.0 * once_per_s / per_s),
                Some(once_per_s >= 0.9 * per_s),
            ),
            line(
                "API calls per order (target <= 0.03)",
                format!("{calls:.4} ({} calls)", b.api_calls),
                Some(calls <= 0.03),
            ),
            line(
                "trickle p50 / p99 / max (target p99 <= 1s)",
                format!(
                    "{:.0} / {:.0} / {:.0} ms over {} orders",
                    t.p50_ms, t.p99_ms, t.max_ms, t.orders
                ),
                Some(t.orders > 0 && t.p99_ms <= 1000.0),
            ),
            line(
                "peak RSS, backlog (target <= 100 MB)",
                format!("{peak:.1} MB"),
                Some(peak <= 100.0),
            ),
            line(
                "RSS 3s after the backlog",
                format!("{:.1} MB", b.rss_after_kb as f64 / 1024.0),
                None,
            ),
            line(
                "idle RSS, fresh worker (target <= 20 MB)",
                format!("{idle:.1} MB"),
                Some(idle <= 20.0),
            ),
            line(
                "CPU seconds per 1,000 orders",
                format!(
                    "{:.2} ({:.1}s total)",
                    b.usage.cpu_seconds * 1000.0 / b.orders as f64,
                    b.usage.cpu_seconds
                ),
                None,
            ),
        ];
        for c in self.claims {
            let value = format!(
                "median {:.2} ms, max {:.2} ms, first {:.1} ms (seeded in {:.1}s)",
                c.median_ms, c.max_ms, c.first_ms, c.seed_seconds
            );
            lines.push(line(
                &format!("claim @ {} orders ({} pending)", c.total_orders, c.pending),
                value,
                None,
            ));
        }
        for c in self.claims {
            let ch = &c.changes;
            lines.push(line(
                &format!("change look @ {} orders ({} changed)", c.total_orders, crate::change_timing::CHANGES),
                format!(
                    "median {:.2} ms, max {:.2} ms, {} rows a look; first look {:.0} ms over {} rows",
                    ch.median_ms, ch.max_ms, ch.rows_per_look, ch.catch_up_ms, ch.catch_up_rows
                ),
                None,
            ));
        }
        if let Some(r) = self.change_ratio() {
            lines.push(line(
                "change look ratio largest / smallest (target <= 1.5)",
                format!("{r:.2}"),
                Some(r <= 1.5),
            ));
        }
        if let Some(r) = self.claim_ratio() {
            lines.push(line(
                "claim ratio largest / smallest (target <= 1.5)",
                format!("{r:.2}"),
                Some(r <= 1.5),
            ));
        }
        lines
    }

    fn change_ratio(&self) -> Option<f64> {
        match self.claims {
            [base, .., big] if base.changes.median_ms > 0.0 => {
                Some(big.changes.median_ms / base.changes.median_ms)
            }
            _ => None,
        }
    }

    fn claim_ratio(&self) -> Option<f64> {
        match self.claims {
            [base, .., big] if base.median_ms > 0.0 => Some(big.median_ms / base.median_ms),
            _ => None,
        }
    }

    /// Prints the table and the JSON line; true when every target is met.
    pub fn report(&self) -> bool {
        let lines = self.lines();
        let rows: Vec<(String, String)> = lines
            .iter()
            .map(|l| {
                let verdict = match l.met {
                    Some(true) => "  met",
                    Some(false) => "  MISSED",
                    None => "",
                };
                row(&l.label, format!("{}{verdict}", l.value))
            })
            .collect();
        table("order-sync benchmark", &rows);
        let missed: Vec<&str> = lines
            .iter()
            .filter(|l| l.met == Some(false))
            .map(|l| l.label.as_str())
            .collect();
        let (b, o, t) = (self.backlog, self.once, self.trickle);
        let claims: Vec<_> = self.claims.iter().map(|c| json!({"orders": c.total_orders, "pending": c.pending,
            "median_ms": c.median_ms, "max_ms": c.max_ms, "first_ms": c.first_ms, "seed_seconds": c.seed_seconds,
            "change_look": {"median_ms": c.changes.median_ms, "max_ms": c.changes.max_ms, "rows": c.changes.rows_per_look,
                "first_look_ms": c.changes.catch_up_ms, "first_look_rows": c.changes.catch_up_rows}})).collect();
        println!(
            "{}",
            json!({
                "suite": "bench", "backend": self.backend, "latency": self.latency, "settings": self.settings,
                "routed": self.routed.0, "seeded": self.routed.1,
                "run": {"orders": b.orders, "seconds": b.seconds, "orders_per_second": b.orders as f64 / b.seconds,
                    "api_calls": b.api_calls, "api_calls_per_order": b.api_calls as f64 / b.orders as f64},
                "once": {"orders": o.orders, "seconds": o.seconds, "orders_per_second": o.orders as f64 / o.seconds,
                    "api_calls": o.api_calls, "exit_code": o.exit_code},
                "trickle": {"orders": t.orders, "p50_ms": t.p50_ms, "p99_ms": t.p99_ms, "max_ms": t.max_ms},
                "peak_rss_mb": b.usage.peak_rss_kb as f64 / 1024.0, "idle_rss_mb": t.idle_rss_kb as f64 / 1024.0,
                "claims": claims, "claim_ratio": self.claim_ratio(), "change_ratio": self.change_ratio(), "missed": missed,
            })
        );
        if !missed.is_empty() {
            eprintln!("bench: targets missed: {}", missed.join("; "));
        }
        missed.is_empty()
    }
}
