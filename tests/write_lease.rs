//! The write path under the organization's lease, through the real SDK clients: a write that cannot
//! get the lease writes nothing (409 with Retry-After), a lease store that cannot be used stops the
//! write (503), a dead holder's lease is taken over, a dry run needs no lease, no-op writes make no
//! WorkMail write, and a confirming read that disagrees is reported.

mod support;

use std::time::{SystemTime, UNIX_EPOCH};

use aws_sdk_dynamodb::types::AttributeValue;
use idp_gateway::http::{AccessControl, Api};
use idp_gateway::lease::{DynamoDbLeases, LeaseStore};
use idp_gateway::workmail::SdkWorkMail;
use idp_gateway::workspaces_web::SdkWorkSpacesWeb;
use lambda_harness::dynamodb::LocalDynamoDb;
use serde_json::{Value, json};
use support::dynamodb::ThrottlingDynamoDb;
use support::*;
use workmail_emulator::{Emulator, Fault, FaultRule};

const TABLE: &str = "idp-gateway-write-locks";
const DESCRIBE: &str = "DescribeIdentityProviderConfiguration";
const PUT: &str = "PutIdentityProviderConfiguration";

/// The API over the emulator, its leases in the DynamoDB at `dynamodb_url`.
async fn api_with_table(emulator: &Emulator, dynamodb_url: &str) -> Api<SdkWorkMail> {
    let settings = test_settings();
    let upstream = sdk_config(&emulator.url()).await;
    Api::new(
        SdkWorkMail::new(&upstream, &settings),
        SdkWorkSpacesWeb::new(&upstream, &settings),
        LeaseStore::DynamoDb(DynamoDbLeases::new(&sdk_config(dynamodb_url).await, TABLE)),
        lease_settings(&settings),
        AccessControl::open(),
    )
}

fn lifetime_patch(days: u32) -> Value {
    with_body(
        event("rest-patch.json"),
        Some("application/merge-patch+json"),
        &json!({ "personalAccessTokens": { "lifetimeInDays": days } }).to_string(),
    )
}

/// Another writer's lease on the demo organization, expiring `seconds_from_now` (negative: expired).
async fn foreign_lease(dynamodb: &LocalDynamoDb, seconds_from_now: i64) {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock")
        .as_secs();
    let expires = now.saturating_add_signed(seconds_from_now);
    dynamodb
        .client()
        .await
        .put_item()
        .table_name(TABLE)
        .item("pk", AttributeValue::S(format!("workmail/{ORG}")))
        .item(
            "owner",
            AttributeValue::S("api/another-instance/1".to_owned()),
        )
        .item("expiresAt", AttributeValue::N(expires.to_string()))
        .send()
        .await
        .expect("lease item");
}

/// The API over the seeded emulator, its leases in a local DynamoDB where another writer holds the
/// demo organization's lease for a minute.
async fn api_behind_a_foreign_lease() -> (Emulator, LocalDynamoDb, Api<SdkWorkMail>) {
    let emulator = Emulator::start().await.expect("emulator");
    emulator.seed_demo();
    let dynamodb = LocalDynamoDb::start().await;
    dynamodb.create_lease_table(TABLE).await;
    foreign_lease(&dynamodb, 60).await;
    let api = api_with_table(&emulator, &dynamodb.url).await;
    (emulator, dynamodb, api)
}

#[tokio::test]
async fn a_write_that_cannot_get_the_lease_writes_nothing_and_says_when_to_retry() {
    let (emulator, _dynamodb, api) = api_behind_a_foreign_lease().await;

    let answer = invoke_api(&api, &lifetime_patch(30)).await;
    assert_eq!(answer.status, 409, "{answer:?}");
    assert_eq!(answer.problem_code(), "WRITE_IN_PROGRESS");
    let retry_after: u64 = answer
        .header("retry-after")
        .and_then(|value| value.parse().ok())
        .expect("Retry-After in seconds");
    assert!((50..=61).contains(&retry_after), "{retry_after}");
    assert!(
        emulator.operations().is_empty(),
        "no WorkMail call without the lease"
    );

    let dry_run = invoke_api(&api, &with_query(lifetime_patch(30), "dryRun", "true")).await;
    assert_eq!(dry_run.status, 200, "a dry run needs no lease: {dry_run:?}");
    assert_eq!(emulator.operations(), [DESCRIBE]);
}

/// A token revocation waits for the organization's lease like a configuration write: it could
/// otherwise land between a lockout-risk change's impact report and its write.
#[tokio::test]
async fn a_token_revocation_takes_the_organizations_lease() {
    let (emulator, dynamodb, api) = api_behind_a_foreign_lease().await;
    let revoke = with_path(
        with_method(event("rest-get.json"), "DELETE"),
        &format!("/organizations/{ORG}/personal-access-tokens/pat-bob-outlook"),
    );

    let busy = invoke_api(&api, &revoke).await;
    assert_eq!(busy.status, 409, "{busy:?}");
    assert_eq!(busy.problem_code(), "WRITE_IN_PROGRESS");
    assert!(
        emulator.operations().is_empty(),
        "nothing read or revoked without the lease"
    );
    let dry_run = invoke_api(&api, &with_query(revoke.clone(), "dryRun", "true")).await;
    assert_eq!(dry_run.status, 200, "a dry run needs no lease: {dry_run:?}");

    foreign_lease(&dynamodb, -1).await;
    let revoked = invoke_api(&api, &revoke).await;
    assert_eq!(revoked.status, 204, "{revoked:?}");
    assert!(
        emulator
            .operations()
            .iter()
            .any(|op| op == "DeletePersonalAccessToken")
    );
}

#[tokio::test]
async fn a_dead_holders_lease_is_taken_over() {
    let emulator = Emulator::start().await.expect("emulator");
    emulator.seed_demo();
    let dynamodb = LocalDynamoDb::start().await;
    dynamodb.create_lease_table(TABLE).await;
    foreign_lease(&dynamodb, -30).await;
    let api = api_with_table(&emulator, &dynamodb.url).await;
    let answer = invoke_api(&api, &lifetime_patch(30)).await;
    assert_eq!(answer.status, 200, "{answer:?}");
    assert_eq!(answer.body["personalAccessTokens"]["lifetimeInDays"], 30);
    let item = dynamodb
        .client()
        .await
        .get_item()
        .table_name(TABLE)
        .key("pk", AttributeValue::S(format!("workmail/{ORG}")))
        .consistent_read(true)
        .send()
        .await
        .expect("get item");
    assert!(
        item.item().is_none(),
        "the lease was released after the write"
    );
}

#[tokio::test]
async fn an_unusable_lease_store_stops_every_write_before_workmail() {
    let emulator = Emulator::start().await.expect("emulator");
    emulator.seed_demo();
    let throttling = ThrottlingDynamoDb::start().await;
    let api = api_with_table(&emulator, &throttling.url).await;
    let stored = emulator.identity_provider(ORG);
    let mut delete = event("rest-delete.json");
    set_header(&mut delete, "confirm-impact", Some("lockout-risk"));
    for event in [lifetime_patch(30), event("rest-put.json"), delete] {
        let answer = invoke_api(&api, &event).await;
        assert_eq!(answer.status, 503, "{answer:?}");
        assert_eq!(answer.problem_code(), "LOCK_UNAVAILABLE");
        assert!(answer.header("retry-after").is_some());
    }
    assert!(
        emulator.operations().is_empty(),
        "{:?}",
        emulator.operations()
    );
    assert_eq!(emulator.identity_provider(ORG), stored);
}

/// Portal ETags need the deployment's key, which is in the lease table: without it a portal route
/// answers 503 before any WorkSpaces Web call, reads included (an ETag of a key of its own would
/// not match on the other instances).
#[tokio::test]
async fn an_unusable_lease_store_stops_every_portal_route_before_workspaces_web() {
    let emulator = Emulator::start().await.expect("emulator");
    emulator.seed_demo();
    let throttling = ThrottlingDynamoDb::start().await;
    let api = api_with_table(&emulator, &throttling.url).await;
    let stored = emulator.secure_browser_provider(workmail_emulator::demo::PORTAL_ARN);
    let rename = with_body(
        event("http-portal-patch.json"),
        Some("application/merge-patch+json"),
        r#"{"name": "Renamed"}"#,
    );
    let mut delete = event("rest-portal-delete.json");
    set_header(&mut delete, "confirm-impact", Some("lockout-risk"));
    for event in [
        event("rest-portal-get.json"),
        event("rest-portal-put.json"),
        rename,
        delete,
    ] {
        let answer = invoke_api(&api, &event).await;
        assert_eq!(answer.status, 503, "{answer:?}");
        assert_eq!(answer.problem_code(), "ETAG_KEY_UNAVAILABLE");
        assert!(answer.header("retry-after").is_some());
        assert!(answer.header("etag").is_none());
    }
    assert!(
        emulator.operations().is_empty(),
        "{:?}",
        emulator.operations()
    );
    assert_eq!(
        emulator.secure_browser_provider(workmail_emulator::demo::PORTAL_ARN),
        stored
    );
}

/// A key item that holds no 32-byte key is not something a retry fixes: 500 `ETAG_KEY_INVALID`,
/// without `Retry-After`, before any WorkSpaces Web call.
#[tokio::test]
async fn a_malformed_etag_key_item_stops_the_portal_routes_without_a_retry_hint() {
    let emulator = Emulator::start().await.expect("emulator");
    emulator.seed_demo();
    let dynamodb = LocalDynamoDb::start().await;
    dynamodb.create_lease_table(TABLE).await;
    dynamodb
        .client()
        .await
        .put_item()
        .table_name(TABLE)
        .item(
            "pk",
            AttributeValue::S(idp_gateway::lease::ETAG_KEY_ITEM.to_owned()),
        )
        .item("key", AttributeValue::S("not a key".to_owned()))
        .send()
        .await
        .expect("key item");
    let api = api_with_table(&emulator, &dynamodb.url).await;
    for event in [event("rest-portal-get.json"), event("rest-portal-put.json")] {
        let answer = invoke_api(&api, &event).await;
        assert_eq!(answer.status, 500, "{answer:?}");
        assert_eq!(answer.problem_code(), "ETAG_KEY_INVALID");
        assert!(answer.header("retry-after").is_none(), "{answer:?}");
    }
    assert!(
        emulator.operations().is_empty(),
        "{:?}",
        emulator.operations()
    );
}

#[tokio::test]
async fn writes_that_change_nothing_make_no_workmail_write() {
    let harness = Harness::start().await;
    let empty = with_body(
        event("rest-patch.json"),
        Some("application/merge-patch+json"),
        "{}",
    );
    let same_put = with_body(
        event("rest-put.json"),
        Some("application/json"),
        &demo_configuration().to_string(),
    );
    for event in [empty, same_put] {
        let answer = harness.invoke(&event).await;
        assert_eq!(answer.status, 200, "{answer:?}");
        assert_eq!(answer.body, demo_configuration());
        assert!(answer.header("etag").is_some());
    }
    assert_eq!(
        harness.emulator.operations(),
        [DESCRIBE, DESCRIBE],
        "a read under the lease each, no Put"
    );

    harness.emulator.set_identity_provider(ORG, None);
    let delete = harness.invoke_file("rest-delete.json").await;
    assert_eq!(delete.status, 204, "{delete:?}");
    assert_eq!(
        harness.emulator.operations(),
        [DESCRIBE, DESCRIBE, DESCRIBE]
    );
}

#[tokio::test]
async fn a_confirming_read_that_disagrees_is_reported() {
    let harness = Harness::start().await;
    harness
        .emulator
        .inject(FaultRule::new(PUT, Fault::AcknowledgeWithoutEffect).times(1));
    let answer = harness.invoke(&lifetime_patch(30)).await;
    assert_eq!(answer.status, 200, "{answer:?}");
    assert_eq!(
        answer.body["warning"],
        "changed by another writer after this write"
    );
    assert_eq!(
        answer.body["personalAccessTokens"]["lifetimeInDays"], 365,
        "the answer is what the confirming read returned"
    );
    assert_eq!(harness.emulator.operations(), [DESCRIBE, PUT, DESCRIBE]);
}

#[tokio::test]
async fn the_audit_record_says_what_each_write_did_to_the_stored_state() {
    let emulator = Emulator::start().await.expect("emulator");
    emulator.seed_demo();
    let mut api = api_process(&emulator).await;
    let empty = with_body(
        event("rest-patch.json"),
        Some("application/merge-patch+json"),
        "{}",
    );
    let cases = [
        (empty, "unchanged"),
        (lifetime_patch(30), "written"),
        (with_query(lifetime_patch(60), "dryRun", "true"), "dryRun"),
        (
            with_body(event("rest-patch.json"), Some("text/plain"), "{}"),
            "none",
        ),
    ];
    let mut ids = Vec::new();
    for (request, _) in &cases {
        ids.push(api.invoke(request.clone()).await.request_id);
    }
    let logs = api.logs();
    let start_up_warning = logs
        .iter()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .any(|line| {
            line["level"] == "WARN"
                && line["fields"]["message"]
                    .as_str()
                    .or(line["message"].as_str())
                    .is_some_and(|m| m.contains("write leases are held in this process only"))
        });
    assert!(
        start_up_warning,
        "the local lease setting is logged: {logs:?}"
    );
    for ((_, effect), id) in cases.iter().zip(&ids) {
        let record = logs
            .iter()
            .filter_map(|line| serde_json::from_str::<Value>(line).ok())
            .find(|line| line["audit"] == true && line["requestId"] == id.as_str())
            .unwrap_or_else(|| panic!("no audit record for {id}"));
        assert_eq!(record["effect"], *effect, "{record}");
    }
    assert_eq!(
        emulator
            .operations()
            .iter()
            .filter(|op| op.as_str() == PUT)
            .count(),
        1,
        "only the real change was written"
    );
}

/// A write that times out may still land: it is audited as `unknown`, answered with that warning,
/// and its lease is not released, so that the next write waits for the lease to expire instead of
/// being overwritten by the late request. WorkMail's Put and WorkSpaces Web's Update alike.
#[tokio::test]
async fn a_write_that_times_out_keeps_its_lease_and_is_audited_as_unknown() {
    use workmail_emulator::demo::EMPTY_PORTAL_ID;
    let emulator = Emulator::start().await.expect("emulator");
    emulator.seed_demo();
    let mut api = api_process_with(
        &emulator,
        &[
            ("WORKMAIL_OPERATION_TIMEOUT_MS", "2500"),
            ("WORKMAIL_ATTEMPT_TIMEOUT_MS", "2000"),
            ("WORKMAIL_MAX_ATTEMPTS", "1"),
        ],
    )
    .await;
    let portal_put = |client_id: &str| {
        let path = format!("/secure-browser/portals/{EMPTY_PORTAL_ID}/identity-provider");
        let body = json!({
            "name": "Corp OIDC", "type": "OIDC",
            "oidc": { "clientId": client_id, "clientSecret": "a-long-enough-client-secret-9f2c",
                      "issuer": "https://login.example.com", "authorizeScopes": ["openid"],
                      "attributesRequestMethod": "GET" }
        });
        let mut put = with_body(
            with_path(with_method(event("rest-portal-get.json"), "PUT"), &path),
            Some("application/json"),
            &body.to_string(),
        );
        set_header(&mut put, "confirm-impact", Some("lockout-risk"));
        put
    };
    let created = api.invoke(portal_put("first-client")).await;
    let answer = |invocation: &lambda_harness::Invocation| match &invocation.outcome {
        lambda_harness::Outcome::Response(response) => Answer::from_lambda(response.clone()),
        other => panic!("no response: {other:?}"),
    };
    assert_eq!(answer(&created).status, 200, "{:?}", answer(&created));

    for (operation, first, second) in [
        (PUT, lifetime_patch(30), lifetime_patch(60)),
        (
            "UpdateIdentityProvider",
            portal_put("second-client"),
            portal_put("third-client"),
        ),
    ] {
        emulator.inject(
            FaultRule::new(operation, Fault::Latency(std::time::Duration::from_secs(6))).times(1),
        );
        let timed_out = api.invoke(first).await;
        let timed_out_answer = answer(&timed_out);
        assert_eq!(
            timed_out_answer.status, 504,
            "{operation}: {timed_out_answer:?}"
        );
        assert_eq!(timed_out_answer.problem_code_any(), "UPSTREAM_TIMEOUT");
        let detail = timed_out_answer.body["detail"].as_str().unwrap_or_default();
        assert!(detail.contains("may have been applied"), "{detail}");

        let next = answer(&api.invoke(second).await);
        assert_eq!(
            next.status, 409,
            "{operation}: the lease is still held: {next:?}"
        );
        assert_eq!(next.problem_code_any(), "WRITE_IN_PROGRESS");

        let record = api
            .logs()
            .iter()
            .filter_map(|line| serde_json::from_str::<Value>(line).ok())
            .find(|line| {
                line["audit"] == true && line["requestId"] == timed_out.request_id.as_str()
            })
            .unwrap_or_else(|| panic!("{operation}: no audit record"));
        assert_eq!(record["effect"], "unknown", "{operation}: {record}");
    }
}
