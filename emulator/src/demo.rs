//! The demo organization a local run is seeded with: its ids, and a directory with a realistic mix
//! so that a lockout impact report has something to say.
//!
//! | user | state, role | Identity Center | tokens | in `IDENTITY_PROVIDER_ONLY` |
//! |---|---|---|---|---|
//! | alice, bob, grace, mallory | ENABLED USER | linked | unexpired | keep every access |
//! | carol, ivan | ENABLED USER | linked | none | lose mail clients |
//! | dave | ENABLED USER | linked | only an expired one | loses mail clients |
//! | erin, frank, oscar | ENABLED USER | not linked | none | lose all access |
//! | heidi | DISABLED USER | not linked | none | cannot be locked out |
//! | judy | DISABLED USER | linked | none | cannot be locked out |
//! | trent | DELETED USER | linked | none | cannot be locked out |
//! | boardroom | ENABLED RESOURCE | not linked | none | cannot be locked out |
//! | noreply | ENABLED SYSTEM_USER | not linked | none | cannot be locked out |

use crate::directory::{EmulatedToken, EmulatedUser, UserRole, UserState};

pub const ORGANIZATION_ID: &str = "m-0123456789abcdef0123456789abcdef";
pub const ORGANIZATION_ALIAS: &str = "demo";
pub const INSTANCE_ARN: &str = "arn:aws:sso:::instance/ssoins-1234567890abcdef";
pub const APPLICATION_ARN: &str =
    "arn:aws:sso::123456789012:application/ssoins-1234567890abcdef/apl-1234567890abcdef";
/// The identity store of the demo's Identity Center instance.
pub const IDENTITY_STORE_ID: &str = "d-90670a1b2c";

const DAY: i64 = 86_400;

/// The demo user named `name`: id, Identity Center user id (when linked), email.
fn user(index: u32, name: &str, linked: bool) -> EmulatedUser {
    let user = EmulatedUser::new(
        &format!("a1b2c3d4-0000-4000-8000-{index:012}"),
        name,
        &format!("{name}@{ORGANIZATION_ALIAS}.awsapps.com"),
    )
    .with_display_name(&capitalized(name));
    if linked {
        user.linked(
            &format!("94a8f4e8-1dc0-4000-8000-{index:012}"),
            IDENTITY_STORE_ID,
        )
    } else {
        user
    }
}

fn capitalized(name: &str) -> String {
    let mut letters = name.chars();
    letters
        .next()
        .map(|first| first.to_uppercase().chain(letters).collect())
        .unwrap_or_default()
}

/// The demo's users.
pub(crate) fn users() -> Vec<EmulatedUser> {
    vec![
        user(1, "alice", true),
        user(2, "bob", true),
        user(3, "carol", true),
        user(4, "dave", true),
        user(5, "erin", false),
        user(6, "frank", false),
        user(7, "grace", true),
        user(8, "heidi", false).with_state(UserState::Disabled),
        user(9, "ivan", true),
        user(10, "judy", true).with_state(UserState::Disabled),
        user(11, "mallory", true),
        user(12, "oscar", false),
        user(13, "trent", true).with_state(UserState::Deleted),
        user(14, "boardroom", false).with_role(UserRole::Resource),
        user(15, "noreply", false).with_role(UserRole::SystemUser),
    ]
}

/// The demo's tokens, relative to `now` (Unix seconds): dave's expired yesterday.
pub(crate) fn tokens(now: i64) -> Vec<EmulatedToken> {
    let id = |index: u32| format!("a1b2c3d4-0000-4000-8000-{index:012}");
    vec![
        EmulatedToken::new("pat-alice-laptop", &id(1), now - 30 * DAY, now + 335 * DAY)
            .named("Thunderbird on laptop")
            .last_used(now - DAY),
        EmulatedToken::new("pat-alice-phone", &id(1), now - 10 * DAY, now + 355 * DAY)
            .named("iPhone Mail")
            .last_used(now - 3600),
        EmulatedToken::new("pat-bob-outlook", &id(2), now - 90 * DAY, now + 275 * DAY)
            .named("Outlook"),
        EmulatedToken::new("pat-dave-old", &id(4), now - 366 * DAY, now - DAY)
            .named("old laptop")
            .last_used(now - 40 * DAY),
        EmulatedToken::new("pat-grace-android", &id(7), now - 5 * DAY, now + 360 * DAY)
            .named("Android Gmail"),
        EmulatedToken::new("pat-mallory-cli", &id(11), now - 60 * DAY, now + 305 * DAY)
            .named("mutt"),
    ]
}
