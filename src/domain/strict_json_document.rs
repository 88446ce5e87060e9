//! JSON documents read at start-up (the access and enforcement policies), parsed so that a member name
//! given twice in one object is a problem at its JSON pointer instead of serde_json's silent "last one
//! wins" (a second `"permissions"` or `"mode"` must not quietly grant or enforce more).

use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

use super::{Problems, escape_pointer_token};

/// What a repeated member is told.
pub const DUPLICATE_MEMBER: &str = "is given more than once in its object: a member name may appear only once (JSON parsers disagree on which occurrence counts)";

/// Parses `text` as one JSON value. Not JSON at all: one problem at the document (`""`) and `None`.
/// Otherwise the value, with every repeated member name added to `problems` at the repeated member's
/// pointer (the first occurrence is kept, so the rest of the document can still be checked and every
/// problem listed). serde_json's recursion limit still refuses absurd nesting.
pub fn parse_json_document(text: &str, problems: &mut Problems) -> Option<Value> {
    let mut repeated = Vec::new();
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let parsed = Node {
        pointer: String::new(),
        repeated: &mut repeated,
    }
    .deserialize(&mut deserializer)
    .and_then(|value| deserializer.end().map(|()| value));
    match parsed {
        Ok(value) => {
            for pointer in repeated {
                problems.push(pointer, DUPLICATE_MEMBER);
            }
            Some(value)
        }
        Err(error) => {
            problems.push("", format!("is not valid JSON: {error}"));
            None
        }
    }
}

/// One value being read: where it is, and where repeated member names are collected.
struct Node<'a> {
    pointer: String,
    repeated: &'a mut Vec<String>,
}

impl<'de> DeserializeSeed<'de> for Node<'_> {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Node<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_bool<E>(self, value: bool) -> Result<Value, E> {
        Ok(Value::Bool(value))
    }

    fn visit_i64<E>(self, value: i64) -> Result<Value, E> {
        Ok(Value::Number(value.into()))
    }

    fn visit_u64<E>(self, value: u64) -> Result<Value, E> {
        Ok(Value::Number(value.into()))
    }

    fn visit_f64<E: de::Error>(self, value: f64) -> Result<Value, E> {
        Number::from_f64(value)
            .map(Value::Number)
            .ok_or_else(|| E::custom("number is not finite"))
    }

    fn visit_str<E>(self, value: &str) -> Result<Value, E> {
        Ok(Value::String(value.to_owned()))
    }

    fn visit_string<E>(self, value: String) -> Result<Value, E> {
        Ok(Value::String(value))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut items: A) -> Result<Value, A::Error> {
        let Node { pointer, repeated } = self;
        let mut values = Vec::new();
        while let Some(value) = items.next_element_seed(Node {
            pointer: format!("{pointer}/{}", values.len()),
            repeated: &mut *repeated,
        })? {
            values.push(value);
        }
        Ok(Value::Array(values))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut members: A) -> Result<Value, A::Error> {
        let Node { pointer, repeated } = self;
        let mut object = Map::new();
        while let Some(name) = members.next_key::<String>()? {
            let at = format!("{pointer}/{}", escape_pointer_token(&name));
            let value = members.next_value_seed(Node {
                pointer: at.clone(),
                repeated: &mut *repeated,
            })?;
            if object.contains_key(&name) {
                repeated.push(at);
            } else {
                object.insert(name, value);
            }
        }
        Ok(Value::Object(object))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pointers(problems: &Problems) -> Vec<&str> {
        problems.iter().map(|p| p.pointer.as_str()).collect()
    }

    #[test]
    fn ordinary_json_parses_as_serde_json_would() {
        let mut problems = Problems::default();
        let text = r#"{"a":[1,-2,3.5,true,null,"x"],"b":{"c":{}},"d~/e":[]}"#;
        let value = parse_json_document(text, &mut problems).expect("JSON");
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(value, serde_json::from_str::<Value>(text).expect("JSON"));
    }

    #[test]
    fn every_repeated_member_is_a_problem_at_its_pointer_and_the_first_is_kept() {
        let mut problems = Problems::default();
        let text = r#"{"a":1,"a":2,"x":[{"b":1},{"b":[],"b":{"c":1,"c":2}}],"k/~":0,"k/~":1}"#;
        let value = parse_json_document(text, &mut problems).expect("JSON");
        assert_eq!(pointers(&problems), ["/a", "/x/1/b/c", "/x/1/b", "/k~1~0"]);
        assert!(problems.iter().all(|p| p.message == DUPLICATE_MEMBER));
        assert_eq!(value, json!({"a":1,"x":[{"b":1},{"b":[]}],"k/~":0}));
    }

    #[test]
    fn not_json_is_one_problem_at_the_document() {
        let deep = "[".repeat(10_000) + &"]".repeat(10_000);
        for text in ["", "{", "{} {}", "1e999", r#"{"a":1,"a":}"#, deep.as_str()] {
            let mut problems = Problems::default();
            assert!(
                parse_json_document(text, &mut problems).is_none(),
                "{text:.20}"
            );
            assert_eq!(pointers(&problems), [""], "{text:.20}");
            assert!(
                problems
                    .iter()
                    .all(|p| p.message.starts_with("is not valid JSON"))
            );
        }
    }
}
