//! The mailbox directory port: an organization's users and personal access tokens, in domain types
//! only. `MailboxDirectory` reads (a page at a time, as WorkMail answers: at most 100 items and an
//! opaque `PageToken` for the next page); `TokenRevocation` adds revoking a token, for the callers
//! allowed to (the API's token route), so that code which must never revoke (the enforcer, impact
//! reports) cannot.
//!
//! `read_directory` reads everything an impact report needs within a time budget:
//!
//! ```ignore
//! let change = Change { organization, before, after };
//! let budget = ReadBudget::until(Instant::now() + Duration::from_secs(20)).paced(calls_per_second);
//! let snapshot = read_directory(&directory, &change.organization, change.impact_data(), &budget).await?;
//! let report = ImpactReport::compute(&change, &snapshot, Timestamp::now());
//! ```
//!
//! Users and tokens are paged concurrently (two streams of pages sharing one pace); a page still
//! unanswered at the deadline, or due after it, ends the read with `cut_short` set, which the report
//! states as incomplete. Any failed page fails the whole read at once (after the SDK's own retries),
//! dropping the other listing's page in flight.

use std::future::Future;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use tokio::time::Instant;

use super::WorkMailError;
use crate::domain::{
    CutShort, DirectorySnapshot, ImpactData, InvalidValue, MailboxUser, OrganizationId,
    PersonalAccessTokenId, PersonalAccessTokenSummary, UserId,
};

/// WorkMail's opaque token for the next page (model shape `NextToken`: 1..=1024 characters).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PageToken(String);

impl PageToken {
    pub const MAX_LENGTH: usize = 1024;

    pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
        let length = raw.chars().count();
        if (1..=Self::MAX_LENGTH).contains(&length) {
            Ok(Self(raw.to_owned()))
        } else {
            Err(InvalidValue::new(format!(
                "must be a page token of 1 to {} characters",
                Self::MAX_LENGTH
            )))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// One page of a listing, and the token of the next one (`None`: this was the last).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next: Option<PageToken>,
}

/// Reads the users and personal access tokens of WorkMail organizations.
pub trait MailboxDirectory: Send + Sync {
    /// One page of `ListUsers` (100 users at most), every state and role included.
    fn list_users(
        &self,
        organization: &OrganizationId,
        next: Option<&PageToken>,
    ) -> impl Future<Output = Result<Page<MailboxUser>, WorkMailError>> + Send;

    /// One page of `ListPersonalAccessTokens` (100 at most), of `user` only when given. An unknown
    /// user fails with `WorkMailErrorKind::EntityNotFound`, a deleted one with `EntityState`.
    fn list_personal_access_tokens(
        &self,
        organization: &OrganizationId,
        user: Option<&UserId>,
        next: Option<&PageToken>,
    ) -> impl Future<Output = Result<Page<PersonalAccessTokenSummary>, WorkMailError>> + Send;

    /// `GetPersonalAccessTokenMetadata`: the token, or `None` when WorkMail knows no such token.
    fn personal_access_token(
        &self,
        organization: &OrganizationId,
        token: &PersonalAccessTokenId,
    ) -> impl Future<Output = Result<Option<PersonalAccessTokenSummary>, WorkMailError>> + Send;
}

/// Revokes personal access tokens.
pub trait TokenRevocation: MailboxDirectory {
    /// `DeletePersonalAccessToken`: the token stops working at once. WorkMail answers success for a
    /// token it does not know (the model has no "not found" for it): read it first where that matters.
    fn delete_personal_access_token(
        &self,
        organization: &OrganizationId,
        token: &PersonalAccessTokenId,
    ) -> impl Future<Output = Result<(), WorkMailError>> + Send;
}

/// How long `read_directory` may take, and how fast it may call WorkMail.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ReadBudget {
    deadline: Instant,
    calls_per_second: Option<f64>,
}

impl ReadBudget {
    /// Read until `deadline`, as fast as WorkMail answers.
    pub fn until(deadline: Instant) -> Self {
        Self {
            deadline,
            calls_per_second: None,
        }
    }

    /// Start at most `calls_per_second` pages a second, users and tokens together (ignored unless
    /// positive and finite).
    pub fn paced(self, calls_per_second: f64) -> Self {
        Self {
            calls_per_second: (calls_per_second.is_finite() && calls_per_second > 0.0)
                .then_some(calls_per_second),
            ..self
        }
    }
}

/// Evenly spaced call slots shared by every stream of pages (and by the organizations overview).
pub(crate) struct Pacer {
    interval: Option<Duration>,
    next_slot: Mutex<Instant>,
}

impl Pacer {
    pub(crate) fn new(budget: &ReadBudget) -> Self {
        Self {
            interval: budget
                .calls_per_second
                .map(|rate| Duration::from_secs_f64(1.0 / rate)),
            next_slot: Mutex::new(Instant::now()),
        }
    }

    /// The start of the next free slot (now when unpaced), taken.
    /// Waits for the next slot; `false` (without waiting) when it falls at or after `budget`'s deadline.
    pub(crate) async fn wait_within(&self, budget: &ReadBudget) -> bool {
        let slot = self.take_slot();
        if slot >= budget.deadline {
            return false;
        }
        tokio::time::sleep_until(slot).await;
        true
    }

    pub(crate) fn take_slot(&self) -> Instant {
        let now = Instant::now();
        let Some(interval) = self.interval else {
            return now;
        };
        let mut next = self
            .next_slot
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let slot = (*next).max(now);
        *next = slot + interval;
        slot
    }
}

/// Every page of one listing until the last or the deadline; `true` when all were read.
async fn read_pages<T, F, Fut>(
    budget: &ReadBudget,
    pacer: &Pacer,
    into: &mut Vec<T>,
    mut page: F,
) -> Result<bool, WorkMailError>
where
    F: FnMut(Option<PageToken>) -> Fut,
    Fut: Future<Output = Result<Page<T>, WorkMailError>>,
{
    let mut next = None;
    loop {
        let slot = pacer.take_slot();
        if slot >= budget.deadline {
            return Ok(false);
        }
        tokio::time::sleep_until(slot).await;
        match tokio::time::timeout_at(budget.deadline, page(next.take())).await {
            Err(_elapsed) => return Ok(false),
            Ok(answer) => {
                let answer = answer?;
                into.extend(answer.items);
                match answer.next {
                    None => return Ok(true),
                    token => next = token,
                }
            }
        }
    }
}

/// Reads what `needs` says of `organization`'s directory (users, and tokens when they matter),
/// both listings concurrently, within `budget`. `ImpactData::Nothing` reads nothing.
pub async fn read_directory(
    directory: &impl MailboxDirectory,
    organization: &OrganizationId,
    needs: ImpactData,
    budget: &ReadBudget,
) -> Result<DirectorySnapshot, WorkMailError> {
    if needs == ImpactData::Nothing {
        return Ok(DirectorySnapshot::default());
    }
    let pacer = Pacer::new(budget);
    let (mut users, mut tokens) = (Vec::new(), Vec::new());
    let users_read = read_pages(budget, &pacer, &mut users, |next| async move {
        directory.list_users(organization, next.as_ref()).await
    });
    let tokens_read = async {
        if needs == ImpactData::UsersAndTokens {
            read_pages(budget, &pacer, &mut tokens, |next| async move {
                directory
                    .list_personal_access_tokens(organization, None, next.as_ref())
                    .await
            })
            .await
            .map(Some)
        } else {
            Ok(None)
        }
    };
    let (users_complete, tokens_complete) = tokio::try_join!(users_read, tokens_read)?;
    let complete = users_complete && tokens_complete.unwrap_or(true);
    Ok(DirectorySnapshot {
        users,
        tokens: tokens_complete.map(|_| tokens),
        cut_short: (!complete).then_some(CutShort::TimeBudget),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_tokens_have_1_to_1024_characters() {
        assert!(PageToken::parse("a").is_ok());
        assert!(PageToken::parse(&"é".repeat(1024)).is_ok());
        assert!(PageToken::parse("").is_err());
        assert!(PageToken::parse(&"a".repeat(1025)).is_err());
    }

    #[test]
    fn a_paced_budget_spaces_slots_evenly_and_unpaced_does_not() {
        let start = Instant::now();
        let paced = Pacer::new(&ReadBudget::until(start + Duration::from_secs(60)).paced(4.0));
        let slots: Vec<Instant> = (0..3).map(|_| paced.take_slot()).collect();
        assert!(slots[0] >= start && slots[0] <= Instant::now());
        assert_eq!(slots[1] - slots[0], Duration::from_millis(250));
        assert_eq!(slots[2] - slots[1], Duration::from_millis(250));
        let unpaced = Pacer::new(&ReadBudget::until(start).paced(f64::NAN));
        for _ in 0..3 {
            assert!(
                unpaced.take_slot() <= Instant::now(),
                "no slot in the future"
            );
        }
    }
}
