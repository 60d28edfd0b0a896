//! Adopting records a rep entered by hand (`link`): check first that each is what it claims to
//! be and belongs to no other order, then tag it with the order's External ID.

use reqwest::Method;
use serde_json::Value;

use super::objects::{MODEL, SfObject};
use super::{Salesforce, SfError, wire};

/// The object whose record ids start with `id`'s prefix, per the model.
fn object_of_id(id: &str) -> Option<&'static str> {
    MODEL
        .iter()
        .find(|m| m.id_prefix.is_some_and(|p| id.starts_with(p)))
        .map(|m| m.name)
}

/// What a record's External ID says about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Owner {
    /// Blank: no order claims it yet.
    Nobody,
    /// It already carries this key: linking again changes nothing.
    This,
    /// It carries another order's key.
    Other(String),
}

impl Salesforce {
    /// Checks that `id` is an existing `object` and whose External ID (the model's key) it
    /// carries, compared with `key`. Changes nothing.
    pub async fn link_owner(&self, object: SfObject, id: &str, key: i64) -> Result<Owner, SfError> {
        let field = object.key_field(&self.settings.fields);
        let object = object.name();
        if !wire::is_salesforce_id(id) {
            return Err(SfError::rejected(
                None,
                format!("{id:?} is not a Salesforce {object} id"),
            ));
        }
        if let Some(other) = object_of_id(id).filter(|o| *o != object) {
            return Err(SfError::rejected(
                None,
                format!("{id} is a {other} id, not an {object} id"),
            ));
        }
        let path = format!("sobjects/{object}/{id}?fields=Id,{field}");
        let bytes = match self.inner.send(Method::GET, &path, None).await {
            // Unknown, or deleted (its id answers ENTITY_IS_DELETED until the recycle bin empties).
            Err(e) if e.names_missing_record() => {
                let deleted = e.code.as_deref() == Some("ENTITY_IS_DELETED");
                return Err(SfError::rejected(
                    e.code.as_deref(),
                    format!(
                        "there is no {object} with id {id}{}",
                        if deleted { " (it was deleted)" } else { "" }
                    ),
                ));
            }
            other => other?,
        };
        let record: Value = serde_json::from_slice(&bytes).map_err(|_| {
            SfError::transient(
                None,
                format!("the {object} {id} came back as unexpected JSON"),
            )
        })?;
        Ok(match record.get(field) {
            Some(Value::String(v)) if v == &key.to_string() => Owner::This,
            Some(Value::String(v)) if !v.trim().is_empty() => Owner::Other(v.clone()),
            Some(Value::Number(n)) if n.as_i64() == Some(key) => Owner::This,
            Some(Value::Number(n)) => Owner::Other(n.to_string()),
            _ => Owner::Nobody,
        })
    }

    /// Sets `object` `id`'s External ID (the model's key) to `key`.
    pub async fn adopt(&self, object: SfObject, id: &str, key: i64) -> Result<(), SfError> {
        let field = object.key_field(&self.settings.fields);
        let object = object.name();
        let body = serde_json::json!({ field: key.to_string() });
        self.inner
            .send(
                Method::PATCH,
                &format!("sobjects/{object}/{id}"),
                Some(&body),
            )
            .await
            .map(|_| ())
    }
}
