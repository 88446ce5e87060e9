//! The write routes (PUT, PATCH, DELETE) at the HTTP edge: the request read into a
//! `ConfigurationWrite` (body and a PATCH body's shape, `?dryRun`, conditional headers,
//! `Confirm-Impact`) before any call, and the use case's outcome written back as a response. The
//! decisions are the use case's.

use lambda_http::http::header::ETAG;
use lambda_http::http::{HeaderValue, Response, StatusCode};
use lambda_http::{Body, Request};
use serde_json::json;

use super::RequestError;
use super::body::{Accepts, json_body};
use super::conditions::preconditions;
use super::query::Query;
use super::responses::{configuration_response, empty_response, json_response};
use super::route::Action;
use crate::domain::{
    Change, ConfigurationDocument, ImpactReport, OrganizationId, check_configuration_patch, etag,
    parse_configuration,
};
use crate::use_cases::{ConfigurationWrite, Consent, Grants, Mutation, WriteOutcome};

/// The header and value that confirm a change that risks locking mailbox users out.
const CONFIRM_HEADER: &str = "confirm-impact";
const CONFIRM_VALUE: &str = "lockout-risk";

/// Reads a write request; every problem with the request itself is found here, before any call.
pub fn write_request(
    action: Action,
    organization: &OrganizationId,
    request: &Request,
    query: Query,
    grants: Grants,
    require_precondition: bool,
) -> Result<ConfigurationWrite, RequestError> {
    let preconditions = preconditions(request.headers())?;
    let mutation = match action {
        Action::Replace => {
            let body = json_body(request.headers(), request.body(), Accepts::Json)?;
            Mutation::Replace(
                parse_configuration(&body, organization).map_err(RequestError::Validation)?,
            )
        }
        Action::Patch => {
            let patch = json_body(request.headers(), request.body(), Accepts::MergePatch)?;
            check_configuration_patch(&patch, organization).map_err(RequestError::Validation)?;
            Mutation::Patch(patch)
        }
        Action::Remove | Action::Read => Mutation::Remove,
    };
    Ok(ConfigurationWrite {
        organization: organization.clone(),
        mutation,
        grants,
        preconditions,
        require_precondition,
        dry_run: query.dry_run,
        consent: consent(request),
    })
}

/// The response for a write's outcome.
pub fn write_response(organization: &OrganizationId, outcome: &WriteOutcome) -> Response<Body> {
    match outcome {
        WriteOutcome::DryRun { change, impact } => dry_run_response(change, impact.as_deref()),
        WriteOutcome::Unchanged(Some(current)) => {
            configuration_response(organization, current, None)
        }
        WriteOutcome::Written {
            stored: Some(stored),
            warning,
        } => configuration_response(organization, stored, *warning),
        WriteOutcome::Unchanged(None) | WriteOutcome::Written { stored: None, .. } => {
            empty_response(StatusCode::NO_CONTENT)
        }
    }
}

/// `Confirm-Impact: lockout-risk`, optionally with `; digest="<impactDigest>"` (the digest of the
/// impact report the caller reviewed). Anything else, or the header twice, confirms nothing.
pub(super) fn consent(request: &Request) -> Consent {
    let values: Vec<_> = request.headers().get_all(CONFIRM_HEADER).iter().collect();
    let [value] = values.as_slice() else {
        return Consent::None;
    };
    let Ok(text) = value.to_str() else {
        return Consent::None;
    };
    let mut parts = text.split(';').map(str::trim);
    if parts.next() != Some(CONFIRM_VALUE) {
        return Consent::None;
    }
    let mut digest = None;
    for parameter in parts {
        match parameter
            .split_once('=')
            .map(|(name, value)| (name.trim(), value.trim()))
        {
            Some((name, value)) if name.eq_ignore_ascii_case("digest") && digest.is_none() => {
                let value = value
                    .strip_prefix('"')
                    .and_then(|rest| rest.strip_suffix('"'))
                    .unwrap_or(value);
                digest = Some(value.to_owned());
            }
            _ => return Consent::None,
        }
    }
    Consent::LockoutRisk { digest }
}

fn dry_run_response(change: &Change, impact: Option<&ImpactReport>) -> Response<Body> {
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
            "impact": impact,
            "requiresImpactDigest": impact.is_some_and(ImpactReport::locks_anyone_out),
        }),
    );
    let current_etag = change
        .before
        .as_ref()
        .map(|before| etag(&change.organization, before));
    if let Some(value) = current_etag.and_then(|tag| HeaderValue::from_str(&tag).ok()) {
        response.headers_mut().insert(ETAG, value);
    }
    response
}
