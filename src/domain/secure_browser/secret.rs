//! `Secret`: a write-only value (an OAuth client secret, an Apple private key) that no `Debug`,
//! `Display` or serialization reveals, and `SecretFingerprint`, which tells two secrets apart.

use std::fmt;

use base64::Engine;
use sha2::{Digest, Sha256};

use super::values::check_detail_length;
use crate::domain::InvalidValue;

const PEM_BEGIN: &str = "-----BEGIN PRIVATE KEY-----";
const PEM_END: &str = "-----END PRIVATE KEY-----";
const FINGERPRINT_BYTES: usize = 3;

/// Fewer characters than this, and a secret is no longer out of reach of offline guesses against
/// its fingerprint: identity providers issue client secrets of 32 and more.
const SHORT_SECRET_CHARACTERS: usize = 16;

/// A secret: non-empty, at most 131,072 characters. It is written to WorkSpaces Web and never shown.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Any non-empty value (a client secret). Messages never repeat the value.
    pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
        if raw.is_empty() {
            return Err(InvalidValue::new("must not be empty"));
        }
        check_detail_length(raw)?;
        Ok(Self(raw.to_owned()))
    }

    /// A PKCS #8 private key in PEM (the `.p8` file Apple issues): a `-----BEGIN PRIVATE KEY-----`
    /// line, base64, and an `-----END PRIVATE KEY-----` line.
    pub fn parse_private_key(raw: &str) -> Result<Self, InvalidValue> {
        let explain = |reason: &str| {
            InvalidValue::new(format!(
                "must be a PEM private key ('{PEM_BEGIN}', base64 lines, '{PEM_END}'), as in the .p8 file \
                 Apple issues: {reason}"
            ))
        };
        check_detail_length(raw)?;
        let body = raw
            .trim()
            .strip_prefix(PEM_BEGIN)
            .and_then(|rest| rest.strip_suffix(PEM_END))
            .ok_or_else(|| explain("it does not start and end with those lines"))?;
        let base64: String = body.chars().filter(|c| !c.is_ascii_whitespace()).collect();
        match base64::engine::general_purpose::STANDARD.decode(base64) {
            Ok(der) if !der.is_empty() => Ok(Self(raw.to_owned())),
            Ok(_) => Err(explain("there is nothing between the lines")),
            Err(_) => Err(explain("the text between the lines is not base64")),
        }
    }

    /// The first 6 hex digits of the secret's SHA-256.
    pub fn fingerprint(&self) -> SecretFingerprint {
        SecretFingerprint::of(&self.0)
    }

    /// The value, for the wire form only.
    pub(super) fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

/// The first 6 hex digits of a secret's SHA-256 (`sha256Prefix` in the view): enough for an admin to
/// tell two secrets apart, too little to reveal either.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SecretFingerprint(String);

impl SecretFingerprint {
    /// The fingerprint of a secret's text.
    fn of(secret: &str) -> Self {
        let digest = Sha256::digest(secret.as_bytes());
        Self(
            digest
                .iter()
                .take(FINGERPRINT_BYTES)
                .map(|byte| format!("{byte:02x}"))
                .collect(),
        )
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for SecretFingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A `warnings` sentence per secret of `provider` short enough to be guessed offline from the
/// fingerprint every reader of the portal sees.
pub(super) fn short_secret_warnings(provider: &super::IdentityProvider) -> Vec<String> {
    provider
        .details
        .entries()
        .into_iter()
        .filter_map(|(field, entry)| match entry {
            super::source::Entry::Secret(secret)
                if secret.expose().chars().count() < SHORT_SECRET_CHARACTERS =>
            {
                Some(format!(
                    "{} has fewer than {SHORT_SECRET_CHARACTERS} characters: its fingerprint, which everyone \
                     who may read the portal sees, lets them test guesses offline; use the secret your \
                     identity provider generates",
                    field.member
                ))
            }
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_redacts_and_fingerprints_tell_secrets_apart() {
        let secret = Secret::parse("hunter2-very-secret").expect("valid");
        assert_eq!(format!("{secret:?}"), "Secret(<redacted>)");
        let fingerprint = secret.fingerprint();
        assert_eq!(fingerprint.as_str().len(), 6);
        assert!(fingerprint.as_str().bytes().all(|b| b.is_ascii_hexdigit()));
        // SHA-256("abc") starts ba7816.
        assert_eq!(
            Secret::parse("abc").expect("valid").fingerprint().as_str(),
            "ba7816"
        );
        assert_ne!(
            Secret::parse("other").expect("valid").fingerprint(),
            fingerprint
        );
        assert!(Secret::parse("").is_err());
    }

    #[test]
    fn private_keys_must_look_like_pem() {
        let key =
            format!("{PEM_BEGIN}\nMIGTAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBHkwdwIBAQQg\n{PEM_END}\n");
        assert!(Secret::parse_private_key(&key).is_ok());
        for bad in [
            "MIGTAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBHkwdwIBAQQg".to_owned(),
            format!("{PEM_BEGIN}\n{PEM_END}"),
            format!("{PEM_BEGIN}\nnot base64 !!\n{PEM_END}"),
            "-----BEGIN RSA PRIVATE KEY-----\nMIGT\n-----END RSA PRIVATE KEY-----".to_owned(),
        ] {
            let error = Secret::parse_private_key(&bad).expect_err("not a PEM key");
            assert!(!error.message().contains("MIGT"), "{error}");
        }
    }
}
