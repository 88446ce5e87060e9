//! A real DynamoDB API on loopback for the functions' write-lease table: moto's server mode (`pip
//! install "moto[server]"`), started on a free port and stopped when dropped, with the lease table
//! created as template.yaml declares it.
//!
//! moto's server answers requests on threads, and its DynamoDB checks a `ConditionExpression` and
//! writes the item in two steps with no lock between them: two concurrent conditional puts could both
//! succeed (seen here: 2 of 8 concurrent takers of one lease, about once in a few hundred rounds),
//! which DynamoDB never allows. The server is therefore started single-threaded, one request at a
//! time, so that its conditional writes are atomic as DynamoDB's are.

use std::net::SocketAddr;
use std::process::Stdio;
use std::time::{Duration, Instant};

use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, KeySchemaElement, KeyType, ScalarAttributeType,
    TimeToLiveSpecification,
};
use tokio::process::{Child, Command};

const STARTUP_LIMIT: Duration = Duration::from_secs(60);

/// moto's own `moto_server` entry point, with werkzeug told to serve one request at a time.
const SINGLE_THREADED_MOTO: &str = "import sys\nimport moto.server as server\nserve = server.run_simple\nserver.run_simple = lambda *args, **kwargs: serve(*args, **{**kwargs, 'threaded': False})\nserver.main(sys.argv[1:])\n";

/// A moto server process.
pub struct LocalDynamoDb {
    _child: Child,
    pub url: String,
}

impl LocalDynamoDb {
    /// Starts moto's server single-threaded (with `python3`, or `$MOTO_PYTHON`: the Python that has
    /// moto installed) on a free loopback port and waits until it answers.
    pub async fn start() -> Self {
        let program = std::env::var("MOTO_PYTHON").unwrap_or_else(|_| "python3".to_owned());
        let port = free_port();
        let mut child = Command::new(&program)
            .args(["-c", SINGLE_THREADED_MOTO, "-H", "127.0.0.1", "-p", &port.to_string()])
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
            if let Ok(Some(status)) = child.try_wait() {
                panic!(
                    "{program} ended ({status}) before moto's server listened: is moto installed for it? \
                     python3 -m pip install \"moto[server]\" (scripts/test.sh does); set MOTO_PYTHON to the \
                     Python that has it"
                );
            }
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
