//! Fault injection: the failure kinds the fake can simulate and the dice that pick them.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

/// A failure injected into one `/services/data` request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FaultKind {
    /// 503 with an HTML maintenance page; nothing applied.
    Html503,
    /// 400 UNABLE_TO_LOCK_ROW (for a graph request: only the first graph fails; a /composite is
    /// refused whole).
    UnableToLockRow,
    /// 403 REQUEST_LIMIT_EXCEEDED (ConcurrentRequests); nothing applied.
    RequestLimitExceeded,
    /// The request is applied, then the connection is dropped before a response arrives.
    DropAfterApply,
    /// The request is applied, then the answer is delayed by `Faults::slow_by`.
    SlowResponse,
    /// The presented token is revoked and the request gets 401 INVALID_SESSION_ID.
    ExpiredToken,
}

impl FaultKind {
    pub const ALL: [FaultKind; 6] = [
        FaultKind::Html503,
        FaultKind::UnableToLockRow,
        FaultKind::RequestLimitExceeded,
        FaultKind::DropAfterApply,
        FaultKind::SlowResponse,
        FaultKind::ExpiredToken,
    ];

    /// Stable snake_case name, used as the key of `FakeSalesforce::faults_injected`.
    pub fn name(&self) -> &'static str {
        match self {
            FaultKind::Html503 => "html_503",
            FaultKind::UnableToLockRow => "unable_to_lock_row",
            FaultKind::RequestLimitExceeded => "request_limit_exceeded",
            FaultKind::DropAfterApply => "drop_after_apply",
            FaultKind::SlowResponse => "slow_response",
            FaultKind::ExpiredToken => "expired_token",
        }
    }

    /// Accepts `name()` or the variant name, ignoring case, `_` and `-` (for CLI flags).
    pub fn from_name(s: &str) -> Option<FaultKind> {
        let squash = |t: &str| {
            t.chars()
                .filter(|c| c.is_ascii_alphanumeric())
                .collect::<String>()
                .to_ascii_lowercase()
        };
        let wanted = squash(s);
        FaultKind::ALL
            .into_iter()
            .find(|k| squash(k.name()) == wanted)
    }
}

impl fmt::Display for FaultKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for FaultKind {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        FaultKind::from_name(s).ok_or_else(|| format!("unknown fault kind: {s}"))
    }
}

/// Fault settings: each data request fails with probability `rate`, with a kind picked
/// uniformly from `kinds`. A `seed` makes the sequence of picks reproducible.
#[derive(Clone, Debug)]
pub struct Faults {
    pub rate: f64,
    pub kinds: Vec<FaultKind>,
    pub seed: Option<u64>,
    /// How long SlowResponse holds the answer back (default 40 s, beyond client timeouts).
    pub slow_by: Duration,
}

impl Default for Faults {
    fn default() -> Self {
        Faults {
            rate: 0.0,
            kinds: Vec::new(),
            seed: None,
            slow_by: Duration::from_secs(40),
        }
    }
}

impl Faults {
    pub fn new(rate: f64, kinds: impl Into<Vec<FaultKind>>) -> Self {
        Faults {
            rate,
            kinds: kinds.into(),
            ..Faults::default()
        }
    }

    /// Every request gets `kind` (handy for tests of one fault).
    pub fn always(kind: FaultKind) -> Self {
        Faults::new(1.0, [kind])
    }

    pub fn with_seed(mut self, seed: u64) -> Self {
        self.seed = Some(seed);
        self
    }

    pub fn with_slow_by(mut self, slow_by: Duration) -> Self {
        self.slow_by = slow_by;
        self
    }
}

/// The current settings plus the random source that rolls against them.
#[derive(Debug)]
pub(crate) struct FaultDice {
    pub faults: Faults,
    rng: fastrand::Rng,
}

impl FaultDice {
    pub fn new(faults: Faults) -> Self {
        let rng = faults
            .seed
            .map_or_else(fastrand::Rng::new, fastrand::Rng::with_seed);
        FaultDice { faults, rng }
    }

    pub fn roll(&mut self) -> Option<FaultKind> {
        let kinds = &self.faults.kinds;
        if kinds.is_empty() || self.faults.rate <= 0.0 || self.rng.f64() >= self.faults.rate {
            return None;
        }
        Some(kinds[self.rng.usize(..kinds.len())])
    }
}
