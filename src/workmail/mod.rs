//! The WorkMail side: the narrow ports the domain calls (identity-provider configuration, mailbox
//! directory), their error type, and the AWS SDK adapters.

mod directory;
mod directory_sdk;
mod error;
mod organizations;
mod port;
mod sdk;
mod settings;

pub(crate) use directory::Pacer;
pub use directory::{
    MailboxDirectory, Page, PageToken, ReadBudget, TokenRevocation, read_directory,
};
pub use error::{Operation, WorkMailError, WorkMailErrorKind, describe_chain};
pub use organizations::{OrganizationListing, OrganizationSummary};
pub use port::{ApiWorkMail, IdentityProviderRemoval, IdentityProviderStore};
pub use sdk::SdkWorkMail;
pub use settings::{SettingsError, UpstreamSettings};
