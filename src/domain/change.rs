//! `Change`: an organization's configuration before and after a requested mutation, and what follows
//! from it — the diff, whether anything changes, whether it risks locking mailbox users out — plus the
//! ETag that names a configuration for conditional requests.

use sha2::{Digest, Sha256};

use super::{
    AuthenticationMode, ConfigurationDocument, FieldChange, IdentityProviderConfiguration,
    OrganizationId, diff,
};

/// A requested mutation, resolved against the current state. `after` is `None` for a removal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub organization: OrganizationId,
    pub before: Option<IdentityProviderConfiguration>,
    pub after: Option<IdentityProviderConfiguration>,
}

impl Change {
    pub fn diff(&self) -> Vec<FieldChange> {
        diff(
            &self.organization,
            self.before.as_ref(),
            self.after.as_ref(),
        )
    }

    pub fn would_change(&self) -> bool {
        self.before != self.after
    }

    /// A removal, or a switch to `IDENTITY_PROVIDER_ONLY` from anything else: either can leave mailbox
    /// users unable to sign in (directory passwords stop working, or users must reset them). A change
    /// that changes nothing risks nothing.
    pub fn risks_lockout(&self) -> bool {
        let only = AuthenticationMode::IdentityProviderOnly;
        if !self.would_change() {
            return false;
        }
        match &self.after {
            None => true,
            Some(after) => {
                after.authentication_mode == only
                    && self
                        .before
                        .as_ref()
                        .is_none_or(|before| before.authentication_mode != only)
            }
        }
    }
}

/// A strong ETag for `configuration`: a hash of its normalized document, quoted.
pub fn etag(
    organization: &OrganizationId,
    configuration: &IdentityProviderConfiguration,
) -> String {
    let document = ConfigurationDocument::new(organization, configuration).to_value();
    let digest = Sha256::digest(document.to_string().as_bytes());
    let hex: String = digest
        .iter()
        .take(16)
        .map(|byte| format!("{byte:02x}"))
        .collect();
    format!("\"{hex}\"")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::TokenStatus;
    use crate::domain::fixtures::{self, organization};

    fn configuration(
        mode: AuthenticationMode,
        status: TokenStatus,
    ) -> IdentityProviderConfiguration {
        fixtures::configuration(mode, status, None)
    }

    fn change(before: Option<AuthenticationMode>, after: Option<AuthenticationMode>) -> Change {
        Change {
            organization: organization(),
            before: before.map(|mode| configuration(mode, TokenStatus::Active)),
            after: after.map(|mode| configuration(mode, TokenStatus::Active)),
        }
    }

    #[test]
    fn lockout_risk_is_a_switch_to_identity_provider_only_or_a_removal() {
        use AuthenticationMode::{
            IdentityProviderAndDirectory as Both, IdentityProviderOnly as Only,
        };
        assert!(change(Some(Both), Some(Only)).risks_lockout());
        assert!(change(None, Some(Only)).risks_lockout());
        assert!(change(Some(Both), None).risks_lockout());
        assert!(!change(None, None).risks_lockout());
        assert!(!change(Some(Only), Some(Only)).risks_lockout());
        assert!(!change(Some(Only), Some(Both)).risks_lockout());
        assert!(!change(None, Some(Both)).risks_lockout());
    }

    #[test]
    fn etags_are_stable_and_tell_configurations_apart() {
        let organization = organization();
        let active = configuration(
            AuthenticationMode::IdentityProviderAndDirectory,
            TokenStatus::Active,
        );
        let inactive = configuration(
            AuthenticationMode::IdentityProviderAndDirectory,
            TokenStatus::Inactive,
        );
        assert_eq!(
            etag(&organization, &active),
            etag(&organization, &active.clone())
        );
        assert_ne!(etag(&organization, &active), etag(&organization, &inactive));
        assert_eq!(etag(&organization, &active).len(), 34);
    }
}
