//! The WorkSpaces Web operations: each validates its request as the model does, then answers from
//! (and changes) the portals, with client-token idempotency for Create and Update.

use serde_json::{Map, Value, json};

use super::EmulatedIdentityProvider;
use super::errors::RestError;
use super::routes::Operation;
use super::state::{Provider, Replay, SecureBrowser};
use super::validation::{self, Checker};

/// List pages hold this many items when `maxResults` is left out.
const PAGE_DEFAULT: usize = 25;

/// A request, decoded: its operation, greedy label, query pairs and JSON body.
#[derive(Debug, Clone)]
pub struct Request {
    pub operation: Operation,
    pub label: Option<String>,
    pub query: Vec<(String, String)>,
    pub body: Map<String, Value>,
}

type Answer = Result<Value, RestError>;

/// Runs `request` against `state`.
pub fn dispatch(state: &mut SecureBrowser, request: &Request) -> Answer {
    match request.operation {
        Operation::CreateIdentityProvider => create(state, request),
        Operation::GetIdentityProvider => get(state, request),
        Operation::UpdateIdentityProvider => update(state, request),
        Operation::DeleteIdentityProvider => delete(state, request),
        Operation::ListIdentityProviders => list_identity_providers(state, request),
        Operation::GetPortal => get_portal(state, request),
        Operation::ListPortals => list_portals(state, request),
    }
}

const IDENTITY_PROVIDER: &str = "identityProvider";
const PORTAL: &str = "portal";

/// What a client token's earlier success says about this request: the same answer again, a
/// ConflictException when the token was used for a different request, or nothing (a new token).
fn replayed(
    state: &SecureBrowser,
    operation: Operation,
    token: Option<&str>,
    request: &Value,
) -> Option<Answer> {
    let replay = state.replays.get(&(operation, token?.to_owned()))?;
    Some(if replay.request == *request {
        Ok(replay.answer.clone())
    } else {
        Err(RestError::conflict(
            format!(
                "the client token was already used for a different {} request",
                operation.name()
            ),
            "clientToken",
            token.unwrap_or_default(),
        ))
    })
}

fn remember(
    state: &mut SecureBrowser,
    operation: Operation,
    token: Option<String>,
    request: Value,
    answer: &Value,
) {
    if let Some(token) = token {
        state.replays.insert(
            (operation, token),
            Replay {
                request,
                answer: answer.clone(),
            },
        );
    }
}

/// The request as idempotency compares it: the body without `clientToken`, and the label.
fn fingerprint(request: &Request) -> Value {
    let mut body = request.body.clone();
    body.remove("clientToken");
    json!({ "label": request.label, "body": body })
}

fn create(state: &mut SecureBrowser, request: &Request) -> Answer {
    let body = &request.body;
    let mut checker = Checker::default();
    let portal_arn = checker.string(body, "portalArn", &validation::PORTAL_ARN, true);
    let name = checker.string(body, "identityProviderName", &validation::NAME, true);
    let provider_type = checker.provider_type(body, true);
    let details = checker.details(body, true);
    let token = checker.string(body, "clientToken", &validation::CLIENT_TOKEN, false);
    checker.tags(body);
    checker.finish()?;
    let (Some(portal_arn), Some(name), Some(provider_type), Some(details)) =
        (portal_arn, name, provider_type, details)
    else {
        unreachable!("the checker refuses a request without its required members");
    };
    let operation = request.operation;
    let fingerprint = fingerprint(request);
    if let Some(answer) = replayed(state, operation, token.as_deref(), &fingerprint) {
        return answer;
    }
    let arn = state.new_provider_arn(&portal_arn);
    let portal = state
        .portals
        .get_mut(&portal_arn)
        .ok_or_else(|| RestError::not_found(PORTAL, &portal_arn))?;
    if let Some(existing) = &portal.provider {
        return Err(RestError::conflict(
            "the portal already has an identity provider",
            IDENTITY_PROVIDER,
            &existing.arn,
        ));
    }
    portal.provider = Some(Provider {
        arn: arn.clone(),
        provider: EmulatedIdentityProvider {
            name,
            provider_type,
            details,
        },
    });
    let answer = json!({ "identityProviderArn": arn });
    remember(state, operation, token, fingerprint, &answer);
    Ok(answer)
}

fn provider_arn(checker: &mut Checker, request: &Request) -> String {
    checker.label(
        "identityProviderArn",
        request.label.as_deref(),
        &validation::IDENTITY_PROVIDER_ARN,
    )
}

fn get(state: &mut SecureBrowser, request: &Request) -> Answer {
    let mut checker = Checker::default();
    let arn = provider_arn(&mut checker, request);
    checker.finish()?;
    let portal = state
        .portal_of_provider(&arn)
        .ok_or_else(|| RestError::not_found(IDENTITY_PROVIDER, &arn))?;
    let provider = portal.provider.as_ref().map(Provider::full);
    Ok(json!({ "identityProvider": provider }))
}

fn update(state: &mut SecureBrowser, request: &Request) -> Answer {
    let body = &request.body;
    let mut checker = Checker::default();
    let arn = provider_arn(&mut checker, request);
    let name = checker.string(body, "identityProviderName", &validation::NAME, false);
    let provider_type = checker.provider_type(body, false);
    let details = checker.details(body, false);
    let token = checker.string(body, "clientToken", &validation::CLIENT_TOKEN, false);
    checker.finish()?;
    let operation = request.operation;
    let fingerprint = fingerprint(request);
    if let Some(answer) = replayed(state, operation, token.as_deref(), &fingerprint) {
        return answer;
    }
    let provider = state
        .portal_of_provider(&arn)
        .and_then(|portal| portal.provider.as_mut())
        .ok_or_else(|| RestError::not_found(IDENTITY_PROVIDER, &arn))?;
    if let Some(name) = name {
        provider.provider.name = name;
    }
    if let Some(provider_type) = provider_type {
        provider.provider.provider_type = provider_type;
    }
    if let Some(details) = details {
        provider.provider.details = details;
    }
    let answer = json!({ "identityProvider": provider.full() });
    remember(state, operation, token, fingerprint, &answer);
    Ok(answer)
}

/// Delete is idempotent in the model and lists no ResourceNotFoundException: deleting a provider
/// that is not there (any more) answers `{}` too.
fn delete(state: &mut SecureBrowser, request: &Request) -> Answer {
    let mut checker = Checker::default();
    let arn = provider_arn(&mut checker, request);
    checker.finish()?;
    if let Some(portal) = state.portal_of_provider(&arn) {
        portal.provider = None;
    }
    Ok(json!({}))
}

/// One page of `items`; the token is the index of the page's first item.
fn page(items: Vec<Value>, query: &[(String, String)], member: &str) -> Answer {
    let mut checker = Checker::default();
    let size = checker.max_results(query).unwrap_or(PAGE_DEFAULT);
    let token = checker.next_token(query);
    checker.finish()?;
    let start = match token {
        None => 0,
        Some(token) => token
            .strip_prefix("page-")
            .and_then(|index| index.parse::<usize>().ok())
            .filter(|index| *index <= items.len())
            .ok_or_else(|| {
                RestError::field_validation(&[super::errors::FieldViolation {
                    name: "nextToken".to_owned(),
                    message: "Value at 'nextToken' failed to satisfy constraint: Member must be a token this operation answered".to_owned(),
                }])
            })?,
    };
    let end = start.saturating_add(size).min(items.len());
    let mut answer = Map::new();
    answer.insert(member.to_owned(), Value::Array(items[start..end].to_vec()));
    if end < items.len() {
        answer.insert("nextToken".to_owned(), json!(format!("page-{end}")));
    }
    Ok(Value::Object(answer))
}

/// A portal that is not there has no identity providers (the model lists no
/// ResourceNotFoundException for this operation).
fn list_identity_providers(state: &mut SecureBrowser, request: &Request) -> Answer {
    let mut checker = Checker::default();
    let portal_arn = checker.label(
        "portalArn",
        request.label.as_deref(),
        &validation::PORTAL_ARN,
    );
    checker.finish()?;
    let providers = state
        .portals
        .get(&portal_arn)
        .and_then(|portal| portal.provider.as_ref())
        .map(Provider::summary)
        .into_iter()
        .collect();
    page(providers, &request.query, "identityProviders")
}

fn get_portal(state: &mut SecureBrowser, request: &Request) -> Answer {
    let mut checker = Checker::default();
    let arn = checker.label(
        "portalArn",
        request.label.as_deref(),
        &validation::PORTAL_ARN,
    );
    checker.finish()?;
    let portal = state
        .portals
        .get(&arn)
        .ok_or_else(|| RestError::not_found(PORTAL, &arn))?;
    Ok(json!({ "portal": portal.describe(&arn) }))
}

fn list_portals(state: &mut SecureBrowser, request: &Request) -> Answer {
    let portals = state
        .portals
        .iter()
        .map(|(arn, portal)| portal.describe(arn))
        .collect();
    page(portals, &request.query, "portals")
}
