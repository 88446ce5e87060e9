//! The DynamoDB lease adapter against a real DynamoDB API on loopback (moto's server mode): one
//! holder at a time, the conditional writes behind it, expiry and takeover of a dead holder's lease,
//! release and renewal only by the owner, and an unusable store reported as unavailable.

mod support;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_sdk_dynamodb::types::AttributeValue;
use idp_gateway::domain::OrganizationId;
use idp_gateway::lease::{
    Acquisition, DynamoDbLeases, ETAG_KEY_ITEM, EtagKeyError, EtagKeys, Lease, LeaseError,
    LeaseKey, WriteLeases,
};
use lambda_harness::dynamodb::LocalDynamoDb;
use support::dynamodb::ThrottlingDynamoDb;
use support::*;

const TABLE: &str = "idp-gateway-write-locks";
const TTL: Duration = Duration::from_secs(30);

fn key() -> LeaseKey {
    LeaseKey::workmail_organization(&OrganizationId::parse(ORG).expect("id"))
}

fn now_seconds() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock")
        .as_secs()
}

async fn leases_on(dynamodb: &LocalDynamoDb) -> DynamoDbLeases {
    dynamodb.create_lease_table(TABLE).await;
    DynamoDbLeases::new(&sdk_config(&dynamodb.url).await, TABLE)
}

async fn held(leases: &DynamoDbLeases, owner: &str) -> Lease {
    match leases.try_acquire(&key(), owner, TTL).await {
        Ok(Acquisition::Held(lease)) => lease,
        other => panic!("{owner} should get the lease: {other:?}"),
    }
}

#[tokio::test]
async fn one_holder_at_a_time_and_only_the_owner_releases() {
    let dynamodb = LocalDynamoDb::start().await;
    let leases = leases_on(&dynamodb).await;
    let first = held(&leases, "first").await;

    match leases.try_acquire(&key(), "second", TTL).await {
        Ok(Acquisition::Busy {
            remaining: Some(remaining),
        }) => assert!(
            remaining <= TTL + Duration::from_secs(1) && remaining >= TTL - Duration::from_secs(3),
            "{remaining:?}"
        ),
        other => panic!("a held lease is busy, with its expiry: {other:?}"),
    }
    let stranger = Lease {
        key: key(),
        owner: "second".to_owned(),
    };
    assert!(matches!(
        leases.release(&stranger).await,
        Err(LeaseError::Lost(_))
    ));
    assert!(matches!(
        leases.renew(&stranger, TTL).await,
        Err(LeaseError::Lost(_))
    ));
    leases.renew(&first, TTL).await.expect("the owner renews");

    let item = dynamodb
        .client()
        .await
        .get_item()
        .table_name(TABLE)
        .key("pk", AttributeValue::S(key().as_str().to_owned()))
        .consistent_read(true)
        .send()
        .await
        .expect("get item");
    let item = item.item().expect("the lease item is stored");
    assert_eq!(item["owner"].as_s().ok().map(String::as_str), Some("first"));
    let expires: u64 = item["expiresAt"]
        .as_n()
        .expect("expiresAt is a number, as DynamoDB's TTL needs")
        .parse()
        .expect("epoch seconds");
    let now = now_seconds();
    assert!(
        expires >= now + TTL.as_secs() - 2 && expires <= now + TTL.as_secs() + 2,
        "{expires} vs now {now}"
    );

    leases.release(&first).await.expect("the owner releases");
    assert!(
        matches!(leases.release(&first).await, Err(LeaseError::Lost(_))),
        "a released lease cannot be released twice"
    );
    held(&leases, "second").await;
}

/// The SDK retries a put whose answer was lost after it was applied: the retry, with the same owner
/// token, finds its own lease and holds it; another owner still finds it busy.
#[tokio::test]
async fn a_retried_acquisition_finds_its_own_lease() {
    let dynamodb = LocalDynamoDb::start().await;
    let leases = leases_on(&dynamodb).await;
    let first = held(&leases, "acquisition-7f3a").await;
    let retried = held(&leases, "acquisition-7f3a").await;
    assert_eq!(retried, first);
    assert!(
        matches!(
            leases.try_acquire(&key(), "another-acquisition", TTL).await,
            Ok(Acquisition::Busy { .. })
        ),
        "another owner still waits"
    );
    leases.release(&retried).await.expect("the owner releases");
    held(&leases, "another-acquisition").await;
}

#[tokio::test]
async fn a_dead_holders_expired_lease_is_taken_over_and_stays_taken() {
    let dynamodb = LocalDynamoDb::start().await;
    let leases = leases_on(&dynamodb).await;
    dynamodb
        .client()
        .await
        .put_item()
        .table_name(TABLE)
        .item("pk", AttributeValue::S(key().as_str().to_owned()))
        .item("owner", AttributeValue::S("crashed".to_owned()))
        .item(
            "expiresAt",
            AttributeValue::N((now_seconds() - 60).to_string()),
        )
        .send()
        .await
        .expect("a lease left behind by a holder that died");

    let taken = held(&leases, "survivor").await;
    let dead = Lease {
        key: key(),
        owner: "crashed".to_owned(),
    };
    assert!(
        matches!(leases.renew(&dead, TTL).await, Err(LeaseError::Lost(_))),
        "the old holder cannot extend a lease taken over"
    );
    assert!(matches!(
        leases.release(&dead).await,
        Err(LeaseError::Lost(_))
    ));
    assert!(matches!(
        leases.try_acquire(&key(), "third", TTL).await,
        Ok(Acquisition::Busy { .. })
    ));
    leases.release(&taken).await.expect("released");
}

#[tokio::test]
async fn many_concurrent_takers_get_exactly_one_lease() {
    let dynamodb = LocalDynamoDb::start().await;
    let leases = leases_on(&dynamodb).await;
    for round in 0..10 {
        let attempts = (0..8).map(|taker| {
            let leases = leases.clone();
            async move {
                leases
                    .try_acquire(&key(), &format!("round{round}-taker{taker}"), TTL)
                    .await
            }
        });
        let answers = futures_util::future::join_all(attempts).await;
        let winners: Vec<Lease> = answers
            .into_iter()
            .filter_map(|answer| match answer.expect("the store answers") {
                Acquisition::Held(lease) => Some(lease),
                Acquisition::Busy { .. } => None,
            })
            .collect();
        assert_eq!(winners.len(), 1, "round {round}: {winners:?}");
        leases.release(&winners[0]).await.expect("released");
    }
}

#[tokio::test]
async fn a_throttled_or_unreachable_store_is_unavailable() {
    let throttling = ThrottlingDynamoDb::start().await;
    let leases = DynamoDbLeases::new(&sdk_config(&throttling.url).await, TABLE);
    match leases.try_acquire(&key(), "writer", TTL).await {
        Err(LeaseError::Unavailable(message)) => {
            assert!(
                message.contains("ProvisionedThroughputExceeded")
                    || message.contains("service error"),
                "{message}"
            );
        }
        other => panic!("throttled: {other:?}"),
    }
    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let address = closed.local_addr().expect("address");
    drop(closed);
    let leases = DynamoDbLeases::new(&sdk_config(&format!("http://{address}")).await, TABLE);
    assert!(matches!(
        leases.try_acquire(&key(), "writer", TTL).await,
        Err(LeaseError::Unavailable(_))
    ));
}

#[tokio::test]
async fn the_enforcers_ledger_counts_changes_remembers_its_stop_and_its_own_writes() {
    use idp_gateway::lease::{ChangeTicket, EnforcerLedger};
    let dynamodb = LocalDynamoDb::start().await;
    let ledger = leases_on(&dynamodb).await;
    let now = now_seconds();
    let tickets: Vec<ChangeTicket> = (0..6).map(|_| ChangeTicket::new(now)).collect();
    let spends = futures_util::future::join_all(
        tickets
            .iter()
            .map(|ticket| ledger.try_spend_change(ticket, 4)),
    )
    .await;
    let granted: Vec<&ChangeTicket> = tickets
        .iter()
        .zip(spends)
        .filter(|(_, spent)| *spent.as_ref().expect("the store answers"))
        .map(|(ticket, _)| ticket)
        .collect();
    assert_eq!(
        granted.len(),
        4,
        "concurrent spenders never exceed the limit"
    );
    assert!(
        ledger
            .try_spend_change(granted[0], 4)
            .await
            .expect("answer"),
        "a spend applied and then retried is still granted"
    );
    ledger.refund_change(granted[0]).await.expect("refund");
    ledger
        .refund_change(granted[0])
        .await
        .expect("a retried refund is answered");
    let never_granted = tickets
        .iter()
        .find(|ticket| !granted.contains(ticket))
        .expect("two were refused");
    ledger
        .refund_change(never_granted)
        .await
        .expect("a refund of a ticket never taken is answered");
    assert!(
        ledger
            .try_spend_change(&ChangeTicket::new(now), 4)
            .await
            .expect("answer"),
        "the one refund freed one change"
    );
    assert!(
        !ledger
            .try_spend_change(&ChangeTicket::new(now), 4)
            .await
            .expect("answer"),
        "the retried refund and the refund of an untaken ticket freed nothing"
    );
    assert!(
        ledger
            .try_spend_change(&ChangeTicket::new(now + 3600), 4)
            .await
            .expect("answer"),
        "the next hour has its own budget"
    );
    assert!(
        !ledger
            .try_spend_change(&ChangeTicket::new(now + 7200), 0)
            .await
            .expect("answer"),
        "a limit of 0 allows nothing"
    );

    let organization = OrganizationId::parse(ORG).expect("id");
    assert_eq!(ledger.resume_point().await.expect("read"), None);
    ledger
        .set_resume_point(Some(&organization))
        .await
        .expect("set");
    assert_eq!(
        ledger.resume_point().await.expect("read").as_deref(),
        Some(ORG)
    );
    ledger.set_resume_point(None).await.expect("clear");
    assert_eq!(ledger.resume_point().await.expect("read"), None);

    assert_eq!(
        ledger.recent_change(&organization).await.expect("read"),
        None
    );
    ledger
        .record_change(&organization, "\"abc\"", Duration::from_secs(600))
        .await
        .expect("record");
    assert_eq!(
        ledger
            .recent_change(&organization)
            .await
            .expect("read")
            .as_deref(),
        Some("\"abc\"")
    );
    ledger
        .record_change(&organization, "\"old\"", Duration::ZERO)
        .await
        .expect("record");
    assert_eq!(
        ledger.recent_change(&organization).await.expect("read"),
        None,
        "an expired record no longer counts, even before DynamoDB's TTL removes it"
    );
}

/// Every instance must seal portal secrets with one key, or an ETag read from one instance would
/// fail `If-Match` on another. Two instances that need the key at once (a race for the item, on a
/// fresh table each trial) end with the same one, and so does every later instance.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn instances_racing_for_the_etag_key_share_one() {
    let dynamodb = LocalDynamoDb::start().await;
    let config = sdk_config(&dynamodb.url).await;
    let client = dynamodb.client().await;
    for trial in 0..20 {
        let table = format!("etag-key-race-{trial}");
        dynamodb.create_lease_table(&table).await;
        let (first, second) = (
            DynamoDbLeases::new(&config, &table),
            DynamoDbLeases::new(&config, &table),
        );
        let (a, b) = tokio::join!(first.etag_key(), second.etag_key());
        let (a, b) = (a.expect("first key"), b.expect("second key"));
        assert_eq!(a.seal("probe"), b.seal("probe"), "trial {trial}");
        let later = DynamoDbLeases::new(&config, &table)
            .etag_key()
            .await
            .expect("later key");
        assert_eq!(later.seal("probe"), a.seal("probe"), "trial {trial}");
        let item = client
            .get_item()
            .table_name(&table)
            .key("pk", AttributeValue::S(ETAG_KEY_ITEM.to_owned()))
            .consistent_read(true)
            .send()
            .await
            .expect("read");
        let item = item.item().expect("the key item");
        assert_eq!(
            item.get("key")
                .and_then(|key| key.as_b().ok())
                .map(|key| key.as_ref().len()),
            Some(32),
            "trial {trial}: 32 bytes of key"
        );
        assert!(
            !item.contains_key("expiresAt"),
            "the table's TTL must never remove the key"
        );
    }
    let other_table = "etag-key-elsewhere";
    dynamodb.create_lease_table(other_table).await;
    let elsewhere = DynamoDbLeases::new(&config, other_table)
        .etag_key()
        .await
        .expect("key");
    let here = DynamoDbLeases::new(&config, "etag-key-race-0")
        .etag_key()
        .await
        .expect("key");
    assert_ne!(
        elsewhere.seal("probe"),
        here.seal("probe"),
        "each deployment makes its own random key"
    );
}

/// A key item that is not 32 bytes is refused, and left as it is: replacing it would give the
/// instances that still hold the old key other ETags.
#[tokio::test]
async fn a_malformed_etag_key_item_is_reported_and_never_replaced() {
    let dynamodb = LocalDynamoDb::start().await;
    let leases = leases_on(&dynamodb).await;
    let client = dynamodb.client().await;
    let short = AttributeValue::B(aws_sdk_dynamodb::primitives::Blob::new(vec![1_u8; 16]));
    for malformed in [short, AttributeValue::S("not bytes".to_owned())] {
        client
            .put_item()
            .table_name(TABLE)
            .item("pk", AttributeValue::S(ETAG_KEY_ITEM.to_owned()))
            .item("key", malformed.clone())
            .send()
            .await
            .expect("put");
        match leases.etag_key().await {
            Err(error @ EtagKeyError::Malformed(_)) => {
                assert!(error.to_string().contains(ETAG_KEY_ITEM), "{error}")
            }
            other => panic!("a malformed key item is reported as such: {other:?}"),
        }
        let stored = client
            .get_item()
            .table_name(TABLE)
            .key("pk", AttributeValue::S(ETAG_KEY_ITEM.to_owned()))
            .consistent_read(true)
            .send()
            .await
            .expect("read");
        assert_eq!(
            stored.item().and_then(|item| item.get("key")),
            Some(&malformed),
            "left as it was"
        );
    }
}

/// A lease store that does not answer gives no key (and so no portal ETag), rather than a made-up
/// one the other instances do not share.
#[tokio::test]
async fn an_unreachable_lease_table_gives_no_etag_key() {
    let dynamodb = LocalDynamoDb::start().await;
    let leases = DynamoDbLeases::new(&sdk_config(&dynamodb.url).await, "no-such-table");
    assert!(
        matches!(
            leases.etag_key().await,
            Err(EtagKeyError::Unavailable(LeaseError::Unavailable(_)))
        ),
        "a missing table is unavailable"
    );
}
