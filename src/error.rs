//! How every failure is classified: by what happens to the order next.

use std::fmt;

/// What happens after a failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorClass {
    /// Timeouts, 5xx, lock contention, rate limits: back off and retry by itself.
    Transient,
    /// Validation rules, missing data, unknown SKU: park the order with the reason until a rep retries.
    Rejected,
    /// Bad credentials, bad config, missing tables: the process stops with one clear message.
    Fatal,
}

impl ErrorClass {
    /// Every class, for exporting each one's counter from start-up.
    pub const ALL: [ErrorClass; 3] = [
        ErrorClass::Transient,
        ErrorClass::Rejected,
        ErrorClass::Fatal,
    ];

    pub fn name(self) -> &'static str {
        match self {
            ErrorClass::Transient => "transient",
            ErrorClass::Rejected => "rejected",
            ErrorClass::Fatal => "fatal",
        }
    }
}

impl fmt::Display for ErrorClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
