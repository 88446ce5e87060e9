//! `TracedStore`: wraps a port (WorkMail's, or WorkSpaces Web's) for one request and notes which
//! upstream operations it made, for the request's log line.

use std::sync::Mutex;

use crate::domain::secure_browser::{IdentityProvider, IdentityProviderArn, PortalArn};
use crate::domain::{
    IdempotencyKey, IdentityProviderConfiguration, MailboxUser, OrganizationId,
    PersonalAccessTokenId, PersonalAccessTokenSummary, UserId,
};
use crate::workmail::{
    IdentityProviderRemoval, IdentityProviderStore, MailboxDirectory, Operation,
    OrganizationListing, OrganizationSummary, Page, PageToken, TokenRevocation, WorkMailError,
};
use crate::workspaces_web::{
    BrowserOperation, PortalProviderRemoval, PortalProviderStore, SecureBrowserError,
    StoredProvider,
};

pub struct TracedStore<'a, S> {
    inner: &'a S,
    calls: Mutex<Vec<&'static str>>,
}

impl<'a, S> TracedStore<'a, S> {
    pub fn new(inner: &'a S) -> Self {
        Self {
            inner,
            calls: Mutex::new(Vec::new()),
        }
    }

    /// The operations called so far, comma-separated (empty when none).
    pub fn calls(&self) -> String {
        self.calls
            .lock()
            .map(|calls| calls.join(","))
            .unwrap_or_default()
    }

    fn note(&self, operation: Operation) {
        self.note_name(operation.name());
    }

    fn note_name(&self, name: &'static str) {
        if let Ok(mut calls) = self.calls.lock() {
            calls.push(name);
        }
    }
}

impl<S: IdentityProviderStore> IdentityProviderStore for TracedStore<'_, S> {
    async fn describe(
        &self,
        organization: &OrganizationId,
    ) -> Result<Option<IdentityProviderConfiguration>, WorkMailError> {
        self.note(Operation::Describe);
        self.inner.describe(organization).await
    }

    async fn put(
        &self,
        organization: &OrganizationId,
        configuration: &IdentityProviderConfiguration,
    ) -> Result<(), WorkMailError> {
        self.note(Operation::Put);
        self.inner.put(organization, configuration).await
    }
}

impl<S: IdentityProviderRemoval> IdentityProviderRemoval for TracedStore<'_, S> {
    async fn delete(&self, organization: &OrganizationId) -> Result<(), WorkMailError> {
        self.note(Operation::Delete);
        self.inner.delete(organization).await
    }
}

impl<S: OrganizationListing> OrganizationListing for TracedStore<'_, S> {
    async fn list_organizations(
        &self,
        next: Option<&PageToken>,
    ) -> Result<Page<OrganizationSummary>, WorkMailError> {
        self.note(Operation::ListOrganizations);
        self.inner.list_organizations(next).await
    }
}

impl<S: MailboxDirectory> MailboxDirectory for TracedStore<'_, S> {
    async fn list_users(
        &self,
        organization: &OrganizationId,
        next: Option<&PageToken>,
    ) -> Result<Page<MailboxUser>, WorkMailError> {
        self.note(Operation::ListUsers);
        self.inner.list_users(organization, next).await
    }

    async fn list_personal_access_tokens(
        &self,
        organization: &OrganizationId,
        user: Option<&UserId>,
        next: Option<&PageToken>,
    ) -> Result<Page<PersonalAccessTokenSummary>, WorkMailError> {
        self.note(Operation::ListPersonalAccessTokens);
        self.inner
            .list_personal_access_tokens(organization, user, next)
            .await
    }

    async fn personal_access_token(
        &self,
        organization: &OrganizationId,
        token: &PersonalAccessTokenId,
    ) -> Result<Option<PersonalAccessTokenSummary>, WorkMailError> {
        self.note(Operation::GetPersonalAccessTokenMetadata);
        self.inner.personal_access_token(organization, token).await
    }
}

impl<S: TokenRevocation> TokenRevocation for TracedStore<'_, S> {
    async fn delete_personal_access_token(
        &self,
        organization: &OrganizationId,
        token: &PersonalAccessTokenId,
    ) -> Result<(), WorkMailError> {
        self.note(Operation::DeletePersonalAccessToken);
        self.inner
            .delete_personal_access_token(organization, token)
            .await
    }
}

impl<S: PortalProviderStore> PortalProviderStore for TracedStore<'_, S> {
    async fn find(&self, portal: &PortalArn) -> Result<Option<StoredProvider>, SecureBrowserError> {
        self.note_name(BrowserOperation::ListIdentityProviders.name());
        let found = self.inner.find(portal).await;
        if matches!(found, Ok(Some(_))) {
            self.note_name(BrowserOperation::GetIdentityProvider.name());
        }
        found
    }

    async fn create(
        &self,
        portal: &PortalArn,
        provider: &IdentityProvider,
        key: Option<&IdempotencyKey>,
    ) -> Result<IdentityProviderArn, SecureBrowserError> {
        self.note_name(BrowserOperation::CreateIdentityProvider.name());
        self.inner.create(portal, provider, key).await
    }

    async fn update(
        &self,
        arn: &IdentityProviderArn,
        provider: &IdentityProvider,
        key: Option<&IdempotencyKey>,
    ) -> Result<(), SecureBrowserError> {
        self.note_name(BrowserOperation::UpdateIdentityProvider.name());
        self.inner.update(arn, provider, key).await
    }
}

impl<S: PortalProviderRemoval> PortalProviderRemoval for TracedStore<'_, S> {
    async fn delete(&self, arn: &IdentityProviderArn) -> Result<(), SecureBrowserError> {
        self.note_name(BrowserOperation::DeleteIdentityProvider.name());
        self.inner.delete(arn).await
    }
}
