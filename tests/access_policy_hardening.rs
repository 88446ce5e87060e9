//! Issue 10 ("hardening from an attacker's review"): principal matching in the access policy is
//! unsurprising (`*` only on a name boundary, no role paths that cannot be checked, Identity Center
//! permission sets by name), malformed assumed-role ARNs are not callers, and a member name repeated in
//! the access or enforcement policy is refused at its JSON pointer instead of silently winning.

use idp_gateway::access::{AccessPolicy, Caller, Permission};
use idp_gateway::domain::OrganizationId;
use idp_gateway::enforce::EnforcementPolicy;
use serde_json::json;

const ORG: &str = "m-0123456789abcdef0123456789abcdef";

fn org() -> OrganizationId {
    OrganizationId::parse(ORG).expect("organization id")
}

fn policy_for(principal: &str) -> Result<AccessPolicy, String> {
    AccessPolicy::parse(
        &json!({ "grants": [
            { "principal": principal, "organizations": ["*"], "permissions": ["read"] }
        ]})
        .to_string(),
    )
    .map_err(|error| error.to_string())
}

fn session(role: &str) -> Caller {
    Caller::from_arn(
        &format!("arn:aws:sts::123456789012:assumed-role/{role}/alice@example.com"),
        Some("123456789012"),
    )
    .unwrap_or_else(|| panic!("{role} should make a caller"))
}

fn admits(policy: &AccessPolicy, role: &str) -> bool {
    policy.allows(&session(role), &org(), Permission::Read)
}

#[test]
fn a_star_matches_only_on_a_name_boundary() {
    let refused = policy_for("arn:aws:iam::123456789012:role/MailReadOnly*")
        .expect_err("a '*' glued to a name would admit MailReadOnlyEvil");
    assert!(refused.contains("/grants/0/principal"), "{refused}");
    assert!(
        refused.contains("right after '-', '_', '.'") && refused.contains("role/MailReadOnly-*"),
        "the message says what is allowed: {refused}"
    );

    let policy = policy_for("arn:aws:iam::123456789012:role/MailReadOnly-*").expect("valid");
    assert!(admits(&policy, "MailReadOnly-eu"));
    assert!(admits(&policy, "MailReadOnly-eu-west-1"));
    assert!(!admits(&policy, "MailReadOnlyEvil"));
    assert!(!admits(&policy, "MailReadOnly"));
    assert!(!admits(&policy, "MailReadOnly_eu"));
    let other_account = Caller::from_arn(
        "arn:aws:sts::999999999999:assumed-role/MailReadOnly-eu/mallory",
        None,
    )
    .expect("caller");
    assert!(!policy.allows(&other_account, &org(), Permission::Read));
}

#[test]
fn account_wide_and_session_principals_are_refused() {
    for principal in [
        "arn:aws:iam::*",
        "arn:aws:iam::123456789012:*",
        "arn:aws:iam::123456789012:role*",
        "arn:aws:sts::123456789012:assumed-role/MailAdmin/alice",
        "arn:aws:iam::123456789012:role/Mail-*-Admin",
    ] {
        let refused = policy_for(principal).expect_err(principal);
        assert!(
            refused.contains("/grants/0/principal"),
            "{principal}: {refused}"
        );
    }
    // Every role of one account is expressible, but only by saying so.
    let every_role = policy_for("arn:aws:iam::123456789012:role/*").expect("valid");
    assert!(admits(&every_role, "Anything"));
    let user = Caller::from_arn("arn:aws:iam::123456789012:user/bob", None).expect("caller");
    assert!(!every_role.allows(&user, &org(), Permission::Read));
}

#[test]
fn grants_naming_a_role_path_are_refused_at_start_up() {
    let refused = policy_for("arn:aws:iam::123456789012:role/ops/MailAdmin")
        .expect_err("a path that a session ARN does not carry cannot be checked");
    assert!(refused.contains("/grants/0/principal"), "{refused}");
    assert!(
        refused.contains("cannot be checked")
            && refused.contains("arn:aws:iam::123456789012:role/MailAdmin "),
        "the message says why and what to write instead: {refused}"
    );
    // Before, this pattern silently matched nothing.
    let refused = policy_for("arn:aws:iam::123456789012:role/ops/Mail-*").expect_err("path");
    assert!(
        refused.contains("arn:aws:iam::123456789012:role/Mail-*"),
        "{refused}"
    );
    // The name alone covers the role whatever its path.
    let policy = policy_for("arn:aws:iam::123456789012:role/MailAdmin").expect("valid");
    assert!(admits(&policy, "MailAdmin"));
    let with_path =
        Caller::from_arn("arn:aws:iam::123456789012:role/dev/MailAdmin", None).expect("caller");
    assert_eq!(
        with_path.principal,
        "arn:aws:iam::123456789012:role/MailAdmin"
    );
}

#[test]
fn an_identity_center_permission_set_is_granted_by_its_role_name() {
    let refused = policy_for(
        "arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/eu-west-2/AWSReservedSSO_MailAdmins_*",
    )
    .expect_err("the Identity Center path is not in the session ARN");
    assert!(
        refused.contains("IAM Identity Center")
            && refused.contains("arn:aws:iam::123456789012:role/AWSReservedSSO_MailAdmins_*"),
        "{refused}"
    );
    assert!(
        policy_for("arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_MailAdmins_*")
            .expect_err("no region segment either")
            .contains("IAM Identity Center")
    );

    let policy =
        policy_for("arn:aws:iam::123456789012:role/AWSReservedSSO_MailAdmins_*").expect("valid");
    let alice = Caller::from_arn(
        "arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_MailAdmins_0123456789abcdef/alice@example.com",
        None,
    )
    .expect("an Identity Center session");
    assert!(policy.allows(&alice, &org(), Permission::Read));
    // The suffix changes when the permission set is re-assigned; the grant still holds.
    assert!(admits(
        &policy,
        "AWSReservedSSO_MailAdmins_abcdef0123456789"
    ));
    // Other permission sets whose names start the same way are not this one.
    assert!(!admits(
        &policy,
        "AWSReservedSSO_MailAdmins_Evil_0123456789abcdef"
    ));
    assert!(!admits(
        &policy,
        "AWSReservedSSO_MailAdminsEvil_0123456789abcdef"
    ));
    assert!(!admits(
        &policy,
        "AWSReservedSSO_MailAdmins-Evil_0123456789abcdef"
    ));
}

#[test]
fn assumed_role_arns_without_a_session_or_with_extra_segments_are_not_callers() {
    for arn in [
        "arn:aws:sts::123456789012:assumed-role/MailAdmin",
        "arn:aws:sts::123456789012:assumed-role/MailAdmin/",
        "arn:aws:sts::123456789012:assumed-role/MailAdmin/alice/extra",
    ] {
        assert_eq!(Caller::from_arn(arn, None), None, "{arn}");
    }
    assert!(
        Caller::from_arn(
            "arn:aws:sts::123456789012:assumed-role/MailAdmin/alice",
            None
        )
        .is_some()
    );
}

#[test]
fn a_repeated_member_in_the_access_policy_is_refused_at_its_pointer() {
    let text = r#"{"grants": [
        {"principal": "arn:aws:iam::123456789012:role/MailReadOnly", "organizations": ["*"],
         "permissions": ["read"], "permissions": ["read", "write", "escalate"]}
    ], "grants": []}"#;
    let error = AccessPolicy::parse(text).expect_err("repeated members");
    let pointers: Vec<&str> = error.0.iter().map(|p| p.pointer.as_str()).collect();
    assert_eq!(pointers, ["/grants/0/permissions", "/grants"]);
    assert!(
        error.0.iter().all(|p| p.message.contains("more than once")),
        "{error}"
    );
    assert!(
        error
            .to_string()
            .contains("/grants/0/permissions is given more than once")
    );
}

#[test]
fn a_repeated_member_in_the_enforcement_policy_is_refused_at_its_pointer() {
    let desired = json!({
        "authenticationMode": "IDENTITY_PROVIDER_AND_DIRECTORY",
        "identityCenter": {
            "instanceArn": "arn:aws:sso:::instance/ssoins-1234567890abcdef",
            "applicationArn": "arn:aws:sso::123456789012:application/ssoins-1234567890abcdef/apl-1234567890abcdef"
        },
        "personalAccessTokens": { "status": "ACTIVE", "lifetimeInDays": 90 }
    });
    let text = format!(
        r#"{{"defaults": {{"mode": "report", "mode": "enforce", "desired": {desired}}},
            "organizations": {{"{ORG}": {{"allow": [], "allow": ["IDENTITY_PROVIDER_ONLY"]}}}}}}"#
    );
    let error = EnforcementPolicy::parse(&text).expect_err("repeated members");
    let pointers: Vec<&str> = error.0.iter().map(|p| p.pointer.as_str()).collect();
    assert_eq!(
        pointers,
        vec![
            "/defaults/mode".to_owned(),
            format!("/organizations/{ORG}/allow")
        ]
    );
    assert!(
        error
            .to_string()
            .contains("/defaults/mode is given more than once")
    );
    // The same document without the repetitions is a valid policy, so nothing else was refused.
    let single = text
        .replacen(r#""mode": "enforce", "#, "", 1)
        .replacen(r#""allow": [], "#, "", 1);
    assert_ne!(single, text);
    EnforcementPolicy::parse(&single).unwrap_or_else(|error| panic!("{error}"));
}

#[test]
fn the_shipped_example_grants_read_only_roles_on_a_boundary() {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("access-policy/access-policy.json");
    let text = std::fs::read_to_string(&path).expect("the access policy the template deploys");
    let policy = AccessPolicy::parse(&text).unwrap_or_else(|error| panic!("{error}"));
    assert!(admits(&policy, "MailReadOnly-auditors"));
    assert!(!admits(&policy, "MailReadOnlyEvil"));
}

#[test]
fn the_readme_trust_example_is_valid() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md");
    let readme = std::fs::read_to_string(&path).expect("README");
    let (_, trust) = readme
        .split_once("## Trust")
        .expect("the README has a Trust section");
    let (_, block) = trust.split_once("```json\n").expect("an example policy");
    let (example, _) = block.split_once("```").expect("a closed block");
    let policy = AccessPolicy::parse(example).unwrap_or_else(|error| panic!("{error}"));
    assert!(admits(
        &policy,
        "AWSReservedSSO_MailAdmins_0123456789abcdef"
    ));
    assert!(!admits(&policy, "MailReadOnlyEvil"));
}
