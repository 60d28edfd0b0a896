//! Sign-in that costs an attacker more than us: at most two password checks at once (Argon2id
//! takes ~19 MiB and tens of ms each), a lockout per client address that doubles with each
//! failure, and a minute's memory of credentials already checked, so a rep's page loads do not
//! hash again. What is remembered is an HMAC of the Authorization header under a per-process
//! random key, never the password.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Password checks running at once; a request that finds them all busy is told to come back.
const CONCURRENT_CHECKS: usize = 2;
/// How long a checked credential is trusted without hashing it again.
const REMEMBERED_FOR: Duration = Duration::from_secs(60);
/// Credentials remembered at most (a 32-byte key and a name each).
const MAX_REMEMBERED: usize = 1024;
/// The lockout after a client's first wrong password; each further one doubles it.
const FIRST_LOCKOUT: Duration = Duration::from_secs(1);
/// The longest lockout, however many failures.
const MAX_LOCKOUT: Duration = Duration::from_secs(15 * 60);
/// A client this long past its last failure starts again from the first lockout.
const FORGIVEN_AFTER: Duration = Duration::from_secs(60 * 60);
/// Client addresses tracked at most; when full, the one that failed longest ago is forgotten.
const MAX_CLIENTS: usize = 10_000;
/// What a client is told when every password check is busy.
const BUSY_WAIT: Duration = Duration::from_secs(1);

/// A keyed fingerprint of an Authorization header value.
pub(crate) type Fingerprint = [u8; 32];

/// The sign-in gate: shared by every request of one console.
pub(crate) struct Gate {
    key: [u8; 32],
    checks: Arc<Semaphore>,
    remembered: Mutex<HashMap<Fingerprint, (String, Instant)>>,
    clients: Mutex<HashMap<IpAddr, Failures>>,
}

/// A client's recent wrong passwords.
struct Failures {
    count: u32,
    last: Instant,
    locked_until: Instant,
}

impl Gate {
    pub fn new() -> Gate {
        let mut key = [0u8; 32];
        // A v4 UUID's 122 bits come from the OS's generator; two make the key.
        key[..16].copy_from_slice(uuid::Uuid::new_v4().as_bytes());
        key[16..].copy_from_slice(uuid::Uuid::new_v4().as_bytes());
        Gate {
            key,
            checks: Arc::new(Semaphore::new(CONCURRENT_CHECKS)),
            remembered: Mutex::new(HashMap::new()),
            clients: Mutex::new(HashMap::new()),
        }
    }

    /// The header value's fingerprint: what the memory of checked credentials is keyed by.
    pub fn fingerprint(&self, authorization: &[u8]) -> Fingerprint {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.key).expect("any key length");
        mac.update(authorization);
        mac.finalize().into_bytes().into()
    }

    /// The user name when this credential was checked less than a minute ago.
    pub fn remembered(&self, fp: &Fingerprint) -> Option<String> {
        let remembered = lock(&self.remembered);
        let (user, until) = remembered.get(fp)?;
        (Instant::now() < *until).then(|| user.clone())
    }

    /// A turn to check a password, or how long `client` must wait: it is locked out, or every
    /// check is busy. The turn is held until the outcome is recorded.
    pub fn turn(&self, client: IpAddr) -> Result<OwnedSemaphorePermit, Duration> {
        let clients = lock(&self.clients);
        let now = Instant::now();
        if let Some(f) = clients.get(&bucket(client))
            && f.locked_until > now
        {
            return Err(f.locked_until - now);
        }
        self.checks
            .clone()
            .try_acquire_owned()
            .map_err(|_| BUSY_WAIT)
    }

    /// A right password: remembered for a minute, and the client's failures forgotten.
    pub fn passed(&self, fp: Fingerprint, user: &str, client: IpAddr, turn: OwnedSemaphorePermit) {
        lock(&self.clients).remove(&bucket(client));
        let mut remembered = lock(&self.remembered);
        let now = Instant::now();
        if remembered.len() >= MAX_REMEMBERED {
            remembered.retain(|_, (_, until)| *until > now);
        }
        if remembered.len() >= MAX_REMEMBERED {
            remembered.clear();
        }
        remembered.insert(fp, (user.to_string(), now + REMEMBERED_FOR));
        drop(turn);
    }

    /// A wrong password: the client's lockout doubles. Recorded before the turn is given back,
    /// so no request checks a password between the failure and its lockout.
    pub fn failed(&self, client: IpAddr, turn: OwnedSemaphorePermit) {
        let mut clients = lock(&self.clients);
        let (key, now) = (bucket(client), Instant::now());
        if clients.len() >= MAX_CLIENTS && !clients.contains_key(&key) {
            clients.retain(|_, f| now.duration_since(f.last) < FORGIVEN_AFTER);
            if clients.len() >= MAX_CLIENTS
                && let Some(oldest) = clients.iter().min_by_key(|(_, f)| f.last).map(|(k, _)| *k)
            {
                clients.remove(&oldest);
            }
        }
        let f = clients.entry(key).or_insert(Failures {
            count: 0,
            last: now,
            locked_until: now,
        });
        if now.duration_since(f.last) >= FORGIVEN_AFTER {
            f.count = 0;
        }
        f.count = f.count.saturating_add(1);
        f.last = now;
        f.locked_until = now + lockout(f.count);
        drop(turn);
    }
}

/// The lockout after `failures` wrong passwords in a row: 1 s, 2 s, 4 s … up to 15 minutes.
fn lockout(failures: u32) -> Duration {
    let doublings = failures.saturating_sub(1).min(20);
    FIRST_LOCKOUT
        .saturating_mul(1 << doublings)
        .min(MAX_LOCKOUT)
}

/// One IPv6 host usually holds a whole /64, so its addresses count as one client.
fn bucket(client: IpAddr) -> IpAddr {
    match client {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let s = v6.segments();
                IpAddr::from([s[0], s[1], s[2], s[3], 0, 0, 0, 0])
            }
        },
        v4 => v4,
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_failure_doubles_the_lockout_up_to_a_cap() {
        assert_eq!(lockout(1), Duration::from_secs(1));
        assert_eq!(lockout(4), Duration::from_secs(8));
        assert_eq!(lockout(500), MAX_LOCKOUT);
    }

    #[test]
    fn the_addresses_of_one_ipv6_network_count_as_one_client() {
        let a: IpAddr = "2001:db8:1:2::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:ffff::9".parse().unwrap();
        let mapped: IpAddr = "::ffff:192.0.2.7".parse().unwrap();
        assert_eq!(bucket(a), bucket(b));
        assert_eq!(bucket(mapped), "192.0.2.7".parse::<IpAddr>().unwrap());
    }
}
