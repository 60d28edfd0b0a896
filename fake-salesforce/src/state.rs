//! Shared mutable state of one fake org. The std mutex is never held across an await.

use std::collections::{BTreeMap, HashSet};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use tokio::sync::watch;

use crate::faults::{FaultDice, Faults};
use crate::soql::Cursors;
use crate::store::Store;

pub(crate) struct Shared {
    state: Mutex<State>,
    pub url: String,
    /// Flips (or closes) when the server should stop; slow responses give up waiting on it.
    pub stop: watch::Receiver<bool>,
}

pub(crate) struct State {
    pub store: Store,
    pub cursors: Cursors,
    pub tokens: HashSet<String>,
    pub client_id: String,
    pub client_secret: String,
    pub dice: FaultDice,
    pub latency: Duration,
    pub api_used: u64,
    pub api_max: u64,
    pub api_calls: u64,
    pub token_requests: u64,
    pub injected: BTreeMap<String, u64>,
    token_rng: fastrand::Rng,
}

impl Shared {
    pub fn new(url: String, stop: watch::Receiver<bool>) -> Self {
        let state = State {
            store: Store::new(),
            cursors: Cursors::default(),
            tokens: HashSet::new(),
            client_id: "test-client".into(),
            client_secret: "test-secret".into(),
            dice: FaultDice::new(Faults::default()),
            latency: Duration::ZERO,
            api_used: 0,
            api_max: 100_000,
            api_calls: 0,
            token_requests: 0,
            injected: BTreeMap::new(),
            token_rng: fastrand::Rng::new(),
        };
        Shared {
            state: Mutex::new(state),
            url,
            stop,
        }
    }

    /// A panic in one handler must not wedge every later request, so poison is ignored.
    pub fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl State {
    /// Counts one data request; returns the `Sforce-Limit-Info` value to send with it.
    pub fn count_call(&mut self) -> String {
        self.api_calls += 1;
        self.api_used += 1;
        format!("api-usage={}/{}", self.api_used, self.api_max)
    }

    /// Issues a new access token in Salesforce's `00D...!...` shape.
    pub fn mint_token(&mut self) -> String {
        let rng = &mut self.token_rng;
        let secret: String = (0..40).map(|_| rng.alphanumeric()).collect();
        let token = format!("00D000000000001!{secret}");
        self.tokens.insert(token.clone());
        token
    }

    pub fn random_bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.token_rng.u8(..)).collect()
    }
}
