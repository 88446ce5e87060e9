//! The cold-start floor for `scripts/bench-cold-start.sh`: `cargo lambda new`'s HTTP function (the
//! default tracing subscriber, one handler answering a fixed body), built with the workspace's release
//! profile. Not deployed: the SAM template and cargo-lambda build only the `api` and `enforcer` binaries.

use lambda_http::{Body, Error, Request, Response, run, service_fn, tracing};

async fn hello(_request: Request) -> Result<Response<Body>, Error> {
    Ok(Response::builder()
        .status(200)
        .header("content-type", "text/plain")
        .body("Hello, world".into())?)
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    tracing::init_default_subscriber();
    run(service_fn(hello)).await
}
