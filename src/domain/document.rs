//! The configuration body of the API (camelCase JSON), shared by the API and the enforcer's policy:
//! `parse_configuration` reads it into domain types collecting every problem; `ConfigurationDocument`
//! writes it back.

use serde::Serialize;
use serde_json::{Map, Value};

use super::{
    ApplicationArn, AuthenticationMode, IdentityCenter, IdentityProviderConfiguration, InstanceArn,
    InvalidValue, OrganizationId, PersonalAccessTokens, Problems, TokenLifetime, TokenStatus,
};

/// The members of a configuration document, at each level (the merge-patch shape check reads them too).
pub(super) const TOP_LEVEL: &[&str] = &[
    "organizationId",
    "authenticationMode",
    "identityCenter",
    "personalAccessTokens",
];
pub(super) const IDENTITY_CENTER: &[&str] = &["instanceArn", "applicationArn"];
pub(super) const PERSONAL_ACCESS_TOKENS: &[&str] = &["status", "lifetimeInDays"];

/// Reads a configuration body. `organization` is the organization the body is for: a body that names
/// another one is refused. Every problem is reported, each at its JSON pointer.
pub fn parse_configuration(
    body: &Value,
    organization: &OrganizationId,
) -> Result<IdentityProviderConfiguration, Problems> {
    let mut problems = Problems::default();
    let Some(members) = object_at(body, "", &mut problems) else {
        return Err(problems);
    };
    problems.reject_unknown(members, "", TOP_LEVEL);

    if let Some(named) = optional_string(members, "", "organizationId", &mut problems)
        && named != organization.as_str()
    {
        problems.push(
            "/organizationId",
            format!(
                "must be the organization in the path ('{organization}') or be left out, not '{named}'"
            ),
        );
    }

    let authentication_mode = required(members, "", "authenticationMode", &mut problems)
        .and_then(|value| {
            string_at(
                value,
                "/authenticationMode",
                AuthenticationMode::ALLOWED,
                &mut problems,
            )
        })
        .and_then(|raw| {
            accept(
                AuthenticationMode::parse(raw),
                "/authenticationMode",
                &mut problems,
            )
        });
    let identity_center = parse_identity_center(members, &mut problems);
    let personal_access_tokens = parse_personal_access_tokens(members, &mut problems);

    match (authentication_mode, identity_center, personal_access_tokens) {
        (Some(authentication_mode), Some(identity_center), Some(personal_access_tokens))
            if problems.is_empty() =>
        {
            Ok(IdentityProviderConfiguration {
                authentication_mode,
                identity_center,
                personal_access_tokens,
            })
        }
        _ => Err(problems),
    }
}

fn parse_identity_center(
    members: &Map<String, Value>,
    problems: &mut Problems,
) -> Option<IdentityCenter> {
    const AT: &str = "/identityCenter";
    let value = required(members, "", "identityCenter", problems)?;
    let inner = object_at(value, AT, problems)?;
    problems.reject_unknown(inner, AT, IDENTITY_CENTER);
    let instance = required(inner, AT, "instanceArn", problems)
        .and_then(|value| {
            string_at(
                value,
                "/identityCenter/instanceArn",
                "an instance ARN",
                problems,
            )
        })
        .and_then(|raw| {
            accept(
                InstanceArn::parse(raw),
                "/identityCenter/instanceArn",
                problems,
            )
        });
    let application = required(inner, AT, "applicationArn", problems)
        .and_then(|value| {
            string_at(
                value,
                "/identityCenter/applicationArn",
                "an application ARN",
                problems,
            )
        })
        .and_then(|raw| {
            accept(
                ApplicationArn::parse(raw),
                "/identityCenter/applicationArn",
                problems,
            )
        });
    match IdentityCenter::new(instance?, application?) {
        Ok(identity_center) => Some(identity_center),
        Err(mismatches) => {
            for mismatch in mismatches {
                problems.push("/identityCenter/applicationArn", mismatch.to_string());
            }
            None
        }
    }
}

fn parse_personal_access_tokens(
    members: &Map<String, Value>,
    problems: &mut Problems,
) -> Option<PersonalAccessTokens> {
    const AT: &str = "/personalAccessTokens";
    let value = required(members, "", "personalAccessTokens", problems)?;
    let inner = object_at(value, AT, problems)?;
    problems.reject_unknown(inner, AT, PERSONAL_ACCESS_TOKENS);
    let status = required(inner, AT, "status", problems)
        .and_then(|value| {
            string_at(
                value,
                "/personalAccessTokens/status",
                TokenStatus::ALLOWED,
                problems,
            )
        })
        .and_then(|raw| {
            accept(
                TokenStatus::parse(raw),
                "/personalAccessTokens/status",
                problems,
            )
        });
    let lifetime = match present(inner, "lifetimeInDays") {
        None => Some(None),
        Some(value) => parse_lifetime(value, problems).map(Some),
    };
    Some(PersonalAccessTokens {
        status: status?,
        lifetime: lifetime?,
    })
}

fn parse_lifetime(value: &Value, problems: &mut Problems) -> Option<TokenLifetime> {
    const AT: &str = "/personalAccessTokens/lifetimeInDays";
    let days = match value {
        Value::Number(number) => number.as_i64(),
        other => {
            problems.push(
                AT,
                format!("{}, not {}", TokenLifetime::out_of_range(), kind_of(other)),
            );
            return None;
        }
    };
    match days {
        Some(days) => accept(TokenLifetime::parse(days), AT, problems),
        None => {
            problems.push(AT, TokenLifetime::out_of_range().to_string());
            None
        }
    }
}

fn accept<T>(parsed: Result<T, InvalidValue>, pointer: &str, problems: &mut Problems) -> Option<T> {
    parsed
        .map_err(|invalid| problems.push(pointer, invalid.message()))
        .ok()
}

pub(super) fn object_at<'a>(
    value: &'a Value,
    pointer: &str,
    problems: &mut Problems,
) -> Option<&'a Map<String, Value>> {
    match value {
        Value::Object(members) => Some(members),
        other => {
            problems.push(
                pointer,
                format!("must be a JSON object, not {}", kind_of(other)),
            );
            None
        }
    }
}

fn string_at<'a>(
    value: &'a Value,
    pointer: &str,
    allowed: &str,
    problems: &mut Problems,
) -> Option<&'a str> {
    match value {
        Value::String(raw) => Some(raw),
        other => {
            problems.push(
                pointer,
                format!("must be a string ({allowed}), not {}", kind_of(other)),
            );
            None
        }
    }
}

/// A member that is there and not `null` (`null` counts as left out, as in a merge patch).
pub(super) fn present<'a>(members: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    members.get(name).filter(|value| !value.is_null())
}

fn required<'a>(
    members: &'a Map<String, Value>,
    parent: &str,
    name: &str,
    problems: &mut Problems,
) -> Option<&'a Value> {
    let value = present(members, name);
    if value.is_none() {
        problems.push(format!("{parent}/{name}"), "is required");
    }
    value
}

fn optional_string<'a>(
    members: &'a Map<String, Value>,
    parent: &str,
    name: &str,
    problems: &mut Problems,
) -> Option<&'a str> {
    let pointer = format!("{parent}/{name}");
    present(members, name)
        .and_then(|value| string_at(value, &pointer, "an organization id", problems))
}

pub(super) fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// The configuration body as the API answers it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ConfigurationDocument {
    pub organization_id: String,
    pub authentication_mode: &'static str,
    pub identity_center: IdentityCenterDocument,
    pub personal_access_tokens: PersonalAccessTokensDocument,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct IdentityCenterDocument {
    pub instance_arn: String,
    pub application_arn: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PersonalAccessTokensDocument {
    pub status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lifetime_in_days: Option<u16>,
}

impl ConfigurationDocument {
    pub fn new(
        organization: &OrganizationId,
        configuration: &IdentityProviderConfiguration,
    ) -> Self {
        let tokens = configuration.personal_access_tokens;
        Self {
            organization_id: organization.as_str().to_owned(),
            authentication_mode: configuration.authentication_mode.as_str(),
            identity_center: IdentityCenterDocument {
                instance_arn: configuration
                    .identity_center
                    .instance_arn()
                    .as_str()
                    .to_owned(),
                application_arn: configuration
                    .identity_center
                    .application_arn()
                    .as_str()
                    .to_owned(),
            },
            personal_access_tokens: PersonalAccessTokensDocument {
                status: tokens.status.as_str(),
                lifetime_in_days: tokens.lifetime.map(TokenLifetime::days),
            },
        }
    }

    /// The document as a JSON value (for merging).
    pub fn to_value(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn organization() -> OrganizationId {
        OrganizationId::parse("m-0123456789abcdef0123456789abcdef").expect("valid")
    }

    fn valid_body() -> Value {
        json!({
            "organizationId": "m-0123456789abcdef0123456789abcdef",
            "authenticationMode": "IDENTITY_PROVIDER_AND_DIRECTORY",
            "identityCenter": {
                "instanceArn": "arn:aws:sso:::instance/ssoins-1234567890abcdef",
                "applicationArn": "arn:aws:sso::123456789012:application/ssoins-1234567890abcdef/apl-1234567890abcdef"
            },
            "personalAccessTokens": { "status": "ACTIVE", "lifetimeInDays": 90 }
        })
    }

    fn pointers(body: &Value) -> Vec<String> {
        parse_configuration(body, &organization())
            .expect_err("invalid body")
            .into_vec()
            .into_iter()
            .map(|problem| problem.pointer)
            .collect()
    }

    #[test]
    fn a_valid_body_round_trips() {
        let body = valid_body();
        let configuration = parse_configuration(&body, &organization()).expect("valid");
        assert_eq!(
            ConfigurationDocument::new(&organization(), &configuration).to_value(),
            body
        );
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let body = json!({
            "organizationId": "m-ffffffffffffffffffffffffffffffff",
            "authenticationMode": 7,
            "identityCenter": { "instanceArn": "arn:aws:sso:::instance/x", "extra": {"deep": 1} },
            "personalAccessTokens": { "status": "ON", "lifetimeInDays": 0 },
            "role/admin": true
        });
        assert_eq!(
            pointers(&body),
            vec![
                "/role~1admin",
                "/organizationId",
                "/authenticationMode",
                "/identityCenter/extra",
                "/identityCenter/instanceArn",
                "/identityCenter/applicationArn",
                "/personalAccessTokens/status",
                "/personalAccessTokens/lifetimeInDays",
            ]
        );
    }

    #[test]
    fn wrong_types_are_reported_per_member() {
        let body = json!({
            "authenticationMode": ["IDENTITY_PROVIDER_ONLY"],
            "identityCenter": "arn:aws:sso:::instance/ssoins-1234567890abcdef",
            "personalAccessTokens": { "status": true, "lifetimeInDays": "90" }
        });
        assert_eq!(
            pointers(&body),
            vec![
                "/authenticationMode",
                "/identityCenter",
                "/personalAccessTokens/status",
                "/personalAccessTokens/lifetimeInDays",
            ]
        );
        assert_eq!(pointers(&json!([1])), vec![""]);
    }

    #[test]
    fn fractional_and_huge_lifetimes_are_refused() {
        for lifetime in [json!(1.5), json!(1e300), json!(18446744073709551615u64)] {
            let mut body = valid_body();
            body["personalAccessTokens"]["lifetimeInDays"] = lifetime;
            assert_eq!(
                pointers(&body),
                vec!["/personalAccessTokens/lifetimeInDays"]
            );
        }
    }

    #[test]
    fn lifetime_may_be_left_out_or_null() {
        let mut body = valid_body();
        body["personalAccessTokens"]["lifetimeInDays"] = Value::Null;
        let configuration = parse_configuration(&body, &organization()).expect("valid");
        assert_eq!(configuration.personal_access_tokens.lifetime, None);
    }
}
