//! The `api` Lambda function: the REST routes over WorkMail's identity-provider configuration.

use idp_gateway::http::{Api, run};
use idp_gateway::startup::{managed_from_env, workmail_from_env};

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    lambda_runtime::tracing::init_default_subscriber();
    let api = Api::new(workmail_from_env().await?, managed_from_env()?);
    run(api).await
}
