//! `AccessPolicy`: which principals (exact role or user ARNs, or name patterns ending in `*` on a name
//! boundary) may `read`, `write` or `escalate` on which WorkMail organizations and which WorkSpaces
//! Secure Browser portals. A grant names `organizations`, `portals` or both (policies written before
//! portals existed stay valid and grant no portal). Parsed with every problem at its JSON pointer, a
//! repeated member name included.

use std::collections::BTreeSet;

use serde_json::Value;

use super::Caller;
use super::caller::{PrincipalArn, is_iam_name};
use crate::domain::secure_browser::PortalId;
use crate::domain::strict_json_document::parse_json_document;
use crate::domain::{InvalidValue, OrganizationId, Problems};

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

/// Whom a grant names; every form holds `arn:<partition>:iam::<account>:<kind>/` and a name, so it can
/// only match principals of that kind in that account.
#[derive(Debug, Clone, PartialEq, Eq)]
enum PrincipalPattern {
    /// `role/MailAdmin`: exactly that role or user.
    Exact(String),
    /// `role/MailReadOnly-*` or `role/*`: every name that is this prefix (empty, or ending in `-`, `_`
    /// or `.`) followed by one or more characters.
    Prefix(String),
    /// `role/AWSReservedSSO_<PermissionSet>_*`: the IAM Identity Center role of that one permission set,
    /// whatever its unique suffix (one or more hexadecimal digits, so `<PermissionSet>_Other` is not it).
    PermissionSet(String),
}

impl PrincipalPattern {
    fn matches(&self, principal: &str) -> bool {
        match self {
            PrincipalPattern::Exact(exact) => principal == exact,
            PrincipalPattern::Prefix(prefix) => principal
                .strip_prefix(prefix.as_str())
                .is_some_and(|rest| !rest.is_empty()),
            PrincipalPattern::PermissionSet(prefix) => {
                principal.strip_prefix(prefix.as_str()).is_some_and(|rest| {
                    !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_hexdigit())
                })
            }
        }
    }
}

/// What `principal` may be, told when it is not.
const PRINCIPAL_SHAPE: &str = "must be an IAM role or user ARN without a path: arn:<partition>:iam::<account>:role/<name> or :user/<name>, the name optionally ending in '*' on a name boundary (role/MailReadOnly-*)";
/// What a `*` may do, told when it is misplaced.
const WILDCARD_RULE: &str = "may use '*' only once, as the last character, right after '-', '_', '.' or the 'role/' or 'user/' itself (role/MailReadOnly-*, role/AWSReservedSSO_MailAdmins_*, role/*), so that it only matches whole name parts: role/MailReadOnly* would also admit role/MailReadOnlyEvil. '*' stands for one or more characters; after AWSReservedSSO_<PermissionSet>_ for the role's hexadecimal suffix only";

/// The resources of one kind a grant covers: every one (`["*"]`) or those listed.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Resources<T> {
    Any,
    Only(BTreeSet<T>),
}

impl<T: Ord> Resources<T> {
    fn includes(&self, resource: &T) -> bool {
        match self {
            Resources::Any => true,
            Resources::Only(listed) => listed.contains(resource),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Grant {
    principal: PrincipalPattern,
    /// `None`: no organization.
    organizations: Option<Resources<OrganizationId>>,
    /// `None`: no portal. Portal ids as `PortalId` prints them.
    portals: Option<Resources<String>>,
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

const GRANT_MEMBERS: &[&str] = &["principal", "organizations", "portals", "permissions"];

impl AccessPolicy {
    /// Parses `{"grants": [{"principal": ..., "organizations": [...], "permissions": [...]}]}`.
    pub fn parse(text: &str) -> Result<Self, InvalidAccessPolicy> {
        let mut problems = Problems::default();
        let Some(document) = parse_json_document(text, &mut problems) else {
            return Err(InvalidAccessPolicy(problems));
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
            grant.principal.matches(&caller.principal)
                && grant
                    .organizations
                    .as_ref()
                    .is_some_and(|covered| covered.includes(organization))
                && grant.permissions.contains(&permission)
        })
    }

    /// Whether `caller` may read some organization (`read` or `write` on any, or on every one).
    pub fn reads_some_organization(&self, caller: &Caller) -> bool {
        self.grants.iter().any(|grant| {
            grant.principal.matches(&caller.principal)
                && grant.organizations.is_some()
                && (grant.permissions.contains(&Permission::Read)
                    || grant.permissions.contains(&Permission::Write))
        })
    }

    /// Whether `caller` holds `permission` on `portal`.
    pub fn allows_portal(
        &self,
        caller: &Caller,
        portal: &PortalId,
        permission: Permission,
    ) -> bool {
        let portal = portal.to_string();
        self.grants.iter().any(|grant| {
            grant.principal.matches(&caller.principal)
                && grant
                    .portals
                    .as_ref()
                    .is_some_and(|covered| covered.includes(&portal))
                && grant.permissions.contains(&permission)
        })
    }
}

/// Reads a grant's `organizations` or `portals`: `["*"]`, or a non-empty list of ids `parse` accepts.
fn read_resources<T: Ord>(
    items: Option<&Value>,
    at: &str,
    what: &str,
    parse: impl Fn(&str) -> Result<T, InvalidValue>,
    problems: &mut Problems,
) -> Option<Resources<T>> {
    match items.and_then(Value::as_array) {
        Some(items) if items.iter().any(|item| item == "*") => Some(Resources::Any),
        Some(items) if !items.is_empty() => {
            let mut listed = BTreeSet::new();
            for (index, item) in items.iter().enumerate() {
                match item.as_str().map(&parse) {
                    Some(Ok(resource)) => {
                        listed.insert(resource);
                    }
                    Some(Err(invalid)) => problems.push(format!("{at}/{index}"), invalid.message()),
                    None => {
                        problems.push(format!("{at}/{index}"), format!("must be {what} or \"*\""))
                    }
                }
            }
            Some(Resources::Only(listed))
        }
        _ => {
            problems.push(
                at,
                format!("must be a non-empty array of {what}s, or [\"*\"]"),
            );
            None
        }
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
        Some(raw) => match principal_pattern(raw) {
            Ok(pattern) => Some(pattern),
            Err(message) => {
                problems.push(format!("{at}/principal"), message);
                None
            }
        },
        None => {
            problems.push(
                format!("{at}/principal"),
                "is required: an IAM role or user ARN",
            );
            None
        }
    };
    let organizations = members.get("organizations").map(|items| {
        read_resources(
            Some(items),
            &format!("{at}/organizations"),
            "an organization id",
            OrganizationId::parse,
            problems,
        )
    });
    let portals = members.get("portals").map(|items| {
        read_resources(
            Some(items),
            &format!("{at}/portals"),
            "a portal id",
            |raw| PortalId::parse(raw).map(|portal| portal.to_string()),
            problems,
        )
    });
    if organizations.is_none() && portals.is_none() {
        problems.push(
            format!("{at}/organizations"),
            "is required unless the grant names portals: a non-empty array of organization ids, or [\"*\"]",
        );
    }
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
        // Present but invalid: no grant (its problems are listed); absent: no resource of that kind.
        organizations: organizations.map(|read| read.ok_or(())).transpose().ok()?,
        portals: portals.map(|read| read.ok_or(())).transpose().ok()?,
        permissions: permissions?,
    })
}

/// Reads a grant's `principal`, or says what is wrong with it.
fn principal_pattern(raw: &str) -> Result<PrincipalPattern, String> {
    let Some(arn) = PrincipalArn::split(raw) else {
        return Err(PRINCIPAL_SHAPE.to_owned());
    };
    if arn.service == "sts" {
        return Err(format!(
            "names an STS session; name its IAM role instead ({}<name>), which covers every session of it",
            arn.base("role")
        ));
    }
    let (kind, rest) = match (arn.service, arn.resource.split_once('/')) {
        ("iam", Some((kind @ ("role" | "user"), rest))) => (kind, rest),
        _ => return Err(PRINCIPAL_SHAPE.to_owned()),
    };
    if let Some((path, name)) = rest.rsplit_once('/') {
        return Err(path_refused(&arn, kind, path, name));
    }
    let base = arn.base(kind);
    let Some(prefix) = rest.strip_suffix('*') else {
        return if is_iam_name(rest) {
            Ok(PrincipalPattern::Exact(format!("{base}{rest}")))
        } else if rest.contains('*') {
            Err(WILDCARD_RULE.to_owned())
        } else {
            Err(PRINCIPAL_SHAPE.to_owned())
        };
    };
    if prefix.contains('*') || !(prefix.is_empty() || prefix.ends_with(['-', '_', '.'])) {
        return Err(WILDCARD_RULE.to_owned());
    }
    if !prefix.is_empty() && !is_iam_name(prefix) {
        return Err(PRINCIPAL_SHAPE.to_owned());
    }
    let permission_set = prefix
        .strip_prefix("AWSReservedSSO_")
        .and_then(|rest| rest.strip_suffix('_'))
        .is_some_and(|set| !set.is_empty());
    Ok(if kind == "role" && permission_set {
        PrincipalPattern::PermissionSet(format!("{base}{prefix}"))
    } else {
        PrincipalPattern::Prefix(format!("{base}{prefix}"))
    })
}

/// Why a path in a grant is refused, and what to write instead.
fn path_refused(arn: &PrincipalArn<'_>, kind: &str, path: &str, name: &str) -> String {
    let instead = format!("{}{name}", arn.base(kind));
    let identity_center = path
        .strip_prefix("aws-reserved/sso.amazonaws.com")
        .is_some_and(|region| region.is_empty() || region.starts_with('/'));
    match kind {
        "role" if identity_center => format!(
            "names the IAM Identity Center path /{path}/, which a caller's session ARN (arn:{}:sts::{}:assumed-role/<name>/<session>) does not carry, so it cannot be checked; name the role without its path: {instead} (AWSReservedSSO_<PermissionSet>_* matches that permission set's role whatever its suffix)",
            arn.partition, arn.account
        ),
        "role" => format!(
            "names the role path /{path}/, which a caller's session ARN (arn:{}:sts::{}:assumed-role/<name>/<session>) does not carry, so it cannot be checked; name the role without its path: {instead} (a role name is unique in its account whatever its path)",
            arn.partition, arn.account
        ),
        _ => format!(
            "names the user path /{path}/; name the user without it: {instead} (a user name is unique in its account whatever its path, and callers are compared by name)"
        ),
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
                { "principal": "arn:aws:iam::123456789012:role/MailAdmin", "organizations": ["*"], "permissions": ["read", "write"] },
                { "principal": "arn:aws:iam::123456789012:role/Readers-*", "organizations": [ORG], "permissions": ["read"] }
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
        let reader = caller("arn:aws:sts::123456789012:assumed-role/Readers-Team/bob");
        assert!(policy.allows(&reader, &org(ORG), Permission::Read));
        assert!(!policy.allows(&reader, &org(OTHER), Permission::Read));
        assert!(!policy.allows(&reader, &org(ORG), Permission::Write));
        let stranger = caller("arn:aws:iam::999999999999:role/MailAdmin");
        assert!(!policy.allows(&stranger, &org(ORG), Permission::Read));
        let lookalike = caller("arn:aws:sts::123456789012:assumed-role/ReadersEvil/eve");
        assert!(!policy.allows(&lookalike, &org(ORG), Permission::Read));
    }

    fn pattern(raw: &str) -> PrincipalPattern {
        principal_pattern(raw).unwrap_or_else(|message| panic!("{raw}: {message}"))
    }

    #[test]
    fn patterns_are_read_into_their_kind() {
        assert_eq!(
            pattern("arn:aws:iam::123456789012:role/MailAdmin"),
            PrincipalPattern::Exact("arn:aws:iam::123456789012:role/MailAdmin".into())
        );
        assert_eq!(
            pattern("arn:aws:iam::123456789012:user/ops.*"),
            PrincipalPattern::Prefix("arn:aws:iam::123456789012:user/ops.".into())
        );
        assert_eq!(
            pattern("arn:aws:iam::123456789012:role/*"),
            PrincipalPattern::Prefix("arn:aws:iam::123456789012:role/".into())
        );
        assert_eq!(
            pattern("arn:aws:iam::123456789012:role/AWSReservedSSO_*"),
            PrincipalPattern::Prefix("arn:aws:iam::123456789012:role/AWSReservedSSO_".into())
        );
        assert_eq!(
            pattern("arn:aws:iam::123456789012:role/AWSReservedSSO_Mail_Admins_*"),
            PrincipalPattern::PermissionSet(
                "arn:aws:iam::123456789012:role/AWSReservedSSO_Mail_Admins_".into()
            )
        );
        // A user is not an Identity Center role: its '*' is an ordinary one.
        assert_eq!(
            pattern("arn:aws:iam::123456789012:user/AWSReservedSSO_X_*"),
            PrincipalPattern::Prefix("arn:aws:iam::123456789012:user/AWSReservedSSO_X_".into())
        );
    }

    #[test]
    fn a_star_stands_for_at_least_one_character_and_a_permission_set_suffix_for_hex_only() {
        let prefix = pattern("arn:aws:iam::123456789012:role/Mail-*");
        assert!(prefix.matches("arn:aws:iam::123456789012:role/Mail-eu-west-1"));
        assert!(!prefix.matches("arn:aws:iam::123456789012:role/Mail-"));
        assert!(!prefix.matches("arn:aws:iam::123456789012:role/Mail"));
        assert!(!prefix.matches("arn:aws:iam::123456789012:user/Mail-eu"));
        let set = pattern("arn:aws:iam::123456789012:role/AWSReservedSSO_Mail_*");
        assert!(set.matches("arn:aws:iam::123456789012:role/AWSReservedSSO_Mail_abcdef0123456789"));
        assert!(!set.matches("arn:aws:iam::123456789012:role/AWSReservedSSO_Mail_"));
        assert!(
            !set.matches(
                "arn:aws:iam::123456789012:role/AWSReservedSSO_Mail_Admins_abcdef0123456789"
            )
        );
        assert!(!set.matches("arn:aws:iam::123456789012:role/AWSReservedSSO_Mail_0123-x"));
    }

    #[test]
    fn refused_principals_say_what_is_allowed() {
        for (raw, says) in [
            (
                "arn:aws:iam::123456789012:role/Mail*",
                "right after '-', '_', '.'",
            ),
            (
                "arn:aws:iam::123456789012:role/Mail-*-x",
                "only once, as the last character",
            ),
            (
                "arn:aws:iam::123456789012:role/*-*",
                "only once, as the last character",
            ),
            (
                "arn:aws:iam::123456789012:role/M*l",
                "only once, as the last character",
            ),
            ("arn:aws:iam::123456789012:*", "without a path"),
            ("arn:aws:iam::*", "without a path"),
            (
                "arn:aws:iam::123456789012:role/Mail Admin",
                "without a path",
            ),
            ("arn:aws:iam::123456789012:group/Admins", "without a path"),
            (
                "arn:aws:sts::123456789012:assumed-role/MailAdmin/alice",
                "name its IAM role instead (arn:aws:iam::123456789012:role/<name>)",
            ),
            (
                "arn:aws:iam::123456789012:role/ops/MailAdmin",
                "name the role without its path: arn:aws:iam::123456789012:role/MailAdmin",
            ),
            (
                "arn:aws:iam::123456789012:role/ops/Mail*",
                "cannot be checked",
            ),
            (
                "arn:aws:iam::123456789012:user/division/alice",
                "name the user without it: arn:aws:iam::123456789012:user/alice",
            ),
        ] {
            let message = principal_pattern(raw).expect_err(raw);
            assert!(message.contains(says), "{raw}: {message}");
        }
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
