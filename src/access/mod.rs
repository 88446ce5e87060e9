//! Per-caller authorization: who is calling (`Caller`, from an IAM ARN) and what the access policy lets
//! them do to which organization (`AccessPolicy`). Deny by default once a policy is configured.

mod caller;
mod policy;

pub use caller::Caller;
pub use policy::{AccessPolicy, InvalidAccessPolicy, Permission};
