//! Field paths of a query: a field of the record itself, or of its parent one relationship hop
//! away (`Product2.ProductCode`, `Custom__r.Name`), resolved against the schema.

use serde_json::Value;

use crate::error::ApiError;
use crate::record::Record;
use crate::store::Store;

/// Where a selected or filtered field's value comes from.
#[derive(Clone, Debug)]
pub(crate) enum Path {
    Direct(String),
    Rel {
        rel: String,
        ref_field: String,
        target: Option<String>,
        field: String,
    },
}

fn no_such_column(field: &str, object: &str) -> ApiError {
    let msg = format!(
        "No such column '{field}' on entity '{object}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names."
    );
    ApiError::bad("INVALID_FIELD", msg)
}

pub(super) fn resolve(store: &Store, object: &str, raw: &str) -> Result<Path, ApiError> {
    let parts: Vec<&str> = raw.split('.').collect();
    let field_of = |obj: &str, f: &str| store.schema.field(obj, f).map(|d| d.name.clone());
    match parts.as_slice() {
        [f] => field_of(object, f)
            .map(Path::Direct)
            .ok_or_else(|| no_such_column(f, object)),
        [rel, f] => {
            let ref_name = match rel
                .len()
                .checked_sub(3)
                .filter(|&n| rel[n..].eq_ignore_ascii_case("__r"))
            {
                Some(n) => format!("{}__c", &rel[..n]),
                None => format!("{rel}Id"),
            };
            let bad_rel = || {
                ApiError::bad(
                    "INVALID_FIELD",
                    format!(
                        "Didn't understand relationship '{rel}' in field path. If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name. Please reference your WSDL or the describe call for the appropriate names."
                    ),
                )
            };
            let ref_field = field_of(object, &ref_name).ok_or_else(bad_rel)?;
            let rel_name = ref_field
                .strip_suffix("Id")
                .map_or_else(|| rel.to_string(), str::to_string);
            let target = store.schema.object(&rel_name).map(|o| o.name.clone());
            let field = match &target {
                Some(t) => field_of(t, f).ok_or_else(|| no_such_column(f, t))?,
                None => f.to_string(),
            };
            Ok(Path::Rel {
                rel: rel_name,
                ref_field,
                target,
                field,
            })
        }
        _ => Err(no_such_column(raw, object)),
    }
}

pub(super) fn parent<'a>(
    store: &'a Store,
    record: &Record,
    ref_field: &str,
    target: Option<&str>,
) -> Option<&'a Record> {
    let id = record.get(ref_field)?.as_str()?;
    match target {
        Some(t) => store.get(t, id),
        None => store.find_by_id(id),
    }
}

pub(crate) fn value_of(store: &Store, record: &Record, path: &Path) -> Value {
    let found = match path {
        Path::Direct(f) => record.get(f),
        Path::Rel {
            ref_field,
            target,
            field,
            ..
        } => parent(store, record, ref_field, target.as_deref()).and_then(|p| p.get(field)),
    };
    found.cloned().unwrap_or(Value::Null)
}
