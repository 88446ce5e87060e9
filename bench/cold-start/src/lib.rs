//! What the cold-start benchmark and the cold-start profile share: the two functions, the upstream
//! they call (the emulator, and a loopback TLS terminator in front of it), the deployed api's
//! environment in each scenario, the event, and the machine's description.

use std::path::{Path, PathBuf};

use lambda_harness::Outcome;
use lambda_harness::tls::{TestPki, TlsTerminator};
use serde_json::Value;
use workmail_emulator::Emulator;

pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The event every cold start is invoked with: a GET of one organization's identity provider.
pub const EVENT: &str = "rest-get.json";

/// One function binary under the local Runtime API.
pub struct Function {
    pub label: &'static str,
    pub path: String,
    pub name: &'static str,
}

/// hello-world first, then the api.
pub fn functions(api: String, hello: String) -> [Function; 2] {
    [
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
    ]
}

/// One way the api reaches WorkMail, with the environment that goes with it.
pub struct Scenario {
    pub title: &'static str,
    pub env: Vec<(&'static str, String)>,
}

impl Scenario {
    pub fn env(&self) -> Vec<(&str, &str)> {
        self.env.iter().map(|(k, v)| (*k, v.as_str())).collect()
    }
}

/// The emulator, seeded with the demo data, and a rustls terminator in front of it that serves a
/// chain of AWS's shape (RSA 2048 leaf and intermediate under a test root, as AWS's endpoints present
/// under Amazon Root CA 1).
pub struct Upstream {
    emulator: Emulator,
    pub terminator: TlsTerminator,
    work: PathBuf,
    root: PathBuf,
    repository: PathBuf,
}

impl Upstream {
    pub async fn start() -> Result<Self, BoxError> {
        let emulator = Emulator::start().await?;
        emulator.seed_demo();
        let pki = TestPki::new("idp-gateway cold-start benchmark")?;
        let terminator = pki.terminator(emulator.address()).await?;
        let work = std::env::temp_dir().join(format!(
            "idp-gateway-bench-cold-start-{}",
            std::process::id()
        ));
        std::fs::create_dir_all(&work)?;
        let root = work.join("bench-root.pem");
        std::fs::write(&root, pki.root_pem())?;
        Ok(Self {
            emulator,
            terminator,
            work,
            root,
            repository: repository(),
        })
    }

    /// A folder of this run's, removed when the upstream stops.
    pub fn work(&self) -> &Path {
        &self.work
    }

    pub fn describe(&self) -> String {
        format!(
            "WorkMail (and WorkSpaces Web, DynamoDB): the emulator on {}, and in front of it on {} a rustls terminator (RSA 2048 leaf and intermediate under a test root, as AWS's endpoints present under Amazon Root CA 1; the root trusted through EXTRA_ROOT_CERTIFICATES_FILE); both reached by the name localhost, as AWS's endpoints are by theirs",
            self.emulator.url(),
            self.terminator.url()
        )
    }

    /// WorkMail over TLS, as deployed: Amazon's roots (compiled in) and the test root; then WorkMail
    /// over plain HTTP, as issue 12's first figures were taken, so that no handshake is part of the
    /// first request. Both by name (`localhost`), so that a first connection looks its host up, as
    /// a deployed function's does.
    pub fn scenarios(&self) -> [Scenario; 2] {
        let mut tls = self.deployed(&self.terminator.named_url());
        tls.push((
            "EXTRA_ROOT_CERTIFICATES_FILE",
            self.root.to_string_lossy().into_owned(),
        ));
        [
            Scenario {
                title: "WorkMail over TLS: Amazon's roots (compiled in) and the benchmark's root (EXTRA_ROOT_CERTIFICATES_FILE)",
                env: tls,
            },
            Scenario {
                title: "WorkMail over plain HTTP (the emulator itself, no handshake)",
                env: self.deployed(&format!(
                    "http://localhost:{}",
                    self.emulator.address().port()
                )),
            },
        ]
    }

    /// As template.yaml deploys the api: the managed list and the access policy from files, a lease
    /// table (a DynamoDB client built at start, never called by a GET), the WorkMail call settings,
    /// and the endpoint table of the function's region (the harness's, us-east-1).
    fn deployed(&self, endpoint: &str) -> Vec<(&'static str, String)> {
        let file = |path: &str| self.repository.join(path).to_string_lossy().into_owned();
        vec![
            ("AWS_ENDPOINT_URL_WORKMAIL", endpoint.to_owned()),
            ("AWS_ENDPOINT_URL_WORKSPACES_WEB", endpoint.to_owned()),
            ("AWS_ENDPOINT_URL_DYNAMODB", endpoint.to_owned()),
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
            (
                "SMITHY_CLIENT_SDK_CUSTOM_PARTITION",
                file("endpoint-partitions/endpoint-partition-us-east-1.json"),
            ),
        ]
    }
}

impl Drop for Upstream {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.work);
    }
}

fn repository() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The benchmark's event, from `events/`.
pub fn event() -> Result<Value, BoxError> {
    let path = repository().join("events").join(EVENT);
    Ok(serde_json::from_str(&std::fs::read_to_string(path)?)?)
}

/// Fails unless `outcome` is a 200 response.
pub fn expect_ok(label: &str, outcome: &Outcome, logs: &[String]) -> Result<(), String> {
    match outcome {
        Outcome::Response(body) if body["statusCode"] == 200 => Ok(()),
        other => Err(format!(
            "{label}: expected a 200 response, got {other:?}; logs: {logs:#?}"
        )),
    }
}

/// CPUs, model, operating system and architecture.
pub fn machine() -> String {
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
