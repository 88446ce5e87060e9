//! `UpstreamSettings`: timeouts and retries of upstream calls (WorkMail's, and WorkSpaces Web's with
//! the same values), read from the environment.

use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;

/// How long and how often the function tries WorkMail before it answers the caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpstreamSettings {
    /// The whole operation, retries included.
    pub operation_timeout: Duration,
    /// One attempt.
    pub attempt_timeout: Duration,
    pub connect_timeout: Duration,
    /// Attempts in all (standard retry mode), at least 1.
    pub max_attempts: u32,
    /// First retry back-off; the SDK grows it exponentially with jitter.
    pub initial_backoff: Duration,
}

impl Default for UpstreamSettings {
    fn default() -> Self {
        Self {
            operation_timeout: Duration::from_secs(5),
            attempt_timeout: Duration::from_secs(2),
            connect_timeout: Duration::from_secs(1),
            max_attempts: 3,
            initial_backoff: Duration::from_secs(1),
        }
    }
}

/// An environment variable that is set but cannot be used.
#[derive(Debug, thiserror::Error)]
#[error("environment variable {name}={value:?}: {reason}")]
pub struct SettingsError {
    pub name: &'static str,
    pub value: String,
    pub reason: &'static str,
}

impl UpstreamSettings {
    /// The SDK timeouts these settings stand for.
    pub fn timeout_config(&self) -> TimeoutConfig {
        TimeoutConfig::builder()
            .operation_timeout(self.operation_timeout)
            .operation_attempt_timeout(self.attempt_timeout)
            .connect_timeout(self.connect_timeout)
            .build()
    }

    /// The SDK retries these settings stand for (standard mode).
    pub fn retry_config(&self) -> RetryConfig {
        RetryConfig::standard()
            .with_max_attempts(self.max_attempts)
            .with_initial_backoff(self.initial_backoff)
    }

    /// Reads `WORKMAIL_OPERATION_TIMEOUT_MS`, `WORKMAIL_ATTEMPT_TIMEOUT_MS`, `WORKMAIL_CONNECT_TIMEOUT_MS`,
    /// `WORKMAIL_MAX_ATTEMPTS` and `WORKMAIL_INITIAL_BACKOFF_MS`; unset ones keep their defaults.
    pub fn from_env() -> Result<Self, SettingsError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, SettingsError> {
        let defaults = Self::default();
        let millis = |name: &'static str, default: Duration| -> Result<Duration, SettingsError> {
            number(&lookup, name, 1..=900_000).map(|ms| ms.map_or(default, Duration::from_millis))
        };
        Ok(Self {
            operation_timeout: millis("WORKMAIL_OPERATION_TIMEOUT_MS", defaults.operation_timeout)?,
            attempt_timeout: millis("WORKMAIL_ATTEMPT_TIMEOUT_MS", defaults.attempt_timeout)?,
            connect_timeout: millis("WORKMAIL_CONNECT_TIMEOUT_MS", defaults.connect_timeout)?,
            initial_backoff: millis("WORKMAIL_INITIAL_BACKOFF_MS", defaults.initial_backoff)?,
            max_attempts: number(&lookup, "WORKMAIL_MAX_ATTEMPTS", 1..=10)?.map_or(
                Ok(defaults.max_attempts),
                |n| {
                    u32::try_from(n).map_err(|_| SettingsError {
                        name: "WORKMAIL_MAX_ATTEMPTS",
                        value: n.to_string(),
                        reason: "too large",
                    })
                },
            )?,
        })
    }
}

fn number(
    lookup: &impl Fn(&str) -> Option<String>,
    name: &'static str,
    allowed: std::ops::RangeInclusive<u64>,
) -> Result<Option<u64>, SettingsError> {
    let Some(value) = lookup(name) else {
        return Ok(None);
    };
    match value.trim().parse::<u64>() {
        Ok(n) if allowed.contains(&n) => Ok(Some(n)),
        _ => Err(SettingsError {
            name,
            value,
            reason: "must be a whole number in the allowed range (milliseconds 1..=900000, attempts 1..=10)",
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unset_variables_keep_defaults_and_bad_ones_are_refused() {
        assert_eq!(
            UpstreamSettings::from_lookup(|_| None).ok(),
            Some(UpstreamSettings::default())
        );
        let set = UpstreamSettings::from_lookup(|name| {
            (name == "WORKMAIL_MAX_ATTEMPTS").then(|| "5".to_owned())
        })
        .expect("valid");
        assert_eq!(set.max_attempts, 5);
        let error = UpstreamSettings::from_lookup(|name| {
            (name == "WORKMAIL_OPERATION_TIMEOUT_MS").then(|| "soon".to_owned())
        })
        .expect_err("not a number");
        assert_eq!(error.name, "WORKMAIL_OPERATION_TIMEOUT_MS");
    }
}
