//! The WorkSpaces Secure Browser routes through the emulator over real HTTP with the real SDK client,
//! REST (v1) and HTTP (v2) events: every provider type valid and invalid, SAML metadata certificates,
//! XML attacks, secrets kept out of every answer, PATCH keeping secrets, ETag and If-Match, dry run,
//! DELETE and type-change confirmation, the idempotency key, and each upstream error.

mod support;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};
use support::portals::*;
use support::*;
use workmail_emulator::demo::{
    EMPTY_PORTAL_ARN, EMPTY_PORTAL_ID, PORTAL_ARN, PORTAL_ID, saml_metadata_valid_between,
};
use workmail_emulator::{Fault, FaultRule};

const SECRET: &str = "s3cr3t-client-secret-value-7a1c";

#[tokio::test]
async fn the_demo_portal_is_read_with_its_certificate_and_etag() {
    let harness = Harness::start().await;
    let answer = harness.invoke_file("rest-portal-get.json").await;
    assert_eq!(answer.status, 200, "{answer:?}");
    assert_eq!(answer.body["type"], "SAML");
    assert!(answer.body["saml"]["metadataFile"].as_str().is_some());
    let certificates = answer.body["saml"]["signingCertificates"]
        .as_array()
        .expect("signing certificates");
    assert_eq!(certificates.len(), 1, "{answer:?}");
    assert!(
        answer
            .header("etag")
            .is_some_and(|tag| tag.starts_with('"'))
    );
    let head = harness
        .invoke(&with_method(event("rest-portal-get.json"), "HEAD"))
        .await;
    assert_eq!(head.status, 200);
    assert_eq!(head.body, Value::Null, "HEAD answers no body");
    assert_eq!(head.header("etag"), answer.header("etag"));
}

#[tokio::test]
async fn a_put_creates_then_updates_and_secrets_never_come_back() {
    let harness = Harness::start().await;
    let created = harness.invoke_file("rest-portal-put.json").await;
    assert_eq!(created.status, 200, "{created:?}");
    let stored = harness
        .emulator
        .secure_browser_provider(EMPTY_PORTAL_ARN)
        .expect("created");
    assert_eq!(stored.provider_type, "OIDC");
    assert_eq!(
        stored.details["client_secret"],
        "demo-oidc-client-secret-3f9a"
    );
    assert_eq!(stored.details["authorize_scopes"], "openid email");
    assert_no_secret(&created, "demo-oidc-client-secret-3f9a");
    let fingerprint = created.body["oidc"]["clientSecret"].clone();
    assert_eq!(fingerprint["set"], true, "{created:?}");
    assert_eq!(
        fingerprint["sha256Prefix"].as_str().map(str::len),
        Some(6),
        "{created:?}"
    );
    let create_calls: Vec<_> = harness
        .emulator
        .calls()
        .into_iter()
        .filter(|call| call.operation == "CreateIdentityProvider")
        .collect();
    assert_eq!(create_calls.len(), 1);
    let key = idp_gateway::domain::IdempotencyKey::parse("portal-setup-2026-12-01").expect("key");
    let scope = format!("arn:aws:iam::123456789012:role/MailAdminPortal\n{EMPTY_PORTAL_ARN}");
    assert_eq!(
        create_calls[0].body["clientToken"],
        key.scoped_to(&scope).as_str(),
        "the Idempotency-Key, scoped to its caller and portal, is the client token"
    );

    let updated = harness
        .invoke(&portal_event("PUT", EMPTY_PORTAL_ID, Some(&oidc(SECRET))))
        .await;
    assert_eq!(updated.status, 200, "{updated:?}");
    assert_no_secret(&updated, SECRET);
    assert_ne!(
        updated.body["oidc"]["clientSecret"]["sha256Prefix"], fingerprint["sha256Prefix"],
        "a rotated secret shows as another fingerprint"
    );
    assert_ne!(updated.header("etag"), created.header("etag"));
    let read = harness
        .invoke(&portal_event("GET", EMPTY_PORTAL_ID, None))
        .await;
    assert_eq!(read.status, 200);
    assert_no_secret(&read, SECRET);
    assert_eq!(read.header("etag"), updated.header("etag"));
}

#[tokio::test]
async fn a_patch_keeps_the_stored_secret_and_honours_if_match() {
    let harness = Harness::start().await;
    let put = harness
        .invoke(&portal_event("PUT", EMPTY_PORTAL_ID, Some(&oidc(SECRET))))
        .await;
    assert_eq!(put.status, 200, "{put:?}");
    let etag = put.header("etag").expect("etag").to_owned();

    let mut stale = portal_event(
        "PATCH",
        EMPTY_PORTAL_ID,
        Some(&json!({ "name": "Renamed OIDC" })),
    );
    set_header(&mut stale, "if-match", Some("\"0000\""));
    let refused = harness.invoke(&stale).await;
    assert_eq!(refused.status, 412, "{refused:?}");
    assert_eq!(refused.problem_code(), "PRECONDITION_FAILED");
    assert_no_secret(&refused, SECRET);

    let mut patch = portal_event(
        "PATCH",
        EMPTY_PORTAL_ID,
        Some(&json!({ "name": "Renamed OIDC" })),
    );
    set_header(&mut patch, "if-match", Some(&etag));
    let patched = harness.invoke(&patch).await;
    assert_eq!(patched.status, 200, "{patched:?}");
    assert_eq!(patched.body["name"], "Renamed OIDC");
    let stored = harness
        .emulator
        .secure_browser_provider(EMPTY_PORTAL_ARN)
        .expect("stored");
    assert_eq!(stored.name, "Renamed OIDC");
    assert_eq!(
        stored.details["client_secret"], SECRET,
        "the secret was kept"
    );

    let view_back = json!({ "oidc": { "clientSecret": patched.body["oidc"]["clientSecret"] } });
    let unchanged = harness
        .invoke(&portal_event("PATCH", EMPTY_PORTAL_ID, Some(&view_back)))
        .await;
    assert_eq!(unchanged.status, 200, "{unchanged:?}");
    assert_eq!(unchanged.header("etag"), patched.header("etag"));
    let updates = harness
        .emulator
        .calls()
        .into_iter()
        .filter(|call| call.operation == "UpdateIdentityProvider")
        .count();
    assert_eq!(updates, 1, "sending the fingerprint back writes nothing");
}

#[tokio::test]
async fn a_dry_run_shows_the_change_by_fingerprint_and_writes_nothing() {
    let harness = Harness::start().await;
    let put = harness
        .invoke(&portal_event("PUT", EMPTY_PORTAL_ID, Some(&oidc(SECRET))))
        .await;
    assert_eq!(put.status, 200);
    let rotated = "another-secret-for-the-dry-run-99";
    let dry = harness
        .invoke(&with_query(
            portal_event("PUT", EMPTY_PORTAL_ID, Some(&oidc(rotated))),
            "dryRun",
            "true",
        ))
        .await;
    assert_eq!(dry.status, 200, "{dry:?}");
    assert_eq!(dry.body["dryRun"], true);
    assert_eq!(dry.body["wouldChange"], true);
    assert_no_secret(&dry, rotated);
    assert_no_secret(&dry, SECRET);
    let diff = dry.body["diff"].to_string();
    assert!(diff.contains("clientSecret"), "{diff}");
    let stored = harness
        .emulator
        .secure_browser_provider(EMPTY_PORTAL_ARN)
        .expect("stored");
    assert_eq!(
        stored.details["client_secret"], SECRET,
        "nothing was written"
    );
}

#[tokio::test]
async fn removal_and_type_changes_need_confirmation() {
    let harness = Harness::start().await;
    let delete = harness
        .invoke(&portal_event("DELETE", PORTAL_ID, None))
        .await;
    assert_eq!(delete.status, 428, "{delete:?}");
    assert_eq!(delete.problem_code(), "CONFIRMATION_REQUIRED");
    assert!(
        harness
            .emulator
            .secure_browser_provider(PORTAL_ARN)
            .is_some()
    );

    let switch = harness
        .invoke(&portal_event("PUT", PORTAL_ID, Some(&oidc(SECRET))))
        .await;
    assert_eq!(switch.status, 428, "{switch:?}");
    assert_eq!(switch.problem_code(), "CONFIRMATION_REQUIRED");
    assert_no_secret(&switch, SECRET);
    assert_eq!(
        harness
            .emulator
            .secure_browser_provider(PORTAL_ARN)
            .map(|stored| stored.provider_type),
        Some("SAML".to_owned())
    );

    let preview = harness
        .invoke(&with_query(
            portal_event("DELETE", PORTAL_ID, None),
            "dryRun",
            "true",
        ))
        .await;
    assert_eq!(
        preview.status, 200,
        "a dry run previews without consent: {preview:?}"
    );
    assert_eq!(preview.body["requiresConfirmation"], true);
    assert_eq!(preview.body["after"], Value::Null);
    assert!(
        harness
            .emulator
            .secure_browser_provider(PORTAL_ARN)
            .is_some()
    );

    let confirmed = harness.invoke_file("rest-portal-delete.json").await;
    assert_eq!(confirmed.status, 204, "{confirmed:?}");
    assert!(
        harness
            .emulator
            .secure_browser_provider(PORTAL_ARN)
            .is_none()
    );
    let again = harness.invoke(&portal_event("GET", PORTAL_ID, None)).await;
    assert_eq!(again.status, 404);
    assert_eq!(again.problem_code(), "IDENTITY_PROVIDER_NOT_CONFIGURED");
}

#[tokio::test]
async fn the_http_api_patch_sample_changes_one_saml_setting() {
    let harness = Harness::start().await;
    let answer = harness.invoke_file("http-portal-patch.json").await;
    assert_eq!(answer.status, 200, "{answer:?}");
    assert_eq!(answer.body["saml"]["idpSignout"], true);
    let stored = harness
        .emulator
        .secure_browser_provider(PORTAL_ARN)
        .expect("stored");
    assert_eq!(stored.details["IDPSignout"], "true");
}

#[tokio::test]
async fn invalid_bodies_are_refused_at_their_pointers_before_any_call() {
    let harness = Harness::start().await;
    let cases: Vec<(Value, &[&str])> = vec![
        (
            json!({ "name": "Corp", "type": "Google", "google": { "clientId": "id" } }),
            &["/google/clientSecret", "/google/authorizeScopes"],
        ),
        (
            json!({ "name": "Corp", "type": "OIDC", "oidc": {
                "clientId": "id", "clientSecret": "s", "issuer": "http://login.example.com",
                "authorizeScopes": ["openid"], "attributesRequestMethod": "GET" } }),
            &["/oidc/issuer"],
        ),
        (
            json!({ "name": "Corp", "type": "SAML", "saml": {
                "metadataUrl": "https://idp.example.com/metadata", "metadataFile": "<x/>" } }),
            &["/saml/metadataUrl"],
        ),
        (
            json!({ "name": "Corp", "type": "SAML", "saml": {
                "metadataUrl": "https://idp.example.com/metadata", "idpSignout": "true" } }),
            &["/saml/idpSignout"],
        ),
        (
            json!({ "name": "_Corp", "type": "SAML", "saml": {
                "metadataUrl": "https://idp.example.com/metadata" } }),
            &["/name"],
        ),
        (
            json!({ "name": "C".repeat(33), "type": "SAML", "saml": {
                "metadataUrl": "https://idp.example.com/metadata" } }),
            &["/name"],
        ),
        (
            json!({ "name": "Corp", "type": "SAML", "oidc": {}, "saml": {
                "metadataUrl": "https://idp.example.com/metadata" } }),
            &["/oidc"],
        ),
        (
            json!({ "name": "Corp", "type": "SAML", "saml": {
                "metadataUrl": "https://idp.example.com/metadata",
                "requestSigningAlgorithm": "rsa-sha1" } }),
            &["/saml/requestSigningAlgorithm"],
        ),
    ];
    for (body, pointers) in cases {
        let answer = harness
            .invoke(&portal_event("PUT", EMPTY_PORTAL_ID, Some(&body)))
            .await;
        assert_eq!(answer.status, 400, "{body}: {answer:?}");
        assert_eq!(answer.problem_code(), "VALIDATION_FAILED");
        let locations = answer.error_locations();
        for pointer in pointers {
            assert!(
                locations.iter().any(|location| location == pointer),
                "{body}: {pointer} not in {locations:?}"
            );
        }
    }
    assert!(
        harness
            .emulator
            .calls()
            .iter()
            .all(|call| call.operation != "CreateIdentityProvider"),
        "nothing invalid reached WorkSpaces Web"
    );
}

#[tokio::test]
async fn saml_certificates_are_checked_before_the_call() {
    let harness = Harness::start().await;
    let expired = saml_metadata_valid_between(now() - 400 * DAY, now() - DAY);
    let refused = harness
        .invoke(&portal_event("PUT", EMPTY_PORTAL_ID, Some(&saml(&expired))))
        .await;
    assert_eq!(refused.status, 400, "{refused:?}");
    assert_eq!(refused.error_locations(), ["/saml/metadataFile"]);
    assert!(
        harness
            .emulator
            .secure_browser_provider(EMPTY_PORTAL_ARN)
            .is_none()
    );

    let expiring = saml_metadata_valid_between(now() - DAY, now() + 10 * DAY);
    let warned = harness
        .invoke(&portal_event(
            "PUT",
            EMPTY_PORTAL_ID,
            Some(&saml(&expiring)),
        ))
        .await;
    assert_eq!(warned.status, 200, "{warned:?}");
    let warnings = warned.body["warnings"].to_string();
    assert!(warnings.contains("expire"), "{warnings}");

    let valid = saml_metadata_valid_between(now() - DAY, now() + 365 * DAY);
    let replacing = harness
        .invoke(&portal_event("PUT", EMPTY_PORTAL_ID, Some(&saml(&valid))))
        .await;
    assert_eq!(
        replacing.status, 428,
        "new metadata re-points every sign-in: {replacing:?}"
    );
    let mut confirmed = portal_event("PUT", EMPTY_PORTAL_ID, Some(&saml(&valid)));
    set_header(&mut confirmed, "confirm-impact", Some("lockout-risk"));
    let accepted = harness.invoke(&confirmed).await;
    assert_eq!(accepted.status, 200, "{accepted:?}");
    assert_eq!(accepted.body.get("warnings"), None, "{accepted:?}");
}

#[tokio::test]
async fn xml_entity_attacks_are_refused() {
    let harness = Harness::start().await;
    let xxe = r#"<?xml version="1.0"?><!DOCTYPE m [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="&xxe;"/>"#;
    let laughs = r#"<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]><md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="&lol3;"/>"#;
    for attack in [xxe, laughs] {
        let answer = harness
            .invoke(&portal_event("PUT", EMPTY_PORTAL_ID, Some(&saml(attack))))
            .await;
        assert_eq!(answer.status, 400, "{answer:?}");
        assert_eq!(answer.error_locations(), ["/saml/metadataFile"]);
    }
}

#[tokio::test]
async fn bad_path_and_headers_are_refused() {
    let harness = Harness::start().await;
    let bad_portal = harness
        .invoke(&portal_event("GET", "not-a-uuid", None))
        .await;
    assert_eq!(bad_portal.status, 400);
    assert_eq!(bad_portal.error_locations(), ["portalId"]);
    let mut bad_key = portal_event("PUT", EMPTY_PORTAL_ID, Some(&oidc(SECRET)));
    set_header(&mut bad_key, "idempotency-key", Some(&"k".repeat(513)));
    let refused = harness.invoke(&bad_key).await;
    assert_eq!(refused.status, 400, "{refused:?}");
    assert_eq!(refused.body["errors"][0]["header"], "Idempotency-Key");
    assert_no_secret(&refused, SECRET);
    let unknown = harness
        .invoke(&portal_event(
            "PUT",
            "11111111-2222-4333-8444-555555555555",
            Some(&oidc(SECRET)),
        ))
        .await;
    assert_eq!(unknown.status, 404, "{unknown:?}");
    assert_eq!(unknown.problem_code(), "PORTAL_NOT_FOUND");
    assert_no_secret(&unknown, SECRET);
}

/// A create replayed by WorkSpaces Web from an earlier request with the same key (the provider it
/// made since removed) stores nothing: the answer says so, it does not report a success.
#[tokio::test]
async fn a_write_the_read_back_does_not_find_is_not_answered_as_a_success() {
    let harness = Harness::start().await;
    let keyed = || {
        let mut put = portal_event("PUT", EMPTY_PORTAL_ID, Some(&oidc(SECRET)));
        set_header(&mut put, "idempotency-key", Some("portal-setup-1"));
        put
    };
    let created = harness.invoke(&keyed()).await;
    assert_eq!(created.status, 200, "{created:?}");
    let mut removal = portal_event("DELETE", EMPTY_PORTAL_ID, None);
    set_header(&mut removal, "confirm-impact", Some("lockout-risk"));
    let removed = harness.invoke(&removal).await;
    assert_eq!(removed.status, 204, "{removed:?}");

    let replayed = harness.invoke(&keyed()).await;
    assert_eq!(replayed.status, 409, "{replayed:?}");
    assert_eq!(replayed.problem_code(), "WRITE_NOT_CONFIRMED");
    assert_no_secret(&replayed, SECRET);
    assert!(
        harness
            .emulator
            .secure_browser_provider(EMPTY_PORTAL_ARN)
            .is_none(),
        "WorkSpaces Web replayed its earlier answer and created nothing"
    );

    let mut fresh = keyed();
    set_header(&mut fresh, "idempotency-key", Some("portal-setup-2"));
    let recreated = harness.invoke(&fresh).await;
    assert_eq!(
        recreated.status, 200,
        "a new key writes anew: {recreated:?}"
    );
}

/// Invokes the harness's API with an invocation deadline `left` from now.
async fn invoke_with_time_left(harness: &Harness, event: &Value, left: Duration) -> Answer {
    let payload: lambda_http::request::LambdaRequest =
        serde_json::from_value(event.clone()).expect("an HTTP event");
    let mut context = test_context();
    let now = SystemTime::now().duration_since(UNIX_EPOCH).expect("clock");
    context.deadline = u64::try_from((now + left).as_millis()).expect("milliseconds");
    let response = harness
        .api
        .handle_event(lambda_http::LambdaEvent::new(payload, context))
        .await;
    Answer::from_lambda(serde_json::to_value(&response).expect("response serializes"))
}

/// A portal write is sent only while the invocation has time left for it, its confirming read and
/// the answer (here two lease lifetimes and 2 s: 32 s): with less, nothing is written.
#[tokio::test]
async fn a_portal_write_is_not_sent_without_time_to_confirm_and_answer_it() {
    let harness = Harness::start().await;
    let put = portal_event("PUT", EMPTY_PORTAL_ID, Some(&oidc(SECRET)));
    let refused = invoke_with_time_left(&harness, &put, Duration::from_secs(20)).await;
    assert_eq!(refused.status, 503, "{refused:?}");
    assert_eq!(refused.problem_code(), "TIME_EXHAUSTED");
    assert_eq!(refused.header("retry-after"), Some("1"));
    assert!(
        harness
            .emulator
            .secure_browser_provider(EMPTY_PORTAL_ARN)
            .is_none(),
        "nothing written"
    );
    let written = invoke_with_time_left(&harness, &put, Duration::from_secs(40)).await;
    assert_eq!(written.status, 200, "{written:?}");
}

#[tokio::test]
async fn upstream_errors_map_to_the_same_problems_as_workmail() {
    let cases: [(Fault, u16, &str); 5] = [
        (
            Fault::Error {
                status: 409,
                type_name: "ConflictException".to_owned(),
                message: "a concurrent change".to_owned(),
            },
            409,
            "UPSTREAM_CONFLICT",
        ),
        (
            Fault::Rejected {
                field: "identityProviderDetails".to_owned(),
                message: "the metadata could not be fetched".to_owned(),
            },
            422,
            "UPSTREAM_REJECTED",
        ),
        (Fault::Throttle, 429, "THROTTLED"),
        (Fault::AccessDenied, 502, "UPSTREAM_ACCESS_DENIED"),
        (Fault::ServerError, 502, "UPSTREAM_ERROR"),
    ];
    for (fault, status, code) in cases {
        let harness = Harness::start().await;
        harness
            .emulator
            .inject(FaultRule::new("UpdateIdentityProvider", fault.clone()));
        let answer = harness
            .invoke(&portal_event(
                "PATCH",
                PORTAL_ID,
                Some(&json!({ "saml": { "idpInit": true } })),
            ))
            .await;
        assert_eq!(answer.status, status, "{fault:?}: {answer:?}");
        assert_eq!(answer.problem_code(), code, "{fault:?}");
        if status == 429 {
            assert!(answer.header("retry-after").is_some());
        }
        if status == 422 {
            assert_eq!(
                answer.body["errors"][0]["field"], "identityProviderDetails",
                "{answer:?}"
            );
        }
    }
}

#[tokio::test]
async fn an_upstream_that_does_not_answer_in_time_is_a_504() {
    let mut settings = test_settings();
    settings.operation_timeout = std::time::Duration::from_millis(300);
    settings.attempt_timeout = std::time::Duration::from_millis(200);
    let harness = Harness::with_settings(settings).await;
    harness.emulator.inject(FaultRule::new(
        "ListIdentityProviders",
        Fault::Latency(std::time::Duration::from_secs(2)),
    ));
    let answer = harness.invoke(&portal_event("GET", PORTAL_ID, None)).await;
    assert_eq!(answer.status, 504, "{answer:?}");
    assert_eq!(answer.problem_code(), "UPSTREAM_TIMEOUT");
}

#[tokio::test]
async fn portal_grants_are_separate_from_organization_grants() {
    let policy = json!({ "grants": [
        { "principal": "arn:aws:iam::123456789012:role/MailAdminPortal", "organizations": ["*"], "permissions": ["read", "write", "escalate"] },
        { "principal": "arn:aws:iam::123456789012:role/BrowserAdmin", "portals": [EMPTY_PORTAL_ID], "permissions": ["write"] }
    ]});
    let access = idp_gateway::http::AccessControl {
        policy: Some(
            idp_gateway::access::AccessPolicy::parse(&policy.to_string()).expect("policy"),
        ),
        ..idp_gateway::http::AccessControl::open()
    };
    let harness = Harness::guarded(access).await;
    let mail_admin = harness.invoke_file("rest-portal-get.json").await;
    assert_eq!(
        mail_admin.status, 403,
        "an organization grant is no portal grant"
    );
    let browser_admin = |event: Value| {
        as_caller(
            event,
            Some("arn:aws:sts::123456789012:assumed-role/BrowserAdmin/bob"),
        )
    };
    let other_portal = harness
        .invoke(&browser_admin(portal_event("GET", PORTAL_ID, None)))
        .await;
    assert_eq!(other_portal.status, 403);
    let created = harness
        .invoke(&browser_admin(portal_event(
            "PUT",
            EMPTY_PORTAL_ID,
            Some(&oidc(SECRET)),
        )))
        .await;
    assert_eq!(created.status, 200, "{created:?}");
    let removal = harness
        .invoke(&browser_admin(portal_event(
            "DELETE",
            EMPTY_PORTAL_ID,
            None,
        )))
        .await;
    assert_eq!(removal.status, 403, "removal needs escalate");
}

/// A rotation to a secret with the same fingerprint changes neither the view nor the diff; its
/// audit record still says which secrets the request wrote (from the request, never from a
/// comparison with the stored secret, so it answers no guess).
#[tokio::test]
async fn the_audit_record_names_every_secret_a_request_wrote() {
    let emulator = workmail_emulator::Emulator::start()
        .await
        .expect("emulator");
    emulator.seed_demo();
    let mut api = api_process(&emulator).await;
    for event in [
        portal_event("PUT", EMPTY_PORTAL_ID, Some(&oidc(COLLIDING_A))),
        portal_event("PUT", EMPTY_PORTAL_ID, Some(&oidc(COLLIDING_B))),
        portal_event(
            "PATCH",
            EMPTY_PORTAL_ID,
            Some(&json!({ "name": "Renamed" })),
        ),
        portal_event(
            "PATCH",
            EMPTY_PORTAL_ID,
            Some(&json!({ "oidc": { "clientSecret": COLLIDING_A } })),
        ),
    ] {
        let answer = match api.invoke(event).await.outcome {
            lambda_harness::Outcome::Response(raw) => Answer::from_lambda(raw),
            other => panic!("no answer: {other:?}"),
        };
        assert_eq!(answer.status, 200, "{answer:?}");
    }
    let audits: Vec<Value> = api
        .logs()
        .iter()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter(|record| record["audit"] == true)
        .collect();
    let named: Vec<&Value> = audits
        .iter()
        .map(|record| &record["secretsNamed"])
        .collect();
    assert_eq!(
        named,
        [
            &json!(["/oidc/clientSecret"]),
            &json!(["/oidc/clientSecret"]),
            &json!([]),
            &json!(["/oidc/clientSecret"]),
        ],
        "{audits:?}"
    );
    assert_eq!(audits[1]["effect"], "written");
    assert_eq!(
        audits[1]["diff"],
        json!([]),
        "the view cannot show this rotation"
    );
    assert_eq!(
        emulator
            .secure_browser_provider(EMPTY_PORTAL_ARN)
            .map(|stored| stored.details["client_secret"].clone()),
        Some(COLLIDING_A.to_owned())
    );
}

#[tokio::test]
#[cfg_attr(
    not(debug_assertions),
    ignore = "release builds leave TRACE events out (tracing's release_max_level_debug)"
)]
async fn no_secret_reaches_any_log_line_even_at_trace() {
    let emulator = workmail_emulator::Emulator::start()
        .await
        .expect("emulator");
    emulator.seed_demo();
    let mut api = api_process_with(&emulator, &[("RUST_LOG", "trace")]).await;
    for event in [
        portal_event("PUT", EMPTY_PORTAL_ID, Some(&oidc(SECRET))),
        with_query(
            portal_event(
                "PUT",
                EMPTY_PORTAL_ID,
                Some(&oidc(&format!("{SECRET}-dry"))),
            ),
            "dryRun",
            "true",
        ),
        portal_event(
            "PATCH",
            EMPTY_PORTAL_ID,
            Some(&json!({ "name": "Renamed" })),
        ),
        portal_event("GET", EMPTY_PORTAL_ID, None),
        portal_event("PUT", PORTAL_ID, Some(&oidc(SECRET))),
    ] {
        let invocation = api.invoke(event).await;
        assert!(
            matches!(invocation.outcome, lambda_harness::Outcome::Response(_)),
            "{:?}",
            invocation.outcome
        );
    }
    let logs = api.logs();
    assert!(logs.len() > 20, "TRACE logging is on: {} lines", logs.len());
    assert!(
        logs.iter().any(|line| line.contains("\"audit\":true")),
        "the audit records are in the logs"
    );
    let audits: Vec<Value> = logs
        .iter()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter(|record| record["audit"] == true)
        .collect();
    assert_eq!(
        audits.len(),
        4,
        "one audit record per mutating request: {audits:?}"
    );
    assert_eq!(audits[0]["portalId"], EMPTY_PORTAL_ID);
    assert_eq!(audits[0]["effect"], "written");
    assert_eq!(
        audits[0]["after"]["oidc"]["clientSecret"]["set"], true,
        "{}",
        audits[0]
    );
    assert_eq!(audits[1]["dryRun"], true);
    assert_eq!(audits[3]["outcome"]["code"], "CONFIRMATION_REQUIRED");
    let leaked: Vec<&String> = logs.iter().filter(|line| line.contains(SECRET)).collect();
    assert!(leaked.is_empty(), "secrets in the logs: {leaked:?}");
    assert_eq!(
        emulator
            .secure_browser_provider(EMPTY_PORTAL_ARN)
            .map(|stored| stored.details["client_secret"].clone()),
        Some(SECRET.to_owned())
    );
}

/// WorkSpaces Web refusing a Create and an Update with messages and field names that repeat the
/// secret sent: the SDK writes such raw answers at TRACE, and neither they nor the problems carry it.
#[tokio::test]
#[cfg_attr(
    not(debug_assertions),
    ignore = "release builds leave TRACE events out (tracing's release_max_level_debug)"
)]
async fn an_upstream_echo_of_a_secret_reaches_no_answer_and_no_log_line_even_at_trace() {
    let emulator = workmail_emulator::Emulator::start()
        .await
        .expect("emulator");
    emulator.seed_demo();
    let mut api = api_process_with(&emulator, &[("RUST_LOG", "trace")]).await;
    let rotated = format!("{SECRET}-rotated");
    let echo = |operation: &str, secret: &str| {
        FaultRule::new(
            operation,
            Fault::Rejected {
                field: format!("identityProviderDetails.client_secret[{secret}]"),
                message: format!(
                    "Value '{secret}' at 'client_secret' failed to satisfy constraint"
                ),
            },
        )
        .times(1)
    };
    let body_of = |invocation: &lambda_harness::Invocation| match &invocation.outcome {
        lambda_harness::Outcome::Response(response) => response.to_string(),
        other => panic!("no response: {other:?}"),
    };

    emulator.inject(echo("CreateIdentityProvider", SECRET));
    let refused_create = api
        .invoke(portal_event("PUT", EMPTY_PORTAL_ID, Some(&oidc(SECRET))))
        .await;
    let answer = body_of(&refused_create);
    assert!(answer.contains("UPSTREAM_REJECTED"), "{answer}");
    assert!(
        answer.contains("<secret>"),
        "the echo is scrubbed, not dropped: {answer}"
    );
    assert!(!answer.contains(SECRET), "{answer}");

    let created = api
        .invoke(portal_event("PUT", EMPTY_PORTAL_ID, Some(&oidc(SECRET))))
        .await;
    assert!(
        body_of(&created).contains("\"statusCode\":200"),
        "{created:?}"
    );

    emulator.inject(echo("UpdateIdentityProvider", &rotated));
    let refused_update = api
        .invoke(portal_event("PUT", EMPTY_PORTAL_ID, Some(&oidc(&rotated))))
        .await;
    let answer = body_of(&refused_update);
    assert!(answer.contains("UPSTREAM_REJECTED"), "{answer}");
    assert!(!answer.contains(&rotated), "{answer}");

    let logs = api.logs();
    assert!(
        logs.iter().any(|line| line.contains("\"level\":\"TRACE\"")),
        "TRACE logging is on"
    );
    let leaked: Vec<&String> = logs
        .iter()
        .filter(|line| line.contains(SECRET) || line.contains(&rotated))
        .collect();
    assert!(leaked.is_empty(), "secrets in the logs: {leaked:?}");
    assert_eq!(
        emulator
            .secure_browser_provider(EMPTY_PORTAL_ARN)
            .map(|stored| stored.details["client_secret"].clone()),
        Some(SECRET.to_owned()),
        "the refused update changed nothing"
    );
}

#[tokio::test]
async fn inline_metadata_may_hold_the_models_131072_characters() {
    let harness = Harness::start().await;
    let metadata = saml_metadata_valid_between(now() - DAY, now() + 365 * DAY);
    let padded = |length: usize| {
        let mut padded = metadata.clone();
        padded.push_str(&"\n".repeat(length - metadata.chars().count()));
        padded
    };
    let largest = harness
        .invoke(&portal_event(
            "PUT",
            EMPTY_PORTAL_ID,
            Some(&saml(&padded(131_072))),
        ))
        .await;
    assert_eq!(largest.status, 200, "{:?}", largest.body);
    let too_large = harness
        .invoke(&portal_event(
            "PUT",
            EMPTY_PORTAL_ID,
            Some(&saml(&padded(131_073))),
        ))
        .await;
    assert_eq!(too_large.status, 400, "{:?}", too_large.body);
    assert_eq!(too_large.error_locations(), ["/saml/metadataFile"]);

    // The largest document again, padded with a comment of characters outside the Basic
    // Multilingual Plane, from an encoder that escapes every non-ASCII character (as Python's json
    // does): 12 bytes a character, about 1.5 MB.
    let comment = 131_072 - metadata.chars().count() - "<!---->".len();
    let astral = format!("{metadata}<!--{}-->", "\u{1F510}".repeat(comment));
    assert_eq!(astral.chars().count(), 131_072);
    let escaped: String = saml(&astral)
        .to_string()
        .chars()
        .map(|character| {
            if character.is_ascii() {
                character.to_string()
            } else {
                character
                    .encode_utf16(&mut [0; 2])
                    .iter()
                    .map(|unit| format!("\\u{unit:04x}"))
                    .collect()
            }
        })
        .collect();
    assert!(escaped.len() > 1024 * 1024, "{}", escaped.len());
    let mut escaped_put = with_body(
        portal_event("PUT", EMPTY_PORTAL_ID, None),
        Some("application/json"),
        &escaped,
    );
    set_header(&mut escaped_put, "confirm-impact", Some("lockout-risk"));
    let accepted = harness.invoke(&escaped_put).await;
    assert_eq!(accepted.status, 200, "{:?}", accepted.body);
    let over_the_limit = harness
        .invoke(&portal_event(
            "PUT",
            EMPTY_PORTAL_ID,
            Some(&saml(&"a".repeat(2 * 1024 * 1024))),
        ))
        .await;
    assert_eq!(over_the_limit.status, 413, "{:?}", over_the_limit.body);
}
