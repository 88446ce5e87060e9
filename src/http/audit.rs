//! The audit trail: exactly one record per mutating request (refused and dry-run ones included), as a
//! JSON line with `"audit": true`, plus a count per operation and outcome in Embedded Metric Format.
//! It names the caller (CloudTrail only sees the function's role) and never holds secrets or headers;
//! a token revocation names the token (id, user, name, expiry), never a secret (WorkMail has none to
//! give); a portal's identity provider shows its secrets only as fingerprints.

use serde_json::{Value, json};

use super::identity::RequestIdentity;
use crate::domain::secure_browser::{IdentityProvider, PortalId};
use crate::domain::{Change, ConfigurationDocument, OrganizationId, Timestamp};
use crate::metrics::{emf_line, now_millis};
use crate::use_cases::{PortalWriteFacts, RevocationFacts, WriteFacts};

pub struct AuditRecord<'a> {
    pub request_id: &'a str,
    pub identity: &'a RequestIdentity,
    pub operation: &'a str,
    /// The route's template (`None` for a request refused before routing).
    pub route: Option<&'a str>,
    pub organization: Option<&'a OrganizationId>,
    /// The WorkSpaces Secure Browser portal the request named.
    pub portal: Option<&'a PortalId>,
    pub dry_run: bool,
    /// What the write learned (`None` for a request refused before routing).
    pub write: Option<&'a WriteFacts>,
    /// What a token revocation learned (`None` for a request refused before routing).
    pub revocation: Option<&'a RevocationFacts>,
    /// What a portal write learned.
    pub portal_write: Option<&'a PortalWriteFacts>,
    pub status: u16,
    /// The problem code, or `OK`.
    pub code: &'a str,
}

impl AuditRecord<'_> {
    pub fn to_json(&self) -> Value {
        let document = |configuration: Option<&crate::domain::IdentityProviderConfiguration>| match (
            self.organization,
            configuration,
        ) {
            (Some(organization), Some(configuration)) => {
                ConfigurationDocument::new(organization, configuration).to_value()
            }
            _ => Value::Null,
        };
        let caller = self.identity.caller.as_ref();
        let change = self.write.and_then(|write| write.change.as_ref());
        let portal_change = self.portal_write.and_then(|write| write.change.as_ref());
        let effect = self
            .write
            .and_then(|write| write.effect)
            .or(self.revocation.and_then(|revocation| revocation.effect))
            .or(self.portal_write.and_then(|write| write.effect))
            .map_or("none", |effect| effect.as_str());
        let (before, after, diff) = match portal_change {
            Some(change) => (
                view(change.before.as_ref()),
                view(change.after.as_ref()),
                change.diff(),
            ),
            None => (
                document(change.and_then(|c| c.before.as_ref())),
                document(change.and_then(|c| c.after.as_ref())),
                change.map(Change::diff).unwrap_or_default(),
            ),
        };
        let warning = self
            .write
            .and_then(|write| write.warning)
            .or(self.portal_write.and_then(|write| write.warning));
        let token = self
            .revocation
            .and_then(|revocation| revocation.token.as_ref())
            .map(|token| {
                json!({
                    "personalAccessTokenId": token.id,
                    "userId": token.user_id,
                    "name": token.name,
                    "expiresTime": token.expires.map(|at| at.to_string()),
                })
            });
        let mut record = json!({
            "audit": true,
            "time": Timestamp::now().to_string(),
            "requestId": self.request_id,
            "callerArn": caller.map(|c| c.arn.as_str()),
            "callerPrincipal": caller.map(|c| c.principal.as_str()),
            "callerAccount": caller.and_then(|c| c.account.as_deref()),
            "sourceIp": self.identity.source_ip,
            "organizationId": self.organization.map(OrganizationId::as_str),
            "portalId": self.portal.map(PortalId::as_str),
            "operation": self.operation,
            "route": self.route,
            "dryRun": self.dry_run,
            "before": before,
            "after": after,
            "diff": diff,
            "personalAccessToken": token,
            "effect": effect,
            "warning": warning,
            "outcome": { "status": self.status, "code": self.code },
        });
        if let (Some(change), Value::Object(members)) = (portal_change, &mut record) {
            members.insert("secretsNamed".to_owned(), json!(change.named_secrets));
        }
        record
    }
}

/// A portal's identity provider as the record shows it: secrets as fingerprints.
fn view(provider: Option<&IdentityProvider>) -> Value {
    provider.map_or(Value::Null, IdentityProvider::view)
}

impl AuditRecord<'_> {
    /// Writes the record and its metric line to standard output (CloudWatch Logs in Lambda).
    pub fn emit(&self) {
        println!("{}", self.to_json());
        let outcome = if self.dry_run && self.status < 300 {
            "DRY_RUN"
        } else {
            self.code
        };
        println!(
            "{}",
            emf_line(
                "IdpGateway/Api",
                &[("Operation", self.operation), ("Outcome", outcome)],
                &[("Mutations", 1)],
                now_millis()
            )
        );
    }
}
