//! The lease part of every guarded write, shared by the WorkMail and the WorkSpaces Web writers:
//! taking a resource's lease within a bounded wait, keeping it alive through a long read under it,
//! renewing it just before the write, releasing it (but not after a write whose outcome is unknown:
//! that lease expires by itself).

use std::future::Future;
use std::time::Duration;

use tokio::time::Instant;
use tracing::warn;

use super::UseCaseError;
use crate::lease::{
    Acquisition, Lease, LeaseError, LeaseKey, LeaseSettings, WriteLeases, new_owner,
};

/// An error that may leave a write's outcome unknown (a timeout, a server error after sending).
pub(super) trait OutcomeUnknown {
    fn outcome_unknown(&self) -> bool;
}

impl OutcomeUnknown for UseCaseError {
    fn outcome_unknown(&self) -> bool {
        matches!(
            self,
            UseCaseError::MaybeWritten(_) | UseCaseError::PortalMaybeWritten(_)
        )
    }
}

/// Runs `work` holding `key`'s lease (taken within `settings.wait`) and releases it after, unless
/// `work` failed with an error that leaves its write's outcome unknown: that lease is left to expire
/// one lifetime after its last renewal, so that no other writer writes while the lost request may
/// still land.
pub(super) async fn under_lease<T, E>(
    leases: &impl WriteLeases,
    key: &LeaseKey,
    label: &str,
    settings: LeaseSettings,
    work: impl AsyncFnOnce(&Lease) -> Result<T, E>,
) -> Result<T, E>
where
    E: From<UseCaseError> + OutcomeUnknown,
{
    let lease = take_lease(leases, key, label, settings).await?;
    let outcome = work(&lease).await;
    if !outcome.as_ref().is_err_and(OutcomeUnknown::outcome_unknown) {
        release_lease(leases, &lease).await;
    }
    outcome
}

/// Tries for the lease until `settings.wait` has passed, backing off between attempts.
async fn take_lease(
    leases: &impl WriteLeases,
    key: &LeaseKey,
    label: &str,
    settings: LeaseSettings,
) -> Result<Lease, UseCaseError> {
    let owner = new_owner(label);
    let deadline = Instant::now() + settings.wait;
    let mut pause = Duration::from_millis(20);
    loop {
        match leases.try_acquire(key, &owner, settings.ttl).await {
            Ok(Acquisition::Held(lease)) => return Ok(lease),
            Ok(Acquisition::Busy { remaining }) => {
                let now = Instant::now();
                if now >= deadline {
                    return Err(UseCaseError::WriteInProgress {
                        retry_after: remaining
                            .unwrap_or(Duration::from_secs(1))
                            .max(Duration::from_secs(1)),
                    });
                }
                tokio::time::sleep(pause.min(deadline - now)).await;
                pause = (pause * 2).min(Duration::from_millis(250));
            }
            Err(error) => return Err(UseCaseError::LockUnavailable(error)),
        }
    }
}

fn lease_failure(error: LeaseError) -> UseCaseError {
    match error {
        LeaseError::Lost(_) => UseCaseError::WriteInProgress {
            retry_after: Duration::from_secs(1),
        },
        unavailable @ LeaseError::Unavailable(_) => UseCaseError::LockUnavailable(unavailable),
    }
}

/// Renews `lease` for another `settings.ttl`, so that the write that follows ends before it expires.
pub(super) async fn renew_lease(
    leases: &impl WriteLeases,
    lease: &Lease,
    settings: LeaseSettings,
) -> Result<(), UseCaseError> {
    leases
        .renew(lease, settings.ttl)
        .await
        .map_err(lease_failure)
}

/// Runs `work` (a read under `lease` that may outlast it, such as an impact report) while renewing
/// the lease every third of its lifetime, counted from `taken` (when it was taken or last renewed),
/// so that no other writer takes it over meanwhile; a renewal that fails ends `work` with that
/// failure.
pub(super) async fn keeping_lease<T>(
    leases: &impl WriteLeases,
    lease: &Lease,
    settings: LeaseSettings,
    taken: Instant,
    work: impl Future<Output = Result<T, UseCaseError>>,
) -> Result<T, UseCaseError> {
    let mut work = std::pin::pin!(work);
    let period = settings.ttl / 3;
    let mut next_renewal = taken + period;
    loop {
        tokio::select! {
            outcome = &mut work => return outcome,
            () = tokio::time::sleep_until(next_renewal) => {
                renew_lease(leases, lease, settings).await?;
                next_renewal = Instant::now() + period;
            }
        }
    }
}

/// Releases `lease`; a failure only delays the next writer until the lease expires.
async fn release_lease(leases: &impl WriteLeases, lease: &Lease) {
    if let Err(error) = leases.release(lease).await {
        warn!(lease = lease.key.as_str(), owner = %lease.owner, %error,
            "could not release the write lease; it expires by itself");
    }
}
