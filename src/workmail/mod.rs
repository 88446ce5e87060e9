//! The WorkMail side: the narrow port the domain calls, its error type, and the AWS SDK adapter.

mod error;
mod port;
mod sdk;
mod settings;

pub use error::{Operation, WorkMailError, WorkMailErrorKind, describe_chain};
pub use port::{IdentityProviderRemoval, IdentityProviderStore};
pub use sdk::SdkWorkMail;
pub use settings::{SettingsError, UpstreamSettings};
