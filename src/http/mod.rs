//! The HTTP entry point: Lambda event adaptation, routing, body parsing and RFC 9457 problem responses
//! around the use cases.

mod body;
mod error;
mod handler;
mod lambda;
mod problem;
mod route;
mod strict_json;
mod traced_store;

pub use error::RequestError;
pub use handler::Api;
pub use lambda::run;
pub use problem::ApiError;
