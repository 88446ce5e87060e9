//! `DynamoDbLeases`: the lease port over a DynamoDB table (partition key `pk`, TTL on the number
//! attribute `expiresAt` in epoch seconds), for the many Lambda instances of the API and the enforcer.
//! A lease is taken with a conditional PutItem (free, or its holder's lease expired), renewed with a
//! conditional UpdateItem and released with a conditional DeleteItem (only by its owner); a busy
//! lease's expiry is read with a consistent GetItem for the caller's `Retry-After`.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_config::SdkConfig;
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::types::AttributeValue;
use tokio::sync::OnceCell;

use super::{Acquisition, Lease, LeaseError, LeaseKey, WriteLeases};
use crate::domain::EtagKey;
use crate::https::endpoint_host;
use crate::workmail::describe_chain;

/// How long one lease call may take in all, retries included: a lease store that does not answer in
/// this time is "unavailable" and the write does not go ahead.
const OPERATION_TIMEOUT: Duration = Duration::from_secs(2);

#[derive(Debug, Clone)]
pub struct DynamoDbLeases {
    pub(super) client: Client,
    pub(super) table: String,
    /// The deployment's ETag key, once read or made (`super::EtagKeys`).
    pub(super) etag_key: Arc<OnceCell<EtagKey>>,
}

impl DynamoDbLeases {
    /// A client for `sdk_config` (the process's one configuration: region, credentials and any
    /// `AWS_ENDPOINT_URL_DYNAMODB` / `AWS_ENDPOINT_URL` override) on `table`.
    pub fn new(sdk_config: &SdkConfig, table: impl Into<String>) -> Self {
        let config = aws_sdk_dynamodb::config::Builder::from(sdk_config)
            .timeout_config(
                TimeoutConfig::builder()
                    .operation_timeout(OPERATION_TIMEOUT)
                    .operation_attempt_timeout(Duration::from_millis(800))
                    .connect_timeout(Duration::from_millis(500))
                    .build(),
            )
            .retry_config(
                RetryConfig::standard()
                    .with_max_attempts(3)
                    .with_initial_backoff(Duration::from_millis(50)),
            )
            .build();
        Self {
            client: Client::from_conf(config),
            table: table.into(),
            etag_key: Arc::default(),
        }
    }

    /// The host a client built from `sdk_config` sends its calls on `table` to, for credentials
    /// that carry `account_id` (the rules may then choose the account's endpoint,
    /// `<account>.ddb.<region>.amazonaws.com`), as DynamoDB's endpoint rules resolve it for the
    /// lease table's operations; none where they refuse the settings.
    pub async fn endpoint_host(
        sdk_config: &SdkConfig,
        table: &str,
        account_id: Option<String>,
    ) -> Option<String> {
        let mode = sdk_config
            .account_id_endpoint_mode()
            .cloned()
            .unwrap_or_default()
            .to_string();
        endpoint_host!(
            aws_sdk_dynamodb,
            sdk_config,
            "DynamoDB",
            |params: aws_sdk_dynamodb::config::endpoint::ParamsBuilder| params
                .set_account_id(account_id)
                .set_account_id_endpoint_mode(Some(mode))
                .set_resource_arn(Some(table.to_owned()))
        )
    }

    pub fn table(&self) -> &str {
        &self.table
    }

    /// How long the current holder's lease has left, from a consistent read.
    async fn remaining(&self, key: &LeaseKey) -> Result<Option<Duration>, LeaseError> {
        let item = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("pk", AttributeValue::S(key.as_str().to_owned()))
            .consistent_read(true)
            .send()
            .await
            .map_err(unavailable)?;
        let expires = item
            .item()
            .and_then(|item| item.get("expiresAt"))
            .and_then(|value| value.as_n().ok())
            .and_then(|seconds| seconds.parse::<u64>().ok());
        Ok(expires.map(|expires| Duration::from_secs(expires.saturating_sub(now_seconds()))))
    }
}

impl WriteLeases for DynamoDbLeases {
    async fn try_acquire(
        &self,
        key: &LeaseKey,
        owner: &str,
        ttl: Duration,
    ) -> Result<Acquisition, LeaseError> {
        let now = now_seconds();
        let answer = self
            .client
            .put_item()
            .table_name(&self.table)
            .item("pk", AttributeValue::S(key.as_str().to_owned()))
            .item("owner", AttributeValue::S(owner.to_owned()))
            .item("expiresAt", number(expiry(ttl)))
            // The owner token is this acquisition's own, so a put the SDK retries after the
            // first was applied (its answer lost) finds its own lease and holds it, rather than
            // leaving an orphan that blocks every writer for a TTL.
            .condition_expression("attribute_not_exists(pk) OR expiresAt < :now OR #owner = :owner")
            .expression_attribute_names("#owner", "owner")
            .expression_attribute_values(":now", number(now))
            .expression_attribute_values(":owner", AttributeValue::S(owner.to_owned()))
            .send()
            .await;
        if conditional(answer)? {
            Ok(Acquisition::Held(Lease {
                key: key.clone(),
                owner: owner.to_owned(),
            }))
        } else {
            Ok(Acquisition::Busy {
                remaining: self.remaining(key).await?,
            })
        }
    }

    async fn renew(&self, lease: &Lease, ttl: Duration) -> Result<(), LeaseError> {
        let answer = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("pk", AttributeValue::S(lease.key.as_str().to_owned()))
            .update_expression("SET expiresAt = :expires")
            .condition_expression("#owner = :owner")
            .expression_attribute_names("#owner", "owner")
            .expression_attribute_values(":owner", AttributeValue::S(lease.owner.clone()))
            .expression_attribute_values(":expires", number(expiry(ttl)))
            .send()
            .await;
        if conditional(answer)? {
            Ok(())
        } else {
            Err(LeaseError::Lost(lease.key.as_str().to_owned()))
        }
    }

    async fn release(&self, lease: &Lease) -> Result<(), LeaseError> {
        let answer = self
            .client
            .delete_item()
            .table_name(&self.table)
            .key("pk", AttributeValue::S(lease.key.as_str().to_owned()))
            .condition_expression("#owner = :owner")
            .expression_attribute_names("#owner", "owner")
            .expression_attribute_values(":owner", AttributeValue::S(lease.owner.clone()))
            .send()
            .await;
        if conditional(answer)? {
            Ok(())
        } else {
            Err(LeaseError::Lost(lease.key.as_str().to_owned()))
        }
    }
}

pub(super) fn now_seconds() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|elapsed| elapsed.as_secs())
        .unwrap_or_default()
}

/// The epoch second a lease taken now for `ttl` expires at, rounded up.
fn expiry(ttl: Duration) -> u64 {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    (now + ttl).as_secs_f64().ceil() as u64
}

pub(super) fn number(value: u64) -> AttributeValue {
    AttributeValue::N(value.to_string())
}

/// Whether a conditional write was made (`false`: its condition did not hold).
pub(super) fn conditional<O, E, R>(answer: Result<O, SdkError<E, R>>) -> Result<bool, LeaseError>
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: fmt::Debug,
{
    match answer {
        Ok(_) => Ok(true),
        Err(error) if error.code() == Some("ConditionalCheckFailedException") => Ok(false),
        Err(error) => Err(unavailable(error)),
    }
}

pub(super) fn unavailable<E, R>(error: SdkError<E, R>) -> LeaseError
where
    E: std::error::Error + 'static,
    R: fmt::Debug,
{
    LeaseError::Unavailable(describe_chain(&error))
}
