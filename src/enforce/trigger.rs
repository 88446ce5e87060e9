//! What an event asks the enforcer to do: sweep every organization (schedule), check one organization
//! named by a CloudTrail event (a hint: its values are never trusted), check a list on demand, or nothing.

use serde_json::Value;

use super::policy::Mode;
use crate::domain::OrganizationId;
use crate::domain::secure_browser::PortalId;

const CLOUDTRAIL: &str = "AWS API Call via CloudTrail";
const WATCHED_CALLS: &[&str] = &[
    "PutIdentityProviderConfiguration",
    "DeleteIdentityProviderConfiguration",
];

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Trigger {
    /// A scheduled event: every organization in the policy.
    Sweep,
    /// A successful WorkMail call by someone else on this organization.
    Hint {
        organization: OrganizationId,
        call: String,
        event_id: String,
        /// Who made the call (the session's role, else the caller's ARN), when CloudTrail says.
        caller: Option<String>,
    },
    /// A direct invocation.
    OnDemand {
        organizations: Vec<OrganizationId>,
        portals: Vec<PortalId>,
        mode: Mode,
    },
    /// Nothing to do, and why.
    Ignored { reason: String },
}

impl Trigger {
    pub fn name(&self) -> &'static str {
        match self {
            Trigger::Sweep => "schedule",
            Trigger::Hint { .. } => "cloudtrail",
            Trigger::OnDemand { .. } => "on-demand",
            Trigger::Ignored { .. } => "ignored",
        }
    }
}

/// An event the enforcer cannot read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("malformed event: {0}")]
pub struct MalformedEvent(pub String);

/// Reads `event`. `own_role` is the enforcer's role ARN: its own changes do not trigger it again.
pub fn read_trigger(event: &Value, own_role: Option<&str>) -> Result<Trigger, MalformedEvent> {
    let Some(members) = event.as_object() else {
        return Err(MalformedEvent("the event must be a JSON object".to_owned()));
    };
    if (members.contains_key("organizationIds") || members.contains_key("portalIds"))
        && !members.contains_key("detail-type")
    {
        return on_demand(event);
    }
    let Some(detail_type) = members.get("detail-type").and_then(Value::as_str) else {
        return Err(MalformedEvent(
            "neither an EventBridge event (no \"detail-type\") nor a direct invocation (no \"organizationIds\" or \"portalIds\")"
                .to_owned(),
        ));
    };
    let source = members
        .get("source")
        .and_then(Value::as_str)
        .unwrap_or_default();
    match (source, detail_type) {
        ("aws.events", "Scheduled Event") => Ok(Trigger::Sweep),
        (_, CLOUDTRAIL) => cloudtrail(event, own_role),
        _ => Ok(Trigger::Ignored {
            reason: format!("no rule for source {source:?} and detail-type {detail_type:?}"),
        }),
    }
}

fn cloudtrail(event: &Value, own_role: Option<&str>) -> Result<Trigger, MalformedEvent> {
    let detail = &event["detail"];
    let event_source = detail["eventSource"].as_str().unwrap_or_default();
    let call = detail["eventName"].as_str().unwrap_or_default();
    if event_source != "workmail.amazonaws.com" || !WATCHED_CALLS.contains(&call) {
        return Ok(Trigger::Ignored {
            reason: format!("CloudTrail call {event_source} {call} is not watched"),
        });
    }
    if let Some(code) = detail.get("errorCode").filter(|code| !code.is_null()) {
        return Ok(Trigger::Ignored {
            reason: format!("the {call} call failed ({code}); nothing changed"),
        });
    }
    if own_role.is_some_and(|role| made_by(detail, role)) {
        return Ok(Trigger::Ignored {
            reason: format!("the {call} call was the enforcer's own"),
        });
    }
    let raw = detail["requestParameters"]["organizationId"]
        .as_str()
        .ok_or_else(|| {
            MalformedEvent(format!(
                "the CloudTrail {call} event has no detail.requestParameters.organizationId"
            ))
        })?;
    let organization = OrganizationId::parse(raw).map_err(|invalid| {
        MalformedEvent(format!("detail.requestParameters.organizationId {invalid}"))
    })?;
    let identity = &detail["userIdentity"];
    let caller = identity["sessionContext"]["sessionIssuer"]["arn"]
        .as_str()
        .or(identity["arn"].as_str())
        .map(str::to_owned);
    Ok(Trigger::Hint {
        organization,
        call: call.to_owned(),
        event_id: event["id"].as_str().unwrap_or_default().to_owned(),
        caller,
    })
}

/// Whether the CloudTrail caller is `role` (an IAM role ARN), whatever the session name: the
/// session's issuer, or an assumed-role ARN of the role's own partition, account and name.
fn made_by(detail: &Value, role: &str) -> bool {
    let identity = &detail["userIdentity"];
    if identity["sessionContext"]["sessionIssuer"]["arn"].as_str() == Some(role) {
        return true;
    }
    let fields: Vec<&str> = role.splitn(6, ':').collect();
    let (Some(partition), Some(account), Some(role_name)) = (
        fields.get(1),
        fields.get(4),
        role.rsplit('/').next().filter(|name| !name.is_empty()),
    ) else {
        return false;
    };
    let session_prefix = format!("arn:{partition}:sts::{account}:assumed-role/{role_name}/");
    identity["arn"]
        .as_str()
        .is_some_and(|arn| arn.starts_with(&session_prefix))
}

fn on_demand(event: &Value) -> Result<Trigger, MalformedEvent> {
    let members = event
        .as_object()
        .map(|m| m.keys().cloned().collect::<Vec<_>>())
        .unwrap_or_default();
    if let Some(unknown) = members
        .iter()
        .find(|name| !["organizationIds", "portalIds", "mode"].contains(&name.as_str()))
    {
        return Err(MalformedEvent(format!(
            "unknown member {unknown:?} in a direct invocation; allowed: organizationIds, portalIds, mode"
        )));
    }
    let mut problems = Vec::new();
    let mut organizations = ids(
        event,
        "organizationIds",
        "organization ids",
        |raw| OrganizationId::parse(raw).map_err(|invalid| invalid.to_string()),
        &mut problems,
    );
    let mut portals = ids(
        event,
        "portalIds",
        "portal ids",
        |raw| PortalId::parse(raw).map_err(|invalid| invalid.message().to_owned()),
        &mut problems,
    );
    if !problems.is_empty() {
        return Err(MalformedEvent(problems.join("; ")));
    }
    let mode = match event.get("mode").map(|mode| mode.as_str()) {
        None | Some(Some("report")) => Mode::Report,
        Some(Some("enforce")) => Mode::Enforce,
        Some(_) => {
            return Err(MalformedEvent(
                "mode must be \"report\" or \"enforce\"".to_owned(),
            ));
        }
    };
    organizations.sort();
    organizations.dedup();
    portals.sort();
    portals.dedup();
    Ok(Trigger::OnDemand {
        organizations,
        portals,
        mode,
    })
}

/// The ids listed in `member` (absent: none; present: a non-empty array of ids).
fn ids<T>(
    event: &Value,
    member: &str,
    what: &str,
    parse: impl Fn(&str) -> Result<T, String>,
    problems: &mut Vec<String>,
) -> Vec<T> {
    let Some(value) = event.get(member) else {
        return Vec::new();
    };
    let Some(items) = value.as_array().filter(|items| !items.is_empty()) else {
        problems.push(format!("{member} must be a non-empty array of {what}"));
        return Vec::new();
    };
    let mut parsed = Vec::new();
    for (index, item) in items.iter().enumerate() {
        match item.as_str().map(&parse) {
            Some(Ok(id)) => parsed.push(id),
            Some(Err(invalid)) => problems.push(format!("{member}/{index} {invalid}")),
            None => problems.push(format!("{member}/{index} must be a string")),
        }
    }
    parsed
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const ORG: &str = "m-0123456789abcdef0123456789abcdef";
    const ROLE: &str = "arn:aws:iam::123456789012:role/idp-gateway-enforcer";

    fn cloudtrail_event(detail: Value) -> Value {
        json!({ "id": "e1", "source": "aws.workmail", "detail-type": CLOUDTRAIL, "detail": detail })
    }

    #[test]
    fn schedule_cloudtrail_and_direct_invocations() {
        let scheduled =
            json!({ "source": "aws.events", "detail-type": "Scheduled Event", "detail": {} });
        assert_eq!(read_trigger(&scheduled, None), Ok(Trigger::Sweep));
        let put = cloudtrail_event(json!({
            "eventSource": "workmail.amazonaws.com", "eventName": "PutIdentityProviderConfiguration",
            "requestParameters": { "organizationId": ORG }
        }));
        assert!(matches!(
            read_trigger(&put, Some(ROLE)),
            Ok(Trigger::Hint { .. })
        ));
        let direct = json!({ "organizationIds": [ORG, ORG] });
        assert_eq!(
            read_trigger(&direct, None),
            Ok(Trigger::OnDemand {
                organizations: vec![OrganizationId::parse(ORG).expect("id")],
                portals: Vec::new(),
                mode: Mode::Report
            })
        );
    }

    #[test]
    fn failed_own_and_unwatched_calls_are_ignored() {
        let failed = cloudtrail_event(json!({
            "eventSource": "workmail.amazonaws.com", "eventName": "PutIdentityProviderConfiguration",
            "errorCode": "AccessDenied", "requestParameters": { "organizationId": ORG }
        }));
        let own = cloudtrail_event(json!({
            "eventSource": "workmail.amazonaws.com", "eventName": "PutIdentityProviderConfiguration",
            "userIdentity": { "arn": "arn:aws:sts::123456789012:assumed-role/idp-gateway-enforcer/x" },
            "requestParameters": { "organizationId": ORG }
        }));
        let other = cloudtrail_event(
            json!({ "eventSource": "workmail.amazonaws.com", "eventName": "CreateUser" }),
        );
        let unknown = json!({ "source": "aws.s3", "detail-type": "Object Created", "detail": {} });
        for event in [failed, own, other, unknown] {
            assert!(
                matches!(
                    read_trigger(&event, Some(ROLE)),
                    Ok(Trigger::Ignored { .. })
                ),
                "{event}"
            );
        }
    }

    #[test]
    fn a_role_of_the_same_name_in_another_account_is_not_the_enforcer() {
        let elsewhere = cloudtrail_event(json!({
            "eventSource": "workmail.amazonaws.com", "eventName": "PutIdentityProviderConfiguration",
            "userIdentity": { "arn": "arn:aws:sts::999999999999:assumed-role/idp-gateway-enforcer/x" },
            "requestParameters": { "organizationId": ORG }
        }));
        assert!(
            matches!(
                read_trigger(&elsewhere, Some(ROLE)),
                Ok(Trigger::Hint { .. })
            ),
            "{elsewhere}"
        );
    }

    #[test]
    fn malformed_events_say_what_is_wrong() {
        let no_organization = cloudtrail_event(json!({
            "eventSource": "workmail.amazonaws.com", "eventName": "DeleteIdentityProviderConfiguration",
            "requestParameters": {}
        }));
        for event in [
            json!("scheduled"),
            json!({ "hello": 1 }),
            no_organization,
            json!({ "organizationIds": [] }),
            json!({ "organizationIds": ["m-1", 7] }),
            json!({ "organizationIds": [ORG], "mode": "delete" }),
            json!({ "organizationIds": [ORG], "force": true }),
            json!({ "portalIds": [] }),
            json!({ "portalIds": ["not-a-uuid"] }),
            json!({ "organizationIds": [ORG], "portalIds": "x" }),
        ] {
            let error = read_trigger(&event, None).expect_err("malformed");
            assert!(error.to_string().len() > 20, "{error}");
        }
    }
}
