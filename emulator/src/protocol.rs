//! The awsJson1_1 wire protocol: what a WorkMail request must look like (POST /, JSON 1.1 content type,
//! `X-Amz-Target: WorkMailService.<Operation>`, a SigV4 `Authorization` for service `workmail`), and
//! how answers and errors are written.

use hyper::header::{AUTHORIZATION, CONTENT_TYPE, HeaderMap, HeaderValue};
use hyper::{Method, StatusCode};
use serde_json::{Map, Value, json};

use crate::operations::ErrorAnswer;

pub const JSON_1_1: &str = "application/x-amz-json-1.1";
const TARGET_PREFIX: &str = "WorkMailService.";

/// The operation a request names, read before anything else so that every call can be recorded.
pub fn operation(headers: &HeaderMap) -> String {
    header(headers, "x-amz-target")
        .and_then(|target| target.strip_prefix(TARGET_PREFIX))
        .unwrap_or_default()
        .to_owned()
}

pub fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|value| value.to_str().ok())
}

/// Checks the envelope of a request and reads its JSON input.
pub fn read_input(
    method: &Method,
    path: &str,
    headers: &HeaderMap,
    body: &Value,
) -> Result<Map<String, Value>, ErrorAnswer> {
    if method != Method::POST || path != "/" {
        return Err(ErrorAnswer::new(
            404,
            "UnknownOperationException",
            "awsJson1_1 requests are POST /",
        ));
    }
    check_signature(headers)?;
    if header(headers, CONTENT_TYPE.as_str()) != Some(JSON_1_1) {
        return Err(ErrorAnswer::new(
            400,
            "SerializationException",
            format!("Content-Type must be {JSON_1_1}"),
        ));
    }
    if operation(headers).is_empty() {
        return Err(ErrorAnswer::new(
            400,
            "UnknownOperationException",
            format!("X-Amz-Target must be {TARGET_PREFIX}<Operation>"),
        ));
    }
    body.as_object().cloned().ok_or_else(|| {
        ErrorAnswer::new(
            400,
            "SerializationException",
            "the body must be a JSON object",
        )
    })
}

/// A SigV4 `Authorization` header scoped to the `workmail` service, with its `X-Amz-Date`. The
/// signature itself is not recomputed: the emulator knows no secrets.
fn check_signature(headers: &HeaderMap) -> Result<(), ErrorAnswer> {
    let Some(authorization) = header(headers, AUTHORIZATION.as_str()) else {
        return Err(ErrorAnswer::new(
            400,
            "MissingAuthenticationTokenException",
            "Missing Authentication Token",
        ));
    };
    let scope = authorization
        .strip_prefix("AWS4-HMAC-SHA256 Credential=")
        .and_then(|rest| rest.split(',').next())
        .map(|credential| credential.split('/').collect::<Vec<_>>());
    let well_formed = match scope.as_deref() {
        Some([_key, date, region, service, "aws4_request"]) => {
            date.len() == 8 && !region.is_empty() && *service == "workmail"
        }
        _ => false,
    };
    if !well_formed
        || !authorization.contains("SignedHeaders=")
        || !authorization.contains("Signature=")
    {
        return Err(ErrorAnswer::new(
            403,
            "InvalidSignatureException",
            "Credential should be scoped to a valid region and to the service 'workmail'",
        ));
    }
    if header(headers, "x-amz-date").is_none() {
        return Err(ErrorAnswer::new(
            403,
            "IncompleteSignatureException",
            "X-Amz-Date is missing",
        ));
    }
    Ok(())
}

/// A successful answer.
pub fn success(body: &Value, request_id: &str) -> hyper::Response<String> {
    respond(StatusCode::OK, body.to_string(), request_id)
}

/// An error answer: `{"__type": ..., "Message": ...}` with the status of the error.
pub fn failure(error: &ErrorAnswer, request_id: &str) -> hyper::Response<String> {
    let status = StatusCode::from_u16(error.status).unwrap_or(StatusCode::BAD_REQUEST);
    let body = json!({ "__type": error.type_name, "Message": error.message });
    respond(status, body.to_string(), request_id)
}

fn respond(status: StatusCode, body: String, request_id: &str) -> hyper::Response<String> {
    let mut response = hyper::Response::new(body);
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(JSON_1_1));
    if let Ok(id) = HeaderValue::from_str(request_id) {
        response.headers_mut().insert("x-amzn-requestid", id);
    }
    response
}
