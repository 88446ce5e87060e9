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

/// The same request as a REST (v1) and as an HTTP API (v2) event.
fn rest_and_http(rest_file: &str, method: &str) -> [Value; 2] {
    let rest = event(rest_file);
    let mut http = with_method(event("http-get.json"), method);
    http["body"] = rest["body"].clone();
    set_header(
        &mut http,
        "content-type",
        rest["headers"]["Content-Type"].as_str(),
    );
    if let Some(confirm) = rest["headers"]["Confirm-Impact"].as_str() {
        set_header(&mut http, "confirm-impact", Some(confirm));
    }
    [rest, http]
}

#[tokio::test]
async fn unknown_query_parameters_are_refused_by_name_on_every_route() {
    let harness = Harness::start().await;
    let mut cases = Vec::new();
    for (file, method) in [
        ("rest-put.json", "PUT"),
        ("rest-patch.json", "PATCH"),
        ("rest-delete.json", "DELETE"),
    ] {
        for event in rest_and_http(file, method) {
            for misspelt in ["dryrun", "DryRun", "dry_run"] {
                cases.push((with_query(event.clone(), misspelt, "true"), misspelt));
            }
        }
    }
    for event in rest_and_http("rest-get.json", "GET") {
        cases.push((with_query(event, "dryRun", "true"), "dryRun"));
    }
    cases.push((
        with_query(event("rest-health.json"), "verbose", "1"),
        "verbose",
    ));
    for (event, name) in cases {
        let answer = harness.invoke(&event).await;
        assert_eq!(answer.status, 400, "{name}: {answer:?}");
        assert_eq!(answer.problem_code(), "VALIDATION_FAILED");
        assert_eq!(answer.error_locations(), [name]);
        assert!(
            harness.emulator.calls().is_empty(),
            "?{name}=true reaches nothing: {:?}",
            harness.emulator.operations()
        );
    }
    assert_eq!(
        harness
            .invoke(&with_query(event("rest-put.json"), "dryRun", "true"))
            .await
            .status,
        200,
        "the known parameter still works"
    );
}

#[tokio::test]
async fn a_patch_that_can_never_be_valid_is_refused_before_any_call() {
    let harness = Harness::start().await;
    let cases: &[(&str, &[&str])] = &[
        ("[]", &[""]),
        ("\"IDENTITY_PROVIDER_ONLY\"", &[""]),
        ("null", &[""]),
        (
            "{\"authenticationmode\":\"IDENTITY_PROVIDER_ONLY\"}",
            &["/authenticationmode"],
        ),
        (
            "{\"identityCenter\":{\"instanceArn\":null,\"extra\":1}}",
            &["/identityCenter/extra", "/identityCenter/instanceArn"],
        ),
        (
            "{\"personalAccessTokens\":{\"lifetimeInDays\":\"90\"}}",
            &["/personalAccessTokens/lifetimeInDays"],
        ),
        (
            "{\"personalAccessTokens\":{\"status\":true}}",
            &["/personalAccessTokens/status"],
        ),
        ("{\"authenticationMode\":null}", &["/authenticationMode"]),
        ("{\"identityCenter\":[]}", &["/identityCenter"]),
    ];
    for (body, pointers) in cases {
        for event in rest_and_http("rest-patch.json", "PATCH") {
            let event = with_body(event, Some("application/merge-patch+json"), body);
            let answer = harness.invoke(&event).await;
            assert_eq!(answer.status, 400, "{body}: {answer:?}");
            assert_eq!(answer.problem_code(), "VALIDATION_FAILED", "{body}");
            assert_eq!(answer.error_locations(), *pointers, "{body}");
            assert!(
                harness.emulator.calls().is_empty(),
                "{body}: refused before WorkMail is asked anything"
            );
        }
    }
}

#[tokio::test]
async fn a_problem_lists_at_most_100_errors_and_says_how_many_there_were() {
    let harness = Harness::start().await;
    let alphabet: Vec<char> = (' '..='~').filter(|c| !matches!(c, '"' | '\\')).collect();
    let members: Vec<String> = alphabet
        .iter()
        .flat_map(|a| alphabet.iter().map(move |b| format!("\"{a}{b}\":0")))
        .take(8_191)
        .collect();
    let body = format!("{{{}}}", members.join(","));
    assert!(body.len() <= 64 * 1024, "{}", body.len());
    let answer = harness.invoke(&put(&body)).await;
    assert_eq!(answer.status, 400);
    assert_eq!(answer.problem_code(), "VALIDATION_FAILED");
    assert_eq!(answer.error_locations().len(), 100);
    let total = 8_191 + 3; // every unknown member, and the three required ones missing
    assert_eq!(answer.body["errorCount"], total);
    let detail = answer.body["detail"].as_str().unwrap_or_default();
    assert!(
        detail.contains(&total.to_string()) && detail.contains("first 100"),
        "{detail}"
    );
    let size = answer.raw["body"].as_str().map_or(0, str::len);
    assert!(size < 16 * 1024, "the answer has {size} bytes");

    let one = harness
        .invoke(&put(&valid_with(|b| b["extra"] = json!(1))))
        .await;
    assert_eq!(one.error_locations(), ["/extra"]);
    assert_eq!(one.body["errorCount"], 1);
}

#[tokio::test]
async fn paths_are_matched_as_given_never_normalized_into_another_route() {
    const OTHER: &str = "m-ffffffffffffffffffffffffffffffff";
    let harness = Harness::start().await;
    let paths = [
        format!("/organizations/{OTHER}/../{ORG}/identity-provider"),
        format!("/organizations/{OTHER}/%2e%2E/{ORG}/identity-provider"),
        format!("/organizations/{ORG}/./identity-provider"),
        format!("/organizations\\{ORG}\\identity-provider"),
        format!("/organizations/{ORG}\\identity-provider"),
        format!("/organizations%2F{ORG}/identity-provider"),
        format!("/organizations/{ORG}%2fidentity-provider"),
        format!("/organizations/{ORG}%5Cidentity-provider"),
        format!("//organizations/{ORG}/identity-provider"),
        format!("/organizations//{ORG}/identity-provider"),
        format!("/organizations/{ORG}/identity-provider/"),
        "/organizations//identity-provider".to_owned(),
        "/organizations/m-0123456789abcdef\t0123456789abcdef/identity-provider".to_owned(),
        "/health/.".to_owned(),
        "/x/../health".to_owned(),
    ];
    for path in &paths {
        for event in rest_and_http("rest-get.json", "GET") {
            let answer = harness.invoke(&with_path(event, path)).await;
            assert_eq!(answer.status, 404, "{path:?}: {answer:?}");
            assert_eq!(answer.problem_code(), "NOT_FOUND", "{path:?}");
        }
        let answer = harness
            .invoke(&with_path(event("rest-put.json"), path))
            .await;
        assert_eq!(answer.status, 404, "{path:?}: {answer:?}");
    }
    assert!(
        harness.emulator.calls().is_empty(),
        "{:?}",
        harness.emulator.operations()
    );
}
