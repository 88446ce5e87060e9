//! A loopback emulator of Amazon WorkMail (awsJson1_1) and Amazon WorkSpaces Web (restJson1) that
//! speaks their real wire protocols on one port, so that tests and local runs exercise the real AWS
//! SDK clients: serialization, SigV4 headers, greedy path labels, error parsing, retries.
//!
//! For WorkMail it holds organizations (with states), IAM Identity Center applications,
//! identity-provider configurations, mailbox users and personal access tokens; for WorkSpaces Web,
//! portals with at most one identity provider each (`secure_browser`). It validates input as each
//! model does; answers modeled errors; injects faults per operation; and records every call it
//! receives.

pub mod demo;
mod directory;
mod faults;
mod model;
mod operations;
mod protocol;
mod secure_browser;
mod server;
mod state;

pub use directory::{BulkDirectory, EmulatedToken, EmulatedUser, UserRole, UserState};
pub use faults::{Fault, FaultRule};
pub use secure_browser::EmulatedIdentityProvider;
pub use server::Emulator;
pub use state::{OrganizationState, RecordedCall, UnconfiguredAnswer};

/// Every operation the emulator implements, by the name fault rules match and the call log
/// records: WorkMail's, then WorkSpaces Web's.
pub const OPERATIONS: [&str; 16] = [
    "DescribeIdentityProviderConfiguration",
    "PutIdentityProviderConfiguration",
    "DeleteIdentityProviderConfiguration",
    "DescribeOrganization",
    "ListOrganizations",
    "ListUsers",
    "ListPersonalAccessTokens",
    "GetPersonalAccessTokenMetadata",
    "DeletePersonalAccessToken",
    "CreateIdentityProvider",
    "GetIdentityProvider",
    "UpdateIdentityProvider",
    "DeleteIdentityProvider",
    "ListIdentityProviders",
    "GetPortal",
    "ListPortals",
];

#[cfg(test)]
mod tests {
    use super::{OPERATIONS, operations, state};
    use crate::secure_browser::Operation;

    #[test]
    fn the_operation_list_is_what_the_emulator_dispatches() {
        let (workmail, workspaces_web) = OPERATIONS.split_at(9);
        let mut state = state::State::default();
        for operation in workmail {
            let answer = operations::dispatch(&mut state, operation, &serde_json::Map::new());
            assert!(
                answer
                    .as_ref()
                    .err()
                    .is_none_or(|error| error.type_name != "UnknownOperationException"),
                "{operation}: {answer:?}"
            );
        }
        let routed: Vec<_> = Operation::ALL
            .iter()
            .map(|operation| operation.name())
            .collect();
        assert_eq!(workspaces_web, routed.as_slice());
    }
}
