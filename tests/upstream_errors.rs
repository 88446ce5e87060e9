//! Each upstream failure row of the error table, produced by the emulator over real HTTP and read by
//! the real SDK client: status, code, headers, retries, and what never reaches the caller.

mod support;

use std::time::Duration;

use serde_json::json;
use support::*;
use workmail_emulator::{Fault, FaultRule, OrganizationState, UnconfiguredAnswer};

const DESCRIBE: &str = "DescribeIdentityProviderConfiguration";
const PUT: &str = "PutIdentityProviderConfiguration";
const DELETE: &str = "DeleteIdentityProviderConfiguration";

fn error(type_name: &str, message: &str) -> Fault {
    Fault::Error {
        status: 400,
        type_name: type_name.to_owned(),
        message: message.to_owned(),
    }
}

#[tokio::test]
async fn an_unknown_organization_is_404() {
    let harness = Harness::start().await;
    let other = "m-ffffffffffffffffffffffffffffffff";
    let event = with_path(
        event("rest-get.json"),
        &format!("/organizations/{other}/identity-provider"),
    );
    let answer = harness.invoke(&event).await;
    assert_eq!(answer.status, 404);
    assert_eq!(answer.problem_code(), "ORGANIZATION_NOT_FOUND");
    assert_eq!(harness.emulator.calls()[0].body["OrganizationId"], other);
}

#[tokio::test]
async fn no_integration_is_404_whichever_way_workmail_says_it() {
    for style in [
        UnconfiguredAnswer::Empty,
        UnconfiguredAnswer::ResourceNotFound,
    ] {
        let harness = Harness::start().await;
        harness.emulator.set_identity_provider(ORG, None);
        harness.emulator.set_unconfigured_answer(style);
        let answer = harness.invoke_file("rest-get.json").await;
        assert_eq!(answer.status, 404, "{style:?}");
        assert_eq!(answer.problem_code(), "IDENTITY_PROVIDER_NOT_CONFIGURED");
    }
}

#[tokio::test]
async fn an_unknown_identity_center_application_is_422() {
    let harness = Harness::start().await;
    let mut body = demo_configuration();
    body["identityCenter"]["applicationArn"] =
        json!("arn:aws:sso::123456789012:application/ssoins-1234567890abcdef/apl-0000000000000000");
    let event = with_body(
        event("rest-put.json"),
        Some("application/json"),
        &body.to_string(),
    );
    let answer = harness.invoke(&event).await;
    assert_eq!(answer.status, 422);
    assert_eq!(answer.problem_code(), "IDENTITY_CENTER_RESOURCE_NOT_FOUND");
}

#[tokio::test]
async fn an_organization_in_the_wrong_state_is_409() {
    let harness = Harness::start().await;
    harness
        .emulator
        .set_organization_state(ORG, OrganizationState::Deleted);
    for file in ["rest-get.json", "rest-put.json", "rest-delete.json"] {
        let answer = harness.invoke_file(file).await;
        assert_eq!(answer.status, 409, "{file}");
        assert_eq!(answer.problem_code(), "ORGANIZATION_STATE_CONFLICT");
    }
}

#[tokio::test]
async fn a_parameter_workmail_refuses_is_422_with_its_message() {
    let harness = Harness::start().await;
    harness.emulator.inject(FaultRule::new(
        PUT,
        error(
            "InvalidParameterException",
            "Identity Center is in another region",
        ),
    ));
    let answer = harness.invoke_file("rest-put.json").await;
    assert_eq!(answer.status, 422);
    assert_eq!(answer.problem_code(), "UPSTREAM_REJECTED");
    let detail = answer.body["detail"].as_str().unwrap_or_default();
    assert!(
        detail.contains("Identity Center is in another region"),
        "{detail}"
    );
}

#[tokio::test]
async fn throttling_is_retried_then_answered_429_with_retry_after() {
    let harness = Harness::start().await;
    harness
        .emulator
        .inject(FaultRule::new(DESCRIBE, Fault::Throttle));
    let answer = harness.invoke_file("rest-get.json").await;
    assert_eq!(answer.status, 429);
    assert_eq!(answer.problem_code(), "THROTTLED");
    assert!(
        answer
            .header("retry-after")
            .and_then(|s| s.parse::<u32>().ok())
            .is_some()
    );
    assert_eq!(
        harness.emulator.operations(),
        [DESCRIBE, DESCRIBE, DESCRIBE],
        "three attempts"
    );
}

#[tokio::test]
async fn throttling_that_passes_within_the_retries_succeeds() {
    let harness = Harness::start().await;
    harness
        .emulator
        .inject(FaultRule::new(DESCRIBE, Fault::Throttle).times(2));
    let answer = harness.invoke_file("rest-get.json").await;
    assert_eq!(answer.status, 200, "{answer:?}");
    assert_eq!(harness.emulator.operations().len(), 3);
}

#[tokio::test]
async fn access_denied_is_502_without_the_role_arn() {
    let harness = Harness::start().await;
    harness
        .emulator
        .inject(FaultRule::new(DELETE, Fault::AccessDenied));
    let answer = harness.invoke_file("rest-delete.json").await;
    assert_eq!(answer.status, 502);
    assert_eq!(answer.problem_code(), "UPSTREAM_ACCESS_DENIED");
    assert!(
        !answer.raw.to_string().contains("arn:aws:sts"),
        "{answer:?}"
    );
    assert_eq!(
        harness.emulator.operations(),
        [DESCRIBE, "ListUsers", DELETE],
        "access denied is not retried"
    );
}

#[tokio::test]
async fn a_slow_upstream_is_504_within_the_configured_timeout() {
    let mut settings = test_settings();
    settings.attempt_timeout = Duration::from_millis(200);
    settings.operation_timeout = Duration::from_millis(300);
    let harness = Harness::with_settings(settings).await;
    harness.emulator.inject(FaultRule::new(
        DESCRIBE,
        Fault::Latency(Duration::from_secs(30)),
    ));
    let answer = harness.invoke_file("rest-get.json").await;
    assert_eq!(answer.status, 504, "{answer:?}");
    assert_eq!(answer.problem_code(), "UPSTREAM_TIMEOUT");
}

#[tokio::test]
async fn server_errors_are_retried_then_502() {
    let harness = Harness::start().await;
    harness
        .emulator
        .inject(FaultRule::every_operation(Fault::ServerError));
    let answer = harness.invoke_file("rest-get.json").await;
    assert_eq!(answer.status, 502);
    assert_eq!(answer.problem_code(), "UPSTREAM_ERROR");
    assert_eq!(harness.emulator.operations().len(), 3);
}

#[tokio::test]
async fn an_unmodeled_error_code_is_502() {
    let harness = Harness::start().await;
    harness.emulator.inject(FaultRule::new(
        DESCRIBE,
        error("SomethingNewException", "new failure"),
    ));
    let answer = harness.invoke_file("rest-get.json").await;
    assert_eq!(answer.status, 502);
    assert_eq!(answer.problem_code(), "UPSTREAM_ERROR");
}

#[tokio::test]
async fn a_partial_describe_answer_is_502_not_a_guess() {
    let harness = Harness::start().await;
    harness.emulator.set_identity_provider(
        ORG,
        Some(json!({ "AuthenticationMode": "IDENTITY_PROVIDER_ONLY" })),
    );
    let answer = harness.invoke_file("rest-get.json").await;
    assert_eq!(answer.status, 502);
    assert_eq!(answer.problem_code(), "UPSTREAM_ERROR");
}

#[tokio::test]
async fn an_unreachable_upstream_is_502_without_internal_detail() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let address = closed.local_addr().expect("address");
    drop(closed);
    let config = sdk_config(&format!("http://{address}")).await;
    let api = api_over(
        &config,
        &test_settings(),
        idp_gateway::http::AccessControl::open(),
    );
    let answer = invoke_api(&api, &event("rest-get.json")).await;
    assert_eq!(answer.status, 502);
    assert_eq!(answer.problem_code(), "UPSTREAM_ERROR");
    assert!(
        !answer.raw.to_string().to_lowercase().contains("refused"),
        "{answer:?}"
    );
}
