//! A sweep: read every target organization (bounded concurrency, paced), decide, and only then write,
//! so that the max-changes cap can stop a run before it changes anything. Each write is confirmed by
//! a Describe; one organization's failure never stops the others.

use futures_util::stream::{self, StreamExt};

use super::pacer::PacedStore;
use super::plan::{Assessment, assess};
use super::policy::{EnforcementPolicy, Mode, OrganizationPolicy};
use super::report::{ChangeCap, Failure, OrganizationResult, Outcome};
use crate::domain::{FieldChange, OrganizationId, Timestamp};
use crate::workmail::{IdentityProviderStore, WorkMailError};

/// Checks `targets` against `policy`. `mode_cap` of `report` keeps every organization in report mode.
pub async fn sweep<S: IdentityProviderStore>(
    store: &S,
    policy: &EnforcementPolicy,
    targets: Vec<OrganizationId>,
    mode_cap: Option<Mode>,
    now: Timestamp,
) -> (Vec<OrganizationResult>, Option<ChangeCap>) {
    let store = PacedStore::new(store, policy.calls_per_second);
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
                async move {
                    let outcome = remediate(store, &organization, entry, changes).await;
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

/// Puts the desired configuration, then reads it back to confirm.
async fn remediate(
    store: &impl IdentityProviderStore,
    organization: &OrganizationId,
    entry: &OrganizationPolicy,
    changes: Vec<FieldChange>,
) -> Outcome {
    if let Err(error) = store.put(organization, &entry.desired).await {
        return failed(&error);
    }
    match store.describe(organization).await {
        Ok(Some(stored)) if stored == entry.desired => Outcome::Remediated { diff: changes },
        Ok(stored) => Outcome::Failed {
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
        Err(error) => failed(&error),
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
