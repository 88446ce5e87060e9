//! The portals of a sweep: read each portal's identity provider (paced, through a store that has no
//! Delete), report its SAML signing certificates that expired or expire soon, compare it with the
//! policy's desired type and non-secret members, and remediate through the API's own portal write
//! use case (`change_portal_provider`: lease, read under it, merge, validate, confirm), with the
//! desired members as a merge patch over the stored provider, so that its secrets are kept.
//!
//! The enforcer never deletes a provider, never creates one (a portal without a provider is
//! `notConfigured`: creating one needs secrets or metadata a policy does not hold), and never changes
//! a provider's type unless `allowTypeChange` is true for that portal; a type change that the desired
//! members cannot complete (a secret, a required member) is a failure that says what is missing,
//! never a guess.

use super::policy::{Mode, PortalPolicy};
use super::report::{CertificateReport, Failure, Outcome, PortalResult};
use crate::domain::secure_browser::{
    IdentityProvider, PortalId, ResourceScope, certificate_findings, merge_identity_provider,
};
use crate::domain::{FieldChange, Preconditions, Timestamp};
use crate::lease::{EtagKeyError, EtagKeys, LeaseSettings, WriteLeases};
use crate::use_cases::{
    CONFIRMATION_READ_FAILED, Consent, Grants, PortalEdit, PortalRef, PortalTarget, PortalWrite,
    PortalWriteFacts, PortalWriteOutcome, UseCaseError, change_portal_provider,
};
use crate::workspaces_web::{
    PortalProviderStore, SecureBrowserError, StoredContent, StoredProvider,
};

/// The secret members of a provider's details, to say when a missing member is one.
const SECRET_MEMBERS: &[&str] = &["clientSecret", "privateKey"];

/// What the first read of a portal says to do.
pub(super) enum PortalAssessment {
    /// Reported as it is (compliant, drifted and left alone, not configured, failed).
    Done(Outcome),
    /// Drifted, and the enforcer may write the desired members.
    Remediate { changes: Vec<FieldChange> },
}

/// Where the portal of `id` is, in the function's own partition, region and account.
pub(super) fn portal_ref(scope: &ResourceScope, id: &PortalId) -> PortalRef {
    PortalRef {
        id: id.clone(),
        arn: scope.portal_arn(id),
    }
}

/// The first read: the provider, or what it says on its own.
pub(super) async fn read(
    store: &impl PortalProviderStore,
    portal: &PortalRef,
) -> Result<IdentityProvider, Outcome> {
    match store.find(&portal.arn).await {
        Err(error) => Err(upstream_failure(&error)),
        Ok(None) => Err(not_configured()),
        Ok(Some(StoredProvider {
            content: StoredContent::Known(provider),
            ..
        })) => Ok(provider),
        Ok(Some(StoredProvider {
            content: StoredContent::Unrecognized { reason, .. },
            ..
        })) => Err(Outcome::Failed {
            error: Failure {
                code: "STORED_PROVIDER_UNRECOGNIZED".to_owned(),
                message: format!(
                    "the portal's identity provider (type {}) holds keys or values this version does not know ({}); \
                     the enforcer leaves it to an admin (the API can replace it)",
                    reason.provider_type,
                    reason
                        .problems
                        .iter()
                        .map(|problem| format!("{} {}", problem.pointer, problem.message))
                        .collect::<Vec<_>>()
                        .join("; ")
                ),
            },
        }),
    }
}

/// The certificate findings of `provider` for the policy's warning window.
pub(super) fn findings(
    provider: &IdentityProvider,
    now: Timestamp,
    days: u32,
) -> Vec<CertificateReport> {
    certificate_findings(provider, now, days)
        .iter()
        .map(CertificateReport::from)
        .collect()
}

/// Compares `current` with the policy. Pure.
pub(super) fn assess(
    entry: &PortalPolicy,
    current: &IdentityProvider,
    mode: Mode,
    now: Timestamp,
) -> PortalAssessment {
    let changes = entry.desired.drift(current);
    if changes.is_empty() {
        return PortalAssessment::Done(Outcome::Compliant);
    }
    if mode == Mode::Report {
        return PortalAssessment::Done(Outcome::Drifted {
            diff: changes,
            reason: "report mode: drift is reported, not remediated".to_owned(),
        });
    }
    let from = current.provider_type();
    let to = entry.desired.provider_type();
    if from != to && !entry.allow_type_change {
        return PortalAssessment::Done(Outcome::Drifted {
            diff: changes,
            reason: type_change_refused(from.wire_name(), to.wire_name()),
        });
    }
    match merge_identity_provider(current, &entry.desired.merge_patch(), now) {
        Ok(_) => PortalAssessment::Remediate { changes },
        Err(problems) => PortalAssessment::Done(incomplete(
            (from != to).then(|| (from.wire_name(), to.wire_name())),
            problems
                .iter()
                .map(|p| (p.pointer.as_str(), p.message.as_str())),
        )),
    }
}

fn type_change_refused(from: &str, to: &str) -> String {
    format!(
        "not remediated: it would change the provider type from {from} to {to}, which signs every portal \
         user out of the way they sign in; the policy does not allow a type change for this portal \
         (allowTypeChange)"
    )
}

/// The desired members over the current provider do not make a valid provider.
fn incomplete<'a>(
    type_change: Option<(&str, &str)>,
    problems: impl Iterator<Item = (&'a str, &'a str)>,
) -> Outcome {
    let mut needs_secret = false;
    let listed: Vec<String> = problems
        .map(|(pointer, message)| {
            if SECRET_MEMBERS
                .iter()
                .any(|secret| pointer.ends_with(&format!("/{secret}")))
            {
                needs_secret = true;
            }
            format!("{pointer} {message}")
        })
        .collect();
    let (code, what) = match type_change {
        Some((from, to)) => (
            "TYPE_CHANGE_INCOMPLETE",
            format!("the change from {from} to {to} needs members the policy does not give"),
        ),
        None => (
            "DESIRED_STATE_INVALID",
            "the desired members over the current provider do not make a valid provider".to_owned(),
        ),
    };
    let secret = if needs_secret {
        "; a secret never goes in a policy: make this change through the API (the enforcer then keeps it)"
    } else {
        ""
    };
    Outcome::Failed {
        error: Failure {
            code: code.to_owned(),
            message: format!("not remediated: {what}: {}{secret}", listed.join("; ")),
        },
    }
}

/// Writes the desired members through the portal write use case, under the portal's lease, and
/// reports what it wrote. The hourly budget is the caller's. Answers the outcome and, when the write
/// landed, the provider now stored (for its certificates).
pub(super) async fn remediate<S, L>(
    store: &S,
    leases: &L,
    lease_settings: LeaseSettings,
    portal: &PortalRef,
    entry: &PortalPolicy,
    first_look: Vec<FieldChange>,
) -> (Outcome, Option<IdentityProvider>)
where
    S: PortalProviderStore,
    L: WriteLeases + EtagKeys,
{
    let request = PortalWrite {
        portal: portal.clone(),
        mutation: PortalEdit::Patch(entry.desired.merge_patch()),
        grants: Grants {
            read: true,
            write: true,
            // A type change is the portal's lockout risk: made only where the policy allows it.
            escalate: entry.allow_type_change,
        },
        preconditions: Preconditions::default(),
        require_precondition: false,
        dry_run: false,
        consent: if entry.allow_type_change {
            Consent::LockoutRisk { digest: None }
        } else {
            Consent::None
        },
        idempotency_key: None,
    };
    let target = PortalTarget {
        store,
        leases,
        lease_settings,
        writer: "enforcer",
        // The sweep starts no remediation within its safety margin of the deadline, which covers
        // the lease's wait and the write twice over.
        write_by: None,
    };
    let mut facts = PortalWriteFacts::default();
    let written = change_portal_provider(target, &request, &mut facts).await;
    let diff = facts
        .change
        .as_ref()
        .map(|change| change.diff())
        .unwrap_or_else(|| first_look.clone());
    match written {
        Ok(PortalWriteOutcome::Unchanged(_)) => (Outcome::Compliant, None),
        Ok(PortalWriteOutcome::Written {
            stored, warning, ..
        }) => {
            let stored = stored.map(|current| current.provider);
            let outcome = match warning {
                None => Outcome::Remediated {
                    diff,
                    confirmation: "confirmed".to_owned(),
                },
                Some(warning) if warning == CONFIRMATION_READ_FAILED => Outcome::Remediated {
                    diff,
                    confirmation: format!("read-back failed: {warning}"),
                },
                Some(warning) => Outcome::Failed {
                    error: Failure {
                        code: "NOT_CONFIRMED".to_owned(),
                        message: format!(
                            "after UpdateIdentityProvider, WorkSpaces Web reports a provider that differs from what was written ({warning})"
                        ),
                    },
                },
            };
            (outcome, stored)
        }
        Ok(PortalWriteOutcome::DryRun(_)) => (internal("a dry run answered a write"), None),
        Err(error) => (refused(error, first_look), None),
    }
}

fn refused(error: UseCaseError, first_look: Vec<FieldChange>) -> Outcome {
    match error {
        UseCaseError::WriteInProgress { .. } => Outcome::Drifted {
            diff: first_look,
            reason: "not remediated: another writer held the portal's write lease; the next run checks again"
                .to_owned(),
        },
        UseCaseError::PortalNotConfigured => not_configured(),
        UseCaseError::Forbidden(_) | UseCaseError::PortalLockoutNotConfirmed { .. } => {
            Outcome::Drifted {
                diff: first_look,
                reason: "re-checked under the write lease before writing: not remediated: it would change the \
                     provider type or where it signs users in (client id, issuer, endpoints, Apple ids, SAML \
                     metadata), and the policy does not allow that for this portal (allowTypeChange)"
                    .to_owned(),
            }
        }
        UseCaseError::Invalid(problems) => incomplete(
            None,
            problems
                .iter()
                .map(|p| (p.pointer.as_str(), p.message.as_str())),
        ),
        UseCaseError::PortalProviderUnrecognized(reason) => Outcome::Failed {
            error: Failure {
                code: "STORED_PROVIDER_UNRECOGNIZED".to_owned(),
                message: format!(
                    "not remediated: re-read under the lease, the provider (type {}) holds values this version does not know",
                    reason.provider_type
                ),
            },
        },
        UseCaseError::PortalWriteNotConfirmed => Outcome::Failed {
            error: Failure {
                code: "NOT_CONFIRMED".to_owned(),
                message: format!("after UpdateIdentityProvider: {error}"),
            },
        },
        UseCaseError::SecureBrowser(error) => upstream_failure(&error),
        UseCaseError::PortalMaybeWritten(error) => upstream_failure(&error).maybe_written(),
        UseCaseError::LockUnavailable(error) => Outcome::Failed {
            error: Failure {
                code: "LOCK_UNAVAILABLE".to_owned(),
                message: format!("nothing was written: the lease table could not be used: {error}"),
            },
        },
        UseCaseError::EtagKey(error) => Outcome::Failed {
            error: Failure {
                code: match error {
                    EtagKeyError::Unavailable(_) => "ETAG_KEY_UNAVAILABLE",
                    EtagKeyError::Malformed(_) => "ETAG_KEY_INVALID",
                }
                .to_owned(),
                message: format!("nothing was written: {error}"),
            },
        },
        other => internal(&other.to_string()),
    }
}

fn internal(message: &str) -> Outcome {
    Outcome::Failed {
        error: Failure {
            code: "INTERNAL".to_owned(),
            message: format!("nothing was written: {message}"),
        },
    }
}

fn not_configured() -> Outcome {
    Outcome::NotConfigured {
        reason: "the portal has no identity provider; the enforcer never creates one (that needs secrets or \
                 metadata a policy does not hold): set one through the API"
            .to_owned(),
    }
}

fn upstream_failure(error: &SecureBrowserError) -> Outcome {
    Outcome::Failed {
        error: Failure {
            code: error.public_code().to_owned(),
            message: format!("{} failed: {}", error.operation, error.message),
        },
    }
}

/// A portal result with its certificate findings.
pub(super) fn result(
    portal: &PortalId,
    mode: Option<Mode>,
    outcome: Outcome,
    provider: Option<&IdentityProvider>,
    now: Timestamp,
    warning_days: u32,
) -> PortalResult {
    let mut result = PortalResult::new(portal, mode.map(Mode::as_str), outcome);
    if let Some(provider) = provider {
        result.certificate_findings = findings(provider, now, warning_days);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lease::LeaseError;

    fn failure_code(error: UseCaseError) -> String {
        match refused(error, Vec::new()) {
            Outcome::Failed { error } => error.code,
            other => panic!("not a failure: {other:?}"),
        }
    }

    #[test]
    fn a_missing_or_malformed_etag_key_fails_the_remediation_with_its_own_code() {
        let unavailable = EtagKeyError::Unavailable(LeaseError::Unavailable("timeout".to_owned()));
        assert_eq!(
            failure_code(UseCaseError::EtagKey(unavailable)),
            "ETAG_KEY_UNAVAILABLE"
        );
        let malformed = EtagKeyError::Malformed("an ETag key has 32 bytes, not 16".to_owned());
        assert_eq!(
            failure_code(UseCaseError::EtagKey(malformed)),
            "ETAG_KEY_INVALID"
        );
    }
}
