//! `Caller`: the authenticated principal of a request, reduced to what authorization compares — the
//! IAM role or user ARN (an assumed-role session counts as its role, whatever the session name).

use std::fmt;

/// An authenticated caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    /// The ARN as the request context gave it (for the audit trail).
    pub arn: String,
    /// `arn:<partition>:iam::<account>:role/<name>` or `:user/<name>`, paths dropped.
    pub principal: String,
    pub account: Option<String>,
}

impl Caller {
    /// Reads an IAM user, IAM role or STS assumed-role ARN; anything else is not a caller.
    pub fn from_arn(arn: &str, account: Option<&str>) -> Option<Self> {
        let principal = principal_of(arn)?;
        Some(Self {
            arn: arn.to_owned(),
            principal,
            account: account.map(str::to_owned).filter(|a| !a.is_empty()),
        })
    }
}

/// The comparable principal of an ARN: the role of an assumed-role session, role and user paths dropped.
pub(crate) fn principal_of(arn: &str) -> Option<String> {
    let mut fields = arn.splitn(6, ':');
    let (prefix, partition, service, region, account, resource) = (
        fields.next()?,
        fields.next()?,
        fields.next()?,
        fields.next()?,
        fields.next()?,
        fields.next()?,
    );
    if prefix != "arn" || partition.is_empty() || !region.is_empty() {
        return None;
    }
    if account.len() != 12 || !account.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let (kind, name) = match (service, resource.split_once('/')) {
        ("sts", Some(("assumed-role", rest))) => ("role", rest.split('/').next()?),
        ("iam", Some(("role", rest))) => ("role", rest.rsplit('/').next()?),
        ("iam", Some(("user", rest))) => ("user", rest.rsplit('/').next()?),
        _ => return None,
    };
    if name.is_empty() || name.contains(['*', ' ']) {
        return None;
    }
    Some(format!("arn:{partition}:iam::{account}:{kind}/{name}"))
}

impl fmt::Display for Caller {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.arn)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sessions_count_as_their_role_and_paths_are_dropped() {
        let session = Caller::from_arn(
            "arn:aws:sts::123456789012:assumed-role/MailAdminPortal/alice@example.com",
            None,
        )
        .expect("caller");
        assert_eq!(
            session.principal,
            "arn:aws:iam::123456789012:role/MailAdminPortal"
        );
        assert_eq!(
            principal_of("arn:aws:iam::123456789012:role/ops/MailAdminPortal").as_deref(),
            Some("arn:aws:iam::123456789012:role/MailAdminPortal")
        );
        assert_eq!(
            principal_of("arn:aws-us-gov:iam::123456789012:user/alice").as_deref(),
            Some("arn:aws-us-gov:iam::123456789012:user/alice")
        );
    }

    #[test]
    fn other_arns_are_not_callers() {
        for arn in [
            "",
            "anonymous",
            "arn:aws:sts::123456789012:federated-user/bob",
            "arn:aws:iam::12345:role/x",
            "arn:aws:s3:::bucket",
            "arn:aws:iam::123456789012:root",
            "arn:aws:iam::123456789012:role/",
        ] {
            assert!(Caller::from_arn(arn, None).is_none(), "{arn}");
        }
    }
}
