//! SOQL subset: parsing, execution and query-locator paging for `/query`.

mod compare;
mod exec;
mod lexer;
mod parse;
mod path;
mod subquery;

use std::collections::HashMap;

use serde_json::{Value, json};

use crate::error::ApiError;
use crate::store::Store;

pub(crate) const MAX_BATCH: usize = 2000;

/// The header that sets a query's batch size.
pub(crate) const QUERY_OPTIONS: &str = "Sforce-Query-Options";

/// The batch size `Sforce-Query-Options: batchSize=N` asks for; smaller than Salesforce's 200
/// minimum is allowed for tests.
pub(crate) fn batch_size(options: Option<&str>) -> usize {
    options
        .unwrap_or_default()
        .split(',')
        .filter_map(|kv| kv.trim().strip_prefix("batchSize="))
        .find_map(|n| n.trim().parse().ok())
        .unwrap_or(MAX_BATCH)
}

/// Snapshot result sets kept for `nextRecordsUrl`, like Salesforce's query locators.
#[derive(Debug, Default)]
pub(crate) struct Cursors {
    next: u64,
    open: HashMap<String, Snapshot>,
}

#[derive(Debug)]
struct Snapshot {
    total: usize,
    rows: Vec<Value>,
    batch: usize,
}

/// Runs `soql` and returns its first page.
pub(crate) fn query(
    store: &Store,
    cursors: &mut Cursors,
    version: &str,
    soql: &str,
    batch: usize,
) -> Result<Value, ApiError> {
    let q = parse::parse(soql).map_err(|e| ApiError::bad("MALFORMED_QUERY", e))?;
    let (total, rows) = exec::execute(store, version, &q)?;
    cursors.next += 1;
    let locator = format!("01gFAKE{}", cursors.next);
    let snapshot = Snapshot {
        total,
        rows,
        batch: batch.clamp(1, MAX_BATCH),
    };
    let page = page(&snapshot, version, &locator, 0);
    if !snapshot.rows.is_empty() && snapshot.rows.len() > snapshot.batch {
        cursors.open.insert(locator, snapshot);
    }
    Ok(page)
}

/// Serves `GET /query/{locator}-{offset}`.
pub(crate) fn more(cursors: &Cursors, version: &str, locator: &str) -> Result<Value, ApiError> {
    let invalid = || ApiError::bad("INVALID_QUERY_LOCATOR", "invalid query locator");
    let (id, offset) = locator.rsplit_once('-').ok_or_else(invalid)?;
    let offset: usize = offset.parse().map_err(|_| invalid())?;
    let snapshot = cursors.open.get(id).ok_or_else(invalid)?;
    if offset >= snapshot.rows.len() {
        return Err(invalid());
    }
    Ok(page(snapshot, version, id, offset))
}

fn page(s: &Snapshot, version: &str, locator: &str, offset: usize) -> Value {
    let end = (offset + s.batch).min(s.rows.len());
    let done = end >= s.rows.len();
    let mut body = json!({
        "totalSize": s.total,
        "done": done,
        "records": s.rows[offset..end].to_vec(),
    });
    if !done {
        body["nextRecordsUrl"] = json!(format!("/services/data/{version}/query/{locator}-{end}"));
    }
    body
}
