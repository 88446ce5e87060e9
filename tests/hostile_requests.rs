//! A corpus of hostile requests: each is answered with a 4xx problem and nothing reaches WorkMail.

mod support;

use serde_json::{Value, json};
use support::*;

fn put(body: &str) -> Value {
    with_body(event("rest-put.json"), Some("application/json"), body)
}

fn valid_with(change: impl FnOnce(&mut Value)) -> String {
    let mut body = demo_configuration();
    change(&mut body);
    body.to_string()
}

#[tokio::test]
async fn hostile_requests_are_4xx_problems_and_never_reach_workmail() {
    let deep = "[".repeat(5_000) + &"]".repeat(5_000);
    let deep_object = "{\"a\":".repeat(2_000) + "1" + &"}".repeat(2_000);
    let long_arn = format!("arn:aws:sso:::instance/ssoins-{}", "a".repeat(60_000));
    let mut header_tricks = Vec::new();
    for (name, value) in [
        ("host", "evil.example/organizations"),
        ("x-forwarded-proto", "https://evil.example/"),
        ("content-type", "application/json, text/html"),
        ("content-type", "text/html; charset=utf-8; application/json"),
        ("content-type", "application/jsonp"),
        ("if-match", "\"a\" ; DROP TABLE"),
        ("if-none-match", "nope"),
    ] {
        let mut event = put(&demo_configuration().to_string());
        set_header(&mut event, name, Some(value));
        header_tricks.push((format!("header {name}: {value}"), event));
    }
    let mut cases: Vec<(String, Value)> = vec![
        ("deeply nested array".into(), put(&deep)),
        ("deeply nested object".into(), put(&deep_object)),
        (
            "number beyond f64".into(),
            put(
                &valid_with(|b| b["personalAccessTokens"]["lifetimeInDays"] = json!(0))
                    .replace("\"lifetimeInDays\":0", "\"lifetimeInDays\":1e400"),
            ),
        ),
        (
            "integer beyond u64".into(),
            put(
                &valid_with(|b| b["personalAccessTokens"]["lifetimeInDays"] = json!(0)).replace(
                    "\"lifetimeInDays\":0",
                    "\"lifetimeInDays\":123456789012345678901234567890",
                ),
            ),
        ),
        (
            "negative zero".into(),
            put(&valid_with(|b| {
                b["personalAccessTokens"]["lifetimeInDays"] = json!(-0.0)
            })),
        ),
        (
            "duplicate keys".into(),
            put(
                r#"{"authenticationMode":"IDENTITY_PROVIDER_AND_DIRECTORY","authenticationMode":"IDENTITY_PROVIDER_ONLY"}"#,
            ),
        ),
        (
            "NUL in a value".into(),
            put(&valid_with(|b| {
                b["identityCenter"]["instanceArn"] =
                    json!("arn:aws:sso:::instance/ssoins-1234567890abcde\u{0}")
            })),
        ),
        (
            "NUL in a key".into(),
            put(&valid_with(|b| b["identityCenter\u{0}"] = json!(1))),
        ),
        ("raw NUL byte".into(), put("{\u{0}}")),
        (
            "overlong ARN".into(),
            put(&valid_with(|b| {
                b["identityCenter"]["instanceArn"] = json!(long_arn)
            })),
        ),
        (
            "array where an object belongs".into(),
            put(&valid_with(|b| b["identityCenter"] = json!([1, 2]))),
        ),
        (
            "prototype-ish keys".into(),
            put(&valid_with(|b| b["__proto__"] = json!({ "admin": true }))),
        ),
        (
            "path traversal".into(),
            with_path(
                event("rest-get.json"),
                "/organizations/..%2F..%2Fhealth/identity-provider",
            ),
        ),
        (
            "dot segments".into(),
            with_path(
                event("rest-get.json"),
                "/organizations/m-0123456789abcdef0123456789abcdef/../identity-provider",
            ),
        ),
        (
            "percent-encoded id".into(),
            with_path(
                event("rest-get.json"),
                "/organizations/%6d-0123456789abcdef0123456789abcdef/identity-provider",
            ),
        ),
        (
            "encoded slash in id".into(),
            with_path(
                event("rest-get.json"),
                "/organizations/m-0123%2F456789abcdef0123456789abcdef/identity-provider",
            ),
        ),
        (
            "unicode id".into(),
            with_path(
                event("rest-get.json"),
                "/organizations/m-０123456789abcdef0123456789abcdef/identity-provider",
            ),
        ),
        (
            "very long path".into(),
            with_path(
                event("rest-get.json"),
                &format!("/organizations/{}/identity-provider", "m".repeat(10_000)),
            ),
        ),
        (
            "query injection".into(),
            with_query(event("rest-put.json"), "dryRun", "true&dryRun=false"),
        ),
    ];
    cases.extend(header_tricks);
    let harness = Harness::start().await;
    for (name, event) in cases {
        let answer = harness.invoke(&event).await;
        assert!(
            (400..500).contains(&answer.status),
            "{name}: {} {}",
            answer.status,
            answer.body
        );
        assert_eq!(
            answer.header("content-type"),
            Some("application/problem+json"),
            "{name}"
        );
        assert!(answer.body["code"].is_string(), "{name}");
        assert!(
            harness.emulator.calls().is_empty(),
            "{name}: nothing reaches WorkMail"
        );
    }
}
