//! The result of one enforcer run: per organization an outcome (compliant, drifted with its diff,
//! remediated, skipped, failed), totals and the policy hash; written as the invocation's answer, as
//! one JSON log line per organization, and as CloudWatch Embedded Metric Format counts.

use serde::Serialize;
use tracing::{info, warn};

use crate::domain::{FieldChange, OrganizationId};
use crate::metrics::{emf_line, now_millis};

/// What happened to one organization.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "camelCase")]
pub enum Outcome {
    Compliant,
    Drifted {
        diff: Vec<FieldChange>,
        reason: String,
    },
    /// The Put landed; `diff` is what it changed, from the read it was decided on.
    Remediated {
        diff: Vec<FieldChange>,
        /// `confirmed`, or why the read after the Put could not confirm it.
        confirmation: String,
    },
    Skipped {
        reason: String,
    },
    /// Another writer undid the enforcer's own recent change; not changed back.
    Conflict {
        diff: Vec<FieldChange>,
        reason: String,
    },
    /// Not checked: the invocation was running out of time. The next scheduled sweep starts here.
    NotReached {
        reason: String,
    },
    Failed {
        error: Failure,
    },
}

impl Outcome {
    pub fn name(&self) -> &'static str {
        match self {
            Outcome::Compliant => "compliant",
            Outcome::Drifted { .. } => "drifted",
            Outcome::Remediated { .. } => "remediated",
            Outcome::Skipped { .. } => "skipped",
            Outcome::Conflict { .. } => "conflict",
            Outcome::NotReached { .. } => "notReached",
            Outcome::Failed { .. } => "failed",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Failure {
    pub code: String,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OrganizationResult {
    pub organization_id: String,
    /// The mode in force for this organization in this run, when it was assessed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mode: Option<&'static str>,
    #[serde(flatten)]
    pub outcome: Outcome,
}

impl OrganizationResult {
    pub fn new(
        organization: &OrganizationId,
        mode: Option<&'static str>,
        outcome: Outcome,
    ) -> Self {
        Self {
            organization_id: organization.as_str().to_owned(),
            mode,
            outcome,
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Totals {
    pub compliant: usize,
    pub drifted: usize,
    pub remediated: usize,
    pub skipped: usize,
    pub conflict: usize,
    pub not_reached: usize,
    pub failed: usize,
}

/// Why nothing was changed although changes were due.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ChangeCap {
    pub needed: usize,
    pub max_changes_per_run: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    pub trigger: &'static str,
    pub policy_hash: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ignored: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_changes_exceeded: Option<ChangeCap>,
    pub organizations: Vec<OrganizationResult>,
    pub totals: Totals,
}

impl Summary {
    pub fn new(
        trigger: &'static str,
        policy_hash: &str,
        organizations: Vec<OrganizationResult>,
        max_changes_exceeded: Option<ChangeCap>,
    ) -> Self {
        let mut totals = Totals::default();
        for result in &organizations {
            match result.outcome {
                Outcome::Compliant => totals.compliant += 1,
                Outcome::Drifted { .. } => totals.drifted += 1,
                Outcome::Remediated { .. } => totals.remediated += 1,
                Outcome::Skipped { .. } => totals.skipped += 1,
                Outcome::Conflict { .. } => totals.conflict += 1,
                Outcome::NotReached { .. } => totals.not_reached += 1,
                Outcome::Failed { .. } => totals.failed += 1,
            }
        }
        Self {
            trigger,
            policy_hash: policy_hash.to_owned(),
            ignored: None,
            max_changes_exceeded,
            organizations,
            totals,
        }
    }

    pub fn ignored(policy_hash: &str, reason: String) -> Self {
        Self {
            ignored: Some(reason),
            ..Self::new("ignored", policy_hash, Vec::new(), None)
        }
    }

    /// One log line per organization, then the metrics line.
    pub fn emit(&self) {
        if let Some(reason) = &self.ignored {
            info!(trigger = self.trigger, policyHash = %self.policy_hash, reason = %reason, "event ignored");
            return;
        }
        for result in &self.organizations {
            let detail = serde_json::to_string(&result.outcome).unwrap_or_default();
            if matches!(result.outcome, Outcome::Failed { .. }) {
                warn!(organizationId = %result.organization_id, outcome = result.outcome.name(), mode = result.mode,
                    trigger = self.trigger, policyHash = %self.policy_hash, detail = %detail, "organization checked");
            } else {
                info!(organizationId = %result.organization_id, outcome = result.outcome.name(), mode = result.mode,
                    trigger = self.trigger, policyHash = %self.policy_hash, detail = %detail, "organization checked");
            }
        }
        println!("{}", self.metrics_line(now_millis()));
    }

    /// The counts as a CloudWatch Embedded Metric Format document (namespace `IdpGateway/Enforcer`,
    /// dimension `Trigger`). DriftDetected counts every organization found off its policy, remediated or
    /// not (conflicts included).
    pub fn metrics_line(&self, timestamp_millis: u128) -> String {
        emf_line(
            "IdpGateway/Enforcer",
            &[("Trigger", self.trigger)],
            &[
                (
                    "DriftDetected",
                    self.totals.drifted + self.totals.remediated + self.totals.conflict,
                ),
                ("Remediated", self.totals.remediated),
                ("Failed", self.totals.failed),
                ("Skipped", self.totals.skipped),
                ("Conflicts", self.totals.conflict),
                ("NotReached", self.totals.not_reached),
            ],
            timestamp_millis,
        )
    }
}
