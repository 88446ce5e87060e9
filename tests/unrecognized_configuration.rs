//! A configuration WorkMail holds with a value outside this version's model (here a new
//! authentication mode): read as stored with a warning, replaced by a complete PUT and removed by
//! DELETE with confirmation, never merged onto; the enforcer leaves it alone.

mod support;

use serde_json::{Value, json};
use support::*;

const PUT: &str = "PutIdentityProviderConfiguration";

fn store_a_future_mode(harness: &Harness) {
    harness.emulator.set_identity_provider(
        ORG,
        Some(json!({
            "AuthenticationMode": "IDENTITY_PROVIDER_WITH_PASSKEYS",
            "IdentityCenterConfiguration": { "InstanceArn": INSTANCE_ARN, "ApplicationArn": APPLICATION_ARN },
            "PersonalAccessTokenConfiguration": { "Status": "ACTIVE", "LifetimeInDays": 365 }
        })),
    );
}

fn confirmed(mut event: Value) -> Value {
    set_header(&mut event, "confirm-impact", Some("lockout-risk"));
    event
}

#[tokio::test]
async fn it_is_read_as_stored_with_a_warning_and_an_etag() {
    let harness = Harness::start().await;
    store_a_future_mode(&harness);
    for file in ["rest-get.json", "http-get.json"] {
        let answer = harness.invoke_file(file).await;
        assert_eq!(answer.status, 200, "{answer:?}");
        assert_eq!(
            answer.body["authenticationMode"],
            "IDENTITY_PROVIDER_WITH_PASSKEYS"
        );
        assert_eq!(answer.body["identityCenter"]["instanceArn"], INSTANCE_ARN);
        let warning = answer.body["warning"].as_str().unwrap_or_default();
        assert!(
            warning.contains("AuthenticationMode") && warning.contains("PUT"),
            "{warning}"
        );
        assert!(
            answer
                .header("etag")
                .is_some_and(|tag| tag.starts_with('"'))
        );
    }
}

#[tokio::test]
async fn it_is_replaced_by_a_confirmed_put_and_never_merged_onto() {
    let harness = Harness::start().await;
    store_a_future_mode(&harness);
    let patch = with_body(
        event("rest-patch.json"),
        Some("application/merge-patch+json"),
        r#"{"personalAccessTokens":{"lifetimeInDays":30}}"#,
    );
    let answer = harness.invoke(&confirmed(patch)).await;
    assert_eq!(answer.status, 409, "{answer:?}");
    assert_eq!(answer.problem_code(), "STORED_CONFIGURATION_UNRECOGNIZED");

    let unconfirmed = harness.invoke_file("rest-put.json").await;
    assert_eq!(unconfirmed.status, 428, "{unconfirmed:?}");
    assert_eq!(unconfirmed.problem_code(), "CONFIRMATION_REQUIRED");

    let etag = harness
        .invoke_file("rest-get.json")
        .await
        .header("etag")
        .map(str::to_owned);
    let mut stale = confirmed(event("rest-put.json"));
    set_header(
        &mut stale,
        "if-match",
        Some("\"0123456789abcdef0123456789abcdef\""),
    );
    assert_eq!(harness.invoke(&stale).await.status, 412);
    assert!(
        !harness.emulator.operations().iter().any(|op| op == PUT),
        "nothing was written so far"
    );

    let mut put = confirmed(event("rest-put.json"));
    set_header(&mut put, "if-match", etag.as_deref());
    let answer = harness.invoke(&put).await;
    assert_eq!(answer.status, 200, "{answer:?}");
    assert_eq!(
        answer.body["authenticationMode"],
        "IDENTITY_PROVIDER_AND_DIRECTORY"
    );
    assert_eq!(
        harness
            .emulator
            .identity_provider(ORG)
            .map(|c| c["AuthenticationMode"].clone()),
        Some(json!("IDENTITY_PROVIDER_AND_DIRECTORY"))
    );
}

#[tokio::test]
async fn it_is_removed_by_a_confirmed_delete() {
    let harness = Harness::start().await;
    store_a_future_mode(&harness);
    let mut unconfirmed = event("rest-delete.json");
    set_header(&mut unconfirmed, "confirm-impact", None);
    assert_eq!(harness.invoke(&unconfirmed).await.status, 428);
    let answer = harness.invoke(&confirmed(event("rest-delete.json"))).await;
    assert_eq!(answer.status, 204, "{answer:?}");
    assert_eq!(harness.emulator.identity_provider(ORG), None);
}

/// Replacing it with `IDENTITY_PROVIDER_ONLY` locks out the users outside Identity Center whatever
/// was stored before: a plain confirmation is refused with their report, its digest is accepted.
#[tokio::test]
async fn a_replacement_that_locks_users_out_needs_their_reports_digest() {
    let harness = Harness::start().await;
    store_a_future_mode(&harness);
    let only = json!({
        "authenticationMode": "IDENTITY_PROVIDER_ONLY",
        "identityCenter": { "instanceArn": INSTANCE_ARN, "applicationArn": APPLICATION_ARN },
        "personalAccessTokens": { "status": "ACTIVE", "lifetimeInDays": 365 }
    })
    .to_string();
    let put = || with_body(event("rest-put.json"), Some("application/json"), &only);
    let refused = harness.invoke(&confirmed(put())).await;
    assert_eq!(refused.status, 428, "{refused:?}");
    assert_eq!(refused.problem_code(), "IMPACT_NOT_ACKNOWLEDGED");
    let losing: Vec<&str> = refused.body["impact"]["affected"]["losingAllAccess"]["users"]
        .as_array()
        .map(|users| {
            users
                .iter()
                .filter_map(|user| user["name"].as_str())
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(losing, ["erin", "frank", "oscar"], "{refused:?}");
    assert!(
        !harness.emulator.operations().iter().any(|op| op == PUT),
        "nothing written"
    );

    let digest = refused.body["impact"]["impactDigest"]
        .as_str()
        .expect("a digest")
        .to_owned();
    let mut acknowledged = put();
    set_header(
        &mut acknowledged,
        "confirm-impact",
        Some(&format!("lockout-risk; digest=\"{digest}\"")),
    );
    let answer = harness.invoke(&acknowledged).await;
    assert_eq!(answer.status, 200, "{answer:?}");
    assert_eq!(
        harness
            .emulator
            .identity_provider(ORG)
            .map(|c| c["AuthenticationMode"].clone()),
        Some(json!("IDENTITY_PROVIDER_ONLY"))
    );
}
