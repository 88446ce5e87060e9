//! `Source`: where a provider's details are read from — the client's JSON body or the string map
//! WorkSpaces Web keeps — so that each type's details are read by one piece of code, and `Field`,
//! the one table entry naming a detail in both (`clientId` in the body is `client_id` on the wire).

use super::values::Scopes;
use crate::domain::InvalidValue;

/// One detail: its body member, its WorkSpaces Web key, and whether it is a secret.
#[derive(Debug)]
pub(super) struct Field {
    pub member: &'static str,
    pub key: &'static str,
    pub secret: bool,
}

/// A place details are read from. Each read notes the field as known (`finish` refuses the rest).
/// Reads answer `None` when a problem has been reported, `Some(None)` when the field is absent.
pub(super) trait Source {
    /// A string value.
    fn text(&mut self, field: &'static Field) -> Option<Option<String>>;
    /// A boolean (a JSON boolean in the body, `"true"`/`"false"` on the wire).
    fn flag(&mut self, field: &'static Field) -> Option<Option<bool>>;
    /// A list of words (a JSON array of strings in the body, space-separated on the wire).
    fn words(&mut self, field: &'static Field) -> Option<Option<Vec<String>>>;
    /// How the field is named in this source, for messages.
    fn name(&self, field: &'static Field) -> &'static str;
    fn problem(&mut self, field: &'static Field, message: String);
    fn item_problem(&mut self, field: &'static Field, index: usize, message: String);
    /// A problem with the details as a whole.
    fn details_problem(&mut self, message: String);
}

/// A value parsed from `field`'s text, or the problem at `field`.
pub(super) fn accept<T>(
    source: &mut impl Source,
    field: &'static Field,
    parsed: Result<T, InvalidValue>,
) -> Option<T> {
    parsed
        .map_err(|invalid| source.problem(field, invalid.message().to_owned()))
        .ok()
}

pub(super) fn required<T>(
    source: &mut impl Source,
    field: &'static Field,
    parse: impl FnOnce(&str) -> Result<T, InvalidValue>,
) -> Option<T> {
    let Some(raw) = source.text(field)? else {
        source.problem(field, "is required".to_owned());
        return None;
    };
    accept(source, field, parse(&raw))
}

pub(super) fn optional<T>(
    source: &mut impl Source,
    field: &'static Field,
    parse: impl FnOnce(&str) -> Result<T, InvalidValue>,
) -> Option<Option<T>> {
    match source.text(field)? {
        None => Some(None),
        Some(raw) => accept(source, field, parse(&raw)).map(Some),
    }
}

/// Required scopes; `must_include` names a scope the list needs (OIDC's `openid`).
pub(super) fn scopes(
    source: &mut impl Source,
    field: &'static Field,
    must_include: Option<&str>,
) -> Option<Scopes> {
    let Some(words) = source.words(field)? else {
        source.problem(field, "is required: the OAuth scopes to request".to_owned());
        return None;
    };
    match Scopes::parse(words) {
        Ok(scopes) => match must_include {
            Some(scope) if !scopes.contains(scope) => {
                source.problem(field, format!("must include the scope '{scope}'"));
                None
            }
            _ => Some(scopes),
        },
        Err(problems) => {
            for (index, message) in problems {
                match index {
                    Some(index) => source.item_problem(field, index, message),
                    None => source.problem(field, message),
                }
            }
            None
        }
    }
}

/// A detail value as the body and the wire write it.
pub(super) enum Entry<'a> {
    Text(&'a str),
    Secret(&'a super::Secret),
    Scopes(&'a Scopes),
    Flag(bool),
}
