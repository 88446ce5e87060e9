//! A sweep: read every target organization (bounded concurrency, paced), decide, and only then write,
//! so that the max-changes cap can stop a run before it changes anything. Each remediation takes the
//! organization's write lease, reads and assesses again from scratch under it (the first read may be
//! stale by then), writes only what that fresh assessment allows, and is confirmed by a read; what it
//! reports is what it wrote. One organization's failure never stops the others.

use futures_util::stream::{self, StreamExt};

use super::pacer::PacedStore;
use super::plan::{Assessment, assess};
use super::policy::{EnforcementPolicy, Mode, OrganizationPolicy};
use super::report::{ChangeCap, Failure, OrganizationResult, Outcome};
use crate::domain::{FieldChange, OrganizationId, Timestamp};
use crate::lease::{LeaseSettings, WriteLeases};
use crate::use_cases::{Confirmation, Decision, Guarded, UseCaseError, guarded_write};
use crate::workmail::{IdentityProviderStore, WorkMailError};

/// Where a sweep writes: WorkMail, paced, and the write leases it shares with the API.
pub struct SweepTarget<'a, S, L> {
    pub store: &'a S,
    pub leases: &'a L,
    pub lease_settings: LeaseSettings,
}

/// Checks `targets` against `policy`. `mode_cap` of `report` keeps every organization in report mode.
pub async fn sweep<S: IdentityProviderStore, L: WriteLeases>(
    target: SweepTarget<'_, S, L>,
    policy: &EnforcementPolicy,
    targets: Vec<OrganizationId>,
    mode_cap: Option<Mode>,
    now: Timestamp,
) -> (Vec<OrganizationResult>, Option<ChangeCap>) {
    let store = PacedStore::new(target.store, policy.calls_per_second);
    let mut results = Vec::new();
    let mut to_check = Vec::new();
    for organization in targets {
        match policy.organizations.get(&organization) {
            None => results.push(skipped(
                &organization,
                "not in the enforcement policy".to_owned(),
            )),
            Some(entry) if entry.exempt_until.is_some_and(|until| until > now) => {
                let until = entry
                    .exempt_until
                    .map(|t| t.to_string())
                    .unwrap_or_default();
                results.push(skipped(&organization, format!("exempt until {until}")));
            }
            Some(entry) => to_check.push((organization, entry, effective_mode(entry, mode_cap))),
        }
    }

    let assessed: Vec<_> = stream::iter(to_check)
        .map(|(organization, entry, mode)| {
            let store = &store;
            async move {
                let current = store.describe(&organization).await;
                (organization, entry, mode, current)
            }
        })
        .buffer_unordered(policy.max_concurrency)
        .collect()
        .await;

    let mut remediations = Vec::new();
    for (organization, entry, mode, current) in assessed {
        let outcome = match current {
            Err(error) => failed(&error),
            Ok(current) => match assess(&organization, entry, current.as_ref(), mode) {
                Assessment::Compliant => Outcome::Compliant,
                Assessment::Drifted { changes, reason } => Outcome::Drifted {
                    diff: changes,
                    reason,
                },
                Assessment::Remediate { changes } => {
                    remediations.push((organization, entry, mode, changes));
                    continue;
                }
            },
        };
        results.push(OrganizationResult::new(
            &organization,
            Some(mode.as_str()),
            outcome,
        ));
    }

    let cap = (remediations.len() > policy.max_changes_per_run).then_some(ChangeCap {
        needed: remediations.len(),
        max_changes_per_run: policy.max_changes_per_run,
    });
    if let Some(cap) = &cap {
        let reason = format!(
            "not remediated: {} organizations need changes, more than maxChangesPerRun ({}); no organization was changed",
            cap.needed, cap.max_changes_per_run
        );
        for (organization, _, mode, changes) in remediations {
            let outcome = Outcome::Drifted {
                diff: changes,
                reason: reason.clone(),
            };
            results.push(OrganizationResult::new(
                &organization,
                Some(mode.as_str()),
                outcome,
            ));
        }
    } else {
        let applied: Vec<_> = stream::iter(remediations)
            .map(|(organization, entry, mode, changes)| {
                let store = &store;
                let leases = target.leases;
                async move {
                    let lease = (leases, target.lease_settings);
                    let outcome =
                        remediate(store, lease, &organization, entry, mode, changes).await;
                    OrganizationResult::new(&organization, Some(mode.as_str()), outcome)
                }
            })
            .buffer_unordered(policy.max_concurrency)
            .collect()
            .await;
        results.extend(applied);
    }
    results.sort_by(|a, b| a.organization_id.cmp(&b.organization_id));
    (results, cap)
}

fn effective_mode(entry: &OrganizationPolicy, mode_cap: Option<Mode>) -> Mode {
    match mode_cap {
        Some(Mode::Report) => Mode::Report,
        _ => entry.mode,
    }
}

/// Under the organization's lease: reads and assesses again, Puts the desired configuration only if
/// that fresh assessment still says so, then reads it back to confirm. `first_look` is the drift the
/// sweep's first read found, reported if the lease could not be had.
async fn remediate<L: WriteLeases>(
    store: &impl IdentityProviderStore,
    (leases, lease_settings): (&L, LeaseSettings),
    organization: &OrganizationId,
    entry: &OrganizationPolicy,
    mode: Mode,
    first_look: Vec<FieldChange>,
) -> Outcome {
    let written = guarded_write(
        store,
        leases,
        lease_settings,
        organization,
        "enforcer",
        |current| {
            Ok(match assess(organization, entry, current, mode) {
                Assessment::Compliant => Decision::Leave(Outcome::Compliant),
                Assessment::Drifted { changes, reason } => Decision::Leave(Outcome::Drifted {
                    diff: changes,
                    reason: format!("re-checked under the write lease before writing: {reason}"),
                }),
                Assessment::Remediate { changes } => {
                    Decision::Write(entry.desired.clone(), changes)
                }
            })
        },
    )
    .await;
    match written {
        Ok(Guarded::Left(outcome)) => outcome,
        Ok(Guarded::Written(written)) => match written.confirmation {
            Confirmation::Confirmed => Outcome::Remediated {
                diff: written.detail,
                confirmation: "confirmed".to_owned(),
            },
            Confirmation::ReadFailed(error) => Outcome::Remediated {
                diff: written.detail,
                confirmation: format!(
                    "read-back failed: the Put was acknowledged, but {} failed ({}): {}",
                    error.operation,
                    error.public_code(),
                    error.message
                ),
            },
            Confirmation::Differs(stored) => Outcome::Failed {
                error: Failure {
                    code: "NOT_CONFIRMED".to_owned(),
                    message: format!(
                        "after Put, WorkMail reports a configuration that still differs at {:?}",
                        crate::domain::diff(organization, stored.as_ref(), Some(&entry.desired))
                            .iter()
                            .map(|change| change.pointer.as_str())
                            .collect::<Vec<_>>()
                    ),
                },
            },
        },
        Err(UseCaseError::WriteInProgress { .. }) => Outcome::Drifted {
            diff: first_look,
            reason: "not remediated: another writer held the organization's write lease; the next run checks again".to_owned(),
        },
        Err(UseCaseError::Upstream(error)) => failed(&error),
        Err(other) => Outcome::Failed {
            error: Failure {
                code: match other {
                    UseCaseError::LockUnavailable(_) => "LOCK_UNAVAILABLE",
                    _ => "INTERNAL",
                }
                .to_owned(),
                message: format!("nothing was written: {other}"),
            },
        },
    }
}

fn failed(error: &WorkMailError) -> Outcome {
    Outcome::Failed {
        error: Failure {
            code: error.public_code().to_owned(),
            message: format!("{} failed: {}", error.operation, error.message),
        },
    }
}

fn skipped(organization: &OrganizationId, reason: String) -> OrganizationResult {
    OrganizationResult::new(organization, None, Outcome::Skipped { reason })
}
