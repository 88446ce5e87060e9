//! The personal access token routes at the HTTP edge: a listing's query (`userId`,
//! `expiringWithinDays`, `nextToken`) and a revocation's path `tokenId` read into use-case requests
//! before any call, every problem named by its parameter, and the use cases' answers written back.

use lambda_http::Body;
use lambda_http::http::{Response, StatusCode};
use serde_json::json;

use super::RequestError;
use super::error::ParameterProblem;
use super::query::{Query, values};
use super::responses::{empty_response, json_response};
use crate::domain::{InvalidValue, OrganizationId, PersonalAccessTokenId, UserId};
use crate::use_cases::{
    ExpiryWindow, Grants, RevocationOutcome, TokenListing, TokenPage, TokenRevocationRequest,
};
use crate::workmail::PageToken;

/// The `tokenId` in a revocation's path is not a personal access token id.
#[derive(Debug, thiserror::Error)]
#[error("token id in the path: {0}")]
pub struct InvalidTokenId(pub InvalidValue);

/// Reads a listing's query (already admitted by `parse_query`); every invalid parameter is reported.
pub fn listing_request(
    organization: &OrganizationId,
    raw_query: Option<&str>,
) -> Result<TokenListing, RequestError> {
    let mut problems = Vec::new();
    let user = at_most_once(raw_query, "userId", UserId::parse, &mut problems);
    let expiring = at_most_once(
        raw_query,
        "expiringWithinDays",
        ExpiryWindow::parse_days,
        &mut problems,
    );
    let next = at_most_once(raw_query, "nextToken", PageToken::parse, &mut problems);
    if problems.is_empty() {
        Ok(TokenListing {
            organization: organization.clone(),
            user,
            expiring,
            next,
        })
    } else {
        Err(RequestError::InvalidQuery(problems))
    }
}

/// The parameter `name` parsed, if given once; a problem when it is given twice or is invalid.
pub(super) fn at_most_once<T>(
    raw_query: Option<&str>,
    name: &str,
    parse: impl Fn(&str) -> Result<T, InvalidValue>,
    problems: &mut Vec<ParameterProblem>,
) -> Option<T> {
    match values(raw_query, name).as_slice() {
        [] => None,
        [value] => parse(value)
            .map_err(|invalid| problems.push(problem(name, invalid.message())))
            .ok(),
        _ => {
            problems.push(problem(name, "must be given at most once"));
            None
        }
    }
}

fn problem(name: &str, message: &str) -> ParameterProblem {
    ParameterProblem {
        name: name.to_owned(),
        message: message.to_owned(),
    }
}

/// 200 with one page of token summaries (never a secret: WorkMail returns none) and the `nextToken`
/// to pass back for the next page (`null` after the last).
pub fn listing_response(organization: &OrganizationId, page: &TokenPage) -> Response<Body> {
    json_response(
        StatusCode::OK,
        &json!({
            "organizationId": organization.as_str(),
            "personalAccessTokens": page.tokens,
            "nextToken": page.next.as_ref().map(PageToken::as_str),
        }),
    )
}

/// Reads a revocation: the path's `tokenId` and `?dryRun`.
pub fn revocation_request(
    organization: &OrganizationId,
    token: &str,
    query: Query,
    grants: Grants,
) -> Result<TokenRevocationRequest, InvalidTokenId> {
    Ok(TokenRevocationRequest {
        organization: organization.clone(),
        token: PersonalAccessTokenId::parse(token).map_err(InvalidTokenId)?,
        grants,
        dry_run: query.dry_run,
    })
}

/// 204 after a revocation; a dry run's 200 names the token that would be revoked.
pub fn revocation_response(outcome: &RevocationOutcome) -> Response<Body> {
    match outcome {
        RevocationOutcome::DryRun(token) => json_response(
            StatusCode::OK,
            &json!({ "dryRun": true, "wouldRevoke": token }),
        ),
        RevocationOutcome::Revoked(_) => empty_response(StatusCode::NO_CONTENT),
    }
}
