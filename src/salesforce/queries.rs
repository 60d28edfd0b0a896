//! Many SOQL queries for few API calls: each round sends up to five pending pages (a first page
//! or a `nextRecordsUrl`) as one `/composite` request, which Salesforce counts as one call.

use reqwest::Method;
use serde::Deserialize;
use serde_json::{Value, json};

use super::error::{self, SfError};
use super::{Salesforce, wire};

/// Salesforce takes at most five query sub-requests in one composite request.
const QUERIES_PER_CALL: usize = 5;

#[derive(Deserialize)]
struct CompositeResponse {
    #[serde(rename = "compositeResponse")]
    composite_response: Vec<SubResponse>,
}

#[derive(Deserialize)]
struct SubResponse {
    body: Value,
    #[serde(rename = "httpStatusCode")]
    status: u16,
    #[serde(rename = "referenceId")]
    reference_id: String,
}

#[derive(Deserialize)]
struct Page {
    #[serde(default)]
    records: Vec<Value>,
    #[serde(default)]
    done: bool,
    #[serde(rename = "nextRecordsUrl")]
    next_records_url: Option<String>,
}

impl Salesforce {
    /// Runs every query of `soqls` to its last page; the records of each, in the same order.
    /// Costs one call per five pages, whatever the number of queries.
    pub(super) async fn query_all(&self, soqls: &[String]) -> Result<Vec<Vec<Value>>, SfError> {
        let version = &self.settings.api_version;
        let mut records: Vec<Vec<Value>> = vec![Vec::new(); soqls.len()];
        // (query index, url of its next page)
        let mut pending: Vec<(usize, String)> = soqls
            .iter()
            .enumerate()
            .map(|(i, q)| {
                let q: String = url::form_urlencoded::byte_serialize(q.as_bytes()).collect();
                (i, format!("/services/data/{version}/query?q={q}"))
            })
            .collect();
        while !pending.is_empty() {
            let round: Vec<(usize, String)> = pending
                .drain(..pending.len().min(QUERIES_PER_CALL))
                .collect();
            for (i, page) in self.composite_pages(&round).await? {
                records[i].extend(page.records);
                if let (false, Some(next)) = (page.done, page.next_records_url) {
                    pending.push((i, next));
                }
            }
        }
        Ok(records)
    }

    /// One composite request of GETs; each answer read as a query page.
    async fn composite_pages(
        &self,
        round: &[(usize, String)],
    ) -> Result<Vec<(usize, Page)>, SfError> {
        let requests: Vec<Value> = round
            .iter()
            .map(|(i, url)| json!({ "method": "GET", "url": url, "referenceId": format!("q{i}") }))
            .collect();
        let body = json!({ "allOrNone": false, "compositeRequest": requests });
        let bytes = self
            .inner
            .send(Method::POST, "composite", Some(&body))
            .await?;
        let answer: CompositeResponse = serde_json::from_slice(&bytes).map_err(|_| {
            SfError::transient(
                None,
                format!(
                    "Salesforce's composite answer was not the expected JSON ({})",
                    error::describe_body(&bytes)
                ),
            )
        })?;
        let mut pages = Vec::with_capacity(round.len());
        for (i, _) in round {
            let reference = format!("q{i}");
            let sub = answer
                .composite_response
                .iter()
                .find(|s| s.reference_id == reference)
                .ok_or_else(|| SfError::transient(None, "Salesforce's answer left a query out"))?;
            if !(200..300).contains(&sub.status) {
                let status = reqwest::StatusCode::from_u16(sub.status)
                    .unwrap_or(reqwest::StatusCode::BAD_REQUEST);
                let raw = serde_json::to_vec(&sub.body).unwrap_or_default();
                return Err(error::classify_response(status, &raw));
            }
            let page: Page = serde_json::from_value(sub.body.clone()).map_err(|_| {
                SfError::transient(None, "a query answer was not the expected JSON")
            })?;
            pages.push((*i, page));
        }
        Ok(pages)
    }
}

/// The SOQL IN lists for `keys`: each short enough for Salesforce's 4,000 characters per WHERE
/// string and for one answer page, every key once.
pub(super) fn in_lists(keys: &[String], max_keys: usize) -> Vec<String> {
    const MAX_CHARS: usize = 3_800;
    let mut lists = Vec::new();
    let mut current: Vec<String> = Vec::new();
    let mut chars = 0;
    for k in keys {
        let literal = wire::soql_literal(k);
        if !current.is_empty()
            && (current.len() >= max_keys || chars + literal.len() + 1 > MAX_CHARS)
        {
            lists.push(current.join(","));
            current.clear();
            chars = 0;
        }
        chars += literal.len() + 1;
        current.push(literal);
    }
    if !current.is_empty() {
        lists.push(current.join(","));
    }
    lists
}

#[cfg(test)]
mod tests {
    use super::in_lists;

    #[test]
    fn in_lists_keep_each_key_once_and_each_list_under_the_where_limit() {
        let keys: Vec<String> = (0..2_000).map(|i| format!("{:0>12}", i)).collect();
        let lists = in_lists(&keys, 400);
        assert!(lists.len() > 1);
        assert!(lists.iter().all(|l| l.len() <= 3_800));
        let joined: Vec<&str> = lists.iter().flat_map(|l| l.split(',')).collect();
        assert_eq!(joined.len(), 2_000);
        assert_eq!(joined[1_999], "'000000001999'");
        assert_eq!(
            in_lists(&keys[..3], 2),
            ["'000000000000','000000000001'", "'000000000002'"]
        );
    }
}
