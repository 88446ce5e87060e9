//! The lockout impact report: who would lose what if a `Change` were made, worked out from the
//! organization's users and personal access tokens. Pure: no I/O, no clock (`now` decides which
//! tokens are unexpired).
//!
//! How to make one:
//!
//! 1. `change.impact_data()` says what to read (`Nothing`, `Users`, `UsersAndTokens`);
//! 2. read every page of `ListUsers` (and of `ListPersonalAccessTokens` when tokens are needed) into a
//!    `DirectorySnapshot` (`workmail::read_directory` does it within a time budget), marking it
//!    `cut_short` when the budget ran out;
//! 3. `ImpactReport::compute(&change, &snapshot, now)`; serialize it (camelCase) into dry-run answers
//!    and refusals, and compare a caller's digest with `impact_digest`.
//!
//! For a readiness check ("what would a switch to `IDENTITY_PROVIDER_ONLY` do?") build the `Change`
//! from the current configuration to the same with `authenticationMode: IDENTITY_PROVIDER_ONLY`.
//!
//! Who is affected (only enabled users of role `USER` can be locked out; every other user is counted
//! in `otherUsers`). The report describes each user's access *after* the change, for the risks the
//! change carries:
//!
//! | after the change | unlinked user | linked user (`IdentityProviderUserId` set) |
//! |---|---|---|
//! | `IDENTITY_PROVIDER_ONLY` reached, or kept while Identity Center changes, tokens `ACTIVE` | loses all access | loses mail-client access unless one of their tokens is unexpired |
//! | `IDENTITY_PROVIDER_ONLY` with tokens `INACTIVE` (entered by this change) | loses all access | loses mail-client access |
//! | removal, or back to `IDENTITY_PROVIDER_AND_DIRECTORY` while Identity Center changes | — | may need a password reset (users created through Identity Center never had a directory password) |
//!
//! A change without lockout risks affects nobody. Users already without access before the change
//! are reported too: they cannot sign in after it either.
//!
//! The report is *complete* only when every page was read (not `cut_short`) and, where the risks
//! need tokens, the tokens were read; an incomplete report names why, counts as affecting users
//! (`nobody_affected` is false) and has a digest no complete report can have.

use std::collections::HashSet;

use serde::{Serialize, Serializer};
use sha2::{Digest, Sha256};

use super::{
    AuthenticationMode, Change, ConfigurationDocument, IdentityProviderConfiguration, ImpactData,
    LockoutRisk, MailboxUser, PersonalAccessTokenSummary, Timestamp, TokenStatus, UserId,
};

/// How many users of each kind a report lists; the counts are always complete.
pub const LISTED_USERS: usize = 100;

/// Why reading the directory stopped before its last page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CutShort {
    /// The caller's time budget ran out.
    TimeBudget,
}

/// What was read of an organization's directory for an impact report.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DirectorySnapshot {
    /// Every user read (all of `ListUsers`' pages unless `cut_short`).
    pub users: Vec<MailboxUser>,
    /// Every token read; `None` when tokens were not read at all.
    pub tokens: Option<Vec<PersonalAccessTokenSummary>>,
    /// Set when reading stopped before the last page of users or tokens.
    pub cut_short: Option<CutShort>,
}

/// Why a report is not complete.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Incompleteness {
    /// The time budget ran out before every page of users and tokens was read.
    TimeBudget,
    /// The change's risks depend on tokens and none were read: linked users are counted as having
    /// no token.
    TokensNotRead,
}

/// One affected user, as a portal shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AffectedUser {
    pub user_id: UserId,
    pub email: Option<String>,
    pub name: Option<String>,
}

/// The first `LISTED_USERS` affected users of one kind, by user id, and whether there are more.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AffectedList {
    pub users: Vec<AffectedUser>,
    pub truncated: bool,
}

/// The affected users of each kind.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AffectedUsers {
    pub losing_all_access: AffectedList,
    pub losing_mail_client_access: AffectedList,
    pub may_need_password_reset: AffectedList,
}

/// Who would lose what: the answer to "what does this change do to mailbox users?".
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ImpactReport {
    /// The change's lockout risks (`IDENTITY_PROVIDER_ONLY`, `DELETE`, `CHANGE_IDENTITY_CENTER`,
    /// `DISABLE_PERSONAL_ACCESS_TOKENS`).
    pub risks: Vec<LockoutRisk>,
    /// Every page was read, and tokens where the risks need them.
    pub complete: bool,
    /// Why not complete; empty when complete.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub incomplete_because: Vec<Incompleteness>,
    /// Enabled users of role `USER`: the ones a change can lock out.
    pub enabled_users: usize,
    /// Every other user read (disabled, deleted, resources, system and remote users).
    pub other_users: usize,
    pub losing_all_access: usize,
    /// Losing access from mail clients only (the web app still works).
    pub losing_mail_client_access: usize,
    /// Linked users who fall back to directory passwords they may never have had.
    pub may_need_password_reset: usize,
    pub affected: AffectedUsers,
    /// SHA-256 (hex) of the change, the completeness and the sorted affected user ids of each kind:
    /// stable across runs, different as soon as any of them differs.
    pub impact_digest: String,
}

/// What one user loses.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Loss {
    All,
    MailClients,
    Password,
}

impl ImpactReport {
    /// Works out the impact of `change` on the users and tokens of `snapshot`, at `now`.
    pub fn compute(change: &Change, snapshot: &DirectorySnapshot, now: Timestamp) -> Self {
        let risks = change.lockout_risks();
        let mut incomplete_because = Vec::new();
        if snapshot.cut_short == Some(CutShort::TimeBudget) {
            incomplete_because.push(Incompleteness::TimeBudget);
        }
        if change.impact_data() == ImpactData::UsersAndTokens && snapshot.tokens.is_none() {
            incomplete_because.push(Incompleteness::TokensNotRead);
        }
        let with_token: HashSet<&UserId> = snapshot
            .tokens
            .iter()
            .flatten()
            .filter(|token| token.is_unexpired(now))
            .map(|token| &token.user_id)
            .collect();
        let rule = Rule::of(change, &risks);
        let (mut all, mut mail_clients, mut password) = (Vec::new(), Vec::new(), Vec::new());
        let mut enabled_users = 0;
        for user in &snapshot.users {
            if !user.signs_in() {
                continue;
            }
            enabled_users += 1;
            match rule.loss(user, &with_token) {
                Some(Loss::All) => all.push(user),
                Some(Loss::MailClients) => mail_clients.push(user),
                Some(Loss::Password) => password.push(user),
                None => {}
            }
        }
        for kind in [&mut all, &mut mail_clients, &mut password] {
            kind.sort_by(|a, b| a.id.cmp(&b.id));
        }
        let complete = incomplete_because.is_empty();
        let impact_digest = digest(change, &risks, complete, [&all, &mail_clients, &password]);
        Self {
            risks,
            complete,
            incomplete_because,
            enabled_users,
            other_users: snapshot.users.len() - enabled_users,
            losing_all_access: all.len(),
            losing_mail_client_access: mail_clients.len(),
            may_need_password_reset: password.len(),
            affected: AffectedUsers {
                losing_all_access: listed(&all),
                losing_mail_client_access: listed(&mail_clients),
                may_need_password_reset: listed(&password),
            },
            impact_digest,
        }
    }

    /// Nobody loses anything and the report is complete: a plain confirmation is consent enough,
    /// and the enforcer may make the change if its policy allows the transition.
    pub fn nobody_affected(&self) -> bool {
        self.complete
            && self.losing_all_access == 0
            && self.losing_mail_client_access == 0
            && self.may_need_password_reset == 0
    }

    /// Someone would lose access (all of it, or from mail clients), or the report cannot rule it out
    /// (incomplete). Users who may need a password reset can get back in by one: they are reported,
    /// not counted here. This is what a lockout-risk consent must acknowledge by digest, and what the
    /// enforcer never does.
    pub fn locks_anyone_out(&self) -> bool {
        !self.complete || self.losing_all_access > 0 || self.losing_mail_client_access > 0
    }
}

/// Which evaluation the change calls for.
enum Rule {
    /// No lockout risk: nobody is affected.
    Harmless,
    /// `IDENTITY_PROVIDER_ONLY` after the change; whether tokens are `ACTIVE` after it.
    IdentityProviderOnly { tokens_active: bool },
    /// Directory passwords again (removal, or back to both while Identity Center changes).
    DirectoryPasswords,
}

impl Rule {
    fn of(change: &Change, risks: &[LockoutRisk]) -> Self {
        if risks.is_empty() {
            return Rule::Harmless;
        }
        match &change.after {
            None => Rule::DirectoryPasswords,
            Some(after)
                if after.authentication_mode == AuthenticationMode::IdentityProviderOnly =>
            {
                Rule::IdentityProviderOnly {
                    tokens_active: after.personal_access_tokens.status == TokenStatus::Active,
                }
            }
            Some(_) => Rule::DirectoryPasswords,
        }
    }

    fn loss(&self, user: &MailboxUser, with_token: &HashSet<&UserId>) -> Option<Loss> {
        match self {
            Rule::Harmless => None,
            Rule::IdentityProviderOnly { .. } if !user.is_linked() => Some(Loss::All),
            Rule::IdentityProviderOnly { tokens_active } => {
                (!tokens_active || !with_token.contains(&user.id)).then_some(Loss::MailClients)
            }
            Rule::DirectoryPasswords => user.is_linked().then_some(Loss::Password),
        }
    }
}

fn listed(users: &[&MailboxUser]) -> AffectedList {
    AffectedList {
        users: users
            .iter()
            .take(LISTED_USERS)
            .map(|user| AffectedUser {
                user_id: user.id.clone(),
                email: user.email.clone(),
                name: user.name.clone(),
            })
            .collect(),
        truncated: users.len() > LISTED_USERS,
    }
}

/// One line per part; user ids cannot hold `,` or a line break, so the text is unambiguous.
fn digest(
    change: &Change,
    risks: &[LockoutRisk],
    complete: bool,
    kinds: [&Vec<&MailboxUser>; 3],
) -> String {
    let document = |configuration: Option<&IdentityProviderConfiguration>| {
        configuration.map_or_else(
            || "null".to_owned(),
            |configuration| {
                ConfigurationDocument::new(&change.organization, configuration)
                    .to_value()
                    .to_string()
            },
        )
    };
    let mut text = format!(
        "impact v1\n{}\n{}\n{}\n{}\ncomplete={complete}\n",
        change.organization,
        risks
            .iter()
            .map(|risk| risk.as_str())
            .collect::<Vec<_>>()
            .join(","),
        document(change.before.as_ref()),
        document(change.after.as_ref()),
    );
    for (name, users) in [
        "losingAllAccess",
        "losingMailClientAccess",
        "mayNeedPasswordReset",
    ]
    .into_iter()
    .zip(kinds)
    {
        let ids: Vec<&str> = users.iter().map(|user| user.id.as_str()).collect();
        text.push_str(&format!("{name}={}\n", ids.join(",")));
    }
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

impl Serialize for LockoutRisk {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::fixtures::{configuration, organization};
    use crate::domain::{IdentityProviderUserId, PersonalAccessTokenId, UserRole, UserState};
    use AuthenticationMode::{IdentityProviderAndDirectory as Both, IdentityProviderOnly as Only};
    use TokenStatus::{Active, Inactive};

    const NOW: i64 = 1_800_000_000;

    fn user(index: usize, linked: bool) -> MailboxUser {
        MailboxUser {
            id: UserId::parse(&format!("user-{index:08}")).expect("valid"),
            email: Some(format!("user{index}@example.com")),
            name: Some(format!("user{index}")),
            display_name: None,
            state: UserState::Enabled,
            role: UserRole::User,
            identity_provider_user_id: linked.then(|| {
                IdentityProviderUserId::parse(&format!("00000000-0000-4000-8000-{index:012x}"))
                    .expect("valid")
            }),
        }
    }

    fn token(user: &MailboxUser, expires: i64) -> PersonalAccessTokenSummary {
        PersonalAccessTokenSummary {
            id: PersonalAccessTokenId::parse(&format!("pat-{}-{expires}", user.id)).expect("valid"),
            user_id: user.id.clone(),
            name: Some("laptop".to_owned()),
            created: None,
            last_used: None,
            expires: Some(Timestamp::from_unix_seconds(expires)),
            scopes: vec!["mail".to_owned()],
        }
    }

    fn change(
        before: Option<IdentityProviderConfiguration>,
        after: Option<IdentityProviderConfiguration>,
    ) -> Change {
        Change {
            organization: organization(),
            before,
            after,
        }
    }

    fn switch_to_only() -> Change {
        change(
            Some(configuration(Both, Active, None)),
            Some(configuration(Only, Active, None)),
        )
    }

    /// Five users that sign in (two unlinked, three linked: with a token, with only an expired
    /// token, without any) and four that cannot be locked out.
    fn mixed() -> DirectorySnapshot {
        let linked_with_token = user(3, true);
        let linked_expired = user(4, true);
        let mut disabled = user(6, false);
        disabled.state = UserState::Disabled;
        let mut deleted = user(7, true);
        deleted.state = UserState::Deleted;
        let mut room = user(8, false);
        room.role = UserRole::Resource;
        let mut system = user(9, false);
        system.role = UserRole::SystemUser;
        let tokens = vec![
            token(&linked_with_token, NOW + 86_400),
            token(&linked_with_token, NOW - 1),
            token(&linked_expired, NOW),
            token(&disabled, NOW + 86_400),
        ];
        DirectorySnapshot {
            users: vec![
                user(2, false),
                user(1, false),
                linked_with_token,
                linked_expired,
                user(5, true),
                disabled,
                deleted,
                room,
                system,
            ],
            tokens: Some(tokens),
            cut_short: None,
        }
    }

    fn ids(list: &AffectedList) -> Vec<&str> {
        list.users
            .iter()
            .map(|user| user.user_id.as_str())
            .collect()
    }

    fn report(change: &Change, snapshot: &DirectorySnapshot) -> ImpactReport {
        ImpactReport::compute(change, snapshot, Timestamp::from_unix_seconds(NOW))
    }

    #[test]
    fn a_switch_to_identity_provider_only_locks_out_the_unlinked_and_the_tokenless() {
        let report = report(&switch_to_only(), &mixed());
        assert_eq!(report.risks, [LockoutRisk::SwitchToIdentityProviderOnly]);
        assert!(report.complete);
        assert_eq!((report.enabled_users, report.other_users), (5, 4));
        assert_eq!(
            ids(&report.affected.losing_all_access),
            ["user-00000001", "user-00000002"]
        );
        assert_eq!(
            ids(&report.affected.losing_mail_client_access),
            ["user-00000004", "user-00000005"],
            "an expired token (expiring now) does not count; an unexpired one does"
        );
        assert_eq!(
            (report.losing_all_access, report.losing_mail_client_access),
            (2, 2)
        );
        assert_eq!(report.may_need_password_reset, 0);
        assert!(!report.nobody_affected());
        let first = &report.affected.losing_all_access.users[0];
        assert_eq!(first.email.as_deref(), Some("user1@example.com"));
        assert_eq!(first.name.as_deref(), Some("user1"));
    }

    #[test]
    fn tokens_set_inactive_in_identity_provider_only_stop_every_mail_client() {
        let change = change(
            Some(configuration(Only, Active, None)),
            Some(configuration(Only, Inactive, None)),
        );
        let report = report(&change, &mixed());
        assert_eq!(report.risks, [LockoutRisk::DisablePersonalAccessTokens]);
        assert_eq!(report.losing_all_access, 2);
        assert_eq!(
            ids(&report.affected.losing_mail_client_access),
            ["user-00000003", "user-00000004", "user-00000005"],
            "a token no longer helps"
        );
    }

    #[test]
    fn an_identity_center_change_in_identity_provider_only_is_evaluated_as_the_switch() {
        let mut other = configuration(Only, Active, None);
        other.identity_center = crate::domain::IdentityCenter::new(
            crate::domain::InstanceArn::parse("arn:aws:sso:::instance/ssoins-bbbbbbbbbbbbbbbb")
                .expect("valid"),
            crate::domain::ApplicationArn::parse(
                "arn:aws:sso::123456789012:application/ssoins-bbbbbbbbbbbbbbbb/apl-bbbbbbbbbbbbbbbb",
            )
            .expect("valid"),
        )
        .expect("consistent");
        let kept = change(Some(configuration(Only, Active, None)), Some(other.clone()));
        let report = report(&kept, &mixed());
        assert_eq!(report.risks, [LockoutRisk::ChangeIdentityCenter]);
        assert_eq!(
            (report.losing_all_access, report.losing_mail_client_access),
            (2, 2)
        );
        let mut back = other;
        back.authentication_mode = Both;
        let back_to_passwords = change(Some(configuration(Only, Active, None)), Some(back));
        let report = ImpactReport::compute(
            &back_to_passwords,
            &mixed(),
            Timestamp::from_unix_seconds(NOW),
        );
        assert_eq!(
            (report.losing_all_access, report.losing_mail_client_access),
            (0, 0)
        );
        assert_eq!(report.may_need_password_reset, 3);
    }

    #[test]
    fn a_removal_counts_the_linked_users_who_may_need_a_password_reset() {
        let removal = change(Some(configuration(Only, Active, None)), None);
        let snapshot = DirectorySnapshot {
            tokens: None,
            ..mixed()
        };
        let report = report(&removal, &snapshot);
        assert_eq!(report.risks, [LockoutRisk::Removal]);
        assert!(report.complete, "a removal needs no tokens");
        assert_eq!(
            ids(&report.affected.may_need_password_reset),
            ["user-00000003", "user-00000004", "user-00000005"]
        );
        assert_eq!(
            (report.losing_all_access, report.losing_mail_client_access),
            (0, 0)
        );
    }

    #[test]
    fn a_change_without_risk_affects_nobody() {
        let harmless = change(
            Some(configuration(Both, Active, None)),
            Some(configuration(Both, Active, Some(90))),
        );
        let report = report(&harmless, &mixed());
        assert!(report.risks.is_empty());
        assert!(report.nobody_affected());
        assert_eq!(report.enabled_users, 5);
        let everyone_ready = DirectorySnapshot {
            users: vec![user(3, true)],
            tokens: Some(vec![token(&user(3, true), NOW + 1)]),
            cut_short: None,
        };
        assert!(
            ImpactReport::compute(
                &switch_to_only(),
                &everyone_ready,
                Timestamp::from_unix_seconds(NOW)
            )
            .nobody_affected()
        );
    }

    #[test]
    fn lists_are_cut_at_100_but_counts_are_not() {
        let users: Vec<MailboxUser> = (0..250).rev().map(|i| user(i, i % 2 == 0)).collect();
        let snapshot = DirectorySnapshot {
            users,
            tokens: Some(Vec::new()),
            cut_short: None,
        };
        let report = report(&switch_to_only(), &snapshot);
        assert_eq!(
            (report.losing_all_access, report.losing_mail_client_access),
            (125, 125)
        );
        for list in [
            &report.affected.losing_all_access,
            &report.affected.losing_mail_client_access,
        ] {
            assert_eq!(list.users.len(), LISTED_USERS);
            assert!(list.truncated);
        }
        assert_eq!(
            report.affected.losing_all_access.users[0].user_id.as_str(),
            "user-00000001"
        );
        assert_eq!(
            report.affected.losing_mail_client_access.users[99]
                .user_id
                .as_str(),
            "user-00000198"
        );
        let exactly: Vec<MailboxUser> = (0..100).map(|i| user(i, false)).collect();
        let report = ImpactReport::compute(
            &switch_to_only(),
            &DirectorySnapshot {
                users: exactly,
                tokens: Some(Vec::new()),
                cut_short: None,
            },
            Timestamp::from_unix_seconds(NOW),
        );
        assert_eq!(report.affected.losing_all_access.users.len(), 100);
        assert!(!report.affected.losing_all_access.truncated, "100 fit");
    }

    #[test]
    fn incomplete_inputs_are_never_reported_as_complete() {
        let cut = DirectorySnapshot {
            users: Vec::new(),
            tokens: Some(Vec::new()),
            cut_short: Some(CutShort::TimeBudget),
        };
        let report = report(&switch_to_only(), &cut);
        assert!(!report.complete);
        assert_eq!(report.incomplete_because, [Incompleteness::TimeBudget]);
        assert!(
            !report.nobody_affected(),
            "an empty partial read proves nothing"
        );
        let no_tokens = DirectorySnapshot {
            tokens: None,
            ..mixed()
        };
        let report = ImpactReport::compute(
            &switch_to_only(),
            &no_tokens,
            Timestamp::from_unix_seconds(NOW),
        );
        assert_eq!(report.incomplete_because, [Incompleteness::TokensNotRead]);
        assert_eq!(
            report.losing_mail_client_access, 3,
            "without tokens, every linked user counts"
        );
        let complete = ImpactReport::compute(
            &switch_to_only(),
            &DirectorySnapshot {
                users: Vec::new(),
                ..cut
            },
            Timestamp::from_unix_seconds(NOW),
        );
        assert_ne!(
            complete.impact_digest,
            ImpactReport::compute(
                &switch_to_only(),
                &DirectorySnapshot {
                    users: Vec::new(),
                    tokens: Some(Vec::new()),
                    cut_short: None
                },
                Timestamp::from_unix_seconds(NOW),
            )
            .impact_digest,
            "a partial report's digest never equals the complete one's"
        );
    }

    #[test]
    fn the_digest_is_stable_and_sensitive() {
        let base = report(&switch_to_only(), &mixed());
        assert_eq!(base.impact_digest.len(), 64);
        assert!(base.impact_digest.bytes().all(|b| b.is_ascii_hexdigit()));
        let mut shuffled = mixed();
        shuffled.users.reverse();
        assert_eq!(
            report(&switch_to_only(), &shuffled).impact_digest,
            base.impact_digest
        );
        // Pinned: the digest must not change between runs or builds.
        assert_eq!(
            base.impact_digest,
            "6a7a5c992a32bbffa1cb3b9b566a4b68caeee35b133ae858ed275094e2515a94"
        );
        // One more token moves a user out of the affected list.
        let mut with_token = mixed();
        let fifth = user(5, true);
        with_token
            .tokens
            .get_or_insert_default()
            .push(token(&fifth, NOW + 10));
        assert_ne!(
            report(&switch_to_only(), &with_token).impact_digest,
            base.impact_digest
        );
        // One more unlinked user.
        let mut more = mixed();
        more.users.push(user(10, false));
        assert_ne!(
            report(&switch_to_only(), &more).impact_digest,
            base.impact_digest
        );
        // The same users under another change.
        let other = change(
            Some(configuration(Both, Active, None)),
            Some(configuration(Only, Active, Some(30))),
        );
        assert_ne!(report(&other, &mixed()).impact_digest, base.impact_digest);
        // A user moving from one kind to another changes it even with the same ids.
        let mut relinked = mixed();
        for user in &mut relinked.users {
            if user.id.as_str() == "user-00000001" {
                user.identity_provider_user_id =
                    IdentityProviderUserId::parse("00000000-0000-4000-8000-000000000001").ok();
            }
        }
        assert_ne!(
            report(&switch_to_only(), &relinked).impact_digest,
            base.impact_digest
        );
        // Unaffected users do not change it.
        let mut quiet = mixed();
        let mut disabled = user(11, false);
        disabled.state = UserState::Disabled;
        quiet.users.push(disabled);
        assert_eq!(
            report(&switch_to_only(), &quiet).impact_digest,
            base.impact_digest
        );
    }

    #[test]
    fn serializes_in_camel_case() {
        let json = serde_json::to_value(report(&switch_to_only(), &mixed())).expect("serializes");
        assert_eq!(json["risks"], serde_json::json!(["IDENTITY_PROVIDER_ONLY"]));
        assert_eq!(json["enabledUsers"], 5);
        assert_eq!(json["otherUsers"], 4);
        assert_eq!(json["losingAllAccess"], 2);
        assert_eq!(json["losingMailClientAccess"], 2);
        assert_eq!(json["mayNeedPasswordReset"], 0);
        assert_eq!(json["complete"], true);
        assert!(json.get("incompleteBecause").is_none());
        assert_eq!(
            json["affected"]["losingAllAccess"]["users"][0],
            serde_json::json!({ "userId": "user-00000001", "email": "user1@example.com", "name": "user1" })
        );
        assert_eq!(
            json["affected"]["losingMailClientAccess"]["truncated"],
            false
        );
        assert!(json["impactDigest"].is_string());
    }
}
