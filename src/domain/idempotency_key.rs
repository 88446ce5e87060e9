//! `IdempotencyKey`: a client's key for one logical write (the `Idempotency-Key` request header of the
//! IETF httpapi draft), scoped to its caller and resource and passed upstream as the idempotency
//! token (WorkSpaces Web's `clientToken`).

use sha2::{Digest, Sha256};

use super::InvalidValue;

/// 1..=512 visible ASCII characters (the model's `clientToken` length; an HTTP header holds no more),
/// no comma: an HTTP API (v2) event joins the values of a header sent twice with commas, so a key
/// holding one may be two.
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
        if raw.contains(',') {
            return Err(InvalidValue::new(
                "must be sent once and hold no comma (an HTTP API joins a header sent twice with commas)",
            ));
        }
        Ok(Self(raw.to_owned()))
    }

    /// The key as sent upstream for one caller and resource (`scope`): the hex SHA-256 of both,
    /// so that the same key from another caller, or for another portal, is another token upstream
    /// (the draft scopes a key to its client and resource) and a caller cannot make another's
    /// write fail, or learn that a key was used elsewhere.
    pub fn scoped_to(&self, scope: &str) -> Self {
        let digest = Sha256::digest(format!("{scope}\n{}", self.0).as_bytes());
        Self(digest.iter().map(|byte| format!("{byte:02x}")).collect())
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
        assert!(IdempotencyKey::parse("key-a,key-b").is_err());
        assert!(IdempotencyKey::parse("key-a, key-b").is_err());
        assert!(IdempotencyKey::parse("é").is_err());
    }

    #[test]
    fn scoped_keys_differ_by_scope_and_stay_stable() {
        let key = IdempotencyKey::parse("setup-1").expect("valid");
        let here = key.scoped_to("caller\nportal-a");
        assert_eq!(here, key.scoped_to("caller\nportal-a"));
        assert_ne!(here, key.scoped_to("caller\nportal-b"));
        assert_ne!(here, key.scoped_to("other\nportal-a"));
        assert_eq!(here.as_str().len(), 64);
    }
}
