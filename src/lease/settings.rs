//! `LeaseSettings`: how long a lease lasts and how long a writer waits for one.

use std::time::Duration;

/// A lease outlives the longest write it guards by this much (clock skew between Lambda instances
/// and the lease store, and the confirming read).
const MARGIN: Duration = Duration::from_secs(5);

/// How a writer uses the lease store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LeaseSettings {
    /// A lease's lifetime from its last renewal: the upstream operation timeout plus a margin, so a
    /// write started right after a renewal ends (or times out) well before the lease can expire.
    pub ttl: Duration,
    /// How long a writer waits for a busy lease before it answers "write in progress".
    pub wait: Duration,
}

impl LeaseSettings {
    /// Leases for writes whose upstream calls give up after `operation_timeout`.
    pub fn for_operation_timeout(operation_timeout: Duration) -> Self {
        Self {
            ttl: operation_timeout + MARGIN,
            wait: Duration::from_secs(3),
        }
    }

    /// The same, for a writer whose write may first wait up to `queued` for its turn (the
    /// enforcer's paced calls): the lease also covers that wait.
    pub fn with_queueing(self, queued: Duration) -> Self {
        Self {
            ttl: self.ttl + queued,
            ..self
        }
    }
}
