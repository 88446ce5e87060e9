//! idp-gateway: a validated REST front for the identity-provider configuration of Amazon WorkMail
//! organizations and of Amazon WorkSpaces Secure Browser portals, run as AWS Lambda functions.

pub mod access;
pub mod domain;
pub mod enforce;
pub mod http;
pub mod https;
pub mod lease;
pub mod logging;
pub mod metrics;
pub mod startup;
pub mod use_cases;
pub mod workmail;
pub mod workspaces_web;
