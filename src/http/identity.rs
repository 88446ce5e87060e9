//! `RequestIdentity`: who sent a request and from where, as API Gateway's request context says (REST:
//! `requestContext.identity`; HTTP API: `requestContext.authorizer.iam` and `http.sourceIp`).

use lambda_http::request::RequestContext;
use lambda_http::{Request, RequestExt};
use serde_json::Value;

use crate::access::Caller;

#[derive(Debug, Clone, Default)]
pub struct RequestIdentity {
    pub caller: Option<Caller>,
    pub source_ip: Option<String>,
}

impl RequestIdentity {
    pub fn of(request: &Request) -> Self {
        Self::from_context(request.request_context_ref())
    }

    pub fn from_context(context: Option<&RequestContext>) -> Self {
        match context {
            Some(RequestContext::ApiGatewayV1(context)) => {
                let identity = &context.identity;
                Self {
                    caller: identity
                        .user_arn
                        .as_deref()
                        .and_then(|arn| Caller::from_arn(arn, identity.account_id.as_deref())),
                    source_ip: identity.source_ip.clone(),
                }
            }
            Some(RequestContext::ApiGatewayV2(context)) => {
                let iam = context
                    .authorizer
                    .as_ref()
                    .and_then(|authorizer| authorizer.iam.as_ref());
                Self {
                    caller: iam.and_then(|iam| {
                        iam.user_arn
                            .as_deref()
                            .and_then(|arn| Caller::from_arn(arn, iam.account_id.as_deref()))
                    }),
                    source_ip: context.http.source_ip.clone(),
                }
            }
            _ => Self::default(),
        }
    }

    /// The same, read from the JSON of an event lambda_http could not read (REST:
    /// `requestContext.identity`; HTTP API: `requestContext.authorizer.iam` and `http.sourceIp`).
    pub fn from_event_json(event: &Value) -> Self {
        let context = &event["requestContext"];
        let (iam, source_ip) = if context["identity"].is_object() {
            (&context["identity"], &context["identity"]["sourceIp"])
        } else {
            (&context["authorizer"]["iam"], &context["http"]["sourceIp"])
        };
        Self {
            caller: iam["userArn"]
                .as_str()
                .and_then(|arn| Caller::from_arn(arn, iam["accountId"].as_str())),
            source_ip: source_ip.as_str().map(str::to_owned),
        }
    }
}
