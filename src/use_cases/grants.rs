//! `Grants`: what the caller of a use case may do on the organization it names, as the access policy
//! decided before the call.

use crate::access::Permission;

use super::UseCaseError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Grants {
    pub read: bool,
    pub write: bool,
    /// Lockout-risk changes; only counts together with `write`.
    pub escalate: bool,
}

impl Grants {
    /// Everything: for deployments without an access policy, and local runs.
    pub const ALL: Grants = Grants {
        read: true,
        write: true,
        escalate: true,
    };

    /// Refuses unless `permission` is granted.
    pub fn require(&self, permission: Permission) -> Result<(), UseCaseError> {
        let granted = match permission {
            Permission::Read => self.read,
            Permission::Write => self.write,
            Permission::Escalate => self.write && self.escalate,
        };
        if granted {
            Ok(())
        } else {
            Err(UseCaseError::Forbidden(permission))
        }
    }
}
