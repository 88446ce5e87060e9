//! Mailbox users and their personal access tokens, as validated values: `UserId`,
//! `PersonalAccessTokenId`, `IdentityProviderUserId`, `MailboxUser` and `PersonalAccessTokenSummary`
//! (what WorkMail's `ListUsers` and `ListPersonalAccessTokens` answer, never a token's secret).
//!
//! Identifiers are checked against the WorkMail model's patterns as full matches, with lengths in
//! Unicode scalar values:
//!
//! | type | model shapes | rule |
//! |---|---|---|
//! | `UserId` | `User.Id` (`WorkMailIdentifier`) and the `UserId` filter (`EntityIdentifier`) | 12..=256 characters of `[a-zA-Z0-9._%+@-]` |
//! | `PersonalAccessTokenId` | `PersonalAccessTokenId` | 1..=64 characters of `[a-zA-Z0-9_-]` |
//! | `IdentityProviderUserId` | `IdentityProviderUserId` | `^([0-9a-f]{10}-\|)` + a UUID in hex of either case, at most 47 characters |
//!
//! A `UserId` satisfies both shapes, so every user id WorkMail lists can be sent back as a filter.

use std::fmt;

use serde::{Serialize, Serializer};

use super::{InvalidValue, Timestamp};

/// A WorkMail user's id (`User.Id`), also valid as `ListPersonalAccessTokens`' `UserId` filter.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct UserId(String);

impl UserId {
    pub const MIN_LENGTH: usize = 12;
    pub const MAX_LENGTH: usize = 256;

    /// Parses a user id: 12 to 256 letters, digits or `. _ % + @ -`.
    pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
        let length = raw.chars().count();
        if !(Self::MIN_LENGTH..=Self::MAX_LENGTH).contains(&length) {
            return Err(InvalidValue::new(format!(
                "must be a WorkMail user id of {} to {} characters, not {length}",
                Self::MIN_LENGTH,
                Self::MAX_LENGTH
            )));
        }
        match raw.chars().find(|c| !is_entity_character(*c)) {
            Some(other) => Err(InvalidValue::new(format!(
                "must be a WorkMail user id made of letters, digits and . _ % + @ - only; {other:?} is not allowed"
            ))),
            None => Ok(Self(raw.to_owned())),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn is_entity_character(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '%' | '+' | '@' | '-')
}

impl fmt::Display for UserId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The id of a personal access token (model shape `PersonalAccessTokenId`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct PersonalAccessTokenId(String);

impl PersonalAccessTokenId {
    pub const MAX_LENGTH: usize = 64;

    /// Parses a token id: 1 to 64 letters, digits, `_` or `-`.
    pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
        let length = raw.chars().count();
        if !(1..=Self::MAX_LENGTH).contains(&length) {
            return Err(InvalidValue::new(format!(
                "must be a personal access token id of 1 to {} characters, not {length}",
                Self::MAX_LENGTH
            )));
        }
        match raw
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '-')))
        {
            Some(other) => Err(InvalidValue::new(format!(
                "must be a personal access token id made of letters, digits, _ and - only; {other:?} is not allowed"
            ))),
            None => Ok(Self(raw.to_owned())),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for PersonalAccessTokenId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The IAM Identity Center user a mailbox user is linked to: an identity store user id, a UUID
/// optionally prefixed by 10 lowercase hex digits and `-`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct IdentityProviderUserId(String);

impl IdentityProviderUserId {
    pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
        let uuid = match raw.split_once('-') {
            Some((prefix, rest))
                if prefix.len() == 10
                    && prefix
                        .bytes()
                        .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) =>
            {
                rest
            }
            _ => raw,
        };
        if is_uuid(uuid) {
            Ok(Self(raw.to_owned()))
        } else {
            Err(InvalidValue::new(
                "must be an Identity Center user id: a UUID (8-4-4-4-12 hexadecimal digits), optionally after 10 lowercase hexadecimal digits and '-'",
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn is_uuid(raw: &str) -> bool {
    let groups: Vec<&str> = raw.split('-').collect();
    groups.len() == 5
        && groups.iter().zip([8, 4, 4, 4, 12]).all(|(group, length)| {
            group.len() == length && group.bytes().all(|b| b.is_ascii_hexdigit())
        })
}

/// WorkMail's user states (`EntityState`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum UserState {
    Enabled,
    Disabled,
    Deleted,
}

impl UserState {
    pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
        match raw {
            "ENABLED" => Ok(Self::Enabled),
            "DISABLED" => Ok(Self::Disabled),
            "DELETED" => Ok(Self::Deleted),
            other => Err(InvalidValue::new(format!(
                "'{other}' is not a user state: use ENABLED, DISABLED or DELETED"
            ))),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Enabled => "ENABLED",
            Self::Disabled => "DISABLED",
            Self::Deleted => "DELETED",
        }
    }
}

/// WorkMail's user roles (`UserRole`). Only `User` signs in to mail; the others are mailboxes of
/// rooms and equipment, WorkMail's own users and users of another mail system.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum UserRole {
    User,
    Resource,
    SystemUser,
    RemoteUser,
}

impl UserRole {
    pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
        match raw {
            "USER" => Ok(Self::User),
            "RESOURCE" => Ok(Self::Resource),
            "SYSTEM_USER" => Ok(Self::SystemUser),
            "REMOTE_USER" => Ok(Self::RemoteUser),
            other => Err(InvalidValue::new(format!(
                "'{other}' is not a user role: use USER, RESOURCE, SYSTEM_USER or REMOTE_USER"
            ))),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::User => "USER",
            Self::Resource => "RESOURCE",
            Self::SystemUser => "SYSTEM_USER",
            Self::RemoteUser => "REMOTE_USER",
        }
    }
}

/// One user of an organization, as `ListUsers` describes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MailboxUser {
    pub id: UserId,
    /// The primary email address (WorkMail leaves it out for users without a mailbox).
    pub email: Option<String>,
    /// The user name.
    pub name: Option<String>,
    pub display_name: Option<String>,
    pub state: UserState,
    pub role: UserRole,
    /// Set when the user is linked to an IAM Identity Center user.
    pub identity_provider_user_id: Option<IdentityProviderUserId>,
}

impl MailboxUser {
    /// An enabled user whose role signs in (`USER`): the only kind a configuration change can lock out.
    pub fn signs_in(&self) -> bool {
        self.state == UserState::Enabled && self.role == UserRole::User
    }

    /// Linked to an IAM Identity Center user.
    pub fn is_linked(&self) -> bool {
        self.identity_provider_user_id.is_some()
    }
}

/// One personal access token, as `ListPersonalAccessTokens` summarizes it (WorkMail never returns
/// the secret). Serialized in camelCase with RFC 3339 times.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PersonalAccessTokenSummary {
    #[serde(rename = "personalAccessTokenId")]
    pub id: PersonalAccessTokenId,
    pub user_id: UserId,
    pub name: Option<String>,
    #[serde(rename = "dateCreated", serialize_with = "rfc3339")]
    pub created: Option<Timestamp>,
    #[serde(rename = "dateLastUsed", serialize_with = "rfc3339")]
    pub last_used: Option<Timestamp>,
    /// When it stops working; `None`: it does not expire.
    #[serde(rename = "expiresTime", serialize_with = "rfc3339")]
    pub expires: Option<Timestamp>,
    pub scopes: Vec<String>,
}

impl PersonalAccessTokenSummary {
    /// Still usable at `now`: no expiry, or an expiry after `now`.
    pub fn is_unexpired(&self, now: Timestamp) -> bool {
        self.expires.is_none_or(|expires| expires > now)
    }
}

fn rfc3339<S: Serializer>(value: &Option<Timestamp>, serializer: S) -> Result<S::Ok, S::Error> {
    match value {
        Some(at) => serializer.collect_str(at),
        None => serializer.serialize_none(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_ids_have_12_to_256_entity_characters() {
        for raw in [
            "S-1-1-11-1111",
            "abcdefghijkl",
            "0123456789ab",
            "user.name_1%+@example-x",
            "f1c2d3e4-5a6b-4c7d-8e9f-0a1b2c3d4e5f",
            &"a".repeat(256),
        ] {
            assert_eq!(
                UserId::parse(raw).map(|id| id.as_str().to_owned()),
                Ok(raw.to_owned()),
                "{raw:?}"
            );
        }
        let too_short = UserId::parse("abcdefghijk").expect_err("11 characters");
        assert!(too_short.message().contains("12 to 256"), "{too_short}");
        assert!(UserId::parse("").is_err());
        assert!(UserId::parse(&"a".repeat(257)).is_err());
        for raw in [
            "abcdefghijk ",
            "abcdefghijk/",
            "abcdefghijk\u{0}",
            "abcdefghijké",
            "../../../../etc",
            "abcdefghij\u{0663}k",
            "abcdef?ghijkl",
        ] {
            let refused = UserId::parse(raw).expect_err(raw);
            assert!(
                refused.message().contains("is not allowed"),
                "{raw:?}: {refused}"
            );
        }
    }

    #[test]
    fn user_id_length_counts_characters_not_bytes() {
        // 12 characters but 13 bytes: the length passes, the character is refused.
        let refused = UserId::parse("abcdefghijké").expect_err("not ASCII");
        assert!(refused.message().contains("'é'"), "{refused}");
    }

    #[test]
    fn token_ids_have_1_to_64_characters_of_the_pattern() {
        for raw in ["a", "_", "-", "Ab9_-", &"z".repeat(64)] {
            assert!(PersonalAccessTokenId::parse(raw).is_ok(), "{raw:?}");
        }
        for raw in ["", &"z".repeat(65)] {
            let refused = PersonalAccessTokenId::parse(raw).expect_err(raw);
            assert!(refused.message().contains("1 to 64"), "{refused}");
        }
        for raw in ["a.b", "a b", "a/b", "..", "a%2Fb", "a+b", "ä", "\u{0663}"] {
            let refused = PersonalAccessTokenId::parse(raw).expect_err(raw);
            assert!(
                refused.message().contains("is not allowed"),
                "{raw:?}: {refused}"
            );
        }
    }

    #[test]
    fn identity_provider_user_ids_follow_the_model() {
        for raw in [
            "f1c2d3e4-5a6b-4c7d-8e9f-0a1b2c3d4e5f",
            "F1C2D3E4-5A6B-4C7D-8E9F-0A1B2C3D4E5F",
            "90676e1b2c-f1c2d3e4-5a6b-4c7d-8e9f-0a1b2c3d4e5f",
        ] {
            assert!(IdentityProviderUserId::parse(raw).is_ok(), "{raw:?}");
        }
        for raw in [
            "",
            "f1c2d3e4-5a6b-4c7d-8e9f-0a1b2c3d4e5",
            "f1c2d3e4-5a6b-4c7d-8e9f-0a1b2c3d4e5ff",
            "g1c2d3e4-5a6b-4c7d-8e9f-0a1b2c3d4e5f",
            "90676E1B2C-f1c2d3e4-5a6b-4c7d-8e9f-0a1b2c3d4e5f",
            "90676e1b2-f1c2d3e4-5a6b-4c7d-8e9f-0a1b2c3d4e5f",
            "f1c2d3e45a6b4c7d8e9f0a1b2c3d4e5f",
            "f1c2d3e4-5a6b-4c7d-8e9f-0a1b2c3d4e5f-",
        ] {
            assert!(IdentityProviderUserId::parse(raw).is_err(), "{raw:?}");
        }
    }

    #[test]
    fn states_and_roles_round_trip_and_refuse_others() {
        for state in [UserState::Enabled, UserState::Disabled, UserState::Deleted] {
            assert_eq!(UserState::parse(state.as_str()), Ok(state));
        }
        for role in [
            UserRole::User,
            UserRole::Resource,
            UserRole::SystemUser,
            UserRole::RemoteUser,
        ] {
            assert_eq!(UserRole::parse(role.as_str()), Ok(role));
        }
        assert!(UserState::parse("enabled").is_err());
        assert!(UserRole::parse("GROUP").is_err());
    }

    #[test]
    fn a_token_is_unexpired_until_its_expiry() {
        let token = |expires: Option<i64>| PersonalAccessTokenSummary {
            id: PersonalAccessTokenId::parse("token-1").expect("valid"),
            user_id: UserId::parse("S-1-1-11-0001").expect("valid"),
            name: None,
            created: None,
            last_used: None,
            expires: expires.map(Timestamp::from_unix_seconds),
            scopes: Vec::new(),
        };
        let now = Timestamp::from_unix_seconds(1_000);
        assert!(token(None).is_unexpired(now));
        assert!(token(Some(1_001)).is_unexpired(now));
        assert!(!token(Some(1_000)).is_unexpired(now));
        assert!(!token(Some(999)).is_unexpired(now));
        let json = serde_json::to_value(token(Some(0))).expect("serializes");
        assert_eq!(json["personalAccessTokenId"], "token-1");
        assert_eq!(json["expiresTime"], "1970-01-01T00:00:00Z");
        assert_eq!(json["dateCreated"], serde_json::Value::Null);
    }
}
