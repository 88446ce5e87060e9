//! `RequestIdentity`: who sent a request and from where, as API Gateway's request context says (REST:
//! `requestContext.identity`; HTTP API: `requestContext.authorizer.iam` and `http.sourceIp`).

use lambda_http::request::RequestContext;
use lambda_http::{Request, RequestExt};

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
}
