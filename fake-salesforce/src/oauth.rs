//! `POST /services/oauth2/token`: client-credentials and JWT-bearer grants.
//! JWT signatures are deliberately not verified; the claims are checked like Salesforce does.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Form;
use axum::Json;
use axum::extract::State;
use axum::extract::rejection::FormRejection;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use serde_json::{Value, json};

use crate::state::Shared;

const JWT_GRANT: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";
/// Salesforce rejects assertions that expire too far ahead (docs say 3-5 minutes).
const MAX_EXP_AHEAD_SECS: i64 = 300;

fn oauth_error(error: &str, description: &str) -> Response {
    let body = json!({"error": error, "error_description": description});
    (StatusCode::BAD_REQUEST, Json(body)).into_response()
}

pub(crate) async fn token(
    State(shared): State<Arc<Shared>>,
    form: Result<Form<HashMap<String, String>>, FormRejection>,
) -> Response {
    let mut state = shared.lock();
    state.token_requests += 1;
    let Ok(Form(form)) = form else {
        return oauth_error("invalid_request", "the request body must be form-encoded");
    };
    let param = |k: &str| form.get(k).map(String::as_str).unwrap_or_default();
    let checked = match param("grant_type") {
        "client_credentials" => {
            let ok = param("client_id") == state.client_id
                && param("client_secret") == state.client_secret;
            if ok {
                Ok(())
            } else {
                Err(("invalid_client", "invalid client credentials".to_string()))
            }
        }
        JWT_GRANT => check_assertion(
            param("assertion"),
            &state.client_id,
            chrono::Utc::now().timestamp(),
        )
        .map_err(|d| ("invalid_grant", d)),
        _ => Err((
            "unsupported_grant_type",
            "grant type not supported".to_string(),
        )),
    };
    if let Err((error, description)) = checked {
        return oauth_error(error, &description);
    }
    let access_token = state.mint_token();
    let issued_at = chrono::Utc::now().timestamp_millis().to_string();
    let signature = STANDARD.encode(state.random_bytes(32));
    let body = json!({
        "access_token": access_token,
        "instance_url": shared.url,
        "id": format!("{}/id/00D000000000001AAA/005000000000001AAA", shared.url),
        "token_type": "Bearer",
        "issued_at": issued_at,
        "signature": signature,
        "scope": "api",
    });
    (StatusCode::OK, Json(body)).into_response()
}

/// Checks a JWT assertion's claims (not its signature) against the accepted client id.
pub(crate) fn check_assertion(assertion: &str, client_id: &str, now: i64) -> Result<(), String> {
    let parts: Vec<&str> = assertion.split('.').collect();
    let [_, payload, _] = parts.as_slice() else {
        return Err("invalid assertion".into());
    };
    let bytes = URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .map_err(|_| "invalid assertion: payload is not base64url".to_string())?;
    let claims: Value = serde_json::from_slice(&bytes)
        .map_err(|_| "invalid assertion: payload is not JSON".to_string())?;
    if claims.get("iss").and_then(Value::as_str) != Some(client_id) {
        return Err("client identifier invalid".into());
    }
    if claims
        .get("sub")
        .and_then(Value::as_str)
        .is_none_or(str::is_empty)
    {
        return Err("invalid assertion: missing sub".into());
    }
    // As Salesforce documents it: the login host of the environment, or an Experience Cloud
    // site; a My Domain host is refused.
    let audience = |a: &str| {
        a == "https://login.salesforce.com"
            || a == "https://test.salesforce.com"
            || (a.starts_with("https://") && a.ends_with(".my.site.com"))
    };
    let aud_ok = match claims.get("aud") {
        Some(Value::String(s)) => audience(s),
        Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).any(audience),
        _ => false,
    };
    if !aud_ok {
        return Err("audience is invalid".into());
    }
    let exp = claims
        .get("exp")
        .and_then(|e| e.as_i64().or_else(|| e.as_f64().map(|f| f as i64)));
    match exp {
        Some(exp) if exp <= now => Err("expired authorization code".into()),
        Some(exp) if exp > now + MAX_EXP_AHEAD_SECS => {
            Err("invalid assertion: exp is too far in the future".into())
        }
        Some(_) => Ok(()),
        None => Err("invalid assertion: missing exp".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jwt(claims: Value) -> String {
        format!("e30.{}.sig", URL_SAFE_NO_PAD.encode(claims.to_string()))
    }

    #[test]
    fn assertion_rules() {
        let now = 1_000_000;
        let good = json!({"iss": "c", "sub": "u@x", "aud": "https://login.salesforce.com", "exp": now + 120});
        assert_eq!(check_assertion(&jwt(good.clone()), "c", now), Ok(()));
        assert!(check_assertion(&jwt(good), "other", now).is_err());
        let late = json!({"iss": "c", "sub": "u", "aud": "a", "exp": now + 301});
        assert!(check_assertion(&jwt(late), "c", now).is_err());
        let expired = json!({"iss": "c", "sub": "u", "aud": "a", "exp": now});
        assert!(check_assertion(&jwt(expired), "c", now).is_err());
        let no_aud = json!({"iss": "c", "sub": "u", "exp": now + 60});
        assert!(check_assertion(&jwt(no_aud), "c", now).is_err());
        assert!(check_assertion("garbage", "c", now).is_err());
    }
}
