//! The enforcer against the emulator over real HTTP: every outcome, the safety rules, the change cap,
//! duplicate and failed-call events, and what WorkMail received (never a Delete).

mod support;

use idp_gateway::enforce::{EnforcementPolicy, Enforcer, Summary};
use idp_gateway::workmail::SdkWorkMail;
use serde_json::{Value, json};
use support::*;
use workmail_emulator::{Emulator, Fault, FaultRule, OrganizationState};

const OTHER: &str = "m-11111111111111111111111111111111";
const THIRD: &str = "m-22222222222222222222222222222222";
const ROLE: &str = "arn:aws:iam::123456789012:role/idp-gateway-enforcer";

struct Bed {
    emulator: Emulator,
    enforcer: Enforcer<SdkWorkMail>,
}

impl Bed {
    /// The emulator with the demo organization plus OTHER and THIRD (configured like the demo, lifetime
    /// 365), and an enforcer for `policy` (whose callsPerSecond defaults high for tests).
    async fn new(mut policy: Value) -> Self {
        let emulator = Emulator::start().await.expect("emulator");
        emulator.seed_demo();
        for id in [OTHER, THIRD] {
            emulator.add_organization(id, "other", OrganizationState::Active);
            emulator.set_identity_provider(id, Some(stored(365)));
        }
        if policy.get("callsPerSecond").is_none() {
            policy["callsPerSecond"] = json!(1000);
        }
        let policy = EnforcementPolicy::parse(&policy.to_string()).expect("valid policy");
        let config = sdk_config(&emulator.url()).await;
        let enforcer = Enforcer::new(
            SdkWorkMail::new(&config, &test_settings()),
            local_leases(),
            lease_settings(&test_settings()),
            policy,
            Some(ROLE.to_owned()),
        );
        Self { emulator, enforcer }
    }

    async fn run(&self, event: &Value) -> Value {
        let summary: Summary = self.enforcer.handle(event).await.expect("a readable event");
        let value = serde_json::to_value(&summary).expect("summary serializes");
        assert!(
            !self
                .emulator
                .operations()
                .iter()
                .any(|op| op == "DeleteIdentityProviderConfiguration"),
            "the enforcer never deletes"
        );
        value
    }

    async fn sweep(&self) -> Value {
        self.run(&event("enforcer-scheduled.json")).await
    }

    fn puts(&self) -> usize {
        self.emulator
            .operations()
            .iter()
            .filter(|op| *op == "PutIdentityProviderConfiguration")
            .count()
    }
}

fn policy(organizations: Value) -> Value {
    json!({ "maxChangesPerRun": 10, "organizations": organizations })
}

fn result<'a>(summary: &'a Value, organization: &str) -> &'a Value {
    summary["organizations"]
        .as_array()
        .and_then(|all| all.iter().find(|r| r["organizationId"] == organization))
        .unwrap_or_else(|| panic!("no result for {organization} in {summary}"))
}

#[tokio::test]
async fn a_compliant_organization_is_only_read() {
    let bed = Bed::new(policy(
        json!({ ORG: { "mode": "enforce", "desired": desired(365) } }),
    ))
    .await;
    let summary = bed.sweep().await;
    assert_eq!(result(&summary, ORG)["outcome"], "compliant");
    assert_eq!(summary["totals"]["compliant"], 1);
    assert_eq!(summary["trigger"], "schedule");
    assert_eq!(summary["policyHash"].as_str().map(str::len), Some(64));
    assert_eq!(
        bed.emulator.operations(),
        ["DescribeIdentityProviderConfiguration"]
    );
}

#[tokio::test]
async fn drift_in_report_mode_is_reported_field_by_field_and_left_alone() {
    let bed = Bed::new(policy(
        json!({ ORG: { "mode": "report", "desired": desired(90) } }),
    ))
    .await;
    let summary = bed.sweep().await;
    let org = result(&summary, ORG);
    assert_eq!(org["outcome"], "drifted");
    assert_eq!(org["mode"], "report");
    assert_eq!(
        org["diff"],
        json!([{ "pointer": "/personalAccessTokens/lifetimeInDays", "before": 365, "after": 90 }])
    );
    assert_eq!(bed.puts(), 0);
}

#[tokio::test]
async fn drift_in_enforce_mode_is_put_and_confirmed() {
    let bed = Bed::new(policy(
        json!({ ORG: { "mode": "enforce", "desired": desired(90) } }),
    ))
    .await;
    let summary = bed.sweep().await;
    assert_eq!(result(&summary, ORG)["outcome"], "remediated");
    assert_eq!(summary["totals"]["remediated"], 1);
    assert_eq!(
        bed.emulator.operations(),
        [
            "DescribeIdentityProviderConfiguration",
            "DescribeIdentityProviderConfiguration",
            "PutIdentityProviderConfiguration",
            "DescribeIdentityProviderConfiguration"
        ]
    );
    assert_eq!(bed.emulator.identity_provider(ORG), Some(stored(90)));
}

#[tokio::test]
async fn a_put_that_does_not_stick_is_a_failure() {
    let bed = Bed::new(policy(
        json!({ ORG: { "mode": "enforce", "desired": desired(90) } }),
    ))
    .await;
    bed.emulator.inject(FaultRule::new(
        "PutIdentityProviderConfiguration",
        Fault::AcknowledgeWithoutEffect,
    ));
    let summary = bed.sweep().await;
    let org = result(&summary, ORG);
    assert_eq!(org["outcome"], "failed", "{summary}");
    assert_eq!(org["error"]["code"], "NOT_CONFIRMED");
}

#[tokio::test]
async fn an_exemption_skips_until_it_expires() {
    let bed = Bed::new(policy(json!({
        ORG: { "mode": "enforce", "desired": desired(90), "exemptUntil": "2099-01-01T00:00:00Z" },
        OTHER: { "mode": "enforce", "desired": desired(90), "exemptUntil": "2020-01-01T00:00:00Z" }
    })))
    .await;
    let summary = bed.sweep().await;
    let exempt = result(&summary, ORG);
    assert_eq!(exempt["outcome"], "skipped");
    assert!(
        exempt["reason"]
            .as_str()
            .unwrap_or_default()
            .contains("2099-01-01T00:00:00Z")
    );
    assert_eq!(
        result(&summary, OTHER)["outcome"],
        "remediated",
        "an expired exemption no longer applies"
    );
    assert_eq!(bed.emulator.identity_provider(ORG), Some(stored(365)));
    assert!(
        bed.emulator
            .calls()
            .iter()
            .all(|call| call.body["OrganizationId"] != ORG),
        "no call for the exempt"
    );
}

#[tokio::test]
async fn switching_to_identity_provider_only_needs_the_policy_to_allow_it() {
    let mut only = desired(365);
    only["authenticationMode"] = json!("IDENTITY_PROVIDER_ONLY");
    let bed = Bed::new(policy(json!({
        ORG: { "mode": "enforce", "desired": only.clone() },
        OTHER: { "mode": "enforce", "desired": only, "allow": ["IDENTITY_PROVIDER_ONLY"] }
    })))
    .await;
    let summary = bed.sweep().await;
    let refused = result(&summary, ORG);
    assert_eq!(refused["outcome"], "drifted");
    assert!(
        refused["reason"]
            .as_str()
            .unwrap_or_default()
            .contains("IDENTITY_PROVIDER_ONLY"),
        "{refused}"
    );
    assert_eq!(
        bed.emulator
            .identity_provider(ORG)
            .map(|c| c["AuthenticationMode"].clone()),
        Some(json!("IDENTITY_PROVIDER_AND_DIRECTORY"))
    );
    assert_eq!(result(&summary, OTHER)["outcome"], "remediated");
    assert_eq!(bed.puts(), 1);
}

#[tokio::test]
async fn enabling_identity_center_needs_the_policy_to_allow_it() {
    let bed = Bed::new(policy(json!({
        ORG: { "mode": "enforce", "desired": desired(90) },
        OTHER: { "mode": "enforce", "desired": desired(90), "allow": ["ENABLE_IDENTITY_CENTER"] }
    })))
    .await;
    bed.emulator.set_identity_provider(ORG, None);
    bed.emulator.set_identity_provider(OTHER, None);
    let summary = bed.sweep().await;
    let refused = result(&summary, ORG);
    assert_eq!(refused["outcome"], "drifted");
    assert!(
        refused["reason"]
            .as_str()
            .unwrap_or_default()
            .contains("ENABLE_IDENTITY_CENTER"),
        "{refused}"
    );
    assert_eq!(bed.emulator.identity_provider(ORG), None);
    assert_eq!(result(&summary, OTHER)["outcome"], "remediated");
}

#[tokio::test]
async fn deleted_and_unknown_organizations_fail_without_stopping_the_others() {
    let gone = "m-99999999999999999999999999999999";
    let bed = Bed::new(policy(json!({
        ORG: { "mode": "enforce", "desired": desired(90) },
        OTHER: { "mode": "enforce", "desired": desired(90) },
        gone: { "mode": "enforce", "desired": desired(90) }
    })))
    .await;
    bed.emulator
        .set_organization_state(OTHER, OrganizationState::Deleted);
    let summary = bed.sweep().await;
    assert_eq!(
        result(&summary, OTHER)["error"]["code"],
        "ORGANIZATION_STATE_CONFLICT"
    );
    assert_eq!(
        result(&summary, gone)["error"]["code"],
        "ORGANIZATION_NOT_FOUND"
    );
    assert_eq!(result(&summary, ORG)["outcome"], "remediated");
    assert_eq!(
        summary["totals"],
        json!({ "compliant": 0, "drifted": 0, "remediated": 1, "skipped": 0, "conflict": 0, "notReached": 0, "failed": 2 })
    );
}

#[tokio::test]
async fn a_put_that_landed_is_reported_remediated_even_when_its_confirming_read_fails() {
    let bed = Bed::new(policy(
        json!({ ORG: { "mode": "enforce", "desired": desired(90) } }),
    ))
    .await;
    // The sweep's read and the re-read under the lease go through; the confirming read is refused.
    bed.emulator.inject(
        FaultRule::new("DescribeIdentityProviderConfiguration", Fault::AccessDenied)
            .after(2)
            .times(1),
    );
    let summary = bed.sweep().await;
    let org = result(&summary, ORG);
    assert_eq!(org["outcome"], "remediated", "{summary}");
    assert_eq!(
        org["diff"],
        json!([{ "pointer": "/personalAccessTokens/lifetimeInDays", "before": 365, "after": 90 }])
    );
    assert!(
        org["confirmation"]
            .as_str()
            .is_some_and(|text| text.starts_with("read-back failed")),
        "{summary}"
    );
    assert_eq!(summary["totals"]["remediated"], 1);
    assert_eq!(summary["totals"]["failed"], 0);
    assert_eq!(bed.emulator.identity_provider(ORG), Some(stored(90)));
}

#[tokio::test]
async fn a_throttling_storm_fails_each_organization_cleanly() {
    let bed = Bed::new(policy(json!({
        ORG: { "mode": "enforce", "desired": desired(90) },
        OTHER: { "mode": "enforce", "desired": desired(90) },
        THIRD: { "mode": "enforce", "desired": desired(90) }
    })))
    .await;
    bed.emulator
        .inject(FaultRule::every_operation(Fault::Throttle));
    let summary = bed.sweep().await;
    for organization in [ORG, OTHER, THIRD] {
        assert_eq!(result(&summary, organization)["error"]["code"], "THROTTLED");
    }
    assert_eq!(bed.emulator.operations().len(), 9, "three attempts each");
}

#[tokio::test]
async fn throttling_that_eases_is_ridden_out() {
    let bed = Bed::new(policy(json!({
        ORG: { "mode": "enforce", "desired": desired(90) },
        OTHER: { "mode": "enforce", "desired": desired(365) }
    })))
    .await;
    bed.emulator
        .inject(FaultRule::every_operation(Fault::Throttle).times(2));
    let summary = bed.sweep().await;
    assert_eq!(result(&summary, ORG)["outcome"], "remediated", "{summary}");
    assert_eq!(result(&summary, OTHER)["outcome"], "compliant");
}

#[tokio::test]
async fn more_changes_than_the_cap_change_nothing() {
    let mut body = policy(json!({
        ORG: { "mode": "enforce", "desired": desired(90) },
        OTHER: { "mode": "enforce", "desired": desired(90) },
        THIRD: { "mode": "enforce", "desired": desired(90) }
    }));
    body["maxChangesPerRun"] = json!(2);
    let bed = Bed::new(body).await;
    let summary = bed.sweep().await;
    assert_eq!(
        summary["maxChangesExceeded"],
        json!({ "needed": 3, "maxChangesPerRun": 2 })
    );
    for organization in [ORG, OTHER, THIRD] {
        let org = result(&summary, organization);
        assert_eq!(org["outcome"], "drifted");
        assert!(
            org["reason"]
                .as_str()
                .unwrap_or_default()
                .contains("maxChangesPerRun (2)"),
            "{org}"
        );
        assert!(!org["diff"].as_array().map(Vec::is_empty).unwrap_or(true));
    }
    assert_eq!(bed.puts(), 0);
}

#[tokio::test]
async fn a_cloudtrail_event_rechecks_its_organization_once_whatever_it_claims() {
    let bed = Bed::new(policy(json!({
        ORG: { "mode": "enforce", "desired": desired(90) },
        OTHER: { "mode": "enforce", "desired": desired(90) }
    })))
    .await;
    let first = bed.run(&event("enforcer-cloudtrail-put.json")).await;
    assert_eq!(first["trigger"], "cloudtrail");
    assert_eq!(
        first["organizations"].as_array().map(Vec::len),
        Some(1),
        "only the named organization"
    );
    assert_eq!(result(&first, ORG)["outcome"], "remediated");
    assert_eq!(
        result(&first, ORG)["diff"],
        json!([{ "pointer": "/personalAccessTokens/lifetimeInDays", "before": 365, "after": 90 }]),
        "the diff comes from Describe, not from the event's IDENTITY_PROVIDER_ONLY and 3653"
    );
    let again = bed.run(&event("enforcer-cloudtrail-put.json")).await;
    assert_eq!(result(&again, ORG)["outcome"], "compliant");
    assert_eq!(bed.puts(), 1, "a repeated event causes no second Put");
}

#[tokio::test]
async fn failed_and_own_calls_are_ignored_without_calling_workmail() {
    let bed = Bed::new(policy(
        json!({ ORG: { "mode": "enforce", "desired": desired(90) } }),
    ))
    .await;
    let failed = bed.run(&event("enforcer-cloudtrail-put-failed.json")).await;
    assert!(
        failed["ignored"]
            .as_str()
            .unwrap_or_default()
            .contains("AccessDenied"),
        "{failed}"
    );
    let mut own = event("enforcer-cloudtrail-put.json");
    own["detail"]["userIdentity"]["sessionContext"]["sessionIssuer"]["arn"] = json!(ROLE);
    let own = bed.run(&own).await;
    assert!(
        own["ignored"].as_str().unwrap_or_default().contains("own"),
        "{own}"
    );
    let unrelated = json!({ "source": "aws.s3", "detail-type": "Object Created", "detail": {} });
    assert!(bed.run(&unrelated).await["ignored"].is_string());
    assert!(bed.emulator.calls().is_empty());
}

#[tokio::test]
async fn a_direct_report_request_never_writes() {
    let bed = Bed::new(policy(
        json!({ ORG: { "mode": "enforce", "desired": desired(90) } }),
    ))
    .await;
    let summary = bed.run(&event("enforcer-direct-report.json")).await;
    assert_eq!(summary["trigger"], "on-demand");
    let org = result(&summary, ORG);
    assert_eq!(org["outcome"], "drifted");
    assert_eq!(org["mode"], "report");
    let outside = bed.run(&json!({ "organizationIds": [THIRD] })).await;
    assert_eq!(result(&outside, THIRD)["outcome"], "skipped");
    assert_eq!(bed.puts(), 0);
}

#[tokio::test]
async fn malformed_events_are_errors_that_say_why() {
    let bed = Bed::new(policy(json!({ ORG: { "desired": desired(90) } }))).await;
    let mut no_organization = event("enforcer-cloudtrail-put.json");
    no_organization["detail"]["requestParameters"] = json!({});
    for bad in [
        json!([1, 2]),
        json!({ "what": "ever" }),
        no_organization,
        json!({ "organizationIds": ["m-x"] }),
    ] {
        let error = bed.enforcer.handle(&bad).await.expect_err("malformed");
        assert!(
            error.to_string().starts_with("malformed event: "),
            "{error}"
        );
    }
    assert!(bed.emulator.calls().is_empty());
}

#[test]
fn the_shipped_policy_file_is_valid_and_only_reports() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("enforcement-policy/enforcement-policy.json");
    let text = std::fs::read_to_string(&path).expect("the policy file the template deploys");
    let policy = EnforcementPolicy::parse(&text).unwrap_or_else(|error| panic!("{error}"));
    assert!(!policy.organizations.is_empty());
    assert!(
        policy
            .organizations
            .values()
            .all(|entry| entry.mode == idp_gateway::enforce::Mode::Report)
    );
}
