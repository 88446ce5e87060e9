//! The one write path every writer takes: the organization's lease (bounded wait), a fresh read
//! under it, the caller's decision on that read alone (the lease renewed while it reads more, e.g.
//! who would be locked out), a renewal of the lease just before the write
//! (so the write, bounded by the upstream timeout, ends well before the lease could expire and be
//! taken over), the write, a confirming read, and the release; after a write whose outcome is
//! unknown (a timeout, a server error), no release: the lease expires one TTL after its renewal, so
//! that no other writer of this product writes while the lost request may still be applied.

use std::future::Future;

use super::UseCaseError;
use super::lease_guard::{keeping_lease, renew_lease, under_lease};
use crate::domain::{IdentityProviderConfiguration, OrganizationId, UnrecognizedConfiguration};
use crate::lease::{LeaseKey, LeaseSettings, WriteLeases};
use crate::workmail::{IdentityProviderRemoval, IdentityProviderStore, WorkMailError};

/// What a decision may ask to write: a whole configuration (every writer), or a configuration or
/// its removal (writers allowed to remove, i.e. the API; the enforcer's store cannot delete).
pub trait WriteTarget: Send + Sync {
    /// The configuration stored once the write has happened (`None`: removed).
    fn stored_after(&self) -> Option<&IdentityProviderConfiguration>;
}

impl WriteTarget for IdentityProviderConfiguration {
    fn stored_after(&self) -> Option<&IdentityProviderConfiguration> {
        Some(self)
    }
}

impl WriteTarget for Option<IdentityProviderConfiguration> {
    fn stored_after(&self) -> Option<&IdentityProviderConfiguration> {
        self.as_ref()
    }
}

/// A store that can make the writes of target `T`.
pub trait ApplyWrite<T: WriteTarget>: IdentityProviderStore {
    fn apply(
        &self,
        organization: &OrganizationId,
        target: &T,
    ) -> impl Future<Output = Result<(), WorkMailError>> + Send;
}

impl<S: IdentityProviderStore> ApplyWrite<IdentityProviderConfiguration> for S {
    async fn apply(
        &self,
        organization: &OrganizationId,
        target: &IdentityProviderConfiguration,
    ) -> Result<(), WorkMailError> {
        self.put(organization, target).await
    }
}

impl<S: IdentityProviderRemoval> ApplyWrite<Option<IdentityProviderConfiguration>> for S {
    async fn apply(
        &self,
        organization: &OrganizationId,
        target: &Option<IdentityProviderConfiguration>,
    ) -> Result<(), WorkMailError> {
        match target {
            Some(configuration) => self.put(organization, configuration).await,
            None => self.delete(organization).await,
        }
    }
}

/// What the read under the lease found.
pub enum Current {
    /// The configuration (`None`: none).
    Known(Option<IdentityProviderConfiguration>),
    /// A configuration with values outside this version's model, as WorkMail holds it.
    Unrecognized(Box<UnrecognizedConfiguration>),
}

impl Current {
    /// What `describe` answered, with a configuration outside the model kept rather than failed.
    pub fn from_describe(
        described: Result<Option<IdentityProviderConfiguration>, WorkMailError>,
    ) -> Result<Self, WorkMailError> {
        match described {
            Ok(configuration) => Ok(Current::Known(configuration)),
            Err(WorkMailError {
                unrecognized: Some(stored),
                ..
            }) => Ok(Current::Unrecognized(stored)),
            Err(error) => Err(error),
        }
    }
}

/// What a writer decided on the state it read under the lease.
pub enum Decision<T, L, W> {
    /// Write nothing, and answer `L`.
    Leave(L),
    /// Write `T`; `W` goes with the result.
    Write(T, W),
}

/// How the write came out.
pub enum Guarded<L, W> {
    Left(L),
    Written(Box<Written<W>>),
}

pub struct Written<W> {
    /// What the decision was made on (`None` also when it was outside the model).
    pub before: Option<IdentityProviderConfiguration>,
    /// What was written (`None`: removed).
    pub after: Option<IdentityProviderConfiguration>,
    pub confirmation: Confirmation,
    pub detail: W,
}

/// What the read after the write said.
#[derive(Debug, Clone)]
pub enum Confirmation {
    /// It shows what was written.
    Confirmed,
    /// It shows something else: another writer (outside this product) changed it in between, or
    /// WorkMail did not keep the write.
    Differs(Option<IdentityProviderConfiguration>),
    /// It failed: the write was acknowledged, what is stored now is unknown.
    ReadFailed(WorkMailError),
}

/// Takes `organization`'s lease, reads, lets `decide` choose on that read (it may read more under
/// the lease, e.g. who would be locked out), writes what it chose, confirms, and releases the lease
/// whatever happened, but for a write that may have been applied after all
/// (`UseCaseError::MaybeWritten`). `label` names the writer in the lease item.
pub async fn guarded_write<S, L, T, Left, W, Decided>(
    store: &S,
    leases: &L,
    settings: LeaseSettings,
    organization: &OrganizationId,
    label: &str,
    decide: impl FnOnce(Current) -> Decided,
) -> Result<Guarded<Left, W>, UseCaseError>
where
    S: ApplyWrite<T>,
    L: WriteLeases,
    T: WriteTarget,
    Decided: Future<Output = Result<Decision<T, Left, W>, UseCaseError>>,
{
    let key = LeaseKey::workmail_organization(organization);
    under_lease(leases, &key, label, settings, async |lease| {
        let taken = tokio::time::Instant::now();
        let current = Current::from_describe(store.describe(organization).await)?;
        let before = match &current {
            Current::Known(configuration) => configuration.clone(),
            Current::Unrecognized(_) => None,
        };
        let decided = keeping_lease(leases, lease, settings, taken, decide(current)).await?;
        let (target, detail) = match decided {
            Decision::Leave(left) => return Ok(Guarded::Left(left)),
            Decision::Write(target, detail) => (target, detail),
        };
        renew_lease(leases, lease, settings).await?;
        if let Err(error) = store.apply(organization, &target).await {
            return Err(if error.may_have_been_applied() {
                UseCaseError::MaybeWritten(Box::new(error))
            } else {
                error.into()
            });
        }
        let after = target.stored_after().cloned();
        let confirmation = confirm(store, organization, after.as_ref()).await;
        Ok(Guarded::Written(Box::new(Written {
            before,
            after,
            confirmation,
            detail,
        })))
    })
    .await
}

async fn confirm(
    store: &impl IdentityProviderStore,
    organization: &OrganizationId,
    written: Option<&IdentityProviderConfiguration>,
) -> Confirmation {
    match store.describe(organization).await {
        Ok(stored) if stored.as_ref() == written => Confirmation::Confirmed,
        Ok(stored) => Confirmation::Differs(stored),
        Err(error) => Confirmation::ReadFailed(error),
    }
}
