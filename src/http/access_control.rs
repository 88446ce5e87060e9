//! `AccessControl`: what the API checks before it calls WorkMail for a caller — the deployment's
//! managed organizations, the per-caller access policy (when configured), and whether writes must be
//! conditional.

use super::RequestError;
use super::identity::RequestIdentity;
use crate::access::{AccessPolicy, Caller, Permission};
use crate::domain::secure_browser::PortalId;
use crate::domain::{ManagedOrganizations, OrganizationId};
use crate::use_cases::Grants;

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

    /// What the policy (when there is one) lets the caller do on `organization`. `write` includes
    /// `read`: a writer is answered the current configuration anyway (in a dry run, in a 412's ETag,
    /// in the answer to a write that changes nothing), so a policy cannot pretend otherwise.
    pub fn grants(&self, identity: &RequestIdentity, organization: &OrganizationId) -> Grants {
        self.grants_by(identity, |policy, caller, permission| {
            policy.allows(caller, organization, permission)
        })
    }

    /// Whether the caller may list organizations: it may read some organization (without a policy,
    /// anyone may). A caller who may not is refused outright, so that not even an empty list answers.
    pub fn may_list_organizations(&self, identity: &RequestIdentity) -> bool {
        match (&self.policy, identity.caller.as_ref()) {
            (None, _) => true,
            (Some(_), None) => false,
            (Some(policy), Some(caller)) => policy.reads_some_organization(caller),
        }
    }

    /// Whether the overview may show `organization` to the caller: managed here, and readable.
    pub fn may_read(&self, identity: &RequestIdentity, organization: &OrganizationId) -> bool {
        self.managed.includes(organization) && self.grants(identity, organization).read
    }

    /// What the policy lets the caller do on a WorkSpaces Secure Browser `portal`, on the same terms.
    pub fn portal_grants(&self, identity: &RequestIdentity, portal: &PortalId) -> Grants {
        self.grants_by(identity, |policy, caller, permission| {
            policy.allows_portal(caller, portal, permission)
        })
    }

    fn grants_by(
        &self,
        identity: &RequestIdentity,
        allows: impl Fn(&AccessPolicy, &Caller, Permission) -> bool,
    ) -> Grants {
        let Some(policy) = &self.policy else {
            return Grants::ALL;
        };
        let Some(caller) = identity.caller.as_ref() else {
            return Grants {
                read: false,
                write: false,
                escalate: false,
            };
        };
        let allows = |permission| allows(policy, caller, permission);
        let write = allows(Permission::Write);
        Grants {
            read: write || allows(Permission::Read),
            write,
            escalate: allows(Permission::Escalate),
        }
    }
}
