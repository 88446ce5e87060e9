//! RFC 9457 problem responses: the one place where every error of every layer gets its status, code
//! and client-visible wording. Upstream internals (role ARNs, connection errors) stay in the logs.

use lambda_http::Body;
use lambda_http::http::header::{ALLOW, CONTENT_TYPE, ETAG, RETRY_AFTER};
use lambda_http::http::{HeaderValue, Response, StatusCode};
use serde::Serialize;

use super::RequestError;
use super::token_routes::InvalidTokenId;
use crate::domain::{ImpactReport, PreconditionError};
use crate::lease::EtagKeyError;
use crate::use_cases::{TokenError, UseCaseError};
use crate::workmail::WorkMailError;
use crate::workspaces_web::SecureBrowserError;

/// Any error a request can end in.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error(transparent)]
    Request(#[from] RequestError),
    #[error(transparent)]
    UseCase(#[from] UseCaseError),
    #[error(transparent)]
    InvalidTokenId(#[from] InvalidTokenId),
    #[error(transparent)]
    Token(#[from] TokenError),
}

/// Seconds a throttled caller is asked to wait.
const RETRY_AFTER_SECONDS: &str = "2";

/// The most entries a problem lists in `errors`; `errorCount` says how many there were.
pub const MAX_LISTED_ERRORS: usize = 100;

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct ProblemBody<'a> {
    r#type: &'static str,
    title: &'static str,
    status: u16,
    code: &'static str,
    detail: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    errors: Vec<ErrorEntry>,
    /// How many errors there were (`errors` lists the first `MAX_LISTED_ERRORS`).
    #[serde(skip_serializing_if = "Option::is_none")]
    error_count: Option<usize>,
    #[serde(rename = "currentETag", skip_serializing_if = "Option::is_none")]
    current_etag: Option<String>,
    /// Who a lockout-risk change would lock out, for the caller to review and acknowledge.
    #[serde(skip_serializing_if = "Option::is_none")]
    impact: Option<ImpactReport>,
    request_id: &'a str,
}

/// One refused member: `pointer` into the body, the path or query `parameter`, the request `header`,
/// or the upstream `field` (a member WorkSpaces Web named) it concerns.
#[derive(Debug, Default, Serialize)]
struct ErrorEntry {
    #[serde(skip_serializing_if = "Option::is_none")]
    pointer: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    parameter: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    header: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    field: Option<String>,
    message: String,
}

struct Problem {
    status: StatusCode,
    code: &'static str,
    detail: String,
    errors: Vec<ErrorEntry>,
    current_etag: Option<String>,
    impact: Option<ImpactReport>,
    header: Option<(lambda_http::http::HeaderName, String)>,
}

impl Problem {
    fn new(status: StatusCode, code: &'static str, detail: impl Into<String>) -> Self {
        Self {
            status,
            code,
            detail: detail.into(),
            errors: Vec::new(),
            current_etag: None,
            impact: None,
            header: None,
        }
    }
}

impl ApiError {
    /// The status this error answers with.
    pub fn status(&self) -> StatusCode {
        self.problem().status
    }

    /// The problem code this error answers with.
    pub fn code(&self) -> &'static str {
        self.problem().code
    }

    /// The problem response for this error.
    pub fn to_response(&self, request_id: &str) -> Response<Body> {
        let mut problem = self.problem();
        let error_count = (!problem.errors.is_empty()).then_some(problem.errors.len());
        problem.errors.truncate(MAX_LISTED_ERRORS);
        let body = ProblemBody {
            r#type: "about:blank",
            title: problem.status.canonical_reason().unwrap_or("Error"),
            status: problem.status.as_u16(),
            code: problem.code,
            detail: problem.detail,
            errors: problem.errors,
            error_count,
            current_etag: problem.current_etag,
            impact: problem.impact,
            request_id,
        };
        let mut response = super::responses::json_response(problem.status, &body);
        response.headers_mut().insert(
            CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if let Some((name, value)) = problem.header
            && let Ok(value) = HeaderValue::from_str(&value)
        {
            response.headers_mut().insert(name, value);
        }
        response
    }

    fn problem(&self) -> Problem {
        match self {
            ApiError::Request(error) => request_problem(error),
            ApiError::UseCase(error) | ApiError::Token(TokenError::UseCase(error)) => {
                use_case_problem(error)
            }
            ApiError::InvalidTokenId(InvalidTokenId(invalid)) => Problem {
                errors: vec![ErrorEntry {
                    parameter: Some("tokenId".to_owned()),
                    message: invalid.message().to_owned(),
                    ..ErrorEntry::default()
                }],
                ..Problem::new(
                    StatusCode::BAD_REQUEST,
                    "VALIDATION_FAILED",
                    "the personal access token id in the path is invalid",
                )
            },
            ApiError::Token(TokenError::NotFound(_)) => Problem::new(
                StatusCode::NOT_FOUND,
                "PERSONAL_ACCESS_TOKEN_NOT_FOUND",
                "the organization has no personal access token with this id; nothing was revoked",
            ),
        }
    }
}

fn request_problem(error: &RequestError) -> Problem {
    match error {
        RequestError::NotFound { path } => Problem::new(
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
            format!(
                "no route matches '{path}'; routes: GET /health; GET /openapi.json (this API's \
                 OpenAPI 3.1 document); GET /organizations; GET, PUT, PATCH, DELETE \
                 /organizations/{{organizationId}}/identity-provider; GET \
                 /organizations/{{organizationId}}/identity-provider/readiness; GET \
                 /organizations/{{organizationId}}/personal-access-tokens; DELETE \
                 /organizations/{{organizationId}}/personal-access-tokens/{{tokenId}}; GET, PUT, \
                 PATCH, DELETE /secure-browser/portals/{{portalId}}/identity-provider (HEAD \
                 wherever GET)"
            ),
        ),
        RequestError::MethodNotAllowed { method, allow } => Problem {
            header: Some((ALLOW, (*allow).to_owned())),
            ..Problem::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "METHOD_NOT_ALLOWED",
                format!("{method} is not allowed on this resource; allowed: {allow}"),
            )
        },
        RequestError::OrganizationNotManaged(_) => Problem::new(
            StatusCode::FORBIDDEN,
            "ORGANIZATION_NOT_MANAGED",
            "this deployment does not manage the organization; its list is the managed-organizations file (MANAGED_ORGANIZATIONS_FILE) or MANAGED_ORGANIZATION_IDS",
        ),
        RequestError::InvalidOrganization(invalid) => Problem {
            errors: vec![ErrorEntry {
                parameter: Some("organizationId".to_owned()),
                message: invalid.message().to_owned(),
                ..ErrorEntry::default()
            }],
            ..Problem::new(
                StatusCode::BAD_REQUEST,
                "VALIDATION_FAILED",
                "the organization id in the path is invalid",
            )
        },
        RequestError::PayloadTooLarge { size, limit } => Problem::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "PAYLOAD_TOO_LARGE",
            format!("the body has {size} bytes; at most {limit} are accepted"),
        ),
        RequestError::UnsupportedMediaType(detail) => Problem::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "UNSUPPORTED_MEDIA_TYPE",
            detail.clone(),
        ),
        RequestError::Malformed(detail) => {
            Problem::new(StatusCode::BAD_REQUEST, "MALFORMED_REQUEST", detail.clone())
        }
        RequestError::UnreadableEvent(_) => Problem::new(
            StatusCode::BAD_REQUEST,
            "MALFORMED_REQUEST",
            "the request cannot be read: a header name or value, the method or the path holds \
             characters HTTP does not allow, or the body is not valid Unicode (an unpaired \
             UTF-16 surrogate)",
        ),
        RequestError::Validation(problems) => validation(problems),
        RequestError::InvalidPortal(invalid) => Problem {
            errors: vec![ErrorEntry {
                parameter: Some("portalId".to_owned()),
                message: invalid.message().to_owned(),
                ..ErrorEntry::default()
            }],
            ..Problem::new(
                StatusCode::BAD_REQUEST,
                "VALIDATION_FAILED",
                "the portal id in the path is invalid",
            )
        },
        RequestError::InvalidHeader { name, message } => Problem {
            errors: vec![ErrorEntry {
                header: Some(name),
                message: message.clone(),
                ..ErrorEntry::default()
            }],
            ..Problem::new(
                StatusCode::BAD_REQUEST,
                "VALIDATION_FAILED",
                format!("the {name} header is invalid"),
            )
        },
        RequestError::NoResourceScope => Problem::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "RESOURCE_SCOPE_UNKNOWN",
            "the function cannot tell its own account and region (no invoked function ARN), so it cannot name the portal; for local runs set LOCAL_FUNCTION_ARN",
        ),
        RequestError::InvalidQuery(parameters) => Problem {
            errors: parameters
                .iter()
                .map(|parameter| ErrorEntry {
                    parameter: Some(parameter.name.clone()),
                    message: parameter.message.clone(),
                    ..ErrorEntry::default()
                })
                .collect(),
            ..Problem::new(
                StatusCode::BAD_REQUEST,
                "VALIDATION_FAILED",
                format!(
                    "the query has {} invalid parameter(s); each is listed in 'errors'",
                    parameters.len()
                ),
            )
        },
    }
}

/// The refusals of the use cases (authorization, preconditions, confirmation, the lease) and upstream failures.
fn use_case_problem(error: &UseCaseError) -> Problem {
    match error {
        UseCaseError::Forbidden(_) => Problem::new(
            StatusCode::FORBIDDEN,
            "FORBIDDEN",
            "the caller is not allowed to do this; ask for the permission in the function's access policy",
        ),
        UseCaseError::Precondition(PreconditionError::Failed { current }) => Problem {
            header: current.clone().map(|etag| (ETAG, etag)),
            current_etag: current.clone(),
            ..Problem::new(
                StatusCode::PRECONDITION_FAILED,
                "PRECONDITION_FAILED",
                match current {
                    Some(_) => {
                        "the configuration has changed since the ETag you sent (If-Match), or exists although you asked to create it (If-None-Match: *); read it again and retry with currentETag"
                    }
                    None => "the organization has no configuration, so If-Match cannot match",
                },
            )
        },
        UseCaseError::Precondition(PreconditionError::Required) => Problem::new(
            StatusCode::PRECONDITION_REQUIRED,
            "PRECONDITION_REQUIRED",
            "this deployment requires conditional writes that prove you read the current state: send If-Match with the strong ETag from a GET (If-Match: * does not count), or If-None-Match: * to create a configuration that does not exist yet",
        ),
        UseCaseError::LockoutNotConfirmed { removal, impact } => {
            let consequence = if *removal {
                "removing the Identity Center integration sends mailbox users back to directory authentication alone; mailbox users may have to reset their passwords before they can sign in again"
            } else {
                "this change can stop mailbox users from signing in: in IDENTITY_PROVIDER_ONLY directory passwords stop working in the WorkMail web app and in every existing mail client, and users without IAM Identity Center access (with MFA) or a personal access token lose access to their mail"
            };
            let how = match impact.as_deref() {
                Some(report) if report.locks_anyone_out() => format!(
                    "'impact' lists who: {} would lose all access, {} access from mail clients, {} may need a password reset. Review it, then repeat the request with the header 'Confirm-Impact: lockout-risk; digest=\"{}\"'",
                    report.losing_all_access,
                    report.losing_mail_client_access,
                    report.may_need_password_reset,
                    report.impact_digest
                ),
                _ => "nobody would lose access by the current directory ('impact' says who may need a password reset); repeat the request with the header 'Confirm-Impact: lockout-risk' to proceed".to_owned(),
            };
            Problem {
                impact: impact.as_deref().cloned(),
                ..Problem::new(
                    StatusCode::PRECONDITION_REQUIRED,
                    "CONFIRMATION_REQUIRED",
                    format!("{consequence}. {how}"),
                )
            }
        }
        UseCaseError::ImpactNotAcknowledged { impact, stale } => Problem {
            impact: Some(impact.as_ref().clone()),
            ..Problem::new(
                StatusCode::PRECONDITION_REQUIRED,
                "IMPACT_NOT_ACKNOWLEDGED",
                format!(
                    "{}{} users would lose all access, {} access from mail clients, {} may need a password reset{}. After reviewing 'impact', repeat the request with the header 'Confirm-Impact: lockout-risk; digest=\"{}\"'; nothing was written",
                    if *stale {
                        "the digest you sent does not match the impact now (users, tokens or the configuration changed since that report): "
                    } else {
                        "this change locks users out, so the confirmation must name the impact report it was given: "
                    },
                    impact.losing_all_access,
                    impact.losing_mail_client_access,
                    impact.may_need_password_reset,
                    if impact.complete {
                        ""
                    } else {
                        " (the directory could not be read completely within the time budget, so more may be affected)"
                    },
                    impact.impact_digest
                ),
            )
        },
        UseCaseError::WriteInProgress { retry_after } => Problem {
            header: Some((RETRY_AFTER, retry_after.as_secs().max(1).to_string())),
            ..Problem::new(
                StatusCode::CONFLICT,
                "WRITE_IN_PROGRESS",
                "another write to this organization's configuration or portal's identity provider is in progress; nothing was written. Read it again after Retry-After seconds and retry",
            )
        },
        UseCaseError::LockUnavailable(_) => Problem {
            header: Some((RETRY_AFTER, RETRY_AFTER_SECONDS.to_owned())),
            ..Problem::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "LOCK_UNAVAILABLE",
                "the write lease could not be taken (the lease table did not answer); nothing was written. Retry later",
            )
        },
        UseCaseError::EtagKey(EtagKeyError::Unavailable(_)) => Problem {
            header: Some((RETRY_AFTER, RETRY_AFTER_SECONDS.to_owned())),
            ..Problem::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "ETAG_KEY_UNAVAILABLE",
                "the key portal ETags are made with could not be read from the lease table; nothing was read or written. Retry later",
            )
        },
        UseCaseError::EtagKey(EtagKeyError::Malformed(_)) => Problem::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "ETAG_KEY_INVALID",
            "the key portal ETags are made with is malformed in the lease table; nothing was read or written. A retry will not help: an operator must remove the key item (see the README)",
        ),
        UseCaseError::CannotMergeUnrecognized(stored) => Problem::new(
            StatusCode::CONFLICT,
            "STORED_CONFIGURATION_UNRECOGNIZED",
            format!(
                "WorkMail holds values this version does not know ({}), so a merge patch cannot be applied to it; replace it with a complete PUT or remove it with DELETE (both with escalate and Confirm-Impact: lockout-risk)",
                stored.problems.join("; ")
            ),
        ),
        UseCaseError::NotConfigured => not_configured(),
        UseCaseError::Invalid(problems) => validation(problems),
        UseCaseError::Upstream(error) => upstream_problem(error),
        UseCaseError::PortalNotConfigured => portal_not_configured(),
        UseCaseError::PortalLockoutNotConfirmed { removal } => Problem::new(
            StatusCode::PRECONDITION_REQUIRED,
            "CONFIRMATION_REQUIRED",
            if *removal {
                "removing the portal's identity provider stops every portal user from signing in until another is set. Repeat the request with the header 'Confirm-Impact: lockout-risk' to proceed"
            } else {
                "this change points the portal's sign-in elsewhere (another provider type, client id, issuer or endpoint, Apple team or key, or SAML metadata; or it replaces a provider this version cannot read): every portal user signs in anew, and those the new provider does not know are locked out. Repeat the request with the header 'Confirm-Impact: lockout-risk' to proceed"
            },
        ),
        UseCaseError::PortalProviderUnrecognized(unrecognized) => Problem {
            errors: unrecognized
                .problems
                .iter()
                .map(|problem| ErrorEntry {
                    field: Some(problem.pointer.clone()),
                    message: problem.message.clone(),
                    ..ErrorEntry::default()
                })
                .collect(),
            ..Problem::new(
                StatusCode::CONFLICT,
                "STORED_CONFIGURATION_UNRECOGNIZED",
                format!(
                    "the portal's {} identity provider holds keys or values this version does not know ('errors' names them; values are never shown, they may be secrets); it can be replaced with a complete PUT or removed with DELETE (both with escalate and Confirm-Impact: lockout-risk), not read or patched",
                    unrecognized.provider_type
                ),
            )
        },
        UseCaseError::PortalWriteNotConfirmed => Problem::new(
            StatusCode::CONFLICT,
            "WRITE_NOT_CONFIRMED",
            "WorkSpaces Web accepted the write, but the portal read back right after holds no identity provider this version can show: another writer removed or replaced it at the same moment, or WorkSpaces Web answered from an earlier request with the same Idempotency-Key (one used before, for instance for a provider since removed). Read the portal again; to write anew, send a new Idempotency-Key",
        ),
        UseCaseError::SecureBrowser(error) => secure_browser_problem(error),
        UseCaseError::NoTimeToWrite => Problem {
            header: Some((RETRY_AFTER, "1".to_owned())),
            ..Problem::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "TIME_EXHAUSTED",
                "the reads before the write took too much of this invocation's time to write, confirm and answer within it (a slow upstream); nothing was written. Retry",
            )
        },
        UseCaseError::MaybeWritten(error) => maybe_written(upstream_problem(error)),
        UseCaseError::PortalMaybeWritten(error) => maybe_written(secure_browser_problem(error)),
    }
}

/// The upstream failure of a write that may have been applied all the same.
fn maybe_written(mut problem: Problem) -> Problem {
    problem.detail.push_str(
        ". The write may have been applied: read again before retrying; no other write of this product goes through until the write lease expires (seconds)",
    );
    problem
}

fn portal_not_configured() -> Problem {
    Problem::new(
        StatusCode::NOT_FOUND,
        "IDENTITY_PROVIDER_NOT_CONFIGURED",
        "the portal has no identity provider; PUT creates one",
    )
}

/// WorkSpaces Web's failures, in the same problem codes as WorkMail's.
fn secure_browser_problem(error: &SecureBrowserError) -> Problem {
    let request_id = error.request_id.as_deref().unwrap_or("unknown");
    let reference = format!(
        "{} failed (WorkSpaces Web request id {request_id}); see the function's logs",
        error.operation
    );
    let code = error.public_code();
    match code {
        "PORTAL_NOT_FOUND" => Problem::new(
            StatusCode::NOT_FOUND,
            code,
            "no WorkSpaces Secure Browser portal with this id exists in the function's account and region",
        ),
        "IDENTITY_PROVIDER_NOT_CONFIGURED" => portal_not_configured(),
        "UPSTREAM_REJECTED" => Problem {
            errors: error
                .fields
                .iter()
                .map(|field| ErrorEntry {
                    field: Some(field.name.clone()),
                    message: field.message.clone(),
                    ..ErrorEntry::default()
                })
                .collect(),
            ..Problem::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                code,
                format!(
                    "WorkSpaces Web refused the request: '{}' (request id {request_id}); 'errors' lists the members it named",
                    error.message
                ),
            )
        },
        "UPSTREAM_CONFLICT" => Problem::new(
            StatusCode::CONFLICT,
            code,
            format!(
                "WorkSpaces Web answered a conflict: '{}' (request id {request_id}). An Idempotency-Key reused with another request, or a change made at the same time outside this product; read the provider again",
                error.message
            ),
        ),
        "THROTTLED" => Problem {
            header: Some((
                RETRY_AFTER,
                error
                    .retry_after
                    .map_or(RETRY_AFTER_SECONDS.to_owned(), |wait| {
                        wait.as_secs().to_string()
                    }),
            )),
            ..Problem::new(
                StatusCode::TOO_MANY_REQUESTS,
                code,
                format!(
                    "WorkSpaces Web is throttling requests and retries did not get through; {reference}"
                ),
            )
        },
        "UPSTREAM_ACCESS_DENIED" => Problem::new(
            StatusCode::BAD_GATEWAY,
            code,
            format!("the function's execution role may not make this call; {reference}"),
        ),
        "UPSTREAM_TIMEOUT" => Problem::new(
            StatusCode::GATEWAY_TIMEOUT,
            code,
            format!("WorkSpaces Web did not answer in time; {reference}"),
        ),
        _ => Problem::new(StatusCode::BAD_GATEWAY, code, reference),
    }
}

fn validation(problems: &crate::domain::Problems) -> Problem {
    let errors: Vec<ErrorEntry> = problems
        .iter()
        .map(|problem| ErrorEntry {
            pointer: Some(problem.pointer.clone()),
            message: problem.message.clone(),
            ..ErrorEntry::default()
        })
        .collect();
    let detail = if errors.len() > MAX_LISTED_ERRORS {
        format!(
            "the configuration has {} problem(s); the first {MAX_LISTED_ERRORS} are listed in 'errors' with their JSON pointers",
            errors.len()
        )
    } else {
        format!(
            "the configuration has {} problem(s); each is listed in 'errors' with its JSON pointer",
            errors.len()
        )
    };
    Problem {
        detail,
        errors,
        ..Problem::new(StatusCode::BAD_REQUEST, "VALIDATION_FAILED", "")
    }
}

fn not_configured() -> Problem {
    Problem::new(
        StatusCode::NOT_FOUND,
        "IDENTITY_PROVIDER_NOT_CONFIGURED",
        "the organization has no IAM Identity Center integration configured",
    )
}

fn upstream_problem(error: &WorkMailError) -> Problem {
    let told = |what: &str| {
        format!(
            "{what}: WorkMail said '{}' (request id {})",
            error.message,
            error.request_id.as_deref().unwrap_or("unknown")
        )
    };
    let reference = format!(
        "{} failed (WorkMail request id {}); see the function's logs",
        error.operation,
        error.request_id.as_deref().unwrap_or("unknown")
    );
    let code = error.public_code();
    let (status, detail) = match code {
        "ORGANIZATION_NOT_FOUND" => (
            StatusCode::NOT_FOUND,
            told("the organization does not exist in this account and region"),
        ),
        "IDENTITY_CENTER_RESOURCE_NOT_FOUND" => (
            StatusCode::UNPROCESSABLE_ENTITY,
            told("the IAM Identity Center instance or application was not found"),
        ),
        "IDENTITY_PROVIDER_NOT_CONFIGURED" => return not_configured(),
        "ORGANIZATION_STATE_CONFLICT" => (
            StatusCode::CONFLICT,
            told("the organization is not in a state that allows this"),
        ),
        "STORED_CONFIGURATION_UNRECOGNIZED" => (
            StatusCode::CONFLICT,
            format!(
                "WorkMail holds a configuration with values this version does not know ({}); GET shows it, PUT replaces it, DELETE removes it",
                error.message
            ),
        ),
        "USER_NOT_FOUND" => (
            StatusCode::NOT_FOUND,
            told("the user does not exist in this organization"),
        ),
        "USER_STATE_CONFLICT" => (
            StatusCode::CONFLICT,
            told("the user is not in a state that allows this"),
        ),
        "UPSTREAM_REJECTED" => (
            StatusCode::UNPROCESSABLE_ENTITY,
            told("WorkMail refused the request"),
        ),
        "THROTTLED" => {
            return Problem {
                header: Some((RETRY_AFTER, RETRY_AFTER_SECONDS.to_owned())),
                ..Problem::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    code,
                    format!(
                        "WorkMail is throttling requests and retries did not get through; {reference}"
                    ),
                )
            };
        }
        "UPSTREAM_ACCESS_DENIED" => (
            StatusCode::BAD_GATEWAY,
            format!("the function's execution role may not make this call; {reference}"),
        ),
        "UPSTREAM_TIMEOUT" => (
            StatusCode::GATEWAY_TIMEOUT,
            format!("WorkMail did not answer in time; {reference}"),
        ),
        _ => (StatusCode::BAD_GATEWAY, reference),
    };
    Problem::new(status, code, detail)
}
