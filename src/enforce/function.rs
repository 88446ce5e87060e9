//! `Enforcer`: the entry point of the enforcer function. Event in, trigger read, organizations and
//! portals swept, summary out; a malformed event is the only error (so Lambda's retries and failure
//! destination see it).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tokio::time::Instant;

use lambda_runtime::{LambdaEvent, service_fn};
use serde_json::Value;

use super::policy::EnforcementPolicy;
use super::report::Summary;
use super::sweep::{SweepRequest, SweepTarget, safety_margin, sweep};
use super::trigger::{MalformedEvent, Trigger, read_trigger};
use crate::domain::Timestamp;
use crate::domain::secure_browser::ResourceScope;
use crate::lease::{LeaseSettings, LeaseStore};
use crate::workmail::{IdentityProviderStore, MailboxDirectory};
use crate::workspaces_web::{PortalProviderStore, SdkWorkSpacesWeb};

/// The enforcer over WorkMail store `S` and, for the policy's portals, WorkSpaces Web store `P`
/// (only its find, create and update: the enforcer has no way to delete).
pub struct Enforcer<S, P = SdkWorkSpacesWeb> {
    store: S,
    portals: Option<P>,
    /// Where portal ARNs point when set (`LOCAL_FUNCTION_ARN`); otherwise the invoked function's ARN.
    local_scope: Option<ResourceScope>,
    leases: LeaseStore,
    lease_settings: LeaseSettings,
    policy: EnforcementPolicy,
    own_role: Option<String>,
}

impl<S: IdentityProviderStore + MailboxDirectory> Enforcer<S> {
    /// `leases` are the write leases the API shares; `own_role` is the enforcer's execution role ARN:
    /// CloudTrail events of its own calls are ignored.
    pub fn new(
        store: S,
        leases: LeaseStore,
        lease_settings: LeaseSettings,
        policy: EnforcementPolicy,
        own_role: Option<String>,
    ) -> Self {
        Self {
            store,
            portals: None,
            local_scope: None,
            leases,
            lease_settings,
            policy,
            own_role,
        }
    }
}

impl<S: IdentityProviderStore + MailboxDirectory, P: PortalProviderStore> Enforcer<S, P> {
    /// The same enforcer, checking the policy's portals through `portals`; `local_scope`, when set,
    /// names the partition, region and account of every portal ARN (local runs), otherwise each
    /// invocation's function ARN does (as the API does).
    pub fn with_portals<Q: PortalProviderStore>(
        self,
        portals: Q,
        local_scope: Option<ResourceScope>,
    ) -> Enforcer<S, Q> {
        Enforcer {
            store: self.store,
            portals: Some(portals),
            local_scope,
            leases: self.leases,
            lease_settings: self.lease_settings,
            policy: self.policy,
            own_role: self.own_role,
        }
    }

    /// Handles one event and writes its logs and metrics, with no deadline.
    pub async fn handle(&self, event: &Value) -> Result<Summary, MalformedEvent> {
        self.handle_until(event, None).await
    }

    /// How close to its deadline an invocation starts no new work.
    pub fn deadline_margin(&self) -> Duration {
        safety_margin(self.sweep_lease_settings())
    }

    /// Leases for a remediation: a paced Put may wait, after the lease is renewed, for the slots of
    /// every other concurrent remediation's calls, two each while they read the directory for an
    /// impact report (users and tokens at once).
    fn sweep_lease_settings(&self) -> LeaseSettings {
        let slot_wait = Duration::from_secs_f64(
            2.0 * self.policy.max_concurrency as f64 / self.policy.calls_per_second,
        );
        self.lease_settings.with_queueing(slot_wait)
    }

    /// Handles one event, starting no new work within the safety margin of `deadline`.
    pub async fn handle_until(
        &self,
        event: &Value,
        deadline: Option<Instant>,
    ) -> Result<Summary, MalformedEvent> {
        self.handle_invocation(event, deadline, None).await
    }

    /// Handles one event of the invocation of `function_arn` (portal ARNs are built from its
    /// partition, region and account, unless a local scope was given).
    pub async fn handle_invocation(
        &self,
        event: &Value,
        deadline: Option<Instant>,
        function_arn: Option<&str>,
    ) -> Result<Summary, MalformedEvent> {
        let trigger = read_trigger(event, self.own_role.as_deref())?;
        let all_portals = || self.policy.portals.keys().cloned().collect();
        let (targets, portals, mode_cap, hint_caller) = match &trigger {
            Trigger::Sweep => (
                self.policy.organizations.keys().cloned().collect(),
                all_portals(),
                None,
                None,
            ),
            Trigger::Hint {
                organization,
                caller,
                ..
            } => (vec![organization.clone()], Vec::new(), None, caller.clone()),
            Trigger::OnDemand {
                organizations,
                portals,
                mode,
            } => (organizations.clone(), portals.clone(), Some(*mode), None),
            Trigger::Ignored { reason } => {
                let summary = Summary::ignored(&self.policy.hash, reason.clone());
                summary.emit();
                return Ok(summary);
            }
        };
        let scope = self
            .local_scope
            .clone()
            .or_else(|| function_arn.and_then(|arn| ResourceScope::from_function_arn(arn).ok()));
        let target = SweepTarget {
            store: &self.store,
            leases: &self.leases,
            lease_settings: self.sweep_lease_settings(),
            portals: self.portals.as_ref(),
            scope,
        };
        let request = SweepRequest {
            targets,
            portals,
            mode_cap,
            now: Timestamp::now(),
            deadline,
            resume: trigger == Trigger::Sweep,
            hint_caller,
        };
        let result = sweep(target, &self.policy, request).await;
        let summary = Summary::new(
            trigger.name(),
            &self.policy.hash,
            result.results,
            result.cap,
        )
        .with_portals(result.portals);
        summary.emit();
        Ok(summary)
    }
}

/// Serves `enforcer` on the Lambda Runtime API until the process is stopped.
pub async fn run<S: IdentityProviderStore + MailboxDirectory, P: PortalProviderStore>(
    enforcer: Enforcer<S, P>,
) -> Result<(), lambda_runtime::Error> {
    let enforcer = &enforcer;
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Value>| {
        Box::pin(async move {
            let deadline = remaining(event.context.deadline).map(|left| Instant::now() + left);
            let function_arn = event.context.invoked_function_arn.as_str();
            let summary = enforcer
                .handle_invocation(&event.payload, deadline, Some(function_arn))
                .await?;
            Ok::<_, MalformedEvent>(summary)
        })
    }))
    .await
}

impl From<MalformedEvent> for lambda_runtime::Diagnostic {
    fn from(error: MalformedEvent) -> Self {
        lambda_runtime::Diagnostic {
            error_type: "MalformedEvent".to_owned(),
            error_message: error.to_string(),
        }
    }
}

/// The time left until Lambda's deadline (epoch milliseconds), if it is in the future.
fn remaining(deadline_ms: u64) -> Option<Duration> {
    let now = SystemTime::now().duration_since(UNIX_EPOCH).ok()?;
    Duration::from_millis(deadline_ms).checked_sub(now)
}
