//! `DesiredProvider`: part of a provider as a policy declares it — its type and some non-secret
//! members, each checked by the body's rules — and what it takes to bring a stored provider there:
//! the members that differ (`drift`, on the secret-free view) and the merge patch that sets them
//! (`merge_patch`, applied over the stored provider with its secrets by `merge_identity_provider`).

use serde_json::{Map, Value};

use super::body::check_partial;
use super::provider::{IdentityProvider, SIGNING_CERTIFICATES};
use super::provider_type::ProviderType;
use crate::domain::diff::diff_documents;
use crate::domain::{FieldChange, Problems, Timestamp, merge_patch};

/// The SAML metadata members: one replaces the other.
const METADATA_FILE: &str = "metadataFile";
const METADATA_URL: &str = "metadataUrl";

/// A desired provider: `type`, optionally `name`, and members of that type's details.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DesiredProvider {
    kind: ProviderType,
    name: Option<String>,
    details: Map<String, Value>,
}

impl DesiredProvider {
    /// Reads `document` (`{"type": ..., "name"?: ..., "<details member>"?: {...}}`), every problem at
    /// its pointer into it. The caller refuses secrets first: this reads them like any string.
    pub fn parse(document: &Value, now: Timestamp) -> Result<Self, Problems> {
        let mut problems = Problems::default();
        let kind = check_partial(document, now, &mut problems);
        match kind {
            Some(kind) if problems.is_empty() => Ok(Self {
                kind,
                name: document
                    .get("name")
                    .and_then(Value::as_str)
                    .map(str::to_owned),
                details: document
                    .get(kind.body_member())
                    .and_then(Value::as_object)
                    .cloned()
                    .unwrap_or_default(),
            }),
            _ => Err(problems),
        }
    }

    pub fn provider_type(&self) -> ProviderType {
        self.kind
    }

    /// The RFC 7396 merge patch that brings a provider to this state: the type, the name if given,
    /// the desired details; the details of every other type removed (a type change), and for SAML the
    /// other metadata form (a `metadataUrl` replaces a `metadataFile`, and the other way round).
    pub fn merge_patch(&self) -> Value {
        let mut patch = Map::new();
        patch.insert("type".to_owned(), Value::from(self.kind.wire_name()));
        if let Some(name) = &self.name {
            patch.insert("name".to_owned(), Value::from(name.as_str()));
        }
        for other in ProviderType::ALL {
            if other != self.kind {
                patch.insert(other.body_member().to_owned(), Value::Null);
            }
        }
        let mut details = self.details.clone();
        if self.kind == ProviderType::Saml {
            if present(&details, METADATA_URL) {
                details.insert(METADATA_FILE.to_owned(), Value::Null);
                details.insert(SIGNING_CERTIFICATES.to_owned(), Value::Null);
            } else if present(&details, METADATA_FILE) {
                details.insert(METADATA_URL.to_owned(), Value::Null);
            }
        }
        patch.insert(self.kind.body_member().to_owned(), Value::Object(details));
        Value::Object(patch)
    }

    /// The members of `current` (its secret-free view) that differ from this state, with the values
    /// this state wants; empty when `current` is there already. A different type shows as `/type`
    /// plus the details that go and come.
    pub fn drift(&self, current: &IdentityProvider) -> Vec<FieldChange> {
        let before = current.view();
        let mut after = before.clone();
        merge_patch(&mut after, &self.merge_patch());
        diff_documents(Some(&before), Some(&after))
    }
}

fn present(members: &Map<String, Value>, name: &str) -> bool {
    members.get(name).is_some_and(|value| !value.is_null())
}
