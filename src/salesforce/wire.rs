//! Salesforce JSON shapes, exactly as documented. Nothing here leaves the salesforce module.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One entry of a REST error array: `[{"message":..,"errorCode":..,"fields":[..]}]`.
#[derive(Debug, Deserialize)]
pub struct ApiError {
    #[serde(default)]
    pub message: String,
    #[serde(rename = "errorCode", alias = "statusCode")]
    pub error_code: Option<String>,
}

/// The OAuth endpoint's error shape.
#[derive(Debug, Deserialize)]
pub struct OAuthError {
    pub error: String,
    pub error_description: Option<String>,
}

/// A token response. `expires_in` is never sent by Salesforce.
#[derive(Deserialize)]
pub struct TokenResponse {
    pub access_token: String,
    pub instance_url: String,
}

#[derive(Debug, Serialize)]
pub struct GraphRequest {
    pub graphs: Vec<Graph>,
}

#[derive(Debug, Serialize)]
pub struct Graph {
    #[serde(rename = "graphId")]
    pub graph_id: String,
    #[serde(rename = "compositeRequest")]
    pub composite_request: Vec<Node>,
}

#[derive(Debug, Serialize)]
pub struct Node {
    pub method: &'static str,
    pub url: String,
    #[serde(rename = "referenceId")]
    pub reference_id: String,
    pub body: Value,
}

#[derive(Debug, Deserialize)]
pub struct GraphResponse {
    pub graphs: Vec<GraphResult>,
}

#[derive(Debug, Deserialize)]
pub struct GraphResult {
    #[serde(rename = "graphId")]
    pub graph_id: String,
    #[serde(rename = "graphResponse")]
    pub graph_response: CompositeResponse,
    #[serde(rename = "isSuccessful")]
    pub is_successful: bool,
}

#[derive(Debug, Deserialize)]
pub struct CompositeResponse {
    #[serde(rename = "compositeResponse")]
    pub composite_response: Vec<NodeResult>,
}

#[derive(Debug, Deserialize)]
pub struct NodeResult {
    #[serde(default)]
    pub body: Value,
    #[serde(rename = "referenceId")]
    pub reference_id: String,
}

/// A page of SOQL results.
#[derive(Debug, Deserialize)]
pub struct QueryPage {
    pub done: bool,
    #[serde(rename = "nextRecordsUrl")]
    pub next_records_url: Option<String>,
    pub records: Vec<Value>,
}

/// Salesforce record ids are 15 or 18 alphanumeric characters.
pub fn is_salesforce_id(id: &str) -> bool {
    matches!(id.len(), 15 | 18) && id.chars().all(|c| c.is_ascii_alphanumeric())
}

/// Escapes a value for a single-quoted SOQL string literal.
pub fn soql_literal(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('\'');
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '"' => out.push_str("\\\""),
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn soql_literals_escape_quotes_and_backslashes() {
        assert_eq!(soql_literal("O'Brien"), r"'O\'Brien'");
        assert_eq!(soql_literal(r"a\b"), r"'a\\b'");
    }

    #[test]
    fn ids_of_the_wrong_shape_are_recognised() {
        assert!(is_salesforce_id("006000000000001AAA"));
        assert!(!is_salesforce_id("12345"));
        assert!(!is_salesforce_id("006000000000001AA-"));
    }
}

/// One entry of `GET /services/data/`.
#[derive(Debug, Deserialize)]
pub struct ApiVersion {
    pub version: String,
}
