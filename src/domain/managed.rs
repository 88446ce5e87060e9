//! `ManagedOrganizations`: the organizations a deployment may touch (`MANAGED_ORGANIZATION_IDS`), checked
//! before any WorkMail call so that a request cannot reach an organization the role was not meant for.

use std::collections::BTreeSet;

use super::OrganizationId;

/// Which organizations this deployment manages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ManagedOrganizations {
    /// Any organization (the list is unset or `*`): for local runs.
    Any,
    Only(BTreeSet<OrganizationId>),
}

/// A list that names something other than organization ids.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("MANAGED_ORGANIZATION_IDS is not a comma-separated list of organization ids or '*': {}", .0.join("; "))]
pub struct InvalidManagedList(pub Vec<String>);

impl ManagedOrganizations {
    /// Parses the comma-separated list; `None` or `*` means any organization. Every bad entry is reported.
    pub fn parse(raw: Option<&str>) -> Result<Self, InvalidManagedList> {
        let Some(raw) = raw.map(str::trim) else {
            return Ok(Self::Any);
        };
        if raw == "*" {
            return Ok(Self::Any);
        }
        if raw.is_empty() {
            return Err(InvalidManagedList(vec![
                "it is empty: name the organizations, or '*' for any".to_owned(),
            ]));
        }
        let mut organizations = BTreeSet::new();
        let mut problems = Vec::new();
        for (position, entry) in raw.split(',').map(str::trim).enumerate() {
            match OrganizationId::parse(entry) {
                Ok(organization) => {
                    organizations.insert(organization);
                }
                Err(invalid) => {
                    problems.push(format!("entry {} ('{entry}') {invalid}", position + 1))
                }
            }
        }
        if problems.is_empty() {
            Ok(Self::Only(organizations))
        } else {
            Err(InvalidManagedList(problems))
        }
    }

    pub fn includes(&self, organization: &OrganizationId) -> bool {
        match self {
            Self::Any => true,
            Self::Only(organizations) => organizations.contains(organization),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: &str = "m-0123456789abcdef0123456789abcdef";
    const B: &str = "m-ffffffffffffffffffffffffffffffff";

    fn id(raw: &str) -> OrganizationId {
        OrganizationId::parse(raw).expect("valid")
    }

    #[test]
    fn unset_or_star_means_any() {
        assert_eq!(
            ManagedOrganizations::parse(None),
            Ok(ManagedOrganizations::Any)
        );
        assert_eq!(
            ManagedOrganizations::parse(Some(" * ")),
            Ok(ManagedOrganizations::Any)
        );
    }

    #[test]
    fn a_list_admits_only_its_members() {
        let managed = ManagedOrganizations::parse(Some(&format!("{A}, {A}"))).expect("valid");
        assert!(managed.includes(&id(A)));
        assert!(!managed.includes(&id(B)));
    }

    #[test]
    fn every_bad_entry_is_reported() {
        let error =
            ManagedOrganizations::parse(Some(&format!("{A},m-1,,{B}x"))).expect_err("invalid");
        assert_eq!(error.0.len(), 3, "{error}");
        assert!(ManagedOrganizations::parse(Some("")).is_err());
    }
}
