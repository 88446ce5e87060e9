//! The decision for one organization, from its policy and its current configuration: compliant,
//! drifted (and why it is left alone), or to be remediated. Pure: no I/O, no clock.

use crate::domain::{
    AuthenticationMode, FieldChange, IdentityProviderConfiguration, OrganizationId, diff,
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
    let refused: Vec<String> = transitions(current, &policy.desired)
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

/// The dangerous transitions that going from `current` to `desired` would make.
fn transitions(
    current: Option<&IdentityProviderConfiguration>,
    desired: &IdentityProviderConfiguration,
) -> Vec<Transition> {
    let mut needed = Vec::new();
    if current.is_none() {
        needed.push(Transition::EnableIdentityCenter);
    }
    let only = AuthenticationMode::IdentityProviderOnly;
    if desired.authentication_mode == only && current.is_none_or(|c| c.authentication_mode != only)
    {
        needed.push(Transition::IdentityProviderOnly);
    }
    needed
}

fn explain(transition: Transition) -> String {
    match transition {
        Transition::IdentityProviderOnly => "it would switch to IDENTITY_PROVIDER_ONLY, which stops directory \
            passwords for every mailbox user; the policy does not allow IDENTITY_PROVIDER_ONLY for this organization"
            .to_owned(),
        Transition::EnableIdentityCenter => "it would enable IAM Identity Center on an organization that has no \
            integration; the policy does not allow ENABLE_IDENTITY_CENTER for this organization"
            .to_owned(),
    }
}
