//! Personal access token administration for portals and incident response: list an organization's
//! tokens a WorkMail page at a time (of one user or all, optionally only those expiring soon), and
//! revoke one after reading it, so that an unknown token is "not found" (WorkMail's Delete answers
//! success for any id) and the audit record names what was revoked, under the organization's write
//! lease (a revocation between a lockout-risk change's impact report and its write would make the
//! report wrong). Token secrets never pass here: WorkMail does not return them.

use super::lease_guard::{OutcomeUnknown, renew_lease, under_lease};
use super::{Effect, Grants, UseCaseError};
use crate::access::Permission;
use crate::domain::{
    InvalidValue, OrganizationId, PersonalAccessTokenId, PersonalAccessTokenSummary, Timestamp,
    UserId,
};
use crate::lease::{LeaseKey, LeaseSettings, WriteLeases};
use crate::workmail::{PageToken, TokenRevocation, WorkMailError};

const DAY_SECONDS: i64 = 86_400;

/// "Expiring within N days": tokens still valid now that stop working within `days` days.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExpiryWindow {
    days: u16,
}

impl ExpiryWindow {
    pub const MAX_DAYS: u16 = 3653;

    /// Parses a whole number of days from 1 to 3653 (a token's longest lifetime).
    pub fn parse_days(raw: &str) -> Result<Self, InvalidValue> {
        match raw.parse::<u16>() {
            Ok(days) if (1..=Self::MAX_DAYS).contains(&days) && !raw.starts_with('+') => {
                Ok(Self { days })
            }
            _ => Err(InvalidValue::new(format!(
                "must be a whole number of days from 1 to {}",
                Self::MAX_DAYS
            ))),
        }
    }

    /// Unexpired at `now` and expiring by `now` plus the window; a token without expiry never is.
    pub fn includes(self, token: &PersonalAccessTokenSummary, now: Timestamp) -> bool {
        let end = now.unix_seconds() + i64::from(self.days) * DAY_SECONDS;
        token.is_unexpired(now) && token.expires.is_some_and(|at| at.unix_seconds() <= end)
    }
}

/// Which tokens to list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenListing {
    pub organization: OrganizationId,
    /// Only this user's tokens.
    pub user: Option<UserId>,
    /// Only tokens expiring within this window.
    pub expiring: Option<ExpiryWindow>,
    /// The page to read (WorkMail's token from a previous answer); `None`: the first.
    pub next: Option<PageToken>,
}

/// One page of tokens. A filtered page may hold fewer tokens than WorkMail's page, or none: the
/// listing ends only when `next` is `None`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenPage {
    pub tokens: Vec<PersonalAccessTokenSummary>,
    pub next: Option<PageToken>,
}

/// One page of the tokens `listing` asks for, for a caller who may read the organization.
pub async fn list_tokens(
    directory: &impl TokenRevocation,
    listing: &TokenListing,
    grants: Grants,
    now: Timestamp,
) -> Result<TokenPage, UseCaseError> {
    grants.require(Permission::Read)?;
    let page = directory
        .list_personal_access_tokens(
            &listing.organization,
            listing.user.as_ref(),
            listing.next.as_ref(),
        )
        .await?;
    let tokens = page
        .items
        .into_iter()
        .filter(|token| {
            listing
                .expiring
                .is_none_or(|window| window.includes(token, now))
        })
        .collect();
    Ok(TokenPage {
        tokens,
        next: page.next,
    })
}

/// A request to revoke one token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenRevocationRequest {
    pub organization: OrganizationId,
    pub token: PersonalAccessTokenId,
    pub grants: Grants,
    /// Answer what would be revoked; revoke nothing.
    pub dry_run: bool,
}

/// What a revocation did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RevocationOutcome {
    /// The dry run's answer: this token would be revoked.
    DryRun(PersonalAccessTokenSummary),
    Revoked(PersonalAccessTokenSummary),
}

/// What a revocation learned, kept for the audit record even when it ends in an error.
#[derive(Debug, Default)]
pub struct RevocationFacts {
    /// The token as read before revoking it.
    pub token: Option<PersonalAccessTokenSummary>,
    pub effect: Option<Effect>,
}

/// Why a token use case did not complete.
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error("the organization has no personal access token {0}")]
    NotFound(PersonalAccessTokenId),
    #[error(transparent)]
    UseCase(#[from] UseCaseError),
}

impl From<WorkMailError> for TokenError {
    fn from(error: WorkMailError) -> Self {
        Self::UseCase(error.into())
    }
}

/// Revokes the token `request` names, for a caller who may write the organization: under the
/// organization's lease (none for a dry run) reads its metadata first (an unknown token is
/// `NotFound` and nothing is sent), then deletes it. A Delete that fails without telling whether it
/// was applied leaves the lease to expire, as a configuration write does.
pub async fn revoke_token(
    directory: &impl TokenRevocation,
    leases: &impl WriteLeases,
    lease_settings: LeaseSettings,
    request: &TokenRevocationRequest,
    facts: &mut RevocationFacts,
) -> Result<RevocationOutcome, TokenError> {
    request.grants.require(Permission::Write)?;
    if request.dry_run {
        let token = read_token(directory, request, facts).await?;
        facts.effect = Some(Effect::DryRun);
        return Ok(RevocationOutcome::DryRun(token));
    }
    let key = LeaseKey::workmail_organization(&request.organization);
    under_lease(leases, &key, "api", lease_settings, async |lease| {
        let token = read_token(directory, request, facts).await?;
        renew_lease(leases, lease, lease_settings).await?;
        if let Err(error) = directory
            .delete_personal_access_token(&request.organization, &request.token)
            .await
        {
            if error.may_have_been_applied() {
                facts.effect = Some(Effect::Unknown);
                return Err(UseCaseError::MaybeWritten(Box::new(error)).into());
            }
            return Err(error.into());
        }
        facts.effect = Some(Effect::Written);
        Ok(RevocationOutcome::Revoked(token))
    })
    .await
}

impl OutcomeUnknown for TokenError {
    fn outcome_unknown(&self) -> bool {
        matches!(self, TokenError::UseCase(error) if error.outcome_unknown())
    }
}

/// The token `request` names, or `NotFound`.
async fn read_token(
    directory: &impl TokenRevocation,
    request: &TokenRevocationRequest,
    facts: &mut RevocationFacts,
) -> Result<PersonalAccessTokenSummary, TokenError> {
    let token = directory
        .personal_access_token(&request.organization, &request.token)
        .await?
        .ok_or_else(|| TokenError::NotFound(request.token.clone()))?;
    facts.token = Some(token.clone());
    Ok(token)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token(expires: Option<i64>) -> PersonalAccessTokenSummary {
        PersonalAccessTokenSummary {
            id: PersonalAccessTokenId::parse("pat-1").expect("valid"),
            user_id: UserId::parse("S-1-1-11-0001").expect("valid"),
            name: None,
            created: None,
            last_used: None,
            expires: expires.map(Timestamp::from_unix_seconds),
            scopes: Vec::new(),
        }
    }

    #[test]
    fn expiry_windows_are_1_to_3653_whole_days() {
        for raw in ["1", "30", "3653"] {
            assert!(ExpiryWindow::parse_days(raw).is_ok(), "{raw}");
        }
        for raw in ["0", "3654", "-1", "+5", "1.5", "", " 7", "7d", "99999999"] {
            let refused = ExpiryWindow::parse_days(raw).expect_err(raw);
            assert!(refused.message().contains("1 to 3653"), "{raw}: {refused}");
        }
    }

    #[test]
    fn a_window_holds_unexpired_tokens_that_expire_within_it() {
        let window = ExpiryWindow::parse_days("2").expect("valid");
        let now = Timestamp::from_unix_seconds(1_000_000);
        let within = 1_000_000 + 2 * DAY_SECONDS;
        assert!(window.includes(&token(Some(within)), now));
        assert!(window.includes(&token(Some(1_000_001)), now));
        assert!(!window.includes(&token(Some(within + 1)), now));
        assert!(!window.includes(&token(Some(1_000_000)), now), "expired");
        assert!(!window.includes(&token(None), now), "never expires");
    }
}
