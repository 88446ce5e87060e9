//! WorkSpaces Web's model constraints on the members the emulator reads: lengths (in Unicode scalar
//! values), the model's patterns (anchored, as the API reference prints them; `\w` written as the
//! ASCII class it means), enums and required members. Only the model: the content of
//! `identityProviderDetails` is not checked, as WorkSpaces Web does not check it either.

use std::collections::BTreeMap;
use std::ops::RangeInclusive;
use std::sync::LazyLock;

use regex::Regex;
use serde_json::{Map, Value};

use super::errors::{FieldViolation, RestError};

static ARN: LazyLock<Regex> = LazyLock::new(|| {
    pattern(
        r"^arn:[A-Za-z0-9_+=/,.@-]+:[a-zA-Z0-9\-]+:[a-zA-Z0-9\-]*:[a-zA-Z0-9]{1,12}:[a-zA-Z]+(/[a-fA-F0-9\-]{36})+$",
    )
});
static SUBRESOURCE_ARN: LazyLock<Regex> = LazyLock::new(|| {
    pattern(
        r"^arn:[A-Za-z0-9_+=/,.@-]+:[a-zA-Z0-9\-]+:[a-zA-Z0-9\-]*:[a-zA-Z0-9]{1,12}:[a-zA-Z]+(/[a-fA-F0-9\-]{36}){2,}$",
    )
});
static IDENTITY_PROVIDER_NAME: LazyLock<Regex> =
    LazyLock::new(|| pattern(r"^[^_][\p{L}\p{M}\p{S}\p{N}\p{P}][^_]+$"));
static TAG: LazyLock<Regex> = LazyLock::new(|| pattern(r"^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$"));

fn pattern(source: &str) -> Regex {
    Regex::new(source).unwrap_or_else(|error| panic!("model pattern {source}: {error}"))
}

/// `IdentityProviderType`'s values.
pub const IDENTITY_PROVIDER_TYPES: [&str; 6] = [
    "SAML",
    "Facebook",
    "Google",
    "LoginWithAmazon",
    "SignInWithApple",
    "OIDC",
];

/// A string shape's constraints.
#[derive(Debug, Clone)]
pub struct StringShape {
    length: RangeInclusive<usize>,
    pattern: Option<(&'static LazyLock<Regex>, &'static str)>,
    /// `PaginationToken`'s `\S+`.
    no_white_space: bool,
}

/// `ARN` (a portal).
pub const PORTAL_ARN: StringShape = StringShape {
    length: 20..=2048,
    pattern: Some((
        &ARN,
        r"^arn:[\w+=\/,.@-]+:[a-zA-Z0-9\-]+:[a-zA-Z0-9\-]*:[a-zA-Z0-9]{1,12}:[a-zA-Z]+(\/[a-fA-F0-9\-]{36})+$",
    )),
    no_white_space: false,
};
/// `SubresourceARN` (an identity provider).
pub const IDENTITY_PROVIDER_ARN: StringShape = StringShape {
    length: 20..=2048,
    pattern: Some((
        &SUBRESOURCE_ARN,
        r"^arn:[\w+=\/,.@-]+:[a-zA-Z0-9\-]+:[a-zA-Z0-9\-]*:[a-zA-Z0-9]{1,12}:[a-zA-Z]+(\/[a-fA-F0-9\-]{36}){2,}$",
    )),
    no_white_space: false,
};
pub const NAME: StringShape = StringShape {
    length: 1..=32,
    pattern: Some((
        &IDENTITY_PROVIDER_NAME,
        r"^[^_][\p{L}\p{M}\p{S}\p{N}\p{P}][^_]+$",
    )),
    no_white_space: false,
};
pub const CLIENT_TOKEN: StringShape = StringShape {
    length: 1..=512,
    pattern: None,
    no_white_space: false,
};
pub const PAGINATION_TOKEN: StringShape = StringShape {
    length: 1..=2048,
    pattern: None,
    no_white_space: true,
};
/// `StringType`: the keys and values of `identityProviderDetails`.
const DETAIL: StringShape = StringShape {
    length: 0..=131_072,
    pattern: None,
    no_white_space: false,
};
/// An enum's string, checked against its values separately.
const ENUM: StringShape = StringShape {
    length: 0..=usize::MAX,
    pattern: None,
    no_white_space: false,
};
const TAG_KEY: StringShape = StringShape {
    length: 1..=128,
    pattern: Some((&TAG, r"^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$")),
    no_white_space: false,
};
const TAG_VALUE: StringShape = StringShape {
    length: 0..=256,
    pattern: Some((&TAG, r"^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$")),
    no_white_space: false,
};
const TAGS_AT_MOST: usize = 200;

/// Collects every refused member of one request, then answers them all in one ValidationException.
#[derive(Debug, Default)]
pub struct Checker {
    violations: Vec<FieldViolation>,
    /// A member of the wrong JSON type: the request cannot be parsed at all.
    unparsable: Option<String>,
}

impl Checker {
    fn refuse(&mut self, name: &str, constraint: &str) {
        self.violations.push(FieldViolation {
            name: name.to_owned(),
            message: format!("Value at '{name}' failed to satisfy constraint: {constraint}"),
        });
    }

    fn wrong_type(&mut self, name: &str, expected: &str) {
        self.unparsable
            .get_or_insert_with(|| format!("'{name}' must be {expected}"));
    }

    /// Checks `value` against `shape`; values are never echoed (names and details are sensitive).
    pub fn check(&mut self, name: &str, value: &str, shape: &StringShape) {
        let length = value.chars().count();
        if length < *shape.length.start() {
            self.refuse(
                name,
                &format!(
                    "Member must have length greater than or equal to {}",
                    shape.length.start()
                ),
            );
        } else if length > *shape.length.end() {
            self.refuse(
                name,
                &format!(
                    "Member must have length less than or equal to {}",
                    shape.length.end()
                ),
            );
        }
        if let Some((regex, source)) = shape.pattern
            && !regex.is_match(value)
        {
            self.refuse(
                name,
                &format!("Member must satisfy regular expression pattern: {source}"),
            );
        }
        if shape.no_white_space && value.chars().any(char::is_whitespace) {
            self.refuse(name, r"Member must satisfy regular expression pattern: \S+");
        }
    }

    /// A string member of the body: `None` when absent (refused when `required`) or not a string.
    pub fn string(
        &mut self,
        input: &Map<String, Value>,
        name: &str,
        shape: &StringShape,
        required: bool,
    ) -> Option<String> {
        match input.get(name) {
            None | Some(Value::Null) => {
                if required {
                    self.refuse(name, "Member must not be null");
                }
                None
            }
            Some(Value::String(value)) => {
                self.check(name, value, shape);
                Some(value.clone())
            }
            Some(_) => {
                self.wrong_type(name, "a string");
                None
            }
        }
    }

    /// A label that must be there (the router only routes non-empty labels).
    pub fn label(&mut self, name: &str, value: Option<&str>, shape: &StringShape) -> String {
        let value = value.unwrap_or_default();
        self.check(name, value, shape);
        value.to_owned()
    }

    /// `identityProviderType`: one of the enum's values.
    pub fn provider_type(&mut self, input: &Map<String, Value>, required: bool) -> Option<String> {
        let name = "identityProviderType";
        let value = self.string(input, name, &ENUM, required)?;
        if !IDENTITY_PROVIDER_TYPES.contains(&value.as_str()) {
            self.refuse(
                name,
                &format!(
                    "Member must satisfy enum value set: [{}]",
                    IDENTITY_PROVIDER_TYPES.join(", ")
                ),
            );
        }
        Some(value)
    }

    /// `identityProviderDetails`: a map of `StringType` to `StringType`.
    pub fn details(
        &mut self,
        input: &Map<String, Value>,
        required: bool,
    ) -> Option<BTreeMap<String, String>> {
        let name = "identityProviderDetails";
        match input.get(name) {
            None | Some(Value::Null) => {
                if required {
                    self.refuse(name, "Member must not be null");
                }
                None
            }
            Some(Value::Object(entries)) => {
                let mut details = BTreeMap::new();
                for (key, value) in entries {
                    let Some(value) = value.as_str() else {
                        self.wrong_type(name, "a map of strings to strings");
                        return None;
                    };
                    self.check(&format!("{name}.key"), key, &DETAIL);
                    self.check(&format!("{name}.{key}"), value, &DETAIL);
                    details.insert(key.clone(), value.to_owned());
                }
                Some(details)
            }
            Some(_) => {
                self.wrong_type(name, "a map of strings to strings");
                None
            }
        }
    }

    /// `tags`: at most 200 `{Key, Value}` pairs.
    pub fn tags(&mut self, input: &Map<String, Value>) {
        let name = "tags";
        let tags = match input.get(name) {
            None | Some(Value::Null) => return,
            Some(Value::Array(tags)) => tags,
            Some(_) => return self.wrong_type(name, "a list of tags"),
        };
        if tags.len() > TAGS_AT_MOST {
            self.refuse(
                name,
                &format!("Member must have length less than or equal to {TAGS_AT_MOST}"),
            );
        }
        for (index, tag) in tags.iter().enumerate() {
            let Some(tag) = tag.as_object() else {
                return self.wrong_type(name, "a list of tags");
            };
            self.string(tag, "Key", &TAG_KEY, true);
            self.string(tag, "Value", &TAG_VALUE, true);
            for violation in &mut self.violations {
                if violation.name == "Key" || violation.name == "Value" {
                    let member = format!("{name}.{}.{}", index + 1, violation.name);
                    violation.message = violation.message.replacen(
                        &format!("'{}'", violation.name),
                        &format!("'{member}'"),
                        1,
                    );
                    violation.name = member;
                }
            }
        }
    }

    /// `maxResults` from the query: an integer of at least 1.
    pub fn max_results(&mut self, query: &[(String, String)]) -> Option<usize> {
        let name = "maxResults";
        let (_, value) = query.iter().find(|(key, _)| key == name)?;
        match value.parse::<i64>() {
            Ok(number) if number >= 1 => Some(usize::try_from(number).unwrap_or(usize::MAX)),
            Ok(_) => {
                self.refuse(name, "Member must have value greater than or equal to 1");
                None
            }
            Err(_) => {
                self.wrong_type(name, "an integer");
                None
            }
        }
    }

    /// `nextToken` from the query.
    pub fn next_token(&mut self, query: &[(String, String)]) -> Option<String> {
        let name = "nextToken";
        let (_, value) = query.iter().find(|(key, _)| key == name)?;
        self.check(name, value, &PAGINATION_TOKEN);
        Some(value.clone())
    }

    /// The ValidationException for what was refused, if anything was.
    pub fn finish(self) -> Result<(), RestError> {
        if let Some(message) = self.unparsable {
            return Err(RestError::cannot_parse(message));
        }
        if self.violations.is_empty() {
            Ok(())
        } else {
            Err(RestError::field_validation(&self.violations))
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn violations(check: impl FnOnce(&mut Checker)) -> Vec<String> {
        let mut checker = Checker::default();
        check(&mut checker);
        checker
            .violations
            .iter()
            .map(|violation| violation.name.clone())
            .collect()
    }

    #[test]
    fn names_follow_the_model_pattern() {
        for good in ["MyIdP", "Okta SAML", "Ünïcødé", "a-b", "--x"] {
            assert!(
                violations(|c| c.check("n", good, &NAME)).is_empty(),
                "{good}"
            );
        }
        for bad in ["_idp", "a_b_", "ab", "abcdefghijklmnopqrstuvwxyz0123456"] {
            assert_eq!(violations(|c| c.check("n", bad, &NAME)), ["n"], "{bad}");
        }
        // Too short and off the pattern: both constraints are reported.
        assert_eq!(violations(|c| c.check("n", "", &NAME)), ["n", "n"]);
    }

    #[test]
    fn arns_follow_the_model_pattern() {
        let portal = "arn:aws:workspaces-web:us-east-1:123456789012:portal/d3b07384-d113-4ec6-a1f5-6a0e5b1c2f3d";
        let provider = "arn:aws:workspaces-web:us-east-1:123456789012:identityProvider/d3b07384-d113-4ec6-a1f5-6a0e5b1c2f3d/0c7a5e1f-2b3d-4a6e-8f90-1d2c3b4a5e6f";
        assert!(violations(|c| c.check("p", portal, &PORTAL_ARN)).is_empty());
        assert!(violations(|c| c.check("p", provider, &PORTAL_ARN)).is_empty());
        assert!(violations(|c| c.check("i", provider, &IDENTITY_PROVIDER_ARN)).is_empty());
        assert_eq!(
            violations(|c| c.check("i", portal, &IDENTITY_PROVIDER_ARN)),
            ["i"]
        );
        assert_eq!(
            violations(|c| c.check(
                "p",
                "arn:aws:workspaces-web:us-east-1:123456789012:portal/xyz",
                &PORTAL_ARN
            )),
            ["p"]
        );
        // `\w` means ASCII: an Arabic-Indic digit in the partition is refused.
        assert_eq!(
            violations(|c| c.check("p", &portal.replacen("aws", "aws\u{0663}", 1), &PORTAL_ARN)),
            ["p"]
        );
    }

    #[test]
    fn types_details_and_tags() {
        let input = json!({
            "identityProviderType": "Okta",
            "identityProviderDetails": { "MetadataURL": "https://idp.example/metadata" },
            "tags": [{ "Key": "team", "Value": "it" }, { "Key": "", "Value": "x" }]
        });
        let input = input.as_object().unwrap();
        let names = violations(|c| {
            c.provider_type(input, true);
            c.details(input, true);
            c.tags(input);
        });
        assert_eq!(names, ["identityProviderType", "tags.2.Key"]);
        let mut checker = Checker::default();
        checker.details(
            json!({ "identityProviderDetails": { "a": 1 } })
                .as_object()
                .unwrap(),
            true,
        );
        assert_eq!(checker.finish().unwrap_err().reason(), Some("cannotParse"));
    }

    #[test]
    fn query_members() {
        let query = |pairs: &[(&str, &str)]| -> Vec<(String, String)> {
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect()
        };
        let mut checker = Checker::default();
        assert_eq!(checker.max_results(&query(&[("maxResults", "5")])), Some(5));
        assert_eq!(checker.max_results(&query(&[("maxResults", "0")])), None);
        assert_eq!(
            checker
                .next_token(&query(&[("nextToken", "a b")]))
                .as_deref(),
            Some("a b")
        );
        let names: Vec<_> = checker.violations.iter().map(|v| v.name.as_str()).collect();
        assert_eq!(names, ["maxResults", "nextToken"]);
    }
}
