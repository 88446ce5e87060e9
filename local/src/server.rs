//! A minimal HTTP/1 server that hands each request to the same `Api::handle` the Lambda function runs.

use std::convert::Infallible;
use std::sync::Arc;

use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use idp_gateway::http::Api;
use idp_gateway::workmail::IdentityProviderRemoval;
use lambda_http::Body;
use tokio::net::TcpListener;

/// Serves `api` on `listener` until the process ends.
pub async fn serve<S: IdentityProviderRemoval + 'static>(
    listener: TcpListener,
    api: Api<S>,
) -> Result<(), Box<dyn std::error::Error>> {
    let api = Arc::new(api);
    loop {
        let (stream, _) = listener.accept().await?;
        let api = Arc::clone(&api);
        tokio::spawn(async move {
            let service = service_fn(move |request| {
                let api = Arc::clone(&api);
                Box::pin(async move { Ok::<_, Infallible>(answer(&api, request).await) })
            });
            if let Err(error) = http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await
            {
                tracing::debug!(%error, "connection ended with an error");
            }
        });
    }
}

async fn answer<S: IdentityProviderRemoval>(
    api: &Api<S>,
    request: hyper::Request<Incoming>,
) -> hyper::Response<Full<Bytes>> {
    let (parts, body) = request.into_parts();
    let bytes = body
        .collect()
        .await
        .map(|body| body.to_bytes())
        .unwrap_or_default();
    let body = if bytes.is_empty() {
        Body::Empty
    } else {
        Body::from(bytes.to_vec())
    };
    let response = api
        .handle(lambda_http::Request::from_parts(parts, body))
        .await;
    let (parts, body) = response.into_parts();
    let bytes = match body {
        Body::Text(text) => Bytes::from(text),
        Body::Binary(binary) => Bytes::from(binary),
        _ => Bytes::new(),
    };
    hyper::Response::from_parts(parts, Full::new(bytes))
}
