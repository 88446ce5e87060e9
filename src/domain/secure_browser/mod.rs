//! The domain core for Amazon WorkSpaces Secure Browser (WorkSpaces Web) identity providers: the ids
//! and ARNs of portals and providers, the provider types and their validated details, the client's
//! JSON body (PUT and merge-patch PATCH), the secret-free view answered to clients, and the string map
//! WorkSpaces Web reads and writes. Nothing here knows about HTTP or the AWS SDK.
//!
//! Secrets (`clientSecret`, `privateKey`) are write-only: the view shows `{"set": true, "sha256Prefix":
//! "ab12cd"}` in their place. A PATCH that leaves a secret out, or sends the view's object for it
//! unchanged, keeps the stored secret; a PUT must send every secret. A SAML view also lists the
//! `signingCertificates` found in `metadataFile`; they are read-only: a PUT that sends them is refused,
//! a PATCH may send them back only unchanged (they are then ignored, any other value is refused).

mod body;
mod certificates;
mod desired;
mod details;
mod name;
mod provider;
mod provider_type;
mod resource;
mod saml_metadata;
mod secret;
mod source;
mod values;
mod wire;

#[cfg(test)]
mod tests;

pub use body::{Parsed, merge_identity_provider, parse_identity_provider};
pub use certificates::{CertificateFinding, certificate_findings};
pub use desired::DesiredProvider;
pub use details::{
    AppleDetails, FacebookDetails, MetadataSource, OAuthDetails, OidcDetails, ProviderDetails,
    SamlDetails,
};
pub use name::ProviderName;
pub use provider::IdentityProvider;
pub use provider_type::ProviderType;
pub use resource::{IdentityProviderArn, PortalArn, PortalId, ResourceScope};
pub use saml_metadata::{SamlMetadata, SigningCertificate};
pub use secret::{Secret, SecretFingerprint};
pub use values::{
    ApiVersion, AppleId, AttributesRequestMethod, ClientId, HttpsUrl, MAX_DETAIL_LENGTH,
    RequestSigningAlgorithm, Scopes,
};
pub use wire::{UnrecognizedProvider, WireProvider, read_stored};

use super::FieldChange;
use super::diff::diff_documents;

/// The members that differ between two providers' views (either may be absent), so a rotated secret
/// shows as a changed `sha256Prefix` and never as its value.
pub fn diff_views(
    before: Option<&IdentityProvider>,
    after: Option<&IdentityProvider>,
) -> Vec<FieldChange> {
    diff_documents(
        before.map(IdentityProvider::view).as_ref(),
        after.map(IdentityProvider::view).as_ref(),
    )
}
