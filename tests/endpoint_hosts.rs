//! The host each adapter names for its early DNS lookup is the host its client's calls go to: for
//! WorkMail, DynamoDB and WorkSpaces Web, with the default endpoints, FIPS, dual-stack and an
//! endpoint URL set in code. Each call is stopped by an interceptor just before it would be sent,
//! after the SDK resolved its endpoint, and the host it was to be sent to is compared.

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

async fn sdk_config(use_fips: bool, use_dual_stack: bool, endpoint: Option<&str>) -> SdkConfig {
    let mut loader = TrustedRoots::from_env(|_| None)
        .expect("roots")
        .config_loader(&EndpointLookups::default())
        .region(aws_config::Region::new("us-east-1"))
        .use_fips(use_fips)
        .use_dual_stack(use_dual_stack)
        .credentials_provider(Credentials::new("AKIDTEST", "secret", None, None, "tests"));
    if let Some(endpoint) = endpoint {
        loader = loader.endpoint_url(endpoint);
    }
    loader.load().await
}

#[tokio::test]
async fn each_adapter_looks_up_the_host_its_calls_go_to() {
    for (label, use_fips, use_dual_stack, endpoint) in settings() {
        let config = sdk_config(use_fips, use_dual_stack, endpoint).await;

        let sent = SentTo::default();
        let workmail = aws_sdk_workmail::Client::from_conf(
            aws_sdk_workmail::config::Builder::from(&config)
                .interceptor(sent.clone())
                .build(),
        );
        let _ = workmail
            .describe_identity_provider_configuration()
            .organization_id("m-0123456789abcdef0123456789abcdef")
            .send()
            .await;
        let named = SdkWorkMail::endpoint_host(&config).await;
        assert_eq!(named, sent.host(), "WorkMail, {label}");
        assert!(named.is_some(), "WorkMail, {label}: no host");

        let sent = SentTo::default();
        let dynamodb = aws_sdk_dynamodb::Client::from_conf(
            aws_sdk_dynamodb::config::Builder::from(&config)
                .interceptor(sent.clone())
                .build(),
        );
        let _ = dynamodb
            .get_item()
            .table_name("idp-gateway-write-locks")
            .key("pk", AttributeValue::S("workmail#m-0".to_owned()))
            .send()
            .await;
        let named = DynamoDbLeases::endpoint_host(&config).await;
        assert_eq!(named, sent.host(), "DynamoDB, {label}");
        assert!(named.is_some(), "DynamoDB, {label}: no host");

        let sent = SentTo::default();
        let portals = aws_sdk_workspacesweb::Client::from_conf(
            aws_sdk_workspacesweb::config::Builder::from(&config)
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
        let named = SdkWorkSpacesWeb::endpoint_host(&config).await;
        assert_eq!(named, sent.host(), "WorkSpaces Web, {label}");
        assert!(named.is_some(), "WorkSpaces Web, {label}: no host");
    }
}
