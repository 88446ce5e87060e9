//! The enforcer across invocations, through the emulator and the lease table's ledger: a change cap
//! that holds whatever triggered the changes, a sweep cut at its deadline and resumed by the next
//! one, and another writer undoing the enforcer's change reported as a conflict instead of fought.

mod support;

use std::time::Duration;

use idp_gateway::enforce::{EnforcementPolicy, Enforcer};
use idp_gateway::workmail::SdkWorkMail;
use serde_json::{Value, json};
use support::*;
use tokio::time::Instant;
use workmail_emulator::{Emulator, Fault, FaultRule, OrganizationState};

const ROLE: &str = "arn:aws:iam::123456789012:role/idp-gateway-enforcer";
const OTHER_ENFORCER: &str = "arn:aws:iam::123456789012:role/other-stack-EnforcerFunctionRole-ABC";
const PUT: &str = "PutIdentityProviderConfiguration";

fn organization(index: usize) -> String {
    format!("m-{index:032x}")
}

/// `count` organizations stored with lifetime 365, and an enforcer whose policy wants `lifetime`
/// for each of them in `mode`, with `extra` policy members.
async fn bed(
    count: usize,
    mode: &str,
    lifetime: u32,
    extra: Value,
) -> (Emulator, Enforcer<SdkWorkMail>) {
    let emulator = Emulator::start().await.expect("emulator");
    // The demo organization brings the Identity Center application the desired state names.
    emulator.seed_demo();
    emulator.set_identity_provider(ORG, None);
    let mut organizations = serde_json::Map::new();
    for index in 0..count {
        let id = organization(index);
        emulator.add_organization(&id, &format!("org{index}"), OrganizationState::Active);
        emulator.set_identity_provider(&id, Some(stored(365)));
        organizations.insert(id, json!({ "mode": mode, "desired": desired(lifetime) }));
    }
    let mut policy = json!({ "callsPerSecond": 1000, "organizations": organizations });
    if let (Value::Object(policy), Value::Object(extra)) = (&mut policy, extra) {
        policy.extend(extra);
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
    (emulator, enforcer)
}

/// A CloudTrail Put on `id` by `caller`.
fn cloudtrail_put(id: &str, caller: &str) -> Value {
    let mut hint = event("enforcer-cloudtrail-put.json");
    hint["detail"]["requestParameters"]["organizationId"] = json!(id);
    hint["detail"]["userIdentity"] = json!({
        "type": "AssumedRole",
        "arn": format!("arn:aws:sts::123456789012:assumed-role/{}/session", caller.rsplit('/').next().unwrap_or_default()),
        "sessionContext": { "sessionIssuer": { "type": "Role", "arn": caller } }
    });
    hint
}

async fn run(enforcer: &Enforcer<SdkWorkMail>, event: &Value) -> Value {
    let summary = enforcer.handle(event).await.expect("a readable event");
    serde_json::to_value(&summary).expect("summary")
}

fn outcome_of<'a>(summary: &'a Value, id: &str) -> &'a Value {
    summary["organizations"]
        .as_array()
        .and_then(|all| all.iter().find(|r| r["organizationId"] == id))
        .unwrap_or_else(|| panic!("no result for {id} in {summary}"))
}

fn puts(emulator: &Emulator) -> usize {
    emulator.operations().iter().filter(|op| *op == PUT).count()
}

#[tokio::test]
async fn the_hourly_change_cap_holds_across_invocations_whatever_triggers_them() {
    let (emulator, enforcer) = bed(3, "enforce", 90, json!({ "maxChangesPerHour": 1 })).await;
    let stranger = "arn:aws:iam::123456789012:role/SomeoneElse";
    let first = run(&enforcer, &cloudtrail_put(&organization(0), stranger)).await;
    assert_eq!(
        outcome_of(&first, &organization(0))["outcome"],
        "remediated",
        "{first}"
    );
    for index in 1..3 {
        let next = run(&enforcer, &cloudtrail_put(&organization(index), stranger)).await;
        let result = outcome_of(&next, &organization(index));
        assert_eq!(result["outcome"], "drifted", "{next}");
        assert!(
            result["reason"]
                .as_str()
                .is_some_and(|r| r.contains("maxChangesPerHour (1)")),
            "{next}"
        );
    }
    let sweep = run(&enforcer, &event("enforcer-scheduled.json")).await;
    assert_eq!(sweep["totals"]["remediated"], 0, "{sweep}");
    assert_eq!(
        puts(&emulator),
        1,
        "one change in the hour, across four invocations"
    );
}

#[tokio::test]
async fn a_cap_of_zero_means_no_change_at_all() {
    for member in ["maxChangesPerHour", "maxChangesPerRun"] {
        let (emulator, enforcer) = bed(2, "enforce", 90, json!({ member: 0 })).await;
        let sweep = run(&enforcer, &event("enforcer-scheduled.json")).await;
        assert_eq!(sweep["totals"]["remediated"], 0, "{member}: {sweep}");
        assert_eq!(sweep["totals"]["drifted"], 2, "{member}: {sweep}");
        assert_eq!(puts(&emulator), 0, "{member}");
    }
}

#[tokio::test]
async fn a_sweep_cut_at_its_deadline_reports_what_it_missed_and_the_next_starts_there() {
    let count = 10;
    let (emulator, enforcer) = bed(count, "report", 365, json!({ "maxConcurrency": 1 })).await;
    emulator.inject(FaultRule::new(
        "DescribeIdentityProviderConfiguration",
        Fault::Latency(Duration::from_millis(150)),
    ));
    // Enough time for a few reads beyond the safety margin, not for ten.
    let deadline = Instant::now() + enforcer.deadline_margin() + Duration::from_millis(400);
    let cut = enforcer
        .handle_until(&event("enforcer-scheduled.json"), Some(deadline))
        .await
        .expect("readable");
    let cut = serde_json::to_value(&cut).expect("summary");
    let not_reached: Vec<String> = cut["organizations"]
        .as_array()
        .expect("organizations")
        .iter()
        .filter(|r| r["outcome"] == "notReached")
        .map(|r| r["organizationId"].as_str().unwrap_or_default().to_owned())
        .collect();
    let reached = cut["totals"]["compliant"].as_u64().unwrap_or_default();
    assert!(reached >= 1 && !not_reached.is_empty(), "{cut}");
    assert_eq!(
        reached as usize + not_reached.len(),
        count,
        "every organization is accounted for: {cut}"
    );
    assert_eq!(cut["totals"]["notReached"], not_reached.len());
    assert_eq!(
        emulator.operations().len(),
        reached as usize,
        "nothing read after the cut"
    );

    let calls_before = emulator.calls().len();
    let next = run(&enforcer, &event("enforcer-scheduled.json")).await;
    assert_eq!(next["totals"]["compliant"], count, "{next}");
    let order: Vec<String> = emulator.calls()[calls_before..]
        .iter()
        .map(|call| {
            call.body["OrganizationId"]
                .as_str()
                .unwrap_or_default()
                .to_owned()
        })
        .collect();
    assert_eq!(
        order[0], not_reached[0],
        "the next sweep starts where the last one stopped"
    );
    assert_eq!(&order[..not_reached.len()], not_reached.as_slice());

    let calls_before = emulator.calls().len();
    run(&enforcer, &event("enforcer-scheduled.json")).await;
    assert_eq!(
        emulator.calls()[calls_before].body["OrganizationId"],
        organization(0),
        "a complete sweep leaves no resume point"
    );
}

#[tokio::test]
async fn another_writer_undoing_the_enforcers_change_is_a_conflict_not_a_fight() {
    let (emulator, enforcer) = bed(2, "enforce", 90, json!({})).await;
    let first = run(&enforcer, &event("enforcer-scheduled.json")).await;
    assert_eq!(first["totals"]["remediated"], 2, "{first}");

    // Another deployment's enforcer puts its own desired state back on one organization.
    emulator.set_identity_provider(&organization(0), Some(stored(30)));
    let puts_before = puts(&emulator);
    let hint = run(&enforcer, &cloudtrail_put(&organization(0), OTHER_ENFORCER)).await;
    let result = outcome_of(&hint, &organization(0));
    assert_eq!(result["outcome"], "conflict", "{hint}");
    assert!(
        result["reason"]
            .as_str()
            .is_some_and(|r| r.contains(OTHER_ENFORCER)),
        "{hint}"
    );
    assert_eq!(
        result["diff"][0]["pointer"],
        "/personalAccessTokens/lifetimeInDays"
    );
    assert_eq!(hint["totals"]["conflict"], 1);
    assert_eq!(puts(&emulator), puts_before, "not changed back");
    assert_eq!(
        emulator.identity_provider(&organization(0)),
        Some(stored(30))
    );

    // Drift on an organization the enforcer has not just changed is remediated as usual.
    let (emulator, enforcer) = bed(1, "enforce", 90, json!({})).await;
    let hint = run(&enforcer, &cloudtrail_put(&organization(0), OTHER_ENFORCER)).await;
    assert_eq!(
        outcome_of(&hint, &organization(0))["outcome"],
        "remediated",
        "{hint}"
    );
    assert_eq!(puts(&emulator), 1);
}

#[tokio::test]
async fn a_configuration_outside_the_model_is_reported_and_left_alone() {
    let (emulator, enforcer) = bed(1, "enforce", 90, json!({})).await;
    let mut future = stored(365);
    future["AuthenticationMode"] = json!("IDENTITY_PROVIDER_WITH_PASSKEYS");
    emulator.set_identity_provider(&organization(0), Some(future));
    let sweep = run(&enforcer, &event("enforcer-scheduled.json")).await;
    let result = outcome_of(&sweep, &organization(0));
    assert_eq!(result["outcome"], "failed", "{sweep}");
    assert_eq!(result["error"]["code"], "STORED_CONFIGURATION_UNRECOGNIZED");
    assert!(
        result["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("AuthenticationMode")),
        "{sweep}"
    );
    assert_eq!(puts(&emulator), 0);
}

/// A remediation that needs an impact report, started just inside the deadline over a directory
/// too large to read in time at the policy's pace, reads only until the write and the report still
/// fit: the sweep ends before the invocation's deadline, the organization is left drifted (the
/// directory was not read completely), and another organization's remediation is reported.
#[tokio::test]
async fn an_impact_reading_ends_in_time_for_the_write_and_the_report() {
    let emulator = Emulator::start().await.expect("emulator");
    emulator.seed_demo();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|elapsed| i64::try_from(elapsed.as_secs()).unwrap_or_default())
        .unwrap_or_default();
    emulator.seed_bulk_directory(
        ORG,
        &workmail_emulator::BulkDirectory {
            users: 2000,
            tokens: 4000,
            unlinked_every: 0,
            disabled_every: 0,
            expired_every: 0,
            now,
        },
    );
    let other = organization(1);
    emulator.add_organization(&other, "other", OrganizationState::Active);
    emulator.set_identity_provider(&other, Some(stored(365)));
    let mut only = desired(365);
    only["authenticationMode"] = json!("IDENTITY_PROVIDER_ONLY");
    let policy = json!({
        "callsPerSecond": 2,
        "organizations": {
            ORG: { "mode": "enforce", "desired": only, "allow": ["IDENTITY_PROVIDER_ONLY"] },
            other.as_str(): { "mode": "enforce", "desired": desired(90) }
        }
    });
    let policy = EnforcementPolicy::parse(&policy.to_string()).expect("valid policy");
    let settings = idp_gateway::workmail::UpstreamSettings {
        operation_timeout: Duration::from_secs(1),
        attempt_timeout: Duration::from_secs(1),
        connect_timeout: Duration::from_secs(2),
        max_attempts: 1,
        initial_backoff: Duration::from_millis(20),
    };
    let config = sdk_config(&emulator.url()).await;
    let enforcer = Enforcer::new(
        SdkWorkMail::new(&config, &settings),
        local_leases(),
        lease_settings(&settings),
        policy,
        Some(ROLE.to_owned()),
    );
    // 2,000 users and 4,000 tokens are some 60 pages, 30 s at 2 calls a second.
    let deadline = Instant::now() + enforcer.deadline_margin() + Duration::from_secs(2);
    let summary = enforcer
        .handle_until(&event("enforcer-scheduled.json"), Some(deadline))
        .await
        .expect("readable");
    assert!(
        Instant::now() < deadline,
        "the sweep ended {:?} after its deadline",
        Instant::now() - deadline
    );
    let summary = serde_json::to_value(&summary).expect("summary");
    let outcome = |id: &str| {
        summary["organizations"]
            .as_array()
            .and_then(|results| results.iter().find(|r| r["organizationId"] == id))
            .cloned()
            .unwrap_or_else(|| panic!("no result for {id}: {summary}"))
    };
    let large = outcome(ORG);
    assert_eq!(large["outcome"], "drifted", "{summary}");
    assert!(
        large["reason"]
            .as_str()
            .is_some_and(|reason| reason.contains("not read completely")),
        "{large}"
    );
    assert_eq!(outcome(&other)["outcome"], "remediated", "{summary}");
    assert_eq!(
        emulator
            .identity_provider(ORG)
            .map(|stored| stored["AuthenticationMode"].clone()),
        Some(json!("IDENTITY_PROVIDER_AND_DIRECTORY")),
        "nothing written on a partial reading"
    );
}
