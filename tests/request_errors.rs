//! Requests refused before any WorkMail call: body size, media type, malformed bodies, events that
//! lambda_http could not turn into a request. Each is a 4xx problem and the emulator hears nothing.

mod support;

use serde_json::{Value, json};
use support::*;

async fn refused(harness: &Harness, event: &Value) -> (u16, String) {
    let answer = harness.invoke(event).await;
    let code = answer.problem_code().to_owned();
    assert!(
        harness.emulator.calls().is_empty(),
        "nothing may reach WorkMail: {code}"
    );
    (answer.status, code)
}

fn put(content_type: Option<&str>, body: &str) -> Value {
    with_body(event("rest-put.json"), content_type, body)
}

#[tokio::test]
async fn a_body_over_64_kib_is_413() {
    let harness = Harness::start().await;
    let body = format!(r#"{{"authenticationMode":"{}"}}"#, "A".repeat(64 * 1024));
    assert_eq!(
        refused(&harness, &put(Some("application/json"), &body)).await,
        (413, "PAYLOAD_TOO_LARGE".into())
    );
}

#[tokio::test]
async fn a_body_that_is_not_json_by_content_type_is_415() {
    let harness = Harness::start().await;
    let body = demo_configuration().to_string();
    for content_type in [
        Some("text/plain"),
        Some("application/xml"),
        None,
        Some("application/json; charset=iso-8859-1"),
    ] {
        let status = refused(&harness, &put(content_type, &body)).await;
        assert_eq!(
            status,
            (415, "UNSUPPORTED_MEDIA_TYPE".into()),
            "{content_type:?}"
        );
    }
    let patch = with_body(event("rest-patch.json"), Some("text/plain"), "{}");
    assert_eq!(refused(&harness, &patch).await.0, 415);
}

#[tokio::test]
async fn malformed_bodies_are_400() {
    let harness = Harness::start().await;
    for body in [
        "",
        "   ",
        "{",
        "{\"a\":1,}",
        "nul",
        "{\"authenticationMode\":\"A\",\"authenticationMode\":\"B\"}",
        "{} {}",
        "\u{0}",
    ] {
        let status = refused(&harness, &put(Some("application/json"), body)).await;
        assert_eq!(status, (400, "MALFORMED_REQUEST".into()), "{body:?}");
    }
}

#[tokio::test]
async fn base64_bodies_are_decoded_or_refused() {
    let harness = Harness::start().await;
    let mut event = put(Some("application/json"), "");
    event["isBase64Encoded"] = json!(true);

    event["body"] = json!("%%% not base64 %%%");
    assert_eq!(
        refused(&harness, &event).await,
        (400, "MALFORMED_REQUEST".into())
    );

    event["body"] = json!("Iuki"); // the bytes '"', 0xe9 and '"': Latin-1, not UTF-8
    assert_eq!(
        refused(&harness, &event).await,
        (400, "MALFORMED_REQUEST".into())
    );

    use base64::Engine;
    let encoded =
        base64::engine::general_purpose::STANDARD.encode(demo_configuration().to_string());
    event["body"] = json!(encoded);
    let answer = harness.invoke(&event).await;
    assert_eq!(
        answer.status, 200,
        "a valid base64 body is read: {answer:?}"
    );
}

#[tokio::test]
async fn events_lambda_http_could_not_convert_are_400_not_a_crash() {
    let harness = Harness::start().await;
    let mut bad_host = event("rest-get.json");
    set_header(&mut bad_host, "host", Some("exa mple.com"));
    let mut bad_proto = event("rest-get.json");
    set_header(&mut bad_proto, "x-forwarded-proto", Some("ht tp"));
    let mut bad_query = event("http-get.json");
    bad_query["rawQueryString"] = json!("a=b c");
    let bad_port = with_path(event("alb-get.json"), ":99999/x");
    for event in [bad_host, bad_proto, bad_query, bad_port] {
        assert_eq!(
            refused(&harness, &event).await,
            (400, "MALFORMED_REQUEST".into()),
            "{event}"
        );
    }
}

#[tokio::test]
async fn an_invalid_organization_id_in_the_path_is_400_naming_the_parameter() {
    let harness = Harness::start().await;
    for organization in [
        "m-0123",
        "m-0123456789ABCDEF0123456789abcdef",
        "m-%30123456789abcdef0123456789abcdef",
        "%00",
    ] {
        let event = with_path(
            event("rest-get.json"),
            &format!("/organizations/{organization}/identity-provider"),
        );
        let answer = harness.invoke(&event).await;
        assert_eq!(answer.status, 400, "{organization}: {answer:?}");
        assert_eq!(answer.problem_code(), "VALIDATION_FAILED");
        assert_eq!(answer.error_locations(), ["organizationId"]);
    }
    assert!(harness.emulator.calls().is_empty());
}

#[tokio::test]
async fn dot_segments_and_empty_segments_are_404_never_resolved() {
    let harness = Harness::start().await;
    for path in [
        format!("/organizations/{ORG}/identity-provider/../../health"),
        "/organizations//identity-provider".to_owned(),
    ] {
        let event = with_path(event("rest-get.json"), &path);
        assert_eq!(
            refused(&harness, &event).await,
            (404, "NOT_FOUND".into()),
            "{path}"
        );
    }
}

#[tokio::test]
async fn an_organization_outside_the_managed_list_is_403_before_any_call() {
    let mut access = idp_gateway::http::AccessControl::open();
    access.managed = idp_gateway::domain::ManagedOrganizations::parse(Some(
        "m-ffffffffffffffffffffffffffffffff",
    ))
    .expect("valid list");
    let harness = Harness::guarded(access).await;
    for file in [
        "rest-get.json",
        "rest-put.json",
        "rest-patch.json",
        "rest-delete.json",
        "http-get.json",
    ] {
        let answer = harness.invoke_file(file).await;
        assert_eq!(answer.status, 403, "{file}");
        assert_eq!(answer.problem_code(), "ORGANIZATION_NOT_MANAGED");
    }
    assert!(harness.emulator.calls().is_empty());
    assert_eq!(harness.invoke_file("rest-health.json").await.status, 200);
}

#[tokio::test]
async fn an_unpaired_surrogate_in_the_body_is_400_in_the_event_source_format() {
    let harness = Harness::start().await;
    for (file, surrogate) in [
        ("rest-put.json", "\\ud800"),
        ("http-patch.json", "\\udfff"),
        ("rest-patch.json", "\\ud83d\\u0041"),
    ] {
        let text = with_body(event(file), Some("application/json"), "{\"x\":\"BODY\"}")
            .to_string()
            .replace("BODY", surrogate);
        assert!(
            serde_json::from_str::<Value>(&text).is_err(),
            "{file}: serde_json refuses it"
        );
        let answer = invoke_raw(&harness.api, &text).await;
        assert_eq!(answer.status, 400, "{file}: {answer:?}");
        assert_eq!(answer.problem_code(), "MALFORMED_REQUEST");
        let v2 = file.starts_with("http-");
        assert_eq!(
            answer.raw.get("cookies").is_some(),
            v2,
            "{file}: answered in its source's format: {}",
            answer.raw
        );
    }
    let paired = with_body(
        event("rest-put.json"),
        Some("application/json"),
        "{\"x\":\"BODY\"}",
    )
    .to_string()
    .replace("BODY", "\\ud83d\\ude00");
    let answer = invoke_raw(&harness.api, &paired).await;
    assert_eq!(
        answer.error_locations().first().map(String::as_str),
        Some("/x"),
        "a paired surrogate is an ordinary character: {answer:?}"
    );
    assert!(harness.emulator.calls().is_empty());
}
