//! Tests across the module: every provider type through body, view, wire and merge patch, SAML
//! metadata with generated certificates, and that no secret ever shows.

use base64::Engine;
use rcgen::{CertificateParams, DistinguishedName, DnType, KeyPair, date_time_ymd};
use serde_json::{Value, json};

use super::*;
use crate::domain::{EtagKey, Problems, Timestamp};

const OIDC_SECRET: &str = "SECRET-oidc-0001";
const GOOGLE_SECRET: &str = "SECRET-google-0002";
const AMAZON_SECRET: &str = "SECRET-amazon-0003";
const FACEBOOK_SECRET: &str = "SECRET-facebook-0004";
/// base64 of "SECRET-apple-key".
const APPLE_KEY_BODY: &str = "U0VDUkVULWFwcGxlLWtleQ==";
const SECRETS: [&str; 5] = [
    OIDC_SECRET,
    GOOGLE_SECRET,
    AMAZON_SECRET,
    FACEBOOK_SECRET,
    APPLE_KEY_BODY,
];

fn now() -> Timestamp {
    Timestamp::parse("2026-06-01T00:00:00Z").expect("valid")
}

fn apple_key() -> String {
    format!("-----BEGIN PRIVATE KEY-----\n{APPLE_KEY_BODY}\n-----END PRIVATE KEY-----\n")
}

/// A self-signed certificate for `subject`, valid from `not_before` to `not_after` (y, m, d), in
/// base64 DER as metadata carries it.
fn certificate(subject: &str, not_before: (i32, u8, u8), not_after: (i32, u8, u8)) -> String {
    let mut params = CertificateParams::new(Vec::<String>::new()).expect("params");
    let mut name = DistinguishedName::new();
    name.push(DnType::CommonName, subject);
    params.distinguished_name = name;
    params.not_before = date_time_ymd(not_before.0, not_before.1, not_before.2);
    params.not_after = date_time_ymd(not_after.0, not_after.1, not_after.2);
    let key = KeyPair::generate().expect("key");
    let certificate = params.self_signed(&key).expect("certificate");
    base64::engine::general_purpose::STANDARD.encode(certificate.der())
}

fn valid_certificate() -> String {
    certificate("idp.example.com", (2026, 1, 1), (2027, 6, 1))
}

fn key_descriptor(certificate: &str) -> String {
    // Line breaks inside the base64, as IdPs write it.
    let wrapped: Vec<String> = certificate
        .as_bytes()
        .chunks(64)
        .map(|chunk| String::from_utf8_lossy(chunk).into_owned())
        .collect();
    format!(
        r#"<md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>
{}
</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>"#,
        wrapped.join("\n")
    )
}

const UTF8_DECLARATION: &str = r#"<?xml version="1.0" encoding="UTF-8"?>"#;

fn metadata_with(descriptor_content: &str) -> String {
    format!(
        r#"{UTF8_DECLARATION}
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="https://idp.example.com/metadata">
  <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    {descriptor_content}
  </md:IDPSSODescriptor>
</md:EntityDescriptor>"#
    )
}

const SSO: &str = r#"<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.example.com/sso"/>"#;

fn metadata(certificates: &[String]) -> String {
    let keys: String = certificates.iter().map(|c| key_descriptor(c)).collect();
    metadata_with(&format!("{keys}{SSO}"))
}

fn saml_body(xml: &str) -> Value {
    json!({ "name": "Corp SAML", "type": "SAML", "saml": {
        "metadataFile": xml, "idpSignout": true, "idpInit": false, "encryptedResponses": true,
        "requestSigningAlgorithm": "rsa-sha256" } })
}

fn oidc_body() -> Value {
    json!({ "name": "Corp OIDC", "type": "OIDC", "oidc": {
        "clientId": "client-1", "clientSecret": OIDC_SECRET, "issuer": "https://login.example.com",
        "authorizeScopes": ["openid", "email"], "attributesRequestMethod": "GET",
        "jwksUri": "https://login.example.com/keys" } })
}

fn bodies() -> Vec<Value> {
    vec![
        oidc_body(),
        json!({ "name": "Google", "type": "Google", "google": {
            "clientId": "g-1", "clientSecret": GOOGLE_SECRET, "authorizeScopes": ["profile", "email", "openid"] } }),
        json!({ "name": "Amazon", "type": "LoginWithAmazon", "loginWithAmazon": {
            "clientId": "amzn-1", "clientSecret": AMAZON_SECRET, "authorizeScopes": ["profile"] } }),
        json!({ "name": "Facebook", "type": "Facebook", "facebook": {
            "clientId": "fb-1", "clientSecret": FACEBOOK_SECRET, "authorizeScopes": ["public_profile", "email"],
            "apiVersion": "v17.0" } }),
        json!({ "name": "Apple", "type": "SignInWithApple", "signInWithApple": {
            "clientId": "com.example.web", "teamId": "ABCDE12345", "keyId": "KEY0123456",
            "privateKey": apple_key(), "authorizeScopes": ["email", "name"] } }),
        saml_body(&metadata(&[valid_certificate()])),
        json!({ "name": "SAML by URL", "type": "SAML", "saml": {
            "metadataUrl": "https://idp.example.com/metadata.xml" } }),
    ]
}

fn parse(body: &Value) -> IdentityProvider {
    match parse_identity_provider(body, now()) {
        Ok(parsed) => parsed.provider,
        Err(problems) => panic!("{body}: {problems:?}"),
    }
}

fn problems(body: &Value) -> Problems {
    parse_identity_provider(body, now()).expect_err("invalid body")
}

fn pointers(problems: &Problems) -> Vec<&str> {
    problems.iter().map(|p| p.pointer.as_str()).collect()
}

fn message_at<'a>(problems: &'a Problems, pointer: &str) -> &'a str {
    problems
        .iter()
        .find(|p| p.pointer == pointer)
        .map(|p| p.message.as_str())
        .unwrap_or_else(|| panic!("no problem at {pointer}: {problems:?}"))
}

fn assert_no_secret(text: &str) {
    for secret in SECRETS {
        assert!(!text.contains(secret), "{secret} shows in {text}");
    }
}

#[test]
fn every_type_parses_and_round_trips_through_the_wire() {
    for body in bodies() {
        let provider = parse(&body);
        assert_eq!(
            provider.provider_type().wire_name(),
            body["type"].as_str().expect("type")
        );
        let wire = provider.to_wire();
        assert_eq!(read_stored(&wire, now()), Ok(provider.clone()), "{body}");
        // The view is the body, but for secrets and the certificates list.
        let mut view = provider.view();
        let member = provider.provider_type().body_member();
        if let Some(details) = view[member].as_object_mut() {
            details.remove("signingCertificates");
            for secret in ["clientSecret", "privateKey"] {
                if let Some(shown) = details.get_mut(secret) {
                    assert_eq!(shown["set"], json!(true));
                    assert_eq!(shown["sha256Prefix"].as_str().map(str::len), Some(6));
                    *shown = body[member][secret].clone();
                }
            }
        }
        assert_eq!(view, body);
    }
}

#[test]
fn the_wire_form_uses_workspaces_web_keys_and_strings() {
    let oidc = parse(&oidc_body()).to_wire();
    assert_eq!(oidc.name, "Corp OIDC");
    assert_eq!(oidc.provider_type, "OIDC");
    let keys: Vec<&str> = oidc.details.keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        [
            "attributes_request_method",
            "authorize_scopes",
            "client_id",
            "client_secret",
            "jwks_uri",
            "oidc_issuer"
        ]
    );
    assert_eq!(oidc.details["authorize_scopes"], "openid email");
    assert_eq!(oidc.details["client_secret"], OIDC_SECRET);
    let saml = parse(&saml_body(&metadata(&[valid_certificate()]))).to_wire();
    assert_eq!(saml.details["IDPSignout"], "true");
    assert_eq!(saml.details["IDPInit"], "false");
    assert_eq!(saml.details["EncryptedResponses"], "true");
    assert_eq!(saml.details["RequestSigningAlgorithm"], "rsa-sha256");
    assert!(saml.details["MetadataFile"].contains("EntityDescriptor"));
    let facebook = parse(&bodies()[3]).to_wire();
    assert_eq!(facebook.details["api_version"], "v17.0");
    let apple = parse(&bodies()[4]).to_wire();
    assert_eq!(apple.details["team_id"], "ABCDE12345");
    assert_eq!(apple.details["private_key"], apple_key());
}

#[test]
fn each_required_member_is_reported_missing_at_its_pointer() {
    let required: [(usize, &[&str]); 5] = [
        (
            0,
            &[
                "clientId",
                "clientSecret",
                "issuer",
                "authorizeScopes",
                "attributesRequestMethod",
            ],
        ),
        (1, &["clientId", "clientSecret", "authorizeScopes"]),
        (2, &["clientId", "clientSecret", "authorizeScopes"]),
        (3, &["clientId", "clientSecret", "authorizeScopes"]),
        (
            4,
            &[
                "clientId",
                "teamId",
                "keyId",
                "privateKey",
                "authorizeScopes",
            ],
        ),
    ];
    for (index, members) in required {
        for member in members {
            let mut body = bodies()[index].clone();
            let kind = body["type"].as_str().expect("type").to_owned();
            let details = ProviderType::from_wire(&kind).expect("type").body_member();
            body[details]
                .as_object_mut()
                .expect("details")
                .remove(*member);
            let found = problems(&body);
            assert_eq!(
                pointers(&found),
                [format!("/{details}/{member}")],
                "{kind} without {member}"
            );
            assert!(found.iter().all(|p| p.message.starts_with("is required")));
        }
    }
    for top in ["name", "type"] {
        let mut body = oidc_body();
        body.as_object_mut().expect("object").remove(top);
        assert!(pointers(&problems(&body)).contains(&format!("/{top}").as_str()));
    }
    let mut body = oidc_body();
    body.as_object_mut().expect("object").remove("oidc");
    assert_eq!(pointers(&problems(&body)), ["/oidc"]);
}

#[test]
fn optional_members_may_be_left_out() {
    let mut body = bodies()[3].clone();
    body["facebook"]
        .as_object_mut()
        .expect("details")
        .remove("apiVersion");
    let provider = parse(&body);
    assert!(!provider.to_wire().details.contains_key("api_version"));
    let minimal = json!({ "name": "SAML", "type": "SAML", "saml": {
        "metadataFile": metadata(&[valid_certificate()]) } });
    let wire = parse(&minimal).to_wire();
    assert_eq!(
        wire.details.keys().collect::<Vec<_>>(),
        [&"MetadataFile".to_owned()]
    );
}

#[test]
fn saml_metadata_is_a_file_or_a_url_exactly() {
    let xml = metadata(&[valid_certificate()]);
    let both = json!({ "name": "SAML", "type": "SAML", "saml": {
        "metadataFile": xml, "metadataUrl": "https://idp.example.com/m.xml" } });
    let found = problems(&both);
    assert_eq!(pointers(&found), ["/saml/metadataUrl"]);
    assert!(message_at(&found, "/saml/metadataUrl").contains("exactly one"));
    let neither = json!({ "name": "SAML", "type": "SAML", "saml": { "idpInit": true } });
    let found = problems(&neither);
    assert_eq!(pointers(&found), ["/saml"]);
    assert!(message_at(&found, "/saml").contains("metadataFile"));
    // On the wire, the same rule names the wire keys.
    let mut wire = parse(&saml_body(&xml)).to_wire();
    wire.details
        .insert("MetadataURL".into(), "https://idp.example.com/m.xml".into());
    let unrecognized = read_stored(&wire, now()).expect_err("both");
    assert!(
        message_at(
            &unrecognized.problems,
            "/identityProviderDetails/MetadataURL"
        )
        .contains("MetadataFile")
    );
}

#[test]
fn flags_are_json_booleans_in_the_body_and_strings_on_the_wire() {
    let mut body = saml_body(&metadata(&[valid_certificate()]));
    body["saml"]["idpInit"] = json!("true");
    body["saml"]["encryptedResponses"] = json!(1);
    let found = problems(&body);
    assert_eq!(
        pointers(&found),
        ["/saml/idpInit", "/saml/encryptedResponses"]
    );
    assert!(message_at(&found, "/saml/idpInit").contains("JSON boolean"));

    let mut wire = parse(&saml_body(&metadata(&[valid_certificate()]))).to_wire();
    wire.details.insert("IDPInit".into(), "yes".into());
    let unrecognized = read_stored(&wire, now()).expect_err("not a boolean");
    assert_eq!(
        pointers(&unrecognized.problems),
        ["/identityProviderDetails/IDPInit"]
    );
    assert_eq!(unrecognized.provider_type, "SAML");
}

#[test]
fn http_urls_are_refused() {
    let mut body = oidc_body();
    body["oidc"]["issuer"] = json!("http://login.example.com");
    body["oidc"]["jwksUri"] = json!("http://login.example.com/keys");
    body["oidc"]["tokenUrl"] = json!("login.example.com/token");
    assert_eq!(
        pointers(&problems(&body)),
        ["/oidc/issuer", "/oidc/tokenUrl", "/oidc/jwksUri"]
    );
    let by_url = json!({ "name": "SAML", "type": "SAML", "saml": {
        "metadataUrl": "http://idp.example.com/metadata.xml" } });
    let found = problems(&by_url);
    assert!(message_at(&found, "/saml/metadataUrl").contains("https"));
    let http_sso = metadata_with(&format!(
        "{}{}",
        key_descriptor(&valid_certificate()),
        SSO.replace("https://", "http://")
    ));
    let found = problems(&saml_body(&http_sso));
    assert!(message_at(&found, "/saml/metadataFile").contains("Location"));
    let mut query = oidc_body();
    query["oidc"]["issuer"] = json!("https://login.example.com/?tenant=x");
    assert_eq!(pointers(&problems(&query)), ["/oidc/issuer"]);
}

#[test]
fn names_follow_the_model_pattern_in_the_body() {
    for (name, valid) in [
        ("abc", true),
        ("a_b", true),
        ("名前だ", true),
        ("_ab", false),
        ("abc_", false),
        ("ab", false),
        ("a", false),
    ] {
        let mut body = oidc_body();
        body["name"] = json!(name);
        assert_eq!(
            parse_identity_provider(&body, now()).is_ok(),
            valid,
            "{name}"
        );
    }
    let mut body = oidc_body();
    body["name"] = json!(7);
    assert_eq!(pointers(&problems(&body)), ["/name"]);
}

#[test]
fn scopes_are_checked_item_by_item() {
    let with_scopes = |scopes: Value| {
        let mut body = oidc_body();
        body["oidc"]["authorizeScopes"] = scopes;
        body
    };
    assert_eq!(
        pointers(&problems(&with_scopes(json!("openid email")))),
        ["/oidc/authorizeScopes"]
    );
    assert_eq!(
        pointers(&problems(&with_scopes(json!(["openid", 3, "email", null])))),
        ["/oidc/authorizeScopes/1", "/oidc/authorizeScopes/3"]
    );
    assert_eq!(
        pointers(&problems(&with_scopes(json!([
            "openid", "", "a b", "openid"
        ])))),
        [
            "/oidc/authorizeScopes/1",
            "/oidc/authorizeScopes/2",
            "/oidc/authorizeScopes/3"
        ]
    );
    assert_eq!(
        pointers(&problems(&with_scopes(json!([])))),
        ["/oidc/authorizeScopes"]
    );
    let found = problems(&with_scopes(json!(["email"])));
    assert!(message_at(&found, "/oidc/authorizeScopes").contains("openid"));
    // Google does not need openid.
    let mut google = bodies()[1].clone();
    google["google"]["authorizeScopes"] = json!(["email"]);
    parse(&google);
    // Read back by splitting on whitespace.
    let mut wire = parse(&oidc_body()).to_wire();
    wire.details.insert(
        "authorize_scopes".into(),
        " openid\temail\n profile ".into(),
    );
    let provider = read_stored(&wire, now()).expect("scopes");
    assert_eq!(
        provider.view()["oidc"]["authorizeScopes"],
        json!(["openid", "email", "profile"])
    );
}

#[test]
fn other_and_unknown_members_are_refused_all_at_once() {
    let mut body = oidc_body();
    body["google"] = bodies()[1]["google"].clone();
    body["extra"] = json!(1);
    body["oidc"]["clientSecrets"] = json!("x");
    body["oidc"]["attributesRequestMethod"] = json!("PUT");
    body["name"] = json!("_x");
    let found = problems(&body);
    let mut found_pointers = pointers(&found);
    found_pointers.sort_unstable();
    assert_eq!(
        found_pointers,
        [
            "/extra",
            "/google",
            "/name",
            "/oidc/attributesRequestMethod",
            "/oidc/clientSecrets"
        ]
    );
    assert!(message_at(&found, "/google").contains("give only /oidc"));
    assert!(message_at(&found, "/oidc/clientSecrets").contains("clientSecret"));
    // A bad type: its details cannot be read, the rest is still checked.
    let mut body = oidc_body();
    body["type"] = json!("oidc");
    body["extra"] = json!(1);
    assert_eq!(pointers(&problems(&body)), ["/type", "/extra"]);
    assert_eq!(pointers(&problems(&json!([]))), [""]);
    let mut body = oidc_body();
    body["oidc"] = json!("details");
    assert_eq!(pointers(&problems(&body)), ["/oidc"]);
    // `null` leaves out another type's details, but makes no unknown member known.
    let mut body = oidc_body();
    body["saml"] = Value::Null;
    body["bogus"] = Value::Null;
    assert_eq!(pointers(&problems(&body)), ["/bogus"]);
}

#[test]
fn apple_ids_and_keys_are_checked() {
    let mut body = bodies()[4].clone();
    body["signInWithApple"]["teamId"] = json!("abcde12345");
    body["signInWithApple"]["keyId"] = json!("KEY");
    body["signInWithApple"]["privateKey"] = json!("SECRET-not-a-pem");
    let found = problems(&body);
    assert_eq!(
        pointers(&found),
        [
            "/signInWithApple/teamId",
            "/signInWithApple/keyId",
            "/signInWithApple/privateKey"
        ]
    );
    assert!(!format!("{found:?}").contains("SECRET-not-a-pem"));
    let mut body = bodies()[3].clone();
    body["facebook"]["apiVersion"] = json!("17");
    assert_eq!(pointers(&problems(&body)), ["/facebook/apiVersion"]);
}

#[test]
fn values_are_at_most_131072_characters() {
    let mut body = oidc_body();
    body["oidc"]["clientId"] = json!("é".repeat(MAX_DETAIL_LENGTH));
    parse(&body);
    body["oidc"]["clientId"] = json!("é".repeat(MAX_DETAIL_LENGTH + 1));
    body["oidc"]["clientSecret"] = json!("s".repeat(MAX_DETAIL_LENGTH + 1));
    assert_eq!(
        pointers(&problems(&body)),
        ["/oidc/clientId", "/oidc/clientSecret"]
    );
}

#[test]
fn secrets_never_show() {
    for body in bodies() {
        let parsed = parse_identity_provider(&body, now()).expect("valid");
        let provider = &parsed.provider;
        assert_no_secret(&provider.view().to_string());
        assert_no_secret(&format!("{provider:?}"));
        assert_no_secret(&format!("{parsed:?}"));
        assert_no_secret(&format!("{:?}", provider.to_wire()));
        assert_no_secret(&etag_of(provider, &key(1)));
        assert_no_secret(&format!("{:?}", diff_views(None, Some(provider))));
        // A bad body that carries the secret: problems do not repeat it.
        let mut bad = body.clone();
        bad["name"] = json!("_");
        bad["extra"] = json!(OIDC_SECRET);
        let found = problems(&bad);
        assert_no_secret(&format!("{found:?}"));
        assert_no_secret(&found.to_string());
        // Nor does a stored provider this version cannot read.
        let mut wire = provider.to_wire();
        wire.details.insert("new_key".into(), OIDC_SECRET.into());
        if let Some(value) = wire.details.get_mut("authorize_scopes") {
            value.clear();
        }
        let unrecognized = read_stored(&wire, now()).expect_err("unknown key");
        assert_no_secret(&format!("{unrecognized:?}"));
        assert_no_secret(&unrecognized.to_string());
        assert!(pointers(&unrecognized.problems).contains(&"/identityProviderDetails/new_key"));
    }
    // Secret values that are not strings are not echoed either.
    let mut body = oidc_body();
    body["oidc"]["clientSecret"] = json!([OIDC_SECRET]);
    assert_no_secret(&format!("{:?}", problems(&body)));
}

const PORTAL_ARN: &str =
    "arn:aws:workspaces-web:us-east-1:123456789012:portal/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";

fn key(byte: u8) -> EtagKey {
    EtagKey::from_bytes(&[byte; crate::domain::ETAG_KEY_BYTES]).expect("32 bytes")
}

fn etag_of(provider: &IdentityProvider, key: &EtagKey) -> String {
    provider.etag(&PortalArn::parse(PORTAL_ARN).expect("valid"), key)
}

#[test]
fn the_etag_covers_secrets_without_revealing_them() {
    let provider = parse(&oidc_body());
    let etag = etag_of(&provider, &key(1));
    assert_eq!(etag.len(), 34);
    assert!(etag.starts_with('"') && etag.ends_with('"'));
    assert_eq!(etag_of(&parse(&oidc_body()), &key(1)), etag);
    let mut rotated = oidc_body();
    rotated["oidc"]["clientSecret"] = json!("SECRET-oidc-rotated");
    let rotated = parse(&rotated);
    assert_eq!(
        provider.view()["oidc"]["clientId"],
        rotated.view()["oidc"]["clientId"]
    );
    assert_ne!(etag_of(&rotated, &key(1)), etag);
    let mut renamed = oidc_body();
    renamed["name"] = json!("Other OIDC");
    assert_ne!(etag_of(&parse(&renamed), &key(1)), etag);
    // Secrets enter by their seal under the deployment's key: another key, another ETag.
    assert_ne!(etag_of(&provider, &key(2)), etag);
    // The same provider on another portal is another resource.
    let other_portal = PortalArn::parse(&PORTAL_ARN.replace("0a1b", "ffff")).expect("valid");
    assert_ne!(provider.etag(&other_portal, &key(1)), etag);
}

#[test]
fn a_rotation_to_a_secret_with_the_same_fingerprint_changes_the_etag() {
    let with_secret = |secret: &str| {
        let mut body = oidc_body();
        body["oidc"]["clientSecret"] = json!(secret);
        parse(&body)
    };
    // Two secrets whose 24-bit sha256Prefix is the same (found by a birthday search).
    let (one, two) = (
        with_secret("rotated-secret-1221"),
        with_secret("rotated-secret-1697"),
    );
    assert_eq!(one.view(), two.view(), "the view cannot tell them apart");
    assert_ne!(etag_of(&one, &key(1)), etag_of(&two, &key(1)));
}

#[test]
fn a_provider_without_secrets_has_the_same_etag_under_every_key() {
    let provider = parse(&saml_body(&metadata(&[valid_certificate()])));
    assert_eq!(etag_of(&provider, &key(1)), etag_of(&provider, &key(2)));
}

#[test]
fn diffs_show_a_rotated_secret_as_a_new_prefix() {
    let before = parse(&oidc_body());
    let mut body = oidc_body();
    body["oidc"]["clientSecret"] = json!("SECRET-oidc-rotated");
    let after = parse(&body);
    let changes = diff_views(Some(&before), Some(&after));
    assert_eq!(changes.len(), 1, "{changes:?}");
    assert_eq!(changes[0].pointer, "/oidc/clientSecret/sha256Prefix");
    assert!(diff_views(Some(&before), Some(&before)).is_empty());
    assert!(
        diff_views(Some(&before), None)
            .iter()
            .all(|change| change.after.is_none())
    );
}

#[test]
fn a_patch_keeps_replaces_or_echoes_secrets() {
    let current = parse(&oidc_body());
    // Left out: kept.
    let renamed = merge_identity_provider(&current, &json!({ "name": "Renamed" }), now())
        .expect("valid")
        .provider;
    assert_eq!(renamed.name.as_str(), "Renamed");
    assert_eq!(renamed.details, current.details);
    // Given: replaced.
    let patch = json!({ "oidc": { "clientSecret": "SECRET-oidc-new" } });
    let replaced = merge_identity_provider(&current, &patch, now()).expect("valid");
    assert_eq!(
        replaced.provider.to_wire().details["client_secret"],
        "SECRET-oidc-new"
    );
    // The whole view sent back: nothing changes.
    let echoed = merge_identity_provider(&current, &current.view(), now()).expect("valid");
    assert_eq!(echoed.provider, current);
    // The view's object with another prefix: refused, explaining secrets are write-only.
    let patch = json!({ "oidc": { "clientSecret": { "set": true, "sha256Prefix": "000000" } } });
    let found = merge_identity_provider(&current, &patch, now()).expect_err("not the value");
    assert!(message_at(&found, "/oidc/clientSecret").contains("write-only"));
    // null removes it, and the secret is required.
    let patch = json!({ "oidc": { "clientSecret": null } });
    let found = merge_identity_provider(&current, &patch, now()).expect_err("removed");
    assert_eq!(pointers(&found), ["/oidc/clientSecret"]);
    // Pointers refer to the patched document.
    let patch = json!({ "oidc": { "issuer": "http://x.example.com" } });
    let found = merge_identity_provider(&current, &patch, now()).expect_err("http");
    assert_eq!(pointers(&found), ["/oidc/issuer"]);
    // A patch can switch types.
    let patch = json!({ "type": "Google", "oidc": null, "google": bodies()[1]["google"].clone() });
    let switched = merge_identity_provider(&current, &patch, now()).expect("valid");
    assert_eq!(switched.provider.provider_type(), ProviderType::Google);
    // Apple's private key, the same way.
    let apple = parse(&bodies()[4]);
    let echoed = merge_identity_provider(&apple, &apple.view(), now()).expect("valid");
    assert_eq!(echoed.provider, apple);
}

#[test]
fn a_put_with_the_views_secret_object_is_told_secrets_are_write_only() {
    let current = parse(&oidc_body());
    let found = problems(&current.view());
    assert_eq!(pointers(&found), ["/oidc/clientSecret"]);
    let message = message_at(&found, "/oidc/clientSecret");
    assert!(message.contains("write-only"), "{message}");
    assert!(message.contains("leave the member out"), "{message}");
}

#[test]
fn signing_certificates_are_read_only() {
    let current = parse(&saml_body(&metadata(&[valid_certificate()])));
    let view = current.view();
    assert_eq!(
        view["saml"]["signingCertificates"],
        json!([{ "subject": "CN=idp.example.com", "notAfter": "2027-06-01T00:00:00Z" }])
    );
    // PUT: refused.
    let found = problems(&view);
    assert_eq!(pointers(&found), ["/saml/signingCertificates"]);
    assert!(message_at(&found, "/saml/signingCertificates").contains("read-only"));
    // PATCH: ignored when unchanged, refused otherwise.
    let echoed = merge_identity_provider(&current, &view, now()).expect("unchanged");
    assert_eq!(echoed.provider, current);
    let patch = json!({ "saml": { "signingCertificates": [] } });
    let found = merge_identity_provider(&current, &patch, now()).expect_err("changed");
    assert_eq!(pointers(&found), ["/saml/signingCertificates"]);
}

#[test]
fn certificates_expired_expiring_and_valid() {
    let expired = certificate("expired.example.com", (2025, 1, 1), (2026, 5, 1));
    let expiring = certificate("expiring.example.com", (2025, 1, 1), (2026, 6, 11));
    let future = certificate("future.example.com", (2026, 7, 1), (2027, 7, 1));

    let found = problems(&saml_body(&metadata(&[expired])));
    let message = message_at(&found, "/saml/metadataFile");
    assert!(message.contains("CN=expired.example.com"), "{message}");
    assert!(
        message.contains("expired on 2026-05-01T00:00:00Z"),
        "{message}"
    );

    let parsed = parse_identity_provider(&saml_body(&metadata(&[expiring])), now()).expect("valid");
    assert_eq!(parsed.warnings.len(), 1);
    let warning = &parsed.warnings[0];
    assert!(warning.contains("CN=expiring.example.com"), "{warning}");
    assert!(
        warning.contains("expires on 2026-06-11T00:00:00Z, in 10 days"),
        "{warning}"
    );
    let hours = certificate("hours.example.com", (2025, 1, 1), (2026, 6, 1));
    let parsed = parse_identity_provider(
        &saml_body(&metadata(&[hours])),
        Timestamp::parse("2026-05-31T12:00:00Z").expect("valid"),
    )
    .expect("valid for 12 hours");
    assert!(
        parsed.warnings[0].contains("in less than a day"),
        "{:?}",
        parsed.warnings
    );

    let parsed = parse_identity_provider(&saml_body(&metadata(&[valid_certificate()])), now())
        .expect("valid");
    assert!(parsed.warnings.is_empty());

    let found = problems(&saml_body(&metadata(&[future])));
    assert!(message_at(&found, "/saml/metadataFile").contains("not valid before 2026-07-01"));

    // For the enforcer.
    let provider = parsed.provider;
    assert!(certificate_findings(&provider, now(), 30).is_empty());
    let findings = certificate_findings(&provider, now(), 400);
    assert_eq!(findings.len(), 1);
    assert_eq!(findings[0].days_remaining, 365);
    assert_eq!(findings[0].subject, "CN=idp.example.com");
    assert!(certificate_findings(&parse(&oidc_body()), now(), 10_000).is_empty());
}

#[test]
fn a_stored_provider_whose_certificate_is_not_valid_yet_can_be_read() {
    let future = certificate("future.example.com", (2026, 7, 1), (2027, 7, 1));
    let provider = parse_identity_provider(
        &saml_body(&metadata(std::slice::from_ref(&future))),
        Timestamp::parse("2026-08-01T00:00:00Z").expect("valid"),
    )
    .expect("valid then")
    .provider;
    // Read before its notBefore (another writer, or a clock behind): shown, not refused.
    let stored = read_stored(&provider.to_wire(), now()).expect("readable");
    assert_eq!(stored, provider);
    // New metadata with it is still refused.
    assert_eq!(
        pointers(&problems(&saml_body(&metadata(&[future])))),
        ["/saml/metadataFile"]
    );
}

#[test]
fn a_stored_provider_with_an_expired_certificate_can_be_read_and_replaced() {
    let expired = certificate("expired.example.com", (2025, 1, 1), (2026, 5, 1));
    let provider = parse_identity_provider(
        &saml_body(&metadata(&[expired])),
        Timestamp::parse("2026-04-01T00:00:00Z").expect("valid"),
    )
    .expect("valid then")
    .provider;
    let stored = read_stored(&provider.to_wire(), now()).expect("readable");
    assert_eq!(stored, provider);
    let findings = certificate_findings(&stored, now(), 30);
    assert_eq!(findings.len(), 1);
    assert_eq!(findings[0].days_remaining, -31);
    // Keeping it in a PATCH is refused; replacing the metadata is accepted.
    let found = merge_identity_provider(&stored, &json!({ "name": "Renamed" }), now())
        .expect_err("still expired");
    assert_eq!(pointers(&found), ["/saml/metadataFile"]);
    let patch = json!({ "saml": { "metadataFile": metadata(&[valid_certificate()]) } });
    merge_identity_provider(&stored, &patch, now()).expect("replaced");
}

#[test]
fn dtds_are_refused_so_no_xxe_and_no_billion_laughs() {
    let xxe = r#"<?xml version="1.0"?>
<!DOCTYPE md:EntityDescriptor [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="&xxe;"/>"#;
    let laughs = r#"<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<lolz>&lol3;</lolz>"#;
    for xml in [xxe, laughs] {
        let found = problems(&saml_body(xml));
        assert_eq!(pointers(&found), ["/saml/metadataFile"]);
        assert!(
            message_at(&found, "/saml/metadataFile").contains("must not contain a DTD"),
            "{found:?}"
        );
    }
}

#[test]
fn malformed_metadata_is_explained() {
    let sso_only = metadata_with(SSO);
    let cases = [
        ("<md:EntityDescriptor", "not well-formed XML"),
        (
            r#"<EntityDescriptor xmlns="urn:other"/>"#,
            "root element must be EntityDescriptor",
        ),
        (
            r#"<md:EntitiesDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata"/>"#,
            "root element must be EntityDescriptor",
        ),
        (
            r#"<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata"><md:SPSSODescriptor/></md:EntityDescriptor>"#,
            "no IDPSSODescriptor",
        ),
        (sso_only.as_str(), "no signing certificate"),
    ];
    for (xml, expected) in cases {
        let found = problems(&saml_body(xml));
        let message = message_at(&found, "/saml/metadataFile");
        assert!(message.contains(expected), "{xml}: {message}");
    }
    let no_sso = metadata_with(&key_descriptor(&valid_certificate()));
    assert!(
        message_at(&problems(&saml_body(&no_sso)), "/saml/metadataFile")
            .contains("no SingleSignOnService")
    );
    let bad_base64 = metadata(&["not base64!".to_owned()]);
    assert!(
        message_at(&problems(&saml_body(&bad_base64)), "/saml/metadataFile").contains("not base64")
    );
    let bad_der =
        metadata(&[base64::engine::general_purpose::STANDARD.encode(b"not a certificate")]);
    assert!(
        message_at(&problems(&saml_body(&bad_der)), "/saml/metadataFile")
            .contains("not a DER X.509 certificate")
    );
    // An encryption-only key is not a signing certificate.
    let encryption_only = metadata_with(&format!(
        "{}{SSO}",
        key_descriptor(&valid_certificate()).replace("use=\"signing\"", "use=\"encryption\"")
    ));
    assert!(
        message_at(
            &problems(&saml_body(&encryption_only)),
            "/saml/metadataFile"
        )
        .contains("no signing certificate")
    );
    // A KeyDescriptor without `use` counts, and every certificate is listed.
    let two = metadata_with(&format!(
        "{}{}{SSO}",
        key_descriptor(&valid_certificate()).replace(" use=\"signing\"", ""),
        key_descriptor(&certificate("next.example.com", (2026, 1, 1), (2028, 1, 1)))
    ));
    let provider = parse(&saml_body(&two));
    assert_eq!(
        provider.view()["saml"]["signingCertificates"]
            .as_array()
            .map(Vec::len),
        Some(2)
    );
}

#[test]
fn read_stored_is_strict_about_types_keys_and_values() {
    let wire = WireProvider {
        name: "Corp".into(),
        provider_type: "Okta".into(),
        details: [("client_id".to_owned(), "x".to_owned())].into(),
    };
    let unrecognized = read_stored(&wire, now()).expect_err("unknown type");
    assert_eq!(pointers(&unrecognized.problems), ["/identityProviderType"]);
    assert_eq!(unrecognized.provider_type, "Okta");

    let mut wire = parse(&oidc_body()).to_wire();
    wire.details.remove("client_id");
    wire.details
        .insert("oidc_issuer".into(), "http://login.example.com".into());
    wire.name = "_bad".into();
    let unrecognized = read_stored(&wire, now()).expect_err("bad values");
    assert_eq!(
        pointers(&unrecognized.problems),
        [
            "/identityProviderName",
            "/identityProviderDetails/client_id",
            "/identityProviderDetails/oidc_issuer"
        ]
    );
    // Debug of the wire form names keys, never values.
    let debug = format!("{wire:?}");
    assert!(debug.contains("client_secret"), "{debug}");
    assert!(!debug.contains(OIDC_SECRET), "{debug}");
}

#[test]
fn a_desired_provider_checks_only_the_members_it_gives_by_the_body_rules() {
    for desired in [
        json!({ "type": "OIDC" }),
        json!({ "type": "OIDC", "oidc": { "attributesRequestMethod": "POST" } }),
        json!({ "type": "SAML", "name": "Corp SAML", "saml": { "idpSignout": true } }),
        json!({ "type": "SAML", "saml": { "metadataUrl": "https://idp.example.com/m.xml" } }),
    ] {
        assert!(DesiredProvider::parse(&desired, now()).is_ok(), "{desired}");
    }
    let invalid = json!({ "type": "OIDC", "name": "x", "google": {}, "oidc": {
        "attributesRequestMethod": "PUT", "issuer": "http://login.example.com", "authorizeScopes": ["email"],
        "unknown": 1 } });
    let problems = DesiredProvider::parse(&invalid, now()).expect_err("invalid");
    assert_eq!(
        pointers(&problems),
        [
            "/name",
            "/google",
            "/oidc/attributesRequestMethod",
            "/oidc/issuer",
            "/oidc/authorizeScopes",
            "/oidc/unknown"
        ]
    );
    let no_type = DesiredProvider::parse(&json!({ "saml": {} }), now()).expect_err("no type");
    assert_eq!(pointers(&no_type), ["/type"]);
}

#[test]
fn drift_and_the_merge_patch_keep_secrets_and_replace_the_other_metadata_form() {
    let current = parse(&oidc_body());
    let same = DesiredProvider::parse(
        &json!({ "type": "OIDC", "oidc": { "attributesRequestMethod": "GET" } }),
        now(),
    )
    .expect("valid");
    assert!(same.drift(&current).is_empty());
    let post = DesiredProvider::parse(
        &json!({ "type": "OIDC", "oidc": { "attributesRequestMethod": "POST" } }),
        now(),
    )
    .expect("valid");
    let drift = post.drift(&current);
    assert_eq!(drift.len(), 1, "{drift:?}");
    assert_eq!(drift[0].pointer, "/oidc/attributesRequestMethod");
    let merged = merge_identity_provider(&current, &post.merge_patch(), now()).expect("merges");
    assert_eq!(
        merged.provider.to_wire().details["client_secret"],
        OIDC_SECRET
    );
    assert_eq!(
        merged.provider.to_wire().details["attributes_request_method"],
        "POST"
    );

    let saml = parse(&saml_body(&metadata(&[valid_certificate()])));
    let by_url = DesiredProvider::parse(
        &json!({ "type": "SAML", "saml": { "metadataUrl": "https://idp.example.com/m.xml" } }),
        now(),
    )
    .expect("valid");
    let merged = merge_identity_provider(&saml, &by_url.merge_patch(), now()).expect("merges");
    let wire = merged.provider.to_wire();
    assert_eq!(wire.details["MetadataURL"], "https://idp.example.com/m.xml");
    assert!(!wire.details.contains_key("MetadataFile"));
    assert!(
        by_url
            .drift(&saml)
            .iter()
            .any(|change| change.pointer.starts_with("/saml/signingCertificates")),
        "the certificates go with the file"
    );

    let to_oidc = DesiredProvider::parse(&json!({ "type": "OIDC" }), now()).expect("valid");
    assert!(
        to_oidc
            .drift(&saml)
            .iter()
            .any(|change| change.pointer == "/type")
    );
    let incomplete = merge_identity_provider(&saml, &to_oidc.merge_patch(), now())
        .expect_err("an OIDC provider needs its client and secret");
    assert!(pointers(&incomplete).contains(&"/oidc/clientSecret"));
}

#[test]
fn a_byte_order_mark_another_protocol_and_expired_or_unreadable_valid_until_are_refused() {
    let valid = metadata(&[valid_certificate()]);
    let message = |xml: &str| {
        let found = problems(&saml_body(xml));
        assert_eq!(pointers(&found), ["/saml/metadataFile"], "{xml}");
        message_at(&found, "/saml/metadataFile").to_owned()
    };
    assert!(message(&format!("\u{feff}{valid}")).contains("byte order mark"));
    let declaring = |declaration: &str| valid.replacen(UTF8_DECLARATION, declaration, 1);
    let latin1 = r#"<?xml version="1.0" encoding="ISO-8859-1"?>"#;
    let non_ascii = format!("{latin1}\n<!-- Zürich -->");
    for (xml, refusal) in [
        (declaring(&non_ascii), "declares encoding 'ISO-8859-1'"),
        (
            declaring("<?xml version='1.0' encoding = 'UTF-16' standalone='yes'?>"),
            "declares encoding 'UTF-16'",
        ),
        (declaring(r#"<?XML version="1.0"?>"#), "in lower case"),
        (
            declaring(r#"<?Xml version="1.0" encoding="UTF-16"?>"#),
            "in lower case",
        ),
    ] {
        let refused = message(&xml);
        assert!(refused.contains(refusal), "{refused}");
    }
    for declaration in [
        r#"<?xml version="1.0" encoding="UTF-8"?>"#,
        "<?xml version='1.0' encoding='utf-8'?>",
        r#"<?xml version="1.0"?>"#,
        "",
        r#"<?xml version="1.0" encoding="US-ASCII"?>"#,
        latin1,
    ] {
        // `parse` fails the test on any problem; an ASCII document reads the same in ASCII and Latin-1.
        parse(&saml_body(&declaring(declaration)));
    }
    // Stored metadata is read as it is, whatever its declaration says.
    let mut stored = parse(&saml_body(&valid)).to_wire();
    stored
        .details
        .insert("MetadataFile".to_owned(), declaring(&non_ascii));
    assert!(read_stored(&stored, now()).is_ok());
    let saml1 = valid.replace(
        r#"protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol""#,
        r#"protocolSupportEnumeration="urn:oasis:names:tc:SAML:1.1:protocol""#,
    );
    assert!(message(&saml1).contains("protocolSupportEnumeration must list"));
    let until = |when: &str| {
        valid.replace(
            r#"entityID="https://idp.example.com/metadata""#,
            &format!(r#"entityID="https://idp.example.com/metadata" validUntil="{when}""#),
        )
    };
    assert!(message(&until("2026-05-31T23:59:59Z")).contains("valid until"));
    assert!(message(&until("next year")).contains("validUntil 'next year'"));
    let future = parse(&saml_body(&until("2026-06-30T00:00:00Z")));
    // Stored metadata past its validUntil is still read, to be seen and replaced.
    let stored = parse_identity_provider(
        &saml_body(&until("2026-05-31T23:59:59Z")),
        Timestamp::parse("2026-05-01T00:00:00Z").expect("valid"),
    )
    .expect("valid then")
    .provider;
    assert_eq!(read_stored(&stored.to_wire(), now()), Ok(stored));
    assert!(matches!(future.details, ProviderDetails::Saml(_)));
}

#[test]
fn a_short_client_secret_is_written_with_a_warning() {
    let mut body = oidc_body();
    body["oidc"]["clientSecret"] = json!("hunter2-15chars");
    let parsed = parse_identity_provider(&body, now()).expect("valid");
    assert_eq!(parsed.warnings.len(), 1, "{:?}", parsed.warnings);
    assert!(parsed.warnings[0].starts_with("clientSecret has fewer than 16 characters"));
    assert!(
        !parsed.warnings[0].contains("hunter2"),
        "the secret is never repeated"
    );
    let parsed = parse_identity_provider(&oidc_body(), now()).expect("valid");
    assert!(parsed.warnings.is_empty(), "{:?}", parsed.warnings);
}
