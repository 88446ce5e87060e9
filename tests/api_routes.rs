//! Every route's success path, driven by the events in events/, asserting both the answer and what
//! WorkMail (the emulator) received through the real SDK client.

mod support;

use serde_json::{Value, json};
use support::*;

const JSON_1_1: &str = "application/x-amz-json-1.1";

fn assert_signed_json_call(call: &workmail_emulator::RecordedCall, operation: &str) {
    assert_eq!(call.operation, operation);
    assert_eq!(call.target, format!("WorkMailService.{operation}"));
    assert_eq!(call.content_type.as_deref(), Some(JSON_1_1));
    let authorization = call.authorization.as_deref().unwrap_or_default();
    assert!(
        authorization.starts_with("AWS4-HMAC-SHA256 Credential=AKIDTEST/"),
        "{authorization}"
    );
    assert!(
        authorization.contains("/us-east-1/workmail/aws4_request"),
        "{authorization}"
    );
}

#[tokio::test]
async fn get_over_rest_with_a_stage_describes_the_organization() {
    let harness = Harness::start().await;
    let answer = harness.invoke_file("rest-get.json").await;
    assert_eq!(answer.status, 200, "{answer:?}");
    assert_eq!(answer.header("content-type"), Some("application/json"));
    assert_eq!(answer.header("cache-control"), Some("no-store"));
    assert_eq!(answer.body, demo_configuration());
    let calls = harness.emulator.calls();
    assert_eq!(calls.len(), 1);
    assert_signed_json_call(&calls[0], "DescribeIdentityProviderConfiguration");
    assert_eq!(calls[0].body, json!({ "OrganizationId": ORG }));
}

#[tokio::test]
async fn get_works_from_every_event_source() {
    for file in ["http-get.json", "function-url-get.json", "alb-get.json"] {
        let harness = Harness::start().await;
        let answer = harness.invoke_file(file).await;
        assert_eq!(answer.status, 200, "{file}: {answer:?}");
        assert_eq!(answer.body, demo_configuration(), "{file}");
    }
}

#[tokio::test]
async fn alb_answers_carry_a_status_description() {
    let harness = Harness::start().await;
    let answer = harness.invoke_file("alb-get.json").await;
    assert_eq!(answer.raw["statusDescription"], "200 OK");
}

#[tokio::test]
async fn the_stage_prefix_is_routed_whether_or_not_lambda_http_adds_it() {
    let harness = Harness::start().await;
    let with_stage = with_path(
        event("rest-get.json"),
        &format!("/prod/organizations/{ORG}/identity-provider"),
    );
    assert_eq!(harness.invoke(&with_stage).await.status, 200);
    assert_eq!(harness.invoke_file("rest-get.json").await.status, 200);
}

#[tokio::test]
async fn put_sends_the_whole_configuration_in_pascal_case_and_answers_what_is_stored() {
    let harness = Harness::start().await;
    let answer = harness.invoke_file("rest-put.json").await;
    assert_eq!(answer.status, 200, "{answer:?}");
    let mut expected = demo_configuration();
    expected["personalAccessTokens"]["lifetimeInDays"] = json!(90);
    assert_eq!(answer.body, expected);

    let calls = harness.emulator.calls();
    let operations: Vec<&str> = calls.iter().map(|c| c.operation.as_str()).collect();
    assert_eq!(
        operations,
        [
            "DescribeIdentityProviderConfiguration",
            "PutIdentityProviderConfiguration",
            "DescribeIdentityProviderConfiguration"
        ]
    );
    assert_signed_json_call(&calls[1], "PutIdentityProviderConfiguration");
    assert_eq!(
        calls[1].body,
        json!({
            "OrganizationId": ORG,
            "AuthenticationMode": "IDENTITY_PROVIDER_AND_DIRECTORY",
            "IdentityCenterConfiguration": { "InstanceArn": INSTANCE_ARN, "ApplicationArn": APPLICATION_ARN },
            "PersonalAccessTokenConfiguration": { "Status": "ACTIVE", "LifetimeInDays": 90 }
        })
    );
    assert_eq!(
        harness.emulator.identity_provider(ORG).expect("stored")["PersonalAccessTokenConfiguration"],
        json!({ "Status": "ACTIVE", "LifetimeInDays": 90 })
    );
}

#[tokio::test]
async fn put_without_lifetime_sends_none() {
    let harness = Harness::start().await;
    let mut body = demo_configuration();
    body["personalAccessTokens"] = json!({ "status": "INACTIVE" });
    let event = with_body(
        event("rest-put.json"),
        Some("application/json"),
        &body.to_string(),
    );
    let answer = harness.invoke(&event).await;
    assert_eq!(answer.status, 200, "{answer:?}");
    assert_eq!(
        answer.body["personalAccessTokens"],
        json!({ "status": "INACTIVE" })
    );
    assert_eq!(
        harness.emulator.calls()[1].body["PersonalAccessTokenConfiguration"],
        json!({ "Status": "INACTIVE" })
    );
}

#[tokio::test]
async fn patch_merges_into_the_current_configuration() {
    let harness = Harness::start().await;
    let answer = harness.invoke_file("rest-patch.json").await;
    assert_eq!(answer.status, 200, "{answer:?}");
    let mut expected = demo_configuration();
    expected["personalAccessTokens"] = json!({ "status": "INACTIVE" });
    assert_eq!(answer.body, expected);
    let calls = harness.emulator.calls();
    let operations: Vec<&str> = calls.iter().map(|c| c.operation.as_str()).collect();
    assert_eq!(
        operations,
        [
            "DescribeIdentityProviderConfiguration",
            "PutIdentityProviderConfiguration",
            "DescribeIdentityProviderConfiguration"
        ]
    );
    assert_eq!(
        calls[1].body["PersonalAccessTokenConfiguration"],
        json!({ "Status": "INACTIVE" })
    );
    assert_eq!(
        calls[1].body["IdentityCenterConfiguration"]["InstanceArn"],
        INSTANCE_ARN
    );
}

#[tokio::test]
async fn patch_over_http_api_accepts_merge_patch() {
    let harness = Harness::start().await;
    let answer = harness.invoke_file("http-patch.json").await;
    assert_eq!(answer.status, 200, "{answer:?}");
    assert_eq!(
        answer.body["personalAccessTokens"],
        json!({ "status": "ACTIVE", "lifetimeInDays": 30 })
    );
}

#[tokio::test]
async fn patch_accepts_plain_json_too() {
    let harness = Harness::start().await;
    everyone_ready(&harness.emulator);
    let mut event = with_body(
        event("rest-patch.json"),
        Some("application/json"),
        r#"{"authenticationMode":"IDENTITY_PROVIDER_ONLY"}"#,
    );
    set_header(&mut event, "confirm-impact", Some("lockout-risk"));
    let answer = harness.invoke(&event).await;
    assert_eq!(answer.status, 200, "{answer:?}");
    assert_eq!(answer.body["authenticationMode"], "IDENTITY_PROVIDER_ONLY");
}

#[tokio::test]
async fn patch_on_an_unconfigured_organization_needs_a_complete_result() {
    let harness = Harness::start().await;
    harness.emulator.set_identity_provider(ORG, None);
    let partial = with_body(
        event("rest-patch.json"),
        Some("application/merge-patch+json"),
        r#"{"authenticationMode":"IDENTITY_PROVIDER_AND_DIRECTORY"}"#,
    );
    let answer = harness.invoke(&partial).await;
    assert_eq!(answer.status, 400);
    assert_eq!(answer.problem_code(), "VALIDATION_FAILED");
    assert_eq!(
        answer.error_locations(),
        ["/identityCenter", "/personalAccessTokens"]
    );
    assert_eq!(
        harness.emulator.operations(),
        ["DescribeIdentityProviderConfiguration"]
    );

    let mut complete = demo_configuration();
    complete
        .as_object_mut()
        .map(|members| members.remove("organizationId"));
    let complete = with_body(
        event("rest-patch.json"),
        Some("application/merge-patch+json"),
        &complete.to_string(),
    );
    let answer = harness.invoke(&complete).await;
    assert_eq!(answer.status, 200, "{answer:?}");
    assert!(harness.emulator.identity_provider(ORG).is_some());
}

#[tokio::test]
async fn delete_removes_the_integration() {
    let harness = Harness::start().await;
    let answer = harness.invoke_file("rest-delete.json").await;
    assert_eq!(answer.status, 204, "{answer:?}");
    assert_eq!(answer.body, Value::Null);
    let calls = harness.emulator.calls();
    assert_eq!(
        harness.emulator.operations(),
        [
            "DescribeIdentityProviderConfiguration",
            "ListUsers",
            "DeleteIdentityProviderConfiguration",
            "DescribeIdentityProviderConfiguration"
        ],
        "Describe (under the lease, for the decision and the audit), ListUsers (who may need a password reset), Delete, Describe (to confirm)"
    );
    assert_signed_json_call(&calls[2], "DeleteIdentityProviderConfiguration");
    assert_eq!(calls[2].body, json!({ "OrganizationId": ORG }));
    assert_eq!(harness.emulator.identity_provider(ORG), None);
}

#[tokio::test]
async fn health_answers_without_calling_workmail() {
    let harness = Harness::start().await;
    let answer = harness.invoke_file("rest-health.json").await;
    assert_eq!(answer.status, 200);
    assert_eq!(
        answer.body,
        json!({ "status": "ok", "version": env!("CARGO_PKG_VERSION") })
    );
    assert!(harness.emulator.calls().is_empty());
}

#[tokio::test]
async fn unknown_routes_and_methods_are_problems() {
    let harness = Harness::start().await;
    let answer = harness.invoke_file("rest-unknown-route.json").await;
    assert_eq!(answer.status, 404);
    assert_eq!(answer.problem_code(), "NOT_FOUND");

    let answer = harness
        .invoke(&with_method(event("rest-get.json"), "POST"))
        .await;
    assert_eq!(answer.status, 405);
    assert_eq!(answer.problem_code(), "METHOD_NOT_ALLOWED");
    assert_eq!(
        answer.header("allow"),
        Some("GET, HEAD, PUT, PATCH, DELETE")
    );

    let answer = harness
        .invoke(&with_method(event("rest-health.json"), "DELETE"))
        .await;
    assert_eq!(answer.status, 405);
    assert_eq!(answer.header("allow"), Some("GET, HEAD"));
    assert!(harness.emulator.calls().is_empty());
}
