//! `TracedStore`: wraps the port for one request and notes which WorkMail operations it made, for the
//! request's log line.

use std::sync::Mutex;

use crate::domain::{IdentityProviderConfiguration, OrganizationId};
use crate::workmail::{IdentityProviderRemoval, IdentityProviderStore, Operation, WorkMailError};

pub struct TracedStore<'a, S> {
    inner: &'a S,
    calls: Mutex<Vec<Operation>>,
}

impl<'a, S: IdentityProviderStore> TracedStore<'a, S> {
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
