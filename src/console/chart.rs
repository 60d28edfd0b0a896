//! The overview's chart, drawn on the server as inline SVG (no script, nothing fetched): orders
//! sent and failed attempts per hour. Only numbers and times go into it.

use std::fmt::Write;

use crate::store::HourActivity;

const WIDTH: f64 = 760.0;
const HEIGHT: f64 = 240.0;
const LEFT: f64 = 44.0;
const RIGHT: f64 = 8.0;
const TOP: f64 = 28.0;
const BOTTOM: f64 = 30.0;
const SENT: &str = "#2e7d32";
const FAILED: &str = "#c62828";
/// Every how many hours the time axis is labelled.
const LABEL_EVERY: usize = 3;

/// The smallest 1, 2 or 5 × 10ⁿ at or above `n` (at least 1): the y axis's top.
fn nice_max(n: i64) -> i64 {
    let mut step = 1;
    loop {
        for m in [1, 2, 5] {
            if m * step >= n.max(1) {
                return m * step;
            }
        }
        step *= 10;
    }
}

/// The bar chart of `hours` (oldest first).
pub(crate) fn svg(hours: &[HourActivity]) -> String {
    let plot_w = WIDTH - LEFT - RIGHT;
    let plot_h = HEIGHT - TOP - BOTTOM;
    let top = nice_max(
        hours
            .iter()
            .map(|h| h.sent.max(h.failed))
            .max()
            .unwrap_or(0),
    );
    let y = |v: i64| TOP + plot_h - plot_h * v as f64 / top as f64;
    let mut s = format!(
        "<svg class=\"chart\" viewBox=\"0 0 {WIDTH} {HEIGHT}\" role=\"img\" \
         aria-label=\"Orders sent and failed attempts per hour, last {} hours\" \
         xmlns=\"http://www.w3.org/2000/svg\" font-family=\"system-ui, sans-serif\" font-size=\"11\">",
        hours.len()
    );
    for v in [0, top / 2, top] {
        let _ = write!(
            s,
            "<line x1=\"{LEFT}\" x2=\"{}\" y1=\"{y0:.1}\" y2=\"{y0:.1}\" stroke=\"#d9dde3\"/>\
             <text x=\"{}\" y=\"{:.1}\" text-anchor=\"end\" fill=\"#555\">{v}</text>",
            WIDTH - RIGHT,
            LEFT - 6.0,
            y(v) + 4.0,
            y0 = y(v),
        );
    }
    let group = plot_w / hours.len().max(1) as f64;
    let bar = (group - 6.0) / 2.0;
    for (i, h) in hours.iter().enumerate() {
        let x = LEFT + group * i as f64 + 3.0;
        let hour = chrono::DateTime::from_timestamp_millis(h.hour_ms)
            .map_or_else(String::new, |t| t.format("%H:00").to_string());
        for (k, (n, colour, what)) in [(h.sent, SENT, "sent"), (h.failed, FAILED, "failed")]
            .into_iter()
            .enumerate()
        {
            let _ = write!(
                s,
                "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{bar:.1}\" height=\"{:.1}\" fill=\"{colour}\">\
                 <title>{hour} UTC: {n} {what}</title></rect>",
                x + bar * k as f64,
                y(n),
                TOP + plot_h - y(n),
            );
        }
        if i % LABEL_EVERY == 0 {
            let _ = write!(
                s,
                "<text x=\"{:.1}\" y=\"{}\" text-anchor=\"middle\" fill=\"#555\">{hour}</text>",
                x + bar,
                HEIGHT - 10.0
            );
        }
    }
    let _ = write!(
        s,
        "<rect x=\"{0}\" y=\"8\" width=\"10\" height=\"10\" fill=\"{SENT}\"/>\
         <text x=\"{1}\" y=\"17\" fill=\"#333\">orders sent</text>\
         <rect x=\"{2}\" y=\"8\" width=\"10\" height=\"10\" fill=\"{FAILED}\"/>\
         <text x=\"{3}\" y=\"17\" fill=\"#333\">failed attempts</text></svg>",
        LEFT,
        LEFT + 14.0,
        LEFT + 100.0,
        LEFT + 114.0
    );
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_axis_tops_out_at_a_round_number() {
        assert_eq!(nice_max(0), 1);
        assert_eq!(nice_max(3), 5);
        assert_eq!(nice_max(7), 10);
        assert_eq!(nice_max(120), 200);
    }
}
