//! The WorkSpaces Web operations the domain needs, in domain types only: `PortalProviderStore` finds,
//! creates and updates a portal's identity provider; `PortalProviderRemoval` adds Delete, for the
//! callers allowed to remove one (the API), so that code which must never delete (the enforcer)
//! cannot.

use std::future::Future;

use super::SecureBrowserError;
use crate::domain::IdempotencyKey;
use crate::domain::secure_browser::{
    IdentityProvider, IdentityProviderArn, PortalArn, UnrecognizedProvider, WireProvider,
};

/// A portal's identity provider as WorkSpaces Web holds it.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredProvider {
    pub arn: IdentityProviderArn,
    pub content: StoredContent,
}

/// What the stored provider holds.
#[derive(Debug, Clone, PartialEq)]
pub enum StoredContent {
    Known(IdentityProvider),
    /// A type, detail key or value outside this version's model (`reason` names keys only, never
    /// values).
    Unrecognized {
        reason: UnrecognizedProvider,
        /// What is stored, for its ETag (`WireProvider::etag`); its `Debug` shows no value.
        wire: WireProvider,
    },
}

/// Reads and writes the identity provider of WorkSpaces Secure Browser portals (one per portal).
pub trait PortalProviderStore: Send + Sync {
    /// The portal's identity provider, or `None` when it has none.
    fn find(
        &self,
        portal: &PortalArn,
    ) -> impl Future<Output = Result<Option<StoredProvider>, SecureBrowserError>> + Send;

    /// Creates the portal's identity provider (the portal has none).
    fn create(
        &self,
        portal: &PortalArn,
        provider: &IdentityProvider,
        key: Option<&IdempotencyKey>,
    ) -> impl Future<Output = Result<IdentityProviderArn, SecureBrowserError>> + Send;

    /// Replaces every member of an existing identity provider.
    fn update(
        &self,
        arn: &IdentityProviderArn,
        provider: &IdentityProvider,
        key: Option<&IdempotencyKey>,
    ) -> impl Future<Output = Result<(), SecureBrowserError>> + Send;
}

/// Removes identity providers.
pub trait PortalProviderRemoval: PortalProviderStore {
    /// Removes the portal's identity provider: nobody can sign in to the portal until another is set.
    fn delete(
        &self,
        arn: &IdentityProviderArn,
    ) -> impl Future<Output = Result<(), SecureBrowserError>> + Send;
}
