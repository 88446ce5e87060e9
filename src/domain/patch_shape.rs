//! The shape of a configuration merge patch, checked before the current configuration is read: a
//! patch that no current state could turn into a valid configuration (not an object, an unknown
//! member, a known member of the wrong JSON type or with a value the model refuses, `null` on a
//! member the configuration requires) is refused with every problem at its JSON pointer. What
//! depends on the current state (the instance and application of the merged result) is checked
//! after the merge.

use serde_json::{Map, Value};

use super::{
    ApplicationArn, AuthenticationMode, InstanceArn, InvalidValue, OrganizationId, Problems,
    TokenLifetime, TokenStatus, escape_pointer_token,
};

use super::document::{IDENTITY_CENTER, PERSONAL_ACCESS_TOKENS, TOP_LEVEL};

/// How a member's value is checked: what is wrong with it, if anything.
type Check = fn(&Value) -> Result<(), String>;

/// What a merge patch may not remove, told when its member is `null`.
const REQUIRED: &str =
    "is required in a configuration; a merge patch cannot remove it (null removes a member)";

/// Checks `patch`, a merge patch (RFC 7396) of `organization`'s configuration, for everything that
/// would make any merged result invalid.
pub fn check_configuration_patch(
    patch: &Value,
    organization: &OrganizationId,
) -> Result<(), Problems> {
    let mut problems = Problems::default();
    let Value::Object(members) = patch else {
        problems.push(
            "",
            format!(
                "must be a JSON object (a merge patch of the configuration), not {}; anything else would replace the whole configuration",
                kind_of(patch)
            ),
        );
        return Err(problems);
    };
    problems.reject_unknown(members, "", TOP_LEVEL);
    for (name, value) in members {
        let at = format!("/{}", escape_pointer_token(name));
        match name.as_str() {
            "organizationId" => leaf(value, &at, true, &mut problems, |value| match value {
                Value::String(named) if named == organization.as_str() => Ok(()),
                Value::String(named) => Err(format!(
                    "must be the organization in the path ('{organization}') or be left out, not '{named}'"
                )),
                other => Err(not_a_string("an organization id", other)),
            }),
            "authenticationMode" => leaf(value, &at, false, &mut problems, |value| {
                string(
                    value,
                    AuthenticationMode::ALLOWED,
                    AuthenticationMode::parse,
                )
            }),
            "identityCenter" => object(
                value,
                &at,
                IDENTITY_CENTER,
                &mut problems,
                |name| match name {
                    "instanceArn" => Some((false, instance_arn as Check)),
                    "applicationArn" => Some((false, application_arn as Check)),
                    _ => None,
                },
            ),
            "personalAccessTokens" => object(
                value,
                &at,
                PERSONAL_ACCESS_TOKENS,
                &mut problems,
                |name| match name {
                    "status" => Some((false, token_status as Check)),
                    "lifetimeInDays" => Some((true, lifetime as Check)),
                    _ => None,
                },
            ),
            _ => {}
        }
    }
    problems.into_result(|| ())
}

/// A member whose value the merge takes as it is: `null` (allowed when `removable`) or a value
/// `check` accepts.
fn leaf(
    value: &Value,
    at: &str,
    removable: bool,
    problems: &mut Problems,
    check: impl FnOnce(&Value) -> Result<(), String>,
) {
    let checked = match value {
        Value::Null if removable => Ok(()),
        Value::Null => Err(REQUIRED.to_owned()),
        value => check(value),
    };
    if let Err(message) = checked {
        problems.push(at, message);
    }
}

/// A required member holding an object, whose members the merge takes one by one: `members` says,
/// for each known name, whether it may be removed and how its value is checked.
fn object(
    value: &Value,
    at: &str,
    known: &[&str],
    problems: &mut Problems,
    members: impl Fn(&str) -> Option<(bool, Check)>,
) {
    let inner: &Map<String, Value> = match value {
        Value::Object(inner) => inner,
        Value::Null => return problems.push(at, REQUIRED),
        other => {
            return problems.push(at, format!("must be a JSON object, not {}", kind_of(other)));
        }
    };
    problems.reject_unknown(inner, at, known);
    for (name, value) in inner {
        if let Some((removable, check)) = members(name) {
            let pointer = format!("{at}/{}", escape_pointer_token(name));
            leaf(value, &pointer, removable, problems, check);
        }
    }
}

fn string<T>(
    value: &Value,
    allowed: &str,
    parse: impl FnOnce(&str) -> Result<T, InvalidValue>,
) -> Result<(), String> {
    match value {
        Value::String(raw) => parse(raw)
            .map(drop)
            .map_err(|invalid| invalid.message().to_owned()),
        other => Err(not_a_string(allowed, other)),
    }
}

fn instance_arn(value: &Value) -> Result<(), String> {
    string(value, "an instance ARN", InstanceArn::parse)
}

fn application_arn(value: &Value) -> Result<(), String> {
    string(value, "an application ARN", ApplicationArn::parse)
}

fn token_status(value: &Value) -> Result<(), String> {
    string(value, TokenStatus::ALLOWED, TokenStatus::parse)
}

fn lifetime(value: &Value) -> Result<(), String> {
    let out_of_range = || TokenLifetime::out_of_range().message().to_owned();
    match value {
        Value::Number(number) => number.as_i64().ok_or_else(out_of_range).and_then(|days| {
            TokenLifetime::parse(days)
                .map(drop)
                .map_err(|_| out_of_range())
        }),
        other => Err(format!("{}, not {}", out_of_range(), kind_of(other))),
    }
}

fn not_a_string(allowed: &str, value: &Value) -> String {
    format!("must be a string ({allowed}), not {}", kind_of(value))
}

fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::fixtures::{ORGANIZATION, organization};
    use serde_json::json;

    fn pointers(patch: &Value) -> Vec<String> {
        match check_configuration_patch(patch, &organization()) {
            Ok(()) => Vec::new(),
            Err(problems) => problems.into_vec().into_iter().map(|p| p.pointer).collect(),
        }
    }

    #[test]
    fn patches_that_a_current_state_could_complete_pass() {
        for patch in [
            json!({}),
            json!({ "personalAccessTokens": { "lifetimeInDays": 90 } }),
            json!({ "personalAccessTokens": { "lifetimeInDays": null, "status": "INACTIVE" } }),
            json!({ "organizationId": ORGANIZATION, "authenticationMode": "IDENTITY_PROVIDER_ONLY" }),
            json!({ "organizationId": null }),
            json!({ "identityCenter": {
                "instanceArn": "arn:aws:sso:::instance/ssoins-1234567890abcdef",
                "applicationArn": "arn:aws:sso::123456789012:application/ssoins-1234567890abcdef/apl-1234567890abcdef"
            } }),
        ] {
            assert_eq!(pointers(&patch), Vec::<String>::new(), "{patch}");
        }
    }

    #[test]
    fn a_patch_that_is_not_an_object_is_one_problem_at_the_document() {
        for patch in [json!(null), json!([]), json!("x"), json!(1), json!(true)] {
            assert_eq!(pointers(&patch), [""], "{patch}");
        }
    }

    #[test]
    fn unknown_members_are_refused_at_every_depth_even_as_null() {
        let patch = json!({
            "authenticationMod": null,
            "identityCenter": { "instanceARN": "x" },
            "personalAccessTokens": { "lifetime": 90, "a/b": {} }
        });
        assert_eq!(
            pointers(&patch),
            [
                "/authenticationMod",
                "/identityCenter/instanceARN",
                "/personalAccessTokens/a~1b",
                "/personalAccessTokens/lifetime"
            ]
        );
    }

    #[test]
    fn wrong_types_values_the_model_refuses_and_removed_requirements_are_refused() {
        let patch = json!({
            "organizationId": "m-ffffffffffffffffffffffffffffffff",
            "authenticationMode": ["IDENTITY_PROVIDER_ONLY"],
            "identityCenter": { "instanceArn": null, "applicationArn": "arn:aws:sso::1:application/x" },
            "personalAccessTokens": { "status": "ON", "lifetimeInDays": "90" }
        });
        assert_eq!(
            pointers(&patch),
            [
                "/authenticationMode",
                "/identityCenter/applicationArn",
                "/identityCenter/instanceArn",
                "/organizationId",
                "/personalAccessTokens/lifetimeInDays",
                "/personalAccessTokens/status"
            ]
        );
        for (patch, pointer) in [
            (json!({ "authenticationMode": null }), "/authenticationMode"),
            (json!({ "identityCenter": null }), "/identityCenter"),
            (json!({ "identityCenter": "arn" }), "/identityCenter"),
            (
                json!({ "personalAccessTokens": [] }),
                "/personalAccessTokens",
            ),
            (
                json!({ "personalAccessTokens": { "status": null } }),
                "/personalAccessTokens/status",
            ),
            (
                json!({ "personalAccessTokens": { "lifetimeInDays": 1.5 } }),
                "/personalAccessTokens/lifetimeInDays",
            ),
            (
                json!({ "personalAccessTokens": { "lifetimeInDays": 3654 } }),
                "/personalAccessTokens/lifetimeInDays",
            ),
        ] {
            assert_eq!(pointers(&patch), [pointer], "{patch}");
        }
    }
}
