//! `Api`: turns one HTTP request into a use case call and its result into a response, logging one line
//! per request. Every outcome, error or not, is a response: nothing here returns `Err`.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use lambda_http::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use lambda_http::http::{HeaderValue, Response, StatusCode};
use lambda_http::{Body, Request, RequestExt};
use serde::Serialize;
use serde_json::json;
use tracing::{info, warn};

use super::body::{Accepts, json_body};
use super::route::{self, Action, Route};
use super::traced_store::TracedStore;
use super::{ApiError, RequestError};
use crate::domain::{
    ConfigurationDocument, IdentityProviderConfiguration, ManagedOrganizations, OrganizationId,
    parse_configuration,
};
use crate::use_cases;
use crate::workmail::IdentityProviderRemoval;

/// The API function: routes requests to the use cases over one WorkMail port.
#[derive(Debug, Clone)]
pub struct Api<S> {
    store: S,
    managed: ManagedOrganizations,
}

/// What the request's log line says beyond status and latency.
struct RequestLine {
    route: &'static str,
    organization: Option<OrganizationId>,
}

impl<S: IdentityProviderRemoval> Api<S> {
    /// An API over `store` that refuses organizations outside `managed` before calling it.
    pub fn new(store: S, managed: ManagedOrganizations) -> Self {
        Self { store, managed }
    }

    /// Answers one request.
    pub async fn handle(&self, request: Request) -> Response<Body> {
        let started = Instant::now();
        let request_id = request
            .lambda_context_ref()
            .map(|context| context.request_id.clone())
            .unwrap_or_else(local_request_id);
        let store = TracedStore::new(&self.store);
        let mut line = RequestLine {
            route: "(no route)",
            organization: None,
        };
        let outcome = self.dispatch(&store, &request, &mut line).await;
        let error = outcome.as_ref().err().map(ToString::to_string);
        let response = outcome.unwrap_or_else(|error| error.to_response(&request_id));
        let status = response.status().as_u16();
        let latency_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        let organization = line.organization.as_ref().map(OrganizationId::as_str);
        let upstream = store.calls();
        if response.status().is_server_error() {
            warn!(requestId = %request_id, method = %request.method(), route = line.route, organizationId = organization,
                status, upstream, latencyMs = latency_ms, error, "request failed upstream");
        } else {
            info!(requestId = %request_id, method = %request.method(), route = line.route, organizationId = organization,
                status, upstream, latencyMs = latency_ms, error, "request");
        }
        response
    }

    async fn dispatch(
        &self,
        store: &TracedStore<'_, S>,
        request: &Request,
        line: &mut RequestLine,
    ) -> Result<Response<Body>, ApiError> {
        let route = route::resolve(
            request.method(),
            request.uri().path(),
            request.request_context_ref(),
        )?;
        line.route = route.template();
        match route {
            Route::Health => Ok(json_response(
                StatusCode::OK,
                &json!({ "status": "ok", "version": env!("CARGO_PKG_VERSION") }),
            )),
            Route::IdentityProvider {
                action,
                organization,
            } => {
                let organization = OrganizationId::parse(&organization)
                    .map_err(RequestError::InvalidOrganization)?;
                line.organization = Some(organization.clone());
                if !self.managed.includes(&organization) {
                    return Err(RequestError::OrganizationNotManaged(organization).into());
                }
                identity_provider(store, action, &organization, request).await
            }
        }
    }
}

async fn identity_provider(
    store: &impl IdentityProviderRemoval,
    action: Action,
    organization: &OrganizationId,
    request: &Request,
) -> Result<Response<Body>, ApiError> {
    let configuration = match action {
        Action::Read => use_cases::read(store, organization).await?,
        Action::Replace => {
            let body = json_body(request.headers(), request.body(), Accepts::Json)?;
            let configuration =
                parse_configuration(&body, organization).map_err(RequestError::Validation)?;
            use_cases::replace(store, organization, configuration).await?
        }
        Action::Patch => {
            let patch = json_body(request.headers(), request.body(), Accepts::MergePatch)?;
            use_cases::patch(store, organization, &patch).await?
        }
        Action::Remove => {
            use_cases::remove(store, organization).await?;
            return Ok(empty_response(StatusCode::NO_CONTENT));
        }
    };
    Ok(configuration_response(organization, &configuration))
}

fn configuration_response(
    organization: &OrganizationId,
    configuration: &IdentityProviderConfiguration,
) -> Response<Body> {
    json_response(
        StatusCode::OK,
        &ConfigurationDocument::new(organization, configuration),
    )
}

fn empty_response(status: StatusCode) -> Response<Body> {
    let mut response = Response::new(Body::Empty);
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// A JSON response; configuration data is never to be cached.
pub(super) fn json_response(status: StatusCode, body: &impl Serialize) -> Response<Body> {
    let text = serde_json::to_string(body).unwrap_or_else(|_| "{}".to_owned());
    let mut response = empty_response(status);
    *response.body_mut() = Body::Text(text);
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
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
