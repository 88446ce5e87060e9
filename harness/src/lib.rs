//! A local Lambda Runtime API, the `sam local invoke` of machines without a container runtime: it
//! starts a built bootstrap binary as Lambda would (the `AWS_LAMBDA_*` environment included), hands it
//! events through `/2018-06-01/runtime/invocation/next`, and collects what it answers on `.../response`,
//! `.../error` and `/init/error`, with the cold-start time and each invocation's latency. Beside it, a
//! local DynamoDB (moto's server mode) for the functions' write-lease table, and a loopback TLS
//! terminator presenting a chain of the shape AWS's endpoints present.

pub mod dynamodb;
mod http_client;
mod process;
mod runtime_api;
pub mod tls;

pub use http_client::http_request;
pub use process::{FunctionProcess, Invocation, Outcome, StartError};
