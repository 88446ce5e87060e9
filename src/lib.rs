//! idp-gateway: a validated REST front for the identity-provider configuration of Amazon WorkMail
//! organizations, run as AWS Lambda functions.

pub mod domain;
pub mod workmail;
pub mod http;
pub mod use_cases;
pub mod startup;
