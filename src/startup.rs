//! Start-up shared by the functions' mains: the one SDK configuration of the process and the WorkMail
//! and WorkSpaces Web clients and write-lease store built from it, the organizations it may manage and the enforcement
//! policy, all read once from the environment; and the report of a failed start to Lambda.

pub mod endpoint_partitions;

use aws_config::SdkConfig;
use tracing::{info, warn};

use crate::access::{AccessPolicy, InvalidAccessPolicy};
use crate::domain::secure_browser::ResourceScope;
use crate::domain::{InvalidManagedList, ManagedOrganizations};
use crate::enforce::{EnforcementPolicy, Enforcer, InvalidPolicy};
use crate::http::{AccessControl, Api};
use crate::https::{EndpointLookups, RootsError, TrustedRoots, proxied};
use crate::lease::{DynamoDbLeases, InProcessLeases, LeaseSettings, LeaseStore};
use crate::workmail::{SdkWorkMail, SettingsError, UpstreamSettings};
use crate::workspaces_web::SdkWorkSpacesWeb;

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
    #[error(transparent)]
    Roots(#[from] RootsError),
    #[error(transparent)]
    EndpointPartitions(#[from] endpoint_partitions::InvalidPartitionTable),
    #[error("{0}")]
    Setting(String),
    #[error(
        "the enforcement policy names organizations outside the managed list (MANAGED_ORGANIZATIONS_FILE or MANAGED_ORGANIZATION_IDS; the role may not touch them): {}",
        .0.join(", ")
    )]
    PolicyOutsideManaged(Vec<String>),
}

/// The API function, from the environment.
pub async fn api_from_env() -> Result<Api<SdkWorkMail, SdkWorkSpacesWeb>, StartupError> {
    let access = access_from_env()?;
    let upstream = Upstream::from_env().await?;
    let leases = upstream.leases()?;
    announce(&leases);
    let local_scope = local_scope_from(|name| std::env::var(name).ok())?;
    Ok(Api::new(
        upstream.workmail(),
        upstream.workspaces_web(),
        leases,
        upstream.lease_settings(),
        access,
    )
    .with_local_scope(local_scope))
}

/// `LOCAL_FUNCTION_ARN`: the function ARN whose partition, region and account portal ARNs are built
/// from in local runs (the local server's requests carry none; `cargo lambda watch` invents one).
/// Only together with `WRITE_LOCK_IN_PROCESS=true` or outside Lambda, so that a deployed function
/// always names portals of its own account and region.
pub fn local_scope_from(
    lookup: impl Fn(&str) -> Option<String>,
) -> Result<Option<ResourceScope>, StartupError> {
    let lookup = |name: &str| lookup(name).filter(|value| !value.is_empty());
    let Some(arn) = lookup("LOCAL_FUNCTION_ARN") else {
        return Ok(None);
    };
    let local = lookup("AWS_LAMBDA_FUNCTION_NAME").is_none()
        || lookup("WRITE_LOCK_IN_PROCESS").as_deref() == Some("true");
    if !local {
        return Err(StartupError::Setting(
            "LOCAL_FUNCTION_ARN is for local runs only (with WRITE_LOCK_IN_PROCESS=true, or outside Lambda): a deployed function names portals of its own account and region".to_owned(),
        ));
    }
    let scope = ResourceScope::from_function_arn(&arn).map_err(|invalid| {
        StartupError::Setting(format!("LOCAL_FUNCTION_ARN {arn:?}: {}", invalid.message()))
    })?;
    warn!(
        localFunctionArn = %arn,
        "portal ARNs are built from LOCAL_FUNCTION_ARN, not from the invoked function's ARN (local runs only)"
    );
    Ok(Some(scope))
}

/// The process's one SDK configuration (region, credentials, endpoint overrides such as
/// `AWS_ENDPOINT_URL_WORKMAIL` and `AWS_ENDPOINT_URL_DYNAMODB`) and the WorkMail call settings;
/// every client of the functions is built from it (and, while it loads, the credential chain's STS
/// client where the chain needs one).
pub struct Upstream {
    sdk_config: SdkConfig,
    settings: UpstreamSettings,
}

impl Upstream {
    /// Reads the WorkMail settings and loads the AWS configuration from the environment.
    pub async fn from_env() -> Result<Self, StartupError> {
        let settings = UpstreamSettings::from_env()?;
        let roots = TrustedRoots::from_env(|name| std::env::var_os(name))?;
        roots.announce();
        // The region config_loader pins; without one, a named table is refused, as there is no
        // region to check it against before the configuration loads.
        let region = configured_region(|name| std::env::var(name).ok());
        let table = endpoint_partitions::check(|name| std::env::var(name).ok(), region.as_deref())?;
        let lookups = EndpointLookups::default();
        let sdk_config = config_loader(&roots, &lookups, |name| std::env::var(name).ok())
            .load()
            .await;
        let upstream = Self::new(sdk_config, settings, table)?;
        // Before the clients are built, so that the lookups run beside the rest of init.
        let env = |name: &str| std::env::var(name).ok();
        if proxied(env) {
            info!("the endpoints' names are not looked up early: the AWS calls go through a proxy");
        } else {
            lookups.start(upstream.endpoint_hosts(env).await);
        }
        Ok(upstream)
    }

    /// The hosts the functions' calls go to: WorkMail's, the lease table's DynamoDB where
    /// `WRITE_LOCK_TABLE` names one and the environment holds the credentials (DynamoDB's host
    /// depends on their account id; elsewhere it is known only once they are resolved), and
    /// WorkSpaces Web's.
    async fn endpoint_hosts(&self, lookup: impl Fn(&str) -> Option<String>) -> Vec<String> {
        let present = |name: &str| {
            lookup(name)
                .map(|value| value.trim().to_owned())
                .filter(|value| !value.is_empty())
        };
        let dynamodb = match present("WRITE_LOCK_TABLE") {
            Some(table) if credentials_in_environment(&lookup) => {
                DynamoDbLeases::endpoint_host(&self.sdk_config, &table, present("AWS_ACCOUNT_ID"))
                    .await
            }
            _ => None,
        };
        [
            SdkWorkMail::endpoint_host(&self.sdk_config).await,
            dynamodb,
            SdkWorkSpacesWeb::endpoint_host(&self.sdk_config).await,
        ]
        .into_iter()
        .flatten()
        .collect()
    }

    /// The upstream on `sdk_config`, whose clients read the endpoint table `table` was checked for,
    /// which must be the configuration's region's.
    pub fn new(
        sdk_config: SdkConfig,
        settings: UpstreamSettings,
        table: endpoint_partitions::CheckedEndpointTable,
    ) -> Result<Self, StartupError> {
        table.admits(sdk_config.region().map(|region| region.as_ref()))?;
        Ok(Self {
            sdk_config,
            settings,
        })
    }

    pub fn workmail(&self) -> SdkWorkMail {
        SdkWorkMail::new(&self.sdk_config, &self.settings)
    }

    /// The WorkSpaces Web client, on the same configuration and call settings.
    pub fn workspaces_web(&self) -> SdkWorkSpacesWeb {
        SdkWorkSpacesWeb::new(&self.sdk_config, &self.settings)
    }

    /// Leases that outlive a WorkMail write.
    pub fn lease_settings(&self) -> LeaseSettings {
        LeaseSettings::for_operation_timeout(self.settings.operation_timeout)
    }

    /// The write-lease store: the DynamoDB table `WRITE_LOCK_TABLE`; or, only where asked for
    /// (`WRITE_LOCK_IN_PROCESS=true`, for `cargo lambda watch` and `sam local invoke`) or outside
    /// Lambda, a lease within this process. In Lambda without either, the function does not start.
    pub fn leases(&self) -> Result<LeaseStore, StartupError> {
        leases_from(&self.sdk_config, |name| {
            std::env::var(name).ok().filter(|value| !value.is_empty())
        })
    }
}

/// The AWS configuration's loader on these roots. Where the environment names the region and
/// the credentials (as Lambda's does, and `sam local invoke`'s and `cargo lambda watch`'s), they are
/// taken from it directly: the default chains would find the same ones first, and building the
/// chains' other sources (profile files, web identity with its STS client, the instance metadata
/// service) at every cold start costs more than the rest of the configuration together.
pub fn config_loader(
    roots: &TrustedRoots,
    lookups: &EndpointLookups,
    lookup: impl Fn(&str) -> Option<String>,
) -> aws_config::ConfigLoader {
    let mut loader = roots.config_loader(lookups);
    if let Some(region) = configured_region(&lookup) {
        loader = loader.region(aws_config::Region::new(region));
    }
    if credentials_in_environment(&lookup) {
        loader = loader.credentials_provider(
            aws_config::environment::EnvironmentVariableCredentialsProvider::new(),
        );
    }
    loader
}

/// Whether the environment holds the credentials, which [`config_loader`] then takes from it (with
/// `AWS_ACCOUNT_ID`, as the environment provider reads it). Whitespace-only keys are no keys to the
/// environment provider; the chains then look further.
fn credentials_in_environment(lookup: impl Fn(&str) -> Option<String>) -> bool {
    let key = |name: &str| lookup(name).is_some_and(|value| !value.trim().is_empty());
    key("AWS_ACCESS_KEY_ID") && key("AWS_SECRET_ACCESS_KEY")
}

/// The region [`config_loader`] pins: `AWS_REGION`, where it is set and not empty (else the default
/// chain's, found as the configuration loads).
pub fn configured_region(lookup: impl Fn(&str) -> Option<String>) -> Option<String> {
    lookup("AWS_REGION").filter(|region| !region.is_empty())
}

fn leases_from(
    sdk_config: &SdkConfig,
    lookup: impl Fn(&str) -> Option<String>,
) -> Result<LeaseStore, StartupError> {
    let lookup = |name: &str| lookup(name).filter(|value| !value.is_empty());
    let in_lambda = lookup("AWS_LAMBDA_FUNCTION_NAME").is_some();
    let in_process = match lookup("WRITE_LOCK_IN_PROCESS").as_deref() {
        None | Some("false") => false,
        Some("true") => true,
        Some(other) => {
            return Err(StartupError::Setting(format!(
                "WRITE_LOCK_IN_PROCESS must be true or false, not {other:?}"
            )));
        }
    };
    match (lookup("WRITE_LOCK_TABLE"), in_process) {
        (Some(_), true) => Err(StartupError::Setting(
            "set WRITE_LOCK_TABLE (the lease table) or WRITE_LOCK_IN_PROCESS=true (local runs), not both".to_owned(),
        )),
        (Some(table), false) => {
            if !valid_table_name(&table) {
                return Err(StartupError::Setting(format!(
                    "WRITE_LOCK_TABLE {table:?} is not a DynamoDB table name (3 to 255 of A-Z a-z 0-9 _ - .)"
                )));
            }
            Ok(LeaseStore::DynamoDb(DynamoDbLeases::new(sdk_config, table)))
        }
        (None, true) => Ok(LeaseStore::InProcess(InProcessLeases::new())),
        (None, false) if in_lambda => Err(StartupError::Setting(
            "WRITE_LOCK_TABLE is not set: in Lambda, writes need the shared lease table so that two instances never write one organization at once (for cargo lambda watch or sam local invoke, set WRITE_LOCK_IN_PROCESS=true)".to_owned(),
        )),
        (None, false) => Ok(LeaseStore::InProcess(InProcessLeases::new())),
    }
}

/// Says in the function's logs which lease store it writes under.
fn announce(leases: &LeaseStore) {
    match leases {
        LeaseStore::DynamoDb(_) => info!(leases = %leases.describe(), "write leases"),
        LeaseStore::InProcess(_) => warn!(
            leases = %leases.describe(),
            "write leases are held in this process only (WRITE_LOCK_IN_PROCESS=true or not in Lambda): two instances of the function could write one organization at once, and a portal ETag holds only in the process that made it. For local runs only; deployed functions use WRITE_LOCK_TABLE"
        ),
    }
}

fn valid_table_name(name: &str) -> bool {
    (3..=255).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
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
                "ACCESS_POLICY is unset: per-caller authorization is off; only the managed list limits the organizations callers reach"
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
/// `ENFORCEMENT_POLICY_FILE`), which may name only managed organizations, `ENFORCER_ROLE_ARN`, and
/// `LOCAL_FUNCTION_ARN` (local runs: where the policy's portals are).
pub async fn enforcer_from_env() -> Result<Enforcer<SdkWorkMail, SdkWorkSpacesWeb>, StartupError> {
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
    let local_scope = local_scope_from(|name| std::env::var(name).ok())?;
    let upstream = Upstream::from_env().await?;
    let leases = upstream.leases()?;
    announce(&leases);
    Ok(Enforcer::new(
        upstream.workmail(),
        leases,
        upstream.lease_settings(),
        policy,
        own_role,
    )
    .with_portals(upstream.workspaces_web(), local_scope))
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

/// Reads the managed list: the file at `MANAGED_ORGANIZATIONS_FILE` (deployments: thousands of ids, no
/// environment size limit) or `MANAGED_ORGANIZATION_IDS` (local runs and small setups), never both;
/// says so in the logs when every organization is allowed.
pub fn managed_from_env() -> Result<ManagedOrganizations, StartupError> {
    let listed = std::env::var("MANAGED_ORGANIZATION_IDS").ok();
    let managed = match (std::env::var("MANAGED_ORGANIZATIONS_FILE").ok(), listed) {
        (Some(_), Some(_)) => {
            return Err(StartupError::Setting(
                "set MANAGED_ORGANIZATIONS_FILE (the managed-list file) or MANAGED_ORGANIZATION_IDS (a comma-separated list), not both".to_owned(),
            ));
        }
        (Some(path), None) => {
            let text = std::fs::read_to_string(&path).map_err(|error| {
                StartupError::Setting(format!("MANAGED_ORGANIZATIONS_FILE {path}: {error}"))
            })?;
            ManagedOrganizations::parse_file(&text)?
        }
        (None, listed) => ManagedOrganizations::parse(listed.as_deref())?,
    };
    match managed.count() {
        Some(organizations) => info!(organizations, "managed organizations"),
        None => warn!(
            "MANAGED_ORGANIZATIONS_FILE and MANAGED_ORGANIZATION_IDS are unset (or the latter is '*'): every organization the role can reach may be managed"
        ),
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

#[cfg(test)]
mod tests {
    use super::*;

    fn choose(pairs: &[(&str, &str)]) -> Result<LeaseStore, StartupError> {
        let config = SdkConfig::builder().build();
        leases_from(&config, |name| {
            pairs
                .iter()
                .find(|(key, _)| *key == name)
                .map(|(_, value)| (*value).to_owned())
        })
    }

    #[test]
    fn lambda_needs_the_lease_table_or_the_explicit_local_setting() {
        let in_lambda = ("AWS_LAMBDA_FUNCTION_NAME", "idp-gateway-api");
        let refused = choose(&[in_lambda]).expect_err("no lease store in Lambda");
        assert!(
            refused.to_string().contains("WRITE_LOCK_TABLE"),
            "{refused}"
        );
        assert!(matches!(
            choose(&[in_lambda, ("WRITE_LOCK_TABLE", "idp-gateway-write-locks")]),
            Ok(LeaseStore::DynamoDb(_))
        ));
        assert!(matches!(
            choose(&[in_lambda, ("WRITE_LOCK_IN_PROCESS", "true")]),
            Ok(LeaseStore::InProcess(_))
        ));
        assert!(matches!(choose(&[]), Ok(LeaseStore::InProcess(_))));
    }

    #[test]
    fn contradictory_or_malformed_lease_settings_are_refused() {
        for pairs in [
            &[
                ("WRITE_LOCK_TABLE", "locks"),
                ("WRITE_LOCK_IN_PROCESS", "true"),
            ][..],
            &[("WRITE_LOCK_IN_PROCESS", "yes")][..],
            &[("WRITE_LOCK_TABLE", "no spaces allowed")][..],
            &[("WRITE_LOCK_TABLE", "ab")][..],
        ] {
            assert!(choose(pairs).is_err(), "{pairs:?}");
        }
    }
}
