//! Benchmark (not a test): the `api` function beside a hello-world lambda_http function, both release
//! builds of the same profile, started again and again under the local Lambda Runtime API in one run:
//! init (process start to the first `next` poll), the first request, warm requests, and the binaries'
//! sizes. The api's WorkMail is the emulator behind lambda-harness's loopback TLS terminator (a chain
//! of AWS's shape under a test root trusted beside Amazon's), so that its first request pays what a
//! deployed one pays: the handshake, its first randomness, and the call. A second run of the same
//! measurements has WorkMail over plain HTTP, as issue 12's first figures were taken, to show what
//! of the first request is the handshake. Run it through `scripts/bench-cold-start.sh`.
//!
//! Usage: bench-cold-start <api binary> <hello-world binary> [cold starts] [warm invocations]

use std::path::Path;
use std::time::Duration;

use lambda_harness::tls::TestPki;
use lambda_harness::{FunctionProcess, Outcome};
use serde_json::Value;
use workmail_emulator::Emulator;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

const EVENT: &str = "rest-get.json";

struct Function {
    label: &'static str,
    path: String,
    name: &'static str,
}

struct Scenario {
    title: &'static str,
    endpoint: String,
    roots: Vec<(&'static str, String)>,
}

#[derive(Default)]
struct Samples {
    init: Vec<Duration>,
    first: Vec<Duration>,
    total: Vec<Duration>,
    init_cpu: Vec<Duration>,
    first_cpu: Vec<Duration>,
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
    let pki = TestPki::new("idp-gateway cold-start benchmark")?;
    let terminator = pki.terminator(emulator.address()).await?;
    println!(
        "WorkMail (and WorkSpaces Web, DynamoDB): the emulator on {}, and in front of it on {} a rustls terminator (RSA 2048 leaf and intermediate under a test root, as AWS's endpoints present under Amazon Root CA 1; the root trusted through EXTRA_ROOT_CERTIFICATES_FILE)",
        emulator.url(),
        terminator.url()
    );

    let work = std::env::temp_dir().join(format!(
        "idp-gateway-bench-cold-start-{}",
        std::process::id()
    ));
    std::fs::create_dir_all(&work)?;
    let root = work.join("bench-root.pem");
    std::fs::write(&root, pki.root_pem())?;
    // The roots as a deployed api has them (Amazon's five, compiled in), and the test root, since
    // the terminator's chain ends at no Amazon root. The second scenario is how issue 12's first
    // figures were taken: WorkMail over plain HTTP, so that no handshake is part of the first request.
    let scenarios = [
        Scenario {
            title: "WorkMail over TLS: Amazon's roots (compiled in) and the benchmark's root (EXTRA_ROOT_CERTIFICATES_FILE)",
            endpoint: terminator.url(),
            roots: vec![(
                "EXTRA_ROOT_CERTIFICATES_FILE",
                root.to_string_lossy().into_owned(),
            )],
        },
        Scenario {
            title: "WorkMail over plain HTTP (the emulator itself, no handshake)",
            endpoint: emulator.url(),
            roots: Vec::new(),
        },
    ];

    // As template.yaml deploys the api: the managed list and the access policy from files, a lease
    // table (a DynamoDB client built at start, never called by a GET), the WorkMail call settings,
    // and the endpoint table of the function's region (the harness's, us-east-1).
    let file = |path: &str| repository.join(path).to_string_lossy().into_owned();
    let deployed = |endpoint: &str| -> Vec<(&'static str, String)> {
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
    };
    let event = event(&repository, EVENT)?;

    for scenario in &scenarios {
        let env: Vec<(&str, String)> = deployed(&scenario.endpoint)
            .into_iter()
            .chain(scenario.roots.iter().cloned())
            .collect();
        let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let before = terminator.handshakes();
        // Interleaved, each first in turn, and every process ended and reaped before the next
        // starts, so that load from elsewhere on the machine, and the teardown of the process
        // before (its connections closing in the terminator and the emulator), falls on both alike.
        let mut samples = [Samples::default(), Samples::default()];
        for start in 0..cold_starts {
            let mut order = [0, 1];
            order.rotate_left(start % 2);
            for index in order {
                let (function, samples) = (&functions[index], &mut samples[index]);
                let mut process = FunctionProcess::start(&function.path, function.name, &env)
                    .await
                    .map_err(|e| format!("{} did not start: {e:?}", function.label))?;
                let init = process.cold_start().unwrap_or_default();
                let init_cpu = process.cpu_time().unwrap_or_default();
                let invocation = process.invoke(event.clone()).await;
                expect_ok(function.label, &invocation.outcome, &process.logs())?;
                let first_cpu = process
                    .cpu_time()
                    .unwrap_or_default()
                    .saturating_sub(init_cpu);
                samples.init.push(init);
                samples.first.push(invocation.latency);
                samples.total.push(init + invocation.latency);
                samples.init_cpu.push(init_cpu);
                samples.first_cpu.push(first_cpu);
                process.stop().await?;
            }
        }
        let handshakes = terminator.handshakes() - before;
        println!();
        println!(
            "== {} ({cold_starts} cold starts of each, interleaved; {handshakes} TLS connections to WorkMail; then {warm_invocations} warm invocations of one process each, after its first)",
            scenario.title
        );
        table(&mut samples);
        let [mut hello, mut api] = [Warm::default(), Warm::default()];
        for (function, warm) in functions.iter().zip([&mut hello, &mut api]) {
            *warm = warm_requests(function, &env, &event, warm_invocations).await?;
        }
        row("warm request", &mut hello.latency, &mut api.latency);
        row(
            "warm request, CPU of the process",
            &mut hello.cpu,
            &mut api.cpu,
        );
    }
    let _ = std::fs::remove_dir_all(&work);
    Ok(())
}

#[derive(Default)]
struct Warm {
    latency: Vec<Duration>,
    cpu: Vec<Duration>,
}

/// One process of `function`, invoked once and then `invocations` times more, each timed.
async fn warm_requests(
    function: &Function,
    env: &[(&str, &str)],
    event: &Value,
    invocations: usize,
) -> Result<Warm, BoxError> {
    let mut process = FunctionProcess::start(&function.path, function.name, env)
        .await
        .map_err(|e| format!("{} did not start: {e:?}", function.label))?;
    let first = process.invoke(event.clone()).await;
    expect_ok(function.label, &first.outcome, &process.logs())?;
    let mut warm = Warm::default();
    for _ in 0..invocations {
        let before = process.cpu_time().unwrap_or_default();
        let invocation = process.invoke(event.clone()).await;
        expect_ok(function.label, &invocation.outcome, &process.logs())?;
        warm.latency.push(invocation.latency);
        warm.cpu.push(
            process
                .cpu_time()
                .unwrap_or_default()
                .saturating_sub(before),
        );
    }
    process.stop().await?;
    Ok(warm)
}

fn table(samples: &mut [Samples; 2]) {
    println!(
        "{:<34} {:>22} {:>22} {:>10}",
        "", "hello-world p50 / p90", "api p50 / p90", "api/hello"
    );
    let [hello, api] = samples;
    row("init (start to first poll)", &mut hello.init, &mut api.init);
    row("first request (GET)", &mut hello.first, &mut api.first);
    row("init + first request", &mut hello.total, &mut api.total);
    row(
        "init, CPU of the process",
        &mut hello.init_cpu,
        &mut api.init_cpu,
    );
    row(
        "first request, CPU of the process",
        &mut hello.first_cpu,
        &mut api.first_cpu,
    );
}

fn row(label: &str, hello: &mut [Duration], api: &mut [Duration]) {
    let (h50, h90) = (percentile(hello, 0.5), percentile(hello, 0.9));
    let (a50, a90) = (percentile(api, 0.5), percentile(api, 0.9));
    println!(
        "{label:<34} {:>22} {:>22} {:>9.2}x",
        format!("{:.2} / {:.2} ms", ms(h50), ms(h90)),
        format!("{:.2} / {:.2} ms", ms(a50), ms(a90)),
        ms(a50) / ms(h50)
    );
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
