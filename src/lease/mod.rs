//! Per-resource write leases: the port that makes one writer per organization at a time across every
//! process (`WriteLeases`), its DynamoDB adapter for Lambda and its in-process adapter for the local
//! server and one-process tests, and the bounded wait a writer gives it; beside them, in the same
//! table, the enforcer's memory across invocations (`EnforcerLedger`) and the key every instance
//! seals secrets with in portal ETags (`EtagKeys`).

mod dynamodb;
mod dynamodb_ledger;
mod etag_keys;
mod in_process;
mod in_process_ledger;
mod ledger;
mod settings;
mod store;

use std::future::Future;
use std::time::Duration;

pub use dynamodb::DynamoDbLeases;
pub use etag_keys::{ETAG_KEY_ITEM, EtagKeyError, EtagKeys};
pub use in_process::InProcessLeases;
pub use ledger::{ChangeTicket, ChangeWindow, EnforcerLedger};
pub use settings::LeaseSettings;
pub use store::LeaseStore;

use crate::domain::OrganizationId;
use crate::domain::secure_browser::PortalId;

/// The resource a lease guards, as the lease table's partition key `pk`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LeaseKey(String);

impl LeaseKey {
    /// The key of a WorkMail organization's identity-provider configuration.
    pub fn workmail_organization(organization: &OrganizationId) -> Self {
        Self(format!("workmail/{}", organization.as_str()))
    }

    /// The key of a WorkSpaces Secure Browser portal's identity provider.
    pub fn secure_browser_portal(portal: &PortalId) -> Self {
        Self(format!("secure-browser/{}", portal.as_str()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A lease this writer holds: released only by the owner that took it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lease {
    pub key: LeaseKey,
    /// Unique to one acquisition.
    pub owner: String,
}

/// The answer to one attempt at taking a lease.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Acquisition {
    Held(Lease),
    /// Another writer holds it, for about this much longer (when known).
    Busy {
        remaining: Option<Duration>,
    },
}

/// The lease store could not be used: the write must not go ahead.
#[derive(Debug, Clone, thiserror::Error)]
pub enum LeaseError {
    #[error("the lease store is unavailable: {0}")]
    Unavailable(String),
    /// The lease expired and another writer took it (only when renewing or releasing).
    #[error("the lease on {0} is no longer held by this writer")]
    Lost(String),
}

/// Takes, renews and releases per-resource write leases.
pub trait WriteLeases: Send + Sync {
    /// Takes `key` for `ttl` if it is free or its holder's lease has expired, in one conditional write.
    fn try_acquire(
        &self,
        key: &LeaseKey,
        owner: &str,
        ttl: Duration,
    ) -> impl Future<Output = Result<Acquisition, LeaseError>> + Send;

    /// Extends `lease` to `ttl` from now, only while this owner still holds it (`LeaseError::Lost`
    /// when another writer has taken it over).
    fn renew(
        &self,
        lease: &Lease,
        ttl: Duration,
    ) -> impl Future<Output = Result<(), LeaseError>> + Send;

    /// Gives `lease` up, only if this owner still holds it (`LeaseError::Lost` otherwise).
    fn release(&self, lease: &Lease) -> impl Future<Output = Result<(), LeaseError>> + Send;
}

/// A fresh owner id: the process, the time and a counter, so that no two acquisitions share one.
pub fn new_owner(label: &str) -> String {
    use std::hash::{BuildHasher, RandomState};
    use std::sync::OnceLock;
    use std::sync::atomic::{AtomicU64, Ordering};
    static PROCESS: OnceLock<u64> = OnceLock::new();
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let process = PROCESS.get_or_init(|| {
        RandomState::new().hash_one((std::process::id(), std::time::SystemTime::now()))
    });
    let sequence = COUNTER.fetch_add(1, Ordering::Relaxed);
    format!("{label}/{process:016x}/{sequence}")
}
