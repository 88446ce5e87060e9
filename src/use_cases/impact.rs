//! Who would lose access: the impact of a change read from the organization's users and personal
//! access tokens (paced, within a time budget), the consent a lockout risk needs (bound to the
//! report's digest whenever anyone would lose access), and the readiness check for a switch to
//! `IDENTITY_PROVIDER_ONLY`.

use std::time::Duration;

use tokio::time::Instant;

use super::{Grants, UseCaseError};
use crate::access::Permission;
use crate::domain::{AuthenticationMode, Change, ImpactReport, OrganizationId, Timestamp};
use crate::workmail::{IdentityProviderStore, MailboxDirectory, ReadBudget, read_directory};

/// How the directory is read for an impact report.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DirectoryReading {
    /// The longest a report may take; a report cut short by it says so and is never "nobody".
    pub budget: Duration,
    /// WorkMail calls per second, users and tokens together.
    pub calls_per_second: f64,
    /// When the report must be done at the latest (the invocation's deadline less what the write
    /// still needs after it), if there is such a deadline.
    pub finish_by: Option<Instant>,
}

impl Default for DirectoryReading {
    /// 15 s at 25 calls/s: 375 pages (10,000 users and 20,000 tokens take 300) within API Gateway's 29 s.
    fn default() -> Self {
        Self {
            budget: Duration::from_secs(15),
            calls_per_second: 25.0,
            finish_by: None,
        }
    }
}

impl DirectoryReading {
    /// The same reading, done by `finish_by` at the latest.
    pub fn finishing_by(self, finish_by: Instant) -> Self {
        Self {
            finish_by: Some(finish_by),
            ..self
        }
    }
}

/// What the caller said about a lockout risk.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Consent {
    #[default]
    None,
    /// `Confirm-Impact: lockout-risk`, with the `impactDigest` of the report the caller saw, if any.
    LockoutRisk { digest: Option<String> },
}

/// The impact of `change`, read now.
pub async fn impact_of(
    directory: &impl MailboxDirectory,
    change: &Change,
    reading: DirectoryReading,
) -> Result<ImpactReport, UseCaseError> {
    let mut until = Instant::now() + reading.budget;
    if let Some(finish_by) = reading.finish_by {
        until = until.min(finish_by);
    }
    let budget = ReadBudget::until(until).paced(reading.calls_per_second);
    let snapshot = read_directory(
        directory,
        &change.organization,
        change.impact_data(),
        &budget,
    )
    .await?;
    Ok(ImpactReport::compute(change, &snapshot, Timestamp::now()))
}

/// Whether `consent` covers `change` with its `impact`: a confirmation always, and when anyone would
/// lose access (or the report cannot rule it out), the digest of this very report.
pub fn check_consent(
    consent: &Consent,
    change: &Change,
    impact: &ImpactReport,
) -> Result<(), UseCaseError> {
    match consent {
        Consent::None => Err(UseCaseError::LockoutNotConfirmed {
            removal: change.after.is_none(),
            impact: Some(Box::new(impact.clone())),
        }),
        Consent::LockoutRisk { digest: None } if !impact.locks_anyone_out() => Ok(()),
        Consent::LockoutRisk {
            digest: Some(digest),
        } if *digest == impact.impact_digest => Ok(()),
        Consent::LockoutRisk { digest } => Err(UseCaseError::ImpactNotAcknowledged {
            stale: digest.is_some(),
            impact: Box::new(impact.clone()),
        }),
    }
}

/// What a switch to `IDENTITY_PROVIDER_ONLY` would do to the organization as it is now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Readiness {
    pub impact: ImpactReport,
    /// Nobody would lose access, by a complete report.
    pub ready: bool,
}

/// The readiness of `organization` for `IDENTITY_PROVIDER_ONLY`, for a caller who may read it. An
/// organization already in that mode is reported as if it switched now: who cannot sign in under it.
pub async fn readiness(
    store: &(impl IdentityProviderStore + MailboxDirectory),
    organization: &OrganizationId,
    grants: Grants,
    reading: DirectoryReading,
) -> Result<Readiness, UseCaseError> {
    grants.require(Permission::Read)?;
    let current = store
        .describe(organization)
        .await?
        .ok_or(UseCaseError::NotConfigured)?;
    let mut before = current.clone();
    before.authentication_mode = AuthenticationMode::IdentityProviderAndDirectory;
    let mut after = current;
    after.authentication_mode = AuthenticationMode::IdentityProviderOnly;
    let change = Change {
        organization: organization.clone(),
        before: Some(before),
        after: Some(after),
    };
    let impact = impact_of(store, &change, reading).await?;
    Ok(Readiness {
        ready: !impact.locks_anyone_out(),
        impact,
    })
}
