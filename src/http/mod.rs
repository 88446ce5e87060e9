//! The HTTP entry point: Lambda event adaptation, routing, body parsing and RFC 9457 problem responses
//! around the use cases.

mod access_control;
mod audit;
mod body;
mod conditions;
mod error;
mod handler;
mod identity;
mod lambda;
mod openapi;
mod overview_route;
mod portal_routes;
mod problem;
mod query;
mod readiness_route;
mod responses;
mod route;
mod token_routes;
mod traced_store;
mod write_route;

pub use access_control::AccessControl;
pub use error::RequestError;
pub use handler::Api;
pub use lambda::run;
pub use problem::ApiError;
