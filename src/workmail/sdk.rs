//! `SdkWorkMail`: the `IdentityProviderStore` port over the AWS SDK client, translating domain types to
//! the SDK's and WorkMail's answers back, refusing any answer the model would not allow.

use aws_config::SdkConfig;
use aws_sdk_workmail::Client;
use aws_sdk_workmail::operation::describe_identity_provider_configuration::DescribeIdentityProviderConfigurationOutput;
use aws_sdk_workmail::types::{
    IdentityCenterConfiguration, IdentityProviderAuthenticationMode,
    PersonalAccessTokenConfiguration, PersonalAccessTokenConfigurationStatus,
};

use super::{
    IdentityProviderRemoval, IdentityProviderStore, Operation, UpstreamSettings, WorkMailError,
    WorkMailErrorKind,
};
use crate::domain::{
    ApplicationArn, AuthenticationMode, IdentityCenter, IdentityProviderConfiguration, InstanceArn,
    OrganizationId, PersonalAccessTokens, TokenLifetime, TokenStatus, UnrecognizedConfiguration,
};
use crate::https::endpoint_host;

/// The WorkMail client, built once at start-up and shared by every invocation.
#[derive(Debug, Clone)]
pub struct SdkWorkMail {
    /// Shared with the directory adapter (`directory_sdk.rs`): one WorkMail client per process.
    pub(super) client: Client,
}

impl SdkWorkMail {
    /// A client for `sdk_config` (which carries region, credentials and any endpoint override from
    /// `AWS_ENDPOINT_URL_WORKMAIL` / `AWS_ENDPOINT_URL`), with the timeouts and retries of `settings`.
    pub fn new(sdk_config: &SdkConfig, settings: &UpstreamSettings) -> Self {
        let config = aws_sdk_workmail::config::Builder::from(sdk_config)
            .timeout_config(settings.timeout_config())
            .retry_config(settings.retry_config())
            .build();
        Self {
            client: Client::from_conf(config),
        }
    }

    /// The host a client built from `sdk_config` sends its calls to, as WorkMail's endpoint rules
    /// resolve it; none where they refuse the settings.
    pub async fn endpoint_host(sdk_config: &SdkConfig) -> Option<String> {
        endpoint_host!(aws_sdk_workmail, sdk_config, "WorkMail")
    }
}

impl IdentityProviderStore for SdkWorkMail {
    async fn describe(
        &self,
        organization: &OrganizationId,
    ) -> Result<Option<IdentityProviderConfiguration>, WorkMailError> {
        let answer = self
            .client
            .describe_identity_provider_configuration()
            .organization_id(organization.as_str())
            .send()
            .await;
        match answer {
            Ok(output) => configuration_from(&output),
            Err(error) => {
                let error = WorkMailError::from_sdk(Operation::Describe, error);
                if error.kind == WorkMailErrorKind::ResourceNotFound {
                    Ok(None)
                } else {
                    Err(error)
                }
            }
        }
    }

    async fn put(
        &self,
        organization: &OrganizationId,
        configuration: &IdentityProviderConfiguration,
    ) -> Result<(), WorkMailError> {
        let identity_center = IdentityCenterConfiguration::builder()
            .instance_arn(configuration.identity_center.instance_arn().as_str())
            .application_arn(configuration.identity_center.application_arn().as_str())
            .build()
            .map_err(|e| WorkMailError::unexpected_answer(Operation::Put, e.to_string()))?;
        let tokens = configuration.personal_access_tokens;
        let tokens = PersonalAccessTokenConfiguration::builder()
            .status(PersonalAccessTokenConfigurationStatus::from(
                tokens.status.as_str(),
            ))
            .set_lifetime_in_days(tokens.lifetime.map(|lifetime| i32::from(lifetime.days())))
            .build()
            .map_err(|e| WorkMailError::unexpected_answer(Operation::Put, e.to_string()))?;
        self.client
            .put_identity_provider_configuration()
            .organization_id(organization.as_str())
            .authentication_mode(IdentityProviderAuthenticationMode::from(
                configuration.authentication_mode.as_str(),
            ))
            .identity_center_configuration(identity_center)
            .personal_access_token_configuration(tokens)
            .send()
            .await
            .map(drop)
            .map_err(|error| WorkMailError::from_sdk(Operation::Put, error))
    }
}

impl IdentityProviderRemoval for SdkWorkMail {
    async fn delete(&self, organization: &OrganizationId) -> Result<(), WorkMailError> {
        self.client
            .delete_identity_provider_configuration()
            .organization_id(organization.as_str())
            .send()
            .await
            .map(drop)
            .map_err(|error| WorkMailError::from_sdk(Operation::Delete, error))
    }
}

/// Reads Describe's answer: nothing at all means "not configured"; anything partial or outside the
/// model is an unexpected answer rather than a guess.
fn configuration_from(
    output: &DescribeIdentityProviderConfigurationOutput,
) -> Result<Option<IdentityProviderConfiguration>, WorkMailError> {
    let unexpected = |what: String| WorkMailError::unexpected_answer(Operation::Describe, what);
    let (mode, identity_center, tokens) = match (
        output.authentication_mode(),
        output.identity_center_configuration(),
        output.personal_access_token_configuration(),
    ) {
        (None, None, None) => return Ok(None),
        (Some(mode), Some(identity_center), Some(tokens)) => (mode, identity_center, tokens),
        _ => {
            return Err(unexpected(
                "WorkMail answered with a partial identity-provider configuration".to_owned(),
            ));
        }
    };
    let mut problems = Vec::new();
    let mut field = |name: &str, error: crate::domain::InvalidValue| {
        problems.push(format!("{name} {error}"));
    };
    let authentication_mode = AuthenticationMode::parse(mode.as_str())
        .map_err(|e| field("AuthenticationMode", e))
        .ok();
    let instance_arn = InstanceArn::parse(identity_center.instance_arn())
        .map_err(|e| field("InstanceArn", e))
        .ok();
    let application_arn = ApplicationArn::parse(identity_center.application_arn())
        .map_err(|e| field("ApplicationArn", e))
        .ok();
    let status = TokenStatus::parse(tokens.status().as_str())
        .map_err(|e| field("Status", e))
        .ok();
    let lifetime = tokens
        .lifetime_in_days()
        .map(|days| TokenLifetime::parse(i64::from(days)))
        .transpose()
        .map_err(|e| field("LifetimeInDays", e))
        .ok();
    let linked = match (instance_arn, application_arn) {
        (Some(instance), Some(application)) => IdentityCenter::new(instance, application)
            .map_err(|mismatches| {
                problems.push(format!(
                    "IdentityCenterConfiguration is inconsistent: {mismatches:?}"
                ));
            })
            .ok(),
        _ => None,
    };
    let (Some(authentication_mode), Some(identity_center), Some(status), Some(lifetime)) =
        (authentication_mode, linked, status, lifetime)
    else {
        return Err(WorkMailError::outside_model(UnrecognizedConfiguration {
            authentication_mode: mode.as_str().to_owned(),
            instance_arn: identity_center.instance_arn().to_owned(),
            application_arn: identity_center.application_arn().to_owned(),
            token_status: tokens.status().as_str().to_owned(),
            lifetime_in_days: tokens.lifetime_in_days().map(i64::from),
            problems,
        }));
    };
    Ok(Some(IdentityProviderConfiguration {
        authentication_mode,
        identity_center,
        personal_access_tokens: PersonalAccessTokens { status, lifetime },
    }))
}
