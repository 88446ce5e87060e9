//! The host each adapter names for its early DNS lookup is the host its client's calls go to: for
//! WorkMail, DynamoDB and WorkSpaces Web, with the default endpoints, FIPS, dual-stack, an endpoint
//! URL set in code, credentials with and without an account id, and (in child processes) the
//! environment's endpoint URLs. Each call is stopped by an interceptor just before it would be
//! sent, after the SDK resolved its endpoint, and the host it was to be sent to is compared.

use std::sync::{Arc, Mutex};

use aws_config::SdkConfig;
use aws_sdk_dynamodb::types::AttributeValue;
use aws_sdk_workmail::config::Credentials;
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::BeforeTransmitInterceptorContextRef;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;
use idp_gateway::https::{EndpointLookups, TrustedRoots, host_of};
use idp_gateway::lease::DynamoDbLeases;
use idp_gateway::workmail::SdkWorkMail;
use idp_gateway::workspaces_web::SdkWorkSpacesWeb;

/// The lease table's name, as `WRITE_LOCK_TABLE` names it.
const TABLE: &str = "idp-gateway-write-locks";

/// Records the host of the request about to be sent, and stops it.
#[derive(Debug, Clone, Default)]
struct SentTo(Arc<Mutex<Option<String>>>);

impl SentTo {
    fn host(&self) -> Option<String> {
        self.0.lock().expect("lock").clone()
    }
}

impl Intercept for SentTo {
    fn name(&self) -> &'static str {
        "SentTo"
    }

    fn read_before_transmit(
        &self,
        context: &BeforeTransmitInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        *self.0.lock().expect("lock") = host_of(context.request().uri());
        Err("stopped before it was sent".into())
    }
}

/// The settings the functions' configuration can carry that change an endpoint (every service's
/// rules give one for each in us-east-1).
fn settings() -> Vec<(&'static str, bool, bool, Option<&'static str>)> {
    vec![
        ("the default endpoints", false, false, None),
        ("FIPS", true, false, None),
        ("dual-stack", false, true, None),
        ("FIPS and dual-stack", true, true, None),
        (
            "an endpoint URL",
            false,
            false,
            Some("http://localhost:4566"),
        ),
    ]
}

async fn sdk_config(
    use_fips: bool,
    use_dual_stack: bool,
    endpoint: Option<&str>,
    account_id: Option<&str>,
) -> SdkConfig {
    let mut credentials = Credentials::builder()
        .access_key_id("AKIDTEST")
        .secret_access_key("secret")
        .provider_name("tests");
    credentials.set_account_id(account_id.map(Into::into));
    let mut loader = TrustedRoots::from_env(|_| None)
        .expect("roots")
        .config_loader(&EndpointLookups::default())
        .region(aws_config::Region::new("us-east-1"))
        .use_fips(use_fips)
        .use_dual_stack(use_dual_stack)
        .credentials_provider(credentials.build());
    if let Some(endpoint) = endpoint {
        loader = loader.endpoint_url(endpoint);
    }
    loader.load().await
}

/// Fails unless each adapter names the host a call of its client built from `config` was going
/// to (for DynamoDB, with credentials carrying `account_id`), and every one names a host.
async fn each_adapter_names_where_its_calls_go(
    config: &SdkConfig,
    account_id: Option<&str>,
    label: &str,
) {
    let sent = SentTo::default();
    let workmail = aws_sdk_workmail::Client::from_conf(
        aws_sdk_workmail::config::Builder::from(config)
            .interceptor(sent.clone())
            .build(),
    );
    let _ = workmail
        .describe_identity_provider_configuration()
        .organization_id("m-0123456789abcdef0123456789abcdef")
        .send()
        .await;
    let named = SdkWorkMail::endpoint_host(config).await;
    assert_eq!(named, sent.host(), "WorkMail, {label}");
    assert!(named.is_some(), "WorkMail, {label}: no host");

    let sent = SentTo::default();
    let dynamodb = aws_sdk_dynamodb::Client::from_conf(
        aws_sdk_dynamodb::config::Builder::from(config)
            .interceptor(sent.clone())
            .build(),
    );
    let _ = dynamodb
        .get_item()
        .table_name(TABLE)
        .key("pk", AttributeValue::S("workmail#m-0".to_owned()))
        .send()
        .await;
    let named = DynamoDbLeases::endpoint_host(config, TABLE, account_id.map(str::to_owned)).await;
    assert_eq!(named, sent.host(), "DynamoDB, {label}");
    assert!(named.is_some(), "DynamoDB, {label}: no host");

    let sent = SentTo::default();
    let portals = aws_sdk_workspacesweb::Client::from_conf(
        aws_sdk_workspacesweb::config::Builder::from(config)
            .interceptor(sent.clone())
            .build(),
    );
    let _ = portals
        .get_identity_provider()
        .identity_provider_arn(
            "arn:aws:workspaces-web:us-east-1:123456789012:identityProvider/portal/provider",
        )
        .send()
        .await;
    let named = SdkWorkSpacesWeb::endpoint_host(config).await;
    assert_eq!(named, sent.host(), "WorkSpaces Web, {label}");
    assert!(named.is_some(), "WorkSpaces Web, {label}: no host");
}

#[tokio::test]
async fn each_adapter_looks_up_the_host_its_calls_go_to() {
    for (label, use_fips, use_dual_stack, endpoint) in settings() {
        for account_id in [None, Some("123456789012")] {
            let config = sdk_config(use_fips, use_dual_stack, endpoint, account_id).await;
            let label = format!("{label}, account id {account_id:?}");
            each_adapter_names_where_its_calls_go(&config, account_id, &label).await;
        }
    }
    let accounts = sdk_config(false, false, None, Some("123456789012")).await;
    assert_eq!(
        DynamoDbLeases::endpoint_host(&accounts, TABLE, Some("123456789012".to_owned()))
            .await
            .as_deref(),
        Some("123456789012.ddb.us-east-1.amazonaws.com"),
        "credentials with an account id call the account's endpoint"
    );
}

const CHILD: &str = "the_environments_endpoint_urls_as_this_process_reads_them";

/// The endpoint URLs of the environment (`AWS_ENDPOINT_URL_<SERVICE>`, `AWS_ENDPOINT_URL`,
/// `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS`), read by a child process of this test whose environment
/// holds them.
#[test]
fn each_adapter_reads_the_environments_endpoint_urls_as_the_sdk_does() {
    let settings: [&[(&str, &str)]; 3] = [
        &[
            ("AWS_ENDPOINT_URL_WORKMAIL", "http://WorkMail.Example:1"),
            ("AWS_ENDPOINT_URL_DYNAMODB", "http://dynamodb.example:2"),
            ("AWS_ENDPOINT_URL", "http://shared.example:3"),
        ],
        &[("AWS_ENDPOINT_URL", "http://shared.example:3")],
        &[
            ("AWS_ENDPOINT_URL_WORKMAIL", "http://workmail.example:1"),
            ("AWS_ENDPOINT_URL", "http://shared.example:3"),
            ("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true"),
        ],
    ];
    for variables in settings {
        let mut child = std::process::Command::new(std::env::current_exe().expect("this test"));
        child.args(["--ignored", "--exact", CHILD, "--nocapture"]);
        for name in [
            "AWS_ENDPOINT_URL_WORKMAIL",
            "AWS_ENDPOINT_URL_DYNAMODB",
            "AWS_ENDPOINT_URL_WORKSPACES_WEB",
            "AWS_ENDPOINT_URL",
            "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
        ] {
            child.env_remove(name);
        }
        child.envs(variables.iter().copied());
        let output = child.output().expect("the child test runs");
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(
            output.status.success() && stdout.contains("1 passed"),
            "{variables:?}: {stdout}{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

#[tokio::test]
#[ignore = "run as a child process by each_adapter_reads_the_environments_endpoint_urls_as_the_sdk_does"]
async fn the_environments_endpoint_urls_as_this_process_reads_them() {
    let config = sdk_config(false, false, None, None).await;
    each_adapter_names_where_its_calls_go(&config, None, "the environment's endpoint URLs").await;
}
