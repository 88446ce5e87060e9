//! `UseCaseError`: why a use case did not complete, in domain terms; the API maps each to a problem.

use std::time::Duration;

use crate::access::Permission;
use crate::domain::secure_browser::UnrecognizedProvider;
use crate::domain::{ImpactReport, PreconditionError, Problems, UnrecognizedConfiguration};
use crate::lease::{EtagKeyError, LeaseError};
use crate::workmail::WorkMailError;
use crate::workspaces_web::SecureBrowserError;

#[derive(Debug, thiserror::Error)]
pub enum UseCaseError {
    #[error("the organization has no identity-provider configuration")]
    NotConfigured,
    #[error("the resulting configuration is invalid: {0}")]
    Invalid(Problems),
    #[error("the caller may not {} this organization", .0.as_str())]
    Forbidden(Permission),
    #[error(transparent)]
    Precondition(#[from] PreconditionError),
    /// The change risks locking mailbox users out and was not confirmed; `impact` says who.
    #[error("the change risks locking mailbox users out and was not confirmed")]
    LockoutNotConfirmed {
        removal: bool,
        impact: Option<Box<ImpactReport>>,
    },
    /// Users would lose access and the confirmation did not carry this report's digest (`stale`: it
    /// carried another one, from a report that no longer holds).
    #[error("the change locks users out and the confirmation does not name the current impact")]
    ImpactNotAcknowledged {
        impact: Box<ImpactReport>,
        stale: bool,
    },
    /// Another writer holds the organization's lease and did not finish within the bounded wait.
    #[error("another write to this organization is in progress (retry in {retry_after:?})")]
    WriteInProgress { retry_after: Duration },
    /// The lease store could not be used; nothing was written.
    #[error("the write lease could not be taken: {0}")]
    LockUnavailable(LeaseError),
    /// The deployment's ETag key (in the lease table) could not be read or made, or is malformed;
    /// nothing was read from or written to the portal.
    #[error(transparent)]
    EtagKey(EtagKeyError),
    /// A merge patch cannot be applied to a configuration outside this version's model.
    #[error(
        "the stored configuration holds values this version does not know; it can only be replaced or removed"
    )]
    CannotMergeUnrecognized(Box<UnrecognizedConfiguration>),
    #[error(transparent)]
    Upstream(#[from] WorkMailError),
    #[error("the portal has no identity provider")]
    PortalNotConfigured,
    /// Removing a portal's identity provider, or changing its type, was not confirmed.
    #[error("the change signs every portal user out of their way in and was not confirmed")]
    PortalLockoutNotConfirmed { removal: bool },
    /// The portal's provider holds a type, key or value outside this version's model: it can be
    /// replaced or removed, not read or merged.
    #[error("the portal's identity provider holds values this version does not know")]
    PortalProviderUnrecognized(Box<UnrecognizedProvider>),
    /// WorkSpaces Web accepted a create or update, but the provider read back right after is gone or
    /// outside this version's model: another writer removed or replaced it at the same moment, or
    /// WorkSpaces Web answered from its memory of an earlier request with the same client token.
    #[error(
        "the write was accepted, but the portal holds no identity provider this version can show when read back"
    )]
    PortalWriteNotConfirmed,
    #[error(transparent)]
    SecureBrowser(#[from] SecureBrowserError),
    /// The WorkMail write failed in a way that does not tell whether WorkMail applied it (a
    /// timeout, a server error, a lost connection); its lease is left to expire, not released.
    #[error("{0}; the write may have been applied")]
    MaybeWritten(Box<WorkMailError>),
    /// The same for a WorkSpaces Web write.
    #[error("{0}; the write may have been applied")]
    PortalMaybeWritten(Box<SecureBrowserError>),
    /// The reads before the write left too little of the invocation to write, confirm and answer
    /// within it; nothing was written.
    #[error("too little of the invocation is left to write and confirm; nothing was written")]
    NoTimeToWrite,
}
