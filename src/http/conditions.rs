//! The conditional headers of a write (`If-Match`, `If-None-Match`), read and their syntax checked
//! before anything is called; the domain's `Preconditions` decides what they mean.

use lambda_http::http::HeaderMap;
use lambda_http::http::header::{IF_MATCH, IF_NONE_MATCH};

use super::RequestError;
use crate::domain::{EntityTags, Preconditions};

pub fn preconditions(headers: &HeaderMap) -> Result<Preconditions, RequestError> {
    Ok(Preconditions {
        if_match: tags(headers, IF_MATCH.as_str())?,
        if_none_match: tags(headers, IF_NONE_MATCH.as_str())?,
    })
}

/// The entity tags of a header (`*` or quoted tags, comma-separated); `None` when it is absent.
fn tags(headers: &HeaderMap, name: &str) -> Result<Option<EntityTags>, RequestError> {
    let values: Vec<_> = headers.get_all(name).iter().collect();
    if values.is_empty() {
        return Ok(None);
    }
    let mut tags = Vec::new();
    let mut any = false;
    for value in values {
        let text = value.to_str().map_err(|_| malformed(name))?;
        for tag in text.split(',').map(str::trim).filter(|tag| !tag.is_empty()) {
            let quoted = |tag: &str| tag.len() >= 2 && tag.starts_with('"') && tag.ends_with('"');
            if tag == "*" {
                any = true;
            } else if quoted(tag) || tag.strip_prefix("W/").is_some_and(quoted) {
                tags.push(tag.to_owned());
            } else {
                return Err(malformed(name));
            }
        }
    }
    match (any, tags.is_empty()) {
        (true, true) => Ok(Some(EntityTags::Any)),
        (false, false) => Ok(Some(EntityTags::List(tags))),
        _ => Err(malformed(name)),
    }
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

    fn parse(pairs: &[(&'static str, &str)]) -> Result<Preconditions, RequestError> {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, HeaderValue::from_str(value).expect("header"));
        }
        preconditions(&map)
    }

    #[test]
    fn tags_and_star_are_read_and_anything_else_is_malformed() {
        assert_eq!(
            parse(&[("if-match", "\"a\", W/\"b\"")]).ok(),
            Some(Preconditions {
                if_match: Some(EntityTags::List(vec!["\"a\"".into(), "W/\"b\"".into()])),
                if_none_match: None,
            })
        );
        assert_eq!(
            parse(&[("if-none-match", "*")])
                .ok()
                .and_then(|p| p.if_none_match),
            Some(EntityTags::Any)
        );
        for bad in ["abc", ",", "*, \"a\"", "W/abc", "\""] {
            assert!(
                matches!(parse(&[("if-match", bad)]), Err(RequestError::Malformed(_))),
                "{bad}"
            );
        }
    }
}
