//! Two function processes at once, as two Lambda instances run: two `api` binaries (and the `enforcer`
//! binary beside an `api`) under the local Runtime API, sharing one WorkMail emulator and one real
//! DynamoDB lease table (moto's server mode), with WorkMail's Put slowed down so that every write's
//! read-to-write window is wide. Each property is checked over many trials.

mod support;

use std::time::Duration;

use lambda_harness::dynamodb::LocalDynamoDb;
use lambda_harness::{FunctionProcess, Outcome};
use serde_json::{Value, json};
use support::portals::{COLLIDING_A, COLLIDING_B, oidc, portal_event};
use support::*;
use workmail_emulator::{Emulator, Fault, FaultRule};

const API: &str = env!("CARGO_BIN_EXE_api");
const ENFORCER: &str = env!("CARGO_BIN_EXE_enforcer");
const TABLE: &str = "idp-gateway-write-locks";
const PUT_LATENCY: Duration = Duration::from_millis(60);
const ADMIN: &str = "arn:aws:sts::123456789012:assumed-role/MailAdmin/admin@example.com";
const WRITER: &str = "arn:aws:sts::123456789012:assumed-role/MailWriter/writer@example.com";

fn access_policy() -> String {
    json!({ "grants": [
        { "principal": "arn:aws:iam::123456789012:role/MailAdmin", "organizations": ["*"],
          "portals": ["*"], "permissions": ["read", "write", "escalate"] },
        { "principal": "arn:aws:iam::123456789012:role/MailWriter", "organizations": ["*"],
          "permissions": ["read", "write"] }
    ]})
    .to_string()
}

/// One WorkMail emulator and one lease table, shared by every process of a test.
struct Backends {
    emulator: Emulator,
    dynamodb: LocalDynamoDb,
}

impl Backends {
    async fn start() -> Self {
        let emulator = Emulator::start().await.expect("emulator");
        emulator.seed_demo();
        let dynamodb = LocalDynamoDb::start().await;
        dynamodb.create_lease_table(TABLE).await;
        Self { emulator, dynamodb }
    }

    fn environment(&self) -> Vec<(&'static str, String)> {
        vec![
            ("AWS_ENDPOINT_URL_WORKMAIL", self.emulator.url()),
            ("AWS_ENDPOINT_URL_WORKSPACES_WEB", self.emulator.url()),
            ("AWS_ENDPOINT_URL_DYNAMODB", self.dynamodb.url.clone()),
            ("AWS_ACCESS_KEY_ID", "AKIDTEST".to_owned()),
            ("AWS_SECRET_ACCESS_KEY", "secret".to_owned()),
            ("WRITE_LOCK_TABLE", TABLE.to_owned()),
            ("WORKMAIL_INITIAL_BACKOFF_MS", "20".to_owned()),
            ("MANAGED_ORGANIZATION_IDS", ORG.to_owned()),
        ]
    }

    async fn launch(
        &self,
        binary: &str,
        name: &str,
        extra: &[(&'static str, String)],
    ) -> FunctionProcess {
        let mut env = self.environment();
        env.extend_from_slice(extra);
        let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
        match FunctionProcess::start(binary, name, &env).await {
            Ok(process) => process,
            Err(error) => panic!("{name} did not start: {error:?}"),
        }
    }

    async fn api(&self) -> FunctionProcess {
        self.launch(API, "ApiFunction", &[("ACCESS_POLICY", access_policy())])
            .await
    }

    /// Two api instances whose upstream calls are tried once and give up after `operation_ms`
    /// (`attempt_ms` for the attempt), so that their leases last `operation_ms` + 5 s.
    async fn two_apis_with_timeouts(
        &self,
        operation_ms: u32,
        attempt_ms: u32,
    ) -> (FunctionProcess, FunctionProcess) {
        let settings = [
            ("ACCESS_POLICY", access_policy()),
            ("WORKMAIL_OPERATION_TIMEOUT_MS", operation_ms.to_string()),
            ("WORKMAIL_ATTEMPT_TIMEOUT_MS", attempt_ms.to_string()),
            ("WORKMAIL_MAX_ATTEMPTS", "1".to_owned()),
        ];
        (
            self.launch(API, "ApiFunction", &settings).await,
            self.launch(API, "ApiFunction", &settings).await,
        )
    }

    /// Puts the organization back to `mode` with a 365-day token lifetime and clears the call log.
    fn reset(&self, mode: &str) {
        self.emulator.set_identity_provider(
            ORG,
            Some(json!({
                "AuthenticationMode": mode,
                "IdentityCenterConfiguration": { "InstanceArn": INSTANCE_ARN, "ApplicationArn": APPLICATION_ARN },
                "PersonalAccessTokenConfiguration": { "Status": "ACTIVE", "LifetimeInDays": 365 }
            })),
        );
    }

    fn stored(&self) -> Value {
        self.emulator.identity_provider(ORG).expect("configured")
    }
}

fn answer(outcome: Outcome) -> Answer {
    match outcome {
        Outcome::Response(raw) => Answer::from_lambda(raw),
        other => panic!("no HTTP answer: {other:?}"),
    }
}

fn patch(caller: &str, body: Value, if_match: Option<&str>) -> Value {
    let mut event = as_caller(
        with_body(
            event("rest-patch.json"),
            Some("application/merge-patch+json"),
            &body.to_string(),
        ),
        Some(caller),
    );
    set_header(&mut event, "if-match", if_match);
    event
}

async fn current_etag(api: &mut FunctionProcess) -> String {
    let read = answer(
        api.invoke(as_caller(event("rest-get.json"), Some(ADMIN)))
            .await
            .outcome,
    );
    assert_eq!(read.status, 200, "{read:?}");
    read.header("etag").expect("an ETag").to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_with_the_same_if_match_never_both_write() {
    let backends = Backends::start().await;
    let mut first = backends.api().await;
    let mut second = backends.api().await;
    backends.emulator.inject(FaultRule::new(
        "PutIdentityProviderConfiguration",
        Fault::Latency(PUT_LATENCY),
    ));
    for trial in 0..50_u32 {
        backends.reset("IDENTITY_PROVIDER_AND_DIRECTORY");
        let etag = current_etag(&mut first).await;
        let (one, two) = (10 + trial, 100 + trial);
        let (a, b) = tokio::join!(
            first.invoke(patch(
                ADMIN,
                json!({ "personalAccessTokens": { "lifetimeInDays": one } }),
                Some(&etag)
            )),
            second.invoke(patch(
                ADMIN,
                json!({ "personalAccessTokens": { "lifetimeInDays": two } }),
                Some(&etag)
            )),
        );
        let (a, b) = (answer(a.outcome), answer(b.outcome));
        let winner = match (a.status, b.status) {
            (200, 412 | 409) => one,
            (412 | 409, 200) => two,
            other => panic!("trial {trial}: exactly one write may win, got {other:?}: {a:?} {b:?}"),
        };
        for loser in [&a, &b].into_iter().filter(|answer| answer.status != 200) {
            assert!(
                ["PRECONDITION_FAILED", "WRITE_IN_PROGRESS"].contains(&loser.problem_code_any()),
                "{loser:?}"
            );
        }
        assert_eq!(
            backends.stored()["PersonalAccessTokenConfiguration"]["LifetimeInDays"],
            json!(winner),
            "trial {trial}: the stored configuration is the winner's"
        );
    }
}

/// A PATCH of the demo portal's identity provider by the admin.
fn portal_patch(body: Value, if_match: Option<&str>) -> Value {
    let mut event = as_caller(
        with_body(
            event("http-portal-patch.json"),
            Some("application/merge-patch+json"),
            &body.to_string(),
        ),
        Some(ADMIN),
    );
    set_header(&mut event, "if-match", if_match);
    event
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_never_lose_a_portal_update() {
    let backends = Backends::start().await;
    let mut first = backends.api().await;
    let mut second = backends.api().await;
    backends.emulator.inject(FaultRule::new(
        "UpdateIdentityProvider",
        Fault::Latency(PUT_LATENCY),
    ));
    let portal = workmail_emulator::demo::PORTAL_ARN;
    for trial in 0..30_u32 {
        backends.emulator.seed_demo();
        let read = answer(
            first
                .invoke(as_caller(event("rest-portal-get.json"), Some(ADMIN)))
                .await
                .outcome,
        );
        assert_eq!(read.status, 200, "{read:?}");
        let etag = read.header("etag").expect("an ETag").to_owned();
        let (one, two) = (format!("First {trial}"), format!("Second {trial}"));
        // The same If-Match: exactly one may write.
        let (a, b) = tokio::join!(
            first.invoke(portal_patch(json!({ "name": one }), Some(&etag))),
            second.invoke(portal_patch(json!({ "name": two }), Some(&etag))),
        );
        let (a, b) = (answer(a.outcome), answer(b.outcome));
        let winner = match (a.status, b.status) {
            (200, 412 | 409) => &one,
            (412 | 409, 200) => &two,
            other => panic!("trial {trial}: exactly one write may win, got {other:?}: {a:?} {b:?}"),
        };
        let stored = backends
            .emulator
            .secure_browser_provider(portal)
            .expect("stored");
        assert_eq!(&stored.name, winner, "trial {trial}");
        // Without If-Match, two patches of different members: each is merged onto the state read
        // under the lease, so neither undoes the other.
        let (a, b) = tokio::join!(
            first.invoke(portal_patch(
                json!({ "saml": { "idpSignout": true } }),
                None
            )),
            second.invoke(portal_patch(json!({ "saml": { "idpInit": true } }), None)),
        );
        let (a, b) = (answer(a.outcome), answer(b.outcome));
        assert_eq!(
            (a.status, b.status),
            (200, 200),
            "trial {trial}: {a:?} {b:?}"
        );
        let stored = backends
            .emulator
            .secure_browser_provider(portal)
            .expect("stored");
        assert_eq!(
            (
                stored.details.get("IDPSignout").map(String::as_str),
                stored.details.get("IDPInit").map(String::as_str)
            ),
            (Some("true"), Some("true")),
            "trial {trial}: both changes kept"
        );
    }
}

/// A PATCH of the demo's empty portal by the admin.
fn empty_portal_patch(body: Value, if_match: Option<&str>) -> Value {
    let mut event = as_caller(
        portal_event(
            "PATCH",
            workmail_emulator::demo::EMPTY_PORTAL_ID,
            Some(&body),
        ),
        Some(ADMIN),
    );
    set_header(&mut event, "if-match", if_match);
    event
}

/// A portal's ETag seals its secrets with the deployment's key (one item in the lease table, made
/// by whichever instance needs it first), so an ETag one instance answers is the one every other
/// instance checks `If-Match` against, and a rotation on one, even to a secret with the same
/// fingerprint, changes the ETag the other checks. Each trial starts two instances on a fresh
/// table, whose first requests race to make the key.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_etag_one_instance_answers_holds_on_every_other() {
    let backends = Backends::start().await;
    let admin = |event: Value| as_caller(event, Some(ADMIN));
    let empty = workmail_emulator::demo::EMPTY_PORTAL_ID;
    for trial in 0..6_u32 {
        let table = format!("etag-trial-{trial}");
        backends.dynamodb.create_lease_table(&table).await;
        let settings = [
            ("ACCESS_POLICY", access_policy()),
            ("WRITE_LOCK_TABLE", table),
        ];
        let mut first = backends.launch(API, "ApiFunction", &settings).await;
        let mut second = backends.launch(API, "ApiFunction", &settings).await;
        let (written, read) = tokio::join!(
            first.invoke(admin(portal_event("PUT", empty, Some(&oidc(COLLIDING_A))))),
            second.invoke(admin(event("rest-portal-get.json"))),
        );
        let (written, read) = (answer(written.outcome), answer(read.outcome));
        assert_eq!(
            (written.status, read.status),
            (200, 200),
            "trial {trial}: {written:?} {read:?}"
        );
        let etag = written.header("etag").expect("an ETag").to_owned();
        let on_second = answer(
            second
                .invoke(admin(portal_event("GET", empty, None)))
                .await
                .outcome,
        );
        assert_eq!(
            on_second.header("etag"),
            Some(etag.as_str()),
            "trial {trial}: {on_second:?}"
        );

        let rename = empty_portal_patch(json!({ "name": "Renamed" }), Some(&etag));
        let renamed = answer(second.invoke(rename).await.outcome);
        assert_eq!(
            renamed.status, 200,
            "trial {trial}: the first instance's ETag holds: {renamed:?}"
        );
        let renamed_etag = renamed.header("etag").expect("an ETag").to_owned();

        let rotate = empty_portal_patch(json!({ "oidc": { "clientSecret": COLLIDING_B } }), None);
        let rotation = answer(second.invoke(rotate).await.outcome);
        assert_eq!(rotation.status, 200, "trial {trial}: {rotation:?}");
        let stale = empty_portal_patch(json!({ "name": "Stale" }), Some(&renamed_etag));
        let refused = answer(first.invoke(stale).await.outcome);
        assert_eq!(
            refused.status, 412,
            "trial {trial}: the rotation on one instance changed the ETag the other checks: {refused:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_write_only_callers_patch_never_undoes_an_admins_revert() {
    let backends = Backends::start().await;
    let mut first = backends.api().await;
    let mut second = backends.api().await;
    backends.emulator.inject(FaultRule::new(
        "PutIdentityProviderConfiguration",
        Fault::Latency(PUT_LATENCY),
    ));
    let mut admin_wins = 0;
    for trial in 0..50_u32 {
        backends.reset("IDENTITY_PROVIDER_ONLY");
        let revert = patch(
            ADMIN,
            json!({ "authenticationMode": "IDENTITY_PROVIDER_AND_DIRECTORY" }),
            None,
        );
        let tokens = patch(
            WRITER,
            json!({ "personalAccessTokens": { "lifetimeInDays": 30 } }),
            None,
        );
        // Alternate which instance serves the admin, so neither process is always first.
        let (admin, writer) = if trial % 2 == 0 {
            let (a, w) = tokio::join!(first.invoke(revert), second.invoke(tokens));
            (answer(a.outcome), answer(w.outcome))
        } else {
            let (w, a) = tokio::join!(first.invoke(tokens), second.invoke(revert));
            (answer(a.outcome), answer(w.outcome))
        };
        assert!(
            [200, 409].contains(&writer.status),
            "trial {trial}: {writer:?}"
        );
        // On a loaded machine a write can hold the lease past the other's bounded wait: that one
        // is told 409 and writes nothing, which is the lease working, not a lost update.
        assert!(
            [200, 409].contains(&admin.status),
            "trial {trial}: {admin:?}"
        );
        if admin.status == 200 {
            admin_wins += 1;
            assert_eq!(
                backends.stored()["AuthenticationMode"],
                "IDENTITY_PROVIDER_AND_DIRECTORY",
                "trial {trial}: the admin was told 200 for the revert, and nobody with escalate undid it"
            );
        }
    }
    assert!(
        admin_wins >= 25,
        "the property was checked in too few trials: {admin_wins}"
    );
}

fn enforcement_policy() -> String {
    json!({
        "maxChangesPerRun": 5,
        "maxChangesPerHour": 1000,
        "callsPerSecond": 20,
        "organizations": { ORG: {
            "mode": "enforce",
            "desired": {
                "authenticationMode": "IDENTITY_PROVIDER_ONLY",
                "identityCenter": { "instanceArn": INSTANCE_ARN, "applicationArn": APPLICATION_ARN },
                "personalAccessTokens": { "status": "ACTIVE", "lifetimeInDays": 90 }
            }
        }}
    })
    .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admins_revert_during_a_sweep_is_never_switched_back_and_the_report_tells_the_truth() {
    let backends = Backends::start().await;
    let mut api = backends.api().await;
    let mut enforcer = backends
        .launch(
            ENFORCER,
            "EnforcerFunction",
            &[("ENFORCEMENT_POLICY", enforcement_policy())],
        )
        .await;
    backends.emulator.inject(FaultRule::new(
        "PutIdentityProviderConfiguration",
        Fault::Latency(PUT_LATENCY),
    ));
    let (mut remediated, mut refused) = (0, 0);
    for trial in 0..30_u32 {
        backends.reset("IDENTITY_PROVIDER_ONLY");
        let revert = patch(
            ADMIN,
            json!({ "authenticationMode": "IDENTITY_PROVIDER_AND_DIRECTORY" }),
            None,
        );
        // The admin's revert starts at a different point of the sweep in each trial: before the
        // sweep's first read, between it and the remediation, or during the remediation.
        let offset = Duration::from_millis(u64::from(trial % 6) * 40);
        let (swept, admin) =
            tokio::join!(enforcer.invoke(event("enforcer-scheduled.json")), async {
                tokio::time::sleep(offset).await;
                api.invoke(revert).await
            },);
        let admin = answer(admin.outcome);
        assert!(
            [200, 409].contains(&admin.status),
            "trial {trial}: {admin:?}"
        );
        let Outcome::Response(summary) = swept.outcome else {
            panic!("trial {trial}: the enforcer answered {:?}", swept.outcome);
        };
        let result = &summary["organizations"][0];
        let stored = backends.stored();
        if admin.status != 200 {
            // The sweep held the lease past the admin's bounded wait; nothing of the admin's was written.
            assert_eq!(
                stored["AuthenticationMode"], "IDENTITY_PROVIDER_ONLY",
                "trial {trial}"
            );
            continue;
        }
        assert_eq!(
            stored["AuthenticationMode"], "IDENTITY_PROVIDER_AND_DIRECTORY",
            "trial {trial}: the enforcer may not switch to IDENTITY_PROVIDER_ONLY (allow is empty): {summary}"
        );
        let pointers: Vec<&str> = result["diff"]
            .as_array()
            .map(|diff| {
                diff.iter()
                    .filter_map(|change| change["pointer"].as_str())
                    .collect()
            })
            .unwrap_or_default();
        match result["outcome"].as_str() {
            Some("remediated") => {
                remediated += 1;
                assert_eq!(
                    pointers,
                    ["/personalAccessTokens/lifetimeInDays"],
                    "trial {trial}: {summary}"
                );
                assert_eq!(
                    result["confirmation"], "confirmed",
                    "trial {trial}: {summary}"
                );
                assert_eq!(
                    stored["PersonalAccessTokenConfiguration"]["LifetimeInDays"],
                    90
                );
                assert_eq!(summary["totals"]["remediated"], 1);
            }
            Some("drifted") => {
                refused += 1;
                assert!(
                    pointers.contains(&"/authenticationMode"),
                    "trial {trial}: {summary}"
                );
                assert!(
                    result["reason"]
                        .as_str()
                        .is_some_and(|r| r.contains("IDENTITY_PROVIDER_ONLY")),
                    "trial {trial}: {summary}"
                );
                assert_eq!(
                    stored["PersonalAccessTokenConfiguration"]["LifetimeInDays"],
                    365
                );
                assert_eq!(summary["totals"]["remediated"], 0);
            }
            other => panic!("trial {trial}: {other:?} in {summary}"),
        }
    }
    println!("{remediated} sweeps wrote before the revert, {refused} re-checked after it");
    assert!(
        remediated > 0 && refused > 0,
        "the trials cover both orders: {remediated} remediated, {refused} refused"
    );
}

/// The write that times out on one instance, the write the other then makes, and the value each
/// leaves stored.
struct TimedOutWrite {
    operation: &'static str,
    late: Value,
    late_value: Value,
    next: Value,
    next_value: Value,
}

/// A write that times out on one instance may still land later, after its caller has given up. Its
/// lease is kept until it expires, so the other instance's write waits for it (409, then written)
/// instead of landing first and being undone by the late one. WorkMail's Put and WorkSpaces Web's
/// Update alike, over several trials; the emulator carries out a request its caller hung up on.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_write_that_timed_out_on_one_instance_never_undoes_the_next_one_on_another() {
    let backends = Backends::start().await;
    // Leases of 1.5 s + 5 s of margin: 6.5 s.
    let (mut first, mut second) = backends.two_apis_with_timeouts(1500, 1000).await;
    let portal = workmail_emulator::demo::PORTAL_ARN;
    let stored_value = |operation: &str| match operation {
        "PutIdentityProviderConfiguration" => {
            backends.stored()["PersonalAccessTokenConfiguration"]["LifetimeInDays"].clone()
        }
        _ => json!(
            backends
                .emulator
                .secure_browser_provider(portal)
                .expect("stored")
                .name
        ),
    };
    for trial in 0..3_u32 {
        backends.reset("IDENTITY_PROVIDER_AND_DIRECTORY");
        backends.emulator.seed_demo();
        let lifetime = |days: u32| json!({ "personalAccessTokens": { "lifetimeInDays": days } });
        let writes = [
            TimedOutWrite {
                operation: "PutIdentityProviderConfiguration",
                late: patch(ADMIN, lifetime(30 + trial), None),
                late_value: json!(30 + trial),
                next: patch(ADMIN, lifetime(200 + trial), None),
                next_value: json!(200 + trial),
            },
            TimedOutWrite {
                operation: "UpdateIdentityProvider",
                late: portal_patch(json!({ "name": format!("Late {trial}") }), None),
                late_value: json!(format!("Late {trial}")),
                next: portal_patch(json!({ "name": format!("Next {trial}") }), None),
                next_value: json!(format!("Next {trial}")),
            },
        ];
        for write in writes {
            let operation = write.operation;
            backends.emulator.inject(
                FaultRule::new(operation, Fault::Latency(Duration::from_millis(2500))).times(1),
            );
            let timed_out = answer(first.invoke(write.late).await.outcome);
            assert_eq!(
                (timed_out.status, timed_out.problem_code_any()),
                (504, "UPSTREAM_TIMEOUT"),
                "trial {trial}, {operation}: {timed_out:?}"
            );
            let blocked = answer(second.invoke(write.next.clone()).await.outcome);
            assert_eq!(
                (blocked.status, blocked.problem_code_any()),
                (409, "WRITE_IN_PROGRESS"),
                "trial {trial}, {operation}: the timed-out write's lease is still held: {blocked:?}"
            );
            assert_eq!(
                stored_value(operation),
                write.late_value,
                "trial {trial}, {operation}: the late write landed while its lease was held"
            );
            let mut written = None;
            for _ in 0..3 {
                let retried = answer(second.invoke(write.next.clone()).await.outcome);
                if retried.status == 200 {
                    written = Some(retried);
                    break;
                }
                assert_eq!(
                    retried.problem_code_any(),
                    "WRITE_IN_PROGRESS",
                    "trial {trial}, {operation}: {retried:?}"
                );
            }
            assert!(
                written.is_some(),
                "trial {trial}, {operation}: the next write goes through once the lease expires"
            );
            assert_eq!(
                stored_value(operation),
                write.next_value,
                "trial {trial}, {operation}: the next write is what stays stored"
            );
        }
    }
}

/// Waits, polling the emulator's call log, until it has received `count` more calls of `operation`
/// than `before`.
async fn until_called(emulator: &Emulator, operation: &str, before: usize, count: usize) {
    let calls = || {
        emulator
            .operations()
            .iter()
            .filter(|op| *op == operation)
            .count()
    };
    let give_up = std::time::Instant::now() + Duration::from_secs(60);
    while calls() < before + count {
        assert!(
            std::time::Instant::now() < give_up,
            "{operation} was called {} times, not {count}",
            calls() - before
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// A confirmed switch to `IDENTITY_PROVIDER_ONLY` on a large organization reads who would be locked
/// out under the lease, for longer than one lease lifetime (ListUsers slowed down). The lease is
/// renewed while it reads, so another instance's write that comes after the lease's first lifetime
/// waits for the switch instead of taking the lease over and aborting it; both changes are kept.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_long_impact_reading_keeps_its_lease_against_another_instance() {
    let backends = Backends::start().await;
    // Leases of 1 s + 5 s of margin: 6 s.
    let (mut first, mut second) = backends.two_apis_with_timeouts(1000, 900).await;
    let now = i64::try_from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .expect("after 1970")
            .as_secs(),
    )
    .expect("seconds fit");
    // 16 pages of users, each answered after 500 ms: the reading takes 8 s.
    backends.emulator.seed_bulk_directory(
        ORG,
        &workmail_emulator::BulkDirectory {
            users: 1_600,
            tokens: 1_600,
            unlinked_every: 0,
            disabled_every: 0,
            expired_every: 0,
            now,
        },
    );
    backends.emulator.inject(FaultRule::new(
        "ListUsers",
        Fault::Latency(Duration::from_millis(500)),
    ));
    for trial in 0..3_u32 {
        backends.reset("IDENTITY_PROVIDER_AND_DIRECTORY");
        let mut switch = patch(
            ADMIN,
            json!({ "authenticationMode": "IDENTITY_PROVIDER_ONLY" }),
            None,
        );
        set_header(&mut switch, "confirm-impact", Some("lockout-risk"));
        let lifetime = 40 + trial;
        let before = backends
            .emulator
            .operations()
            .iter()
            .filter(|op| *op == "ListUsers")
            .count();
        let (switched, other) = tokio::join!(first.invoke(switch), async {
            // 14 pages in, 7 s: past the lease's first lifetime.
            until_called(&backends.emulator, "ListUsers", before, 14).await;
            second
                .invoke(patch(
                    ADMIN,
                    json!({ "personalAccessTokens": { "lifetimeInDays": lifetime } }),
                    None,
                ))
                .await
        });
        let (switched, other) = (answer(switched.outcome), answer(other.outcome));
        assert_eq!(
            switched.status, 200,
            "trial {trial}: the switch keeps its lease through the reading: {switched:?}"
        );
        let stored = backends.stored();
        assert_eq!(
            stored["AuthenticationMode"], "IDENTITY_PROVIDER_ONLY",
            "trial {trial}"
        );
        match other.status {
            200 => assert_eq!(
                stored["PersonalAccessTokenConfiguration"]["LifetimeInDays"],
                json!(lifetime),
                "trial {trial}: the other write, made after the switch, is kept beside it"
            ),
            409 => assert_eq!(other.problem_code_any(), "WRITE_IN_PROGRESS", "{other:?}"),
            status => panic!("trial {trial}: the other write answered {status}: {other:?}"),
        }
    }
}
