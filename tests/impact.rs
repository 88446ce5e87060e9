//! Lockout impact through the emulator over real HTTP with the real SDK client, for REST (v1) and HTTP
//! API (v2) events: each lockout risk refused without confirmation, without `escalate`, with a plain
//! confirmation when users would lose access and with a stale digest; accepted with the digest of a
//! dry run, or with the plain confirmation when nobody would lose access; the enforcer refusing an
//! allowed transition that locks users out and making one that does not; the readiness route; and a
//! 10,000-user organization reported complete within the API's budget.

mod support;

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use idp_gateway::access::AccessPolicy;
use idp_gateway::enforce::{EnforcementPolicy, Enforcer, Summary};
use idp_gateway::http::AccessControl;
use idp_gateway::workmail::SdkWorkMail;
use serde_json::{Value, json};
use support::*;
use workmail_emulator::{BulkDirectory, EmulatedToken, EmulatedUser};

const ADMIN: &str = "arn:aws:sts::123456789012:assumed-role/MailAdminPortal/alice@example.com";
const EDITOR: &str = "arn:aws:sts::123456789012:assumed-role/MailEditors/carol";
const READER: &str = "arn:aws:sts::123456789012:assumed-role/MailReadOnly/dave";
const STRANGER: &str = "arn:aws:sts::123456789012:assumed-role/Somebody/eve";
const OTHER_INSTANCE: &str = "arn:aws:sso:::instance/ssoins-fedcba0987654321";
const OTHER_APPLICATION: &str =
    "arn:aws:sso::123456789012:application/ssoins-fedcba0987654321/apl-fedcba0987654321";
const CONFIRM: &str = "lockout-risk";

#[derive(Debug, Clone, Copy)]
enum Kind {
    Rest,
    Http,
}

const KINDS: [Kind; 2] = [Kind::Rest, Kind::Http];

fn access() -> AccessControl {
    let policy = AccessPolicy::parse(
        &json!({ "grants": [
            { "principal": "arn:aws:iam::123456789012:role/MailAdminPortal", "organizations": ["*"], "permissions": ["read", "write", "escalate"] },
            { "principal": "arn:aws:iam::123456789012:role/MailEditors", "organizations": ["*"], "permissions": ["read", "write"] },
            { "principal": "arn:aws:iam::123456789012:role/MailReadOnly", "organizations": ["*"], "permissions": ["read"] }
        ]})
        .to_string(),
    )
    .expect("valid access policy");
    AccessControl {
        policy: Some(policy),
        ..AccessControl::open()
    }
}

async fn harness() -> Harness {
    let harness = Harness::guarded(access()).await;
    harness
        .emulator
        .add_identity_center_application(OTHER_INSTANCE, OTHER_APPLICATION);
    harness
}

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|elapsed| i64::try_from(elapsed.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or_default()
}

/// A PATCH of the demo organization with `body`, as `kind`, confirmed with `confirm` (if any).
fn patch(kind: Kind, body: &Value, confirm: Option<&str>) -> Value {
    let base = match kind {
        Kind::Rest => event("rest-patch.json"),
        Kind::Http => event("http-patch.json"),
    };
    let mut request = with_body(
        base,
        Some("application/merge-patch+json"),
        &body.to_string(),
    );
    set_header(&mut request, "confirm-impact", confirm);
    request
}

/// A DELETE of the demo organization's configuration, as `kind`, confirmed with `confirm` (if any).
fn delete(kind: Kind, confirm: Option<&str>) -> Value {
    let mut request = match kind {
        Kind::Rest => event("rest-delete.json"),
        Kind::Http => with_method(event("http-get.json"), "DELETE"),
    };
    set_header(&mut request, "confirm-impact", confirm);
    request
}

fn dry_run(request: Value) -> Value {
    with_query(request, "dryRun", "true")
}

fn with_digest(digest: &str) -> String {
    format!("{CONFIRM}; digest=\"{digest}\"")
}

/// The demo configuration in IDENTITY_PROVIDER_ONLY, as the emulator stores it.
fn identity_provider_only() -> Value {
    json!({
        "AuthenticationMode": "IDENTITY_PROVIDER_ONLY",
        "IdentityCenterConfiguration": { "InstanceArn": INSTANCE_ARN, "ApplicationArn": APPLICATION_ARN },
        "PersonalAccessTokenConfiguration": { "Status": "ACTIVE", "LifetimeInDays": 365 }
    })
}

/// One lockout risk: how to put the demo organization where the risk applies, the request (given
/// its kind and confirmation), and who the demo directory says would lose what.
struct Risk {
    name: &'static str,
    /// Starts in IDENTITY_PROVIDER_ONLY (else the seeded IDENTITY_PROVIDER_AND_DIRECTORY).
    starts_only: bool,
    request: fn(Kind, Option<&str>) -> Value,
    losing_all: u64,
    losing_mail_clients: u64,
    password_reset: u64,
}

fn switch(kind: Kind, confirm: Option<&str>) -> Value {
    patch(
        kind,
        &json!({ "authenticationMode": "IDENTITY_PROVIDER_ONLY" }),
        confirm,
    )
}

fn repoint(kind: Kind, confirm: Option<&str>) -> Value {
    patch(
        kind,
        &json!({ "identityCenter": { "instanceArn": OTHER_INSTANCE, "applicationArn": OTHER_APPLICATION } }),
        confirm,
    )
}

fn tokens_inactive(kind: Kind, confirm: Option<&str>) -> Value {
    patch(
        kind,
        &json!({ "personalAccessTokens": { "status": "INACTIVE" } }),
        confirm,
    )
}

const RISKS: [Risk; 4] = [
    Risk {
        name: "IDENTITY_PROVIDER_ONLY",
        starts_only: false,
        request: switch,
        losing_all: 3,
        losing_mail_clients: 3,
        password_reset: 0,
    },
    Risk {
        name: "CHANGE_IDENTITY_CENTER",
        starts_only: true,
        request: repoint,
        losing_all: 3,
        losing_mail_clients: 3,
        password_reset: 0,
    },
    Risk {
        name: "DISABLE_PERSONAL_ACCESS_TOKENS",
        starts_only: true,
        request: tokens_inactive,
        losing_all: 3,
        losing_mail_clients: 7,
        password_reset: 0,
    },
    Risk {
        name: "DELETE",
        starts_only: false,
        request: delete,
        losing_all: 0,
        losing_mail_clients: 0,
        password_reset: 7,
    },
];

impl Risk {
    fn locks_out(&self) -> bool {
        self.losing_all + self.losing_mail_clients > 0
    }

    async fn bed(&self) -> Harness {
        let harness = harness().await;
        if self.starts_only {
            harness
                .emulator
                .set_identity_provider(ORG, Some(identity_provider_only()));
        }
        harness
    }
}

fn writes(harness: &Harness) -> usize {
    harness
        .emulator
        .operations()
        .iter()
        .filter(|op| op.starts_with("Put") || op.starts_with("Delete"))
        .count()
}

/// Asserts the report's counts for `risk` on the demo directory.
fn assert_demo_impact(impact: &Value, risk: &Risk, context: &str) {
    assert_eq!(impact["complete"], true, "{context}: {impact}");
    assert_eq!(impact["enabledUsers"], 10, "{context}: {impact}");
    assert_eq!(impact["otherUsers"], 5, "{context}: {impact}");
    assert_eq!(
        impact["losingAllAccess"], risk.losing_all,
        "{context}: {impact}"
    );
    assert_eq!(
        impact["losingMailClientAccess"], risk.losing_mail_clients,
        "{context}: {impact}"
    );
    assert_eq!(
        impact["mayNeedPasswordReset"], risk.password_reset,
        "{context}: {impact}"
    );
    assert!(
        impact["risks"]
            .as_array()
            .is_some_and(|risks| risks.iter().any(|r| r == risk.name)),
        "{context}: {impact}"
    );
    assert_eq!(
        impact["impactDigest"].as_str().map(str::len),
        Some(64),
        "{context}: {impact}"
    );
}

#[tokio::test]
async fn every_risk_is_refused_without_confirmation_with_the_report() {
    for risk in &RISKS {
        for kind in KINDS {
            let context = format!("{} {kind:?}", risk.name);
            let harness = risk.bed().await;
            let answer = harness.invoke(&(risk.request)(kind, None)).await;
            assert_eq!(answer.status, 428, "{context}: {answer:?}");
            assert_eq!(answer.problem_code(), "CONFIRMATION_REQUIRED", "{context}");
            assert_demo_impact(&answer.body["impact"], risk, &context);
            assert_eq!(writes(&harness), 0, "{context}: nothing written");
        }
    }
}

#[tokio::test]
async fn every_risk_needs_escalate_even_when_confirmed() {
    for risk in &RISKS {
        for kind in KINDS {
            let context = format!("{} {kind:?}", risk.name);
            let harness = risk.bed().await;
            let dry = harness.invoke(&dry_run((risk.request)(kind, None))).await;
            assert_eq!(dry.status, 200, "{context}: {dry:?}");
            let digest = dry.body["impact"]["impactDigest"]
                .as_str()
                .expect("a digest")
                .to_owned();
            let request = as_caller(
                (risk.request)(kind, Some(&with_digest(&digest))),
                Some(EDITOR),
            );
            let answer = harness.invoke(&request).await;
            assert_eq!(answer.status, 403, "{context}: {answer:?}");
            assert_eq!(answer.problem_code(), "FORBIDDEN", "{context}");
            assert_eq!(writes(&harness), 0, "{context}: nothing written");
        }
    }
}

#[tokio::test]
async fn a_plain_confirmation_is_refused_when_users_would_lose_access() {
    for risk in RISKS.iter().filter(|risk| risk.locks_out()) {
        for kind in KINDS {
            let context = format!("{} {kind:?}", risk.name);
            let harness = risk.bed().await;
            let answer = harness.invoke(&(risk.request)(kind, Some(CONFIRM))).await;
            assert_eq!(answer.status, 428, "{context}: {answer:?}");
            assert_eq!(
                answer.problem_code(),
                "IMPACT_NOT_ACKNOWLEDGED",
                "{context}"
            );
            assert_demo_impact(&answer.body["impact"], risk, &context);
            let listed = answer.body["impact"]["affected"]["losingAllAccess"]["users"]
                .as_array()
                .map(|users| {
                    users
                        .iter()
                        .filter_map(|user| user["name"].as_str())
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default();
            assert_eq!(listed, ["erin", "frank", "oscar"], "{context}");
            assert_eq!(writes(&harness), 0, "{context}: nothing written");
        }
    }
}

#[tokio::test]
async fn a_removal_that_locks_nobody_out_takes_the_plain_confirmation() {
    for kind in KINDS {
        let harness = harness().await;
        let answer = harness.invoke(&delete(kind, Some(CONFIRM))).await;
        assert_eq!(answer.status, 204, "{kind:?}: {answer:?}");
        assert_eq!(harness.emulator.identity_provider(ORG), None, "{kind:?}");
    }
}

#[tokio::test]
async fn a_digest_from_before_the_directory_changed_is_refused_and_the_current_one_accepted() {
    for risk in &RISKS {
        for kind in KINDS {
            let context = format!("{} {kind:?}", risk.name);
            let harness = risk.bed().await;
            let dry = harness.invoke(&dry_run((risk.request)(kind, None))).await;
            assert_eq!(dry.status, 200, "{context}: {dry:?}");
            assert_eq!(
                dry.body["requiresImpactDigest"],
                risk.locks_out(),
                "{context}"
            );
            assert_demo_impact(&dry.body["impact"], risk, &context);
            let seen = dry.body["impact"]["impactDigest"]
                .as_str()
                .expect("a digest")
                .to_owned();
            // A new linked user without a token changes every risk's report.
            harness.emulator.add_user(
                ORG,
                EmulatedUser::new(
                    "a1b2c3d4-0000-4000-8000-000000000099",
                    "zoe",
                    "zoe@demo.awsapps.com",
                )
                .linked("94a8f4e8-1dc0-4000-8000-000000000099", "d-90670a1b2c"),
            );
            let stale = harness
                .invoke(&(risk.request)(kind, Some(&with_digest(&seen))))
                .await;
            assert_eq!(stale.status, 428, "{context}: {stale:?}");
            assert_eq!(stale.problem_code(), "IMPACT_NOT_ACKNOWLEDGED", "{context}");
            let current = stale.body["impact"]["impactDigest"]
                .as_str()
                .expect("a digest")
                .to_owned();
            assert_ne!(current, seen, "{context}");
            assert_eq!(stale.body["impact"]["enabledUsers"], 11, "{context}");
            assert_eq!(writes(&harness), 0, "{context}: nothing written");
            let accepted = harness
                .invoke(&(risk.request)(kind, Some(&with_digest(&current))))
                .await;
            assert!(
                accepted.status == 200 || accepted.status == 204,
                "{context}: {accepted:?}"
            );
            assert_eq!(writes(&harness), 1, "{context}: written once");
        }
    }
}

#[tokio::test]
async fn the_digest_of_a_dry_run_is_consent_for_the_switch() {
    for kind in KINDS {
        let harness = harness().await;
        let dry = harness.invoke(&dry_run(switch(kind, None))).await;
        assert_eq!(dry.body["requiresConfirmation"], true, "{kind:?}: {dry:?}");
        assert_eq!(dry.body["requiresImpactDigest"], true, "{kind:?}");
        let digest = dry.body["impact"]["impactDigest"]
            .as_str()
            .expect("a digest")
            .to_owned();
        assert_eq!(writes(&harness), 0, "a dry run writes nothing");
        let answer = harness
            .invoke(&switch(kind, Some(&with_digest(&digest))))
            .await;
        assert_eq!(answer.status, 200, "{kind:?}: {answer:?}");
        assert_eq!(answer.body["authenticationMode"], "IDENTITY_PROVIDER_ONLY");
        assert_eq!(
            harness
                .emulator
                .identity_provider(ORG)
                .map(|c| c["AuthenticationMode"].clone()),
            Some(json!("IDENTITY_PROVIDER_ONLY")),
            "{kind:?}"
        );
    }
}

/// Every enabled user of the demo organization linked, each with an unexpired token.
fn everyone_linked_with_tokens(harness: &Harness) {
    let now = now();
    for user in harness.emulator.users(ORG) {
        if user.identity_provider_user_id.is_none() {
            let suffix = &user.id[user.id.len() - 12..];
            harness.emulator.add_user(
                ORG,
                user.clone()
                    .linked(&format!("94a8f4e8-1dc0-4000-8000-{suffix}"), "d-90670a1b2c"),
            );
        }
        harness.emulator.add_personal_access_token(
            ORG,
            EmulatedToken::new(
                &format!("pat-ready-{}", user.name),
                &user.id,
                now - 86_400,
                now + 30 * 86_400,
            ),
        );
    }
}

#[tokio::test]
async fn a_switch_that_locks_nobody_out_takes_the_plain_confirmation() {
    for kind in KINDS {
        let harness = harness().await;
        everyone_linked_with_tokens(&harness);
        let answer = harness.invoke(&switch(kind, Some(CONFIRM))).await;
        assert_eq!(answer.status, 200, "{kind:?}: {answer:?}");
        assert_eq!(answer.body["authenticationMode"], "IDENTITY_PROVIDER_ONLY");
        assert_eq!(writes(&harness), 1, "{kind:?}");
    }
}

fn readiness(kind: Kind, caller: &str) -> Value {
    let base = match kind {
        Kind::Rest => event("rest-get.json"),
        Kind::Http => event("http-get.json"),
    };
    as_caller(
        with_path(
            base,
            &format!("/organizations/{ORG}/identity-provider/readiness"),
        ),
        Some(caller),
    )
}

#[tokio::test]
async fn readiness_says_who_a_switch_would_lock_out_until_everyone_is_ready() {
    for kind in KINDS {
        let harness = harness().await;
        let answer = harness.invoke(&readiness(kind, READER)).await;
        assert_eq!(answer.status, 200, "{kind:?}: {answer:?}");
        assert_eq!(answer.body["ready"], false, "{kind:?}");
        assert_eq!(answer.body["organizationId"], ORG);
        assert_demo_impact(&answer.body["impact"], &RISKS[0], &format!("{kind:?}"));
        everyone_linked_with_tokens(&harness);
        let ready = harness.invoke(&readiness(kind, READER)).await;
        assert_eq!(ready.status, 200, "{kind:?}: {ready:?}");
        assert_eq!(ready.body["ready"], true, "{kind:?}: {ready:?}");
        assert_eq!(ready.body["impact"]["losingAllAccess"], 0);
        assert_eq!(ready.body["impact"]["losingMailClientAccess"], 0);
        assert_eq!(ready.body["impact"]["complete"], true);
        assert_eq!(writes(&harness), 0, "readiness never writes");
        let calls = harness.emulator.operations().len();
        let refused = harness.invoke(&readiness(kind, STRANGER)).await;
        assert_eq!(refused.status, 403, "{kind:?}: {refused:?}");
        assert_eq!(refused.problem_code(), "FORBIDDEN");
        let query = harness
            .invoke(&with_query(readiness(kind, READER), "dryRun", "true"))
            .await;
        assert_eq!(query.status, 400, "{kind:?}: {query:?}");
        assert_eq!(query.error_locations(), ["dryRun"]);
        assert_eq!(
            harness.emulator.operations().len(),
            calls,
            "refused before any call"
        );
    }
}

#[tokio::test]
async fn readiness_of_an_organization_without_configuration_is_not_configured() {
    let harness = harness().await;
    harness.emulator.set_identity_provider(ORG, None);
    let answer = harness.invoke(&readiness(Kind::Rest, ADMIN)).await;
    assert_eq!(answer.status, 404, "{answer:?}");
    assert_eq!(answer.problem_code(), "IDENTITY_PROVIDER_NOT_CONFIGURED");
}

async fn enforcer(harness: &Harness) -> Enforcer<SdkWorkMail> {
    let policy = json!({
        "callsPerSecond": 1000,
        "organizations": { ORG: {
            "mode": "enforce",
            "desired": {
                "authenticationMode": "IDENTITY_PROVIDER_ONLY",
                "identityCenter": { "instanceArn": INSTANCE_ARN, "applicationArn": APPLICATION_ARN },
                "personalAccessTokens": { "status": "ACTIVE", "lifetimeInDays": 365 }
            },
            "allow": ["IDENTITY_PROVIDER_ONLY"]
        }}
    });
    let config = sdk_config(&harness.emulator.url()).await;
    Enforcer::new(
        SdkWorkMail::new(&config, &test_settings()),
        local_leases(),
        lease_settings(&test_settings()),
        EnforcementPolicy::parse(&policy.to_string()).expect("valid policy"),
        None,
    )
}

async fn sweep(enforcer: &Enforcer<SdkWorkMail>) -> Value {
    let summary: Summary = enforcer
        .handle(&event("enforcer-scheduled.json"))
        .await
        .expect("a readable event");
    let summary = serde_json::to_value(&summary).expect("summary serializes");
    summary["organizations"]
        .as_array()
        .and_then(|all| all.iter().find(|r| r["organizationId"] == ORG).cloned())
        .unwrap_or_else(|| panic!("no result for {ORG} in {summary}"))
}

#[tokio::test]
async fn the_enforcer_never_makes_an_allowed_switch_that_locks_users_out() {
    let harness = harness().await;
    let enforcer = enforcer(&harness).await;
    let refused = sweep(&enforcer).await;
    assert_eq!(refused["outcome"], "drifted", "{refused}");
    let reason = refused["reason"].as_str().unwrap_or_default();
    assert!(
        reason.contains("3 would lose all access, 3 access from mail clients"),
        "{refused}"
    );
    assert_eq!(writes(&harness), 0, "nothing written");
    everyone_linked_with_tokens(&harness);
    let made = sweep(&enforcer).await;
    assert_eq!(made["outcome"], "remediated", "{made}");
    assert_eq!(
        harness
            .emulator
            .identity_provider(ORG)
            .map(|c| c["AuthenticationMode"].clone()),
        Some(json!("IDENTITY_PROVIDER_ONLY"))
    );
    assert_eq!(writes(&harness), 1);
}

#[tokio::test]
async fn ten_thousand_users_and_twenty_thousand_tokens_are_reported_complete_within_the_budget() {
    let harness = harness().await;
    harness.emulator.seed_bulk_directory(
        ORG,
        &BulkDirectory {
            users: 10_000,
            tokens: 20_000,
            unlinked_every: 50,
            disabled_every: 100,
            expired_every: 0,
            now: now(),
        },
    );
    let started = Instant::now();
    let answer = harness.invoke(&readiness(Kind::Http, READER)).await;
    let elapsed = started.elapsed();
    assert_eq!(answer.status, 200, "{answer:?}");
    let impact = &answer.body["impact"];
    assert_eq!(impact["complete"], true, "{impact}");
    assert!(impact.get("incompleteBecause").is_none(), "{impact}");
    // Users 0, 100, 200, ... are disabled (100 of them, all among the 200 unlinked ones, since 50
    // divides 100); the other 100 unlinked users lose all access. Every enabled linked user holds
    // two unexpired tokens (20,000 round robin over 9,800).
    assert_eq!(impact["enabledUsers"], 9_900, "{impact}");
    assert_eq!(impact["otherUsers"], 100, "{impact}");
    assert_eq!(impact["losingAllAccess"], 100, "{impact}");
    assert_eq!(impact["losingMailClientAccess"], 0, "{impact}");
    assert_eq!(impact["affected"]["losingAllAccess"]["truncated"], false);
    assert_eq!(answer.body["ready"], false);
    let pages = harness
        .emulator
        .operations()
        .iter()
        .filter(|op| op.starts_with("List"))
        .count();
    assert_eq!(pages, 100 + 200, "every page of users and tokens read once");
    assert!(
        elapsed < Duration::from_secs(29),
        "within API Gateway's limit: {elapsed:?}"
    );
}

#[tokio::test]
async fn a_report_that_would_outlast_the_invocation_is_cut_short_and_never_reads_as_nobody() {
    use idp_gateway::domain::{AuthenticationMode, Change, OrganizationId};
    use idp_gateway::use_cases::{DirectoryReading, impact_of};
    let harness = Harness::start().await;
    everyone_ready(&harness.emulator);
    let config = sdk_config(&harness.emulator.url()).await;
    let store = SdkWorkMail::new(&config, &test_settings());
    let organization = OrganizationId::parse(ORG).expect("id");
    let mut before = idp_gateway::domain::parse_configuration(&demo_configuration(), &organization)
        .expect("the demo configuration");
    before.authentication_mode = AuthenticationMode::IdentityProviderAndDirectory;
    let mut after = before.clone();
    after.authentication_mode = AuthenticationMode::IdentityProviderOnly;
    let change = Change {
        organization,
        before: Some(before),
        after: Some(after),
    };
    let complete = impact_of(&store, &change, DirectoryReading::default())
        .await
        .expect("report");
    assert!(
        complete.complete && !complete.locks_anyone_out(),
        "{complete:?}"
    );
    let no_time_left = DirectoryReading::default().finishing_by(tokio::time::Instant::now());
    let cut = impact_of(&store, &change, no_time_left)
        .await
        .expect("report");
    assert!(!cut.complete, "{cut:?}");
    assert!(
        cut.locks_anyone_out(),
        "an incomplete report never clears a lockout"
    );
    assert_ne!(cut.impact_digest, complete.impact_digest);
}
