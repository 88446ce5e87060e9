//! `TracedStore`: wraps the port for one request and notes which WorkMail operations it made, for the
//! request's log line.

use std::sync::Mutex;

use crate::domain::{
    IdentityProviderConfiguration, MailboxUser, OrganizationId, PersonalAccessTokenId,
    PersonalAccessTokenSummary, UserId,
};
use crate::workmail::{
    IdentityProviderRemoval, IdentityProviderStore, MailboxDirectory, Operation,
    OrganizationListing, OrganizationSummary, Page, PageToken, TokenRevocation, WorkMailError,
};

pub struct TracedStore<'a, S> {
    inner: &'a S,
    calls: Mutex<Vec<Operation>>,
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
            .map(|calls| {
                calls
                    .iter()
                    .map(|call| call.name())
                    .collect::<Vec<_>>()
                    .join(",")
            })
            .unwrap_or_default()
    }

    fn note(&self, operation: Operation) {
        if let Ok(mut calls) = self.calls.lock() {
            calls.push(operation);
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
