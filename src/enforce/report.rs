//! The result of one enforcer run: per organization and per portal an outcome (compliant, drifted
//! with its diff, remediated, skipped, failed; a portal also not configured) and a portal's SAML
//! certificate findings, totals and the policy hash; written as the invocation's answer, as one JSON
//! log line per organization and per portal, and as CloudWatch Embedded Metric Format counts. Every
//! diff of a portal is made on the provider's secret-free view: no secret is ever in a report.

use serde::Serialize;
use tracing::{info, warn};

use crate::domain::secure_browser::{CertificateFinding, PortalId};
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
    /// A portal without an identity provider: the enforcer never creates one.
    NotConfigured {
        reason: String,
    },
}

impl Outcome {
    /// A failure, of a write that may have been applied all the same (a timeout, a server error).
    pub fn maybe_written(self) -> Self {
        match self {
            Outcome::Failed { mut error } => {
                error.message.push_str(
                    "; the write may have been applied: the next run reads it again, and the write lease is left to expire",
                );
                Outcome::Failed { error }
            }
            other => other,
        }
    }

    pub fn name(&self) -> &'static str {
        match self {
            Outcome::Compliant => "compliant",
            Outcome::Drifted { .. } => "drifted",
            Outcome::Remediated { .. } => "remediated",
            Outcome::Skipped { .. } => "skipped",
            Outcome::Conflict { .. } => "conflict",
            Outcome::NotReached { .. } => "notReached",
            Outcome::Failed { .. } => "failed",
            Outcome::NotConfigured { .. } => "notConfigured",
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
    /// Portals only.
    #[serde(skip_serializing_if = "is_zero")]
    pub not_configured: usize,
}

fn is_zero(count: &usize) -> bool {
    *count == 0
}

impl Totals {
    fn count(&mut self, outcome: &Outcome) {
        match outcome {
            Outcome::Compliant => self.compliant += 1,
            Outcome::Drifted { .. } => self.drifted += 1,
            Outcome::Remediated { .. } => self.remediated += 1,
            Outcome::Skipped { .. } => self.skipped += 1,
            Outcome::Conflict { .. } => self.conflict += 1,
            Outcome::NotReached { .. } => self.not_reached += 1,
            Outcome::Failed { .. } => self.failed += 1,
            Outcome::NotConfigured { .. } => self.not_configured += 1,
        }
    }
}

/// A SAML signing certificate of a portal's provider that has expired or expires within the
/// policy's `certificateWarningDays`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CertificateReport {
    pub subject: String,
    /// RFC 3339.
    pub not_after: String,
    /// Whole days left, rounded down: negative once expired.
    pub days_remaining: i64,
    pub expired: bool,
}

impl From<&CertificateFinding> for CertificateReport {
    fn from(finding: &CertificateFinding) -> Self {
        Self {
            subject: finding.subject.clone(),
            not_after: finding.not_after.to_string(),
            days_remaining: finding.days_remaining,
            expired: finding.days_remaining < 0,
        }
    }
}

/// What happened to one portal's identity provider.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PortalResult {
    pub portal_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mode: Option<&'static str>,
    #[serde(flatten)]
    pub outcome: Outcome,
    /// The signing certificates expired or expiring soon, whatever the mode and the outcome.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub certificate_findings: Vec<CertificateReport>,
}

impl PortalResult {
    pub fn new(portal: &PortalId, mode: Option<&'static str>, outcome: Outcome) -> Self {
        Self {
            portal_id: portal.as_str().to_owned(),
            mode,
            outcome,
            certificate_findings: Vec::new(),
        }
    }
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
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub portals: Vec<PortalResult>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub portal_totals: Option<Totals>,
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
            totals.count(&result.outcome);
        }
        Self {
            trigger,
            policy_hash: policy_hash.to_owned(),
            ignored: None,
            max_changes_exceeded,
            organizations,
            totals,
            portals: Vec::new(),
            portal_totals: None,
        }
    }

    /// The same summary with the portals' results (none: no portal entries at all).
    pub fn with_portals(mut self, portals: Vec<PortalResult>) -> Self {
        if portals.is_empty() {
            return self;
        }
        let mut totals = Totals::default();
        for result in &portals {
            totals.count(&result.outcome);
        }
        self.portals = portals;
        self.portal_totals = Some(totals);
        self
    }

    /// The SAML signing certificates found expired or expiring soon, across portals.
    pub fn certificates_expiring_soon(&self) -> usize {
        self.portals
            .iter()
            .map(|portal| portal.certificate_findings.len())
            .sum()
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
        for result in &self.portals {
            let detail = serde_json::to_string(&result.outcome).unwrap_or_default();
            let findings = serde_json::to_string(&result.certificate_findings).unwrap_or_default();
            if matches!(result.outcome, Outcome::Failed { .. })
                || !result.certificate_findings.is_empty()
            {
                warn!(portalId = %result.portal_id, outcome = result.outcome.name(), mode = result.mode,
                    trigger = self.trigger, policyHash = %self.policy_hash, detail = %detail,
                    certificateFindings = %findings, "portal checked");
            } else {
                info!(portalId = %result.portal_id, outcome = result.outcome.name(), mode = result.mode,
                    trigger = self.trigger, policyHash = %self.policy_hash, detail = %detail,
                    certificateFindings = %findings, "portal checked");
            }
        }
        println!("{}", self.metrics_line(now_millis()));
    }

    /// The counts as a CloudWatch Embedded Metric Format document (namespace `IdpGateway/Enforcer`,
    /// dimension `Trigger`), organizations and portals together. DriftDetected counts every
    /// organization and portal found off its policy, remediated or not (conflicts included);
    /// CertificatesExpiringSoon the SAML signing certificates of portals expired or expiring within
    /// `certificateWarningDays`.
    pub fn metrics_line(&self, timestamp_millis: u128) -> String {
        let portals = self.portal_totals.clone().unwrap_or_default();
        let both = |count: fn(&Totals) -> usize| count(&self.totals) + count(&portals);
        emf_line(
            "IdpGateway/Enforcer",
            &[("Trigger", self.trigger)],
            &[
                (
                    "DriftDetected",
                    both(|t| t.drifted + t.remediated + t.conflict),
                ),
                ("Remediated", both(|t| t.remediated)),
                ("Failed", both(|t| t.failed)),
                ("Skipped", both(|t| t.skipped)),
                ("Conflicts", both(|t| t.conflict)),
                ("NotReached", both(|t| t.not_reached)),
                (
                    "CertificatesExpiringSoon",
                    self.certificates_expiring_soon(),
                ),
            ],
            timestamp_millis,
        )
    }
}
