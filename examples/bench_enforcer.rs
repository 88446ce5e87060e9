//! Benchmark (not a test): a sweep of many organizations against the emulator limited to a fixed
//! request rate, through the real SDK client. Prints the elapsed time next to the floor that rate
//! allows (WorkMail calls needed / rate). Run it through `scripts/bench-enforcer.sh`.
//!
//! Usage: bench_enforcer [organizations] [calls per second] [percent drifted]

use std::time::Instant;

use aws_config::BehaviorVersion;
use aws_sdk_workmail::config::Credentials;
use idp_gateway::enforce::{EnforcementPolicy, Enforcer};
use idp_gateway::lease::{InProcessLeases, LeaseSettings, LeaseStore};
use idp_gateway::workmail::{SdkWorkMail, UpstreamSettings};
use serde_json::{Map, Value, json};
use workmail_emulator::{Emulator, OrganizationState, demo};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let count: usize = args.next().map(|n| n.parse()).transpose()?.unwrap_or(1000);
    let rate: f64 = args.next().map(|n| n.parse()).transpose()?.unwrap_or(100.0);
    let drifted_percent: usize = args.next().map(|n| n.parse()).transpose()?.unwrap_or(10);

    let emulator = Emulator::start().await?;
    emulator.add_identity_center_application(demo::INSTANCE_ARN, demo::APPLICATION_ARN);
    let mut organizations = Map::new();
    let mut drifted = 0;
    for index in 0..count {
        let id = format!("m-{index:032x}");
        emulator.add_organization(&id, "bench", OrganizationState::Active);
        let lifetime = if index * 100 < count * drifted_percent {
            drifted += 1;
            365
        } else {
            90
        };
        emulator.set_identity_provider(&id, Some(stored(lifetime)));
        organizations.insert(id, json!({ "mode": "enforce", "desired": desired(90) }));
    }
    let policy = json!({
        "maxChangesPerRun": count,
        "maxConcurrency": 8,
        "callsPerSecond": rate,
        "organizations": organizations,
    });
    let policy = EnforcementPolicy::parse(&policy.to_string()).map_err(|e| e.to_string())?;
    let config = aws_config::defaults(BehaviorVersion::latest())
        .region("us-east-1")
        .endpoint_url(emulator.url())
        .credentials_provider(Credentials::new("AKIDBENCH", "secret", None, None, "bench"))
        .load()
        .await;
    let enforcer = Enforcer::new(
        SdkWorkMail::new(&config, &UpstreamSettings::default()),
        LeaseStore::InProcess(InProcessLeases::new()),
        LeaseSettings::for_operation_timeout(UpstreamSettings::default().operation_timeout),
        policy,
        None,
    );
    emulator.set_rate_limit(Some((rate, 5)));

    let started = Instant::now();
    let summary = enforcer
        .handle(&json!({ "source": "aws.events", "detail-type": "Scheduled Event" }))
        .await?;
    let elapsed = started.elapsed().as_secs_f64();

    let calls = count + 2 * drifted;
    let floor = calls as f64 / rate;
    println!(
        "swept {count} organizations ({drifted} drifted) at {rate} calls/s: {elapsed:.2} s; floor {calls} calls / {rate} = {floor:.2} s; ratio {:.3}",
        elapsed / floor
    );
    println!(
        "totals {}; WorkMail calls received {}; throttled by the rate limit {}",
        serde_json::to_string(&summary.totals)?,
        emulator.calls().len(),
        emulator.throttled_by_rate_limit()
    );
    Ok(())
}

fn desired(lifetime: u32) -> Value {
    json!({
        "authenticationMode": "IDENTITY_PROVIDER_AND_DIRECTORY",
        "identityCenter": { "instanceArn": demo::INSTANCE_ARN, "applicationArn": demo::APPLICATION_ARN },
        "personalAccessTokens": { "status": "ACTIVE", "lifetimeInDays": lifetime }
    })
}

fn stored(lifetime: u32) -> Value {
    json!({
        "AuthenticationMode": "IDENTITY_PROVIDER_AND_DIRECTORY",
        "IdentityCenterConfiguration": { "InstanceArn": demo::INSTANCE_ARN, "ApplicationArn": demo::APPLICATION_ARN },
        "PersonalAccessTokenConfiguration": { "Status": "ACTIVE", "LifetimeInDays": lifetime }
    })
}
