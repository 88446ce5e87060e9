//! `ProviderName`: an identity provider's display name, as the model's `IdentityProviderName` allows.

use std::fmt;
use std::sync::LazyLock;

use regex::Regex;

use crate::domain::InvalidValue;

/// The model's pattern; it needs at least three characters, so the model's 1..=32 is in effect 3..=32.
const PATTERN: &str = r"^[^_][\p{L}\p{M}\p{S}\p{N}\p{P}][^_]+$";
const MAX_LENGTH: usize = 32;
const MIN_LENGTH: usize = 3;

static NAME: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(PATTERN).expect("the model's name pattern is a valid regex"));

/// 3 to 32 characters (Unicode scalar values): the first anything but `_`, the second a letter, mark,
/// symbol, number or punctuation (`_` included), the rest anything but `_`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ProviderName(String);

impl ProviderName {
    pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
        let length = raw.chars().count();
        if !(MIN_LENGTH..=MAX_LENGTH).contains(&length) {
            return Err(InvalidValue::new(format!(
                "must be {MIN_LENGTH} to {MAX_LENGTH} characters long, not {length} (WorkSpaces Web allows \
                 up to 32 and its name pattern needs at least 3)"
            )));
        }
        if NAME.is_match(raw) {
            Ok(Self(raw.to_owned()))
        } else {
            Err(InvalidValue::new(
                "may contain '_' only as its second character, and its second character must be a \
                 letter, mark, symbol, number or punctuation (not a space or control character)",
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ProviderName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_names_at_the_edges_of_the_pattern() {
        let thirty_two = "a".repeat(32);
        let cjk = "名".repeat(32);
        for raw in [
            "abc",
            "Corp OIDC",
            thirty_two.as_str(),
            cjk.as_str(),
            "a_b",
            "e\u{301}x",
            "x\u{301}y",
            "a-b",
            "1.2",
            "a€b",
        ] {
            assert_eq!(
                ProviderName::parse(raw).map(|n| n.0),
                Ok(raw.to_owned()),
                "{raw:?}"
            );
        }
    }

    #[test]
    fn refuses_names_outside_the_pattern() {
        let thirty_three = "a".repeat(33);
        let cjk = "名".repeat(33);
        for raw in [
            "",
            "a",
            "ab",
            thirty_three.as_str(),
            cjk.as_str(),
            "_ab",
            "ab_",
            "abc_d",
            "a b",
            "a\tb",
        ] {
            assert!(ProviderName::parse(raw).is_err(), "{raw:?} must be refused");
        }
    }

    #[test]
    fn lengths_are_counted_in_characters() {
        // 32 characters of three bytes each: 96 bytes, accepted.
        assert!(ProviderName::parse(&"é".repeat(32)).is_ok());
        let error = ProviderName::parse(&"é".repeat(33)).expect_err("33 characters");
        assert!(error.message().contains("not 33"), "{error}");
        let error = ProviderName::parse("ab").expect_err("2 characters");
        assert!(error.message().contains("3 to 32"), "{error}");
    }

    #[test]
    fn the_message_explains_the_underscore_rule() {
        let error = ProviderName::parse("abc_d").expect_err("underscore");
        assert!(
            error.message().contains("'_' only as its second"),
            "{error}"
        );
    }
}
