//! The `MailboxDirectory` and `TokenRevocation` ports on `SdkWorkMail`'s one WorkMail client
//! (`ListUsers`, `ListPersonalAccessTokens`, `GetPersonalAccessTokenMetadata`,
//! `DeletePersonalAccessToken`), reading WorkMail's answers into domain types and refusing any answer
//! the model would not allow (a missing id, state or role, an id outside its pattern, an overlong
//! name, more than ten scopes) as an unexpected answer rather than a guess.

use aws_sdk_workmail::primitives::DateTime;
use aws_sdk_workmail::types::User;

use super::{
    MailboxDirectory, Operation, Page, PageToken, SdkWorkMail, TokenRevocation, WorkMailError,
    WorkMailErrorKind,
};
use crate::domain::{
    IdentityProviderUserId, InvalidValue, MailboxUser, OrganizationId, PersonalAccessTokenId,
    PersonalAccessTokenSummary, Timestamp, UserId, UserRole, UserState,
};

/// WorkMail's largest page, asked for every time.
pub(super) const PAGE_SIZE: i32 = 100;

impl MailboxDirectory for SdkWorkMail {
    async fn list_users(
        &self,
        organization: &OrganizationId,
        next: Option<&PageToken>,
    ) -> Result<Page<MailboxUser>, WorkMailError> {
        let output = self
            .client
            .list_users()
            .organization_id(organization.as_str())
            .max_results(PAGE_SIZE)
            .set_next_token(next.map(|token| token.as_str().to_owned()))
            .send()
            .await
            .map_err(|error| WorkMailError::from_sdk(Operation::ListUsers, error))?;
        let items = output
            .users()
            .iter()
            .enumerate()
            .map(|(index, user)| user_from(user, &format!("Users[{index}]")))
            .collect::<Result<_, _>>()?;
        Ok(Page {
            items,
            next: next_from(Operation::ListUsers, output.next_token())?,
        })
    }

    async fn list_personal_access_tokens(
        &self,
        organization: &OrganizationId,
        user: Option<&UserId>,
        next: Option<&PageToken>,
    ) -> Result<Page<PersonalAccessTokenSummary>, WorkMailError> {
        let operation = Operation::ListPersonalAccessTokens;
        let output = self
            .client
            .list_personal_access_tokens()
            .organization_id(organization.as_str())
            .set_user_id(user.map(|user| user.as_str().to_owned()))
            .max_results(PAGE_SIZE)
            .set_next_token(next.map(|token| token.as_str().to_owned()))
            .send()
            .await
            .map_err(|error| WorkMailError::from_sdk(operation, error))?;
        let items = output
            .personal_access_token_summaries()
            .iter()
            .enumerate()
            .map(|(index, summary)| {
                RawToken {
                    id: summary.personal_access_token_id(),
                    user_id: summary.user_id(),
                    name: summary.name(),
                    created: summary.date_created(),
                    last_used: summary.date_last_used(),
                    expires: summary.expires_time(),
                    scopes: summary.scopes(),
                }
                .read(operation, &format!("PersonalAccessTokenSummaries[{index}]"))
            })
            .collect::<Result<_, _>>()?;
        Ok(Page {
            items,
            next: next_from(operation, output.next_token())?,
        })
    }

    async fn personal_access_token(
        &self,
        organization: &OrganizationId,
        token: &PersonalAccessTokenId,
    ) -> Result<Option<PersonalAccessTokenSummary>, WorkMailError> {
        let operation = Operation::GetPersonalAccessTokenMetadata;
        let answer = self
            .client
            .get_personal_access_token_metadata()
            .organization_id(organization.as_str())
            .personal_access_token_id(token.as_str())
            .send()
            .await;
        let output = match answer {
            Ok(output) => output,
            Err(error) => {
                let error = WorkMailError::from_sdk(operation, error);
                return if error.kind == WorkMailErrorKind::ResourceNotFound {
                    Ok(None)
                } else {
                    Err(error)
                };
            }
        };
        let summary = RawToken {
            id: output.personal_access_token_id(),
            user_id: output.user_id(),
            name: output.name(),
            created: output.date_created(),
            last_used: output.date_last_used(),
            expires: output.expires_time(),
            scopes: output.scopes(),
        }
        .read(operation, "the answer")?;
        if summary.id == *token {
            Ok(Some(summary))
        } else {
            Err(WorkMailError::unexpected_answer(
                operation,
                format!("asked for token {token}, WorkMail answered {}", summary.id),
            ))
        }
    }
}

impl TokenRevocation for SdkWorkMail {
    async fn delete_personal_access_token(
        &self,
        organization: &OrganizationId,
        token: &PersonalAccessTokenId,
    ) -> Result<(), WorkMailError> {
        self.client
            .delete_personal_access_token()
            .organization_id(organization.as_str())
            .personal_access_token_id(token.as_str())
            .send()
            .await
            .map(drop)
            .map_err(|error| WorkMailError::from_sdk(Operation::DeletePersonalAccessToken, error))
    }
}

pub(super) fn next_from(
    operation: Operation,
    token: Option<&str>,
) -> Result<Option<PageToken>, WorkMailError> {
    token
        .map(PageToken::parse)
        .transpose()
        .map_err(|error| WorkMailError::unexpected_answer(operation, format!("NextToken {error}")))
}

/// A required member, parsed; `at` names the item for the message.
fn required<T>(
    operation: Operation,
    at: &str,
    member: &str,
    value: Option<&str>,
    parse: impl FnOnce(&str) -> Result<T, InvalidValue>,
) -> Result<T, WorkMailError> {
    let value = value.ok_or_else(|| {
        WorkMailError::unexpected_answer(operation, format!("{at}.{member} is missing"))
    })?;
    parse(value).map_err(|error| {
        WorkMailError::unexpected_answer(operation, format!("{at}.{member} {error}"))
    })
}

/// An optional text member of `min` to `max` characters.
fn text(
    operation: Operation,
    at: &str,
    member: &str,
    value: Option<&str>,
    (min, max): (usize, usize),
) -> Result<Option<String>, WorkMailError> {
    match value {
        None => Ok(None),
        Some(value) if (min..=max).contains(&value.chars().count()) => Ok(Some(value.to_owned())),
        Some(_) => Err(WorkMailError::unexpected_answer(
            operation,
            format!("{at}.{member} must have {min} to {max} characters"),
        )),
    }
}

fn user_from(user: &User, at: &str) -> Result<MailboxUser, WorkMailError> {
    let operation = Operation::ListUsers;
    Ok(MailboxUser {
        id: required(operation, at, "Id", user.id(), UserId::parse)?,
        email: text(operation, at, "Email", user.email(), (1, 254))?,
        name: text(operation, at, "Name", user.name(), (1, 64))?,
        display_name: text(operation, at, "DisplayName", user.display_name(), (0, 256))?,
        state: required(
            operation,
            at,
            "State",
            user.state().map(|state| state.as_str()),
            UserState::parse,
        )?,
        role: required(
            operation,
            at,
            "UserRole",
            user.user_role().map(|role| role.as_str()),
            UserRole::parse,
        )?,
        identity_provider_user_id: user
            .identity_provider_user_id()
            .map(|id| {
                required(
                    operation,
                    at,
                    "IdentityProviderUserId",
                    Some(id),
                    IdentityProviderUserId::parse,
                )
            })
            .transpose()?,
    })
}

/// The members a token summary and a token's metadata share.
struct RawToken<'a> {
    id: Option<&'a str>,
    user_id: Option<&'a str>,
    name: Option<&'a str>,
    created: Option<&'a DateTime>,
    last_used: Option<&'a DateTime>,
    expires: Option<&'a DateTime>,
    /// Empty when WorkMail left the member out.
    scopes: &'a [String],
}

impl RawToken<'_> {
    fn read(
        self,
        operation: Operation,
        at: &str,
    ) -> Result<PersonalAccessTokenSummary, WorkMailError> {
        let scopes = self.scopes;
        if scopes.len() > 10
            || scopes
                .iter()
                .any(|scope| !(1..=256).contains(&scope.chars().count()))
        {
            return Err(WorkMailError::unexpected_answer(
                operation,
                format!("{at}.Scopes must hold at most 10 scopes of 1 to 256 characters"),
            ));
        }
        let time = |at: Option<&DateTime>| at.map(|at| Timestamp::from_unix_seconds(at.secs()));
        Ok(PersonalAccessTokenSummary {
            id: required(
                operation,
                at,
                "PersonalAccessTokenId",
                self.id,
                PersonalAccessTokenId::parse,
            )?,
            user_id: required(operation, at, "UserId", self.user_id, UserId::parse)?,
            name: text(operation, at, "Name", self.name, (1, 64))?,
            created: time(self.created),
            last_used: time(self.last_used),
            expires: time(self.expires),
            scopes: scopes.to_vec(),
        })
    }
}
