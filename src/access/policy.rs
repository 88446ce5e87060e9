//! `AccessPolicy`: which principals (exact role or user ARNs, or `*`-suffix patterns) may `read`,
//! `write` or `escalate` on which organizations. Parsed with every problem at its JSON pointer.

use std::collections::BTreeSet;

use serde_json::Value;

use super::Caller;
use super::caller::principal_of;
use crate::domain::{OrganizationId, Problems};

/// What a grant allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Permission {
    /// GET.
    Read,
    /// PUT and PATCH.
    Write,
    /// Any change to IDENTITY_PROVIDER_ONLY, and DELETE (on top of write).
    Escalate,
}

impl Permission {
    pub fn as_str(self) -> &'static str {
        match self {
            Permission::Read => "read",
            Permission::Write => "write",
            Permission::Escalate => "escalate",
        }
    }

    fn parse(raw: &str) -> Option<Self> {
        match raw {
            "read" => Some(Permission::Read),
            "write" => Some(Permission::Write),
            "escalate" => Some(Permission::Escalate),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum PrincipalPattern {
    Exact(String),
    Prefix(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Organizations {
    Any,
    Only(BTreeSet<OrganizationId>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Grant {
    principal: PrincipalPattern,
    organizations: Organizations,
    permissions: BTreeSet<Permission>,
}

/// The access policy: a list of grants; whatever no grant allows is denied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessPolicy {
    grants: Vec<Grant>,
}

/// An access policy that cannot be used, with every problem.
#[derive(Debug, thiserror::Error)]
#[error("ACCESS_POLICY is invalid: {}", .0.iter().map(|p| format!("{} {}", if p.pointer.is_empty() { "(document)" } else { &p.pointer }, p.message)).collect::<Vec<_>>().join("; "))]
pub struct InvalidAccessPolicy(pub Problems);

const GRANT_MEMBERS: &[&str] = &["principal", "organizations", "permissions"];

impl AccessPolicy {
    /// Parses `{"grants": [{"principal": ..., "organizations": [...], "permissions": [...]}]}`.
    pub fn parse(text: &str) -> Result<Self, InvalidAccessPolicy> {
        let mut problems = Problems::default();
        let document: Value = match serde_json::from_str(text) {
            Ok(document) => document,
            Err(error) => {
                problems.push("", format!("is not valid JSON: {error}"));
                return Err(InvalidAccessPolicy(problems));
            }
        };
        let Some(members) = document.as_object() else {
            problems.push("", "must be a JSON object with a \"grants\" array");
            return Err(InvalidAccessPolicy(problems));
        };
        problems.reject_unknown(members, "", &["grants"]);
        let grants = match members.get("grants").and_then(Value::as_array) {
            Some(grants) => grants
                .iter()
                .enumerate()
                .filter_map(|(index, grant)| {
                    read_grant(grant, &format!("/grants/{index}"), &mut problems)
                })
                .collect(),
            None => {
                problems.push("/grants", "is required: an array of grants");
                Vec::new()
            }
        };
        problems
            .into_result(|| Self { grants })
            .map_err(InvalidAccessPolicy)
    }

    /// Whether `caller` holds `permission` on `organization`.
    pub fn allows(
        &self,
        caller: &Caller,
        organization: &OrganizationId,
        permission: Permission,
    ) -> bool {
        self.grants.iter().any(|grant| {
            let principal = match &grant.principal {
                PrincipalPattern::Exact(exact) => &caller.principal == exact,
                PrincipalPattern::Prefix(prefix) => caller.principal.starts_with(prefix.as_str()),
            };
            let organization = match &grant.organizations {
                Organizations::Any => true,
                Organizations::Only(listed) => listed.contains(organization),
            };
            principal && organization && grant.permissions.contains(&permission)
        })
    }
}

fn read_grant(value: &Value, at: &str, problems: &mut Problems) -> Option<Grant> {
    let Some(members) = value.as_object() else {
        problems.push(
            at,
            "must be an object with principal, organizations and permissions",
        );
        return None;
    };
    problems.reject_unknown(members, at, GRANT_MEMBERS);
    let principal = match members.get("principal").and_then(Value::as_str) {
        Some(raw) => principal_pattern(raw).or_else(|| {
            problems.push(
                format!("{at}/principal"),
                "must be an IAM role or user ARN (arn:aws:iam::<account>:role/<name>), optionally ending in '*'",
            );
            None
        }),
        None => {
            problems.push(format!("{at}/principal"), "is required: an IAM role or user ARN");
            None
        }
    };
    let organizations = match members.get("organizations").and_then(Value::as_array) {
        Some(items) if items.iter().any(|item| item == "*") => Some(Organizations::Any),
        Some(items) if !items.is_empty() => {
            let mut listed = BTreeSet::new();
            for (index, item) in items.iter().enumerate() {
                match item.as_str().map(OrganizationId::parse) {
                    Some(Ok(organization)) => {
                        listed.insert(organization);
                    }
                    Some(Err(invalid)) => {
                        problems.push(format!("{at}/organizations/{index}"), invalid.message())
                    }
                    None => problems.push(
                        format!("{at}/organizations/{index}"),
                        "must be an organization id or \"*\"",
                    ),
                }
            }
            Some(Organizations::Only(listed))
        }
        _ => {
            problems.push(
                format!("{at}/organizations"),
                "is required: a non-empty array of organization ids, or [\"*\"]",
            );
            None
        }
    };
    let permissions = match members.get("permissions").and_then(Value::as_array) {
        Some(items) if !items.is_empty() => {
            let mut permissions = BTreeSet::new();
            for (index, item) in items.iter().enumerate() {
                match item.as_str().and_then(Permission::parse) {
                    Some(permission) => {
                        permissions.insert(permission);
                    }
                    None => problems.push(
                        format!("{at}/permissions/{index}"),
                        "must be read, write or escalate",
                    ),
                }
            }
            Some(permissions)
        }
        _ => {
            problems.push(
                format!("{at}/permissions"),
                "is required: a non-empty array of read, write, escalate",
            );
            None
        }
    };
    Some(Grant {
        principal: principal?,
        organizations: organizations?,
        permissions: permissions?,
    })
}

fn principal_pattern(raw: &str) -> Option<PrincipalPattern> {
    match raw.strip_suffix('*') {
        Some(prefix) => prefix
            .starts_with("arn:")
            .then(|| PrincipalPattern::Prefix(prefix.to_owned()))
            .filter(|_| prefix.contains(":iam::")),
        None => principal_of(raw).map(PrincipalPattern::Exact),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const ORG: &str = "m-0123456789abcdef0123456789abcdef";
    const OTHER: &str = "m-ffffffffffffffffffffffffffffffff";

    fn policy() -> AccessPolicy {
        AccessPolicy::parse(
            &json!({ "grants": [
                { "principal": "arn:aws:iam::123456789012:role/ops/MailAdmin", "organizations": ["*"], "permissions": ["read", "write"] },
                { "principal": "arn:aws:iam::123456789012:role/Readers*", "organizations": [ORG], "permissions": ["read"] }
            ]})
            .to_string(),
        )
        .expect("valid")
    }

    fn caller(arn: &str) -> Caller {
        Caller::from_arn(arn, None).expect("caller")
    }

    fn org(id: &str) -> OrganizationId {
        OrganizationId::parse(id).expect("id")
    }

    #[test]
    fn grants_match_by_principal_organization_and_permission() {
        let policy = policy();
        let admin = caller("arn:aws:sts::123456789012:assumed-role/MailAdmin/alice");
        assert!(policy.allows(&admin, &org(OTHER), Permission::Write));
        assert!(!policy.allows(&admin, &org(OTHER), Permission::Escalate));
        let reader = caller("arn:aws:sts::123456789012:assumed-role/ReadersTeam/bob");
        assert!(policy.allows(&reader, &org(ORG), Permission::Read));
        assert!(!policy.allows(&reader, &org(OTHER), Permission::Read));
        assert!(!policy.allows(&reader, &org(ORG), Permission::Write));
        let stranger = caller("arn:aws:iam::999999999999:role/MailAdmin");
        assert!(!policy.allows(&stranger, &org(ORG), Permission::Read));
    }

    #[test]
    fn every_problem_is_listed() {
        let error = AccessPolicy::parse(
            &json!({ "extra": 1, "grants": [
                { "principal": "alice", "organizations": [], "permissions": ["admin"] },
                { "principal": "arn:aws:iam::123456789012:role/X", "organizations": ["m-1"], "permissions": ["read"], "why": "" }
            ]})
            .to_string(),
        )
        .expect_err("invalid");
        let pointers: Vec<&str> = error.0.iter().map(|p| p.pointer.as_str()).collect();
        assert_eq!(
            pointers,
            [
                "/extra",
                "/grants/0/principal",
                "/grants/0/organizations",
                "/grants/0/permissions/0",
                "/grants/1/why",
                "/grants/1/organizations/0"
            ]
        );
    }
}
