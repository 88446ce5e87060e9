//! What the API does, in domain terms: read, replace, merge-patch and remove an organization's
//! identity-provider configuration through the `IdentityProviderStore` port.

use serde_json::Value;
use tracing::warn;

use crate::domain::{
    ConfigurationDocument, IdentityProviderConfiguration, OrganizationId, Problems, merge_patch,
    parse_configuration,
};
use crate::workmail::{IdentityProviderRemoval, IdentityProviderStore, WorkMailError};

/// Why a use case did not complete.
#[derive(Debug, thiserror::Error)]
pub enum UseCaseError {
    #[error("the organization has no identity-provider configuration")]
    NotConfigured,
    #[error("the resulting configuration is invalid: {0}")]
    Invalid(Problems),
    #[error(transparent)]
    Upstream(#[from] WorkMailError),
}

/// The current configuration.
pub async fn read(
    store: &impl IdentityProviderStore,
    organization: &OrganizationId,
) -> Result<IdentityProviderConfiguration, UseCaseError> {
    store
        .describe(organization)
        .await?
        .ok_or(UseCaseError::NotConfigured)
}

/// Replaces the configuration and answers what WorkMail then reports as stored.
pub async fn replace(
    store: &impl IdentityProviderStore,
    organization: &OrganizationId,
    configuration: IdentityProviderConfiguration,
) -> Result<IdentityProviderConfiguration, UseCaseError> {
    store.put(organization, &configuration).await?;
    Ok(read_back(store, organization, configuration).await)
}

/// Applies an RFC 7396 merge patch to the current configuration (an empty document when there is
/// none), validates the result as a whole and writes it.
pub async fn patch(
    store: &impl IdentityProviderStore,
    organization: &OrganizationId,
    merge: &Value,
) -> Result<IdentityProviderConfiguration, UseCaseError> {
    let mut document = match store.describe(organization).await? {
        Some(current) => ConfigurationDocument::new(organization, &current).to_value(),
        None => Value::Object(serde_json::Map::new()),
    };
    merge_patch(&mut document, merge);
    let configuration =
        parse_configuration(&document, organization).map_err(UseCaseError::Invalid)?;
    replace(store, organization, configuration).await
}

/// Removes the integration.
pub async fn remove(
    store: &impl IdentityProviderRemoval,
    organization: &OrganizationId,
) -> Result<(), UseCaseError> {
    Ok(store.delete(organization).await?)
}

/// Describes after a write. The write has happened either way, so a failed or empty read answers with
/// what was written (and says so in the logs) instead of turning a success into an error.
async fn read_back(
    store: &impl IdentityProviderStore,
    organization: &OrganizationId,
    written: IdentityProviderConfiguration,
) -> IdentityProviderConfiguration {
    match store.describe(organization).await {
        Ok(Some(stored)) => stored,
        Ok(None) => {
            warn!(organization = %organization, "Describe after Put found no configuration; answering with what was written");
            written
        }
        Err(error) => {
            warn!(organization = %organization, %error, "Describe after Put failed; answering with what was written");
            written
        }
    }
}
