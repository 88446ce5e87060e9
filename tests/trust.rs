//! Per-caller authorization, conditional writes, the lockout confirmation and dry runs, for REST (v1)
//! and HTTP API (v2) callers, each checked against what the emulator received.

mod support;

use idp_gateway::access::AccessPolicy;
use idp_gateway::http::AccessControl;
use serde_json::{Value, json};
use support::*;

const ADMIN: &str = "arn:aws:sts::123456789012:assumed-role/MailAdminPortal/alice@example.com";
const EDITOR: &str = "arn:aws:sts::123456789012:assumed-role/MailEditors/carol";
const READER: &str = "arn:aws:sts::123456789012:assumed-role/MailReadOnly/dave";
const OTHER: &str = "m-ffffffffffffffffffffffffffffffff";
const DESCRIBE: &str = "DescribeIdentityProviderConfiguration";

fn access(require_if_match: bool) -> AccessControl {
    let policy = AccessPolicy::parse(
        &json!({ "grants": [
            { "principal": "arn:aws:iam::123456789012:role/MailAdminPortal", "organizations": ["*"], "permissions": ["read", "write", "escalate"] },
            { "principal": "arn:aws:iam::123456789012:role/MailEditors", "organizations": [ORG], "permissions": ["read", "write"] },
            { "principal": "arn:aws:iam::123456789012:role/MailReadOnly", "organizations": ["*"], "permissions": ["read"] }
        ]})
        .to_string(),
    )
    .expect("valid access policy");
    AccessControl {
        policy: Some(policy),
        require_if_match,
        ..AccessControl::open()
    }
}

async fn guarded() -> Harness {
    let harness = Harness::guarded(access(false)).await;
    harness
        .emulator
        .add_organization(OTHER, "other", workmail_emulator::OrganizationState::Active);
    harness
}

/// The same request as a REST (v1) and as an HTTP API (v2) event.
fn both(rest_file: &str, method: &str) -> [Value; 2] {
    let rest = event(rest_file);
    let mut http = with_method(event("http-get.json"), method);
    http["body"] = rest["body"].clone();
    let content_type = rest["headers"]["Content-Type"].as_str();
    set_header(&mut http, "content-type", content_type);
    if let Some(confirm) = rest["headers"]["Confirm-Impact"].as_str() {
        set_header(&mut http, "confirm-impact", Some(confirm));
    }
    [rest, http]
}

fn writes(harness: &Harness) -> Vec<String> {
    harness
        .emulator
        .operations()
        .into_iter()
        .filter(|op| op.starts_with("Put") || op.starts_with("Delete"))
        .collect()
}

#[tokio::test]
async fn a_read_only_caller_may_read_but_not_write() {
    let harness = guarded().await;
    for event in both("rest-get.json", "GET") {
        assert_eq!(
            harness.invoke(&as_caller(event, Some(READER))).await.status,
            200
        );
    }
    for (file, method) in [
        ("rest-put.json", "PUT"),
        ("rest-patch.json", "PATCH"),
        ("rest-delete.json", "DELETE"),
    ] {
        for event in both(file, method) {
            let answer = harness.invoke(&as_caller(event, Some(READER))).await;
            assert_eq!(answer.status, 403, "{method}");
            assert_eq!(answer.problem_code(), "FORBIDDEN");
        }
    }
    assert_eq!(
        harness.emulator.operations(),
        [DESCRIBE, DESCRIBE],
        "refusals call nothing"
    );
}

#[tokio::test]
async fn a_caller_of_one_organization_cannot_touch_another_nor_learn_it_exists() {
    let harness = guarded().await;
    let on = |organization: &str, event: Value| {
        as_caller(
            with_path(
                event,
                &format!("/organizations/{organization}/identity-provider"),
            ),
            Some(EDITOR),
        )
    };
    for event in both("rest-get.json", "GET") {
        assert_eq!(harness.invoke(&on(ORG, event.clone())).await.status, 200);
        let existing = harness.invoke(&on(OTHER, event.clone())).await;
        let missing = harness
            .invoke(&on("m-99999999999999999999999999999999", event))
            .await;
        assert_eq!(existing.status, 403);
        assert_eq!(
            existing.body, missing.body,
            "no hint of whether the organization exists"
        );
    }
    assert_eq!(harness.emulator.operations(), [DESCRIBE, DESCRIBE]);
}

#[tokio::test]
async fn a_request_without_an_authenticated_caller_is_refused() {
    let harness = guarded().await;
    for event in both("rest-get.json", "GET") {
        let answer = harness.invoke(&as_caller(event, None)).await;
        assert_eq!(answer.status, 403);
        assert_eq!(answer.problem_code(), "FORBIDDEN");
    }
    let answer = harness.invoke_file("alb-get.json").await;
    assert_eq!(answer.status, 403, "an ALB request carries no IAM caller");
    assert!(harness.emulator.calls().is_empty());
}

#[tokio::test]
async fn lockout_risks_need_the_escalate_permission() {
    let harness = guarded().await;
    everyone_ready(&harness.emulator);
    let mut only = with_body(
        event("rest-patch.json"),
        Some("application/merge-patch+json"),
        r#"{"authenticationMode":"IDENTITY_PROVIDER_ONLY"}"#,
    );
    set_header(&mut only, "confirm-impact", Some("lockout-risk"));
    let answer = harness.invoke(&as_caller(only.clone(), Some(EDITOR))).await;
    assert_eq!(answer.status, 403, "{answer:?}");
    let answer = harness
        .invoke(&as_caller(event("rest-delete.json"), Some(EDITOR)))
        .await;
    assert_eq!(answer.status, 403);
    assert!(writes(&harness).is_empty());

    let answer = harness.invoke(&as_caller(only, Some(ADMIN))).await;
    assert_eq!(answer.status, 200, "{answer:?}");
    assert_eq!(writes(&harness), ["PutIdentityProviderConfiguration"]);
}

#[tokio::test]
async fn an_editor_may_make_ordinary_changes() {
    let harness = guarded().await;
    for event in both("rest-patch.json", "PATCH") {
        let answer = harness.invoke(&as_caller(event, Some(EDITOR))).await;
        assert_eq!(answer.status, 200, "{answer:?}");
    }
}

#[tokio::test]
async fn get_gives_an_etag_that_if_match_must_present() {
    let harness = guarded().await;
    let read = harness.invoke_file("rest-get.json").await;
    let etag = read.header("etag").expect("an ETag").to_owned();
    assert!(etag.starts_with('"') && etag.ends_with('"'), "{etag}");
    assert_eq!(
        harness.invoke_file("http-get.json").await.header("etag"),
        Some(etag.as_str()),
        "stable"
    );

    let mut stale = event("rest-patch.json");
    set_header(
        &mut stale,
        "if-match",
        Some("\"00000000000000000000000000000000\""),
    );
    let answer = harness.invoke(&stale).await;
    assert_eq!(answer.status, 412);
    assert_eq!(answer.problem_code(), "PRECONDITION_FAILED");
    assert_eq!(answer.body["currentETag"], etag.as_str());
    assert_eq!(answer.header("etag"), Some(etag.as_str()));
    assert!(writes(&harness).is_empty());

    let mut fresh = event("rest-patch.json");
    set_header(&mut fresh, "if-match", Some(&etag));
    let answer = harness.invoke(&fresh).await;
    assert_eq!(answer.status, 200, "{answer:?}");
    let new_etag = answer.header("etag").expect("a new ETag");
    assert_ne!(new_etag, etag, "the change has a new ETag");

    let answer = harness.invoke(&fresh).await;
    assert_eq!(answer.status, 412, "the old ETag no longer matches");
}

#[tokio::test]
async fn if_none_match_star_only_creates() {
    let harness = guarded().await;
    let mut create = event("rest-put.json");
    set_header(&mut create, "if-none-match", Some("*"));
    assert_eq!(
        harness.invoke(&create).await.status,
        412,
        "a configuration exists"
    );
    harness.emulator.set_identity_provider(ORG, None);
    assert_eq!(harness.invoke(&create).await.status, 200);
    assert_eq!(writes(&harness), ["PutIdentityProviderConfiguration"]);
}

#[tokio::test]
async fn a_deployment_can_require_if_match() {
    let harness = Harness::guarded(access(true)).await;
    for event in both("rest-put.json", "PUT") {
        let answer = harness.invoke(&event).await;
        assert_eq!(answer.status, 428);
        assert_eq!(answer.problem_code(), "PRECONDITION_REQUIRED");
    }
    let etag = harness
        .invoke_file("rest-get.json")
        .await
        .header("etag")
        .map(str::to_owned);
    let mut conditional = event("rest-put.json");
    set_header(&mut conditional, "if-match", etag.as_deref());
    assert_eq!(harness.invoke(&conditional).await.status, 200);
}

#[tokio::test]
async fn a_required_precondition_must_prove_the_caller_read_the_current_state() {
    let harness = Harness::guarded(access(true)).await;
    for (header, value) in [
        ("if-match", "*"),
        ("if-none-match", "\"0123456789abcdef0123456789abcdef\""),
        ("if-match", "W/\"0123456789abcdef0123456789abcdef\""),
    ] {
        for mut event in both("rest-patch.json", "PATCH") {
            set_header(&mut event, header, Some(value));
            let answer = harness.invoke(&event).await;
            assert_eq!(answer.status, 428, "{header}: {value}: {answer:?}");
            assert_eq!(answer.problem_code(), "PRECONDITION_REQUIRED");
        }
    }
    assert!(writes(&harness).is_empty(), "no blind write went through");
}

#[tokio::test]
async fn lockout_risks_need_confirmation_that_explains_the_consequence() {
    let harness = guarded().await;
    everyone_ready(&harness.emulator);
    let only = with_body(
        event("rest-patch.json"),
        Some("application/merge-patch+json"),
        r#"{"authenticationMode":"IDENTITY_PROVIDER_ONLY"}"#,
    );
    let mut unconfirmed_delete = event("rest-delete.json");
    set_header(&mut unconfirmed_delete, "confirm-impact", None);
    let mut wrong_word = only.clone();
    set_header(&mut wrong_word, "confirm-impact", Some("yes"));
    for event in [only, unconfirmed_delete, wrong_word] {
        let answer = harness.invoke(&event).await;
        assert_eq!(answer.status, 428, "{answer:?}");
        assert_eq!(answer.problem_code(), "CONFIRMATION_REQUIRED");
        let detail = answer.body["detail"].as_str().unwrap_or_default();
        assert!(
            detail.contains("mailbox users") && detail.contains("Confirm-Impact: lockout-risk"),
            "{detail}"
        );
    }
    assert!(writes(&harness).is_empty());
}

#[tokio::test]
async fn a_dry_run_reads_and_answers_but_never_writes() {
    let harness = guarded().await;
    for event in both("rest-put.json", "PUT") {
        let answer = harness.invoke(&with_query(event, "dryRun", "true")).await;
        assert_eq!(answer.status, 200, "{answer:?}");
        assert_eq!(answer.body["wouldChange"], true);
        assert_eq!(answer.body["requiresConfirmation"], false);
        assert_eq!(answer.body["before"], demo_configuration());
        assert_eq!(
            answer.body["after"]["personalAccessTokens"]["lifetimeInDays"],
            90
        );
        assert_eq!(
            answer.body["diff"],
            json!([{ "pointer": "/personalAccessTokens/lifetimeInDays", "before": 365, "after": 90 }])
        );
    }
    let mut unchanged = with_body(
        event("rest-patch.json"),
        Some("application/merge-patch+json"),
        "{}",
    );
    unchanged = with_query(unchanged, "dryRun", "true");
    assert_eq!(harness.invoke(&unchanged).await.body["wouldChange"], false);

    let mut delete = with_query(event("rest-delete.json"), "dryRun", "true");
    set_header(&mut delete, "confirm-impact", None);
    let answer = harness.invoke(&delete).await;
    assert_eq!(answer.status, 200, "a dry run needs no confirmation");
    assert_eq!(answer.body["requiresConfirmation"], true);
    assert_eq!(answer.body["after"], Value::Null);

    assert!(
        writes(&harness).is_empty(),
        "{:?}",
        harness.emulator.operations()
    );
    assert!(
        answer.body["impact"]["mayNeedPasswordReset"]
            .as_u64()
            .is_some(),
        "a removal's dry run says who may need a password reset: {answer:?}"
    );
    assert_eq!(
        harness
            .emulator
            .identity_provider(ORG)
            .map(|c| c["PersonalAccessTokenConfiguration"]["LifetimeInDays"].clone()),
        Some(json!(365))
    );

    let answer = harness
        .invoke(&with_query(event("rest-put.json"), "dryRun", "maybe"))
        .await;
    assert_eq!(answer.status, 400);
    assert_eq!(answer.error_locations(), ["dryRun"]);
}

#[tokio::test]
async fn a_dry_run_still_checks_authorization_and_preconditions() {
    let harness = guarded().await;
    let answer = harness
        .invoke(&as_caller(
            with_query(event("rest-put.json"), "dryRun", "true"),
            Some(READER),
        ))
        .await;
    assert_eq!(answer.status, 403);
    let mut stale = with_query(event("rest-put.json"), "dryRun", "true");
    set_header(&mut stale, "if-match", Some("\"stale\""));
    assert_eq!(harness.invoke(&stale).await.status, 412);
}

#[test]
fn the_shipped_access_policy_file_is_valid() {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("access-policy/access-policy.json");
    let text = std::fs::read_to_string(&path).expect("the access policy the template deploys");
    AccessPolicy::parse(&text).unwrap_or_else(|error| panic!("{error}"));
}

#[tokio::test]
async fn a_caller_without_a_grant_is_told_the_same_whether_or_not_the_organization_is_managed() {
    const UNMANAGED: &str = "m-99999999999999999999999999999999";
    let mut access = access(false);
    access.managed =
        idp_gateway::domain::ManagedOrganizations::parse(Some(&format!("{ORG},{OTHER}")))
            .expect("valid list");
    let harness = Harness::guarded(access).await;
    harness
        .emulator
        .add_organization(OTHER, "other", workmail_emulator::OrganizationState::Active);
    let on = |organization: &str, event: Value, caller: Option<&str>| {
        as_caller(
            with_path(
                event,
                &format!("/organizations/{organization}/identity-provider"),
            ),
            caller,
        )
    };
    for (file, method) in [("rest-get.json", "GET"), ("rest-put.json", "PUT")] {
        for event in both(file, method) {
            for caller in [Some(EDITOR), None] {
                let managed = harness.invoke(&on(OTHER, event.clone(), caller)).await;
                let unmanaged = harness.invoke(&on(UNMANAGED, event.clone(), caller)).await;
                assert_eq!(managed.status, 403, "{method} {caller:?}");
                assert_eq!(managed.problem_code(), "FORBIDDEN");
                assert_eq!(
                    (unmanaged.status, &unmanaged.body),
                    (managed.status, &managed.body),
                    "{method} {caller:?}: no hint of which organizations are managed"
                );
            }
        }
    }
    assert!(harness.emulator.calls().is_empty());
    let answer = harness
        .invoke(&on(UNMANAGED, event("rest-get.json"), Some(ADMIN)))
        .await;
    assert_eq!(
        answer.problem_code(),
        "ORGANIZATION_NOT_MANAGED",
        "a caller granted every organization is told why"
    );
}

#[tokio::test]
async fn write_includes_read_so_what_a_writer_is_answered_it_may_also_read() {
    const WRITER: &str = "arn:aws:sts::123456789012:assumed-role/MailWriters/erin";
    let policy = AccessPolicy::parse(
        &json!({ "grants": [
            { "principal": "arn:aws:iam::123456789012:role/MailWriters", "organizations": [ORG], "permissions": ["write"] }
        ]})
        .to_string(),
    )
    .expect("a write-only grant is accepted: write includes read");
    let harness = Harness::guarded(AccessControl {
        policy: Some(policy),
        ..AccessControl::open()
    })
    .await;
    let dry_run = harness
        .invoke(&as_caller(
            with_query(event("rest-put.json"), "dryRun", "true"),
            Some(WRITER),
        ))
        .await;
    assert_eq!(dry_run.status, 200, "{dry_run:?}");
    assert_eq!(dry_run.body["before"], demo_configuration());
    let mut stale = event("rest-patch.json");
    set_header(&mut stale, "if-match", Some("\"stale\""));
    let refused = harness.invoke(&as_caller(stale, Some(WRITER))).await;
    assert_eq!(refused.status, 412);
    for event in both("rest-get.json", "GET") {
        let read = harness.invoke(&as_caller(event, Some(WRITER))).await;
        assert_eq!(read.status, 200, "{read:?}");
        assert_eq!(read.body, demo_configuration());
        assert_eq!(read.header("etag"), refused.header("etag"));
    }
    assert!(writes(&harness).is_empty());
}
