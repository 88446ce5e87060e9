//! The route table: which path and method mean what, with the API Gateway stage prefix tolerated.

use lambda_http::http::Method;
use lambda_http::request::RequestContext;

use super::RequestError;

/// A resolved route, its path parameters still raw (they are parsed by the handler).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    Health,
    IdentityProvider {
        action: Action,
        organization: String,
    },
}

/// What a request to an organization's identity-provider resource asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Read,
    Replace,
    Patch,
    Remove,
}

impl Route {
    /// The route's template, for logs.
    pub fn template(&self) -> &'static str {
        match self {
            Route::Health => "/health",
            Route::IdentityProvider { .. } => "/organizations/{organizationId}/identity-provider",
        }
    }
}

const IDENTITY_PROVIDER_METHODS: &str = "GET, PUT, PATCH, DELETE";
const HEALTH_METHODS: &str = "GET";

/// Resolves `method` and `path`. A REST or HTTP API stage in front of the path (`/prod/organizations/...`)
/// is stripped when the path does not match as it is.
pub fn resolve(
    method: &Method,
    path: &str,
    context: Option<&RequestContext>,
) -> Result<Route, RequestError> {
    match resolve_path(method, path) {
        Err(RequestError::NotFound { .. }) => match strip_stage(path, context) {
            Some(rest) => resolve_path(method, rest),
            None => Err(not_found(path)),
        },
        resolved => resolved,
    }
}

fn resolve_path(method: &Method, path: &str) -> Result<Route, RequestError> {
    let segments: Vec<&str> = path.strip_prefix('/').unwrap_or(path).split('/').collect();
    match segments.as_slice() {
        ["health"] if method == Method::GET => Ok(Route::Health),
        ["health"] => Err(not_allowed(method, HEALTH_METHODS)),
        ["organizations", organization, "identity-provider"] => {
            let action = match *method {
                Method::GET => Action::Read,
                Method::PUT => Action::Replace,
                Method::PATCH => Action::Patch,
                Method::DELETE => Action::Remove,
                _ => return Err(not_allowed(method, IDENTITY_PROVIDER_METHODS)),
            };
            Ok(Route::IdentityProvider {
                action,
                organization: (*organization).to_owned(),
            })
        }
        _ => Err(not_found(path)),
    }
}

fn not_allowed(method: &Method, allow: &'static str) -> RequestError {
    RequestError::MethodNotAllowed {
        method: method.to_string(),
        allow,
    }
}

fn not_found(path: &str) -> RequestError {
    RequestError::NotFound {
        path: path.to_owned(),
    }
}

fn strip_stage<'a>(path: &'a str, context: Option<&RequestContext>) -> Option<&'a str> {
    let stage = match context? {
        RequestContext::ApiGatewayV1(context) => context.stage.as_deref(),
        RequestContext::ApiGatewayV2(context) => context.stage.as_deref(),
        _ => None,
    }?;
    path.strip_prefix('/')?
        .strip_prefix(stage)
        .filter(|rest| rest.starts_with('/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    const ORG: &str = "m-0123456789abcdef0123456789abcdef";

    #[test]
    fn resolves_routes_and_methods() {
        let path = format!("/organizations/{ORG}/identity-provider");
        assert_eq!(
            resolve(&Method::PATCH, &path, None).ok(),
            Some(Route::IdentityProvider {
                action: Action::Patch,
                organization: ORG.to_owned()
            })
        );
        assert_eq!(
            resolve(&Method::GET, "/health", None).ok(),
            Some(Route::Health)
        );
        assert!(matches!(
            resolve(&Method::POST, &path, None),
            Err(RequestError::MethodNotAllowed {
                allow: IDENTITY_PROVIDER_METHODS,
                ..
            })
        ));
        for unknown in [
            "/",
            "",
            "/organizations",
            "/organizations//identity-provider/x",
            "/health/",
        ] {
            assert!(
                matches!(
                    resolve(&Method::GET, unknown, None),
                    Err(RequestError::NotFound { .. })
                ),
                "{unknown}"
            );
        }
    }
}
