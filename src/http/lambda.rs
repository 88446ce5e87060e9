//! The Lambda edge of the API: takes every invocation as raw JSON, reads API Gateway (REST and HTTP),
//! Function URL and ALB events, refuses the ones lambda_http cannot read (a header, the method or the
//! body holding what HTTP or Unicode does not allow) or whose conversion would panic or normalize the
//! path (undecodable base64, a request line that forms no URL, dot segments), and writes every answer
//! back in the event source's response format: no invocation ends in a Lambda error.

use std::borrow::Cow;
use std::convert::Infallible;

use base64::Engine;
use lambda_http::aws_lambda_events::alb::AlbTargetGroupResponse;
use lambda_http::aws_lambda_events::apigw::{ApiGatewayProxyResponse, ApiGatewayV2httpResponse};
use lambda_http::http::header::HOST;
use lambda_http::http::{HeaderMap, Method, Response, Uri};
use lambda_http::request::{LambdaRequest, RequestContext, RequestOrigin};
use lambda_http::{Body, Context, LambdaEvent, Request, RequestExt, service_fn};
use serde::Serialize;
use serde_json::Value;
use serde_json::value::RawValue;

use super::handler::refuse_event;
use super::identity::RequestIdentity;
use super::route;
use super::{Api, ApiError, RequestError};
use crate::workmail::ApiWorkMail;

/// Serves `api` on the Lambda Runtime API until the process is stopped.
pub async fn run<S: ApiWorkMail>(api: Api<S>) -> Result<(), lambda_runtime::Error> {
    let api = &api;
    // Boxed: the nested futures of the SDK are deeper than the compiler's default layout limit.
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Box<RawValue>>| {
        Box::pin(async move {
            let LambdaEvent { payload, context } = event;
            Ok::<_, Infallible>(api.handle_raw_event(payload.get(), context).await)
        })
    }))
    .await
}

impl<S: ApiWorkMail> Api<S> {
    /// Answers one invocation from its raw JSON text. The event is taken as raw JSON (not as a
    /// `serde_json::Value`, which cannot hold an unpaired UTF-16 surrogate) so that an event
    /// lambda_http cannot read is still answered, in its source's format, with a 400 problem.
    pub async fn handle_raw_event(&self, event: &str, context: Context) -> LambdaResponse {
        match serde_json::from_str::<LambdaRequest>(event) {
            Ok(payload) => self.handle_event(LambdaEvent::new(payload, context)).await,
            Err(error) => refuse_unreadable(event, &context, &error),
        }
    }

    /// Answers one Lambda HTTP event in its source's response format.
    pub async fn handle_event(&self, event: LambdaEvent<LambdaRequest>) -> LambdaResponse {
        let LambdaEvent { payload, context } = event;
        let payload = with_every_header_value(payload);
        let origin = payload.request_origin();
        let response = match preflight(&payload) {
            Ok(()) => {
                let request = Request::from(payload).with_lambda_context(context);
                self.handle(request).await
            }
            Err(error) => {
                let (method, request_context, path) = method_context_and_path(&payload);
                let stage = route::stage(request_context.as_ref());
                refuse_event(
                    &context.request_id,
                    Some(method.as_str()),
                    &RequestIdentity::from_context(request_context.as_ref()),
                    route::organization_in(&path, stage).as_ref(),
                    ApiError::from(error),
                )
            }
        };
        to_lambda_response(&origin, response)
    }
}

/// The answer to an event lambda_http could not read: built from what the raw JSON says of its
/// source, method, path and caller.
fn refuse_unreadable(event: &str, context: &Context, error: &serde_json::Error) -> LambdaResponse {
    let (json, reason) = match serde_json::from_str::<Value>(event) {
        Ok(json) => (json, error.to_string()),
        Err(_) => {
            let repaired = replace_lone_surrogates(event);
            let json = serde_json::from_str::<Value>(&repaired).unwrap_or(Value::Null);
            (
                json,
                format!("{error}; it holds an unpaired UTF-16 surrogate"),
            )
        }
    };
    let outline = EventOutline::of(&json);
    let error = match outline.origin {
        Some(_) => RequestError::UnreadableEvent(reason),
        None => RequestError::Malformed("this kind of event is not an HTTP request".to_owned()),
    };
    let response = refuse_event(
        &context.request_id,
        outline.method,
        &RequestIdentity::from_event_json(&json),
        outline
            .path
            .and_then(|path| route::organization_in(path, outline.stage))
            .as_ref(),
        ApiError::from(error),
    );
    to_lambda_response(
        &outline.origin.unwrap_or(RequestOrigin::ApiGatewayV1),
        response,
    )
}

/// What the JSON of an unreadable event says about the request it carries.
struct EventOutline<'a> {
    /// `None`: not an HTTP event at all.
    origin: Option<RequestOrigin>,
    method: Option<&'a str>,
    path: Option<&'a str>,
    stage: Option<&'a str>,
}

impl<'a> EventOutline<'a> {
    fn of(event: &'a Value) -> Self {
        let context = &event["requestContext"];
        let origin = if context["elb"].is_object() {
            Some(RequestOrigin::Alb)
        } else if context["http"].is_object() || event["version"] == "2.0" {
            Some(RequestOrigin::ApiGatewayV2)
        } else if event.get("httpMethod").is_some() {
            Some(RequestOrigin::ApiGatewayV1)
        } else {
            None
        };
        let (method, path) = match origin {
            Some(RequestOrigin::ApiGatewayV2) => (&context["http"]["method"], &event["rawPath"]),
            _ => (&event["httpMethod"], &event["path"]),
        };
        Self {
            method: origin.as_ref().and(method.as_str()),
            path: path.as_str(),
            stage: context["stage"].as_str(),
            origin,
        }
    }
}

/// `event` (valid JSON apart from its escapes) with every `\u` escape of an unpaired UTF-16
/// surrogate replaced by `\ufffd`, so that what it says can be read.
fn replace_lone_surrogates(event: &str) -> Cow<'_, str> {
    let code_unit = |at: usize| {
        event
            .get(at..at + 6)
            .and_then(|escape| escape.strip_prefix("\\u"))
            .and_then(|hex| u16::from_str_radix(hex, 16).ok())
    };
    let bytes = event.as_bytes();
    let mut repaired = String::new();
    let (mut copied, mut at) = (0, 0);
    while at < bytes.len() {
        if bytes[at] != b'\\' {
            at += 1;
            continue;
        }
        let Some(unit) = code_unit(at) else {
            at += 2;
            continue;
        };
        let low_follows = code_unit(at + 6).is_some_and(|next| (0xdc00..0xe000).contains(&next));
        match unit {
            0xd800..0xdc00 if low_follows => at += 12,
            0xd800..0xe000 => {
                repaired.push_str(&event[copied..at]);
                repaired.push_str("\\ufffd");
                at += 6;
                copied = at;
            }
            _ => at += 6,
        }
    }
    if copied == 0 {
        return Cow::Borrowed(event);
    }
    repaired.push_str(&event[copied..]);
    Cow::Owned(repaired)
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
/// A REST API (v1) or ALB event whose `headers` hold every value of `multiValueHeaders`: that map
/// holds every value a header was sent with, `headers` only the last, and lambda_http lets each
/// `headers` entry replace the values of its name, so a header sent twice (`Idempotency-Key`,
/// `Confirm-Impact`, `If-Match`) would reach the routes once and its rule against repetition could
/// never fire. A name only `headers` holds (events written by hand) keeps its values.
fn with_every_header_value(mut payload: LambdaRequest) -> LambdaRequest {
    let (headers, multi_value_headers) = match &mut payload {
        LambdaRequest::ApiGatewayV1(event) => (&mut event.headers, &mut event.multi_value_headers),
        LambdaRequest::Alb(event) => (&mut event.headers, &mut event.multi_value_headers),
        _ => return payload,
    };
    if multi_value_headers.is_empty() {
        return payload;
    }
    let mut kept = None;
    for (name, value) in std::mem::take(headers) {
        if let Some(name) = name {
            kept = (!multi_value_headers.contains_key(&name)).then_some(name);
        }
        if let Some(name) = &kept {
            multi_value_headers.append(name.clone(), value);
        }
    }
    *headers = multi_value_headers.clone();
    payload
}

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
    check_uri(&line)?;
    // lambda_http would resolve dot segments and turn backslashes into slashes: the path is
    // matched as the event gives it, before that.
    route::check_routable(&line.path)
}

/// The method, request context and path of an event that will not be converted into a request.
fn method_context_and_path(payload: &LambdaRequest) -> (Method, Option<RequestContext>, String) {
    match payload {
        LambdaRequest::ApiGatewayV1(event) => (
            event.http_method.clone(),
            Some(RequestContext::ApiGatewayV1(event.request_context.clone())),
            event.path.clone().unwrap_or_default(),
        ),
        LambdaRequest::ApiGatewayV2(event) => (
            event.request_context.http.method.clone(),
            Some(RequestContext::ApiGatewayV2(event.request_context.clone())),
            event.raw_path.clone().unwrap_or_default(),
        ),
        LambdaRequest::Alb(event) => (
            event.http_method.clone(),
            None,
            event.path.clone().unwrap_or_default(),
        ),
        _ => (Method::GET, None, String::new()),
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
