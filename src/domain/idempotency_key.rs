//! `IdempotencyKey`: a client's key for one logical write (the `Idempotency-Key` request header of the
//! IETF httpapi draft), passed upstream as the idempotency token (WorkSpaces Web's `clientToken`).

use super::InvalidValue;

/// 1..=512 visible ASCII characters (the model's `clientToken` length; an HTTP header holds no more).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct IdempotencyKey(String);

impl IdempotencyKey {
    pub const MAX_CHARACTERS: usize = 512;

    pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
        let visible = raw
            .bytes()
            .all(|byte| byte.is_ascii_graphic() || byte == b' ');
        if raw.is_empty() || raw.len() > Self::MAX_CHARACTERS || !visible || raw.trim() != raw {
            return Err(InvalidValue::new(format!(
                "must be 1 to {} visible ASCII characters, without leading or trailing spaces",
                Self::MAX_CHARACTERS
            )));
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_bounded_and_visible() {
        assert!(IdempotencyKey::parse("a").is_ok());
        assert!(IdempotencyKey::parse(&"k".repeat(512)).is_ok());
        assert!(IdempotencyKey::parse(&"k".repeat(513)).is_err());
        assert!(IdempotencyKey::parse("").is_err());
        assert!(IdempotencyKey::parse(" padded").is_err());
        assert!(IdempotencyKey::parse("tab\there").is_err());
        assert!(IdempotencyKey::parse("é").is_err());
    }
}
