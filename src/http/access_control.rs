//! `AccessControl`: what the API checks before it calls WorkMail for a caller — the deployment's
//! managed organizations, the per-caller access policy (when configured), and whether writes must be
//! conditional.

use super::RequestError;
use super::identity::RequestIdentity;
use crate::access::{AccessPolicy, Permission};
use crate::domain::{ManagedOrganizations, OrganizationId};

#[derive(Debug, Clone)]
pub struct AccessControl {
    pub managed: ManagedOrganizations,
    /// `None`: per-caller authorization is off (only the managed list applies).
    pub policy: Option<AccessPolicy>,
    /// PUT, PATCH and DELETE need If-Match (or If-None-Match: *).
    pub require_if_match: bool,
}

impl AccessControl {
    /// Any organization, any caller, unconditional writes: for local runs and tests.
    pub fn open() -> Self {
        Self {
            managed: ManagedOrganizations::Any,
            policy: None,
            require_if_match: false,
        }
    }

    pub fn check_managed(&self, organization: &OrganizationId) -> Result<(), RequestError> {
        if self.managed.includes(organization) {
            Ok(())
        } else {
            Err(RequestError::OrganizationNotManaged(organization.clone()))
        }
    }

    /// Refuses unless the policy (when there is one) gives the caller `permission` on `organization`.
    /// Escalation is on top of write: both must be granted.
    pub fn authorize(
        &self,
        identity: &RequestIdentity,
        organization: &OrganizationId,
        permission: Permission,
    ) -> Result<(), RequestError> {
        let Some(policy) = &self.policy else {
            return Ok(());
        };
        let granted = identity
            .caller
            .as_ref()
            .is_some_and(|caller| match permission {
                Permission::Escalate => {
                    policy.allows(caller, organization, Permission::Write)
                        && policy.allows(caller, organization, Permission::Escalate)
                }
                other => policy.allows(caller, organization, other),
            });
        if granted {
            Ok(())
        } else {
            Err(RequestError::Forbidden {
                permission: permission.as_str(),
            })
        }
    }
}
