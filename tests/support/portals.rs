//! Test support for the WorkSpaces Secure Browser routes: events on a portal's identity provider,
//! bodies of each kind, and the checks that secrets stay out of answers.

use serde_json::{Value, json};

use super::{Answer, event, with_body, with_method, with_path};

pub const DAY: i64 = 86_400;

/// Two secrets whose SHA-256 share their first 3 bytes (`0eb292`): the view's `sha256Prefix`
/// cannot tell them apart (found by a birthday search in a few thousand hashes).
pub const COLLIDING_A: &str = "rotated-secret-1221";
pub const COLLIDING_B: &str = "rotated-secret-1697";

pub fn portal_path(portal: &str) -> String {
    format!("/secure-browser/portals/{portal}/identity-provider")
}

/// A REST (v1) event for `method` on `portal`'s identity provider, with `body` as JSON.
pub fn portal_event(method: &str, portal: &str, body: Option<&Value>) -> Value {
    let base = with_path(
        with_method(event("rest-portal-get.json"), method),
        &portal_path(portal),
    );
    match body {
        Some(body) => {
            let content_type = if method == "PATCH" {
                "application/merge-patch+json"
            } else {
                "application/json"
            };
            with_body(base, Some(content_type), &body.to_string())
        }
        None => base,
    }
}

/// An OIDC provider body with `secret` as its client secret.
pub fn oidc(secret: &str) -> Value {
    json!({
        "name": "Corp OIDC",
        "type": "OIDC",
        "oidc": {
            "clientId": "portal-client",
            "clientSecret": secret,
            "issuer": "https://login.example.com",
            "authorizeScopes": ["openid", "email"],
            "attributesRequestMethod": "GET"
        }
    })
}

/// A SAML provider body with `metadata` inline.
pub fn saml(metadata: &str) -> Value {
    json!({ "name": "Corp SAML", "type": "SAML", "saml": { "metadataFile": metadata } })
}

/// Now, in Unix seconds.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|elapsed| i64::try_from(elapsed.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or_default()
}

/// Asserts `secret` appears nowhere in `answer` (headers and body).
pub fn assert_no_secret(answer: &Answer, secret: &str) {
    let text = answer.raw.to_string();
    assert!(!text.contains(secret), "the secret leaked: {text}");
}
