//! The readiness route's answer: for portals, what a switch to `IDENTITY_PROVIDER_ONLY` would do to
//! the organization's mailbox users now, and whether it is `ready` (nobody would lose access, by a
//! complete report).

use lambda_http::Body;
use lambda_http::http::{Response, StatusCode};
use serde_json::json;

use super::responses::json_response;
use crate::domain::OrganizationId;
use crate::use_cases::Readiness;

/// 200 with `ready` and the impact report.
pub fn readiness_response(organization: &OrganizationId, readiness: &Readiness) -> Response<Body> {
    json_response(
        StatusCode::OK,
        &json!({
            "organizationId": organization.as_str(),
            "ready": readiness.ready,
            "impact": readiness.impact,
        }),
    )
}
