//! What the emulator holds: organizations with their states, identity-provider configurations, users
//! and personal access tokens,
//! the Identity Center applications that exist, the WorkSpaces Web portals, injected faults, and the
//! log of calls received.

use std::collections::{BTreeMap, HashSet};

use serde_json::Value;

use crate::directory::Directory;
use crate::faults::{Fault, FaultRule};
use crate::secure_browser::SecureBrowser;

/// WorkMail's organization states.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrganizationState {
    Active,
    Creating,
    Deleting,
    Deleted,
    Failed,
    Inactive,
}

impl OrganizationState {
    pub fn as_str(self) -> &'static str {
        match self {
            OrganizationState::Active => "Active",
            OrganizationState::Creating => "Creating",
            OrganizationState::Deleting => "Deleting",
            OrganizationState::Deleted => "Deleted",
            OrganizationState::Failed => "Failed",
            OrganizationState::Inactive => "Inactive",
        }
    }
}

/// How Describe answers for an organization without an integration (WorkMail has been seen to do both).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum UnconfiguredAnswer {
    /// `{}`: every output member left out.
    #[default]
    Empty,
    /// 400 `ResourceNotFoundException`.
    ResourceNotFound,
}

/// One call as the emulator received it, WorkMail's or WorkSpaces Web's.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordedCall {
    /// The operation: named by `X-Amz-Target` (after `WorkMailService.`) for WorkMail, routed from
    /// the method and path for WorkSpaces Web (`UpdateIdentityProvider`); empty when unknown.
    pub operation: String,
    /// The whole `X-Amz-Target` header (empty for WorkSpaces Web, which has none).
    pub target: String,
    /// The HTTP method (`POST` for every WorkMail call).
    pub method: String,
    /// The path and query as sent, still percent-encoded (`/` for WorkMail).
    pub path: String,
    pub content_type: Option<String>,
    pub authorization: Option<String>,
    /// The request body as sent (WorkMail's members are PascalCase, WorkSpaces Web's camelCase);
    /// `Value::Null` when it was not JSON (or empty, as for a GET).
    pub body: Value,
}

#[derive(Debug, Clone)]
pub(crate) struct Organization {
    pub alias: String,
    pub state: OrganizationState,
    /// The configuration as WorkMail would answer Describe (PascalCase), when there is one.
    pub identity_provider: Option<Value>,
    /// Its users and personal access tokens.
    pub directory: Directory,
}

#[derive(Debug, Default)]
pub(crate) struct State {
    pub organizations: BTreeMap<String, Organization>,
    /// Known (instance ARN, application ARN) pairs.
    pub applications: HashSet<(String, String)>,
    /// WorkSpaces Web's portals and identity providers.
    pub secure_browser: SecureBrowser,
    pub unconfigured_answer: UnconfiguredAnswer,
    pub faults: Vec<FaultRule>,
    pub calls: Vec<RecordedCall>,
    pub requests: u64,
    pub rate_limit: Option<TokenBucket>,
    /// Calls answered with ThrottlingException by the rate limit.
    pub throttled: u64,
}

/// WorkMail-style request rate limiting: `per_second` tokens a second, at most `burst` saved up.
#[derive(Debug, Clone)]
pub(crate) struct TokenBucket {
    per_second: f64,
    burst: f64,
    tokens: f64,
    refilled: std::time::Instant,
}

impl TokenBucket {
    pub fn new(per_second: f64, burst: u32) -> Self {
        let burst = f64::from(burst.max(1));
        Self {
            per_second,
            burst,
            tokens: burst,
            refilled: std::time::Instant::now(),
        }
    }

    /// Takes a token if one is there.
    pub fn try_take(&mut self) -> bool {
        let now = std::time::Instant::now();
        let earned = now.duration_since(self.refilled).as_secs_f64() * self.per_second;
        self.tokens = (self.tokens + earned).min(self.burst);
        self.refilled = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

impl State {
    /// Whether the rate limit (if any) lets this call through; counts the ones it throttles.
    pub fn admit(&mut self) -> bool {
        let admitted = self.rate_limit.as_mut().is_none_or(TokenBucket::try_take);
        if !admitted {
            self.throttled += 1;
        }
        admitted
    }

    /// The fault for this call, if any rule matches; a limited rule is used up by one.
    pub fn take_fault(&mut self, operation: &str) -> Option<Fault> {
        let rule = self
            .faults
            .iter_mut()
            .find(|rule| rule.matches(operation))?;
        if rule.skip > 0 {
            rule.skip -= 1;
            return None;
        }
        if let Some(left) = rule.times.as_mut() {
            *left -= 1;
        }
        Some(rule.fault.clone())
    }

    pub fn next_request_id(&mut self) -> String {
        self.requests += 1;
        format!("00000000-0000-4000-8000-{:012x}", self.requests)
    }
}
