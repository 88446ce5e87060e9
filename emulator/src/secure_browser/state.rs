//! What the emulator holds for WorkSpaces Web: portals, each with at most one identity provider,
//! the answers remembered per client token, and the ids it makes up.

use std::collections::{BTreeMap, HashMap};
use std::hash::{BuildHasher, RandomState};

use serde_json::{Value, json};

use super::routes::Operation;

/// An identity provider as tests and local runs see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmulatedIdentityProvider {
    pub name: String,
    /// `SAML`, `Facebook`, `Google`, `LoginWithAmazon`, `SignInWithApple` or `OIDC`.
    pub provider_type: String,
    pub details: BTreeMap<String, String>,
}

#[derive(Debug, Clone)]
pub(crate) struct Provider {
    pub arn: String,
    pub provider: EmulatedIdentityProvider,
}

impl Provider {
    /// `IdentityProvider`, as Get and Update answer it.
    pub fn full(&self) -> Value {
        json!({
            "identityProviderArn": self.arn,
            "identityProviderName": self.provider.name,
            "identityProviderType": self.provider.provider_type,
            "identityProviderDetails": self.provider.details,
        })
    }

    /// `IdentityProviderSummary`, as List answers it.
    pub fn summary(&self) -> Value {
        json!({
            "identityProviderArn": self.arn,
            "identityProviderName": self.provider.name,
            "identityProviderType": self.provider.provider_type,
        })
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Portal {
    pub display_name: String,
    /// Seconds since the Unix epoch.
    pub created: i64,
    pub provider: Option<Provider>,
}

impl Portal {
    /// `PortalSummary` (and `Portal`: the emulator keeps no member only `Portal` has).
    pub fn describe(&self, arn: &str) -> Value {
        let mut portal = json!({
            "portalArn": arn,
            "displayName": self.display_name,
            // A Standard portal is Incomplete until it has an identity provider.
            "portalStatus": if self.provider.is_some() { "Active" } else { "Incomplete" },
            "authenticationType": "Standard",
            "browserType": "Chrome",
            "rendererType": "AppStream",
            "instanceType": "standard.regular",
            "creationDate": self.created,
        });
        let id = arn
            .rsplit('/')
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        if !id.is_empty()
            && id.len() <= 63
            && id
                .bytes()
                .all(|byte| byte.is_ascii_alphanumeric() || byte == b'-')
            && !id.starts_with('-')
            && !id.ends_with('-')
        {
            portal["portalEndpoint"] = json!(format!("{id}.workspaces-web.com"));
        }
        portal
    }
}

/// The display name of a portal added without one.
pub const DEFAULT_DISPLAY_NAME: &str = "Emulated portal";

/// A successful answer remembered for its client token.
#[derive(Debug, Clone)]
pub(crate) struct Replay {
    /// The request, without its client token.
    pub request: Value,
    pub answer: Value,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct SecureBrowser {
    pub portals: BTreeMap<String, Portal>,
    pub replays: HashMap<(Operation, String), Replay>,
    ids: u64,
}

impl SecureBrowser {
    /// A fresh id shaped like a UUID v4 (lowercase hex, as the ARN patterns want it).
    pub fn next_id(&mut self) -> String {
        self.ids += 1;
        let random = RandomState::new();
        let high = random.hash_one((self.ids, 0u8));
        let low = random.hash_one((self.ids, 1u8));
        format!(
            "{:08x}-{:04x}-4{:03x}-{:x}{:03x}-{:012x}",
            high >> 32,
            (high >> 16) & 0xffff,
            high & 0x0fff,
            8 + (low >> 62),
            (low >> 48) & 0x0fff,
            low & 0xffff_ffff_ffff,
        )
    }

    /// The ARN of a new identity provider of `portal_arn`:
    /// `arn:aws:workspaces-web:{region}:{account}:identityProvider/{portal id}/{provider id}`.
    pub fn new_provider_arn(&mut self, portal_arn: &str) -> String {
        let id = self.next_id();
        match portal_arn.split_once(":portal/") {
            Some((prefix, portal_id)) => format!("{prefix}:identityProvider/{portal_id}/{id}"),
            None => format!("{portal_arn}/{id}"),
        }
    }

    /// Adds an empty portal, or keeps the one there.
    pub fn add_portal(&mut self, arn: &str, display_name: &str, created: i64) -> &mut Portal {
        self.portals
            .entry(arn.to_owned())
            .or_insert_with(|| Portal {
                display_name: display_name.to_owned(),
                created,
                provider: None,
            })
    }

    /// The identity provider of portal `portal_arn`, if it has one.
    pub fn provider(&self, portal_arn: &str) -> Option<EmulatedIdentityProvider> {
        self.portals
            .get(portal_arn)?
            .provider
            .as_ref()
            .map(|provider| provider.provider.clone())
    }

    /// Gives portal `portal_arn` (added when missing) `provider`, keeping the ARN of the one it
    /// replaces; answers the provider's ARN.
    pub fn set_provider(
        &mut self,
        portal_arn: &str,
        provider: EmulatedIdentityProvider,
        created: i64,
    ) -> String {
        let existing = self
            .portals
            .get(portal_arn)
            .and_then(|portal| portal.provider.as_ref())
            .map(|provider| provider.arn.clone());
        let arn = existing.unwrap_or_else(|| self.new_provider_arn(portal_arn));
        self.add_portal(portal_arn, DEFAULT_DISPLAY_NAME, created)
            .provider = Some(Provider {
            arn: arn.clone(),
            provider,
        });
        arn
    }

    /// The portal whose identity provider has ARN `arn`.
    pub fn portal_of_provider(&mut self, arn: &str) -> Option<&mut Portal> {
        self.portals.values_mut().find(|portal| {
            portal
                .provider
                .as_ref()
                .is_some_and(|provider| provider.arn == arn)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_distinct_and_uuid_v4_shaped() {
        let mut state = SecureBrowser::default();
        let shape = regex::Regex::new(
            "^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$",
        )
        .unwrap();
        let ids: std::collections::HashSet<_> = (0..1000).map(|_| state.next_id()).collect();
        assert_eq!(ids.len(), 1000);
        assert!(ids.iter().all(|id| shape.is_match(id)), "{ids:?}");
    }

    #[test]
    fn provider_arns_name_their_portal() {
        let mut state = SecureBrowser::default();
        let arn = state.new_provider_arn(
            "arn:aws:workspaces-web:eu-west-1:111122223333:portal/d3b07384-d113-4ec6-a1f5-6a0e5b1c2f3d",
        );
        let prefix = "arn:aws:workspaces-web:eu-west-1:111122223333:identityProvider/d3b07384-d113-4ec6-a1f5-6a0e5b1c2f3d/";
        assert!(arn.starts_with(prefix), "{arn}");
        assert_eq!(arn.len(), prefix.len() + 36);
    }
}
