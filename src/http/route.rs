//! The route table: which path and method mean what, with the API Gateway stage prefix tolerated. Paths
//! are matched as API Gateway routes them, segment by segment and never normalized: a dot segment, an
//! empty segment, a backslash, an encoded slash or a control character matches no route.

use lambda_http::http::Method;
use lambda_http::request::RequestContext;

use super::RequestError;
use crate::domain::OrganizationId;

/// A resolved route, its path parameters still raw (they are parsed by the handler).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    Health,
    /// GET: one page of the organizations the caller may read, with their configurations' summaries.
    Organizations,
    /// GET: the OpenAPI 3.1 document of every route (`openapi/openapi.json`).
    OpenApi,
    IdentityProvider {
        action: Action,
        organization: String,
    },
    /// GET: what a switch to `IDENTITY_PROVIDER_ONLY` would do now.
    Readiness {
        organization: String,
    },
    /// GET: one page of the organization's personal access tokens.
    PersonalAccessTokens {
        organization: String,
    },
    /// DELETE: revoke one personal access token.
    PersonalAccessToken {
        organization: String,
        token: String,
    },
    /// A WorkSpaces Secure Browser portal's identity provider.
    PortalIdentityProvider {
        action: Action,
        portal: String,
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
            Route::Organizations => "/organizations",
            Route::OpenApi => "/openapi.json",
            Route::IdentityProvider { .. } => "/organizations/{organizationId}/identity-provider",
            Route::Readiness { .. } => {
                "/organizations/{organizationId}/identity-provider/readiness"
            }
            Route::PersonalAccessTokens { .. } => {
                "/organizations/{organizationId}/personal-access-tokens"
            }
            Route::PersonalAccessToken { .. } => {
                "/organizations/{organizationId}/personal-access-tokens/{tokenId}"
            }
            Route::PortalIdentityProvider { .. } => {
                "/secure-browser/portals/{portalId}/identity-provider"
            }
        }
    }

    /// The organization id the path names, still raw.
    pub fn organization(&self) -> Option<&str> {
        match self {
            Route::Health
            | Route::Organizations
            | Route::OpenApi
            | Route::PortalIdentityProvider { .. } => None,
            Route::IdentityProvider { organization, .. }
            | Route::Readiness { organization }
            | Route::PersonalAccessTokens { organization }
            | Route::PersonalAccessToken { organization, .. } => Some(organization),
        }
    }

    /// The query parameters the route reads; any other is refused.
    pub fn query_parameters(&self) -> &'static [&'static str] {
        match self {
            Route::Health
            | Route::OpenApi
            | Route::Readiness { .. }
            | Route::IdentityProvider {
                action: Action::Read,
                ..
            }
            | Route::PortalIdentityProvider {
                action: Action::Read,
                ..
            } => &[],
            Route::IdentityProvider { .. }
            | Route::PortalIdentityProvider { .. }
            | Route::PersonalAccessToken { .. } => &["dryRun"],
            Route::PersonalAccessTokens { .. } => &["userId", "expiringWithinDays", "nextToken"],
            Route::Organizations => &["limit", "nextToken"],
        }
    }
}

const IDENTITY_PROVIDER_METHODS: &str = "GET, HEAD, PUT, PATCH, DELETE";
const HEALTH_METHODS: &str = "GET, HEAD";
const READ_ONLY_METHODS: &str = "GET, HEAD";
const TOKEN_METHODS: &str = "DELETE";

/// Resolves `method` and `path`. A REST or HTTP API `stage` in front of the path
/// (`/prod/organizations/...`) is stripped when the path does not match as it is.
pub fn resolve(method: &Method, path: &str, stage: Option<&str>) -> Result<Route, RequestError> {
    check_routable(path)?;
    match resolve_path(method, path) {
        Err(RequestError::NotFound { .. }) => match strip_stage(path, stage) {
            Some(rest) => resolve_path(method, rest),
            None => Err(not_found(path)),
        },
        resolved => resolved,
    }
}

/// The stage of a REST or HTTP API request.
pub fn stage(context: Option<&RequestContext>) -> Option<&str> {
    match context? {
        RequestContext::ApiGatewayV1(context) => context.stage.as_deref(),
        RequestContext::ApiGatewayV2(context) => context.stage.as_deref(),
        _ => None,
    }
}

/// The organization a routable `path` names, if it names a valid one: for the records of requests
/// refused before they are routed.
pub fn organization_in(path: &str, stage: Option<&str>) -> Option<OrganizationId> {
    [Method::GET, Method::DELETE].iter().find_map(|method| {
        let route = resolve(method, path, stage).ok()?;
        OrganizationId::parse(route.organization()?).ok()
    })
}

/// Refuses (404) a `path` that cannot match a route: one that does not start with `/`, or has a
/// segment that is empty, a dot segment (`.`, `..`, or either percent-encoded), or holds a backslash,
/// an encoded slash or backslash, or a control character. Each of these would otherwise be
/// normalized into another path.
pub fn check_routable(path: &str) -> Result<(), RequestError> {
    let routable = path.strip_prefix('/').is_some_and(|rest| {
        rest.split('/').all(|segment| {
            let lower = segment.to_ascii_lowercase();
            let dots = lower.replace("%2e", ".");
            !segment.is_empty()
                && dots != "."
                && dots != ".."
                && !lower.contains("%2f")
                && !lower.contains("%5c")
                && !segment.chars().any(|c| c == '\\' || c.is_control())
        })
    });
    if routable {
        Ok(())
    } else {
        Err(not_found(path))
    }
}

/// HEAD is answered wherever GET is (the handler sends the headers without the body).
fn resolve_path(requested: &Method, path: &str) -> Result<Route, RequestError> {
    let method = if requested == Method::HEAD {
        &Method::GET
    } else {
        requested
    };
    let segments: Vec<&str> = path.strip_prefix('/').unwrap_or(path).split('/').collect();
    match segments.as_slice() {
        ["health"] if method == Method::GET => Ok(Route::Health),
        ["health"] => Err(not_allowed(requested, HEALTH_METHODS)),
        ["organizations"] if method == Method::GET => Ok(Route::Organizations),
        ["organizations"] => Err(not_allowed(requested, READ_ONLY_METHODS)),
        ["openapi.json"] if method == Method::GET => Ok(Route::OpenApi),
        ["openapi.json"] => Err(not_allowed(requested, READ_ONLY_METHODS)),
        ["organizations", organization, "identity-provider"] => Ok(Route::IdentityProvider {
            action: identity_provider_action(method)?,
            organization: (*organization).to_owned(),
        }),
        ["secure-browser", "portals", portal, "identity-provider"] => {
            Ok(Route::PortalIdentityProvider {
                action: identity_provider_action(method)?,
                portal: (*portal).to_owned(),
            })
        }
        [
            "organizations",
            organization,
            "identity-provider",
            "readiness",
        ] => match *method {
            Method::GET => Ok(Route::Readiness {
                organization: (*organization).to_owned(),
            }),
            _ => Err(not_allowed(requested, READ_ONLY_METHODS)),
        },
        ["organizations", organization, "personal-access-tokens"] => match *method {
            Method::GET => Ok(Route::PersonalAccessTokens {
                organization: (*organization).to_owned(),
            }),
            _ => Err(not_allowed(requested, READ_ONLY_METHODS)),
        },
        [
            "organizations",
            organization,
            "personal-access-tokens",
            token,
        ] => match *method {
            Method::DELETE => Ok(Route::PersonalAccessToken {
                organization: (*organization).to_owned(),
                token: (*token).to_owned(),
            }),
            _ => Err(not_allowed(requested, TOKEN_METHODS)),
        },
        _ => Err(not_found(path)),
    }
}

fn identity_provider_action(method: &Method) -> Result<Action, RequestError> {
    match *method {
        Method::GET => Ok(Action::Read),
        Method::PUT => Ok(Action::Replace),
        Method::PATCH => Ok(Action::Patch),
        Method::DELETE => Ok(Action::Remove),
        _ => Err(not_allowed(method, IDENTITY_PROVIDER_METHODS)),
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

fn strip_stage<'a>(path: &'a str, stage: Option<&str>) -> Option<&'a str> {
    path.strip_prefix('/')?
        .strip_prefix(stage?)
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
            "/organizations//identity-provider/x",
            "/health/",
            "/organizations//identity-provider",
            "//health",
            "/health\\",
            "/x/../health",
            "/prod/./health",
            "/prod/%2e%2E/health",
            "/organizations/m-0123%2f456789abcdef0123456789abcdef/identity-provider",
            "/organizations/m-0123%5C456789abcdef0123456789abcdef/identity-provider",
            "/organizations/m-0123456789abcdef0123456789abcdef/identity-provider\n",
            "health",
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

    #[test]
    fn resolves_the_readiness_and_token_routes() {
        let organization = ORG.to_owned();
        let readiness = format!("/organizations/{ORG}/identity-provider/readiness");
        assert_eq!(
            resolve(&Method::GET, &readiness, None).ok(),
            Some(Route::Readiness {
                organization: organization.clone()
            })
        );
        let tokens = format!("/organizations/{ORG}/personal-access-tokens");
        assert_eq!(
            resolve(&Method::GET, &tokens, None).ok(),
            Some(Route::PersonalAccessTokens {
                organization: organization.clone()
            })
        );
        let token = format!("{tokens}/pat-1");
        assert_eq!(
            resolve(&Method::DELETE, &token, None).ok(),
            Some(Route::PersonalAccessToken {
                organization,
                token: "pat-1".to_owned()
            })
        );
        for (method, path, allow) in [
            (Method::PUT, &readiness, READ_ONLY_METHODS),
            (Method::DELETE, &tokens, READ_ONLY_METHODS),
            (Method::GET, &token, TOKEN_METHODS),
        ] {
            assert!(
                matches!(
                    resolve(&method, path, None),
                    Err(RequestError::MethodNotAllowed { allow: a, .. }) if a == allow
                ),
                "{method} {path}"
            );
        }
        assert_eq!(
            organization_in(&token, None).map(|o| o.to_string()),
            Some(ORG.to_owned())
        );
        for unknown in [
            format!("{tokens}/"),
            format!("{tokens}/pat-1/x"),
            format!("{tokens}/%2e%2e"),
            format!("{readiness}/x"),
        ] {
            assert!(
                matches!(
                    resolve(&Method::DELETE, &unknown, None),
                    Err(RequestError::NotFound { .. })
                ),
                "{unknown}"
            );
        }
    }

    #[test]
    fn resolves_the_portal_route_and_head() {
        let portal = "0f0e0d0c-0b0a-4908-8706-050403020100";
        let path = format!("/secure-browser/portals/{portal}/identity-provider");
        for (method, action) in [
            (Method::GET, Action::Read),
            (Method::HEAD, Action::Read),
            (Method::PUT, Action::Replace),
            (Method::PATCH, Action::Patch),
            (Method::DELETE, Action::Remove),
        ] {
            assert_eq!(
                resolve(&method, &path, None).ok(),
                Some(Route::PortalIdentityProvider {
                    action,
                    portal: portal.to_owned()
                }),
                "{method}"
            );
        }
        assert!(matches!(
            resolve(&Method::POST, &path, None),
            Err(RequestError::MethodNotAllowed {
                allow: IDENTITY_PROVIDER_METHODS,
                ..
            })
        ));
        assert_eq!(
            resolve(&Method::HEAD, "/health", None).ok(),
            Some(Route::Health)
        );
        for unknown in [
            format!("{path}/x"),
            "/secure-browser/portals//identity-provider".to_owned(),
            "/secure-browser/portals/identity-provider".to_owned(),
        ] {
            assert!(
                matches!(
                    resolve(&Method::GET, &unknown, None),
                    Err(RequestError::NotFound { .. })
                ),
                "{unknown}"
            );
        }
    }

    #[test]
    fn a_stage_is_stripped_only_in_front_of_a_route() {
        assert_eq!(
            resolve(&Method::GET, "/prod/health", Some("prod")).ok(),
            Some(Route::Health)
        );
        assert!(resolve(&Method::GET, "/prod/health", Some("pro")).is_err());
        assert!(resolve(&Method::GET, "/prod/../health", Some("prod")).is_err());
        let path = format!("/prod/organizations/{ORG}/identity-provider");
        assert_eq!(
            organization_in(&path, Some("prod")).map(|o| o.to_string()),
            Some(ORG.to_owned())
        );
        assert_eq!(
            organization_in("/organizations/m-1/identity-provider", None),
            None
        );
    }
}
