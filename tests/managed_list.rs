//! The managed-list file as the template deploys it (`MANAGED_ORGANIZATIONS_FILE`, a layer's JSON): the
//! built `api` and `enforcer` binaries read it at start-up, refuse every organization it does not list
//! before any WorkMail call, and stop at start-up on a bad file or on both ways of listing at once.

use std::path::PathBuf;
use std::time::Duration;

use lambda_harness::{FunctionProcess, Outcome, StartError};
use serde_json::{Value, json};
use workmail_emulator::Emulator;
use workmail_emulator::demo::{APPLICATION_ARN, INSTANCE_ARN, ORGANIZATION_ID as ORG};

const API: &str = env!("CARGO_BIN_EXE_api");
const ENFORCER: &str = env!("CARGO_BIN_EXE_enforcer");

/// A managed-list file in its own temporary directory, removed when dropped.
struct ListFile {
    directory: PathBuf,
    path: String,
}

impl ListFile {
    fn with_text(name: &str, text: &str) -> Self {
        let directory = std::env::temp_dir().join(format!(
            "idp-gateway-managed-list-{}-{name}",
            std::process::id()
        ));
        std::fs::create_dir_all(&directory).expect("temporary directory");
        let path = directory.join("managed-organizations.json");
        std::fs::write(&path, text).expect("the list is written");
        let path = path.to_string_lossy().into_owned();
        Self { directory, path }
    }

    fn with(name: &str, organizations: &[String]) -> Self {
        Self::with_text(
            name,
            &serde_json::to_string_pretty(&json!({ "organizations": organizations }))
                .expect("JSON"),
        )
    }
}

impl Drop for ListFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.directory);
    }
}

/// `count` organization ids, none of them the demo organization.
fn others(count: usize) -> Vec<String> {
    (1..=count).map(|n| format!("m-{n:032x}")).collect()
}

fn rest_get() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/events/rest-get.json");
    let text = std::fs::read_to_string(path).expect("events/rest-get.json");
    let event: Value = serde_json::from_str(&text).expect("JSON event");
    assert!(
        event["path"]
            .as_str()
            .is_some_and(|path| path.contains(ORG)),
        "the sample event reads the demo organization"
    );
    event
}

fn environment<'a>(emulator: &'a str, extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut env = vec![
        ("AWS_ENDPOINT_URL_WORKMAIL", emulator),
        ("AWS_ACCESS_KEY_ID", "AKIDTEST"),
        ("AWS_SECRET_ACCESS_KEY", "secret"),
        ("WRITE_LOCK_IN_PROCESS", "true"),
        ("AWS_LAMBDA_LOG_FORMAT", "JSON"),
    ];
    env.extend_from_slice(extra);
    env
}

async fn start_api(emulator: &Emulator, list: &ListFile) -> FunctionProcess {
    let endpoint = emulator.url();
    let env = environment(&endpoint, &[("MANAGED_ORGANIZATIONS_FILE", &list.path)]);
    match FunctionProcess::start(API, "ApiFunction", &env).await {
        Ok(process) => process,
        Err(error) => panic!("the api binary did not start: {error:?}"),
    }
}

fn status(outcome: &Outcome) -> u64 {
    match outcome {
        Outcome::Response(response) => response["statusCode"].as_u64().unwrap_or_default(),
        other => panic!("expected a response, got {other:?}"),
    }
}

/// The init error message of a start that must fail.
async fn refused_start(binary: &str, name: &str, env: &[(&str, &str)]) -> String {
    match FunctionProcess::start(binary, name, env).await {
        Err(StartError::Exited { init_error, .. }) => {
            let init_error = init_error.expect("an /init/error report");
            assert_eq!(init_error["errorType"], "Runtime.InvalidSettings");
            init_error["errorMessage"]
                .as_str()
                .unwrap_or_default()
                .to_owned()
        }
        Err(other) => panic!("{other:?}"),
        Ok(_) => panic!("{env:?} must stop the function at start-up"),
    }
}

#[tokio::test]
async fn an_organization_missing_from_a_ten_thousand_entry_file_is_refused_before_workmail() {
    let emulator = Emulator::start().await.expect("emulator");
    emulator.seed_demo();
    let unlisted = ListFile::with("unlisted", &others(10_000));
    let mut api = start_api(&emulator, &unlisted).await;
    let cold_start = api.cold_start().unwrap_or_default();
    let invocation = api.invoke(rest_get()).await;
    assert_eq!(status(&invocation.outcome), 403, "{:?}", invocation.outcome);
    assert!(
        emulator.calls().is_empty(),
        "an unlisted organization never reaches WorkMail"
    );
    assert!(
        api.logs()
            .iter()
            .any(|line| line.contains("managed organizations") && line.contains("10000")),
        "the start-up log says how many organizations are managed: {:?}",
        api.logs()
    );

    let mut listed = others(9_999);
    listed.push(ORG.to_owned());
    let listed = ListFile::with("listed", &listed);
    let mut api = start_api(&emulator, &listed).await;
    let invocation = api.invoke(rest_get()).await;
    assert_eq!(status(&invocation.outcome), 200, "{:?}", invocation.outcome);

    let one = ListFile::with("one", &[ORG.to_owned()]);
    let api = start_api(&emulator, &one).await;
    let baseline = api.cold_start().unwrap_or_default();
    println!(
        "cold start (process start to first poll) with 10,000 organizations: {cold_start:?}; with one: {baseline:?}"
    );
    assert!(
        cold_start < baseline + Duration::from_secs(2),
        "{cold_start:?} against {baseline:?}"
    );
}

#[tokio::test]
async fn a_bad_file_or_both_lists_stop_the_function_naming_the_problem() {
    let emulator = Emulator::start().await.expect("emulator");
    let endpoint = emulator.url();
    let bad = ListFile::with_text(
        "bad",
        &format!(r#"{{"organizations": ["{ORG}", "*", "m-1", "{ORG}"], "extra": true}}"#),
    );
    let message = refused_start(
        API,
        "ApiFunction",
        &environment(&endpoint, &[("MANAGED_ORGANIZATIONS_FILE", &bad.path)]),
    )
    .await;
    for mention in [
        "MANAGED_ORGANIZATIONS_FILE",
        "/extra ",
        "/organizations/1 is '*'",
        "/organizations/2 ",
        "/organizations/3 is listed already at /organizations/0",
    ] {
        assert!(message.contains(mention), "{message} lacks {mention}");
    }

    let good = ListFile::with("good", &[ORG.to_owned()]);
    let message = refused_start(
        API,
        "ApiFunction",
        &environment(
            &endpoint,
            &[
                ("MANAGED_ORGANIZATIONS_FILE", &good.path),
                ("MANAGED_ORGANIZATION_IDS", ORG),
            ],
        ),
    )
    .await;
    assert!(
        message.contains("MANAGED_ORGANIZATIONS_FILE")
            && message.contains("MANAGED_ORGANIZATION_IDS")
            && message.contains("not both"),
        "{message}"
    );

    let missing = format!("{}.missing", good.path);
    let message = refused_start(
        API,
        "ApiFunction",
        &environment(&endpoint, &[("MANAGED_ORGANIZATIONS_FILE", &missing)]),
    )
    .await;
    assert!(
        message.contains("MANAGED_ORGANIZATIONS_FILE") && message.contains(&missing),
        "{message}"
    );
}

#[tokio::test]
async fn the_enforcer_reads_the_same_file_and_refuses_a_policy_beyond_it() {
    let emulator = Emulator::start().await.expect("emulator");
    let endpoint = emulator.url();
    let policy = json!({
        "maxChangesPerRun": 5,
        "callsPerSecond": 100,
        "organizations": {
            ORG: {
                "mode": "report",
                "desired": {
                    "authenticationMode": "IDENTITY_PROVIDER_AND_DIRECTORY",
                    "identityCenter": { "instanceArn": INSTANCE_ARN, "applicationArn": APPLICATION_ARN },
                    "personalAccessTokens": { "status": "ACTIVE", "lifetimeInDays": 90 }
                }
            }
        }
    })
    .to_string();
    let listed = ListFile::with("enforcer-listed", &[ORG.to_owned()]);
    let env = environment(
        &endpoint,
        &[
            ("ENFORCEMENT_POLICY", &policy),
            ("MANAGED_ORGANIZATIONS_FILE", &listed.path),
        ],
    );
    if let Err(error) = FunctionProcess::start(ENFORCER, "EnforcerFunction", &env).await {
        panic!("the enforcer did not start with its organization listed: {error:?}");
    }
    let unlisted = ListFile::with("enforcer-unlisted", &others(3));
    let env = environment(
        &endpoint,
        &[
            ("ENFORCEMENT_POLICY", &policy),
            ("MANAGED_ORGANIZATIONS_FILE", &unlisted.path),
        ],
    );
    let message = refused_start(ENFORCER, "EnforcerFunction", &env).await;
    assert!(message.contains(ORG), "{message}");
}
