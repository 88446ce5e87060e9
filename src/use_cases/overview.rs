//! The organizations overview: one page of the organizations a caller may read (WorkMail's
//! `ListOrganizations`, kept to those the deployment manages and the caller's grants admit), each with
//! a summary of its identity-provider configuration, read at a pace and within a time budget. A page
//! cut short (by the budget, or a read that failed) says so, and its `next` token resumes where it
//! stopped. An organization outside the caller's grants is never read, never listed, never counted.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use tokio::time::Instant;

use super::{Current, DirectoryReading, UseCaseError};
use crate::domain::{IdentityProviderConfiguration, InvalidValue, OrganizationId};
use crate::workmail::{
    IdentityProviderStore, OrganizationListing, OrganizationSummary, Pacer, PageToken, ReadBudget,
    WorkMailError,
};

/// Where a page starts: in a WorkMail page (`None`: the first), after an organization the caller
/// was shown (`None`: at the page's start). Opaque to callers: the base64url of
/// `<organization id or nothing>:<WorkMail's NextToken or nothing>`. It holds nothing the caller has
/// not seen (no position, so no count of the organizations it may not read), and a forged one can
/// only move where the listing starts: the grants still decide what is shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OverviewToken {
    upstream: Option<PageToken>,
    after: Option<OrganizationId>,
}

impl OverviewToken {
    pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
        let invalid = || InvalidValue::new("is not a nextToken this API gave out".to_owned());
        let decoded = URL_SAFE_NO_PAD
            .decode(raw.as_bytes())
            .map_err(|_| invalid())?;
        let text = String::from_utf8(decoded).map_err(|_| invalid())?;
        let (after, upstream) = text.split_once(':').ok_or_else(invalid)?;
        let after = match after {
            "" => None,
            id => Some(OrganizationId::parse(id).map_err(|_| invalid())?),
        };
        let upstream = match upstream {
            "" => None,
            token => Some(PageToken::parse(token).map_err(|_| invalid())?),
        };
        if after.is_none() && upstream.is_none() {
            return Err(invalid());
        }
        Ok(Self { upstream, after })
    }

    pub fn encode(&self) -> String {
        let after = self.after.as_ref().map_or("", OrganizationId::as_str);
        let upstream = self.upstream.as_ref().map_or("", PageToken::as_str);
        URL_SAFE_NO_PAD.encode(format!("{after}:{upstream}"))
    }
}

/// One page of the overview, as asked for.
#[derive(Debug, Clone)]
pub struct OverviewRequest {
    /// At most this many organizations (1..=`MAX_LIMIT`).
    pub limit: usize,
    pub start: Option<OverviewToken>,
    /// Pace and time budget of the reads.
    pub reading: DirectoryReading,
}

impl OverviewRequest {
    pub const MAX_LIMIT: usize = 50;
    pub const DEFAULT_LIMIT: usize = 20;
}

/// What was read of one organization's configuration.
#[derive(Debug, Clone)]
pub enum ProviderSummary {
    Configured(IdentityProviderConfiguration),
    NotConfigured,
    /// Stored with values outside this version's model; its ETag.
    Unrecognized {
        etag: String,
    },
    /// The read failed: the code WorkMail's failure maps to.
    Failed(&'static str),
}

/// One organization of a page.
#[derive(Debug, Clone)]
pub struct OverviewEntry {
    pub organization: OrganizationSummary,
    pub provider: ProviderSummary,
}

/// One page: its organizations, where the next starts (`None`: this was the last), and whether it
/// was cut short (by the time budget or a failed read).
#[derive(Debug, Clone)]
pub struct OverviewPage {
    pub entries: Vec<OverviewEntry>,
    pub next: Option<OverviewToken>,
    pub partial: bool,
}

/// One page of the organizations `may_read` admits.
pub async fn overview<S>(
    store: &S,
    request: &OverviewRequest,
    may_read: impl Fn(&OrganizationId) -> bool,
) -> Result<OverviewPage, UseCaseError>
where
    S: IdentityProviderStore + OrganizationListing,
{
    let reading = request.reading;
    let deadline = reading
        .finish_by
        .map_or(Instant::now() + reading.budget, |finish_by| {
            finish_by.min(Instant::now() + reading.budget)
        });
    let budget = ReadBudget::until(deadline).paced(reading.calls_per_second);
    let pacer = Pacer::new(&budget);
    let mut upstream = request
        .start
        .as_ref()
        .and_then(|start| start.upstream.clone());
    let mut after = request.start.as_ref().and_then(|start| start.after.clone());
    let mut entries = Vec::new();
    let mut partial = false;
    loop {
        // Where to resume if this page is cut short: after the last organization shown.
        let resume = |after: &Option<OrganizationId>, upstream: &Option<PageToken>| OverviewToken {
            upstream: upstream.clone(),
            after: after.clone(),
        };
        if !pacer.wait_within(&budget).await {
            return Ok(cut_short(entries, resume(&after, &upstream)));
        }
        let page = match store.list_organizations(upstream.as_ref()).await {
            Ok(page) => page,
            Err(error) if entries.is_empty() => return Err(error.into()),
            Err(_) => return Ok(cut_short(entries, resume(&after, &upstream))),
        };
        // Resuming after an organization: start behind it (or, if it is gone, at the page's start).
        let start = after
            .as_ref()
            .and_then(|after| page.items.iter().position(|item| &item.id == after))
            .map_or(0, |index| index + 1);
        for organization in page.items.into_iter().skip(start) {
            if !may_read(&organization.id) {
                continue;
            }
            if entries.len() == request.limit {
                return Ok(OverviewPage {
                    entries,
                    next: Some(resume(&after, &upstream)),
                    partial,
                });
            }
            if !pacer.wait_within(&budget).await {
                return Ok(cut_short(entries, resume(&after, &upstream)));
            }
            let provider = summary(store.describe(&organization.id).await, &organization.id);
            partial |= matches!(provider, ProviderSummary::Failed(_));
            after = Some(organization.id.clone());
            entries.push(OverviewEntry {
                organization,
                provider,
            });
        }
        match page.next {
            None => {
                return Ok(OverviewPage {
                    entries,
                    next: None,
                    partial,
                });
            }
            Some(next) => {
                upstream = Some(next);
                after = None;
            }
        }
    }
}

fn cut_short(entries: Vec<OverviewEntry>, resume: OverviewToken) -> OverviewPage {
    OverviewPage {
        entries,
        next: Some(resume),
        partial: true,
    }
}

fn summary(
    described: Result<Option<IdentityProviderConfiguration>, WorkMailError>,
    organization: &OrganizationId,
) -> ProviderSummary {
    match Current::from_describe(described) {
        Ok(Current::Known(Some(configuration))) => ProviderSummary::Configured(configuration),
        Ok(Current::Known(None)) => ProviderSummary::NotConfigured,
        Ok(Current::Unrecognized(stored)) => ProviderSummary::Unrecognized {
            etag: stored.etag(organization),
        },
        Err(error) => ProviderSummary::Failed(error.public_code()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_round_trip_and_forgeries_are_refused() {
        for token in [
            OverviewToken {
                upstream: None,
                after: Some(
                    OrganizationId::parse("m-0123456789abcdef0123456789abcdef").expect("id"),
                ),
            },
            OverviewToken {
                upstream: Some(PageToken::parse("page:2/of=3").expect("token")),
                after: None,
            },
        ] {
            assert_eq!(OverviewToken::parse(&token.encode()), Ok(token));
        }
        for forged in [
            "",
            "not base64!",
            &URL_SAFE_NO_PAD.encode(":"),
            &URL_SAFE_NO_PAD.encode("m-1:"),
            &URL_SAFE_NO_PAD.encode("5"),
            &URL_SAFE_NO_PAD.encode(format!(":{}", "t".repeat(1025))),
        ] {
            assert!(OverviewToken::parse(forged).is_err(), "{forged}");
        }
    }
}
