//! Test support: an emulator seeded with the demo organization, the API wired to it through the real
//! SDK client, and the events in events/ sent through the same entry point the Lambda function runs.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use aws_sdk_workmail::config::Credentials;
use idp_gateway::http::{AccessControl, Api};
use idp_gateway::lease::{InProcessLeases, LeaseSettings, LeaseStore};
use idp_gateway::workmail::{SdkWorkMail, UpstreamSettings};
use idp_gateway::workspaces_web::SdkWorkSpacesWeb;
use lambda_http::request::LambdaRequest;
use lambda_http::{Context, LambdaEvent};
use serde_json::Value;
use workmail_emulator::Emulator;

pub mod dynamodb;
pub mod portals;
pub use workmail_emulator::demo::{APPLICATION_ARN, INSTANCE_ARN, ORGANIZATION_ID as ORG};

/// Upstream settings for tests: real retries and timeouts, with short back-off so a throttling test
/// does not wait seconds.
pub fn test_settings() -> UpstreamSettings {
    UpstreamSettings {
        operation_timeout: Duration::from_secs(10),
        attempt_timeout: Duration::from_secs(5),
        connect_timeout: Duration::from_secs(2),
        max_attempts: 3,
        initial_backoff: Duration::from_millis(20),
    }
}

/// An SDK configuration aimed at `endpoint` with static test credentials, on the functions' own
/// HTTPS client (src/https.rs).
pub async fn sdk_config(endpoint: &str) -> aws_config::SdkConfig {
    idp_gateway::https::TrustedRoots::from_env(|_| None)
        .expect("Amazon's roots")
        .config_loader(&idp_gateway::https::EndpointLookups::default())
        .region("us-east-1")
        .endpoint_url(endpoint)
        .credentials_provider(Credentials::new("AKIDTEST", "secret", None, None, "tests"))
        .load()
        .await
}

pub struct Harness {
    pub emulator: Emulator,
    pub api: Api<SdkWorkMail>,
}

impl Harness {
    /// An emulator seeded with the demo organization, and the API in front of it.
    pub async fn start() -> Self {
        Self::with_settings(test_settings()).await
    }

    pub async fn with_settings(settings: UpstreamSettings) -> Self {
        Self::with(settings, AccessControl::open()).await
    }

    /// The API behind `access`.
    pub async fn guarded(access: AccessControl) -> Self {
        Self::with(test_settings(), access).await
    }

    async fn with(settings: UpstreamSettings, access: AccessControl) -> Self {
        let emulator = Emulator::start().await.expect("emulator starts");
        emulator.seed_demo();
        let config = sdk_config(&emulator.url()).await;
        let api = api_over(&config, &settings, access);
        Self { emulator, api }
    }

    /// Sends one Lambda event through `Api::handle_event`, as the runtime would.
    pub async fn invoke(&self, event: &Value) -> Answer {
        invoke_api(&self.api, event).await
    }

    /// Sends events/`name` unchanged.
    pub async fn invoke_file(&self, name: &str) -> Answer {
        self.invoke(&event(name)).await
    }
}

/// The API over the WorkMail endpoint of `config`, with leases in this process.
pub fn api_over(
    config: &aws_config::SdkConfig,
    settings: &UpstreamSettings,
    access: AccessControl,
) -> Api<SdkWorkMail> {
    Api::new(
        SdkWorkMail::new(config, settings),
        SdkWorkSpacesWeb::new(config, settings),
        local_leases(),
        lease_settings(settings),
        access,
    )
}

/// Leases within this process.
pub fn local_leases() -> LeaseStore {
    LeaseStore::InProcess(InProcessLeases::new())
}

/// Leases that outlive a write with `settings`.
pub fn lease_settings(settings: &UpstreamSettings) -> LeaseSettings {
    LeaseSettings::for_operation_timeout(settings.operation_timeout)
}

/// The function ARN the tests' invocations carry: portal ARNs are built from its account and region,
/// those of the emulator's demo portals.
pub const FUNCTION_ARN: &str = "arn:aws:lambda:us-east-1:123456789012:function:idp-gateway-api";

/// An invocation's context as Lambda gives it.
pub fn test_context() -> Context {
    let mut context = Context::default();
    context.request_id = "test-request-id".to_owned();
    context.invoked_function_arn = FUNCTION_ARN.to_owned();
    context
}

/// Sends one Lambda event through `api.handle_event`, as the runtime would.
pub async fn invoke_api(api: &Api<SdkWorkMail>, event: &Value) -> Answer {
    let payload: LambdaRequest = serde_json::from_value(event.clone()).expect("an HTTP event");
    let response = api
        .handle_event(LambdaEvent::new(payload, test_context()))
        .await;
    Answer::from_lambda(serde_json::to_value(&response).expect("response serializes"))
}

/// Sends one invocation's raw JSON text through `api.handle_raw_event`, as the `api` binary does
/// (for events a `serde_json::Value` cannot hold, such as an unpaired UTF-16 surrogate escape).
pub async fn invoke_raw(api: &Api<SdkWorkMail>, event: &str) -> Answer {
    let response = api.handle_raw_event(event, test_context()).await;
    Answer::from_lambda(serde_json::to_value(&response).expect("response serializes"))
}

/// A response as the event source sees it.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    /// Header names in lower case.
    pub headers: BTreeMap<String, String>,
    /// The body parsed as JSON (`Value::Null` when empty).
    pub body: Value,
    pub raw: Value,
}

impl Answer {
    pub fn from_lambda(raw: Value) -> Self {
        let status = raw["statusCode"]
            .as_u64()
            .and_then(|s| u16::try_from(s).ok())
            .expect("statusCode");
        let mut headers = BTreeMap::new();
        for field in ["headers", "multiValueHeaders"] {
            if let Some(map) = raw[field].as_object() {
                for (name, value) in map {
                    let value = match value {
                        Value::Array(values) => values
                            .iter()
                            .filter_map(Value::as_str)
                            .collect::<Vec<_>>()
                            .join(", "),
                        Value::String(value) => value.clone(),
                        other => other.to_string(),
                    };
                    headers.insert(name.to_ascii_lowercase(), value);
                }
            }
        }
        let body = match raw["body"].as_str() {
            Some(text) if !text.is_empty() => serde_json::from_str(text).expect("JSON body"),
            _ => Value::Null,
        };
        Self {
            status,
            headers,
            body,
            raw,
        }
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(String::as_str)
    }

    /// The problem `code`, asserting the response is a well-formed RFC 9457 problem.
    pub fn problem_code(&self) -> &str {
        assert_eq!(
            self.header("content-type"),
            Some("application/problem+json"),
            "{self:?}"
        );
        assert_eq!(self.body["type"], "about:blank");
        assert_eq!(self.body["status"], u64::from(self.status));
        assert!(self.body["title"].as_str().is_some_and(|t| !t.is_empty()));
        assert!(self.body["detail"].as_str().is_some_and(|d| !d.is_empty()));
        assert_eq!(self.body["requestId"], "test-request-id");
        self.body["code"].as_str().expect("code")
    }

    /// The problem `code` of an answer from any invocation (whatever its request id).
    pub fn problem_code_any(&self) -> &str {
        assert_eq!(
            self.header("content-type"),
            Some("application/problem+json"),
            "{self:?}"
        );
        self.body["code"].as_str().expect("code")
    }

    /// The JSON pointers (or path parameters) listed in `errors`.
    pub fn error_locations(&self) -> Vec<String> {
        self.body["errors"]
            .as_array()
            .map(|errors| {
                errors
                    .iter()
                    .map(|e| {
                        e["pointer"]
                            .as_str()
                            .or(e["parameter"].as_str())
                            .unwrap_or_default()
                            .to_owned()
                    })
                    .collect()
            })
            .unwrap_or_default()
    }
}

pub fn events_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("events")
}

/// events/`name` as JSON.
pub fn event(name: &str) -> Value {
    let path = events_dir().join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A REST (v1) or HTTP (v2) event with its body, content type and method replaced.
pub fn with_body(mut event: Value, content_type: Option<&str>, body: &str) -> Value {
    event["body"] = Value::String(body.to_owned());
    event["isBase64Encoded"] = Value::Bool(false);
    set_header(&mut event, "content-type", content_type);
    event
}

/// Sets (or with `None` removes) a header in both header maps, whatever its case.
pub fn set_header(event: &mut Value, name: &str, value: Option<&str>) {
    for field in ["headers", "multiValueHeaders"] {
        if let Some(map) = event[field].as_object_mut() {
            map.retain(|key, _| !key.eq_ignore_ascii_case(name));
            if let Some(value) = value {
                let value = if field == "headers" {
                    Value::from(value)
                } else {
                    Value::from(vec![value])
                };
                map.insert(name.to_owned(), value);
            }
        }
    }
}

/// Replaces the method of a REST (v1) or HTTP (v2) event.
pub fn with_method(mut event: Value, method: &str) -> Value {
    if event.get("httpMethod").is_some() {
        event["httpMethod"] = Value::from(method);
    } else {
        event["requestContext"]["http"]["method"] = Value::from(method);
    }
    event
}

/// Replaces the path of a REST (v1) or HTTP (v2) event.
pub fn with_path(mut event: Value, path: &str) -> Value {
    if event.get("httpMethod").is_some() {
        event["path"] = Value::from(path);
    } else {
        event["rawPath"] = Value::from(path);
        event["requestContext"]["http"]["path"] = Value::from(path);
    }
    event
}

/// The demo organization's configuration as the API shows it.
pub fn demo_configuration() -> Value {
    serde_json::json!({
        "organizationId": ORG,
        "authenticationMode": "IDENTITY_PROVIDER_AND_DIRECTORY",
        "identityCenter": { "instanceArn": INSTANCE_ARN, "applicationArn": APPLICATION_ARN },
        "personalAccessTokens": { "status": "ACTIVE", "lifetimeInDays": 365 }
    })
}

/// Replaces the caller of a REST (v1) or HTTP (v2) event; `None` removes it.
pub fn as_caller(mut event: Value, arn: Option<&str>) -> Value {
    let arn = arn.map(Value::from).unwrap_or(Value::Null);
    if event.get("httpMethod").is_some() {
        event["requestContext"]["identity"]["userArn"] = arn;
    } else {
        event["requestContext"]["authorizer"]["iam"]["userArn"] = arn;
    }
    event
}

/// Sets the query string of a REST (v1) or HTTP (v2) event, e.g. `dryRun=true`.
pub fn with_query(mut event: Value, name: &str, value: &str) -> Value {
    if event.get("httpMethod").is_some() {
        event["queryStringParameters"] = serde_json::json!({ name: value });
        event["multiValueQueryStringParameters"] = serde_json::json!({ name: [value] });
    } else {
        event["rawQueryString"] = Value::from(format!("{name}={value}"));
        event["queryStringParameters"] = serde_json::json!({ name: value });
    }
    event
}

/// Replaces the demo organization's users and tokens with ones a switch to IDENTITY_PROVIDER_ONLY
/// locks nobody out of (every user linked, each with an unexpired token), for tests about something
/// else than the impact report.
pub fn everyone_ready(emulator: &Emulator) {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|elapsed| elapsed.as_secs() as i64)
        .unwrap_or_default();
    emulator.seed_bulk_directory(
        ORG,
        &workmail_emulator::BulkDirectory {
            users: 4,
            tokens: 4,
            unlinked_every: 0,
            disabled_every: 0,
            expired_every: 0,
            now,
        },
    );
}

/// The demo configuration with another token lifetime, as the API's body (and a policy's `desired`).
pub fn desired(lifetime: u32) -> Value {
    serde_json::json!({
        "authenticationMode": "IDENTITY_PROVIDER_AND_DIRECTORY",
        "identityCenter": { "instanceArn": INSTANCE_ARN, "applicationArn": APPLICATION_ARN },
        "personalAccessTokens": { "status": "ACTIVE", "lifetimeInDays": lifetime }
    })
}

/// The same as Describe answers it (what the emulator stores).
pub fn stored(lifetime: u32) -> Value {
    serde_json::json!({
        "AuthenticationMode": "IDENTITY_PROVIDER_AND_DIRECTORY",
        "IdentityCenterConfiguration": { "InstanceArn": INSTANCE_ARN, "ApplicationArn": APPLICATION_ARN },
        "PersonalAccessTokenConfiguration": { "Status": "ACTIVE", "LifetimeInDays": lifetime }
    })
}

/// The organizations whose identity-provider configuration the emulator was asked for, in order.
pub fn described_organizations(emulator: &Emulator) -> Vec<String> {
    emulator
        .calls()
        .into_iter()
        .filter(|call| call.operation == "DescribeIdentityProviderConfiguration")
        .map(|call| {
            call.body["OrganizationId"]
                .as_str()
                .unwrap_or_default()
                .to_owned()
        })
        .collect()
}

/// The built `api` binary under the local Runtime API, against `emulator`, with JSON logs and write
/// leases in its process: for the tests that read what the function itself writes (audit records).
pub async fn api_process(emulator: &Emulator) -> lambda_harness::FunctionProcess {
    api_process_with(emulator, &[]).await
}

/// `api_process` with `extra` settings (`RUST_LOG`, say).
pub async fn api_process_with(
    emulator: &Emulator,
    extra: &[(&str, &str)],
) -> lambda_harness::FunctionProcess {
    start_api(&emulator.url(), extra)
        .await
        .expect("the api binary starts")
}

/// Starts the built `api` binary under the local Runtime API with WorkMail and WorkSpaces Web at
/// `endpoint`, JSON logs and write leases in its process, and `extra` settings.
pub async fn start_api(
    endpoint: &str,
    extra: &[(&str, &str)],
) -> Result<lambda_harness::FunctionProcess, lambda_harness::StartError> {
    let mut env = vec![
        ("AWS_ENDPOINT_URL_WORKMAIL", endpoint),
        ("AWS_ENDPOINT_URL_WORKSPACES_WEB", endpoint),
        ("AWS_ACCESS_KEY_ID", "AKIDTEST"),
        ("AWS_SECRET_ACCESS_KEY", "secret"),
        ("AWS_LAMBDA_LOG_FORMAT", "JSON"),
        ("WRITE_LOCK_IN_PROCESS", "true"),
    ];
    env.extend_from_slice(extra);
    lambda_harness::FunctionProcess::start(env!("CARGO_BIN_EXE_api"), "ApiFunction", &env).await
}
