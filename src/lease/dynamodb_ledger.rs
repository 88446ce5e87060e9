//! The enforcer's ledger in the DynamoDB lease table: a conditional counter per change window
//! (`ADD changeCount` only while it is under the limit, with the set of tickets taken in `spentBy`,
//! so a retried call counts once), the sweep's resume point, and the ETag last written to each
//! organization, every item with a TTL on `expiresAt`.

use std::time::Duration;

use aws_sdk_dynamodb::types::AttributeValue;

use super::dynamodb::{conditional, now_seconds, number, unavailable};
use super::ledger::{ChangeTicket, EnforcerLedger, RESUME_KEY, recent_change_key};
use super::{DynamoDbLeases, LeaseError};
use crate::domain::OrganizationId;

/// How long a resume point is kept when no sweep picks it up.
const RESUME_KEPT: Duration = Duration::from_secs(7 * 86_400);

impl EnforcerLedger for DynamoDbLeases {
    async fn try_spend_change(
        &self,
        ticket: &ChangeTicket,
        limit: u32,
    ) -> Result<bool, LeaseError> {
        if limit == 0 {
            // The condition below admits a first change whatever the limit.
            return Ok(false);
        }
        let answer = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("pk", AttributeValue::S(ticket.window.key()))
            .update_expression(
                "ADD changeCount :one, spentBy :ticket SET expiresAt = if_not_exists(expiresAt, :expires)",
            )
            .condition_expression(
                "(attribute_not_exists(changeCount) OR changeCount < :limit) AND NOT contains(spentBy, :id)",
            )
            .expression_attribute_values(":one", number(1))
            .expression_attribute_values(":ticket", AttributeValue::Ss(vec![ticket.id.clone()]))
            .expression_attribute_values(":id", AttributeValue::S(ticket.id.clone()))
            .expression_attribute_values(":limit", number(u64::from(limit)))
            .expression_attribute_values(":expires", number(ticket.window.expires_at()))
            .send()
            .await;
        if conditional(answer)? {
            return Ok(true);
        }
        // Refused: the budget is spent, or an earlier attempt of this same call (its answer lost and
        // the call retried) already took this ticket.
        self.holds_ticket(ticket).await
    }

    async fn refund_change(&self, ticket: &ChangeTicket) -> Result<(), LeaseError> {
        let answer = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("pk", AttributeValue::S(ticket.window.key()))
            .update_expression("ADD changeCount :minus_one DELETE spentBy :ticket")
            .condition_expression("contains(spentBy, :id)")
            .expression_attribute_values(":minus_one", AttributeValue::N("-1".to_owned()))
            .expression_attribute_values(":ticket", AttributeValue::Ss(vec![ticket.id.clone()]))
            .expression_attribute_values(":id", AttributeValue::S(ticket.id.clone()))
            .send()
            .await;
        // A ticket not taken, or already given back, gives nothing back.
        conditional(answer).map(drop)
    }

    async fn resume_point(&self) -> Result<Option<String>, LeaseError> {
        let item = self.get(RESUME_KEY).await?;
        Ok(item
            .as_ref()
            .and_then(|item| item.get("next"))
            .and_then(|next| next.as_s().ok())
            .cloned())
    }

    async fn set_resume_point(&self, next: Option<&OrganizationId>) -> Result<(), LeaseError> {
        match next {
            Some(organization) => self
                .client
                .put_item()
                .table_name(&self.table)
                .item("pk", AttributeValue::S(RESUME_KEY.to_owned()))
                .item("next", AttributeValue::S(organization.as_str().to_owned()))
                .item("expiresAt", number(now_seconds() + RESUME_KEPT.as_secs()))
                .send()
                .await
                .map(drop)
                .map_err(unavailable),
            None => self
                .client
                .delete_item()
                .table_name(&self.table)
                .key("pk", AttributeValue::S(RESUME_KEY.to_owned()))
                .send()
                .await
                .map(drop)
                .map_err(unavailable),
        }
    }

    async fn record_change(
        &self,
        organization: &OrganizationId,
        etag: &str,
        keep: Duration,
    ) -> Result<(), LeaseError> {
        self.client
            .put_item()
            .table_name(&self.table)
            .item("pk", AttributeValue::S(recent_change_key(organization)))
            .item("etag", AttributeValue::S(etag.to_owned()))
            .item("expiresAt", number(now_seconds() + keep.as_secs()))
            .send()
            .await
            .map(drop)
            .map_err(unavailable)
    }

    async fn recent_change(
        &self,
        organization: &OrganizationId,
    ) -> Result<Option<String>, LeaseError> {
        let item = self.get(&recent_change_key(organization)).await?;
        let Some(item) = item else {
            return Ok(None);
        };
        // DynamoDB deletes expired items lazily: an item past its expiry no longer counts.
        let current = item
            .get("expiresAt")
            .and_then(|value| value.as_n().ok())
            .and_then(|seconds| seconds.parse::<u64>().ok())
            .is_some_and(|expires| expires > now_seconds());
        Ok(current
            .then(|| item.get("etag").and_then(|etag| etag.as_s().ok()).cloned())
            .flatten())
    }
}

impl DynamoDbLeases {
    async fn holds_ticket(&self, ticket: &ChangeTicket) -> Result<bool, LeaseError> {
        let item = self.get(&ticket.window.key()).await?;
        Ok(item
            .as_ref()
            .and_then(|item| item.get("spentBy"))
            .and_then(|spent| spent.as_ss().ok())
            .is_some_and(|spent| spent.contains(&ticket.id)))
    }

    async fn get(
        &self,
        key: &str,
    ) -> Result<Option<std::collections::HashMap<String, AttributeValue>>, LeaseError> {
        self.client
            .get_item()
            .table_name(&self.table)
            .key("pk", AttributeValue::S(key.to_owned()))
            .consistent_read(true)
            .send()
            .await
            .map(|answer| answer.item)
            .map_err(unavailable)
    }
}
