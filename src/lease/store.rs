//! `LeaseStore`: the lease adapter a function runs with, chosen once at start-up.

use std::time::Duration;

use super::{
    Acquisition, DynamoDbLeases, InProcessLeases, Lease, LeaseError, LeaseKey, WriteLeases,
};

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
