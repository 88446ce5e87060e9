//! `ProviderType`: the six identity-provider types of WorkSpaces Web, by their wire names and the
//! body member that holds each one's details.

/// An identity-provider type (model enum `IdentityProviderType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProviderType {
    Saml,
    Oidc,
    Google,
    Facebook,
    LoginWithAmazon,
    SignInWithApple,
}

impl ProviderType {
    pub const ALL: [ProviderType; 6] = [
        ProviderType::Saml,
        ProviderType::Oidc,
        ProviderType::Google,
        ProviderType::Facebook,
        ProviderType::LoginWithAmazon,
        ProviderType::SignInWithApple,
    ];

    /// For messages: the wire names a type may have.
    pub const ALLOWED: &'static str =
        "SAML, OIDC, Google, Facebook, LoginWithAmazon or SignInWithApple";

    /// The name WorkSpaces Web and the client body use (`identityProviderType`, `type`).
    pub fn wire_name(self) -> &'static str {
        match self {
            Self::Saml => "SAML",
            Self::Oidc => "OIDC",
            Self::Google => "Google",
            Self::Facebook => "Facebook",
            Self::LoginWithAmazon => "LoginWithAmazon",
            Self::SignInWithApple => "SignInWithApple",
        }
    }

    /// The member of the client body that holds this type's details.
    pub fn body_member(self) -> &'static str {
        match self {
            Self::Saml => "saml",
            Self::Oidc => "oidc",
            Self::Google => "google",
            Self::Facebook => "facebook",
            Self::LoginWithAmazon => "loginWithAmazon",
            Self::SignInWithApple => "signInWithApple",
        }
    }

    /// The type with this wire name (exact case), if any.
    pub fn from_wire(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.wire_name() == raw)
    }

    /// The type whose details this body member holds, if any.
    pub fn from_body_member(member: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|kind| kind.body_member() == member)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for kind in ProviderType::ALL {
            assert_eq!(ProviderType::from_wire(kind.wire_name()), Some(kind));
            assert_eq!(
                ProviderType::from_body_member(kind.body_member()),
                Some(kind)
            );
        }
        assert_eq!(ProviderType::from_wire("saml"), None);
        assert_eq!(ProviderType::from_body_member("SAML"), None);
        assert_eq!(
            ProviderType::LoginWithAmazon.body_member(),
            "loginWithAmazon"
        );
    }
}
