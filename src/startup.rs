//! Start-up shared by the functions' mains: the one SDK configuration and WorkMail client of the process.

use aws_config::BehaviorVersion;

use crate::workmail::{SdkWorkMail, SettingsError, UpstreamSettings};

/// Loads the AWS configuration from the environment (region, credentials, and `AWS_ENDPOINT_URL_WORKMAIL`
/// or `AWS_ENDPOINT_URL` for another endpoint) and builds the WorkMail client once.
pub async fn workmail_from_env() -> Result<SdkWorkMail, SettingsError> {
    let settings = UpstreamSettings::from_env()?;
    let sdk_config = aws_config::defaults(BehaviorVersion::latest()).load().await;
    Ok(SdkWorkMail::new(&sdk_config, &settings))
}
