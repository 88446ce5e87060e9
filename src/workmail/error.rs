//! `WorkMailError`: what went wrong upstream, classified from the SDK's errors into the cases the
//! callers act on (modeled exceptions, throttling, access, timeouts).

use std::fmt;

use aws_sdk_workmail::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_workmail::operation::RequestId;

use crate::domain::UnrecognizedConfiguration;

/// The WorkMail operation that failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    Describe,
    Put,
    Delete,
    ListUsers,
    ListPersonalAccessTokens,
    GetPersonalAccessTokenMetadata,
    DeletePersonalAccessToken,
    ListOrganizations,
}

impl Operation {
    pub fn name(self) -> &'static str {
        match self {
            Operation::Describe => "DescribeIdentityProviderConfiguration",
            Operation::Put => "PutIdentityProviderConfiguration",
            Operation::Delete => "DeleteIdentityProviderConfiguration",
            Operation::ListUsers => "ListUsers",
            Operation::ListPersonalAccessTokens => "ListPersonalAccessTokens",
            Operation::GetPersonalAccessTokenMetadata => "GetPersonalAccessTokenMetadata",
            Operation::DeletePersonalAccessToken => "DeletePersonalAccessToken",
            Operation::ListOrganizations => "ListOrganizations",
        }
    }
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The kinds of upstream failure a caller can act on differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WorkMailErrorKind {
    OrganizationNotFound,
    ResourceNotFound,
    OrganizationState,
    /// The user named in the request does not exist (`EntityNotFoundException`).
    EntityNotFound,
    /// The user named in the request is in a state that does not allow it (`EntityStateException`).
    EntityState,
    InvalidParameter,
    Throttled,
    AccessDenied,
    Timeout,
    /// An answer that is not a valid configuration (partial, or not what the model allows).
    UnexpectedAnswer,
    /// A complete configuration holding a value outside this version's model (kept in
    /// `WorkMailError::unrecognized`).
    OutsideModel,
    Other,
}

/// A failed WorkMail call, with WorkMail's own message and request id for the logs.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{operation} failed ({kind:?}, code {code:?}, request id {request_id:?}): {message}")]
pub struct WorkMailError {
    pub operation: Operation,
    pub kind: WorkMailErrorKind,
    pub code: Option<String>,
    pub message: String,
    pub request_id: Option<String>,
    /// For `OutsideModel`: the configuration as WorkMail holds it.
    pub unrecognized: Option<Box<UnrecognizedConfiguration>>,
}

const THROTTLING_CODES: &[&str] = &[
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestThrottledException",
    "TooManyRequestsException",
    "ProvisionedThroughputExceededException",
    "TransactionInProgressException",
    "RequestLimitExceeded",
    "BandwidthLimitExceeded",
    "LimitExceededException",
    "RequestThrottled",
    "SlowDown",
    "PriorRequestNotComplete",
    "EC2ThrottledException",
];

const CREDENTIAL_CODES: &[&str] = &[
    "UnrecognizedClientException",
    "InvalidClientTokenId",
    "InvalidSignatureException",
    "SignatureDoesNotMatch",
    "MissingAuthenticationTokenException",
    "IncompleteSignature",
    "UnauthorizedOperation",
];

impl WorkMailError {
    pub fn unexpected_answer(operation: Operation, message: impl Into<String>) -> Self {
        Self {
            operation,
            kind: WorkMailErrorKind::UnexpectedAnswer,
            code: None,
            message: message.into(),
            request_id: None,
            unrecognized: None,
        }
    }

    /// Describe answered a configuration with values outside the model.
    pub fn outside_model(stored: UnrecognizedConfiguration) -> Self {
        Self {
            operation: Operation::Describe,
            kind: WorkMailErrorKind::OutsideModel,
            code: None,
            message: format!(
                "the stored configuration holds values this version does not know: {}",
                stored.problems.join("; ")
            ),
            request_id: None,
            unrecognized: Some(Box::new(stored)),
        }
    }

    /// Classifies any SDK error of `operation`.
    pub fn from_sdk<E, R>(operation: Operation, error: SdkError<E, R>) -> Self
    where
        E: ProvideErrorMetadata + std::error::Error + 'static,
        R: fmt::Debug,
    {
        let request_id = error.meta().request_id().map(str::to_owned);
        let code = error.code().map(str::to_owned);
        let (kind, message) = match &error {
            SdkError::TimeoutError(_) => (
                WorkMailErrorKind::Timeout,
                "no answer within the configured timeout".to_owned(),
            ),
            SdkError::DispatchFailure(failure) if failure.is_timeout() => (
                WorkMailErrorKind::Timeout,
                "no answer within the configured timeout".to_owned(),
            ),
            SdkError::ServiceError(_) => (
                classify_code(code.as_deref().unwrap_or_default()),
                error.message().unwrap_or("no message").to_owned(),
            ),
            other => (WorkMailErrorKind::Other, describe_chain(other)),
        };
        Self {
            operation,
            kind,
            code,
            message,
            request_id,
            unrecognized: None,
        }
    }
}

impl WorkMailError {
    /// Whether a write that failed so may still have been applied: it timed out, met a server
    /// error or a lost connection, or got an answer outside the model. A refusal WorkMail modeled
    /// (a bad parameter, a missing organization, throttling, access) applied nothing.
    pub fn may_have_been_applied(&self) -> bool {
        matches!(
            self.kind,
            WorkMailErrorKind::Timeout
                | WorkMailErrorKind::UnexpectedAnswer
                | WorkMailErrorKind::Other
        )
    }

    /// The code callers see for this failure: the API's problem `code`, the enforcer's failure code.
    pub fn public_code(&self) -> &'static str {
        match (self.kind, self.operation) {
            (WorkMailErrorKind::OrganizationNotFound, _) => "ORGANIZATION_NOT_FOUND",
            (WorkMailErrorKind::ResourceNotFound, Operation::Put) => {
                "IDENTITY_CENTER_RESOURCE_NOT_FOUND"
            }
            (WorkMailErrorKind::ResourceNotFound, _) => "IDENTITY_PROVIDER_NOT_CONFIGURED",
            (WorkMailErrorKind::OrganizationState, _) => "ORGANIZATION_STATE_CONFLICT",
            (WorkMailErrorKind::EntityNotFound, _) => "USER_NOT_FOUND",
            (WorkMailErrorKind::EntityState, _) => "USER_STATE_CONFLICT",
            (WorkMailErrorKind::InvalidParameter, _) => "UPSTREAM_REJECTED",
            (WorkMailErrorKind::Throttled, _) => "THROTTLED",
            (WorkMailErrorKind::AccessDenied, _) => "UPSTREAM_ACCESS_DENIED",
            (WorkMailErrorKind::Timeout, _) => "UPSTREAM_TIMEOUT",
            (WorkMailErrorKind::OutsideModel, _) => "STORED_CONFIGURATION_UNRECOGNIZED",
            (WorkMailErrorKind::UnexpectedAnswer | WorkMailErrorKind::Other, _) => "UPSTREAM_ERROR",
        }
    }
}

fn classify_code(code: &str) -> WorkMailErrorKind {
    match code {
        "OrganizationNotFoundException" => WorkMailErrorKind::OrganizationNotFound,
        "ResourceNotFoundException" => WorkMailErrorKind::ResourceNotFound,
        "OrganizationStateException" => WorkMailErrorKind::OrganizationState,
        "EntityNotFoundException" => WorkMailErrorKind::EntityNotFound,
        "EntityStateException" => WorkMailErrorKind::EntityState,
        "InvalidParameterException" => WorkMailErrorKind::InvalidParameter,
        code if THROTTLING_CODES.contains(&code) => WorkMailErrorKind::Throttled,
        code if code.starts_with("AccessDenied") || CREDENTIAL_CODES.contains(&code) => {
            WorkMailErrorKind::AccessDenied
        }
        _ => WorkMailErrorKind::Other,
    }
}

/// The error and its sources in one line (the SDK's own Display stops at the outermost layer).
pub fn describe_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modeled_and_generic_codes_are_classified() {
        assert_eq!(
            classify_code("OrganizationStateException"),
            WorkMailErrorKind::OrganizationState
        );
        assert_eq!(
            classify_code("ThrottlingException"),
            WorkMailErrorKind::Throttled
        );
        assert_eq!(
            classify_code("AccessDeniedException"),
            WorkMailErrorKind::AccessDenied
        );
        assert_eq!(
            classify_code("UnrecognizedClientException"),
            WorkMailErrorKind::AccessDenied
        );
        assert_eq!(
            classify_code("EntityNotFoundException"),
            WorkMailErrorKind::EntityNotFound
        );
        assert_eq!(classify_code("InternalFailure"), WorkMailErrorKind::Other);
    }
}
