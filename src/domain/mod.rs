//! The domain core: validated identity-provider configuration types, the JSON document they are read
//! from and written to, and JSON merge patch. Nothing here knows about HTTP or AWS.

mod arn;
mod change;
mod configuration;
mod diff;
mod document;
mod etag_key;
mod idempotency_key;
mod impact;
mod invalid;
mod mailbox;
mod managed;
mod merge;
mod organization_id;
mod patch_shape;
mod preconditions;
mod problems;
pub mod secure_browser;
pub mod strict_json_document;
mod timestamp;
mod unrecognized;

pub use arn::{AccountId, ApplicationArn, InstanceArn, InstanceId, Partition};
pub use change::{Change, ImpactData, LockoutRisk, etag};
pub use configuration::{
    AuthenticationMode, IdentityCenter, IdentityProviderConfiguration, PersonalAccessTokens,
    TokenLifetime, TokenStatus,
};
pub use diff::{FieldChange, diff};
pub use document::{ConfigurationDocument, parse_configuration};
pub use etag_key::{ETAG_KEY_BYTES, EtagKey, InvalidEtagKey};
pub use idempotency_key::IdempotencyKey;
pub use impact::{
    AffectedList, AffectedUser, AffectedUsers, CutShort, DirectorySnapshot, ImpactReport,
    Incompleteness, LISTED_USERS,
};
pub use invalid::InvalidValue;
pub use mailbox::{
    IdentityProviderUserId, MailboxUser, PersonalAccessTokenId, PersonalAccessTokenSummary, UserId,
    UserRole, UserState,
};
pub use managed::{InvalidManagedList, ManagedOrganizations};
pub use merge::merge_patch;
pub use organization_id::OrganizationId;
pub use patch_shape::check_configuration_patch;
pub use preconditions::{EntityTags, PreconditionError, Preconditions};
pub use problems::{FieldProblem, Problems, escape_pointer_token};
pub use timestamp::Timestamp;
pub use unrecognized::UnrecognizedConfiguration;

/// Configurations for the domain's unit tests.
#[cfg(test)]
pub(crate) mod fixtures {
    use super::*;

    pub const ORGANIZATION: &str = "m-0123456789abcdef0123456789abcdef";

    pub fn organization() -> OrganizationId {
        OrganizationId::parse(ORGANIZATION).expect("valid")
    }

    /// The sample Identity Center link, with the given mode, token status and lifetime.
    pub fn configuration(
        mode: AuthenticationMode,
        status: TokenStatus,
        lifetime: Option<i64>,
    ) -> IdentityProviderConfiguration {
        IdentityProviderConfiguration {
            authentication_mode: mode,
            identity_center: IdentityCenter::new(
                InstanceArn::parse("arn:aws:sso:::instance/ssoins-1234567890abcdef").expect("valid"),
                ApplicationArn::parse(
                    "arn:aws:sso::123456789012:application/ssoins-1234567890abcdef/apl-1234567890abcdef",
                )
                .expect("valid"),
            )
            .expect("consistent"),
            personal_access_tokens: PersonalAccessTokens {
                status,
                lifetime: lifetime.map(|days| TokenLifetime::parse(days).expect("valid")),
            },
        }
    }
}
