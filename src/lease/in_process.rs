//! `InProcessLeases`: the lease port within one process (the local server, one-process tests). It
//! keeps the same rules as the DynamoDB adapter: owner, expiry, takeover of an expired lease, release
//! by the owner only. It does nothing for a second process: deployed functions use DynamoDB.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use super::{Acquisition, Lease, LeaseError, LeaseKey, WriteLeases};

#[derive(Debug, Clone, Default)]
pub struct InProcessLeases {
    held: Arc<Mutex<HashMap<LeaseKey, (String, Instant)>>>,
    pub(super) ledger: Arc<Mutex<super::in_process_ledger::LedgerState>>,
    /// Made on first use: ETags of this process only, as its leases are.
    pub(super) etag_key: Arc<tokio::sync::OnceCell<crate::domain::EtagKey>>,
}

impl InProcessLeases {
    pub fn new() -> Self {
        Self::default()
    }

    fn with_held<T>(&self, f: impl FnOnce(&mut HashMap<LeaseKey, (String, Instant)>) -> T) -> T {
        f(&mut self.held.lock().unwrap_or_else(PoisonError::into_inner))
    }
}

impl WriteLeases for InProcessLeases {
    async fn try_acquire(
        &self,
        key: &LeaseKey,
        owner: &str,
        ttl: Duration,
    ) -> Result<Acquisition, LeaseError> {
        let now = Instant::now();
        Ok(self.with_held(|held| match held.get(key) {
            Some((_, expires)) if *expires > now => Acquisition::Busy {
                remaining: Some(*expires - now),
            },
            _ => {
                held.insert(key.clone(), (owner.to_owned(), now + ttl));
                Acquisition::Held(Lease {
                    key: key.clone(),
                    owner: owner.to_owned(),
                })
            }
        }))
    }

    async fn renew(&self, lease: &Lease, ttl: Duration) -> Result<(), LeaseError> {
        self.with_held(|held| match held.get_mut(&lease.key) {
            Some((owner, expires)) if *owner == lease.owner => {
                *expires = Instant::now() + ttl;
                Ok(())
            }
            _ => Err(LeaseError::Lost(lease.key.as_str().to_owned())),
        })
    }

    async fn release(&self, lease: &Lease) -> Result<(), LeaseError> {
        self.with_held(|held| match held.get(&lease.key) {
            Some((owner, _)) if *owner == lease.owner => {
                held.remove(&lease.key);
                Ok(())
            }
            _ => Err(LeaseError::Lost(lease.key.as_str().to_owned())),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> LeaseKey {
        LeaseKey("workmail/m-test".to_owned())
    }

    #[tokio::test]
    async fn one_holder_until_release_or_expiry() {
        let leases = InProcessLeases::new();
        let ttl = Duration::from_secs(60);
        let Ok(Acquisition::Held(first)) = leases.try_acquire(&key(), "a", ttl).await else {
            panic!("a free lease is taken");
        };
        assert!(matches!(
            leases.try_acquire(&key(), "b", ttl).await,
            Ok(Acquisition::Busy { remaining: Some(_) })
        ));
        let stranger = Lease {
            key: key(),
            owner: "b".to_owned(),
        };
        assert!(matches!(
            leases.release(&stranger).await,
            Err(LeaseError::Lost(_))
        ));
        assert!(leases.renew(&first, ttl).await.is_ok());
        assert!(leases.release(&first).await.is_ok());
        assert!(matches!(
            leases.try_acquire(&key(), "b", Duration::ZERO).await,
            Ok(Acquisition::Held(_))
        ));
        let Ok(Acquisition::Held(taken_over)) = leases.try_acquire(&key(), "c", ttl).await else {
            panic!("an expired lease is taken over");
        };
        assert_eq!(taken_over.owner, "c");
        assert!(matches!(
            leases.renew(&stranger, ttl).await,
            Err(LeaseError::Lost(_))
        ));
    }
}
