//! `Problems`: every validation failure of one request, each with the JSON pointer of the member it concerns.

/// One refused member: where it is (an RFC 6901 JSON pointer into the body) and what is allowed there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldProblem {
    pub pointer: String,
    pub message: String,
}

/// All the problems found in one document, in the order they were found.
#[derive(Debug, Clone, Default, PartialEq, Eq, thiserror::Error)]
#[error("{} invalid member(s), first: {}", .0.len(), .0.first().map(|p| p.pointer.as_str()).unwrap_or(""))]
pub struct Problems(Vec<FieldProblem>);

impl Problems {
    pub fn push(&mut self, pointer: impl Into<String>, message: impl Into<String>) {
        self.0.push(FieldProblem {
            pointer: pointer.into(),
            message: message.into(),
        });
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = &FieldProblem> {
        self.0.iter()
    }

    pub fn into_vec(self) -> Vec<FieldProblem> {
        self.0
    }

    /// Adds a problem for every member of `members` (an object at `parent`) not named in `known`.
    pub fn reject_unknown(
        &mut self,
        members: &serde_json::Map<String, serde_json::Value>,
        parent: &str,
        known: &[&str],
    ) {
        for name in members
            .keys()
            .filter(|name| !known.contains(&name.as_str()))
        {
            self.push(
                format!("{parent}/{}", escape_pointer_token(name)),
                format!("is not a known member; allowed here: {}", known.join(", ")),
            );
        }
    }

    /// `Ok(value)` when nothing was found, otherwise every problem.
    pub fn into_result<T>(self, value: impl FnOnce() -> T) -> Result<T, Problems> {
        if self.is_empty() {
            Ok(value())
        } else {
            Err(self)
        }
    }
}

/// Escapes one reference token for a JSON pointer (RFC 6901: `~` as `~0`, `/` as `~1`).
pub fn escape_pointer_token(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointer_tokens_are_escaped() {
        assert_eq!(escape_pointer_token("a/b~c"), "a~1b~0c");
    }
}
