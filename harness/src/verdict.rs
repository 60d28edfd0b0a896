//! The chaos suite's findings: named counts and the first few failures of each check.

use std::collections::BTreeMap;

/// What was found: named counts and the first few failures of each check.
#[derive(Debug, Default)]
pub struct Verdict {
    pub counts: BTreeMap<&'static str, u64>,
    pub failures: BTreeMap<&'static str, Vec<String>>,
}

impl Verdict {
    pub fn add(&mut self, key: &'static str, n: u64) {
        *self.counts.entry(key).or_default() += n;
    }

    pub fn fail(&mut self, check: &'static str, detail: String) {
        self.add(check, 1);
        let list = self.failures.entry(check).or_default();
        if list.len() < 8 {
            list.push(detail);
        }
    }

    pub fn count(&self, key: &str) -> u64 {
        self.counts.get(key).copied().unwrap_or(0)
    }

    pub fn passed(&self) -> bool {
        self.failures.is_empty()
    }
}
