//! The identity-provider configuration of one organization, as validated values: authentication mode,
//! Identity Center link (whose two ARNs must agree) and personal access token policy.

use std::fmt;

use super::{ApplicationArn, InstanceArn, InvalidValue};

/// How mailbox users of an organization authenticate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AuthenticationMode {
    /// Directory passwords and Identity Center both work.
    IdentityProviderAndDirectory,
    /// Only Identity Center works: directory credentials stop working everywhere (lockout risk).
    IdentityProviderOnly,
}

impl AuthenticationMode {
    pub const ALLOWED: &'static str = "IDENTITY_PROVIDER_AND_DIRECTORY or IDENTITY_PROVIDER_ONLY";

    pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
        match raw {
            "IDENTITY_PROVIDER_AND_DIRECTORY" => Ok(Self::IdentityProviderAndDirectory),
            "IDENTITY_PROVIDER_ONLY" => Ok(Self::IdentityProviderOnly),
            other => Err(InvalidValue::new(format!(
                "'{other}' is not an authentication mode: use {}",
                Self::ALLOWED
            ))),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::IdentityProviderAndDirectory => "IDENTITY_PROVIDER_AND_DIRECTORY",
            Self::IdentityProviderOnly => "IDENTITY_PROVIDER_ONLY",
        }
    }
}

/// Whether mailbox users may create and use personal access tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TokenStatus {
    Active,
    Inactive,
}

impl TokenStatus {
    pub const ALLOWED: &'static str = "ACTIVE or INACTIVE";

    pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
        match raw {
            "ACTIVE" => Ok(Self::Active),
            "INACTIVE" => Ok(Self::Inactive),
            other => Err(InvalidValue::new(format!(
                "'{other}' is not a token status: use {}",
                Self::ALLOWED
            ))),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "ACTIVE",
            Self::Inactive => "INACTIVE",
        }
    }
}

/// How many days a personal access token stays valid: 1..=3653.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TokenLifetime(u16);

impl TokenLifetime {
    pub const MIN_DAYS: i64 = 1;
    pub const MAX_DAYS: i64 = 3653;

    pub fn parse(days: i64) -> Result<Self, InvalidValue> {
        if (Self::MIN_DAYS..=Self::MAX_DAYS).contains(&days) {
            u16::try_from(days)
                .map(Self)
                .map_err(|_| Self::out_of_range())
        } else {
            Err(Self::out_of_range())
        }
    }

    pub(crate) fn out_of_range() -> InvalidValue {
        InvalidValue::new(format!(
            "must be a whole number of days from {} to {}",
            Self::MIN_DAYS,
            Self::MAX_DAYS
        ))
    }

    pub fn days(self) -> u16 {
        self.0
    }
}

/// The personal access token policy of an organization.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PersonalAccessTokens {
    pub status: TokenStatus,
    pub lifetime: Option<TokenLifetime>,
}

/// Which cross-field rule an Identity Center pair broke.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdentityCenterMismatch {
    #[error(
        "the application belongs to instance '{application}', but instanceArn names '{instance}'"
    )]
    Instance {
        instance: String,
        application: String,
    },
    #[error(
        "the application ARN is in partition '{application}', but instanceArn is in '{instance}'"
    )]
    Partition {
        instance: &'static str,
        application: &'static str,
    },
}

/// An Identity Center instance and the WorkMail application inside it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct IdentityCenter {
    instance_arn: InstanceArn,
    application_arn: ApplicationArn,
}

impl IdentityCenter {
    /// Pairs the two ARNs, refusing an application of another instance or partition.
    pub fn new(
        instance_arn: InstanceArn,
        application_arn: ApplicationArn,
    ) -> Result<Self, Vec<IdentityCenterMismatch>> {
        let mut mismatches = Vec::new();
        if instance_arn.partition() != application_arn.partition() {
            mismatches.push(IdentityCenterMismatch::Partition {
                instance: instance_arn.partition().as_str(),
                application: application_arn.partition().as_str(),
            });
        }
        if instance_arn.instance_id() != application_arn.instance_id() {
            mismatches.push(IdentityCenterMismatch::Instance {
                instance: instance_arn.instance_id().as_str().to_owned(),
                application: application_arn.instance_id().as_str().to_owned(),
            });
        }
        if mismatches.is_empty() {
            Ok(Self {
                instance_arn,
                application_arn,
            })
        } else {
            Err(mismatches)
        }
    }

    pub fn instance_arn(&self) -> &InstanceArn {
        &self.instance_arn
    }

    pub fn application_arn(&self) -> &ApplicationArn {
        &self.application_arn
    }
}

/// A complete, valid identity-provider configuration: what Put writes and Describe reads.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct IdentityProviderConfiguration {
    pub authentication_mode: AuthenticationMode,
    pub identity_center: IdentityCenter,
    pub personal_access_tokens: PersonalAccessTokens,
}

impl fmt::Display for AuthenticationMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lifetime_bounds_are_inclusive() {
        assert_eq!(TokenLifetime::parse(1).map(TokenLifetime::days), Ok(1));
        assert_eq!(
            TokenLifetime::parse(3653).map(TokenLifetime::days),
            Ok(3653)
        );
        for days in [0, -1, 3654, i64::MAX, i64::MIN] {
            assert!(
                TokenLifetime::parse(days).is_err(),
                "{days} must be refused"
            );
        }
    }

    #[test]
    fn identity_center_refuses_mismatched_instance_and_partition() {
        let instance = InstanceArn::parse("arn:aws-cn:sso:::instance/ssoins-aaaaaaaaaaaaaaaa")
            .expect("valid instance");
        let application = ApplicationArn::parse(
            "arn:aws:sso::123456789012:application/ssoins-bbbbbbbbbbbbbbbb/apl-1234567890abcdef",
        )
        .expect("valid application");
        let mismatches = IdentityCenter::new(instance, application).expect_err("mismatch");
        assert_eq!(mismatches.len(), 2, "{mismatches:?}");
    }
}
