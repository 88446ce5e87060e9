//! `PacedStore`: the port with a minimum interval between WorkMail calls, so a sweep of many
//! organizations stays under the rate it is given instead of leaning on throttling and retries.

use std::time::Duration;

use tokio::sync::Mutex;
use tokio::time::Instant;

use crate::domain::{IdentityProviderConfiguration, OrganizationId};
use crate::workmail::{IdentityProviderStore, WorkMailError};

pub struct PacedStore<'a, S> {
    inner: &'a S,
    interval: Duration,
    next_slot: Mutex<Instant>,
}

impl<'a, S: IdentityProviderStore> PacedStore<'a, S> {
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
