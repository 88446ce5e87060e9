//! Table-driven validation through the API: every refused body is a 400 listing each problem at its
//! JSON pointer, nothing reaches WorkMail, and edge values that the model allows do get through.

mod support;

use serde_json::{Value, json};
use support::*;

const ARABIC_THREE: char = '\u{0663}';
const FULLWIDTH_ONE: char = '\u{FF11}';

fn body_with(change: impl FnOnce(&mut Value)) -> Value {
    let mut body = demo_configuration();
    change(&mut body);
    body
}

fn application_with_account(account: &str) -> String {
    format!("arn:aws:sso::{account}:application/ssoins-1234567890abcdef/apl-1234567890abcdef")
}

async fn put_body(harness: &Harness, body: &Value) -> Answer {
    harness
        .invoke(&with_body(
            event("rest-put.json"),
            Some("application/json"),
            &body.to_string(),
        ))
        .await
}

#[tokio::test]
async fn refused_bodies_list_every_problem_at_its_pointer() {
    let cases: Vec<(&str, Value, Vec<&str>)> = vec![
        (
            "lifetime zero",
            body_with(|b| b["personalAccessTokens"]["lifetimeInDays"] = json!(0)),
            vec!["/personalAccessTokens/lifetimeInDays"],
        ),
        (
            "lifetime 3654",
            body_with(|b| b["personalAccessTokens"]["lifetimeInDays"] = json!(3654)),
            vec!["/personalAccessTokens/lifetimeInDays"],
        ),
        (
            "lifetime fractional",
            body_with(|b| b["personalAccessTokens"]["lifetimeInDays"] = json!(30.5)),
            vec!["/personalAccessTokens/lifetimeInDays"],
        ),
        (
            "lifetime huge",
            body_with(|b| b["personalAccessTokens"]["lifetimeInDays"] = json!(1e300)),
            vec!["/personalAccessTokens/lifetimeInDays"],
        ),
        (
            "lifetime as string",
            body_with(|b| b["personalAccessTokens"]["lifetimeInDays"] = json!("90")),
            vec!["/personalAccessTokens/lifetimeInDays"],
        ),
        (
            "unknown mode",
            body_with(|b| b["authenticationMode"] = json!("DIRECTORY_ONLY")),
            vec!["/authenticationMode"],
        ),
        (
            "mode in lower case",
            body_with(|b| b["authenticationMode"] = json!("identity_provider_only")),
            vec!["/authenticationMode"],
        ),
        (
            "status wrong type",
            body_with(|b| b["personalAccessTokens"]["status"] = json!(true)),
            vec!["/personalAccessTokens/status"],
        ),
        (
            "identity center as string",
            body_with(|b| b["identityCenter"] = json!(INSTANCE_ARN)),
            vec!["/identityCenter"],
        ),
        (
            "missing members",
            json!({}),
            vec![
                "/authenticationMode",
                "/identityCenter",
                "/personalAccessTokens",
            ],
        ),
        (
            "missing nested members",
            body_with(|b| {
                b["identityCenter"] = json!({});
                b["personalAccessTokens"] = json!({});
            }),
            vec![
                "/identityCenter/instanceArn",
                "/identityCenter/applicationArn",
                "/personalAccessTokens/status",
            ],
        ),
        ("body is an array", json!([demo_configuration()]), vec![""]),
        (
            "unknown top-level member",
            body_with(|b| b["tenant"] = json!("x")),
            vec!["/tenant"],
        ),
        (
            "unknown nested members",
            body_with(|b| {
                b["identityCenter"]["region"] = json!("us-east-1");
                b["personalAccessTokens"]["expiry"] = json!(1);
            }),
            vec!["/identityCenter/region", "/personalAccessTokens/expiry"],
        ),
        (
            "unknown member needing pointer escapes",
            body_with(|b| b["a/b~c"] = json!(1)),
            vec!["/a~1b~0c"],
        ),
        (
            "another organization in the body",
            body_with(|b| b["organizationId"] = json!("m-ffffffffffffffffffffffffffffffff")),
            vec!["/organizationId"],
        ),
        (
            "organization id wrong type",
            body_with(|b| b["organizationId"] = json!(12)),
            vec!["/organizationId"],
        ),
        (
            "account with 11 digits",
            body_with(|b| {
                b["identityCenter"]["applicationArn"] =
                    json!(application_with_account("12345678901"))
            }),
            vec!["/identityCenter/applicationArn"],
        ),
        (
            "account with 13 digits",
            body_with(|b| {
                b["identityCenter"]["applicationArn"] =
                    json!(application_with_account("1234567890123"))
            }),
            vec!["/identityCenter/applicationArn"],
        ),
        (
            "account with an Arabic-Indic digit",
            body_with(|b| {
                b["identityCenter"]["applicationArn"] = json!(application_with_account(&format!(
                    "12345678901{ARABIC_THREE}"
                )))
            }),
            vec!["/identityCenter/applicationArn"],
        ),
        (
            "account with a fullwidth digit",
            body_with(|b| {
                b["identityCenter"]["applicationArn"] = json!(application_with_account(&format!(
                    "{FULLWIDTH_ONE}23456789012"
                )))
            }),
            vec!["/identityCenter/applicationArn"],
        ),
        (
            "instance id one short",
            body_with(|b| {
                b["identityCenter"]["instanceArn"] =
                    json!("arn:aws:sso:::instance/ssoins-1234567890abcde")
            }),
            vec!["/identityCenter/instanceArn"],
        ),
        (
            "instance id one long",
            body_with(|b| {
                b["identityCenter"]["instanceArn"] =
                    json!("arn:aws:sso:::instance/ssoins-1234567890abcdef0")
            }),
            vec!["/identityCenter/instanceArn"],
        ),
        (
            "instance id with a multibyte character",
            body_with(|b| {
                b["identityCenter"]["instanceArn"] =
                    json!("arn:aws:sso:::instance/ssoins-1234567890abcd\u{e9}")
            }),
            vec!["/identityCenter/instanceArn"],
        ),
        (
            "instance ARN with a region",
            body_with(|b| {
                b["identityCenter"]["instanceArn"] =
                    json!("arn:aws:sso:us-east-1::instance/ssoins-1234567890abcdef")
            }),
            vec!["/identityCenter/instanceArn"],
        ),
        (
            "instance ARN over 1124 characters",
            body_with(|b| {
                b["identityCenter"]["instanceArn"] = json!(format!(
                    "arn:aws:sso:::instance/ssoins-{}",
                    "a".repeat(1100)
                ))
            }),
            vec!["/identityCenter/instanceArn"],
        ),
        (
            "application of another instance",
            body_with(|b| {
                b["identityCenter"]["applicationArn"] = json!(
                    "arn:aws:sso::123456789012:application/ssoins-aaaaaaaaaaaaaaaa/apl-1234567890abcdef"
                )
            }),
            vec!["/identityCenter/applicationArn"],
        ),
        (
            "application in another partition",
            body_with(|b| {
                b["identityCenter"]["applicationArn"] = json!(
                    "arn:aws-cn:sso::123456789012:application/ssoins-1234567890abcdef/apl-1234567890abcdef"
                )
            }),
            vec!["/identityCenter/applicationArn"],
        ),
        (
            "several problems at once",
            json!({
                "organizationId": "m-ffffffffffffffffffffffffffffffff",
                "authenticationMode": "SOMETIMES",
                "identityCenter": { "instanceArn": "arn:aws:sso:::instance/nope", "applicationArn": 7 },
                "personalAccessTokens": { "status": "MAYBE", "lifetimeInDays": -1, "scope": [] },
                "admin": true
            }),
            vec![
                "/admin",
                "/organizationId",
                "/authenticationMode",
                "/identityCenter/instanceArn",
                "/identityCenter/applicationArn",
                "/personalAccessTokens/scope",
                "/personalAccessTokens/status",
                "/personalAccessTokens/lifetimeInDays",
            ],
        ),
    ];
    let harness = Harness::start().await;
    for (name, body, pointers) in cases {
        let answer = put_body(&harness, &body).await;
        assert_eq!(answer.status, 400, "{name}: {answer:?}");
        assert_eq!(answer.problem_code(), "VALIDATION_FAILED", "{name}");
        assert_eq!(answer.error_locations(), pointers, "{name}");
        let messages = answer.body["errors"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        assert!(
            messages
                .iter()
                .all(|e| e["message"].as_str().is_some_and(|m| m.len() > 8)),
            "{name}: {messages:?}"
        );
    }
    assert!(
        harness.emulator.calls().is_empty(),
        "no refused body reaches WorkMail"
    );
}

#[tokio::test]
async fn the_invalid_put_sample_event_lists_its_four_problems() {
    let harness = Harness::start().await;
    let answer = harness.invoke_file("rest-put-invalid.json").await;
    assert_eq!(answer.status, 400);
    assert_eq!(answer.problem_code(), "VALIDATION_FAILED");
    assert_eq!(
        answer.error_locations(),
        [
            "/authenticationMode",
            "/identityCenter/region",
            "/identityCenter/applicationArn",
            "/personalAccessTokens/lifetimeInDays"
        ]
    );
    let account_message = answer.body["errors"][2]["message"]
        .as_str()
        .unwrap_or_default();
    assert!(
        account_message.contains("12 ASCII digits"),
        "{account_message}"
    );
    assert!(harness.emulator.calls().is_empty());
}

#[tokio::test]
async fn edge_values_the_model_allows_get_through() {
    let gov_instance = "arn:aws-us-gov:sso:::instance/ins-ab.cd-ef.gh-ij.k";
    let gov_application =
        "arn:aws-us-gov:sso::000000000000:application/ins-ab.cd-ef.gh-ij.k/apl-ZZZZZZZZZZZZZZZZ";
    let cases = [
        body_with(|b| b["personalAccessTokens"]["lifetimeInDays"] = json!(1)),
        body_with(|b| b["personalAccessTokens"]["lifetimeInDays"] = json!(3653)),
        body_with(|b| b["personalAccessTokens"]["lifetimeInDays"] = Value::Null),
        body_with(|b| {
            b.as_object_mut().map(|m| m.remove("organizationId"));
        }),
        body_with(|b| {
            b["identityCenter"] =
                json!({ "instanceArn": gov_instance, "applicationArn": gov_application })
        }),
    ];
    let harness = Harness::start().await;
    harness
        .emulator
        .add_identity_center_application(gov_instance, gov_application);
    for body in cases {
        let answer = put_body(&harness, &body).await;
        assert_eq!(answer.status, 200, "{body}: {answer:?}");
    }
}
