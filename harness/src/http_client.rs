//! `http_request`: one plain HTTP/1.1 request over a blocking socket, for tests that must send exactly
//! the bytes they mean (no client library normalising headers). Call it off the async runtime's thread.

use std::io::{Read, Write};
use std::net::TcpStream;

/// Sends `method path` to `address` with `headers` ("Name: value") and `body`; answers the status and
/// the body of the response (0 and an empty body when there is no readable answer).
pub fn http_request(
    address: &str,
    method: &str,
    path: &str,
    headers: &[&str],
    body: &str,
) -> (u16, String) {
    let Ok(mut stream) = TcpStream::connect(address) else {
        return (0, String::new());
    };
    let mut text = format!(
        "{method} {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for header in headers {
        text.push_str(header);
        text.push_str("\r\n");
    }
    text.push_str("\r\n");
    text.push_str(body);
    let mut answer = String::new();
    if stream.write_all(text.as_bytes()).is_err() || stream.read_to_string(&mut answer).is_err() {
        return (0, String::new());
    }
    let status = answer
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_default();
    let body = answer
        .split("\r\n\r\n")
        .nth(1)
        .unwrap_or_default()
        .to_owned();
    (status, body)
}
