//! `IdentityProvider`: a validated provider (name and details) and the forms it is written in — the
//! wire form for WorkSpaces Web, the secret-free view for clients, and its ETag.

use serde_json::{Map, Value, json};

use super::details::{MetadataSource, ProviderDetails};
use super::name::ProviderName;
use super::provider_type::ProviderType;
use super::resource::PortalArn;
use super::source::Entry;
use super::wire::WireProvider;
use crate::domain::EtagKey;

/// The member of a SAML view that lists the metadata's signing certificates (read-only).
pub(super) const SIGNING_CERTIFICATES: &str = "signingCertificates";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdentityProvider {
    pub name: ProviderName,
    pub details: ProviderDetails,
}

/// How a document shows secrets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Rendering {
    /// `{"set": true, "sha256Prefix": …}`, plus what only the view shows (signing certificates).
    View,
    /// The secret values: the body a merge patch applies to, never answered.
    WithSecrets,
}

impl IdentityProvider {
    pub fn provider_type(&self) -> ProviderType {
        self.details.provider_type()
    }

    /// What CreateIdentityProvider and UpdateIdentityProvider send.
    pub fn to_wire(&self) -> WireProvider {
        let details = self
            .details
            .entries()
            .into_iter()
            .map(|(field, entry)| {
                let value = match entry {
                    Entry::Text(text) => text.to_owned(),
                    Entry::Secret(secret) => secret.expose().to_owned(),
                    Entry::Scopes(scopes) => scopes.joined(),
                    Entry::Flag(flag) => flag.to_string(),
                };
                (field.key.to_owned(), value)
            })
            .collect();
        WireProvider {
            name: self.name.as_str().to_owned(),
            provider_type: self.provider_type().wire_name().to_owned(),
            details,
        }
    }

    /// The JSON pointers of its secrets in the body (`/oidc/clientSecret`, ...).
    pub fn secret_pointers(&self) -> Vec<String> {
        let member = self.provider_type().body_member();
        self.details
            .entries()
            .into_iter()
            .filter(|(_, entry)| matches!(entry, Entry::Secret(_)))
            .map(|(field, _)| format!("/{member}/{}", field.member))
            .collect()
    }

    /// The document answered to clients: the body's shape, secrets replaced by their fingerprints.
    pub fn view(&self) -> Value {
        self.document(Rendering::View)
    }

    /// A strong ETag on `portal`: that of the wire form (`WireProvider::etag`), so a provider and
    /// what WorkSpaces Web stores of it have the same one.
    pub fn etag(&self, portal: &PortalArn, key: &EtagKey) -> String {
        self.to_wire().etag(portal, key)
    }

    pub(super) fn document(&self, rendering: Rendering) -> Value {
        let mut details: Map<String, Value> = self
            .details
            .entries()
            .into_iter()
            .map(|(field, entry)| {
                let value = match entry {
                    Entry::Text(text) => json!(text),
                    Entry::Secret(secret) => match rendering {
                        Rendering::View => {
                            json!({ "set": true, "sha256Prefix": secret.fingerprint().as_str() })
                        }
                        Rendering::WithSecrets => json!(secret.expose()),
                    },
                    Entry::Scopes(scopes) => json!(scopes.as_slice()),
                    Entry::Flag(flag) => json!(flag),
                };
                (field.member.to_owned(), value)
            })
            .collect();
        if rendering == Rendering::View
            && let ProviderDetails::Saml(saml) = &self.details
            && let MetadataSource::File(metadata) = &saml.metadata
        {
            let certificates: Vec<Value> = metadata
                .signing_certificates()
                .iter()
                .map(|certificate| {
                    json!({
                        "subject": certificate.subject,
                        "notAfter": certificate.not_after.to_string(),
                    })
                })
                .collect();
            details.insert(SIGNING_CERTIFICATES.to_owned(), Value::Array(certificates));
        }
        let kind = self.provider_type();
        let mut document = Map::new();
        document.insert("name".to_owned(), json!(self.name.as_str()));
        document.insert("type".to_owned(), json!(kind.wire_name()));
        document.insert(kind.body_member().to_owned(), Value::Object(details));
        Value::Object(document)
    }
}
