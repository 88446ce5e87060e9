//! `RequestError`: everything wrong with a request itself, found before any WorkMail call.

use crate::domain::{InvalidValue, OrganizationId, Problems};

#[derive(Debug, thiserror::Error)]
pub enum RequestError {
    #[error("no route for path {path}")]
    NotFound { path: String },
    #[error("method {method} is not allowed here; allowed: {allow}")]
    MethodNotAllowed { method: String, allow: &'static str },
    #[error("organization {0} is not managed by this deployment")]
    OrganizationNotManaged(OrganizationId),
    #[error("organization id in the path: {0}")]
    InvalidOrganization(InvalidValue),
    #[error("body of {size} bytes exceeds the limit of {limit} bytes")]
    PayloadTooLarge { size: usize, limit: usize },
    #[error("{0}")]
    UnsupportedMediaType(String),
    #[error("{0}")]
    Malformed(String),
    /// The event is not one lambda_http can read (a header, the method or the body holds what HTTP
    /// or UTF-8 does not allow); the reason is for the logs.
    #[error("the event cannot be read as an HTTP request: {0}")]
    UnreadableEvent(String),
    #[error("invalid configuration: {0}")]
    Validation(Problems),
    #[error("{} invalid query parameter(s), first: {}", .0.len(), .0.first().map(|p| p.name.as_str()).unwrap_or_default())]
    InvalidQuery(Vec<ParameterProblem>),
    #[error("portal id in the path: {0}")]
    InvalidPortal(InvalidValue),
    /// A request header that is present but unusable.
    #[error("header {name}: {message}")]
    InvalidHeader { name: &'static str, message: String },
    /// Portal ARNs cannot be built: no invoked function ARN and no `LOCAL_FUNCTION_ARN`.
    #[error("the function's account and region are unknown")]
    NoResourceScope,
}

/// One refused query parameter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParameterProblem {
    pub name: String,
    pub message: String,
}
