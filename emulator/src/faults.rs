//! Fault injection: answers the emulator gives instead of (or before) the real one, per operation.

use std::time::Duration;

/// What to do to a matching call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// 400 `ThrottlingException`, which the SDK retries.
    Throttle,
    /// 500 `InternalFailure`, which the SDK retries.
    ServerError,
    /// 400 `AccessDeniedException`, as when the caller's role lacks the permission.
    AccessDenied,
    /// Any error answer.
    Error {
        status: u16,
        type_name: String,
        message: String,
    },
    /// A validation the service makes and a client cannot (WorkSpaces Web: 400
    /// `ValidationException` whose `fieldList` names `field`; WorkMail: 400
    /// `InvalidParameterException`).
    Rejected { field: String, message: String },
    /// Wait this long, then answer normally.
    Latency(Duration),
    /// Answer success (`{}`) without doing anything: a write that does not stick.
    AcknowledgeWithoutEffect,
}

/// A fault for one operation (or every operation when `operation` is `None`), for the next `times`
/// matching calls (or every one when `times` is `None`), after the first `skip` matching calls.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FaultRule {
    pub operation: Option<String>,
    pub fault: Fault,
    pub times: Option<u32>,
    pub skip: u32,
}

impl FaultRule {
    pub fn new(operation: &str, fault: Fault) -> Self {
        Self {
            operation: Some(operation.to_owned()),
            fault,
            times: None,
            skip: 0,
        }
    }

    pub fn every_operation(fault: Fault) -> Self {
        Self {
            operation: None,
            fault,
            times: None,
            skip: 0,
        }
    }

    /// Lets the first `calls` matching calls through untouched.
    pub fn after(mut self, calls: u32) -> Self {
        self.skip = calls;
        self
    }

    /// Limits the rule to the next `times` matching calls.
    pub fn times(mut self, times: u32) -> Self {
        self.times = Some(times);
        self
    }

    pub(crate) fn matches(&self, operation: &str) -> bool {
        self.operation
            .as_deref()
            .is_none_or(|wanted| wanted == operation)
            && self.times.is_none_or(|left| left > 0)
    }
}
