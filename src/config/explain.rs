//! Turning the config library's errors into one line a new user can act on: the key, what is
//! wrong, the valid values or the nearest valid key — and never a line of the file itself
//! (it could hold a secret).

/// The valid values of each enum setting, by the enum's Rust name.
const ENUMS: &[(&str, &str, &str)] = &[
    (
        "AuthFlow",
        "salesforce.auth",
        "\"jwt\" or \"client_credentials\"",
    ),
    ("LogFormat", "log.format", "\"pretty\" or \"json\""),
    ("MoneyFormat", "store.money", "\"decimal\" or \"cents\""),
    (
        "StatusCodeType",
        "store.status_codes",
        "\"text\" or \"integer\"",
    ),
];

pub(super) fn explain(e: &config::ConfigError) -> String {
    let text = e.to_string();
    if let config::ConfigError::FileParse { uri, .. } = e {
        // "TOML parse error at line 3, column 10 | 3 | secret = … | ^ message": keep the place
        // and the message, drop the quoted line.
        let first = text.lines().next().unwrap_or("");
        let message = text
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty() && !l.contains('|'))
            .unwrap_or("");
        let file = uri.as_deref().unwrap_or("the config file");
        return format!(
            "{file} is not valid TOML: {} — {}",
            first.trim(),
            message.trim()
        );
    }
    if let Some(unknown) = unknown_field(&text) {
        return unknown;
    }
    for (name, key, values) in ENUMS {
        if text.contains(&format!("enum {name} ")) {
            let given = text
                .split("constructor ")
                .nth(1)
                .and_then(|r| r.split_whitespace().next())
                .unwrap_or("?");
            return format!("{key}: {given:?} is not one of {values}");
        }
    }
    text
}

/// "unknown field `batchsize`, expected one of `a`, `b` for key `sync`" → a hint.
fn unknown_field(text: &str) -> Option<String> {
    let rest = text.split("unknown field `").nth(1)?;
    let (field, rest) = rest.split_once('`')?;
    let section = text
        .rsplit("for key `")
        .next()
        .filter(|_| text.contains("for key `"));
    let section = section
        .and_then(|s| s.split('`').next())
        .filter(|s| !s.is_empty());
    let expected: Vec<&str> = rest
        .split('`')
        .skip(1)
        .step_by(2)
        .filter(|s| !s.is_empty())
        .collect();
    let key = |name: &str| match section {
        Some(s) => format!("{s}.{name}"),
        None => name.to_string(),
    };
    let nearest = expected
        .iter()
        .min_by_key(|c| distance(field, c))
        .filter(|c| distance(field, c) <= 3);
    Some(match nearest {
        Some(n) => format!("{} is not a setting; did you mean {}?", key(field), key(n)),
        None => format!(
            "{} is not a setting (config/default.toml lists them all)",
            key(field)
        ),
    })
}

/// Levenshtein distance, for "did you mean".
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb))
                .min(row[j] + 1)
                .min(row[j + 1] + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::super::Settings;
    use std::collections::HashMap;

    fn load(env: &[(&str, &str)]) -> String {
        let env: HashMap<String, String> = env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Settings::load_with_env(None, Some(env))
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default()
    }

    #[test]
    fn a_misspelled_key_is_refused_with_the_nearest_valid_one() {
        let e = load(&[("ORDER_SYNC__SYNC__BATCHSIZE", "10")]);
        assert!(
            e.contains("sync.batchsize is not a setting; did you mean sync.batch_size?"),
            "{e}"
        );
        let e = load(&[("ORDER_SYNC__SYNCH__BATCH_SIZE", "10")]);
        assert!(
            e.contains("synch is not a setting; did you mean sync?"),
            "{e}"
        );
    }

    #[test]
    fn an_unknown_enum_value_lists_the_valid_ones() {
        let e = load(&[("ORDER_SYNC__SALESFORCE__AUTH", "jwtx")]);
        assert!(
            e.contains("salesforce.auth: \"jwtx\" is not one of \"jwt\" or \"client_credentials\""),
            "{e}"
        );
    }

    #[test]
    fn every_unusable_value_is_named_at_once() {
        let e = load(&[
            ("ORDER_SYNC__SALESFORCE__REQUEST_TIMEOUT", "0s"),
            ("ORDER_SYNC__SYNC__POLL_INTERVAL", "0s"),
            ("ORDER_SYNC__SALESFORCE__API_BUDGET_SHARE", "1.5"),
            ("ORDER_SYNC__SYNC__RETRY_MIN_DELAY", "20m"),
            ("ORDER_SYNC__LOG__LEVEL", "info,[[["),
            ("ORDER_SYNC__SALESFORCE__API_VERSION", "v40.0"),
            (
                "ORDER_SYNC__REPAIR__EVALUATION_FIELD",
                "Evaluation_Status__c != null AND StageName",
            ),
            ("ORDER_SYNC__SALESFORCE__PRICEBOOK_ID", "bogus'id"),
        ]);
        for key in [
            "salesforce.request_timeout:",
            "sync.poll_interval:",
            "salesforce.api_budget_share:",
            "sync.retry_min_delay: must not be longer",
            "log.level:",
            "salesforce.api_version:",
            "repair.evaluation_field:",
            "salesforce.pricebook_id:",
        ] {
            assert!(e.contains(key), "{key} missing from: {e}");
        }
    }
}
