//! `GET /organizations` through the emulator with the real SDK client: the organizations a caller may
//! read, each with its configuration's summary and ETag, page by page with an opaque `nextToken`
//! (every organization exactly once), cut short and resumable under a time budget, a failed read
//! reported as a partial page, and nothing outside the caller's grants or the managed list.

mod support;

use std::collections::BTreeSet;
use std::time::Duration;

use idp_gateway::access::AccessPolicy;
use idp_gateway::domain::ManagedOrganizations;
use idp_gateway::http::AccessControl;
use idp_gateway::use_cases::DirectoryReading;
use serde_json::{Value, json};
use support::*;
use workmail_emulator::{Emulator, Fault, FaultRule, OrganizationState};

const DESCRIBE: &str = "DescribeIdentityProviderConfiguration";

fn overview_event(query: &[(&str, &str)]) -> Value {
    let mut event = with_path(event("rest-get.json"), "/organizations");
    if let Some(parameters) = event["pathParameters"].as_object_mut() {
        parameters.clear();
    }
    let single: serde_json::Map<String, Value> = query
        .iter()
        .map(|(name, value)| ((*name).to_owned(), json!(value)))
        .collect();
    let multi: serde_json::Map<String, Value> = query
        .iter()
        .map(|(name, value)| ((*name).to_owned(), json!([value])))
        .collect();
    event["queryStringParameters"] = if query.is_empty() {
        Value::Null
    } else {
        Value::Object(single)
    };
    event["multiValueQueryStringParameters"] = if query.is_empty() {
        Value::Null
    } else {
        Value::Object(multi)
    };
    event
}

fn organization_id(index: usize) -> String {
    format!("m-{index:032x}")
}

/// The emulator with the demo organization and `more` others (half of them configured).
async fn emulator_with(more: usize) -> Emulator {
    let emulator = Emulator::start().await.expect("emulator");
    emulator.seed_demo();
    for index in 1..=more {
        let id = organization_id(index);
        emulator.add_organization(&id, &format!("org{index}"), OrganizationState::Active);
        if index % 2 == 0 {
            emulator.set_identity_provider(&id, Some(stored(30)));
        }
    }
    emulator
}

async fn api_on(
    emulator: &Emulator,
    access: AccessControl,
) -> idp_gateway::http::Api<idp_gateway::workmail::SdkWorkMail> {
    api_over(&sdk_config(&emulator.url()).await, &test_settings(), access)
}

fn listed(answer: &Answer) -> Vec<String> {
    answer.body["organizations"]
        .as_array()
        .expect("organizations")
        .iter()
        .map(|entry| entry["organizationId"].as_str().expect("id").to_owned())
        .collect()
}

/// Every page from the first, following `nextToken`, with `limit`.
async fn every_page(
    api: &idp_gateway::http::Api<idp_gateway::workmail::SdkWorkMail>,
    limit: &str,
) -> Vec<Answer> {
    let mut pages = Vec::new();
    let mut next: Option<String> = None;
    loop {
        let mut query = vec![("limit", limit)];
        if let Some(token) = next.as_deref() {
            query.push(("nextToken", token));
        }
        let answer = invoke_api(api, &overview_event(&query)).await;
        assert_eq!(answer.status, 200, "{answer:?}");
        next = answer.body["nextToken"].as_str().map(str::to_owned);
        pages.push(answer);
        if next.is_none() {
            return pages;
        }
        assert!(pages.len() < 50, "the pages never end");
    }
}

#[tokio::test]
async fn every_organization_once_across_pages_with_its_summary() {
    let emulator = emulator_with(7).await;
    let api = api_on(&emulator, AccessControl::open()).await;
    let pages = every_page(&api, "3").await;
    let sizes: Vec<usize> = pages.iter().map(|page| listed(page).len()).collect();
    assert_eq!(sizes, [3, 3, 2]);
    let all: Vec<String> = pages.iter().flat_map(listed).collect();
    let unique: BTreeSet<&String> = all.iter().collect();
    assert_eq!(unique.len(), 8, "{all:?}");
    assert!(pages.iter().all(|page| page.body["partial"] == false));

    let entries: Vec<Value> = pages
        .iter()
        .flat_map(|page| {
            page.body["organizations"]
                .as_array()
                .cloned()
                .unwrap_or_default()
        })
        .collect();
    let first = entries
        .iter()
        .find(|entry| entry["organizationId"] == ORG)
        .expect("the demo organization");
    assert_eq!(first["alias"], "demo");
    assert_eq!(first["state"], "Active");
    assert_eq!(first["identityProvider"]["configured"], true);
    assert_eq!(
        first["identityProvider"]["authenticationMode"],
        "IDENTITY_PROVIDER_AND_DIRECTORY"
    );
    let read = harness_get(&emulator).await;
    assert_eq!(
        first["identityProvider"]["etag"], read,
        "the ETag a GET gives"
    );
    let unconfigured = pages
        .iter()
        .flat_map(|page| {
            page.body["organizations"]
                .as_array()
                .cloned()
                .unwrap_or_default()
        })
        .find(|entry| entry["organizationId"] == organization_id(1))
        .expect("org 1");
    assert_eq!(unconfigured["identityProvider"]["configured"], false);
}

async fn harness_get(emulator: &Emulator) -> Value {
    let api = api_on(emulator, AccessControl::open()).await;
    let answer = invoke_api(&api, &event("rest-get.json")).await;
    json!(answer.header("etag").expect("etag"))
}

#[tokio::test]
async fn only_what_the_caller_may_read_and_the_deployment_manages() {
    let emulator = emulator_with(6).await;
    let policy = json!({ "grants": [
        { "principal": "arn:aws:iam::123456789012:role/MailAdminPortal",
          "organizations": [organization_id(2), organization_id(3), organization_id(5)], "permissions": ["read"] },
        { "principal": "arn:aws:iam::123456789012:role/BrowserAdmin",
          "portals": ["*"], "permissions": ["read"] }
    ]});
    let managed = ManagedOrganizations::parse(Some(&format!(
        "{},{},{}",
        organization_id(2),
        organization_id(3),
        organization_id(4)
    )))
    .expect("managed list");
    let access = AccessControl {
        managed,
        policy: Some(AccessPolicy::parse(&policy.to_string()).expect("policy")),
        require_if_match: false,
    };
    let api = api_on(&emulator, access).await;
    let answer = invoke_api(&api, &overview_event(&[])).await;
    assert_eq!(answer.status, 200, "{answer:?}");
    assert_eq!(listed(&answer), [organization_id(2), organization_id(3)]);
    let described = described_organizations(&emulator);
    assert_eq!(
        described,
        [organization_id(2), organization_id(3)],
        "nothing else was read"
    );

    let no_grant = invoke_api(
        &api,
        &as_caller(
            overview_event(&[]),
            Some("arn:aws:sts::123456789012:assumed-role/BrowserAdmin/bob"),
        ),
    )
    .await;
    assert_eq!(no_grant.status, 403, "{no_grant:?}");
    assert_eq!(no_grant.problem_code(), "FORBIDDEN");
    assert!(!no_grant.raw.to_string().contains("m-0000"), "{no_grant:?}");
}

#[tokio::test]
async fn a_failed_read_is_reported_and_the_page_marked_partial() {
    let emulator = emulator_with(3).await;
    emulator.inject(
        FaultRule::new(DESCRIBE, Fault::AccessDenied)
            .after(1)
            .times(1),
    );
    let api = api_on(&emulator, AccessControl::open()).await;
    let answer = invoke_api(&api, &overview_event(&[])).await;
    assert_eq!(answer.status, 200, "{answer:?}");
    assert_eq!(answer.body["partial"], true, "{:?}", answer.body);
    let entries = answer.body["organizations"].as_array().expect("entries");
    assert_eq!(entries.len(), 4);
    assert_eq!(
        entries[1]["identityProvider"]["error"]["code"],
        "UPSTREAM_ACCESS_DENIED"
    );
    assert_eq!(
        entries[0]["identityProvider"]["configured"], false,
        "m-…01 has none"
    );
}

#[tokio::test]
async fn a_time_budget_cuts_a_page_short_and_the_token_resumes_it() {
    let emulator = emulator_with(9).await;
    let reading = DirectoryReading {
        budget: Duration::from_millis(450),
        calls_per_second: 10.0,
        finish_by: None,
    };
    let api = api_on(&emulator, AccessControl::open())
        .await
        .with_directory_reading(reading);
    let pages = every_page(&api, "50").await;
    assert!(pages.len() > 1, "the budget cut the listing short");
    assert!(
        pages[..pages.len() - 1]
            .iter()
            .all(|page| page.body["partial"] == true)
    );
    let all: Vec<String> = pages.iter().flat_map(listed).collect();
    let unique: BTreeSet<&String> = all.iter().collect();
    assert_eq!((all.len(), unique.len()), (10, 10), "{all:?}");
}

#[tokio::test]
async fn bad_queries_are_refused_by_name() {
    let emulator = emulator_with(0).await;
    let api = api_on(&emulator, AccessControl::open()).await;
    for (name, value) in [
        ("limit", "0"),
        ("limit", "51"),
        ("limit", "ten"),
        ("limit", "+5"),
        ("nextToken", "forged!"),
    ] {
        let answer = invoke_api(&api, &overview_event(&[(name, value)])).await;
        assert_eq!(answer.status, 400, "{name}={value}: {answer:?}");
        assert_eq!(answer.error_locations(), [name]);
    }
    let unknown = invoke_api(&api, &overview_event(&[("page", "2")])).await;
    assert_eq!(unknown.status, 400);
    assert!(emulator.calls().is_empty(), "nothing was called");
}
