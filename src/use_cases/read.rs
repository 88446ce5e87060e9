//! Reading an organization's configuration.

use super::{Grants, UseCaseError};
use crate::access::Permission;
use crate::domain::{IdentityProviderConfiguration, OrganizationId};
use crate::workmail::IdentityProviderStore;

/// The current configuration, for a caller who may read it.
pub async fn read(
    store: &impl IdentityProviderStore,
    organization: &OrganizationId,
    grants: Grants,
) -> Result<IdentityProviderConfiguration, UseCaseError> {
    grants.require(Permission::Read)?;
    store
        .describe(organization)
        .await?
        .ok_or(UseCaseError::NotConfigured)
}
