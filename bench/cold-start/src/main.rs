//! Benchmark (not a test): the `api` function beside a hello-world lambda_http function, both release
//! builds of the same profile, started again and again under the local Lambda Runtime API in one run:
//! init (process start to the first `next` poll), the first request, warm requests, and the binaries'
//! sizes. The api's WorkMail is the emulator behind a loopback TLS terminator (a test CA made here,
//! appended to the system's roots), so that its first request pays what a deployed one pays: loading
//! the root certificates (rustls-native-certs), the handshake and the call. Run it through
//! `scripts/bench-cold-start.sh`.
//!
//! Usage: bench-cold-start <api binary> <hello-world binary> [cold starts] [warm invocations]

use std::error::Error;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use lambda_harness::{FunctionProcess, Outcome};
use serde_json::Value;
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls;
use tokio_rustls::rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
use workmail_emulator::Emulator;

type BoxError = Box<dyn Error>;

/// Where Debian's probe (openssl-probe, used by rustls-native-certs) finds the roots: this bundle and
/// every file of this directory.
const SYSTEM_BUNDLE: &str = "/etc/ssl/certs/ca-certificates.crt";
const SYSTEM_DIR: &str = "/etc/ssl/certs";

const EVENT: &str = "rest-get.json";

struct Function {
    label: &'static str,
    path: String,
    name: &'static str,
}

struct Scenario {
    title: String,
    roots: Vec<(&'static str, String)>,
}

#[derive(Default)]
struct Samples {
    init: Vec<Duration>,
    first: Vec<Duration>,
    total: Vec<Duration>,
}

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    let mut args = std::env::args().skip(1);
    let usage = "usage: bench-cold-start <api binary> <hello-world binary> [cold starts] [warm invocations]";
    let api = args.next().ok_or(usage)?;
    let hello = args.next().ok_or(usage)?;
    let cold_starts: usize = args.next().map(|n| n.parse()).transpose()?.unwrap_or(30);
    let warm_invocations: usize = args.next().map(|n| n.parse()).transpose()?.unwrap_or(200);
    let repository = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let functions = [
        Function {
            label: "hello-world",
            path: hello,
            name: "HelloWorldFunction",
        },
        Function {
            label: "api",
            path: api,
            name: "ApiFunction",
        },
    ];

    println!("machine: {}", machine());
    for function in &functions {
        let size = std::fs::metadata(&function.path)?.len();
        println!(
            "{:>11}: {} ({:.2} MiB stripped)",
            function.label,
            function.path,
            size as f64 / 1_048_576.0
        );
    }
    let sizes: Vec<u64> = functions
        .iter()
        .map(|f| std::fs::metadata(&f.path).map(|m| m.len()))
        .collect::<Result<_, _>>()?;
    println!("size api/hello: {:.2}x", sizes[1] as f64 / sizes[0] as f64);

    let emulator = Emulator::start().await?;
    emulator.seed_demo();
    let pki = TestPki::new()?;
    let connections = Arc::new(AtomicUsize::new(0));
    let terminator = tls_terminator(
        emulator.address(),
        pki.server_config()?,
        Arc::clone(&connections),
    )
    .await?;
    let endpoint = format!("https://{terminator}");
    println!(
        "WorkMail (and WorkSpaces Web, DynamoDB) endpoint: {endpoint}, a rustls terminator in front of the emulator on {} (certificate from a test CA, ECDSA P-256, appended to the system roots)",
        emulator.url()
    );

    let work = std::env::temp_dir().join(format!(
        "idp-gateway-bench-cold-start-{}",
        std::process::id()
    ));
    let scenarios = pki.scenarios(&work)?;

    // As template.yaml deploys the api: the managed list and the access policy from files, a lease
    // table (a DynamoDB client built at start, never called by a GET), the WorkMail call settings.
    let file = |path: &str| repository.join(path).to_string_lossy().into_owned();
    let deployed: Vec<(&str, String)> = vec![
        ("AWS_ENDPOINT_URL_WORKMAIL", endpoint.clone()),
        ("AWS_ENDPOINT_URL_WORKSPACES_WEB", endpoint.clone()),
        ("AWS_ENDPOINT_URL_DYNAMODB", endpoint.clone()),
        ("AWS_ACCESS_KEY_ID", "AKIDBENCHCOLDSTART".to_owned()),
        ("AWS_SECRET_ACCESS_KEY", "secret".to_owned()),
        ("AWS_SESSION_TOKEN", "session".to_owned()),
        (
            "MANAGED_ORGANIZATIONS_FILE",
            file("managed-organizations/managed-organizations.json"),
        ),
        (
            "ACCESS_POLICY_FILE",
            file("access-policy/access-policy.json"),
        ),
        ("AWS_LAMBDA_HTTP_IGNORE_STAGE_IN_PATH", "true".to_owned()),
        ("WORKMAIL_OPERATION_TIMEOUT_MS", "5000".to_owned()),
        ("WORKMAIL_ATTEMPT_TIMEOUT_MS", "2000".to_owned()),
        ("WORKMAIL_MAX_ATTEMPTS", "3".to_owned()),
        ("WRITE_LOCK_TABLE", "idp-gateway-write-locks".to_owned()),
        ("WRITE_LOCK_IN_PROCESS", "false".to_owned()),
    ];
    let event = event(&repository, EVENT)?;

    let mut warm_env = Vec::new();
    for scenario in &scenarios {
        let env: Vec<(&str, String)> = deployed
            .iter()
            .cloned()
            .chain(scenario.roots.iter().cloned())
            .collect();
        let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let before = connections.load(Ordering::Relaxed);
        // Interleaved, so that load from elsewhere on the machine falls on both alike.
        let mut samples = [Samples::default(), Samples::default()];
        for _ in 0..cold_starts {
            for (function, samples) in functions.iter().zip(samples.iter_mut()) {
                let mut process = FunctionProcess::start(&function.path, function.name, &env)
                    .await
                    .map_err(|e| format!("{} did not start: {e:?}", function.label))?;
                let init = process.cold_start().unwrap_or_default();
                let invocation = process.invoke(event.clone()).await;
                expect_ok(function.label, &invocation.outcome, &process.logs())?;
                samples.init.push(init);
                samples.first.push(invocation.latency);
                samples.total.push(init + invocation.latency);
            }
        }
        let handshakes = connections.load(Ordering::Relaxed) - before;
        println!();
        println!(
            "== {} ({cold_starts} cold starts of each, interleaved; {handshakes} TLS connections to WorkMail)",
            scenario.title
        );
        table(&mut samples);
        warm_env = env.iter().map(|(k, v)| (*k, (*v).to_owned())).collect();
    }

    let env: Vec<(&str, &str)> = warm_env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    println!();
    println!(
        "== warm GET ({warm_invocations} invocations of one process each, after its first; last scenario's roots)"
    );
    let mut warm = Vec::new();
    for function in &functions {
        let mut process = FunctionProcess::start(&function.path, function.name, &env)
            .await
            .map_err(|e| format!("{} did not start: {e:?}", function.label))?;
        let first = process.invoke(event.clone()).await;
        expect_ok(function.label, &first.outcome, &process.logs())?;
        let mut latencies = Vec::with_capacity(warm_invocations);
        for _ in 0..warm_invocations {
            let invocation = process.invoke(event.clone()).await;
            expect_ok(function.label, &invocation.outcome, &process.logs())?;
            latencies.push(invocation.latency);
        }
        warm.push(latencies);
    }
    let (hello, api) = warm.split_at_mut(1);
    row("warm request", &mut hello[0], &mut api[0]);
    let _ = std::fs::remove_dir_all(&work);
    Ok(())
}

fn table(samples: &mut [Samples; 2]) {
    println!(
        "{:<32} {:>22} {:>22} {:>10}",
        "", "hello-world p50 / p90", "api p50 / p90", "api/hello"
    );
    let [hello, api] = samples;
    row("init (start to first poll)", &mut hello.init, &mut api.init);
    row("first request (GET)", &mut hello.first, &mut api.first);
    row("init + first request", &mut hello.total, &mut api.total);
}

fn row(label: &str, hello: &mut [Duration], api: &mut [Duration]) {
    let (h50, h90) = (percentile(hello, 0.5), percentile(hello, 0.9));
    let (a50, a90) = (percentile(api, 0.5), percentile(api, 0.9));
    println!(
        "{label:<32} {:>22} {:>22} {:>9.2}x",
        format!("{:.2} / {:.2} ms", ms(h50), ms(h90)),
        format!("{:.2} / {:.2} ms", ms(a50), ms(a90)),
        ms(a50) / ms(h50)
    );
}

/// A test CA, the terminator's certificate for 127.0.0.1 signed by it, and the root stores built
/// from the system's with the CA added.
struct TestPki {
    ca_pem: String,
    chain: Vec<rustls::pki_types::CertificateDer<'static>>,
    key: Vec<u8>,
}

impl TestPki {
    fn new() -> Result<Self, BoxError> {
        let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new())?;
        ca_params.distinguished_name.push(
            rcgen::DnType::CommonName,
            "idp-gateway cold-start benchmark CA",
        );
        ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        ca_params.key_usages = vec![
            rcgen::KeyUsagePurpose::KeyCertSign,
            rcgen::KeyUsagePurpose::CrlSign,
        ];
        let ca = rcgen::CertifiedIssuer::self_signed(ca_params, rcgen::KeyPair::generate()?)?;
        let mut leaf_params = rcgen::CertificateParams::new(vec!["127.0.0.1".to_owned()])?;
        leaf_params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "127.0.0.1");
        let leaf_key = rcgen::KeyPair::generate()?;
        let leaf = leaf_params.signed_by(&leaf_key, &ca)?;
        Ok(Self {
            ca_pem: ca.pem(),
            chain: vec![leaf.der().clone(), ca.der().clone()],
            key: leaf_key.serialize_der(),
        })
    }

    fn server_config(&self) -> Result<Arc<rustls::ServerConfig>, BoxError> {
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()?
            .with_no_client_auth()
            .with_single_cert(
                self.chain.clone(),
                PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(self.key.clone())),
            )?;
        Ok(Arc::new(config))
    }

    /// The two ways the functions find their roots: as Debian's probe finds them without any
    /// setting (the bundle, then every file of /etc/ssl/certs, here a copy of that directory made of
    /// links, the CA added), and one bundle file named by SSL_CERT_FILE (what template.yaml sets on
    /// provided.al2023, whose roots are one bundle).
    fn scenarios(&self, work: &Path) -> Result<Vec<Scenario>, BoxError> {
        let system = std::fs::read_to_string(SYSTEM_BUNDLE).map_err(|e| {
            format!("{SYSTEM_BUNDLE}: {e} (the benchmark adds its CA to the system's roots)")
        })?;
        let bundle_text = format!("{system}\n{}", self.ca_pem);
        let directory = work.join("certs");
        std::fs::create_dir_all(&directory)?;
        let mut files = 0;
        for entry in std::fs::read_dir(SYSTEM_DIR)? {
            let entry = entry?;
            let name = entry.file_name();
            if name == "ca-certificates.crt" {
                continue;
            }
            std::os::unix::fs::symlink(entry.path(), directory.join(&name))?;
            files += 1;
        }
        let directory_bundle = directory.join("ca-certificates.crt");
        std::fs::write(&directory_bundle, &bundle_text)?;
        std::fs::write(directory.join("idp-gateway-bench-ca.pem"), &self.ca_pem)?;
        let bundle: PathBuf = work.join("ca-bundle.crt");
        std::fs::write(&bundle, &bundle_text)?;
        let path = |p: &Path| p.to_string_lossy().into_owned();
        Ok(vec![
            Scenario {
                title: format!(
                    "roots as rustls-native-certs finds them on Debian with nothing set: the bundle and a {}-entry directory",
                    files + 2
                ),
                roots: vec![
                    ("SSL_CERT_FILE", path(&directory_bundle)),
                    ("SSL_CERT_DIR", path(&directory)),
                ],
            },
            Scenario {
                title: "roots from one bundle file, SSL_CERT_FILE (as template.yaml sets on provided.al2023)".to_owned(),
                roots: vec![("SSL_CERT_FILE", path(&bundle))],
            },
        ])
    }
}

/// Terminates TLS on a loopback port and relays each connection's bytes to `upstream`.
async fn tls_terminator(
    upstream: SocketAddr,
    config: Arc<rustls::ServerConfig>,
    connections: Arc<AtomicUsize>,
) -> std::io::Result<SocketAddr> {
    let listener = TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0))).await?;
    let address = listener.local_addr()?;
    let acceptor = TlsAcceptor::from(config);
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            let acceptor = acceptor.clone();
            let connections = Arc::clone(&connections);
            tokio::spawn(async move {
                let _ = stream.set_nodelay(true);
                let Ok(mut tls) = acceptor.accept(stream).await else {
                    return;
                };
                connections.fetch_add(1, Ordering::Relaxed);
                let Ok(mut plain) = TcpStream::connect(upstream).await else {
                    return;
                };
                let _ = plain.set_nodelay(true);
                let _ = tokio::io::copy_bidirectional(&mut tls, &mut plain).await;
            });
        }
    });
    Ok(address)
}

fn expect_ok(label: &str, outcome: &Outcome, logs: &[String]) -> Result<(), String> {
    match outcome {
        Outcome::Response(body) if body["statusCode"] == 200 => Ok(()),
        other => Err(format!(
            "{label}: expected a 200 response, got {other:?}; logs: {logs:#?}"
        )),
    }
}

fn event(repository: &Path, file: &str) -> Result<Value, BoxError> {
    let path = repository.join("events").join(file);
    Ok(serde_json::from_str(&std::fs::read_to_string(path)?)?)
}

fn machine() -> String {
    let cpus = std::thread::available_parallelism().map_or(0, |n| n.get());
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find_map(|line| line.strip_prefix("model name"))
        .and_then(|rest| rest.split_once(':'))
        .map_or("unknown CPU", |(_, model)| model.trim())
        .to_owned();
    let os = std::fs::read_to_string("/etc/os-release")
        .unwrap_or_default()
        .lines()
        .find_map(|line| line.strip_prefix("PRETTY_NAME="))
        .map_or("unknown OS".to_owned(), |name| {
            name.trim_matches('"').to_owned()
        });
    format!("{cpus} CPUs, {model}, {os}, {}", std::env::consts::ARCH)
}

fn percentile(samples: &mut [Duration], q: f64) -> Duration {
    samples.sort();
    let index = ((samples.len() as f64 - 1.0) * q).round() as usize;
    samples.get(index).copied().unwrap_or_default()
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}
