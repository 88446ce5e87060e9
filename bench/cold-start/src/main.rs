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

use std::time::Duration;

use bench_cold_start::{BoxError, Function, Upstream, event, expect_ok, functions, machine};
use lambda_harness::FunctionProcess;
use serde_json::Value;

#[derive(Default)]
struct Samples {
    init: Vec<Duration>,
    first: Vec<Duration>,
    total: Vec<Duration>,
    init_cpu: Vec<Duration>,
    first_cpu: Vec<Duration>,
    init_faults: Vec<u64>,
    first_faults: Vec<u64>,
}

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    let mut args = std::env::args().skip(1);
    let usage = "usage: bench-cold-start <api binary> <hello-world binary> [cold starts] [warm invocations]";
    let api = args.next().ok_or(usage)?;
    let hello = args.next().ok_or(usage)?;
    let cold_starts: usize = args.next().map(|n| n.parse()).transpose()?.unwrap_or(30);
    let warm_invocations: usize = args.next().map(|n| n.parse()).transpose()?.unwrap_or(200);
    let functions = functions(api, hello);

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

    let upstream = Upstream::start().await?;
    println!("{}", upstream.describe());
    let terminator = &upstream.terminator;
    let event = event()?;

    for scenario in &upstream.scenarios() {
        let env = scenario.env();
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
                let init_faults = process.page_faults().unwrap_or_default();
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
                samples.init_faults.push(init_faults);
                samples.first_faults.push(
                    process
                        .page_faults()
                        .unwrap_or_default()
                        .saturating_sub(init_faults),
                );
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
    count_row(
        "init, page faults",
        &mut hello.init_faults,
        &mut api.init_faults,
    );
    count_row(
        "first request, page faults",
        &mut hello.first_faults,
        &mut api.first_faults,
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

fn count_row(label: &str, hello: &mut [u64], api: &mut [u64]) {
    let (h50, h90) = (percentile(hello, 0.5), percentile(hello, 0.9));
    let (a50, a90) = (percentile(api, 0.5), percentile(api, 0.9));
    println!(
        "{label:<34} {:>22} {:>22} {:>9.2}x",
        format!("{h50} / {h90}"),
        format!("{a50} / {a90}"),
        a50 as f64 / h50.max(1) as f64
    );
}

fn percentile<T: Ord + Copy + Default>(samples: &mut [T], q: f64) -> T {
    samples.sort();
    let index = ((samples.len() as f64 - 1.0) * q).round() as usize;
    samples.get(index).copied().unwrap_or_default()
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}
