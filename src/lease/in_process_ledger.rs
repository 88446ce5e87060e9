//! The enforcer's ledger within one process, for the local server and one-process tests, with the
//! DynamoDB ledger's rules (the tickets taken per window, which stop at its limit, a resume point, recent
//! changes that expire).

use std::collections::{HashMap, HashSet};
use std::sync::PoisonError;
use std::time::{Duration, Instant};

use super::ledger::{ChangeTicket, EnforcerLedger};
use super::{InProcessLeases, LeaseError};
use crate::domain::OrganizationId;

#[derive(Debug, Default)]
pub struct LedgerState {
    changes: HashMap<u64, HashSet<String>>,
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
        ticket: &ChangeTicket,
        limit: u32,
    ) -> Result<bool, LeaseError> {
        Ok(self.with_ledger(|ledger| {
            let spent = ledger.changes.entry(ticket.window.start).or_default();
            if spent.contains(&ticket.id) {
                true
            } else if spent.len() < usize::try_from(limit).unwrap_or(usize::MAX) {
                spent.insert(ticket.id.clone())
            } else {
                false
            }
        }))
    }

    async fn refund_change(&self, ticket: &ChangeTicket) -> Result<(), LeaseError> {
        self.with_ledger(|ledger| {
            if let Some(spent) = ledger.changes.get_mut(&ticket.window.start) {
                spent.remove(&ticket.id);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_ticket_counts_once_however_often_it_is_spent_or_refunded() {
        let ledger = InProcessLeases::default();
        let first = ChangeTicket::new(7_200);
        assert!(ledger.try_spend_change(&first, 1).await.expect("answer"));
        assert!(ledger.try_spend_change(&first, 1).await.expect("answer"));
        let second = ChangeTicket::new(7_200);
        assert!(!ledger.try_spend_change(&second, 1).await.expect("answer"));
        ledger.refund_change(&second).await.expect("answer");
        assert!(
            !ledger.try_spend_change(&second, 1).await.expect("answer"),
            "refunding a ticket never taken frees nothing"
        );
        ledger.refund_change(&first).await.expect("answer");
        ledger.refund_change(&first).await.expect("answer");
        assert!(ledger.try_spend_change(&second, 1).await.expect("answer"));
        assert!(
            !ledger
                .try_spend_change(&ChangeTicket::new(7_200), 1)
                .await
                .expect("answer"),
            "the second refund of one ticket freed nothing"
        );
    }
}
