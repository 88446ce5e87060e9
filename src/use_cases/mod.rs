//! The use cases, in domain terms, that the API and the enforcer both call: read a configuration, and
//! change one under the organization's write lease — read the current state under the lease, decide
//! on that state alone (merge, validation, preconditions, escalation, dry run, confirmation), write,
//! confirm with a read, release. Nothing here knows about HTTP or Lambda.

mod configuration_write;
mod error;
mod grants;
mod guarded_write;
mod read;

pub use configuration_write::{
    ConfigurationWrite, Effect, Mutation, WriteFacts, WriteOutcome, change_configuration,
};
pub use error::UseCaseError;
pub use grants::Grants;
pub use guarded_write::{
    ApplyWrite, Confirmation, Decision, Guarded, WriteTarget, Written, guarded_write,
};
pub use read::read;
