//! Path routing of the WorkSpaces Web operations the emulator implements, with their greedy ARN
//! labels percent-decoded (the SDK encodes `:` as `%3A` and leaves `/` as it is), and the query string.

use hyper::Method;

use super::errors::RestError;

/// The WorkSpaces Web operations the emulator implements.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Operation {
    CreateIdentityProvider,
    GetIdentityProvider,
    UpdateIdentityProvider,
    DeleteIdentityProvider,
    ListIdentityProviders,
    GetPortal,
    ListPortals,
}

impl Operation {
    #[cfg(test)]
    pub const ALL: [Operation; 7] = [
        Operation::CreateIdentityProvider,
        Operation::GetIdentityProvider,
        Operation::UpdateIdentityProvider,
        Operation::DeleteIdentityProvider,
        Operation::ListIdentityProviders,
        Operation::GetPortal,
        Operation::ListPortals,
    ];

    /// The operation's name, as the call log and fault rules have it.
    pub fn name(self) -> &'static str {
        match self {
            Operation::CreateIdentityProvider => "CreateIdentityProvider",
            Operation::GetIdentityProvider => "GetIdentityProvider",
            Operation::UpdateIdentityProvider => "UpdateIdentityProvider",
            Operation::DeleteIdentityProvider => "DeleteIdentityProvider",
            Operation::ListIdentityProviders => "ListIdentityProviders",
            Operation::GetPortal => "GetPortal",
            Operation::ListPortals => "ListPortals",
        }
    }
}

/// A routed request: the operation and its (decoded) greedy label.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    pub operation: Operation,
    /// `identityProviderArn` or `portalArn`, as the caller meant it.
    pub label: Option<String>,
}

/// The operation `method` and `path` name (the model's http traits):
///
/// | operation | request |
/// |---|---|
/// | CreateIdentityProvider | `POST /identityProviders` |
/// | GetIdentityProvider | `GET /identityProviders/{identityProviderArn+}` |
/// | UpdateIdentityProvider | `PATCH /identityProviders/{identityProviderArn+}` |
/// | DeleteIdentityProvider | `DELETE /identityProviders/{identityProviderArn+}` |
/// | ListIdentityProviders | `GET /portals/{portalArn+}/identityProviders` |
/// | GetPortal | `GET /portals/{portalArn+}` |
/// | ListPortals | `GET /portals` |
pub fn route(method: &Method, path: &str) -> Result<Route, RestError> {
    let unknown = || {
        RestError::new(
            404,
            "UnknownOperationException",
            format!("the emulator implements no WorkSpaces Web operation at {method} {path}"),
        )
    };
    let (operation, label) = if path == "/identityProviders" {
        (Operation::CreateIdentityProvider, None)
    } else if let Some(label) = nonempty(path.strip_prefix("/identityProviders/")) {
        let operation = match *method {
            Method::GET => Operation::GetIdentityProvider,
            Method::PATCH => Operation::UpdateIdentityProvider,
            Method::DELETE => Operation::DeleteIdentityProvider,
            _ => return Err(unknown()),
        };
        (operation, Some(label))
    } else if path == "/portals" {
        (Operation::ListPortals, None)
    } else if let Some(label) = nonempty(
        path.strip_prefix("/portals/")
            .and_then(|rest| rest.strip_suffix("/identityProviders")),
    ) {
        (Operation::ListIdentityProviders, Some(label))
    } else if let Some(label) = nonempty(path.strip_prefix("/portals/")) {
        (Operation::GetPortal, Some(label))
    } else {
        return Err(unknown());
    };
    let expected = match operation {
        Operation::CreateIdentityProvider => Method::POST,
        Operation::UpdateIdentityProvider => Method::PATCH,
        Operation::DeleteIdentityProvider => Method::DELETE,
        _ => Method::GET,
    };
    if *method != expected {
        return Err(unknown());
    }
    let label = label
        .map(|label| {
            percent_decode(label).ok_or_else(|| {
                RestError::cannot_parse(format!(
                    "the path label {label:?} is not percent-encoded UTF-8"
                ))
            })
        })
        .transpose()?;
    Ok(Route { operation, label })
}

fn nonempty(label: Option<&str>) -> Option<&str> {
    label.filter(|label| !label.is_empty())
}

/// The query string's pairs, percent-decoded (`+` stays `+`: the SDK encodes a space as `%20`).
pub fn query_pairs(query: Option<&str>) -> Result<Vec<(String, String)>, RestError> {
    query
        .unwrap_or_default()
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            match (percent_decode(name), percent_decode(value)) {
                (Some(name), Some(value)) => Ok((name, value)),
                _ => Err(RestError::cannot_parse(format!(
                    "the query parameter {pair:?} is not percent-encoded UTF-8"
                ))),
            }
        })
        .collect()
}

/// `%XX` escapes decoded; `None` when an escape is malformed or the bytes are not UTF-8.
pub fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        if bytes[index] == b'%' {
            let hex = text.get(index + 1..index + 3)?;
            decoded.push(u8::from_str_radix(hex, 16).ok()?);
            index += 3;
        } else {
            decoded.push(bytes[index]);
            index += 1;
        }
    }
    String::from_utf8(decoded).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn greedy_labels_are_decoded_and_routed() {
        let route = route(
            &Method::GET,
            "/portals/arn%3Aaws%3Aworkspaces-web%3Aus-east-1%3A123456789012%3Aportal/abc/identityProviders",
        )
        .unwrap();
        assert_eq!(route.operation, Operation::ListIdentityProviders);
        assert_eq!(
            route.label.as_deref(),
            Some("arn:aws:workspaces-web:us-east-1:123456789012:portal/abc")
        );
        let route = super::route(&Method::PATCH, "/identityProviders/a%3Ab/c").unwrap();
        assert_eq!(route.operation, Operation::UpdateIdentityProvider);
        assert_eq!(route.label.as_deref(), Some("a:b/c"));
        assert_eq!(
            super::route(&Method::GET, "/portals/x").unwrap().operation,
            Operation::GetPortal
        );
    }

    #[test]
    fn wrong_methods_and_paths_are_unknown_operations() {
        for (method, path) in [
            (Method::GET, "/identityProviders"),
            (Method::POST, "/identityProviders/x"),
            (Method::DELETE, "/portals"),
            (Method::GET, "/"),
            (Method::GET, "/identityProviders/"),
        ] {
            let error = route(&method, path).unwrap_err();
            assert_eq!(
                error.type_name, "UnknownOperationException",
                "{method} {path}"
            );
        }
    }

    #[test]
    fn malformed_escapes_cannot_be_parsed() {
        assert_eq!(percent_decode("a%3"), None);
        assert_eq!(percent_decode("%zz"), None);
        assert_eq!(percent_decode("%C3%A9"), Some("é".to_owned()));
        let error = route(&Method::GET, "/portals/%FF").unwrap_err();
        assert_eq!(error.reason(), Some("cannotParse"));
    }
}
