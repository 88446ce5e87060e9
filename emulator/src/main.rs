//! `workmail-emulator`: the emulator as a standalone server seeded with the demo organization and
//! the demo WorkSpaces Web portals, for `cargo lambda watch` and manual runs.
//!
//! ```text
//! workmail-emulator [--port N] [--fault OPERATION=KIND[,times=N][,after=N]]...
//! ```
//!
//! - `--port N` (default 4566) chooses the loopback port.
//! - `--fault` (repeatable; earlier rules match first) injects a fault into `OPERATION` (a WorkMail
//!   or WorkSpaces Web operation name, e.g. `UpdateIdentityProvider`, or `*` for every operation),
//!   so that a portal developer sees the gateway's 429, 504 and 502 locally. `KIND` is one of
//!   - `throttle`: ThrottlingException (429 with `Retry-After` for WorkSpaces Web, 400 for WorkMail),
//!   - `server-error`: 500 (InternalServerException / InternalFailure),
//!   - `access-denied`: AccessDeniedException,
//!   - `latency:MS`: answer normally after `MS` milliseconds;
//!
//!   `times=N` limits the rule to the next N matching calls, `after=N` lets the first N through.
//!   Example: `--fault 'UpdateIdentityProvider=throttle,times=2' --fault '*=latency:1500'`.

use std::net::SocketAddr;
use std::time::Duration;

use workmail_emulator::{Emulator, Fault, FaultRule, OPERATIONS, demo};

const DEFAULT_PORT: u16 = 4566;
const USAGE: &str = "usage: workmail-emulator [--port N] [--fault OPERATION=KIND[,times=N][,after=N]]...
  OPERATION  an operation name (e.g. UpdateIdentityProvider, PutIdentityProviderConfiguration) or * for all
  KIND       throttle | server-error | access-denied | latency:MS
  times=N    only the next N matching calls; after=N: let the first N matching calls through
  --fault may be repeated; earlier rules match first";

/// What the command line asks for.
#[derive(Debug, PartialEq, Eq)]
struct Options {
    port: u16,
    faults: Vec<FaultRule>,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let options = match options_from_args(std::env::args().skip(1)) {
        Ok(options) => options,
        Err(error) => {
            eprintln!("{error}\n{USAGE}");
            std::process::exit(2);
        }
    };
    let emulator = Emulator::start_on(SocketAddr::from(([127, 0, 0, 1], options.port))).await?;
    emulator.seed_demo();
    for rule in &options.faults {
        println!("fault: {rule:?}");
        emulator.inject(rule.clone());
    }
    println!(
        "WorkMail and WorkSpaces Web emulator listening on {}",
        emulator.url()
    );
    println!("demo organization: {}", demo::ORGANIZATION_ID);
    println!(
        "demo portal with a SAML identity provider: {} ({})",
        demo::PORTAL_ID,
        demo::PORTAL_ARN
    );
    println!(
        "demo portal without an identity provider: {} ({})",
        demo::EMPTY_PORTAL_ID,
        demo::EMPTY_PORTAL_ARN
    );
    println!("point the API at it with:");
    println!("  AWS_ENDPOINT_URL_WORKMAIL={}", emulator.url());
    println!("  AWS_ENDPOINT_URL_WORKSPACES_WEB={}", emulator.url());
    tokio::signal::ctrl_c().await?;
    Ok(())
}

fn options_from_args(mut args: impl Iterator<Item = String>) -> Result<Options, String> {
    let mut options = Options {
        port: DEFAULT_PORT,
        faults: Vec::new(),
    };
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--port" => {
                let port = args.next().ok_or("--port takes a port number")?;
                options.port = port
                    .parse()
                    .map_err(|_| format!("--port takes a port number, not {port:?}"))?;
            }
            "--fault" => {
                let rule = args
                    .next()
                    .ok_or("--fault takes OPERATION=KIND[,times=N][,after=N]")?;
                options.faults.push(fault_rule(&rule)?);
            }
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    Ok(options)
}

/// `OPERATION=KIND[,times=N][,after=N]` as a fault rule.
fn fault_rule(text: &str) -> Result<FaultRule, String> {
    let invalid = |why: String| format!("--fault {text:?}: {why}");
    let (operation, rest) = text
        .split_once('=')
        .ok_or_else(|| invalid("expected OPERATION=KIND".to_owned()))?;
    let mut parts = rest.split(',');
    let fault = match parts.next().unwrap_or_default() {
        "throttle" => Fault::Throttle,
        "server-error" => Fault::ServerError,
        "access-denied" => Fault::AccessDenied,
        kind => match kind.strip_prefix("latency:") {
            Some(millis) => {
                Fault::Latency(Duration::from_millis(millis.parse().map_err(|_| {
                    invalid(format!("latency takes milliseconds, not {millis:?}"))
                })?))
            }
            None => {
                return Err(invalid(format!(
                    "unknown fault {kind:?} (throttle, server-error, access-denied or latency:MS)"
                )));
            }
        },
    };
    let mut rule = match operation {
        "*" => FaultRule::every_operation(fault),
        name if OPERATIONS.contains(&name) => FaultRule::new(name, fault),
        name => {
            return Err(invalid(format!(
                "unknown operation {name:?} (use * or one of: {})",
                OPERATIONS.join(", ")
            )));
        }
    };
    for option in parts {
        let (name, count) = option
            .split_once('=')
            .ok_or_else(|| invalid(format!("expected times=N or after=N, not {option:?}")))?;
        let count: u32 = count
            .parse()
            .map_err(|_| invalid(format!("{name} takes a count, not {count:?}")))?;
        rule = match name {
            "times" => rule.times(count),
            "after" => rule.after(count),
            _ => return Err(invalid(format!("unknown option {name:?} (times or after)"))),
        };
    }
    Ok(rule)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(line: &str) -> impl Iterator<Item = String> {
        line.split_whitespace()
            .map(str::to_owned)
            .collect::<Vec<_>>()
            .into_iter()
    }

    #[test]
    fn no_arguments_is_the_default_port_without_faults() {
        assert_eq!(
            options_from_args(args("")),
            Ok(Options {
                port: DEFAULT_PORT,
                faults: Vec::new()
            })
        );
        assert_eq!(options_from_args(args("--port 9100")).unwrap().port, 9100);
    }

    #[test]
    fn every_fault_kind_parses() {
        assert_eq!(
            fault_rule("UpdateIdentityProvider=throttle"),
            Ok(FaultRule::new("UpdateIdentityProvider", Fault::Throttle))
        );
        assert_eq!(
            fault_rule("*=server-error"),
            Ok(FaultRule::every_operation(Fault::ServerError))
        );
        assert_eq!(
            fault_rule("GetPortal=access-denied"),
            Ok(FaultRule::new("GetPortal", Fault::AccessDenied))
        );
        assert_eq!(
            fault_rule("PutIdentityProviderConfiguration=latency:1500"),
            Ok(FaultRule::new(
                "PutIdentityProviderConfiguration",
                Fault::Latency(Duration::from_millis(1500))
            ))
        );
    }

    #[test]
    fn times_and_after_limit_the_rule() {
        assert_eq!(
            fault_rule("UpdateIdentityProvider=throttle,times=2,after=1"),
            Ok(FaultRule::new("UpdateIdentityProvider", Fault::Throttle)
                .times(2)
                .after(1))
        );
    }

    #[test]
    fn faults_repeat_in_order_beside_the_port() {
        let options = options_from_args(args(
            "--fault GetIdentityProvider=throttle,times=1 --port 4567 --fault *=latency:10",
        ))
        .unwrap();
        assert_eq!(options.port, 4567);
        assert_eq!(
            options.faults,
            [
                FaultRule::new("GetIdentityProvider", Fault::Throttle).times(1),
                FaultRule::every_operation(Fault::Latency(Duration::from_millis(10))),
            ]
        );
    }

    #[test]
    fn anything_else_is_a_usage_error() {
        for bad in [
            "UpdateIdentityProvider",
            "UpdateIdentityProvider=",
            "UpdateIdentityProvider=slow",
            "UpdateIdentityProvider=latency",
            "UpdateIdentityProvider=latency:fast",
            "UpdateIdentityProvider=latency:-5",
            "UpdateIdentityProvider=throttle,times",
            "UpdateIdentityProvider=throttle,times=-1",
            "UpdateIdentityProvider=throttle,twice=2",
            "UpdateIdentityProviders=throttle",
            "=throttle",
        ] {
            let error = fault_rule(bad).unwrap_err();
            assert!(error.starts_with("--fault"), "{bad}: {error}");
        }
        for bad in ["--fault", "--port", "--port x", "--verbose", "4566"] {
            assert!(options_from_args(args(bad)).is_err(), "{bad}");
        }
    }
}
