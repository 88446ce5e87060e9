//! `idp-gateway-local`: runs the API on 127.0.0.1 as a plain HTTP server, backed by the embedded
//! WorkMail emulator seeded with a demo organization, or by real WorkMail with `IDP_GATEWAY_UPSTREAM=aws`.

mod server;

use std::net::SocketAddr;

use aws_config::BehaviorVersion;
use aws_config::meta::region::RegionProviderChain;
use idp_gateway::http::Api;
use idp_gateway::startup::{Upstream, access_from_env};
use idp_gateway::workmail::UpstreamSettings;
use workmail_emulator::{Emulator, demo};

const DEFAULT_PORT: u16 = 3000;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    idp_gateway::logging::init();
    let port = match std::env::var("PORT") {
        Ok(port) => port
            .parse()
            .map_err(|_| format!("PORT must be a port number, not {port:?}"))?,
        Err(_) => DEFAULT_PORT,
    };
    let settings = UpstreamSettings::from_env()?;
    let upstream = std::env::var("IDP_GATEWAY_UPSTREAM").unwrap_or_else(|_| "emulator".to_owned());
    let (sdk_config, emulator) = match upstream.as_str() {
        "emulator" => {
            let emulator = Emulator::start().await?;
            emulator.seed_demo();
            let sdk_config = aws_config::defaults(BehaviorVersion::latest())
                .region("us-east-1")
                .endpoint_url(emulator.url())
                .credentials_provider(aws_sdk_workmail::config::Credentials::new(
                    "local",
                    "local",
                    None,
                    None,
                    "idp-gateway-local",
                ))
                .load()
                .await;
            (sdk_config, Some(emulator))
        }
        "aws" => {
            let region = RegionProviderChain::default_provider().or_else("us-east-1");
            let sdk_config = aws_config::defaults(BehaviorVersion::latest())
                .region(region)
                .load()
                .await;
            (sdk_config, None)
        }
        other => {
            return Err(
                format!("IDP_GATEWAY_UPSTREAM must be 'emulator' or 'aws', not {other:?}").into(),
            );
        }
    };
    let upstream = Upstream {
        sdk_config,
        settings,
    };
    let leases = upstream.leases()?;
    let api = Api::new(
        upstream.workmail(),
        leases.clone(),
        upstream.lease_settings(),
        access_from_env()?,
    );
    let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], port))).await?;
    let base = format!("http://{}", listener.local_addr()?);
    print_welcome(&base, emulator.as_ref());
    println!("Write leases: {}", leases.describe());
    server::serve(listener, api).await
}

fn print_welcome(base: &str, emulator: Option<&Emulator>) {
    let organization = demo::ORGANIZATION_ID;
    match emulator {
        Some(emulator) => println!(
            "idp-gateway listening on {base}, backed by the WorkMail emulator at {} (demo organization {organization})",
            emulator.url()
        ),
        None => println!("idp-gateway listening on {base}, backed by real Amazon WorkMail"),
    }
    println!("Try:");
    println!("  curl -s {base}/health");
    println!("  curl -s {base}/organizations/{organization}/identity-provider");
    println!(
        "  curl -s -X PATCH {base}/organizations/{organization}/identity-provider \\\n    -H 'Content-Type: application/merge-patch+json' \\\n    -d '{{\"personalAccessTokens\":{{\"lifetimeInDays\":90}}}}'"
    );
    println!(
        "  curl -s -X PUT {base}/organizations/{organization}/identity-provider \\\n    -H 'Content-Type: application/json' \\\n    -d '{{\"authenticationMode\":\"IDENTITY_PROVIDER_AND_DIRECTORY\",\"identityCenter\":{{\"instanceArn\":\"{}\",\"applicationArn\":\"{}\"}},\"personalAccessTokens\":{{\"status\":\"INACTIVE\"}}}}'",
        demo::INSTANCE_ARN,
        demo::APPLICATION_ARN
    );
    println!(
        "  curl -s -X DELETE '{base}/organizations/{organization}/identity-provider?dryRun=true'"
    );
}
