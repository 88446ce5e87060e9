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
