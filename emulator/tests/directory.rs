//! Users and personal access tokens through the real `aws-sdk-workmail` client: pagination, filters,
//! the model's validation, modeled errors, deletion, the demo's mix, bulk seeding, and the emulator's
//! fault injection, rate limit and call log on the new operations.

use std::time::Duration;

use aws_sdk_workmail::Client;
use aws_sdk_workmail::config::retry::RetryConfig;
use aws_sdk_workmail::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_workmail::error::ProvideErrorMetadata;
use aws_sdk_workmail::types::{EntityState, ListUsersFilters, UserRole as SdkRole};
use workmail_emulator::{
    BulkDirectory, EmulatedToken, EmulatedUser, Emulator, Fault, FaultRule, OrganizationState,
    UserRole, UserState, demo,
};

const ORG: &str = demo::ORGANIZATION_ID;

fn client_with_attempts(emulator: &Emulator, attempts: u32) -> Client {
    let config = aws_sdk_workmail::Config::builder()
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

fn client(emulator: &Emulator) -> Client {
    client_with_attempts(emulator, 3)
}

async fn demo() -> (Emulator, Client) {
    let emulator = Emulator::start().await.expect("emulator starts");
    emulator.seed_demo();
    let client = client(&emulator);
    (emulator, client)
}

/// Every user id `ListUsers` answers with `filters`, page by page of `size`; and the page count.
async fn all_user_ids(
    client: &Client,
    size: i32,
    filters: Option<ListUsersFilters>,
) -> (Vec<String>, usize) {
    let (mut ids, mut pages, mut token) = (Vec::new(), 0, None);
    loop {
        let page = client
            .list_users()
            .organization_id(ORG)
            .max_results(size)
            .set_filters(filters.clone())
            .set_next_token(token)
            .send()
            .await
            .expect("a page of users");
        pages += 1;
        assert!(page.users().len() <= usize::try_from(size).unwrap_or(usize::MAX));
        ids.extend(
            page.users()
                .iter()
                .filter_map(|user| user.id().map(str::to_owned)),
        );
        token = page.next_token().map(str::to_owned);
        if token.is_none() {
            return (ids, pages);
        }
    }
}

#[tokio::test]
async fn list_users_pages_through_the_demo_in_id_order_with_every_member() {
    let (emulator, client) = demo().await;
    let seeded: Vec<String> = emulator
        .users(ORG)
        .into_iter()
        .map(|user| user.id)
        .collect();
    assert_eq!(seeded.len(), 15);
    let (ids, pages) = all_user_ids(&client, 4, None).await;
    assert_eq!(ids, seeded);
    assert_eq!(pages, 4, "15 users, 4 a page");
    let (_, one_page) = all_user_ids(&client, 100, None).await;
    assert_eq!(one_page, 1);

    let first = client
        .list_users()
        .organization_id(ORG)
        .max_results(1)
        .send()
        .await
        .expect("a page");
    let alice = &first.users()[0];
    assert_eq!(alice.name(), Some("alice"));
    assert_eq!(alice.email(), Some("alice@demo.awsapps.com"));
    assert_eq!(alice.display_name(), Some("Alice"));
    assert_eq!(alice.state(), Some(&EntityState::Enabled));
    assert_eq!(alice.user_role(), Some(&SdkRole::User));
    assert_eq!(
        alice.identity_provider_user_id(),
        Some("94a8f4e8-1dc0-4000-8000-000000000001")
    );
    assert_eq!(
        alice.identity_provider_identity_store_id(),
        Some(demo::IDENTITY_STORE_ID)
    );
    assert!(alice.enabled_date().is_some());
    assert!(alice.disabled_date().is_none());
}

#[tokio::test]
async fn the_demo_has_a_realistic_mix() {
    let (emulator, _client) = demo().await;
    let users = emulator.users(ORG);
    let signs_in =
        |user: &&EmulatedUser| user.state == UserState::Enabled && user.role == UserRole::User;
    let enabled: Vec<&EmulatedUser> = users.iter().filter(signs_in).collect();
    assert_eq!(enabled.len(), 10);
    let unlinked = enabled
        .iter()
        .filter(|user| user.identity_provider_user_id.is_none())
        .count();
    assert_eq!(unlinked, 3);
    assert!(users.iter().any(|user| user.state == UserState::Disabled));
    assert!(users.iter().any(|user| user.role == UserRole::Resource));
    let tokens = emulator.personal_access_tokens(ORG);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|elapsed| i64::try_from(elapsed.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or_default();
    let expired: Vec<&EmulatedToken> = tokens
        .iter()
        .filter(|token| token.expires_time <= now)
        .collect();
    assert_eq!(expired.len(), 1, "one expired token: dave's");
    for token in &tokens {
        let owner = users
            .iter()
            .find(|user| user.id == token.user_id)
            .expect("an owner");
        assert!(
            owner.identity_provider_user_id.is_some(),
            "only linked users have tokens"
        );
    }
}

#[tokio::test]
async fn list_users_filters_as_the_model_says_and_pages_within_a_filter() {
    let (emulator, client) = demo().await;
    let users = emulator.users(ORG);
    let expect = |keep: &dyn Fn(&EmulatedUser) -> bool| -> Vec<String> {
        users
            .iter()
            .filter(|user| keep(user))
            .map(|user| user.id.clone())
            .collect()
    };
    let disabled = ListUsersFilters::builder()
        .state(EntityState::Disabled)
        .build();
    let (ids, pages) = all_user_ids(&client, 1, Some(disabled)).await;
    assert_eq!(ids, expect(&|user| user.state == UserState::Disabled));
    assert_eq!((ids.len(), pages), (2, 2), "one a page, no empty last page");

    let by_name = ListUsersFilters::builder().username_prefix("m").build();
    assert_eq!(
        all_user_ids(&client, 100, Some(by_name)).await.0,
        expect(&|user| user.name.starts_with('m'))
    );
    let by_email = ListUsersFilters::builder()
        .primary_email_prefix("fr")
        .build();
    assert_eq!(all_user_ids(&client, 100, Some(by_email)).await.0.len(), 1);
    let by_display = ListUsersFilters::builder()
        .display_name_prefix("Gr")
        .build();
    assert_eq!(
        all_user_ids(&client, 100, Some(by_display)).await.0.len(),
        1
    );
    let linked = ListUsersFilters::builder()
        .identity_provider_user_id_prefix("94a8f4e8-")
        .build();
    assert_eq!(
        all_user_ids(&client, 3, Some(linked)).await.0,
        expect(&|user| user.identity_provider_user_id.is_some())
    );
    let combined = ListUsersFilters::builder()
        .identity_provider_user_id_prefix("94A8")
        .state(EntityState::Enabled)
        .build();
    assert!(
        all_user_ids(&client, 100, Some(combined))
            .await
            .0
            .is_empty(),
        "prefixes are exact"
    );
}

#[tokio::test]
async fn list_users_refuses_what_the_model_refuses() {
    let (emulator, client) = demo().await;
    for size in [0, 101, -1] {
        let error = client
            .list_users()
            .organization_id(ORG)
            .max_results(size)
            .send()
            .await
            .expect_err("out of range");
        assert_eq!(error.code(), Some("InvalidParameterException"), "{size}");
        assert!(
            error.message().unwrap_or_default().contains("MaxResults"),
            "{error:?}"
        );
    }
    for token in ["", "not-a-token", "zz", &"a".repeat(1025)] {
        let error = client
            .list_users()
            .organization_id(ORG)
            .next_token(token)
            .send()
            .await
            .expect_err("bad token");
        assert_eq!(error.code(), Some("InvalidParameterException"), "{token:?}");
    }
    for prefix in ["xyz", "", &"a".repeat(48)] {
        let filters = ListUsersFilters::builder()
            .identity_provider_user_id_prefix(prefix)
            .build();
        let error = client
            .list_users()
            .organization_id(ORG)
            .filters(filters)
            .send()
            .await
            .expect_err("bad prefix");
        assert_eq!(
            error.code(),
            Some("InvalidParameterException"),
            "{prefix:?}"
        );
        assert!(
            error
                .message()
                .unwrap_or_default()
                .contains("IdentityProviderUserIdPrefix"),
            "{error:?}"
        );
    }
    let long = ListUsersFilters::builder()
        .username_prefix("a".repeat(257))
        .build();
    let error = client
        .list_users()
        .organization_id(ORG)
        .filters(long)
        .send()
        .await
        .expect_err("too long");
    assert_eq!(error.code(), Some("InvalidParameterException"));
    let error = client
        .list_users()
        .organization_id("m-1")
        .send()
        .await
        .expect_err("bad id");
    assert_eq!(error.code(), Some("InvalidParameterException"));
    let error = client
        .list_users()
        .send()
        .await
        .expect_err("no organization");
    assert_eq!(error.code(), Some("InvalidParameterException"));
    let error = client
        .list_users()
        .organization_id("m-99999999999999999999999999999999")
        .send()
        .await
        .expect_err("unknown");
    assert_eq!(error.code(), Some("OrganizationNotFoundException"));
    emulator.set_organization_state(ORG, OrganizationState::Deleted);
    let error = client
        .list_users()
        .organization_id(ORG)
        .send()
        .await
        .expect_err("deleted");
    assert_eq!(error.code(), Some("OrganizationStateException"));
}

/// Every token id `ListPersonalAccessTokens` answers for `user`, `size` a page; and the page count.
async fn all_token_ids(client: &Client, size: i32, user: Option<&str>) -> (Vec<String>, usize) {
    let (mut ids, mut pages, mut token) = (Vec::new(), 0, None);
    loop {
        let page = client
            .list_personal_access_tokens()
            .organization_id(ORG)
            .max_results(size)
            .set_user_id(user.map(str::to_owned))
            .set_next_token(token)
            .send()
            .await
            .expect("a page of tokens");
        pages += 1;
        ids.extend(
            page.personal_access_token_summaries()
                .iter()
                .filter_map(|summary| summary.personal_access_token_id().map(str::to_owned)),
        );
        token = page.next_token().map(str::to_owned);
        if token.is_none() {
            return (ids, pages);
        }
    }
}

#[tokio::test]
async fn list_personal_access_tokens_pages_filters_by_user_and_answers_every_member() {
    let (emulator, client) = demo().await;
    let seeded: Vec<String> = emulator
        .personal_access_tokens(ORG)
        .into_iter()
        .map(|token| token.id)
        .collect();
    let (ids, pages) = all_token_ids(&client, 4, None).await;
    assert_eq!(ids, seeded);
    assert_eq!(pages, 2);
    let alice = "a1b2c3d4-0000-4000-8000-000000000001";
    let (by_id, _) = all_token_ids(&client, 1, Some(alice)).await;
    assert_eq!(by_id, ["pat-alice-laptop", "pat-alice-phone"]);
    let (by_email, _) = all_token_ids(&client, 100, Some("alice@demo.awsapps.com")).await;
    assert_eq!(
        by_email, by_id,
        "UserId is an EntityIdentifier: id, email or user name"
    );
    assert_eq!(
        all_token_ids(&client, 100, Some("carol")).await.0,
        Vec::<String>::new()
    );

    let page = client
        .list_personal_access_tokens()
        .organization_id(ORG)
        .user_id(alice)
        .max_results(1)
        .send()
        .await
        .expect("a page");
    let laptop = &page.personal_access_token_summaries()[0];
    let seeded = emulator.personal_access_tokens(ORG);
    let expected = seeded
        .iter()
        .find(|token| token.id == "pat-alice-laptop")
        .expect("seeded");
    assert_eq!(laptop.user_id(), Some(alice));
    assert_eq!(laptop.name(), Some("Thunderbird on laptop"));
    assert_eq!(
        laptop.date_created().map(|at| at.secs()),
        Some(expected.date_created)
    );
    assert_eq!(
        laptop.expires_time().map(|at| at.secs()),
        Some(expected.expires_time)
    );
    assert_eq!(
        laptop.date_last_used().map(|at| at.secs()),
        expected.date_last_used
    );
    assert_eq!(laptop.scopes(), ["mail"]);
}

#[tokio::test]
async fn list_personal_access_tokens_refuses_bad_input_unknown_and_deleted_users() {
    let (emulator, client) = demo().await;
    for user in ["has space", "", "slash/slash", &"u".repeat(257)] {
        let error = client
            .list_personal_access_tokens()
            .organization_id(ORG)
            .user_id(user)
            .send()
            .await
            .expect_err("bad user id");
        assert_eq!(error.code(), Some("InvalidParameterException"), "{user:?}");
    }
    let error = client
        .list_personal_access_tokens()
        .organization_id(ORG)
        .max_results(101)
        .send()
        .await
        .expect_err("page size");
    assert_eq!(error.code(), Some("InvalidParameterException"));
    let error = client
        .list_personal_access_tokens()
        .organization_id(ORG)
        .next_token("?")
        .send()
        .await
        .expect_err("bad token");
    assert_eq!(error.code(), Some("InvalidParameterException"));
    let error = client
        .list_personal_access_tokens()
        .organization_id(ORG)
        .user_id("nobody@demo.awsapps.com")
        .send()
        .await
        .expect_err("unknown user");
    assert_eq!(error.code(), Some("EntityNotFoundException"));
    let error = client
        .list_personal_access_tokens()
        .organization_id(ORG)
        .user_id("trent")
        .send()
        .await
        .expect_err("deleted user");
    assert_eq!(error.code(), Some("EntityStateException"));
    emulator.set_organization_state(ORG, OrganizationState::Inactive);
    let error = client
        .list_personal_access_tokens()
        .organization_id(ORG)
        .send()
        .await
        .expect_err("inactive");
    assert_eq!(error.code(), Some("OrganizationStateException"));
}

#[tokio::test]
async fn tokens_are_described_and_deleted_and_deletion_is_idempotent() {
    let (emulator, client) = demo().await;
    let metadata = client
        .get_personal_access_token_metadata()
        .organization_id(ORG)
        .personal_access_token_id("pat-bob-outlook")
        .send()
        .await
        .expect("metadata");
    assert_eq!(metadata.personal_access_token_id(), Some("pat-bob-outlook"));
    assert_eq!(
        metadata.user_id(),
        Some("a1b2c3d4-0000-4000-8000-000000000002")
    );
    assert_eq!(metadata.name(), Some("Outlook"));
    assert!(metadata.expires_time().is_some() && metadata.date_created().is_some());
    assert!(metadata.date_last_used().is_none());

    client
        .delete_personal_access_token()
        .organization_id(ORG)
        .personal_access_token_id("pat-bob-outlook")
        .send()
        .await
        .expect("deleted");
    assert!(
        emulator
            .personal_access_tokens(ORG)
            .iter()
            .all(|token| token.id != "pat-bob-outlook")
    );
    assert_eq!(emulator.personal_access_tokens(ORG).len(), 5);
    let error = client
        .get_personal_access_token_metadata()
        .organization_id(ORG)
        .personal_access_token_id("pat-bob-outlook")
        .send()
        .await
        .expect_err("gone");
    assert_eq!(error.code(), Some("ResourceNotFoundException"));
    client
        .delete_personal_access_token()
        .organization_id(ORG)
        .personal_access_token_id("pat-bob-outlook")
        .send()
        .await
        .expect("deleting again is not an error: the model has no 'not found' for it");

    for id in ["", "a.b", "a/b", "../x", &"t".repeat(65)] {
        let error = client
            .delete_personal_access_token()
            .organization_id(ORG)
            .personal_access_token_id(id)
            .send()
            .await
            .expect_err("bad id");
        assert_eq!(error.code(), Some("InvalidParameterException"), "{id:?}");
        let error = client
            .get_personal_access_token_metadata()
            .organization_id(ORG)
            .personal_access_token_id(id)
            .send()
            .await
            .expect_err("bad id");
        assert_eq!(error.code(), Some("InvalidParameterException"), "{id:?}");
    }
    let error = client
        .delete_personal_access_token()
        .organization_id(ORG)
        .send()
        .await
        .expect_err("no id");
    assert_eq!(error.code(), Some("InvalidParameterException"));
    assert_eq!(
        emulator.personal_access_tokens(ORG).len(),
        5,
        "refused deletes delete nothing"
    );
    emulator.set_organization_state(ORG, OrganizationState::Deleting);
    let error = client
        .delete_personal_access_token()
        .organization_id(ORG)
        .personal_access_token_id("pat-alice-phone")
        .send()
        .await
        .expect_err("deleting");
    assert_eq!(error.code(), Some("OrganizationStateException"));
    assert_eq!(emulator.personal_access_tokens(ORG).len(), 5);
}

#[tokio::test]
async fn a_page_boundary_holds_when_tokens_are_deleted_between_pages() {
    let (emulator, client) = demo().await;
    let first = client
        .list_personal_access_tokens()
        .organization_id(ORG)
        .max_results(2)
        .send()
        .await
        .expect("first page");
    let next = first.next_token().expect("more").to_owned();
    for id in ["pat-alice-laptop", "pat-alice-phone", "pat-bob-outlook"] {
        client
            .delete_personal_access_token()
            .organization_id(ORG)
            .personal_access_token_id(id)
            .send()
            .await
            .expect("deleted");
    }
    let second = client
        .list_personal_access_tokens()
        .organization_id(ORG)
        .max_results(2)
        .next_token(next)
        .send()
        .await
        .expect("second page");
    let ids: Vec<&str> = second
        .personal_access_token_summaries()
        .iter()
        .filter_map(|summary| summary.personal_access_token_id())
        .collect();
    assert_eq!(
        ids,
        ["pat-dave-old", "pat-grace-android"],
        "nothing skipped, nothing repeated"
    );
    assert_eq!(emulator.personal_access_tokens(ORG).len(), 3);
}

#[tokio::test]
async fn ten_thousand_users_and_twenty_thousand_tokens_page_through() {
    let emulator = Emulator::start().await.expect("emulator starts");
    emulator.add_organization(ORG, "bulk", OrganizationState::Active);
    let bulk = BulkDirectory {
        users: 10_000,
        tokens: 20_000,
        unlinked_every: 10,
        disabled_every: 25,
        expired_every: 7,
        now: 1_800_000_000,
    };
    emulator.seed_bulk_directory(ORG, &bulk);
    assert_eq!(emulator.users(ORG).len(), 10_000);
    assert_eq!(emulator.personal_access_tokens(ORG).len(), 20_000);
    let client = client(&emulator);
    let (users, pages) = all_user_ids(&client, 100, None).await;
    assert_eq!((users.len(), pages), (10_000, 100));
    let (tokens, pages) = all_token_ids(&client, 100, None).await;
    assert_eq!((tokens.len(), pages), (20_000, 200));
    let unlinked = ListUsersFilters::builder()
        .username_prefix("user000")
        .build();
    assert_eq!(
        all_user_ids(&client, 100, Some(unlinked)).await.0.len(),
        100
    );
}

#[tokio::test]
async fn faults_rate_limits_and_the_call_log_cover_the_new_operations() {
    let (emulator, client) = demo().await;
    emulator.inject(FaultRule::new("ListUsers", Fault::Throttle).times(1));
    let page = client
        .list_users()
        .organization_id(ORG)
        .send()
        .await
        .expect("retried past the throttle");
    assert_eq!(page.users().len(), 15);
    emulator.inject(FaultRule::new(
        "DeletePersonalAccessToken",
        Fault::AccessDenied,
    ));
    let error = client
        .delete_personal_access_token()
        .organization_id(ORG)
        .personal_access_token_id("pat-alice-phone")
        .send()
        .await
        .expect_err("denied");
    assert_eq!(error.code(), Some("AccessDeniedException"));
    assert_eq!(
        emulator.personal_access_tokens(ORG).len(),
        6,
        "a refused delete deletes nothing"
    );
    let calls = emulator.calls();
    let operations: Vec<&str> = calls.iter().map(|call| call.operation.as_str()).collect();
    assert_eq!(
        operations,
        ["ListUsers", "ListUsers", "DeletePersonalAccessToken"]
    );
    assert_eq!(calls[2].body["PersonalAccessTokenId"], "pat-alice-phone");
    assert_eq!(calls[2].target, "WorkMailService.DeletePersonalAccessToken");

    emulator.set_rate_limit(Some((0.001, 1)));
    let once = client_with_attempts(&emulator, 1);
    once.list_personal_access_tokens()
        .organization_id(ORG)
        .send()
        .await
        .expect("the burst");
    let error = once
        .list_personal_access_tokens()
        .organization_id(ORG)
        .send()
        .await
        .expect_err("over the rate");
    assert_eq!(error.code(), Some("ThrottlingException"));
    assert_eq!(emulator.throttled_by_rate_limit(), 1);
}
