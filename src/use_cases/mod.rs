//! The use cases, in domain terms, that the API and the enforcer both call: read a configuration, and
//! change one under the organization's write lease — read the current state under the lease, decide
//! on that state alone (merge, validation, preconditions, escalation, dry run, confirmation), write,
//! confirm with a read, release. Nothing here knows about HTTP or Lambda.

mod configuration_write;
mod error;
mod grants;
mod guarded_write;
mod impact;
mod lease_guard;
mod overview;
mod portal_provider;
mod read;
mod tokens;

pub use configuration_write::{
    CONFIRMATION_READ_FAILED, ConfigurationTarget, ConfigurationWrite, Effect, Mutation,
    WriteFacts, WriteOutcome, change_configuration,
};
pub use error::UseCaseError;
pub use grants::Grants;
pub use guarded_write::{
    ApplyWrite, Confirmation, Current, Decision, Guarded, WriteTarget, Written, guarded_write,
};
pub use impact::{Consent, DirectoryReading, Readiness, check_consent, impact_of, readiness};
pub use overview::{
    OverviewEntry, OverviewPage, OverviewRequest, OverviewToken, ProviderSummary, overview,
};
pub use portal_provider::{
    ApplyPortalWrite, PortalChange, PortalEdit, PortalMutation, PortalRef, PortalRequest,
    PortalTarget, PortalWrite, PortalWriteFacts, PortalWriteOutcome, PortalWriteTarget,
    TaggedProvider, change_portal_provider, read_portal_provider,
};
pub use read::{Stored, read};
pub use tokens::{
    ExpiryWindow, RevocationFacts, RevocationOutcome, TokenError, TokenListing, TokenPage,
    TokenRevocationRequest, list_tokens, revoke_token,
};
