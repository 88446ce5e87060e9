//! SAML signing certificates against the clock: the problems of new metadata (expired, not yet
//! valid), the warnings for certificates about to expire, and `certificate_findings` for the enforcer.

use super::details::{MetadataSource, ProviderDetails};
use super::provider::IdentityProvider;
use super::saml_metadata::{SamlMetadata, SigningCertificate};
use crate::domain::Timestamp;

const SECONDS_PER_DAY: i64 = 86_400;
/// A new signing certificate expiring within this many days is accepted with a warning.
const WARNING_DAYS: u32 = 30;

/// A SAML signing certificate that has expired or expires soon.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateFinding {
    pub subject: String,
    pub not_after: Timestamp,
    /// Whole days from `now` to `not_after`, rounded down: negative once expired.
    pub days_remaining: i64,
}

/// Whether a certificate that has already expired, or is not valid yet, may be read (stored
/// metadata: an admin must be able to see and replace it) or is refused (new metadata).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ExpiredCertificates {
    Refused,
    Accepted,
}

/// The SAML signing certificates of `provider` that have expired or expire within `within_days`
/// of `now`. Other types, and SAML metadata given by URL, have none.
pub fn certificate_findings(
    provider: &IdentityProvider,
    now: Timestamp,
    within_days: u32,
) -> Vec<CertificateFinding> {
    let horizon = now.unix_seconds() + i64::from(within_days) * SECONDS_PER_DAY;
    signing_certificates(provider)
        .iter()
        .filter(|certificate| certificate.not_after.unix_seconds() < horizon)
        .map(|certificate| CertificateFinding {
            subject: certificate.subject.clone(),
            not_after: certificate.not_after,
            days_remaining: (certificate.not_after.unix_seconds() - now.unix_seconds())
                .div_euclid(SECONDS_PER_DAY),
        })
        .collect()
}

/// A sentence per certificate of new metadata that expires within `WARNING_DAYS` (but has not).
pub(super) fn expiry_warnings(provider: &IdentityProvider, now: Timestamp) -> Vec<String> {
    certificate_findings(provider, now, WARNING_DAYS)
        .into_iter()
        .filter(|finding| finding.not_after >= now)
        .map(|finding| {
            let within = match finding.days_remaining {
                0 => "in less than a day".to_owned(),
                1 => "in 1 day".to_owned(),
                days => format!("in {days} days"),
            };
            format!(
                "the SAML signing certificate '{}' expires on {}, {within}: replace the metadata \
                 before then or users cannot sign in",
                finding.subject, finding.not_after
            )
        })
        .collect()
}

/// What is wrong, at `now`, with the validity of the metadata's certificates.
pub(super) fn validity_problems(
    metadata: &SamlMetadata,
    now: Timestamp,
    expired: ExpiredCertificates,
) -> Vec<String> {
    let mut problems = Vec::new();
    if let Some(valid_until) = metadata.valid_until()
        && valid_until < now
        && expired == ExpiredCertificates::Refused
    {
        problems.push(format!(
            "the metadata was valid until {valid_until} (EntityDescriptor validUntil): service providers \
             refuse expired metadata; use the identity provider's current metadata"
        ));
    }
    for certificate in metadata.signing_certificates() {
        if certificate.not_after < now && expired == ExpiredCertificates::Refused {
            problems.push(format!(
                "the signing certificate '{}' expired on {}: WorkSpaces Web could not verify sign-ins; \
                 use the identity provider's current metadata",
                certificate.subject, certificate.not_after
            ));
        }
        if certificate.not_before > now && expired == ExpiredCertificates::Refused {
            problems.push(format!(
                "the signing certificate '{}' is not valid before {}",
                certificate.subject, certificate.not_before
            ));
        }
    }
    problems
}

fn signing_certificates(provider: &IdentityProvider) -> &[SigningCertificate] {
    match &provider.details {
        ProviderDetails::Saml(saml) => match &saml.metadata {
            MetadataSource::File(metadata) => metadata.signing_certificates(),
            MetadataSource::Url(_) => &[],
        },
        ProviderDetails::Oidc(_)
        | ProviderDetails::Google(_)
        | ProviderDetails::LoginWithAmazon(_)
        | ProviderDetails::Facebook(_)
        | ProviderDetails::SignInWithApple(_) => &[],
    }
}
