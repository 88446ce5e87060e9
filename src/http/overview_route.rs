//! `GET /organizations` at the HTTP edge: the query (`limit`, `nextToken`) read before any call, and a
//! page of the overview written back (each organization's id, alias, state and configuration
//! summary with its ETag; `nextToken` and `partial`).

use lambda_http::Body;
use lambda_http::http::{Response, StatusCode};
use serde_json::{Value, json};

use super::RequestError;
use super::responses::json_response;
use super::token_routes::at_most_once;
use crate::domain::{InvalidValue, etag};
use crate::use_cases::{
    DirectoryReading, OverviewEntry, OverviewPage, OverviewRequest, OverviewToken, ProviderSummary,
};

/// Reads the overview's query (already admitted by `parse_query`); every invalid parameter is reported.
pub fn overview_request(
    raw_query: Option<&str>,
    reading: DirectoryReading,
) -> Result<OverviewRequest, RequestError> {
    let mut problems = Vec::new();
    let limit = at_most_once(raw_query, "limit", parse_limit, &mut problems);
    let start = at_most_once(raw_query, "nextToken", OverviewToken::parse, &mut problems);
    if !problems.is_empty() {
        return Err(RequestError::InvalidQuery(problems));
    }
    Ok(OverviewRequest {
        limit: limit.unwrap_or(OverviewRequest::DEFAULT_LIMIT),
        start,
        reading,
    })
}

fn parse_limit(raw: &str) -> Result<usize, InvalidValue> {
    raw.parse::<usize>()
        .ok()
        .filter(|limit| {
            (1..=OverviewRequest::MAX_LIMIT).contains(limit) && !raw.starts_with(['0', '+'])
        })
        .ok_or_else(|| {
            InvalidValue::new(format!(
                "must be a whole number from 1 to {}",
                OverviewRequest::MAX_LIMIT
            ))
        })
}

/// 200 with the page.
pub fn overview_response(page: &OverviewPage) -> Response<Body> {
    json_response(
        StatusCode::OK,
        &json!({
            "organizations": page.entries.iter().map(entry).collect::<Vec<_>>(),
            "nextToken": page.next.as_ref().map(OverviewToken::encode),
            "partial": page.partial,
        }),
    )
}

fn entry(entry: &OverviewEntry) -> Value {
    let organization = &entry.organization;
    let provider = match &entry.provider {
        ProviderSummary::Configured(configuration) => json!({
            "configured": true,
            "authenticationMode": configuration.authentication_mode.as_str(),
            "identityCenterLinked": true,
            "personalAccessTokens": configuration.personal_access_tokens.status.as_str(),
            "etag": etag(&organization.id, configuration),
        }),
        ProviderSummary::NotConfigured => {
            json!({ "configured": false, "identityCenterLinked": false })
        }
        ProviderSummary::Unrecognized { etag } => json!({
            "configured": true,
            "recognized": false,
            "etag": etag,
        }),
        ProviderSummary::Failed(code) => json!({ "error": { "code": code } }),
    };
    json!({
        "organizationId": organization.id.as_str(),
        "alias": organization.alias,
        "state": organization.state,
        "identityProvider": provider,
    })
}
