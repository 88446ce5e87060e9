//! `Caller`: the authenticated principal of a request, reduced to what authorization compares — the
//! IAM role or user name in its account (an assumed-role session counts as its role, whatever the
//! session name; paths are dropped because an STS session ARN carries none, and IAM names are unique in
//! an account whatever their path).

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
    /// Reads an IAM user, IAM role or STS assumed-role ARN; anything else is not a caller. An
    /// assumed-role ARN must be exactly `assumed-role/<role>/<session>`: no session name, or segments
    /// after it, is not a session STS issues.
    pub fn from_arn(arn: &str, account: Option<&str>) -> Option<Self> {
        let principal = principal_of(arn)?;
        Some(Self {
            arn: arn.to_owned(),
            principal,
            account: account.map(str::to_owned).filter(|a| !a.is_empty()),
        })
    }
}

/// The fields of an ARN that name an IAM principal: `arn:<partition>:<service>::<account>:<resource>`
/// with an empty region and a 12-digit account.
pub(crate) struct PrincipalArn<'a> {
    pub partition: &'a str,
    pub service: &'a str,
    pub account: &'a str,
    pub resource: &'a str,
}

impl<'a> PrincipalArn<'a> {
    pub(crate) fn split(arn: &'a str) -> Option<Self> {
        let mut fields = arn.splitn(6, ':');
        let (prefix, partition, service, region, account, resource) = (
            fields.next()?,
            fields.next()?,
            fields.next()?,
            fields.next()?,
            fields.next()?,
            fields.next()?,
        );
        let partition_ok = !partition.is_empty()
            && partition
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if prefix != "arn" || !partition_ok || !region.is_empty() {
            return None;
        }
        if account.len() != 12 || !account.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        Some(Self {
            partition,
            service,
            account,
            resource,
        })
    }

    /// `arn:<partition>:iam::<account>:<kind>/`, what every principal of that kind starts with.
    pub(crate) fn base(&self, kind: &str) -> String {
        format!("arn:{}:iam::{}:{kind}/", self.partition, self.account)
    }
}

/// Whether `name` is an IAM role or user name: 1 to 64 of `A-Z a-z 0-9 + = , . @ _ -`.
pub(crate) fn is_iam_name(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"+=,.@_-".contains(&b))
}

/// The comparable principal of an ARN: the role of an assumed-role session, role and user paths dropped.
pub(crate) fn principal_of(arn: &str) -> Option<String> {
    let parts = PrincipalArn::split(arn)?;
    let (kind, name) = match (parts.service, parts.resource.split_once('/')) {
        ("sts", Some(("assumed-role", rest))) => {
            let (role, session) = rest.split_once('/')?;
            if session.is_empty() || session.contains('/') {
                return None;
            }
            ("role", role)
        }
        ("iam", Some(("role", rest))) => ("role", rest.rsplit('/').next()?),
        ("iam", Some(("user", rest))) => ("user", rest.rsplit('/').next()?),
        _ => return None,
    };
    is_iam_name(name).then(|| format!("{}{name}", parts.base(kind)))
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
        assert_eq!(
            principal_of("arn:aws:iam::123456789012:user/division/alice").as_deref(),
            Some("arn:aws:iam::123456789012:user/alice")
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
            "arn:aws:iam::123456789012:role/ops/",
            "arn:aws:iam::123456789012:role/Mail*",
            "arn:aws:iam::123456789012:role/Mail Admin",
            "arn:aws:iam:us-east-1:123456789012:role/MailAdmin",
            "arn:AWS:iam::123456789012:role/MailAdmin",
        ] {
            assert!(Caller::from_arn(arn, None).is_none(), "{arn}");
        }
    }

    #[test]
    fn an_assumed_role_arn_is_exactly_role_and_session() {
        for arn in [
            "arn:aws:sts::123456789012:assumed-role/MailAdmin",
            "arn:aws:sts::123456789012:assumed-role/MailAdmin/",
            "arn:aws:sts::123456789012:assumed-role//alice",
            "arn:aws:sts::123456789012:assumed-role/MailAdmin/alice/extra",
            "arn:aws:sts::123456789012:assumed-role/MailAdmin/alice/",
            "arn:aws:sts::123456789012:assumed-role/Mail*/alice",
        ] {
            assert!(Caller::from_arn(arn, None).is_none(), "{arn}");
        }
        let sso = Caller::from_arn(
            "arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_MailAdmins_0123456789abcdef/alice@example.com",
            Some("123456789012"),
        )
        .expect("an Identity Center session");
        assert_eq!(
            sso.principal,
            "arn:aws:iam::123456789012:role/AWSReservedSSO_MailAdmins_0123456789abcdef"
        );
        assert_eq!(sso.account.as_deref(), Some("123456789012"));
    }
}
