//! Benchmark (not a test): cold start and per-invocation latency of a built `api` binary under the
//! local Lambda Runtime API, with the emulator as WorkMail. Run it through `scripts/bench-api.sh`.
//!
//! Usage: bench_api <path to api binary> [cold starts] [invocations per event]

use std::time::Duration;

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
    let env = [
        ("AWS_ENDPOINT_URL_WORKMAIL", endpoint.as_str()),
        ("AWS_ACCESS_KEY_ID", "AKIDBENCH"),
        ("AWS_SECRET_ACCESS_KEY", "secret"),
        ("WRITE_LOCK_IN_PROCESS", "true"),
        ("AWS_LAMBDA_LOG_LEVEL", "warn"),
    ];
    let size = std::fs::metadata(&binary)?.len();
    println!("binary {binary}: {:.1} MiB", size as f64 / 1_048_576.0);

    let mut init = Vec::new();
    let mut first = Vec::new();
    for _ in 0..cold_starts {
        let mut process = FunctionProcess::start(&binary, "ApiFunction", &env)
            .await
            .map_err(|e| format!("start: {e:?}"))?;
        init.push(process.cold_start().unwrap_or_default());
        let invocation = process.invoke(event("rest-get.json")?).await;
        expect_response(&invocation.outcome)?;
        first.push(invocation.latency);
    }
    report(
        &format!("cold start, process start to first poll ({cold_starts} starts)"),
        &mut init,
    );
    report(
        "first invocation (GET, new WorkMail connection)",
        &mut first,
    );

    let mut process = FunctionProcess::start(&binary, "ApiFunction", &env)
        .await
        .map_err(|e| format!("start: {e:?}"))?;
    for file in EVENTS {
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
    }
    Ok(())
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

fn report(label: &str, samples: &mut [Duration]) {
    samples.sort();
    let at = |q: f64| {
        let index = ((samples.len() as f64 - 1.0) * q).round() as usize;
        samples.get(index).copied().unwrap_or_default()
    };
    println!(
        "{label}: p50 {:.2} ms, p90 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        ms(at(0.5)),
        ms(at(0.9)),
        ms(at(0.99)),
        ms(at(1.0))
    );
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}
