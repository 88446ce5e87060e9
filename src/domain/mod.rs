//! The domain core: validated identity-provider configuration types, the JSON document they are read
//! from and written to, and JSON merge patch. Nothing here knows about HTTP or AWS.

mod arn;
mod change;
mod configuration;
mod diff;
mod document;
mod invalid;
mod managed;
mod merge;
mod organization_id;
mod problems;
mod timestamp;

pub use arn::{AccountId, ApplicationArn, InstanceArn, InstanceId, Partition};
pub use change::{Change, etag};
pub use configuration::{
    AuthenticationMode, IdentityCenter, IdentityProviderConfiguration, PersonalAccessTokens,
    TokenLifetime, TokenStatus,
};
pub use diff::{FieldChange, diff};
pub use document::{ConfigurationDocument, parse_configuration};
pub use invalid::InvalidValue;
pub use managed::{InvalidManagedList, ManagedOrganizations};
pub use merge::merge_patch;
pub use organization_id::OrganizationId;
pub use problems::{FieldProblem, Problems, escape_pointer_token};
pub use timestamp::Timestamp;
