//! Personal access token administration through the emulator over real HTTP with the real SDK client,
//! for REST (v1) and HTTP API (v2) events: listing (filters, pagination through `nextToken`, bad
//! parameters refused before any call), revocation (dry run, unknown token, success, bad ids refused
//! before any call, grants), and the audit record the built `api` binary writes for each revocation.

mod support;

use std::collections::BTreeSet;
use std::time::{SystemTime, UNIX_EPOCH};

use idp_gateway::access::AccessPolicy;
use idp_gateway::http::AccessControl;
use serde_json::{Value, json};
use support::*;
use workmail_emulator::BulkDirectory;

const EDITOR: &str = "arn:aws:sts::123456789012:assumed-role/MailEditors/carol";
const READER: &str = "arn:aws:sts::123456789012:assumed-role/MailReadOnly/dave";
const STRANGER: &str = "arn:aws:sts::123456789012:assumed-role/Somebody/eve";
const ALICE: &str = "a1b2c3d4-0000-4000-8000-000000000001";
const LIST: &str = "ListPersonalAccessTokens";
const METADATA: &str = "GetPersonalAccessTokenMetadata";
const DELETE: &str = "DeletePersonalAccessToken";

#[derive(Debug, Clone, Copy)]
enum Kind {
    Rest,
    Http,
}

const KINDS: [Kind; 2] = [Kind::Rest, Kind::Http];

async fn harness() -> Harness {
    let policy = AccessPolicy::parse(
        &json!({ "grants": [
            { "principal": "arn:aws:iam::123456789012:role/MailAdminPortal", "organizations": ["*"], "permissions": ["read", "write", "escalate"] },
            { "principal": "arn:aws:iam::123456789012:role/MailEditors", "organizations": ["*"], "permissions": ["read", "write"] },
            { "principal": "arn:aws:iam::123456789012:role/MailReadOnly", "organizations": ["*"], "permissions": ["read"] }
        ]})
        .to_string(),
    )
    .expect("valid access policy");
    Harness::guarded(AccessControl {
        policy: Some(policy),
        ..AccessControl::open()
    })
    .await
}

fn tokens_path() -> String {
    format!("/organizations/{ORG}/personal-access-tokens")
}

/// A GET of `path` as `kind`, by the event's caller (an administrator).
fn get(kind: Kind, path: &str) -> Value {
    let base = match kind {
        Kind::Rest => event("rest-get.json"),
        Kind::Http => event("http-get.json"),
    };
    with_path(base, path)
}

/// A DELETE of the token `id` as `kind`.
fn revoke(kind: Kind, id: &str) -> Value {
    let base = match kind {
        Kind::Rest => event("rest-get.json"),
        Kind::Http => event("http-get.json"),
    };
    with_path(
        with_method(base, "DELETE"),
        &format!("{}/{id}", tokens_path()),
    )
}

/// Sets the query of a REST (v1) or HTTP (v2) event to `parameters`, in order.
fn with_queries(mut event: Value, parameters: &[(&str, &str)]) -> Value {
    if event.get("httpMethod").is_some() {
        let mut single = serde_json::Map::new();
        let mut multi = serde_json::Map::new();
        for (name, value) in parameters {
            single.insert((*name).to_owned(), Value::from(*value));
            multi
                .entry((*name).to_owned())
                .or_insert_with(|| Value::Array(Vec::new()))
                .as_array_mut()
                .expect("an array")
                .push(Value::from(*value));
        }
        event["queryStringParameters"] = Value::Object(single);
        event["multiValueQueryStringParameters"] = Value::Object(multi);
    } else {
        let mut raw = url::form_urlencoded::Serializer::new(String::new());
        for (name, value) in parameters {
            raw.append_pair(name, value);
        }
        event["rawQueryString"] = Value::from(raw.finish());
    }
    event
}

fn listing(kind: Kind, parameters: &[(&str, &str)]) -> Value {
    with_queries(get(kind, &tokens_path()), parameters)
}

fn ids(answer: &Answer) -> Vec<String> {
    answer.body["personalAccessTokens"]
        .as_array()
        .map(|tokens| {
            tokens
                .iter()
                .filter_map(|token| token["personalAccessTokenId"].as_str())
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

fn token_ids(harness: &Harness) -> Vec<String> {
    harness
        .emulator
        .personal_access_tokens(ORG)
        .into_iter()
        .map(|token| token.id)
        .collect()
}

#[tokio::test]
async fn the_listing_answers_token_summaries_and_filters_them() {
    for kind in KINDS {
        let harness = harness().await;
        let all = harness.invoke(&listing(kind, &[])).await;
        assert_eq!(all.status, 200, "{kind:?}: {all:?}");
        assert_eq!(all.body["organizationId"], ORG);
        assert_eq!(all.body["nextToken"], Value::Null, "one page");
        assert_eq!(
            ids(&all),
            [
                "pat-alice-laptop",
                "pat-alice-phone",
                "pat-bob-outlook",
                "pat-dave-old",
                "pat-grace-android",
                "pat-mallory-cli"
            ],
            "{kind:?}"
        );
        let first = &all.body["personalAccessTokens"][0];
        let members: BTreeSet<&str> = first
            .as_object()
            .map(|members| members.keys().map(String::as_str).collect())
            .unwrap_or_default();
        assert_eq!(
            members,
            BTreeSet::from([
                "personalAccessTokenId",
                "userId",
                "name",
                "dateCreated",
                "dateLastUsed",
                "expiresTime",
                "scopes"
            ]),
            "a summary, never a secret: {first}"
        );
        assert_eq!(first["userId"], ALICE);
        assert_eq!(first["name"], "Thunderbird on laptop");

        let alices = harness.invoke(&listing(kind, &[("userId", ALICE)])).await;
        assert_eq!(alices.status, 200, "{kind:?}: {alices:?}");
        assert_eq!(ids(&alices), ["pat-alice-laptop", "pat-alice-phone"]);

        // bob's expires in 275 days, mallory's in 305, the others later; dave's has expired.
        let soon = harness
            .invoke(&listing(kind, &[("expiringWithinDays", "300")]))
            .await;
        assert_eq!(soon.status, 200, "{kind:?}: {soon:?}");
        assert_eq!(ids(&soon), ["pat-bob-outlook"]);
        let both = harness
            .invoke(&listing(
                kind,
                &[("expiringWithinDays", "3653"), ("userId", ALICE)],
            ))
            .await;
        assert_eq!(ids(&both), ["pat-alice-laptop", "pat-alice-phone"]);

        let reader = harness
            .invoke(&as_caller(listing(kind, &[]), Some(READER)))
            .await;
        assert_eq!(reader.status, 200, "read is enough: {reader:?}");
        let stranger = harness
            .invoke(&as_caller(listing(kind, &[]), Some(STRANGER)))
            .await;
        assert_eq!(stranger.status, 403, "{stranger:?}");
        assert_eq!(stranger.problem_code(), "FORBIDDEN");
    }
}

#[tokio::test]
async fn an_unknown_user_is_not_found() {
    let harness = harness().await;
    let answer = harness
        .invoke(&listing(
            Kind::Http,
            &[("userId", "a1b2c3d4-0000-4000-8000-000000000777")],
        ))
        .await;
    assert_eq!(answer.status, 404, "{answer:?}");
    assert_eq!(answer.problem_code(), "USER_NOT_FOUND");
}

#[tokio::test]
async fn many_tokens_are_paged_through_next_token() {
    for kind in KINDS {
        let harness = harness().await;
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|elapsed| i64::try_from(elapsed.as_secs()).unwrap_or(i64::MAX))
            .unwrap_or_default();
        harness.emulator.seed_bulk_directory(
            ORG,
            &BulkDirectory {
                users: 300,
                tokens: 1_050,
                unlinked_every: 0,
                disabled_every: 0,
                expired_every: 3,
                now,
            },
        );
        let (mut seen, mut pages, mut soon) = (Vec::new(), 0, 0);
        let mut next: Option<String> = None;
        loop {
            let mut parameters = Vec::new();
            if let Some(token) = &next {
                parameters.push(("nextToken", token.as_str()));
            }
            let page = harness.invoke(&listing(kind, &parameters)).await;
            assert_eq!(page.status, 200, "{kind:?}: {page:?}");
            pages += 1;
            seen.extend(ids(&page));
            let mut filtered = parameters.clone();
            filtered.push(("expiringWithinDays", "181"));
            soon += ids(&harness.invoke(&listing(kind, &filtered)).await).len();
            match page.body["nextToken"].as_str() {
                Some(token) => next = Some(token.to_owned()),
                None => break,
            }
        }
        assert_eq!(pages, 11, "{kind:?}: 100 a page");
        let unique: BTreeSet<&String> = seen.iter().collect();
        assert_eq!(seen.len(), 1_050, "{kind:?}");
        assert_eq!(unique.len(), 1_050, "{kind:?}: no token twice");
        // Every third token (0, 3, ...) expired yesterday; the others expire in 180 days.
        assert_eq!(soon, 700, "{kind:?}");
    }
}

/// A query's parameters, in order.
type Query<'a> = &'a [(&'a str, &'a str)];

#[tokio::test]
async fn bad_listing_parameters_are_refused_before_any_call() {
    let long = "n".repeat(1025);
    let cases: [(Query, &[&str]); 9] = [
        (&[("userId", "alice")], &["userId"]),
        (&[("userId", "a1b2c3d4/0000-4000")], &["userId"]),
        (&[("userId", "")], &["userId"]),
        (&[("userId", ALICE), ("userId", ALICE)], &["userId"]),
        (&[("nextToken", "")], &["nextToken"]),
        (&[("nextToken", long.as_str())], &["nextToken"]),
        (
            &[("expiringWithinDays", "0"), ("nextToken", "")],
            &["expiringWithinDays", "nextToken"],
        ),
        (&[("expiringWithinDays", "3654")], &["expiringWithinDays"]),
        (
            &[("expiringwithindays", "30"), ("expiringWithinDays", "x")],
            &["expiringwithindays"],
        ),
    ];
    for kind in KINDS {
        let harness = harness().await;
        for (parameters, refused) in &cases {
            let answer = harness.invoke(&listing(kind, parameters)).await;
            assert_eq!(answer.status, 400, "{kind:?} {parameters:?}: {answer:?}");
            assert_eq!(answer.problem_code(), "VALIDATION_FAILED");
            assert_eq!(
                answer.error_locations(),
                *refused,
                "{kind:?} {parameters:?}"
            );
        }
        assert_eq!(
            harness.emulator.operations(),
            Vec::<String>::new(),
            "nothing sent"
        );
    }
}

#[tokio::test]
async fn a_revocation_reads_the_token_first_and_revokes_it() {
    for kind in KINDS {
        let harness = harness().await;
        let dry = harness
            .invoke(&with_query(
                revoke(kind, "pat-bob-outlook"),
                "dryRun",
                "true",
            ))
            .await;
        assert_eq!(dry.status, 200, "{kind:?}: {dry:?}");
        assert_eq!(dry.body["dryRun"], true);
        assert_eq!(
            dry.body["wouldRevoke"]["personalAccessTokenId"],
            "pat-bob-outlook"
        );
        assert_eq!(dry.body["wouldRevoke"]["name"], "Outlook");
        assert_eq!(harness.emulator.operations(), [METADATA], "{kind:?}");
        assert_eq!(token_ids(&harness).len(), 6, "a dry run revokes nothing");

        let unknown = harness.invoke(&revoke(kind, "pat-nobody")).await;
        assert_eq!(unknown.status, 404, "{kind:?}: {unknown:?}");
        assert_eq!(unknown.problem_code(), "PERSONAL_ACCESS_TOKEN_NOT_FOUND");
        assert_eq!(harness.emulator.operations(), [METADATA, METADATA]);

        let reader = harness
            .invoke(&as_caller(revoke(kind, "pat-bob-outlook"), Some(READER)))
            .await;
        assert_eq!(reader.status, 403, "write is needed: {reader:?}");
        assert_eq!(harness.emulator.operations().len(), 2, "nothing sent");

        let revoked = harness
            .invoke(&as_caller(revoke(kind, "pat-bob-outlook"), Some(EDITOR)))
            .await;
        assert_eq!(revoked.status, 204, "write suffices: {revoked:?}");
        assert_eq!(revoked.body, Value::Null);
        assert_eq!(
            harness.emulator.operations(),
            [METADATA, METADATA, METADATA, DELETE]
        );
        assert!(
            !token_ids(&harness).contains(&"pat-bob-outlook".to_owned()),
            "{kind:?}"
        );
        assert_eq!(token_ids(&harness).len(), 5);

        let again = harness.invoke(&revoke(kind, "pat-bob-outlook")).await;
        assert_eq!(again.status, 404, "revoked already: {again:?}");
    }
}

#[tokio::test]
async fn bad_token_ids_are_refused_before_any_call() {
    let long = "t".repeat(65);
    for kind in KINDS {
        let harness = harness().await;
        for id in ["pat.bob", "pat+bob", "pat%20bob", "%C3%A4", long.as_str()] {
            let answer = harness.invoke(&revoke(kind, id)).await;
            assert_eq!(answer.status, 400, "{kind:?} {id}: {answer:?}");
            assert_eq!(answer.problem_code(), "VALIDATION_FAILED");
            assert_eq!(answer.error_locations(), ["tokenId"], "{kind:?} {id}");
        }
        for id in ["%2e%2e", "pat%2Fbob"] {
            let answer = harness.invoke(&revoke(kind, id)).await;
            assert_eq!(
                answer.status, 404,
                "never routed: {kind:?} {id}: {answer:?}"
            );
        }
        let query = harness
            .invoke(&with_query(
                revoke(kind, "pat-bob-outlook"),
                "dryrun",
                "true",
            ))
            .await;
        assert_eq!(query.status, 400, "{query:?}");
        assert_eq!(query.error_locations(), ["dryrun"]);
        let method = harness
            .invoke(&with_method(revoke(kind, "pat-bob-outlook"), "GET"))
            .await;
        assert_eq!(method.status, 405, "{method:?}");
        assert_eq!(method.header("allow"), Some("DELETE"));
        assert_eq!(
            harness.emulator.operations(),
            Vec::<String>::new(),
            "nothing sent"
        );
        assert_eq!(token_ids(&harness).len(), 6);
    }
}

#[tokio::test]
async fn every_revocation_is_audited_naming_the_token_never_a_secret() {
    let emulator = workmail_emulator::Emulator::start()
        .await
        .expect("emulator");
    emulator.seed_demo();
    let mut api = api_process(&emulator).await;
    let cases = [
        (
            with_query(revoke(Kind::Rest, "pat-alice-phone"), "dryRun", "true"),
            200,
            "dryRun",
            true,
        ),
        (revoke(Kind::Http, "pat-alice-phone"), 204, "written", true),
        (revoke(Kind::Rest, "pat-nobody"), 404, "none", false),
        (revoke(Kind::Rest, "pat.bad"), 400, "none", false),
    ];
    let mut ids = Vec::new();
    for (request, status, _, _) in &cases {
        let invocation = api.invoke(request.clone()).await;
        match &invocation.outcome {
            lambda_harness::Outcome::Response(response) => {
                assert_eq!(response["statusCode"], *status, "{response}");
            }
            other => panic!("no response: {other:?}"),
        }
        ids.push(invocation.request_id);
    }
    let logs = api.logs();
    for ((_, status, effect, names_token), id) in cases.iter().zip(&ids) {
        let record = logs
            .iter()
            .filter_map(|line| serde_json::from_str::<Value>(line).ok())
            .find(|line| line["audit"] == true && line["requestId"] == id.as_str())
            .unwrap_or_else(|| panic!("no audit record for {id}: {logs:?}"));
        assert_eq!(record["operation"], "DELETE", "{record}");
        assert_eq!(
            record["route"], "/organizations/{organizationId}/personal-access-tokens/{tokenId}",
            "{record}"
        );
        assert_eq!(record["organizationId"], ORG, "{record}");
        assert_eq!(record["effect"], *effect, "{record}");
        assert_eq!(record["outcome"]["status"], *status, "{record}");
        assert!(!record.to_string().contains("secret"), "{record}");
        if *names_token {
            let token = &record["personalAccessToken"];
            assert_eq!(
                token["personalAccessTokenId"], "pat-alice-phone",
                "{record}"
            );
            assert_eq!(token["userId"], ALICE, "{record}");
            assert_eq!(token["name"], "iPhone Mail", "{record}");
            assert!(
                token["expiresTime"]
                    .as_str()
                    .is_some_and(|at| at.ends_with('Z')),
                "{record}"
            );
        } else {
            assert_eq!(record["personalAccessToken"], Value::Null, "{record}");
        }
    }
    assert_eq!(
        emulator
            .operations()
            .iter()
            .filter(|op| op.as_str() == DELETE)
            .count(),
        1,
        "only the real revocation was sent"
    );
}

#[tokio::test]
async fn listing_operations_are_the_only_calls_a_listing_makes() {
    let harness = harness().await;
    let answer = harness
        .invoke(&listing(Kind::Rest, &[("userId", ALICE)]))
        .await;
    assert_eq!(answer.status, 200, "{answer:?}");
    assert_eq!(harness.emulator.operations(), [LIST]);
}
