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
    IdentityProviderStore, OrganizationListing, OrganizationSummary, PageToken, WorkMailError,
};

/// Where a page starts: a WorkMail page (`None`: the first) and how many of its organizations to skip.
/// Opaque to callers: the base64url of `<skip>:<WorkMail's NextToken>`. A forged one can only move
/// where the listing starts; the grants still decide what is shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OverviewToken {
    upstream: Option<PageToken>,
    skip: usize,
}

impl OverviewToken {
    /// WorkMail's page size: a page never skips more.
    const MAX_SKIP: usize = 100;

    pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
        let invalid = || InvalidValue::new("is not a nextToken this API gave out".to_owned());
        let decoded = URL_SAFE_NO_PAD
            .decode(raw.as_bytes())
            .map_err(|_| invalid())?;
        let text = String::from_utf8(decoded).map_err(|_| invalid())?;
        let (skip, upstream) = text.split_once(':').ok_or_else(invalid)?;
        let skip: usize = skip.parse().map_err(|_| invalid())?;
        if skip > Self::MAX_SKIP || skip.to_string().len() != text.len() - upstream.len() - 1 {
            return Err(invalid());
        }
        let upstream = match upstream {
            "" => None,
            token => Some(PageToken::parse(token).map_err(|_| invalid())?),
        };
        Ok(Self { upstream, skip })
    }

    pub fn encode(&self) -> String {
        let upstream = self.upstream.as_ref().map_or("", PageToken::as_str);
        URL_SAFE_NO_PAD.encode(format!("{}:{upstream}", self.skip))
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
    let mut pacer = Pace::new(reading.calls_per_second);
    let mut position = request.start.clone().unwrap_or(OverviewToken {
        upstream: None,
        skip: 0,
    });
    let mut entries = Vec::new();
    let mut partial = false;
    loop {
        if !pacer.wait_until(deadline).await {
            return Ok(cut_short(entries, position));
        }
        let page = match store.list_organizations(position.upstream.as_ref()).await {
            Ok(page) => page,
            Err(error) if entries.is_empty() => return Err(error.into()),
            Err(_) => return Ok(cut_short(entries, position)),
        };
        for (index, organization) in page.items.into_iter().enumerate().skip(position.skip) {
            if !may_read(&organization.id) {
                continue;
            }
            let here = OverviewToken {
                upstream: position.upstream.clone(),
                skip: index,
            };
            if entries.len() == request.limit {
                return Ok(OverviewPage {
                    entries,
                    next: Some(here),
                    partial,
                });
            }
            if !pacer.wait_until(deadline).await {
                return Ok(cut_short(entries, here));
            }
            let provider = summary(store.describe(&organization.id).await, &organization.id);
            partial |= matches!(provider, ProviderSummary::Failed(_));
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
                position = OverviewToken {
                    upstream: Some(next),
                    skip: 0,
                };
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

/// Evenly spaced calls, at most `calls_per_second`.
struct Pace {
    interval: Option<std::time::Duration>,
    next: Instant,
}

impl Pace {
    fn new(calls_per_second: f64) -> Self {
        Self {
            interval: (calls_per_second.is_finite() && calls_per_second > 0.0)
                .then(|| std::time::Duration::from_secs_f64(1.0 / calls_per_second)),
            next: Instant::now(),
        }
    }

    /// Waits for the next call's slot; `false` (without waiting) when it falls after `deadline`.
    async fn wait_until(&mut self, deadline: Instant) -> bool {
        let slot = self.next.max(Instant::now());
        if slot >= deadline {
            return false;
        }
        tokio::time::sleep_until(slot).await;
        if let Some(interval) = self.interval {
            self.next = slot + interval;
        }
        true
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
                skip: 0,
            },
            OverviewToken {
                upstream: Some(PageToken::parse("page:2/of=3").expect("token")),
                skip: 17,
            },
        ] {
            assert_eq!(OverviewToken::parse(&token.encode()), Ok(token));
        }
        for forged in [
            "",
            "not base64!",
            &URL_SAFE_NO_PAD.encode("x:"),
            &URL_SAFE_NO_PAD.encode("101:"),
            &URL_SAFE_NO_PAD.encode("07:"),
            &URL_SAFE_NO_PAD.encode("+7:"),
            &URL_SAFE_NO_PAD.encode("5"),
            &URL_SAFE_NO_PAD.encode(format!("1:{}", "t".repeat(1025))),
        ] {
            assert!(OverviewToken::parse(forged).is_err(), "{forged}");
        }
    }
}
