//! The client's body: `parse_identity_provider` reads a PUT body into an `IdentityProvider`,
//! collecting every problem at its JSON pointer; `merge_identity_provider` applies a JSON merge patch
//! to the current provider (secrets included, internally) and reads the result the same way.

use serde_json::{Map, Value};

use super::certificates::{ExpiredCertificates, expiry_warnings};
use super::details::ProviderDetails;
use super::name::ProviderName;
use super::provider::{IdentityProvider, Rendering, SIGNING_CERTIFICATES};
use super::provider_type::ProviderType;
use super::secret::short_secret_warnings;
use super::source::{Field, Source};
use crate::domain::document::{kind_of, object_at, present};
use crate::domain::{Problems, Timestamp, escape_pointer_token, merge_patch};

const NAME: &str = "name";
const TYPE: &str = "type";

/// What a secret member is told when it is not a string (the view's object sent back, typically).
const SECRETS_ARE_WRITE_ONLY: &str = "must be the secret itself, as a string: secrets are \
     write-only, the view's {\"set\": true, \"sha256Prefix\": …} only says one is stored. Send the \
     value, or in a PATCH leave the member out (or send the view's object unchanged) to keep the \
     stored one";

/// A provider read from a body, and what the client should know about it (certificates expiring
/// within 30 days).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parsed {
    pub provider: IdentityProvider,
    pub warnings: Vec<String>,
}

/// Reads a PUT body: `name`, `type` (a wire name) and the one member of that type's details.
pub fn parse_identity_provider(body: &Value, now: Timestamp) -> Result<Parsed, Problems> {
    let mut problems = Problems::default();
    let Some(members) = object_at(body, "", &mut problems) else {
        return Err(problems);
    };
    let kind = read_type(members, &mut problems);
    let name = match present(members, NAME) {
        None => {
            problems.push(
                "/name",
                "is required: the provider's name, 3 to 32 characters",
            );
            None
        }
        Some(Value::String(raw)) => ProviderName::parse(raw)
            .map_err(|invalid| problems.push("/name", invalid.message()))
            .ok(),
        Some(other) => {
            problems.push("/name", format!("must be a string, not {}", kind_of(other)));
            None
        }
    };
    refuse_other_members(members, kind, &mut problems);
    let details = kind.and_then(|kind| read_details(members, kind, now, false, &mut problems));
    match (name, details) {
        (Some(name), Some(details)) if problems.is_empty() => {
            let provider = IdentityProvider { name, details };
            let mut warnings = expiry_warnings(&provider, now);
            warnings.extend(short_secret_warnings(&provider));
            Ok(Parsed { provider, warnings })
        }
        _ => Err(problems),
    }
}

/// Applies `patch` (RFC 7396) to `current` with its secrets, then reads the result as a PUT body:
/// a secret left out stays, `null` removes a member. Members the view shows in place of what is
/// stored (a secret's `{"set": true, …}`, `signingCertificates`) are ignored when sent back
/// unchanged. Problems point into the patched document.
pub fn merge_identity_provider(
    current: &IdentityProvider,
    patch: &Value,
    now: Timestamp,
) -> Result<Parsed, Problems> {
    let mut document = current.document(Rendering::WithSecrets);
    let patch = without_view_echoes(current, &document, patch);
    merge_patch(&mut document, &patch);
    parse_identity_provider(&document, now)
}

/// `patch` without the members of the current type's details that equal the view's value where the
/// view differs from what is stored.
fn without_view_echoes(current: &IdentityProvider, stored: &Value, patch: &Value) -> Value {
    let mut patch = patch.clone();
    let member = current.provider_type().body_member();
    let view = current.view();
    if let (Some(Value::Object(patched)), Some(Value::Object(viewed)), Some(stored)) =
        (patch.get_mut(member), view.get(member), stored.get(member))
    {
        patched.retain(|name, value| {
            let echoes_view = viewed.get(name) == Some(value) && stored.get(name) != Some(value);
            !echoes_view
        });
    }
    patch
}

fn read_type(members: &Map<String, Value>, problems: &mut Problems) -> Option<ProviderType> {
    match present(members, TYPE) {
        None => {
            problems.push(
                "/type",
                format!("is required: one of {}", ProviderType::ALLOWED),
            );
            None
        }
        Some(Value::String(raw)) => {
            let kind = ProviderType::from_wire(raw);
            if kind.is_none() {
                problems.push(
                    "/type",
                    format!("must be one of {} (exact case)", ProviderType::ALLOWED),
                );
            }
            kind
        }
        Some(other) => {
            problems.push(
                "/type",
                format!(
                    "must be a string, one of {}, not {}",
                    ProviderType::ALLOWED,
                    kind_of(other)
                ),
            );
            None
        }
    }
}

/// Every member but `name`, `type` and the details of `kind` is refused (another type's details only
/// when the type is known and they are not `null`); an unknown member even when it is `null`.
fn refuse_other_members(
    members: &Map<String, Value>,
    kind: Option<ProviderType>,
    problems: &mut Problems,
) {
    for (member, value) in members {
        if member == NAME || member == TYPE {
            continue;
        }
        let pointer = format!("/{}", escape_pointer_token(member));
        match (ProviderType::from_body_member(member), kind) {
            (Some(_), _) if value.is_null() => {}
            (Some(other), Some(kind)) if other != kind => problems.push(
                pointer,
                format!(
                    "holds the details of type {}, but type is {}: give only /{}",
                    other.wire_name(),
                    kind.wire_name(),
                    kind.body_member()
                ),
            ),
            (Some(_), _) => {}
            (None, _) => problems.push(
                pointer,
                format!(
                    "is not a known member; allowed here: name, type and the details member of the \
                     type ({})",
                    ProviderType::ALL.map(ProviderType::body_member).join(", ")
                ),
            ),
        }
    }
}

/// Checks a partial body: `type` (required), `name` (optional), and any of the members of that
/// type's details, each by the rules of a PUT body, none required (what is left out is whatever is
/// stored). Answers the type when nothing is wrong. Secrets are read like any string: the caller
/// (the enforcement policy) refuses them before.
pub(super) fn check_partial(
    body: &Value,
    now: Timestamp,
    problems: &mut Problems,
) -> Option<ProviderType> {
    let members = object_at(body, "", problems)?;
    let kind = read_type(members, problems);
    match present(members, NAME) {
        None => {}
        Some(Value::String(raw)) => {
            if let Err(invalid) = ProviderName::parse(raw) {
                problems.push("/name", invalid.message());
            }
        }
        Some(other) => problems.push("/name", format!("must be a string, not {}", kind_of(other))),
    }
    refuse_other_members(members, kind, problems);
    let kind = kind?;
    if present(members, kind.body_member()).is_some() {
        read_details(members, kind, now, true, problems);
    }
    Some(kind)
}

/// Reads the details member of `kind`; `partial`: only the members present are checked (a problem
/// about a member left out, or about the details as a whole, is not one).
fn read_details(
    members: &Map<String, Value>,
    kind: ProviderType,
    now: Timestamp,
    partial: bool,
    problems: &mut Problems,
) -> Option<ProviderDetails> {
    let at = format!("/{}", kind.body_member());
    let Some(value) = present(members, kind.body_member()) else {
        problems.push(
            at,
            format!(
                "is required: the details of the {} provider",
                kind.wire_name()
            ),
        );
        return None;
    };
    let inner = object_at(value, &at, problems)?;
    let mut source = BodySource {
        members: inner,
        at,
        problems,
        known: Vec::new(),
        partial,
        read_only: if kind == ProviderType::Saml {
            &[SIGNING_CERTIFICATES]
        } else {
            &[]
        },
    };
    let details = ProviderDetails::read(kind, &mut source, now, ExpiredCertificates::Refused);
    source.finish();
    details
}

/// The details member of a body.
struct BodySource<'a> {
    members: &'a Map<String, Value>,
    at: String,
    problems: &'a mut Problems,
    known: Vec<&'static str>,
    /// Only the members present are checked (`check_partial`).
    partial: bool,
    /// Members the view shows that a body may not set.
    read_only: &'static [&'static str],
}

impl<'a> BodySource<'a> {
    fn pointer(&self, field: &Field) -> String {
        format!("{}/{}", self.at, field.member)
    }

    fn value(&mut self, field: &'static Field) -> Option<&'a Value> {
        self.known.push(field.member);
        present(self.members, field.member)
    }

    /// Refuses the members no read asked for.
    fn finish(self) {
        for name in self.members.keys() {
            if self.known.contains(&name.as_str()) {
                continue;
            }
            let pointer = format!("{}/{}", self.at, escape_pointer_token(name));
            if self.read_only.contains(&name.as_str()) {
                self.problems.push(
                    pointer,
                    "is read-only: the view lists the certificates found in metadataFile; leave it \
                     out (a PATCH may send it back unchanged)",
                );
            } else {
                self.problems.push(
                    pointer,
                    format!(
                        "is not a known member; allowed here: {}",
                        self.known.join(", ")
                    ),
                );
            }
        }
    }
}

impl Source for BodySource<'_> {
    fn text(&mut self, field: &'static Field) -> Option<Option<String>> {
        let message = match self.value(field) {
            None => return Some(None),
            Some(Value::String(raw)) => return Some(Some(raw.clone())),
            Some(_) if field.secret => SECRETS_ARE_WRITE_ONLY.to_owned(),
            Some(other) => format!("must be a string, not {}", kind_of(other)),
        };
        self.problem(field, message);
        None
    }

    fn flag(&mut self, field: &'static Field) -> Option<Option<bool>> {
        let message = match self.value(field) {
            None => return Some(None),
            Some(Value::Bool(flag)) => return Some(Some(*flag)),
            Some(other) => format!(
                "must be a JSON boolean, true or false, not {}",
                kind_of(other)
            ),
        };
        self.problem(field, message);
        None
    }

    fn words(&mut self, field: &'static Field) -> Option<Option<Vec<String>>> {
        let items = match self.value(field) {
            None => return Some(None),
            Some(Value::Array(items)) => items,
            Some(other) => {
                let message = format!(
                    "must be an array of scopes such as [\"openid\", \"email\"], not {}",
                    kind_of(other)
                );
                self.problem(field, message);
                return None;
            }
        };
        let mut words = Vec::with_capacity(items.len());
        let mut all_strings = true;
        for (index, item) in items.iter().enumerate() {
            match item {
                Value::String(word) => words.push(word.clone()),
                other => {
                    all_strings = false;
                    let message = format!("must be a string (one scope), not {}", kind_of(other));
                    self.item_problem(field, index, message);
                }
            }
        }
        all_strings.then_some(Some(words))
    }

    fn name(&self, field: &'static Field) -> &'static str {
        field.member
    }

    fn problem(&mut self, field: &'static Field, message: String) {
        if self.partial && present(self.members, field.member).is_none() {
            return;
        }
        let pointer = self.pointer(field);
        self.problems.push(pointer, message);
    }

    fn item_problem(&mut self, field: &'static Field, index: usize, message: String) {
        let pointer = format!("{}/{index}", self.pointer(field));
        self.problems.push(pointer, message);
    }

    fn details_problem(&mut self, message: String) {
        if self.partial {
            return;
        }
        self.problems.push(self.at.clone(), message);
    }
}
