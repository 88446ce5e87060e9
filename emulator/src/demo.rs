//! The demo organization a local run is seeded with: its ids, and a directory with a realistic mix
//! so that a lockout impact report has something to say. And two WorkSpaces Web portals: `PORTAL_ARN`
//! with a SAML identity provider (inline metadata whose signing certificate is self-signed at
//! start, valid from yesterday for a year), and `EMPTY_PORTAL_ARN` with none.
//!
//! | user | state, role | Identity Center | tokens | in `IDENTITY_PROVIDER_ONLY` |
//! |---|---|---|---|---|
//! | alice, bob, grace, mallory | ENABLED USER | linked | unexpired | keep every access |
//! | carol, ivan | ENABLED USER | linked | none | lose mail clients |
//! | dave | ENABLED USER | linked | only an expired one | loses mail clients |
//! | erin, frank, oscar | ENABLED USER | not linked | none | lose all access |
//! | heidi | DISABLED USER | not linked | none | cannot be locked out |
//! | judy | DISABLED USER | linked | none | cannot be locked out |
//! | trent | DELETED USER | linked | none | cannot be locked out |
//! | boardroom | ENABLED RESOURCE | not linked | none | cannot be locked out |
//! | noreply | ENABLED SYSTEM_USER | not linked | none | cannot be locked out |

use std::collections::BTreeMap;

use crate::directory::{EmulatedToken, EmulatedUser, UserRole, UserState};
use crate::secure_browser::EmulatedIdentityProvider;

pub const ORGANIZATION_ID: &str = "m-0123456789abcdef0123456789abcdef";
pub const ORGANIZATION_ALIAS: &str = "demo";
pub const INSTANCE_ARN: &str = "arn:aws:sso:::instance/ssoins-1234567890abcdef";
pub const APPLICATION_ARN: &str =
    "arn:aws:sso::123456789012:application/ssoins-1234567890abcdef/apl-1234567890abcdef";
/// The identity store of the demo's Identity Center instance.
pub const IDENTITY_STORE_ID: &str = "d-90670a1b2c";

/// The demo WorkSpaces Web portal with a SAML identity provider.
pub const PORTAL_ID: &str = "d3b07384-d113-4ec6-a1f5-6a0e5b1c2f3d";
pub const PORTAL_ARN: &str =
    "arn:aws:workspaces-web:us-east-1:123456789012:portal/d3b07384-d113-4ec6-a1f5-6a0e5b1c2f3d";
pub const PORTAL_NAME: &str = "Demo portal";
/// The demo WorkSpaces Web portal with no identity provider.
pub const EMPTY_PORTAL_ID: &str = "0c7a5e1f-2b3d-4a6e-8f90-1d2c3b4a5e6f";
pub const EMPTY_PORTAL_ARN: &str =
    "arn:aws:workspaces-web:us-east-1:123456789012:portal/0c7a5e1f-2b3d-4a6e-8f90-1d2c3b4a5e6f";
pub const EMPTY_PORTAL_NAME: &str = "Demo portal without an identity provider";
/// The demo SAML identity provider: its name, entity id and single sign-on URL.
pub const SAML_PROVIDER_NAME: &str = "DemoSAML";
pub const SAML_ENTITY_ID: &str = "https://idp.demo.example/saml/metadata";
pub const SAML_SSO_URL: &str = "https://idp.demo.example/saml/sso";

const DAY: i64 = 86_400;

/// The demo user named `name`: id, Identity Center user id (when linked), email.
fn user(index: u32, name: &str, linked: bool) -> EmulatedUser {
    let user = EmulatedUser::new(
        &format!("a1b2c3d4-0000-4000-8000-{index:012}"),
        name,
        &format!("{name}@{ORGANIZATION_ALIAS}.awsapps.com"),
    )
    .with_display_name(&capitalized(name));
    if linked {
        user.linked(
            &format!("94a8f4e8-1dc0-4000-8000-{index:012}"),
            IDENTITY_STORE_ID,
        )
    } else {
        user
    }
}

fn capitalized(name: &str) -> String {
    let mut letters = name.chars();
    letters
        .next()
        .map(|first| first.to_uppercase().chain(letters).collect())
        .unwrap_or_default()
}

/// The demo's users.
pub(crate) fn users() -> Vec<EmulatedUser> {
    vec![
        user(1, "alice", true),
        user(2, "bob", true),
        user(3, "carol", true),
        user(4, "dave", true),
        user(5, "erin", false),
        user(6, "frank", false),
        user(7, "grace", true),
        user(8, "heidi", false).with_state(UserState::Disabled),
        user(9, "ivan", true),
        user(10, "judy", true).with_state(UserState::Disabled),
        user(11, "mallory", true),
        user(12, "oscar", false),
        user(13, "trent", true).with_state(UserState::Deleted),
        user(14, "boardroom", false).with_role(UserRole::Resource),
        user(15, "noreply", false).with_role(UserRole::SystemUser),
    ]
}

/// The demo's tokens, relative to `now` (Unix seconds): dave's expired yesterday.
pub(crate) fn tokens(now: i64) -> Vec<EmulatedToken> {
    let id = |index: u32| format!("a1b2c3d4-0000-4000-8000-{index:012}");
    vec![
        EmulatedToken::new("pat-alice-laptop", &id(1), now - 30 * DAY, now + 335 * DAY)
            .named("Thunderbird on laptop")
            .last_used(now - DAY),
        EmulatedToken::new("pat-alice-phone", &id(1), now - 10 * DAY, now + 355 * DAY)
            .named("iPhone Mail")
            .last_used(now - 3600),
        EmulatedToken::new("pat-bob-outlook", &id(2), now - 90 * DAY, now + 275 * DAY)
            .named("Outlook"),
        EmulatedToken::new("pat-dave-old", &id(4), now - 366 * DAY, now - DAY)
            .named("old laptop")
            .last_used(now - 40 * DAY),
        EmulatedToken::new("pat-grace-android", &id(7), now - 5 * DAY, now + 360 * DAY)
            .named("Android Gmail"),
        EmulatedToken::new("pat-mallory-cli", &id(11), now - 60 * DAY, now + 305 * DAY)
            .named("mutt"),
    ]
}

/// The demo portal's SAML identity provider, its metadata inline (`MetadataFile`).
pub(crate) fn saml_identity_provider() -> Result<EmulatedIdentityProvider, rcgen::Error> {
    let now = time::OffsetDateTime::now_utc();
    let from = now - time::Duration::days(1);
    let metadata = saml_metadata(&signing_certificate(
        from,
        from + time::Duration::days(365),
    )?);
    Ok(EmulatedIdentityProvider {
        name: SAML_PROVIDER_NAME.to_owned(),
        provider_type: "SAML".to_owned(),
        details: BTreeMap::from([("MetadataFile".to_owned(), metadata)]),
    })
}

/// The demo IdP's metadata with a fresh signing certificate valid between two instants (Unix
/// seconds): for tests of certificates that expired, expire soon, or are fine.
pub fn saml_metadata_valid_between(not_before: i64, not_after: i64) -> String {
    let instant = |seconds: i64| {
        time::OffsetDateTime::from_unix_timestamp(seconds)
            .unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
    };
    match signing_certificate(instant(not_before), instant(not_after)) {
        Ok(certificate) => saml_metadata(&certificate),
        Err(error) => panic!("rcgen could not make a test certificate: {error}"),
    }
}

/// A self-signed signing certificate for the demo IdP, valid from `not_before` to `not_after`;
/// answered as the base64 of its DER (what `ds:X509Certificate` holds).
fn signing_certificate(
    not_before: time::OffsetDateTime,
    not_after: time::OffsetDateTime,
) -> Result<String, rcgen::Error> {
    let mut params = rcgen::CertificateParams::new(vec!["idp.demo.example".to_owned()])?;
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "idp.demo.example");
    params.not_before = not_before;
    params.not_after = not_after;
    let key = rcgen::KeyPair::generate()?;
    let pem = params.self_signed(&key)?.pem();
    Ok(pem
        .lines()
        .filter(|line| !line.starts_with("-----"))
        .collect())
}

/// SAML 2.0 IdP metadata: an `EntityDescriptor` whose `IDPSSODescriptor` has a signing
/// `KeyDescriptor` with `certificate` and an HTTP-Redirect and an HTTP-POST `SingleSignOnService`.
fn saml_metadata(certificate: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="{SAML_ENTITY_ID}">
  <md:IDPSSODescriptor WantAuthnRequestsSigned="false" protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:KeyDescriptor use="signing">
      <ds:KeyInfo>
        <ds:X509Data>
          <ds:X509Certificate>{certificate}</ds:X509Certificate>
        </ds:X509Data>
      </ds:KeyInfo>
    </md:KeyDescriptor>
    <md:NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress</md:NameIDFormat>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="{SAML_SSO_URL}"/>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="{SAML_SSO_URL}"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>
"#
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_metadata_holds_a_fresh_certificate() {
        let provider = saml_identity_provider().unwrap();
        let metadata = &provider.details["MetadataFile"];
        assert!(metadata.contains(r#"xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata""#));
        assert!(metadata.contains(r#"<md:KeyDescriptor use="signing">"#));
        assert!(metadata.contains(&format!(r#"Location="{SAML_SSO_URL}""#)));
        let start = metadata.find("<ds:X509Certificate>").unwrap() + "<ds:X509Certificate>".len();
        let end = metadata.find("</ds:X509Certificate>").unwrap();
        let certificate = &metadata[start..end];
        assert!(certificate.len() > 200, "{certificate}");
        assert!(
            certificate
                .bytes()
                .all(|byte| byte.is_ascii_alphanumeric() || b"+/=".contains(&byte))
        );
    }

    #[test]
    fn the_demo_portal_arns_end_in_their_ids() {
        assert!(PORTAL_ARN.ends_with(&format!("portal/{PORTAL_ID}")));
        assert!(EMPTY_PORTAL_ARN.ends_with(&format!("portal/{EMPTY_PORTAL_ID}")));
    }
}
