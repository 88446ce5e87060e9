//! The Lambda edge of the API: reads API Gateway (REST and HTTP), Function URL and ALB events, refuses
//! the ones lambda_http's conversion would panic on (undecodable base64, a request line that forms no
//! URL), and writes the answer back in the event source's response format.

use std::convert::Infallible;

use base64::Engine;
use lambda_http::aws_lambda_events::alb::AlbTargetGroupResponse;
use lambda_http::aws_lambda_events::apigw::{ApiGatewayProxyResponse, ApiGatewayV2httpResponse};
use lambda_http::http::header::HOST;
use lambda_http::http::{HeaderMap, Method, Response, Uri};
use lambda_http::request::{LambdaRequest, RequestContext, RequestOrigin};
use lambda_http::{Body, LambdaEvent, Request, RequestExt, service_fn};
use serde::Serialize;

use super::handler::refuse_event;
use super::{Api, ApiError, RequestError};
use crate::workmail::IdentityProviderRemoval;

/// Serves `api` on the Lambda Runtime API until the process is stopped.
pub async fn run<S: IdentityProviderRemoval>(api: Api<S>) -> Result<(), lambda_runtime::Error> {
    let api = &api;
    // Boxed: the nested futures of the SDK are deeper than the compiler's default layout limit.
    lambda_runtime::run(service_fn(move |event: LambdaEvent<LambdaRequest>| {
        Box::pin(async move { Ok::<_, Infallible>(api.handle_event(event).await) })
    }))
    .await
}

impl<S: IdentityProviderRemoval> Api<S> {
    /// Answers one Lambda HTTP event in its source's response format.
    pub async fn handle_event(&self, event: LambdaEvent<LambdaRequest>) -> LambdaResponse {
        let LambdaEvent { payload, context } = event;
        let origin = payload.request_origin();
        let response = match preflight(&payload) {
            Ok(()) => {
                let request = Request::from(payload).with_lambda_context(context);
                self.handle(request).await
            }
            Err(error) => {
                let (method, request_context) = method_and_context(&payload);
                refuse_event(
                    &context.request_id,
                    &method,
                    request_context.as_ref(),
                    ApiError::from(error),
                )
            }
        };
        to_lambda_response(&origin, response)
    }
}

/// An answer in the format of the event source it answers.
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub enum LambdaResponse {
    ApiGatewayV1(ApiGatewayProxyResponse),
    ApiGatewayV2(ApiGatewayV2httpResponse),
    Alb(AlbTargetGroupResponse),
}

/// The parts of an event that lambda_http turns into a URI and a body.
struct RequestLine<'a> {
    headers: &'a HeaderMap,
    host: Option<&'a str>,
    path: String,
    raw_query: Option<&'a str>,
    body: Option<&'a str>,
    base64: bool,
}

fn preflight(payload: &LambdaRequest) -> Result<(), RequestError> {
    let line = match payload {
        LambdaRequest::ApiGatewayV1(event) => RequestLine {
            headers: &event.headers,
            host: header(&event.headers).or(event.request_context.domain_name.as_deref()),
            path: with_stage(
                event.request_context.stage.as_deref(),
                event.path.as_deref().unwrap_or_default(),
            ),
            raw_query: None,
            body: event.body.as_deref(),
            base64: event.is_base64_encoded,
        },
        LambdaRequest::ApiGatewayV2(event) => RequestLine {
            headers: &event.headers,
            host: header(&event.headers).or(event.request_context.domain_name.as_deref()),
            path: with_stage(
                event.request_context.stage.as_deref(),
                event.raw_path.as_deref().unwrap_or_default(),
            ),
            raw_query: event.raw_query_string.as_deref(),
            body: event.body.as_deref(),
            base64: event.is_base64_encoded,
        },
        LambdaRequest::Alb(event) => RequestLine {
            headers: &event.headers,
            host: header(&event.headers),
            path: event.path.clone().unwrap_or_default(),
            raw_query: None,
            body: event.body.as_deref(),
            base64: event.is_base64_encoded,
        },
        _ => {
            return Err(RequestError::Malformed(
                "this kind of event is not an HTTP request".to_owned(),
            ));
        }
    };
    check_body(&line)?;
    check_uri(&line)
}

/// The method and request context of an event that will not be converted into a request.
fn method_and_context(payload: &LambdaRequest) -> (Method, Option<RequestContext>) {
    match payload {
        LambdaRequest::ApiGatewayV1(event) => (
            event.http_method.clone(),
            Some(RequestContext::ApiGatewayV1(event.request_context.clone())),
        ),
        LambdaRequest::ApiGatewayV2(event) => (
            event.request_context.http.method.clone(),
            Some(RequestContext::ApiGatewayV2(event.request_context.clone())),
        ),
        LambdaRequest::Alb(event) => (event.http_method.clone(), None),
        _ => (Method::GET, None),
    }
}

fn header(headers: &HeaderMap) -> Option<&str> {
    headers.get(HOST).and_then(|value| value.to_str().ok())
}

/// The path as lambda_http builds it: with the stage in front unless told not to.
fn with_stage(stage: Option<&str>, path: &str) -> String {
    let ignore = std::env::var_os("AWS_LAMBDA_HTTP_IGNORE_STAGE_IN_PATH").is_some();
    match stage {
        Some(stage)
            if !ignore && stage != "$default" && !path.starts_with(&format!("/{stage}/")) =>
        {
            format!("/{stage}{path}")
        }
        _ => path.to_owned(),
    }
}

fn check_body(line: &RequestLine<'_>) -> Result<(), RequestError> {
    match line.body {
        Some(body) if line.base64 => base64::engine::general_purpose::STANDARD
            .decode(body)
            .map(drop)
            .map_err(|error| {
                RequestError::Malformed(format!(
                    "the body is marked base64-encoded but does not decode: {error}"
                ))
            }),
        _ => Ok(()),
    }
}

fn check_uri(line: &RequestLine<'_>) -> Result<(), RequestError> {
    let unusable = || {
        RequestError::Malformed("the request's host, path or query cannot form a URL".to_owned())
    };
    let mut uri = match line.host {
        None => url::Url::parse(&format!("http://localhost{}", line.path))
            .map(|url| url.path().to_owned())
            .map_err(|_| unusable())?,
        Some(host) => {
            let scheme = line
                .headers
                .get("x-forwarded-proto")
                .and_then(|value| value.to_str().ok())
                .unwrap_or("https");
            url::Url::parse(&format!("{scheme}://{host}{}", line.path))
                .map(|url| url.to_string())
                .map_err(|_| unusable())?
        }
    };
    if let Some(query) = line.raw_query.filter(|query| !query.is_empty()) {
        uri.push('?');
        uri.push_str(query);
    }
    Uri::try_from(uri).map(drop).map_err(|_| unusable())
}

/// Writes `response` in the format of the event source it answers.
fn to_lambda_response(origin: &RequestOrigin, response: Response<Body>) -> LambdaResponse {
    let (parts, body) = response.into_parts();
    let (is_base64_encoded, body) = match body {
        Body::Empty => (false, None),
        text @ Body::Text(_) => (false, Some(text)),
        binary => (true, Some(binary)),
    };
    let status_code = i64::from(parts.status.as_u16());
    match origin {
        RequestOrigin::ApiGatewayV2 => {
            let mut answer = ApiGatewayV2httpResponse::default();
            answer.status_code = status_code;
            answer.headers = parts.headers;
            answer.body = body;
            answer.is_base64_encoded = is_base64_encoded;
            LambdaResponse::ApiGatewayV2(answer)
        }
        RequestOrigin::Alb => {
            let mut answer = AlbTargetGroupResponse::default();
            answer.status_code = status_code;
            answer.status_description = Some(format!(
                "{} {}",
                parts.status.as_u16(),
                parts.status.canonical_reason().unwrap_or_default()
            ));
            answer.multi_value_headers = parts.headers.clone();
            answer.headers = parts.headers;
            answer.body = body;
            answer.is_base64_encoded = is_base64_encoded;
            LambdaResponse::Alb(answer)
        }
        _ => {
            let mut answer = ApiGatewayProxyResponse::default();
            answer.status_code = status_code;
            answer.multi_value_headers = parts.headers;
            answer.body = body;
            answer.is_base64_encoded = is_base64_encoded;
            LambdaResponse::ApiGatewayV1(answer)
        }
    }
}
