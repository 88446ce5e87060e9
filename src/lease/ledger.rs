//! `EnforcerLedger`: what the enforcer remembers across invocations, kept in the lease table beside
//! the write leases: changes made per window (so a cap holds across runs, whatever triggered them),
//! where the last sweep stopped (so the next one starts there), and the configuration it last wrote
//! to each organization (so another writer undoing it is recognised as a conflict, not re-fought).

use std::future::Future;
use std::time::Duration;

use super::{LeaseError, new_owner};
use crate::domain::OrganizationId;

/// One counting window of the change cap: an hour, from its start in epoch seconds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeWindow {
    pub start: u64,
}

impl ChangeWindow {
    pub const LENGTH: Duration = Duration::from_secs(3600);

    /// The window that holds `epoch_seconds`.
    pub fn containing(epoch_seconds: u64) -> Self {
        let length = Self::LENGTH.as_secs();
        Self {
            start: epoch_seconds - epoch_seconds % length,
        }
    }

    /// The ledger item's key.
    pub fn key(&self) -> String {
        format!("enforcer/changes/{}", self.start)
    }

    /// When the window's item may go (a day after the window ends).
    pub fn expires_at(&self) -> u64 {
        self.start + Self::LENGTH.as_secs() + 86_400
    }
}

/// One change of a window's budget, named so that a call applied twice (an SDK retry of a call whose
/// answer was lost) takes it, or gives it back, only once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeTicket {
    pub window: ChangeWindow,
    pub id: String,
}

impl ChangeTicket {
    /// A ticket no other change shares, for the window that holds `epoch_seconds`.
    pub fn new(epoch_seconds: u64) -> Self {
        Self {
            window: ChangeWindow::containing(epoch_seconds),
            id: new_owner("change"),
        }
    }
}

pub const RESUME_KEY: &str = "enforcer/resume";

pub fn recent_change_key(organization: &OrganizationId) -> String {
    format!("enforcer/recent-change/{}", organization.as_str())
}

/// The enforcer's memory across invocations.
pub trait EnforcerLedger: Send + Sync {
    /// Takes `ticket`'s change from its window if fewer than `limit` were taken; `false` when none is
    /// left. A ticket already taken stays taken once (`true`).
    fn try_spend_change(
        &self,
        ticket: &ChangeTicket,
        limit: u32,
    ) -> impl Future<Output = Result<bool, LeaseError>> + Send;

    /// Gives back `ticket`'s change, taken for a write that was not made; a ticket not (or no
    /// longer) taken gives nothing back.
    fn refund_change(
        &self,
        ticket: &ChangeTicket,
    ) -> impl Future<Output = Result<(), LeaseError>> + Send;

    /// The organization the next sweep starts with, if the last one stopped early.
    fn resume_point(&self) -> impl Future<Output = Result<Option<String>, LeaseError>> + Send;

    /// Sets (or with `None` clears) where the next sweep starts.
    fn set_resume_point(
        &self,
        next: Option<&OrganizationId>,
    ) -> impl Future<Output = Result<(), LeaseError>> + Send;

    /// Remembers for `keep` that the enforcer wrote the configuration with `etag` to `organization`.
    fn record_change(
        &self,
        organization: &OrganizationId,
        etag: &str,
        keep: Duration,
    ) -> impl Future<Output = Result<(), LeaseError>> + Send;

    /// The ETag the enforcer wrote to `organization` within the kept time, if any.
    fn recent_change(
        &self,
        organization: &OrganizationId,
    ) -> impl Future<Output = Result<Option<String>, LeaseError>> + Send;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_are_whole_hours() {
        let window = ChangeWindow::containing(7_205);
        assert_eq!(window.start, 7_200);
        assert_eq!(window, ChangeWindow::containing(10_799));
        assert_ne!(window, ChangeWindow::containing(10_800));
        assert_eq!(window.key(), "enforcer/changes/7200");
        assert!(window.expires_at() > 10_800);
    }
}
