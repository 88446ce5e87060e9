//! The `enforcer` Lambda function: keeps managed organizations on their declared identity-provider policy.

use idp_gateway::enforce::run;
use idp_gateway::startup::{enforcer_from_env, report_init_error};

// One thread: Lambda hands an instance one event at a time, and nothing in an invocation blocks.
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_runtime::Error> {
    idp_gateway::logging::init();
    match enforcer_from_env().await {
        Ok(enforcer) => run(enforcer).await,
        Err(error) => Err(report_init_error(error).await),
    }
}
