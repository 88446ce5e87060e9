//! The API's write of an organization's configuration (PUT, PATCH, DELETE): the caller's grants, the
//! merge or replacement, validation, preconditions and escalation, decided on the state read under
//! the organization's lease (or, for a dry run, on an unleased read, writing nothing); a result equal
//! to the current state writes nothing; a lockout risk needs the caller's confirmation, bound to the
//! impact report read under the lease whenever anyone would lose access.

use serde_json::Value;

use super::guarded_write::{Confirmation, Current, Decision, Guarded, guarded_write};
use super::impact::{Consent, DirectoryReading, check_consent, impact_of};
use super::{Grants, UseCaseError};
use crate::access::Permission;
use crate::domain::{
    Change, ConfigurationDocument, IdentityProviderConfiguration, ImpactReport, OrganizationId,
    Preconditions, UnrecognizedConfiguration, etag, merge_patch, parse_configuration,
};
use crate::lease::{LeaseSettings, WriteLeases};
use crate::workmail::{IdentityProviderRemoval, MailboxDirectory};

/// A requested mutation of an organization's configuration.
#[derive(Debug, Clone)]
pub enum Mutation {
    /// PUT: the whole configuration.
    Replace(IdentityProviderConfiguration),
    /// PATCH: an RFC 7396 merge patch, applied to the current configuration (an empty document when
    /// there is none); the result must be a complete, valid configuration.
    Patch(Value),
    /// DELETE.
    Remove,
}

/// One write, as the caller asked for it.
#[derive(Debug, Clone)]
pub struct ConfigurationWrite {
    pub organization: OrganizationId,
    pub mutation: Mutation,
    pub grants: Grants,
    pub preconditions: Preconditions,
    /// The deployment requires a precondition that proves the caller read the current state.
    pub require_precondition: bool,
    pub dry_run: bool,
    /// What the caller said about a lockout risk (`Confirm-Impact`).
    pub consent: Consent,
}

/// How a write ended, when it did not end in an error.
#[derive(Debug, Clone)]
pub enum WriteOutcome {
    /// Nothing written; what the write would do, and to whom when it risks a lockout.
    DryRun {
        change: Box<Change>,
        impact: Option<Box<ImpactReport>>,
    },
    /// The result equals the current state: nothing written.
    Unchanged(Option<IdentityProviderConfiguration>),
    /// Written. `stored` is what the confirming read returned (or what was written, if that read
    /// failed); `warning` says when the two may differ.
    Written {
        stored: Option<IdentityProviderConfiguration>,
        warning: Option<&'static str>,
    },
}

/// What happened to the stored state, for the audit record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    DryRun,
    Unchanged,
    Written,
    /// The write was sent and failed in a way that does not tell whether it was applied.
    Unknown,
}

impl Effect {
    pub fn as_str(self) -> &'static str {
        match self {
            Effect::DryRun => "dryRun",
            Effect::Unchanged => "unchanged",
            Effect::Written => "written",
            Effect::Unknown => "unknown",
        }
    }
}

/// What the write learned, kept for the audit record even when it ends in an error.
#[derive(Debug, Default)]
pub struct WriteFacts {
    pub change: Option<Change>,
    /// The impact report the decision was made with, for a lockout risk.
    pub impact: Option<ImpactReport>,
    pub effect: Option<Effect>,
    pub warning: Option<&'static str>,
}

pub const CHANGED_BY_ANOTHER_WRITER: &str = "changed by another writer after this write";
pub const CONFIRMATION_READ_FAILED: &str =
    "the write was acknowledged but the confirming read failed; this is what was written";

/// Where a write goes: WorkMail (configuration and directory), the write leases, and how the
/// directory is read for an impact report.
pub struct ConfigurationTarget<'a, S, L> {
    pub store: &'a S,
    pub leases: &'a L,
    pub lease_settings: LeaseSettings,
    pub reading: DirectoryReading,
}

/// Carries out `request`.
pub async fn change_configuration<S, L>(
    target: ConfigurationTarget<'_, S, L>,
    request: &ConfigurationWrite,
    facts: &mut WriteFacts,
) -> Result<WriteOutcome, UseCaseError>
where
    S: IdentityProviderRemoval + MailboxDirectory,
    L: WriteLeases,
{
    request.grants.require(Permission::Write)?;
    let ConfigurationTarget {
        store,
        leases,
        lease_settings,
        reading,
    } = target;
    let organization = &request.organization;
    if request.dry_run {
        let (change, impact) = match Current::from_describe(store.describe(organization).await)? {
            Current::Known(before) => {
                let change = assess(request, before.as_ref(), facts)?;
                let impact = if change.risks_lockout() {
                    Some(impact_of(store, &change, reading).await?)
                } else {
                    None
                };
                (change, impact)
            }
            Current::Unrecognized(stored) => {
                let change = over_unrecognized(request, &stored, facts)?;
                let impact = if change.after.is_some() && change.risks_lockout() {
                    Some(impact_of(store, &change, reading).await?)
                } else {
                    None
                };
                (change, impact)
            }
        };
        facts.impact.clone_from(&impact);
        facts.effect = Some(Effect::DryRun);
        return Ok(WriteOutcome::DryRun {
            change: Box::new(change),
            impact: impact.map(Box::new),
        });
    }
    let decision_facts = &mut *facts;
    let guarded = guarded_write(
        store,
        leases,
        lease_settings,
        organization,
        "api",
        |current| async move {
            let facts = decision_facts;
            let before = match current {
                Current::Known(before) => before,
                Current::Unrecognized(stored) => {
                    let change = over_unrecognized(request, &stored, facts)?;
                    // What a replacement does to users can be told from what it writes: one
                    // that locks users out needs their report's digest, as over a known one.
                    if change.after.is_some() && change.risks_lockout() {
                        let impact = impact_of(store, &change, reading).await?;
                        facts.impact = Some(impact.clone());
                        check_consent(&request.consent, &change, &impact)?;
                    } else if !matches!(request.consent, Consent::LockoutRisk { .. }) {
                        return Err(UseCaseError::LockoutNotConfirmed {
                            removal: change.after.is_none(),
                            impact: None,
                        });
                    }
                    return Ok(Decision::Write(change.after, ()));
                }
            };
            let change = assess(request, before.as_ref(), facts)?;
            if !change.would_change() {
                return Ok(Decision::Leave(change.before));
            }
            if change.risks_lockout() {
                let impact = impact_of(store, &change, reading).await?;
                facts.impact = Some(impact.clone());
                check_consent(&request.consent, &change, &impact)?;
            }
            Ok(Decision::Write(change.after, ()))
        },
    )
    .await
    .inspect_err(|error| {
        if matches!(error, UseCaseError::MaybeWritten(_)) {
            facts.effect = Some(Effect::Unknown);
        }
    })?;
    Ok(match guarded {
        Guarded::Left(current) => {
            facts.effect = Some(Effect::Unchanged);
            WriteOutcome::Unchanged(current)
        }
        Guarded::Written(written) => {
            facts.effect = Some(Effect::Written);
            let (stored, warning) = match written.confirmation {
                Confirmation::Confirmed => (written.after, None),
                Confirmation::Differs(stored) => (stored, Some(CHANGED_BY_ANOTHER_WRITER)),
                Confirmation::ReadFailed(_) => (written.after, Some(CONFIRMATION_READ_FAILED)),
            };
            facts.warning = warning;
            WriteOutcome::Written { stored, warning }
        }
    })
}

/// What a replacement or removal makes of a configuration outside the model: checked against its
/// ETag and the caller's grants, and always a lockout risk (what it does to users cannot be told).
/// A merge patch cannot be applied to it.
fn over_unrecognized(
    request: &ConfigurationWrite,
    stored: &UnrecognizedConfiguration,
    facts: &mut WriteFacts,
) -> Result<Change, UseCaseError> {
    let after = match &request.mutation {
        Mutation::Replace(configuration) => Some(configuration.clone()),
        Mutation::Remove => None,
        Mutation::Patch(_) => {
            return Err(UseCaseError::CannotMergeUnrecognized(Box::new(
                stored.clone(),
            )));
        }
    };
    let change = Change {
        organization: request.organization.clone(),
        before: None,
        after,
    };
    facts.change = Some(change.clone());
    request.preconditions.check(
        Some(&stored.etag(&request.organization)),
        request.require_precondition,
    )?;
    request.grants.require(Permission::Escalate)?;
    Ok(change)
}

/// What the request makes of `before`, checked against the preconditions and the caller's grants.
fn assess(
    request: &ConfigurationWrite,
    before: Option<&IdentityProviderConfiguration>,
    facts: &mut WriteFacts,
) -> Result<Change, UseCaseError> {
    let organization = &request.organization;
    let after = match &request.mutation {
        Mutation::Replace(configuration) => Some(configuration.clone()),
        Mutation::Patch(merge) => {
            let mut document = match before {
                Some(current) => ConfigurationDocument::new(organization, current).to_value(),
                None => Value::Object(serde_json::Map::new()),
            };
            merge_patch(&mut document, merge);
            Some(parse_configuration(&document, organization).map_err(UseCaseError::Invalid)?)
        }
        Mutation::Remove => None,
    };
    let change = Change {
        organization: organization.clone(),
        before: before.cloned(),
        after,
    };
    facts.change = Some(change.clone());
    let current_etag = before.map(|configuration| etag(organization, configuration));
    request
        .preconditions
        .check(current_etag.as_deref(), request.require_precondition)?;
    if change.risks_lockout() {
        request.grants.require(Permission::Escalate)?;
    }
    Ok(change)
}
