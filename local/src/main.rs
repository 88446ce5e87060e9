//! `idp-gateway-local`: runs the API on 127.0.0.1 as a plain HTTP server, backed by the embedded
//! emulator (WorkMail and WorkSpaces Web) seeded with a demo organization and demo portals, or by
//! the real services with `IDP_GATEWAY_UPSTREAM=aws`.

mod server;

use std::net::SocketAddr;

use std::time::Duration;

use aws_sdk_workmail::config::ProvideCredentials;
use idp_gateway::domain::secure_browser::ResourceScope;
use idp_gateway::http::Api;
use idp_gateway::https::{EndpointLookups, TrustedRoots};
use idp_gateway::startup::{
    Upstream, access_from_env, config_loader, configured_region, endpoint_partitions,
    local_scope_from,
};
use idp_gateway::workmail::UpstreamSettings;
use workmail_emulator::{Emulator, demo};

const DEFAULT_PORT: u16 = 3000;
/// The region of the emulator's demo organization and portals.
const EMULATOR_REGION: &str = "us-east-1";
/// How long `IDP_GATEWAY_UPSTREAM=aws` waits for credentials at start-up (IMDS, SSO, a profile).
const CREDENTIALS_WAIT: Duration = Duration::from_secs(10);
/// The function ARN the demo portals' ARNs are built from (the emulator's demo account and region).
const DEMO_FUNCTION_ARN: &str = "arn:aws:lambda:us-east-1:123456789012:function:idp-gateway-local";

#[tokio::main]
async fn main() {
    idp_gateway::logging::init();
    let started = match start().await {
        Ok(started) => started,
        Err(problems) => {
            eprintln!("idp-gateway-local did not start:");
            for problem in &problems {
                eprintln!("  - {problem}");
            }
            std::process::exit(2);
        }
    };
    let Started {
        listener,
        api,
        emulator,
        leases,
    } = started;
    let base = match listener.local_addr() {
        Ok(address) => format!("http://{address}"),
        Err(error) => {
            eprintln!("idp-gateway-local: the listening socket has no address: {error}");
            std::process::exit(1);
        }
    };
    print_welcome(&base, emulator.as_ref());
    println!("Write leases: {leases}");
    if let Err(error) = server::serve(listener, api).await {
        eprintln!("idp-gateway-local stopped: {error}");
        std::process::exit(1);
    }
}

/// A server ready to answer: its socket, the API, the emulator it runs on (if any).
struct Started {
    listener: tokio::net::TcpListener,
    api: Api<idp_gateway::workmail::SdkWorkMail>,
    emulator: Option<Emulator>,
    leases: String,
}

/// Reads every setting, reporting every bad one at once (variable, value, what is allowed), then
/// reaches the upstream (the emulator, or AWS credentials and region) and binds the port: nothing
/// is printed to standard output before all of it worked.
async fn start() -> Result<Started, Vec<String>> {
    let mut problems = Vec::new();
    let port = match std::env::var("PORT") {
        Ok(raw) => raw.parse::<u16>().map_err(|_| {
            problems.push(format!(
                "PORT={raw:?}: must be a port number from 0 to 65535"
            ));
        }),
        Err(_) => Ok(DEFAULT_PORT),
    };
    let upstream_kind =
        std::env::var("IDP_GATEWAY_UPSTREAM").unwrap_or_else(|_| "emulator".to_owned());
    if !matches!(upstream_kind.as_str(), "emulator" | "aws") {
        problems.push(format!(
            "IDP_GATEWAY_UPSTREAM={upstream_kind:?}: must be 'emulator' (the embedded emulator, the default) or 'aws' (real WorkMail and WorkSpaces Web with your AWS credentials)"
        ));
    }
    let settings = UpstreamSettings::from_env().map_err(|error| problems.push(error.to_string()));
    let access = access_from_env().map_err(|error| problems.push(error.to_string()));
    let local_scope = local_scope_from(|name| std::env::var(name).ok())
        .map_err(|error| problems.push(error.to_string()));
    let roots = TrustedRoots::from_env(|name| std::env::var_os(name))
        .map_err(|error| problems.push(error.to_string()));
    // The region the configuration below takes: the demo's, or AWS_REGION's (else the profile's,
    // which a named endpoint table cannot be checked against before the configuration loads).
    let region = if upstream_kind == "aws" {
        configured_region(|name| std::env::var(name).ok())
    } else {
        Some(EMULATOR_REGION.to_owned())
    };
    let table = endpoint_partitions::check(|name| std::env::var(name).ok(), region.as_deref())
        .map_err(|error| problems.push(error.to_string()));
    let (Ok(port), Ok(settings), Ok(access), Ok(local_scope), Ok(roots), Ok(table)) =
        (port, settings, access, local_scope, roots, table)
    else {
        return Err(problems);
    };
    if !problems.is_empty() {
        return Err(problems);
    }
    let (sdk_config, emulator) = if upstream_kind == "aws" {
        (aws_config_checked(&roots).await?, None)
    } else {
        let emulator = Emulator::start()
            .await
            .map_err(|error| vec![format!("the embedded emulator could not start: {error}")])?;
        emulator.seed_demo();
        (emulator_config(&roots, &emulator).await, Some(emulator))
    };
    let upstream =
        Upstream::new(sdk_config, settings, table).map_err(|error| vec![error.to_string()])?;
    let leases = upstream.leases().map_err(|error| vec![error.to_string()])?;
    let local_scope = match (local_scope, &emulator) {
        (Some(scope), _) => Some(scope),
        (None, Some(_)) => ResourceScope::from_function_arn(DEMO_FUNCTION_ARN).ok(),
        (None, None) => None,
    };
    let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], port)))
        .await
        .map_err(|error| vec![bind_problem(port, &error)])?;
    let api = Api::new(
        upstream.workmail(),
        upstream.workspaces_web(),
        leases.clone(),
        upstream.lease_settings(),
        access,
    )
    .with_local_scope(local_scope);
    Ok(Started {
        listener,
        api,
        emulator,
        leases: leases.describe(),
    })
}

fn bind_problem(port: u16, error: &std::io::Error) -> String {
    if error.kind() == std::io::ErrorKind::AddrInUse {
        format!(
            "port {port} on 127.0.0.1 is in use (PORT={port}): stop what listens there, or choose another port, e.g. PORT={}",
            port.wrapping_add(1).max(1024)
        )
    } else {
        format!("could not listen on 127.0.0.1:{port} (PORT): {error}")
    }
}

/// The SDK configuration for the embedded emulator: its endpoint for every service, fixed
/// credentials, the demo's region.
async fn emulator_config(roots: &TrustedRoots, emulator: &Emulator) -> aws_config::SdkConfig {
    roots
        .config_loader(&EndpointLookups::default())
        .region(EMULATOR_REGION)
        .endpoint_url(emulator.url())
        .credentials_provider(aws_sdk_workmail::config::Credentials::new(
            "local",
            "local",
            None,
            None,
            "idp-gateway-local",
        ))
        .load()
        .await
}

/// The AWS configuration of this shell (environment, profile, SSO), with its region and
/// credentials resolved now: a server that would answer every request 502 does not start.
async fn aws_config_checked(roots: &TrustedRoots) -> Result<aws_config::SdkConfig, Vec<String>> {
    let sdk_config = config_loader(roots, &EndpointLookups::default(), |name| {
        std::env::var(name).ok()
    })
    .load()
    .await;
    let mut problems = Vec::new();
    if sdk_config.region().is_none() {
        problems.push(
            "IDP_GATEWAY_UPSTREAM=aws: no AWS region is configured; set AWS_REGION (or a region in your AWS profile)"
                .to_owned(),
        );
    }
    match sdk_config.credentials_provider() {
        None => problems
            .push("IDP_GATEWAY_UPSTREAM=aws: no AWS credentials provider is configured".to_owned()),
        Some(provider) => {
            let resolved =
                tokio::time::timeout(CREDENTIALS_WAIT, provider.provide_credentials()).await;
            match resolved {
                Ok(Ok(_)) => {}
                Ok(Err(error)) => problems.push(format!(
                    "IDP_GATEWAY_UPSTREAM=aws: no AWS credentials could be found ({}); sign in (aws sso login, or AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY) and start again",
                    idp_gateway::workmail::describe_chain(&error)
                )),
                Err(_) => problems.push(format!(
                    "IDP_GATEWAY_UPSTREAM=aws: looking up AWS credentials took more than {} s; sign in (aws sso login, or AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY) and start again",
                    CREDENTIALS_WAIT.as_secs()
                )),
            }
        }
    }
    if problems.is_empty() {
        Ok(sdk_config)
    } else {
        Err(problems)
    }
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
    let portal = demo::PORTAL_ID;
    println!("  curl -s {base}/secure-browser/portals/{portal}/identity-provider");
    println!(
        "  curl -s -X PATCH '{base}/secure-browser/portals/{portal}/identity-provider?dryRun=true' \\\n    -H 'Content-Type: application/merge-patch+json' -d '{{\"saml\":{{\"idpSignout\":true}}}}'"
    );
    println!(
        "  curl -s -X DELETE '{base}/organizations/{organization}/identity-provider?dryRun=true'"
    );
}
