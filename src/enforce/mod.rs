//! The enforcer: keeps managed organizations on the identity-provider configuration a policy declares,
//! and WorkSpaces Secure Browser portals on the provider type and non-secret members it declares,
//! reporting drift (and SAML signing certificates about to expire), remediating only where the policy
//! says so, and never making a change that could lock users out unless the policy allows that
//! transition there.

mod function;
mod pacer;
mod plan;
mod policy;
mod portals;
mod report;
mod sweep;
mod trigger;

pub use function::{Enforcer, run};
pub use plan::{Assessment, assess};
pub use policy::{
    EnforcementPolicy, InvalidPolicy, Mode, OrganizationPolicy, PortalPolicy, Transition,
};
pub use report::{
    CertificateReport, ChangeCap, Failure, OrganizationResult, Outcome, PortalResult, Summary,
    Totals,
};
pub use trigger::{MalformedEvent, Trigger, read_trigger};
