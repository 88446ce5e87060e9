//! Field-by-field difference between two configurations (either may be absent), as JSON pointers with
//! the value before and after.

use serde::Serialize;
use serde_json::Value;

use super::{
    ConfigurationDocument, IdentityProviderConfiguration, OrganizationId, escape_pointer_token,
};

/// One member that differs. `None` means the member is absent on that side.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldChange {
    pub pointer: String,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

/// The members that differ between `before` and `after`, in document order.
pub fn diff(
    organization: &OrganizationId,
    before: Option<&IdentityProviderConfiguration>,
    after: Option<&IdentityProviderConfiguration>,
) -> Vec<FieldChange> {
    let document = |configuration: Option<&IdentityProviderConfiguration>| {
        configuration.map(|c| ConfigurationDocument::new(organization, c).to_value())
    };
    let mut changes = diff_documents(document(before).as_ref(), document(after).as_ref());
    changes.retain(|change| change.pointer != "/organizationId");
    changes
}

/// The leaves (members that are not objects) that differ between two JSON documents, in document
/// order (the after side's first, then what only the before side has).
pub(super) fn diff_documents(before: Option<&Value>, after: Option<&Value>) -> Vec<FieldChange> {
    let mut before_leaves = Vec::new();
    let mut after_leaves = Vec::new();
    if let Some(value) = before {
        leaves(value, String::new(), &mut before_leaves);
    }
    if let Some(value) = after {
        leaves(value, String::new(), &mut after_leaves);
    }
    let mut pointers: Vec<&String> = after_leaves.iter().map(|(p, _)| p).collect();
    for (pointer, _) in &before_leaves {
        if !pointers.contains(&pointer) {
            pointers.push(pointer);
        }
    }
    let find = |leaves: &[(String, Value)], pointer: &str| {
        leaves
            .iter()
            .find(|(p, _)| p == pointer)
            .map(|(_, v)| v.clone())
    };
    pointers
        .into_iter()
        .filter_map(|pointer| {
            let (was, will) = (find(&before_leaves, pointer), find(&after_leaves, pointer));
            (was != will).then(|| FieldChange {
                pointer: pointer.clone(),
                before: was,
                after: will,
            })
        })
        .collect()
}

fn leaves(value: &Value, pointer: String, out: &mut Vec<(String, Value)>) {
    match value {
        Value::Object(members) => {
            for (name, child) in members {
                leaves(
                    child,
                    format!("{pointer}/{}", escape_pointer_token(name)),
                    out,
                );
            }
        }
        leaf => out.push((pointer, leaf.clone())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::fixtures::{self, organization};
    use crate::domain::{AuthenticationMode, TokenStatus};
    use serde_json::json;

    fn configuration(
        mode: AuthenticationMode,
        lifetime: Option<i64>,
    ) -> IdentityProviderConfiguration {
        fixtures::configuration(mode, TokenStatus::Active, lifetime)
    }

    #[test]
    fn equal_configurations_have_no_changes() {
        let same = configuration(AuthenticationMode::IdentityProviderAndDirectory, Some(90));
        assert!(diff(&organization(), Some(&same), Some(&same)).is_empty());
    }

    #[test]
    fn changed_added_and_removed_members_are_listed() {
        let before = configuration(AuthenticationMode::IdentityProviderAndDirectory, Some(90));
        let after = configuration(AuthenticationMode::IdentityProviderOnly, None);
        assert_eq!(
            diff(&organization(), Some(&before), Some(&after)),
            vec![
                FieldChange {
                    pointer: "/authenticationMode".into(),
                    before: Some(json!("IDENTITY_PROVIDER_AND_DIRECTORY")),
                    after: Some(json!("IDENTITY_PROVIDER_ONLY")),
                },
                FieldChange {
                    pointer: "/personalAccessTokens/lifetimeInDays".into(),
                    before: Some(json!(90)),
                    after: None,
                },
            ]
        );
    }

    #[test]
    fn an_absent_side_lists_every_member() {
        let after = configuration(AuthenticationMode::IdentityProviderAndDirectory, Some(90));
        let changes = diff(&organization(), None, Some(&after));
        assert_eq!(changes.len(), 5);
        assert!(changes.iter().all(|change| change.before.is_none()));
    }
}
