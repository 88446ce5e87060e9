//! The WorkSpaces Secure Browser routes at the HTTP edge (`/secure-browser/portals/{portalId}/
//! identity-provider`): the request read into a `PortalWrite` (the typed body, a PATCH's merge patch,
//! `?dryRun`, conditional headers, `Confirm-Impact`, `Idempotency-Key`) before any call, and the use
//! case's outcome written back as a response whose secrets show only as fingerprints.

use lambda_http::http::header::ETAG;
use lambda_http::http::{HeaderValue, Response, StatusCode};
use lambda_http::{Body, Request};
use serde_json::{Value, json};

use super::RequestError;
use super::body::{Accepts, MAX_PORTAL_BODY_BYTES, json_body_within};
use super::conditions::preconditions;
use super::identity::RequestIdentity;
use super::query::Query;
use super::responses::{empty_response, json_response};
use super::route::Action;
use super::write_route::consent;
use crate::domain::secure_browser::{IdentityProvider, parse_identity_provider};
use crate::domain::{IdempotencyKey, Timestamp};
use crate::use_cases::{
    Grants, PortalChange, PortalMutation, PortalRef, PortalWrite, PortalWriteOutcome,
    TaggedProvider,
};

const IDEMPOTENCY_KEY_HEADER: &str = "idempotency-key";

/// Reads a portal write request; every problem with the request itself is found here.
pub fn portal_write_request(
    action: Action,
    portal: PortalRef,
    identity: &RequestIdentity,
    request: &Request,
    query: Query,
    grants: Grants,
    require_precondition: bool,
) -> Result<PortalWrite, RequestError> {
    let preconditions = preconditions(request.headers())?;
    let idempotency_key = idempotency_key(request)?.map(|key| {
        let caller = identity
            .caller
            .as_ref()
            .map_or("(no caller)", |caller| caller.principal.as_str());
        key.scoped_to(&format!("{caller}\n{}", portal.arn.as_str()))
    });
    let mutation = match action {
        Action::Replace => {
            let body = json_body_within(
                request.headers(),
                request.body(),
                Accepts::Json,
                MAX_PORTAL_BODY_BYTES,
            )?;
            let parsed = parse_identity_provider(&body, Timestamp::now())
                .map_err(RequestError::Validation)?;
            PortalMutation::Replace {
                provider: Box::new(parsed.provider),
                warnings: parsed.warnings,
            }
        }
        Action::Patch => PortalMutation::Patch(json_body_within(
            request.headers(),
            request.body(),
            Accepts::MergePatch,
            MAX_PORTAL_BODY_BYTES,
        )?),
        Action::Remove | Action::Read => PortalMutation::Remove,
    };
    Ok(PortalWrite {
        portal,
        mutation,
        grants,
        preconditions,
        require_precondition,
        dry_run: query.dry_run,
        consent: consent(request),
        idempotency_key,
    })
}

/// `Idempotency-Key` (one value, 1..=512 visible characters), if sent.
fn idempotency_key(request: &Request) -> Result<Option<IdempotencyKey>, RequestError> {
    let values: Vec<_> = request
        .headers()
        .get_all(IDEMPOTENCY_KEY_HEADER)
        .iter()
        .collect();
    let invalid = |message: String| RequestError::InvalidHeader {
        name: "Idempotency-Key",
        message,
    };
    match values.as_slice() {
        [] => Ok(None),
        [value] => {
            let text = value
                .to_str()
                .map_err(|_| invalid("must be visible ASCII characters".to_owned()))?;
            IdempotencyKey::parse(text)
                .map(Some)
                .map_err(|error| invalid(error.message().to_owned()))
        }
        _ => Err(invalid("must be sent once".to_owned())),
    }
}

/// 200 with the provider (secrets as fingerprints) and its ETag; `warning` and `warnings`, when
/// any, are added.
pub fn portal_provider_response(
    current: &TaggedProvider,
    warning: Option<&str>,
    warnings: &[String],
) -> Response<Body> {
    let mut document = current.provider.view();
    if let Value::Object(members) = &mut document {
        if let Some(warning) = warning {
            members.insert("warning".to_owned(), Value::from(warning));
        }
        if !warnings.is_empty() {
            members.insert("warnings".to_owned(), json!(warnings));
        }
    }
    with_etag(
        json_response(StatusCode::OK, &document),
        Some(&current.etag),
    )
}

fn with_etag(mut response: Response<Body>, etag: Option<&str>) -> Response<Body> {
    if let Some(tag) = etag.and_then(|tag| HeaderValue::from_str(tag).ok()) {
        response.headers_mut().insert(ETAG, tag);
    }
    response
}

/// The response for a portal write's outcome.
pub fn portal_write_response(outcome: &PortalWriteOutcome) -> Response<Body> {
    match outcome {
        PortalWriteOutcome::DryRun(change) => dry_run_response(change),
        PortalWriteOutcome::Unchanged(Some(current)) => {
            portal_provider_response(current, None, &[])
        }
        PortalWriteOutcome::Written {
            stored: Some(stored),
            warning,
            warnings,
        } => portal_provider_response(stored, *warning, warnings),
        PortalWriteOutcome::Unchanged(None) | PortalWriteOutcome::Written { stored: None, .. } => {
            empty_response(StatusCode::NO_CONTENT)
        }
    }
}

fn dry_run_response(change: &PortalChange) -> Response<Body> {
    let response = json_response(
        StatusCode::OK,
        &json!({
            "dryRun": true,
            "wouldChange": change.would_change(),
            "requiresConfirmation": change.risks_lockout(),
            "before": change.before.as_ref().map(IdentityProvider::view),
            "after": change.after.as_ref().map(IdentityProvider::view),
            "diff": change.diff(),
            "warnings": change.warnings,
        }),
    );
    with_etag(response, change.current_etag.as_deref())
}
