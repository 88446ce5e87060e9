//! The restJson1 envelope: which requests are WorkSpaces Web's (a SigV4 credential scoped to the
//! `workspaces-web` service), the signature headers they must carry, and how answers are written
//! (`application/json`, `x-amzn-RequestId`, errors with `x-amzn-ErrorType`).

use hyper::StatusCode;
use hyper::header::{AUTHORIZATION, CONTENT_TYPE, HeaderMap, HeaderValue};
use serde_json::Value;

use super::errors::RestError;

/// The SigV4 signing name of WorkSpaces Web.
pub const SIGNING_NAME: &str = "workspaces-web";
const JSON: &str = "application/json";

/// Whether the request is signed for WorkSpaces Web: its `Authorization` credential scope reads
/// `<key>/<date>/<region>/workspaces-web/aws4_request`. Everything else is WorkMail's.
pub fn is_request(headers: &HeaderMap) -> bool {
    credential_scope(headers).is_some_and(|scope| {
        matches!(scope.as_slice(), [_key, _date, _region, service, "aws4_request"] if *service == SIGNING_NAME)
    })
}

fn credential_scope(headers: &HeaderMap) -> Option<Vec<&str>> {
    headers
        .get(AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("AWS4-HMAC-SHA256 Credential=")?
        .split(',')
        .next()
        .map(|credential| credential.split('/').collect())
}

/// The rest of a SigV4 signature: a well-formed scope, signed headers, a signature and
/// `X-Amz-Date`. The signature itself is not recomputed: the emulator knows no secrets.
pub fn check_signature(headers: &HeaderMap) -> Result<(), RestError> {
    let authorization = headers
        .get(AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default();
    let well_formed = match credential_scope(headers).as_deref() {
        Some([_key, date, region, _service, _]) => date.len() == 8 && !region.is_empty(),
        _ => false,
    };
    if !well_formed
        || !authorization.contains("SignedHeaders=")
        || !authorization.contains("Signature=")
    {
        return Err(RestError::new(
            403,
            "InvalidSignatureException",
            "Credential should be scoped to a valid region and to the service 'workspaces-web'",
        ));
    }
    if !headers.contains_key("x-amz-date") {
        return Err(RestError::new(
            403,
            "IncompleteSignatureException",
            "X-Amz-Date is missing",
        ));
    }
    Ok(())
}

/// A successful answer (200, JSON body).
pub fn success(body: &Value, request_id: &str) -> hyper::Response<String> {
    respond(StatusCode::OK, body.to_string(), request_id)
}

/// An error answer: its status, `x-amzn-ErrorType`, `Retry-After` when it has one, and its body.
pub fn failure(error: &RestError, request_id: &str) -> hyper::Response<String> {
    let status = StatusCode::from_u16(error.status).unwrap_or(StatusCode::BAD_REQUEST);
    let mut response = respond(
        status,
        Value::Object(error.body.clone()).to_string(),
        request_id,
    );
    if let Ok(type_name) = HeaderValue::from_str(&error.type_name) {
        response.headers_mut().insert("x-amzn-errortype", type_name);
    }
    if let Some(seconds) = error.retry_after {
        response
            .headers_mut()
            .insert("retry-after", HeaderValue::from(seconds));
    }
    response
}

fn respond(status: StatusCode, body: String, request_id: &str) -> hyper::Response<String> {
    let mut response = hyper::Response::new(body);
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(JSON));
    if let Ok(id) = HeaderValue::from_str(request_id) {
        response.headers_mut().insert("x-amzn-requestid", id);
    }
    response
}
