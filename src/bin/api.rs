//! The `api` Lambda function: the REST routes over WorkMail's identity-provider configuration.

use idp_gateway::http::{Api, run};
use idp_gateway::startup::{StartupError, managed_from_env, report_init_error, workmail_from_env};

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    lambda_runtime::tracing::init_default_subscriber();
    match api_from_env().await {
        Ok(api) => run(api).await,
        Err(error) => Err(report_init_error(error).await),
    }
}

async fn api_from_env() -> Result<Api<idp_gateway::workmail::SdkWorkMail>, StartupError> {
    Ok(Api::new(workmail_from_env().await?, managed_from_env()?))
}
