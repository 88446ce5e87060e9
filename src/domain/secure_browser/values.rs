//! The detail values other than secrets and SAML metadata: client ids, https URLs, OAuth scopes,
//! Apple ids, the Facebook API version and the small enumerations. Messages say what is allowed and
//! never repeat the value.

use std::fmt;

use url::Url;

use crate::domain::InvalidValue;

/// The longest detail value WorkSpaces Web takes (model shape `StringType`), in characters.
pub const MAX_DETAIL_LENGTH: usize = 131_072;
const MAX_SCOPES: usize = 50;
const APPLE_ID_LENGTH: usize = 10;

pub(super) fn check_detail_length(raw: &str) -> Result<(), InvalidValue> {
    let length = raw.chars().count();
    if length <= MAX_DETAIL_LENGTH {
        Ok(())
    } else {
        Err(InvalidValue::new(format!(
            "is {length} characters long; WorkSpaces Web takes at most {MAX_DETAIL_LENGTH}"
        )))
    }
}

/// An OAuth client id (or Apple's Services ID): non-empty, at most 131,072 characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ClientId(String);

impl ClientId {
    pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
        if raw.is_empty() {
            return Err(InvalidValue::new("must not be empty"));
        }
        check_detail_length(raw)?;
        Ok(Self(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An absolute `https` URL with a host and no user name or password, kept exactly as given (an OIDC
/// issuer must match the token's `iss` claim character for character).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct HttpsUrl(String);

impl HttpsUrl {
    /// Any https URL without a fragment.
    pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
        let url = Self::check(raw)?;
        if url.fragment().is_some() {
            return Err(Self::explain("it has a '#' fragment"));
        }
        Ok(Self(raw.to_owned()))
    }

    /// An OIDC issuer: an https URL without query or fragment (OpenID Connect Discovery 1.0, 2).
    pub fn parse_issuer(raw: &str) -> Result<Self, InvalidValue> {
        let url = Self::check(raw)?;
        if url.query().is_some() || url.fragment().is_some() {
            return Err(Self::explain(
                "an issuer has no '?' query and no '#' fragment",
            ));
        }
        Ok(Self(raw.to_owned()))
    }

    fn check(raw: &str) -> Result<Url, InvalidValue> {
        check_detail_length(raw)?;
        if raw.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(Self::explain(
                "it contains whitespace or control characters",
            ));
        }
        // The URL parser forgives `https:/host`, `https:\\host` and `HTTPS://`: the text itself must
        // be the usual form, since WorkSpaces Web receives the text, not the parsed URL.
        if !raw.starts_with("https://") || raw.contains('\\') {
            return Err(Self::explain(
                "only https is allowed: it must start with 'https://' (lowercase) and contain no '\\'",
            ));
        }
        let url = Url::parse(raw).map_err(|error| Self::explain(&error.to_string()))?;
        if url.host_str().is_none_or(str::is_empty) {
            return Err(Self::explain("it has no host"));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(Self::explain("it must not carry a user name or password"));
        }
        Ok(url)
    }

    fn explain(reason: &str) -> InvalidValue {
        InvalidValue::new(format!(
            "must be an absolute https URL such as https://idp.example.com/path: {reason}"
        ))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// OAuth scopes: 1 to 50 distinct, non-empty scopes without whitespace. The body lists them as an
/// array; WorkSpaces Web keeps them space-separated.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Scopes(Vec<String>);

/// One refused scope list: the item it concerns (`None` for the list as a whole) and why.
pub(super) type ScopeProblem = (Option<usize>, String);

impl Scopes {
    pub(super) fn parse(scopes: Vec<String>) -> Result<Self, Vec<ScopeProblem>> {
        let mut problems = Vec::new();
        if scopes.is_empty() || scopes.len() > MAX_SCOPES {
            problems.push((
                None,
                format!("must list 1 to {MAX_SCOPES} scopes, not {}", scopes.len()),
            ));
        }
        for (index, scope) in scopes.iter().enumerate() {
            if scope.is_empty() {
                problems.push((Some(index), "must not be an empty scope".to_owned()));
            } else if scope.chars().any(char::is_whitespace) {
                problems.push((
                    Some(index),
                    "must be one scope, without whitespace (list each scope as its own item)"
                        .to_owned(),
                ));
            } else if scopes[..index].contains(scope) {
                problems.push((Some(index), "repeats an earlier scope".to_owned()));
            }
        }
        let joined = scopes.join(" ");
        if let Err(invalid) = check_detail_length(&joined) {
            problems.push((None, format!("joined with spaces, {}", invalid.message())));
        }
        if problems.is_empty() {
            Ok(Self(scopes))
        } else {
            Err(problems)
        }
    }

    pub fn contains(&self, scope: &str) -> bool {
        self.0.iter().any(|s| s == scope)
    }

    pub fn as_slice(&self) -> &[String] {
        &self.0
    }

    /// The wire form: space-separated.
    pub fn joined(&self) -> String {
        self.0.join(" ")
    }
}

/// An Apple Developer team id or key id: 10 characters of A-Z and 0-9.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AppleId(String);

impl AppleId {
    pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
        if raw.len() == APPLE_ID_LENGTH
            && raw
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        {
            Ok(Self(raw.to_owned()))
        } else {
            Err(InvalidValue::new(
                "must be an Apple id of exactly 10 characters, uppercase letters A-Z and digits 0-9 \
                 (as the Apple Developer account shows it)",
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A Facebook Graph API version such as `v17.0`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ApiVersion(String);

impl ApiVersion {
    pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
        let digits = |part: &str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
        let valid = check_detail_length(raw).is_ok()
            && raw
                .strip_prefix('v')
                .and_then(|rest| rest.split_once('.'))
                .is_some_and(|(major, minor)| digits(major) && digits(minor));
        if valid {
            Ok(Self(raw.to_owned()))
        } else {
            Err(InvalidValue::new(
                "must be a Graph API version: 'v', digits, '.', digits, such as v17.0",
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// How WorkSpaces Web asks an OIDC provider for user attributes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AttributesRequestMethod {
    Get,
    Post,
}

impl AttributesRequestMethod {
    pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
        match raw {
            "GET" => Ok(Self::Get),
            "POST" => Ok(Self::Post),
            _ => Err(InvalidValue::new("must be GET or POST")),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Get => "GET",
            Self::Post => "POST",
        }
    }
}

/// How WorkSpaces Web signs SAML requests: only `rsa-sha256` is accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RequestSigningAlgorithm {
    RsaSha256,
}

impl RequestSigningAlgorithm {
    pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
        match raw {
            "rsa-sha256" => Ok(Self::RsaSha256),
            _ => Err(InvalidValue::new(
                "must be rsa-sha256, the only algorithm WorkSpaces Web accepts",
            )),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::RsaSha256 => "rsa-sha256",
        }
    }
}

impl fmt::Display for HttpsUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scopes(items: &[&str]) -> Result<Scopes, Vec<ScopeProblem>> {
        Scopes::parse(items.iter().map(|s| (*s).to_owned()).collect())
    }

    #[test]
    fn urls_must_be_absolute_https() {
        assert!(HttpsUrl::parse("https://idp.example.com/sso?x=1").is_ok());
        assert!(HttpsUrl::parse_issuer("https://login.example.com").is_ok());
        for raw in [
            "http://idp.example.com/",
            "https:/idp",
            "https:\\\\idp.example.com\\",
            "HTTPS://idp.example.com/",
            "/relative",
            "idp.example.com",
            "https://user:pw@idp.example.com/",
            "https://idp.example.com/#x",
            " https://idp.example.com/",
            "ftp://idp.example.com/",
            "",
        ] {
            assert!(HttpsUrl::parse(raw).is_err(), "{raw:?}");
        }
        assert!(HttpsUrl::parse_issuer("https://login.example.com/?tenant=1").is_err());
        let error = HttpsUrl::parse("http://idp.example.com/").expect_err("http");
        assert!(error.message().contains("only https"), "{error}");
        // Kept exactly as given.
        assert_eq!(
            HttpsUrl::parse_issuer("https://login.example.com")
                .expect("valid")
                .as_str(),
            "https://login.example.com"
        );
    }

    #[test]
    fn scopes_are_one_to_fifty_distinct_words() {
        assert_eq!(
            scopes(&["openid", "email"]).map(|s| s.joined()),
            Ok("openid email".to_owned())
        );
        let fifty: Vec<String> = (0..50).map(|i| format!("s{i}")).collect();
        assert!(Scopes::parse(fifty.clone()).is_ok());
        let mut fifty_one = fifty;
        fifty_one.push("s50".to_owned());
        assert_eq!(
            Scopes::parse(fifty_one)
                .expect_err("51")
                .first()
                .map(|p| p.0),
            Some(None)
        );
        assert_eq!(scopes(&[]).expect_err("none").len(), 1);
        let indices: Vec<Option<usize>> = scopes(&["a", "", "b c", "a"])
            .expect_err("bad items")
            .into_iter()
            .map(|(index, _)| index)
            .collect();
        assert_eq!(indices, [Some(1), Some(2), Some(3)]);
    }

    #[test]
    fn small_values() {
        assert!(AppleId::parse("ABCDE12345").is_ok());
        for bad in ["abcde12345", "ABCDE1234", "ABCDE123456", "ABCDE-1234"] {
            assert!(AppleId::parse(bad).is_err(), "{bad}");
        }
        assert!(ApiVersion::parse("v17.0").is_ok());
        for bad in ["17.0", "v17", "v17.", "v.0", "v17.0.1", "V17.0", "v１7.0"] {
            assert!(ApiVersion::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(
            AttributesRequestMethod::parse("POST").map(AttributesRequestMethod::as_str),
            Ok("POST")
        );
        assert!(AttributesRequestMethod::parse("get").is_err());
        assert!(RequestSigningAlgorithm::parse("rsa-sha1").is_err());
        assert!(ClientId::parse("").is_err());
        assert!(ClientId::parse(&"x".repeat(MAX_DETAIL_LENGTH)).is_ok());
        assert!(ClientId::parse(&"x".repeat(MAX_DETAIL_LENGTH + 1)).is_err());
    }
}
