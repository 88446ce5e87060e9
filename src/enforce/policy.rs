//! `EnforcementPolicy`: the desired state of every managed organization, parsed from JSON into the same
//! validated configuration types as the API, with every problem reported at its JSON pointer (a
//! repeated member name included: a second `"mode"` must not silently decide between report and enforce).

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use crate::domain::secure_browser::{DesiredProvider, PortalId};
use crate::domain::strict_json_document::parse_json_document;
use crate::domain::{
    IdentityProviderConfiguration, OrganizationId, Problems, Timestamp, escape_pointer_token,
    parse_configuration,
};

/// Whether drift is only reported or also remediated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mode {
    Report,
    Enforce,
}

impl Mode {
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Report => "report",
            Mode::Enforce => "enforce",
        }
    }

    fn parse(raw: &str) -> Option<Self> {
        match raw {
            "report" => Some(Mode::Report),
            "enforce" => Some(Mode::Enforce),
            _ => None,
        }
    }
}

/// A dangerous change the enforcer makes only where the policy allows it for that organization.
/// Every lockout risk of the domain (`LockoutRisk`) that the enforcer could cause has one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Transition {
    /// Switching to `IDENTITY_PROVIDER_ONLY`: directory passwords stop working for every mailbox user.
    IdentityProviderOnly,
    /// Enabling Identity Center on an organization that has no integration.
    EnableIdentityCenter,
    /// Re-pointing `identityCenter` (instance or application) of an organization that is or becomes
    /// `IDENTITY_PROVIDER_ONLY`: every sign-in moves to the new application.
    ChangeIdentityCenter,
    /// Entering `IDENTITY_PROVIDER_ONLY` with personal access tokens `INACTIVE`: mail clients stop.
    DisablePersonalAccessTokens,
}

impl Transition {
    /// Every transition, in the order the policy's messages name them.
    pub const ALL: [Transition; 4] = [
        Transition::IdentityProviderOnly,
        Transition::EnableIdentityCenter,
        Transition::ChangeIdentityCenter,
        Transition::DisablePersonalAccessTokens,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Transition::IdentityProviderOnly => "IDENTITY_PROVIDER_ONLY",
            Transition::EnableIdentityCenter => "ENABLE_IDENTITY_CENTER",
            Transition::ChangeIdentityCenter => "CHANGE_IDENTITY_CENTER",
            Transition::DisablePersonalAccessTokens => "DISABLE_PERSONAL_ACCESS_TOKENS",
        }
    }

    fn parse(raw: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|transition| transition.as_str() == raw)
    }

    /// The names `allow` accepts, for its messages.
    fn names() -> String {
        Self::ALL.map(Transition::as_str).join(", ")
    }
}

/// What the policy says about one organization.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrganizationPolicy {
    pub mode: Mode,
    pub desired: IdentityProviderConfiguration,
    pub allow: BTreeSet<Transition>,
    pub exempt_until: Option<Timestamp>,
}

/// What the policy says about one WorkSpaces Secure Browser portal's identity provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortalPolicy {
    pub mode: Mode,
    /// The type and non-secret members the provider should have (never a secret).
    pub desired: DesiredProvider,
    /// Whether the enforcer may change the provider's type (every portal user signs in anew).
    pub allow_type_change: bool,
}

/// The whole policy.
#[derive(Debug, Clone, PartialEq)]
pub struct EnforcementPolicy {
    /// A sweep that would change more organizations than this changes none.
    pub max_changes_per_run: usize,
    /// Changes in any one clock hour, across every invocation, whatever triggered it (0: none).
    pub max_changes_per_hour: u32,
    /// How long after its own change another writer undoing it is a conflict rather than drift.
    pub conflict_window: std::time::Duration,
    /// Organizations checked at once.
    pub max_concurrency: usize,
    /// WorkMail calls per second the sweep allows itself.
    pub calls_per_second: f64,
    pub organizations: BTreeMap<OrganizationId, OrganizationPolicy>,
    /// The portals whose identity provider the enforcer keeps (by portal id; ARNs are built from the
    /// function's own partition, region and account).
    pub portals: BTreeMap<PortalId, PortalPolicy>,
    /// SAML signing certificates expiring within this many days are reported (1..=365).
    pub certificate_warning_days: u32,
    /// SHA-256 of the policy's canonical JSON, to tie every report to the policy that made it.
    pub hash: String,
}

const DEFAULT_MAX_CHANGES: usize = 10;
const DEFAULT_MAX_CHANGES_PER_HOUR: u32 = 10;
const DEFAULT_CONFLICT_WINDOW_MINUTES: u64 = 60;
const DEFAULT_CONCURRENCY: usize = 4;
const DEFAULT_CALLS_PER_SECOND: f64 = 5.0;
const DEFAULT_CERTIFICATE_WARNING_DAYS: u32 = 30;
const TOP_LEVEL: &[&str] = &[
    "maxChangesPerRun",
    "maxChangesPerHour",
    "conflictWindowMinutes",
    "maxConcurrency",
    "callsPerSecond",
    "certificateWarningDays",
    "defaults",
    "organizations",
    "portalDefaults",
    "portals",
];
const DEFAULTS: &[&str] = &["mode", "desired", "allow"];
const ORGANIZATION: &[&str] = &["mode", "desired", "allow", "exemptUntil"];
const PORTAL: &[&str] = &["mode", "desired", "allowTypeChange"];
/// The detail members that hold secrets: never in a policy, wherever they appear.
const SECRET_MEMBERS: &[&str] = &["clientSecret", "privateKey"];
const SECRETS_NEVER_IN_A_POLICY: &str = "is a secret, and secrets never go in a policy (it is \
     stored in plain text, deployed as a layer, and its hash is in every report): the enforcer \
     keeps the secret the provider has; set or rotate it through the API";

/// A policy that cannot be used, with every problem.
#[derive(Debug, thiserror::Error)]
#[error("the enforcement policy is invalid: {}", describe(.0))]
pub struct InvalidPolicy(pub Problems);

fn describe(problems: &Problems) -> String {
    problems
        .iter()
        .map(|p| {
            format!(
                "{} {}",
                if p.pointer.is_empty() {
                    "(document)"
                } else {
                    &p.pointer
                },
                p.message
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}

impl EnforcementPolicy {
    /// Parses the policy document.
    pub fn parse(text: &str) -> Result<Self, InvalidPolicy> {
        let mut problems = Problems::default();
        let Some(document) = parse_json_document(text, &mut problems) else {
            return Err(InvalidPolicy(problems));
        };
        refuse_secrets(&document, String::new(), &mut problems);
        let document = without_secrets(&document);
        let policy = read_policy(&document, &mut problems);
        match policy {
            Some(policy) if problems.is_empty() => Ok(policy),
            _ => Err(InvalidPolicy(problems)),
        }
    }
}

struct Defaults {
    mode: Mode,
    desired: Option<Value>,
    allow: BTreeSet<Transition>,
}

fn read_policy(document: &Value, problems: &mut Problems) -> Option<EnforcementPolicy> {
    let Some(members) = document.as_object() else {
        problems.push("", "must be a JSON object");
        return None;
    };
    problems.reject_unknown(members, "", TOP_LEVEL);
    let max_changes =
        count(members, "maxChangesPerRun", 0..=10_000, problems).unwrap_or(DEFAULT_MAX_CHANGES);
    // At most 1,000: every change of the hour keeps its ticket id in one ledger item (about 30 KB).
    let max_changes_per_hour = count(members, "maxChangesPerHour", 0..=1_000, problems)
        .and_then(|count| u32::try_from(count).ok())
        .unwrap_or(DEFAULT_MAX_CHANGES_PER_HOUR);
    let conflict_window_minutes = count(members, "conflictWindowMinutes", 1..=1440, problems)
        .map_or(DEFAULT_CONFLICT_WINDOW_MINUTES, |minutes| minutes as u64);
    let max_concurrency =
        count(members, "maxConcurrency", 1..=64, problems).unwrap_or(DEFAULT_CONCURRENCY);
    let calls_per_second = match members.get("callsPerSecond") {
        None => DEFAULT_CALLS_PER_SECOND,
        Some(value) => match value.as_f64().filter(|rate| (0.1..=1000.0).contains(rate)) {
            Some(rate) => rate,
            None => {
                problems.push("/callsPerSecond", "must be a number from 0.1 to 1000");
                DEFAULT_CALLS_PER_SECOND
            }
        },
    };
    let certificate_warning_days = count(members, "certificateWarningDays", 1..=365, problems)
        .and_then(|days| u32::try_from(days).ok())
        .unwrap_or(DEFAULT_CERTIFICATE_WARNING_DAYS);
    let defaults = read_defaults(members.get("defaults"), problems);
    let portal_defaults = read_portal_defaults(members.get("portalDefaults"), problems);
    let portals = match members.get("portals") {
        None => BTreeMap::new(),
        Some(Value::Object(entries)) => entries
            .iter()
            .filter_map(|(id, entry)| read_portal(id, entry, &portal_defaults, problems))
            .collect(),
        Some(_) => {
            problems.push("/portals", "must be an object keyed by portal id");
            BTreeMap::new()
        }
    };
    let organizations = match members.get("organizations") {
        Some(Value::Object(entries)) => entries
            .iter()
            .filter_map(|(id, entry)| read_organization(id, entry, &defaults, problems))
            .collect(),
        Some(_) => {
            problems.push(
                "/organizations",
                "must be an object keyed by organization id",
            );
            BTreeMap::new()
        }
        None if members.contains_key("portals") => BTreeMap::new(),
        None => {
            problems.push(
                "/organizations",
                "is required (unless the policy has portals)",
            );
            BTreeMap::new()
        }
    };
    let digest = Sha256::digest(document.to_string().as_bytes());
    Some(EnforcementPolicy {
        max_changes_per_run: max_changes,
        max_changes_per_hour,
        conflict_window: std::time::Duration::from_secs(conflict_window_minutes * 60),
        max_concurrency,
        calls_per_second,
        organizations,
        portals,
        certificate_warning_days,
        hash: digest.iter().map(|byte| format!("{byte:02x}")).collect(),
    })
}

fn read_defaults(value: Option<&Value>, problems: &mut Problems) -> Defaults {
    let mut defaults = Defaults {
        mode: Mode::Report,
        desired: None,
        allow: BTreeSet::new(),
    };
    let Some(value) = value else {
        return defaults;
    };
    let Some(members) = value.as_object() else {
        problems.push("/defaults", "must be a JSON object");
        return defaults;
    };
    problems.reject_unknown(members, "/defaults", DEFAULTS);
    if let Some(mode) = mode(members, "/defaults", problems) {
        defaults.mode = mode;
    }
    defaults.desired = members.get("desired").cloned();
    defaults.allow = allow(members, "/defaults", problems);
    defaults
}

fn read_organization(
    raw_id: &str,
    entry: &Value,
    defaults: &Defaults,
    problems: &mut Problems,
) -> Option<(OrganizationId, OrganizationPolicy)> {
    let at = format!("/organizations/{}", escape_pointer_token(raw_id));
    let organization = match OrganizationId::parse(raw_id) {
        Ok(organization) => Some(organization),
        Err(invalid) => {
            problems.push(at.clone(), format!("key {invalid}"));
            None
        }
    };
    let Some(members) = entry.as_object() else {
        problems.push(at, "must be a JSON object");
        return None;
    };
    problems.reject_unknown(members, &at, ORGANIZATION);
    let mode = mode(members, &at, problems).unwrap_or(defaults.mode);
    let mut allowed = allow(members, &at, problems);
    if !members.contains_key("allow") {
        allowed.clone_from(&defaults.allow);
    }
    let exempt_until = match members.get("exemptUntil") {
        None | Some(Value::Null) => None,
        Some(Value::String(raw)) => match Timestamp::parse(raw) {
            Ok(at) => Some(at),
            Err(invalid) => {
                problems.push(format!("{at}/exemptUntil"), invalid.message());
                None
            }
        },
        Some(_) => {
            problems.push(
                format!("{at}/exemptUntil"),
                "must be an RFC 3339 timestamp string",
            );
            None
        }
    };
    let desired_at = format!("{at}/desired");
    let desired_document = members.get("desired").or(defaults.desired.as_ref());
    let desired = match (desired_document, &organization) {
        (None, _) => {
            problems.push(desired_at, "is required (here or in /defaults/desired)");
            None
        }
        (Some(document), Some(organization)) => match parse_configuration(document, organization) {
            Ok(configuration) => Some(configuration),
            Err(invalid) => {
                let base = if members.contains_key("desired") {
                    desired_at
                } else {
                    "/defaults/desired".to_owned()
                };
                for problem in invalid.iter() {
                    problems.push(
                        format!("{base}{}", problem.pointer),
                        problem.message.clone(),
                    );
                }
                None
            }
        },
        (Some(_), None) => None,
    };
    Some((
        organization?,
        OrganizationPolicy {
            mode,
            desired: desired?,
            allow: allowed,
            exempt_until,
        },
    ))
}

/// Every secret member anywhere in the document, at its pointer.
fn refuse_secrets(value: &Value, at: String, problems: &mut Problems) {
    match value {
        Value::Object(members) => {
            for (name, member) in members {
                let pointer = format!("{at}/{}", escape_pointer_token(name));
                if SECRET_MEMBERS.contains(&name.as_str()) {
                    problems.push(pointer, SECRETS_NEVER_IN_A_POLICY);
                } else {
                    refuse_secrets(member, pointer, problems);
                }
            }
        }
        Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                refuse_secrets(item, format!("{at}/{index}"), problems);
            }
        }
        _ => {}
    }
}

/// The document without its secret members (each already refused), so that they are not refused
/// again, as unknown members, by the reading of the member that holds them.
fn without_secrets(value: &Value) -> Value {
    match value {
        Value::Object(members) => Value::Object(
            members
                .iter()
                .filter(|(name, _)| !SECRET_MEMBERS.contains(&name.as_str()))
                .map(|(name, member)| (name.clone(), without_secrets(member)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(without_secrets).collect()),
        other => other.clone(),
    }
}

struct PortalDefaults {
    mode: Mode,
    desired: Option<Value>,
    allow_type_change: bool,
}

fn read_portal_defaults(value: Option<&Value>, problems: &mut Problems) -> PortalDefaults {
    let mut defaults = PortalDefaults {
        mode: Mode::Report,
        desired: None,
        allow_type_change: false,
    };
    let Some(value) = value else {
        return defaults;
    };
    let Some(members) = value.as_object() else {
        problems.push("/portalDefaults", "must be a JSON object");
        return defaults;
    };
    problems.reject_unknown(members, "/portalDefaults", PORTAL);
    if let Some(mode) = mode(members, "/portalDefaults", problems) {
        defaults.mode = mode;
    }
    defaults.desired = members.get("desired").cloned();
    if let Some(allowed) = flag(members, "/portalDefaults", "allowTypeChange", problems) {
        defaults.allow_type_change = allowed;
    }
    defaults
}

fn read_portal(
    raw_id: &str,
    entry: &Value,
    defaults: &PortalDefaults,
    problems: &mut Problems,
) -> Option<(PortalId, PortalPolicy)> {
    let at = format!("/portals/{}", escape_pointer_token(raw_id));
    let portal = PortalId::parse(raw_id)
        .map_err(|invalid| problems.push(at.clone(), format!("key: {}", invalid.message())))
        .ok();
    let Some(members) = entry.as_object() else {
        problems.push(at, "must be a JSON object");
        return None;
    };
    problems.reject_unknown(members, &at, PORTAL);
    let mode = mode(members, &at, problems).unwrap_or(defaults.mode);
    let allow_type_change =
        flag(members, &at, "allowTypeChange", problems).unwrap_or(defaults.allow_type_change);
    let (document, base) = match (members.get("desired"), &defaults.desired) {
        (Some(document), _) => (document, format!("{at}/desired")),
        (None, Some(document)) => (document, "/portalDefaults/desired".to_owned()),
        (None, None) => {
            problems.push(
                format!("{at}/desired"),
                "is required (here or in /portalDefaults/desired): the provider's type and the \
                 non-secret members to keep",
            );
            return None;
        }
    };
    let desired = match DesiredProvider::parse(document, Timestamp::now()) {
        Ok(desired) => Some(desired),
        Err(invalid) => {
            for problem in invalid.iter() {
                problems.push(
                    format!("{base}{}", problem.pointer),
                    problem.message.clone(),
                );
            }
            None
        }
    };
    Some((
        portal?,
        PortalPolicy {
            mode,
            desired: desired?,
            allow_type_change,
        },
    ))
}

fn flag(
    members: &Map<String, Value>,
    at: &str,
    name: &str,
    problems: &mut Problems,
) -> Option<bool> {
    match members.get(name)? {
        Value::Bool(flag) => Some(*flag),
        _ => {
            problems.push(format!("{at}/{name}"), "must be true or false");
            None
        }
    }
}

fn mode(members: &Map<String, Value>, at: &str, problems: &mut Problems) -> Option<Mode> {
    let value = members.get("mode")?;
    let parsed = value.as_str().and_then(Mode::parse);
    if parsed.is_none() {
        problems.push(format!("{at}/mode"), "must be \"report\" or \"enforce\"");
    }
    parsed
}

fn allow(members: &Map<String, Value>, at: &str, problems: &mut Problems) -> BTreeSet<Transition> {
    let Some(value) = members.get("allow") else {
        return BTreeSet::new();
    };
    let Some(items) = value.as_array() else {
        problems.push(
            format!("{at}/allow"),
            format!("must be an array of {}", Transition::names()),
        );
        return BTreeSet::new();
    };
    let mut allowed = BTreeSet::new();
    for (index, item) in items.iter().enumerate() {
        match item.as_str().and_then(Transition::parse) {
            Some(transition) => {
                allowed.insert(transition);
            }
            None => problems.push(
                format!("{at}/allow/{index}"),
                format!("must be one of {}", Transition::names()),
            ),
        }
    }
    allowed
}

fn count(
    members: &Map<String, Value>,
    name: &str,
    allowed: std::ops::RangeInclusive<u64>,
    problems: &mut Problems,
) -> Option<usize> {
    let value = members.get(name)?;
    match value
        .as_u64()
        .filter(|n| allowed.contains(n))
        .and_then(|n| usize::try_from(n).ok())
    {
        Some(n) => Some(n),
        None => {
            problems.push(
                format!("/{name}"),
                format!(
                    "must be a whole number from {} to {}",
                    allowed.start(),
                    allowed.end()
                ),
            );
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const ORG: &str = "m-0123456789abcdef0123456789abcdef";

    fn desired() -> Value {
        json!({
            "authenticationMode": "IDENTITY_PROVIDER_AND_DIRECTORY",
            "identityCenter": {
                "instanceArn": "arn:aws:sso:::instance/ssoins-1234567890abcdef",
                "applicationArn": "arn:aws:sso::123456789012:application/ssoins-1234567890abcdef/apl-1234567890abcdef"
            },
            "personalAccessTokens": { "status": "ACTIVE", "lifetimeInDays": 90 }
        })
    }

    #[test]
    fn reads_the_documented_shape() {
        let text = json!({
            "maxChangesPerRun": 3,
            "defaults": { "mode": "report" },
            "organizations": {
                ORG: { "mode": "enforce", "desired": desired(), "allow": ["IDENTITY_PROVIDER_ONLY"], "exemptUntil": "2026-12-31T00:00:00Z" }
            }
        })
        .to_string();
        let policy = EnforcementPolicy::parse(&text).expect("valid");
        assert_eq!(policy.max_changes_per_run, 3);
        assert_eq!(policy.max_concurrency, DEFAULT_CONCURRENCY);
        let entry = &policy.organizations[&OrganizationId::parse(ORG).expect("id")];
        assert_eq!(entry.mode, Mode::Enforce);
        assert!(entry.allow.contains(&Transition::IdentityProviderOnly));
        assert_eq!(
            entry.exempt_until.map(|t| t.to_string()).as_deref(),
            Some("2026-12-31T00:00:00Z")
        );
        assert_eq!(policy.hash.len(), 64);
    }

    #[test]
    fn defaults_fill_what_an_organization_leaves_out() {
        let text = json!({
            "defaults": { "mode": "enforce", "desired": desired(), "allow": ["ENABLE_IDENTITY_CENTER"] },
            "organizations": { ORG: {} }
        })
        .to_string();
        let policy = EnforcementPolicy::parse(&text).expect("valid");
        let entry = &policy.organizations[&OrganizationId::parse(ORG).expect("id")];
        assert_eq!(entry.mode, Mode::Enforce);
        assert_eq!(
            entry.allow,
            BTreeSet::from([Transition::EnableIdentityCenter])
        );
    }

    #[test]
    fn every_problem_is_listed_with_its_pointer() {
        let mut bad_desired = desired();
        bad_desired["personalAccessTokens"]["lifetimeInDays"] = json!(0);
        let text = json!({
            "maxChangesPerRun": -1,
            "maxChangesPerHour": 1001,
            "extra": true,
            "defaults": { "mode": "sometimes" },
            "organizations": {
                ORG: { "desired": bad_desired, "allow": ["DELETE"], "exemptUntil": "tomorrow" },
                "m-bad": { "desired": desired() },
                "m-ffffffffffffffffffffffffffffffff": { "mode": "enforce" }
            }
        })
        .to_string();
        let error = EnforcementPolicy::parse(&text).expect_err("invalid");
        let pointers: Vec<&str> = error.0.iter().map(|p| p.pointer.as_str()).collect();
        assert_eq!(
            pointers,
            vec![
                "/extra",
                "/maxChangesPerRun",
                "/maxChangesPerHour",
                "/defaults/mode",
                &format!("/organizations/{ORG}/allow/0"),
                &format!("/organizations/{ORG}/exemptUntil"),
                &format!("/organizations/{ORG}/desired/personalAccessTokens/lifetimeInDays"),
                "/organizations/m-bad",
                "/organizations/m-ffffffffffffffffffffffffffffffff/desired",
            ]
        );
        assert!(error.to_string().contains("/maxChangesPerRun"));
    }

    #[test]
    fn a_repeated_member_is_a_problem_at_its_pointer() {
        let organization = json!({ "mode": "report", "desired": desired() }).to_string();
        let twice = organization.replacen(
            r#""mode":"report""#,
            r#""mode":"report","mode":"enforce""#,
            1,
        );
        assert_ne!(twice, organization, "the test must repeat a member");
        let text = format!(
            r#"{{"maxChangesPerRun":1,"maxChangesPerRun":100,"organizations":{{"{ORG}":{twice},"{ORG}":{organization}}}}}"#
        );
        let error = EnforcementPolicy::parse(&text).expect_err("repeated members");
        let pointers: Vec<&str> = error.0.iter().map(|p| p.pointer.as_str()).collect();
        assert_eq!(
            pointers,
            vec![
                "/maxChangesPerRun",
                &format!("/organizations/{ORG}/mode"),
                &format!("/organizations/{ORG}"),
            ]
        );
        assert!(
            error.0.iter().all(|p| p.message.contains("more than once")),
            "{error}"
        );
    }

    #[test]
    fn not_json_is_one_problem() {
        assert!(EnforcementPolicy::parse("{").is_err());
        assert!(EnforcementPolicy::parse("[]").is_err());
    }
}
