//! Mailbox users and personal access tokens of an organization, and the operations that read and
//! revoke them: `ListUsers` (filters, pagination), `ListPersonalAccessTokens` (optional `UserId`,
//! pagination), `GetPersonalAccessTokenMetadata` and `DeletePersonalAccessToken`, each validating its
//! input as the model does before looking anything up.
//!
//! Pages follow the id order; a `NextToken` names the last id answered (hex-encoded, opaque to
//! callers), so a page boundary stays put when users or tokens are added or deleted meanwhile.

use std::collections::BTreeMap;
use std::ops::Bound;

use serde_json::{Map, Value, json};

use crate::model;
use crate::operations::ErrorAnswer;

/// WorkMail's user states (`EntityState`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UserState {
    Enabled,
    Disabled,
    Deleted,
}

impl UserState {
    pub fn as_str(self) -> &'static str {
        match self {
            UserState::Enabled => "ENABLED",
            UserState::Disabled => "DISABLED",
            UserState::Deleted => "DELETED",
        }
    }
}

/// WorkMail's user roles (`UserRole`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UserRole {
    User,
    Resource,
    SystemUser,
    RemoteUser,
}

impl UserRole {
    pub fn as_str(self) -> &'static str {
        match self {
            UserRole::User => "USER",
            UserRole::Resource => "RESOURCE",
            UserRole::SystemUser => "SYSTEM_USER",
            UserRole::RemoteUser => "REMOTE_USER",
        }
    }
}

/// A user as `ListUsers` answers it. Times are Unix seconds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmulatedUser {
    /// `Id`: the key of the user, and of its pages' order.
    pub id: String,
    /// `Name`, the user name.
    pub name: String,
    pub email: Option<String>,
    pub display_name: Option<String>,
    pub state: UserState,
    pub role: UserRole,
    pub enabled_date: Option<i64>,
    pub disabled_date: Option<i64>,
    /// Set when the user is linked to an IAM Identity Center user.
    pub identity_provider_user_id: Option<String>,
    pub identity_provider_identity_store_id: Option<String>,
}

impl EmulatedUser {
    /// An enabled `USER` with a mailbox at `email`, not linked to Identity Center.
    pub fn new(id: &str, name: &str, email: &str) -> Self {
        Self {
            id: id.to_owned(),
            name: name.to_owned(),
            email: Some(email.to_owned()),
            display_name: Some(name.to_owned()),
            state: UserState::Enabled,
            role: UserRole::User,
            enabled_date: Some(1_767_225_600),
            disabled_date: None,
            identity_provider_user_id: None,
            identity_provider_identity_store_id: None,
        }
    }

    /// Linked to the Identity Center user `user_id` of identity store `store_id`.
    pub fn linked(mut self, user_id: &str, store_id: &str) -> Self {
        self.identity_provider_user_id = Some(user_id.to_owned());
        self.identity_provider_identity_store_id = Some(store_id.to_owned());
        self
    }

    pub fn with_state(mut self, state: UserState) -> Self {
        self.state = state;
        if state != UserState::Enabled {
            self.disabled_date = Some(1_772_323_200);
        }
        self
    }

    pub fn with_role(mut self, role: UserRole) -> Self {
        self.role = role;
        self
    }

    pub fn with_display_name(mut self, display_name: &str) -> Self {
        self.display_name = Some(display_name.to_owned());
        self
    }

    fn to_json(&self) -> Value {
        let mut user = json!({
            "Id": self.id,
            "Name": self.name,
            "State": self.state.as_str(),
            "UserRole": self.role.as_str(),
        });
        let optional = [
            ("Email", self.email.clone().map(Value::from)),
            ("DisplayName", self.display_name.clone().map(Value::from)),
            ("EnabledDate", self.enabled_date.map(Value::from)),
            ("DisabledDate", self.disabled_date.map(Value::from)),
            (
                "IdentityProviderUserId",
                self.identity_provider_user_id.clone().map(Value::from),
            ),
            (
                "IdentityProviderIdentityStoreId",
                self.identity_provider_identity_store_id
                    .clone()
                    .map(Value::from),
            ),
        ];
        for (name, value) in optional {
            if let Some(value) = value {
                user[name] = value;
            }
        }
        user
    }
}

/// A personal access token's metadata (WorkMail never keeps the secret where the API can read it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmulatedToken {
    pub id: String,
    /// The `Id` of the user who owns it.
    pub user_id: String,
    pub name: String,
    pub date_created: i64,
    pub date_last_used: Option<i64>,
    pub expires_time: i64,
    pub scopes: Vec<String>,
}

impl EmulatedToken {
    /// A token of `user_id` created at `created`, expiring at `expires`, never used, for mail.
    pub fn new(id: &str, user_id: &str, created: i64, expires: i64) -> Self {
        Self {
            id: id.to_owned(),
            user_id: user_id.to_owned(),
            name: "mail client".to_owned(),
            date_created: created,
            date_last_used: None,
            expires_time: expires,
            scopes: vec!["mail".to_owned()],
        }
    }

    pub fn named(mut self, name: &str) -> Self {
        self.name = name.to_owned();
        self
    }

    pub fn last_used(mut self, at: i64) -> Self {
        self.date_last_used = Some(at);
        self
    }

    fn to_json(&self) -> Value {
        let mut token = json!({
            "PersonalAccessTokenId": self.id,
            "UserId": self.user_id,
            "Name": self.name,
            "DateCreated": self.date_created,
            "ExpiresTime": self.expires_time,
            "Scopes": self.scopes,
        });
        if let Some(at) = self.date_last_used {
            token["DateLastUsed"] = json!(at);
        }
        token
    }
}

/// A large, deterministic directory for scale tests and benchmarks (`Emulator::seed_bulk_directory`).
///
/// User `i` (from 0) has id `{i:08x}-0000-4000-8000-{i:012x}`, name `user{i:05}`, email
/// `user{i:05}@<alias>.awsapps.com`; it is linked to Identity Center unless `unlinked_every` divides
/// `i`, and DISABLED when `disabled_every` divides `i` (0: never). Token `j` has id `pat-{j:08}` and
/// belongs to the `j`-th enabled linked user, round robin; it expired a day before `now` when
/// `expired_every` divides `j` (0: never), else it expires 180 days after `now`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BulkDirectory {
    pub users: usize,
    pub tokens: usize,
    pub unlinked_every: usize,
    pub disabled_every: usize,
    pub expired_every: usize,
    /// Unix seconds the token times are relative to.
    pub now: i64,
}

const DAY: i64 = 86_400;

/// Whether `every` (non-zero) divides `index`.
fn every(every: usize, index: usize) -> bool {
    every != 0 && index.is_multiple_of(every)
}

impl BulkDirectory {
    pub(crate) fn users(&self, alias: &str) -> Vec<EmulatedUser> {
        (0..self.users)
            .map(|i| {
                let id = format!("{i:08x}-0000-4000-8000-{i:012x}");
                let name = format!("user{i:05}");
                let mut user =
                    EmulatedUser::new(&id, &name, &format!("{name}@{alias}.awsapps.com"));
                if !every(self.unlinked_every, i) {
                    user = user.linked(&format!("{i:08x}-1dc0-4000-8000-{i:012x}"), "d-9067000000");
                }
                if every(self.disabled_every, i) {
                    user = user.with_state(UserState::Disabled);
                }
                user
            })
            .collect()
    }

    pub(crate) fn tokens(&self, users: &[EmulatedUser]) -> Vec<EmulatedToken> {
        let owners: Vec<&EmulatedUser> = users
            .iter()
            .filter(|user| {
                user.state == UserState::Enabled && user.identity_provider_user_id.is_some()
            })
            .collect();
        if owners.is_empty() {
            return Vec::new();
        }
        (0..self.tokens)
            .map(|j| {
                let expires = if every(self.expired_every, j) {
                    self.now - DAY
                } else {
                    self.now + 180 * DAY
                };
                EmulatedToken::new(
                    &format!("pat-{j:08}"),
                    &owners[j % owners.len()].id,
                    self.now - 200 * DAY,
                    expires,
                )
            })
            .collect()
    }
}

/// An organization's users and tokens, each keyed (and paged) by id.
#[derive(Debug, Clone, Default)]
pub(crate) struct Directory {
    pub users: BTreeMap<String, EmulatedUser>,
    pub tokens: BTreeMap<String, EmulatedToken>,
}

type Answer = Result<Value, ErrorAnswer>;

const PAGE_DEFAULT: usize = 100;

fn invalid(message: impl Into<String>) -> ErrorAnswer {
    ErrorAnswer::new(400, "InvalidParameterException", message)
}

/// What a request asks of a listing: where to start and how many.
struct PageRequest {
    after: Option<String>,
    size: usize,
}

impl PageRequest {
    fn read(input: &Map<String, Value>) -> Result<Self, ErrorAnswer> {
        let size = model::max_results(input, PAGE_DEFAULT).map_err(invalid)?;
        let after = model::opaque_next_token(input)
            .map_err(invalid)?
            .map(|token| decode_cursor(&token).ok_or_else(|| invalid("The NextToken is invalid.")))
            .transpose()?;
        Ok(Self { after, size })
    }

    /// Up to `size` of `entries` after the cursor that `keep` admits, and the token of the next
    /// page when another admitted entry follows.
    fn page<'a, T>(
        &self,
        entries: &'a BTreeMap<String, T>,
        keep: impl Fn(&T) -> bool,
    ) -> (Vec<&'a T>, Option<String>) {
        let start = match &self.after {
            Some(key) => Bound::Excluded(key.clone()),
            None => Bound::Unbounded,
        };
        let mut admitted = entries
            .range((start, Bound::Unbounded))
            .filter(|(_, entry)| keep(entry));
        let page: Vec<(&String, &T)> = admitted.by_ref().take(self.size).collect();
        let next = match (page.last(), admitted.next()) {
            (Some((last, _)), Some(_)) => Some(encode_cursor(last)),
            _ => None,
        };
        (page.into_iter().map(|(_, entry)| entry).collect(), next)
    }
}

fn encode_cursor(key: &str) -> String {
    key.bytes().map(|byte| format!("{byte:02x}")).collect()
}

fn decode_cursor(token: &str) -> Option<String> {
    if !token.len().is_multiple_of(2) {
        return None;
    }
    let bytes = (0..token.len())
        .step_by(2)
        .map(|at| u8::from_str_radix(token.get(at..at + 2)?, 16).ok())
        .collect::<Option<Vec<u8>>>()?;
    String::from_utf8(bytes).ok()
}

/// `ListUsers`'s filters, validated.
struct UserFilters {
    username_prefix: Option<String>,
    display_name_prefix: Option<String>,
    primary_email_prefix: Option<String>,
    state: Option<String>,
    identity_provider_user_id_prefix: Option<String>,
}

impl UserFilters {
    fn read(input: &Map<String, Value>) -> Result<Self, ErrorAnswer> {
        let Some(filters) = model::optional_structure(input, "Filters").map_err(invalid)? else {
            return Ok(Self {
                username_prefix: None,
                display_name_prefix: None,
                primary_email_prefix: None,
                state: None,
                identity_provider_user_id_prefix: None,
            });
        };
        Ok(Self {
            username_prefix: model::optional_text(filters, "UsernamePrefix").map_err(invalid)?,
            display_name_prefix: model::optional_text(filters, "DisplayNamePrefix")
                .map_err(invalid)?,
            primary_email_prefix: model::optional_text(filters, "PrimaryEmailPrefix")
                .map_err(invalid)?,
            state: model::optional_enumeration(
                filters,
                "State",
                &["ENABLED", "DISABLED", "DELETED"],
            )
            .map_err(invalid)?,
            identity_provider_user_id_prefix: model::optional_identity_provider_user_id_prefix(
                filters,
            )
            .map_err(invalid)?,
        })
    }

    fn admits(&self, user: &EmulatedUser) -> bool {
        let prefixed = |prefix: &Option<String>, value: Option<&str>| {
            prefix
                .as_deref()
                .is_none_or(|prefix| value.is_some_and(|value| value.starts_with(prefix)))
        };
        prefixed(&self.username_prefix, Some(&user.name))
            && prefixed(&self.display_name_prefix, user.display_name.as_deref())
            && prefixed(&self.primary_email_prefix, user.email.as_deref())
            && self
                .state
                .as_deref()
                .is_none_or(|state| state == user.state.as_str())
            && prefixed(
                &self.identity_provider_user_id_prefix,
                user.identity_provider_user_id.as_deref(),
            )
    }
}

/// The input of `ListUsers`, validated before the organization is looked up.
pub(crate) struct ListUsers {
    page: PageRequest,
    filters: UserFilters,
}

impl ListUsers {
    pub fn read(input: &Map<String, Value>) -> Result<Self, ErrorAnswer> {
        Ok(Self {
            page: PageRequest::read(input)?,
            filters: UserFilters::read(input)?,
        })
    }

    pub fn answer(&self, directory: &Directory) -> Answer {
        let (users, next) = self
            .page
            .page(&directory.users, |user| self.filters.admits(user));
        let mut answer =
            json!({ "Users": users.iter().map(|user| user.to_json()).collect::<Vec<_>>() });
        if let Some(next) = next {
            answer["NextToken"] = json!(next);
        }
        Ok(answer)
    }
}

/// The input of `ListPersonalAccessTokens`.
pub(crate) struct ListPersonalAccessTokens {
    page: PageRequest,
    user: Option<String>,
}

impl ListPersonalAccessTokens {
    pub fn read(input: &Map<String, Value>) -> Result<Self, ErrorAnswer> {
        Ok(Self {
            page: PageRequest::read(input)?,
            user: model::optional_entity_identifier(input, "UserId").map_err(invalid)?,
        })
    }

    /// The user filter resolves as WorkMail's `EntityIdentifier` does: by id, email or user name.
    pub fn answer(&self, directory: &Directory) -> Answer {
        let owner = match &self.user {
            None => None,
            Some(wanted) => {
                let user = directory
                    .users
                    .values()
                    .find(|user| {
                        user.id == *wanted
                            || user.name == *wanted
                            || user.email.as_deref() == Some(wanted.as_str())
                    })
                    .ok_or_else(|| {
                        ErrorAnswer::new(
                            400,
                            "EntityNotFoundException",
                            format!("The user {wanted} was not found in the organization."),
                        )
                    })?;
                if user.state == UserState::Deleted {
                    return Err(ErrorAnswer::new(
                        400,
                        "EntityStateException",
                        format!("The user {wanted} is deleted."),
                    ));
                }
                Some(user.id.as_str())
            }
        };
        let (tokens, next) = self.page.page(&directory.tokens, |token| {
            owner.is_none_or(|owner| token.user_id == owner)
        });
        let mut answer = json!({
            "PersonalAccessTokenSummaries": tokens.iter().map(|token| token.to_json()).collect::<Vec<_>>()
        });
        if let Some(next) = next {
            answer["NextToken"] = json!(next);
        }
        Ok(answer)
    }
}

/// `GetPersonalAccessTokenMetadata` of a validated token id.
pub(crate) fn token_metadata(directory: &Directory, token_id: &str) -> Answer {
    directory
        .tokens
        .get(token_id)
        .map(EmulatedToken::to_json)
        .ok_or_else(|| {
            ErrorAnswer::new(
                400,
                "ResourceNotFoundException",
                format!("The personal access token {token_id} was not found."),
            )
        })
}

/// `DeletePersonalAccessToken` of a validated token id: idempotent, as the model has no "not found"
/// error for it.
pub(crate) fn delete_token(directory: &mut Directory, token_id: &str) -> Answer {
    directory.tokens.remove(token_id);
    Ok(json!({}))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_refuse_what_they_did_not_make() {
        let key = "0000002a-0000-4000-8000-00000000002a";
        assert_eq!(decode_cursor(&encode_cursor(key)).as_deref(), Some(key));
        for token in ["abc", "zz", "ff", "c3"] {
            assert_eq!(decode_cursor(token), None, "{token}");
        }
    }

    #[test]
    fn bulk_directories_follow_their_rules() {
        let bulk = BulkDirectory {
            users: 10,
            tokens: 7,
            unlinked_every: 5,
            disabled_every: 4,
            expired_every: 3,
            now: 1_000_000,
        };
        let users = bulk.users("org");
        assert_eq!(users.len(), 10);
        let linked = users
            .iter()
            .filter(|user| user.identity_provider_user_id.is_some())
            .count();
        assert_eq!(linked, 8, "users 0 and 5 are unlinked");
        assert_eq!(users[4].state, UserState::Disabled);
        assert_eq!(users[1].email.as_deref(), Some("user00001@org.awsapps.com"));
        let tokens = bulk.tokens(&users);
        assert_eq!(tokens.len(), 7);
        // Owners: enabled and linked, i.e. users 1, 2, 3, 6, 7, 9.
        assert_eq!(tokens[0].user_id, users[1].id);
        assert_eq!(tokens[6].user_id, users[1].id);
        assert!(tokens[0].expires_time < bulk.now && tokens[3].expires_time < bulk.now);
        assert!(tokens[1].expires_time > bulk.now);
    }
}
