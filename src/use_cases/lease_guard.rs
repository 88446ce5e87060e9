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
/// so that no other writer takes it over meanwhile. The renewals run beside `work`, which goes on
/// while one is in flight; a renewal that fails ends `work` with that failure.
pub(super) async fn keeping_lease<T>(
    leases: &impl WriteLeases,
    lease: &Lease,
    settings: LeaseSettings,
    taken: Instant,
    work: impl Future<Output = Result<T, UseCaseError>>,
) -> Result<T, UseCaseError> {
    tokio::select! {
        outcome = work => outcome,
        lost = renew_until_lost(leases, lease, settings, taken) => Err(lost),
    }
}

/// Renews `lease` a third of its lifetime after `taken`, and again every third after each renewal,
/// until a renewal fails: that failure.
async fn renew_until_lost(
    leases: &impl WriteLeases,
    lease: &Lease,
    settings: LeaseSettings,
    taken: Instant,
) -> UseCaseError {
    let period = settings.ttl / 3;
    let mut next_renewal = taken + period;
    loop {
        tokio::time::sleep_until(next_renewal).await;
        if let Err(lost) = renew_lease(leases, lease, settings).await {
            return lost;
        }
        next_renewal = Instant::now() + period;
    }
}

/// Releases `lease`; a failure only delays the next writer until the lease expires.
async fn release_lease(leases: &impl WriteLeases, lease: &Lease) {
    if let Err(error) = leases.release(lease).await {
        warn!(lease = lease.key.as_str(), owner = %lease.owner, %error,
            "could not release the write lease; it expires by itself");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::fixtures::organization;
    use crate::lease::InProcessLeases;

    const SETTINGS: LeaseSettings = LeaseSettings {
        ttl: Duration::from_millis(300),
        wait: Duration::ZERO,
    };

    /// A lease of 300 ms on the demo organization, just taken by "reader".
    async fn a_taken_lease() -> (InProcessLeases, LeaseKey, LeaseSettings, Lease) {
        let leases = InProcessLeases::new();
        let key = LeaseKey::workmail_organization(&organization());
        let lease = take_lease(&leases, &key, "reader", SETTINGS)
            .await
            .expect("free");
        (leases, key, SETTINGS, lease)
    }

    #[tokio::test]
    async fn a_reading_whose_lease_was_taken_over_ends_with_write_in_progress() {
        let (leases, key, settings, lease) = a_taken_lease().await;
        let taken = Instant::now();
        // Another writer takes the lease over before the first renewal is due.
        leases.release(&lease).await.expect("held");
        let other = take_lease(&leases, &key, "other", settings)
            .await
            .expect("free again");
        let reading = async {
            tokio::time::sleep(settings.ttl * 5).await;
            Ok::<_, UseCaseError>(())
        };
        let outcome = keeping_lease(&leases, &lease, settings, taken, reading).await;
        assert!(
            matches!(outcome, Err(UseCaseError::WriteInProgress { .. })),
            "{outcome:?}"
        );
        assert!(
            leases.renew(&other, settings.ttl).await.is_ok(),
            "the other writer still holds it"
        );
    }

    #[tokio::test]
    async fn a_reading_longer_than_the_lease_keeps_it() {
        let (leases, key, settings, lease) = a_taken_lease().await;
        let reading = async {
            // Five lifetimes of reading, each step awaiting the timer.
            tokio::time::sleep(settings.ttl * 5).await;
            Ok::<_, UseCaseError>("read")
        };
        let outcome = keeping_lease(&leases, &lease, settings, Instant::now(), reading).await;
        assert_eq!(outcome.expect("kept"), "read");
        assert!(
            matches!(
                take_lease(&leases, &key, "other", settings).await,
                Err(UseCaseError::WriteInProgress { .. })
            ),
            "nobody else could take it meanwhile"
        );
    }
}
