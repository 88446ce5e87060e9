//! The wire form WorkSpaces Web reads and writes (`WireProvider`: name, type and a string map of
//! details) and `read_stored`, which reads what GetIdentityProvider answered back into an
//! `IdentityProvider` — or says, without repeating any value, why this version cannot.

use std::collections::BTreeMap;
use std::fmt;

use super::certificates::ExpiredCertificates;
use super::details::ProviderDetails;
use super::name::ProviderName;
use super::provider::IdentityProvider;
use super::provider_type::ProviderType;
use super::resource::PortalArn;
use super::source::{Field, Source};
use crate::domain::change::document_etag;
use crate::domain::{EtagKey, Problems, Timestamp, escape_pointer_token};

const DETAILS: &str = "/identityProviderDetails";

/// `identityProviderName`, `identityProviderType` and `identityProviderDetails` as WorkSpaces Web
/// has them. Its `Debug` shows the detail keys only: the values hold secrets.
#[derive(Clone, PartialEq, Eq)]
pub struct WireProvider {
    pub name: String,
    pub provider_type: String,
    pub details: BTreeMap<String, String>,
}

/// The detail keys this version knows to hold no secret. Every other value (a secret, or a value
/// under a key this version does not know, which may be one) enters the ETag only by its seal.
const PLAIN_KEYS: &[&str] = &[
    "client_id",
    "authorize_scopes",
    "api_version",
    "team_id",
    "key_id",
    "attributes_request_method",
    "oidc_issuer",
    "authorize_url",
    "token_url",
    "attributes_url",
    "jwks_uri",
    "MetadataFile",
    "MetadataURL",
    "IDPSignout",
    "IDPInit",
    "RequestSigningAlgorithm",
    "EncryptedResponses",
];

impl WireProvider {
    /// A strong ETag of the provider stored on `portal`, quoted hex: a hash of the portal's ARN and
    /// the provider's name, type and details, each value that is or may be a secret represented by
    /// its seal under the deployment's `key` (HMAC-SHA256). A rotated secret always changes it; and
    /// as nobody who reads ETags holds the key, it tells nothing about a secret (an unkeyed hash
    /// would let anyone who can read the ETag test guesses offline).
    pub fn etag(&self, portal: &PortalArn, key: &EtagKey) -> String {
        let details: BTreeMap<&str, String> = self
            .details
            .iter()
            .map(|(name, value)| {
                let shown = if PLAIN_KEYS.contains(&name.as_str()) {
                    value.clone()
                } else {
                    format!("hmac-sha256:{}", key.seal(value))
                };
                (name.as_str(), shown)
            })
            .collect();
        document_etag(&serde_json::json!({
            "portal": portal.as_str(),
            "name": self.name,
            "type": self.provider_type,
            "details": details,
        }))
    }
}

impl fmt::Debug for WireProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WireProvider")
            .field("name", &self.name)
            .field("provider_type", &self.provider_type)
            .field("detail_keys", &self.details.keys().collect::<Vec<_>>())
            .finish()
    }
}

/// A provider WorkSpaces Web holds that this version cannot read: an unknown type, an unknown detail
/// key, or a value outside the model. `problems` point into the wire form
/// (`/identityProviderDetails/<key>`) and never repeat a detail value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "WorkSpaces Web holds a {provider_type} identity provider this version cannot read: {problems}"
)]
pub struct UnrecognizedProvider {
    pub provider_type: String,
    pub problems: Problems,
}

/// Reads a stored provider. Strict but for time: a signing certificate that has expired since it
/// was stored is accepted (so the provider can be shown and replaced); one not yet valid is not.
pub fn read_stored(
    wire: &WireProvider,
    now: Timestamp,
) -> Result<IdentityProvider, UnrecognizedProvider> {
    let mut problems = Problems::default();
    let kind = ProviderType::from_wire(&wire.provider_type);
    if kind.is_none() {
        problems.push(
            "/identityProviderType",
            format!(
                "is not a type this version knows ({})",
                ProviderType::ALLOWED
            ),
        );
    }
    let name = ProviderName::parse(&wire.name)
        .map_err(|invalid| problems.push("/identityProviderName", invalid.message()))
        .ok();
    let details = kind.and_then(|kind| {
        let mut source = WireSource {
            details: &wire.details,
            kind,
            problems: &mut problems,
            known: Vec::new(),
        };
        let details = ProviderDetails::read(kind, &mut source, now, ExpiredCertificates::Accepted);
        source.finish();
        details
    });
    match (name, details) {
        (Some(name), Some(details)) if problems.is_empty() => {
            Ok(IdentityProvider { name, details })
        }
        _ => Err(UnrecognizedProvider {
            provider_type: wire.provider_type.clone(),
            problems,
        }),
    }
}

struct WireSource<'a> {
    details: &'a BTreeMap<String, String>,
    kind: ProviderType,
    problems: &'a mut Problems,
    known: Vec<&'static str>,
}

impl<'a> WireSource<'a> {
    fn value(&mut self, field: &'static Field) -> Option<&'a String> {
        self.known.push(field.key);
        self.details.get(field.key)
    }

    /// Refuses the keys no read asked for.
    fn finish(self) {
        for key in self.details.keys() {
            if !self.known.contains(&key.as_str()) {
                self.problems.push(
                    format!("{DETAILS}/{}", escape_pointer_token(key)),
                    format!(
                        "is not a detail key of a {} provider in this version (known: {})",
                        self.kind.wire_name(),
                        self.known.join(", ")
                    ),
                );
            }
        }
    }
}

impl Source for WireSource<'_> {
    fn text(&mut self, field: &'static Field) -> Option<Option<String>> {
        Some(self.value(field).cloned())
    }

    fn flag(&mut self, field: &'static Field) -> Option<Option<bool>> {
        match self.value(field).map(String::as_str) {
            None => Some(None),
            Some("true") => Some(Some(true)),
            Some("false") => Some(Some(false)),
            Some(_) => {
                self.problem(field, "must be 'true' or 'false'".to_owned());
                None
            }
        }
    }

    fn words(&mut self, field: &'static Field) -> Option<Option<Vec<String>>> {
        Some(
            self.value(field)
                .map(|value| value.split_whitespace().map(str::to_owned).collect()),
        )
    }

    fn name(&self, field: &'static Field) -> &'static str {
        field.key
    }

    fn problem(&mut self, field: &'static Field, message: String) {
        self.problems
            .push(format!("{DETAILS}/{}", field.key), message);
    }

    /// The wire has no items: the problem is the key's.
    fn item_problem(&mut self, field: &'static Field, _index: usize, message: String) {
        self.problem(field, message);
    }

    fn details_problem(&mut self, message: String) {
        self.problems.push(DETAILS, message);
    }
}
