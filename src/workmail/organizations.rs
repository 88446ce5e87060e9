//! Listing the account's WorkMail organizations (`ListOrganizations`), for the organizations
//! overview: the `OrganizationListing` port and its adapter on `SdkWorkMail`'s one client.

use std::future::Future;

use tracing::warn;

use super::directory_sdk::{PAGE_SIZE, next_from};
use super::{Operation, Page, PageToken, SdkWorkMail, WorkMailError};
use crate::domain::OrganizationId;

/// One organization as ListOrganizations summarizes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrganizationSummary {
    pub id: OrganizationId,
    pub alias: Option<String>,
    /// WorkMail's state (`Active`, `Creating`, `Deleted`, ...), as it names it.
    pub state: Option<String>,
}

/// Lists the organizations of the account and region.
pub trait OrganizationListing: Send + Sync {
    /// One page of `ListOrganizations` (100 at most), in WorkMail's order.
    fn list_organizations(
        &self,
        next: Option<&PageToken>,
    ) -> impl Future<Output = Result<Page<OrganizationSummary>, WorkMailError>> + Send;
}

impl OrganizationListing for SdkWorkMail {
    async fn list_organizations(
        &self,
        next: Option<&PageToken>,
    ) -> Result<Page<OrganizationSummary>, WorkMailError> {
        let operation = Operation::ListOrganizations;
        let output = self
            .client
            .list_organizations()
            .max_results(PAGE_SIZE)
            .set_next_token(next.map(|token| token.as_str().to_owned()))
            .send()
            .await
            .map_err(|error| WorkMailError::from_sdk(operation, error))?;
        let items = output
            .organization_summaries()
            .iter()
            .filter_map(|summary| {
                let raw = summary.organization_id().unwrap_or_default();
                match OrganizationId::parse(raw) {
                    Ok(id) => Some(OrganizationSummary {
                        id,
                        alias: summary.alias().map(str::to_owned),
                        state: summary.state().map(str::to_owned),
                    }),
                    // Such an id can be in no managed list and no grant: nobody may see it.
                    Err(invalid) => {
                        warn!(organizationId = raw, error = %invalid, "ListOrganizations listed an id outside the model; skipped");
                        None
                    }
                }
            })
            .collect();
        Ok(Page {
            items,
            next: next_from(operation, output.next_token())?,
        })
    }
}
