//! A loopback TLS terminator in front of a plain-HTTP server (the emulator), presenting a chain of
//! the shape AWS's service endpoints present (an RSA 2048 leaf for localhost and 127.0.0.1, signed by an RSA 2048
//! intermediate, signed by an RSA 2048 root that is not sent), so that a function's calls pay and
//! check what they pay and check against AWS: the handshake, the chain, and the roots it trusts.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// A test root, and the chain and key the terminator serves.
pub struct TestPki {
    root_pem: String,
    chain: Vec<CertificateDer<'static>>,
    key: Vec<u8>,
}

impl TestPki {
    /// Fresh RSA 2048 keys: a root, an intermediate, and a leaf for `localhost` and `127.0.0.1`.
    pub fn new(name: &str) -> Result<Self, BoxError> {
        let rsa =
            || rcgen::KeyPair::generate_rsa_for(&rcgen::PKCS_RSA_SHA256, rcgen::RsaKeySize::_2048);
        let authority = |common_name: String| -> Result<rcgen::CertificateParams, BoxError> {
            let mut params = rcgen::CertificateParams::new(Vec::<String>::new())?;
            params
                .distinguished_name
                .push(rcgen::DnType::CommonName, common_name);
            params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
            params.key_usages = vec![
                rcgen::KeyUsagePurpose::KeyCertSign,
                rcgen::KeyUsagePurpose::CrlSign,
            ];
            Ok(params)
        };
        let root = rcgen::CertifiedIssuer::self_signed(authority(format!("{name} root"))?, rsa()?)?;
        let intermediate_key = rsa()?;
        let intermediate_params = authority(format!("{name} intermediate"))?;
        let intermediate_der = intermediate_params
            .clone()
            .signed_by(&intermediate_key, &root)?
            .der()
            .clone();
        let intermediate = rcgen::Issuer::new(intermediate_params, intermediate_key);
        let mut leaf_params =
            rcgen::CertificateParams::new(vec!["localhost".to_owned(), "127.0.0.1".to_owned()])?;
        leaf_params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "127.0.0.1");
        let leaf_key = rsa()?;
        let leaf = leaf_params.signed_by(&leaf_key, &intermediate)?;
        Ok(Self {
            root_pem: root.pem(),
            chain: vec![leaf.der().clone(), intermediate_der],
            key: leaf_key.serialize_der(),
        })
    }

    /// The root certificate, PEM: what a client must trust to accept the terminator.
    pub fn root_pem(&self) -> &str {
        &self.root_pem
    }

    /// Terminates TLS on a loopback port and relays each connection's bytes to `upstream`.
    pub async fn terminator(&self, upstream: SocketAddr) -> Result<TlsTerminator, BoxError> {
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()?
            .with_no_client_auth()
            .with_single_cert(
                self.chain.clone(),
                PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(self.key.clone())),
            )?;
        let listener = TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0))).await?;
        let address = listener.local_addr()?;
        let acceptor = TlsAcceptor::from(Arc::new(config));
        let handshakes = Arc::new(AtomicUsize::new(0));
        let counted = Arc::clone(&handshakes);
        tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                let acceptor = acceptor.clone();
                let counted = Arc::clone(&counted);
                tokio::spawn(async move {
                    let _ = stream.set_nodelay(true);
                    let Ok(mut tls) = acceptor.accept(stream).await else {
                        return;
                    };
                    counted.fetch_add(1, Ordering::Relaxed);
                    let Ok(mut plain) = TcpStream::connect(upstream).await else {
                        return;
                    };
                    let _ = plain.set_nodelay(true);
                    let _ = tokio::io::copy_bidirectional(&mut tls, &mut plain).await;
                });
            }
        });
        Ok(TlsTerminator {
            address,
            handshakes,
        })
    }
}

/// A running terminator: its `https://` URL and how many handshakes completed.
pub struct TlsTerminator {
    address: SocketAddr,
    handshakes: Arc<AtomicUsize>,
}

impl TlsTerminator {
    pub fn url(&self) -> String {
        format!("https://{}", self.address)
    }

    /// The same, by name, as AWS's endpoints are reached: a client looks `localhost` up first.
    pub fn named_url(&self) -> String {
        format!("https://localhost:{}", self.address.port())
    }

    /// Handshakes completed so far (a client that refuses the chain completes none).
    pub fn handshakes(&self) -> usize {
        self.handshakes.load(Ordering::Relaxed)
    }
}
