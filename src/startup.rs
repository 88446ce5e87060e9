//! Start-up shared by the functions' mains: the one SDK configuration and WorkMail client of the
//! process, the organizations it may manage and the enforcement policy, all read once from the
//! environment; and the report of a failed start to Lambda.

use aws_config::BehaviorVersion;
use tracing::warn;

use crate::access::{AccessPolicy, InvalidAccessPolicy};
use crate::domain::{InvalidManagedList, ManagedOrganizations};
use crate::enforce::{EnforcementPolicy, Enforcer, InvalidPolicy};
use crate::http::{AccessControl, Api};
use crate::workmail::{SdkWorkMail, SettingsError, UpstreamSettings};

/// A setting that stops the function at start-up, before it touches anything.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error(transparent)]
    Upstream(#[from] SettingsError),
    #[error(transparent)]
    Managed(#[from] InvalidManagedList),
    #[error(transparent)]
    Policy(#[from] InvalidPolicy),
    #[error(transparent)]
    AccessPolicy(#[from] InvalidAccessPolicy),
    #[error("{0}")]
    Setting(String),
    #[error(
        "the enforcement policy names organizations outside MANAGED_ORGANIZATION_IDS (the role may not touch them): {}",
        .0.join(", ")
    )]
    PolicyOutsideManaged(Vec<String>),
}

/// The API function, from the environment.
pub async fn api_from_env() -> Result<Api<SdkWorkMail>, StartupError> {
    Ok(Api::new(workmail_from_env().await?, access_from_env()?))
}

/// What the API checks per request: `MANAGED_ORGANIZATION_IDS`, the access policy (`ACCESS_POLICY` or
/// `ACCESS_POLICY_FILE`; without one, per-caller authorization is off, and the logs say so) and
/// `REQUIRE_IF_MATCH`.
pub fn access_from_env() -> Result<AccessControl, StartupError> {
    let managed = managed_from_env()?;
    let policy = match document_from_env("ACCESS_POLICY", "ACCESS_POLICY_FILE")? {
        Some(text) => Some(AccessPolicy::parse(&text)?),
        None => {
            warn!(
                "ACCESS_POLICY is unset: per-caller authorization is off; only MANAGED_ORGANIZATION_IDS limits the organizations callers reach"
            );
            None
        }
    };
    let require_if_match = match std::env::var("REQUIRE_IF_MATCH").ok().as_deref() {
        None | Some("false") => false,
        Some("true") => true,
        Some(other) => {
            return Err(StartupError::Setting(format!(
                "REQUIRE_IF_MATCH must be true or false, not {other:?}"
            )));
        }
    };
    Ok(AccessControl {
        managed,
        policy,
        require_if_match,
    })
}

/// The enforcer function, from the environment: the policy (`ENFORCEMENT_POLICY` or
/// `ENFORCEMENT_POLICY_FILE`), which may name only managed organizations, and `ENFORCER_ROLE_ARN`.
pub async fn enforcer_from_env() -> Result<Enforcer<SdkWorkMail>, StartupError> {
    let policy = policy_from_env()?;
    let managed = managed_from_env()?;
    let outside: Vec<String> = policy
        .organizations
        .keys()
        .filter(|organization| !managed.includes(organization))
        .map(|organization| organization.as_str().to_owned())
        .collect();
    if !outside.is_empty() {
        return Err(StartupError::PolicyOutsideManaged(outside));
    }
    let own_role = std::env::var("ENFORCER_ROLE_ARN")
        .ok()
        .filter(|arn| !arn.is_empty());
    if own_role.is_none() {
        warn!(
            "ENFORCER_ROLE_ARN is unset: CloudTrail events of the enforcer's own changes will trigger a (harmless) re-check"
        );
    }
    Ok(Enforcer::new(workmail_from_env().await?, policy, own_role))
}

fn policy_from_env() -> Result<EnforcementPolicy, StartupError> {
    let text = document_from_env("ENFORCEMENT_POLICY", "ENFORCEMENT_POLICY_FILE")?.ok_or_else(|| {
        StartupError::Setting(
            "neither ENFORCEMENT_POLICY (the policy's JSON) nor ENFORCEMENT_POLICY_FILE (its path) is set".to_owned(),
        )
    })?;
    Ok(EnforcementPolicy::parse(&text)?)
}

/// A JSON document given either inline in `text_variable` or as a path in `file_variable`.
fn document_from_env(
    text_variable: &str,
    file_variable: &str,
) -> Result<Option<String>, StartupError> {
    match (
        std::env::var(text_variable).ok(),
        std::env::var(file_variable).ok(),
    ) {
        (Some(_), Some(_)) => Err(StartupError::Setting(format!(
            "set {text_variable} or {file_variable}, not both"
        ))),
        (Some(text), None) => Ok(Some(text)),
        (None, Some(path)) => std::fs::read_to_string(&path)
            .map(Some)
            .map_err(|error| StartupError::Setting(format!("{file_variable} {path}: {error}"))),
        (None, None) => Ok(None),
    }
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
