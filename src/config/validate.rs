//! Every setting's sensible range, checked at start-up: all problems at once, one line each,
//! naming the key and giving an example of a good value.

use std::time::Duration;

use super::Settings;

/// Collects problems as `key: what is wrong (e.g. a good value)`.
#[derive(Default)]
pub(super) struct Problems(pub Vec<String>);

impl Problems {
    fn add(&mut self, key: &str, problem: impl std::fmt::Display) {
        self.0.push(format!("{key}: {problem}"));
    }

    fn duration(
        &mut self,
        key: &str,
        value: Duration,
        min: Duration,
        max: Duration,
        example: &str,
    ) {
        if value < min || value > max {
            let (v, lo, hi) = (fmt(value), fmt(min), fmt(max));
            self.add(
                key,
                format!("{v} is outside {lo}..{hi} (e.g. \"{example}\")"),
            );
        }
    }

    fn number(&mut self, key: &str, value: u64, min: u64, max: u64) {
        if value < min || value > max {
            self.add(key, format!("{value} is outside {min}..={max}"));
        }
    }

    /// A Salesforce API name (object or field): letters, digits, single underscores, `__c` etc.
    fn api_name(&mut self, key: &str, value: &str, example: &str) {
        if !is_api_name(value) {
            self.add(
                key,
                format!("{value:?} is not a Salesforce API name (e.g. \"{example}\")"),
            );
        }
    }
}

fn fmt(d: Duration) -> String {
    humantime::format_duration(d).to_string()
}

const MS: Duration = Duration::from_millis(1);
const SEC: Duration = Duration::from_secs(1);
const MIN: Duration = Duration::from_secs(60);
const HOUR: Duration = Duration::from_secs(3600);
const DAY: Duration = Duration::from_secs(86_400);

/// `Account`, `Store_Order_Id__c`, `ns__Field__c`: what SOQL may name, nothing that could change
/// a query's meaning.
pub fn is_api_name(value: &str) -> bool {
    let body = ["__c", "__r", "__mdt", "__x"]
        .iter()
        .find_map(|s| value.strip_suffix(s))
        .unwrap_or(value);
    let parts: Vec<&str> = body.split("__").collect();
    !value.is_empty()
        && value.len() <= 80
        && parts.len() <= 2
        && parts.iter().all(|p| {
            p.starts_with(|c: char| c.is_ascii_alphabetic())
                && !p.ends_with('_')
                && p.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        })
}

/// A 15- or 18-character Salesforce record id.
pub fn is_record_id(value: &str) -> bool {
    (value.len() == 15 || value.len() == 18) && value.chars().all(|c| c.is_ascii_alphanumeric())
}

impl Settings {
    /// Every range and form, all problems listed.
    pub(super) fn problems(&self) -> Problems {
        let mut p = Problems::default();
        self.salesforce_problems(&mut p);
        self.sync_problems(&mut p);
        let (r, a, l) = (&self.repair, &self.alerts, &self.lifecycle);
        p.duration("lifecycle.overlap", l.overlap, Duration::ZERO, DAY, "2m");
        p.number("lifecycle.batch_size", u64::from(l.batch_size), 1, 1000);
        let rc = &self.reconcile;
        p.duration("reconcile.every", rc.every, 100 * MS, 30 * DAY, "24h");
        p.number("reconcile.days", u64::from(rc.days), 1, 3650);
        p.duration("repair.poll_interval", r.poll_interval, SEC, DAY, "30s");
        p.duration(
            "repair.watermark_overlap",
            r.watermark_overlap,
            Duration::ZERO,
            DAY,
            "5m",
        );
        p.api_name(
            "repair.evaluation_object",
            &r.evaluation_object,
            "Opportunity",
        );
        p.api_name(
            "repair.evaluation_field",
            &r.evaluation_field,
            "Evaluation_Status__c",
        );
        if r.reissue_suffix.is_empty() || r.reissue_suffix.len() > 20 {
            p.add(
                "repair.reissue_suffix",
                "must be 1 to 20 characters (e.g. \"-R\")",
            );
        }
        p.duration("alerts.stuck_after", a.stuck_after, SEC, 30 * DAY, "10m");
        p.number(
            "alerts.webhook_max_orders",
            a.webhook_max_orders as u64,
            1,
            1000,
        );
        self.console_problems(&mut p);
        p.duration(
            "alerts.check_interval",
            a.check_interval,
            100 * MS,
            HOUR,
            "30s",
        );
        p.duration(
            "alerts.webhook_timeout",
            a.webhook_timeout,
            SEC,
            5 * MIN,
            "10s",
        );
        p.duration(
            "alerts.attempt_retention",
            a.attempt_retention,
            HOUR,
            3650 * DAY,
            "30days",
        );
        p.number(
            "database.max_connections",
            u64::from(self.database.max_connections),
            1,
            100,
        );
        if let Err(e) = tracing_subscriber::EnvFilter::try_new(&self.log.level) {
            p.add(
                "log.level",
                format!(
                    "{:?} is not a log filter: {e} (e.g. \"info,order_sync=debug\")",
                    self.log.level
                ),
            );
        }
        p
    }

    fn salesforce_problems(&self, p: &mut Problems) {
        let sf = &self.salesforce;
        let version_ok = sf
            .api_version
            .strip_prefix('v')
            .and_then(|v| v.strip_suffix(".0"))
            .and_then(|v| v.parse::<u32>().ok())
            .is_some_and(|v| (50..=999).contains(&v));
        if !version_ok {
            p.add(
                "salesforce.api_version",
                format!(
                    "{:?} is not v50.0 or later (e.g. \"v62.0\")",
                    sf.api_version
                ),
            );
        }
        p.duration(
            "salesforce.request_timeout",
            sf.request_timeout,
            100 * MS,
            5 * MIN,
            "30s",
        );
        if sf.activate_orders && sf.activated_status.trim().is_empty() {
            p.add(
                "salesforce.activated_status",
                "is empty while activate_orders is on (e.g. \"Activated\")",
            );
        }
        p.duration(
            "salesforce.pricebook_refresh",
            sf.pricebook_refresh,
            SEC,
            DAY,
            "15m",
        );
        p.duration(
            "salesforce.circuit_min_cooldown",
            sf.circuit_min_cooldown,
            10 * MS,
            HOUR,
            "15s",
        );
        p.duration(
            "salesforce.circuit_max_cooldown",
            sf.circuit_max_cooldown,
            10 * MS,
            DAY,
            "15m",
        );
        if sf.circuit_min_cooldown > sf.circuit_max_cooldown {
            p.add(
                "salesforce.circuit_min_cooldown",
                "must not be longer than salesforce.circuit_max_cooldown",
            );
        }
        if !(sf.api_budget_share > 0.0 && sf.api_budget_share <= 1.0) {
            p.add(
                "salesforce.api_budget_share",
                format!("{} is outside (0, 1] (e.g. 0.8)", sf.api_budget_share),
            );
        }
        if !sf.pricebook_id.is_empty() && !is_record_id(&sf.pricebook_id) {
            p.add(
                "salesforce.pricebook_id",
                format!(
                    "{:?} is not a 15- or 18-character Salesforce id",
                    sf.pricebook_id
                ),
            );
        }
        let f = &sf.fields;
        for (key, value) in [
            (
                "salesforce.fields.customer_external_id",
                &f.customer_external_id,
            ),
            ("salesforce.fields.order_external_id", &f.order_external_id),
            ("salesforce.fields.line_external_id", &f.line_external_id),
        ] {
            p.api_name(key, value, "Store_Order_Id__c");
        }
        p.0.extend(sf.mapping.problems(f));
    }

    fn sync_problems(&self, p: &mut Problems) {
        let s = &self.sync;
        p.duration(
            "sync.poll_interval",
            s.poll_interval,
            10 * MS,
            10 * MIN,
            "500ms",
        );
        p.number("sync.batch_size", u64::from(s.batch_size), 1, 1000);
        p.number(
            "sync.max_graphs_per_request",
            s.max_graphs_per_request as u64,
            1,
            75,
        );
        p.number("sync.concurrency", s.concurrency as u64, 1, 32);
        p.duration("sync.retry_min_delay", s.retry_min_delay, MS, HOUR, "5s");
        p.duration("sync.retry_max_delay", s.retry_max_delay, MS, DAY, "10m");
        if s.retry_min_delay > s.retry_max_delay {
            p.add(
                "sync.retry_min_delay",
                "must not be longer than sync.retry_max_delay",
            );
        }
        p.duration(
            "sync.shutdown_grace",
            s.shutdown_grace,
            Duration::ZERO,
            10 * MIN,
            "20s",
        );
        p.duration("sync.lease_duration", s.lease_duration, SEC, DAY, "2m");
        // A claim must outlive the Salesforce round trip it covers, or another worker takes the
        // order over mid-flight and the work is done twice (still no duplicate, but twice the calls).
        if s.lease_duration < self.salesforce.request_timeout * 3 {
            p.add(
                "sync.lease_duration",
                format!(
                    "{} must be at least three times salesforce.request_timeout ({})",
                    fmt(s.lease_duration),
                    fmt(self.salesforce.request_timeout)
                ),
            );
        }
    }
}

impl Settings {
    /// `console.listen` an address when set; `console.public_url` an http(s) URL when set.
    fn console_problems(&self, p: &mut Problems) {
        let c = &self.console;
        if c.own_listen().is_err() {
            let found = &c.listen;
            p.add(
                "console.listen",
                format!("{found:?} is not an address (e.g. \"127.0.0.1:9465\", or \"\")"),
            );
        }
        let url = c.public_url.trim();
        let web = url::Url::parse(url).is_ok_and(|u| matches!(u.scheme(), "http" | "https"));
        if !url.is_empty() && !web {
            p.add(
                "console.public_url",
                format!("{url:?} is not an http(s) URL (e.g. \"https://orders.acme.com\")"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_names_are_names_and_nothing_else() {
        for ok in [
            "Opportunity",
            "Evaluation_Status__c",
            "ns__Field__c",
            "Store_Order_Id__c",
            "Product2",
        ] {
            assert!(is_api_name(ok), "{ok}");
        }
        for bad in [
            "",
            "Evaluation_Status__c != null AND StageName",
            "a.b",
            "_x",
            "x_",
            "1Field",
        ] {
            assert!(!is_api_name(bad), "{bad}");
        }
        assert!(is_record_id("01s000000000001AAA"));
        assert!(!is_record_id("bogus'id"));
    }
}
