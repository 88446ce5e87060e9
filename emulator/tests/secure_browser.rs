//! WorkSpaces Web through the real `aws-sdk-workspacesweb` client on loopback: every operation's
//! happy path, ARNs through the greedy labels, the model's validation with its `fieldList`, the
//! modeled errors, client-token idempotency, fault rules, the call log, the demo portals, and
//! WorkMail still answering on the same port.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use aws_sdk_workspacesweb::Client;
use aws_sdk_workspacesweb::config::retry::RetryConfig;
use aws_sdk_workspacesweb::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_workspacesweb::error::ProvideErrorMetadata;
use aws_sdk_workspacesweb::operation::create_identity_provider::CreateIdentityProviderError;
use aws_sdk_workspacesweb::operation::get_identity_provider::GetIdentityProviderError;
use aws_sdk_workspacesweb::operation::get_portal::GetPortalError;
use aws_sdk_workspacesweb::operation::update_identity_provider::UpdateIdentityProviderError;
use aws_sdk_workspacesweb::types::{
    IdentityProviderType, PortalStatus, Tag, ValidationExceptionReason,
};
use workmail_emulator::{EmulatedIdentityProvider, Emulator, Fault, FaultRule, demo};

const PORTAL: &str =
    "arn:aws:workspaces-web:us-east-1:123456789012:portal/11111111-2222-4333-8444-555555555555";
const OTHER_PORTAL: &str =
    "arn:aws:workspaces-web:eu-west-1:210987654321:portal/aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee";
const METADATA_URL: &str = "https://idp.example.com/app/abc/sso/saml/metadata";

fn client_with_attempts(emulator: &Emulator, attempts: u32) -> Client {
    let config = aws_sdk_workspacesweb::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .endpoint_url(emulator.url())
        .credentials_provider(Credentials::new("AKIDTEST", "secret", None, None, "tests"))
        .retry_config(
            RetryConfig::standard()
                .with_max_attempts(attempts)
                .with_initial_backoff(Duration::from_millis(5)),
        )
        .build();
    Client::from_conf(config)
}

/// A client that does not retry, so every fault reaches the test.
fn client(emulator: &Emulator) -> Client {
    client_with_attempts(emulator, 1)
}

async fn emulator_with_portal() -> (Emulator, Client) {
    let emulator = Emulator::start().await.expect("emulator starts");
    emulator.add_portal(PORTAL);
    let client = client(&emulator);
    (emulator, client)
}

fn saml(url: &str) -> EmulatedIdentityProvider {
    EmulatedIdentityProvider {
        name: "OktaSAML".to_owned(),
        provider_type: "SAML".to_owned(),
        details: BTreeMap::from([("MetadataURL".to_owned(), url.to_owned())]),
    }
}

async fn create_saml(client: &Client, portal: &str, token: &str) -> String {
    client
        .create_identity_provider()
        .portal_arn(portal)
        .identity_provider_name("OktaSAML")
        .identity_provider_type(IdentityProviderType::Saml)
        .identity_provider_details("MetadataURL", METADATA_URL)
        .client_token(token)
        .send()
        .await
        .expect("created")
        .identity_provider_arn()
        .to_owned()
}

#[tokio::test]
async fn create_get_list_update_delete_round_trip() {
    let (emulator, client) = emulator_with_portal().await;
    let arn = client
        .create_identity_provider()
        .portal_arn(PORTAL)
        .identity_provider_name("OktaSAML")
        .identity_provider_type(IdentityProviderType::Saml)
        .identity_provider_details("MetadataURL", METADATA_URL)
        .tags(Tag::builder().key("team").value("it").build().unwrap())
        .send()
        .await
        .expect("created")
        .identity_provider_arn()
        .to_owned();
    let prefix = "arn:aws:workspaces-web:us-east-1:123456789012:identityProvider/11111111-2222-4333-8444-555555555555/";
    assert!(arn.starts_with(prefix), "{arn}");
    assert_eq!(
        emulator.secure_browser_provider(PORTAL),
        Some(saml(METADATA_URL))
    );

    let got = client
        .get_identity_provider()
        .identity_provider_arn(&arn)
        .send()
        .await
        .expect("got");
    let provider = got.identity_provider().expect("a provider");
    assert_eq!(provider.identity_provider_arn(), arn);
    assert_eq!(provider.identity_provider_name(), Some("OktaSAML"));
    assert_eq!(
        provider.identity_provider_type(),
        Some(&IdentityProviderType::Saml)
    );
    assert_eq!(
        provider.identity_provider_details().unwrap()["MetadataURL"],
        METADATA_URL
    );

    let listed = client
        .list_identity_providers()
        .portal_arn(PORTAL)
        .send()
        .await
        .expect("listed");
    assert_eq!(listed.identity_providers().len(), 1);
    let summary = &listed.identity_providers()[0];
    assert_eq!(summary.identity_provider_arn(), arn);
    assert_eq!(summary.identity_provider_name(), Some("OktaSAML"));
    assert_eq!(
        summary.identity_provider_type(),
        Some(&IdentityProviderType::Saml)
    );
    assert_eq!(listed.next_token(), None);

    let updated = client
        .update_identity_provider()
        .identity_provider_arn(&arn)
        .identity_provider_name("EntraOIDC")
        .identity_provider_type(IdentityProviderType::Oidc)
        .identity_provider_details("client_id", "abc")
        .identity_provider_details("oidc_issuer", "https://login.example.com")
        .send()
        .await
        .expect("updated");
    let provider = updated.identity_provider().expect("the updated provider");
    assert_eq!(provider.identity_provider_arn(), arn, "the ARN stays");
    assert_eq!(provider.identity_provider_name(), Some("EntraOIDC"));
    assert_eq!(provider.identity_provider_details().unwrap().len(), 2);
    let stored = emulator.secure_browser_provider(PORTAL).unwrap();
    assert_eq!(stored.provider_type, "OIDC");
    assert_eq!(stored.details["oidc_issuer"], "https://login.example.com");
    assert!(
        !stored.details.contains_key("MetadataURL"),
        "details are replaced"
    );

    // Only the name: the rest stays.
    client
        .update_identity_provider()
        .identity_provider_arn(&arn)
        .identity_provider_name("Entra")
        .send()
        .await
        .expect("renamed");
    let stored = emulator.secure_browser_provider(PORTAL).unwrap();
    assert_eq!(
        (stored.name.as_str(), stored.provider_type.as_str()),
        ("Entra", "OIDC")
    );

    client
        .delete_identity_provider()
        .identity_provider_arn(&arn)
        .send()
        .await
        .expect("deleted");
    assert_eq!(emulator.secure_browser_provider(PORTAL), None);
    client
        .delete_identity_provider()
        .identity_provider_arn(&arn)
        .send()
        .await
        .expect("deleting again is idempotent");
    let error = client
        .get_identity_provider()
        .identity_provider_arn(&arn)
        .send()
        .await
        .expect_err("gone");
    assert!(matches!(
        error.into_service_error(),
        GetIdentityProviderError::ResourceNotFoundException(_)
    ));
    let listed = client
        .list_identity_providers()
        .portal_arn(PORTAL)
        .send()
        .await
        .expect("listed");
    assert!(listed.identity_providers().is_empty());
}

#[tokio::test]
async fn portals_are_described_and_listed_page_by_page() {
    let (emulator, client) = emulator_with_portal().await;
    emulator.add_portal(OTHER_PORTAL);
    let provider_arn = emulator.set_secure_browser_provider(OTHER_PORTAL, saml(METADATA_URL));
    assert!(
        provider_arn.starts_with(
            "arn:aws:workspaces-web:eu-west-1:210987654321:identityProvider/aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee/"
        ),
        "{provider_arn}"
    );
    assert_eq!(
        emulator.set_secure_browser_provider(OTHER_PORTAL, saml("https://other.example/m")),
        provider_arn,
        "replacing keeps the ARN"
    );

    let portal = client
        .get_portal()
        .portal_arn(PORTAL)
        .send()
        .await
        .expect("got");
    let portal = portal.portal().expect("a portal");
    assert_eq!(portal.portal_arn(), PORTAL);
    assert_eq!(portal.portal_status(), Some(&PortalStatus::Incomplete));
    assert!(portal.display_name().is_some());
    assert!(portal.creation_date().is_some());
    assert_eq!(
        portal.portal_endpoint(),
        Some("11111111-2222-4333-8444-555555555555.workspaces-web.com")
    );
    let other = client
        .get_portal()
        .portal_arn(OTHER_PORTAL)
        .send()
        .await
        .expect("got");
    assert_eq!(
        other.portal().unwrap().portal_status(),
        Some(&PortalStatus::Active)
    );

    let first = client
        .list_portals()
        .max_results(1)
        .send()
        .await
        .expect("page 1");
    assert_eq!(first.portals().len(), 1);
    let token = first.next_token().expect("more").to_owned();
    let second = client
        .list_portals()
        .max_results(1)
        .next_token(token)
        .send()
        .await
        .expect("page 2");
    assert_eq!(second.portals().len(), 1);
    assert_eq!(second.next_token(), None);
    let mut arns: Vec<_> = first
        .portals()
        .iter()
        .chain(second.portals())
        .map(|portal| portal.portal_arn().to_owned())
        .collect();
    arns.sort();
    assert_eq!(arns, [OTHER_PORTAL, PORTAL]);

    let all = client.list_portals().send().await.expect("one page");
    assert_eq!(all.portals().len(), 2);
    let error = client
        .list_portals()
        .next_token("not-a-token")
        .send()
        .await
        .expect_err("a token this operation never gave");
    assert_eq!(error.code(), Some("ValidationException"));
}

#[tokio::test]
async fn arns_with_colons_and_slashes_round_trip_through_greedy_labels() {
    let (emulator, client) = emulator_with_portal().await;
    let arn = create_saml(&client, PORTAL, "token-1").await;
    assert_eq!(arn.matches('/').count(), 2);
    let provider = client
        .get_identity_provider()
        .identity_provider_arn(&arn)
        .send()
        .await
        .expect("got");
    assert_eq!(
        provider
            .identity_provider()
            .unwrap()
            .identity_provider_arn(),
        arn
    );

    let calls = emulator.calls();
    let get = calls.last().unwrap();
    assert_eq!(get.operation, "GetIdentityProvider");
    assert_eq!(get.method, "GET");
    assert!(
        get.path.starts_with("/identityProviders/arn%3Aaws%3Aworkspaces-web%3Aus-east-1%3A123456789012%3AidentityProvider/11111111-2222-4333-8444-555555555555/"),
        "the SDK encodes ':' and keeps '/': {}",
        get.path
    );
    let portal = client
        .list_identity_providers()
        .portal_arn(PORTAL)
        .max_results(5)
        .send()
        .await
        .expect("listed");
    assert_eq!(portal.identity_providers().len(), 1);
    let list = emulator.calls().pop().unwrap();
    assert_eq!(list.operation, "ListIdentityProviders");
    assert!(
        list.path.ends_with("/identityProviders?maxResults=5"),
        "{}",
        list.path
    );
}

#[tokio::test]
async fn validation_errors_carry_their_field_list() {
    let (emulator, client) = emulator_with_portal().await;
    let error = client
        .create_identity_provider()
        .portal_arn(PORTAL)
        .identity_provider_name("_bad")
        .identity_provider_type(IdentityProviderType::from("Okta"))
        .identity_provider_details("MetadataURL", METADATA_URL)
        .send()
        .await
        .expect_err("refused");
    let CreateIdentityProviderError::ValidationException(validation) = error.into_service_error()
    else {
        panic!("a ValidationException");
    };
    assert_eq!(
        validation.reason(),
        Some(&ValidationExceptionReason::FieldValidationFailed)
    );
    let fields: Vec<_> = validation
        .field_list()
        .iter()
        .map(|field| field.name())
        .collect();
    assert_eq!(fields, ["identityProviderName", "identityProviderType"]);
    assert!(
        validation.field_list()[0]
            .message()
            .contains("regular expression pattern"),
        "{:?}",
        validation.field_list()[0]
    );
    assert!(
        validation
            .message()
            .unwrap()
            .starts_with("2 validation errors detected")
    );
    assert_eq!(emulator.secure_browser_provider(PORTAL), None);

    // The SDK sends what it is given: missing required members and over-long names reach the model.
    let error = client
        .create_identity_provider()
        .portal_arn("arn:aws:workspaces-web:us-east-1:123456789012:portal/not-a-uuid")
        .identity_provider_name("a".repeat(33))
        .client_token("")
        .send()
        .await
        .expect_err("refused");
    let CreateIdentityProviderError::ValidationException(validation) = error.into_service_error()
    else {
        panic!("a ValidationException");
    };
    let fields: Vec<_> = validation
        .field_list()
        .iter()
        .map(|field| field.name())
        .collect();
    assert_eq!(
        fields,
        [
            "portalArn",
            "identityProviderName",
            "identityProviderType",
            "identityProviderDetails",
            "clientToken"
        ]
    );

    // A portal ARN is not an identity provider ARN (the pattern wants two ids).
    let error = client
        .update_identity_provider()
        .identity_provider_arn(PORTAL)
        .identity_provider_name("Fine")
        .send()
        .await
        .expect_err("refused");
    let UpdateIdentityProviderError::ValidationException(validation) = error.into_service_error()
    else {
        panic!("a ValidationException");
    };
    assert_eq!(validation.field_list()[0].name(), "identityProviderArn");

    let error = client
        .list_portals()
        .max_results(0)
        .send()
        .await
        .expect_err("refused");
    assert_eq!(error.code(), Some("ValidationException"));
}

#[tokio::test]
async fn unknown_resources_and_conflicts() {
    let (_emulator, client) = emulator_with_portal().await;
    let error = client
        .create_identity_provider()
        .portal_arn(OTHER_PORTAL)
        .identity_provider_name("OktaSAML")
        .identity_provider_type(IdentityProviderType::Saml)
        .identity_provider_details("MetadataURL", METADATA_URL)
        .send()
        .await
        .expect_err("no such portal");
    let CreateIdentityProviderError::ResourceNotFoundException(missing) =
        error.into_service_error()
    else {
        panic!("a ResourceNotFoundException");
    };
    assert_eq!(missing.resource_id(), Some(OTHER_PORTAL));
    assert_eq!(missing.resource_type(), Some("portal"));

    let error = client
        .get_portal()
        .portal_arn(OTHER_PORTAL)
        .send()
        .await
        .expect_err("no such portal");
    assert!(matches!(
        error.into_service_error(),
        GetPortalError::ResourceNotFoundException(_)
    ));

    let unknown = "arn:aws:workspaces-web:us-east-1:123456789012:identityProvider/11111111-2222-4333-8444-555555555555/99999999-2222-4333-8444-555555555555";
    let error = client
        .update_identity_provider()
        .identity_provider_arn(unknown)
        .identity_provider_name("Renamed")
        .send()
        .await
        .expect_err("no such provider");
    let UpdateIdentityProviderError::ResourceNotFoundException(missing) =
        error.into_service_error()
    else {
        panic!("a ResourceNotFoundException");
    };
    assert_eq!(missing.resource_id(), Some(unknown));
    assert_eq!(missing.resource_type(), Some("identityProvider"));

    let existing = create_saml(&client, PORTAL, "first").await;
    let error = client
        .create_identity_provider()
        .portal_arn(PORTAL)
        .identity_provider_name("Second")
        .identity_provider_type(IdentityProviderType::Google)
        .identity_provider_details("client_id", "x")
        .send()
        .await
        .expect_err("one provider per portal");
    let CreateIdentityProviderError::ConflictException(conflict) = error.into_service_error()
    else {
        panic!("a ConflictException");
    };
    assert_eq!(conflict.resource_id(), Some(existing.as_str()));
}

#[tokio::test]
async fn client_tokens_replay_the_answer_and_refuse_a_different_request() {
    let (emulator, client) = emulator_with_portal().await;
    let first = create_saml(&client, PORTAL, "create-token").await;
    let again = create_saml(&client, PORTAL, "create-token").await;
    assert_eq!(first, again, "the same token and request: the same answer");

    let error = client
        .create_identity_provider()
        .portal_arn(PORTAL)
        .identity_provider_name("Different")
        .identity_provider_type(IdentityProviderType::Saml)
        .identity_provider_details("MetadataURL", METADATA_URL)
        .client_token("create-token")
        .send()
        .await
        .expect_err("the token was used for another request");
    let CreateIdentityProviderError::ConflictException(conflict) = error.into_service_error()
    else {
        panic!("a ConflictException");
    };
    assert_eq!(conflict.resource_id(), Some("create-token"));

    let update = |name: &'static str| {
        client
            .update_identity_provider()
            .identity_provider_arn(&first)
            .identity_provider_name(name)
            .client_token("update-token")
            .send()
    };
    update("Renamed").await.expect("updated");
    // Renamed elsewhere in between: a replay answers as the first time and changes nothing.
    let mut changed = saml(METADATA_URL);
    changed.name = "ChangedMeanwhile".to_owned();
    emulator.set_secure_browser_provider(PORTAL, changed);
    let replay = update("Renamed").await.expect("replayed");
    assert_eq!(
        replay.identity_provider().unwrap().identity_provider_name(),
        Some("Renamed")
    );
    assert_eq!(
        emulator.secure_browser_provider(PORTAL).unwrap().name,
        "ChangedMeanwhile",
        "no second effect"
    );
    let error = update("Other").await.expect_err("a different request");
    // Update's model lists no ConflictException: the SDK keeps it as an unhandled error with its code.
    assert_eq!(error.code(), Some("ConflictException"));
    assert_eq!(error.raw_response().unwrap().status().as_u16(), 409);

    // Without a token the SDK makes one up, so a retried call stays one call.
    emulator.add_portal(OTHER_PORTAL);
    client
        .create_identity_provider()
        .portal_arn(OTHER_PORTAL)
        .identity_provider_name("OktaSAML")
        .identity_provider_type(IdentityProviderType::Saml)
        .identity_provider_details("MetadataURL", METADATA_URL)
        .send()
        .await
        .expect("created");
    let last = emulator.calls().pop().unwrap();
    assert_eq!(last.body["clientToken"].as_str().map(str::len), Some(36));
}

#[tokio::test]
async fn fault_rules_apply_to_one_operation() {
    let (emulator, client) = emulator_with_portal().await;
    let arn = create_saml(&client, PORTAL, "t").await;
    emulator.inject(FaultRule::new("UpdateIdentityProvider", Fault::Throttle).times(1));
    let error = client
        .update_identity_provider()
        .identity_provider_arn(&arn)
        .identity_provider_name("Renamed")
        .send()
        .await
        .expect_err("throttled, retries disabled");
    let raw_status = error.raw_response().map(|raw| raw.status().as_u16());
    let UpdateIdentityProviderError::ThrottlingException(throttled) = error.into_service_error()
    else {
        panic!("a ThrottlingException");
    };
    assert_eq!(raw_status, Some(429));
    assert_eq!(throttled.retry_after_seconds(), 1);
    assert_eq!(
        emulator.secure_browser_provider(PORTAL).unwrap().name,
        "OktaSAML"
    );
    // The rule was for one call of one operation.
    client
        .get_identity_provider()
        .identity_provider_arn(&arn)
        .send()
        .await
        .expect("other operations are untouched");
    client
        .update_identity_provider()
        .identity_provider_arn(&arn)
        .identity_provider_name("Renamed")
        .send()
        .await
        .expect("the rule is used up");

    // With retries the SDK gets past a throttle.
    emulator.inject(FaultRule::new("GetIdentityProvider", Fault::Throttle).times(1));
    client_with_attempts(&emulator, 3)
        .get_identity_provider()
        .identity_provider_arn(&arn)
        .send()
        .await
        .expect("retried");

    emulator.inject(FaultRule::new(
        "GetPortal",
        Fault::Latency(Duration::from_millis(300)),
    ));
    let started = Instant::now();
    client
        .get_portal()
        .portal_arn(PORTAL)
        .send()
        .await
        .expect("slow but fine");
    assert!(started.elapsed() >= Duration::from_millis(300));

    emulator.inject(FaultRule::new(
        "DeleteIdentityProvider",
        Fault::AccessDenied,
    ));
    let error = client
        .delete_identity_provider()
        .identity_provider_arn(&arn)
        .send()
        .await
        .expect_err("denied");
    assert_eq!(error.code(), Some("AccessDeniedException"));
    assert!(
        error
            .message()
            .unwrap()
            .contains("workspaces-web:DeleteIdentityProvider")
    );

    emulator.inject(FaultRule::new("ListPortals", Fault::ServerError));
    let error = client.list_portals().send().await.expect_err("500");
    assert_eq!(error.code(), Some("InternalServerException"));

    emulator.inject(FaultRule::new(
        "UpdateIdentityProvider",
        Fault::AcknowledgeWithoutEffect,
    ));
    let answer = client
        .update_identity_provider()
        .identity_provider_arn(&arn)
        .identity_provider_name("NotKept")
        .send()
        .await
        .expect("acknowledged");
    assert_eq!(
        answer.identity_provider().unwrap().identity_provider_name(),
        Some("NotKept"),
        "the answer the call would get"
    );
    assert_eq!(
        emulator.secure_browser_provider(PORTAL).unwrap().name,
        "Renamed"
    );
}

#[tokio::test]
async fn the_call_log_names_workspaces_web_operations() {
    let (emulator, client) = emulator_with_portal().await;
    let arn = create_saml(&client, PORTAL, "t").await;
    client
        .get_identity_provider()
        .identity_provider_arn(&arn)
        .send()
        .await
        .unwrap();
    client
        .update_identity_provider()
        .identity_provider_arn(&arn)
        .identity_provider_name("Renamed")
        .send()
        .await
        .unwrap();
    client
        .list_identity_providers()
        .portal_arn(PORTAL)
        .send()
        .await
        .unwrap();
    client.get_portal().portal_arn(PORTAL).send().await.unwrap();
    client.list_portals().send().await.unwrap();
    client
        .delete_identity_provider()
        .identity_provider_arn(&arn)
        .send()
        .await
        .unwrap();
    let calls = emulator.calls();
    assert_eq!(
        emulator.operations(),
        [
            "CreateIdentityProvider",
            "GetIdentityProvider",
            "UpdateIdentityProvider",
            "ListIdentityProviders",
            "GetPortal",
            "ListPortals",
            "DeleteIdentityProvider",
        ]
    );
    let methods: Vec<_> = calls.iter().map(|call| call.method.as_str()).collect();
    assert_eq!(
        methods,
        ["POST", "GET", "PATCH", "GET", "GET", "GET", "DELETE"]
    );
    let create = &calls[0];
    assert_eq!(create.path, "/identityProviders");
    assert_eq!(create.target, "");
    assert_eq!(create.body["portalArn"], PORTAL);
    assert_eq!(create.body["clientToken"], "t");
    assert_eq!(create.content_type.as_deref(), Some("application/json"));
    assert!(
        create
            .authorization
            .as_deref()
            .unwrap()
            .contains("/us-east-1/workspaces-web/aws4_request")
    );
    assert_eq!(calls[2].body["identityProviderName"], "Renamed");
    assert!(calls[1].body.is_null(), "a GET has no body");
}

#[tokio::test]
async fn workmail_still_answers_on_the_same_port() {
    let emulator = Emulator::start().await.expect("emulator starts");
    emulator.seed_demo();
    let workmail = aws_sdk_workmail::Client::from_conf(
        aws_sdk_workmail::Config::builder()
            .behavior_version(aws_sdk_workmail::config::BehaviorVersion::latest())
            .region(aws_sdk_workmail::config::Region::new("us-east-1"))
            .endpoint_url(emulator.url())
            .credentials_provider(aws_sdk_workmail::config::Credentials::new(
                "AKIDTEST", "secret", None, None, "tests",
            ))
            .build(),
    );
    let described = workmail
        .describe_identity_provider_configuration()
        .organization_id(demo::ORGANIZATION_ID)
        .send()
        .await
        .expect("WorkMail answers");
    assert!(described.identity_center_configuration().is_some());
    let web = client(&emulator);
    let listed = web
        .list_identity_providers()
        .portal_arn(demo::PORTAL_ARN)
        .send()
        .await
        .expect("WorkSpaces Web answers");
    assert_eq!(listed.identity_providers().len(), 1);
    // A fault for a WorkSpaces Web operation leaves WorkMail alone, and `*` reaches both.
    emulator.inject(FaultRule::new("GetPortal", Fault::Throttle).times(1));
    workmail
        .describe_organization()
        .organization_id(demo::ORGANIZATION_ID)
        .send()
        .await
        .expect("untouched");
    emulator.inject(FaultRule::every_operation(Fault::AccessDenied));
    assert_eq!(
        workmail
            .list_organizations()
            .send()
            .await
            .expect_err("denied")
            .code(),
        Some("AccessDeniedException")
    );
    assert_eq!(
        web.list_portals().send().await.expect_err("denied").code(),
        Some("AccessDeniedException")
    );
    assert_eq!(
        emulator.operations(),
        [
            "DescribeIdentityProviderConfiguration",
            "ListIdentityProviders",
            "DescribeOrganization",
            "ListOrganizations",
            "ListPortals",
        ]
    );
}

#[tokio::test]
async fn the_demo_portals() {
    let emulator = Emulator::start().await.expect("emulator starts");
    emulator.seed_demo();
    let client = client(&emulator);
    let provider = emulator
        .secure_browser_provider(demo::PORTAL_ARN)
        .expect("the demo portal has a provider");
    assert_eq!(provider.provider_type, "SAML");
    let metadata = &provider.details["MetadataFile"];
    assert!(metadata.contains("urn:oasis:names:tc:SAML:2.0:metadata"));
    assert!(metadata.contains("<ds:X509Certificate>"));
    assert_eq!(
        emulator.secure_browser_provider(demo::EMPTY_PORTAL_ARN),
        None
    );

    let summary = client
        .list_identity_providers()
        .portal_arn(demo::PORTAL_ARN)
        .send()
        .await
        .unwrap();
    let arn = summary.identity_providers()[0]
        .identity_provider_arn()
        .to_owned();
    let got = client
        .get_identity_provider()
        .identity_provider_arn(&arn)
        .send()
        .await
        .expect("the demo provider through the SDK");
    assert_eq!(
        got.identity_provider()
            .unwrap()
            .identity_provider_details()
            .unwrap()["MetadataFile"],
        *metadata
    );
    let portals = client.list_portals().send().await.unwrap();
    let mut arns: Vec<_> = portals.portals().iter().map(|p| p.portal_arn()).collect();
    arns.sort_unstable();
    let mut expected = [demo::PORTAL_ARN, demo::EMPTY_PORTAL_ARN];
    expected.sort_unstable();
    assert_eq!(arns, expected);
    // The empty portal takes a new provider.
    create_saml(&client, demo::EMPTY_PORTAL_ARN, "t").await;
    assert!(
        emulator
            .secure_browser_provider(demo::EMPTY_PORTAL_ARN)
            .is_some()
    );
}

#[tokio::test]
async fn unsigned_or_unroutable_requests_are_refused() {
    let emulator = Emulator::start().await.expect("emulator starts");
    let client = client(&emulator);
    // A path the emulator does not route, signed for workspaces-web by the SDK.
    let error = client
        .get_portal_service_provider_metadata()
        .portal_arn(PORTAL)
        .send()
        .await
        .expect_err("not implemented");
    assert_eq!(error.code(), Some("UnknownOperationException"));
    assert_eq!(emulator.calls()[0].operation, "");
}
