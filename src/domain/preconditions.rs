//! Conditional writes (RFC 9110 §13): `If-Match` and `If-None-Match` as entity-tag lists, checked
//! against the ETag of the state a write was decided on, and the deployment rule that every write
//! must prove its caller read the current state (RFC 6585's 428).

/// One side of a precondition: `*` or a list of entity tags as the caller sent them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EntityTags {
    Any,
    /// Quoted tags (`"…"` or weak `W/"…"`), as sent.
    List(Vec<String>),
}

impl EntityTags {
    /// Whether `current` (a strong ETag) is matched, by strong comparison for `If-Match`.
    fn matches_strongly(&self, current: Option<&str>) -> bool {
        match (self, current) {
            (_, None) => false,
            (EntityTags::Any, Some(_)) => true,
            (EntityTags::List(tags), Some(current)) => tags.iter().any(|tag| tag == current),
        }
    }

    /// Weak comparison, for `If-None-Match`.
    fn matches_weakly(&self, current: Option<&str>) -> bool {
        match (self, current) {
            (_, None) => false,
            (EntityTags::Any, Some(_)) => true,
            (EntityTags::List(tags), Some(current)) => tags
                .iter()
                .any(|tag| tag.strip_prefix("W/").unwrap_or(tag) == current),
        }
    }
}

/// The preconditions of one write.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Preconditions {
    pub if_match: Option<EntityTags>,
    pub if_none_match: Option<EntityTags>,
}

/// Why a write's preconditions refuse it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PreconditionError {
    /// 412: the state is not the one the caller named.
    #[error("precondition failed (current ETag {current:?})")]
    Failed { current: Option<String> },
    /// 428: the deployment requires a precondition that proves the caller read the current state.
    #[error("a precondition naming the current state is required")]
    Required,
}

impl Preconditions {
    /// Checks them against `current`, the ETag of the current configuration (`None` when there is
    /// none). With `required`, only `If-Match` with a strong tag, or `If-None-Match: *` (create only),
    /// will do: `If-Match: *` and `If-None-Match: "<tag>"` prove nothing about what the caller read.
    pub fn check(&self, current: Option<&str>, required: bool) -> Result<(), PreconditionError> {
        if required && !self.proves_a_read() {
            return Err(PreconditionError::Required);
        }
        let failed = || PreconditionError::Failed {
            current: current.map(str::to_owned),
        };
        if let Some(tags) = &self.if_match
            && !tags.matches_strongly(current)
        {
            return Err(failed());
        }
        if let Some(tags) = &self.if_none_match
            && tags.matches_weakly(current)
        {
            return Err(failed());
        }
        Ok(())
    }

    fn proves_a_read(&self) -> bool {
        let strong_if_match = matches!(&self.if_match, Some(EntityTags::List(tags))
            if tags.iter().any(|tag| !tag.starts_with("W/")));
        strong_if_match || self.if_none_match == Some(EntityTags::Any)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CURRENT: &str = "\"0123456789abcdef0123456789abcdef\"";

    fn list(tags: &[&str]) -> Option<EntityTags> {
        Some(EntityTags::List(
            tags.iter().map(|tag| (*tag).to_owned()).collect(),
        ))
    }

    fn if_match(tags: Option<EntityTags>) -> Preconditions {
        Preconditions {
            if_match: tags,
            if_none_match: None,
        }
    }

    fn if_none_match(tags: Option<EntityTags>) -> Preconditions {
        Preconditions {
            if_match: None,
            if_none_match: tags,
        }
    }

    #[test]
    fn if_match_needs_the_current_tag() {
        assert!(
            if_match(list(&[CURRENT]))
                .check(Some(CURRENT), false)
                .is_ok()
        );
        assert!(
            if_match(list(&["\"x\"", CURRENT]))
                .check(Some(CURRENT), false)
                .is_ok()
        );
        assert!(
            if_match(Some(EntityTags::Any))
                .check(Some(CURRENT), false)
                .is_ok()
        );
        assert_eq!(
            if_match(list(&["\"stale\""])).check(Some(CURRENT), false),
            Err(PreconditionError::Failed {
                current: Some(CURRENT.to_owned())
            })
        );
        assert!(if_match(Some(EntityTags::Any)).check(None, false).is_err());
        let weak = format!("W/{CURRENT}");
        assert!(
            if_match(list(&[&weak]))
                .check(Some(CURRENT), false)
                .is_err()
        );
    }

    #[test]
    fn if_none_match_star_means_create_only() {
        assert!(
            if_none_match(Some(EntityTags::Any))
                .check(None, false)
                .is_ok()
        );
        assert!(
            if_none_match(Some(EntityTags::Any))
                .check(Some(CURRENT), false)
                .is_err()
        );
        let weak = format!("W/{CURRENT}");
        assert!(
            if_none_match(list(&[&weak]))
                .check(Some(CURRENT), false)
                .is_err()
        );
    }

    #[test]
    fn a_required_precondition_must_prove_a_read() {
        assert_eq!(
            Preconditions::default().check(Some(CURRENT), true),
            Err(PreconditionError::Required)
        );
        assert_eq!(
            if_match(Some(EntityTags::Any)).check(Some(CURRENT), true),
            Err(PreconditionError::Required)
        );
        assert_eq!(
            if_none_match(list(&["\"anything\""])).check(Some(CURRENT), true),
            Err(PreconditionError::Required)
        );
        let weak = format!("W/{CURRENT}");
        assert_eq!(
            if_match(list(&[&weak])).check(Some(CURRENT), true),
            Err(PreconditionError::Required)
        );
        assert!(
            if_none_match(Some(EntityTags::Any))
                .check(None, true)
                .is_ok()
        );
        assert!(
            if_match(list(&[CURRENT]))
                .check(Some(CURRENT), true)
                .is_ok()
        );
        assert!(matches!(
            if_match(list(&["\"stale\""])).check(Some(CURRENT), true),
            Err(PreconditionError::Failed { .. })
        ));
    }
}
