//! `ManagedOrganizations`: the organizations a deployment may touch, read at start-up from the
//! managed-list file (`MANAGED_ORGANIZATIONS_FILE`, `{"organizations": ["m-…", …]}`, deployed as a layer)
//! or, for local runs and small setups, from `MANAGED_ORGANIZATION_IDS`; checked before any WorkMail call
//! so that a request cannot reach an organization the deployment was not meant for.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::strict_json_document::parse_json_document;
use super::{OrganizationId, Problems};

/// Which organizations this deployment manages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ManagedOrganizations {
    /// Any organization (the variable is unset or `*`): for local runs.
    Any,
    Only(BTreeSet<OrganizationId>),
}

/// At most this many problems of a managed-list file are spelled out in the error's message (every one
/// is kept in the error itself); a file of thousands of bad entries must not make a megabyte log line.
const PROBLEMS_SHOWN: usize = 100;

/// A managed list that cannot be used, with every bad entry.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidManagedList {
    /// `MANAGED_ORGANIZATION_IDS`: one message per bad entry, naming its position.
    #[error("MANAGED_ORGANIZATION_IDS is not a comma-separated list of organization ids or '*': {}", .0.join("; "))]
    Variable(Vec<String>),
    /// The managed-list file: every problem at its JSON pointer.
    #[error("MANAGED_ORGANIZATIONS_FILE is invalid: {}", shown(.0))]
    File(Problems),
}

fn shown(problems: &Problems) -> String {
    let all: Vec<String> = problems
        .iter()
        .map(|p| {
            let at = if p.pointer.is_empty() {
                "(document)"
            } else {
                p.pointer.as_str()
            };
            format!("{at} {}", p.message)
        })
        .collect();
    if all.len() > PROBLEMS_SHOWN {
        format!(
            "{}; and {} more ({} problems in all)",
            all[..PROBLEMS_SHOWN].join("; "),
            all.len() - PROBLEMS_SHOWN,
            all.len()
        )
    } else {
        all.join("; ")
    }
}

/// What the file must be, told when it is not.
const FILE_SHAPE: &str = "must be a JSON object with one member, \"organizations\": an array of WorkMail organization ids";
/// Why the file cannot say "any organization".
const NO_WILDCARD: &str = "is '*', which the managed-list file does not accept: list each organization (any organization is for local runs only, with MANAGED_ORGANIZATIONS_FILE and MANAGED_ORGANIZATION_IDS unset)";

impl ManagedOrganizations {
    /// Parses `MANAGED_ORGANIZATION_IDS`, a comma-separated list; `None` or `*` means any organization.
    /// Every bad entry is reported.
    pub fn parse(raw: Option<&str>) -> Result<Self, InvalidManagedList> {
        let Some(raw) = raw.map(str::trim) else {
            return Ok(Self::Any);
        };
        if raw == "*" {
            return Ok(Self::Any);
        }
        if raw.is_empty() {
            return Err(InvalidManagedList::Variable(vec![
                "it is empty: name the organizations, or '*' for any".to_owned(),
            ]));
        }
        let mut organizations = BTreeSet::new();
        let mut problems = Vec::new();
        for (position, entry) in raw.split(',').map(str::trim).enumerate() {
            match OrganizationId::parse(entry) {
                Ok(organization) => {
                    organizations.insert(organization);
                }
                Err(invalid) => {
                    problems.push(format!("entry {} ('{entry}') {invalid}", position + 1))
                }
            }
        }
        if problems.is_empty() {
            Ok(Self::Only(organizations))
        } else {
            Err(InvalidManagedList::Variable(problems))
        }
    }

    /// Parses the managed-list file, `{"organizations": ["m-…", …]}`: at least one organization, each
    /// listed once; no other member, no repeated member name, no `*` (the file always names its
    /// organizations). Every problem is reported at its JSON pointer.
    pub fn parse_file(text: &str) -> Result<Self, InvalidManagedList> {
        let mut problems = Problems::default();
        let Some(document) = parse_json_document(text, &mut problems) else {
            return Err(InvalidManagedList::File(problems));
        };
        let Some(members) = document.as_object() else {
            problems.push("", FILE_SHAPE);
            return Err(InvalidManagedList::File(problems));
        };
        problems.reject_unknown(members, "", &["organizations"]);
        let mut organizations = BTreeMap::new();
        match members.get("organizations") {
            Some(Value::Array(entries)) if entries.is_empty() => problems.push(
                "/organizations",
                "is empty: list at least one organization id",
            ),
            Some(Value::Array(entries)) => {
                for (index, entry) in entries.iter().enumerate() {
                    let at = format!("/organizations/{index}");
                    match entry.as_str() {
                        Some("*") => problems.push(at, NO_WILDCARD),
                        Some(raw) => match OrganizationId::parse(raw) {
                            Ok(organization) => {
                                if let Some(first) = organizations.get(&organization) {
                                    problems.push(
                                        at,
                                        format!("is listed already at /organizations/{first}: list each organization once"),
                                    );
                                } else {
                                    organizations.insert(organization, index);
                                }
                            }
                            Err(invalid) => problems.push(at, invalid.message()),
                        },
                        None => problems.push(at, "must be a string: an organization id"),
                    }
                }
            }
            Some(_) => problems.push("/organizations", "must be an array of organization ids"),
            None => problems.push(
                "/organizations",
                "is required: an array of organization ids",
            ),
        }
        problems
            .into_result(|| Self::Only(organizations.into_keys().collect()))
            .map_err(InvalidManagedList::File)
    }

    pub fn includes(&self, organization: &OrganizationId) -> bool {
        match self {
            Self::Any => true,
            Self::Only(organizations) => organizations.contains(organization),
        }
    }

    /// How many organizations are listed; `None` for any.
    pub fn count(&self) -> Option<usize> {
        match self {
            Self::Any => None,
            Self::Only(organizations) => Some(organizations.len()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: &str = "m-0123456789abcdef0123456789abcdef";
    const B: &str = "m-ffffffffffffffffffffffffffffffff";

    fn id(raw: &str) -> OrganizationId {
        OrganizationId::parse(raw).expect("valid")
    }

    /// The problems of a file that must be refused, as (pointer, message) pairs.
    fn refused(text: &str) -> Vec<(String, String)> {
        match ManagedOrganizations::parse_file(text) {
            Err(InvalidManagedList::File(problems)) => problems
                .into_vec()
                .into_iter()
                .map(|p| (p.pointer, p.message))
                .collect(),
            other => panic!("{text:.80} must be refused, got {other:?}"),
        }
    }

    fn pointers(problems: &[(String, String)]) -> Vec<&str> {
        problems
            .iter()
            .map(|(pointer, _)| pointer.as_str())
            .collect()
    }

    #[test]
    fn unset_or_star_means_any() {
        assert_eq!(
            ManagedOrganizations::parse(None),
            Ok(ManagedOrganizations::Any)
        );
        assert_eq!(
            ManagedOrganizations::parse(Some(" * ")),
            Ok(ManagedOrganizations::Any)
        );
    }

    #[test]
    fn a_list_admits_only_its_members() {
        let managed = ManagedOrganizations::parse(Some(&format!("{A}, {A}"))).expect("valid");
        assert!(managed.includes(&id(A)));
        assert!(!managed.includes(&id(B)));
        assert_eq!(managed.count(), Some(1));
    }

    #[test]
    fn every_bad_entry_is_reported() {
        let error =
            ManagedOrganizations::parse(Some(&format!("{A},m-1,,{B}x"))).expect_err("invalid");
        let InvalidManagedList::Variable(problems) = &error else {
            panic!("{error:?}")
        };
        assert_eq!(problems.len(), 3, "{error}");
        assert!(ManagedOrganizations::parse(Some("")).is_err());
    }

    #[test]
    fn a_file_admits_only_its_organizations() {
        let managed = ManagedOrganizations::parse_file(&format!(r#"{{"organizations": ["{A}"]}}"#))
            .expect("valid");
        assert!(managed.includes(&id(A)));
        assert!(!managed.includes(&id(B)));
        assert_eq!(managed.count(), Some(1));
    }

    #[test]
    fn a_file_never_means_any_organization() {
        let problems = refused(&format!(r#"{{"organizations": ["{A}", "*"]}}"#));
        assert_eq!(pointers(&problems), ["/organizations/1"]);
        assert!(problems[0].1.contains("'*'"), "{problems:?}");
        assert_eq!(
            pointers(&refused(r#"{"organizations": []}"#)),
            ["/organizations"]
        );
        assert_eq!(pointers(&refused("{}")), ["/organizations"]);
    }

    #[test]
    fn every_bad_entry_of_a_file_is_reported_at_its_pointer() {
        let text = format!(
            r#"{{"organizations": ["{A}", "m-1", 7, null, "{A}", " {B}", "{B}"], "organisations": [], "x/y": 1}}"#
        );
        let problems = refused(&text);
        assert_eq!(
            pointers(&problems),
            [
                "/organisations",
                "/x~1y",
                "/organizations/1",
                "/organizations/2",
                "/organizations/3",
                "/organizations/4",
                "/organizations/5",
            ],
            "{problems:?}"
        );
        assert!(
            problems[5].1.contains("listed already at /organizations/0"),
            "{problems:?}"
        );
    }

    #[test]
    fn a_repeated_member_or_a_document_of_the_wrong_shape_is_refused() {
        let repeated = format!(r#"{{"organizations": ["{A}"], "organizations": ["{B}"]}}"#);
        assert_eq!(pointers(&refused(&repeated)), ["/organizations"]);
        for (text, pointer) in [
            ("", ""),
            ("[]", ""),
            (r#""m-0123456789abcdef0123456789abcdef""#, ""),
            (r#"{"organizations": "*"}"#, "/organizations"),
            (r#"{"organizations": {"a": 1}}"#, "/organizations"),
        ] {
            assert_eq!(pointers(&refused(text)), [pointer], "{text}");
        }
    }

    #[test]
    fn the_message_names_the_variable_and_caps_what_it_spells_out() {
        let entries: Vec<String> = (0..250).map(|i| format!("\"m-{i}\"")).collect();
        let text = format!(r#"{{"organizations": [{}]}}"#, entries.join(","));
        let error = ManagedOrganizations::parse_file(&text).expect_err("invalid");
        let InvalidManagedList::File(problems) = &error else {
            panic!("{error:?}")
        };
        assert_eq!(problems.iter().count(), 250, "every problem is kept");
        let message = error.to_string();
        assert!(message.starts_with("MANAGED_ORGANIZATIONS_FILE is invalid: /organizations/0 "));
        assert!(message.contains("/organizations/99 "), "{message:.200}");
        assert!(!message.contains("/organizations/100 "), "{message:.200}");
        assert!(
            message.ends_with("and 150 more (250 problems in all)"),
            "{message:.200}"
        );
    }

    /// Ten thousand organizations parse in well under a second even in a debug build; the README's
    /// figure comes from this test's output (`--nocapture`).
    #[test]
    fn ten_thousand_organizations_parse_quickly() {
        let entries: Vec<String> = (0..10_000u32).map(|i| format!("\"m-{i:032x}\"")).collect();
        let text = format!("{{\"organizations\": [\n  {}\n]}}\n", entries.join(",\n  "));
        let started = std::time::Instant::now();
        let managed = ManagedOrganizations::parse_file(&text).expect("valid");
        let elapsed = started.elapsed();
        println!(
            "parsed {} bytes, 10,000 organizations, in {elapsed:?}",
            text.len()
        );
        assert_eq!(managed.count(), Some(10_000));
        assert!(managed.includes(&id(&format!("m-{:032x}", 9_999))));
        assert!(elapsed < std::time::Duration::from_secs(2), "{elapsed:?}");
    }
}
