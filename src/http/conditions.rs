//! Conditional requests (RFC 9110): `If-Match` against the current configuration's ETag, `If-None-Match: *`
//! for "create only", and the setting that makes `If-Match` required (RFC 6585's 428).

use lambda_http::http::HeaderMap;
use lambda_http::http::header::{IF_MATCH, IF_NONE_MATCH};

use super::RequestError;

/// The conditional headers of a write, read (and their syntax checked) before anything is called.
#[derive(Debug, Clone, Default)]
pub struct Preconditions {
    if_match: Option<Vec<String>>,
    if_none_match: Option<Vec<String>>,
}

impl Preconditions {
    pub fn parse(headers: &HeaderMap) -> Result<Self, RequestError> {
        Ok(Self {
            if_match: tags(headers, IF_MATCH.as_str())?,
            if_none_match: tags(headers, IF_NONE_MATCH.as_str())?,
        })
    }

    /// Checks them against `current`, the ETag of the current configuration (`None` when there is none).
    pub fn check(
        &self,
        current: Option<&str>,
        if_match_required: bool,
    ) -> Result<(), RequestError> {
        let failed = || RequestError::PreconditionFailed {
            current: current.map(str::to_owned),
        };
        if let Some(tags) = &self.if_match {
            let matches =
                current.is_some_and(|current| tags.iter().any(|tag| tag == "*" || tag == current));
            if !matches {
                return Err(failed());
            }
        }
        if let Some(tags) = &self.if_none_match {
            let matches =
                current.is_some_and(|current| tags.iter().any(|tag| tag == "*" || tag == current));
            if matches {
                return Err(failed());
            }
        }
        if if_match_required && self.if_match.is_none() && self.if_none_match.is_none() {
            return Err(RequestError::PreconditionRequired);
        }
        Ok(())
    }
}

/// The entity tags of a header (`*` or quoted tags, comma-separated); `None` when it is absent.
fn tags(headers: &HeaderMap, name: &str) -> Result<Option<Vec<String>>, RequestError> {
    let values: Vec<_> = headers.get_all(name).iter().collect();
    if values.is_empty() {
        return Ok(None);
    }
    let mut tags = Vec::new();
    for value in values {
        let text = value.to_str().map_err(|_| malformed(name))?;
        for tag in text.split(',').map(str::trim).filter(|tag| !tag.is_empty()) {
            let well_formed = tag == "*"
                || (tag.len() >= 2 && tag.starts_with('"') && tag.ends_with('"'))
                || (tag.starts_with("W/\"") && tag.ends_with('"') && tag.len() >= 4);
            if !well_formed {
                return Err(malformed(name));
            }
            tags.push(tag.to_owned());
        }
    }
    if tags.is_empty() {
        return Err(malformed(name));
    }
    Ok(Some(tags))
}

fn malformed(name: &str) -> RequestError {
    RequestError::Malformed(format!(
        "{name} must be '*' or a comma-separated list of quoted entity tags, as the ETag header gives them"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use lambda_http::http::HeaderValue;

    const CURRENT: &str = "\"0123456789abcdef0123456789abcdef\"";

    fn check(
        headers: &HeaderMap,
        current: Option<&str>,
        required: bool,
    ) -> Result<(), RequestError> {
        Preconditions::parse(headers)?.check(current, required)
    }

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, HeaderValue::from_str(value).expect("header"));
        }
        map
    }

    #[test]
    fn if_match_needs_the_current_tag() {
        assert!(check(&headers(&[("if-match", CURRENT)]), Some(CURRENT), false).is_ok());
        assert!(
            check(
                &headers(&[("if-match", &format!("\"x\", {CURRENT}"))]),
                Some(CURRENT),
                false
            )
            .is_ok()
        );
        assert!(check(&headers(&[("if-match", "*")]), Some(CURRENT), false).is_ok());
        assert!(matches!(
            check(&headers(&[("if-match", "\"stale\"")]), Some(CURRENT), false),
            Err(RequestError::PreconditionFailed { current: Some(_) })
        ));
        assert!(check(&headers(&[("if-match", "*")]), None, false).is_err());
        assert!(
            check(
                &headers(&[("if-match", &format!("W/{CURRENT}"))]),
                Some(CURRENT),
                false
            )
            .is_err()
        );
    }

    #[test]
    fn if_none_match_star_means_create_only() {
        assert!(check(&headers(&[("if-none-match", "*")]), None, false).is_ok());
        assert!(check(&headers(&[("if-none-match", "*")]), Some(CURRENT), false).is_err());
    }

    #[test]
    fn a_required_precondition_and_malformed_tags() {
        assert!(matches!(
            check(&HeaderMap::new(), Some(CURRENT), true),
            Err(RequestError::PreconditionRequired)
        ));
        assert!(check(&headers(&[("if-none-match", "*")]), None, true).is_ok());
        assert!(matches!(
            check(&headers(&[("if-match", "abc")]), Some(CURRENT), false),
            Err(RequestError::Malformed(_))
        ));
        assert!(matches!(
            check(&headers(&[("if-match", ",")]), Some(CURRENT), false),
            Err(RequestError::Malformed(_))
        ));
    }
}
