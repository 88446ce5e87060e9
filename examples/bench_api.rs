//! Benchmark (not a test): cold start and per-invocation latency of a built `api` binary under the
//! local Lambda Runtime API, with the emulator as WorkMail, first with write leases in the process and
//! then (when `moto_server` is on the PATH) in a local DynamoDB table, to show what the lease adds to a
//! write (two DynamoDB calls: the conditional put and the conditional delete, plus the renewal). Run it
//! through `scripts/bench-api.sh`.
//!
//! Usage: bench_api <path to api binary> [cold starts] [invocations per event]

use std::time::Duration;

use lambda_harness::dynamodb::LocalDynamoDb;
use lambda_harness::{FunctionProcess, Outcome};
use serde_json::Value;
use workmail_emulator::Emulator;

const EVENTS: &[&str] = &[
    "rest-get.json",
    "http-get.json",
    "rest-put.json",
    "rest-patch.json",
    "rest-put-invalid.json",
];

/// The writes, which take the lease.
const WRITES: &[&str] = &["rest-put.json", "rest-patch.json"];

const TABLE: &str = "idp-gateway-write-locks";

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let binary = args
        .next()
        .ok_or("usage: bench_api <api binary> [cold starts] [invocations per event]")?;
    let cold_starts: usize = args.next().map(|n| n.parse()).transpose()?.unwrap_or(20);
    let invocations: usize = args.next().map(|n| n.parse()).transpose()?.unwrap_or(200);

    let emulator = Emulator::start().await?;
    emulator.seed_demo();
    let endpoint = emulator.url();
    let common = [
        ("AWS_ENDPOINT_URL_WORKMAIL", endpoint.clone()),
        ("AWS_ACCESS_KEY_ID", "AKIDBENCH".to_owned()),
        ("AWS_SECRET_ACCESS_KEY", "secret".to_owned()),
        ("AWS_LAMBDA_LOG_LEVEL", "warn".to_owned()),
    ];
    let size = std::fs::metadata(&binary)?.len();
    println!("binary {binary}: {:.1} MiB", size as f64 / 1_048_576.0);

    let mut in_process = common.to_vec();
    in_process.push(("WRITE_LOCK_IN_PROCESS", "true".to_owned()));
    println!("== write leases in the process");
    cold_starts_of(&binary, &in_process, cold_starts).await?;
    let local = warm(&binary, &in_process, &emulator, EVENTS, invocations).await?;

    if which("moto_server").is_none() {
        println!(
            "moto_server is not on the PATH (python3 -m pip install \"moto[server]\"): no DynamoDB lease figures"
        );
        return Ok(());
    }
    let dynamodb = LocalDynamoDb::start().await;
    dynamodb.create_lease_table(TABLE).await;
    let mut shared = common.to_vec();
    shared.push(("WRITE_LOCK_TABLE", TABLE.to_owned()));
    shared.push(("AWS_ENDPOINT_URL_DYNAMODB", dynamodb.url.clone()));
    println!(
        "== write leases in DynamoDB (moto's server on loopback: slower per call than DynamoDB in-region)"
    );
    cold_starts_of(&binary, &shared, cold_starts).await?;
    let leased = warm(&binary, &shared, &emulator, WRITES, invocations).await?;
    for ((file, mut without), (_, mut with)) in local
        .into_iter()
        .filter(|(file, _)| WRITES.contains(file))
        .zip(leased)
    {
        let (p50, p99) = (percentile(&mut with, 0.5), percentile(&mut with, 0.99));
        let (base50, base99) = (
            percentile(&mut without, 0.5),
            percentile(&mut without, 0.99),
        );
        println!(
            "lease added to {file}: p50 {:+.2} ms, p99 {:+.2} ms",
            ms(p50) - ms(base50),
            ms(p99) - ms(base99)
        );
    }
    Ok(())
}

/// Starts `binary` `count` times and reports the init and the first invocation.
async fn cold_starts_of(
    binary: &str,
    env: &[(&'static str, String)],
    count: usize,
) -> Result<(), Box<dyn std::error::Error>> {
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let mut init = Vec::new();
    let mut first = Vec::new();
    for _ in 0..count {
        let mut process = FunctionProcess::start(binary, "ApiFunction", &env)
            .await
            .map_err(|e| format!("start: {e:?}"))?;
        init.push(process.cold_start().unwrap_or_default());
        let invocation = process.invoke(event("rest-get.json")?).await;
        expect_response(&invocation.outcome)?;
        first.push(invocation.latency);
    }
    report(
        &format!("cold start, process start to first poll ({count} starts)"),
        &mut init,
    );
    report(
        "first invocation (GET, new WorkMail connection)",
        &mut first,
    );
    Ok(())
}

/// Invokes one warm process `invocations` times per file, each on the freshly seeded demo.
async fn warm(
    binary: &str,
    env: &[(&'static str, String)],
    emulator: &Emulator,
    files: &[&'static str],
    invocations: usize,
) -> Result<Vec<(&'static str, Vec<Duration>)>, Box<dyn std::error::Error>> {
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let mut process = FunctionProcess::start(binary, "ApiFunction", &env)
        .await
        .map_err(|e| format!("start: {e:?}"))?;
    let mut all = Vec::new();
    for file in files {
        let event = event(file)?;
        let mut latencies = Vec::with_capacity(invocations);
        for _ in 0..invocations {
            emulator.seed_demo();
            let invocation = process.invoke(event.clone()).await;
            expect_response(&invocation.outcome)?;
            latencies.push(invocation.latency);
        }
        report(
            &format!("warm {file} ({invocations} invocations)"),
            &mut latencies,
        );
        all.push((*file, latencies));
    }
    Ok(all)
}

fn which(program: &str) -> Option<std::path::PathBuf> {
    std::env::var_os("PATH").and_then(|path| {
        std::env::split_paths(&path)
            .map(|dir| dir.join(program))
            .find(|candidate| candidate.is_file())
    })
}

fn event(file: &str) -> Result<Value, Box<dyn std::error::Error>> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("events")
        .join(file);
    Ok(serde_json::from_str(&std::fs::read_to_string(path)?)?)
}

fn expect_response(outcome: &Outcome) -> Result<(), String> {
    match outcome {
        Outcome::Response(_) => Ok(()),
        other => Err(format!("expected a response, got {other:?}")),
    }
}

fn percentile(samples: &mut [Duration], q: f64) -> Duration {
    samples.sort();
    let index = ((samples.len() as f64 - 1.0) * q).round() as usize;
    samples.get(index).copied().unwrap_or_default()
}

fn report(label: &str, samples: &mut [Duration]) {
    println!(
        "{label}: p50 {:.2} ms, p90 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        ms(percentile(samples, 0.5)),
        ms(percentile(samples, 0.9)),
        ms(percentile(samples, 0.99)),
        ms(percentile(samples, 1.0))
    );
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}
