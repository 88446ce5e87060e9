//! What the API does, in domain terms: read an organization's identity-provider configuration, work
//! out what a replace, merge patch or removal would make of it (`prepare`), and write that (`apply`).

use serde_json::Value;
use tracing::warn;

use crate::domain::{
    Change, ConfigurationDocument, IdentityProviderConfiguration, OrganizationId, Problems,
    merge_patch, parse_configuration,
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

/// A requested mutation of an organization's configuration.
#[derive(Debug, Clone)]
pub enum Mutation {
    /// PUT: the whole configuration.
    Replace(IdentityProviderConfiguration),
    /// PATCH: an RFC 7396 merge patch, applied to the current configuration (an empty document when
    /// there is none); the result must be a complete, valid configuration.
    Patch(Value),
    /// DELETE.
    Remove,
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

/// Reads the current configuration and works out what `mutation` would make of it. Writes nothing.
pub async fn prepare(
    store: &impl IdentityProviderStore,
    organization: &OrganizationId,
    mutation: Mutation,
) -> Result<Change, UseCaseError> {
    let before = store.describe(organization).await?;
    let after = match mutation {
        Mutation::Replace(configuration) => Some(configuration),
        Mutation::Patch(merge) => {
            let mut document = match &before {
                Some(current) => ConfigurationDocument::new(organization, current).to_value(),
                None => Value::Object(serde_json::Map::new()),
            };
            merge_patch(&mut document, &merge);
            Some(parse_configuration(&document, organization).map_err(UseCaseError::Invalid)?)
        }
        Mutation::Remove => None,
    };
    Ok(Change {
        organization: organization.clone(),
        before,
        after,
    })
}

/// Writes `change`: a Put, answering what WorkMail then reports as stored, or a Delete.
pub async fn apply(
    store: &impl IdentityProviderRemoval,
    change: &Change,
) -> Result<Option<IdentityProviderConfiguration>, UseCaseError> {
    let organization = &change.organization;
    match &change.after {
        Some(configuration) => {
            store.put(organization, configuration).await?;
            Ok(Some(read_back(store, organization, configuration).await))
        }
        None => {
            store.delete(organization).await?;
            Ok(None)
        }
    }
}

/// Describes after a write. The write has happened either way, so a failed or empty read answers with
/// what was written (and says so in the logs) instead of turning a success into an error.
async fn read_back(
    store: &impl IdentityProviderStore,
    organization: &OrganizationId,
    written: &IdentityProviderConfiguration,
) -> IdentityProviderConfiguration {
    match store.describe(organization).await {
        Ok(Some(stored)) => stored,
        Ok(None) => {
            warn!(organization = %organization, "Describe after Put found no configuration; answering with what was written");
            written.clone()
        }
        Err(error) => {
            warn!(organization = %organization, %error, "Describe after Put failed; answering with what was written");
            written.clone()
        }
    }
}
