//! The console's HTML: one askama template per page (`templates/console/`), and the few words
//! and numbers the templates show (ages, times, the API meter). Values are escaped by askama.

use askama::Template;
use chrono::{DateTime, Utc};

use super::auth::Session;
use super::chart;
use super::drift::DriftPage;
use super::overview::{Overview, StuckRow};
use super::story::Story;

/// What every page shares: its title, the signed-in rep, the active tab, the form token.
pub(crate) struct Chrome {
    pub title: String,
    pub rep: Option<String>,
    pub nav: &'static str,
    pub csrf: String,
}

impl Chrome {
    pub fn new(title: &str, session: Option<&Session>, nav: &'static str) -> Chrome {
        Chrome {
            title: title.to_string(),
            rep: session.map(|s| s.rep.clone()),
            nav,
            csrf: session.map(|s| s.csrf.clone()).unwrap_or_default(),
        }
    }
}

#[derive(Template)]
#[template(path = "console/message.html")]
pub(crate) struct MessageHtml {
    pub chrome: Chrome,
    pub message: String,
}

#[derive(Template)]
#[template(path = "console/overview.html")]
pub(crate) struct OverviewHtml<'a> {
    pub chrome: Chrome,
    pub v: &'a Overview,
    pub oldest: String,
    pub last_success: String,
    pub api: String,
    pub api_percent: f64,
    pub chart: String,
    pub sent_24h: i64,
    pub failed_24h: i64,
}

impl<'a> OverviewHtml<'a> {
    pub fn new(v: &'a Overview, session: &Session) -> OverviewHtml<'a> {
        let api = v.api_usage.as_ref();
        OverviewHtml {
            chrome: Chrome::new("Overview", Some(session), "overview"),
            oldest: v
                .oldest_order_placed_age_seconds
                .map_or_else(|| "none waiting".into(), age),
            last_success: v
                .salesforce_last_success
                .map_or_else(|| "none recorded yet".into(), ago),
            api: api.map_or_else(
                || "not known yet".into(),
                |u| {
                    format!(
                        "{} of {} ({:.0} %)",
                        thousands(u.used),
                        thousands(u.limit),
                        u.percent
                    )
                },
            ),
            api_percent: api.map_or(0.0, |u| u.percent.clamp(0.0, 100.0)),
            chart: chart::svg(&v.sent_and_failed_per_hour),
            sent_24h: v.sent_and_failed_per_hour.iter().map(|h| h.sent).sum(),
            failed_24h: v.sent_and_failed_per_hour.iter().map(|h| h.failed).sum(),
            v,
        }
    }
}

#[derive(Template)]
#[template(path = "console/stuck.html")]
pub(crate) struct StuckHtml<'a> {
    pub chrome: Chrome,
    pub rows: &'a [StuckRow],
}

impl<'a> StuckHtml<'a> {
    pub fn age_of(&self, seconds: &Option<i64>) -> String {
        seconds.map_or_else(|| "—".into(), age)
    }

    pub fn new(rows: &'a [StuckRow], session: &Session) -> StuckHtml<'a> {
        StuckHtml {
            chrome: Chrome::new("Orders needing attention", Some(session), "stuck"),
            rows,
        }
    }
}

#[derive(Template)]
#[template(path = "console/order.html")]
pub(crate) struct OrderHtml<'a> {
    pub chrome: Chrome,
    pub s: &'a Story,
    /// The order as the page's address names it, for the forms' targets.
    pub key: String,
    pub notice: Option<String>,
    pub error: Option<String>,
}

impl<'a> OrderHtml<'a> {
    pub fn new(
        s: &'a Story,
        session: &Session,
        key: &str,
        notice: Option<String>,
        error: Option<String>,
    ) -> OrderHtml<'a> {
        OrderHtml {
            chrome: Chrome::new(&format!("Order {}", s.order_number), Some(session), ""),
            s,
            key: key.to_string(),
            notice,
            error,
        }
    }
}

#[derive(Template)]
#[template(path = "console/drift.html")]
pub(crate) struct DriftHtml<'a> {
    pub chrome: Chrome,
    pub v: &'a DriftPage,
    /// When the last reconcile ran, in words.
    pub ran: String,
    pub notice: Option<String>,
    pub error: Option<String>,
}

impl<'a> DriftHtml<'a> {
    pub fn new(
        v: &'a DriftPage,
        session: &Session,
        notice: Option<String>,
        error: Option<String>,
    ) -> DriftHtml<'a> {
        DriftHtml {
            chrome: Chrome::new("Drift", Some(session), "drift"),
            ran: v.last.as_ref().map_or_else(String::new, |l| ago(l.ran_at)),
            v,
            notice,
            error,
        }
    }
}

/// A duration in a rep's words: "45 s", "12 min", "3 h 5 min", "2 days 4 h".
pub(crate) fn age(seconds: i64) -> String {
    let s = seconds.max(0);
    match s {
        0..60 => format!("{s} s"),
        60..3600 => format!("{} min", s / 60),
        3600..86400 => format!("{} h {} min", s / 3600, s % 3600 / 60),
        _ => format!("{} days {} h", s / 86400, s % 86400 / 3600),
    }
}

fn ago(t: DateTime<Utc>) -> String {
    let seconds = (Utc::now() - t).num_seconds();
    format!("{} ago ({})", age(seconds), t.format("%Y-%m-%d %H:%M UTC"))
}

fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}
