//! The decision for one organization, from its policy and its current configuration: compliant,
//! drifted (and why it is left alone), or to be remediated. Pure: no I/O, no clock.
//!
//! The dangerous transitions come from the domain's one definition of lockout risk
//! (`Change::lockout_risks`), plus enabling Identity Center where there is none: a remediation is
//! made only when the organization's `allow` names every transition it needs.

use crate::domain::{
    Change, FieldChange, IdentityProviderConfiguration, LockoutRisk, OrganizationId, diff,
};

use super::policy::{Mode, OrganizationPolicy, Transition};

/// What to do about one organization.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Assessment {
    Compliant,
    /// It differs from the policy and is left as it is, for `reason`.
    Drifted {
        changes: Vec<FieldChange>,
        reason: String,
    },
    /// It differs and the enforcer may Put the desired configuration.
    Remediate {
        changes: Vec<FieldChange>,
    },
}

/// Compares `current` with the policy. `mode` is the mode in force (the policy's, or `report` when a
/// caller asked for a report only).
pub fn assess(
    organization: &OrganizationId,
    policy: &OrganizationPolicy,
    current: Option<&IdentityProviderConfiguration>,
    mode: Mode,
) -> Assessment {
    let changes = diff(organization, current, Some(&policy.desired));
    if changes.is_empty() {
        return Assessment::Compliant;
    }
    if mode == Mode::Report {
        return Assessment::Drifted {
            changes,
            reason: "report mode: drift is reported, not remediated".to_owned(),
        };
    }
    let refused: Vec<String> = transitions(organization, current, &policy.desired)
        .into_iter()
        .filter(|transition| !policy.allow.contains(transition))
        .map(explain)
        .collect();
    if refused.is_empty() {
        Assessment::Remediate { changes }
    } else {
        Assessment::Drifted {
            changes,
            reason: format!("not remediated: {}", refused.join("; ")),
        }
    }
}

/// The dangerous transitions that going from `current` to `desired` would make, in the order of
/// `Transition::ALL`.
fn transitions(
    organization: &OrganizationId,
    current: Option<&IdentityProviderConfiguration>,
    desired: &IdentityProviderConfiguration,
) -> Vec<Transition> {
    let change = Change {
        organization: organization.clone(),
        before: current.cloned(),
        after: Some(desired.clone()),
    };
    let mut needed: Vec<Transition> = change
        .lockout_risks()
        .into_iter()
        .filter_map(transition_for)
        .collect();
    if current.is_none() {
        needed.push(Transition::EnableIdentityCenter);
    }
    needed.sort();
    needed
}

/// The transition a lockout risk needs the policy to allow. A removal has none: the enforcer's
/// desired state is always a configuration, and it cannot call Delete.
fn transition_for(risk: LockoutRisk) -> Option<Transition> {
    match risk {
        LockoutRisk::SwitchToIdentityProviderOnly => Some(Transition::IdentityProviderOnly),
        LockoutRisk::ChangeIdentityCenter => Some(Transition::ChangeIdentityCenter),
        LockoutRisk::DisablePersonalAccessTokens => Some(Transition::DisablePersonalAccessTokens),
        LockoutRisk::Removal => None,
    }
}

fn explain(transition: Transition) -> String {
    let what = match transition {
        Transition::IdentityProviderOnly => {
            "it would switch to IDENTITY_PROVIDER_ONLY, which stops directory \
            passwords for every mailbox user"
        }
        Transition::EnableIdentityCenter => {
            "it would enable IAM Identity Center on an organization that has no integration"
        }
        Transition::ChangeIdentityCenter => {
            "it would re-point identityCenter (instance or application) of an \
            organization that is or becomes IDENTITY_PROVIDER_ONLY, which moves every sign-in to the new \
            application: users it does not know lose access"
        }
        Transition::DisablePersonalAccessTokens => {
            "it would set personal access tokens INACTIVE in \
            IDENTITY_PROVIDER_ONLY, which stops every mail client (they sign in only with tokens in that mode)"
        }
    };
    format!(
        "{what}; the policy does not allow {} for this organization",
        transition.as_str()
    )
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::domain::{
        ApplicationArn, AuthenticationMode, IdentityCenter, InstanceArn, TokenStatus,
    };
    use crate::enforce::policy::Mode;

    const ORGANIZATION: &str = "m-0123456789abcdef0123456789abcdef";

    fn configuration(
        mode: AuthenticationMode,
        status: TokenStatus,
        instance: &str,
    ) -> IdentityProviderConfiguration {
        IdentityProviderConfiguration {
            authentication_mode: mode,
            identity_center: IdentityCenter::new(
                InstanceArn::parse(&format!("arn:aws:sso:::instance/ssoins-{instance}"))
                    .expect("valid"),
                ApplicationArn::parse(&format!(
                    "arn:aws:sso::123456789012:application/ssoins-{instance}/apl-1234567890abcdef"
                ))
                .expect("valid"),
            )
            .expect("consistent"),
            personal_access_tokens: crate::domain::PersonalAccessTokens {
                status,
                lifetime: None,
            },
        }
    }

    fn policy(desired: IdentityProviderConfiguration, allow: &[Transition]) -> OrganizationPolicy {
        OrganizationPolicy {
            mode: Mode::Enforce,
            desired,
            allow: allow.iter().copied().collect::<BTreeSet<_>>(),
            exempt_until: None,
        }
    }

    fn organization() -> OrganizationId {
        OrganizationId::parse(ORGANIZATION).expect("valid")
    }

    const A: &str = "aaaaaaaaaaaaaaaa";
    const B: &str = "bbbbbbbbbbbbbbbb";

    #[test]
    fn transitions_follow_the_domains_lockout_risks() {
        use AuthenticationMode::{
            IdentityProviderAndDirectory as Both, IdentityProviderOnly as Only,
        };
        use TokenStatus::{Active, Inactive};
        use Transition::*;
        let org = organization();
        let needed = |current: Option<IdentityProviderConfiguration>, desired| {
            transitions(&org, current.as_ref(), &desired)
        };
        assert_eq!(
            needed(
                Some(configuration(Only, Active, A)),
                configuration(Only, Active, B)
            ),
            [ChangeIdentityCenter]
        );
        assert_eq!(
            needed(
                Some(configuration(Only, Active, A)),
                configuration(Only, Inactive, A)
            ),
            [DisablePersonalAccessTokens]
        );
        assert_eq!(
            needed(
                Some(configuration(Both, Inactive, A)),
                configuration(Only, Inactive, B)
            ),
            [
                IdentityProviderOnly,
                ChangeIdentityCenter,
                DisablePersonalAccessTokens
            ]
        );
        assert_eq!(
            needed(None, configuration(Only, Inactive, A)),
            [
                IdentityProviderOnly,
                EnableIdentityCenter,
                DisablePersonalAccessTokens
            ]
        );
        assert_eq!(
            needed(
                Some(configuration(Both, Active, A)),
                configuration(Both, Inactive, B)
            ),
            [],
            "with directory passwords working, neither is a lockout"
        );
        assert_eq!(
            needed(
                Some(configuration(Only, Active, A)),
                configuration(Both, Active, A)
            ),
            []
        );
    }

    #[test]
    fn a_new_transition_is_made_only_where_allowed_and_its_refusal_says_why() {
        use AuthenticationMode::IdentityProviderOnly as Only;
        let org = organization();
        let current = configuration(Only, TokenStatus::Active, A);
        let repointed = configuration(Only, TokenStatus::Active, B);
        match assess(
            &org,
            &policy(repointed.clone(), &[]),
            Some(&current),
            Mode::Enforce,
        ) {
            Assessment::Drifted { reason, changes } => {
                assert!(reason.contains("CHANGE_IDENTITY_CENTER"), "{reason}");
                assert!(reason.contains("re-point identityCenter"), "{reason}");
                assert_eq!(changes.len(), 2, "both ARNs differ: {changes:?}");
            }
            other => panic!("{other:?}"),
        }
        let allowed = policy(repointed, &[Transition::ChangeIdentityCenter]);
        assert!(matches!(
            assess(&org, &allowed, Some(&current), Mode::Enforce),
            Assessment::Remediate { .. }
        ));

        let tokens_off = configuration(Only, TokenStatus::Inactive, A);
        let wrong_allow = policy(tokens_off.clone(), &[Transition::ChangeIdentityCenter]);
        match assess(&org, &wrong_allow, Some(&current), Mode::Enforce) {
            Assessment::Drifted { reason, .. } => {
                assert!(
                    reason.contains("DISABLE_PERSONAL_ACCESS_TOKENS"),
                    "{reason}"
                );
                assert!(reason.contains("stops every mail client"), "{reason}");
                assert!(!reason.contains("CHANGE_IDENTITY_CENTER"), "{reason}");
            }
            other => panic!("{other:?}"),
        }
        let allowed = policy(tokens_off, &[Transition::DisablePersonalAccessTokens]);
        assert!(matches!(
            assess(&org, &allowed, Some(&current), Mode::Enforce),
            Assessment::Remediate { .. }
        ));
    }

    #[test]
    fn every_refused_transition_is_listed() {
        let org = organization();
        let desired = configuration(
            AuthenticationMode::IdentityProviderOnly,
            TokenStatus::Inactive,
            A,
        );
        let partly = policy(desired, &[Transition::EnableIdentityCenter]);
        match assess(&org, &partly, None, Mode::Enforce) {
            Assessment::Drifted { reason, .. } => {
                assert!(reason.contains("allow IDENTITY_PROVIDER_ONLY"), "{reason}");
                assert!(
                    reason.contains("allow DISABLE_PERSONAL_ACCESS_TOKENS"),
                    "{reason}"
                );
                assert!(!reason.contains("allow ENABLE_IDENTITY_CENTER"), "{reason}");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn transition_names_round_trip() {
        for transition in Transition::ALL {
            assert_eq!(
                crate::enforce::policy::EnforcementPolicy::parse(&format!(
                    r#"{{"organizations":{{"{ORGANIZATION}":{{"desired":{{"authenticationMode":"IDENTITY_PROVIDER_AND_DIRECTORY","identityCenter":{{"instanceArn":"arn:aws:sso:::instance/ssoins-{A}","applicationArn":"arn:aws:sso::123456789012:application/ssoins-{A}/apl-1234567890abcdef"}},"personalAccessTokens":{{"status":"ACTIVE"}}}},"allow":["{}"]}}}}}}"#,
                    transition.as_str()
                ))
                .map(|policy| policy.organizations[&organization()].allow.clone())
                .ok(),
                Some(BTreeSet::from([transition]))
            );
        }
    }
}
