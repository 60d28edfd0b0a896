//! `@{referenceId.path}` references from one sub-request to an earlier one's result, as composite
//! and composite graph resolve them: `.` names a field, `[n]` indexes a list
//! (`@{acct.id}`, `@{q.records[0].Id}`, `@{q.nextRecordsUrl}`).

use std::collections::HashMap;

use serde_json::Value;

/// The results of earlier successful sub-requests, by reference id.
pub(crate) struct Refs {
    results: HashMap<String, Value>,
    /// Whether a reference to a null field resolves (to null) instead of failing; composite does
    /// so from API v52.0.
    allow_null: bool,
}

/// One step of a reference path.
enum Step<'a> {
    Field(&'a str),
    Index(usize),
}

/// `records[0].Id` -> [Field(records), Index(0), Field(Id)]; None when malformed.
fn steps(path: &str) -> Option<Vec<Step<'_>>> {
    let mut out = Vec::new();
    for part in path.split('.') {
        let (field, mut rest) = part.split_at(part.find('[').unwrap_or(part.len()));
        if !field.is_empty() {
            out.push(Step::Field(field));
        }
        while let Some(tail) = rest.strip_prefix('[') {
            let (n, after) = tail.split_once(']')?;
            out.push(Step::Index(n.parse().ok()?));
            rest = after;
        }
        if !rest.is_empty() {
            return None;
        }
    }
    Some(out)
}

impl Refs {
    pub fn new(allow_null: bool) -> Self {
        Refs {
            results: HashMap::new(),
            allow_null,
        }
    }

    /// Records a successful sub-request's response body under its reference id.
    pub fn insert(&mut self, reference_id: &str, body: Value) {
        self.results.insert(reference_id.to_string(), body);
    }

    /// The value `reference` (the text between `@{` and `}`) points at; Err(reference) when
    /// the referenced sub-request did not succeed or its result has no such value.
    fn lookup(&self, reference: &str) -> Result<Value, String> {
        let missing = || reference.to_string();
        let (name, path) = reference.split_once('.').unwrap_or((reference, ""));
        let mut current = self.results.get(name).ok_or_else(missing)?;
        for step in steps(path).ok_or_else(missing)? {
            let next = match (step, current) {
                (Step::Field(f), Value::Object(map)) => map.get(f),
                // `records.0` is accepted as well as `records[0]`.
                (Step::Field(f), Value::Array(items)) => {
                    f.parse::<usize>().ok().and_then(|i| items.get(i))
                }
                (Step::Index(i), Value::Array(items)) => items.get(i),
                _ => None,
            };
            current = next.ok_or_else(missing)?;
        }
        match current {
            Value::Null if !self.allow_null => Err(missing()),
            value => Ok(value.clone()),
        }
    }

    /// Replaces every reference inside `s` with the text of its value.
    pub fn in_text(&self, s: &str) -> Result<String, String> {
        let mut out = String::new();
        let mut rest = s;
        while let Some(start) = rest.find("@{") {
            let end = rest[start..]
                .find('}')
                .ok_or_else(|| rest[start..].to_string())?;
            out.push_str(&rest[..start]);
            let value = self.lookup(&rest[start + 2..start + end])?;
            out.push_str(&crate::record::value_text(&value).unwrap_or_default());
            rest = &rest[start + end + 1..];
        }
        out.push_str(rest);
        Ok(out)
    }

    /// Replaces references in every string of a body; a string that is exactly one reference
    /// takes the referenced value with its JSON type.
    pub fn in_body(&self, v: &Value) -> Result<Value, String> {
        Ok(match v {
            Value::String(s) => match s.strip_prefix("@{").and_then(|r| r.strip_suffix('}')) {
                Some(r) if !r.contains(['{', '}']) => self.lookup(r)?,
                _ => Value::String(self.in_text(s)?),
            },
            Value::Array(items) => Value::Array(
                items
                    .iter()
                    .map(|i| self.in_body(i))
                    .collect::<Result<_, _>>()?,
            ),
            Value::Object(map) => {
                let mut out = serde_json::Map::new();
                for (k, item) in map {
                    out.insert(k.clone(), self.in_body(item)?);
                }
                Value::Object(out)
            }
            other => other.clone(),
        })
    }
}
