//! Profile (not a test): the instructions the `api` and a hello-world lambda_http function execute in
//! each phase of a cold start, counted by `valgrind --tool=callgrind` (repeatable for the same binary
//! and inputs, whatever else the machine is doing): from exec to the first `next` poll (init), from
//! there to the next poll (the first request, answered), and one warm request after it. Each phase is
//! one run stopped with SIGTERM once the function polls again, and a phase's count is the difference
//! between two runs. The callgrind files stay in the output folder for `callgrind_annotate`. Run it
//! through `scripts/profile-cold-start.sh`, which builds both with symbols.
//!
//! Usage: profile-cold-start <api binary> <hello-world binary> <output folder>

use std::path::{Path, PathBuf};

use bench_cold_start::{BoxError, Function, Upstream, event, expect_ok, functions, machine};
use lambda_harness::FunctionProcess;
use serde_json::Value;

/// The phases, by the number of polls at which a run stops.
const PHASES: [&str; 3] = ["init", "first request", "warm request"];

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    let mut args = std::env::args().skip(1);
    let usage = "usage: profile-cold-start <api binary> <hello-world binary> <output folder>";
    let api = args.next().ok_or(usage)?;
    let hello = args.next().ok_or(usage)?;
    let output = PathBuf::from(args.next().ok_or(usage)?);
    std::fs::create_dir_all(&output)?;
    let functions = functions(api, hello);
    let upstream = Upstream::start().await?;
    let event = event()?;
    println!("machine: {}", machine());
    println!("{}", upstream.describe());
    for (index, scenario) in upstream.scenarios().iter().enumerate() {
        let env = scenario.env();
        let mut counts = Vec::new();
        for function in &functions {
            let mut totals = Vec::new();
            for polls in 1..=PHASES.len() as u64 {
                let profile = output.join(format!(
                    "callgrind.{}.scenario-{}.polls-{polls}",
                    function.label,
                    index + 1
                ));
                let wrapper = wrapper(upstream.work(), function, &profile)?;
                totals.push(profiled_run(function, &wrapper, &env, &event, polls, &profile).await?);
            }
            counts.push(phases(&totals));
        }
        println!();
        println!("== {} (instructions, callgrind)", scenario.title);
        println!(
            "{:<16} {:>14} {:>14} {:>10}",
            "", "hello-world", "api", "api/hello"
        );
        for (phase, label) in PHASES.iter().enumerate() {
            let (hello, api) = (counts[0][phase], counts[1][phase]);
            println!(
                "{label:<16} {:>14} {:>14} {:>9.2}x",
                thousands(hello),
                thousands(api),
                api as f64 / hello.max(1) as f64
            );
        }
    }
    println!();
    println!(
        "profiles (each from exec to its poll): {}/callgrind.<function>.scenario-<n>.polls-<1|2|3>; callgrind_annotate --inclusive=yes <file>",
        output.display()
    );
    Ok(())
}

/// A script that runs `function` under callgrind, writing its profile to `profile`.
fn wrapper(work: &Path, function: &Function, profile: &Path) -> Result<PathBuf, BoxError> {
    use std::os::unix::fs::PermissionsExt;
    let script = work.join(format!("callgrind-{}", function.label));
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\nexec valgrind --quiet --tool=callgrind --callgrind-out-file='{}' '{}' \"$@\"\n",
            profile.display(),
            function.path
        ),
    )?;
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755))?;
    Ok(script)
}

/// Starts the function under callgrind, invokes it until it has polled `polls` times, ends it, and
/// reads the instructions it executed.
async fn profiled_run(
    function: &Function,
    wrapper: &Path,
    env: &[(&str, &str)],
    event: &Value,
    polls: u64,
    profile: &Path,
) -> Result<u64, BoxError> {
    let mut process = FunctionProcess::start(wrapper, function.name, env)
        .await
        .map_err(|e| format!("{} did not start: {e:?}", function.label))?;
    for _ in 1..polls {
        let invocation = process.invoke(event.clone()).await;
        expect_ok(function.label, &invocation.outcome, &process.logs())?;
    }
    process
        .wait_for_polls(polls)
        .await
        .map_err(|e| format!("{}: {e:?}", function.label))?;
    process.terminate().await?;
    let text = std::fs::read_to_string(profile).map_err(|e| {
        format!(
            "{}: no profile at {}: {e}",
            function.label,
            profile.display()
        )
    })?;
    text.lines()
        .find_map(|line| {
            line.strip_prefix("summary: ")
                .or(line.strip_prefix("totals: "))
        })
        .and_then(|count| count.trim().parse().ok())
        .ok_or_else(|| format!("{}: {} holds no total", function.label, profile.display()).into())
}

/// Each phase's own instructions, from the totals of runs that stop after one more phase each.
fn phases(totals: &[u64]) -> Vec<u64> {
    totals
        .iter()
        .scan(0, |before, &total| {
            let phase = total.saturating_sub(*before);
            *before = total;
            Some(phase)
        })
        .collect()
}

fn thousands(count: u64) -> String {
    let digits = count.to_string();
    let mut grouped = String::new();
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    grouped
}
