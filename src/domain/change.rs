//! `Change`: an organization's configuration before and after a requested mutation, and what follows
//! from it — the diff, whether anything changes, which lockout risks it carries (`LockoutRisk`, the one
//! definition of "can lock mailbox users out") and what an impact report of it must read
//! (`ImpactData`) — plus the ETag that names a configuration for conditional requests.

use sha2::{Digest, Sha256};

use super::{
    AuthenticationMode, ConfigurationDocument, FieldChange, IdentityProviderConfiguration,
    OrganizationId, TokenStatus, diff,
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

    /// Whether the change risks locking mailbox users out: any of `lockout_risks`.
    pub fn risks_lockout(&self) -> bool {
        !self.lockout_risks().is_empty()
    }

    /// Every way this change can leave mailbox users unable to sign in, in a fixed order (the one
    /// definition the API and the enforcer share). A change that changes nothing risks nothing.
    pub fn lockout_risks(&self) -> Vec<LockoutRisk> {
        let only = AuthenticationMode::IdentityProviderOnly;
        if !self.would_change() {
            return Vec::new();
        }
        let Some(after) = &self.after else {
            return vec![LockoutRisk::Removal];
        };
        let mut risks = Vec::new();
        let after_only = after.authentication_mode == only;
        if after_only
            && self
                .before
                .as_ref()
                .is_none_or(|before| before.authentication_mode != only)
        {
            risks.push(LockoutRisk::SwitchToIdentityProviderOnly);
        }
        if let Some(before) = &self.before
            && (before.authentication_mode == only || after_only)
            && before.identity_center != after.identity_center
        {
            risks.push(LockoutRisk::ChangeIdentityCenter);
        }
        let mail_clients_shut = |configuration: &IdentityProviderConfiguration| {
            configuration.authentication_mode == only
                && configuration.personal_access_tokens.status == TokenStatus::Inactive
        };
        if mail_clients_shut(after) && !self.before.as_ref().is_some_and(mail_clients_shut) {
            risks.push(LockoutRisk::DisablePersonalAccessTokens);
        }
        risks
    }

    /// What an impact report for this change must read: the most any of its risks needs.
    pub fn impact_data(&self) -> ImpactData {
        self.lockout_risks()
            .into_iter()
            .map(LockoutRisk::needs)
            .max()
            .unwrap_or(ImpactData::Nothing)
    }
}

/// One way a configuration change can lock mailbox users out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LockoutRisk {
    /// A switch to `IDENTITY_PROVIDER_ONLY` (from `IDENTITY_PROVIDER_AND_DIRECTORY` or from no
    /// integration): directory passwords stop working in the web app and in every mail client.
    SwitchToIdentityProviderOnly,
    /// The integration is removed: users fall back to directory passwords, which users created
    /// through Identity Center never had.
    Removal,
    /// `identityCenter.instanceArn` or `applicationArn` changes while the organization is (before)
    /// or becomes (after) `IDENTITY_PROVIDER_ONLY`: every sign-in then depends on the new instance.
    ChangeIdentityCenter,
    /// The organization enters "`IDENTITY_PROVIDER_ONLY` with personal access tokens `INACTIVE`"
    /// (tokens becoming `INACTIVE` in that mode, or the mode coming while they are): mail clients,
    /// which sign in only with tokens in that mode, stop working for every user.
    DisablePersonalAccessTokens,
}

impl LockoutRisk {
    /// A stable name for reports and audit records.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SwitchToIdentityProviderOnly => "IDENTITY_PROVIDER_ONLY",
            Self::Removal => "DELETE",
            Self::ChangeIdentityCenter => "CHANGE_IDENTITY_CENTER",
            Self::DisablePersonalAccessTokens => "DISABLE_PERSONAL_ACCESS_TOKENS",
        }
    }

    /// What happens to mailbox users, in one sentence for problems and refusal reasons.
    pub fn explain(self) -> &'static str {
        match self {
            Self::SwitchToIdentityProviderOnly => {
                "switching to IDENTITY_PROVIDER_ONLY stops directory passwords in the web app and in every \
                 mail client: users without an IAM Identity Center link lose all access, and mail clients need \
                 personal access tokens"
            }
            Self::Removal => {
                "removing the integration sends every user back to directory passwords: users created through \
                 IAM Identity Center never had one and may need a password reset"
            }
            Self::ChangeIdentityCenter => {
                "changing the IAM Identity Center instance or application of an organization in \
                 IDENTITY_PROVIDER_ONLY moves every sign-in to the new application: users it does not know \
                 lose access"
            }
            Self::DisablePersonalAccessTokens => {
                "setting personal access tokens INACTIVE in IDENTITY_PROVIDER_ONLY stops every mail client, \
                 which can sign in only with a token in that mode"
            }
        }
    }

    /// What an impact report of this risk must read: users for a removal (who is linked), users and
    /// personal access tokens for the others (who can still sign in from a mail client).
    pub fn needs(self) -> ImpactData {
        match self {
            Self::Removal => ImpactData::Users,
            Self::SwitchToIdentityProviderOnly
            | Self::ChangeIdentityCenter
            | Self::DisablePersonalAccessTokens => ImpactData::UsersAndTokens,
        }
    }
}

/// What WorkMail data an impact report needs, least first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ImpactData {
    /// No risk: no report.
    Nothing,
    /// `ListUsers`, every page.
    Users,
    /// `ListUsers` and `ListPersonalAccessTokens`, every page of both.
    UsersAndTokens,
}

/// A strong ETag for `configuration`: a hash of its normalized document, quoted.
pub fn etag(
    organization: &OrganizationId,
    configuration: &IdentityProviderConfiguration,
) -> String {
    document_etag(&ConfigurationDocument::new(organization, configuration).to_value())
}

/// A strong ETag for a configuration document: the first 16 bytes of its SHA-256, hex, quoted.
pub(crate) fn document_etag(document: &serde_json::Value) -> String {
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

    fn with_identity_center(
        mut configuration: IdentityProviderConfiguration,
        instance: &str,
        application: &str,
    ) -> IdentityProviderConfiguration {
        configuration.identity_center = crate::domain::IdentityCenter::new(
            crate::domain::InstanceArn::parse(&format!("arn:aws:sso:::instance/ssoins-{instance}"))
                .expect("valid"),
            crate::domain::ApplicationArn::parse(&format!(
                "arn:aws:sso::123456789012:application/ssoins-{instance}/apl-{application}"
            ))
            .expect("valid"),
        )
        .expect("consistent");
        configuration
    }

    fn risks(
        before: Option<IdentityProviderConfiguration>,
        after: Option<IdentityProviderConfiguration>,
    ) -> Vec<LockoutRisk> {
        Change {
            organization: organization(),
            before,
            after,
        }
        .lockout_risks()
    }

    #[test]
    fn lockout_risks_name_each_way_users_can_be_locked_out() {
        use AuthenticationMode::{
            IdentityProviderAndDirectory as Both, IdentityProviderOnly as Only,
        };
        use LockoutRisk::*;
        use TokenStatus::{Active, Inactive};
        let only = configuration(Only, Active);
        let both = configuration(Both, Active);
        let other_instance = |c| with_identity_center(c, "bbbbbbbbbbbbbbbb", "bbbbbbbbbbbbbbbb");
        let other_application = |c| with_identity_center(c, "1234567890abcdef", "ffffffffffffffff");

        assert_eq!(
            risks(Some(both.clone()), Some(only.clone())),
            [SwitchToIdentityProviderOnly]
        );
        assert_eq!(risks(Some(both.clone()), None), [Removal]);
        assert_eq!(risks(Some(only.clone()), None), [Removal]);
        // Identity Center re-pointed while in IDENTITY_PROVIDER_ONLY, before or after.
        assert_eq!(
            risks(Some(only.clone()), Some(other_instance(only.clone()))),
            [ChangeIdentityCenter]
        );
        assert_eq!(
            risks(Some(only.clone()), Some(other_application(only.clone()))),
            [ChangeIdentityCenter]
        );
        assert_eq!(
            risks(Some(only.clone()), Some(other_instance(both.clone()))),
            [ChangeIdentityCenter]
        );
        assert_eq!(
            risks(Some(both.clone()), Some(other_instance(only.clone()))),
            [SwitchToIdentityProviderOnly, ChangeIdentityCenter]
        );
        // Not while directory passwords keep working on both sides.
        assert_eq!(
            risks(Some(both.clone()), Some(other_instance(both.clone()))),
            []
        );
        // Tokens INACTIVE in IDENTITY_PROVIDER_ONLY, however that state is reached.
        let only_inactive = configuration(Only, Inactive);
        let both_inactive = configuration(Both, Inactive);
        assert_eq!(
            risks(Some(only.clone()), Some(only_inactive.clone())),
            [DisablePersonalAccessTokens]
        );
        assert_eq!(
            risks(Some(both_inactive.clone()), Some(only_inactive.clone())),
            [SwitchToIdentityProviderOnly, DisablePersonalAccessTokens]
        );
        assert_eq!(
            risks(None, Some(only_inactive.clone())),
            [SwitchToIdentityProviderOnly, DisablePersonalAccessTokens]
        );
        assert_eq!(risks(Some(both.clone()), Some(both_inactive.clone())), []);
        // Leaving the state, or staying in it with another lifetime, is not a new risk.
        assert_eq!(risks(Some(only_inactive.clone()), Some(only.clone())), []);
        let mut longer = only_inactive.clone();
        longer.personal_access_tokens.lifetime = crate::domain::TokenLifetime::parse(30).ok();
        assert_eq!(risks(Some(only_inactive.clone()), Some(longer)), []);
        // Everything at once.
        assert_eq!(
            risks(
                Some(both_inactive),
                Some(other_instance(only_inactive.clone()))
            ),
            [
                SwitchToIdentityProviderOnly,
                ChangeIdentityCenter,
                DisablePersonalAccessTokens
            ]
        );
        // Nothing changes, nothing is risked.
        assert_eq!(risks(Some(only_inactive.clone()), Some(only_inactive)), []);
        assert_eq!(risks(None, None), []);
    }

    #[test]
    fn each_risk_says_what_it_needs_read() {
        use AuthenticationMode::{
            IdentityProviderAndDirectory as Both, IdentityProviderOnly as Only,
        };
        assert_eq!(change(Some(Both), None).impact_data(), ImpactData::Users);
        assert_eq!(
            change(Some(Both), Some(Only)).impact_data(),
            ImpactData::UsersAndTokens
        );
        assert_eq!(
            change(Some(Only), Some(Only)).impact_data(),
            ImpactData::Nothing
        );
        assert_eq!(change(None, Some(Both)).impact_data(), ImpactData::Nothing);
        let names: Vec<&str> = [
            LockoutRisk::SwitchToIdentityProviderOnly,
            LockoutRisk::Removal,
            LockoutRisk::ChangeIdentityCenter,
            LockoutRisk::DisablePersonalAccessTokens,
        ]
        .into_iter()
        .map(LockoutRisk::as_str)
        .collect();
        assert_eq!(
            names,
            [
                "IDENTITY_PROVIDER_ONLY",
                "DELETE",
                "CHANGE_IDENTITY_CENTER",
                "DISABLE_PERSONAL_ACCESS_TOKENS"
            ]
        );
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
