//! The API's success responses: JSON bodies that are never cached, the configuration with its ETag,
//! and empty answers.

use lambda_http::Body;
use lambda_http::http::header::{CACHE_CONTROL, CONTENT_TYPE, ETAG};
use lambda_http::http::{HeaderValue, Response, StatusCode};
use serde::Serialize;
use serde_json::Value;

use crate::domain::{
    ConfigurationDocument, IdentityProviderConfiguration, OrganizationId,
    UnrecognizedConfiguration, etag,
};

/// 200 with the configuration and its ETag; `warning`, when given, is added to the document.
pub fn configuration_response(
    organization: &OrganizationId,
    configuration: &IdentityProviderConfiguration,
    warning: Option<&str>,
) -> Response<Body> {
    let mut document = ConfigurationDocument::new(organization, configuration).to_value();
    if let (Some(warning), Value::Object(members)) = (warning, &mut document) {
        members.insert("warning".to_owned(), Value::from(warning));
    }
    let mut response = json_response(StatusCode::OK, &document);
    if let Ok(tag) = HeaderValue::from_str(&etag(organization, configuration)) {
        response.headers_mut().insert(ETAG, tag);
    }
    response
}

/// 200 with a configuration outside this version's model, as WorkMail holds it, its ETag (for a
/// conditional PUT or DELETE) and a warning saying what is unknown and what can still be done.
pub fn unrecognized_response(
    organization: &OrganizationId,
    stored: &UnrecognizedConfiguration,
) -> Response<Body> {
    let mut document = stored.document(organization);
    if let Value::Object(members) = &mut document {
        members.insert(
            "warning".to_owned(),
            Value::from(format!(
                "WorkMail holds values this version of idp-gateway does not know ({}); shown as stored. It can be replaced by a complete PUT or removed by DELETE (both with escalate and Confirm-Impact: lockout-risk); PATCH cannot merge onto it",
                stored.problems.join("; ")
            )),
        );
    }
    let mut response = json_response(StatusCode::OK, &document);
    if let Ok(tag) = HeaderValue::from_str(&stored.etag(organization)) {
        response.headers_mut().insert(ETAG, tag);
    }
    response
}

pub fn empty_response(status: StatusCode) -> Response<Body> {
    let mut response = Response::new(Body::Empty);
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// A JSON response; configuration data is never to be cached.
pub fn json_response(status: StatusCode, body: &impl Serialize) -> Response<Body> {
    let text = serde_json::to_string(body).unwrap_or_else(|_| "{}".to_owned());
    let mut response = empty_response(status);
    *response.body_mut() = Body::Text(text);
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}
