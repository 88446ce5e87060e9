//! Where providers live: `PortalId`, the `ResourceScope` (partition, region, account) of the calling
//! function, `PortalArn` and `IdentityProviderArn`.

use std::fmt;
use std::sync::LazyLock;

use regex::Regex;

use crate::domain::arn::{arn_fields, check_length};
use crate::domain::{AccountId, InvalidValue, Partition};

const SERVICE: &str = "workspaces-web";
const UUID_LENGTH: usize = 36;
const SUBRESOURCE_ARN_LENGTH: std::ops::RangeInclusive<usize> = 20..=2048;
const MAX_FUNCTION_NAME: usize = 64;
const MAX_QUALIFIER: usize = 128;

/// The model's `SubresourceARN` pattern (`\w` is ASCII in the model's Java regex).
static SUBRESOURCE_ARN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^arn:[A-Za-z0-9_+=/,.@-]+:[a-zA-Z0-9-]+:[a-zA-Z0-9-]*:[a-zA-Z0-9]{1,12}:[a-zA-Z]+(/[a-fA-F0-9-]{36}){2,}$",
    )
    .expect("the model's ARN pattern is a valid regex")
});

/// A portal id as WorkSpaces Web issues it: a UUID in lowercase hex, 8-4-4-4-12.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PortalId(String);

impl PortalId {
    pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
        let valid = raw.len() == UUID_LENGTH
            && raw.bytes().enumerate().all(|(index, byte)| match index {
                8 | 13 | 18 | 23 => byte == b'-',
                _ => byte.is_ascii_digit() || (b'a'..=b'f').contains(&byte),
            });
        if valid {
            Ok(Self(raw.to_owned()))
        } else {
            Err(InvalidValue::new(
                "a portal id must be a UUID in lowercase hex, 8-4-4-4-12 digits 0-9 and a-f, such as \
                 0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0",
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for PortalId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The partition, region and account the gateway's own function runs in: its portals are there.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ResourceScope {
    partition: Partition,
    region: String,
    account: AccountId,
}

impl ResourceScope {
    /// Reads `arn:<partition>:lambda:<region>:<account>:function:<name>[:<version or alias>]`.
    pub fn from_function_arn(arn: &str) -> Result<Self, InvalidValue> {
        let explain = |reason: String| {
            InvalidValue::new(format!(
                "must be a Lambda function ARN (arn:<partition>:lambda:<region>:<12-digit \
                 account>:function:<name>[:<qualifier>]): {reason}"
            ))
        };
        let [partition, service, region, account, resource] = arn_fields(arn).map_err(explain)?;
        if service != "lambda" {
            return Err(explain(format!(
                "the service must be 'lambda', not '{service}'"
            )));
        }
        let scope = Self::new(partition, region, account).map_err(explain)?;
        let function = resource
            .strip_prefix("function:")
            .ok_or_else(|| explain("the resource must start with 'function:'".to_owned()))?;
        let (name, qualifier) = match function.split_once(':') {
            Some((name, qualifier)) => (name, Some(qualifier)),
            None => (function, None),
        };
        let word = |text: &str, longest: usize| {
            (1..=longest).contains(&text.len())
                && text
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        };
        if !word(name, MAX_FUNCTION_NAME) {
            return Err(explain(
                "the function name must be 1 to 64 of a-z, A-Z, 0-9, '-' and '_'".to_owned(),
            ));
        }
        if let Some(qualifier) = qualifier
            && qualifier != "$LATEST"
            && !word(qualifier, MAX_QUALIFIER)
        {
            return Err(explain(
                "the qualifier must be $LATEST, a version or an alias (a-z, A-Z, 0-9, '-', '_')"
                    .to_owned(),
            ));
        }
        Ok(scope)
    }

    fn new(partition: &str, region: &str, account: &str) -> Result<Self, String> {
        let partition = Partition::parse(partition).map_err(|invalid| invalid.0)?;
        let region_valid = region
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_lowercase())
            && region
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !region_valid {
            return Err(format!(
                "region '{region}' must be a region name such as us-east-1 (a-z, 0-9 and '-')"
            ));
        }
        let account = AccountId::parse(account).map_err(|invalid| invalid.0)?;
        Ok(Self {
            partition,
            region: region.to_owned(),
            account,
        })
    }

    pub fn partition(&self) -> Partition {
        self.partition
    }

    pub fn region(&self) -> &str {
        &self.region
    }

    pub fn account(&self) -> &AccountId {
        &self.account
    }

    /// `arn:<partition>:workspaces-web:<region>:<account>:portal/<portal id>`.
    pub fn portal_arn(&self, portal: &PortalId) -> PortalArn {
        PortalArn {
            raw: format!("{}:portal/{portal}", self.service_prefix()),
            scope: self.clone(),
            portal: portal.clone(),
        }
    }

    fn service_prefix(&self) -> String {
        format!(
            "arn:{}:{SERVICE}:{}:{}",
            self.partition.as_str(),
            self.region,
            self.account.as_str()
        )
    }
}

/// A portal's ARN.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PortalArn {
    raw: String,
    scope: ResourceScope,
    portal: PortalId,
}

impl PortalArn {
    /// Reads `arn:<partition>:workspaces-web:<region>:<account>:portal/<portal id>`.
    pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
        let explain = |reason: String| {
            InvalidValue::new(format!(
                "must be a WorkSpaces Web portal ARN (arn:<partition>:workspaces-web:<region>:<12-digit \
                 account>:portal/<portal id>): {reason}"
            ))
        };
        let [partition, service, region, account, resource] = arn_fields(raw).map_err(explain)?;
        if service != SERVICE {
            return Err(explain(format!(
                "the service must be '{SERVICE}', not '{service}'"
            )));
        }
        let scope = ResourceScope::new(partition, region, account).map_err(explain)?;
        let portal = resource
            .strip_prefix("portal/")
            .ok_or_else(|| explain("the resource must start with 'portal/'".to_owned()))?;
        let portal = PortalId::parse(portal).map_err(|invalid| explain(invalid.0))?;
        Ok(scope.portal_arn(&portal))
    }

    pub fn as_str(&self) -> &str {
        &self.raw
    }

    pub fn portal_id(&self) -> &PortalId {
        &self.portal
    }

    pub fn scope(&self) -> &ResourceScope {
        &self.scope
    }
}

impl fmt::Display for PortalArn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.raw)
    }
}

/// An identity provider's ARN, as the model's `SubresourceARN` allows (length 20..=2048), of service
/// `workspaces-web` and resource `identityProvider/<portal id>/<identity provider id>`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct IdentityProviderArn(String);

impl IdentityProviderArn {
    pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
        let explain = |reason: String| {
            InvalidValue::new(format!(
                "must be a WorkSpaces Web identity provider ARN (arn:<partition>:workspaces-web:<region>:\
                 <account>:identityProvider/<portal id>/<identity provider id>): {reason}"
            ))
        };
        check_length(raw, SUBRESOURCE_ARN_LENGTH).map_err(explain)?;
        if !SUBRESOURCE_ARN.is_match(raw) {
            return Err(explain(
                "it does not match the model's pattern (ids are 36 characters of hex digits and '-')"
                    .to_owned(),
            ));
        }
        let [_, service, _, _, resource] = arn_fields(raw).map_err(explain)?;
        if service != SERVICE {
            return Err(explain(format!(
                "the service must be '{SERVICE}', not '{service}'"
            )));
        }
        let ids = resource.strip_prefix("identityProvider/").ok_or_else(|| {
            explain("the resource must start with 'identityProvider/'".to_owned())
        })?;
        if ids.split('/').count() != 2 {
            return Err(explain(
                "it must name exactly two ids: the portal's and the identity provider's".to_owned(),
            ));
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether this provider belongs to `portal` (same partition, region, account and portal id).
    pub fn belongs_to(&self, portal: &PortalArn) -> bool {
        let prefix = format!(
            "{}:identityProvider/{}/",
            portal.scope.service_prefix(),
            portal.portal
        );
        self.0.starts_with(&prefix)
    }
}

impl fmt::Display for IdentityProviderArn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PORTAL: &str = "0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0";
    const IDP: &str = "11111111-2222-3333-4444-555555555555";

    fn scope() -> ResourceScope {
        ResourceScope::from_function_arn(
            "arn:aws:lambda:us-east-1:123456789012:function:idp-gateway",
        )
        .expect("valid")
    }

    #[test]
    fn portal_ids_are_lowercase_uuids() {
        assert_eq!(
            PortalId::parse(PORTAL).map(|p| p.to_string()),
            Ok(PORTAL.to_owned())
        );
        for bad in [
            "0B1C2D3E-4F50-6172-8394-A5B6C7D8E9F0",
            "0b1c2d3e4f5061728394a5b6c7d8e9f0",
            "0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f",
            "0b1c2d3e-4f50-6172-8394-a5b6c7d8e9fg",
            "0b1c2d3e-4f50-6172-8394_a5b6c7d8e9f0",
            "",
        ] {
            let error = PortalId::parse(bad).expect_err(bad);
            assert!(error.message().contains("lowercase hex"), "{error}");
        }
    }

    #[test]
    fn the_scope_comes_from_the_function_arn_in_any_partition() {
        let portal = PortalId::parse(PORTAL).expect("valid");
        assert_eq!(
            scope().portal_arn(&portal).as_str(),
            format!("arn:aws:workspaces-web:us-east-1:123456789012:portal/{PORTAL}")
        );
        for (arn, partition) in [
            (
                "arn:aws-cn:lambda:cn-north-1:123456789012:function:f:$LATEST",
                "aws-cn",
            ),
            (
                "arn:aws-us-gov:lambda:us-gov-west-1:123456789012:function:f:live",
                "aws-us-gov",
            ),
            (
                "arn:aws:lambda:eu-west-1:123456789012:function:my_fn-2:7",
                "aws",
            ),
        ] {
            let scope = ResourceScope::from_function_arn(arn).expect(arn);
            assert_eq!(scope.partition().as_str(), partition);
            assert!(
                scope
                    .portal_arn(&portal)
                    .as_str()
                    .starts_with(&format!("arn:{partition}:"))
            );
        }
        for bad in [
            "arn:aws:lambda:us-east-1:123456789012:layer:x",
            "arn:aws:lambda:us-east-1:12345678901:function:f",
            "arn:aws:s3:us-east-1:123456789012:function:f",
            "arn:aws:lambda::123456789012:function:f",
            "arn:aws:lambda:US-EAST-1:123456789012:function:f",
            "arn:aws:lambda:us-east-1:123456789012:function:",
            "arn:aws:lambda:us-east-1:123456789012:function:f:bad qualifier",
            "arn:aws-xx:lambda:us-east-1:123456789012:function:f",
            "not an arn",
        ] {
            assert!(ResourceScope::from_function_arn(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn portal_arns_parse_back() {
        let arn = scope().portal_arn(&PortalId::parse(PORTAL).expect("valid"));
        assert_eq!(PortalArn::parse(arn.as_str()), Ok(arn.clone()));
        assert_eq!(arn.portal_id().as_str(), PORTAL);
        assert!(
            PortalArn::parse(&format!(
                "arn:aws:workspaces-web:us-east-1:123456789012:browserSettings/{PORTAL}"
            ))
            .is_err()
        );
        assert!(
            PortalArn::parse(&format!(
                "arn:aws:workspaces:us-east-1:123456789012:portal/{PORTAL}"
            ))
            .is_err()
        );
    }

    #[test]
    fn identity_provider_arns_follow_the_model() {
        let raw = format!(
            "arn:aws:workspaces-web:us-east-1:123456789012:identityProvider/{PORTAL}/{IDP}"
        );
        let arn = IdentityProviderArn::parse(&raw).expect("valid");
        assert_eq!(arn.as_str(), raw);
        let portal = scope().portal_arn(&PortalId::parse(PORTAL).expect("valid"));
        assert!(arn.belongs_to(&portal));
        let other = scope().portal_arn(&PortalId::parse(IDP).expect("valid"));
        assert!(!arn.belongs_to(&other));
        for bad in [
            format!("arn:aws:workspaces-web:us-east-1:123456789012:identityProvider/{PORTAL}"),
            format!(
                "arn:aws:workspaces-web:us-east-1:123456789012:identityProvider/{PORTAL}/{IDP}/{IDP}"
            ),
            format!("arn:aws:workspaces-web:us-east-1:123456789012:portal/{PORTAL}/{IDP}"),
            format!(
                "arn:aws:workspaces-web:us-east-1:123456789012:identityProvider/{PORTAL}/{IDP}x"
            ),
            format!("arn:aws:other:us-east-1:123456789012:identityProvider/{PORTAL}/{IDP}"),
            format!(
                "arn:aws:workspaces-web:us-east-1:1234567890123:identityProvider/{PORTAL}/{IDP}"
            ),
            "arn:aws:x:y:1:a".to_owned(),
            format!(
                "arn:aws:workspaces-web:us-east-1:123456789012:identityProvider/{PORTAL}/{}",
                "a".repeat(2048)
            ),
        ] {
            assert!(IdentityProviderArn::parse(&bad).is_err(), "{bad}");
        }
    }
}
