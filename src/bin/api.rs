//! The `api` Lambda function: the REST routes over the identity providers of WorkMail organizations and
//! WorkSpaces Secure Browser portals.

use idp_gateway::http::run;
use idp_gateway::startup::{api_from_env, report_init_error};

// One thread: Lambda hands an instance one event at a time, and nothing in an invocation blocks.
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_runtime::Error> {
    idp_gateway::logging::init();
    match api_from_env().await {
        Ok(api) => run(api).await,
        Err(error) => Err(report_init_error(error).await),
    }
}
