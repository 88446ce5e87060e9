//! Start-up shared by the functions' mains: the one SDK configuration and WorkMail client of the
//! process, and the list of organizations it may manage, all read once from the environment.

use aws_config::BehaviorVersion;
use tracing::warn;

use crate::domain::{InvalidManagedList, ManagedOrganizations};
use crate::workmail::{SdkWorkMail, SettingsError, UpstreamSettings};

/// A setting that stops the function at start-up, before it touches anything.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error(transparent)]
    Upstream(#[from] SettingsError),
    #[error(transparent)]
    Managed(#[from] InvalidManagedList),
}

/// Loads the AWS configuration from the environment (region, credentials, and `AWS_ENDPOINT_URL_WORKMAIL`
/// or `AWS_ENDPOINT_URL` for another endpoint) and builds the WorkMail client once.
pub async fn workmail_from_env() -> Result<SdkWorkMail, StartupError> {
    let settings = UpstreamSettings::from_env()?;
    let sdk_config = aws_config::defaults(BehaviorVersion::latest()).load().await;
    Ok(SdkWorkMail::new(&sdk_config, &settings))
}

/// Reads `MANAGED_ORGANIZATION_IDS`; says so in the logs when every organization is allowed.
pub fn managed_from_env() -> Result<ManagedOrganizations, StartupError> {
    let managed =
        ManagedOrganizations::parse(std::env::var("MANAGED_ORGANIZATION_IDS").ok().as_deref())?;
    if managed == ManagedOrganizations::Any {
        warn!(
            "MANAGED_ORGANIZATION_IDS is unset or '*': every organization the role can reach may be managed"
        );
    }
    Ok(managed)
}

/// Says why start-up failed, in the logs and to Lambda's `/runtime/init/error` (so the console and
/// the invoker see the reason, not just an exit status), and hands the error back for `main` to return.
pub async fn report_init_error(error: StartupError) -> lambda_runtime::Error {
    tracing::error!(%error, "start-up failed");
    if let Some(client) = runtime_api_client() {
        let body = serde_json::json!({ "errorType": "Runtime.InvalidSettings", "errorMessage": error.to_string() });
        let request = lambda_runtime_api_client::build_request()
            .method("POST")
            .uri("/2018-06-01/runtime/init/error")
            .header(
                "lambda-runtime-function-error-type",
                "Runtime.InvalidSettings",
            )
            .header("content-type", "application/json")
            .body(lambda_runtime_api_client::body::Body::from(
                body.to_string(),
            ));
        match request {
            Ok(request) => {
                if let Err(failure) = client.call(request).await {
                    warn!(%failure, "could not report the start-up failure to the Runtime API");
                }
            }
            Err(failure) => warn!(%failure, "could not build the init error report"),
        }
    }
    error.into()
}

fn runtime_api_client() -> Option<lambda_runtime_api_client::PooledClient> {
    let address = std::env::var("AWS_LAMBDA_RUNTIME_API").ok()?;
    let endpoint = lambda_http::http::Uri::try_from(address).ok()?;
    Some(
        lambda_runtime_api_client::PooledClient::builder()
            .with_endpoint(endpoint)
            .build(),
    )
}
