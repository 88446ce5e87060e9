//! `GET /openapi.json`: the API's OpenAPI 3.1 document, kept by hand in `openapi/openapi.json` and
//! served as it is. The tests below hold it to the router: every route and method the router resolves
//! is documented and nothing else, with the query parameters each route reads, the methods a 405
//! allows, and every problem code `problem.rs` can answer.

use lambda_http::Body;
use lambda_http::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use lambda_http::http::{HeaderValue, Response, StatusCode};

/// The document, embedded at build time.
pub const DOCUMENT: &str = include_str!("../../openapi/openapi.json");

/// The media type it is served as: plain JSON, which every client and browser reads (the
/// registered `application/vnd.oai.openapi+json` is not understood by all tools).
const MEDIA_TYPE: &str = "application/json";

/// 200 with the document.
pub fn document_response() -> Response<Body> {
    let mut response = Response::new(Body::Text(DOCUMENT.to_owned()));
    *response.status_mut() = StatusCode::OK;
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(MEDIA_TYPE));
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};

    use lambda_http::http::Method;
    use serde_json::Value;

    use super::DOCUMENT;
    use crate::http::RequestError;
    use crate::http::route::{self, Action, Route};

    /// The methods probed on every path.
    const METHODS: [Method; 7] = [
        Method::GET,
        Method::HEAD,
        Method::PUT,
        Method::PATCH,
        Method::DELETE,
        Method::POST,
        Method::OPTIONS,
    ];

    const OPERATIONS: [&str; 8] = [
        "get", "head", "put", "patch", "delete", "post", "options", "trace",
    ];

    fn document() -> Value {
        serde_json::from_str(DOCUMENT).expect("openapi/openapi.json is JSON")
    }

    /// One route of each kind. The match below has no wildcard: a new `Route` variant stops this
    /// test from compiling until it is given a sample here (and so is checked against the document).
    fn sample_routes() -> Vec<Route> {
        let organization = || "m-0123456789abcdef0123456789abcdef".to_owned();
        let portal = || "d3b07384-d113-4ec6-a1f5-6a0e5b1c2f3d".to_owned();
        let routes = vec![
            Route::Health,
            Route::OpenApi,
            Route::Organizations,
            Route::IdentityProvider {
                action: Action::Read,
                organization: organization(),
            },
            Route::Readiness {
                organization: organization(),
            },
            Route::PersonalAccessTokens {
                organization: organization(),
            },
            Route::PersonalAccessToken {
                organization: organization(),
                token: "pat-bob-outlook".to_owned(),
            },
            Route::PortalIdentityProvider {
                action: Action::Read,
                portal: portal(),
            },
        ];
        for route in &routes {
            match route {
                Route::Health
                | Route::OpenApi
                | Route::Organizations
                | Route::IdentityProvider { .. }
                | Route::Readiness { .. }
                | Route::PersonalAccessTokens { .. }
                | Route::PersonalAccessToken { .. }
                | Route::PortalIdentityProvider { .. } => {}
            }
        }
        routes
    }

    /// `template` with each `{name}` replaced by that path parameter's example in the document.
    fn instantiate(document: &Value, template: &str) -> String {
        let parameters = document["components"]["parameters"]
            .as_object()
            .expect("components.parameters");
        let mut path = template.to_owned();
        for parameter in parameters.values() {
            if parameter["in"] == "path" {
                let name = parameter["name"].as_str().expect("name");
                let example = parameter["example"]
                    .as_str()
                    .expect("a path parameter's example");
                path = path.replace(&format!("{{{name}}}"), example);
            }
        }
        assert!(
            !path.contains('{'),
            "{template}: a path parameter has no example"
        );
        path
    }

    fn resolved(method: &Method, path: &str) -> Option<Route> {
        match route::resolve(method, path, None) {
            Ok(route) => Some(route),
            Err(RequestError::MethodNotAllowed { .. } | RequestError::NotFound { .. }) => None,
            Err(other) => panic!("{method} {path}: {other:?}"),
        }
    }

    /// The parameter objects of an operation (its own and its path item's), `$ref`s resolved.
    fn parameters<'a>(
        document: &'a Value,
        path_item: &'a Value,
        operation: &'a Value,
    ) -> Vec<&'a Value> {
        let resolve = |parameter: &'a Value| match parameter["$ref"].as_str() {
            Some(reference) => {
                let name = reference
                    .strip_prefix("#/components/parameters/")
                    .expect("a parameter reference");
                &document["components"]["parameters"][name]
            }
            None => parameter,
        };
        path_item["parameters"]
            .as_array()
            .into_iter()
            .chain(operation["parameters"].as_array())
            .flatten()
            .map(resolve)
            .collect()
    }

    fn documented_operations(document: &Value) -> BTreeMap<String, BTreeSet<String>> {
        document["paths"]
            .as_object()
            .expect("paths")
            .iter()
            .map(|(path, item)| {
                let methods = OPERATIONS
                    .iter()
                    .filter(|method| item.get(**method).is_some())
                    .map(|method| method.to_ascii_uppercase())
                    .collect();
                (path.clone(), methods)
            })
            .collect()
    }

    #[test]
    fn the_document_is_openapi_3_1_of_this_version() {
        let document = document();
        let version = document["openapi"].as_str().expect("openapi");
        assert!(version.starts_with("3.1."), "{version}");
        assert_eq!(document["info"]["version"], env!("CARGO_PKG_VERSION"));
    }

    #[test]
    fn every_route_the_router_resolves_is_documented_with_its_methods() {
        let document = document();
        let documented = documented_operations(&document);
        for sample in sample_routes() {
            let template = sample.template();
            let methods = documented
                .get(template)
                .unwrap_or_else(|| panic!("{template} is routed but not in openapi/openapi.json"));
            let path = instantiate(&document, template);
            let routed: BTreeSet<String> = METHODS
                .iter()
                .filter(|method| {
                    resolved(method, &path).is_some_and(|route| route.template() == template)
                })
                .map(|method| method.to_string())
                .collect();
            assert_eq!(
                &routed, methods,
                "{template}: routed methods vs documented ones"
            );
            // A 405 names exactly the documented methods.
            match route::resolve(&Method::POST, &path, None) {
                Err(RequestError::MethodNotAllowed { allow, .. }) => {
                    let allowed: BTreeSet<String> = allow.split(", ").map(str::to_owned).collect();
                    assert_eq!(&allowed, methods, "{template}: the Allow header");
                }
                other => panic!("{template}: POST should be 405, not {other:?}"),
            }
        }
    }

    #[test]
    fn every_documented_operation_is_routed_with_the_query_parameters_it_reads() {
        let document = document();
        for (template, item) in document["paths"].as_object().expect("paths") {
            let path = instantiate(&document, template);
            for name in OPERATIONS {
                let Some(operation) = item.get(name) else {
                    continue;
                };
                let method =
                    Method::from_bytes(name.to_ascii_uppercase().as_bytes()).expect("a method");
                let Some(route) = resolved(&method, &path) else {
                    panic!("{method} {template} is documented but not routed");
                };
                assert_eq!(route.template(), template, "{method} {path}");
                let documented: BTreeSet<&str> = parameters(&document, item, operation)
                    .into_iter()
                    .filter(|parameter| parameter["in"] == "query")
                    .map(|parameter| parameter["name"].as_str().expect("name"))
                    .collect();
                let read: BTreeSet<&str> = route.query_parameters().iter().copied().collect();
                assert_eq!(documented, read, "{method} {template}: query parameters");
                let id = operation["operationId"].as_str();
                assert!(id.is_some(), "{method} {template} has no operationId");
            }
        }
    }

    /// Every whole string literal in `source` that looks like a problem code.
    fn codes_in(source: &str, into: &mut BTreeSet<String>) {
        let literal = regex::Regex::new(r#""([A-Z][A-Z_]{3,})""#).expect("regex");
        into.extend(
            literal
                .captures_iter(source)
                .map(|captures| captures[1].to_owned()),
        );
    }

    /// The body of `fn public_code` in `source`.
    fn public_code(source: &str) -> &str {
        let start = source
            .find("pub fn public_code")
            .expect("a public_code function");
        let rest = &source[start..];
        &rest[..rest.find("\n    }\n").expect("its end")]
    }

    #[test]
    fn the_code_enum_lists_every_problem_code_problem_rs_can_answer() {
        let mut answered = BTreeSet::new();
        codes_in(include_str!("problem.rs"), &mut answered);
        codes_in(
            public_code(include_str!("../workmail/error.rs")),
            &mut answered,
        );
        codes_in(
            public_code(include_str!("../workspaces_web/error.rs")),
            &mut answered,
        );
        let document = document();
        let documented: BTreeSet<String> = document["components"]["schemas"]["ProblemCode"]["enum"]
            .as_array()
            .expect("ProblemCode.enum")
            .iter()
            .map(|code| code.as_str().expect("a code").to_owned())
            .collect();
        assert_eq!(documented, answered);
    }

    #[test]
    fn every_reference_resolves() {
        let document = document();
        let mut references = Vec::new();
        collect_references(&document, &mut references);
        for reference in references {
            let pointer = reference.strip_prefix('#').expect("a local reference");
            assert!(
                document.pointer(pointer).is_some(),
                "{reference} does not resolve"
            );
        }
    }

    fn collect_references(value: &Value, into: &mut Vec<String>) {
        match value {
            Value::Object(members) => {
                for (name, member) in members {
                    match (name.as_str(), member) {
                        ("$ref", Value::String(reference)) => into.push(reference.clone()),
                        _ => collect_references(member, into),
                    }
                }
            }
            Value::Array(items) => items.iter().for_each(|item| collect_references(item, into)),
            _ => {}
        }
    }
}
