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
    #[error("invalid configuration: {0}")]
    Validation(Problems),
    #[error("query parameter {name}: {message}")]
    InvalidQuery { name: &'static str, message: String },
}
