//! `workmail-emulator`: the emulator as a standalone server seeded with the demo organization, for
//! `cargo lambda watch` and manual runs. `--port N` (default 4566) chooses the loopback port.

use std::net::SocketAddr;

use workmail_emulator::{Emulator, demo};

const DEFAULT_PORT: u16 = 4566;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let port = port_from_args(std::env::args().skip(1))?;
    let emulator = Emulator::start_on(SocketAddr::from(([127, 0, 0, 1], port))).await?;
    emulator.seed_demo();
    println!("WorkMail emulator listening on {}", emulator.url());
    println!("demo organization: {}", demo::ORGANIZATION_ID);
    println!(
        "point the API at it with: AWS_ENDPOINT_URL_WORKMAIL={}",
        emulator.url()
    );
    tokio::signal::ctrl_c().await?;
    Ok(())
}

fn port_from_args(mut args: impl Iterator<Item = String>) -> Result<u16, String> {
    match (args.next().as_deref(), args.next()) {
        (None, _) => Ok(DEFAULT_PORT),
        (Some("--port"), Some(port)) if args.next().is_none() => port
            .parse()
            .map_err(|_| format!("--port takes a port number, not {port:?}")),
        _ => Err("usage: workmail-emulator [--port N]".to_owned()),
    }
}
