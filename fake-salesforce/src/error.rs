//! Salesforce-shaped error values and handler replies shared by REST endpoints and graph nodes.

use axum::http::StatusCode;
use serde_json::{Map, Value, json};

/// One REST error, rendered as the single-element JSON array Salesforce sends.
#[derive(Clone, Debug)]
pub(crate) struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub fields: Option<Vec<String>>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            message: message.into(),
            fields: None,
        }
    }

    /// Most data and validation errors are 400s.
    pub fn bad(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, message)
    }

    pub fn with_fields(mut self, fields: &[&str]) -> Self {
        self.fields = Some(fields.iter().map(|f| f.to_string()).collect());
        self
    }

    pub fn not_found() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
            "The requested resource does not exist",
        )
    }

    /// A record that was deleted (it sits in the recycle bin); an id never seen is NOT_FOUND.
    pub fn entity_is_deleted() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "ENTITY_IS_DELETED",
            "entity is deleted",
        )
        .with_fields(&[])
    }

    pub fn invalid_session() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "INVALID_SESSION_ID",
            "Session expired or invalid",
        )
    }

    pub fn json_parse(detail: impl std::fmt::Display) -> Self {
        Self::bad(
            "JSON_PARSER_ERROR",
            format!("The request body is not valid JSON: {detail}"),
        )
    }

    /// The body Salesforce sends: an array of `{message, errorCode, fields?}`.
    pub fn body(&self) -> Value {
        let mut item = Map::new();
        item.insert("message".into(), json!(self.message));
        item.insert("errorCode".into(), json!(self.code));
        if let Some(fields) = &self.fields {
            item.insert("fields".into(), json!(fields));
        }
        Value::Array(vec![Value::Object(item)])
    }
}

/// A handler's answer before it becomes an HTTP response (or a graph node result).
#[derive(Clone, Debug)]
pub(crate) struct Reply {
    pub status: StatusCode,
    pub body: Option<Value>,
}

impl Reply {
    pub fn ok(body: Value) -> Self {
        Reply {
            status: StatusCode::OK,
            body: Some(body),
        }
    }

    pub fn with_status(status: StatusCode, body: Value) -> Self {
        Reply {
            status,
            body: Some(body),
        }
    }

    pub fn no_content() -> Self {
        Reply {
            status: StatusCode::NO_CONTENT,
            body: None,
        }
    }
}

impl From<ApiError> for Reply {
    fn from(e: ApiError) -> Self {
        Reply {
            status: e.status,
            body: Some(e.body()),
        }
    }
}

pub(crate) type OpResult = Result<Reply, ApiError>;
