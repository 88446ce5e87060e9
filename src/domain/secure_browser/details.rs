//! The details of each provider type (`ProviderDetails`), the table of their fields, and how each is
//! read from a `Source` and written as `Entry`s — once for the body, the view and the wire.

use super::certificates::{ExpiredCertificates, validity_problems};
use super::provider_type::ProviderType;
use super::saml_metadata::{SamlMetadata, declaration_problem};
use super::secret::Secret;
use super::source::{Entry, Field, Source, accept, optional, required, scopes};
use super::values::{
    ApiVersion, AppleId, AttributesRequestMethod, ClientId, HttpsUrl, RequestSigningAlgorithm,
    Scopes,
};
use crate::domain::Timestamp;

const fn field(member: &'static str, key: &'static str) -> Field {
    Field {
        member,
        key,
        secret: false,
    }
}

const fn secret(member: &'static str, key: &'static str) -> Field {
    Field {
        member,
        key,
        secret: true,
    }
}

static CLIENT_ID: Field = field("clientId", "client_id");
static CLIENT_SECRET: Field = secret("clientSecret", "client_secret");
static AUTHORIZE_SCOPES: Field = field("authorizeScopes", "authorize_scopes");
static API_VERSION: Field = field("apiVersion", "api_version");
static TEAM_ID: Field = field("teamId", "team_id");
static KEY_ID: Field = field("keyId", "key_id");
static PRIVATE_KEY: Field = secret("privateKey", "private_key");
static ATTRIBUTES_REQUEST_METHOD: Field =
    field("attributesRequestMethod", "attributes_request_method");
static ISSUER: Field = field("issuer", "oidc_issuer");
static AUTHORIZE_URL: Field = field("authorizeUrl", "authorize_url");
static TOKEN_URL: Field = field("tokenUrl", "token_url");
static ATTRIBUTES_URL: Field = field("attributesUrl", "attributes_url");
static JWKS_URI: Field = field("jwksUri", "jwks_uri");
static METADATA_FILE: Field = field("metadataFile", "MetadataFile");
static METADATA_URL: Field = field("metadataUrl", "MetadataURL");
static IDP_SIGNOUT: Field = field("idpSignout", "IDPSignout");
static IDP_INIT: Field = field("idpInit", "IDPInit");
static ENCRYPTED_RESPONSES: Field = field("encryptedResponses", "EncryptedResponses");
static REQUEST_SIGNING_ALGORITHM: Field =
    field("requestSigningAlgorithm", "RequestSigningAlgorithm");

/// The details of one identity provider, by type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProviderDetails {
    Saml(SamlDetails),
    Oidc(OidcDetails),
    Google(OAuthDetails),
    LoginWithAmazon(OAuthDetails),
    Facebook(FacebookDetails),
    SignInWithApple(AppleDetails),
}

/// Google and Login with Amazon.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuthDetails {
    pub client_id: ClientId,
    pub client_secret: Secret,
    pub authorize_scopes: Scopes,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FacebookDetails {
    pub client_id: ClientId,
    pub client_secret: Secret,
    pub authorize_scopes: Scopes,
    pub api_version: Option<ApiVersion>,
}

/// Sign in with Apple: the Services ID, team and key ids, and the key's PEM.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppleDetails {
    pub client_id: ClientId,
    pub team_id: AppleId,
    pub key_id: AppleId,
    pub private_key: Secret,
    pub authorize_scopes: Scopes,
}

/// An OpenID Connect provider. The endpoints are optional: WorkSpaces Web discovers them from the
/// issuer when they are left out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OidcDetails {
    pub client_id: ClientId,
    pub client_secret: Secret,
    pub attributes_request_method: AttributesRequestMethod,
    pub issuer: HttpsUrl,
    pub authorize_scopes: Scopes,
    pub authorize_url: Option<HttpsUrl>,
    pub token_url: Option<HttpsUrl>,
    pub attributes_url: Option<HttpsUrl>,
    pub jwks_uri: Option<HttpsUrl>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SamlDetails {
    pub metadata: MetadataSource,
    pub idp_signout: Option<bool>,
    pub idp_init: Option<bool>,
    pub encrypted_responses: Option<bool>,
    pub request_signing_algorithm: Option<RequestSigningAlgorithm>,
}

/// Where a SAML provider's metadata comes from: given in full, or fetched by WorkSpaces Web.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MetadataSource {
    File(SamlMetadata),
    Url(HttpsUrl),
}

impl ProviderDetails {
    /// What decides which identity provider portal users are sent to and who it takes them for:
    /// the type, and the client id, issuer and endpoints, Apple team and key, or SAML metadata.
    /// Two providers with the same sign-in target sign the same people in; a change of it can
    /// lock every portal user out. Secrets, scopes and SAML options are not part of it.
    pub fn sign_in_target(&self) -> Vec<String> {
        let mut target = vec![self.provider_type().wire_name().to_owned()];
        let url = |url: &Option<HttpsUrl>| {
            url.as_ref()
                .map_or_else(String::new, |url| url.as_str().to_owned())
        };
        match self {
            Self::Saml(saml) => target.push(match &saml.metadata {
                MetadataSource::File(metadata) => format!("file:{}", metadata.as_str()),
                MetadataSource::Url(url) => format!("url:{}", url.as_str()),
            }),
            Self::Oidc(oidc) => target.extend([
                oidc.client_id.as_str().to_owned(),
                oidc.issuer.as_str().to_owned(),
                url(&oidc.authorize_url),
                url(&oidc.token_url),
                url(&oidc.attributes_url),
                url(&oidc.jwks_uri),
            ]),
            Self::Google(oauth) | Self::LoginWithAmazon(oauth) => {
                target.push(oauth.client_id.as_str().to_owned());
            }
            Self::Facebook(facebook) => target.push(facebook.client_id.as_str().to_owned()),
            Self::SignInWithApple(apple) => target.extend([
                apple.client_id.as_str().to_owned(),
                apple.team_id.as_str().to_owned(),
                apple.key_id.as_str().to_owned(),
            ]),
        }
        target
    }

    pub fn provider_type(&self) -> ProviderType {
        match self {
            Self::Saml(_) => ProviderType::Saml,
            Self::Oidc(_) => ProviderType::Oidc,
            Self::Google(_) => ProviderType::Google,
            Self::LoginWithAmazon(_) => ProviderType::LoginWithAmazon,
            Self::Facebook(_) => ProviderType::Facebook,
            Self::SignInWithApple(_) => ProviderType::SignInWithApple,
        }
    }

    /// Reads the details of a `kind` provider; `None` once problems have been reported to `source`.
    pub(super) fn read(
        kind: ProviderType,
        source: &mut impl Source,
        now: Timestamp,
        expired: ExpiredCertificates,
    ) -> Option<Self> {
        match kind {
            ProviderType::Saml => SamlDetails::read(source, now, expired).map(Self::Saml),
            ProviderType::Oidc => OidcDetails::read(source).map(Self::Oidc),
            ProviderType::Google => OAuthDetails::read(source).map(Self::Google),
            ProviderType::LoginWithAmazon => OAuthDetails::read(source).map(Self::LoginWithAmazon),
            ProviderType::Facebook => FacebookDetails::read(source).map(Self::Facebook),
            ProviderType::SignInWithApple => AppleDetails::read(source).map(Self::SignInWithApple),
        }
    }

    /// Every detail that is set, in a fixed order.
    pub(super) fn entries(&self) -> Vec<(&'static Field, Entry<'_>)> {
        match self {
            Self::Google(oauth) | Self::LoginWithAmazon(oauth) => vec![
                (&CLIENT_ID, Entry::Text(oauth.client_id.as_str())),
                (&CLIENT_SECRET, Entry::Secret(&oauth.client_secret)),
                (&AUTHORIZE_SCOPES, Entry::Scopes(&oauth.authorize_scopes)),
            ],
            Self::Facebook(facebook) => {
                let mut entries = vec![
                    (&CLIENT_ID, Entry::Text(facebook.client_id.as_str())),
                    (&CLIENT_SECRET, Entry::Secret(&facebook.client_secret)),
                    (&AUTHORIZE_SCOPES, Entry::Scopes(&facebook.authorize_scopes)),
                ];
                if let Some(version) = &facebook.api_version {
                    entries.push((&API_VERSION, Entry::Text(version.as_str())));
                }
                entries
            }
            Self::SignInWithApple(apple) => vec![
                (&CLIENT_ID, Entry::Text(apple.client_id.as_str())),
                (&TEAM_ID, Entry::Text(apple.team_id.as_str())),
                (&KEY_ID, Entry::Text(apple.key_id.as_str())),
                (&PRIVATE_KEY, Entry::Secret(&apple.private_key)),
                (&AUTHORIZE_SCOPES, Entry::Scopes(&apple.authorize_scopes)),
            ],
            Self::Oidc(oidc) => {
                let mut entries = vec![
                    (&CLIENT_ID, Entry::Text(oidc.client_id.as_str())),
                    (&CLIENT_SECRET, Entry::Secret(&oidc.client_secret)),
                    (
                        &ATTRIBUTES_REQUEST_METHOD,
                        Entry::Text(oidc.attributes_request_method.as_str()),
                    ),
                    (&ISSUER, Entry::Text(oidc.issuer.as_str())),
                    (&AUTHORIZE_SCOPES, Entry::Scopes(&oidc.authorize_scopes)),
                ];
                for (field, url) in [
                    (&AUTHORIZE_URL, &oidc.authorize_url),
                    (&TOKEN_URL, &oidc.token_url),
                    (&ATTRIBUTES_URL, &oidc.attributes_url),
                    (&JWKS_URI, &oidc.jwks_uri),
                ] {
                    if let Some(url) = url {
                        entries.push((field, Entry::Text(url.as_str())));
                    }
                }
                entries
            }
            Self::Saml(saml) => {
                let mut entries = vec![match &saml.metadata {
                    MetadataSource::File(metadata) => {
                        (&METADATA_FILE, Entry::Text(metadata.as_str()))
                    }
                    MetadataSource::Url(url) => (&METADATA_URL, Entry::Text(url.as_str())),
                }];
                for (field, flag) in [
                    (&IDP_SIGNOUT, saml.idp_signout),
                    (&IDP_INIT, saml.idp_init),
                    (&ENCRYPTED_RESPONSES, saml.encrypted_responses),
                ] {
                    if let Some(flag) = flag {
                        entries.push((field, Entry::Flag(flag)));
                    }
                }
                if let Some(algorithm) = saml.request_signing_algorithm {
                    entries.push((&REQUEST_SIGNING_ALGORITHM, Entry::Text(algorithm.as_str())));
                }
                entries
            }
        }
    }
}

impl OAuthDetails {
    fn read(source: &mut impl Source) -> Option<Self> {
        let client_id = required(source, &CLIENT_ID, ClientId::parse);
        let client_secret = required(source, &CLIENT_SECRET, Secret::parse);
        let authorize_scopes = scopes(source, &AUTHORIZE_SCOPES, None);
        Some(Self {
            client_id: client_id?,
            client_secret: client_secret?,
            authorize_scopes: authorize_scopes?,
        })
    }
}

impl FacebookDetails {
    fn read(source: &mut impl Source) -> Option<Self> {
        let client_id = required(source, &CLIENT_ID, ClientId::parse);
        let client_secret = required(source, &CLIENT_SECRET, Secret::parse);
        let authorize_scopes = scopes(source, &AUTHORIZE_SCOPES, None);
        let api_version = optional(source, &API_VERSION, ApiVersion::parse);
        Some(Self {
            client_id: client_id?,
            client_secret: client_secret?,
            authorize_scopes: authorize_scopes?,
            api_version: api_version?,
        })
    }
}

impl AppleDetails {
    fn read(source: &mut impl Source) -> Option<Self> {
        let client_id = required(source, &CLIENT_ID, ClientId::parse);
        let team_id = required(source, &TEAM_ID, AppleId::parse);
        let key_id = required(source, &KEY_ID, AppleId::parse);
        let private_key = required(source, &PRIVATE_KEY, Secret::parse_private_key);
        let authorize_scopes = scopes(source, &AUTHORIZE_SCOPES, None);
        Some(Self {
            client_id: client_id?,
            team_id: team_id?,
            key_id: key_id?,
            private_key: private_key?,
            authorize_scopes: authorize_scopes?,
        })
    }
}

impl OidcDetails {
    fn read(source: &mut impl Source) -> Option<Self> {
        let client_id = required(source, &CLIENT_ID, ClientId::parse);
        let client_secret = required(source, &CLIENT_SECRET, Secret::parse);
        let attributes_request_method = required(
            source,
            &ATTRIBUTES_REQUEST_METHOD,
            AttributesRequestMethod::parse,
        );
        let issuer = required(source, &ISSUER, HttpsUrl::parse_issuer);
        let authorize_scopes = scopes(source, &AUTHORIZE_SCOPES, Some("openid"));
        let authorize_url = optional(source, &AUTHORIZE_URL, HttpsUrl::parse);
        let token_url = optional(source, &TOKEN_URL, HttpsUrl::parse);
        let attributes_url = optional(source, &ATTRIBUTES_URL, HttpsUrl::parse);
        let jwks_uri = optional(source, &JWKS_URI, HttpsUrl::parse);
        Some(Self {
            client_id: client_id?,
            client_secret: client_secret?,
            attributes_request_method: attributes_request_method?,
            issuer: issuer?,
            authorize_scopes: authorize_scopes?,
            authorize_url: authorize_url?,
            token_url: token_url?,
            attributes_url: attributes_url?,
            jwks_uri: jwks_uri?,
        })
    }
}

impl SamlDetails {
    fn read(
        source: &mut impl Source,
        now: Timestamp,
        expired: ExpiredCertificates,
    ) -> Option<Self> {
        let file = source.text(&METADATA_FILE);
        let url = source.text(&METADATA_URL);
        let idp_signout = source.flag(&IDP_SIGNOUT);
        let idp_init = source.flag(&IDP_INIT);
        let encrypted_responses = source.flag(&ENCRYPTED_RESPONSES);
        let request_signing_algorithm = optional(
            source,
            &REQUEST_SIGNING_ALGORITHM,
            RequestSigningAlgorithm::parse,
        );
        let metadata = match (file, url) {
            (Some(Some(_)), Some(Some(_))) => {
                let message = format!(
                    "cannot be given with {}: give exactly one of them",
                    source.name(&METADATA_FILE)
                );
                source.problem(&METADATA_URL, message);
                None
            }
            (Some(None), Some(None)) => {
                let message = format!(
                    "need the identity provider's metadata: {} (the XML) or {} (https, where \
                     WorkSpaces Web fetches it), exactly one of them",
                    source.name(&METADATA_FILE),
                    source.name(&METADATA_URL)
                );
                source.details_problem(message);
                None
            }
            (Some(Some(xml)), Some(None)) => {
                read_metadata_file(source, &xml, now, expired).map(MetadataSource::File)
            }
            (Some(None), Some(Some(url))) => {
                accept(source, &METADATA_URL, HttpsUrl::parse(&url)).map(MetadataSource::Url)
            }
            // A problem with one of them has been reported.
            (None, _) | (_, None) => None,
        };
        Some(Self {
            metadata: metadata?,
            idp_signout: idp_signout?,
            idp_init: idp_init?,
            encrypted_responses: encrypted_responses?,
            request_signing_algorithm: request_signing_algorithm?,
        })
    }
}

fn read_metadata_file(
    source: &mut impl Source,
    xml: &str,
    now: Timestamp,
    expired: ExpiredCertificates,
) -> Option<SamlMetadata> {
    let problems = match SamlMetadata::parse(xml) {
        Ok(metadata) => {
            let mut problems = validity_problems(&metadata, now, expired);
            if expired == ExpiredCertificates::Refused {
                problems.extend(declaration_problem(xml));
            }
            if problems.is_empty() {
                return Some(metadata);
            }
            problems
        }
        Err(problems) => problems,
    };
    for problem in problems {
        source.problem(&METADATA_FILE, problem);
    }
    None
}
