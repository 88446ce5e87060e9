//! `SecureBrowserError`: what went wrong in a WorkSpaces Web call, classified from the SDK's errors
//! into the same cases as WorkMail's (modeled exceptions, throttling, access, timeouts), with the
//! `fieldList` of a ValidationException and the `Retry-After` of a ThrottlingException.

use std::fmt;
use std::time::Duration;

use aws_sdk_workspacesweb::config::http::HttpResponse as RawResponse;
use aws_sdk_workspacesweb::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_workspacesweb::operation::RequestId;

use crate::workmail::describe_chain;

/// The WorkSpaces Web operation that failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BrowserOperation {
    ListIdentityProviders,
    GetIdentityProvider,
    CreateIdentityProvider,
    UpdateIdentityProvider,
    DeleteIdentityProvider,
}

impl BrowserOperation {
    pub fn name(self) -> &'static str {
        match self {
            BrowserOperation::ListIdentityProviders => "ListIdentityProviders",
            BrowserOperation::GetIdentityProvider => "GetIdentityProvider",
            BrowserOperation::CreateIdentityProvider => "CreateIdentityProvider",
            BrowserOperation::UpdateIdentityProvider => "UpdateIdentityProvider",
            BrowserOperation::DeleteIdentityProvider => "DeleteIdentityProvider",
        }
    }
}

impl fmt::Display for BrowserOperation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The kinds of upstream failure a caller can act on differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecureBrowserErrorKind {
    /// ValidationException: WorkSpaces Web refused the request (`fields` says which members).
    Validation,
    /// ResourceNotFoundException: the portal (or its provider) does not exist.
    NotFound,
    /// ConflictException: a reused client token with another request, or a concurrent change.
    Conflict,
    Throttled,
    AccessDenied,
    Timeout,
    /// An answer this version cannot use (missing members, an ARN outside the model).
    UnexpectedAnswer,
    Other,
}

/// One member WorkSpaces Web named in a ValidationException's `fieldList`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpstreamField {
    pub name: String,
    pub message: String,
}

/// A failed WorkSpaces Web call, with the service's own message and request id for the logs.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{operation} failed ({kind:?}, code {code:?}, request id {request_id:?}): {message}")]
pub struct SecureBrowserError {
    pub operation: BrowserOperation,
    pub kind: SecureBrowserErrorKind,
    pub code: Option<String>,
    pub message: String,
    pub request_id: Option<String>,
    pub fields: Vec<UpstreamField>,
    /// What a ThrottlingException's `Retry-After` header asked for.
    pub retry_after: Option<Duration>,
}

impl SecureBrowserError {
    /// Whether a write that failed so may still have been applied: it timed out, met a server
    /// error or a lost connection, or got an answer outside the model. A refusal WorkSpaces Web
    /// modeled (validation, not found, conflict, throttling, access) applied nothing.
    pub fn may_have_been_applied(&self) -> bool {
        matches!(
            self.kind,
            SecureBrowserErrorKind::Timeout
                | SecureBrowserErrorKind::UnexpectedAnswer
                | SecureBrowserErrorKind::Other
        )
    }

    pub fn unexpected_answer(operation: BrowserOperation, message: impl Into<String>) -> Self {
        Self {
            operation,
            kind: SecureBrowserErrorKind::UnexpectedAnswer,
            code: None,
            message: message.into(),
            request_id: None,
            fields: Vec::new(),
            retry_after: None,
        }
    }

    /// Classifies any SDK error of `operation`.
    pub fn from_sdk<E>(operation: BrowserOperation, error: SdkError<E, RawResponse>) -> Self
    where
        E: ProvideErrorMetadata + std::error::Error + 'static,
    {
        let request_id = error.meta().request_id().map(str::to_owned);
        let code = error.code().map(str::to_owned);
        let raw = error.raw_response();
        let (kind, message) = match &error {
            SdkError::TimeoutError(_) => (SecureBrowserErrorKind::Timeout, no_answer()),
            SdkError::DispatchFailure(failure) if failure.is_timeout() => {
                (SecureBrowserErrorKind::Timeout, no_answer())
            }
            SdkError::ServiceError(_) => (
                classify_code(code.as_deref().unwrap_or_default()),
                error.message().unwrap_or("no message").to_owned(),
            ),
            other => (SecureBrowserErrorKind::Other, describe_chain(other)),
        };
        Self {
            operation,
            kind,
            code,
            message,
            request_id,
            fields: raw.map(field_list).unwrap_or_default(),
            retry_after: raw.and_then(retry_after),
        }
    }

    /// The code callers see for this failure: the API's problem `code`, the enforcer's failure code.
    pub fn public_code(&self) -> &'static str {
        match (self.kind, self.operation) {
            (SecureBrowserErrorKind::NotFound, BrowserOperation::ListIdentityProviders) => {
                "PORTAL_NOT_FOUND"
            }
            (SecureBrowserErrorKind::NotFound, BrowserOperation::CreateIdentityProvider) => {
                "PORTAL_NOT_FOUND"
            }
            (SecureBrowserErrorKind::NotFound, _) => "IDENTITY_PROVIDER_NOT_CONFIGURED",
            (SecureBrowserErrorKind::Validation, _) => "UPSTREAM_REJECTED",
            (SecureBrowserErrorKind::Conflict, _) => "UPSTREAM_CONFLICT",
            (SecureBrowserErrorKind::Throttled, _) => "THROTTLED",
            (SecureBrowserErrorKind::AccessDenied, _) => "UPSTREAM_ACCESS_DENIED",
            (SecureBrowserErrorKind::Timeout, _) => "UPSTREAM_TIMEOUT",
            (SecureBrowserErrorKind::UnexpectedAnswer | SecureBrowserErrorKind::Other, _) => {
                "UPSTREAM_ERROR"
            }
        }
    }
}

fn no_answer() -> String {
    "no answer within the configured timeout".to_owned()
}

fn classify_code(code: &str) -> SecureBrowserErrorKind {
    match code {
        "ValidationException" => SecureBrowserErrorKind::Validation,
        "ResourceNotFoundException" => SecureBrowserErrorKind::NotFound,
        "ConflictException" => SecureBrowserErrorKind::Conflict,
        "ThrottlingException" | "TooManyRequestsException" | "Throttling" => {
            SecureBrowserErrorKind::Throttled
        }
        "AccessDeniedException"
        | "UnrecognizedClientException"
        | "InvalidSignatureException"
        | "MissingAuthenticationTokenException" => SecureBrowserErrorKind::AccessDenied,
        _ => SecureBrowserErrorKind::Other,
    }
}

/// The `fieldList` of a ValidationException body (`[{"name", "message"}]`), read from the raw
/// answer so that every operation's error shares one reading.
fn field_list(raw: &RawResponse) -> Vec<UpstreamField> {
    #[derive(serde::Deserialize)]
    struct Body {
        #[serde(rename = "fieldList", default)]
        field_list: Vec<Field>,
    }
    #[derive(serde::Deserialize)]
    struct Field {
        #[serde(default)]
        name: String,
        #[serde(default)]
        message: String,
    }
    raw.body()
        .bytes()
        .and_then(|bytes| serde_json::from_slice::<Body>(bytes).ok())
        .map(|body| {
            body.field_list
                .into_iter()
                .map(|field| UpstreamField {
                    name: field.name,
                    message: field.message,
                })
                .collect()
        })
        .unwrap_or_default()
}

/// `Retry-After` in whole seconds, bounded to a minute.
fn retry_after(raw: &RawResponse) -> Option<Duration> {
    let seconds: u64 = raw.headers().get("retry-after")?.trim().parse().ok()?;
    Some(Duration::from_secs(seconds.clamp(1, 60)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modeled_codes_are_classified() {
        for (code, kind) in [
            ("ValidationException", SecureBrowserErrorKind::Validation),
            (
                "ResourceNotFoundException",
                SecureBrowserErrorKind::NotFound,
            ),
            ("ConflictException", SecureBrowserErrorKind::Conflict),
            ("ThrottlingException", SecureBrowserErrorKind::Throttled),
            (
                "AccessDeniedException",
                SecureBrowserErrorKind::AccessDenied,
            ),
            ("InternalServerException", SecureBrowserErrorKind::Other),
        ] {
            assert_eq!(classify_code(code), kind, "{code}");
        }
    }
}
