//! Salesforce failures, classified from the HTTP status and the error body.

use reqwest::StatusCode;

use super::wire::{ApiError, OAuthError};
use crate::error::ErrorClass;

/// A failed Salesforce call: its class, the Salesforce errorCode when there is one, and plain words.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct SfError {
    pub class: ErrorClass,
    pub code: Option<String>,
    pub message: String,
}

/// How a message about the spent daily limit starts.
const DAILY_LIMIT: &str = "the org's daily API limit is spent";

/// errorCodes that clear up by themselves.
const TRANSIENT_CODES: &[&str] = &[
    "UNABLE_TO_LOCK_ROW",
    "SERVER_UNAVAILABLE",
    "REQUEST_LIMIT_EXCEEDED",
    "PROCESSING_HALTED",
    "INVALID_SESSION_ID",
    "QUERY_TIMEOUT",
];

/// errorCodes saying a record named by id is not there: deleted (ENTITY_IS_DELETED), unknown, as
/// every old id is after a sandbox refresh (NOT_FOUND), or named in a reference field
/// (INVALID_CROSS_REFERENCE_KEY).
const MISSING_RECORD_CODES: &[&str] = &[
    "ENTITY_IS_DELETED",
    "NOT_FOUND",
    "INVALID_CROSS_REFERENCE_KEY",
];

impl SfError {
    pub fn transient(code: Option<&str>, message: impl Into<String>) -> SfError {
        SfError {
            class: ErrorClass::Transient,
            code: code.map(str::to_string),
            message: message.into(),
        }
    }

    pub fn rejected(code: Option<&str>, message: impl Into<String>) -> SfError {
        SfError {
            class: ErrorClass::Rejected,
            code: code.map(str::to_string),
            message: message.into(),
        }
    }

    pub fn fatal(code: Option<&str>, message: impl Into<String>) -> SfError {
        SfError {
            class: ErrorClass::Fatal,
            code: code.map(str::to_string),
            message: message.into(),
        }
    }

    /// Classifies one Salesforce `errorCode` with its message.
    pub fn from_code(code: &str, message: &str) -> SfError {
        let text = format!("{code}: {message}");
        if TRANSIENT_CODES.contains(&code) || message.contains("UNABLE_TO_LOCK_ROW") {
            SfError::transient(Some(code), text)
        } else {
            SfError::rejected(Some(code), text)
        }
    }

    /// Whether Salesforce refused because a record named by id is not there. Still rejected: a
    /// caller that wrote by a stored id looks its records up by External ID before it parks
    /// anything (the lifecycle loop); one that wrote by External IDs parks as for any refusal.
    pub fn names_missing_record(&self) -> bool {
        self.class == ErrorClass::Rejected
            && self
                .code
                .as_deref()
                .is_some_and(|c| MISSING_RECORD_CODES.contains(&c))
    }

    /// The daily allocation is gone (checked against the org's usage, see [`SfError::daily_limit`]):
    /// pausing beats burning retries.
    pub fn is_daily_limit(&self) -> bool {
        self.code.as_deref() == Some("REQUEST_LIMIT_EXCEEDED")
            && self.message.starts_with(DAILY_LIMIT)
    }

    /// `REQUEST_LIMIT_EXCEEDED` when the org's daily total is really spent.
    pub fn daily_limit(used: u64, max: u64) -> SfError {
        SfError::transient(
            Some("REQUEST_LIMIT_EXCEEDED"),
            format!("{DAILY_LIMIT} ({used} of {max} calls in the last 24 hours)"),
        )
    }

    /// `REQUEST_LIMIT_EXCEEDED` with calls left today: too many requests at once, or a burst.
    pub fn concurrent_limit(original: &SfError) -> SfError {
        SfError::transient(
            Some("REQUEST_LIMIT_EXCEEDED"),
            format!(
                "too many requests at once (the daily limit is not spent); retrying shortly — {}",
                original.message
            ),
        )
    }

    /// A network-level failure: timeouts, refused connections, bodies cut short.
    pub fn from_reqwest(e: reqwest::Error) -> SfError {
        let what = if e.is_timeout() {
            "Salesforce did not answer in time"
        } else if e.is_connect() {
            "could not connect to Salesforce"
        } else if e.is_body() || e.is_decode() {
            "Salesforce's answer was cut off"
        } else {
            "the request to Salesforce failed"
        };
        // The whole cause chain (a TLS handshake hides its reason two levels down), without
        // the URL: it can carry record keys, and the cause is what an operator needs.
        let e = e.without_url();
        let mut causes = vec![e.to_string()];
        let mut source = std::error::Error::source(&e);
        while let Some(cause) = source {
            let text = cause.to_string();
            if !causes.iter().any(|c| c.contains(&text)) {
                causes.push(text);
            }
            source = cause.source();
        }
        let chain = causes.join(": ");
        let lower = chain.to_ascii_lowercase();
        // A certificate or protocol mismatch (https to an http port, a private CA) does not heal
        // by retrying: say so at once instead of after minutes of backoff.
        let tls = [
            "certificate",
            "handshake",
            "tls",
            "corrupt message",
            "invalid peer",
        ]
        .iter()
        .any(|w| lower.contains(w));
        if tls {
            return SfError::fatal(
                None,
                format!(
                    "{what}: the TLS connection failed ({chain}); check salesforce.login_url and the network path"
                ),
            );
        }
        SfError::transient(None, format!("{what} ({chain})"))
    }
}

/// Classifies a non-success answer from a REST resource.
pub fn classify_response(status: StatusCode, body: &[u8]) -> SfError {
    if status.is_redirection() {
        return SfError::transient(
            None,
            format!(
                "Salesforce redirected the request ({status}), probably to a login page; check the instance URL"
            ),
        );
    }
    let first = serde_json::from_slice::<Vec<ApiError>>(body)
        .ok()
        .and_then(|v| v.into_iter().next());
    match first {
        Some(e) => {
            let code = e.error_code.unwrap_or_else(|| "UNKNOWN".into());
            let mut err = SfError::from_code(&code, &e.message);
            if status.is_server_error() || status == StatusCode::TOO_MANY_REQUESTS {
                err.class = ErrorClass::Transient;
            }
            err
        }
        None if status.is_server_error() || status == StatusCode::TOO_MANY_REQUESTS => {
            SfError::transient(
                None,
                format!("Salesforce answered {status} {}", describe_body(body)),
            )
        }
        None => SfError::rejected(
            None,
            format!("Salesforce answered {status} {}", describe_body(body)),
        ),
    }
}

/// Classifies a failed token request: bad credentials are fatal, a busy server is not.
pub fn classify_token_error(status: StatusCode, body: &[u8]) -> SfError {
    if status.is_server_error() {
        return SfError::transient(None, format!("the token endpoint answered {status}"));
    }
    match serde_json::from_slice::<OAuthError>(body) {
        Ok(e) => SfError::fatal(
            Some(&e.error),
            format!(
                "Salesforce refused the credentials: {} ({})",
                e.error,
                e.error_description.unwrap_or_default()
            ),
        ),
        Err(_) => SfError::fatal(
            None,
            format!(
                "the token endpoint answered {status} {}",
                describe_body(body)
            ),
        ),
    }
}

/// A short, safe description of a body that was not the JSON we expected.
pub fn describe_body(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let trimmed = text.trim_start();
    if trimmed.is_empty() {
        "with an empty body".into()
    } else if trimmed.starts_with('<') {
        "with an HTML page instead of JSON".into()
    } else {
        "with a body that is not the expected JSON".into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lock_error_is_transient_and_a_validation_rule_is_rejected() {
        let lock = br#"[{"errorCode":"UNABLE_TO_LOCK_ROW","message":"unable to obtain exclusive access"}]"#;
        assert_eq!(
            classify_response(StatusCode::BAD_REQUEST, lock).class,
            ErrorClass::Transient
        );
        let rule =
            br#"[{"errorCode":"FIELD_CUSTOM_VALIDATION_EXCEPTION","message":"PO required"}]"#;
        let e = classify_response(StatusCode::BAD_REQUEST, rule);
        assert_eq!(e.class, ErrorClass::Rejected);
        assert!(e.message.contains("PO required"));
    }

    #[test]
    fn a_deleted_or_unknown_record_is_a_missing_record_and_a_validation_rule_is_not() {
        let deleted = br#"[{"errorCode":"ENTITY_IS_DELETED","message":"entity is deleted"}]"#;
        assert!(classify_response(StatusCode::NOT_FOUND, deleted).names_missing_record());
        let unknown =
            br#"[{"errorCode":"NOT_FOUND","message":"The requested resource does not exist"}]"#;
        assert!(classify_response(StatusCode::NOT_FOUND, unknown).names_missing_record());
        let rule = br#"[{"errorCode":"FIELD_CUSTOM_VALIDATION_EXCEPTION","message":"no"}]"#;
        assert!(!classify_response(StatusCode::BAD_REQUEST, rule).names_missing_record());
        let busy = br#"[{"errorCode":"NOT_FOUND","message":"upstream"}]"#;
        assert!(
            !classify_response(StatusCode::SERVICE_UNAVAILABLE, busy).names_missing_record(),
            "a server error is transient whatever its code"
        );
    }

    #[test]
    fn an_html_503_is_transient_and_says_it_was_html() {
        let e = classify_response(
            StatusCode::SERVICE_UNAVAILABLE,
            b"<html><body>Down</body></html>",
        );
        assert_eq!(e.class, ErrorClass::Transient);
        assert!(e.message.contains("HTML"));
    }

    #[test]
    fn invalid_grant_is_fatal() {
        let e = classify_token_error(StatusCode::BAD_REQUEST, br#"{"error":"invalid_grant","error_description":"user hasn't approved this consumer"}"#);
        assert_eq!(e.class, ErrorClass::Fatal);
        assert_eq!(e.code.as_deref(), Some("invalid_grant"));
    }
}
