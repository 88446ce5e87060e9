//! The mailbox directory adapter through the emulator and the real SDK client: paging through 10,000
//! users, tokens by user, metadata and revocation, refusing answers outside the model, error kinds,
//! and `read_directory` feeding an impact report, within a time budget and at a pace.

mod support;

use std::time::Duration;

use idp_gateway::domain::{
    AuthenticationMode, Change, CutShort, ImpactData, ImpactReport, OrganizationId,
    PersonalAccessTokenId, Timestamp, UserId, UserRole, UserState,
};
use idp_gateway::workmail::{
    IdentityProviderStore, MailboxDirectory, PageToken, ReadBudget, SdkWorkMail, TokenRevocation,
    WorkMailErrorKind, read_directory,
};
use support::*;
use tokio::time::Instant;
use workmail_emulator::{
    BulkDirectory, EmulatedUser, Emulator, Fault, FaultRule, OrganizationState,
};

struct Bed {
    emulator: Emulator,
    directory: SdkWorkMail,
    store: SdkWorkMail,
    organization: OrganizationId,
}

async fn bed() -> Bed {
    let emulator = Emulator::start().await.expect("emulator starts");
    emulator.seed_demo();
    let config = sdk_config(&emulator.url()).await;
    Bed {
        directory: SdkWorkMail::new(&config, &test_settings()),
        store: SdkWorkMail::new(&config, &test_settings()),
        organization: OrganizationId::parse(ORG).expect("valid"),
        emulator,
    }
}

fn bulk(users: usize, tokens: usize) -> BulkDirectory {
    BulkDirectory {
        users,
        tokens,
        unlinked_every: 10,
        disabled_every: 25,
        expired_every: 4,
        now: Timestamp::now().unix_seconds(),
    }
}

fn budget(seconds: u64) -> ReadBudget {
    ReadBudget::until(Instant::now() + Duration::from_secs(seconds))
}

/// A switch of the demo's current configuration to `IDENTITY_PROVIDER_ONLY`.
async fn switch_to_only(bed: &Bed) -> Change {
    let before = bed
        .store
        .describe(&bed.organization)
        .await
        .expect("described");
    let mut after = before.clone().expect("the demo is configured");
    after.authentication_mode = AuthenticationMode::IdentityProviderOnly;
    Change {
        organization: bed.organization.clone(),
        before,
        after: Some(after),
    }
}

#[tokio::test]
async fn pages_through_ten_thousand_users_into_domain_types() {
    let bed = bed().await;
    bed.emulator.seed_bulk_directory(ORG, &bulk(10_000, 0));
    let (mut users, mut next, mut pages) = (Vec::new(), None::<PageToken>, 0);
    loop {
        let page = bed
            .directory
            .list_users(&bed.organization, next.as_ref())
            .await
            .expect("a page");
        pages += 1;
        assert!(page.items.len() <= 100);
        users.extend(page.items);
        next = page.next;
        if next.is_none() {
            break;
        }
    }
    assert_eq!((users.len(), pages), (10_000, 100));
    let calls = bed.emulator.calls();
    assert!(
        calls.iter().all(|call| call.body["MaxResults"] == 100),
        "always the largest page"
    );
    assert_eq!(calls.len(), 100);
    assert_eq!(users.iter().filter(|user| user.is_linked()).count(), 9_000);
    assert_eq!(
        users
            .iter()
            .filter(|user| user.state == UserState::Disabled)
            .count(),
        400
    );
    assert_eq!(users[1].id.as_str(), "00000001-0000-4000-8000-000000000001");
    assert_eq!(
        users[1].email.as_deref(),
        Some("user00001@demo.awsapps.com")
    );
    assert_eq!(users[1].name.as_deref(), Some("user00001"));
    assert!(users.iter().all(|user| user.role == UserRole::User));
}

#[tokio::test]
async fn tokens_are_listed_by_user_described_and_revoked() {
    let bed = bed().await;
    let alice = UserId::parse("a1b2c3d4-0000-4000-8000-000000000001").expect("valid");
    let page = bed
        .directory
        .list_personal_access_tokens(&bed.organization, Some(&alice), None)
        .await
        .expect("alice's tokens");
    let ids: Vec<&str> = page.items.iter().map(|token| token.id.as_str()).collect();
    assert_eq!(ids, ["pat-alice-laptop", "pat-alice-phone"]);
    assert!(page.next.is_none());
    let laptop = &page.items[0];
    assert_eq!(laptop.user_id, alice);
    assert_eq!(laptop.name.as_deref(), Some("Thunderbird on laptop"));
    assert_eq!(laptop.scopes, ["mail"]);
    let now = Timestamp::now();
    assert!(laptop.is_unexpired(now) && laptop.created.is_some_and(|at| at < now));
    assert!(laptop.last_used.is_some());

    let all = bed
        .directory
        .list_personal_access_tokens(&bed.organization, None, None)
        .await
        .expect("every token");
    assert_eq!(all.items.len(), 6);
    assert_eq!(
        all.items
            .iter()
            .filter(|token| !token.is_unexpired(now))
            .count(),
        1
    );

    let phone = PersonalAccessTokenId::parse("pat-alice-phone").expect("valid");
    let described = bed
        .directory
        .personal_access_token(&bed.organization, &phone)
        .await
        .expect("described")
        .expect("exists");
    assert_eq!(described.id, phone);
    assert_eq!(described.user_id, alice);
    bed.directory
        .delete_personal_access_token(&bed.organization, &phone)
        .await
        .expect("revoked");
    assert_eq!(
        bed.directory
            .personal_access_token(&bed.organization, &phone)
            .await
            .expect("read"),
        None,
        "a revoked token is gone"
    );
    assert_eq!(bed.emulator.personal_access_tokens(ORG).len(), 5);
    assert_eq!(
        bed.emulator.operations(),
        [
            "ListPersonalAccessTokens",
            "ListPersonalAccessTokens",
            "GetPersonalAccessTokenMetadata",
            "DeletePersonalAccessToken",
            "GetPersonalAccessTokenMetadata"
        ]
    );
}

#[tokio::test]
async fn upstream_errors_keep_their_kind() {
    let bed = bed().await;
    let nobody = UserId::parse("ffffffff-0000-4000-8000-000000000000").expect("valid");
    let error = bed
        .directory
        .list_personal_access_tokens(&bed.organization, Some(&nobody), None)
        .await
        .expect_err("unknown user");
    assert_eq!(error.kind, WorkMailErrorKind::EntityNotFound);
    assert_eq!(error.public_code(), "USER_NOT_FOUND");
    let trent = UserId::parse("a1b2c3d4-0000-4000-8000-000000000013").expect("valid");
    let error = bed
        .directory
        .list_personal_access_tokens(&bed.organization, Some(&trent), None)
        .await
        .expect_err("deleted user");
    assert_eq!(error.kind, WorkMailErrorKind::EntityState);
    let unknown = OrganizationId::parse("m-99999999999999999999999999999999").expect("valid");
    let error = bed
        .directory
        .list_users(&unknown, None)
        .await
        .expect_err("unknown");
    assert_eq!(error.kind, WorkMailErrorKind::OrganizationNotFound);
    assert_eq!(error.operation.name(), "ListUsers");
    bed.emulator
        .inject(FaultRule::new("ListUsers", Fault::Throttle).times(2));
    let page = bed
        .directory
        .list_users(&bed.organization, None)
        .await
        .expect("retried");
    assert_eq!(page.items.len(), 15);
    bed.emulator.inject(FaultRule::new(
        "DeletePersonalAccessToken",
        Fault::AccessDenied,
    ));
    let phone = PersonalAccessTokenId::parse("pat-alice-phone").expect("valid");
    let error = bed
        .directory
        .delete_personal_access_token(&bed.organization, &phone)
        .await
        .expect_err("denied");
    assert_eq!(error.kind, WorkMailErrorKind::AccessDenied);
    bed.emulator
        .set_organization_state(ORG, OrganizationState::Deleted);
    let error = bed
        .directory
        .list_users(&bed.organization, None)
        .await
        .expect_err("deleted");
    assert_eq!(error.kind, WorkMailErrorKind::OrganizationState);
}

#[tokio::test]
async fn answers_outside_the_model_are_refused() {
    let bed = bed().await;
    bed.emulator.add_user(
        ORG,
        EmulatedUser::new("short-id", "short", "short@demo.awsapps.com"),
    );
    let error = bed
        .directory
        .list_users(&bed.organization, None)
        .await
        .expect_err("id too short");
    assert_eq!(error.kind, WorkMailErrorKind::UnexpectedAnswer);
    assert!(
        error.message.contains("Users[15].Id"),
        "the 16th user, after the demo's: {}",
        error.message
    );

    let bed = self::bed().await;
    bed.emulator.add_user(
        ORG,
        EmulatedUser::new(
            "ffffffff-0000-4000-8000-00000000000f",
            "odd",
            "odd@demo.awsapps.com",
        )
        .linked("not-an-identity-center-user", "d-90670a1b2c"),
    );
    let error = bed
        .directory
        .list_users(&bed.organization, None)
        .await
        .expect_err("bad link");
    assert_eq!(error.kind, WorkMailErrorKind::UnexpectedAnswer);
    assert!(
        error.message.contains("IdentityProviderUserId"),
        "{}",
        error.message
    );

    let bed = self::bed().await;
    bed.emulator.add_personal_access_token(
        ORG,
        workmail_emulator::EmulatedToken::new(
            "pat-odd",
            "a1b2c3d4-0000-4000-8000-000000000001",
            0,
            1,
        )
        .named(&"n".repeat(65)),
    );
    let error = bed
        .directory
        .list_personal_access_tokens(&bed.organization, None, None)
        .await
        .expect_err("name too long");
    assert_eq!(error.kind, WorkMailErrorKind::UnexpectedAnswer);
    assert!(error.message.contains(".Name"), "{}", error.message);
}

#[tokio::test]
async fn the_demo_reports_who_would_lose_access_on_a_switch() {
    let bed = bed().await;
    let change = switch_to_only(&bed).await;
    assert_eq!(change.impact_data(), ImpactData::UsersAndTokens);
    let snapshot = read_directory(
        &bed.directory,
        &bed.organization,
        change.impact_data(),
        &budget(10),
    )
    .await
    .expect("read");
    assert_eq!(snapshot.cut_short, None);
    let report = ImpactReport::compute(&change, &snapshot, Timestamp::now());
    assert!(report.complete);
    assert_eq!((report.enabled_users, report.other_users), (10, 5));
    let names = |list: &idp_gateway::domain::AffectedList| -> Vec<String> {
        list.users
            .iter()
            .filter_map(|user| user.name.clone())
            .collect()
    };
    assert_eq!(
        names(&report.affected.losing_all_access),
        ["erin", "frank", "oscar"]
    );
    assert_eq!(
        names(&report.affected.losing_mail_client_access),
        ["carol", "dave", "ivan"],
        "dave's only token has expired"
    );
    assert!(!report.nobody_affected());

    let removal = Change {
        after: None,
        ..change
    };
    assert_eq!(removal.impact_data(), ImpactData::Users);
    let calls_before = bed.emulator.calls().len();
    let users_only = read_directory(
        &bed.directory,
        &bed.organization,
        removal.impact_data(),
        &budget(10),
    )
    .await
    .expect("read");
    assert_eq!(users_only.tokens, None, "a removal reads no tokens");
    assert_eq!(bed.emulator.operations()[calls_before..], ["ListUsers"]);
    let report = ImpactReport::compute(&removal, &users_only, Timestamp::now());
    assert_eq!(report.may_need_password_reset, 7);
    assert!(report.complete);
}

#[tokio::test]
async fn ten_thousand_users_and_twenty_thousand_tokens_are_read_concurrently() {
    let bed = bed().await;
    bed.emulator.seed_bulk_directory(ORG, &bulk(10_000, 20_000));
    let change = switch_to_only(&bed).await;
    let started = Instant::now();
    let snapshot = read_directory(
        &bed.directory,
        &bed.organization,
        change.impact_data(),
        &budget(60),
    )
    .await
    .expect("read");
    let elapsed = started.elapsed();
    assert_eq!(snapshot.users.len(), 10_000);
    assert_eq!(snapshot.tokens.as_ref().map(Vec::len), Some(20_000));
    let report = ImpactReport::compute(&change, &snapshot, Timestamp::now());
    assert!(report.complete, "read in {elapsed:?}");
    // 9,600 enabled (1 in 25 disabled); 1 in 10 unlinked, 1 in 50 both: 800 enabled and unlinked.
    assert_eq!(report.enabled_users, 9_600);
    assert_eq!(report.losing_all_access, 800);
    // Token j belongs to the (j mod 8,800)-th linked enabled user, and 8,800 is a multiple of 4: the
    // owners numbered 0 mod 4 hold only expired tokens.
    assert_eq!(report.losing_mail_client_access, 2_200);
    assert!(report.affected.losing_all_access.truncated);
    assert_eq!(report.affected.losing_all_access.users.len(), 100);
    let operations = bed.emulator.operations();
    let count = |name: &str| {
        operations
            .iter()
            .filter(|operation| *operation == name)
            .count()
    };
    assert_eq!(
        (count("ListUsers"), count("ListPersonalAccessTokens")),
        (100, 200)
    );
    let first_token_page = operations
        .iter()
        .position(|operation| operation == "ListPersonalAccessTokens");
    let last_user_page = operations
        .iter()
        .rposition(|operation| operation == "ListUsers");
    assert!(
        first_token_page < last_user_page,
        "the two listings interleave: {first_token_page:?} {last_user_page:?}"
    );
}

#[tokio::test]
async fn a_read_cut_short_by_its_budget_says_so_and_the_report_is_incomplete() {
    let bed = bed().await;
    bed.emulator.seed_bulk_directory(ORG, &bulk(1_000, 0));
    bed.emulator
        .inject(FaultRule::new("ListUsers", Fault::Latency(Duration::from_secs(3))).after(2));
    let change = switch_to_only(&bed).await;
    let snapshot = read_directory(
        &bed.directory,
        &bed.organization,
        change.impact_data(),
        &ReadBudget::until(Instant::now() + Duration::from_millis(500)),
    )
    .await
    .expect("a partial read is not an error");
    assert_eq!(snapshot.cut_short, Some(CutShort::TimeBudget));
    assert_eq!(
        snapshot.users.len(),
        200,
        "the two pages before the slow one"
    );
    let report = ImpactReport::compute(&change, &snapshot, Timestamp::now());
    assert!(!report.complete);
    assert!(!report.nobody_affected());
}

#[tokio::test]
async fn a_paced_read_stays_under_workmails_rate() {
    let bed = bed().await;
    bed.emulator.seed_bulk_directory(ORG, &bulk(1_000, 1_000));
    // Unpaced, the 20 pages would arrive within milliseconds and all but 3 would be throttled.
    bed.emulator.set_rate_limit(Some((25.0, 3)));
    let started = Instant::now();
    let snapshot = read_directory(
        &bed.directory,
        &bed.organization,
        ImpactData::UsersAndTokens,
        &budget(30).paced(20.0),
    )
    .await
    .expect("read");
    let elapsed = started.elapsed();
    assert_eq!(snapshot.users.len(), 1_000);
    assert_eq!(snapshot.tokens.as_ref().map(Vec::len), Some(1_000));
    assert_eq!(
        bed.emulator.throttled_by_rate_limit(),
        0,
        "paced under the limit, in {elapsed:?}"
    );
    assert!(
        elapsed >= Duration::from_millis(950),
        "20 pages at 20/s take at least 0.95 s: {elapsed:?}"
    );
    // The control: the same read unpaced, against a fresh bucket, is throttled (whether or not the
    // SDK's retries then get it through).
    bed.emulator.set_rate_limit(Some((25.0, 3)));
    let unpaced = read_directory(
        &bed.directory,
        &bed.organization,
        ImpactData::UsersAndTokens,
        &budget(30),
    )
    .await;
    assert!(
        bed.emulator.throttled_by_rate_limit() > 0,
        "unpaced: {:?}",
        unpaced.map(|snapshot| snapshot.users.len())
    );
}

#[tokio::test]
async fn a_failed_page_fails_the_read_without_waiting_for_the_other_listing() {
    let bed = bed().await;
    bed.emulator.seed_bulk_directory(ORG, &bulk(1_000, 0));
    bed.emulator.inject(FaultRule::new(
        "ListPersonalAccessTokens",
        Fault::Latency(Duration::from_secs(20)),
    ));
    bed.emulator
        .inject(FaultRule::new("ListUsers", Fault::AccessDenied).after(1));
    let started = Instant::now();
    let error = read_directory(
        &bed.directory,
        &bed.organization,
        ImpactData::UsersAndTokens,
        &budget(30),
    )
    .await
    .expect_err("the second page of users is denied");
    assert_eq!(error.kind, WorkMailErrorKind::AccessDenied);
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "the slow token page is not waited for: {:?}",
        started.elapsed()
    );
}
