//! A loopback Amazon WorkMail emulator that speaks the real awsJson1_1 wire protocol, so that tests and
//! local runs exercise the real AWS SDK client: serialization, SigV4 headers, error parsing, retries.
//!
//! It holds organizations (with states), IAM Identity Center applications and identity-provider
//! configurations; validates input as the WorkMail model does; answers modeled errors; injects faults
//! per operation; and records every call it receives.

mod faults;
mod model;
mod operations;
mod protocol;
mod server;
mod state;

pub use faults::{Fault, FaultRule};
pub use server::Emulator;
pub use state::{OrganizationState, RecordedCall, UnconfiguredAnswer};

/// The demo organization a local run is seeded with.
pub mod demo {
    pub const ORGANIZATION_ID: &str = "m-0123456789abcdef0123456789abcdef";
    pub const ORGANIZATION_ALIAS: &str = "demo";
    pub const INSTANCE_ARN: &str = "arn:aws:sso:::instance/ssoins-1234567890abcdef";
    pub const APPLICATION_ARN: &str =
        "arn:aws:sso::123456789012:application/ssoins-1234567890abcdef/apl-1234567890abcdef";
}
