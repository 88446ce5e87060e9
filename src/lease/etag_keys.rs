//! The key portal ETags are sealed with (`EtagKeys`), shared by every instance the way the leases
//! are: in the DynamoDB lease table, one item made by the first instance that needs it (a
//! conditional PutItem; every later one, or the loser of a race, reads it back consistently); or,
//! for the in-process store, a key of this process. Each instance keeps the key once it has it.

use std::future::Future;

use aws_sdk_dynamodb::primitives::Blob;
use aws_sdk_dynamodb::types::AttributeValue;

use super::dynamodb::{conditional, now_seconds, number, unavailable};
use super::{DynamoDbLeases, InProcessLeases, LeaseError};
use crate::domain::{ETAG_KEY_BYTES, EtagKey};

/// The key item's partition key: outside every lease and ledger key (`workmail/`, `secure-browser/`,
/// `enforcer/`), and without `expiresAt`, so the table's TTL never removes it.
pub const ETAG_KEY_ITEM: &str = "deployment/etag-key";

/// Why there is no key.
#[derive(Debug, Clone, thiserror::Error)]
pub enum EtagKeyError {
    /// The lease table did not answer, or the system gave no randomness: a retry may succeed.
    #[error("the ETag key could not be read: {0}")]
    Unavailable(#[from] LeaseError),
    /// The key item holds no 32-byte key: an operator must remove it (see the README).
    #[error("the ETag key item {ETAG_KEY_ITEM} is malformed: {0}")]
    Malformed(String),
}

/// Gives the deployment's ETag key.
pub trait EtagKeys: Send + Sync {
    /// The one key of the deployment, made on first use.
    fn etag_key(&self) -> impl Future<Output = Result<EtagKey, EtagKeyError>> + Send;
}

impl EtagKeys for DynamoDbLeases {
    async fn etag_key(&self) -> Result<EtagKey, EtagKeyError> {
        self.etag_key
            .get_or_try_init(|| async {
                if let Some(key) = self.stored_etag_key().await? {
                    return Ok(key);
                }
                let material = fresh_material()?;
                let put = self
                    .client
                    .put_item()
                    .table_name(&self.table)
                    .item("pk", AttributeValue::S(ETAG_KEY_ITEM.to_owned()))
                    .item("key", AttributeValue::B(Blob::new(material.to_vec())))
                    .item("createdAt", number(now_seconds()))
                    .condition_expression("attribute_not_exists(pk)")
                    .send()
                    .await;
                if conditional(put)? {
                    return key_of(&material);
                }
                // Another instance made it first (or a retry of this put found its own first
                // attempt): the stored key is the deployment's.
                self.stored_etag_key().await?.ok_or_else(|| {
                    EtagKeyError::Unavailable(LeaseError::Unavailable(format!(
                        "the ETag key item {ETAG_KEY_ITEM} was made and then removed"
                    )))
                })
            })
            .await
            .cloned()
    }
}

impl DynamoDbLeases {
    /// The stored key, from a consistent read; an item holding anything but 32 bytes under `key` is
    /// an error, never replaced (instances holding it would answer other ETags).
    async fn stored_etag_key(&self) -> Result<Option<EtagKey>, EtagKeyError> {
        let answer = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("pk", AttributeValue::S(ETAG_KEY_ITEM.to_owned()))
            .consistent_read(true)
            .send()
            .await
            .map_err(unavailable)?;
        let Some(item) = answer.item() else {
            return Ok(None);
        };
        match item.get("key").and_then(|value| value.as_b().ok()) {
            Some(material) => key_of(material.as_ref()).map(Some),
            None => Err(EtagKeyError::Malformed(
                "it has no binary attribute key".to_owned(),
            )),
        }
    }
}

impl EtagKeys for InProcessLeases {
    async fn etag_key(&self) -> Result<EtagKey, EtagKeyError> {
        self.etag_key
            .get_or_try_init(|| async { key_of(&fresh_material()?) })
            .await
            .cloned()
    }
}

fn fresh_material() -> Result<[u8; ETAG_KEY_BYTES], LeaseError> {
    let mut material = [0_u8; ETAG_KEY_BYTES];
    aws_lc_rs::rand::fill(&mut material).map_err(|_| {
        LeaseError::Unavailable("the system's random number generator failed".to_owned())
    })?;
    Ok(material)
}

fn key_of(material: &[u8]) -> Result<EtagKey, EtagKeyError> {
    EtagKey::from_bytes(material).map_err(|invalid| EtagKeyError::Malformed(invalid.to_string()))
}
