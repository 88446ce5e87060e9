//! The WorkMail model's constraints on the members the emulator reads, checked with the model's own
//! patterns (`\d` written as `[0-9]`: the model means ASCII digits).

use std::sync::LazyLock;

use regex::Regex;
use serde_json::{Map, Value};

static ORGANIZATION_ID: LazyLock<Regex> = LazyLock::new(|| pattern("^m-[0-9a-f]{32}$"));
static INSTANCE_ARN: LazyLock<Regex> = LazyLock::new(|| {
    pattern(
        "^arn:(aws|aws-us-gov|aws-cn|aws-iso|aws-iso-b):sso:::instance/(sso)?ins-[a-zA-Z0-9-.]{16}$",
    )
});
static APPLICATION_ARN: LazyLock<Regex> = LazyLock::new(|| {
    pattern(
        "^arn:(aws|aws-us-gov|aws-cn|aws-iso|aws-iso-b):sso::[0-9]{12}:application/(sso)?ins-[a-zA-Z0-9-.]{16}/apl-[a-zA-Z0-9]{16}$",
    )
});
static NEXT_TOKEN: LazyLock<Regex> = LazyLock::new(|| pattern("^[0-9]+$"));
static ENTITY_IDENTIFIER: LazyLock<Regex> = LazyLock::new(|| pattern("^[a-zA-Z0-9._%+@-]+$"));
static PERSONAL_ACCESS_TOKEN_ID: LazyLock<Regex> = LazyLock::new(|| pattern("^[a-zA-Z0-9_-]+$"));
static IDENTITY_PROVIDER_USER_ID_PREFIX: LazyLock<Regex> =
    LazyLock::new(|| pattern("^[A-Fa-f0-9-]+$"));

fn pattern(source: &str) -> Regex {
    Regex::new(source).unwrap_or_else(|error| panic!("model pattern {source}: {error}"))
}

/// A member the model refuses; the message is WorkMail-like.
pub type Refusal = String;

pub fn organization_id(input: &Map<String, Value>) -> Result<String, Refusal> {
    string(input, "OrganizationId", 34..=34, Some(&ORGANIZATION_ID))
}

pub fn instance_arn(input: &Map<String, Value>) -> Result<String, Refusal> {
    string(input, "InstanceArn", 10..=1124, Some(&INSTANCE_ARN))
}

pub fn application_arn(input: &Map<String, Value>) -> Result<String, Refusal> {
    string(input, "ApplicationArn", 10..=1224, Some(&APPLICATION_ARN))
}

pub fn next_token(input: &Map<String, Value>) -> Result<Option<String>, Refusal> {
    optional(input, "NextToken")
        .map(|_| string(input, "NextToken", 1..=1024, Some(&NEXT_TOKEN)))
        .transpose()
}

/// `NextToken` as the model has it (1..=1024 characters of anything): the operation decides whether
/// it is one of its own.
pub fn opaque_next_token(input: &Map<String, Value>) -> Result<Option<String>, Refusal> {
    optional(input, "NextToken")
        .map(|_| string(input, "NextToken", 1..=1024, None))
        .transpose()
}

/// `MaxResults` (1..=100), or `default` when left out.
pub fn max_results(input: &Map<String, Value>, default: usize) -> Result<usize, Refusal> {
    Ok(integer(input, "MaxResults", 1..=100)?
        .and_then(|size| usize::try_from(size).ok())
        .unwrap_or(default))
}

/// An `EntityIdentifier` (a user's id, email or name): 1..=256, `[a-zA-Z0-9._%+@-]+`.
pub fn optional_entity_identifier(
    input: &Map<String, Value>,
    name: &str,
) -> Result<Option<String>, Refusal> {
    optional(input, name)
        .map(|_| string(input, name, 1..=256, Some(&ENTITY_IDENTIFIER)))
        .transpose()
}

/// A `PersonalAccessTokenId`: 1..=64, `[a-zA-Z0-9_-]+`.
pub fn personal_access_token_id(input: &Map<String, Value>) -> Result<String, Refusal> {
    string(
        input,
        "PersonalAccessTokenId",
        1..=64,
        Some(&PERSONAL_ACCESS_TOKEN_ID),
    )
}

/// An optional `String` member (at most 256 characters, no pattern), as the `ListUsers` filters have.
pub fn optional_text(input: &Map<String, Value>, name: &str) -> Result<Option<String>, Refusal> {
    optional(input, name)
        .map(|_| string(input, name, 0..=256, None))
        .transpose()
}

/// `IdentityProviderUserIdPrefix`: 1..=47, `^[A-Fa-f0-9-]+$`.
pub fn optional_identity_provider_user_id_prefix(
    input: &Map<String, Value>,
) -> Result<Option<String>, Refusal> {
    let name = "IdentityProviderUserIdPrefix";
    optional(input, name)
        .map(|_| string(input, name, 1..=47, Some(&IDENTITY_PROVIDER_USER_ID_PREFIX)))
        .transpose()
}

pub fn optional_enumeration(
    input: &Map<String, Value>,
    name: &str,
    allowed: &[&str],
) -> Result<Option<String>, Refusal> {
    optional(input, name)
        .map(|_| enumeration(input, name, allowed))
        .transpose()
}

pub fn optional_structure<'a>(
    input: &'a Map<String, Value>,
    name: &str,
) -> Result<Option<&'a Map<String, Value>>, Refusal> {
    optional(input, name)
        .map(|_| structure(input, name))
        .transpose()
}

pub fn enumeration(
    input: &Map<String, Value>,
    name: &str,
    allowed: &[&str],
) -> Result<String, Refusal> {
    match required(input, name)? {
        Value::String(value) if allowed.contains(&value.as_str()) => Ok(value.clone()),
        _ => Err(format!("{name} must be one of: {}", allowed.join(", "))),
    }
}

pub fn integer(
    input: &Map<String, Value>,
    name: &str,
    allowed: std::ops::RangeInclusive<i64>,
) -> Result<Option<i64>, Refusal> {
    match optional(input, name) {
        None => Ok(None),
        Some(value) => value
            .as_i64()
            .filter(|number| allowed.contains(number))
            .map(Some)
            .ok_or_else(|| {
                format!(
                    "{name} must be an integer from {} to {}",
                    allowed.start(),
                    allowed.end()
                )
            }),
    }
}

pub fn structure<'a>(
    input: &'a Map<String, Value>,
    name: &str,
) -> Result<&'a Map<String, Value>, Refusal> {
    required(input, name)?
        .as_object()
        .ok_or_else(|| format!("{name} must be a structure"))
}

fn string(
    input: &Map<String, Value>,
    name: &str,
    length: std::ops::RangeInclusive<usize>,
    pattern: Option<&Regex>,
) -> Result<String, Refusal> {
    let Value::String(value) = required(input, name)? else {
        return Err(format!("{name} must be a string"));
    };
    let characters = value.chars().count();
    if !length.contains(&characters) {
        return Err(format!(
            "1 validation error detected: Value at '{name}' failed to satisfy constraint: Member must have length between {} and {}",
            length.start(),
            length.end()
        ));
    }
    if let Some(pattern) = pattern.filter(|pattern| !pattern.is_match(value)) {
        return Err(format!(
            "1 validation error detected: Value '{value}' at '{name}' failed to satisfy constraint: Member must satisfy regular expression pattern: {}",
            pattern.as_str()
        ));
    }
    Ok(value.clone())
}

fn required<'a>(input: &'a Map<String, Value>, name: &str) -> Result<&'a Value, Refusal> {
    optional(input, name).ok_or_else(|| format!("{name} is required"))
}

fn optional<'a>(input: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    input.get(name).filter(|value| !value.is_null())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn members(value: Value) -> Map<String, Value> {
        value.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn application_arn_digits_are_ascii() {
        let arabic = members(json!({
            "ApplicationArn": "arn:aws:sso::12345678901\u{0663}:application/ssoins-1234567890abcdef/apl-1234567890abcdef"
        }));
        assert!(application_arn(&arabic).is_err());
        let ascii = members(json!({
            "ApplicationArn": "arn:aws:sso::123456789013:application/ssoins-1234567890abcdef/apl-1234567890abcdef"
        }));
        assert!(application_arn(&ascii).is_ok());
    }

    #[test]
    fn organization_id_length_and_pattern() {
        assert!(
            organization_id(&members(
                json!({"OrganizationId": "m-0123456789abcdef0123456789abcdef"})
            ))
            .is_ok()
        );
        assert!(organization_id(&members(json!({"OrganizationId": "m-0123"}))).is_err());
        assert!(organization_id(&members(json!({}))).is_err());
    }
}
