//! The `api` Lambda function: the REST routes over WorkMail's identity-provider configuration.

use idp_gateway::http::run;
use idp_gateway::startup::{api_from_env, report_init_error};

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    idp_gateway::logging::init();
    match api_from_env().await {
        Ok(api) => run(api).await,
        Err(error) => Err(report_init_error(error).await),
    }
}
