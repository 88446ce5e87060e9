//! WorkSpaces Web's modeled errors as restJson1 carries them: a status, the shape name in
//! `x-amzn-ErrorType`, a body with a lowercase `message` and the shape's other members, and
//! `Retry-After` where the model binds `retryAfterSeconds` to it.

use serde_json::{Map, Value, json};

use crate::faults::Fault;

/// Seconds a throttled caller is told to wait (`Retry-After`).
pub const RETRY_AFTER_SECONDS: u32 = 1;

/// One member the model refuses, as `ValidationExceptionField` has it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldViolation {
    pub name: String,
    pub message: String,
}

/// An error answer of a WorkSpaces Web operation.
#[derive(Debug, Clone, PartialEq)]
pub struct RestError {
    pub status: u16,
    /// The error shape's name (`x-amzn-ErrorType`).
    pub type_name: String,
    /// The body: `message` and the shape's other body members.
    pub body: Map<String, Value>,
    /// `Retry-After`, for ThrottlingException and InternalServerException.
    pub retry_after: Option<u32>,
}

impl RestError {
    pub fn new(status: u16, type_name: &str, message: impl Into<String>) -> Self {
        let mut body = Map::new();
        body.insert("message".to_owned(), Value::String(message.into()));
        Self {
            status,
            type_name: type_name.to_owned(),
            body,
            retry_after: None,
        }
    }

    fn with(mut self, member: &str, value: Value) -> Self {
        self.body.insert(member.to_owned(), value);
        self
    }

    /// 400 ValidationException with reason `fieldValidationFailed` and every refused member.
    pub fn field_validation(violations: &[FieldViolation]) -> Self {
        let count = violations.len();
        let summary = violations
            .iter()
            .map(|violation| violation.message.as_str())
            .collect::<Vec<_>>()
            .join("; ");
        let plural = if count == 1 { "" } else { "s" };
        Self::new(
            400,
            "ValidationException",
            format!("{count} validation error{plural} detected: {summary}"),
        )
        .with("reason", json!("fieldValidationFailed"))
        .with(
            "fieldList",
            Value::Array(
                violations
                    .iter()
                    .map(
                        |violation| json!({ "name": violation.name, "message": violation.message }),
                    )
                    .collect(),
            ),
        )
    }

    /// 400 ValidationException with reason `cannotParse` (a body or a query value that is not what
    /// the model says, e.g. not JSON or a string where a number belongs).
    pub fn cannot_parse(message: impl Into<String>) -> Self {
        Self::new(400, "ValidationException", message).with("reason", json!("cannotParse"))
    }

    /// 404 ResourceNotFoundException naming the resource.
    pub fn not_found(resource_type: &str, resource_id: &str) -> Self {
        Self::new(
            404,
            "ResourceNotFoundException",
            format!("{resource_type} not found: {resource_id}"),
        )
        .with("resourceId", json!(resource_id))
        .with("resourceType", json!(resource_type))
    }

    /// 409 ConflictException naming the resource in the way.
    pub fn conflict(message: impl Into<String>, resource_type: &str, resource_id: &str) -> Self {
        Self::new(409, "ConflictException", message)
            .with("resourceId", json!(resource_id))
            .with("resourceType", json!(resource_type))
    }

    /// 429 ThrottlingException with `Retry-After`.
    pub fn throttling() -> Self {
        let mut error = Self::new(429, "ThrottlingException", "Rate exceeded")
            .with("serviceCode", json!("workspaces-web"));
        error.retry_after = Some(RETRY_AFTER_SECONDS);
        error
    }

    /// 500 InternalServerException.
    pub fn internal() -> Self {
        let mut error = Self::new(500, "InternalServerException", "Internal server error");
        error.retry_after = Some(RETRY_AFTER_SECONDS);
        error
    }

    /// 403 AccessDeniedException, as when the caller's role lacks `workspaces-web:<operation>`.
    pub fn access_denied(operation: &str) -> Self {
        Self::new(
            403,
            "AccessDeniedException",
            format!(
                "User: arn:aws:sts::123456789012:assumed-role/emulated-role/session is not authorized to perform: workspaces-web:{operation}"
            ),
        )
    }

    /// The answer an error fault gives a WorkSpaces Web operation (`None` for the faults that are
    /// not errors: latency and acknowledging without effect).
    pub fn from_fault(fault: &Fault, operation: &str) -> Option<Self> {
        match fault {
            Fault::Throttle => Some(Self::throttling()),
            Fault::ServerError => Some(Self::internal()),
            Fault::AccessDenied => Some(Self::access_denied(operation)),
            Fault::Error {
                status,
                type_name,
                message,
            } => Some(Self::new(*status, type_name, message.clone())),
            Fault::Rejected { field, message } => Some(Self::field_validation(&[FieldViolation {
                name: field.clone(),
                message: message.clone(),
            }])),
            Fault::Latency(_) | Fault::AcknowledgeWithoutEffect => None,
        }
    }

    /// The `reason` of a ValidationException, if this is one.
    #[cfg(test)]
    pub fn reason(&self) -> Option<&str> {
        self.body.get("reason").and_then(Value::as_str)
    }
}
