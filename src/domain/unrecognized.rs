//! `UnrecognizedConfiguration`: an identity-provider configuration WorkMail holds with a value outside
//! this version's model (a new enum value, a lifetime or ARN beyond today's bounds). It is kept as
//! WorkMail gave it, so that it can still be shown (with a warning), replaced by a complete PUT or
//! removed, instead of making every route fail.

use serde::Serialize;
use serde_json::json;

use super::OrganizationId;
use super::change::document_etag;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UnrecognizedConfiguration {
    pub authentication_mode: String,
    pub instance_arn: String,
    pub application_arn: String,
    pub token_status: String,
    pub lifetime_in_days: Option<i64>,
    /// What in it is outside the model, one entry per value.
    pub problems: Vec<String>,
}

impl UnrecognizedConfiguration {
    /// The configuration as the API shows it: the document's shape, values as stored.
    pub fn document(&self, organization: &OrganizationId) -> serde_json::Value {
        let mut tokens = json!({ "status": self.token_status });
        if let Some(days) = self.lifetime_in_days {
            tokens["lifetimeInDays"] = json!(days);
        }
        json!({
            "organizationId": organization.as_str(),
            "authenticationMode": self.authentication_mode,
            "identityCenter": { "instanceArn": self.instance_arn, "applicationArn": self.application_arn },
            "personalAccessTokens": tokens,
        })
    }

    /// A strong ETag for it, as for a recognized configuration: a hash of its document.
    pub fn etag(&self, organization: &OrganizationId) -> String {
        document_etag(&self.document(organization))
    }
}
