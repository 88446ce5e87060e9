//! The built `api` binary under the local Lambda Runtime API, as Lambda runs it: every file in events/
//! answered in full, bad events survived, start-up failures reported, JSON logs per request.

mod support;

use std::collections::BTreeSet;

use lambda_harness::{FunctionProcess, Outcome, StartError};
use serde_json::{Value, json};
use support::*;
use workmail_emulator::Emulator;

const API: &str = env!("CARGO_BIN_EXE_api");
const ENFORCER: &str = env!("CARGO_BIN_EXE_enforcer");

/// Every HTTP sample event and what the API answers it with (status, problem code if any).
const API_EVENTS: &[(&str, u16, Option<&str>)] = &[
    ("rest-get.json", 200, None),
    ("rest-put.json", 200, None),
    ("rest-patch.json", 200, None),
    ("rest-delete.json", 204, None),
    ("rest-put-invalid.json", 400, Some("VALIDATION_FAILED")),
    ("rest-unknown-route.json", 404, Some("NOT_FOUND")),
    ("rest-health.json", 200, None),
    ("http-get.json", 200, None),
    ("http-patch.json", 200, None),
    ("function-url-get.json", 200, None),
    ("alb-get.json", 200, None),
    ("rest-portal-get.json", 200, None),
    ("rest-portal-put.json", 200, None),
    ("http-portal-patch.json", 200, None),
    ("rest-portal-delete.json", 204, None),
];

/// Every enforcer sample event and the trigger its summary names.
const ENFORCER_EVENTS: &[(&str, &str)] = &[
    ("enforcer-scheduled.json", "schedule"),
    ("enforcer-cloudtrail-put.json", "cloudtrail"),
    ("enforcer-cloudtrail-put-failed.json", "ignored"),
    ("enforcer-direct-report.json", "on-demand"),
];

async fn emulator() -> Emulator {
    let emulator = Emulator::start().await.expect("emulator");
    emulator.seed_demo();
    emulator
}

async fn start_api(emulator: &Emulator, extra: &[(&str, &str)]) -> FunctionProcess {
    let mut env = vec![("WORKMAIL_INITIAL_BACKOFF_MS", "20")];
    env.extend_from_slice(extra);
    api_process_with(emulator, &env).await
}

fn response(outcome: &Outcome) -> &Value {
    match outcome {
        Outcome::Response(response) => response,
        other => panic!("expected a response, got {other:?}"),
    }
}

fn header<'a>(response: &'a Value, name: &str) -> Option<&'a str> {
    response["headers"][name]
        .as_str()
        .or_else(|| response["multiValueHeaders"][name][0].as_str())
}

#[test]
fn every_file_in_events_is_exercised_here() {
    let listed: BTreeSet<&str> = API_EVENTS
        .iter()
        .map(|(file, _, _)| *file)
        .chain(ENFORCER_EVENTS.iter().map(|(file, _)| *file))
        .collect();
    let on_disk: BTreeSet<String> = std::fs::read_dir(events_dir())
        .expect("events/")
        .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
        .filter(|name| name.ends_with(".json"))
        .collect();
    let missing: Vec<&String> = on_disk
        .iter()
        .filter(|name| !listed.contains(name.as_str()))
        .collect();
    assert!(missing.is_empty(), "events without a test: {missing:?}");
    assert_eq!(
        listed.len(),
        on_disk.len(),
        "listed events that do not exist"
    );
}

/// The README's sample-event table: its rows' files and answers, in order.
fn readme_event_table() -> Vec<(String, u16)> {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"))
        .expect("README.md");
    let section = readme
        .split("\n## Sample events\n")
        .nth(1)
        .and_then(|rest| rest.split("\n## ").next())
        .expect("the README has a Sample events section");
    section
        .lines()
        .filter(|line| line.starts_with("| `"))
        .map(|row| {
            let cells: Vec<&str> = row.trim_matches('|').split('|').map(str::trim).collect();
            let file = cells[0].trim_matches('`').to_owned();
            let status = cells
                .last()
                .and_then(|answer| answer.split_whitespace().next())
                .and_then(|status| status.parse().ok())
                .unwrap_or_else(|| panic!("no status in the row {row}"));
            (file, status)
        })
        .collect()
}

#[test]
fn the_readme_lists_the_sample_events_as_they_are_answered_in_order() {
    let documented = readme_event_table();
    let tested: Vec<(String, u16)> = API_EVENTS
        .iter()
        .map(|(file, status, _)| ((*file).to_owned(), *status))
        .collect();
    assert_eq!(documented, tested);
}

#[tokio::test]
async fn the_binary_answers_every_sample_event_in_full() {
    let emulator = emulator().await;
    let mut api = start_api(&emulator, &[]).await;
    assert!(api.cold_start().is_some(), "the first poll was seen");
    for (file, status, code) in API_EVENTS {
        emulator.seed_demo();
        let invocation = api.invoke(event(file)).await;
        let answer = response(&invocation.outcome);
        assert_eq!(answer["statusCode"], json!(status), "{file}: {answer}");
        assert_eq!(answer["isBase64Encoded"], json!(false), "{file}");
        let body = answer["body"].as_str().unwrap_or_default();
        match code {
            Some(code) => {
                assert_eq!(
                    header(answer, "content-type"),
                    Some("application/problem+json"),
                    "{file}"
                );
                let problem: Value = serde_json::from_str(body).expect("problem JSON");
                assert_eq!(problem["code"], *code, "{file}");
                assert_eq!(problem["status"], json!(status), "{file}");
                assert_eq!(
                    problem["requestId"],
                    invocation.request_id.as_str(),
                    "{file}"
                );
            }
            None if *status == 204 => assert!(body.is_empty(), "{file}"),
            None => {
                assert_eq!(
                    header(answer, "content-type"),
                    Some("application/json"),
                    "{file}"
                );
                let json: Value = serde_json::from_str(body).expect("JSON body");
                assert!(json.is_object(), "{file}");
            }
        }
    }
    assert!(api.is_running());
}

/// The problem an answer carries, asserting it is one.
fn problem(answer: &Value) -> Value {
    assert_eq!(
        header(answer, "content-type"),
        Some("application/problem+json"),
        "{answer}"
    );
    serde_json::from_str(answer["body"].as_str().unwrap_or_default()).expect("problem JSON")
}

fn audits_of(api: &FunctionProcess, request_id: &str) -> Vec<Value> {
    api.logs()
        .iter()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter(|line| line["audit"] == true && line["requestId"] == request_id)
        .collect()
}

#[tokio::test]
async fn an_event_that_is_not_an_http_request_is_a_400_answer_not_an_invocation_error() {
    let emulator = emulator().await;
    let mut api = start_api(&emulator, &[]).await;
    let scheduled = json!({
        "version": "0", "id": "53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa", "detail-type": "Scheduled Event",
        "source": "aws.events", "account": "123456789012", "time": "2026-11-22T09:00:00Z",
        "region": "us-east-1", "resources": ["arn:aws:events:us-east-1:123456789012:rule/every-hour"], "detail": {}
    });
    for bad in [scheduled, json!("just a string"), json!({})] {
        let invocation = api.invoke(bad.clone()).await;
        let answer = response(&invocation.outcome);
        assert_eq!(answer["statusCode"], 400, "{bad}: {answer}");
        assert_eq!(problem(answer)["code"], "MALFORMED_REQUEST", "{bad}");
        assert!(
            audits_of(&api, &invocation.request_id).is_empty(),
            "{bad}: no request, no audit"
        );
        assert!(api.is_running(), "the process survives {bad}");
    }
    let invocation = api.invoke(event("rest-get.json")).await;
    assert_eq!(response(&invocation.outcome)["statusCode"], 200);
}

#[tokio::test]
async fn events_lambda_http_cannot_read_are_400_answers_in_their_format_and_audited() {
    let emulator = emulator().await;
    let mut api = start_api(&emulator, &[]).await;
    let with_header = |file: &str, name: &str, value: &str| {
        let mut event = event(file);
        set_header(&mut event, name, Some(value));
        event
    };
    let cases = [
        (
            with_header("rest-put.json", "x-note", "a\r\nx-injected: 1"),
            Some("PUT"),
            false,
        ),
        (
            with_header("rest-patch.json", "x-note", "bell\u{7}"),
            Some("PATCH"),
            false,
        ),
        (
            with_header("rest-delete.json", "bad header(name)", "1"),
            Some("DELETE"),
            false,
        ),
        (
            with_method(event("rest-put.json"), "PU T"),
            Some("(invalid)"),
            false,
        ),
        (
            with_header("http-patch.json", "x-note", "a\nb"),
            Some("PATCH"),
            true,
        ),
        (with_header("http-get.json", "x-note", "a\nb"), None, true),
        (
            with_header("alb-get.json", "x-note", "a\u{0}b"),
            None,
            false,
        ),
    ];
    for (event, audited, v2) in cases {
        let invocation = api.invoke(event.clone()).await;
        let answer = response(&invocation.outcome);
        assert_eq!(answer["statusCode"], 400, "{event}: {answer}");
        let problem = problem(answer);
        assert_eq!(problem["code"], "MALFORMED_REQUEST");
        assert_eq!(problem["requestId"], invocation.request_id.as_str());
        assert_eq!(
            answer.get("cookies").is_some(),
            v2,
            "the source's format: {answer}"
        );
        let audits = audits_of(&api, &invocation.request_id);
        match audited {
            Some(operation) => {
                assert_eq!(audits.len(), 1, "{event}: {audits:?}");
                assert_eq!(audits[0]["operation"], operation);
                assert_eq!(audits[0]["organizationId"], ORG, "the path names it");
                assert_eq!(
                    audits[0]["outcome"],
                    json!({ "status": 400, "code": "MALFORMED_REQUEST" })
                );
                assert!(
                    audits[0]["callerArn"]
                        .as_str()
                        .is_some_and(|arn| arn.starts_with("arn:aws:sts::")),
                    "{audits:?}"
                );
            }
            None => assert!(audits.is_empty(), "reads are not audited"),
        }
        assert!(api.is_running());
    }
    assert!(emulator.calls().is_empty(), "nothing reaches WorkMail");
}

#[tokio::test]
async fn json_logs_carry_the_request_id_and_no_body() {
    let emulator = emulator().await;
    let mut api = start_api(&emulator, &[]).await;
    let invocation = api.invoke(event("rest-put.json")).await;
    assert_eq!(response(&invocation.outcome)["statusCode"], 200);
    let invalid = api.invoke(event("rest-put-invalid.json")).await;
    assert_eq!(response(&invalid.outcome)["statusCode"], 400);

    let logs = api.logs();
    let lines: Vec<Value> = logs
        .iter()
        .filter_map(|line| serde_json::from_str(line).ok())
        .collect();
    let request_line = |id: &str| {
        lines
            .iter()
            .find(|line| line["fields"]["requestId"] == id)
            .cloned()
            .unwrap_or_else(|| panic!("no request line for {id} in {logs:?}"))
    };
    let put = request_line(&invocation.request_id);
    assert_eq!(put["level"], "INFO");
    assert_eq!(put["fields"]["method"], "PUT");
    assert_eq!(
        put["fields"]["route"],
        "/organizations/{organizationId}/identity-provider"
    );
    assert_eq!(put["fields"]["organizationId"], ORG);
    assert_eq!(put["fields"]["status"], 200);
    assert_eq!(
        put["fields"]["upstream"],
        "DescribeIdentityProviderConfiguration,PutIdentityProviderConfiguration,DescribeIdentityProviderConfiguration"
    );
    assert_eq!(
        put["fields"]["caller"],
        "arn:aws:sts::123456789012:assumed-role/MailAdminPortal/alice@example.com"
    );
    assert!(put["fields"]["latencyMs"].is_u64());
    let refused = request_line(&invalid.request_id);
    assert_eq!(refused["fields"]["status"], 400);
    assert_eq!(refused["fields"]["code"], "VALIDATION_FAILED");
    let request_lines: Vec<&String> = logs
        .iter()
        .filter(|line| !line.contains("\"audit\":true"))
        .collect();
    assert!(
        request_lines
            .iter()
            .all(|line| !line.contains("apl-1234567890abcdef")),
        "bodies stay out of the request logs (only the audit record holds configurations)"
    );
}

#[tokio::test]
async fn the_stage_in_the_path_is_routed_with_or_without_the_ignore_setting() {
    let emulator = emulator().await;
    for extra in [
        &[][..],
        &[("AWS_LAMBDA_HTTP_IGNORE_STAGE_IN_PATH", "true")][..],
    ] {
        let mut api = start_api(&emulator, extra).await;
        let invocation = api.invoke(event("rest-get.json")).await;
        assert_eq!(
            response(&invocation.outcome)["statusCode"],
            200,
            "{extra:?}"
        );
    }
}

/// As template.yaml deploys it: every SDK client of the function reads its region's table from the file
/// (parsing it as it is built) and the function answers.
#[tokio::test]
async fn the_function_starts_and_answers_on_its_regions_endpoint_table() {
    let emulator = emulator().await;
    let table = format!(
        "{}/endpoint-partitions/endpoint-partition-us-east-1.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let mut api = start_api(
        &emulator,
        &[("SMITHY_CLIENT_SDK_CUSTOM_PARTITION", table.as_str())],
    )
    .await;
    let invocation = api.invoke(event("rest-get.json")).await;
    assert_eq!(response(&invocation.outcome)["statusCode"], 200);
    assert!(
        api.logs()
            .iter()
            .any(|line| line.contains("the SDK clients read this region's entry only")),
        "{:#?}",
        api.logs()
    );
}

fn logged<'a>(logs: &'a [String], message: &str) -> Vec<&'a String> {
    logs.iter().filter(|line| line.contains(message)).collect()
}

/// As deployed (by name, a lease table named, the credentials in the environment): init looks the
/// endpoints' names up, the lease table's among them, the first WorkMail connection takes the
/// early answer, and the lookup threads stay, parked, after answering.
#[tokio::test]
async fn init_looks_the_endpoints_names_up_and_the_first_connection_takes_the_answer() {
    let emulator = emulator().await;
    let named = format!("http://localhost:{}", emulator.address().port());
    let env = [
        ("AWS_ENDPOINT_URL_WORKMAIL", named.as_str()),
        ("AWS_ENDPOINT_URL_WORKSPACES_WEB", named.as_str()),
        // Never called by a GET: only its name is looked up.
        ("AWS_ENDPOINT_URL_DYNAMODB", "http://dynamodb.test:1"),
        ("WRITE_LOCK_TABLE", "idp-gateway-write-locks"),
        ("AWS_ACCESS_KEY_ID", "AKIDTEST"),
        ("AWS_SECRET_ACCESS_KEY", "secret"),
        ("AWS_LAMBDA_LOG_FORMAT", "JSON"),
        ("AWS_LAMBDA_LOG_LEVEL", "debug"),
    ];
    let mut api = FunctionProcess::start(API, "ApiFunction", &env)
        .await
        .expect("the api starts");
    let invocation = api.invoke(event("rest-get.json")).await;
    assert_eq!(response(&invocation.outcome)["statusCode"], 200);
    let logs = api.logs();
    let started = logged(&logs, "looking the endpoints' names up early");
    assert_eq!(started.len(), 1, "{logs:#?}");
    assert!(
        started[0].contains("localhost") && started[0].contains("dynamodb.test"),
        "{started:#?}"
    );
    let taken = logged(&logs, "a first connection took the early answer");
    assert_eq!(taken.len(), 1, "{logs:#?}");
    assert!(taken[0].contains("localhost"), "{taken:#?}");
    // Each lookup's thread stays, parked, once it has answered: its end would cost init.
    let threads = api.thread_names();
    let lookups = threads
        .iter()
        .filter(|name| *name == "endpoint-lookup")
        .count();
    assert_eq!(lookups, 2, "{threads:?}");
}

/// Behind a proxy, the proxy resolves the endpoints' names: nothing is looked up early, and the
/// calls it does not carry (here plain HTTP, which `HTTPS_PROXY` does not cover) still answer.
#[tokio::test]
async fn behind_a_proxy_nothing_is_looked_up_early() {
    let emulator = emulator().await;
    let named = format!("http://localhost:{}", emulator.address().port());
    let mut api = support::start_api(
        &named,
        &[
            ("HTTPS_PROXY", "http://127.0.0.1:9"),
            ("AWS_LAMBDA_LOG_LEVEL", "debug"),
        ],
    )
    .await
    .expect("the api starts");
    let invocation = api.invoke(event("rest-get.json")).await;
    assert_eq!(response(&invocation.outcome)["statusCode"], 200);
    let logs = api.logs();
    assert_eq!(
        logged(&logs, "the endpoints' names are not looked up early").len(),
        1,
        "{logs:#?}"
    );
    assert!(logged(&logs, "looking the endpoints' names up early").is_empty());
    assert!(logged(&logs, "took the early answer").is_empty());
}

#[tokio::test]
async fn managed_organization_ids_from_the_environment_are_enforced() {
    let emulator = emulator().await;
    let mut api = start_api(
        &emulator,
        &[(
            "MANAGED_ORGANIZATION_IDS",
            "m-ffffffffffffffffffffffffffffffff",
        )],
    )
    .await;
    let invocation = api.invoke(event("rest-get.json")).await;
    let answer = response(&invocation.outcome);
    assert_eq!(answer["statusCode"], 403);
    assert!(
        answer["body"]
            .as_str()
            .unwrap_or_default()
            .contains("ORGANIZATION_NOT_MANAGED")
    );
    assert!(emulator.calls().is_empty());

    let mut api = start_api(
        &emulator,
        &[(
            "MANAGED_ORGANIZATION_IDS",
            &format!("{ORG},m-ffffffffffffffffffffffffffffffff"),
        )],
    )
    .await;
    let invocation = api.invoke(event("rest-get.json")).await;
    assert_eq!(response(&invocation.outcome)["statusCode"], 200);
}

#[tokio::test]
async fn bad_settings_stop_the_function_at_start_up_naming_each_problem() {
    let emulator = emulator().await;
    let another_regions_table = format!(
        "{}/endpoint-partitions/endpoint-partition-eu-west-1.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let cases = [
        (
            "MANAGED_ORGANIZATION_IDS",
            "m-1,,nope",
            &["entry 1 ('m-1')", "entry 2 ('')", "entry 3 ('nope')"][..],
        ),
        ("WORKMAIL_MAX_ATTEMPTS", "many", &["\"many\""][..]),
        (
            "WRITE_LOCK_TABLE",
            "",
            &["in Lambda, writes need the shared lease table"][..],
        ),
        ("WRITE_LOCK_TABLE", "no spaces", &["\"no spaces\""][..]),
        (
            "SMITHY_CLIENT_SDK_CUSTOM_PARTITION",
            another_regions_table.as_str(),
            &["is not the endpoint table this build ships for region \"us-east-1\""][..],
        ),
        (
            "SMITHY_CLIENT_SDK_CUSTOM_PARTITION",
            "/nonexistent/endpoint-partition-us-east-1.json",
            &["cannot be read"][..],
        ),
    ];
    for (name, value, mentions) in cases {
        let endpoint = emulator.url();
        let env = [
            ("AWS_ENDPOINT_URL_WORKMAIL", endpoint.as_str()),
            (name, value),
        ];
        match FunctionProcess::start(API, "ApiFunction", &env).await {
            Err(StartError::Exited {
                status,
                logs,
                init_error,
            }) => {
                assert!(!status.success());
                let text = logs.join("\n");
                assert!(text.contains(name), "{name}: {text}");
                let init_error =
                    init_error.unwrap_or_else(|| panic!("{name}: no /init/error report"));
                assert_eq!(init_error["errorType"], "Runtime.InvalidSettings");
                let message = init_error["errorMessage"].as_str().unwrap_or_default();
                assert!(message.contains(name), "{message}");
                for mention in mentions {
                    assert!(
                        message.contains(mention),
                        "{name}: {message} lacks {mention}"
                    );
                }
            }
            Err(other) => panic!("{name}: {other:?}"),
            Ok(_) => panic!("{name}={value} must stop the function"),
        }
    }
}

fn enforcement_policy() -> String {
    json!({
        "maxChangesPerRun": 5,
        "callsPerSecond": 100,
        "organizations": {
            ORG: {
                "mode": "enforce",
                "desired": {
                    "authenticationMode": "IDENTITY_PROVIDER_AND_DIRECTORY",
                    "identityCenter": { "instanceArn": INSTANCE_ARN, "applicationArn": APPLICATION_ARN },
                    "personalAccessTokens": { "status": "ACTIVE", "lifetimeInDays": 90 }
                }
            }
        }
    })
    .to_string()
}

async fn start_enforcer(emulator: &Emulator, policy: &str) -> FunctionProcess {
    start_enforcer_with(emulator, policy, &[]).await
}

/// The enforcer binary with `extra` on top of the usual environment (JSON logs included).
async fn start_enforcer_with(
    emulator: &Emulator,
    policy: &str,
    extra: &[(&str, &str)],
) -> FunctionProcess {
    let endpoint = emulator.url();
    let mut env = vec![
        ("AWS_ENDPOINT_URL_WORKMAIL", endpoint.as_str()),
        ("AWS_ENDPOINT_URL_WORKSPACES_WEB", endpoint.as_str()),
        ("AWS_ACCESS_KEY_ID", "AKIDTEST"),
        ("AWS_SECRET_ACCESS_KEY", "secret"),
        ("WRITE_LOCK_IN_PROCESS", "true"),
        ("AWS_LAMBDA_LOG_FORMAT", "JSON"),
        ("ENFORCEMENT_POLICY", policy),
        (
            "ENFORCER_ROLE_ARN",
            "arn:aws:iam::123456789012:role/idp-gateway-enforcer",
        ),
        ("MANAGED_ORGANIZATION_IDS", ORG),
    ];
    env.extend_from_slice(extra);
    match FunctionProcess::start(ENFORCER, "EnforcerFunction", &env).await {
        Ok(process) => process,
        Err(error) => panic!("the enforcer binary did not start: {error:?}"),
    }
}

#[tokio::test]
async fn the_enforcer_binary_answers_every_sample_event() {
    let emulator = emulator().await;
    let mut enforcer = start_enforcer(&emulator, &enforcement_policy()).await;
    for (file, trigger) in ENFORCER_EVENTS {
        emulator.seed_demo();
        let invocation = enforcer.invoke(event(file)).await;
        let summary = response(&invocation.outcome);
        assert_eq!(summary["trigger"], *trigger, "{file}: {summary}");
        assert_eq!(
            summary["policyHash"].as_str().map(str::len),
            Some(64),
            "{file}"
        );
    }
    assert!(
        !emulator
            .operations()
            .iter()
            .any(|op| op == "DeleteIdentityProviderConfiguration"),
        "the enforcer never deletes"
    );
    assert!(enforcer.is_running());
}

#[tokio::test]
async fn the_enforcer_logs_one_line_per_organization_and_emits_metrics() {
    let emulator = emulator().await;
    let mut enforcer = start_enforcer(&emulator, &enforcement_policy()).await;
    let invocation = enforcer.invoke(event("enforcer-scheduled.json")).await;
    assert_eq!(response(&invocation.outcome)["totals"]["remediated"], 1);
    let logs = enforcer.logs();
    let lines: Vec<Value> = logs
        .iter()
        .filter_map(|line| serde_json::from_str(line).ok())
        .collect();
    let checked: Vec<&Value> = lines
        .iter()
        .filter(|l| l["fields"]["message"] == "organization checked")
        .collect();
    assert_eq!(checked.len(), 1, "{logs:?}");
    assert_eq!(checked[0]["fields"]["organizationId"], ORG);
    assert_eq!(checked[0]["fields"]["outcome"], "remediated");
    let metrics = lines
        .iter()
        .find(|l| l.get("_aws").is_some())
        .unwrap_or_else(|| panic!("no EMF line in {logs:?}"));
    assert_eq!(
        metrics["_aws"]["CloudWatchMetrics"][0]["Namespace"],
        "IdpGateway/Enforcer"
    );
    assert_eq!(metrics["Remediated"], 1);
    assert_eq!(metrics["DriftDetected"], 1);
    assert_eq!(metrics["Failed"], 0);
}

#[tokio::test]
async fn a_malformed_event_is_an_invocation_error_for_the_enforcer() {
    let emulator = emulator().await;
    let mut enforcer = start_enforcer(&emulator, &enforcement_policy()).await;
    let invocation = enforcer
        .invoke(json!({ "organizationIds": ["nope"] }))
        .await;
    match &invocation.outcome {
        Outcome::Error(error) => {
            assert_eq!(error["errorType"], "MalformedEvent");
            assert!(
                error["errorMessage"]
                    .as_str()
                    .unwrap_or_default()
                    .contains("organizationIds/0"),
                "{error}"
            );
        }
        other => panic!("expected an invocation error, got {other:?}"),
    }
    assert!(enforcer.is_running());
}

#[tokio::test]
async fn a_bad_policy_stops_the_enforcer_at_start_up_listing_every_problem() {
    let emulator = emulator().await;
    let endpoint = emulator.url();
    let bad = json!({
        "maxChangesPerRun": "ten",
        "organizations": { "m-1": {}, ORG: { "mode": "always" } }
    })
    .to_string();
    let cases = [
        vec![("ENFORCEMENT_POLICY", bad.as_str())],
        vec![("ENFORCEMENT_POLICY_FILE", "/nonexistent/policy.json")],
        vec![],
        vec![
            ("ENFORCEMENT_POLICY", "{\"organizations\": {}}"),
            ("ENFORCEMENT_POLICY_FILE", "/x"),
        ],
    ];
    let expected: [&[&str]; 4] = [
        &[
            "/maxChangesPerRun",
            "/organizations/m-1",
            &format!("/organizations/{ORG}/mode"),
            &format!("/organizations/{ORG}/desired"),
        ],
        &["ENFORCEMENT_POLICY_FILE /nonexistent/policy.json"],
        &["neither ENFORCEMENT_POLICY"],
        &["not both"],
    ];
    for (extra, mentions) in cases.iter().zip(expected) {
        let mut env = vec![("AWS_ENDPOINT_URL_WORKMAIL", endpoint.as_str())];
        env.extend_from_slice(extra);
        match FunctionProcess::start(ENFORCER, "EnforcerFunction", &env).await {
            Err(StartError::Exited {
                init_error: Some(init_error),
                ..
            }) => {
                let message = init_error["errorMessage"].as_str().unwrap_or_default();
                for mention in mentions {
                    assert!(message.contains(mention), "{message} lacks {mention}");
                }
            }
            Err(other) => panic!("{extra:?}: {other:?}"),
            Ok(_) => panic!("{extra:?} must stop the enforcer"),
        }
    }
    assert!(
        emulator.calls().is_empty(),
        "nothing is touched before the policy is valid"
    );
}

#[tokio::test]
async fn a_policy_naming_unmanaged_organizations_stops_the_enforcer() {
    let emulator = emulator().await;
    let endpoint = emulator.url();
    let policy = enforcement_policy();
    let env = [
        ("AWS_ENDPOINT_URL_WORKMAIL", endpoint.as_str()),
        ("ENFORCEMENT_POLICY", policy.as_str()),
        (
            "MANAGED_ORGANIZATION_IDS",
            "m-ffffffffffffffffffffffffffffffff",
        ),
    ];
    match FunctionProcess::start(ENFORCER, "EnforcerFunction", &env).await {
        Err(StartError::Exited {
            init_error: Some(init_error),
            ..
        }) => {
            let message = init_error["errorMessage"].as_str().unwrap_or_default();
            assert!(
                message.contains(ORG) && message.contains("MANAGED_ORGANIZATION_IDS"),
                "{message}"
            );
        }
        Err(other) => panic!("{other:?}"),
        Ok(_) => panic!("an unmanaged organization in the policy must stop the enforcer"),
    }
}

#[tokio::test]
async fn every_mutating_request_leaves_exactly_one_audit_record() {
    let emulator = emulator().await;
    let access_policy = json!({ "grants": [
        { "principal": "arn:aws:iam::123456789012:role/MailAdminPortal", "organizations": ["*"], "permissions": ["read", "write", "escalate"] },
        { "principal": "arn:aws:iam::123456789012:role/MailReadOnly", "organizations": ["*"], "permissions": ["read"] }
    ]})
    .to_string();
    let mut api = start_api(&emulator, &[("ACCESS_POLICY", access_policy.as_str())]).await;
    let mut read_only_put = event("rest-put.json");
    read_only_put["requestContext"]["identity"]["userArn"] =
        json!("arn:aws:sts::123456789012:assumed-role/MailReadOnly/dave");
    let mut dry_run = event("rest-put.json");
    dry_run["queryStringParameters"] = json!({ "dryRun": "true" });
    dry_run["multiValueQueryStringParameters"] = json!({ "dryRun": ["true"] });
    let requests = [
        (event("rest-put.json"), 200, "OK"),
        (read_only_put, 403, "FORBIDDEN"),
        (event("rest-put-invalid.json"), 400, "VALIDATION_FAILED"),
        (dry_run, 200, "OK"),
        (event("rest-delete.json"), 204, "OK"),
        (
            event("rest-get.json"),
            404,
            "IDENTITY_PROVIDER_NOT_CONFIGURED",
        ),
    ];
    let mut request_ids = Vec::new();
    for (request, status, _) in &requests {
        let invocation = api.invoke(request.clone()).await;
        assert_eq!(response(&invocation.outcome)["statusCode"], json!(status));
        request_ids.push(invocation.request_id);
    }
    let logs = api.logs();
    let audits: Vec<Value> = logs
        .iter()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter(|line| line["audit"] == true)
        .collect();
    for ((request, status, code), request_id) in requests.iter().zip(&request_ids) {
        let mine: Vec<&Value> = audits
            .iter()
            .filter(|a| a["requestId"] == request_id.as_str())
            .collect();
        let mutating = request["httpMethod"] != "GET";
        assert_eq!(
            mine.len(),
            usize::from(mutating),
            "{request_id}: one audit record per mutating request, none for reads"
        );
        if let [record] = mine.as_slice() {
            assert_eq!(record["outcome"], json!({ "status": status, "code": code }));
            assert_eq!(record["organizationId"], ORG);
            assert_eq!(record["callerAccount"], "123456789012");
            assert_eq!(record["sourceIp"], "10.20.30.40");
            assert!(record["time"].as_str().is_some_and(|t| t.ends_with('Z')));
            assert!(
                record["callerArn"]
                    .as_str()
                    .is_some_and(|arn| arn.starts_with("arn:aws:sts::"))
            );
        }
    }
    let by_id = |index: usize| {
        audits
            .iter()
            .find(|a| a["requestId"] == request_ids[index].as_str())
            .cloned()
            .unwrap_or_default()
    };
    assert_eq!(
        by_id(0)["diff"][0]["pointer"],
        "/personalAccessTokens/lifetimeInDays"
    );
    assert_eq!(
        by_id(0)["before"]["personalAccessTokens"]["lifetimeInDays"],
        365
    );
    assert_eq!(
        by_id(0)["after"]["personalAccessTokens"]["lifetimeInDays"],
        90
    );
    assert_eq!(by_id(3)["dryRun"], true);
    assert_eq!(
        by_id(4)["after"],
        Value::Null,
        "a removal leaves nothing after"
    );
    let metrics: Vec<Value> = logs
        .iter()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter(|line| line["_aws"]["CloudWatchMetrics"][0]["Namespace"] == "IdpGateway/Api")
        .collect();
    let outcomes: Vec<(&str, &str)> = metrics
        .iter()
        .map(|m| {
            (
                m["Operation"].as_str().unwrap_or_default(),
                m["Outcome"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        outcomes,
        [
            ("PUT", "OK"),
            ("PUT", "FORBIDDEN"),
            ("PUT", "VALIDATION_FAILED"),
            ("PUT", "DRY_RUN"),
            ("DELETE", "OK")
        ]
    );
}

#[tokio::test]
async fn a_write_refused_before_routing_is_audited_too() {
    let emulator = emulator().await;
    let mut api = start_api(&emulator, &[]).await;
    let mut undecodable = event("rest-put.json");
    undecodable["isBase64Encoded"] = json!(true);
    undecodable["body"] = json!("%%% not base64 %%%");
    let invocation = api.invoke(undecodable).await;
    assert_eq!(response(&invocation.outcome)["statusCode"], 400);
    let audits: Vec<Value> = api
        .logs()
        .iter()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter(|line| line["audit"] == true && line["requestId"] == invocation.request_id.as_str())
        .collect();
    assert_eq!(audits.len(), 1, "{audits:?}");
    assert_eq!(
        audits[0]["outcome"],
        json!({ "status": 400, "code": "MALFORMED_REQUEST" })
    );
    assert_eq!(audits[0]["operation"], "PUT");
    assert_eq!(
        audits[0]["organizationId"], ORG,
        "the path names the organization"
    );
    assert_eq!(
        audits[0]["callerArn"],
        "arn:aws:sts::123456789012:assumed-role/MailAdminPortal/alice@example.com"
    );
    assert!(emulator.calls().is_empty());
}

#[tokio::test]
#[cfg_attr(
    not(debug_assertions),
    ignore = "release builds leave TRACE events out (tracing's release_max_level_debug)"
)]
async fn at_trace_no_caller_credential_and_no_body_reaches_the_logs() {
    const SECRETS: &[&str] = &[
        "CALLERKEYSECRET",
        "CALLERTOKENSECRET",
        "COOKIESECRET",
        "BODYSECRET",
    ];
    let emulator = emulator().await;
    for format in ["JSON", "Text"] {
        let mut api = start_api(
            &emulator,
            &[
                ("AWS_LAMBDA_LOG_LEVEL", "trace"),
                ("AWS_LAMBDA_LOG_FORMAT", format),
            ],
        )
        .await;
        let credentials = |mut event: Value| {
            set_header(
                &mut event,
                "authorization",
                Some(
                    "AWS4-HMAC-SHA256 Credential=CALLERKEYSECRET/20261122/us-east-1/execute-api/aws4_request, SignedHeaders=host, Signature=abc",
                ),
            );
            set_header(
                &mut event,
                "x-amz-security-token",
                Some("CALLERTOKENSECRET"),
            );
            set_header(&mut event, "cookie", Some("session=COOKIESECRET"));
            event
        };
        let invalid = with_body(
            event("rest-put.json"),
            Some("application/json"),
            &json!({ "authenticationMode": "BODYSECRET" }).to_string(),
        );
        let mut unreadable = credentials(invalid.clone());
        set_header(&mut unreadable, "x-note", Some("a\r\nb"));
        let http = with_body(
            event("http-patch.json"),
            Some("application/merge-patch+json"),
            &json!({ "personalAccessTokens": { "status": "BODYSECRET" } }).to_string(),
        );
        for (event, status) in [
            (credentials(event("rest-get.json")), 200),
            (credentials(invalid), 400),
            (unreadable, 400),
            (credentials(http), 400),
        ] {
            let invocation = api.invoke(event).await;
            assert_eq!(
                response(&invocation.outcome)["statusCode"],
                status,
                "{format}"
            );
        }
        let logs = api.logs();
        assert!(
            logs.iter().any(|line| line.contains("TRACE")),
            "{format}: the level is in effect: {logs:?}"
        );
        for secret in SECRETS {
            let leaked: Vec<&String> = logs.iter().filter(|line| line.contains(secret)).collect();
            assert!(
                leaked.is_empty(),
                "{format}: {secret} reached the logs: {leaked:?}"
            );
        }
    }
}

#[tokio::test]
async fn text_logs_escape_what_events_carry() {
    let emulator = emulator().await;
    let forged = "ERROR forged line status=500";
    let mut api = start_api(&emulator, &[("AWS_LAMBDA_LOG_FORMAT", "Text")]).await;
    for path in [
        format!("/organizations/x\n{forged}/identity-provider"),
        format!("/x/../\n{forged}"),
    ] {
        let invocation = api.invoke(with_path(event("rest-put.json"), &path)).await;
        assert_eq!(response(&invocation.outcome)["statusCode"], 404, "{path:?}");
    }
    let mut cloudtrail = event("enforcer-cloudtrail-put.json");
    cloudtrail["detail"]["eventName"] = json!(format!("CreateUser\n{forged}"));
    cloudtrail["detail"]["eventSource"] = json!(format!("workmail.amazonaws.com\r\n{forged}"));
    let mut enforcer = start_enforcer_with(
        &emulator,
        &enforcement_policy(),
        &[("AWS_LAMBDA_LOG_FORMAT", "Text")],
    )
    .await;
    let invocation = enforcer.invoke(cloudtrail).await;
    assert_eq!(response(&invocation.outcome)["trigger"], "ignored");
    for (function, logs) in [("api", api.logs()), ("enforcer", enforcer.logs())] {
        assert!(
            logs.iter().any(|line| line.contains(forged)),
            "{function}: the value is logged, escaped: {logs:?}"
        );
        let forged_lines: Vec<&String> = logs
            .iter()
            .filter(|line| line.trim_start().starts_with("ERROR forged"))
            .collect();
        assert!(forged_lines.is_empty(), "{function}: {forged_lines:?}");
    }
}
