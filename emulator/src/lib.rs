//! A loopback Amazon WorkMail emulator that speaks the real awsJson1_1 wire protocol, so that tests and
//! local runs exercise the real AWS SDK client: serialization, SigV4 headers, error parsing, retries.
//!
//! It holds organizations (with states), IAM Identity Center applications, identity-provider
//! configurations, mailbox users and personal access tokens; validates input as the WorkMail model
//! does; answers modeled errors; injects faults per operation; and records every call it receives.

pub mod demo;
mod directory;
mod faults;
mod model;
mod operations;
mod protocol;
mod server;
mod state;

pub use directory::{BulkDirectory, EmulatedToken, EmulatedUser, UserRole, UserState};
pub use faults::{Fault, FaultRule};
pub use server::Emulator;
pub use state::{OrganizationState, RecordedCall, UnconfiguredAnswer};
