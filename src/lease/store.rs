//! `LeaseStore`: the lease adapter a function runs with, chosen once at start-up.

use std::time::Duration;

use super::{
    Acquisition, ChangeTicket, DynamoDbLeases, EnforcerLedger, EtagKeyError, EtagKeys,
    InProcessLeases, Lease, LeaseError, LeaseKey, WriteLeases,
};
use crate::domain::{EtagKey, OrganizationId};

#[derive(Debug, Clone)]
pub enum LeaseStore {
    DynamoDb(DynamoDbLeases),
    InProcess(InProcessLeases),
}

impl LeaseStore {
    /// What the logs call it.
    pub fn describe(&self) -> String {
        match self {
            LeaseStore::DynamoDb(leases) => format!("DynamoDB table {}", leases.table()),
            LeaseStore::InProcess(_) => "in-process (this process only)".to_owned(),
        }
    }
}

impl WriteLeases for LeaseStore {
    async fn try_acquire(
        &self,
        key: &LeaseKey,
        owner: &str,
        ttl: Duration,
    ) -> Result<Acquisition, LeaseError> {
        match self {
            LeaseStore::DynamoDb(leases) => leases.try_acquire(key, owner, ttl).await,
            LeaseStore::InProcess(leases) => leases.try_acquire(key, owner, ttl).await,
        }
    }

    async fn renew(&self, lease: &Lease, ttl: Duration) -> Result<(), LeaseError> {
        match self {
            LeaseStore::DynamoDb(leases) => leases.renew(lease, ttl).await,
            LeaseStore::InProcess(leases) => leases.renew(lease, ttl).await,
        }
    }

    async fn release(&self, lease: &Lease) -> Result<(), LeaseError> {
        match self {
            LeaseStore::DynamoDb(leases) => leases.release(lease).await,
            LeaseStore::InProcess(leases) => leases.release(lease).await,
        }
    }
}

impl EtagKeys for LeaseStore {
    async fn etag_key(&self) -> Result<EtagKey, EtagKeyError> {
        match self {
            LeaseStore::DynamoDb(keys) => keys.etag_key().await,
            LeaseStore::InProcess(keys) => keys.etag_key().await,
        }
    }
}

impl EnforcerLedger for LeaseStore {
    async fn try_spend_change(
        &self,
        ticket: &ChangeTicket,
        limit: u32,
    ) -> Result<bool, LeaseError> {
        match self {
            LeaseStore::DynamoDb(ledger) => ledger.try_spend_change(ticket, limit).await,
            LeaseStore::InProcess(ledger) => ledger.try_spend_change(ticket, limit).await,
        }
    }

    async fn refund_change(&self, ticket: &ChangeTicket) -> Result<(), LeaseError> {
        match self {
            LeaseStore::DynamoDb(ledger) => ledger.refund_change(ticket).await,
            LeaseStore::InProcess(ledger) => ledger.refund_change(ticket).await,
        }
    }

    async fn resume_point(&self) -> Result<Option<String>, LeaseError> {
        match self {
            LeaseStore::DynamoDb(ledger) => ledger.resume_point().await,
            LeaseStore::InProcess(ledger) => ledger.resume_point().await,
        }
    }

    async fn set_resume_point(&self, next: Option<&OrganizationId>) -> Result<(), LeaseError> {
        match self {
            LeaseStore::DynamoDb(ledger) => ledger.set_resume_point(next).await,
            LeaseStore::InProcess(ledger) => ledger.set_resume_point(next).await,
        }
    }

    async fn record_change(
        &self,
        organization: &OrganizationId,
        etag: &str,
        keep: Duration,
    ) -> Result<(), LeaseError> {
        match self {
            LeaseStore::DynamoDb(ledger) => ledger.record_change(organization, etag, keep).await,
            LeaseStore::InProcess(ledger) => ledger.record_change(organization, etag, keep).await,
        }
    }

    async fn recent_change(
        &self,
        organization: &OrganizationId,
    ) -> Result<Option<String>, LeaseError> {
        match self {
            LeaseStore::DynamoDb(ledger) => ledger.recent_change(organization).await,
            LeaseStore::InProcess(ledger) => ledger.recent_change(organization).await,
        }
    }
}
