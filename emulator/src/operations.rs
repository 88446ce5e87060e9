//! The WorkMail operations the emulator implements, each validating its input as the model does and
//! answering the modeled errors (the user and token operations live in `directory`).

use serde_json::{Map, Value, json};

use crate::directory::{self, ListPersonalAccessTokens, ListUsers};
use crate::model;
use crate::state::{Organization, OrganizationState, State, UnconfiguredAnswer};

/// An error answer: status, `__type` and message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorAnswer {
    pub status: u16,
    pub type_name: String,
    pub message: String,
}

impl ErrorAnswer {
    pub fn new(status: u16, type_name: &str, message: impl Into<String>) -> Self {
        Self {
            status,
            type_name: type_name.to_owned(),
            message: message.into(),
        }
    }

    fn invalid(message: impl Into<String>) -> Self {
        Self::new(400, "InvalidParameterException", message)
    }
}

type Answer = Result<Value, ErrorAnswer>;

const LIST_PAGE_DEFAULT: usize = 100;

/// Runs `operation` on `input` against `state`.
pub fn dispatch(state: &mut State, operation: &str, input: &Map<String, Value>) -> Answer {
    match operation {
        "DescribeIdentityProviderConfiguration" => describe_identity_provider(state, input),
        "PutIdentityProviderConfiguration" => put_identity_provider(state, input),
        "DeleteIdentityProviderConfiguration" => delete_identity_provider(state, input),
        "DescribeOrganization" => describe_organization(state, input),
        "ListOrganizations" => list_organizations(state, input),
        "ListUsers" => {
            let request = ListUsers::read(input)?;
            request.answer(&active_organization(state, input)?.directory)
        }
        "ListPersonalAccessTokens" => {
            let request = ListPersonalAccessTokens::read(input)?;
            request.answer(&active_organization(state, input)?.directory)
        }
        "GetPersonalAccessTokenMetadata" => {
            let token = model::personal_access_token_id(input).map_err(ErrorAnswer::invalid)?;
            directory::token_metadata(&active_organization(state, input)?.directory, &token)
        }
        "DeletePersonalAccessToken" => {
            let token = model::personal_access_token_id(input).map_err(ErrorAnswer::invalid)?;
            directory::delete_token(&mut active_organization(state, input)?.directory, &token)
        }
        other => Err(ErrorAnswer::new(
            400,
            "UnknownOperationException",
            format!("the emulator does not implement {other}"),
        )),
    }
}

fn organization<'a>(
    state: &'a mut State,
    input: &Map<String, Value>,
) -> Result<&'a mut Organization, ErrorAnswer> {
    let id = model::organization_id(input).map_err(ErrorAnswer::invalid)?;
    state.organizations.get_mut(&id).ok_or_else(|| {
        ErrorAnswer::new(
            400,
            "OrganizationNotFoundException",
            format!("The organization {id} could not be found."),
        )
    })
}

fn active_organization<'a>(
    state: &'a mut State,
    input: &Map<String, Value>,
) -> Result<&'a mut Organization, ErrorAnswer> {
    let organization = organization(state, input)?;
    if organization.state == OrganizationState::Active {
        Ok(organization)
    } else {
        Err(ErrorAnswer::new(
            400,
            "OrganizationStateException",
            format!(
                "The organization must be Active for this operation; it is {}.",
                organization.state.as_str()
            ),
        ))
    }
}

fn describe_identity_provider(state: &mut State, input: &Map<String, Value>) -> Answer {
    let unconfigured = state.unconfigured_answer;
    match &active_organization(state, input)?.identity_provider {
        Some(configuration) => Ok(configuration.clone()),
        None if unconfigured == UnconfiguredAnswer::ResourceNotFound => Err(ErrorAnswer::new(
            400,
            "ResourceNotFoundException",
            "No identity provider configuration found for the organization.",
        )),
        None => Ok(json!({})),
    }
}

fn put_identity_provider(state: &mut State, input: &Map<String, Value>) -> Answer {
    let mode = model::enumeration(
        input,
        "AuthenticationMode",
        &["IDENTITY_PROVIDER_ONLY", "IDENTITY_PROVIDER_AND_DIRECTORY"],
    )
    .map_err(ErrorAnswer::invalid)?;
    let identity_center =
        model::structure(input, "IdentityCenterConfiguration").map_err(ErrorAnswer::invalid)?;
    let instance = model::instance_arn(identity_center).map_err(ErrorAnswer::invalid)?;
    let application = model::application_arn(identity_center).map_err(ErrorAnswer::invalid)?;
    let tokens = model::structure(input, "PersonalAccessTokenConfiguration")
        .map_err(ErrorAnswer::invalid)?;
    let status = model::enumeration(tokens, "Status", &["ACTIVE", "INACTIVE"])
        .map_err(ErrorAnswer::invalid)?;
    let lifetime =
        model::integer(tokens, "LifetimeInDays", 1..=3653).map_err(ErrorAnswer::invalid)?;
    let application_known = state
        .applications
        .contains(&(instance.clone(), application.clone()));
    let organization = active_organization(state, input)?;
    if !application_known {
        return Err(ErrorAnswer::new(
            400,
            "ResourceNotFoundException",
            format!(
                "The IAM Identity Center application {application} of instance {instance} was not found."
            ),
        ));
    }
    let mut token_configuration = json!({ "Status": status });
    if let Some(days) = lifetime {
        token_configuration["LifetimeInDays"] = json!(days);
    }
    organization.identity_provider = Some(json!({
        "AuthenticationMode": mode,
        "IdentityCenterConfiguration": { "InstanceArn": instance, "ApplicationArn": application },
        "PersonalAccessTokenConfiguration": token_configuration,
    }));
    Ok(json!({}))
}

fn delete_identity_provider(state: &mut State, input: &Map<String, Value>) -> Answer {
    active_organization(state, input)?.identity_provider = None;
    Ok(json!({}))
}

fn describe_organization(state: &mut State, input: &Map<String, Value>) -> Answer {
    let id = model::organization_id(input).map_err(ErrorAnswer::invalid)?;
    let organization = organization(state, input)?;
    Ok(json!({
        "OrganizationId": id,
        "Alias": organization.alias,
        "State": organization.state.as_str(),
        "DirectoryType": "WorkMailDirectory",
        "DefaultMailDomain": format!("{}.awsapps.com", organization.alias),
        "ARN": format!("arn:aws:workmail:us-east-1:123456789012:organization/{id}"),
    }))
}

fn list_organizations(state: &mut State, input: &Map<String, Value>) -> Answer {
    let page = model::integer(input, "MaxResults", 1..=100)
        .map_err(ErrorAnswer::invalid)?
        .and_then(|size| usize::try_from(size).ok())
        .unwrap_or(LIST_PAGE_DEFAULT);
    let start = model::next_token(input)
        .map_err(ErrorAnswer::invalid)?
        .map(|token| token.parse::<usize>())
        .transpose()
        .map_err(|_| ErrorAnswer::invalid("NextToken is not valid"))?
        .unwrap_or(0);
    if start > state.organizations.len() {
        return Err(ErrorAnswer::invalid("NextToken is not valid"));
    }
    let summaries: Vec<Value> = state
        .organizations
        .iter()
        .skip(start)
        .take(page)
        .map(|(id, organization)| {
            json!({
                "OrganizationId": id,
                "Alias": organization.alias,
                "DefaultMailDomain": format!("{}.awsapps.com", organization.alias),
                "State": organization.state.as_str(),
            })
        })
        .collect();
    let end = start + summaries.len();
    let mut answer = json!({ "OrganizationSummaries": summaries });
    if end < state.organizations.len() {
        answer["NextToken"] = json!(end.to_string());
    }
    Ok(answer)
}
