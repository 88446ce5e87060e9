//! `Emulator`: the server on a loopback port, and the handle tests and local runs use to seed it
//! (organizations, configurations, users, tokens, WorkSpaces Web portals and identity providers),
//! inject faults and read the calls it received.
//!
//! One port serves both services: a request signed for `workspaces-web` (its SigV4 credential
//! scope) is a WorkSpaces Web restJson1 call, routed by method and path; anything else is a
//! WorkMail awsJson1_1 call. Both share the fault rules and the call log, under their operation
//! names (`UpdateIdentityProvider`, `PutIdentityProviderConfiguration`).

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use http_body_util::BodyExt;
use hyper::body::{Bytes, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use crate::demo;
use crate::directory::{BulkDirectory, Directory, EmulatedToken, EmulatedUser};
use crate::faults::{Fault, FaultRule};
use crate::operations::{self, ErrorAnswer};
use crate::protocol;
use crate::secure_browser::{self, EmulatedIdentityProvider, RestError};
use crate::state::{
    Organization, OrganizationState, RecordedCall, State, TokenBucket, UnconfiguredAnswer,
};

/// A running emulator. Dropping it stops accepting connections.
#[derive(Debug)]
pub struct Emulator {
    address: SocketAddr,
    state: Arc<Mutex<State>>,
    acceptor: JoinHandle<()>,
}

impl Drop for Emulator {
    fn drop(&mut self) {
        self.acceptor.abort();
    }
}

impl Emulator {
    /// Starts an empty emulator on a free loopback port.
    pub async fn start() -> std::io::Result<Self> {
        Self::start_on(SocketAddr::from(([127, 0, 0, 1], 0))).await
    }

    /// Starts an empty emulator on `address`.
    pub async fn start_on(address: SocketAddr) -> std::io::Result<Self> {
        let listener = TcpListener::bind(address).await?;
        let address = listener.local_addr()?;
        let state = Arc::new(Mutex::new(State::default()));
        let shared = Arc::clone(&state);
        let acceptor = tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                let state = Arc::clone(&shared);
                tokio::spawn(async move {
                    let service = service_fn(move |request| {
                        // A request received is carried out even when its caller hangs up first
                        // (an SDK timeout), as AWS does: the late write still lands.
                        let handled = tokio::spawn(answer(Arc::clone(&state), request));
                        async move { handled.await.unwrap_or_else(|_| Ok(crashed())) }
                    });
                    if let Err(error) = http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await
                    {
                        tracing::debug!(%error, "emulator connection ended with an error");
                    }
                });
            }
        });
        Ok(Self {
            address,
            state,
            acceptor,
        })
    }

    /// The endpoint to give the SDK (`http://127.0.0.1:<port>`).
    pub fn url(&self) -> String {
        format!("http://{}", self.address)
    }

    pub fn address(&self) -> SocketAddr {
        self.address
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Adds (or replaces) an organization with no identity-provider configuration.
    pub fn add_organization(&self, id: &str, alias: &str, state: OrganizationState) {
        self.state().organizations.insert(
            id.to_owned(),
            Organization {
                alias: alias.to_owned(),
                state,
                identity_provider: None,
                directory: Directory::default(),
            },
        );
    }

    /// Adds (or replaces, by id) a user of organization `id`; nothing when there is no such organization.
    pub fn add_user(&self, id: &str, user: EmulatedUser) {
        if let Some(organization) = self.state().organizations.get_mut(id) {
            organization.directory.users.insert(user.id.clone(), user);
        }
    }

    /// The users of organization `id`, by user id (none when there is no such organization).
    pub fn users(&self, id: &str) -> Vec<EmulatedUser> {
        self.state()
            .organizations
            .get(id)
            .map(|organization| organization.directory.users.values().cloned().collect())
            .unwrap_or_default()
    }

    /// Adds (or replaces, by token id) a personal access token of organization `id`; nothing when
    /// there is no such organization. The owner is not checked, so tests can build odd directories.
    pub fn add_personal_access_token(&self, id: &str, token: EmulatedToken) {
        if let Some(organization) = self.state().organizations.get_mut(id) {
            organization
                .directory
                .tokens
                .insert(token.id.clone(), token);
        }
    }

    /// The personal access tokens of organization `id`, by token id.
    pub fn personal_access_tokens(&self, id: &str) -> Vec<EmulatedToken> {
        self.state()
            .organizations
            .get(id)
            .map(|organization| organization.directory.tokens.values().cloned().collect())
            .unwrap_or_default()
    }

    /// Replaces the users and tokens of organization `id` with the generated `bulk` directory (10,000
    /// users and 20,000 tokens take a few milliseconds); nothing when there is no such organization.
    pub fn seed_bulk_directory(&self, id: &str, bulk: &BulkDirectory) {
        let mut state = self.state();
        let Some(organization) = state.organizations.get_mut(id) else {
            return;
        };
        let users = bulk.users(&organization.alias);
        let tokens = bulk.tokens(&users);
        organization.directory = Directory {
            users: users
                .into_iter()
                .map(|user| (user.id.clone(), user))
                .collect(),
            tokens: tokens
                .into_iter()
                .map(|token| (token.id.clone(), token))
                .collect(),
        };
    }

    /// Changes an organization's state.
    pub fn set_organization_state(&self, id: &str, state: OrganizationState) {
        if let Some(organization) = self.state().organizations.get_mut(id) {
            organization.state = state;
        }
    }

    /// Makes an Identity Center application (of its instance) known, so Put accepts it.
    pub fn add_identity_center_application(&self, instance_arn: &str, application_arn: &str) {
        self.state()
            .applications
            .insert((instance_arn.to_owned(), application_arn.to_owned()));
    }

    /// Sets what Describe answers for an organization, in WorkMail's PascalCase form (`None` removes it).
    pub fn set_identity_provider(&self, id: &str, configuration: Option<Value>) {
        if let Some(organization) = self.state().organizations.get_mut(id) {
            organization.identity_provider = configuration;
        }
    }

    /// What Describe would answer now (PascalCase), if the organization has a configuration.
    pub fn identity_provider(&self, id: &str) -> Option<Value> {
        self.state()
            .organizations
            .get(id)
            .and_then(|organization| organization.identity_provider.clone())
    }

    pub fn set_unconfigured_answer(&self, answer: UnconfiguredAnswer) {
        self.state().unconfigured_answer = answer;
    }

    /// Adds a fault rule; earlier rules are matched first.
    pub fn inject(&self, rule: FaultRule) {
        self.state().faults.push(rule);
    }

    /// Limits the request rate as WorkMail does: above `per_second` (with up to `burst` saved up),
    /// WorkMail calls are answered with ThrottlingException. `None` lifts the limit. WorkSpaces Web
    /// calls are not limited (throttle them with a fault rule).
    pub fn set_rate_limit(&self, limit: Option<(f64, u32)>) {
        self.state().rate_limit =
            limit.map(|(per_second, burst)| TokenBucket::new(per_second, burst));
    }

    /// How many calls the rate limit has throttled.
    pub fn throttled_by_rate_limit(&self) -> u64 {
        self.state().throttled
    }

    /// Every call received so far, in order.
    pub fn calls(&self) -> Vec<RecordedCall> {
        self.state().calls.clone()
    }

    /// The operations received so far, in order.
    pub fn operations(&self) -> Vec<String> {
        self.state()
            .calls
            .iter()
            .map(|call| call.operation.clone())
            .collect()
    }

    /// Adds an empty WorkSpaces Web portal (no identity provider; its status is `Incomplete`), or
    /// leaves the one there. The ARN should read `arn:aws:workspaces-web:{region}:{account}:portal/{uuid}`:
    /// its identity provider's ARN is made from it.
    pub fn add_portal(&self, portal_arn: &str) {
        self.state().secure_browser.add_portal(
            portal_arn,
            secure_browser::DEFAULT_DISPLAY_NAME,
            unix_now(),
        );
    }

    /// The identity provider of portal `portal_arn`, if the portal has one.
    pub fn secure_browser_provider(&self, portal_arn: &str) -> Option<EmulatedIdentityProvider> {
        self.state().secure_browser.provider(portal_arn)
    }

    /// Gives portal `portal_arn` (added when missing) the identity provider `provider`, replacing
    /// the one it has (whose ARN it keeps); answers the provider's ARN
    /// (`arn:aws:workspaces-web:{region}:{account}:identityProvider/{portal uuid}/{uuid}`).
    pub fn set_secure_browser_provider(
        &self,
        portal_arn: &str,
        provider: EmulatedIdentityProvider,
    ) -> String {
        self.state()
            .secure_browser
            .set_provider(portal_arn, provider, unix_now())
    }

    /// Seeds the demo organization: Active, with an Identity Center application, a configuration
    /// in `IDENTITY_PROVIDER_AND_DIRECTORY` mode, and the users and tokens of `demo` (token times
    /// relative to the system clock); and the two demo WorkSpaces Web portals: one with a SAML
    /// identity provider whose metadata carries a self-signed certificate made now, one without.
    pub fn seed_demo(&self) {
        self.add_organization(
            demo::ORGANIZATION_ID,
            demo::ORGANIZATION_ALIAS,
            OrganizationState::Active,
        );
        self.add_identity_center_application(demo::INSTANCE_ARN, demo::APPLICATION_ARN);
        self.set_identity_provider(
            demo::ORGANIZATION_ID,
            Some(json!({
                "AuthenticationMode": "IDENTITY_PROVIDER_AND_DIRECTORY",
                "IdentityCenterConfiguration": {
                    "InstanceArn": demo::INSTANCE_ARN,
                    "ApplicationArn": demo::APPLICATION_ARN
                },
                "PersonalAccessTokenConfiguration": { "Status": "ACTIVE", "LifetimeInDays": 365 }
            })),
        );
        for user in demo::users() {
            self.add_user(demo::ORGANIZATION_ID, user);
        }
        for token in demo::tokens(unix_now()) {
            self.add_personal_access_token(demo::ORGANIZATION_ID, token);
        }
        {
            let mut state = self.state();
            state
                .secure_browser
                .add_portal(demo::PORTAL_ARN, demo::PORTAL_NAME, unix_now());
            state.secure_browser.add_portal(
                demo::EMPTY_PORTAL_ARN,
                demo::EMPTY_PORTAL_NAME,
                unix_now(),
            );
        }
        match demo::saml_identity_provider() {
            Ok(provider) => {
                self.set_secure_browser_provider(demo::PORTAL_ARN, provider);
            }
            Err(error) => {
                tracing::warn!(%error, "no demo SAML identity provider: the certificate could not be made");
            }
        }
    }
}

fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |elapsed| {
            i64::try_from(elapsed.as_secs()).unwrap_or(i64::MAX)
        })
}

/// The answer to a request whose handler panicked or whose body could not be read.
fn crashed() -> hyper::Response<String> {
    let mut response =
        hyper::Response::new("the emulator could not handle this request".to_owned());
    *response.status_mut() = hyper::StatusCode::INTERNAL_SERVER_ERROR;
    response
}

async fn answer(
    state: Arc<Mutex<State>>,
    request: hyper::Request<Incoming>,
) -> Result<hyper::Response<String>, Infallible> {
    let (parts, body) = request.into_parts();
    let Ok(bytes) = body.collect().await.map(|body| body.to_bytes()) else {
        // The caller hung up before its request was whole: there is nothing to carry out.
        return Ok(crashed());
    };
    if secure_browser::is_request(&parts.headers) {
        return Ok(answer_secure_browser(&state, &parts, &bytes).await);
    }
    let input: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    let operation = protocol::operation(&parts.headers);
    let (request_id, fault, admitted) = {
        let mut state = state.lock().unwrap_or_else(PoisonError::into_inner);
        state.calls.push(RecordedCall {
            operation: operation.clone(),
            target: protocol::header(&parts.headers, "x-amz-target")
                .unwrap_or_default()
                .to_owned(),
            method: parts.method.to_string(),
            path: path_and_query(&parts.uri),
            content_type: protocol::header(&parts.headers, "content-type").map(str::to_owned),
            authorization: protocol::header(&parts.headers, "authorization").map(str::to_owned),
            body: input.clone(),
        });
        let admitted = state.admit();
        (
            state.next_request_id(),
            state.take_fault(&operation),
            admitted,
        )
    };
    let input = match protocol::read_input(&parts.method, parts.uri.path(), &parts.headers, &input)
    {
        Ok(input) => input,
        Err(error) => return Ok(protocol::failure(&error, &request_id)),
    };
    if !admitted {
        return Ok(protocol::failure(
            &ErrorAnswer::new(400, "ThrottlingException", "Rate exceeded"),
            &request_id,
        ));
    }
    if fault == Some(Fault::AcknowledgeWithoutEffect) {
        return Ok(protocol::success(&json!({}), &request_id));
    }
    if let Some(error) = apply(fault, &operation).await {
        return Ok(protocol::failure(&error, &request_id));
    }
    let outcome = {
        let mut state = state.lock().unwrap_or_else(PoisonError::into_inner);
        operations::dispatch(&mut state, &operation, &input)
    };
    Ok(match outcome {
        Ok(body) => protocol::success(&body, &request_id),
        Err(error) => protocol::failure(&error, &request_id),
    })
}

/// Waits for a latency fault, or turns an error fault into its answer.
async fn apply(fault: Option<Fault>, operation: &str) -> Option<ErrorAnswer> {
    match fault? {
        Fault::Latency(delay) => {
            tokio::time::sleep(delay).await;
            None
        }
        Fault::AcknowledgeWithoutEffect => None,
        Fault::Throttle => Some(ErrorAnswer::new(
            400,
            "ThrottlingException",
            "Rate exceeded",
        )),
        Fault::ServerError => Some(ErrorAnswer::new(
            500,
            "InternalFailure",
            "Internal service error",
        )),
        Fault::AccessDenied => Some(ErrorAnswer::new(
            400,
            "AccessDeniedException",
            format!(
                "User: arn:aws:sts::123456789012:assumed-role/emulated-role/session is not authorized to perform: workmail:{operation}"
            ),
        )),
        Fault::Error {
            status,
            type_name,
            message,
        } => Some(ErrorAnswer {
            status,
            type_name,
            message,
        }),
        Fault::Rejected { field, message } => Some(ErrorAnswer::new(
            400,
            "InvalidParameterException",
            format!("{field}: {message}"),
        )),
    }
}

fn path_and_query(uri: &hyper::Uri) -> String {
    uri.path_and_query()
        .map_or_else(|| uri.path().to_owned(), |path| path.as_str().to_owned())
}

/// A WorkSpaces Web call: routed, recorded under its operation name, checked, then faulted or
/// answered; every answer in restJson1 form.
async fn answer_secure_browser(
    state: &Mutex<State>,
    parts: &hyper::http::request::Parts,
    bytes: &Bytes,
) -> hyper::Response<String> {
    let routed = secure_browser::route(&parts.method, parts.uri.path());
    let operation = routed
        .as_ref()
        .map_or("", |route| route.operation.name())
        .to_owned();
    let json: Option<Value> = serde_json::from_slice(bytes).ok();
    let (request_id, fault) = {
        let mut state = state.lock().unwrap_or_else(PoisonError::into_inner);
        state.calls.push(RecordedCall {
            operation: operation.clone(),
            target: String::new(),
            method: parts.method.to_string(),
            path: path_and_query(&parts.uri),
            content_type: protocol::header(&parts.headers, "content-type").map(str::to_owned),
            authorization: protocol::header(&parts.headers, "authorization").map(str::to_owned),
            body: json.clone().unwrap_or(Value::Null),
        });
        (state.next_request_id(), state.take_fault(&operation))
    };
    let request = secure_browser::check_signature(&parts.headers)
        .and(routed)
        .and_then(|route| {
            let body = match json {
                Some(Value::Object(body)) => body,
                None if bytes.is_empty() => serde_json::Map::new(),
                _ => {
                    return Err(RestError::cannot_parse(
                        "the request body must be a JSON object",
                    ));
                }
            };
            Ok(secure_browser::Request {
                operation: route.operation,
                label: route.label,
                query: secure_browser::query_pairs(parts.uri.query())?,
                body,
            })
        });
    let request = match request {
        Ok(request) => request,
        Err(error) => return secure_browser::failure(&error, &request_id),
    };
    let acknowledge_only = match fault {
        Some(Fault::Latency(delay)) => {
            tokio::time::sleep(delay).await;
            false
        }
        Some(Fault::AcknowledgeWithoutEffect) => true,
        Some(fault) => {
            let error =
                RestError::from_fault(&fault, &operation).unwrap_or_else(RestError::internal);
            return secure_browser::failure(&error, &request_id);
        }
        None => false,
    };
    let outcome = {
        let mut state = state.lock().unwrap_or_else(PoisonError::into_inner);
        if acknowledge_only {
            // The answer the call would get, from a copy that is then dropped: no effect sticks.
            let mut copy = state.secure_browser.clone();
            secure_browser::dispatch(&mut copy, &request)
        } else {
            secure_browser::dispatch(&mut state.secure_browser, &request)
        }
    };
    match outcome {
        Ok(body) => secure_browser::success(&body, &request_id),
        Err(error) => secure_browser::failure(&error, &request_id),
    }
}
