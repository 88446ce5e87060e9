//! The emulator itself, through the real SDK client and raw HTTP: the organization operations the
//! gateway does not use yet, pagination, and the protocol checks that make it a faithful stand-in.

mod support;

use aws_sdk_workmail::Client;
use aws_sdk_workmail::error::ProvideErrorMetadata;
use lambda_harness::http_request;
use support::*;
use workmail_emulator::{Emulator, OrganizationState};

async fn client(emulator: &Emulator) -> Client {
    Client::new(&sdk_config(&emulator.url()).await)
}

#[tokio::test]
async fn list_organizations_pages_through_every_organization() {
    let emulator = Emulator::start().await.expect("emulator");
    for index in 0..5 {
        emulator.add_organization(
            &format!("m-{index:032x}"),
            &format!("org{index}"),
            OrganizationState::Active,
        );
    }
    let client = client(&emulator).await;
    let mut seen = Vec::new();
    let mut token = None;
    let mut pages = 0;
    loop {
        let page = client
            .list_organizations()
            .max_results(2)
            .set_next_token(token)
            .send()
            .await
            .expect("a page");
        pages += 1;
        seen.extend(
            page.organization_summaries()
                .iter()
                .filter_map(|s| s.organization_id().map(str::to_owned)),
        );
        token = page.next_token().map(str::to_owned);
        if token.is_none() {
            break;
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(
        seen,
        (0..5).map(|i| format!("m-{i:032x}")).collect::<Vec<_>>()
    );
    let error = client
        .list_organizations()
        .max_results(101)
        .send()
        .await
        .expect_err("out of range");
    assert_eq!(error.code(), Some("InvalidParameterException"));
}

#[tokio::test]
async fn describe_organization_answers_state_and_errors() {
    let emulator = Emulator::start().await.expect("emulator");
    emulator.seed_demo();
    emulator.add_organization(
        "m-ffffffffffffffffffffffffffffffff",
        "gone",
        OrganizationState::Deleted,
    );
    let client = client(&emulator).await;
    let demo = client
        .describe_organization()
        .organization_id(ORG)
        .send()
        .await
        .expect("described");
    assert_eq!(demo.state(), Some("Active"));
    assert_eq!(demo.alias(), Some("demo"));
    let gone = client
        .describe_organization()
        .organization_id("m-ffffffffffffffffffffffffffffffff")
        .send()
        .await
        .expect("described");
    assert_eq!(gone.state(), Some("Deleted"));
    let missing = client
        .describe_organization()
        .organization_id("m-99999999999999999999999999999999")
        .send()
        .await
        .expect_err("unknown");
    assert_eq!(missing.code(), Some("OrganizationNotFoundException"));
    let invalid = client
        .describe_organization()
        .organization_id("m-1")
        .send()
        .await
        .expect_err("invalid");
    assert_eq!(invalid.code(), Some("InvalidParameterException"));
}

#[tokio::test]
async fn put_validates_as_the_model_does() {
    let emulator = Emulator::start().await.expect("emulator");
    emulator.seed_demo();
    let client = client(&emulator).await;
    let error = client
        .put_identity_provider_configuration()
        .organization_id(ORG)
        .send()
        .await
        .expect_err("members missing");
    assert_eq!(error.code(), Some("InvalidParameterException"));
    assert!(
        error
            .message()
            .unwrap_or_default()
            .contains("AuthenticationMode"),
        "{error:?}"
    );
}

/// One raw request to the emulator; the status and body.
fn raw(emulator: &Emulator, headers: &[&str], body: &str) -> (u16, String) {
    http_request(&emulator.address().to_string(), "POST", "/", headers, body)
}

/// Multi-threaded: the raw client blocks its thread while the emulator answers on another.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unsigned_or_misdirected_requests_are_refused() {
    let emulator = Emulator::start().await.expect("emulator");
    emulator.seed_demo();
    let body = format!(r#"{{"OrganizationId":"{ORG}"}}"#);
    let target = "X-Amz-Target: WorkMailService.DescribeIdentityProviderConfiguration";
    let json = "Content-Type: application/x-amz-json-1.1";
    let (status, answer) = raw(&emulator, &[target, json], &body);
    assert_eq!(status, 400);
    assert!(
        answer.contains("MissingAuthenticationTokenException"),
        "{answer}"
    );
    let other_service = "Authorization: AWS4-HMAC-SHA256 Credential=AKID/20261122/us-east-1/ses/aws4_request, SignedHeaders=host, Signature=00";
    let (status, answer) = raw(
        &emulator,
        &[target, json, other_service, "X-Amz-Date: 20261122T000000Z"],
        &body,
    );
    assert_eq!(status, 403);
    assert!(answer.contains("InvalidSignatureException"), "{answer}");
    let signed = "Authorization: AWS4-HMAC-SHA256 Credential=AKID/20261122/us-east-1/workmail/aws4_request, SignedHeaders=host, Signature=00";
    let (status, answer) = raw(
        &emulator,
        &[
            target,
            "Content-Type: application/json",
            signed,
            "X-Amz-Date: 20261122T000000Z",
        ],
        &body,
    );
    assert_eq!(status, 400, "{answer}");
    assert!(answer.contains("SerializationException"), "{answer}");
    let (status, answer) = raw(
        &emulator,
        &[
            "X-Amz-Target: WorkMailService.CreateUser",
            json,
            signed,
            "X-Amz-Date: 20261122T000000Z",
        ],
        &body,
    );
    assert_eq!(status, 400);
    assert!(answer.contains("UnknownOperationException"), "{answer}");
    let (status, answer) = raw(
        &emulator,
        &[target, json, signed, "X-Amz-Date: 20261122T000000Z"],
        &body,
    );
    assert_eq!(status, 200, "a well-formed request is answered: {answer}");
    assert_eq!(
        emulator.calls().len(),
        5,
        "every call is recorded, refused or not"
    );
}
