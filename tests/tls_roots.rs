//! The roots the built `api` binary trusts for its AWS calls, over real TLS: WorkMail is the emulator
//! behind a loopback terminator whose chain has the shape of AWS's (RSA 2048 leaf and intermediate
//! under a root it does not send). A chain to a root named by `EXTRA_ROOT_CERTIFICATES_FILE` is
//! accepted; the same root offered the way a system bundle is (`SSL_CERT_FILE`), or another root,
//! is not, and no handshake completes; a file that holds no usable root stops the start.

mod support;

use lambda_harness::tls::TestPki;
use lambda_harness::{FunctionProcess, Outcome, StartError};
use serde_json::Value;
use support::{event, start_api};
use workmail_emulator::Emulator;

struct Upstream {
    _emulator: Emulator,
    pki: TestPki,
    terminator: lambda_harness::tls::TlsTerminator,
    directory: std::path::PathBuf,
}

async fn upstream(name: &str) -> Upstream {
    let emulator = Emulator::start().await.expect("emulator");
    emulator.seed_demo();
    let pki = TestPki::new(name).expect("test PKI");
    let terminator = pki
        .terminator(emulator.address())
        .await
        .expect("terminator");
    let directory = std::env::temp_dir().join(format!(
        "idp-gateway-tls-roots-{name}-{}",
        std::process::id()
    ));
    std::fs::create_dir_all(&directory).expect("temporary directory");
    Upstream {
        _emulator: emulator,
        pki,
        terminator,
        directory,
    }
}

impl Upstream {
    fn file(&self, name: &str, contents: &str) -> String {
        let path = self.directory.join(name);
        std::fs::write(&path, contents).expect("write");
        path.display().to_string()
    }

    async fn start(&self, roots: &[(&str, &str)]) -> Result<FunctionProcess, StartError> {
        let mut extra = vec![("WORKMAIL_MAX_ATTEMPTS", "1")];
        extra.extend_from_slice(roots);
        start_api(&self.terminator.url(), &extra).await
    }
}

/// The status and the problem code (if any) the function answered.
async fn get(process: &mut FunctionProcess) -> (u64, String) {
    match process.invoke(event("rest-get.json")).await.outcome {
        Outcome::Response(response) => {
            let status = response["statusCode"].as_u64().unwrap_or_default();
            let body: Value = serde_json::from_str(response["body"].as_str().unwrap_or("{}"))
                .unwrap_or(Value::Null);
            (status, body["code"].as_str().unwrap_or_default().to_owned())
        }
        other => panic!(
            "expected a response, got {other:?}; logs: {:#?}",
            process.logs()
        ),
    }
}

#[tokio::test]
async fn a_chain_to_an_extra_root_is_accepted() {
    let upstream = upstream("extra").await;
    let roots = upstream.file("roots.pem", upstream.pki.root_pem());
    let mut process = upstream
        .start(&[("EXTRA_ROOT_CERTIFICATES_FILE", &roots)])
        .await
        .expect("the api starts");
    let (status, code) = get(&mut process).await;
    assert_eq!(status, 200, "{code}: {:#?}", process.logs());
    assert!(upstream.terminator.handshakes() >= 1);
    let second = get(&mut process).await;
    assert_eq!(second.0, 200, "the pooled connection serves the next call");
}

#[tokio::test]
async fn the_system_bundle_and_other_roots_are_not_trusted() {
    let upstream = upstream("refused").await;
    let stranger = TestPki::new("stranger").expect("another PKI");
    let bundle = upstream.file("ca-bundle.crt", upstream.pki.root_pem());
    let other_root = upstream.file("other.pem", stranger.root_pem());
    for roots in [
        vec![("SSL_CERT_FILE", bundle.as_str())],
        vec![
            ("SSL_CERT_FILE", bundle.as_str()),
            ("EXTRA_ROOT_CERTIFICATES_FILE", other_root.as_str()),
        ],
        vec![],
    ] {
        let mut process = upstream.start(&roots).await.expect("the api starts");
        let (status, code) = get(&mut process).await;
        assert_eq!(
            (status, code.as_str()),
            (502, "UPSTREAM_ERROR"),
            "{roots:?}: {:#?}",
            process.logs()
        );
        if roots.iter().any(|(name, _)| *name == "SSL_CERT_FILE") {
            assert!(
                process
                    .logs()
                    .iter()
                    .any(|line| line.contains("SSL_CERT_FILE is not read")),
                "{:#?}",
                process.logs()
            );
        }
    }
    assert_eq!(
        upstream.terminator.handshakes(),
        0,
        "no handshake completed"
    );
}

#[tokio::test]
async fn an_extra_roots_file_without_a_usable_root_stops_the_start() {
    let upstream = upstream("unusable").await;
    let key_only = upstream.file(
        "key.pem",
        "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIA==\n-----END PRIVATE KEY-----\n",
    );
    for (path, says) in [
        (
            "/nonexistent/roots.pem",
            "EXTRA_ROOT_CERTIFICATES_FILE /nonexistent/roots.pem",
        ),
        (key_only.as_str(), "root certificates only"),
    ] {
        match upstream
            .start(&[("EXTRA_ROOT_CERTIFICATES_FILE", path)])
            .await
        {
            Err(StartError::Exited { init_error, .. }) => {
                let init_error = init_error.expect("an /init/error report");
                assert_eq!(init_error["errorType"], "Runtime.InvalidSettings");
                let message = init_error["errorMessage"].as_str().unwrap_or_default();
                assert!(message.contains(says), "{message}");
            }
            Err(other) => panic!("{other:?}"),
            Ok(_) => panic!("{path} must stop the function at start-up"),
        }
    }
}
