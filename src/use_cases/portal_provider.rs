//! A WorkSpaces Secure Browser portal's identity provider: reading it, and changing it (PUT, PATCH,
//! DELETE) on the same terms as a WorkMail configuration — the caller's grants, the merge or
//! replacement, validation, preconditions against the ETag, and the lockout-risk confirmation,
//! decided on the state read under the portal's write lease (or, for a dry run, on an unleased read,
//! writing nothing); a result equal to the current state writes nothing; every write is confirmed
//! by a read. Removing the provider, or changing its type, signs every portal user out of the way
//! they sign in: both need `escalate` and `Confirm-Impact: lockout-risk`.

use std::future::Future;

use serde_json::Value;
use tokio::time::Instant;

use super::configuration_write::{CHANGED_BY_ANOTHER_WRITER, CONFIRMATION_READ_FAILED};
use super::lease_guard::{renew_lease, under_lease};
use super::{Consent, Grants, UseCaseError};
use crate::access::Permission;
use crate::domain::secure_browser::{
    IdentityProvider, IdentityProviderArn, PortalArn, PortalId, merge_identity_provider,
};
use crate::domain::{
    EtagKey, FieldChange, IdempotencyKey, Preconditions, Timestamp, escape_pointer_token,
};
use crate::lease::{EtagKeys, LeaseKey, LeaseSettings, WriteLeases};
use crate::workspaces_web::{
    PortalProviderRemoval, PortalProviderStore, SecureBrowserError, StoredContent, StoredProvider,
};

/// The portal a request names: its id and the ARN built from the function's own account and region.
#[derive(Debug, Clone)]
pub struct PortalRef {
    pub id: PortalId,
    pub arn: PortalArn,
}

/// A portal's identity provider and its ETag there.
#[derive(Debug, Clone, PartialEq)]
pub struct TaggedProvider {
    pub provider: IdentityProvider,
    pub etag: String,
}

impl TaggedProvider {
    fn new(provider: IdentityProvider, portal: &PortalRef, key: &EtagKey) -> Self {
        let etag = provider.etag(&portal.arn, key);
        Self { provider, etag }
    }
}

/// The deployment's ETag key: without it no portal ETag can be told or checked.
async fn etag_key(keys: &impl EtagKeys) -> Result<EtagKey, UseCaseError> {
    keys.etag_key().await.map_err(UseCaseError::EtagKey)
}

/// The current identity provider, for a caller who may read it.
pub async fn read_portal_provider(
    store: &impl PortalProviderStore,
    keys: &impl EtagKeys,
    portal: &PortalRef,
    grants: Grants,
) -> Result<TaggedProvider, UseCaseError> {
    grants.require(Permission::Read)?;
    let key = etag_key(keys).await?;
    match store.find(&portal.arn).await? {
        None => Err(UseCaseError::PortalNotConfigured),
        Some(StoredProvider {
            content: StoredContent::Known(provider),
            ..
        }) => Ok(TaggedProvider::new(provider, portal, &key)),
        Some(StoredProvider {
            content: StoredContent::Unrecognized { reason, .. },
            ..
        }) => Err(UseCaseError::PortalProviderUnrecognized(Box::new(reason))),
    }
}

/// What a decision may ask to write: a provider (every writer: created or updated), or a provider
/// or its removal (writers allowed to remove one, i.e. the API). The enforcer's writes are
/// `IdentityProvider`s, so its store needs no Delete, and it has none.
pub trait PortalWriteTarget: Send + Sync {
    /// The provider stored once the write has happened (`None`: removed).
    fn stored_after(&self) -> Option<&IdentityProvider>;
}

impl PortalWriteTarget for IdentityProvider {
    fn stored_after(&self) -> Option<&IdentityProvider> {
        Some(self)
    }
}

impl PortalWriteTarget for Option<IdentityProvider> {
    fn stored_after(&self) -> Option<&IdentityProvider> {
        self.as_ref()
    }
}

/// A store that can make the writes of target `T` (as WorkMail's `ApplyWrite`).
pub trait ApplyPortalWrite<T: PortalWriteTarget>: PortalProviderStore {
    /// Turns what is stored (`existing`: the provider's ARN, if the portal has one) into `target`.
    fn apply(
        &self,
        portal: &PortalArn,
        existing: Option<&IdentityProviderArn>,
        target: &T,
        key: Option<&IdempotencyKey>,
    ) -> impl Future<Output = Result<(), SecureBrowserError>> + Send;
}

impl<S: PortalProviderStore> ApplyPortalWrite<IdentityProvider> for S {
    async fn apply(
        &self,
        portal: &PortalArn,
        existing: Option<&IdentityProviderArn>,
        target: &IdentityProvider,
        key: Option<&IdempotencyKey>,
    ) -> Result<(), SecureBrowserError> {
        match existing {
            None => self.create(portal, target, key).await.map(drop),
            Some(arn) => self.update(arn, target, key).await,
        }
    }
}

impl<S: PortalProviderRemoval> ApplyPortalWrite<Option<IdentityProvider>> for S {
    async fn apply(
        &self,
        portal: &PortalArn,
        existing: Option<&IdentityProviderArn>,
        target: &Option<IdentityProvider>,
        key: Option<&IdempotencyKey>,
    ) -> Result<(), SecureBrowserError> {
        match (existing, target) {
            (None, Some(provider)) => self.create(portal, provider, key).await.map(drop),
            (Some(arn), Some(provider)) => self.update(arn, provider, key).await,
            (Some(arn), None) => self.delete(arn).await,
            (None, None) => Ok(()),
        }
    }
}

/// A requested change, and what it makes of the current provider: the write target it asks for.
pub trait PortalRequest: Send + Sync {
    type Target: PortalWriteTarget;

    /// The target and its warnings, from `before` (`None`: none, or one outside the model) and
    /// whether the portal has a provider at all.
    fn resolve(
        &self,
        before: Option<&IdentityProvider>,
        has_provider: bool,
    ) -> Result<(Self::Target, Vec<String>), UseCaseError>;

    /// A merge over the current provider, which needs it inside the model.
    fn merges(&self) -> bool;

    /// The pointers of the secrets the request itself gives a value for (a PUT of a type with one,
    /// or a patch giving one): such a request always writes, so that its answer never tells whether
    /// the value equals the stored secret.
    fn named_secrets(&self) -> Vec<String>;
}

/// The secrets a merge patch gives a provider member a value for (a string; the fingerprint
/// object the view shows keeps the stored secret and names none).
fn patch_named_secrets(patch: &Value) -> Vec<String> {
    let Some(members) = patch.as_object() else {
        return Vec::new();
    };
    members
        .iter()
        .flat_map(|(member, value)| {
            ["clientSecret", "privateKey"]
                .into_iter()
                .filter(|secret| value.get(*secret).is_some_and(Value::is_string))
                .map(move |secret| format!("/{}/{secret}", escape_pointer_token(member)))
        })
        .collect()
}

/// A change that never removes the provider: the enforcer's.
#[derive(Debug, Clone)]
pub enum PortalEdit {
    /// The whole provider (already parsed), with the warnings its parsing found.
    Replace {
        provider: Box<IdentityProvider>,
        warnings: Vec<String>,
    },
    /// An RFC 7396 merge patch over the current provider, secrets included (a secret the patch
    /// leaves out is kept).
    Patch(Value),
}

impl PortalRequest for PortalEdit {
    type Target = IdentityProvider;

    fn resolve(
        &self,
        before: Option<&IdentityProvider>,
        _has_provider: bool,
    ) -> Result<(IdentityProvider, Vec<String>), UseCaseError> {
        match self {
            PortalEdit::Replace { provider, warnings } => {
                Ok((provider.as_ref().clone(), warnings.clone()))
            }
            PortalEdit::Patch(patch) => patched(before, patch),
        }
    }

    fn merges(&self) -> bool {
        matches!(self, PortalEdit::Patch(_))
    }

    fn named_secrets(&self) -> Vec<String> {
        match self {
            PortalEdit::Replace { provider, .. } => provider.secret_pointers(),
            PortalEdit::Patch(patch) => patch_named_secrets(patch),
        }
    }
}

/// A merge patch over `before`.
fn patched(
    before: Option<&IdentityProvider>,
    patch: &Value,
) -> Result<(IdentityProvider, Vec<String>), UseCaseError> {
    let Some(current) = before else {
        return Err(UseCaseError::PortalNotConfigured);
    };
    let parsed =
        merge_identity_provider(current, patch, Timestamp::now()).map_err(UseCaseError::Invalid)?;
    Ok((parsed.provider, parsed.warnings))
}

/// A requested change of a portal's identity provider, removal included: the API's.
#[derive(Debug, Clone)]
pub enum PortalMutation {
    /// PUT: the whole provider (already parsed), with the warnings its parsing found.
    Replace {
        provider: Box<IdentityProvider>,
        warnings: Vec<String>,
    },
    /// PATCH: an RFC 7396 merge patch over the current provider, secrets included (a secret the
    /// patch leaves out is kept).
    Patch(Value),
    /// DELETE.
    Remove,
}

impl PortalRequest for PortalMutation {
    type Target = Option<IdentityProvider>;

    fn resolve(
        &self,
        before: Option<&IdentityProvider>,
        has_provider: bool,
    ) -> Result<(Option<IdentityProvider>, Vec<String>), UseCaseError> {
        match self {
            PortalMutation::Replace { provider, warnings } => {
                Ok((Some(provider.as_ref().clone()), warnings.clone()))
            }
            PortalMutation::Patch(patch) => {
                patched(before, patch).map(|(provider, warnings)| (Some(provider), warnings))
            }
            PortalMutation::Remove if !has_provider => Err(UseCaseError::PortalNotConfigured),
            PortalMutation::Remove => Ok((None, Vec::new())),
        }
    }

    fn merges(&self) -> bool {
        matches!(self, PortalMutation::Patch(_))
    }

    fn named_secrets(&self) -> Vec<String> {
        match self {
            PortalMutation::Replace { provider, .. } => provider.secret_pointers(),
            PortalMutation::Patch(patch) => patch_named_secrets(patch),
            PortalMutation::Remove => Vec::new(),
        }
    }
}

/// One write, as the caller asked for it: `M` is what it may ask for (`PortalMutation`, removal
/// included, for the API; `PortalEdit` for the enforcer).
#[derive(Debug, Clone)]
pub struct PortalWrite<M = PortalMutation> {
    pub portal: PortalRef,
    pub mutation: M,
    pub grants: Grants,
    pub preconditions: Preconditions,
    pub require_precondition: bool,
    pub dry_run: bool,
    pub consent: Consent,
    /// Passed upstream as the idempotency token; without it the SDK makes one.
    pub idempotency_key: Option<IdempotencyKey>,
}

/// What a write does to a portal's provider.
#[derive(Debug, Clone, PartialEq)]
pub struct PortalChange {
    pub before: Option<IdentityProvider>,
    /// The ETag of what was stored (`before`, or a provider outside the model); `None`: nothing.
    pub current_etag: Option<String>,
    pub after: Option<IdentityProvider>,
    /// What validating the result found worth saying (a certificate about to expire).
    pub warnings: Vec<String>,
    /// The secrets the request gave a value for (see `PortalRequest::named_secrets`): each is
    /// written, even one whose fingerprint, and so the view and the diff, stays the same.
    pub named_secrets: Vec<String>,
}

impl PortalChange {
    /// Whether the write changes anything. A request that names a secret always counts as one:
    /// telling "unchanged" would confirm a guessed secret, and a rotation to a secret with the same
    /// fingerprint must still be written.
    pub fn would_change(&self) -> bool {
        !self.named_secrets.is_empty() || self.before != self.after
    }

    /// Removing the provider, or changing where its users sign in (its type, client id, issuer or
    /// endpoints, Apple team or key, SAML metadata): every portal user's sign-in can stop working,
    /// or go to someone else's identity provider.
    pub fn risks_lockout(&self) -> bool {
        match (&self.before, &self.after) {
            (Some(_), None) => true,
            (Some(before), Some(after)) => {
                before.details.sign_in_target() != after.details.sign_in_target()
            }
            (None, _) => false,
        }
    }

    /// The difference, secrets shown only by their fingerprints.
    pub fn diff(&self) -> Vec<FieldChange> {
        crate::domain::secure_browser::diff_views(self.before.as_ref(), self.after.as_ref())
    }
}

/// How a portal write ended, when it did not end in an error.
#[derive(Debug, Clone)]
pub enum PortalWriteOutcome {
    DryRun(Box<PortalChange>),
    /// The result equals the current state: nothing written.
    Unchanged(Option<Box<TaggedProvider>>),
    /// Written. `stored` is what the confirming read returned (or what was written, if that read
    /// failed); `warning` says when the two may differ.
    Written {
        stored: Option<Box<TaggedProvider>>,
        warning: Option<&'static str>,
        warnings: Vec<String>,
    },
}

/// What the write learned, kept for the audit record even when it ends in an error.
#[derive(Debug, Default)]
pub struct PortalWriteFacts {
    pub change: Option<PortalChange>,
    pub effect: Option<super::Effect>,
    pub warning: Option<&'static str>,
}

/// Where a portal write goes: WorkSpaces Web and the write leases (which hold the ETag key too);
/// `writer` names the writer in the lease item (`api`, `enforcer`).
pub struct PortalTarget<'a, S, L> {
    pub store: &'a S,
    pub leases: &'a L,
    pub lease_settings: LeaseSettings,
    pub writer: &'static str,
    /// The latest moment the write may be sent: the invocation's deadline less what the write, its
    /// confirming read, the release and the answer need, so that no write lands without its answer
    /// and audit record. `None`: no deadline.
    pub write_by: Option<Instant>,
}

/// Carries out `request`: the one decision path of every portal writer (the API and the enforcer).
/// The store needs only what the request may ask for: Delete only for a `PortalMutation`.
pub async fn change_portal_provider<S, L, M>(
    target: PortalTarget<'_, S, L>,
    request: &PortalWrite<M>,
    facts: &mut PortalWriteFacts,
) -> Result<PortalWriteOutcome, UseCaseError>
where
    M: PortalRequest,
    S: ApplyPortalWrite<M::Target>,
    L: WriteLeases + EtagKeys,
{
    request.grants.require(Permission::Write)?;
    let PortalTarget {
        store,
        leases,
        lease_settings,
        writer,
        write_by,
    } = target;
    let etag_key = etag_key(leases).await?;
    let tagged = |provider: IdentityProvider| {
        Box::new(TaggedProvider::new(provider, &request.portal, &etag_key))
    };
    if request.dry_run {
        let stored = store.find(&request.portal.arn).await?;
        let (change, _) = decide(request, stored.as_ref(), &etag_key, facts)?;
        facts.effect = Some(super::Effect::DryRun);
        return Ok(PortalWriteOutcome::DryRun(Box::new(change)));
    }
    let key = LeaseKey::secure_browser_portal(&request.portal.id);
    under_lease(leases, &key, writer, lease_settings, async |lease| {
        let stored = store.find(&request.portal.arn).await?;
        let (change, target) = decide(request, stored.as_ref(), &etag_key, facts)?;
        check_consent(request, &change, stored.as_ref())?;
        if !change.would_change() && stored.as_ref().is_none_or(is_known) {
            facts.effect = Some(super::Effect::Unchanged);
            return Ok(PortalWriteOutcome::Unchanged(change.before.map(tagged)));
        }
        if write_by.is_some_and(|write_by| Instant::now() > write_by) {
            return Err(UseCaseError::NoTimeToWrite);
        }
        renew_lease(leases, lease, lease_settings).await?;
        let existing = stored.map(|stored| stored.arn);
        let applied = store
            .apply(
                &request.portal.arn,
                existing.as_ref(),
                &target,
                request.idempotency_key.as_ref(),
            )
            .await;
        if let Err(error) = applied {
            if error.may_have_been_applied() {
                facts.effect = Some(super::Effect::Unknown);
                return Err(UseCaseError::PortalMaybeWritten(Box::new(error)));
            }
            return Err(error.into());
        }
        facts.effect = Some(super::Effect::Written);
        let creates_or_updates = change.after.is_some();
        let (stored, warning) = match store.find(&request.portal.arn).await {
            Ok(found) if known(found.as_ref()) == change.after.as_ref() => (change.after, None),
            Ok(found) => (
                known(found.as_ref()).cloned(),
                Some(CHANGED_BY_ANOTHER_WRITER),
            ),
            Err(_) => (change.after, Some(CONFIRMATION_READ_FAILED)),
        };
        facts.warning = warning;
        if stored.is_none() && creates_or_updates {
            return Err(UseCaseError::PortalWriteNotConfirmed);
        }
        Ok(PortalWriteOutcome::Written {
            stored: stored.map(tagged),
            warning,
            warnings: change.warnings,
        })
    })
    .await
}

fn is_known(stored: &StoredProvider) -> bool {
    matches!(stored.content, StoredContent::Known(_))
}

fn known(stored: Option<&StoredProvider>) -> Option<&IdentityProvider> {
    match stored {
        Some(StoredProvider {
            content: StoredContent::Known(provider),
            ..
        }) => Some(provider),
        _ => None,
    }
}

/// What the request makes of what is stored, checked against the preconditions, the caller's
/// grants and consent.
fn decide<M: PortalRequest>(
    request: &PortalWrite<M>,
    stored: Option<&StoredProvider>,
    etag_key: &EtagKey,
    facts: &mut PortalWriteFacts,
) -> Result<(PortalChange, M::Target), UseCaseError> {
    let portal = &request.portal.arn;
    let (before, current_etag) = match stored.map(|stored| &stored.content) {
        None => (None, None),
        Some(StoredContent::Known(provider)) => {
            (Some(provider), Some(provider.etag(portal, etag_key)))
        }
        Some(StoredContent::Unrecognized { reason, wire }) => {
            if request.mutation.merges() {
                return Err(UseCaseError::PortalProviderUnrecognized(Box::new(
                    reason.clone(),
                )));
            }
            (None, Some(wire.etag(portal, etag_key)))
        }
    };
    let (target, warnings) = request.mutation.resolve(before, stored.is_some())?;
    let change = PortalChange {
        before: before.cloned(),
        current_etag: current_etag.clone(),
        after: target.stored_after().cloned(),
        warnings,
        named_secrets: request.mutation.named_secrets(),
    };
    facts.change = Some(change.clone());
    request
        .preconditions
        .check(current_etag.as_deref(), request.require_precondition)?;
    if needs_consent(&change, stored) {
        request.grants.require(Permission::Escalate)?;
    }
    Ok((change, target))
}

/// Removing the provider, changing its type, or replacing one this version cannot read.
fn needs_consent(change: &PortalChange, stored: Option<&StoredProvider>) -> bool {
    change.risks_lockout() || stored.is_some_and(|stored| !is_known(stored))
}

/// A write that needs consent goes ahead only with `Confirm-Impact: lockout-risk` (a dry run shows
/// the change and `requiresConfirmation` without it).
fn check_consent<M: PortalRequest>(
    request: &PortalWrite<M>,
    change: &PortalChange,
    stored: Option<&StoredProvider>,
) -> Result<(), UseCaseError> {
    if needs_consent(change, stored) && !matches!(request.consent, Consent::LockoutRisk { .. }) {
        return Err(UseCaseError::PortalLockoutNotConfirmed {
            removal: change.after.is_none(),
        });
    }
    Ok(())
}
