//! Adversarial review of the WorkSpaces Secure Browser routes and GET /organizations.
//!
//! Every test asserts one of the product's promises (validated input, no lost update, no lockout
//! without consent, least privilege, write-only secrets, an audit record for every change). An
//! attack that breaks its promise is a finding: its test fails and is marked
//! `#[ignore = "finding: ..."]` (run them with `--ignored` to see them fail); the attacks the product
//! resists are ordinary passing tests.

mod support;

use base64::Engine;
use idp_gateway::access::AccessPolicy;
use idp_gateway::domain::ManagedOrganizations;
use idp_gateway::http::AccessControl;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use support::portals::*;
use support::*;
use workmail_emulator::demo::{
    EMPTY_PORTAL_ARN, EMPTY_PORTAL_ID, PORTAL_ARN, PORTAL_ID, saml_metadata_valid_between,
};
use workmail_emulator::{EmulatedIdentityProvider, Emulator, Fault, FaultRule, OrganizationState};

const SECRET: &str = "adversary-client-secret-0f3c9e";
const WRITER: &str = "arn:aws:sts::123456789012:assumed-role/BrowserWriter/mallory";
const OTHER_WRITER: &str = "arn:aws:sts::123456789012:assumed-role/OtherPortalWriter/eve";
/// A third portal of the demo account, for grants and keys that must stay apart.
const THIRD_PORTAL_ID: &str = "7e57a11e-0000-4000-8000-00000000beef";

fn third_portal_arn() -> String {
    format!("arn:aws:workspaces-web:us-east-1:123456789012:portal/{THIRD_PORTAL_ID}")
}

fn google(secret: &str) -> Value {
    json!({
        "name": "Corp Google",
        "type": "Google",
        "google": { "clientId": "google-client", "clientSecret": secret, "authorizeScopes": ["openid", "email"] }
    })
}

fn with_header(mut event: Value, name: &str, value: &str) -> Value {
    set_header(&mut event, name, Some(value));
    event
}

fn confirmed(event: Value) -> Value {
    with_header(event, "confirm-impact", "lockout-risk")
}

fn calls(emulator: &Emulator, operation: &str) -> usize {
    emulator
        .calls()
        .iter()
        .filter(|call| call.operation == operation)
        .count()
}

fn policy_access(policy: &Value) -> AccessControl {
    AccessControl {
        policy: Some(AccessPolicy::parse(&policy.to_string()).expect("policy")),
        ..AccessControl::open()
    }
}

/// A harness whose `BrowserWriter` role may read and write (not escalate) the empty portal and the
/// demo portal, and whose `OtherPortalWriter` role may write the third portal only.
async fn write_only_harness() -> Harness {
    let policy = json!({ "grants": [
        { "principal": "arn:aws:iam::123456789012:role/BrowserWriter",
          "portals": [EMPTY_PORTAL_ID, PORTAL_ID], "permissions": ["read", "write"] },
        { "principal": "arn:aws:iam::123456789012:role/OtherPortalWriter",
          "portals": [THIRD_PORTAL_ID], "permissions": ["read", "write"] }
    ]});
    let harness = Harness::guarded(policy_access(&policy)).await;
    harness.emulator.add_portal(&third_portal_arn());
    harness
}

// ---------------------------------------------------------------------------------------------
// Findings: attacks that broke a promise when the review found them; each is fixed, and its test
// fails without the fix.
// ---------------------------------------------------------------------------------------------

/// A caller with `write` (not the secret) asks a dry-run PATCH with a guessed `clientSecret`:
/// `wouldChange` is `before != after` on the full secret, so it answers `false` exactly when the
/// guess is the stored secret — a precise, unlimited, write-free guessing oracle, far beyond the
/// 24 bits of `sha256Prefix` (two guesses with the same fingerprint are told apart).
#[tokio::test]
async fn a_dry_run_does_not_confirm_a_guessed_secret() {
    let harness = Harness::start().await;
    let put = harness
        .invoke(&portal_event(
            "PUT",
            EMPTY_PORTAL_ID,
            Some(&oidc(COLLIDING_A)),
        ))
        .await;
    assert_eq!(put.status, 200, "{put:?}");
    let fingerprint = put.body["oidc"]["clientSecret"]["sha256Prefix"].clone();
    let guess = |secret: &str| {
        with_query(
            portal_event(
                "PATCH",
                EMPTY_PORTAL_ID,
                Some(&json!({ "oidc": { "clientSecret": secret } })),
            ),
            "dryRun",
            "true",
        )
    };
    let right = harness.invoke(&guess(COLLIDING_A)).await;
    let wrong_same_fingerprint = harness.invoke(&guess(COLLIDING_B)).await;
    assert_eq!(right.status, 200, "{right:?}");
    assert_eq!(wrong_same_fingerprint.status, 200);
    assert_eq!(
        wrong_same_fingerprint.body["after"]["oidc"]["clientSecret"]["sha256Prefix"], fingerprint,
        "the two guesses share the fingerprint"
    );
    assert_eq!(
        right.body["wouldChange"], wrong_same_fingerprint.body["wouldChange"],
        "a dry run tells the right secret from a wrong one with the same fingerprint: right {} / wrong {}",
        right.body, wrong_same_fingerprint.body
    );
}

/// A writer may rotate the secret to one with the same 24-bit fingerprint (a birthday search of a
/// few thousand hashes): the view cannot tell the two apart, but the ETag seals the secret itself
/// with the deployment's key, so an admin's `If-Match` with the ETag read before the rotation no
/// longer matches and their PUT cannot silently undo it (a lost update).
#[tokio::test]
async fn a_secret_rotation_always_changes_the_etag() {
    let harness = Harness::start().await;
    let first = harness
        .invoke(&portal_event(
            "PUT",
            EMPTY_PORTAL_ID,
            Some(&oidc(COLLIDING_A)),
        ))
        .await;
    assert_eq!(first.status, 200, "{first:?}");
    let etag_read_by_admin = first.header("etag").expect("etag").to_owned();

    let rotated = harness
        .invoke(&portal_event(
            "PUT",
            EMPTY_PORTAL_ID,
            Some(&oidc(COLLIDING_B)),
        ))
        .await;
    assert_eq!(rotated.status, 200, "{rotated:?}");
    assert_eq!(
        harness
            .emulator
            .secure_browser_provider(EMPTY_PORTAL_ARN)
            .map(|stored| stored.details["client_secret"].clone()),
        Some(COLLIDING_B.to_owned()),
        "the rotation was written"
    );

    // The admin's write, conditional on the state they read before the rotation.
    let stale = with_header(
        portal_event("PUT", EMPTY_PORTAL_ID, Some(&oidc(COLLIDING_A))),
        "if-match",
        &etag_read_by_admin,
    );
    let answer = harness.invoke(&stale).await;
    assert_eq!(
        answer.status,
        412,
        "If-Match with the ETag from before the rotation must fail; ETag after the rotation {:?} == before {etag_read_by_admin}: {answer:?}",
        rotated.header("etag")
    );
}

/// Changing an OIDC provider's issuer (or a SAML provider's metadata) to another identity provider
/// signs every portal user out exactly as a type change does — and hands sign-in to whoever runs
/// the new IdP — but only a type change or removal asks for `escalate` and `Confirm-Impact`.
#[tokio::test]
async fn pointing_a_portal_at_another_identity_provider_needs_consent() {
    let harness = write_only_harness().await;
    let writer = |event: Value| as_caller(event, Some(WRITER));
    let created = harness
        .invoke(&writer(portal_event(
            "PUT",
            EMPTY_PORTAL_ID,
            Some(&oidc(SECRET)),
        )))
        .await;
    assert_eq!(created.status, 200, "{created:?}");

    let hijack = harness
        .invoke(&writer(portal_event(
            "PATCH",
            EMPTY_PORTAL_ID,
            Some(&json!({ "oidc": { "issuer": "https://idp.attacker.example", "clientId": "attacker-client" } })),
        )))
        .await;
    let saml_hijack = harness
        .invoke(&writer(portal_event(
            "PATCH",
            PORTAL_ID,
            Some(
                &json!({ "saml": { "metadataFile": null, "signingCertificates": null,
                "metadataUrl": "https://idp.attacker.example/metadata" } }),
            ),
        )))
        .await;
    let stored_issuer = harness
        .emulator
        .secure_browser_provider(EMPTY_PORTAL_ARN)
        .map(|stored| stored.details["oidc_issuer"].clone());
    let stored_saml = harness
        .emulator
        .secure_browser_provider(PORTAL_ARN)
        .map(|stored| stored.details.contains_key("MetadataURL"));
    assert!(
        hijack.status == 403 || hijack.status == 428,
        "a write-only caller re-pointed the OIDC provider without consent: {} (stored issuer {stored_issuer:?})",
        hijack.status
    );
    assert!(
        saml_hijack.status == 403 || saml_hijack.status == 428,
        "a write-only caller re-pointed the SAML provider without consent: {} (MetadataURL stored: {stored_saml:?})",
        saml_hijack.status
    );
}

/// `ds:X509Certificate`'s text is read with every child's `text()`, which for a comment is the
/// comment's text: a certificate hidden in an XML comment is read (and shown in the view) though a
/// SAML implementation ignores comments and finds no certificate at all. The metadata passes the
/// pre-call check that exists to keep a provider nobody can sign in with from being written.
#[tokio::test]
async fn a_certificate_inside_an_xml_comment_is_not_a_certificate() {
    let harness = Harness::start().await;
    let valid = saml_metadata_valid_between(now() - DAY, now() + 365 * DAY);
    let start = valid.find("<ds:X509Certificate>").expect("certificate") + 20;
    let end = valid
        .find("</ds:X509Certificate>")
        .expect("certificate end");
    let hidden = format!(
        "{}<!--{}-->{}",
        &valid[..start],
        &valid[start..end],
        &valid[end..]
    );
    let answer = harness
        .invoke(&portal_event("PUT", EMPTY_PORTAL_ID, Some(&saml(&hidden))))
        .await;
    assert_eq!(
        answer.status, 400,
        "metadata whose only certificate is a comment was accepted: {}",
        answer.body
    );
    assert_eq!(answer.error_locations(), ["/saml/metadataFile"]);
}

/// `nextToken` is the base64url of `<skip>:<WorkMail token>`, `skip` being the index in WorkMail's
/// page of the next organization the caller may read: decoding it counts the organizations outside
/// the caller's grants between two it may read ("never read, never listed, never counted").
#[tokio::test]
async fn the_overview_next_token_counts_no_hidden_organization() {
    async fn token_with_hidden_between(hidden: usize) -> String {
        let emulator = Emulator::start().await.expect("emulator");
        let ids: Vec<String> = (1..=hidden + 2)
            .map(|index| format!("m-{index:032x}"))
            .collect();
        for (index, id) in ids.iter().enumerate() {
            emulator.add_organization(id, &format!("org{index}"), OrganizationState::Active);
        }
        let readable = [ids[0].clone(), ids[hidden + 1].clone()];
        let policy = json!({ "grants": [
            { "principal": "arn:aws:iam::123456789012:role/MailAdminPortal",
              "organizations": readable, "permissions": ["read"] }
        ]});
        let access = AccessControl {
            managed: ManagedOrganizations::parse(Some("*")).expect("managed"),
            policy: Some(AccessPolicy::parse(&policy.to_string()).expect("policy")),
            require_if_match: false,
        };
        let api = api_over(&sdk_config(&emulator.url()).await, &test_settings(), access);
        let mut event = with_path(event("rest-get.json"), "/organizations");
        if let Some(parameters) = event["pathParameters"].as_object_mut() {
            parameters.clear();
        }
        event["queryStringParameters"] = json!({ "limit": "1" });
        event["multiValueQueryStringParameters"] = json!({ "limit": ["1"] });
        let answer = invoke_api(&api, &event).await;
        assert_eq!(answer.status, 200, "{answer:?}");
        assert_eq!(
            answer.body["organizations"].as_array().map(Vec::len),
            Some(1)
        );
        let token = answer.body["nextToken"]
            .as_str()
            .expect("a next page")
            .to_owned();
        let decoded = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(token.as_bytes())
            .expect("base64url");
        String::from_utf8(decoded).expect("text")
    }
    let one_hidden = token_with_hidden_between(1).await;
    let five_hidden = token_with_hidden_between(5).await;
    assert_eq!(
        one_hidden, five_hidden,
        "the caller sees the same page either way, but the token says {one_hidden:?} vs {five_hidden:?}"
    );
}

/// An unrecognized stored provider's ETag (`currentETag` of a 412, which any writer gets by sending
/// a wrong If-Match) is a 128-bit hash of every detail value but `client_secret`/`private_key`: a
/// value under any other key (say a secret under a key this version does not know) can be
/// confirmed offline, guess by guess, against it.
#[tokio::test]
async fn an_unrecognized_providers_etag_confirms_no_guess() {
    let harness = Harness::start().await;
    let hidden = "hunter2-future-secret";
    let mut details = std::collections::BTreeMap::from([
        ("client_id".to_owned(), "portal-client".to_owned()),
        ("client_secret".to_owned(), SECRET.to_owned()),
        ("authorize_scopes".to_owned(), "openid email".to_owned()),
        ("client_secret_next".to_owned(), hidden.to_owned()),
    ]);
    harness.emulator.set_secure_browser_provider(
        PORTAL_ARN,
        EmulatedIdentityProvider {
            name: "Corp Google".to_owned(),
            provider_type: "Google".to_owned(),
            details: details.clone(),
        },
    );
    let read = harness.invoke(&portal_event("GET", PORTAL_ID, None)).await;
    assert_eq!(read.status, 409, "{read:?}");
    assert_no_secret(&read, hidden);
    assert_no_secret(&read, SECRET);
    let probe = with_header(
        portal_event("PUT", PORTAL_ID, Some(&google("whatever-secret"))),
        "if-match",
        "\"00000000000000000000000000000000\"",
    );
    let refused = harness.invoke(&probe).await;
    assert_eq!(refused.status, 412, "{refused:?}");
    let current = refused.body["currentETag"]
        .as_str()
        .expect("currentETag")
        .to_owned();
    // The offline attack: the fingerprint of client_secret is known from nowhere, but it only
    // matters for the one known key; here it is the view's 6 hex digits computed for the test.
    let prefix: String = Sha256::digest(SECRET.as_bytes())
        .iter()
        .take(3)
        .map(|byte| format!("{byte:02x}"))
        .collect();
    let mut etag_for = |guess: &str| {
        details.insert("client_secret_next".to_owned(), guess.to_owned());
        let shown: std::collections::BTreeMap<&str, String> = details
            .iter()
            .map(|(key, value)| {
                let value = if key == "client_secret" {
                    format!("sha256Prefix:{prefix}")
                } else {
                    value.clone()
                };
                (key.as_str(), value)
            })
            .collect();
        let document = json!({ "name": "Corp Google", "type": "Google", "details": shown });
        let digest = Sha256::digest(document.to_string().as_bytes());
        let hex: String = digest.iter().take(16).map(|b| format!("{b:02x}")).collect();
        format!("\"{hex}\"")
    };
    let confirmed_guess = ["password", "letmein", hidden]
        .into_iter()
        .find(|guess| etag_for(guess) == current);
    assert_eq!(
        confirmed_guess, None,
        "the ETag confirmed the hidden value offline"
    );
}

/// The Idempotency-Key goes upstream verbatim as the client token, which WorkSpaces Web keeps per
/// account and operation: a caller who may write only another portal, using the same key first,
/// makes an admin's create on their own portal fail with 409 (and learns, by a 409, that a key was
/// used elsewhere).
#[tokio::test]
async fn an_idempotency_key_used_on_another_portal_does_not_interfere() {
    let harness = write_only_harness().await;
    let key = "setup-2026-12-01";
    let elsewhere = harness
        .invoke(&as_caller(
            with_header(
                portal_event("PUT", THIRD_PORTAL_ID, Some(&oidc("eve-secret-value-xyz"))),
                "idempotency-key",
                key,
            ),
            Some(OTHER_WRITER),
        ))
        .await;
    assert_eq!(elsewhere.status, 200, "{elsewhere:?}");
    let mine = harness
        .invoke(&as_caller(
            with_header(
                portal_event("PUT", EMPTY_PORTAL_ID, Some(&oidc(SECRET))),
                "idempotency-key",
                key,
            ),
            Some(WRITER),
        ))
        .await;
    assert_eq!(
        mine.status, 200,
        "another portal's use of the key broke this portal's write: {}",
        mine.body
    );
}

const APPLE_KEY_LINE: &str = "MIGTAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBHkwdwIBAQQgADVERSARYKEY";

fn apple(name: &str) -> Value {
    json!({
        "name": name,
        "type": "SignInWithApple",
        "signInWithApple": {
            "clientId": "com.example.portal",
            "teamId": "ABCDE12345",
            "keyId": "KEY1234567",
            "privateKey": format!("-----BEGIN PRIVATE KEY-----\n{APPLE_KEY_LINE}\n-----END PRIVATE KEY-----\n"),
            "authorizeScopes": ["email"]
        }
    })
}

/// `without_secrets` cuts a secret out of WorkSpaces Web's messages only where it appears whole and
/// byte for byte: an echo of part of it (the base64 body of a PEM private key, a value cut short, or
/// one with its line breaks normalised) reaches the caller's 422 problem and the log line.
#[tokio::test]
async fn a_partial_upstream_echo_of_a_private_key_is_scrubbed() {
    let harness = Harness::start().await;
    let created = harness
        .invoke(&portal_event(
            "PUT",
            EMPTY_PORTAL_ID,
            Some(&apple("Corp Apple")),
        ))
        .await;
    assert_eq!(created.status, 200, "{created:?}");
    harness.emulator.inject(FaultRule::new(
        "UpdateIdentityProvider",
        Fault::Rejected {
            field: "identityProviderDetails".to_owned(),
            message: format!(
                "Value at 'private_key' ({APPLE_KEY_LINE}) failed to satisfy constraint"
            ),
        },
    ));
    let refused = harness
        .invoke(&portal_event(
            "PUT",
            EMPTY_PORTAL_ID,
            Some(&apple("Corp Apple 2")),
        ))
        .await;
    assert_eq!(refused.status, 422, "{refused:?}");
    assert_no_secret(&refused, APPLE_KEY_LINE);
}

/// A REST (v1) event holds a repeated header in `multiValueHeaders` and its last value in
/// `headers`; lambda_http keeps only the latter, so `Idempotency-Key` "must be sent once" never
/// fires: two keys are accepted and the last one silently used (likewise a repeated
/// `Confirm-Impact`, whose last value alone decides).
#[tokio::test]
async fn an_idempotency_key_sent_twice_is_refused() {
    let harness = Harness::start().await;
    let mut twice = portal_event("PUT", EMPTY_PORTAL_ID, Some(&oidc(SECRET)));
    twice["multiValueHeaders"]["Idempotency-Key"] = json!(["key-a", "key-b"]);
    twice["headers"]["Idempotency-Key"] = json!("key-b");
    let answer = harness.invoke(&twice).await;
    let token = harness
        .emulator
        .calls()
        .into_iter()
        .find(|call| call.operation == "CreateIdentityProvider")
        .map(|call| call.body["clientToken"].clone());
    assert_eq!(
        answer.status, 400,
        "two Idempotency-Key values accepted; the client token used: {token:?}"
    );
}

/// An HTTP API (v2) event carries a header sent twice as one value, joined with a comma: that key is
/// refused too, and nothing is written.
#[tokio::test]
async fn an_idempotency_key_sent_twice_through_an_http_api_is_refused() {
    let harness = Harness::start().await;
    let put = with_path(
        with_method(event("http-portal-patch.json"), "PUT"),
        &portal_path(EMPTY_PORTAL_ID),
    );
    let mut twice = with_body(put, Some("application/json"), &oidc(SECRET).to_string());
    set_header(&mut twice, "Idempotency-Key", Some("key-a,key-b"));
    let answer = harness.invoke(&twice).await;
    assert_eq!(answer.status, 400, "{answer:?}");
    assert!(
        answer.body.to_string().contains("Idempotency-Key"),
        "{answer:?}"
    );
    assert!(
        harness.emulator.calls().iter().all(|call| !matches!(
            call.operation.as_str(),
            "CreateIdentityProvider" | "UpdateIdentityProvider"
        )),
        "nothing written: {:?}",
        harness.emulator.calls()
    );
}

/// At TRACE the AWS SDK logs `transmitting request` and the responses it reads; a Sign in with
/// Apple private key (whose base64 line is what a log would hold) and an OIDC secret, created,
/// replaced, patched and read back, appear in no log line.
#[tokio::test]
async fn no_private_key_reaches_a_trace_log_line() {
    let emulator = Emulator::start().await.expect("emulator");
    emulator.seed_demo();
    let mut api = api_process_with(&emulator, &[("RUST_LOG", "trace")]).await;
    for event in [
        portal_event("PUT", EMPTY_PORTAL_ID, Some(&apple("Corp Apple"))),
        portal_event("PUT", EMPTY_PORTAL_ID, Some(&apple("Corp Apple 2"))),
        portal_event(
            "PATCH",
            EMPTY_PORTAL_ID,
            Some(&json!({ "name": "Corp Apple 3" })),
        ),
        with_query(
            portal_event(
                "PATCH",
                EMPTY_PORTAL_ID,
                Some(&json!({ "name": "Corp Apple 4" })),
            ),
            "dryRun",
            "true",
        ),
        portal_event("GET", EMPTY_PORTAL_ID, None),
        confirmed(portal_event("PUT", PORTAL_ID, Some(&oidc(SECRET)))),
        portal_event("PATCH", PORTAL_ID, Some(&json!({ "name": "Renamed OIDC" }))),
    ] {
        let invocation = api.invoke(event).await;
        match &invocation.outcome {
            lambda_harness::Outcome::Response(response) => {
                assert!(!response.to_string().contains(APPLE_KEY_LINE), "{response}");
                assert!(!response.to_string().contains(SECRET), "{response}");
            }
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(
        emulator
            .secure_browser_provider(PORTAL_ARN)
            .map(|stored| stored.details["client_secret"].clone()),
        Some(SECRET.to_owned())
    );
    let logs = api.logs();
    assert!(logs.len() > 20, "TRACE is on: {} lines", logs.len());
    let leaked: Vec<&String> = logs
        .iter()
        .filter(|line| line.contains(APPLE_KEY_LINE) || line.contains(SECRET))
        .collect();
    assert!(
        leaked.is_empty(),
        "{} log lines hold a secret, e.g. {}",
        leaked.len(),
        leaked
            .first()
            .map_or("", |line| &line[..line.len().min(800)])
    );
}

// ---------------------------------------------------------------------------------------------
// Resisted: attacks the product withstands.
// ---------------------------------------------------------------------------------------------

/// A merge patch cannot move the stored secret into another type's details (JSON merge patch has no
/// move; the old member must be nulled, and the new one then lacks its secret), and nothing refused
/// repeats the stored secret.
#[tokio::test]
async fn a_type_change_patch_cannot_carry_the_stored_secret_across() {
    let harness = Harness::start().await;
    let put = harness
        .invoke(&portal_event("PUT", EMPTY_PORTAL_ID, Some(&google(SECRET))))
        .await;
    assert_eq!(put.status, 200, "{put:?}");
    let fingerprint = put.body["google"]["clientSecret"].clone();
    let patches = [
        // Type renamed, the old member left: refused at /google.
        json!({ "type": "LoginWithAmazon" }),
        // The old member dropped, the new one without its secret.
        json!({ "type": "LoginWithAmazon", "google": null,
                "loginWithAmazon": { "clientId": "x", "authorizeScopes": ["profile"] } }),
        // The view's fingerprint object offered as the new type's secret.
        json!({ "type": "Facebook", "google": null,
                "facebook": { "clientId": "x", "clientSecret": fingerprint, "authorizeScopes": ["email"] } }),
        // Into OIDC, whose details share the member name clientSecret.
        json!({ "type": "OIDC", "google": null, "oidc": { "clientId": "x",
                "issuer": "https://login.example.com", "authorizeScopes": ["openid"],
                "attributesRequestMethod": "GET" } }),
        // The secret as a member name, and as a JSON pointer escape.
        json!({ "google": { "clientSecret~1x": "y" } }),
    ];
    for patch in patches {
        for dry in [false, true] {
            let mut event = confirmed(portal_event("PATCH", EMPTY_PORTAL_ID, Some(&patch)));
            if dry {
                event = with_query(event, "dryRun", "true");
            }
            let answer = harness.invoke(&event).await;
            assert_eq!(answer.status, 400, "{patch}: {answer:?}");
            assert_no_secret(&answer, SECRET);
        }
    }
    let stored = harness
        .emulator
        .secure_browser_provider(EMPTY_PORTAL_ARN)
        .expect("stored");
    assert_eq!(stored.provider_type, "Google");
    assert_eq!(stored.details["client_secret"], SECRET);
    assert_eq!(calls(&harness.emulator, "UpdateIdentityProvider"), 0);
}

/// A complete type-changing PATCH needs consent, and escalate; a dry run of it needs escalate too.
#[tokio::test]
async fn a_type_change_by_patch_needs_escalate_and_consent() {
    let harness = write_only_harness().await;
    let writer = |event: Value| as_caller(event, Some(WRITER));
    let put = harness
        .invoke(&writer(portal_event(
            "PUT",
            EMPTY_PORTAL_ID,
            Some(&google(SECRET)),
        )))
        .await;
    assert_eq!(put.status, 200, "{put:?}");
    let switch = json!({ "type": "OIDC", "google": null, "oidc": { "clientId": "x",
        "clientSecret": "new-oidc-secret", "issuer": "https://login.example.com",
        "authorizeScopes": ["openid"], "attributesRequestMethod": "GET" } });
    for event in [
        portal_event("PATCH", EMPTY_PORTAL_ID, Some(&switch)),
        confirmed(portal_event("PATCH", EMPTY_PORTAL_ID, Some(&switch))),
        with_query(
            portal_event("PATCH", EMPTY_PORTAL_ID, Some(&switch)),
            "dryRun",
            "true",
        ),
        confirmed(portal_event("DELETE", EMPTY_PORTAL_ID, None)),
    ] {
        let answer = harness.invoke(&writer(event)).await;
        assert_eq!(answer.status, 403, "{answer:?}");
        assert_no_secret(&answer, SECRET);
        assert_no_secret(&answer, "new-oidc-secret");
    }
    // With every grant, but without Confirm-Impact: 428, nothing written.
    let open = Harness::start().await;
    let put = open
        .invoke(&portal_event("PUT", EMPTY_PORTAL_ID, Some(&google(SECRET))))
        .await;
    assert_eq!(put.status, 200);
    let unconfirmed = open
        .invoke(&portal_event("PATCH", EMPTY_PORTAL_ID, Some(&switch)))
        .await;
    assert_eq!(unconfirmed.status, 428, "{unconfirmed:?}");
    assert_eq!(
        open.emulator
            .secure_browser_provider(EMPTY_PORTAL_ARN)
            .map(|stored| stored.provider_type),
        Some("Google".to_owned())
    );
}

/// A wrong `sha256Prefix` sent back, an extra member in the fingerprint object, a number or null as
/// the secret: each refused at the secret's pointer, none repeating the stored secret; the 412 of a
/// stale If-Match and the 428 repeat no secret either.
#[tokio::test]
async fn fingerprint_games_are_refused_without_echo() {
    let harness = Harness::start().await;
    let put = harness
        .invoke(&portal_event("PUT", EMPTY_PORTAL_ID, Some(&oidc(SECRET))))
        .await;
    assert_eq!(put.status, 200);
    let prefix = put.body["oidc"]["clientSecret"]["sha256Prefix"]
        .as_str()
        .expect("prefix")
        .to_owned();
    for secret in [
        json!({ "set": true, "sha256Prefix": "000000" }),
        json!({ "set": true, "sha256Prefix": prefix, "value": "x" }),
        json!({ "set": false, "sha256Prefix": prefix }),
        json!(12),
        json!(null),
        json!(""),
    ] {
        let answer = harness
            .invoke(&portal_event(
                "PATCH",
                EMPTY_PORTAL_ID,
                Some(&json!({ "oidc": { "clientSecret": secret } })),
            ))
            .await;
        assert_eq!(answer.status, 400, "{secret}: {answer:?}");
        assert_eq!(answer.error_locations(), ["/oidc/clientSecret"], "{secret}");
        assert_no_secret(&answer, SECRET);
    }
    let stale = harness
        .invoke(&with_header(
            portal_event(
                "PATCH",
                EMPTY_PORTAL_ID,
                Some(&json!({ "name": "Renamed" })),
            ),
            "if-match",
            "\"stale\"",
        ))
        .await;
    assert_eq!(stale.status, 412);
    assert_no_secret(&stale, SECRET);
    assert_eq!(
        harness
            .emulator
            .secure_browser_provider(EMPTY_PORTAL_ARN)
            .map(|stored| stored.details["client_secret"].clone()),
        Some(SECRET.to_owned())
    );
}

/// WorkSpaces Web echoing the stored secret (sent again by a PATCH that only renames) is cut out of
/// the problem; a secret that is a substring of ordinary text only blanks that text.
#[tokio::test]
async fn an_upstream_echo_of_the_kept_secret_is_scrubbed() {
    let harness = Harness::start().await;
    let put = harness
        .invoke(&portal_event("PUT", EMPTY_PORTAL_ID, Some(&oidc(SECRET))))
        .await;
    assert_eq!(put.status, 200);
    harness.emulator.inject(FaultRule::new(
        "UpdateIdentityProvider",
        Fault::Rejected {
            field: "identityProviderDetails".to_owned(),
            message: format!("Value '{{client_secret={SECRET}}}' failed to satisfy constraint"),
        },
    ));
    let answer = harness
        .invoke(&portal_event(
            "PATCH",
            EMPTY_PORTAL_ID,
            Some(&json!({ "name": "Renamed" })),
        ))
        .await;
    assert_eq!(answer.status, 422, "{answer:?}");
    assert_no_secret(&answer, SECRET);
}

/// Crafted SAML metadata: an encryption-only certificate, a second IDPSSODescriptor with a bad
/// certificate, a wrong namespace, `use="Signing"`, deep nesting, a huge attribute, a processing
/// instruction before the root, many certificates: each refused at /saml/metadataFile (or, for
/// well-formed ones, accepted only as they are), nothing written.
#[tokio::test]
async fn crafted_saml_metadata_is_refused_at_its_pointer() {
    let harness = Harness::start().await;
    let valid = saml_metadata_valid_between(now() - DAY, now() + 365 * DAY);
    let expired = saml_metadata_valid_between(now() - 400 * DAY, now() - DAY);
    let cert = |xml: &str| {
        let start = xml.find("<ds:X509Certificate>").expect("cert") + 20;
        let end = xml.find("</ds:X509Certificate>").expect("cert end");
        xml[start..end].to_owned()
    };
    let descriptor_of = |xml: &str| {
        let start = xml.find("<md:IDPSSODescriptor").expect("descriptor");
        let end = xml.find("</md:IDPSSODescriptor>").expect("end") + "</md:IDPSSODescriptor>".len();
        xml[start..end].to_owned()
    };
    let encryption_only = valid.replace(r#"use="signing""#, r#"use="encryption""#);
    let signing_capitalised = valid.replace(r#"use="signing""#, r#"use="Signing""#);
    let two_descriptors = valid.replace(
        "</md:EntityDescriptor>",
        &format!("{}</md:EntityDescriptor>", descriptor_of(&expired)),
    );
    let wrong_namespace = valid.replace(
        "urn:oasis:names:tc:SAML:2.0:metadata",
        "urn:oasis:names:tc:SAML:2.0:metadatx",
    );
    let deep = {
        let depth = 18_000;
        valid.replace(
            "<md:NameIDFormat>",
            &format!(
                "{}{}<md:NameIDFormat>",
                "<x>".repeat(depth),
                "</x>".repeat(depth)
            ),
        )
    };
    let cert_in_extensions = {
        // A valid certificate moved under Extensions (not a KeyDescriptor), the real one expired.
        expired.replace(
            "<md:NameIDFormat>",
            &format!(
                "<md:Extensions><ds:X509Certificate>{}</ds:X509Certificate></md:Extensions><md:NameIDFormat>",
                cert(&valid)
            ),
        )
    };
    let http_sso = valid.replace(
        "https://idp.demo.example/saml/sso",
        "http://idp.demo.example/saml/sso",
    );
    let javascript_sso = valid.replace("https://idp.demo.example/saml/sso", "javascript:alert(1)");
    let cases = [
        ("encryption only", encryption_only),
        ("use=Signing", signing_capitalised),
        ("second descriptor expired", two_descriptors),
        ("wrong namespace", wrong_namespace),
        ("certificate outside KeyDescriptor", cert_in_extensions),
        ("http SSO", http_sso),
        ("javascript SSO", javascript_sso),
        (
            "external entity without DTD",
            valid.replace("entityID=\"", "entityID=\"&ext;"),
        ),
    ];
    for (what, metadata) in cases {
        let answer = harness
            .invoke(&portal_event(
                "PUT",
                EMPTY_PORTAL_ID,
                Some(&saml(&metadata)),
            ))
            .await;
        assert_eq!(answer.status, 400, "{what}: {}", answer.body);
        let locations = answer.error_locations();
        assert!(
            !locations.is_empty() && locations.iter().all(|at| at == "/saml/metadataFile"),
            "{what}: {locations:?}"
        );
    }
    assert!(
        harness
            .emulator
            .secure_browser_provider(EMPTY_PORTAL_ARN)
            .is_none()
    );
    // Nesting as deep as the size limit allows: answered (no stack overflow), written as given.
    let answer = harness
        .invoke(&portal_event("PUT", EMPTY_PORTAL_ID, Some(&saml(&deep))))
        .await;
    assert!(
        answer.status == 200 || answer.status == 400,
        "{}",
        answer.status
    );
    // Many certificates within the size limit: accepted as given, each listed.
    let many = valid.replace(
        "<md:NameIDFormat>",
        &format!(
            "{}<md:NameIDFormat>",
            format!(
                "<md:KeyDescriptor><ds:KeyInfo><ds:X509Data><ds:X509Certificate>{}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>",
                cert(&valid)
            )
            .repeat(40)
        ),
    );
    // New metadata re-points the portal's sign-in: confirmed.
    let mut replace = portal_event("PUT", EMPTY_PORTAL_ID, Some(&saml(&many)));
    set_header(&mut replace, "confirm-impact", Some("lockout-risk"));
    let answer = harness.invoke(&replace).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(
        answer.body["saml"]["signingCertificates"]
            .as_array()
            .map(Vec::len),
        Some(41)
    );
}

/// Portal ids in the path: uppercase, percent-encoded, with a trailing slash or a dot segment,
/// braces: refused before any WorkSpaces Web call, never reaching another portal.
#[tokio::test]
async fn portal_id_path_tricks_are_refused() {
    let harness = Harness::start().await;
    let upper = PORTAL_ID.to_ascii_uppercase();
    let encoded = PORTAL_ID.replacen('d', "%64", 1);
    let paths = [
        portal_path(&upper),
        portal_path(&encoded),
        format!("{}/", portal_path(PORTAL_ID)),
        format!("/secure-browser/portals/{PORTAL_ID}/./identity-provider"),
        format!("/secure-browser/portals/{EMPTY_PORTAL_ID}/../{PORTAL_ID}/identity-provider"),
        portal_path(&format!("{{{PORTAL_ID}}}")),
        portal_path(&format!("{PORTAL_ID}%00")),
        portal_path(&format!(" {PORTAL_ID}")),
    ];
    for path in paths {
        let answer = harness
            .invoke(&with_path(event("rest-portal-get.json"), &path))
            .await;
        assert!(
            answer.status == 400 || answer.status == 404,
            "{path}: {answer:?}"
        );
        assert_ne!(answer.status, 200, "{path}");
    }
    assert_eq!(calls(&harness.emulator, "ListIdentityProviders"), 0);
}

/// Idempotency-Key: non-ASCII, empty, padded, or comma-joined (what an HTTP API makes of a key sent
/// twice, so never taken as one key nor split to pick one): refused before any call.
#[tokio::test]
async fn idempotency_key_header_tricks_are_refused() {
    let harness = Harness::start().await;
    for bad in ["ключ", "", " a", "a ", "a, b", "a,b"] {
        let event = with_header(
            portal_event("PUT", EMPTY_PORTAL_ID, Some(&oidc(SECRET))),
            "idempotency-key",
            bad,
        );
        let answer = harness.invoke(&event).await;
        assert_eq!(answer.status, 400, "{bad:?}: {answer:?}");
        assert_no_secret(&answer, SECRET);
    }
    assert_eq!(calls(&harness.emulator, "CreateIdentityProvider"), 0);
}

/// Grants: an organizations `*` grant reaches no portal, a portal `*` grant no organization, a
/// listed portal no other; `escalate` without `write` writes nothing; an uppercase portal id in a
/// grant is refused when the policy is read.
#[tokio::test]
async fn grants_do_not_cross_between_organizations_and_portals() {
    let policy = json!({ "grants": [
        { "principal": "arn:aws:iam::123456789012:role/MailAdminPortal", "organizations": ["*"],
          "permissions": ["read", "write", "escalate"] },
        { "principal": "arn:aws:iam::123456789012:role/AllPortals", "portals": ["*"],
          "permissions": ["read", "write", "escalate"] },
        { "principal": "arn:aws:iam::123456789012:role/EscalateOnly", "portals": [EMPTY_PORTAL_ID],
          "permissions": ["escalate"] }
    ]});
    let harness = Harness::guarded(policy_access(&policy)).await;
    let mail = harness
        .invoke(&portal_event("PUT", EMPTY_PORTAL_ID, Some(&oidc(SECRET))))
        .await;
    assert_eq!(mail.status, 403, "{mail:?}");
    let portals_only = |event: Value| {
        as_caller(
            event,
            Some("arn:aws:sts::123456789012:assumed-role/AllPortals/p"),
        )
    };
    let org_read = harness.invoke(&portals_only(event("rest-get.json"))).await;
    assert_eq!(org_read.status, 403, "{org_read:?}");
    let mut overview = with_path(event("rest-get.json"), "/organizations");
    if let Some(parameters) = overview["pathParameters"].as_object_mut() {
        parameters.clear();
    }
    let listing = harness.invoke(&portals_only(overview)).await;
    assert_eq!(listing.status, 403, "{listing:?}");
    let escalate_only = |event: Value| {
        as_caller(
            event,
            Some("arn:aws:sts::123456789012:assumed-role/EscalateOnly/e"),
        )
    };
    for event in [
        portal_event("GET", EMPTY_PORTAL_ID, None),
        confirmed(portal_event("PUT", EMPTY_PORTAL_ID, Some(&oidc(SECRET)))),
        confirmed(portal_event("DELETE", PORTAL_ID, None)),
    ] {
        let answer = harness.invoke(&escalate_only(event)).await;
        assert_eq!(answer.status, 403, "{answer:?}");
    }
    assert!(
        harness
            .emulator
            .secure_browser_provider(EMPTY_PORTAL_ARN)
            .is_none()
    );
    let upper = json!({ "grants": [
        { "principal": "arn:aws:iam::123456789012:role/X",
          "portals": [EMPTY_PORTAL_ID.to_ascii_uppercase()], "permissions": ["read"] }
    ]});
    assert!(AccessPolicy::parse(&upper.to_string()).is_err());
    let sts_principal = json!({ "grants": [
        { "principal": "arn:aws:sts::123456789012:assumed-role/X/s",
          "portals": ["*"], "permissions": ["read"] }
    ]});
    assert!(AccessPolicy::parse(&sts_principal.to_string()).is_err());
}

/// Names at the edges of the pattern: 32 astral characters (64 UTF-16 units) are 32 characters to
/// both the gateway and the model; a zero-width or RTL-override second character, or an underscore
/// after it, is refused at /name; 33 combining-mark-laden characters are refused.
#[tokio::test]
async fn name_pattern_edges_are_checked_at_the_pointer() {
    let harness = Harness::start().await;
    let astral = "𝒜".repeat(32);
    let accepted = harness
        .invoke(&portal_event(
            "PUT",
            EMPTY_PORTAL_ID,
            Some(&json!({ "name": astral, "type": "SAML",
                "saml": { "metadataUrl": "https://idp.example.com/metadata" } })),
        ))
        .await;
    assert_eq!(accepted.status, 200, "{}", accepted.body);
    for name in [
        "a\u{200B}bc".to_owned(),
        "a\u{202E}bc".to_owned(),
        "a bc".to_owned(),
        "ab_c".to_owned(),
        "e\u{301}".repeat(17),
        "a\u{0}".to_owned(),
    ] {
        let answer = harness
            .invoke(&portal_event(
                "PUT",
                EMPTY_PORTAL_ID,
                Some(&json!({ "name": name, "type": "SAML",
                    "saml": { "metadataUrl": "https://idp.example.com/metadata" } })),
            ))
            .await;
        assert_eq!(answer.status, 400, "{name:?}: {}", answer.body);
        assert_eq!(answer.error_locations(), ["/name"], "{name:?}");
    }
}

/// A forged nextToken only moves where the listing starts: it never shows an organization outside
/// the grants, and the counts in a page are of readable organizations only.
#[tokio::test]
async fn a_forged_next_token_shows_nothing_outside_the_grants() {
    let emulator = Emulator::start().await.expect("emulator");
    emulator.seed_demo();
    let ids: Vec<String> = (1..=6).map(|index| format!("m-{index:032x}")).collect();
    for (index, id) in ids.iter().enumerate() {
        emulator.add_organization(id, &format!("org{index}"), OrganizationState::Active);
    }
    let policy = json!({ "grants": [
        { "principal": "arn:aws:iam::123456789012:role/MailAdminPortal",
          "organizations": [ids[1]], "permissions": ["read"] }
    ]});
    let access = AccessControl {
        managed: ManagedOrganizations::parse(Some("*")).expect("managed"),
        policy: Some(AccessPolicy::parse(&policy.to_string()).expect("policy")),
        require_if_match: false,
    };
    let api = api_over(&sdk_config(&emulator.url()).await, &test_settings(), access);
    // Resuming after any organization, readable or not, listed or not.
    let unknown = format!("m-{:032x}", 99);
    let afters: Vec<&str> = ids
        .iter()
        .map(String::as_str)
        .chain([ORG, unknown.as_str()])
        .collect();
    for after in afters {
        let token = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("{after}:"));
        let mut event = with_path(event("rest-get.json"), "/organizations");
        if let Some(parameters) = event["pathParameters"].as_object_mut() {
            parameters.clear();
        }
        event["queryStringParameters"] = json!({ "nextToken": token });
        event["multiValueQueryStringParameters"] = json!({ "nextToken": [token] });
        let answer = invoke_api(&api, &event).await;
        assert_eq!(answer.status, 200, "{answer:?}");
        for entry in answer.body["organizations"].as_array().expect("list") {
            assert_eq!(entry["organizationId"], ids[1].as_str(), "{}", answer.body);
        }
    }
    let described = described_organizations(&emulator);
    assert!(described.iter().all(|id| id == &ids[1]), "{described:?}");
}
