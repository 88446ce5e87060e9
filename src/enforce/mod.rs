//! The enforcer: keeps managed organizations on the identity-provider configuration a policy declares,
//! reporting drift, remediating only where the policy says so, and never making a change that could
//! lock mailbox users out unless the policy allows that transition for that organization.

mod function;
mod pacer;
mod plan;
mod policy;
mod report;
mod sweep;
mod trigger;

pub use function::{Enforcer, run};
pub use plan::{Assessment, assess};
pub use policy::{EnforcementPolicy, InvalidPolicy, Mode, OrganizationPolicy, Transition};
pub use report::{ChangeCap, Failure, OrganizationResult, Outcome, Summary, Totals};
pub use trigger::{MalformedEvent, Trigger, read_trigger};
