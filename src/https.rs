//! The one HTTPS client every AWS call of a process goes through (rustls on aws-lc, the SDK's own
//! connector), and the roots it trusts: the Amazon Trust Services roots compiled into the binary,
//! which every endpoint the functions call (WorkMail, WorkSpaces Web, DynamoDB, STS) chains to, and,
//! only where `EXTRA_ROOT_CERTIFICATES_FILE` names a PEM file, its certificates as well (a
//! TLS-inspecting egress proxy, a local TLS terminator). The system's roots are never read: a cold
//! start parses five certificates instead of a bundle of about 150, and a certificate misissued by
//! any other authority is refused. Its connectors resolve the endpoints' names through the early
//! lookups of `endpoint_lookups`.

use std::ffi::OsString;
use std::io::Read;
use std::path::{Path, PathBuf};

use aws_config::{BehaviorVersion, ConfigLoader};
use aws_smithy_http_client::tls::{TlsContext, TrustStore};
use aws_smithy_runtime_api::client::http::SharedHttpClient;
use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::SectionKind;
use tracing::{info, warn};

use client::PreparedHttps;
pub(crate) use endpoint_lookups::endpoint_host;
pub use endpoint_lookups::{EndpointLookups, EndpointSettings, host_of, proxied};

mod client;
mod endpoint_lookups;

/// Amazon Root CA 1 to 4 and Starfield Services Root Certificate Authority - G2.
const AMAZON_TRUST_SERVICES_ROOTS: &[u8] = include_bytes!("https/amazon-trust-services.pem");

/// The variable naming a PEM file of further root certificates.
pub const EXTRA_ROOTS_VARIABLE: &str = "EXTRA_ROOT_CERTIFICATES_FILE";

/// The largest file of extra roots read: a few proxies' roots are a few kilobytes, and a whole
/// public bundle of about 150 is some 220 KB.
const EXTRA_ROOTS_LIMIT: u64 = 1 << 20;

/// Why the roots cannot be used; the function does not start.
#[derive(Debug, thiserror::Error)]
pub enum RootsError {
    #[error("{EXTRA_ROOTS_VARIABLE} {}: {error} (a PEM file of root certificates trusted beside Amazon's)", .path.display())]
    Unreadable {
        path: PathBuf,
        error: std::io::Error,
    },
    #[error("{EXTRA_ROOTS_VARIABLE} {}: {problem}", .path.display())]
    Invalid { path: PathBuf, problem: String },
}

/// The roots a process trusts, every certificate of them checked as a trust anchor at start-up, so
/// that building a connection later cannot fail on them.
#[derive(Debug, Clone)]
pub struct TrustedRoots {
    extra: Option<ExtraRoots>,
}

#[derive(Debug, Clone)]
struct ExtraRoots {
    path: PathBuf,
    pem: Vec<u8>,
    certificates: usize,
}

impl TrustedRoots {
    /// Amazon's roots, and the certificates of `EXTRA_ROOT_CERTIFICATES_FILE` where it is set.
    pub fn from_env(lookup: impl Fn(&str) -> Option<OsString>) -> Result<Self, RootsError> {
        for ignored in ["SSL_CERT_FILE", "SSL_CERT_DIR"] {
            if lookup(ignored).is_some_and(|value| !value.is_empty()) {
                warn!(
                    variable = ignored,
                    "{ignored} is not read: the AWS calls trust Amazon's roots and {EXTRA_ROOTS_VARIABLE} only"
                );
            }
        }
        let Some(path) = lookup(EXTRA_ROOTS_VARIABLE).filter(|value| !value.is_empty()) else {
            return Ok(Self { extra: None });
        };
        let path = PathBuf::from(path);
        let pem = read_bounded(&path)?;
        let certificates = trust_anchors_in(&pem).map_err(|problem| RootsError::Invalid {
            path: path.clone(),
            problem,
        })?;
        Ok(Self {
            extra: Some(ExtraRoots {
                path,
                pem,
                certificates,
            }),
        })
    }

    /// The AWS configuration loader every client of the process starts from: its HTTPS client
    /// trusts these roots (and honours `HTTPS_PROXY` / `NO_PROXY`, as the SDK's default does),
    /// takes the answers of `lookups` for the endpoints' names, and makes each client's connector
    /// as the client is built ([`client`]).
    pub fn config_loader(&self, lookups: &EndpointLookups) -> ConfigLoader {
        aws_config::defaults(BehaviorVersion::latest())
            .http_client(SharedHttpClient::new(self.https(lookups)))
    }

    fn https(&self, lookups: &EndpointLookups) -> PreparedHttps {
        let mut trust = TrustStore::empty()
            .with_native_roots(false)
            .with_pem_certificate(AMAZON_TRUST_SERVICES_ROOTS);
        if let Some(extra) = &self.extra {
            trust.add_pem_certificate(extra.pem.clone());
        }
        let tls = TlsContext::builder()
            .with_trust_store(trust)
            .build()
            .expect("a TLS context with no extra server names cannot fail to build");
        PreparedHttps::new(tls, lookups.clone())
    }

    /// Logs which roots the AWS calls trust: a warning where the trust is widened.
    pub fn announce(&self) {
        match &self.extra {
            None => info!("the AWS calls trust the five Amazon Trust Services roots"),
            Some(extra) => warn!(
                file = %extra.path.display(),
                certificates = extra.certificates,
                "the AWS calls trust the five Amazon Trust Services roots and the certificates of {EXTRA_ROOTS_VARIABLE}"
            ),
        }
    }
}

/// The file at `path`, which must be a regular file (a FIFO would block the start, a device
/// never end) of at most `EXTRA_ROOTS_LIMIT` bytes.
fn read_bounded(path: &Path) -> Result<Vec<u8>, RootsError> {
    let unreadable = |error| RootsError::Unreadable {
        path: path.to_path_buf(),
        error,
    };
    let invalid = |problem: String| RootsError::Invalid {
        path: path.to_path_buf(),
        problem,
    };
    if !std::fs::metadata(path).map_err(unreadable)?.is_file() {
        return Err(invalid("is not a regular file".to_owned()));
    }
    let mut pem = Vec::new();
    std::fs::File::open(path)
        .map_err(unreadable)?
        .take(EXTRA_ROOTS_LIMIT + 1)
        .read_to_end(&mut pem)
        .map_err(unreadable)?;
    if pem.len() as u64 > EXTRA_ROOTS_LIMIT {
        return Err(invalid(format!(
            "is larger than {EXTRA_ROOTS_LIMIT} bytes; it should hold root certificates only"
        )));
    }
    Ok(pem)
}

/// How many certificates `pem` holds, each one usable as a trust anchor; anything else in it (a
/// private key, a section of any other label, a broken section, no certificate at all) is refused.
fn trust_anchors_in(pem: &[u8]) -> Result<usize, String> {
    let mut rest = pem;
    let mut certificates = 0;
    loop {
        match rustls_pki_types::pem::from_buf(&mut rest) {
            Ok(None) => break,
            Ok(Some((SectionKind::Certificate, der))) => {
                certificates += 1;
                let certificate = CertificateDer::from(der);
                webpki::anchor_from_trusted_cert(&certificate).map_err(|error| {
                    format!("certificate {certificates} is not a usable root certificate ({error})")
                })?;
            }
            Ok(Some((kind, _))) => {
                return Err(format!(
                    "holds a {kind:?} section; it may hold root certificates only"
                ));
            }
            Err(error) => {
                let mut error = error.to_string();
                error.truncate(error.floor_char_boundary(200));
                return Err(format!("is not PEM ({error})"));
            }
        }
    }
    if certificates == 0 {
        return Err("holds no certificate (-----BEGIN CERTIFICATE-----)".to_owned());
    }
    // The PEM reader skips sections whose label it does not know (TRUSTED CERTIFICATE, ENCRYPTED
    // PRIVATE KEY, ...); a file with any such section is refused, not half read.
    let sections = pem
        .windows(b"-----BEGIN ".len())
        .filter(|window| *window == b"-----BEGIN ")
        .count();
    if sections != certificates {
        return Err(format!(
            "holds sections that are not certificates ({sections} sections, {certificates} certificates); it may hold root certificates only"
        ));
    }
    Ok(certificates)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rustls_pki_types::pem::PemObject;
    use sha2::{Digest, Sha256};

    /// As https://www.amazontrust.com/repository/ lists them.
    const PINNED_SHA256: [&str; 5] = [
        "8ecde6884f3d87b1125ba31ac3fcb13d7016de7f57cc904fe1cb97c6ae98196e",
        "1ba5b2aa8c65401a82960118f80bec4f62304d83cec4713a19c39c011ea46db4",
        "18ce6cfe7bf14e60b2e347b8dfe868cb31d02ebb3ada271569f50343b46db3a4",
        "e35d28419ed02025cfa69038cd623962458da5c695fbdea3c22b0bfb25897092",
        "568d6905a2c88708a4b3025190edcfedb1974a606a13c6e5290fcb2ae63edab5",
    ];

    #[test]
    fn the_compiled_in_roots_are_amazons_five() {
        assert_eq!(trust_anchors_in(AMAZON_TRUST_SERVICES_ROOTS), Ok(5));
        let fingerprints: Vec<String> = CertificateDer::pem_slice_iter(AMAZON_TRUST_SERVICES_ROOTS)
            .map(|certificate| {
                let certificate = certificate.expect("PEM");
                Sha256::digest(certificate.as_ref())
                    .iter()
                    .map(|byte| format!("{byte:02x}"))
                    .collect()
            })
            .collect();
        assert_eq!(fingerprints, PINNED_SHA256);
    }

    fn written(name: &str, contents: &[u8]) -> String {
        let directory =
            std::env::temp_dir().join(format!("idp-gateway-roots-{}", std::process::id()));
        std::fs::create_dir_all(&directory).expect("temporary directory");
        let path = directory.join(name);
        std::fs::write(&path, contents).expect("write");
        path.display().to_string()
    }

    /// A self-signed CA certificate, PEM.
    fn authority_pem() -> String {
        let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).expect("params");
        params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        rcgen::CertifiedIssuer::self_signed(params, rcgen::KeyPair::generate().expect("key"))
            .expect("authority")
            .pem()
    }

    fn with_extra(path: &str) -> Result<TrustedRoots, RootsError> {
        TrustedRoots::from_env(|name| (name == EXTRA_ROOTS_VARIABLE).then(|| path.into()))
    }

    #[test]
    fn without_the_variable_only_amazons_roots_are_trusted() {
        let roots = TrustedRoots::from_env(|_| None).expect("roots");
        assert!(roots.extra.is_none());
        let empty = TrustedRoots::from_env(|_| Some(OsString::new())).expect("roots");
        assert!(empty.extra.is_none());
    }

    #[test]
    fn an_extra_file_of_certificates_is_trusted_beside_them() {
        let path = written("one-ca.pem", authority_pem().as_bytes());
        let roots = with_extra(&path).expect("roots");
        let extra = roots.extra.expect("the extra roots");
        assert_eq!((extra.path, extra.certificates), (PathBuf::from(&path), 1));
    }

    #[test]
    fn an_extra_file_that_is_missing_empty_or_not_certificates_stops_the_start() {
        let missing = with_extra("/nonexistent/roots.pem").expect_err("missing");
        assert!(
            missing
                .to_string()
                .contains("EXTRA_ROOT_CERTIFICATES_FILE /nonexistent/roots.pem")
        );
        for (name, contents, says) in [
            ("empty.pem", &b""[..], "holds no certificate"),
            ("text.pem", &b"not a certificate\n"[..], "holds no certificate"),
            (
                "key.pem",
                &b"-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIA==\n-----END PRIVATE KEY-----\n"[..],
                "root certificates only",
            ),
            (
                "garbage.pem",
                &b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"[..],
                "certificate 1 is not a usable root certificate",
            ),
            (
                "unterminated.pem",
                &b"-----BEGIN CERTIFICATE-----\nMIIB\n"[..],
                "is not PEM",
            ),
            (
                "trusted.pem",
                &b"-----BEGIN TRUSTED CERTIFICATE-----\nAAAA\n-----END TRUSTED CERTIFICATE-----\n"[..],
                "holds no certificate",
            ),
        ] {
            let error = with_extra(&written(name, contents)).expect_err(name).to_string();
            assert!(error.contains(says), "{name}: {error}");
        }
    }

    #[test]
    fn a_certificate_beside_a_section_of_another_label_is_refused_whole() {
        let mixed = format!(
            "{}-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n",
            authority_pem()
        );
        let error = with_extra(&written("mixed.pem", mixed.as_bytes()))
            .expect_err("a key beside the certificate")
            .to_string();
        assert!(error.contains("2 sections, 1 certificates"), "{error}");
    }

    #[test]
    fn only_a_regular_file_of_at_most_a_mebibyte_is_read() {
        let directory = std::env::temp_dir();
        let error = with_extra(&directory.display().to_string()).expect_err("a directory");
        assert!(
            error.to_string().contains("is not a regular file"),
            "{error}"
        );
        let device = with_extra("/dev/zero").expect_err("a device");
        assert!(
            device.to_string().contains("is not a regular file"),
            "{device}"
        );
        let large = vec![b'#'; (EXTRA_ROOTS_LIMIT + 1) as usize];
        let error = with_extra(&written("large.pem", &large)).expect_err("too large");
        assert!(
            error.to_string().contains("is larger than 1048576 bytes"),
            "{error}"
        );
    }

    /// `loader`'s configuration for calls to `endpoint`, in us-east-1, with test credentials. A
    /// FIPS or dual-stack setting in the environment would refuse the endpoint before any call
    /// asked for a connector.
    async fn test_config(loader: ConfigLoader, endpoint: &str) -> aws_config::SdkConfig {
        loader
            .region(aws_config::Region::new("us-east-1"))
            .endpoint_url(endpoint)
            .use_fips(false)
            .use_dual_stack(false)
            .credentials_provider(aws_sdk_workmail::config::Credentials::new(
                "AKIDTEST", "secret", None, None, "tests",
            ))
            .load()
            .await
    }

    /// Each SDK client's connector is made as the client is built, for the timeouts its calls ask
    /// for: a call finds it made, and makes none.
    #[tokio::test]
    async fn every_clients_connector_is_made_as_the_client_is_built() {
        use crate::domain::OrganizationId;
        use crate::lease::{DynamoDbLeases, LeaseKey, WriteLeases};
        use crate::workmail::{IdentityProviderStore, SdkWorkMail, UpstreamSettings};
        use std::time::Duration;

        let https = TrustedRoots::from_env(|_| None)
            .expect("roots")
            .https(&EndpointLookups::default());
        // Nothing listens on port 9 of loopback: every call fails at once, after asking for its
        // connector.
        let config = test_config(
            aws_config::defaults(BehaviorVersion::latest())
                .http_client(SharedHttpClient::new(https.clone())),
            "http://127.0.0.1:9",
        )
        .await;
        let settings = UpstreamSettings {
            connect_timeout: Duration::from_millis(700),
            max_attempts: 1,
            ..UpstreamSettings::default()
        };
        let workmail = SdkWorkMail::new(&config, &settings);
        let leases = DynamoDbLeases::new(&config, "idp-gateway-write-locks");
        let built = https.made();
        assert_eq!(
            built,
            [
                (Some(Duration::from_millis(500)), None),
                (Some(Duration::from_millis(700)), None),
            ],
            "one connector for the lease table's timeouts, one for WorkMail's"
        );

        let organization = OrganizationId::parse("m-0123456789abcdef0123456789abcdef").expect("id");
        workmail
            .describe(&organization)
            .await
            .expect_err("nothing listens");
        assert_eq!(
            https.calls(),
            1,
            "the WorkMail call (one attempt) asked for its connector"
        );
        leases
            .try_acquire(
                &LeaseKey::workmail_organization(&organization),
                "owner",
                Duration::from_secs(10),
            )
            .await
            .expect_err("nothing listens");
        assert!(
            https.calls() > 1,
            "the lease-table call asked for its connector"
        );
        assert_eq!(https.made(), built, "a call made a connector of its own");
    }

    /// A call to an endpoint named by a host name connects to the address the early lookup
    /// found, and asks the system for none.
    #[tokio::test]
    async fn a_call_to_a_named_endpoint_connects_to_the_early_answer() {
        use crate::domain::OrganizationId;
        use crate::workmail::{IdentityProviderStore, SdkWorkMail, UpstreamSettings};

        let emulator = workmail_emulator::Emulator::start()
            .await
            .expect("emulator");
        emulator.seed_demo();
        let lookups = EndpointLookups::default();
        let config = test_config(
            TrustedRoots::from_env(|_| None)
                .expect("roots")
                .config_loader(&lookups),
            &format!("http://localhost:{}", emulator.address().port()),
        )
        .await;
        let host = SdkWorkMail::endpoint_host(&config).await;
        assert_eq!(host.as_deref(), Some("localhost"));
        lookups.start(host);
        let workmail = SdkWorkMail::new(&config, &UpstreamSettings::default());
        let organization =
            OrganizationId::parse(workmail_emulator::demo::ORGANIZATION_ID).expect("id");
        let configuration = workmail.describe(&organization).await.expect("answered");
        assert!(configuration.is_some(), "the demo organization has one");
        assert_eq!(
            lookups.counts(),
            (1, 0),
            "the connection took the early answer"
        );
    }

    #[test]
    fn a_broken_begin_line_is_reported_in_a_few_words() {
        let mut line = b"-----BEGIN ".to_vec();
        line.extend(std::iter::repeat_n(b'A', 100_000));
        let error = with_extra(&written("long.pem", &line))
            .expect_err("broken")
            .to_string();
        assert!(error.len() < 600, "{} bytes", error.len());
    }
}
