//! The local server as the README uses it: started on a free port, answering plain HTTP requests
//! (no Lambda event, no request context) through the same `Api`, against the embedded emulator.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};

use lambda_harness::http_request;

struct Server {
    child: Child,
    address: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start() -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_idp-gateway-local"))
        .env("PORT", "0")
        .env_remove("IDP_GATEWAY_UPSTREAM")
        .env_remove("ACCESS_POLICY")
        .env_remove("MANAGED_ORGANIZATION_IDS")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the local server starts");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout);
    // Settings are checked (and warned about) before the server says where it listens.
    let mut seen = Vec::new();
    let address = loop {
        let mut line = String::new();
        let read = lines.read_line(&mut line).expect("a line");
        assert!(read > 0, "the server ended before it listened: {seen:?}");
        if let Some(rest) = line.split("listening on http://").nth(1) {
            break rest.split(',').next().unwrap_or_default().to_owned();
        }
        assert!(seen.len() < 20, "no 'listening on' line in {seen:?}");
        seen.push(line);
    };
    // Keep reading, so the server never writes to a closed pipe.
    std::thread::spawn(move || std::io::copy(&mut lines, &mut std::io::sink()));
    Server { child, address }
}

fn request(
    server: &Server,
    method: &str,
    path: &str,
    headers: &[&str],
    body: &str,
) -> (u16, String) {
    http_request(&server.address, method, path, headers, body)
}

const PATH: &str = "/organizations/m-0123456789abcdef0123456789abcdef/identity-provider";

#[test]
fn the_readme_requests_work_against_the_local_server() {
    let server = start();
    assert_eq!(request(&server, "GET", "/health", &[], "").0, 200);
    let (status, body) = request(&server, "GET", PATH, &[], "");
    assert_eq!(status, 200);
    assert!(body.contains("IDENTITY_PROVIDER_AND_DIRECTORY"), "{body}");

    let patch = ["Content-Type: application/merge-patch+json"];
    let (status, body) = request(
        &server,
        "PATCH",
        &format!("{PATH}?dryRun=true"),
        &patch,
        r#"{"personalAccessTokens":{"status":"INACTIVE"}}"#,
    );
    assert_eq!(status, 200);
    assert!(
        body.contains("\"wouldChange\":true"),
        "a dry run answers a preview: {body}"
    );
    let (_, body) = request(&server, "GET", PATH, &[], "");
    assert!(
        body.contains("\"ACTIVE\""),
        "the dry run wrote nothing: {body}"
    );

    let (status, _) = request(
        &server,
        "PATCH",
        PATH,
        &patch,
        r#"{"authenticationMode":"IDENTITY_PROVIDER_ONLY"}"#,
    );
    assert_eq!(status, 428, "a lockout risk needs confirmation");
    let plain = [
        "Content-Type: application/merge-patch+json",
        "Confirm-Impact: lockout-risk",
    ];
    let switch = r#"{"authenticationMode":"IDENTITY_PROVIDER_ONLY"}"#;
    let (status, body) = request(&server, "PATCH", PATH, &plain, switch);
    assert_eq!(
        status, 428,
        "the demo has users who would lose access: the confirmation must name the impact: {body}"
    );
    let (status, body) = request(
        &server,
        "PATCH",
        &format!("{PATH}?dryRun=true"),
        &patch,
        switch,
    );
    assert_eq!(status, 200, "{body}");
    let preview: serde_json::Value = serde_json::from_str(&body).expect("JSON");
    let digest = preview["impact"]["impactDigest"]
        .as_str()
        .expect("the dry run names the impact's digest");
    let confirmed = [
        "Content-Type: application/merge-patch+json".to_owned(),
        format!("Confirm-Impact: lockout-risk; digest=\"{digest}\""),
    ];
    let confirmed: Vec<&str> = confirmed.iter().map(String::as_str).collect();
    let (status, body) = request(&server, "PATCH", PATH, &confirmed, switch);
    assert_eq!(status, 200, "{body}");

    let (status, _) = request(
        &server,
        "DELETE",
        PATH,
        &["Confirm-Impact: lockout-risk"],
        "",
    );
    assert_eq!(status, 204);
    assert_eq!(request(&server, "GET", PATH, &[], "").0, 404);

    let portal = "/secure-browser/portals/d3b07384-d113-4ec6-a1f5-6a0e5b1c2f3d/identity-provider";
    let (status, body) = request(&server, "GET", portal, &[], "");
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("\"type\":\"SAML\""), "{body}");
    let (status, body) = request(
        &server,
        "PATCH",
        &format!("{portal}?dryRun=true"),
        &patch,
        r#"{"saml":{"idpSignout":true}}"#,
    );
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("\"wouldChange\":true"), "{body}");
    let (status, body) = request(&server, "GET", "/organizations", &[], "");
    assert_eq!(status, 200, "{body}");
    assert!(
        body.contains("m-0123456789abcdef0123456789abcdef"),
        "{body}"
    );
}

/// Sends `head` (the request line and headers, without the blank line) as it is, and answers the
/// status and the whole response text.
fn raw(server: &Server, head: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(&server.address).expect("connects");
    stream
        .write_all(format!("{head}\r\nConnection: close\r\n\r\n").as_bytes())
        .expect("writes");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).expect("reads");
    let status = answer
        .split(' ')
        .nth(1)
        .and_then(|status| status.parse().ok())
        .unwrap_or_default();
    (status, answer)
}

#[test]
fn a_host_that_is_not_loopback_is_refused_before_the_api_sees_it() {
    let server = start();
    let port = server
        .address
        .rsplit(':')
        .next()
        .unwrap_or_default()
        .to_owned();
    for host in [
        format!("localhost:{port}"),
        format!("127.0.0.1:{port}"),
        "127.0.0.1".to_owned(),
        "LOCALHOST".to_owned(),
        "[::1]:3000".to_owned(),
    ] {
        let (status, answer) = raw(&server, &format!("GET {PATH} HTTP/1.1\r\nHost: {host}"));
        assert_eq!(status, 200, "{host}: {answer}");
    }
    // What a browser sends once a rebinding page's name resolves to 127.0.0.1.
    for host in [
        format!("rebind.evil.example:{port}"),
        "evil.example".to_owned(),
        format!("127.0.0.1.nip.io:{port}"),
        format!("localhost.:{port}"),
        "0.0.0.0".to_owned(),
    ] {
        for method in ["GET", "DELETE"] {
            let (status, answer) = raw(
                &server,
                &format!(
                    "{method} {PATH} HTTP/1.1\r\nHost: {host}\r\nConfirm-Impact: lockout-risk"
                ),
            );
            assert_eq!(status, 421, "{method} {host}: {answer}");
            assert!(
                answer.contains("content-type: application/problem+json"),
                "{answer}"
            );
            assert!(
                answer.contains(r#""status":421,"code":"HOST_NOT_LOOPBACK""#),
                "{answer}"
            );
        }
    }
    let absolute = format!("GET http://evil.example{PATH} HTTP/1.1\r\nHost: localhost:{port}");
    assert_eq!(
        raw(&server, &absolute).0,
        421,
        "the target's authority counts too"
    );
    let twice = format!("GET {PATH} HTTP/1.1\r\nHost: localhost\r\nHost: evil.example");
    assert_eq!(raw(&server, &twice).0, 400, "two Host headers");
    assert_eq!(
        raw(&server, &format!("GET {PATH} HTTP/1.0")).0,
        400,
        "no Host at all"
    );
    // The refused DELETEs deleted nothing.
    let (status, body) = request(&server, "GET", PATH, &[], "");
    assert_eq!(status, 200, "{body}");
}

/// Runs the server with `env` and waits for it to end on its own; its exit code and standard
/// output and error.
fn run_to_exit(env: &[(&str, &str)]) -> (Option<i32>, String, String) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_idp-gateway-local"));
    command
        .env_remove("IDP_GATEWAY_UPSTREAM")
        .env_remove("ACCESS_POLICY")
        .env_remove("MANAGED_ORGANIZATION_IDS")
        .env("PORT", "0")
        .stdin(Stdio::null());
    // No credentials from the machine running the tests.
    for name in [
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_PROFILE",
        "AWS_WEB_IDENTITY_TOKEN_FILE",
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    ] {
        command.env_remove(name);
    }
    for (name, value) in env {
        command.env(name, value);
    }
    let output = command.output().expect("the local server runs");
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn every_bad_setting_is_reported_at_once_before_anything_is_printed() {
    let (code, stdout, stderr) = run_to_exit(&[
        ("PORT", "eighty"),
        ("IDP_GATEWAY_UPSTREAM", "staging"),
        ("WORKMAIL_MAX_ATTEMPTS", "99"),
        ("ACCESS_POLICY", "{\"grants\": 1}"),
    ]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(!stdout.contains("listening"), "{stdout}");
    for named in [
        "PORT=\"eighty\"",
        "IDP_GATEWAY_UPSTREAM=\"staging\"",
        "WORKMAIL_MAX_ATTEMPTS",
        "ACCESS_POLICY",
    ] {
        assert!(stderr.contains(named), "{named} missing from: {stderr}");
    }
    assert!(!stderr.contains("Os {"), "no debug dump: {stderr}");
}

#[test]
fn a_port_in_use_is_named() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    let port = taken.local_addr().expect("address").port().to_string();
    let (code, stdout, stderr) = run_to_exit(&[("PORT", &port)]);
    assert_ne!(code, Some(0));
    assert!(!stdout.contains("listening"), "{stdout}");
    assert!(
        stderr.contains(&format!("port {port}"))
            && stderr.contains("in use")
            && stderr.contains("PORT="),
        "{stderr}"
    );
}

#[test]
fn the_aws_upstream_without_credentials_does_not_start() {
    let home = std::env::temp_dir().join("idp-gateway-local-no-credentials");
    std::fs::create_dir_all(&home).expect("an empty home");
    let home = home.to_string_lossy().into_owned();
    let missing = format!("{home}/missing");
    let (code, stdout, stderr) = run_to_exit(&[
        ("IDP_GATEWAY_UPSTREAM", "aws"),
        ("HOME", &home),
        ("AWS_CONFIG_FILE", &missing),
        ("AWS_SHARED_CREDENTIALS_FILE", &missing),
        ("AWS_EC2_METADATA_DISABLED", "true"),
        ("AWS_REGION", "us-east-1"),
    ]);
    assert_eq!(code, Some(2), "{stdout}{stderr}");
    assert!(!stdout.contains("listening"), "{stdout}");
    assert!(stderr.contains("no AWS credentials"), "{stderr}");
}
