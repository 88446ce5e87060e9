//! `EtagKey`: the key every instance of a deployment seals secrets with before they enter an ETag,
//! so that a rotated secret always changes the ETag and the ETag still tells nothing about it.

use std::fmt;

use aws_lc_rs::hmac;

/// Bytes of key material: 256 bits, HMAC-SHA256's full strength.
pub const ETAG_KEY_BYTES: usize = 32;

/// A 256-bit HMAC-SHA256 key. Every instance must seal with the same one (the lease store holds it),
/// or an ETag read from one instance would not match on another. Its `Debug` shows nothing.
#[derive(Clone)]
pub struct EtagKey(hmac::Key);

/// Key material of another length than `ETAG_KEY_BYTES`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("an ETag key has {ETAG_KEY_BYTES} bytes, not {0}")]
pub struct InvalidEtagKey(usize);

impl EtagKey {
    /// The key whose material is `material` (exactly `ETAG_KEY_BYTES`, from a random source).
    pub fn from_bytes(material: &[u8]) -> Result<Self, InvalidEtagKey> {
        if material.len() != ETAG_KEY_BYTES {
            return Err(InvalidEtagKey(material.len()));
        }
        Ok(Self(hmac::Key::new(hmac::HMAC_SHA256, material)))
    }

    /// HMAC-SHA256 of `secret` under this key, hex: equal for equal secrets, and without the key no
    /// help in telling which secret it is.
    pub fn seal(&self, secret: &str) -> String {
        hmac::sign(&self.0, secret.as_bytes())
            .as_ref()
            .iter()
            .map(|byte| format!("{byte:02x}"))
            .collect()
    }
}

impl fmt::Debug for EtagKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("EtagKey(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seals_are_stable_per_key_and_differ_between_keys_and_secrets() {
        let key = EtagKey::from_bytes(&[7; ETAG_KEY_BYTES]).expect("32 bytes");
        let same = EtagKey::from_bytes(&[7; ETAG_KEY_BYTES]).expect("32 bytes");
        let other = EtagKey::from_bytes(&[8; ETAG_KEY_BYTES]).expect("32 bytes");
        assert_eq!(key.seal("s3cret"), same.seal("s3cret"));
        assert_ne!(key.seal("s3cret"), key.seal("s3cret!"));
        assert_ne!(key.seal("s3cret"), other.seal("s3cret"));
        assert_eq!(key.seal("s3cret").len(), 64);
    }

    #[test]
    fn key_material_of_another_length_is_refused_and_never_shown() {
        assert_eq!(
            EtagKey::from_bytes(&[1; 16]).map(drop),
            Err(InvalidEtagKey(16))
        );
        let key = EtagKey::from_bytes(&[0xab; ETAG_KEY_BYTES]).expect("32 bytes");
        assert_eq!(format!("{key:?}"), "EtagKey(<redacted>)");
    }
}
