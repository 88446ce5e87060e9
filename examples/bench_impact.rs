//! Benchmark (not a test): how long the readiness report (every page of users and personal access
//! tokens, read concurrently and paced) takes for 1,000 and 10,000 users, with two tokens each,
//! against the emulator limited to a fixed request rate, beside the floor: the pages needed divided by
//! the rate. Run it through `scripts/bench-impact.sh`.
//!
//! Usage: bench_impact [calls per second]   (default 20, the API's pace)

use std::time::{Instant, SystemTime, UNIX_EPOCH};

use aws_config::BehaviorVersion;
use aws_sdk_workmail::config::Credentials;
use idp_gateway::domain::OrganizationId;
use idp_gateway::use_cases::{DirectoryReading, Grants, readiness};
use idp_gateway::workmail::{SdkWorkMail, UpstreamSettings};
use workmail_emulator::demo::ORGANIZATION_ID;
use workmail_emulator::{BulkDirectory, Emulator};

/// WorkMail answers at most 100 users or tokens a page.
const PAGE: usize = 100;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let rate: f64 = std::env::args()
        .nth(1)
        .map(|n| n.parse())
        .transpose()?
        .unwrap_or(20.0);
    let emulator = Emulator::start().await?;
    emulator.seed_demo();
    // The emulator throttles above the rate (with a burst of 5), as WorkMail would.
    emulator.set_rate_limit(Some((rate, 5)));
    let config = aws_config::defaults(BehaviorVersion::latest())
        .region("us-east-1")
        .endpoint_url(emulator.url())
        .credentials_provider(Credentials::new("AKIDBENCH", "secret", None, None, "bench"))
        .load()
        .await;
    let store = SdkWorkMail::new(&config, &UpstreamSettings::default());
    let organization = OrganizationId::parse(ORGANIZATION_ID)?;
    let reading = DirectoryReading {
        calls_per_second: rate,
        ..DirectoryReading::default()
    };
    let now = i64::try_from(SystemTime::now().duration_since(UNIX_EPOCH)?.as_secs())?;
    println!(
        "readiness report at {rate} WorkMail calls/s (budget {:?})",
        reading.budget
    );
    println!("users   tokens  pages  floor    measured  complete  throttled");
    for users in [1_000, 10_000] {
        let tokens = 2 * users;
        emulator.seed_bulk_directory(
            ORGANIZATION_ID,
            &BulkDirectory {
                users,
                tokens,
                unlinked_every: 50,
                disabled_every: 0,
                expired_every: 0,
                now,
            },
        );
        let throttled = emulator.throttled_by_rate_limit();
        let started = Instant::now();
        let report = readiness(&store, &organization, Grants::ALL, reading).await?;
        let measured = started.elapsed();
        // One Describe, then every page of users and of tokens.
        let pages = 1 + users.div_ceil(PAGE) + tokens.div_ceil(PAGE);
        let floor = pages as f64 / rate;
        println!(
            "{users:<7} {tokens:<7} {pages:<6} {floor:<7.2}s {:<8.2}s {:<9} {}",
            measured.as_secs_f64(),
            report.impact.complete,
            emulator.throttled_by_rate_limit() - throttled
        );
    }
    Ok(())
}
