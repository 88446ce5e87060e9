//! `Api`: turns one HTTP request into a use case call and its result into a response, logging one line
//! per request and one audit record per mutating request. Every outcome is a response: nothing here
//! returns `Err`.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use lambda_http::http::{Method, Response, StatusCode};
use lambda_http::{Body, Request, RequestExt};
use serde_json::json;
use tracing::{info, warn};

use super::access_control::AccessControl;
use super::audit::AuditRecord;
use super::identity::RequestIdentity;
use super::openapi::document_response;
use super::overview_route::{overview_request, overview_response};
use super::portal_routes::{portal_provider_response, portal_write_request, portal_write_response};
use super::query::parse_query;
use super::readiness_route::readiness_response;
use super::responses::{configuration_response, json_response, unrecognized_response};
use super::route::{self, Action, Route};
use super::token_routes::{
    listing_request, listing_response, revocation_request, revocation_response,
};
use super::traced_store::TracedStore;
use super::write_route::{write_request, write_response};
use super::{ApiError, RequestError};
use crate::access::Permission;
use crate::domain::secure_browser::{PortalId, ResourceScope};
use crate::domain::{OrganizationId, Timestamp};
use crate::lease::{LeaseSettings, LeaseStore};
use crate::use_cases::{
    self, ConfigurationTarget, DirectoryReading, Grants, PortalRef, PortalTarget, PortalWriteFacts,
    RevocationFacts, Stored, UseCaseError, WriteFacts,
};
use crate::workmail::ApiWorkMail;
use crate::workspaces_web::{PortalProviderRemoval, SdkWorkSpacesWeb};

/// The API function: routes requests to the use cases over one WorkMail port, one WorkSpaces Web
/// port and one lease store.
#[derive(Debug, Clone)]
pub struct Api<S, B = SdkWorkSpacesWeb> {
    store: S,
    browser: B,
    /// Where portal ARNs point when the invocation names no function ARN (`LOCAL_FUNCTION_ARN`).
    local_scope: Option<ResourceScope>,
    leases: LeaseStore,
    lease_settings: LeaseSettings,
    reading: DirectoryReading,
    /// What a write needs after its impact report, before the invocation ends.
    write_reserve: Duration,
    access: AccessControl,
}

/// After the report a write renews its lease, Puts, confirms with a read and releases: the Put is
/// bounded by the lease's lifetime (the WorkMail timeout plus a margin), and the lease calls and the
/// confirming read usually take a fraction of the rest; 2 s more for the answer and the audit record.
fn write_reserve(lease_settings: &LeaseSettings) -> Duration {
    lease_settings.ttl + Duration::from_secs(6)
}

/// What a portal write needs once it is sent: the renewal and the Update within one lease lifetime
/// (the Update is bounded by the upstream timeout, as the lease is), the confirming read's two calls
/// within another, and 2 s for the release, the answer and the audit record.
fn portal_write_reserve(lease_settings: &LeaseSettings) -> Duration {
    lease_settings.ttl * 2 + Duration::from_secs(2)
}

/// The invocation's deadline less `reserve`, if the invocation has a deadline.
fn ends_by(request: &Request, reserve: Duration) -> Option<tokio::time::Instant> {
    let left = request.lambda_context_ref().and_then(|context| {
        let now = SystemTime::now().duration_since(UNIX_EPOCH).ok()?;
        Duration::from_millis(context.deadline).checked_sub(now)
    })?;
    Some(tokio::time::Instant::now() + left.saturating_sub(reserve))
}

/// What the request's log line and audit record say beyond status and latency.
#[derive(Default)]
struct RequestFacts {
    route: Option<&'static str>,
    organization: Option<OrganizationId>,
    /// Whether the organization is in the deployment's managed list (for the log: a caller without
    /// a grant is told FORBIDDEN either way).
    managed: Option<bool>,
    dry_run: bool,
    write: WriteFacts,
    /// What a token revocation learned.
    revocation: RevocationFacts,
    portal: Option<PortalId>,
    portal_write: PortalWriteFacts,
}

impl<S: ApiWorkMail, B: PortalProviderRemoval> Api<S, B> {
    /// An API over `store` (WorkMail) and `browser` (WorkSpaces Web) that checks `access` before it
    /// calls them and takes each organization's or portal's write lease from `leases`.
    pub fn new(
        store: S,
        browser: B,
        leases: LeaseStore,
        lease_settings: LeaseSettings,
        access: AccessControl,
    ) -> Self {
        Self {
            store,
            browser,
            local_scope: None,
            leases,
            lease_settings,
            reading: DirectoryReading::default(),
            write_reserve: write_reserve(&lease_settings),
            access,
        }
    }

    /// The same API, naming portals in `scope` whenever an invocation carries no function ARN.
    pub fn with_local_scope(self, scope: Option<ResourceScope>) -> Self {
        Self {
            local_scope: scope,
            ..self
        }
    }

    /// The same API, reading the directory for impact reports as `reading` says.
    pub fn with_directory_reading(self, reading: DirectoryReading) -> Self {
        Self { reading, ..self }
    }

    /// The directory reading for `request`: done early enough before the invocation's deadline to
    /// leave `reserve` for what follows it (for a write: renewal, Put, confirming read, release).
    fn reading_for(&self, request: &Request, reserve: Duration) -> DirectoryReading {
        match ends_by(request, reserve) {
            Some(finish_by) => self.reading.finishing_by(finish_by),
            None => self.reading,
        }
    }

    /// Answers one request.
    pub async fn handle(&self, request: Request) -> Response<Body> {
        let started = Instant::now();
        let request_id = request
            .lambda_context_ref()
            .map(|context| context.request_id.clone())
            .unwrap_or_else(local_request_id);
        let identity = RequestIdentity::of(&request);
        let store = TracedStore::new(&self.store);
        let browser = TracedStore::new(&self.browser);
        let mut facts = RequestFacts::default();
        let outcome = self
            .dispatch(&store, &browser, &request, &identity, &mut facts)
            .await;
        let (code, error) = match &outcome {
            Ok(_) => ("OK", None),
            Err(error) => (error.code(), Some(error.to_string())),
        };
        let mut response = outcome.unwrap_or_else(|error| error.to_response(&request_id));
        if request.method() == Method::HEAD {
            *response.body_mut() = Body::Empty;
        }
        let status = response.status().as_u16();
        let latency_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        let organization = facts.organization.as_ref().map(OrganizationId::as_str);
        let portal = facts.portal.as_ref().map(PortalId::as_str);
        let route = facts.route.unwrap_or("(no route)");
        let upstream = [store.calls(), browser.calls()]
            .into_iter()
            .filter(|calls| !calls.is_empty())
            .collect::<Vec<_>>()
            .join(",");
        let caller = identity.caller.as_ref().map(|caller| caller.arn.as_str());
        let managed = facts.managed;
        if response.status().is_server_error() {
            warn!(requestId = %request_id, method = %request.method(), route, organizationId = organization, portalId = portal, managed,
                caller, status, code, upstream, latencyMs = latency_ms, error, "request failed upstream");
        } else {
            info!(requestId = %request_id, method = %request.method(), route, organizationId = organization, portalId = portal, managed,
                caller, status, code, upstream, latencyMs = latency_ms, error, "request");
        }
        if is_mutating(request.method()) {
            AuditRecord {
                request_id: &request_id,
                identity: &identity,
                operation: request.method().as_str(),
                route: facts.route,
                organization: facts.organization.as_ref(),
                portal: facts.portal.as_ref(),
                dry_run: facts.dry_run,
                write: Some(&facts.write),
                revocation: Some(&facts.revocation),
                portal_write: Some(&facts.portal_write),
                status,
                code,
            }
            .emit();
        }
        response
    }

    /// Routes `request` to its use case. Every use case but the plain read is boxed, so that the
    /// future of a request, which the runtime allocates for every event, holds what the read
    /// needs (12.5 KB in the release build) rather than what the largest route does (40.7 KB, a
    /// write with its lease): a route that needs more allocates its own.
    async fn dispatch(
        &self,
        store: &TracedStore<'_, S>,
        browser: &TracedStore<'_, B>,
        request: &Request,
        identity: &RequestIdentity,
        facts: &mut RequestFacts,
    ) -> Result<Response<Body>, ApiError> {
        let route = route::resolve(
            request.method(),
            request.uri().path(),
            route::stage(request.request_context_ref()),
        )?;
        facts.route = Some(route.template());
        let query = parse_query(request.uri().query(), route.query_parameters())?;
        facts.dry_run = query.dry_run;
        match route {
            Route::Health => Ok(json_response(
                StatusCode::OK,
                &json!({ "status": "ok", "version": env!("CARGO_PKG_VERSION") }),
            )),
            Route::Organizations => {
                if !self.access.may_list_organizations(identity) {
                    return Err(UseCaseError::Forbidden(Permission::Read).into());
                }
                let overview = overview_request(
                    request.uri().query(),
                    self.reading_for(request, Duration::ZERO),
                )?;
                let page = Box::pin(use_cases::overview(store, &overview, |organization| {
                    self.access.may_read(identity, organization)
                }))
                .await?;
                Ok(overview_response(&page))
            }
            // Like /health it names no organization or portal and reveals no data, so it needs no
            // grant of the access policy (IAM at API Gateway still decides who may call at all).
            Route::OpenApi => Ok(document_response()),
            Route::IdentityProvider {
                action,
                organization,
            } => {
                let (organization, grants) = self.authorize(
                    &organization,
                    identity,
                    facts,
                    match action {
                        Action::Read => Permission::Read,
                        Action::Replace | Action::Patch | Action::Remove => Permission::Write,
                    },
                )?;
                if action == Action::Read {
                    return Ok(match use_cases::read(store, &organization, grants).await? {
                        Stored::Recognized(configuration) => {
                            configuration_response(&organization, &configuration, None)
                        }
                        Stored::Unrecognized(stored) => {
                            unrecognized_response(&organization, &stored)
                        }
                    });
                }
                let write = write_request(
                    action,
                    &organization,
                    request,
                    query,
                    grants,
                    self.access.require_if_match,
                )?;
                let target = ConfigurationTarget {
                    store,
                    leases: &self.leases,
                    lease_settings: self.lease_settings,
                    reading: self.reading_for(request, self.write_reserve),
                };
                let outcome = Box::pin(use_cases::change_configuration(
                    target,
                    &write,
                    &mut facts.write,
                ))
                .await?;
                Ok(write_response(&organization, &outcome))
            }
            Route::Readiness { organization } => {
                let (organization, grants) =
                    self.authorize(&organization, identity, facts, Permission::Read)?;
                let readiness = Box::pin(use_cases::readiness(
                    store,
                    &organization,
                    grants,
                    self.reading_for(request, Duration::ZERO),
                ))
                .await?;
                Ok(readiness_response(&organization, &readiness))
            }
            Route::PersonalAccessTokens { organization } => {
                let (organization, grants) =
                    self.authorize(&organization, identity, facts, Permission::Read)?;
                let listing = listing_request(&organization, request.uri().query())?;
                let page = Box::pin(use_cases::list_tokens(
                    store,
                    &listing,
                    grants,
                    Timestamp::now(),
                ))
                .await?;
                Ok(listing_response(&organization, &page))
            }
            Route::PersonalAccessToken {
                organization,
                token,
            } => {
                let (organization, grants) =
                    self.authorize(&organization, identity, facts, Permission::Write)?;
                let revocation = revocation_request(&organization, &token, query, grants)?;
                let outcome = Box::pin(use_cases::revoke_token(
                    store,
                    &self.leases,
                    self.lease_settings,
                    &revocation,
                    &mut facts.revocation,
                ))
                .await?;
                Ok(revocation_response(&outcome))
            }
            Route::PortalIdentityProvider { action, portal } => {
                let (portal, grants) = self.authorize_portal(
                    &portal,
                    request,
                    identity,
                    facts,
                    match action {
                        Action::Read => Permission::Read,
                        Action::Replace | Action::Patch | Action::Remove => Permission::Write,
                    },
                )?;
                if action == Action::Read {
                    let current = Box::pin(use_cases::read_portal_provider(
                        browser,
                        &self.leases,
                        &portal,
                        grants,
                    ))
                    .await?;
                    return Ok(portal_provider_response(&current, None, &[]));
                }
                let write = portal_write_request(
                    action,
                    portal,
                    identity,
                    request,
                    query,
                    grants,
                    self.access.require_if_match,
                )?;
                let target = PortalTarget {
                    store: browser,
                    leases: &self.leases,
                    lease_settings: self.lease_settings,
                    writer: "api",
                    write_by: ends_by(request, portal_write_reserve(&self.lease_settings)),
                };
                let outcome = Box::pin(use_cases::change_portal_provider(
                    target,
                    &write,
                    &mut facts.portal_write,
                ))
                .await?;
                Ok(portal_write_response(&outcome))
            }
        }
    }

    /// The portal `raw` names, as an ARN of the function's own partition, region and account, and
    /// the caller's grants on it, once the caller holds `permission` there.
    fn authorize_portal(
        &self,
        raw: &str,
        request: &Request,
        identity: &RequestIdentity,
        facts: &mut RequestFacts,
        permission: Permission,
    ) -> Result<(PortalRef, Grants), ApiError> {
        let id = PortalId::parse(raw).map_err(RequestError::InvalidPortal)?;
        facts.portal = Some(id.clone());
        let grants = self.access.portal_grants(identity, &id);
        grants.require(permission)?;
        let scope = match (&self.local_scope, request.lambda_context_ref()) {
            (Some(local), _) => local.clone(),
            (None, Some(context)) => {
                ResourceScope::from_function_arn(&context.invoked_function_arn)
                    .map_err(|_| RequestError::NoResourceScope)?
            }
            (None, None) => return Err(RequestError::NoResourceScope.into()),
        };
        let arn = scope.portal_arn(&id);
        Ok((PortalRef { id, arn }, grants))
    }

    /// The organization `raw` names and the caller's grants on it, once the caller holds
    /// `permission` there and the deployment manages it. The grant is checked first: without one,
    /// the answer is FORBIDDEN whether or not the deployment manages the organization.
    fn authorize(
        &self,
        raw: &str,
        identity: &RequestIdentity,
        facts: &mut RequestFacts,
        permission: Permission,
    ) -> Result<(OrganizationId, Grants), ApiError> {
        let organization = OrganizationId::parse(raw).map_err(RequestError::InvalidOrganization)?;
        facts.organization = Some(organization.clone());
        facts.managed = Some(self.access.managed.includes(&organization));
        let grants = self.access.grants(identity, &organization);
        grants.require(permission)?;
        self.access.check_managed(&organization)?;
        Ok((organization, grants))
    }
}

/// Answers an event refused before it could become a request (its body, request line or headers
/// unusable), with the same log line and, for a mutating method, the same audit record as any other
/// refusal. `method` is the event's, if it has one (one that is no HTTP method counts as mutating);
/// `organization` the one its path names, if any.
pub(super) fn refuse_event(
    request_id: &str,
    method: Option<&str>,
    identity: &RequestIdentity,
    organization: Option<&OrganizationId>,
    error: ApiError,
) -> Response<Body> {
    let status = error.status().as_u16();
    let parsed = method.map(|method| Method::from_bytes(method.as_bytes()).ok());
    let operation = match &parsed {
        None => "(none)",
        Some(Some(method)) => method.as_str(),
        Some(None) => "(invalid)",
    };
    let caller = identity.caller.as_ref().map(|caller| caller.arn.as_str());
    info!(requestId = %request_id, method = operation, organizationId = organization.map(OrganizationId::as_str),
        caller, status, code = error.code(), error = %error, "request refused before routing");
    if parsed
        .as_ref()
        .is_some_and(|method| method.as_ref().is_none_or(is_mutating))
    {
        AuditRecord {
            request_id,
            identity,
            operation,
            route: None,
            organization,
            portal: None,
            dry_run: false,
            write: None,
            revocation: None,
            portal_write: None,
            status,
            code: error.code(),
        }
        .emit();
    }
    error.to_response(request_id)
}

fn is_mutating(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// An id for requests that did not come through Lambda (the local server).
fn local_request_id() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let started = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|elapsed| elapsed.as_secs())
        .unwrap_or_default();
    format!(
        "local-{started:x}-{}",
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}
