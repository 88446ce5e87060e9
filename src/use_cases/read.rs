//! Reading an organization's configuration.

use super::{Current, Grants, UseCaseError};
use crate::access::Permission;
use crate::domain::{IdentityProviderConfiguration, OrganizationId, UnrecognizedConfiguration};
use crate::workmail::IdentityProviderStore;

/// An organization's configuration as read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stored {
    Recognized(IdentityProviderConfiguration),
    /// With values outside this version's model, as WorkMail holds it.
    Unrecognized(Box<UnrecognizedConfiguration>),
}

/// The current configuration, for a caller who may read it; one outside this version's model is
/// answered as WorkMail holds it.
pub async fn read(
    store: &impl IdentityProviderStore,
    organization: &OrganizationId,
    grants: Grants,
) -> Result<Stored, UseCaseError> {
    grants.require(Permission::Read)?;
    match Current::from_describe(store.describe(organization).await)? {
        Current::Known(None) => Err(UseCaseError::NotConfigured),
        Current::Known(Some(configuration)) => Ok(Stored::Recognized(configuration)),
        Current::Unrecognized(stored) => Ok(Stored::Unrecognized(stored)),
    }
}
