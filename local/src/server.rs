//! A minimal HTTP/1 server that hands each request to the same `Api::handle` the Lambda function runs,
//! once its `Host` proves it was addressed to this machine's loopback: a web page whose name was rebound
//! to 127.0.0.1 (DNS rebinding) could otherwise drive the API from a browser, with real credentials under
//! `IDP_GATEWAY_UPSTREAM=aws`.

use std::convert::Infallible;
use std::net::{Ipv4Addr, Ipv6Addr};
use std::sync::Arc;

use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::header::{CONTENT_TYPE, HOST};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{HeaderMap, StatusCode, Uri};
use hyper_util::rt::TokioIo;
use idp_gateway::http::Api;
use idp_gateway::workmail::ApiWorkMail;
use lambda_http::Body;
use tokio::net::TcpListener;

/// Serves `api` on `listener` until the process ends.
pub async fn serve<S: ApiWorkMail + 'static>(
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

async fn answer<S: ApiWorkMail>(
    api: &Api<S>,
    request: hyper::Request<Incoming>,
) -> hyper::Response<Full<Bytes>> {
    if let Err(refusal) = loopback_host(request.headers(), request.uri()) {
        tracing::warn!(host = ?request.headers().get(HOST), uri = %request.uri(), "refused: {}", refusal.detail);
        return refusal.response();
    }
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

/// A request that does not name this machine's loopback.
#[derive(Debug, PartialEq, Eq)]
pub struct HostRefusal {
    pub status: StatusCode,
    pub code: &'static str,
    pub detail: &'static str,
}

impl HostRefusal {
    /// The problem response (RFC 9457), in the API's own shape.
    fn response(&self) -> hyper::Response<Full<Bytes>> {
        let body = format!(
            r#"{{"type":"about:blank","title":"{}","status":{},"code":"{}","detail":"{}"}}"#,
            self.status.canonical_reason().unwrap_or("Error"),
            self.status.as_u16(),
            self.code,
            self.detail
        );
        let mut response = hyper::Response::new(Full::new(Bytes::from(body)));
        *response.status_mut() = self.status;
        response.headers_mut().insert(
            CONTENT_TYPE,
            hyper::header::HeaderValue::from_static("application/problem+json"),
        );
        response
    }
}

const MISSING_HOST: HostRefusal = HostRefusal {
    status: StatusCode::BAD_REQUEST,
    code: "MALFORMED_REQUEST",
    detail: "the request needs exactly one Host header",
};

const NOT_LOOPBACK: HostRefusal = HostRefusal {
    status: StatusCode::MISDIRECTED_REQUEST,
    code: "HOST_NOT_LOOPBACK",
    detail: "the local server answers only requests addressed to localhost, 127.0.0.0/8 or [::1] (optionally with a port); another Host is how a DNS-rebinding web page would reach it",
};

/// Accepts a request whose one `Host` (and the authority of an absolute-form target, if any) is
/// `localhost`, an address of 127.0.0.0/8 or `[::1]`, each with an optional port.
pub fn loopback_host(headers: &HeaderMap, uri: &Uri) -> Result<(), HostRefusal> {
    let mut hosts = headers.get_all(HOST).iter();
    let (Some(host), None) = (hosts.next(), hosts.next()) else {
        return Err(MISSING_HOST);
    };
    let host = host.to_str().map_err(|_| NOT_LOOPBACK)?;
    if !is_loopback_authority(host) {
        return Err(NOT_LOOPBACK);
    }
    match uri.authority() {
        Some(authority) if !is_loopback_authority(authority.as_str()) => Err(NOT_LOOPBACK),
        _ => Ok(()),
    }
}

/// `localhost`, `127.x.y.z` or `[::1]`, optionally followed by `:<port>`; nothing else (no user
/// information, no trailing dot, no other spelling of an address).
fn is_loopback_authority(authority: &str) -> bool {
    let (host, port) = match authority.rsplit_once(':') {
        Some((host, port)) if !host.starts_with('[') || host.ends_with(']') => (host, Some(port)),
        _ => (authority, None),
    };
    let port_ok = port.is_none_or(|port| {
        !port.is_empty()
            && port.len() <= 5
            && port.bytes().all(|b| b.is_ascii_digit())
            && port.parse::<u16>().is_ok()
    });
    let host_ok = host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<Ipv4Addr>()
            .is_ok_and(|address| address.octets()[0] == 127)
        || host
            .strip_prefix('[')
            .and_then(|rest| rest.strip_suffix(']'))
            .and_then(|inner| inner.parse::<Ipv6Addr>().ok())
            .is_some_and(|address| address == Ipv6Addr::LOCALHOST);
    port_ok && host_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_names_and_addresses_with_an_optional_port_are_accepted() {
        for authority in [
            "localhost",
            "LocalHost:3000",
            "127.0.0.1",
            "127.0.0.1:3000",
            "127.255.1.2:65535",
            "[::1]",
            "[::1]:3000",
            "[0:0:0:0:0:0:0:1]:80",
        ] {
            assert!(is_loopback_authority(authority), "{authority}");
        }
    }

    #[test]
    fn every_other_host_is_refused() {
        for authority in [
            "",
            "evil.example",
            "evil.example:3000",
            "localhost.",
            "localhost.evil.example",
            "127.0.0.1.nip.io",
            "128.0.0.1",
            "0.0.0.0:3000",
            "2130706433",
            "0x7f.0.0.1",
            "127.1",
            "[::2]",
            "::1",
            "[::ffff:127.0.0.1]",
            "localhost:",
            "localhost:65536",
            "localhost:+80",
            "localhost:3000:3000",
            "user@localhost",
            "[::1",
        ] {
            assert!(!is_loopback_authority(authority), "{authority:?}");
        }
    }
}
