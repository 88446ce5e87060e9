//! A sweep: read every target organization (bounded concurrency, paced), decide, and only then write,
//! so that the max-changes cap can stop a run before it changes anything. Each remediation takes a
//! change from the hourly budget (kept in the lease table, so the cap holds across invocations) and
//! the organization's write lease, reads and assesses again from scratch under it (the first read may
//! be stale by then), writes only what that fresh assessment allows, and is confirmed by a read; what
//! it reports is what it wrote. A sweep watches its deadline: it starts no new work when too little
//! time is left, reports the organizations it did not reach, and the next scheduled sweep starts with
//! them. One organization's failure never stops the others. The portals of the policy are read and
//! decided in the same sweep (see `portals`), after the organizations; their changes count against
//! the same caps (`maxChangesPerRun`, `maxChangesPerHour`).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use futures_util::future;
use futures_util::stream::{self, StreamExt};
use tokio::time::Instant;

use super::pacer::PacedStore;
use super::plan::{Assessment, assess};
use super::policy::{EnforcementPolicy, Mode, OrganizationPolicy, PortalPolicy};
use super::portals::{self, PortalAssessment};
use super::report::{ChangeCap, Failure, OrganizationResult, Outcome, PortalResult};
use crate::domain::secure_browser::{IdentityProvider, PortalId, ResourceScope};
use crate::domain::{Change, FieldChange, OrganizationId, Timestamp, etag};
use crate::lease::{ChangeTicket, EnforcerLedger, EtagKeys, LeaseSettings, WriteLeases};
use crate::use_cases::PortalRef;
use crate::use_cases::{
    Confirmation, Current, Decision, DirectoryReading, Guarded, UseCaseError, guarded_write,
    impact_of,
};
use crate::workmail::{IdentityProviderStore, MailboxDirectory, WorkMailError};
use crate::workspaces_web::PortalProviderStore;

/// The enforcer reads the directory through its paced store, so the reading itself is not paced
/// again; a sweep has minutes, not API Gateway's 29 s, but the reading still ends in time for the
/// write, its confirmation and the report before the invocation's deadline (`finish_by`).
const ENFORCER_READING: DirectoryReading = DirectoryReading {
    budget: Duration::from_secs(120),
    calls_per_second: f64::INFINITY,
    finish_by: None,
};

/// Where a sweep writes: WorkMail and WorkSpaces Web (if the enforcer has a client for it), paced,
/// and the lease table it shares with the API; `scope`: where the function's own portals are.
pub struct SweepTarget<'a, S, L, P> {
    pub store: &'a S,
    pub leases: &'a L,
    pub lease_settings: LeaseSettings,
    pub portals: Option<&'a P>,
    pub scope: Option<ResourceScope>,
}

/// What one sweep is asked to do.
pub struct SweepRequest {
    pub targets: Vec<OrganizationId>,
    /// The portals to check.
    pub portals: Vec<PortalId>,
    /// `report` keeps every organization in report mode.
    pub mode_cap: Option<Mode>,
    pub now: Timestamp,
    /// When the invocation ends; no new work starts within the safety margin of it.
    pub deadline: Option<Instant>,
    /// A scheduled sweep: start where the last one stopped, and remember where this one stops.
    pub resume: bool,
    /// The caller of the CloudTrail call that triggered this check, when it was not the enforcer.
    pub hint_caller: Option<String>,
}

/// What a sweep did.
pub struct SweepResult {
    pub results: Vec<OrganizationResult>,
    pub portals: Vec<PortalResult>,
    pub cap: Option<ChangeCap>,
}

/// A portal whose first read found drift the enforcer may remediate.
struct PortalRemediation<'a> {
    portal: PortalRef,
    entry: &'a PortalPolicy,
    mode: Mode,
    changes: Vec<FieldChange>,
    current: IdentityProvider,
}

/// Checks the requested targets against `policy`.
pub async fn sweep<S, L, P>(
    target: SweepTarget<'_, S, L, P>,
    policy: &EnforcementPolicy,
    mut request: SweepRequest,
) -> SweepResult
where
    S: IdentityProviderStore + MailboxDirectory,
    L: WriteLeases + EnforcerLedger + EtagKeys,
    P: PortalProviderStore,
{
    let store = PacedStore::new(target.store, policy.calls_per_second);
    let margin = safety_margin(target.lease_settings);
    let time_left = |deadline: Option<Instant>| {
        deadline.is_none_or(|deadline| deadline.saturating_duration_since(Instant::now()) > margin)
    };
    let mut targets = std::mem::take(&mut request.targets);
    if request.resume {
        resume_order(&mut targets, target.leases).await;
    }
    let order = targets.clone();
    let mut results = Vec::new();
    let mut to_check = Vec::new();
    for organization in targets {
        match policy.organizations.get(&organization) {
            None => results.push(skipped(
                &organization,
                "not in the enforcement policy".to_owned(),
            )),
            Some(entry) if entry.exempt_until.is_some_and(|until| until > request.now) => {
                let until = entry
                    .exempt_until
                    .map(|t| t.to_string())
                    .unwrap_or_default();
                results.push(skipped(&organization, format!("exempt until {until}")));
            }
            Some(entry) => {
                to_check.push((organization, entry, effective_mode(entry, request.mode_cap)))
            }
        }
    }

    let mut unread: Vec<OrganizationId> = to_check.iter().map(|(id, ..)| id.clone()).collect();
    let assessed: Vec<_> = stream::iter(to_check)
        .take_while(|_| future::ready(time_left(request.deadline)))
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
    unread.retain(|id| !assessed.iter().any(|(read, ..)| read == id));

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

    let paced_portals = target
        .portals
        .map(|portals| PacedStore::new(portals, policy.calls_per_second));
    let (mut portal_results, portal_remediations, mut portals_unread) = read_portals(
        paced_portals.as_ref(),
        target.scope.as_ref(),
        policy,
        &request,
        &time_left,
    )
    .await;

    let needed = remediations.len() + portal_remediations.len();
    let cap = (needed > policy.max_changes_per_run).then_some(ChangeCap {
        needed,
        max_changes_per_run: policy.max_changes_per_run,
    });
    let mut unwritten = Vec::new();
    if let Some(cap) = &cap {
        let reason = format!(
            "not remediated: {} changes are needed (organizations and portals together), more than maxChangesPerRun ({}); \
             no organization or portal was changed",
            cap.needed, cap.max_changes_per_run
        );
        for remediation in portal_remediations {
            let outcome = Outcome::Drifted {
                diff: remediation.changes,
                reason: reason.clone(),
            };
            portal_results.push(portals::result(
                &remediation.portal.id,
                Some(remediation.mode),
                outcome,
                Some(&remediation.current),
                request.now,
                policy.certificate_warning_days,
            ));
        }
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
        let context = RemediationContext {
            leases: target.leases,
            lease_settings: target.lease_settings,
            policy,
            hint_caller: request.hint_caller.as_deref(),
            reading_ends_by: request.deadline.map(|deadline| {
                deadline
                    .checked_sub(target.lease_settings.ttl * 2)
                    .unwrap_or_else(Instant::now)
            }),
        };
        let applied: Vec<_> = stream::iter(remediations)
            .map(|(organization, entry, mode, changes)| {
                let (store, context) = (&store, &context);
                let started_in_time = time_left(request.deadline);
                async move {
                    if !started_in_time {
                        return Err(organization);
                    }
                    let outcome =
                        remediate(store, context, &organization, entry, mode, changes).await;
                    Ok(OrganizationResult::new(
                        &organization,
                        Some(mode.as_str()),
                        outcome,
                    ))
                }
            })
            .buffer_unordered(policy.max_concurrency)
            .collect()
            .await;
        for result in applied {
            match result {
                Ok(result) => results.push(result),
                Err(organization) => unwritten.push(organization),
            }
        }
        if let Some(store) = &paced_portals {
            for remediation in portal_remediations {
                if !time_left(request.deadline) {
                    portals_unread.push(remediation.portal.id);
                    continue;
                }
                portal_results
                    .push(remediate_portal(store, &context, remediation, request.now).await);
            }
        }
    }

    let not_reached: Vec<OrganizationId> = order
        .into_iter()
        .filter(|id| unread.contains(id) || unwritten.contains(id))
        .collect();
    if request.resume
        && let Err(error) = target.leases.set_resume_point(not_reached.first()).await
    {
        tracing::warn!(%error, "could not save where the next sweep starts; it starts from the beginning");
    }
    for organization in &not_reached {
        let reason = format!(
            "not reached: less than {} s of the invocation were left; the next scheduled sweep starts here",
            margin.as_secs()
        );
        results.push(OrganizationResult::new(
            organization,
            None,
            Outcome::NotReached { reason },
        ));
    }
    for portal in &portals_unread {
        let reason = format!(
            "not reached: less than {} s of the invocation were left; the next run checks it",
            margin.as_secs()
        );
        portal_results.push(PortalResult::new(
            portal,
            None,
            Outcome::NotReached { reason },
        ));
    }
    results.sort_by(|a, b| a.organization_id.cmp(&b.organization_id));
    portal_results.sort_by(|a, b| a.portal_id.cmp(&b.portal_id));
    SweepResult {
        results,
        portals: portal_results,
        cap,
    }
}

/// Reads and decides every requested portal: the results already known, the remediations due, and
/// the portals not read for lack of time.
async fn read_portals<'p, P: PortalProviderStore>(
    store: Option<&PacedStore<'_, P>>,
    scope: Option<&ResourceScope>,
    policy: &'p EnforcementPolicy,
    request: &SweepRequest,
    time_left: &impl Fn(Option<Instant>) -> bool,
) -> (Vec<PortalResult>, Vec<PortalRemediation<'p>>, Vec<PortalId>) {
    let (now, days) = (request.now, policy.certificate_warning_days);
    let mut results = Vec::new();
    let mut to_read = Vec::new();
    for id in &request.portals {
        let Some(entry) = policy.portals.get(id) else {
            results.push(PortalResult::new(
                id,
                None,
                Outcome::Skipped {
                    reason: "not in the enforcement policy".to_owned(),
                },
            ));
            continue;
        };
        let mode = match request.mode_cap {
            Some(Mode::Report) => Mode::Report,
            _ => entry.mode,
        };
        let unavailable = |code: &str, message: &str| Outcome::Failed {
            error: Failure {
                code: code.to_owned(),
                message: message.to_owned(),
            },
        };
        match (store, scope) {
            (Some(_), Some(scope)) => to_read.push((portals::portal_ref(scope, id), entry, mode)),
            (None, _) => results.push(PortalResult::new(
                id,
                Some(mode.as_str()),
                unavailable(
                    "NO_PORTAL_CLIENT",
                    "this enforcer was started without a WorkSpaces Web client",
                ),
            )),
            (Some(_), None) => results.push(PortalResult::new(
                id,
                Some(mode.as_str()),
                unavailable(
                    "NO_RESOURCE_SCOPE",
                    "the invocation names no function ARN to build the portal's ARN from (local runs: set LOCAL_FUNCTION_ARN)",
                ),
            )),
        }
    }
    let Some(store) = store else {
        return (results, Vec::new(), Vec::new());
    };
    let mut unread: Vec<PortalId> = to_read
        .iter()
        .map(|(portal, ..)| portal.id.clone())
        .collect();
    let read: Vec<_> = stream::iter(to_read)
        .take_while(|_| future::ready(time_left(request.deadline)))
        .map(|(portal, entry, mode)| async move {
            let current = portals::read(store, &portal).await;
            (portal, entry, mode, current)
        })
        .buffer_unordered(policy.max_concurrency)
        .collect()
        .await;
    unread.retain(|id| !read.iter().any(|(portal, ..)| &portal.id == id));
    let mut remediations = Vec::new();
    for (portal, entry, mode, current) in read {
        let current = match current {
            Ok(current) => current,
            Err(outcome) => {
                results.push(portals::result(
                    &portal.id,
                    Some(mode),
                    outcome,
                    None,
                    now,
                    days,
                ));
                continue;
            }
        };
        match portals::assess(entry, &current, mode, now) {
            PortalAssessment::Done(outcome) => results.push(portals::result(
                &portal.id,
                Some(mode),
                outcome,
                Some(&current),
                now,
                days,
            )),
            PortalAssessment::Remediate { changes } => remediations.push(PortalRemediation {
                portal,
                entry,
                mode,
                changes,
                current,
            }),
        }
    }
    (results, remediations, unread)
}

/// Takes a change from this hour's budget and writes the portal's desired members through the
/// portal write use case (which takes the portal's lease and decides again on what it reads under it).
async fn remediate_portal<L: WriteLeases + EnforcerLedger + EtagKeys>(
    store: &impl PortalProviderStore,
    context: &RemediationContext<'_, L>,
    remediation: PortalRemediation<'_>,
    now: Timestamp,
) -> PortalResult {
    let PortalRemediation {
        portal,
        entry,
        mode,
        changes,
        current,
    } = remediation;
    let days = context.policy.certificate_warning_days;
    let ledger = context.leases;
    let limit = context.policy.max_changes_per_hour;
    let ticket = ChangeTicket::new(epoch_seconds());
    let spent = match ledger.try_spend_change(&ticket, limit).await {
        Ok(true) => None,
        Ok(false) => Some(Outcome::Drifted {
            diff: changes.clone(),
            reason: format!(
                "not remediated: maxChangesPerHour ({limit}) changes were already made this hour, by any trigger"
            ),
        }),
        Err(error) => {
            // The spend may have landed with its answer lost: give the ticket back (a no-op if not).
            refund(ledger, &ticket).await;
            Some(lock_unavailable(&error))
        }
    };
    if let Some(outcome) = spent {
        return portals::result(&portal.id, Some(mode), outcome, Some(&current), now, days);
    }
    let (outcome, stored) = portals::remediate(
        store,
        context.leases,
        context.lease_settings,
        &portal,
        entry,
        changes,
    )
    .await;
    if stored.is_none() {
        // Nothing was written.
        refund(ledger, &ticket).await;
    }
    let provider = stored.as_ref().unwrap_or(&current);
    portals::result(&portal.id, Some(mode), outcome, Some(provider), now, days)
}

/// The longest remediation: the lease's bounded wait, then everything the lease may be held for, twice
/// over (a remediation reads, writes and confirms under it).
pub fn safety_margin(lease_settings: LeaseSettings) -> Duration {
    lease_settings.wait + lease_settings.ttl * 2
}

/// Puts the organizations from the last sweep's stopping point first, keeping their order.
async fn resume_order(targets: &mut [OrganizationId], ledger: &impl EnforcerLedger) {
    match ledger.resume_point().await {
        Ok(Some(point)) => {
            let start = targets
                .iter()
                .position(|id| id.as_str() >= point.as_str())
                .unwrap_or(0);
            targets.rotate_left(start);
        }
        Ok(None) => {}
        Err(error) => {
            tracing::warn!(%error, "could not read where the last sweep stopped; starting from the beginning");
        }
    }
}

fn effective_mode(entry: &OrganizationPolicy, mode_cap: Option<Mode>) -> Mode {
    match mode_cap {
        Some(Mode::Report) => Mode::Report,
        _ => entry.mode,
    }
}

struct RemediationContext<'a, L> {
    leases: &'a L,
    lease_settings: LeaseSettings,
    policy: &'a EnforcementPolicy,
    hint_caller: Option<&'a str>,
    /// When an impact reading under the lease must end: the invocation's deadline less what the
    /// write, its confirmation and the release may take (two lease lifetimes).
    reading_ends_by: Option<Instant>,
}

/// Takes a change from this hour's budget, then under the organization's lease reads and assesses
/// again, Puts the desired configuration only if that fresh assessment still says so (and no other
/// writer has just undone the enforcer's own change), and reads it back to confirm. `first_look` is
/// the drift the sweep's first read found, reported when the lease could not be had.
async fn remediate<L: WriteLeases + EnforcerLedger>(
    store: &(impl IdentityProviderStore + MailboxDirectory),
    context: &RemediationContext<'_, L>,
    organization: &OrganizationId,
    entry: &OrganizationPolicy,
    mode: Mode,
    first_look: Vec<FieldChange>,
) -> Outcome {
    let ledger = context.leases;
    let limit = context.policy.max_changes_per_hour;
    let ticket = ChangeTicket::new(epoch_seconds());
    match ledger.try_spend_change(&ticket, limit).await {
        Ok(true) => {}
        Ok(false) => {
            return Outcome::Drifted {
                diff: first_look,
                reason: format!(
                    "not remediated: maxChangesPerHour ({limit}) changes were already made this hour, by any trigger"
                ),
            };
        }
        Err(error) => {
            // The spend may have landed with its answer lost: give the ticket back (a no-op if not).
            refund(ledger, &ticket).await;
            return lock_unavailable(&error);
        }
    }
    let recent = match context.hint_caller {
        Some(_) => match ledger.recent_change(organization).await {
            Ok(recent) => recent,
            Err(error) => {
                refund(ledger, &ticket).await;
                return lock_unavailable(&error);
            }
        },
        None => None,
    };
    let written = guarded_write(
        store,
        context.leases,
        context.lease_settings,
        organization,
        "enforcer",
        |current| async move {
            let current = match current {
                Current::Known(current) => current,
                Current::Unrecognized(stored) => {
                    return Ok(Decision::Leave(Outcome::Failed {
                        error: Failure {
                            code: "STORED_CONFIGURATION_UNRECOGNIZED".to_owned(),
                            message: format!(
                                "not remediated: the stored configuration holds values this version does not know ({}); \
                                 the enforcer leaves it to an admin (the API can replace or remove it)",
                                stored.problems.join("; ")
                            ),
                        },
                    }));
                }
            };
            let current = current.as_ref();
            let changes = match assess(organization, entry, current, mode) {
                Assessment::Compliant => return Ok(Decision::Leave(Outcome::Compliant)),
                Assessment::Drifted { changes, reason } => {
                    return Ok(Decision::Leave(Outcome::Drifted {
                        diff: changes,
                        reason: format!("re-checked under the write lease before writing: {reason}"),
                    }));
                }
                Assessment::Remediate { changes } => changes,
            };
            if let (Some(caller), Some(ours)) = (context.hint_caller, &recent)
                && current.map(|c| etag(organization, c)).as_deref() != Some(ours)
            {
                return Ok(Decision::Leave(Outcome::Conflict {
                    diff: changes,
                    reason: format!(
                        "{caller} changed this organization within {} minutes of the enforcer's own change, and the enforcer \
                         would change it back: two writers with different desired states (another deployment's enforcer?) \
                         would undo each other forever. Not remediated; align the policies. After the window, drift is \
                         remediated again",
                        context.policy.conflict_window.as_secs() / 60
                    ),
                }));
            }
            let change = Change {
                organization: organization.clone(),
                before: current.cloned(),
                after: Some(entry.desired.clone()),
            };
            if change.risks_lockout() {
                // The policy allows this transition; it still never locks anyone out.
                let reading = DirectoryReading {
                    finish_by: context.reading_ends_by,
                    ..ENFORCER_READING
                };
                let impact = impact_of(store, &change, reading).await?;
                if impact.locks_anyone_out() {
                    return Ok(Decision::Leave(Outcome::Drifted {
                        diff: changes,
                        reason: format!(
                            "not remediated: the policy allows this change, but it would lock users out: {} would lose all \
                             access, {} access from mail clients, {} may need a password reset{}",
                            impact.losing_all_access,
                            impact.losing_mail_client_access,
                            impact.may_need_password_reset,
                            if impact.complete {
                                String::new()
                            } else {
                                " (the directory was not read completely)".to_owned()
                            }
                        ),
                    }));
                }
            }
            Ok(Decision::Write(entry.desired.clone(), changes))
        },
    )
    .await;
    if !matches!(
        written,
        Ok(Guarded::Written(_)) | Err(UseCaseError::MaybeWritten(_))
    ) {
        refund(ledger, &ticket).await;
    }
    match written {
        Ok(Guarded::Left(outcome)) => outcome,
        Ok(Guarded::Written(written)) => {
            let ours = etag(organization, &entry.desired);
            if let Err(error) = ledger
                .record_change(organization, &ours, context.policy.conflict_window)
                .await
            {
                tracing::warn!(organizationId = %organization, %error,
                    "could not remember this change; a writer undoing it is not recognised as a conflict");
            }
            written_outcome(organization, entry, *written)
        }
        Err(UseCaseError::WriteInProgress { .. }) => Outcome::Drifted {
            diff: first_look,
            reason: "not remediated: another writer held the organization's write lease; the next run checks again".to_owned(),
        },
        Err(UseCaseError::Upstream(error)) => failed(&error),
        Err(UseCaseError::MaybeWritten(error)) => failed(&error).maybe_written(),
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

fn written_outcome(
    organization: &OrganizationId,
    entry: &OrganizationPolicy,
    written: crate::use_cases::Written<Vec<FieldChange>>,
) -> Outcome {
    match written.confirmation {
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
    }
}

async fn refund(ledger: &impl EnforcerLedger, ticket: &ChangeTicket) {
    if let Err(error) = ledger.refund_change(ticket).await {
        tracing::warn!(%error, "could not give back an unused change of this hour's budget");
    }
}

fn lock_unavailable(error: &crate::lease::LeaseError) -> Outcome {
    Outcome::Failed {
        error: Failure {
            code: "LOCK_UNAVAILABLE".to_owned(),
            message: format!("nothing was written: the lease table could not be used: {error}"),
        },
    }
}

fn epoch_seconds() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|elapsed| elapsed.as_secs())
        .unwrap_or_default()
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
