//! The enforcer's ledger within one process, for the local server and one-process tests, with the
//! DynamoDB ledger's rules (a counter per window that stops at its limit, a resume point, recent
//! changes that expire).

use std::collections::HashMap;
use std::sync::PoisonError;
use std::time::{Duration, Instant};

use super::ledger::{ChangeWindow, EnforcerLedger};
use super::{InProcessLeases, LeaseError};
use crate::domain::OrganizationId;

#[derive(Debug, Default)]
pub struct LedgerState {
    changes: HashMap<u64, u32>,
    resume: Option<String>,
    recent: HashMap<OrganizationId, (String, Instant)>,
}

impl InProcessLeases {
    fn with_ledger<T>(&self, f: impl FnOnce(&mut LedgerState) -> T) -> T {
        f(&mut self.ledger.lock().unwrap_or_else(PoisonError::into_inner))
    }
}

impl EnforcerLedger for InProcessLeases {
    async fn try_spend_change(
        &self,
        window: &ChangeWindow,
        limit: u32,
    ) -> Result<bool, LeaseError> {
        Ok(self.with_ledger(|ledger| {
            let count = ledger.changes.entry(window.start).or_default();
            if *count < limit {
                *count += 1;
                true
            } else {
                false
            }
        }))
    }

    async fn refund_change(&self, window: &ChangeWindow) -> Result<(), LeaseError> {
        self.with_ledger(|ledger| {
            if let Some(count) = ledger.changes.get_mut(&window.start) {
                *count = count.saturating_sub(1);
            }
        });
        Ok(())
    }

    async fn resume_point(&self) -> Result<Option<String>, LeaseError> {
        Ok(self.with_ledger(|ledger| ledger.resume.clone()))
    }

    async fn set_resume_point(&self, next: Option<&OrganizationId>) -> Result<(), LeaseError> {
        self.with_ledger(|ledger| ledger.resume = next.map(|id| id.as_str().to_owned()));
        Ok(())
    }

    async fn record_change(
        &self,
        organization: &OrganizationId,
        etag: &str,
        keep: Duration,
    ) -> Result<(), LeaseError> {
        self.with_ledger(|ledger| {
            ledger.recent.insert(
                organization.clone(),
                (etag.to_owned(), Instant::now() + keep),
            );
        });
        Ok(())
    }

    async fn recent_change(
        &self,
        organization: &OrganizationId,
    ) -> Result<Option<String>, LeaseError> {
        Ok(self.with_ledger(|ledger| {
            ledger
                .recent
                .get(organization)
                .filter(|(_, until)| *until > Instant::now())
                .map(|(etag, _)| etag.clone())
        }))
    }
}
