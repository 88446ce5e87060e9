//! `OrganizationId`: a WorkMail organization identifier, `m-` followed by 32 lowercase hex digits.

use std::fmt;

use super::InvalidValue;

const HEX_DIGITS: usize = 32;

/// A WorkMail organization id (model shape `OrganizationId`: 34 characters, `^m-[0-9a-f]{32}$`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct OrganizationId(String);

impl OrganizationId {
    /// Parses an organization id, refusing anything the WorkMail model would refuse.
    pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
        let valid = raw
            .strip_prefix("m-")
            .is_some_and(|hex| hex.len() == HEX_DIGITS && hex.bytes().all(is_lower_hex));
        if valid {
            Ok(Self(raw.to_owned()))
        } else {
            Err(InvalidValue::new(
                "must be an organization id: 'm-' followed by 32 lowercase hexadecimal digits (34 characters)",
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn is_lower_hex(byte: u8) -> bool {
    byte.is_ascii_digit() || (b'a'..=b'f').contains(&byte)
}

impl fmt::Display for OrganizationId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_the_model_pattern() {
        let id = OrganizationId::parse("m-0123456789abcdef0123456789abcdef").expect("valid id");
        assert_eq!(id.as_str(), "m-0123456789abcdef0123456789abcdef");
    }

    #[test]
    fn refuses_near_misses() {
        for raw in [
            "",
            "m-",
            "m-0123456789abcdef0123456789abcde",
            "m-0123456789abcdef0123456789abcdef0",
            "m-0123456789ABCDEF0123456789abcdef",
            "M-0123456789abcdef0123456789abcdef",
            "x-0123456789abcdef0123456789abcdef",
            "m-0123456789abcdef0123456789abcdeg",
            "m-0123456789abcdef0123456789abcde\u{0663}",
            "../0123456789abcdef0123456789abcdef",
        ] {
            assert!(
                OrganizationId::parse(raw).is_err(),
                "{raw:?} must be refused"
            );
        }
    }
}
