//! `PacedStore`: the ports (configuration and directory; a portal's identity provider) with a minimum
//! interval between calls, so a sweep of many organizations and portals stays under the rate it is
//! given instead of leaning on throttling and retries. Over WorkSpaces Web it is only a
//! `PortalProviderStore` (find, create, update): whatever it wraps, the enforcer cannot delete
//! through it.

use std::time::Duration;

use tokio::sync::Mutex;
use tokio::time::Instant;

use crate::domain::IdempotencyKey;
use crate::domain::secure_browser::{IdentityProvider, IdentityProviderArn, PortalArn};
use crate::domain::{
    IdentityProviderConfiguration, MailboxUser, OrganizationId, PersonalAccessTokenId,
    PersonalAccessTokenSummary, UserId,
};
use crate::workmail::{IdentityProviderStore, MailboxDirectory, Page, PageToken, WorkMailError};
use crate::workspaces_web::{PortalProviderStore, SecureBrowserError, StoredProvider};

pub struct PacedStore<'a, S> {
    inner: &'a S,
    interval: Duration,
    next_slot: Mutex<Instant>,
}

impl<'a, S> PacedStore<'a, S> {
    /// At most `calls_per_second` calls start each second.
    pub fn new(inner: &'a S, calls_per_second: f64) -> Self {
        Self {
            inner,
            interval: Duration::from_secs_f64(1.0 / calls_per_second),
            next_slot: Mutex::new(Instant::now()),
        }
    }

    async fn wait_for_slot(&self) {
        let slot = {
            let mut next_slot = self.next_slot.lock().await;
            let slot = (*next_slot).max(Instant::now());
            *next_slot = slot + self.interval;
            slot
        };
        tokio::time::sleep_until(slot).await;
    }
}

impl<S: IdentityProviderStore> IdentityProviderStore for PacedStore<'_, S> {
    async fn describe(
        &self,
        organization: &OrganizationId,
    ) -> Result<Option<IdentityProviderConfiguration>, WorkMailError> {
        self.wait_for_slot().await;
        self.inner.describe(organization).await
    }

    async fn put(
        &self,
        organization: &OrganizationId,
        configuration: &IdentityProviderConfiguration,
    ) -> Result<(), WorkMailError> {
        self.wait_for_slot().await;
        self.inner.put(organization, configuration).await
    }
}

impl<S: MailboxDirectory> MailboxDirectory for PacedStore<'_, S> {
    async fn list_users(
        &self,
        organization: &OrganizationId,
        next: Option<&PageToken>,
    ) -> Result<Page<MailboxUser>, WorkMailError> {
        self.wait_for_slot().await;
        self.inner.list_users(organization, next).await
    }

    async fn list_personal_access_tokens(
        &self,
        organization: &OrganizationId,
        user: Option<&UserId>,
        next: Option<&PageToken>,
    ) -> Result<Page<PersonalAccessTokenSummary>, WorkMailError> {
        self.wait_for_slot().await;
        self.inner
            .list_personal_access_tokens(organization, user, next)
            .await
    }

    async fn personal_access_token(
        &self,
        organization: &OrganizationId,
        token: &PersonalAccessTokenId,
    ) -> Result<Option<PersonalAccessTokenSummary>, WorkMailError> {
        self.wait_for_slot().await;
        self.inner.personal_access_token(organization, token).await
    }
}

impl<S: PortalProviderStore> PortalProviderStore for PacedStore<'_, S> {
    async fn find(&self, portal: &PortalArn) -> Result<Option<StoredProvider>, SecureBrowserError> {
        self.wait_for_slot().await;
        self.inner.find(portal).await
    }

    async fn create(
        &self,
        portal: &PortalArn,
        provider: &IdentityProvider,
        key: Option<&IdempotencyKey>,
    ) -> Result<IdentityProviderArn, SecureBrowserError> {
        self.wait_for_slot().await;
        self.inner.create(portal, provider, key).await
    }

    async fn update(
        &self,
        arn: &IdentityProviderArn,
        provider: &IdentityProvider,
        key: Option<&IdempotencyKey>,
    ) -> Result<(), SecureBrowserError> {
        self.wait_for_slot().await;
        self.inner.update(arn, provider, key).await
    }
}
