//! `Enforcer`: the entry point of the enforcer function. Event in, trigger read, organizations swept,
//! summary out; a malformed event is the only error (so Lambda's retries and failure destination see it).

use std::time::Duration;

use lambda_runtime::{LambdaEvent, service_fn};
use serde_json::Value;

use super::policy::EnforcementPolicy;
use super::report::Summary;
use super::sweep::{SweepTarget, sweep};
use super::trigger::{MalformedEvent, Trigger, read_trigger};
use crate::domain::Timestamp;
use crate::lease::{LeaseSettings, LeaseStore};
use crate::workmail::IdentityProviderStore;

pub struct Enforcer<S> {
    store: S,
    leases: LeaseStore,
    lease_settings: LeaseSettings,
    policy: EnforcementPolicy,
    own_role: Option<String>,
}

impl<S: IdentityProviderStore> Enforcer<S> {
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
            leases,
            lease_settings,
            policy,
            own_role,
        }
    }

    /// Handles one event and writes its logs and metrics.
    pub async fn handle(&self, event: &Value) -> Result<Summary, MalformedEvent> {
        let trigger = read_trigger(event, self.own_role.as_deref())?;
        let (targets, mode_cap) = match &trigger {
            Trigger::Sweep => (self.policy.organizations.keys().cloned().collect(), None),
            Trigger::Hint { organization, .. } => (vec![organization.clone()], None),
            Trigger::OnDemand {
                organizations,
                mode,
            } => (organizations.clone(), Some(*mode)),
            Trigger::Ignored { reason } => {
                let summary = Summary::ignored(&self.policy.hash, reason.clone());
                summary.emit();
                return Ok(summary);
            }
        };
        // A paced Put may wait for every other concurrent call's slot after the lease is renewed.
        let slot_wait = Duration::from_secs_f64(
            self.policy.max_concurrency as f64 / self.policy.calls_per_second,
        );
        let target = SweepTarget {
            store: &self.store,
            leases: &self.leases,
            lease_settings: self.lease_settings.with_queueing(slot_wait),
        };
        let (results, cap) = sweep(target, &self.policy, targets, mode_cap, Timestamp::now()).await;
        let summary = Summary::new(trigger.name(), &self.policy.hash, results, cap);
        summary.emit();
        Ok(summary)
    }
}

/// Serves `enforcer` on the Lambda Runtime API until the process is stopped.
pub async fn run<S: IdentityProviderStore>(
    enforcer: Enforcer<S>,
) -> Result<(), lambda_runtime::Error> {
    let enforcer = &enforcer;
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Value>| {
        Box::pin(async move {
            let summary = enforcer.handle(&event.payload).await?;
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
