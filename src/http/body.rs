//! Reading a JSON request body: size limit, media type, emptiness, UTF-8 and strict JSON (repeated
//! member names refused, as in the policies), in that order.

use lambda_http::Body;
use lambda_http::http::HeaderMap;
use lambda_http::http::header::CONTENT_TYPE;
use serde_json::Value;

use super::RequestError;
use crate::domain::{Problems, strict_json_document::parse_json_document};

/// The largest body the WorkMail routes read.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// The largest body the portal routes read: an inline SAML metadata document may hold 131,072
/// characters (the model's limit), up to 12 bytes each once escaped in JSON (a character outside the
/// Basic Multilingual Plane is a pair of `\u` escapes, as encoders that write ASCII only send it),
/// 1.5 MiB, and the other members with room to spare.
pub const MAX_PORTAL_BODY_BYTES: usize = 2 * 1024 * 1024;

/// The media types a route accepts for its body.
#[derive(Debug, Clone, Copy)]
pub enum Accepts {
    /// `application/json`.
    Json,
    /// `application/merge-patch+json` or `application/json`.
    MergePatch,
}

impl Accepts {
    fn media_types(self) -> &'static [&'static str] {
        match self {
            Accepts::Json => &["application/json"],
            Accepts::MergePatch => &["application/merge-patch+json", "application/json"],
        }
    }
}

/// The body as a JSON value, or the reason it cannot be read.
pub fn json_body(
    headers: &HeaderMap,
    body: &Body,
    accepts: Accepts,
) -> Result<Value, RequestError> {
    json_body_within(headers, body, accepts, MAX_BODY_BYTES)
}

/// `json_body`, with at most `limit` bytes.
pub fn json_body_within(
    headers: &HeaderMap,
    body: &Body,
    accepts: Accepts,
    limit: usize,
) -> Result<Value, RequestError> {
    let bytes: &[u8] = match body {
        Body::Empty => &[],
        Body::Text(text) => text.as_bytes(),
        Body::Binary(bytes) => bytes,
        _ => &[],
    };
    if bytes.len() > limit {
        return Err(RequestError::PayloadTooLarge {
            size: bytes.len(),
            limit,
        });
    }
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(RequestError::Malformed(
            "the request body is empty: send the configuration as a JSON object".to_owned(),
        ));
    }
    check_media_type(headers, accepts)?;
    let text = std::str::from_utf8(bytes).map_err(|error| {
        RequestError::Malformed(format!(
            "the request body is not valid UTF-8 (invalid byte at offset {})",
            error.valid_up_to()
        ))
    })?;
    let mut problems = Problems::default();
    match parse_json_document(text, &mut problems) {
        Some(value) if problems.is_empty() => Ok(value),
        _ => Err(RequestError::Malformed(format!(
            "the request body is not valid JSON: {}",
            problems
                .iter()
                .map(|problem| if problem.pointer.is_empty() {
                    problem.message.clone()
                } else {
                    format!("member {} {}", problem.pointer, problem.message)
                })
                .collect::<Vec<_>>()
                .join("; ")
        ))),
    }
}

fn check_media_type(headers: &HeaderMap, accepts: Accepts) -> Result<(), RequestError> {
    let allowed = accepts.media_types();
    let refuse = |found: &str| {
        RequestError::UnsupportedMediaType(format!(
            "Content-Type {found} is not accepted here; send {} (charset, if given, utf-8)",
            allowed.join(" or ")
        ))
    };
    let Some(value) = headers.get(CONTENT_TYPE) else {
        return Err(refuse("(missing)"));
    };
    let Ok(value) = value.to_str() else {
        return Err(refuse("(unreadable)"));
    };
    let mut parts = value.split(';');
    let essence = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
    let charset_ok = parts.all(|parameter| match parameter.split_once('=') {
        Some((name, charset)) if name.trim().eq_ignore_ascii_case("charset") => charset
            .trim()
            .trim_matches('"')
            .eq_ignore_ascii_case("utf-8"),
        _ => true,
    });
    if allowed.contains(&essence.as_str()) && charset_ok {
        Ok(())
    } else {
        Err(refuse(&format!("'{value}'")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lambda_http::http::HeaderValue;

    fn headers(content_type: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(
            CONTENT_TYPE,
            HeaderValue::from_str(content_type).expect("header"),
        );
        headers
    }

    fn read(content_type: &str, body: Body, accepts: Accepts) -> Result<Value, RequestError> {
        json_body(&headers(content_type), &body, accepts)
    }

    #[test]
    fn accepts_json_with_parameters() {
        assert!(
            read(
                "application/json; charset=UTF-8",
                Body::from("{}"),
                Accepts::Json
            )
            .is_ok()
        );
        assert!(
            read(
                "Application/Merge-Patch+JSON",
                Body::from("{}"),
                Accepts::MergePatch
            )
            .is_ok()
        );
    }

    #[test]
    fn refuses_other_media_types_and_charsets() {
        for content_type in [
            "text/plain",
            "application/merge-patch+json",
            "application/json; charset=latin1",
        ] {
            assert!(
                matches!(
                    read(content_type, Body::from("{}"), Accepts::Json),
                    Err(RequestError::UnsupportedMediaType(_))
                ),
                "{content_type}"
            );
        }
        assert!(matches!(
            json_body(&HeaderMap::new(), &Body::from("{}"), Accepts::Json),
            Err(RequestError::UnsupportedMediaType(_))
        ));
    }

    #[test]
    fn refuses_empty_oversized_and_undecodable_bodies() {
        assert!(matches!(
            read("application/json", Body::Empty, Accepts::Json),
            Err(RequestError::Malformed(_))
        ));
        assert!(matches!(
            read("application/json", Body::from(" \n"), Accepts::Json),
            Err(RequestError::Malformed(_))
        ));
        let big = Body::from(format!("\"{}\"", "a".repeat(MAX_BODY_BYTES)));
        assert!(matches!(
            read("application/json", big, Accepts::Json),
            Err(RequestError::PayloadTooLarge { .. })
        ));
        let latin1 = Body::from(vec![b'"', 0xe9, b'"']);
        assert!(matches!(
            read("application/json", latin1, Accepts::Json),
            Err(RequestError::Malformed(_))
        ));
    }
}
