//! `SdkWorkSpacesWeb`: the portal identity-provider ports over the AWS SDK client (one per process,
//! built from the shared `SdkConfig`), translating domain types to WorkSpaces Web's string map and
//! its answers back through the domain's strict reading.

use aws_config::SdkConfig;
use aws_sdk_workspacesweb::Client;
use aws_sdk_workspacesweb::types::IdentityProviderType;

use super::{
    BrowserOperation, PortalProviderRemoval, PortalProviderStore, SecureBrowserError,
    SecureBrowserErrorKind, StoredContent, StoredProvider,
};
use crate::domain::secure_browser::{
    IdentityProvider, IdentityProviderArn, PortalArn, WireProvider, read_stored,
};
use crate::domain::{IdempotencyKey, Timestamp};
use crate::https::endpoint_host;
use crate::workmail::UpstreamSettings;

/// The WorkSpaces Web client, built once at start-up and shared by every invocation.
#[derive(Debug, Clone)]
pub struct SdkWorkSpacesWeb {
    client: Client,
}

impl SdkWorkSpacesWeb {
    /// A client for `sdk_config` (region, credentials, and any endpoint override from
    /// `AWS_ENDPOINT_URL_WORKSPACES_WEB` / `AWS_ENDPOINT_URL`), with the timeouts and retries of
    /// `settings`.
    pub fn new(sdk_config: &SdkConfig, settings: &UpstreamSettings) -> Self {
        let config = aws_sdk_workspacesweb::config::Builder::from(sdk_config)
            .timeout_config(settings.timeout_config())
            .retry_config(settings.retry_config())
            .build();
        Self {
            client: Client::from_conf(config),
        }
    }

    /// The host a client built from `sdk_config` sends its calls to, as WorkSpaces Web's endpoint
    /// rules resolve it; none where they refuse the settings.
    pub async fn endpoint_host(sdk_config: &SdkConfig) -> Option<String> {
        endpoint_host!(aws_sdk_workspacesweb, sdk_config, "WorkSpaces Web")
    }

    async fn get(
        &self,
        arn: IdentityProviderArn,
    ) -> Result<Option<StoredProvider>, SecureBrowserError> {
        let operation = BrowserOperation::GetIdentityProvider;
        let answer = self
            .client
            .get_identity_provider()
            .identity_provider_arn(arn.as_str())
            .send()
            .await;
        let output = match answer {
            Ok(output) => output,
            // Listed a moment ago and removed since: the portal has none now.
            Err(error) => {
                let error = SecureBrowserError::from_sdk(operation, error);
                return if error.kind == SecureBrowserErrorKind::NotFound {
                    Ok(None)
                } else {
                    Err(error)
                };
            }
        };
        let Some(provider) = output.identity_provider() else {
            return Err(SecureBrowserError::unexpected_answer(
                operation,
                "GetIdentityProvider answered without an identityProvider",
            ));
        };
        let (Some(name), Some(provider_type)) = (
            provider.identity_provider_name(),
            provider.identity_provider_type(),
        ) else {
            return Err(SecureBrowserError::unexpected_answer(
                operation,
                "GetIdentityProvider answered without the provider's name or type",
            ));
        };
        let wire = WireProvider {
            name: name.to_owned(),
            provider_type: provider_type.as_str().to_owned(),
            details: provider
                .identity_provider_details()
                .map(|details| {
                    details
                        .iter()
                        .map(|(key, value)| (key.clone(), value.clone()))
                        .collect()
                })
                .unwrap_or_default(),
        };
        let content = match read_stored(&wire, Timestamp::now()) {
            Ok(provider) => StoredContent::Known(provider),
            Err(reason) => StoredContent::Unrecognized { reason, wire },
        };
        Ok(Some(StoredProvider { arn, content }))
    }
}

impl PortalProviderStore for SdkWorkSpacesWeb {
    async fn find(&self, portal: &PortalArn) -> Result<Option<StoredProvider>, SecureBrowserError> {
        let operation = BrowserOperation::ListIdentityProviders;
        let output = self
            .client
            .list_identity_providers()
            .portal_arn(portal.as_str())
            .send()
            .await
            .map_err(|error| SecureBrowserError::from_sdk(operation, error))?;
        let listed = output.identity_providers();
        let arn = match listed {
            [] => return Ok(None),
            [only] => {
                IdentityProviderArn::parse(only.identity_provider_arn()).map_err(|invalid| {
                    SecureBrowserError::unexpected_answer(
                        operation,
                        format!(
                            "the listed identity-provider ARN is outside the model: {}",
                            invalid.message()
                        ),
                    )
                })?
            }
            _ => {
                return Err(SecureBrowserError::unexpected_answer(
                    operation,
                    format!(
                        "the portal lists {} identity providers; WorkSpaces Web allows one",
                        listed.len()
                    ),
                ));
            }
        };
        self.get(arn).await
    }

    async fn create(
        &self,
        portal: &PortalArn,
        provider: &IdentityProvider,
        key: Option<&IdempotencyKey>,
    ) -> Result<IdentityProviderArn, SecureBrowserError> {
        let operation = BrowserOperation::CreateIdentityProvider;
        let wire = provider.to_wire();
        let secrets = secret_values(&wire);
        let output = self
            .client
            .create_identity_provider()
            .portal_arn(portal.as_str())
            .identity_provider_name(wire.name)
            .identity_provider_type(IdentityProviderType::from(wire.provider_type.as_str()))
            .set_identity_provider_details(Some(wire.details.into_iter().collect()))
            .set_client_token(key.map(|key| key.as_str().to_owned()))
            .send()
            .await
            .map_err(|error| {
                without_secrets(SecureBrowserError::from_sdk(operation, error), &secrets)
            })?;
        IdentityProviderArn::parse(output.identity_provider_arn()).map_err(|invalid| {
            SecureBrowserError::unexpected_answer(
                operation,
                format!(
                    "the new identity-provider ARN is outside the model: {}",
                    invalid.message()
                ),
            )
        })
    }

    async fn update(
        &self,
        arn: &IdentityProviderArn,
        provider: &IdentityProvider,
        key: Option<&IdempotencyKey>,
    ) -> Result<(), SecureBrowserError> {
        let wire = provider.to_wire();
        let secrets = secret_values(&wire);
        self.client
            .update_identity_provider()
            .identity_provider_arn(arn.as_str())
            .identity_provider_name(wire.name)
            .identity_provider_type(IdentityProviderType::from(wire.provider_type.as_str()))
            .set_identity_provider_details(Some(wire.details.into_iter().collect()))
            .set_client_token(key.map(|key| key.as_str().to_owned()))
            .send()
            .await
            .map(drop)
            .map_err(|error| {
                without_secrets(
                    SecureBrowserError::from_sdk(BrowserOperation::UpdateIdentityProvider, error),
                    &secrets,
                )
            })
    }
}

impl PortalProviderRemoval for SdkWorkSpacesWeb {
    async fn delete(&self, arn: &IdentityProviderArn) -> Result<(), SecureBrowserError> {
        self.client
            .delete_identity_provider()
            .identity_provider_arn(arn.as_str())
            .send()
            .await
            .map(drop)
            .map_err(|error| {
                SecureBrowserError::from_sdk(BrowserOperation::DeleteIdentityProvider, error)
            })
    }
}

/// What to cut out of upstream messages for the secrets a request sends (client secret, private
/// key): each whole value, and each of its lines and words of 8 characters or more (a service may
/// echo one line of a PEM key), longest first.
fn secret_values(wire: &WireProvider) -> Vec<String> {
    let mut pieces: Vec<String> = ["client_secret", "private_key"]
        .iter()
        .filter_map(|key| wire.details.get(*key))
        .flat_map(|value| {
            std::iter::once(value.clone()).chain(
                value
                    .split_whitespace()
                    .filter(|piece| piece.len() >= 8 && !piece.starts_with("-----"))
                    .map(str::to_owned),
            )
        })
        .filter(|piece| !piece.is_empty())
        .collect();
    pieces.sort_by_key(|piece| std::cmp::Reverse(piece.len()));
    pieces.dedup();
    pieces
}

/// `error` with every secret the request sent cut out of WorkSpaces Web's messages: they reach the
/// logs and the caller's problem, and a service that echoed a value must not make them a leak.
fn without_secrets(mut error: SecureBrowserError, secrets: &[String]) -> SecureBrowserError {
    let scrub = |text: &mut String| {
        for secret in secrets {
            if text.contains(secret.as_str()) {
                *text = text.replace(secret.as_str(), "<secret>");
            }
        }
    };
    scrub(&mut error.message);
    for field in &mut error.fields {
        scrub(&mut field.name);
        scrub(&mut field.message);
    }
    error
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::workspaces_web::{SecureBrowserErrorKind, UpstreamField};

    #[test]
    fn echoed_secrets_are_cut_out_of_upstream_messages() {
        let wire = WireProvider {
            name: "Corp".to_owned(),
            provider_type: "OIDC".to_owned(),
            details: BTreeMap::from([
                ("client_id".to_owned(), "id".to_owned()),
                ("client_secret".to_owned(), "hunter2-secret".to_owned()),
            ]),
        };
        let mut error = SecureBrowserError::unexpected_answer(
            BrowserOperation::UpdateIdentityProvider,
            "Value 'hunter2-secret' at 'client_secret' is invalid",
        );
        error.kind = SecureBrowserErrorKind::Validation;
        error.fields.push(UpstreamField {
            name: "identityProviderDetails.client_secret[hunter2-secret]".to_owned(),
            message: "hunter2-secret is not accepted".to_owned(),
        });
        let scrubbed = without_secrets(error, &secret_values(&wire));
        assert_eq!(
            scrubbed.message,
            "Value '<secret>' at 'client_secret' is invalid"
        );
        assert_eq!(
            scrubbed.fields[0].name,
            "identityProviderDetails.client_secret[<secret>]"
        );
        assert_eq!(scrubbed.fields[0].message, "<secret> is not accepted");
    }
}
