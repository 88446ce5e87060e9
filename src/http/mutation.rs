//! The write path (PUT, PATCH, DELETE): authorize, read the current state, check preconditions and the
//! escalation a change needs, answer a dry run, insist on confirmation for lockout risks, then write.

use lambda_http::http::header::ETAG;
use lambda_http::http::{HeaderValue, Response, StatusCode};
use lambda_http::{Body, Request};
use serde_json::json;

use super::access_control::AccessControl;
use super::body::{Accepts, json_body};
use super::conditions::Preconditions;
use super::handler::{configuration_response, empty_response, json_response};
use super::identity::RequestIdentity;
use super::route::Action;
use super::{ApiError, RequestError};
use crate::access::Permission;
use crate::domain::{Change, ConfigurationDocument, OrganizationId, etag, parse_configuration};
use crate::use_cases::{self, Mutation};
use crate::workmail::IdentityProviderRemoval;

/// The header and value that confirm a change that risks locking mailbox users out.
const CONFIRM_HEADER: &str = "confirm-impact";
const CONFIRM_VALUE: &str = "lockout-risk";

/// What the write path learned, for the audit record (kept even when it ends in an error).
#[derive(Debug, Default)]
pub struct MutationFacts {
    pub dry_run: bool,
    pub change: Option<Change>,
}

pub struct MutationRequest<'a> {
    pub action: Action,
    pub organization: &'a OrganizationId,
    pub request: &'a Request,
    pub identity: &'a RequestIdentity,
}

pub async fn mutate(
    store: &impl IdentityProviderRemoval,
    access: &AccessControl,
    input: MutationRequest<'_>,
    facts: &mut MutationFacts,
) -> Result<Response<Body>, ApiError> {
    let MutationRequest {
        action,
        organization,
        request,
        identity,
    } = input;
    access.authorize(identity, organization, Permission::Write)?;
    facts.dry_run = dry_run(request)?;
    let preconditions = Preconditions::parse(request.headers())?;
    let mutation = match action {
        Action::Replace => {
            let body = json_body(request.headers(), request.body(), Accepts::Json)?;
            Mutation::Replace(
                parse_configuration(&body, organization).map_err(RequestError::Validation)?,
            )
        }
        Action::Patch => Mutation::Patch(json_body(
            request.headers(),
            request.body(),
            Accepts::MergePatch,
        )?),
        Action::Remove | Action::Read => Mutation::Remove,
    };
    let change = use_cases::prepare(store, organization, mutation).await?;
    facts.change = Some(change.clone());
    if change.risks_lockout() {
        access.authorize(identity, organization, Permission::Escalate)?;
    }
    let current_etag = change
        .before
        .as_ref()
        .map(|before| etag(organization, before));
    preconditions.check(current_etag.as_deref(), access.require_if_match)?;
    if facts.dry_run {
        return Ok(dry_run_response(&change, current_etag.as_deref()));
    }
    if change.risks_lockout() && !confirmed(request) {
        return Err(RequestError::LockoutNotConfirmed {
            removal: change.after.is_none(),
        }
        .into());
    }
    match use_cases::apply(store, &change).await? {
        Some(stored) => Ok(configuration_response(organization, &stored)),
        None => Ok(empty_response(StatusCode::NO_CONTENT)),
    }
}

/// `?dryRun=true|false`, read from the URI's query (which every event source and the local server fill).
fn dry_run(request: &Request) -> Result<bool, RequestError> {
    let query = request.uri().query().unwrap_or_default();
    let values: Vec<String> = url::form_urlencoded::parse(query.as_bytes())
        .filter(|(name, _)| name == "dryRun")
        .map(|(_, value)| value.into_owned())
        .collect();
    match values
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        [] | ["false"] => Ok(false),
        ["true"] => Ok(true),
        _ => Err(RequestError::InvalidQuery {
            name: "dryRun",
            message: "must be given once, as true or false".to_owned(),
        }),
    }
}

fn confirmed(request: &Request) -> bool {
    let values: Vec<_> = request.headers().get_all(CONFIRM_HEADER).iter().collect();
    matches!(values.as_slice(), [value] if value.as_bytes() == CONFIRM_VALUE.as_bytes())
}

fn dry_run_response(change: &Change, current_etag: Option<&str>) -> Response<Body> {
    let document = |configuration: Option<&crate::domain::IdentityProviderConfiguration>| {
        configuration.map(|c| ConfigurationDocument::new(&change.organization, c))
    };
    let mut response = json_response(
        StatusCode::OK,
        &json!({
            "dryRun": true,
            "wouldChange": change.would_change(),
            "requiresConfirmation": change.risks_lockout(),
            "before": document(change.before.as_ref()),
            "after": document(change.after.as_ref()),
            "diff": change.diff(),
        }),
    );
    if let Some(value) = current_etag.and_then(|tag| HeaderValue::from_str(tag).ok()) {
        response.headers_mut().insert(ETAG, value);
    }
    response
}
