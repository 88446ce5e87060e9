//! `GET /openapi.json` through the function's real entry point: the OpenAPI 3.1 document over REST
//! (with and without the stage in the path) and HTTP API events, HEAD without a body, and no grant
//! needed. That the document and the router agree is checked next to the router
//! (`src/http/openapi.rs`).

mod support;

use idp_gateway::access::AccessPolicy;
use idp_gateway::http::AccessControl;
use serde_json::json;
use support::*;

fn openapi(file: &str, path: &str) -> serde_json::Value {
    with_path(event(file), path)
}

fn assert_is_the_document(answer: &Answer) {
    assert_eq!(answer.status, 200, "{answer:?}");
    assert_eq!(answer.header("content-type"), Some("application/json"));
    assert_eq!(answer.header("cache-control"), Some("no-store"));
    let version = answer.body["openapi"].as_str().unwrap_or_default();
    assert!(version.starts_with("3.1."), "{version}");
    assert_eq!(answer.body["info"]["version"], env!("CARGO_PKG_VERSION"));
    assert!(
        answer.body["paths"]["/openapi.json"]["get"].is_object(),
        "{answer:?}"
    );
}

#[tokio::test]
async fn the_document_is_served_over_rest_and_http_api_events() {
    let harness = Harness::start().await;
    for (file, path) in [
        ("rest-get.json", "/openapi.json"),
        ("rest-get.json", "/prod/openapi.json"),
        ("http-get.json", "/openapi.json"),
    ] {
        let answer = harness.invoke(&openapi(file, path)).await;
        assert_is_the_document(&answer);
    }
    assert!(
        harness.emulator.calls().is_empty(),
        "the document needs no upstream call"
    );
}

#[tokio::test]
async fn head_answers_the_headers_without_the_body_and_other_methods_are_405() {
    let harness = Harness::start().await;
    for file in ["rest-get.json", "http-get.json"] {
        let head = harness
            .invoke(&with_method(openapi(file, "/openapi.json"), "HEAD"))
            .await;
        assert_eq!(head.status, 200, "{file}: {head:?}");
        assert_eq!(head.header("content-type"), Some("application/json"));
        assert_eq!(head.body, serde_json::Value::Null, "{file}");
        let put = harness
            .invoke(&with_method(openapi(file, "/openapi.json"), "PUT"))
            .await;
        assert_eq!(put.status, 405, "{file}: {put:?}");
        assert_eq!(put.header("allow"), Some("GET, HEAD"));
        assert_eq!(put.problem_code(), "METHOD_NOT_ALLOWED");
    }
}

#[tokio::test]
async fn the_document_needs_no_grant_and_takes_no_query() {
    let policy = AccessPolicy::parse(
        &json!({ "grants": [
            { "principal": "arn:aws:iam::123456789012:role/MailReadOnly", "organizations": ["*"], "permissions": ["read"] }
        ]})
        .to_string(),
    )
    .expect("valid access policy");
    let harness = Harness::guarded(AccessControl {
        policy: Some(policy),
        ..AccessControl::open()
    })
    .await;
    for file in ["rest-get.json", "http-get.json"] {
        let anonymous = as_caller(openapi(file, "/openapi.json"), None);
        assert_is_the_document(&harness.invoke(&anonymous).await);
        let queried = with_query(openapi(file, "/openapi.json"), "format", "yaml");
        let answer = harness.invoke(&queried).await;
        assert_eq!(answer.status, 400, "{file}: {answer:?}");
        assert_eq!(answer.problem_code(), "VALIDATION_FAILED");
        assert_eq!(answer.error_locations(), ["format"]);
    }
}
