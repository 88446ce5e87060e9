//! idp-gateway: a validated REST front for the identity-provider configuration of Amazon WorkMail
//! organizations, run as AWS Lambda functions.

pub mod domain;
