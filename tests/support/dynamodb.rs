//! Test doubles around the lease table: the real local DynamoDB comes from `lambda_harness::dynamodb`;
//! here, a front that answers every call with DynamoDB's throttling error, for the "lease store
//! unavailable" cases.

use std::convert::Infallible;

use http_body_util::Full;
use hyper::body::Bytes;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

/// A server that answers every DynamoDB call with `ProvisionedThroughputExceededException`, as a
/// table over its capacity does, counting the calls.
pub struct ThrottlingDynamoDb {
    pub url: String,
    acceptor: JoinHandle<()>,
}

impl Drop for ThrottlingDynamoDb {
    fn drop(&mut self) {
        self.acceptor.abort();
    }
}

impl ThrottlingDynamoDb {
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let address = listener.local_addr().expect("address");
        let acceptor = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(async move {
                    let service = service_fn(|_request| async {
                        let body = r#"{"__type":"com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException","message":"The level of configured provisioned throughput for the table was exceeded."}"#;
                        Ok::<_, Infallible>(
                            hyper::Response::builder()
                                .status(400)
                                .header("content-type", "application/x-amz-json-1.0")
                                .header("x-amzn-requestid", "throttled")
                                .body(Full::new(Bytes::from_static(body.as_bytes())))
                                .expect("response"),
                        )
                    });
                    let _ = http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        Self {
            url: format!("http://{address}"),
            acceptor,
        }
    }
}
