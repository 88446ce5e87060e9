//! A real DynamoDB API on loopback for the functions' write-lease table: moto's server mode (`pip
//! install "moto[server]"`), started on a free port and stopped when dropped, with the lease table
//! created as template.yaml declares it.

use std::net::SocketAddr;
use std::process::Stdio;
use std::time::{Duration, Instant};

use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, KeySchemaElement, KeyType, ScalarAttributeType,
    TimeToLiveSpecification,
};
use tokio::process::{Child, Command};

const STARTUP_LIMIT: Duration = Duration::from_secs(60);

/// A moto server process.
pub struct LocalDynamoDb {
    _child: Child,
    pub url: String,
}

impl LocalDynamoDb {
    /// Starts `moto_server` (or `$MOTO_SERVER`) on a free loopback port and waits until it answers.
    pub async fn start() -> Self {
        let program = std::env::var("MOTO_SERVER").unwrap_or_else(|_| "moto_server".to_owned());
        let port = free_port();
        let child = Command::new(&program)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .unwrap_or_else(|error| {
                panic!(
                    "{program} did not start ({error}): the lease tests need a local DynamoDB; \
                     install it with: python3 -m pip install \"moto[server]\" (scripts/test.sh does)"
                )
            });
        let address = SocketAddr::from(([127, 0, 0, 1], port));
        let started = Instant::now();
        while tokio::net::TcpStream::connect(address).await.is_err() {
            assert!(
                started.elapsed() < STARTUP_LIMIT,
                "{program} did not listen on {address} within {STARTUP_LIMIT:?}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Self {
            _child: child,
            url: format!("http://{address}"),
        }
    }

    /// A DynamoDB client on this server, with static test credentials.
    pub async fn client(&self) -> aws_sdk_dynamodb::Client {
        let config = aws_config::defaults(aws_config::BehaviorVersion::latest())
            .region("us-east-1")
            .endpoint_url(&self.url)
            .credentials_provider(aws_sdk_dynamodb::config::Credentials::new(
                "AKIDTEST", "secret", None, None, "harness",
            ))
            .load()
            .await;
        aws_sdk_dynamodb::Client::new(&config)
    }

    /// Creates the lease table as template.yaml declares it: partition key `pk` (string), on-demand,
    /// TTL on `expiresAt`.
    pub async fn create_lease_table(&self, name: &str) {
        let client = self.client().await;
        client
            .create_table()
            .table_name(name)
            .billing_mode(BillingMode::PayPerRequest)
            .attribute_definitions(
                AttributeDefinition::builder()
                    .attribute_name("pk")
                    .attribute_type(ScalarAttributeType::S)
                    .build()
                    .expect("attribute"),
            )
            .key_schema(
                KeySchemaElement::builder()
                    .attribute_name("pk")
                    .key_type(KeyType::Hash)
                    .build()
                    .expect("key"),
            )
            .send()
            .await
            .expect("the lease table is created");
        client
            .update_time_to_live()
            .table_name(name)
            .time_to_live_specification(
                TimeToLiveSpecification::builder()
                    .attribute_name("expiresAt")
                    .enabled(true)
                    .build()
                    .expect("ttl"),
            )
            .send()
            .await
            .expect("TTL is enabled");
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
        .expect("a free loopback port")
}
