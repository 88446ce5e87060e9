//! IAM Identity Center ARNs: `InstanceArn`, `ApplicationArn` and the parts they are made of
//! (`Partition`, `InstanceId`, `AccountId`), parsed exactly as the WorkMail model's patterns allow.

use std::fmt;

use super::InvalidValue;

const INSTANCE_ARN_LENGTH: std::ops::RangeInclusive<usize> = 10..=1124;
const APPLICATION_ARN_LENGTH: std::ops::RangeInclusive<usize> = 10..=1224;
const INSTANCE_ID_SUFFIX_LENGTH: usize = 16;
const APPLICATION_ID_SUFFIX_LENGTH: usize = 16;
const ACCOUNT_ID_LENGTH: usize = 12;

/// The AWS partitions the WorkMail model admits in Identity Center ARNs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Partition {
    Aws,
    AwsUsGov,
    AwsCn,
    AwsIso,
    AwsIsoB,
}

impl Partition {
    const ALL: [Partition; 5] = [
        Partition::Aws,
        Partition::AwsUsGov,
        Partition::AwsCn,
        Partition::AwsIso,
        Partition::AwsIsoB,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Partition::Aws => "aws",
            Partition::AwsUsGov => "aws-us-gov",
            Partition::AwsCn => "aws-cn",
            Partition::AwsIso => "aws-iso",
            Partition::AwsIsoB => "aws-iso-b",
        }
    }

    pub(super) fn parse(raw: &str) -> Result<Self, InvalidValue> {
        Self::ALL
            .into_iter()
            .find(|partition| partition.as_str() == raw)
            .ok_or_else(|| {
                InvalidValue::new(format!(
                    "partition '{raw}' is not one of aws, aws-us-gov, aws-cn, aws-iso, aws-iso-b"
                ))
            })
    }
}

/// An Identity Center instance id: `ins-` or `ssoins-` followed by 16 of `[a-zA-Z0-9-.]`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct InstanceId(String);

impl InstanceId {
    pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
        let suffix = raw
            .strip_prefix("ssoins-")
            .or_else(|| raw.strip_prefix("ins-"));
        let valid = suffix.is_some_and(|suffix| {
            suffix.len() == INSTANCE_ID_SUFFIX_LENGTH
                && suffix
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
        });
        if valid {
            Ok(Self(raw.to_owned()))
        } else {
            Err(InvalidValue::new(format!(
                "instance id '{raw}' must be 'ssoins-' or 'ins-' followed by 16 characters of a-z, A-Z, 0-9, '-' or '.'"
            )))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A 12-digit AWS account id (ASCII digits only).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AccountId(String);

impl AccountId {
    pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
        if raw.len() == ACCOUNT_ID_LENGTH && raw.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Self(raw.to_owned()))
        } else {
            Err(InvalidValue::new(format!(
                "account id '{raw}' must be exactly 12 ASCII digits (0-9)"
            )))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// `arn:<partition>:sso:::instance/<instance id>` (model shape `InstanceArn`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct InstanceArn {
    raw: String,
    partition: Partition,
    instance_id: InstanceId,
}

impl InstanceArn {
    const SHAPE: &'static str = "arn:<partition>:sso:::instance/ssoins-<16 characters>";

    pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
        let explain = |reason: String| {
            InvalidValue::new(format!(
                "must be an IAM Identity Center instance ARN ({}): {reason}",
                Self::SHAPE
            ))
        };
        check_length(raw, INSTANCE_ARN_LENGTH).map_err(explain)?;
        let [partition, service, region, account, resource] = arn_fields(raw).map_err(explain)?;
        let partition = Partition::parse(partition).map_err(|e| explain(e.0))?;
        expect_service(service).map_err(explain)?;
        if !region.is_empty() || !account.is_empty() {
            return Err(explain(
                "region and account must be empty (three colons after 'sso')".to_owned(),
            ));
        }
        let instance_id = resource
            .strip_prefix("instance/")
            .ok_or_else(|| explain("the resource must start with 'instance/'".to_owned()))?;
        let instance_id = InstanceId::parse(instance_id).map_err(|e| explain(e.0))?;
        Ok(Self {
            raw: raw.to_owned(),
            partition,
            instance_id,
        })
    }

    pub fn as_str(&self) -> &str {
        &self.raw
    }

    pub fn partition(&self) -> Partition {
        self.partition
    }

    pub fn instance_id(&self) -> &InstanceId {
        &self.instance_id
    }
}

/// `arn:<partition>:sso::<account>:application/<instance id>/apl-<16 alphanumerics>`
/// (model shape `ApplicationArn`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ApplicationArn {
    raw: String,
    partition: Partition,
    account: AccountId,
    instance_id: InstanceId,
}

impl ApplicationArn {
    const SHAPE: &'static str = "arn:<partition>:sso::<12-digit account>:application/ssoins-<16 characters>/apl-<16 letters or digits>";

    pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
        let explain = |reason: String| {
            InvalidValue::new(format!(
                "must be an IAM Identity Center application ARN ({}): {reason}",
                Self::SHAPE
            ))
        };
        check_length(raw, APPLICATION_ARN_LENGTH).map_err(explain)?;
        let [partition, service, region, account, resource] = arn_fields(raw).map_err(explain)?;
        let partition = Partition::parse(partition).map_err(|e| explain(e.0))?;
        expect_service(service).map_err(explain)?;
        if !region.is_empty() {
            return Err(explain("the region must be empty".to_owned()));
        }
        let account = AccountId::parse(account).map_err(|e| explain(e.0))?;
        let (instance_id, application_id) = resource
            .strip_prefix("application/")
            .and_then(|rest| rest.split_once('/'))
            .ok_or_else(|| {
                explain(
                    "the resource must be 'application/<instance id>/<application id>'".to_owned(),
                )
            })?;
        let instance_id = InstanceId::parse(instance_id).map_err(|e| explain(e.0))?;
        let application_id_valid = application_id.strip_prefix("apl-").is_some_and(|suffix| {
            suffix.len() == APPLICATION_ID_SUFFIX_LENGTH
                && suffix.bytes().all(|b| b.is_ascii_alphanumeric())
        });
        if !application_id_valid {
            return Err(explain(format!(
                "application id '{application_id}' must be 'apl-' followed by 16 letters or digits"
            )));
        }
        Ok(Self {
            raw: raw.to_owned(),
            partition,
            account,
            instance_id,
        })
    }

    pub fn as_str(&self) -> &str {
        &self.raw
    }

    pub fn partition(&self) -> Partition {
        self.partition
    }

    pub fn account(&self) -> &AccountId {
        &self.account
    }

    pub fn instance_id(&self) -> &InstanceId {
        &self.instance_id
    }
}

pub(super) fn check_length(
    raw: &str,
    allowed: std::ops::RangeInclusive<usize>,
) -> Result<(), String> {
    let length = raw.chars().count();
    if allowed.contains(&length) {
        Ok(())
    } else {
        Err(format!(
            "its length is {length} characters, allowed {}..={}",
            allowed.start(),
            allowed.end()
        ))
    }
}

/// Splits `arn:partition:service:region:account:resource`, refusing anything without the `arn:` prefix.
pub(super) fn arn_fields(raw: &str) -> Result<[&str; 5], String> {
    let rest = raw
        .strip_prefix("arn:")
        .ok_or_else(|| "it must start with 'arn:'".to_owned())?;
    let mut fields = rest.splitn(5, ':');
    let mut next = || {
        fields
            .next()
            .ok_or_else(|| "it has too few ':'-separated fields".to_owned())
    };
    Ok([next()?, next()?, next()?, next()?, next()?])
}

fn expect_service(service: &str) -> Result<(), String> {
    if service == "sso" {
        Ok(())
    } else {
        Err(format!("the service must be 'sso', not '{service}'"))
    }
}

impl fmt::Display for InstanceArn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.raw)
    }
}

impl fmt::Display for ApplicationArn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.raw)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const INSTANCE: &str = "arn:aws:sso:::instance/ssoins-1234567890abcdef";
    const APPLICATION: &str =
        "arn:aws:sso::123456789012:application/ssoins-1234567890abcdef/apl-1234567890abcdef";

    #[test]
    fn parses_the_parts_of_an_instance_arn() {
        let arn = InstanceArn::parse(INSTANCE).expect("valid");
        assert_eq!(arn.partition(), Partition::Aws);
        assert_eq!(arn.instance_id().as_str(), "ssoins-1234567890abcdef");
        let gov = InstanceArn::parse("arn:aws-us-gov:sso:::instance/ins-ab.cd-ef.gh-ij.k")
            .expect("valid");
        assert_eq!(gov.partition(), Partition::AwsUsGov);
    }

    #[test]
    fn parses_the_parts_of_an_application_arn() {
        let arn = ApplicationArn::parse(APPLICATION).expect("valid");
        assert_eq!(arn.account().as_str(), "123456789012");
        assert_eq!(arn.instance_id().as_str(), "ssoins-1234567890abcdef");
        assert_eq!(arn.partition(), Partition::Aws);
    }

    #[test]
    fn refuses_instance_arn_near_misses() {
        for raw in [
            "arn:aws:sso:::instance/ssoins-1234567890abcde",
            "arn:aws:sso:::instance/ssoins-1234567890abcdef0",
            "arn:aws:sso:::instance/sso-1234567890abcdef",
            "arn:aws:sso:us-east-1::instance/ssoins-1234567890abcdef",
            "arn:aws:sso::123456789012:instance/ssoins-1234567890abcdef",
            "arn:aws:iam:::instance/ssoins-1234567890abcdef",
            "arn:aws-eu:sso:::instance/ssoins-1234567890abcdef",
            "arn:aws:sso:::instances/ssoins-1234567890abcdef",
            "arn:aws:sso:::instance/ssoins-1234567890abcd_f",
            "arn:aws:sso:::instance/ssoins-1234567890abcd\u{e9}",
            "aws:sso:::instance/ssoins-1234567890abcdef",
            "arn:aws:sso",
        ] {
            assert!(InstanceArn::parse(raw).is_err(), "{raw:?} must be refused");
        }
    }

    #[test]
    fn refuses_application_arn_near_misses() {
        for raw in [
            "arn:aws:sso::12345678901:application/ssoins-1234567890abcdef/apl-1234567890abcdef",
            "arn:aws:sso::1234567890123:application/ssoins-1234567890abcdef/apl-1234567890abcdef",
            "arn:aws:sso::12345678901\u{0663}:application/ssoins-1234567890abcdef/apl-1234567890abcdef",
            "arn:aws:sso::123456789012:application/ssoins-1234567890abcdef/apl-1234567890abcde",
            "arn:aws:sso::123456789012:application/ssoins-1234567890abcdef/apl-1234567890abcd.f",
            "arn:aws:sso::123456789012:application/ssoins-1234567890abcdef",
            "arn:aws:sso:us-east-1:123456789012:application/ssoins-1234567890abcdef/apl-1234567890abcdef",
            "arn:aws:sso::123456789012:app/ssoins-1234567890abcdef/apl-1234567890abcdef",
        ] {
            assert!(
                ApplicationArn::parse(raw).is_err(),
                "{raw:?} must be refused"
            );
        }
    }

    #[test]
    fn messages_say_what_is_allowed() {
        let error = ApplicationArn::parse(
            "arn:aws:sso::12345678901:application/ssoins-1234567890abcdef/apl-1234567890abcdef",
        )
        .expect_err("short account");
        assert!(error.message().contains("12 ASCII digits"), "{error}");
    }
}
