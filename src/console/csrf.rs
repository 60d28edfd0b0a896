//! Anti-forgery tokens the console issued: a random nonce and an HMAC of it and the user name
//! signed in with, so a token another site makes up, or one issued to another name, is refused. The key is
//! derived from the configured password hash: every replica behind the proxy, and a restarted
//! process, accept each other's tokens, and changing the password voids them all.

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;

/// Separates this key from any other use of the password hash.
const PURPOSE: &[u8] = b"order-sync console anti-forgery token v1";
/// Bytes of nonce and of MAC in a token; each is written as hex, 64 characters in all.
const HALF: usize = 16;

/// Issues and checks tokens.
pub(crate) struct Tokens {
    key: [u8; 32],
}

impl Tokens {
    /// Keys derived from `secret` (the password hash, a secret never shown).
    pub fn new(secret: &str) -> Tokens {
        Tokens {
            key: mac(secret.as_bytes(), &[PURPOSE]),
        }
    }

    /// A fresh token for `user`.
    pub fn issue(&self, user: &str) -> String {
        let nonce = uuid::Uuid::new_v4().into_bytes();
        let tag = self.tag(&nonce, user);
        format!("{}{}", hex(&nonce), hex(&tag))
    }

    /// Whether `token` is one this console issued to `user` (compared in constant time).
    pub fn is_valid(&self, token: &str, user: &str) -> bool {
        let Some(bytes) = unhex(token).filter(|b| b.len() == 2 * HALF) else {
            return false;
        };
        let (nonce, tag) = bytes.split_at(HALF);
        bool::from(self.tag(nonce, user).ct_eq(tag))
    }

    fn tag(&self, nonce: &[u8], user: &str) -> [u8; HALF] {
        let full = mac(&self.key, &[nonce, b"\0", user.as_bytes()]);
        full[..HALF].try_into().expect("a SHA-256 MAC is 32 bytes")
    }
}

fn mac(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    let mut m = Hmac::<Sha256>::new_from_slice(key).expect("any key length");
    for part in parts {
        m.update(part);
    }
    m.finalize().into_bytes().into()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) || !s.is_ascii() {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::Tokens;

    #[test]
    fn a_token_is_valid_only_for_the_name_it_was_issued_to_and_under_the_same_key() {
        let tokens = Tokens::new("$argon2id$one");
        let token = tokens.issue("ana");

        assert_eq!(token.len(), 64);
        assert!(tokens.is_valid(&token, "ana"));
        assert!(!tokens.is_valid(&token, "bob"));
        assert!(!Tokens::new("$argon2id$another").is_valid(&token, "ana"));
        assert!(!tokens.is_valid(&"ab".repeat(32), "ana"));
    }
}
