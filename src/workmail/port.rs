//! The WorkMail operations the domain needs, in domain types only: `IdentityProviderStore` reads and
//! writes; `IdentityProviderRemoval` adds Delete, for the callers allowed to remove an integration
//! (the API), so that code which must never delete (the enforcer) cannot.

use std::future::Future;

use super::WorkMailError;
use crate::domain::{IdentityProviderConfiguration, OrganizationId};

/// Reads and writes the identity-provider configuration of WorkMail organizations.
pub trait IdentityProviderStore: Send + Sync {
    /// The current configuration, or `None` when the organization has no Identity Center integration.
    fn describe(
        &self,
        organization: &OrganizationId,
    ) -> impl Future<Output = Result<Option<IdentityProviderConfiguration>, WorkMailError>> + Send;

    /// Replaces the whole configuration.
    fn put(
        &self,
        organization: &OrganizationId,
        configuration: &IdentityProviderConfiguration,
    ) -> impl Future<Output = Result<(), WorkMailError>> + Send;
}

/// Removes identity-provider configurations.
pub trait IdentityProviderRemoval: IdentityProviderStore {
    /// Removes the integration: authentication goes back to the directory alone.
    fn delete(
        &self,
        organization: &OrganizationId,
    ) -> impl Future<Output = Result<(), WorkMailError>> + Send;
}

/// Everything the API calls WorkMail for: configurations (removal included), users and personal
/// access tokens (revocation included), and the account's organizations.
pub trait ApiWorkMail:
    IdentityProviderRemoval + super::TokenRevocation + super::OrganizationListing
{
}

impl<T: IdentityProviderRemoval + super::TokenRevocation + super::OrganizationListing> ApiWorkMail
    for T
{
}
